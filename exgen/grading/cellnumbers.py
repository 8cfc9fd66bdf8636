"""Answers read as numbers straight from a file's bytes: the fast path of `numbers.parse_many`
for an answer column of the fast reader (exgen.grading.table), run in the reading thread.
NumPy on 8-byte words, a few dozen array operations in all and no Python object per cell, so
it holds the GIL hardly at all while the keys load beside it.

A cell is read here when it is a plain decimal: an optional sign, then digits with at most one
".", at least 1 and at most 15 digits, at most 16 bytes (no exponent, no space, nothing else).
Its digits make an integer m < 10**15 and it has `a` digits after the point, so its value is
m / 10**a; both are exact doubles, and one IEEE division rounds correctly, as float() does: the
value is float(text) to the bit (Clinger's fast path; a sign only flips it: "-0" is -0.0).
Every other cell (blanks, "-", decimal commas, fractions, exponents, longer numbers, junk) is
left to `parse_many`, the exact path.
"""
from __future__ import annotations

import numpy as np

from exgen.grading.cells import Bytes

WIDTH = 16  # bytes: a cell is read as two little-endian words, right-aligned
DIGITS = 15  # at most: m < 10**15 < 2**53
_U = np.uint64
_ONES, _HIGH, _LOW7 = _U(0x0101010101010101), _U(0x8080808080808080), _U(0x7F7F7F7F7F7F7F7F)
_LAST = np.array([0] + [~((1 << 8 * (8 - n)) - 1) & ((1 << 64) - 1) for n in range(1, 9)],
                 dtype=np.uint64)  # (9,) keeps a word's last n bytes (its high ones)
_POW10 = np.array([10 ** a for a in range(DIGITS + 2)], dtype=np.uint64)  # (17,)
_POW10F = _POW10.astype(np.float64)  # (17,) exact


def _zero_bytes(x: np.ndarray) -> np.ndarray:
    """0x80 in each zero byte of the words x (k,), 0 elsewhere (exact: no carry between bytes)."""
    return ~((((x & _LOW7) + _LOW7) | x) & _HIGH) & _HIGH


def _digits(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ASCII digits of the words x (k,): their values 0..9 in place (every other byte 0), and
    0x80 in each digit's byte (0 elsewhere)."""
    t = x ^ _U(0x3030303030303030)  # a digit's byte becomes its value 0..9
    flags = ~((((t & _LOW7) + _U(0x7676767676767676)) | t) & _HIGH) & _HIGH  # t + 0x76 >= 0x80: t > 9
    return t & ((flags >> _U(7)) * _U(0xFF)), flags


def _count(flags: np.ndarray) -> np.ndarray:
    """How many bytes of each word (k,) hold 0x80 (flags from `_zero_bytes`, `_digits`)."""
    return ((flags >> _U(7)) * _ONES) >> _U(56)


def _eight(d: np.ndarray) -> np.ndarray:
    """The 8-digit numbers of words (k,) whose bytes are digit values 0..9, the first byte the
    most significant (pairs, then fours, then all eight, multiplied into place)."""
    d = d * _U(10) + (d >> _U(8))
    mask = _U(0x000000FF000000FF)
    return (((d & mask) * _U(100 + (1000000 << 32))) + (((d >> _U(16)) & mask) * _U(1 + (10000 << 32)))) >> _U(32)


CHUNK = 1 << 16  # cells at a time: each array of a chunk (512 KB) stays in the CPU's cache


def read_numbers(b: Bytes, start: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values (k,) float of cells (start, length: (k,)) and which of them are plain decimals
    (k,) bool (see the module doc): there the value is float(text) of the cell's text; elsewhere
    the value means nothing. CHUNK cells at a time (the same values: each cell on its own)."""
    k = len(start)
    if k <= CHUNK:
        return _read(b, start, length)
    values, ok = np.empty(k), np.empty(k, dtype=bool)
    for i in range(0, k, CHUNK):
        values[i:i + CHUNK], ok[i:i + CHUNK] = _read(b, start[i:i + CHUNK], length[i:i + CHUNK])
    return values, ok


def _read(b: Bytes, start: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`read_numbers` of a chunk of cells (k,)."""
    first = start + length - WIDTH  # (k,) the byte where the right-aligned 16 bytes begin
    ok = (length >= 1) & (length <= WIDTH) & (first >= 0)
    np.maximum(first, 0, out=first)
    size = np.minimum(length, WIDTH)  # (k,)
    hi = b.at(first) & _LAST[np.clip(size - 8, 0, 8)]  # (k,) bytes 0..7, those before the cell zeroed
    lo = b.at(first + 8) & _LAST[np.minimum(size, 8)]  # (k,) bytes 8..15 (the cell's end)
    (value_hi, digit_hi), (value_lo, digit_lo) = _digits(hi), _digits(lo)
    dot_hi, dot_lo = _zero_bytes(hi ^ _U(0x2E2E2E2E2E2E2E2E)), _zero_bytes(lo ^ _U(0x2E2E2E2E2E2E2E2E))
    digits = (_count(digit_hi) + _count(digit_lo)).astype(np.int64)  # (k,)
    dots = (_count(dot_hi) + _count(dot_lo)).astype(np.int64)  # (k,)
    lead = b.u8[np.where(length > 0, start, 0)]  # (k,) each cell's first byte
    signed = (lead == 45) | (lead == 43)  # "-" or "+"
    ok &= (digits >= 1) & (digits <= DIGITS) & (dots <= 1) & (digits + dots + signed == length)
    # every byte of the cell a digit, but for one "." and a leading sign: its digits as one integer,
    # the "." counted as a 0 digit in place (T), then the digits before it moved down one place (m)
    T = _eight(value_hi) * _U(10 ** 8) + _eight(value_lo)  # (k,)
    # the "." as one bit of 128 (lo's bytes above hi's): bit 8j + 7 for window byte 15 - j, so
    # frexp's exponent is 8j + 8 and the digits after the "." are j = (128 - exponent) / 8
    _, bit = np.frexp(dot_lo.astype(np.float64) * 2.0 ** 64 + dot_hi.astype(np.float64))
    after = np.where(dots > 0, (128 - bit) // 8, 0)  # (k,) digits after the "."
    tail = T % _POW10[after]  # (k,) the digits after the "."
    m = np.where(dots > 0, (T - tail) // _U(10) + tail, T)  # (k,) < 10**15
    values = m.astype(np.float64) / _POW10F[after]
    np.negative(values, out=values, where=lead == 45)
    return values, ok
