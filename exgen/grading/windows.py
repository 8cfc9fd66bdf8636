"""The windows an answer is correct in (exgen.grading.judge): within the tolerance of the exact
value or of a hand-rounded one, or that value as written with fewer decimals (rounded, or
truncated as seed 002 does), every window cut short of the distractors (grading.distract).
Vectorised over arrays of answers; grading.export turns the same rules into an LMS's windows.
"""
from __future__ import annotations

import numpy as np

from exgen.grading.distract import gap
from exgen.grading.keys import ROUNDINGS
from exgen.grading.numbers import decimals_at_most, threshold


def within(a: np.ndarray, e: np.ndarray, tk: np.ndarray, tv: np.ndarray) -> np.ndarray:
    """|a - e| within the tolerance (kind 0 abs, 1 rel, 2 sig figs); NaN never is."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.abs(a - e) <= threshold(e, tk, tv)


def half_unit(d: int) -> float:
    """How far a value may be from the number it rounds to at d decimals (half a unit, and a hair)."""
    return 0.5 * 10.0 ** -d * (1 + 1e-6) + 1e-12


def chopped(target: np.ndarray, d: int) -> np.ndarray:
    """`target` truncated to d decimals, as seed 002 does."""
    return np.trunc(target * 10.0 ** d + np.sign(target) * 1e-9) / 10.0 ** d


def same_number(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a is the number b as written (a float's hair apart)."""
    return np.abs(a - b) <= 1e-12 + 1e-9 * np.abs(a)


WRITTEN_NONZERO_BELOW = 4  # "0" is the right value as written only where it shows as 0.0000


def as_written(a: np.ndarray, target: np.ndarray, d: int, gap: np.ndarray | float = np.inf,
                chop: bool = True) -> np.ndarray:
    """a is `target` rounded (or, with `chop`, truncated) to d decimals (a is written with at most
    d decimals), and a is within `gap` of target (the window's cut short of the distractors,
    grading.distract)."""
    near = np.abs(a - target) <= half_unit(d)
    ok = decimals_at_most(a, d) & ((near | same_number(a, chopped(target, d))) if chop else near)
    ok &= np.abs(a - target) <= gap
    return ok & (a != 0) if d < WRITTEN_NONZERO_BELOW else ok


def accept(a, exact, rounded: list, tk, tv, thr: list | None = None, gaps: list | None = None,
            dis: np.ndarray | None = None, roundings: tuple[int, ...] = ROUNDINGS,
            strict: bool = False) -> np.ndarray:
    """Correct against `exact` or a hand-rounded value; `thr`: their thresholds and `gaps` their
    cut (grading.distract), if known; else computed, the cut from the distractors `dis` (..., M).
    `strict` (a version-2 policy): the windows are the tolerance around each centre only (no
    rounding or chopping as written: the fewer-decimals rule judges those)."""
    if gaps is None:
        gaps = [np.inf] * (1 + len(rounded)) if dis is None else [gap(x, dis) for x in (exact, *rounded)]
    thr = thr or [np.fmin(threshold(x, tk, tv), c) for x, c in zip((exact, *rounded), gaps)]
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.abs(a - exact) <= thr[0]
        if strict:
            for r, t in zip(rounded, thr[1:]):
                ok |= np.abs(a - r) <= t
            return ok
        seen = set()
        for d, r, t, c in zip(roundings, rounded, thr[1:], gaps[1:]):
            ok |= (np.abs(a - r) <= t) | as_written(a, r, abs(d), c)
            if abs(d) not in seen:
                seen.add(abs(d))
                ok |= as_written(a, exact, abs(d), gaps[0])
    return ok
