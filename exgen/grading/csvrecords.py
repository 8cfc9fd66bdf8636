"""answers.csv lines of distinct keys (grading.csvout) made as fixed-width byte records.

When nearly every line differs in more than the student (each student their own key), the lines
are made without a Python object per line: each column's distinct cells (student ids, question
ids, answers as typed, rests of line) are UTF-8 encoded once into records of one width, padded
with PAD (0xFF, never a byte of UTF-8 text); a chunk of lines gathers its records with NumPy into
one (n, width) byte matrix, and dropping the padding leaves the lines. An expected value is its
"%.12g" as the key index stores it (`Group.expected_text`), else formatted here, a chunk at a
time; a value written as text (a shape, or "" for none) is a cell like the others.
The answers and the rests of line come as their bytes (csvcells.terminated): their records are
windows on those bytes, cut in each chunk (Pool), so little is made before the first chunk; the
chunks are made by THREADS threads (NumPy releases the GIL) while the caller writes them.
"""
from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from exgen.grading.csvcells import float_texts, terminated

PAD = 0xFF  # padding: never a byte of UTF-8 text
HEAD = 32  # bytes of a cell in its first record; a longer cell's rest is a second (rare) record
THREADS = 2  # threads making chunks of lines (NumPy releases the GIL: both cores work); 1: none
G = 19  # the longest "%.12g" of a float ("-1.23456789012e-308"): "%-19.12g" is it padded with spaces


