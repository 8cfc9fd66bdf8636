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
        self.u64 = np.ndarray((self.last + 1,), dtype="<u8", buffer=self.data, strides=(1,))  # the word at each byte

    def at(self, pos: np.ndarray) -> np.ndarray:
        """The words at positions (any shape, each >= 0); bytes past the end of the file are
        garbage, for the caller to mask."""
        if not pos.size or int(pos.max()) <= self.last:
            return self.u64[pos]
        x = self.u64[np.minimum(pos, self.last)]
        late = pos > self.last  # within 8 bytes of the end (or past it): the word there, shifted down
        x[late] >>= (np.minimum(pos[late] - self.last, 7) * 8).astype(np.uint64)
        return x

    def word(self, start: np.ndarray, length: np.ndarray, w: int) -> np.ndarray:
        """Bytes 8w..8w+7 of each cell (start, length: (k,)) as a little-endian word, zero past the
        cell's end (no cell holds a NUL byte, so zeros make no two different cells equal)."""
        x = self.at(start + 8 * w if w else start)  # (k,)
        if not w and length.min(initial=8) >= 8:
            return x
        keep = _MASK[np.clip(np.arange(int(length.max(initial=0)) + 1) - 8 * w, 0, 8)]  # the mask of each length
        x &= keep[length]
        return x


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
    # every line as wide as the header: as many cells as that makes, each line's last at a line
    # feed (then those are all the line feeds, and the other cells end at separators)
    if len(d) == lines * width:
        T = d.reshape(lines, width).T  # (width, lines) the byte ending each cell (a view, not a copy)
        if (u8[T[-1, :feeds]] == 10).all():
            if check is not None:
                check(T[-1, :feeds])
            S, L = np.empty((width, lines - 1), dtype=np.int64), np.empty((width, lines - 1), dtype=np.int64)
            np.add(T[-1, :-1], 1, out=S[0])  # after the line before's last cell ...
            np.add(T[:-1, 1:], 1, out=S[1:])  # ... or the cell before
            np.subtract(T[:, 1:], S, out=L)
            if crlf:
                L[-1] -= (b.u8[np.maximum(T[-1, 1:] - 1, 0)] == 13) & (L[-1] > 0)
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
    """Codes (n,) of the cells, equal exactly where the bytes are, in order of first appearance,
    and the first cell of each code (k,). When equal cells come in runs (a student's rows in the
    long layout, `_heads`), only each run's first cell is coded."""
    n = len(start)
    if not n:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    most = int(length.max())
    head = _heads(b, start, length, most)  # (r,) or None
    if head is None:
        return _factorize(b, start, length, most)
    codes, first = _factorize(b, start[head], length[head], most)  # (r,), (k,)
    return np.repeat(codes, np.diff(np.r_[head, n])), head[first]


