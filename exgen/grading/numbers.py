"""Answer parsing: what students really type, as numbers.

Accepted: surrounding spaces, a leading + or a unicode minus, decimal commas (``0,125``),
exponents (``1e-3``), and fractions (``-3/8``). Empty cells and a lone ``-`` (Moodle's
"no answer") are *missing*; anything else that is not a finite number is *invalid*.
"""
from __future__ import annotations

import math
import re

import numpy as np

OK, MISSING, INVALID = 0, 1, 2
STATUS_NAMES = {OK: "ok", MISSING: "missing", INVALID: "invalid"}

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-",
                        "\u00a0": "", "\u202f": "", "\u2009": "", " ": ""})
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_BLANK = {"", "-", "--", "\u2013", "\u2014", "n/a", "N/A", "(no answer)"}


def parse_answer(text: str | float | int | None) -> tuple[float | None, int]:
    """One answer cell -> (value, status); status is OK, MISSING or INVALID."""
    if text is None:
        return None, MISSING
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        v = float(text)
        return (v, OK) if math.isfinite(v) else (None, INVALID)
    s = str(text).strip()
    if s in _BLANK:
        return None, MISSING
    s = s.translate(_MINUS)
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")  # decimal comma
    if "/" in s:
        num, _, den = s.partition("/")
        if _NUMBER.fullmatch(num) and _NUMBER.fullmatch(den) and float(den) != 0:
            v = float(num) / float(den)
            return (v, OK) if math.isfinite(v) else (None, INVALID)
        return None, INVALID
    if not _NUMBER.fullmatch(s):
        return None, INVALID
    v = float(s)
    return (v, OK) if math.isfinite(v) else (None, INVALID)


_INF = float("inf")


def _float_or_nan(t) -> float:
    try:
        return float(t)
    except (ValueError, TypeError):
        return math.nan


_STR = {str}


def parse_many(texts: list) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of answers -> (values (n,) float, NaN where not OK; status (n,) int8).

    Fast path: numpy converts plain numbers in bulk; only the cells it rejects (decimal
    commas, fractions, unicode minus, blanks, junk) go through `parse_answer`."""
    n = len(texts)
    values = np.full(n, np.nan)
    status = np.zeros(n, dtype=np.int8)
    chunk = 20000
    for start in range(0, n, chunk):
        part = texts[start:start + chunk]
        try:
            if not set(map(type, part)) <= _STR:  # plain str only (anything else: one by one)
                raise ValueError
            arr = np.array(part, dtype=np.str_).astype(np.float64)
            values[start:start + len(part)] = arr
            redo: list[int] = np.flatnonzero(~np.isfinite(arr)).tolist()
            if "_" in "".join(part):  # numpy accepts 1_000; we do not
                redo += [i for i, t in enumerate(part) if "_" in t]
        except ValueError:  # some cells are not plain numbers: convert one by one, in C where possible
            conv = list(map(_float_or_nan, part))
            values[start:start + len(part)] = conv
            redo = [i for i, v in enumerate(conv) if v != v or v in (_INF, -_INF)]
            if any("_" in t for t in part if isinstance(t, str)):
                redo += [i for i, t in enumerate(part) if isinstance(t, str) and "_" in t]
        for i in redo:
            v, st = parse_answer(part[i])
            values[start + i] = np.nan if v is None else v
            status[start + i] = st
    return values, status


def decimals_at_most(values: np.ndarray, d: int) -> np.ndarray:
    """True where a value is written with at most d decimals (x == round(x, d))."""
    scaled = values * 10.0 ** d
    return np.abs(scaled - np.round(scaled)) < 1e-6


def threshold(e: np.ndarray, tk: np.ndarray, tv: np.ndarray) -> np.ndarray:
    """The largest |a - e| within the tolerance (kind 0 abs, 1 rel, 2 sig figs)."""
    ae = np.abs(e)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        width = np.where(tk == 1, tv * ae, tv)  # rel, else abs (tk, tv often broadcast: cheap masks)
        if np.any(tk == 2):  # significant figures: half a unit in the tv-th digit
            sig = np.where(ae > 0, 0.5 * 10.0 ** (np.floor(np.log10(np.where(ae > 0, ae, 1.0))) - tv + 1), 0.0)
            width = np.where(tk == 2, sig, width)
        return width + 1e-12 + 1e-9 * ae
