"""The cells of clean delimited text, read from its UTF-8 bytes with NumPy (the fast path of
`exgen.grading.table`): where each cell starts and how long it is, each column's cells as codes
(equal codes: equal bytes, compared 8 bytes at a time, exactly), and the texts wanted decoded to
Python strings all at once.

"Clean" text (checked by the caller): no quote character, no NUL, no CR but in CRLF line ends.
The csv module then splits each line at the separator, and so does this module; the separator and
the line feed are ASCII bytes, which never occur inside a UTF-8 encoded character, so splitting
the bytes splits the text.
"""
from __future__ import annotations

import numpy as np

_MASK = np.array([(1 << 8 * k) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)  # (9,) keeps a word's first k bytes
LONG = 256  # cells longer than this are compared as Python bytes, not word by word


class Bytes:
    """A file's bytes, and the 8 bytes at any position read as one little-endian word."""

    def __init__(self, data: bytes):
        self.n = len(data)
        self.data = data if self.n >= 8 else data + bytes(8 - self.n)
        self.u8 = np.frombuffer(self.data, dtype=np.uint8)  # (n,), or (8,) padded
        self.last = len(self.data) - 8  # the last position a whole word starts at
        # the 8 bytes at each byte, as one item (void: NumPy gathers items of alignment 1 faster than unaligned words)
        self.v8 = np.ndarray((self.last + 1,), dtype="V8", buffer=self.data, strides=(1,))

    def at(self, pos: np.ndarray) -> np.ndarray:
        """The words at positions (any shape, each <= n); bytes past the end of the file are
        garbage, for the caller to mask."""
        if not pos.size or int(pos.max()) <= self.last:
            return self.v8[pos].view("<u8")
        x = self.v8[np.minimum(pos, self.last)].view("<u8")
        late = pos > self.last  # within 8 bytes of the end: the word there, shifted down
        x[late] >>= (np.minimum(pos[late] - self.last, 7) * 8).astype(np.uint64)
        return x

    def word(self, start: np.ndarray, length: np.ndarray, w: int) -> np.ndarray:
        """Bytes 8w..8w+7 of each cell (start, length: (k,)) as a little-endian word, zero past the
        cell's end (no cell holds a NUL byte, so zeros make no two different cells equal)."""
        if not w:  # every cell starts within the file
            x = self.at(start)  # (k,)
            return x if length.min(initial=8) >= 8 else x & _MASK[np.minimum(length, 8)]
        return self.at(np.minimum(start + 8 * w, self.n)) & _MASK[np.clip(length - 8 * w, 0, 8)]


def spans(b: Bytes, sep: int, width: int, crlf: bool, check=None) -> tuple[np.ndarray, np.ndarray] | None:
    """(start, length) of every cell, (width, lines - 1) each: the body's cells, column by column
    (line 0, the header, left out), a short line's missing cells empty (start 0, length 0), a CR
    ending a CRLF line not part of its last cell. None if a line has more cells than `width`.
    check(line feeds): called with the positions (f,) of the line feeds once they are found
    (the size limits), before anything is made per cell."""
    u8 = b.u8[:b.n]
    cut = u8 == 10  # (n,) the line feeds ...
    feeds = np.count_nonzero(cut)
    cut |= u8 == sep  # ... and the separators: the bytes ending cells
    d = np.flatnonzero(cut)  # (m,) the byte that ends each cell
    del cut
    ended = bool(b.n) and u8[-1] == 10
    if not ended:  # the last line has no line feed: the end of the file ends its last cell
        d = np.append(d, b.n)
    lines = feeds + (not ended)
    # every line as wide as the header: the cells' count fits, and every width-th cell ends at a
    # line feed (then those are all the line feeds, and the other cells end at separators)
    full = len(d) == lines * width and bool((u8[d[width - 1::width][:feeds]] == 10).all())
    if full:
        E = d.reshape(lines, width)  # the byte ending each cell
        if check is not None:
            check(E[:feeds, -1])  # the line feeds
        S, L = np.empty((width, lines - 1), dtype=np.int64), np.empty((width, lines - 1), dtype=np.int64)
        S[0], S[1:] = E[:-1, -1], E[1:, :-1].T  # the end of the cell before (the line before's last) ...
        S += 1  # ... and one past it
        np.subtract(E[1:].T, S, out=L)
        if crlf:
            L[-1] -= (b.u8[np.maximum(E[1:, -1] - 1, 0)] == 13) & (L[-1] > 0)
        return S, L
    real = len(d) - (not ended)  # the cells ended by a byte, not by the end of the file
    eol = np.ones(len(d), dtype=bool)  # (m,) the cell ends its line
    eol[:real] = u8[d[:real]] != sep
    if check is not None:
        check(d[eol][:feeds])
    start = np.empty_like(d)
    start[0], start[1:] = 0, d[:-1] + 1
    length = d - start  # (m,)
    if crlf:
        length -= eol & (b.u8[np.maximum(d - 1, 0)] == 13) & (length > 0)
    line = np.cumsum(eol) - eol  # (m,) the line of each cell
    first = np.flatnonzero(np.r_[True, eol[:-1]])  # (lines,) each line's first cell
    col = np.arange(len(d)) - first[line]  # (m,) the column of each cell
    if col.max() >= width:
        return None
    S, L = np.zeros((width, lines), dtype=np.int64), np.zeros((width, lines), dtype=np.int64)
    S[col, line], L[col, line] = start, length
    return S[:, 1:], L[:, 1:]


def factorize(b: Bytes, start: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (n,) of the cells, equal exactly where the bytes are, and the first cell of each code
    (k,). Word 0 of every cell is hashed; then (code, word 1) of every cell (0 past a cell's end:
    a cell of up to 16 bytes is done); then, for the cells longer than 8w bytes, (code, word w)
    until LONG bytes; longer cells are compared as whole bytes objects."""
    import pandas as pd
    n = len(start)
    if not n:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    most = int(length.max())
    if most <= 8:  # one word per cell
        return _runs(b.word(start, length, 0))
    codes, uniq = pd.factorize(b.word(start, length, 0))  # (n,) in order of first appearance
    codes = _pair(codes, len(uniq), b.word(start, length, 1))
    dense = True
    for w in range(2, (min(most, LONG) + 7) // 8):
        at = np.flatnonzero(length > 8 * w)  # (k,) the cells with a word w
        dense &= _refine(codes, at, pd.factorize(b.word(start[at], length[at], w))[0])
    if most > LONG:
        at = np.flatnonzero(length > LONG)
        whole = np.empty(len(at), dtype=object)
        whole[:] = [b.data[s:s + k] for s, k in zip(start[at].tolist(), length[at].tolist())]
        dense &= _refine(codes, at, pd.factorize(whole)[0])
    if not dense:
        codes = pd.factorize(codes)[0]  # dense again, in order of first appearance
    return codes.astype(np.intp, copy=False), _first(codes)


def _first(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears (k,), for codes (n,) numbered in order of first appearance:
    found in the shortest prefix of 4096 * 8**i codes that holds the last code (then it holds
    every code: all first appear before it)."""
    n = len(codes)
    last = int(codes.max(initial=-1))
    head = 4096
    while head < n and int(codes[:head].max()) < last:
        head *= 8
    return np.flatnonzero(np.diff(np.maximum.accumulate(codes[:head]), prepend=-1) > 0)


def _runs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """factorize's codes and first cells for cells of one word x (n,); when the words repeat in
    runs (a student's rows in the long layout), one word per run is hashed."""
    import pandas as pd
    change = x[1:] != x[:-1]  # (n - 1,)
    if np.count_nonzero(change) < len(x) // 4:
        head = np.flatnonzero(np.r_[True, change])  # (r,) each run's first cell
        codes = pd.factorize(x[head])[0]  # (r,)
        return np.repeat(codes, np.diff(np.r_[head, len(x)])).astype(np.intp, copy=False), head[_first(codes)]
    codes = pd.factorize(x)[0]
    return codes.astype(np.intp, copy=False), _first(codes)


def _pair(codes: np.ndarray, k: int, x: np.ndarray) -> np.ndarray:
    """The codes (n,) of the pairs (code, word x), dense, in order of first appearance: the pair as
    one integer when it fits in 63 bits (a word of up to 4 bytes does), else with x's codes."""
    import pandas as pd
    top = int(x.max())
    if k * (top + 1) >= 1 << 63:
        x, uniq = pd.factorize(x)
        top = len(uniq) - 1
    return pd.factorize(codes.astype(np.int64) * (top + 1) + x.astype(np.int64))[0]


def _refine(codes: np.ndarray, at: np.ndarray, part: np.ndarray) -> bool:
    """Split the codes of the cells `at` by their `part` codes (k,): the pairs get new codes, above
    every code in use (cells not in `at` differ from them in length, so never shared them).
    Whether the codes are still dense (nothing changed)."""
    import pandas as pd
    if not len(at):
        return True
    pair = codes[at] * (int(part.max()) + 1) + part  # (k,)
    codes[at] = pd.factorize(pair)[0] + int(codes.max()) + 1
    return False


SMALL = 32  # cells of up to this many bytes are decoded in one block, as wide as the longest of them


def decode(b: Bytes, start: np.ndarray, length: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The texts of the cells (k,), decoded from UTF-8 at once, and where (k,) each cell's text is
    in them (the small cells' texts first, in order, then the longer ones by size): the cells of
    up to SMALL bytes, then those of up to 64, 128, ... bytes, gathered into rows of that many
    bytes each, cut to their lengths and joined by line feeds (no cell holds one), then decoded
    and split."""
    k = len(start)
    words = (length + 7) // 8  # (k,)
    small = length <= SMALL
    if small.all():
        return _joined(b, start, length, max(int(words.max(initial=1)), 1)), np.arange(k)
    group = np.where(small, 0, np.ceil(np.log2(np.maximum(words, 1))).astype(np.int64))  # (k,) 0, or log2 of the words
    texts: list[str] = []
    where = np.empty(k, dtype=np.intp)
    for g in np.unique(group).tolist():
        at = np.flatnonzero(group == g)
        width = max(int(words[at].max()), 1) if g == 0 else 1 << g
        where[at] = len(texts) + np.arange(len(at))
        texts += _joined(b, start[at], length[at], width)
    return texts, where


def _joined(b: Bytes, start: np.ndarray, length: np.ndarray, G: int) -> list[str]:
    """The texts of cells (a,) of at most G words."""
    rows = np.empty((len(start), 8 * G + 1), dtype=np.uint8)
    pos = np.minimum(start[:, None] + 8 * np.arange(G), b.n)  # (a, G) the words of each cell
    rows[:, :-1] = b.at(pos).view(np.uint8).reshape(len(start), 8 * G)
    rows[:, -1] = 10
    keep = np.arange(8 * G + 1) < length[:, None]  # (a, 8G + 1) the cell's bytes ...
    keep[:, -1] = True  # ... and a line feed after each
    return rows[keep].tobytes().decode("utf-8").split("\n")[:-1]