def _heads(b: Bytes, start: np.ndarray, length: np.ndarray, most: int) -> np.ndarray | None:
    """The first cell of each run of equal cells (r,), if the runs are fewer than a quarter of
    the cells (of the first 4096, then of all), else None. A cell equals the one before when
    their lengths and their words up to LONG bytes are equal, and longer ones as bytes objects."""
    n = len(start)
    for m in sorted({min(n, 4096), n}):  # the first cells, then all
        change = length[1:m] != length[:m - 1]  # (m - 1,) a cell unlike the one before
        for w in range((min(most, LONG) + 7) // 8):
            at = np.flatnonzero(length[:m] > 8 * w) if w else None  # (a,) the cells with a word w
            if at is None or len(at) == m:
                x = b.word(start[:m], length[:m], w)  # (m,)
            else:
                x = np.zeros(m, dtype=np.uint64)
                x[at] = b.word(start[at], length[at], w)
            change |= x[1:] != x[:-1]
            if np.count_nonzero(change) >= m // 4:
                return None
        if most > LONG:  # (the words up to LONG bytes and the lengths are equal)
            for i in np.flatnonzero(~change & (length[1:m] > LONG)).tolist():
                s0, s1, k = int(start[i]), int(start[i + 1]), int(length[i])
                change[i] = b.data[s0:s0 + k] != b.data[s1:s1 + k]
            if np.count_nonzero(change) >= m // 4:
                return None
    return np.flatnonzero(np.r_[True, change])


def _factorize(b: Bytes, start: np.ndarray, length: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """`factorize` without looking for runs. Words 0 and 1 of every cell (0 past a cell's end: a
    cell of up to 16 bytes is done) are coded by `_coded`; then, for the cells longer than 8w
    bytes, (code, word w) until LONG bytes; longer cells are compared as whole bytes objects."""
    import pandas as pd
    codes, first = _coded([b.word(start, length, w) for w in range(1 + (most > 8))])
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
        first = first_seen(codes)
    return codes.astype(np.intp, copy=False), first


def first_seen(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears (k,), for codes (n,) numbered in order of first appearance:
    found in the shortest prefix of 4096 * 8**i codes that holds the last code (then it holds
    every code: all first appear before it)."""
    n = len(codes)
    last = int(codes.max(initial=-1))
    head = 4096
    while head < n and int(codes[:head].max()) < last:
        head *= 8
    return np.flatnonzero(np.diff(np.maximum.accumulate(codes[:head]), prepend=-1) > 0)


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: word 0 times it plus word 1 is one word for the pair


def _coded(words: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Codes (n,) of cells given by one or two words each (n,), dense, in order of first
    appearance, and the first cell of each code (k,). One word is hashed; two words are mixed
    into one word and hashed, then checked (every cell's words equal to those of the first cell
    with its code: then equal codes are equal words); two different pairs mixed into the same
    word (rare) are coded exactly by the pairs (code of word 0, word 1)."""
    import pandas as pd
    if len(words) == 1:
        codes = pd.factorize(words[0])[0]
        return codes, first_seen(codes)
    x0, x1 = words
    codes = pd.factorize(x0 * _MIX + x1)[0]  # (n,) wraps around: equal pairs, equal codes
    first = first_seen(codes)  # (k,)
    if (x0[first][codes] == x0).all() and (x1[first][codes] == x1).all():
        return codes, first
    codes, uniq = pd.factorize(x0)
    top = int(x1.max())
    if len(uniq) * (top + 1) >= 1 << 63:  # the pair as one integer, with x1's codes if it does not fit
        x1, uniq = pd.factorize(x1)
        top = len(uniq) - 1
    codes = pd.factorize(codes.astype(np.int64) * (top + 1) + x1.astype(np.int64))[0]
    return codes, first_seen(codes)


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


def decode(b: Bytes, start: np.ndarray, length: np.ndarray, into: list | None = None) -> tuple[list[str], np.ndarray]:
    """The texts of the cells (k,), decoded from UTF-8 at once, and where (k,) each cell's text is
    in them; into: an empty list to put the texts in (else a new one). Cells in file order, each followed by a byte of no cell, that fill a good part of
    the bytes they span (a whole column of a file of full rows) are cut out of the file at once
    (`_cut`), their texts in order. Else the small cells' texts come first, in order, then the
    longer ones by size: the cells of up to SMALL bytes, then those of up to 64, 128, ... bytes,
    gathered into rows of that many bytes each, cut to their lengths and joined by line feeds
    (no cell holds one), then decoded and split."""
    k = len(start)
    texts: list[str] = [] if into is None else into
    if k and _cuttable(start, length):
        return _cut(b, start, length, texts), np.arange(k)
    words = (length + 7) // 8  # (k,)
    small = length <= SMALL
    if small.all():
        texts += _joined(b, start, length, max(int(words.max(initial=1)), 1))
        return texts, np.arange(k)
    group = np.where(small, 0, np.ceil(np.log2(np.maximum(words, 1))).astype(np.int64))  # (k,) 0, or log2 of the words
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
    pos = start[:, None] + 8 * np.arange(G)  # (a, G) the words of each cell
    rows[:, :-1] = b.at(pos).view(np.uint8).reshape(len(start), 8 * G)
    rows[:, -1] = 10
    keep = np.arange(8 * G + 1) < length[:, None]  # (a, 8G + 1) the cell's bytes ...
    keep[:, -1] = True  # ... and a line feed after each
    return rows[keep].tobytes().decode("utf-8").split("\n")[:-1]


CUT = 3  # `_cut` when the cells' bytes (and the byte after each) are at least 1/CUT of the bytes they span


def _cuttable(start: np.ndarray, length: np.ndarray) -> bool:
    """Are the cells (k,) in file order, none starting before the byte after the one before, and
    do they fill at least 1/CUT of the bytes they span?"""
    after = start + length  # (k,) the byte after each cell
    span = int(after[-1]) + 1 - int(start[0])
    return bool((start[1:] > after[:-1]).all()) and (int(length.sum()) + len(start)) * CUT >= span


CUT_CELLS = 1 << 15  # `_cut` cuts this many cells at a time: no step holds the GIL long (str.split
# of a million texts would hold it ~0.07 s, stopping the other reading thread and the key loading)


def _cut(b: Bytes, start: np.ndarray, length: np.ndarray, texts: list[str]) -> list[str]:
    """The texts of cells (k,) in file order (`_cuttable`) put into `texts`, CUT_CELLS cells at a
    time: their bytes and the byte after each kept by one mask over the bytes they span (runs of
    bytes skipped and kept), each byte after a cell made a line feed; decoded and split."""
    for i in range(0, len(start), CUT_CELLS):
        texts += _cut_some(b, start[i:i + CUT_CELLS], length[i:i + CUT_CELLS])
    return texts


def _cut_some(b: Bytes, start: np.ndarray, length: np.ndarray) -> list[str]:
    """`_cut` of cells (k,), k >= 1."""
    k = len(start)
    runs = np.empty(2 * k, dtype=np.int64)  # (2k,) bytes skipped, bytes kept, ...
    runs[0], runs[1::2] = 0, length + 1
    runs[2::2] = start[1:] - (start[:-1] + length[:-1] + 1)
    keep = np.repeat(np.tile(np.array([False, True]), k), runs)  # (span,)
    lo = int(start[0])
    src = b.u8[lo:lo + len(keep)]
    if len(src) < len(keep):  # the last cell ends the file: no byte after it
        src = np.append(src, np.uint8(10))
    out = src[keep]  # (sum of length + 1,)
    out[np.cumsum(length + 1) - 1] = 10
    return out.tobytes().decode("utf-8").split("\n")[:-1]
