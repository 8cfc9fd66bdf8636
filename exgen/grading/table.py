"""A submissions file as columns: every column as codes (one per row) into its texts, with the
file line of each row. The texts are distinct, except in a column of the fast path where nearly
every row has its own text (answers with one key per student): there every row has a text of its
own (the codes a permutation), repeated texts included. The order of the texts means nothing.

Two ways in, same result:
  fast   exgen.grading.cells (NumPy on the UTF-8 bytes), for clean delimited text: no quote
         characters, no NUL, no lone CR, the header on the first line, every row at most as wide
         as the header. Only the distinct texts become Python strings, all at once.
  exact  the csv module's rows (or openpyxl's), for everything else (quoted fields, line breaks
         inside quotes, rows wider than the header, blank lines before the header, .xlsx).

The texts of the answer columns (named by the caller: `answer_columns`) come with their parse
(`numbers.Parsed`), made in the reading thread: on the fast path the plain decimals are read
from their bytes (exgen.grading.cellnumbers) and the other texts by `parse_many`; on the exact
path every text by `parse_many`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exgen.grading import cells as bytecells
from exgen.grading.cellnumbers import read_numbers
from exgen.grading.numbers import Parsed, parse_into, parsed


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
    mapped = list(map(fn, texts))
    if mapped == texts and len(set(texts)) == len(texts):
        return codes, texts
    new, names = factorize(mapped)
    return new[codes], names


@dataclass
class Table:
    header: list[str]  # stripped, BOM removed
    columns: list[tuple[np.ndarray, list[str]]]  # per column: codes (n,), its texts
    lines: np.ndarray  # (n,) file line (1-based) of each body row

    def __post_init__(self):
        """A column without rows (a header-only file) has the one text "", as a missing column,
        so that every column's texts are a list codes and their parses can index."""
        self.columns = [(codes, texts or [""]) for codes, texts in self.columns]

    def column(self, j: int) -> tuple[np.ndarray, list[str]]:
        if j < len(self.columns):
            return self.columns[j]
        return np.zeros(len(self.lines), dtype=np.intp), [""]

    def blank_rows(self) -> np.ndarray:
        """Rows whose every cell is empty or whitespace."""
        blank = np.ones(len(self.lines), dtype=bool)
        for codes, texts in sorted(self.columns, key=lambda c: len(c[1])):  # the fewest texts first
            left = np.count_nonzero(blank)
            if not left:
                break
            if not texts:
                continue
            if len(texts) > left:  # only the rows that may still be blank
                at = np.flatnonzero(blank)
                blank[at] = _blank([texts[c] for c in codes[at].tolist()])
                continue
            some = _blank(texts)
            if not some.any():  # no blank text in the column: no blank row
                return np.zeros(len(self.lines), dtype=bool)
            blank &= some[codes]
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


def answer_columns(header: list[str], answers) -> set[int]:
    """The columns whose header, stripped and in lower case, is one of the names `answers`: their
    texts are parsed as they are read (`numbers.Parsed`), in the reading thread."""
    return {j for j, h in enumerate(header) if h.strip().lower() in answers}


def from_rows(rows: list[list[str]], lines: list[int], answers=()) -> Table | None:
    """The exact path: rows from the csv module or openpyxl. None if every row is blank.
    answers: the header names of answer columns (`answer_columns`)."""
    start = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if start is None:
        return None
    header = [h.strip().lstrip("\ufeff") for h in rows[start]]
    body = rows[start + 1:]
    width = max(len(header), max(map(len, body), default=0))
    cols = [factorize([r[j] if j < len(r) else "" for r in body]) for j in range(width)]
    for j in answer_columns(header, answers):
        cols[j] = (cols[j][0], parsed(cols[j][1]))
    return Table(header, cols, np.array(lines[start + 1:], dtype=np.int64))


def _parsed(texts: list[str], where: np.ndarray, values: np.ndarray, ok: np.ndarray) -> list[str]:
    """An answer column's texts with their parse (`numbers.parse_into`; texts a Parsed being
    made, or a list): cell i, read as a number (values[i], if ok[i]: exgen.grading.cellnumbers),
    has the text texts[where[i]] (each (c,))."""
    if not texts:
        return texts
    known, at = np.zeros(len(texts), dtype=bool), np.empty(len(texts))  # (t,) each, by text
    known[where], at[where] = ok, values
    return parse_into(texts if isinstance(texts, Parsed) else Parsed(texts), known, at)


