"""Answer parsing: what students really type, as numbers.

Accepted: surrounding spaces, a leading + or a unicode minus, decimal commas (``0,125``),
exponents (``1e-3``), and fractions (``-3/8``). Empty cells and a lone ``-`` (Moodle's
"no answer") are *missing*; anything else that is not a finite number is *invalid*.
"""
from __future__ import annotations

import itertools
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


_PLAIN = np.zeros(256, dtype=bool)  # the characters of a plain number: float() reads it as parse_answer does
_PLAIN[np.frombuffer(b"0123456789.eE+-", dtype=np.uint8)] = True


def _plain(texts: list) -> np.ndarray:
    """True where a text is not empty and holds only ASCII digits, ".", "e", "E", "+" and "-":
    for such a text float() and `parse_answer` agree (the same grammar; a blank "-" or "--",
    junk like "1-2", an overflow to inf fail float() or give no finite number, and go to
    parse_answer). Vectorised over the characters of all texts; TypeError if one is not a str."""
    n = len(texts)
    if not n:
        return np.zeros(0, dtype=bool)
    joined = "\n".join(texts)
    if joined.isascii():
        chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    else:
        chars = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    seps = np.flatnonzero(chars == 10)
    if len(seps) != n - 1:  # a text holds a line break (not plain): find the texts' bounds by their lengths
        lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        seps = np.cumsum(lens + 1)[:-1] - 1
    starts = np.r_[0, seps + 1]
    ends = np.r_[seps, len(chars)]
    ok = ends > starts
    bad = ~_PLAIN[chars] if chars.dtype == np.uint8 else ~_PLAIN[np.minimum(chars, 255)] | (chars > 255)
    bad[seps] = False  # the separators
    ok[np.searchsorted(starts, np.flatnonzero(bad), side="right") - 1] = False
    return ok


def parse_many(texts: list) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of answers -> (values (n,) float, NaN where not OK; status (n,) int8):
    `parse_answer` of each text.

    Fast path: the plain numbers (`_plain`) go through float() in one C loop; only the others
    (decimal commas, fractions, unicode minus, blanks, junk) go through `parse_answer`, each
    distinct one once."""
    n = len(texts)
    values = np.full(n, np.nan)
    status = np.zeros(n, dtype=np.int8)
    try:
        plain = _plain(texts)
    except TypeError:  # not every text a str: each through parse_answer
        plain = np.zeros(n, dtype=bool)
    at = np.flatnonzero(plain)
    rest = np.flatnonzero(~plain)
    if at.size:
        def cand():
            return iter(texts) if at.size == n else itertools.compress(texts, plain.tolist())
        try:
            v = np.fromiter(map(float, cand()), dtype=np.float64, count=at.size)
        except ValueError:  # "1-2", "-", "e5": NaN here, parse_answer below says what they are
            v = np.fromiter(map(_float_or_nan, cand()), dtype=np.float64, count=at.size)
        values[at] = v
        rest = np.concatenate([rest, at[~np.isfinite(v)]])
    memo: dict = {}
    for i in rest.tolist():
        t = texts[i]
        k = (t.__class__, t)
        got = memo.get(k)
        if got is None:
            got = memo[k] = parse_answer(t)
        values[i] = np.nan if got[0] is None else got[0]
        status[i] = got[1]
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
