"""A group's slip table (exgen.grading.slips): each slip's value at every key and question of a
group of keys (exgen.grading.keys.Group), computed once by the engine, or kept compact by the key
index (exgen.grading.keyindex) and read only where asked. The diagnosis of wrong answers
(grading.judge) and a strict policy's distractors (grading.distract) read it here, at the (key,
question) pairs they need, and only the slips that have a value at a question (`present`).
"""
from __future__ import annotations

import numpy as np

from exgen.acceptance import Policy
from exgen.core import engine
from exgen.grading import distract, slips
from exgen.grading.numbers import threshold
from exgen.grading.slips import path_entries


SLIP_BASE, SLIP_SLOPE = 0.6e-4, 0.002  # slip_reach: base + slope x |slip value|


def slip_reach(cand: np.ndarray) -> np.ndarray:
    """The hand-rounding distance within which an answer matches a slip value, whatever the tolerance."""
    return SLIP_BASE + SLIP_SLOPE * np.abs(cand)


class SlipTable:
    """The slip table of a Group (a mixin: the group's arrays are its own)."""
    net: engine.Nets
    refs: list[str]
    expected: np.ndarray  # (K, Q)
    tkind: np.ndarray
    tval: np.ndarray
    threshold: np.ndarray
    before: np.ndarray
    policy: Policy
    exact: engine.Result | None
    _slips: tuple | None  # (codes (C,), values (K, Q) of each), made on first use
    # the slip table as the key index keeps it: codes (C,), column (C, Q) of each (slip, question)
    # in values (K, n) (-1: no value, NaN), made into slip_columns only if asked for
    _compact: tuple | None
    _present: tuple | None = None  # (the _slips it was made from, present)

    def slip_columns(self) -> tuple[list[str], list[np.ndarray]]:
        """Slip codes (C,) and each slip's values (K, Q); the engine runs once, on first use."""
        if self._slips is None and self._compact is not None:
            codes, col, vals = self._compact
            table = np.full((len(codes),) + self.expected.shape, np.nan)
            table.transpose(1, 0, 2)[:, col >= 0] = vals
            self._slips = (list(codes), list(table))
        if self._slips is None:
            self._slips = slips.candidates(self.net, self.refs, self.expected, path_entries(self.net), self.before,
                                           self.exact)
        return self._slips

    def slip_codes(self) -> list[str]:
        """The slip codes (C,), in the order of DIAGNOSES (the first that explains an answer wins)."""
        return list(self._compact[0]) if self._slips is None and self._compact is not None else self.slip_columns()[0]

    def present(self) -> np.ndarray:
        """(C, Q) bool: the (slip, question) pairs where some key has a value (elsewhere NaN)."""
        if self._slips is None and self._compact is not None:
            return self._compact[1] >= 0
        codes, cols = self.slip_columns()
        if self._present is None or self._present[0] is not self._slips:
            got = ~np.isnan(np.stack(cols)).all(axis=1) if cols else np.zeros((0, len(self.refs)), dtype=bool)
            self._present = (self._slips, got)
        return self._present[1]

    def slip_values_at(self, k: np.ndarray, q: np.ndarray | int,
                       cols: np.ndarray | None = None) -> tuple[list[str], np.ndarray]:
        """Slip codes (C,) and the slip values (n, C) at the (key, question) pairs (k, q) (q: one
        question for all, or one each); `cols`: only these slips (their numbers among the codes)."""
        if self._slips is None and self._compact is not None:
            codes, col, vals = self._compact
            if cols is not None:
                codes, col = [codes[i] for i in cols.tolist()], col[cols]
            if np.ndim(q) == 0 and (col[:, q] >= 0).all():  # one question, every slip with a value
                return list(codes), vals[k[:, None], col[:, q]]
            c = col[:, q].T  # (n, C) or (C,): the column of each slip value in vals, -1: none
            got = vals[k[:, None], np.maximum(c, 0)]  # (n, C)
            got[np.broadcast_to(c < 0, got.shape)] = np.nan
            return list(codes), got
        codes, table = self.slip_columns()
        if cols is not None:
            codes, table = [codes[i] for i in cols.tolist()], [table[i] for i in cols.tolist()]
        return codes, np.stack([c[k, q] for c in table], axis=1) if table else np.empty((len(k), 0))

    def slips_at(self, k: np.ndarray, q: np.ndarray | int,
                 cols: np.ndarray | None = None) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Slip codes (C,) and, at the (key, question) pairs (k, q), the slip values (n, C), their
        match thresholds and whether they change the answer (slip_windows). Only the pairs asked
        for: a class's wrong answers; `cols`: only these slips (their numbers among the codes)."""
        codes, table = self.slip_values_at(k, q, cols)
        c = np.arange(len(codes)) if cols is None else cols
        thr, usable = self.slip_windows(k[:, None], np.reshape(q, (-1, 1)) if np.ndim(q) else q, c[None, :], table,
                                        table[:, None, :])
        return codes, table, thr, usable

    def slip_windows(self, k: np.ndarray, q: np.ndarray | int, c: np.ndarray,
                     values: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """At (key k, question q, slip number c) (arrays that broadcast to the shape of the slip
        `values` there; `row`: every slip's value at the same (k, q), that shape + (C,)): each
        value's match threshold, its tolerance or the hand-rounding distance slip_reach,
        whichever is wider, cut short of the other slips' values (_apart: each answer goes to the
        nearest slip; the value before the step also only nearer it than the new value), and
        whether the slip changes the answer at all (outside the tolerance of the exact value)."""
        E, thr_E = self.expected[k, q], self.threshold[k, q]
        with np.errstate(invalid="ignore", over="ignore"):
            thr = np.fmax(threshold(values, self.tkind[k, q], self.tval[k, q]), slip_reach(values))
        codes = self.slip_codes()
        with np.errstate(invalid="ignore", over="ignore"):
            d = np.abs(values - E)
            usable = ~(d <= thr_E)
            if slips.NOT_APPLIED in codes:  # matched only nearer the old value than the new
                at = np.broadcast_to(c == codes.index(slips.NOT_APPLIED), thr.shape)
                thr[at] = np.fmin(thr[at], distract.CUT * np.broadcast_to(d, thr.shape)[at])
        return np.fmin(thr, self._apart(values, row, E, thr_E)), usable

    def _apart(self, values: np.ndarray, row: np.ndarray, E: np.ndarray, thr_E: np.ndarray) -> np.ndarray:
        """CUT x the distance from each slip value (...) to the nearest other slip value of its
        row (..., C) that a student can tell from it at the precision asked (distract.invisible)
        and that changes the answer; inf if none. Windows so cut never overlap, so the first
        slip whose window holds an answer (the priority order every reader of the windows uses:
        the judge, the page, the LMS exports) is also the nearest; slips that cannot be told
        apart keep their windows, and the priority order decides between them."""
        with np.errstate(invalid="ignore", over="ignore"):
            idle = distract.invisible(row, values[..., None], self.policy.decimals)  # (..., C)
            idle |= np.abs(row - E[..., None]) <= thr_E[..., None]  # a slip that changes nothing
        return distract.gap(values, np.where(idle, np.nan, row))

    def slip_table(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """slips_at every key and question, as (K, Q, C) arrays."""
        K, Q = self.expected.shape
        codes, table, thr, usable = self.slips_at(np.repeat(np.arange(K), Q), np.tile(np.arange(Q), K))
        return codes, table.reshape(K, Q, -1), thr.reshape(K, Q, -1), usable.reshape(K, Q, -1)
