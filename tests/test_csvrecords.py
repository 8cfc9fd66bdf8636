"""answers.csv lines of distinct keys as byte records (exgen.grading.csvrecords) equal the same
lines joined as Python strings, "%.12g" formatted by Python: random and nasty cells (quotes,
non-ASCII, NUL, "%", cells longer than a record's head), values written as text, carried values,
and the key index's stored "%.12g" texts instead of formatting; chunks made in threads or not,
split anywhere; records made from the cells' bytes (windows or padded); the answers' cells
through their bytes (csvcells.answer_cells) against csv.writer's."""
from __future__ import annotations

import random
from concurrent.futures import Future

import numpy as np
import pytest

from exgen.grading.csvcells import answer_cells, terminated
from exgen.grading.csvrecords import HEAD, Lines, Pool, floats, g12, in_order

EXTREMES = [0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, -2 / 3, 1e16, 123456789012345.0, 1e-5, 1e-4, 5e-324, -5e-324,
            2.2250738585072014e-308, -1.2345678901234567e-308, 1.7976931348623157e308, -1.7976931348623157e308,
            float("inf"), float("-inf"), 0.000123456789012345, 99999999999.95, 999999999999.5]
NASTY = ['"quoted, cell"', "é漢字", "a\x00b", "50%", "%s", "%.12g", "%%", "=1+2", "", " ", "\xff", "x" * (HEAD - 1),
         "y" * HEAD, "z" * (HEAD + 1), "w" * 300, "ü" * 40, "\n", "\r\n"]


def _values(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=n) * 10.0 ** rng.integers(-12, 12, n)
    at = rng.random(n) < .2
    v[at] = rng.choice(EXTREMES, int(at.sum()))
    return v


def _g(v: float) -> str:
    return "%.12g" % v


def test_floats_and_stored_texts_are_python_g12():
    rng = np.random.default_rng(1)
    v = np.concatenate([EXTREMES, [float("nan")], _values(rng, 5000)])
    got = g12(v)
    assert got.dtype == np.dtype("S19")
    assert got.tolist() == [b"" if x != x else _g(x).encode() for x in v.tolist()]
    rows = floats(v)
    assert [bytes(r[r != 0xFF]).decode() for r in rows] == [_g(x) for x in v.tolist()]
    assert g12(v[:12].reshape(4, 3)).shape == (4, 3)