def _encoded(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The texts UTF-8 encoded back to back (uint8, with one PAD after them) and their lengths."""
    joined = "".join(texts)
    if joined.isascii():  # one encode: a text's bytes are its characters
        data, lens = joined.encode("ascii"), np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    else:
        enc = [t.encode("utf-8") for t in texts]
        data, lens = b"".join(enc), np.fromiter(map(len, enc), dtype=np.int64, count=len(enc))
    return np.frombuffer(data + bytes([PAD]), dtype=np.uint8), lens


def _padded(data: np.ndarray, starts: np.ndarray, lens: np.ndarray, width: int) -> np.ndarray:
    """(m, width) uint8: row i is data[starts[i]:starts[i] + lens[i]] (lens <= width), then PAD."""
    out = np.full((len(lens), width), PAD, dtype=np.uint8)
    if not len(lens):
        return out
    if starts[0] == 0 and np.array_equal(starts[1:], np.cumsum(lens)[:-1]):  # back to back: one copy
        out[np.arange(width) < lens[:, None]] = data[:int(lens.sum())]
        return out
    for r in range(0, len(lens), 1 << 16):  # (rows, width) int64 positions, a block at a time
        s, n = starts[r:r + (1 << 16), None], lens[r:r + (1 << 16), None]
        col = np.arange(width)
        out[r:r + len(n)] = data[np.where(col < n, s + col, len(data) - 1)]  # the last byte of data: PAD
    return out


class Pool:
    """Distinct cells as records: head (m,) of void width h (a cell's first h <= `head` bytes,
    PAD after), and for the cells longer than h their rest: tail (m2 + 1, t) uint8 (the last row
    empty), tail_of (m,) each cell's row in it.
    encoded: the texts' bytes each followed by a NUL, and the NULs' positions (csvcells.terminated),
    if made already. Then, when no cell is longer than `head`: with window, nothing is padded
    here: `window` is a record of width h + 1 at each byte of those bytes (NULs turned PAD), and
    `at` cuts a cell's record after its PAD (starts, lens (m,): each cell's bytes), which costs a
    little more in each chunk of lines (made in threads) and saves padding every cell before the
    first (many cells: the answers); without, the head is each cell and its PAD, padded in one
    copy (few cells: the rests of line)."""

    def __init__(self, texts: list[str], encoded: tuple[bytes, np.ndarray] | None = None, head: int = HEAD,
                 window: bool = True):
        self.window: np.ndarray | None = None
        self.tail_of: np.ndarray | None = None
        if encoded is None:
            data, lens = _encoded(texts)
            starts = np.cumsum(lens) - lens  # (m,)
        else:
            ends = encoded[1]
            starts = np.append(0, ends[:-1] + 1)  # (m,)
            lens = ends - starts  # (m,)
        n = int(lens.max(initial=0))
        h = max(1, min(n, head))
        if encoded is not None:
            data = np.full(len(encoded[0]) + h + 1, PAD, dtype=np.uint8)  # (bytes + h + 1,) PAD after the last
            data[:len(encoded[0])] = np.frombuffer(encoded[0], dtype=np.uint8)
            data[ends] = PAD
            if n <= min(head, 254) and window:  # (bytes,) records of width h + 1, each one byte after the one before
                self.window = np.ndarray((len(encoded[0]),), dtype=f"V{h + 1}", buffer=data, strides=(1,))
                self.starts, self.lens, self.col = starts, lens.astype(np.uint8), np.arange(h + 1, dtype=np.uint8)
                return
            if n <= head:  # each cell and its PAD, back to back: one copy
                self.head = _padded(data, starts, lens + 1, h + 1).view(f"V{h + 1}").reshape(-1)  # (m,)
                return
        self.head = _padded(data, starts, np.minimum(lens, h), h).view(f"V{h}").reshape(-1)  # (m,)
        long = np.flatnonzero(lens > h)
        if len(long):
            rest = np.append(lens[long] - h, 0)  # (m2 + 1,)
            self.tail = _padded(data, np.append(starts[long] + h, 0), rest, int(rest.max()))
            self.tail_len = rest
            self.tail_of = np.full(len(texts), len(long), dtype=np.int64)
            self.tail_of[long] = np.arange(len(long))

    def at(self, codes: np.ndarray) -> list[np.ndarray]:
        """The records of the cells `codes` (n,) (a negative code counts from the end), each (n,)
        of a void width: the head and, if a cell among them is longer, the rest."""
        if self.window is not None:
            rec = self.window[self.starts[codes]]  # (n,) a cell, its PAD, then the next cells' bytes
            u = rec.view(np.uint8).reshape(len(codes), -1)  # (n, h + 1)
            u |= (self.col > self.lens[codes][:, None]).view(np.uint8) * np.uint8(PAD)  # those bytes: PAD (0xFF: all bits)
            return [rec]
        out = [self.head[codes]]
        if self.tail_of is not None:
            r = self.tail_of[codes]
            t = int(self.tail_len[r].max(initial=0))
            if t:
                out.append(_records(self.tail[r, :t]))
        return out


def _records(m: np.ndarray) -> np.ndarray:
    """(n, w) uint8 as (n,) records of void width w."""
    return np.ascontiguousarray(m).view(f"V{m.shape[1]}").reshape(-1)


def floats(values: np.ndarray) -> np.ndarray:
    """(n, G) uint8: "%.12g" of each value (n,), PAD after (one %-format for all of them)."""
    text = ("%-19.12g" * len(values) % tuple(values.tolist())).encode("ascii")
    out = np.frombuffer(text, dtype=np.uint8).reshape(len(values), G).copy()
    out |= (out == 32).view(np.uint8) * np.uint8(PAD)  # the spaces "%-19.12g" pads with ("%.12g" has none): PAD
    return out


def g12(values: np.ndarray) -> np.ndarray:
    """"%.12g" of each value as bytes (an array of values' shape, dtype S19; NaN: b""), as the
    key index stores the expected values (grading.indexwrite) for answers.csv."""
    flat = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    out = floats(flat)
    out[out == PAD] = 0
    out[np.isnan(flat)] = 0
    return out.view(f"S{G}").reshape(np.shape(values))


class Lines:
    """The lines "student,question,answer,expected,verdict,score,points,diagnosis,carried" of S
    students x Q questions (line s * Q + q), in chunks of lines. Per student: ids (S,) cells;
    per question: qcells (Q,) cells; per answer (S, Q): acode into answers (cells, -1 the last),
    rcode into rests ("verdict,score,points,diagnosis," each), values (the expected values) with
    texts (a cell where the expected value is written as text, else None; or None for none),
    carried (the carried expected value, NaN: none; a line with one has a rest of its own);
    stored: (K, Q) "%.12g" of the keys' expected values as bytes (the key index's), with kidx
    (S,) each student's key, or None. answers: the cells, or a Future of their Pool (being made
    in another thread while the rest is: grading.csvout)."""

    def __init__(self, ids: list[str], qcells: list[str], answers: list[str] | Future, acode: np.ndarray,
                 rests: list[str], rcode: np.ndarray, values: np.ndarray, texts: np.ndarray | None,
                 carried: np.ndarray, kidx: np.ndarray, stored: np.ndarray | None = None):
        self.S, self.Q = acode.shape
        rcode = rcode.reshape(-1).copy()  # (S*Q,)
        at = np.flatnonzero(~np.isnan(carried.reshape(-1)))  # the lines with a carried value: its own rest of line
        more = (np.array(rests, dtype=object)[rcode[at]] + float_texts(carried.reshape(-1)[at], "")).tolist()
        rcode[at] = len(rests) + np.arange(len(at))
        rests = rests + more  # (from their bytes: each with its PAD in one copy)
        self.ids, self.qids, self.rests = Pool(ids), Pool(qcells), Pool(rests, terminated(rests), 254, False)
        self.acode, self.rcode, self.values = acode.reshape(-1), rcode, values.reshape(-1)  # (S*Q,)
        self.kidx, self.stored = kidx, stored
        self.rows = stored is not None and stored.shape[0] == self.S and np.array_equal(kidx, np.arange(self.S))
        self.tcode: np.ndarray | None = None  # (S*Q,) a text's code in self.texts, -1 where none
        if texts is not None:
            t = texts.reshape(-1)
            at = np.flatnonzero(t != None)  # noqa: E711
            uniq = sorted(set(t[at].tolist()))
            self.texts = Pool(uniq, head=1 << 30)
            self.tcode = np.full(len(t), -1, dtype=np.int64)
            self.tcode[at] = np.searchsorted(np.array(uniq, dtype=object), t[at])
        self.answers = answers.result() if isinstance(answers, Future) else Pool(answers)

    def _expected(self, a: int, b: int) -> np.ndarray:
        """(n,) records: the expected value of lines a..b-1."""
        if self.stored is not None:
            if self.rows:  # student s has key s: the lines' values are in a row
                e = self.stored.reshape(-1)[a:b]  # (n,) bytes, NUL-padded
            else:
                line = np.arange(a, b)
                e = self.stored[self.kidx[line // self.Q], line % self.Q]
            e = e.view(np.uint8).reshape(b - a, -1)  # (n, G)
            e = e | (e == 0).view(np.uint8) * np.uint8(PAD)  # NUL padding to PAD (0xFF: all bits; 20x np.where)
        else:
            e = floats(self.values[a:b])
        if self.tcode is not None:
            tc = self.tcode[a:b]
            at = np.flatnonzero(tc >= 0)
            if len(at):
                t = self.texts.at(tc[at])[0].view(np.uint8).reshape(len(at), -1)
                if t.shape[1] > e.shape[1]:
                    e = np.concatenate([e, np.full((len(e), t.shape[1] - e.shape[1]), PAD, dtype=np.uint8)], axis=1)
                e[at] = PAD
                e[at, :t.shape[1]] = t
        return _records(e)

    def chunk(self, a: int, b: int) -> tuple[bytes, np.ndarray]:
        """Lines a..b-1 as written (UTF-8), and keep (n, width): the bytes of each line kept."""
        line = np.arange(a, b)
        parts: list[np.ndarray | bytes] = [
            *self.ids.at(line // self.Q), b",", *self.qids.at(line % self.Q), b",", *self.answers.at(self.acode[a:b]),
            b",", self._expected(a, b), b",", *self.rests.at(self.rcode[a:b]), b"\n"]
        widths = [len(p) if isinstance(p, bytes) else p.dtype.itemsize for p in parts]
        rec = np.dtype([(f"f{i}", f"V{w}") for i, w in enumerate(widths)])
        m = np.empty(b - a, dtype=rec)  # (n,) a line's records, one after the other
        for i, p in enumerate(parts):
            m[f"f{i}"] = np.void(p) if isinstance(p, bytes) else p
        u = m.view(np.uint8).reshape(b - a, -1)  # (n, width)
        keep = u != PAD
        return u[keep].tobytes(), keep

    def blocks(self, per: int, chunk: int, threads: int | None = None) -> Iterator[bytes]:
        """The lines, `per` at a time (UTF-8 bytes each; all of a chunk at once with per 0), made
        about `chunk` lines at a time, by `threads` threads (default THREADS; the same bytes)."""
        step = max(per, chunk // per * per) if per else chunk
        L = self.S * self.Q
        ranges = [(a, min(a + step, L)) for a in range(0, L, step)]
        for (a, b), (text, keep) in zip(ranges, in_order(self.chunk, ranges, THREADS if threads is None else threads)):
            if not per or per >= b - a:  # one block
                yield text
                continue
            ends = np.cumsum(keep.sum(axis=1))[per - 1::per].tolist()  # the end of each block of `per` lines
            for s, e in zip([0] + ends, ends):
                yield text[s:e]


T = TypeVar("T")


def in_order(make: Callable[[int, int], T], ranges: list[tuple[int, int]], threads: int) -> Iterator[T]:
    """make(a, b) of each range, in order. With threads > 1 made by that many threads, at most
    2 * threads ranges ahead of the one handed out (the caller, e.g. writing and hashing the
    file, works meanwhile; memory stays a few chunks); the results do not depend on timing."""
    if threads <= 1 or len(ranges) <= 1:
        yield from (make(a, b) for a, b in ranges)
        return
    with ThreadPoolExecutor(threads) as pool:
        todo = iter(ranges)
        ahead = deque(pool.submit(make, a, b) for a, b in itertools.islice(todo, 2 * threads))
        try:
            while ahead:
                done = ahead.popleft().result()
                ahead.extend(pool.submit(make, a, b) for a, b in itertools.islice(todo, 1))
                yield done
        finally:  # the caller stopped early (or failed): the rest is not made
            for f in ahead:
                f.cancel()
