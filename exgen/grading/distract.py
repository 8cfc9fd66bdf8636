"""Distractors: the known-wrong values a question's answer must be told apart from, and the cut
that keeps every acceptance window short of them.

For an update (w - eta*g) the distractors are the unchanged parameter w and the step taken uphill
w + eta*g (= 2w - (w - eta*g)); for the loss after the step, the loss before it. The rule: an
answer accepted through a window centred at c (the exact value, a hand-rounded value, their
roundings as written, the value carried forward) must be within half the distance from c to the
nearest distractor, |a - c| <= 1/2 min_d |c - d|: it is at least as close to c as to any
distractor, so a distractor itself is never accepted. A window whose centre is a distractor (a
hand computation with 3 decimals that loses the step) accepts nothing. The generator's filters
keep the exact value apart: |eta*g| and |loss - loss after| are at least MIN_GAP_UNITS units of
the last decimal asked.
"""
from __future__ import annotations

import numpy as np

from exgen.kinds import read as read_ref

MIN_GAP_UNITS = 5  # the generator's filter: a distractor at least this many units of the last decimal away
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


def gap(center: np.ndarray, dis: np.ndarray) -> np.ndarray:
    """CUT x the distance from each centre (...) to its nearest distractor (..., M); inf if none."""
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.abs(center[..., None] - dis)
    near = np.fmin.reduce(d, axis=-1) if d.shape[-1] else np.full(center.shape, np.nan)
    return np.where(np.isnan(near), np.inf, np.where(near > 0, CUT * near, -1.0))  # -1: c is one, accept nothing
