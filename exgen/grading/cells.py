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
    """A file's bytes, padded so that the 8 bytes at any position can be read as one word."""

    def __init__(self, data: bytes):
        self.n = len(data)
        self.pad = data + bytes(8)
        self.u8 = np.frombuffer(self.pad, dtype=np.uint8)  # (n + 8,)
        self.u64 = np.ndarray((self.n + 1,), dtype="<u8", buffer=self.pad, strides=(1,))  # (n + 1,) the word at each byte

    def word(self, start: np.ndarray, length: np.ndarray, w: int) -> np.ndarray:
        """Bytes 8w..8w+7 of each cell (start, length: (k,)) as a little-endian word, zero past the
        cell's end (no cell holds a NUL byte, so zeros make no two different cells equal)."""
        return self.u64[np.minimum(start + 8 * w, self.n)] & _MASK[np.clip(length - 8 * w, 0, 8)]  # (k,)


def spans(b: Bytes, sep: int, width: int, crlf: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """(start, length) of every cell, (lines, width) each: line 0 the header, a short line's
    missing cells empty (start 0, length 0), a CR ending a CRLF line not part of its last cell.
    None if a line has more cells than `width`."""
    u8 = b.u8[:b.n]
    d = np.flatnonzero((u8 == sep) | (u8 == 10))  # (m,) the byte that ends each cell
    if not b.n or u8[-1] != 10:
        d = np.append(d, b.n)  # the last line has no line feed: the end of the file ends its last cell
    eol = b.u8[d] != sep  # (m,) the cell ends its line (the padding byte at n is not the separator)
    start = np.empty_like(d)
    start[0], start[1:] = 0, d[:-1] + 1
    length = d - start  # (m,)
    if crlf:
        length -= eol & (b.u8[np.maximum(d - 1, 0)] == 13) & (length > 0)
    lines = int(eol.sum())
    if len(d) == lines * width and eol[width - 1::width].all():  # every line as wide as the header
        return start.reshape(lines, width), length.reshape(lines, width)
    line = np.cumsum(eol) - eol  # (m,) the line of each cell
    first = np.flatnonzero(np.r_[True, eol[:-1]])  # (lines,) each line's first cell
    col = np.arange(len(d)) - first[line]  # (m,) the column of each cell
    if col.max() >= width:
        return None
    S, L = np.zeros((lines, width), dtype=np.int64), np.zeros((lines, width), dtype=np.int64)
    S[line, col], L[line, col] = start, length
    return S, L


def factorize(b: Bytes, start: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (n,) of the cells, equal exactly where the bytes are, numbered in order of first
    appearance, and the first cell of each code (k,). Word 0 of every cell is hashed; then, for
    the cells longer than 8w bytes, (code so far, word w) pairs, until LONG bytes; longer cells
    are compared as whole bytes objects."""
    import pandas as pd
    n = len(start)
    if not n:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    codes = pd.factorize(b.word(start, length, 0))[0].astype(np.int64)  # (n,)
    most = int(length.max())
    for w in range(1, (min(most, LONG) + 7) // 8):
        at = np.flatnonzero(length > 8 * w)  # (k,) the cells with a word w
        _refine(codes, at, pd.factorize(b.word(start[at], length[at], w))[0])
    if most > LONG:
        at = np.flatnonzero(length > LONG)
        whole = np.empty(len(at), dtype=object)
        whole[:] = [b.pad[s:s + k] for s, k in zip(start[at].tolist(), length[at].tolist())]
        _refine(codes, at, pd.factorize(whole)[0])
    if most > 8:
        codes = pd.factorize(codes)[0]  # dense again, in order of first appearance
    first = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)  # (k,) where a new code appears
    return codes.astype(np.intp, copy=False), first


def _refine(codes: np.ndarray, at: np.ndarray, part: np.ndarray) -> None:
    """Split the codes of the cells `at` by their `part` codes (k,): the pairs get new codes, above
    every code in use (cells not in `at` differ from them in length, so never shared them)."""
    import pandas as pd
    if len(at):
        pair = codes[at] * (int(part.max()) + 1) + part  # (k,)
        codes[at] = pd.factorize(pair)[0] + int(codes.max()) + 1


def decode(b: Bytes, start: np.ndarray, length: np.ndarray) -> list[str]:
    """The texts of the cells (k,), decoded from UTF-8 at once: the cells of up to 8, 16, 32, ...
    bytes gathered into rows of that many bytes each, cut to their lengths and joined by line
    feeds (no cell holds one), then decoded and split."""
    k = len(start)
    size = np.ceil(np.log2(np.maximum((length + 7) // 8, 1))).astype(np.int64)  # (k,) log2 of the words needed
    out = np.empty(k, dtype=object) if k and size.min() != size.max() else None
    texts: list[str] = []
    for g in np.unique(size).tolist():
        at = np.flatnonzero(size == g) if out is not None else np.arange(k)
        G = 1 << g
        rows = np.empty((len(at), 8 * G + 1), dtype=np.uint8)
        pos = np.minimum(start[at, None] + 8 * np.arange(G), b.n)  # (a, G) the words of each cell
        rows[:, :-1] = b.u64[pos].view(np.uint8).reshape(len(at), 8 * G)
        rows[:, -1] = 10
        keep = np.arange(8 * G + 1) < length[at, None]  # (a, 8G + 1) the cell's bytes ...
        keep[:, -1] = True  # ... and a line feed after each
        texts = rows[keep].tobytes().decode("utf-8").split("\n")[:-1]
        if out is not None:
            out[at] = texts
    return out.tolist() if out is not None else texts