def _case(seed: int, S: int, Q: int, K: int, texts: bool, nasty: bool, own: bool = False):
    """Lines of S students, Q questions, K keys (own: student s has key s) and what they must be."""
    rng = np.random.default_rng(seed)
    pyr = random.Random(seed)
    pool = NASTY if nasty else []

    def cell(i: int) -> str:
        return pyr.choice(pool) + str(i) if pool and pyr.random() < .3 else f"c{i}"
    ids = [cell(i) for i in range(S)]
    qcells = [cell(i) + "q" for i in range(Q)]
    answers = [pyr.choice(pool) if pool and pyr.random() < .2 else f"{x:.8g}" for x in rng.normal(size=3 * S)] + [""]
    acode = rng.integers(-1, len(answers) - 1, (S, Q))
    rests = ["correct,1,1,,", "wrong,0,1,sign_flip,", "carried,0.5,1,,", "invalid,0,2,%d,"]
    rcode = rng.integers(0, len(rests), (S, Q))
    kidx = np.arange(S) if own else rng.integers(0, K, S)
    expected = _values(rng, K * Q).reshape(K, Q)
    values = expected[kidx]
    tx = None
    if texts:
        tx = np.full((S, Q), None, dtype=object)
        at = rng.random((S, Q)) < .3
        tx[at] = rng.choice(np.array(["4x3", "", "12x1000", "é" * 25 if nasty else "7x7"], dtype=object), int(at.sum()))
    carried = np.where(rng.random((S, Q)) < .3, _values(rng, S * Q).reshape(S, Q), np.nan)
    ref = []
    for s in range(S):
        for q in range(Q):
            e = tx[s, q] if tx is not None and tx[s, q] is not None else _g(values[s, q])
            c = "" if np.isnan(carried[s, q]) else _g(carried[s, q])
            ref.append(f"{ids[s]},{qcells[q]},{answers[acode[s, q]]},{e},{rests[rcode[s, q]]}{c}\n")
    args = (ids, qcells, answers, acode, rests, rcode, values, tx, carried, kidx)
    return args, expected, ref


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("texts", [False, True])
@pytest.mark.parametrize("own", [False, True])  # keys shared, or each student's own (the stored texts in a row)
def test_lines_equal_the_lines_joined_as_strings(seed, texts, own):
    S, Q = [(1, 1), (7, 3), (40, 5), (300, 4), (2, 40), (0, 3)][seed]
    args, expected, ref = _case(seed, S, Q, S if own else max(1, S // 3), texts, nasty=seed % 2 == 1, own=own)
    for stored, given in ((None, False), (g12(expected), False), (g12(expected), True)):
        # values formatted here or stored; the answers' Pool made here, or given (from their bytes, when they have no NUL)
        lines = Lines(*args[:2], _pool_of(args[2]) if given else args[2], *args[3:], stored=stored)
        for chunk, threads in ((1, 2), (7, 1), (7, 3), (1 << 14, 2)):  # chunks made here or in threads
            assert b"".join(lines.blocks(0, chunk, threads)).decode("utf-8") == "".join(ref)
            if Q:
                assert [t.decode("utf-8") for t in lines.blocks(Q, chunk, threads)] == \
                    ["".join(ref[s * Q:(s + 1) * Q]) for s in range(S)]


@pytest.mark.parametrize("chunk", [1, 5, 50, 59, 61, 1 << 14])  # chunks of lines that split a student anywhere
def test_nasty_cells_everywhere(chunk):
    args, expected, ref = _case(11, 60, 6, 20, texts=True, nasty=True)
    assert any(len(a.encode()) > HEAD for a in args[2]) and any("\x00" in a for a in args[2] + args[0])
    for threads in (1, 2):
        got = b"".join(Lines(*args, stored=g12(expected)).blocks(0, chunk, threads))
        assert got == "".join(ref).encode("utf-8")


def test_in_order_whatever_the_threads_timing():
    """Chunks made by threads come out in order, whichever finishes first; a caller that stops
    early gets no more made than a few ahead."""
    import threading
    import time
    made = []
    lock = threading.Lock()

    def make(a: int, b: int) -> tuple[int, int]:
        time.sleep(random.Random(a).random() / 500)  # later ranges often finish first
        with lock:
            made.append(a)
        return a, b
    ranges = [(a, a + 3) for a in range(0, 300, 3)]
    for threads in (1, 2, 4):
        made.clear()
        assert list(in_order(make, ranges, threads)) == ranges
        assert sorted(made) == [a for a, _ in ranges]
    made.clear()
    it = in_order(make, ranges, 2)
    assert [next(it) for _ in range(3)] == ranges[:3]
    it.close()
    assert len(made) <= 3 + 2 * 2


def _pool_of(cells: list[str]) -> Future:
    """A Future of the cells' Pool made from their bytes (csvcells.terminated), as grading.csvout makes it."""
    f: Future = Future()
    f.set_result(Pool(cells, terminated(cells)))
    return f


SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\xa0", "\u3000", "\u2028", "\x85", "\u200b"]
TEXTS = NASTY + ["-1.5", "+2", "@x", "-x", "=a", "\t=1", "\r-1", "a,b", 'q"', "x\ny", "é,", "1e3", "-", "'", "−0.5",
                 "-1,5", "漢", "a" * 70, "\x00"]


@pytest.mark.parametrize("seed", range(10))
def test_answer_cells_are_csv_writer_cells(seed):
    """csvcells.answer_cells (the answers' cells through their bytes: only the texts that may
    change looked at one by one) gives csv.writer's cell of each stripped text after safe_cell,
    except for texts known to be numbers (never neutralised), then ""; and those cells' UTF-8
    bytes each followed by a NUL (None when a text holds a NUL). Spaces strip() takes (Unicode
    ones too) around dangerous starts, quotes, separators; few texts that change, or many."""
    import csv
    import io

    from exgen.escape import safe_cell
    from exgen.grading.csvout import _answer_cells, _answer_texts
    from exgen.grading.numbers import INVALID, OK
    from types import SimpleNamespace
    pyr = random.Random(seed)
    pool = [t for t in TEXTS if seed % 3 or "\x00" not in t] + ([f"{x:.6g}" for x in range(50)] if seed % 2 else [])

    def text() -> str:
        t = "".join(pyr.choice(pool) for _ in range(pyr.randint(0, 2)))
        return "".join(pyr.choice(SPACES) for _ in range(pyr.choice([0, 0, 0, 1, 2]))) + t + \
            "".join(pyr.choice(SPACES) for _ in range(pyr.choice([0, 0, 0, 1])))
    texts = [text() for _ in range(pyr.choice([0, 1, 5, 200, 2000]))]
    numbers = np.array([pyr.random() < .3 for _ in texts], dtype=bool)  # e.g. "-1,5" read as a number: not neutralised

    def ref(t: str, number: bool) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([t.strip() if number else safe_cell(t.strip()), "x"])
        return buf.getvalue()[:-3]
    for nums in (None, numbers):
        want = [ref(t, bool(nums is not None and n)) for t, n in zip(texts, numbers)] + [""]
        cells, enc = answer_cells(texts, nums)
        assert cells == want
        if any("\x00" in t for t in texts):
            assert enc is None
        else:
            assert enc is not None and enc[0] == ("\x00".join(want) + "\x00").encode("utf-8")
            assert enc[1].tolist() == [i for i, b in enumerate(enc[0]) if b == 0]
            n = len(cells)  # a line per cell, the cell from the Pool made from those bytes
            lines = Lines([""] * n, ["q"], _pool_of(cells), np.append(np.arange(n - 1), -1)[:, None], ["r,"],
                          np.zeros((n, 1), dtype=np.int64), np.zeros((n, 1)), None, np.full((n, 1), np.nan),
                          np.zeros(n, dtype=np.int64))
            assert b"".join(lines.blocks(0, 7)) == "".join(f",q,{c},0,r,\n" for c in want).encode("utf-8")
        gr = SimpleNamespace(texts=texts, tstatus=None if nums is None else np.where(numbers, OK, INVALID))
        assert _answer_texts(gr)[0] == want and _answer_cells(want).tolist() == want


@pytest.mark.parametrize("threads", [1, 2])
def test_answers_csv_of_own_keys_equal_csv_writer(tmp_path, monkeypatch, threads):
    """Each student their own key (the byte records; the rests of line of all answers at once,
    the expected values as the keys give them): answers.csv is csv.writer's, with answers that
    need quoting, neutralising or stripping, carried values, chunks that split students."""
    import csv
    import io

    from exgen.grading import csvout, csvrecords
    from exgen.grading.grade import grade_submissions
    from exgen.grading.read import read_submissions
    from grading_helpers import config_keys
    from test_grading_fastpath import TRICKY, _reference_answers
    keys = config_keys({}, 24, 3)
    pyr = random.Random(threads)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["student_id", "question_id", "answer"])
    for k in keys:
        for q in k["questions"]:
            a = q["answer"] if isinstance(q["answer"], (int, float)) else 0.5
            w.writerow([k["student_id"], q["id"], pyr.choice(TRICKY + [f" {a} ", f"{a:.3g}", f"{2 * a:g}"] * 4)])
    p = tmp_path / "sub.csv"
    p.write_text(out.getvalue(), encoding="utf-8")
    res = grade_submissions(read_submissions(p, known_qids={q["id"] for k in keys for q in k["questions"]}),
                            {k["student_id"]: k for k in keys}, carried_credit=0.5)
    assert any(len(gr.group.expected) == len(gr.students) for gr in res.groups)  # keys not shared
    monkeypatch.setattr(csvrecords, "THREADS", threads)
    for chunk in (5, csvout.CHUNK):
        monkeypatch.setattr(csvout, "CHUNK", chunk)
        csvout.write_answers(res, tmp_path / "answers.csv")
        assert (tmp_path / "answers.csv").read_bytes() == _reference_answers(res)
