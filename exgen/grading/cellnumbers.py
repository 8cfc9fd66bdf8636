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


def _zero_bytes(x: np.ndarray) -> np.ndarray:
    """0x80 in each zero byte of the words x (k,), 0 elsewhere (exact: no carry between bytes)."""
    return ~((((x & _LOW7) + _LOW7) | x) & _HIGH) & _HIGH


def _digit_bytes(x: np.ndarray) -> np.ndarray:
    """0x80 in each byte of x (k,) that is an ASCII digit, 0 elsewhere."""
    t = x ^ _U(0x3030303030303030)  # a digit's byte becomes its value 0..9
    return ~((((t & _LOW7) + _U(0x7676767676767676)) | t) & _HIGH) & _HIGH  # t + 0x76 >= 0x80: t > 9


def _count(flags: np.ndarray) -> np.ndarray:
    """How many bytes of each word (k,) hold 0x80 (flags from `_zero_bytes`, `_digit_bytes`)."""
    return ((flags >> _U(7)) * _ONES) >> _U(56)


def _values(x: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """The digit bytes of words x (k,) as their values 0..9, every other byte 0 (digits: the
    flags of `_digit_bytes`)."""
    return (x ^ _U(0x3030303030303030)) & ((digits >> _U(7)) * _U(0xFF))


def _eight(d: np.ndarray) -> np.ndarray:
    """The 8-digit numbers of words (k,) whose bytes are digit values 0..9, the first byte the
    most significant (pairs, then fours, then all eight, multiplied into place)."""
    d = d * _U(10) + (d >> _U(8))
    mask = _U(0x000000FF000000FF)
    return ((((d & mask) * _U(100 + (1000000 << 32))) + (((d >> _U(16)) & mask) * _U(1 + (10000 << 32))))
            >> _U(32)) & _U(0xFFFFFFFF)


def read_numbers(b: Bytes, start: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values (k,) float of cells (start, length: (k,)) and which of them are plain decimals
    (k,) bool (see the module doc): there the value is float(text) of the cell's text; elsewhere
    the value means nothing."""
    first = start + length - WIDTH  # (k,) the byte where the right-aligned 16 bytes begin
    ok = (length >= 1) & (length <= WIDTH) & (first >= 0)
    at = np.maximum(first, 0)
    size = np.clip(length, 0, WIDTH)  # (k,)
    hi = b.at(at) & _LAST[np.clip(size - 8, 0, 8)]  # (k,) bytes 0..7, those before the cell zeroed
    lo = b.at(at + 8) & _LAST[np.minimum(size, 8)]  # (k,) bytes 8..15 (the cell's end)
    digit_hi, digit_lo = _digit_bytes(hi), _digit_bytes(lo)
    dot_hi, dot_lo = _zero_bytes(hi ^ _U(0x2E2E2E2E2E2E2E2E)), _zero_bytes(lo ^ _U(0x2E2E2E2E2E2E2E2E))
    digits = (_count(digit_hi) + _count(digit_lo)).astype(np.int64)  # (k,)
    dots = (_count(dot_hi) + _count(dot_lo)).astype(np.int64)  # (k,)
    lead = b.u8[np.where(length > 0, start, 0)]  # (k,) each cell's first byte
    signed = (lead == 45) | (lead == 43)  # "-" or "+"
    ok &= (digits >= 1) & (digits <= DIGITS) & (dots <= 1) & (digits + dots + signed == length)
    # every byte of the cell a digit, but for one "." and a leading sign: its digits as one integer,
    # the "." counted as a 0 digit in place (T), then the digits after it moved up one place (m)
    T = _eight(_values(hi, digit_hi)) * _U(10 ** 8) + _eight(_values(lo, digit_lo))  # (k,)
    _, bit_hi = np.frexp(dot_hi.astype(np.float64))  # (k,) 8i + 8 for a "." at byte i of the word, 0 for none
    _, bit_lo = np.frexp(dot_lo.astype(np.float64))
    after = np.where(bit_lo > 0, 7 - (bit_lo - 8) // 8, np.where(bit_hi > 0, 15 - (bit_hi - 8) // 8, 0))  # (k,) digits after the "."
    tail = T % _POW10[after]  # (k,) the digits after the "."
    m = np.where(dots > 0, (T - tail) // _U(10) + tail, T)  # (k,) < 10**15
    values = m.astype(np.float64) / _POW10[after].astype(np.float64)
    return np.where(lead == 45, -values, values), ok