SAMPLE_ROWS = 2000


def _distinct(b: bytecells.Bytes, start: np.ndarray, length: np.ndarray) -> bool:
    """Does nearly every row hold its own text (more than 90% of the cells of the first 2000 rows
    hold a text seen once there, as answers do with one key per student)? Such a column keeps a
    text per row: hashing a million distinct cells would be work for nothing. Only the speed
    depends on it, never the texts."""
    if len(start) < 50:
        return False
    codes = bytecells.factorize(b, start[:SAMPLE_ROWS], length[:SAMPLE_ROWS])[0]
    return int((np.bincount(codes) == 1).sum()) > 0.9 * min(len(start), SAMPLE_ROWS)


# files of at least this many rows have their columns read two at a time, by two threads (NumPy's
# array loops and pandas' hashing of numbers release the GIL: two cores work at once)
THREADED_ROWS = 20_000


def fast_table(utf8: bytes, check=None, answers=()) -> Table | None:
    """The fast path (exgen.grading.cells: NumPy on the UTF-8 bytes), or None when the file has
    anything the csv module might read differently: a quote character, a NUL, a lone CR, a blank
    first line, a row wider than the header. check(line feeds): the size limits (cells.spans).
    answers: the header names of answer columns (`answer_columns`), their plain decimals read
    as numbers from their bytes (exgen.grading.cellnumbers), the other texts by parse_many."""
    if b'"' in utf8 or b"\x00" in utf8:
        return None
    crlf = b"\r" in utf8
    if crlf and utf8.count(b"\r") != utf8.count(b"\r\n"):
        return None
    nl = utf8.find(b"\n")
    first = (utf8 if nl < 0 else utf8[:nl]).rstrip(b"\r").decode("utf-8")
    sep = delimiter(first)
    cells = first.split(sep)
    if not any(c.strip() for c in cells):
        return None
    b = bytecells.Bytes(utf8)
    got = bytecells.spans(b, ord(sep), len(cells), crlf, check)
    if got is None:
        return None
    S, L = got  # (width, n) each: the body rows
    header, width = [h.strip().lstrip("\ufeff") for h in cells], len(cells)
    numeric = answer_columns(header, answers)
    distinct = [_distinct(b, S[j], L[j]) for j in range(width)]

    numbers: dict = {}  # j: the numbers of every cell of distinct answer column j (`read_numbers`)

    def column(j: int) -> tuple[np.ndarray, list[str]]:
        s, k = S[j], L[j]
        if distinct[j]:  # a text per cell: cell i's text is texts[where[i]]
            texts, where = bytecells.decode(b, s, k, Parsed() if j in numeric else None)
            if j in numeric:  # (its numbers: a job of their own, started before this one)
                texts = _parsed(texts, where, *numbers[j].result())
            return where, texts
        codes, first_at = bytecells.factorize(b, s, k)
        s, k = s[first_at], k[first_at]  # (t,) the first cell of each code
        texts, where = bytecells.decode(b, s, k)
        if j in numeric:
            texts = _parsed(texts, where, *read_numbers(b, s, k))
        in_order = bool((where == np.arange(len(where))).all())  # the texts in order of the codes
        return (codes if in_order else where[codes]), texts

    # jobs: the numbers of every cell of each distinct answer column (as long as its texts take:
    # the two run at once, the texts' job waiting for the numbers' at its end), then each
    # column's codes and texts, the longest first
    numbered = [j for j in sorted(numeric) if distinct[j]]
    jobs = sorted(range(width), key=lambda j: not distinct[j])
    if S.shape[1] >= THREADED_ROWS and len(jobs) + len(numbered) > 1:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(2) as pool:  # each job on its own (but for that wait): the same table in any order
            for j in numbered:  # (queued first: running before any job waits for them)
                numbers[j] = pool.submit(read_numbers, b, S[j], L[j])
            done = dict(zip(jobs, pool.map(column, jobs)))
    else:
        from concurrent.futures import Future
        for j in numbered:
            numbers[j] = Future()
            numbers[j].set_result(read_numbers(b, S[j], L[j]))
        done = {j: column(j) for j in jobs}
    return Table(header, [done[j] for j in range(width)], np.arange(2, S.shape[1] + 2, dtype=np.int64))
