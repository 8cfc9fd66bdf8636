"""A submissions file as columns: every column as codes (one per row) into its texts, with the
file line of each row. The texts are distinct, except in a column of the fast path where nearly
every row has its own text (answers with one key per student): there row i has text i.

Two ways in, same result:
  fast   pandas' C parser, for clean delimited text: no quote characters, no lone CR, the header
         on the first line, every row at most as wide as the header. Only distinct texts become
         Python strings, but in a column where nearly every text differs.
  exact  the csv module's rows (or openpyxl's), for everything else (quoted fields, line breaks
         inside quotes, ragged rows, blank lines before the header, .xlsx).
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

import numpy as np


def delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in ("\t", ";", ",", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def factorize(values) -> tuple[np.ndarray, list[str]]:
    """Strings -> (codes (n,) intp, distinct strings in order of first appearance)."""
    import pandas as pd
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    codes, uniq = pd.factorize(arr)
    return codes.astype(np.intp, copy=False), list(uniq)


def recode(codes: np.ndarray, texts: list[str], fn) -> tuple[np.ndarray, list[str]]:
    """Apply fn to each distinct text, merging texts that become equal."""
    mapped = [fn(t) for t in texts]
    if mapped == texts and len(set(texts)) == len(texts):
        return codes, texts
    new, names = factorize(mapped)
    return new[codes], names


@dataclass
class Table:
    header: list[str]  # stripped, BOM removed
    columns: list[tuple[np.ndarray, list[str]]]  # per column: codes (n,), its texts
    lines: np.ndarray  # (n,) file line (1-based) of each body row

    def column(self, j: int) -> tuple[np.ndarray, list[str]]:
        if j < len(self.columns):
            return self.columns[j]
        return np.zeros(len(self.lines), dtype=np.intp), [""]

    def blank_rows(self) -> np.ndarray:
        """Rows whose every cell is empty or whitespace."""
        blank = np.ones(len(self.lines), dtype=bool)
        for codes, texts in sorted(self.columns, key=lambda c: len(c[1])):  # the fewest texts first
            at = np.flatnonzero(blank)
            if not at.size:
                break
            if not texts:
                continue
            if len(texts) > at.size:  # only the rows that may still be blank
                blank[at] = _blank([texts[c] for c in codes[at].tolist()])
            else:
                blank &= _blank(texts)[codes]
        return blank

    def named_width(self) -> int:
        """Columns up to the last one with a header name."""
        return max((i + 1 for i, h in enumerate(self.header) if h.strip()), default=0)

    def overflow_rows(self) -> np.ndarray:
        """Rows with a non-blank cell beyond the named columns: a row with more fields than the
        header (an unquoted decimal comma or separator inside a cell shifts the rest of the row)."""
        over = np.zeros(len(self.lines), dtype=bool)
        for codes, texts in self.columns[self.named_width():]:
            if texts:
                over |= ~_blank(texts)[codes]
        return over

    def extra_cells(self, r: int) -> list[str]:
        """Row r's non-blank cells beyond the named columns."""
        out = []
        for codes, texts in self.columns[self.named_width():]:
            t = texts[codes[r]].strip()
            if t:
                out.append(t)
        return out

    def without_blank_rows(self) -> "Table":
        """The table without its blank rows (itself if it has none)."""
        keep = ~self.blank_rows()
        if keep.all():
            return self
        return Table(self.header, [(codes[keep], texts) for codes, texts in self.columns], self.lines[keep])


def _blank(texts: list[str]) -> np.ndarray:
    """not t.strip() of each text, at C speed: empty, or whitespace only (str.isspace is the
    whitespace str.strip removes)."""
    n = len(texts)
    return (np.fromiter(map(str.isspace, texts), dtype=bool, count=n)
            | (np.fromiter(map(len, texts), dtype=np.int64, count=n) == 0))


def from_rows(rows: list[list[str]], lines: list[int]) -> Table | None:
    """The exact path: rows from the csv module or openpyxl. None if every row is blank."""
    start = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if start is None:
        return None
    header = [h.strip().lstrip("\ufeff") for h in rows[start]]
    body = rows[start + 1:]
    width = max(len(header), max(map(len, body), default=0))
    cols = [factorize([r[j] if j < len(r) else "" for r in body]) for j in range(width)]
    return Table(header, cols, np.array(lines[start + 1:], dtype=np.int64))


SAMPLE_BYTES = 1 << 18


def _dtypes(text: str, sep: str, width: int) -> dict[int, str]:
    """How to read each column: "category" (pandas' codes into sorted distinct texts: only the
    distinct texts become Python strings; fast when texts repeat, as ids and shared answers do)
    or "text" (every text kept as it is, row i text i: when nearly every text differs, as answers
    do with one key per student; sorting or hashing a million distinct strings would be work for
    nothing). "text" where more than 90% of a column's cells in the first 256 KB of rows hold a
    text seen once there. Only the speed depends on it, never the texts."""
    lines = text[:SAMPLE_BYTES].split("\n")[1:-1]
    if len(lines) < 50:
        return {j: "category" for j in range(width)}
    cols: list[Counter] = [Counter() for _ in range(width)]
    for line in lines:
        for j, c in enumerate(line.rstrip("\r").split(sep)[:width]):
            cols[j][c] += 1
    return {j: "text" if sum(n == 1 for n in c.values()) > 0.9 * len(lines) else "category"
            for j, c in enumerate(cols)}


def fast_table(text: str, utf8: bytes) -> Table | None:
    """The fast path (pandas' C parser on the UTF-8 bytes of `text`), or None when the file
    has anything the csv module might read differently."""
    if '"' in text or "\x00" in text or ("\r" in text and text.count("\r") != text.count("\r\n")):
        return None
    nl = text.find("\n")
    first = (text if nl < 0 else text[:nl]).rstrip("\r")
    cells = first.split(delimiter(first))
    if not any(c.strip() for c in cells):
        return None
    import pandas as pd
    sep = delimiter(first)
    how = _dtypes(text, sep, len(cells))
    try:
        df = pd.read_csv(io.BytesIO(utf8), sep=sep, header=None,
                         dtype={j: "category" if h == "category" else object for j, h in how.items()},
                         na_filter=False, quoting=csv.QUOTE_NONE, skip_blank_lines=False,
                         engine="c", low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, UnicodeDecodeError):
        return None
    if df.shape[1] != len(cells) or len(df) == 0:
        return None
    cols = []
    for j in range(df.shape[1]):
        c = df.iloc[:, j].array
        if isinstance(c.dtype, pd.CategoricalDtype):
            codes = np.asarray(c.codes)[1:].astype(np.intp)
            if (len(codes) and codes.min() < 0) or not pd.api.types.is_string_dtype(c.categories.dtype):
                return None  # a column of numbers only, header included: pandas converted its texts
            cols.append((codes, np.asarray(c.categories, dtype=object).tolist()))
            continue
        values = np.asarray(c, dtype=object)[1:]  # texts as they are (object dtype: never converted)
        if len(values) and pd.api.types.infer_dtype(values, skipna=False) != "string":
            return None  # not every cell a str
        cols.append((np.arange(len(values), dtype=np.intp), values.tolist()))
    return Table([h.strip().lstrip("\ufeff") for h in cells], cols, np.arange(2, len(df) + 1, dtype=np.int64))
