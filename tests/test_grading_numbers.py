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
