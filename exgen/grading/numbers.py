"""Answer parsing: what students really type, as numbers.

Accepted: surrounding spaces, a leading + or a unicode minus, decimal commas (``0,125``),
exponents (``1e-3``), and fractions (``-3/8``). Empty or blank cells and the texts of
MISSING_TEXTS (``-``, Moodle's "no answer", ``n/a``, ...; surrounding spaces ignored) are
*missing* (docs/grading.md lists them); anything else that is not a finite number is *invalid*.
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
# the texts of a missing answer, stripped (docs/grading.md lists them; exgen/page/assets/page.js: BLANK)
MISSING_TEXTS = frozenset({"", "-", "--", "\u2013", "\u2014", "n/a", "N/A", "(no answer)"})


def parse_answer(text: str | float | int | None) -> tuple[float | None, int]:
    """One answer cell -> (value, status); status is OK, MISSING or INVALID."""
    if text is None:
        return None, MISSING
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        v = float(text)
        return (v, OK) if math.isfinite(v) else (None, INVALID)
    s = str(text).strip()
    if s in MISSING_TEXTS:
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


_PLAIN = b"0123456789.eE+-"  # the characters of a plain number: float() reads it as parse_answer does


def _plain(texts: list) -> np.ndarray:
    """True where a text is not empty and holds only ASCII digits, ".", "e", "E", "+" and "-":
    for such a text float() and `parse_answer` agree (the same grammar; a blank "-" or "--",
    junk like "1-2", an overflow to inf fail float() or give no finite number, and go to
    parse_answer). At C speed: the texts joined by line feeds, their plain characters deleted
    (bytes.translate), what is left placed by the line feeds before it; TypeError if a text is
    not a str."""
    n = len(texts)
    if not n:
        return np.zeros(0, dtype=bool)
    joined = "\n".join(texts)
    data = ("\n" + joined + "\n").encode("utf-8", "surrogatepass")  # non-ASCII: bytes >= 128, none plain
    lf = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)  # (n + 1,) around the texts ...
    if len(lf) != n + 1:  # ... unless a text holds a line break: the texts' bounds from their lengths
        chars = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)  # (T,)
        lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        starts = np.cumsum(lens + 1) - lens - 1  # (n,)
        bad = np.isin(chars, np.frombuffer(_PLAIN, dtype=np.uint8), invert=True)  # (T,)
        bad[starts[1:] - 1] = False  # the line feeds between the texts
        filled = lens > 0
        filled[np.searchsorted(starts, np.flatnonzero(bad), side="right") - 1] = False
        return filled
    ok = np.diff(lf) > 1  # (n,) not empty
    left = np.frombuffer(data.translate(None, _PLAIN), dtype=np.uint8)  # the line feeds and the characters not plain
    at = np.flatnonzero(left != 10)  # (b,) each is in the text after the line feeds before it, less the first
    ok[at - np.arange(len(at)) - 1] = False
    return ok


def _factorize_by_class(values: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes (n,) of any values by (class, value), and the distinct values: 1, 1.0 and True differ."""
    seen: dict = {}
    code = np.fromiter((seen.setdefault((v.__class__, v), len(seen)) for v in values), dtype=np.int64, count=len(values))
    return code, [v for _, v in seen]


class Parsed(list):
    """Answer texts with `parse_many`'s result for them, made where the texts are read (in the
    reading thread, beside the key loading: exgen.grading.files.read_columns); `parse_many` of it
    returns (a copy of) that result. Never changed once made (a changed copy, `list(texts)`, is
    an ordinary list: parsed again). Made empty (no values yet) when its texts are put into it in
    place (exgen.grading.cells.decode: a million texts not copied into it from another list),
    then `parse_into` attaches their parse."""

    def __init__(self, texts=(), values: np.ndarray | None = None, status: np.ndarray | None = None):
        super().__init__(texts)
        self.values, self.status = values, status  # (n,) each, as parse_many gives them


def parsed(texts: list[str]) -> Parsed:
    """The texts with their parse attached (`Parsed`, `parse_into`), each parsed by parse_many."""
    return parse_into(Parsed(texts))


def parse_into(out: Parsed, known: np.ndarray | None = None, values: np.ndarray | None = None) -> Parsed:
    """The parse of texts `out` (a Parsed being made) attached to it; out. known (n,) bool: the
    texts already read as numbers (OK), with their `values` (n,) (exgen.grading.cellnumbers,
    from the file's bytes); the others go through `parse_many`."""
    n = len(out)
    if known is None or values is None:
        out.values, out.status = _parse_many(out)
        return out
    got, status = np.where(known, values, np.nan), np.zeros(n, dtype=np.int8)  # (n,) each
    rest = np.flatnonzero(~known)
    if rest.size:
        got[rest], status[rest] = parse_many([out[i] for i in rest.tolist()])
    out.values, out.status = got, status
    return out


def parse_many(texts: list) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of answers -> (values (n,) float, NaN where not OK; status (n,) int8):
    `parse_answer` of each text.

    Texts read with their parse (`Parsed`) have it already. Else the fast path: the plain
    numbers (`_plain`) go through float() in one C loop; only the others (decimal commas,
    fractions, unicode minus, blanks, junk) go through `parse_answer`, each distinct one once."""
    if isinstance(texts, Parsed) and texts.values is not None and texts.status is not None:
        return texts.values.copy(), texts.status.copy()
    return _parse_many(texts)


def _parse_many(texts: list) -> tuple[np.ndarray, np.ndarray]:
    """`parse_many` of texts, parsed here."""
    n = len(texts)
    values = np.full(n, np.nan)
    status = np.zeros(n, dtype=np.int8)
    try:
        plain, str_only = _plain(texts), True
    except TypeError:  # not every text a str: each through parse_answer
        plain, str_only = np.zeros(n, dtype=bool), False
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
    if rest.size:
        picked = np.empty(rest.size, dtype=object)
        picked[:] = [texts[i] for i in rest.tolist()]
        if str_only:
            import pandas as pd
            code, uniq = pd.factorize(picked)  # (r,) codes into the distinct texts
            distinct = list(uniq)
        else:  # (class, text): 1 and True are not the same answer
            code, distinct = _factorize_by_class(picked)
        got = [parse_answer(t) for t in distinct]
        values[rest] = np.array([np.nan if v is None else v for v, _ in got], dtype=np.float64)[code]
        status[rest] = np.array([s for _, s in got], dtype=np.int8)[code]
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
