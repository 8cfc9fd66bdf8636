"""Answers parsed while the file is read (exgen.grading.cellnumbers from the bytes, numbers.Parsed)
give exactly what `parse_answer` gives for each text, and the cells it reads as numbers have
float()'s value to the bit: random and nasty cells, the fast reader and the csv module's."""
import math
import random

import numpy as np
import pytest

from exgen.grading import cellnumbers, cells
from exgen.grading.cellnumbers import read_numbers
from exgen.grading.files import read_columns
from exgen.grading.numbers import INVALID, MISSING, OK, Parsed, parse_answer, parse_many
from exgen.grading.read import ANSWER_COLUMNS, read_submissions
from exgen.grading.table import THREADED_ROWS, fast_table

NASTY = ["0", "-0", "+0", "-0.0", "5.", ".5", "-.5", "+.5", ".", "-", "+", "--", "1-2", "1.2.3", "00012",
         "-000.000", "999999999999999", "9999999999999999", "-99999999999999.9", "-9999999999999.9", "99999999999999.9", "0.000000000000001",
         "123456789012345", "1234567890123456", "0.1234567890123456", "-1.5e-3", "1e5", "1E999", "-1e999",
         "inf", "-inf", "nan", "NaN", "Infinity", "", " ", "  1", "1 ", "\u22120.25", "\u2013 1", "3/8", "-3/8",
         "1/0", "n/a", "N/A", "(no answer)", "\u2014", "x", "abc", "1_000", "\u00e9", "0,5", "1,5e3", "12..3",
         "+-1", "-+1", "1+", "0x10", "1" * 40, "0." + "1" * 30, "\u0661\u0662", "\uff11", "0.3000000000000000444"]


def _number_cells(rng: random.Random, n: int) -> list[str]:
    """Random cells: plain decimals of every length and sign, and junk of their characters."""
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.4:
            x = rng.uniform(-1, 1) * 10.0 ** rng.randint(-9, 15)
            out.append(f"{x:.{rng.randint(0, 17)}f}" if r < 0.2 else repr(x) if r < 0.3 else f"{x:.{rng.randint(1, 15)}g}")
        elif r < 0.7:
            out.append("".join(rng.choice("0123456789.-+") for _ in range(rng.randint(1, 18))))
        else:
            out.append("".join(rng.choice("0123456789.-+eE ,/\u2212x") for _ in range(rng.randint(0, 18))))
    return out


def _floats(texts):
    def one(t):
        try:
            return float(t)
        except ValueError:
            return None
    return [one(t) for t in texts]


def test_read_numbers_is_float_to_the_bit(monkeypatch):
    rng = random.Random(7)
    texts = NASTY + _number_cells(rng, 30000)
    texts = [t for t in texts if ";" not in t and "\n" not in t]
    data = ("id;answer\n" + "".join(f"s;{t}\n" for t in texts)).encode()
    b = cells.Bytes(data)
    S, L = cells.spans(b, ord(";"), 2, False)
    assert [data[s:s + k].decode() for s, k in zip(S[1].tolist(), L[1].tolist())] == texts
    values, ok = read_numbers(b, S[1], L[1])
    ref = _floats(texts)
    for t, v, o, f in zip(texts, values.tolist(), ok.tolist(), ref):
        if o:
            assert f is not None and v == f and math.copysign(1, v) == math.copysign(1, f), t
            assert parse_answer(t) == (f, OK), t
    taken = {t for t, o in zip(texts, ok.tolist()) if o}
    assert {"0", "5.", ".5", "-.5", "+.5", "-0.0", "00012", "999999999999999", "-9999999999999.9",
            "99999999999999.9"} <= taken
    assert not taken & {".", "-", "1-2", "-99999999999999.9", "1.2.3", "9999999999999999", "1e5", "+-1", "inf", "1 ", "0,5"}
    assert ok.sum() > 5000  # many of the plain decimals are read here
    monkeypatch.setattr(cellnumbers, "CHUNK", 1000)  # a chunk at a time: the same
    chunked = read_numbers(b, S[1], L[1])
    assert np.array_equal(chunked[1], ok) and np.array_equal(chunked[0][ok], values[ok])


def _answers(path, **kw):
    return read_submissions(path, known_qids={"1a", "1b"}, **kw)


def _check(texts):
    """Parsed texts give parse_answer of each text, as parse_many of a plain list does."""
    assert isinstance(texts, Parsed)
    values, status = parse_many(texts)
    exact = [parse_answer(t) for t in texts]
    assert status.tolist() == [s for _, s in exact]
    assert np.array_equal(values, np.array([math.nan if v is None else v for v, _ in exact]), equal_nan=True)
    assert np.array_equal(np.signbit(values), np.signbit([0.0 if v is None else v for v, _ in exact]))
    plain_v, plain_s = parse_many(list(texts))
    assert np.array_equal(plain_v, values, equal_nan=True) and np.array_equal(plain_s, status)
    assert {MISSING, INVALID, OK} >= set(status.tolist())


@pytest.mark.parametrize("rows", [300, THREADED_ROWS + 10])
@pytest.mark.parametrize("repeat", [False, True])
@pytest.mark.parametrize("crlf", [False, True])
def test_fast_reader_parses_answers_as_parse_answer(tmp_path, monkeypatch, rows, repeat, crlf):
    """The answer column's texts (distinct ones, cut out of the file a few thousand cells at a
    time and parsed in their own job, or repeated ones) parsed as parse_answer parses them."""
    monkeypatch.setattr(cells, "CUT_CELLS", 1 << 15 if crlf else 777)
    rng = random.Random(rows + repeat)
    pool = [t for t in NASTY + _number_cells(rng, 400) if ";" not in t and "\n" not in t and "\r" not in t]
    cells_ = [rng.choice(pool) if repeat or i < len(pool) else f"{rng.uniform(-9, 9):.{rng.randint(0, 12)}f}"
              for i in range(rows)]
    nl = "\r\n" if crlf else "\n"
    text = "student_id;question_id;answer" + nl + "".join(f"s{i // 2};1{'ab'[i % 2]};{c}{nl}" for i, c in enumerate(cells_))
    p = tmp_path / "sub.csv"
    p.write_bytes(text.encode())
    assert fast_table(p.read_bytes(), answers=ANSWER_COLUMNS) is not None  # the fast path is taken
    sub = _answers(p)
    _check(sub.texts)
    assert sub.answers == [c.strip("\r") for c in cells_]


def test_exact_reader_parses_answers_as_parse_answer(tmp_path):
    """Quoted cells (line breaks inside, decimal commas, non-ASCII): the csv module's rows."""
    rng = random.Random(3)
    pool = NASTY + _number_cells(rng, 300) + ["1\n2", "0,5\r\n", "\u00e9t\u00e9", "a;b"]
    lines = ["student_id;question_id;answer"] + [f's{i};1a;"{rng.choice(pool)}"' for i in range(400)]
    p = tmp_path / "sub.csv"
    p.write_bytes("\r\n".join(lines).encode("utf-8"))
    assert fast_table(p.read_bytes()) is None
    sub = _answers(p)
    _check(sub.texts)


def test_answers_parsed_only_in_answer_columns(tmp_path):
    p = tmp_path / "sub.csv"
    p.write_text("student_id,question_id,Answer\n" + "".join(f"s{i},1a,{i / 3:.6f}\n" for i in range(100)))
    t = read_columns(p, None, ANSWER_COLUMNS)
    assert [isinstance(texts, Parsed) for _, texts in t.columns] == [False, False, True]
    assert not any(isinstance(texts, Parsed) for _, texts in read_columns(p).columns)
    _check(t.columns[2][1])
