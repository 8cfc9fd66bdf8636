import math

import numpy as np
import pytest

from exgen.grading.numbers import INVALID, MISSING, OK, parse_answer, parse_many


@pytest.mark.parametrize("text,value", [
    ("0.125", 0.125), (" 0.125 ", 0.125), ("0,125", 0.125), ("\u22120.5", -0.5), ("1e-3", 0.001),
    ("-3/8", -0.375), ("+2", 2.0), (".5", 0.5), ("1E+2", 100.0), ("\u2212 0,25", -0.25)])
def test_numbers_as_typed(text, value):
    v, st = parse_answer(text)
    assert st == OK and math.isclose(v, value)


@pytest.mark.parametrize("text", ["", "  ", "-", None])
def test_missing(text):
    assert parse_answer(text) == (None, MISSING)


@pytest.mark.parametrize("text", ["abc", "0.1.2", "nan", "inf", "1/0", "1_000", "1,2,3", "3/x"])
def test_invalid(text):
    assert parse_answer(text) == (None, INVALID)


def test_parse_many_agrees_with_parse_answer():
    texts = ["0.5", "0,5", "x", "", "-3/8", "nan", "1_0", "2e1", " 7 "] * 3
    vals, st = parse_many(texts)
    for t, v, s in zip(texts, vals, st):
        ev, es = parse_answer(t)
        assert s == es
        assert (np.isnan(v) and ev is None) or v == ev


def test_parse_many_agrees_with_parse_answer_on_mixed_columns():
    """The plain-number fast path and the others, in any mix (line breaks, non-ASCII, blanks,
    overflow, non-str cells): each cell as parse_answer reads it."""
    import random
    cells = ["", " ", "-", "--", "1-2", "e5", "1e999", "-1e999", "+.5", "1.", ".", "1_000", "\u22121.5", "1,5",
             "-3/8", "abc", "nan", "inf", "\u0661\u0662", " 1.5 ", "1e5", "1E-5", "+-1", "0x10", "1.5\u00a0",
             "1\u20095", "1\n2", "\n", "5", "0.5\n", "-0.125", None, 1, 1.5, True]
    rng = random.Random(3)
    for trial in range(400):
        texts = [rng.choice(cells) for _ in range(rng.randint(0, 12))]
        if trial % 2:
            texts = [t for t in texts if isinstance(t, str)]
        vals, st = parse_many(texts)
        for t, v, s in zip(texts, vals, st):
            ev, es = parse_answer(t)
            assert s == es, (t, texts)
            assert (np.isnan(v) and ev is None) or v == ev, (t, texts)
