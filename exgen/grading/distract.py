"""Distractors: the known-wrong values a question's answer must be told apart from, and the cut
that keeps every acceptance window short of them.

For an update (w - eta*g) the distractors are the unchanged parameter w and the step taken uphill
w + eta*g (= 2w - (w - eta*g)); for the loss after the step, the loss before it. By a version-2
acceptance policy (exgen.acceptance, "distractors": "slips") every value the diagnosis table
computes for the question (grading.slips: a sign flip, a path left out, z for h, ...) is one too,
unless it is the answer itself (a slip that changes nothing for this network is no mistake). The rule: an
answer accepted through a window centred at c (the exact value, a hand-rounded value, their
roundings as written, the value carried forward) must be within half the distance from c to the
nearest distractor, |a - c| <= 1/2 min_d |c - d|: it is at least as close to c as to any
distractor, so a distractor itself is never accepted. A window whose centre is a distractor (a
hand computation with 3 decimals that loses the step) accepts nothing. The generator's filters
keep the exact value apart: every distractor of an asked question is at least MIN_GAP_UNITS units
of the last decimal asked from the answer (`too_close`), so no window shrinks to nothing.
"""
from __future__ import annotations

import numpy as np

from exgen.kinds import read as read_ref

MIN_GAP_UNITS = 5  # the generator's filter: a distractor at least this many units of the last decimal away
INVISIBLE_UNITS = 1.0  # a slip value nearer the answer than this many units of the last decimal asked is none
CUT = 0.5  # a window centred at c reaches at most CUT x the distance from c to the nearest distractor


def unchanged(net, refs: list[str], exact) -> np.ndarray:
    """The value before the step of each key and question (K, Q); NaN where the question has none."""
    K = net.eta.shape[0]
    out = np.full((K, len(refs)), np.nan)
    for q, ref in enumerate(refs):
        try:
            unit, r = read_ref(ref, len(net.W))
        except KeyError:
            continue
        v = unit.unchanged(r, net, exact)
        if v is not None:
            out[:, q] = v
    return out


def distractors(before: np.ndarray, expected: np.ndarray, refs: list[str]) -> np.ndarray:
    """(K, Q, 2): the value before the step, and for an update the step uphill 2w - new; NaN: none."""
    upd = np.array([r.startswith("/updated/") for r in refs], dtype=bool)
    mirror = np.where(upd, 2 * before - expected, np.nan)
    return np.stack([before, mirror], axis=-1)


SAME_RTOL, SAME_ATOL = 1e-9, 1e-12  # a slip value this near the answer is the answer (the slip changes nothing)


def same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a and b are the same number (up to the engine's rounding errors); NaN never is."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.abs(a - b) <= SAME_RTOL * np.abs(b) + SAME_ATOL


def invisible(s: np.ndarray, expected: np.ndarray, decimals: int | None) -> np.ndarray:
    """A slip value that cannot be told from the answer at the precision asked: within
    INVISIBLE_UNITS units of its last decimal (or the same number, if no decimals are stated).
    A student who makes such a slip writes the right answer (or its neighbour at the last
    decimal): it is no distractor, and cutting a window at it would reject the right answer."""
    if decimals is None:
        return same(s, expected)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.abs(s - expected) < INVISIBLE_UNITS * 10.0 ** -decimals


def with_slips(dis: np.ndarray, slip_values: list[np.ndarray], expected: np.ndarray,
               decimals: int | None = None) -> np.ndarray:
    """(K, Q, M + 2C): the distractors `dis` and each slip's values (K, Q), exactly and as a
    student writes them (rounded to the decimals asked, if stated); those that cannot be told
    from the answer at the precision asked (`invisible`) left out (NaN)."""
    if not slip_values:
        return dis
    s = np.stack(slip_values, axis=-1)
    s = np.where(invisible(s, expected[..., None], decimals), np.nan, s)
    if decimals is None:
        return np.concatenate([dis, s], axis=-1)
    w = np.round(s, decimals)
    w = np.where(invisible(w, expected[..., None], decimals), np.nan, w)
    return np.concatenate([dis, s, w], axis=-1)


def too_close(answers: np.ndarray, dis: np.ndarray, decimals: int) -> np.ndarray:
    """Where a distractor (..., M) is within MIN_GAP_UNITS units of the last decimal asked of
    the answer (...), and not the answer itself: such a network is no good exercise."""
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.abs(dis - answers[..., None])
    near = (d < MIN_GAP_UNITS * 10.0 ** -decimals) & ~same(dis, answers[..., None])
    return near.any(axis=-1)


def gap(center: np.ndarray, dis: np.ndarray) -> np.ndarray:
    """CUT x the distance from each centre (...) to its nearest distractor (..., M); inf if none."""
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.abs(center[..., None] - dis)
    near = np.fmin.reduce(d, axis=-1) if d.shape[-1] else np.full(center.shape, np.nan)
    return np.where(np.isnan(near), np.inf, np.where(near > 0, CUT * near, -1.0))  # -1: c is one, accept nothing
