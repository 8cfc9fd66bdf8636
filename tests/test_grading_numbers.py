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


def _same_double(a: float, b: float | None) -> bool:
    """Bit for bit (-0.0 is not 0.0), NaN for None."""
    if b is None:
        return bool(np.isnan(a))
    return np.float64(a).tobytes() == np.float64(b).tobytes()


def _nasty(rng) -> str:
    """Numbers as typed, near and past the edges of the vectorised route."""
    r = rng.random()
    if r < .1:
        return rng.choice(["-0", "+0", "0", "-0.0", "-,0", "0.", ".0", "-.5", "+.5", ".", ",", "-", "+", "--5",
                           "9007199254740992", "9007199254740993", "-9007199254740993", "900719925474099.3",
                           "0.9007199254740993", "999999999999999999", "1000000000000000000", "123456789012345678",
                           "0.000000000000000001", "0000000000000000000001", "1.0000000000000000001",
                           "1e5", "1E-5", "-2.5e-3", "1e999", "1,5,", "1.5,2", "٣.٥", "1\n2", "5\u00a0", "\u22120,5",
                           " 0.5", "0.5 ", "1 000,5", "3/8", "-3/8", "1/0", "abc", "n/a", "", " "])
    sign = rng.choice(["", "", "", "-", "+", "\u2212", " -", "--"])
    ip = "".join(rng.choice("0123456789") for _ in range(rng.choice([0, 1, 1, 2, 3, 8, 15, 16, 17, 18, 19, 25])))
    fp = "".join(rng.choice("0123456789") for _ in range(rng.choice([0, 1, 2, 4, 8, 12, 17, 18, 22, 30])))
    point = rng.choice([".", ".", ",", ""]) if fp else rng.choice(["", "", ".", ","])
    text = sign + ip + point + fp
    if rng.random() < .1:
        text += rng.choice(["e3", "E-7", "e+0", "e", "x", " ", "%"])
    if rng.random() < .05:
        text = rng.choice([" ", "0", "a"]) + text
    return text


@pytest.mark.parametrize("seed", range(6))
def test_parse_many_equals_parse_answer_bit_for_bit(seed):
    """The float() and parse_answer routes give parse_answer's value (to the bit: signed zeros,
    the last digit of 17-digit mantissas) and status for random nasty texts."""
    import random
    from exgen.grading.numbers import _plain
    rng = random.Random(seed)
    texts = [_nasty(rng) for _ in range(3000)] + ["a\nb"] * (seed % 2)  # a line break: the texts' bounds by lengths
    assert .1 < _plain(texts).mean() < .9  # the float() route is really exercised, and so is the other
    vals, st = parse_many(texts)
    for t, v, s in zip(texts, vals.tolist(), st.tolist()):
        ev, es = parse_answer(t)
        assert s == es and _same_double(v, ev), t


def test_decimals_are_read_correctly_rounded():
    """Integers m < 2**53 over 10**k (k <= 18 decimals): exactly float() of the decimal text
    (Python's float() rounds correctly), including the mantissas next to 2**53."""
    rng = np.random.default_rng(0)
    m = np.concatenate([rng.integers(0, 2 ** 53, 4000), 2 ** 53 - 1 - np.arange(50), rng.integers(0, 10 ** 6, 1000)])
    k = rng.integers(0, 19, len(m))
    texts = []
    for mi, ki in zip(m.tolist(), k.tolist()):
        digits = str(mi).rjust(ki + 1, "0")
        texts.append((digits[:-ki] + "." + digits[-ki:]) if ki else digits)
    vals, st = parse_many(texts + ["-" + t for t in texts])
    assert (st == OK).all()
    expect = np.array([float(t) for t in texts] + [-float(t) for t in texts])
    assert vals.tobytes() == expect.tobytes()


def test_the_docs_list_exactly_the_texts_graded_missing():
    """docs/grading.md said only an empty cell and `-` were missing; `n/a`, `--`, dashes and
    `(no answer)` are too. The docs' list is the code's set (and the page's), and each text on it
    parses as missing, in a cell with spaces around it too, one at a time and by column."""
    import json
    import re
    from pathlib import Path

    from exgen.grading.numbers import MISSING_TEXTS
    root = Path(__file__).resolve().parents[1]
    docs = " ".join((root / "docs" / "grading.md").read_text(encoding="utf-8").split())
    said = re.search(r"An answer is \*\*missing\*\* when its cell is empty or blank or, (.*?) \(so (.*?) is invalid\)", docs)
    assert said, "docs/grading.md no longer says which answers are missing"
    listed = re.findall(r"`([^`]*)`", said.group(1))
    assert len(listed) == len(set(listed)) and set(listed) | {""} == MISSING_TEXTS
    js = (root / "exgen" / "page" / "assets" / "page.js").read_text(encoding="utf-8")
    assert set(json.loads(re.search(r"var BLANK = (\[.*?\]);", js).group(1))) == MISSING_TEXTS
    cells = [c for t in listed for c in (t, f"  {t} ", f"\t{t}")] + ["", "   "]
    assert all(parse_answer(c) == (None, MISSING) for c in cells)
    values, status = parse_many(cells)
    assert (status == MISSING).all() and np.isnan(values).all()
    for invalid in re.findall(r"`([^`]*)`", said.group(2)):
        assert parse_answer(invalid) == (None, INVALID)
