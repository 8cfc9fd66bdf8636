"""The fast paths give exactly what the exact paths give: reading (pandas C parser vs the csv
module), judging (the common case vs element by element) and writing (vectorised vs csv.writer)."""
import csv
import io
import random
from collections import Counter

import numpy as np
import pytest

from exgen.escape import safe_cells
from exgen.grading import files as read_mod
from exgen.grading import csvout
from exgen.grading.csvout import ANSWER_COLUMNS, field, write_answers, write_grades
from exgen.grading.grade import grade_submissions
from exgen.grading.judge import VERDICTS
from exgen.grading.read import read_submissions
from exgen.grading.outputs import question_stats
from exgen.grading.table import fast_table
from grading_helpers import example_key


@pytest.fixture(scope="module")
def keys():
    k1, k2 = example_key("seed002-2-2-1", "a"), example_key("seed002-3-2-2", "b")
    return {f"s{i}": (k1 if i % 3 else k2) for i in range(12)}


def _cell(rng, a):
    r = rng.random()
    return (f"{a:.8g}" if r < .3 else f"{a:.4f}".replace(".", ",") if r < .4 else f" {a:.3f} " if r < .5 else
            f"\u2212{abs(a):.4f}" if r < .55 else "3/8" if r < .6 else rng.choice(["-", "", "n/a", "1_000", "nan", "x"])
            if r < .7 else f"{-a:.5g}" if r < .8 else f"{2 * a:.6g}" if r < .9 else f"{a * 1.3:.5g}")


def _long(keys, seed=0, sep=","):
    rng = random.Random(seed)
    lines = [sep.join(["student_id", "question_id", "answer", "extra"])]
    for sid, k in keys.items():
        for q in k["questions"]:
            a = _cell(rng, q["answer"])
            a = a.replace(",", ".") if sep == "," else a
            lines.append(sep.join([" " + sid if rng.random() < .1 else sid, q["id"], a, "e"]))
            if rng.random() < .05:
                lines.append(sep.join([sid, q["id"], str(q["answer"])]))  # a short row, and a duplicate
        if rng.random() < .3:
            lines += ["", "   ", sep * 3, sep.join(["zz", "1a", "0.5", "y"]), sep.join([sid, "9z", "1", "y"])]
    return "\n".join(lines) + "\n"


def _long_semicolon(keys, seed=0):
    return _long(keys, seed, ";")


def _wide(keys, seed=0):
    rng = random.Random(seed)
    qids = [q["id"] for q in next(iter(keys.values()))["questions"]]
    out = ["Name;sid;" + ";".join(qids)]
    for i, (sid, k) in enumerate(keys.items()):
        ans = {q["id"]: q["answer"] for q in k["questions"]}
        out.append(f"N{i};{sid};" + ";".join(_cell(rng, ans[q]) if q in ans else "" for q in qids))
        if i % 5 == 2:
            out.append(";;" + ";" * (len(qids) - 1))
    return "\n".join(out) + "\n"


def _both(monkeypatch, path, keys, **kw):
    known = {q["id"] for k in keys.values() for q in k["questions"]}
    fast = read_submissions(path, known_qids=known, **kw)
    with monkeypatch.context() as m:
        m.setattr(read_mod, "fast_table", lambda *args, **kwargs: None)
        exact = read_submissions(path, known_qids=known, **kw)
    return fast, exact


def _same(fast, exact):
    assert (fast.layout, fast.columns) == (exact.layout, exact.columns)
    assert list(fast.lines) == list(exact.lines)
    assert fast.student_ids == exact.student_ids
    assert fast.question_ids == exact.question_ids
    assert fast.answers == exact.answers


@pytest.mark.parametrize("make,encoding", [(_long, "utf-8"), (_long_semicolon, "utf-8-sig"), (_wide, "cp1252")])
def test_fast_read_equals_exact_read(tmp_path, monkeypatch, keys, make, encoding):
    p = tmp_path / "sub.csv"
    text = make(keys)
    if encoding == "cp1252":
        text = text.replace("\u2212", "-")
    p.write_bytes(text.replace("\n", "\r\n" if encoding == "utf-8-sig" else "\n").encode(encoding))
    data = p.read_bytes()
    assert fast_table(read_mod.decode_utf8(data, "x")[1]) is not None  # the fast path is taken
    fast, exact = _both(monkeypatch, p, keys)
    _same(fast, exact)
    r1, r2 = grade_submissions(fast, keys, carried_credit=0.3), grade_submissions(exact, keys, carried_credit=0.3)
    write_answers(r1, tmp_path / "a1.csv")
    write_answers(r2, tmp_path / "a2.csv")
    assert (tmp_path / "a1.csv").read_bytes() == (tmp_path / "a2.csv").read_bytes()
    assert [(i.line, i.kind, i.student_id, i.question_id, i.message) for i in r1.issues] == \
        [(i.line, i.kind, i.student_id, i.question_id, i.message) for i in r2.issues]


@pytest.mark.parametrize("text", [
    'student_id,question_id,answer\ns0,1a,"0,5"\ns1,1a,1\n',  # quotes
    "\nstudent_id,question_id,answer\ns0,1a,0.5\n",  # blank line before the header
    "student_id,question_id,answer\ns0,1a,0.5,extra\n",  # a row wider than the header
    "student_id,question_id,answer\rs0,1a,0.5\r"])  # old Mac line ends
def test_files_the_fast_path_leaves_to_the_exact_one(tmp_path, monkeypatch, keys, text):
    p = tmp_path / "sub.csv"
    p.write_bytes(text.encode())
    assert fast_table(read_mod.decode_utf8(p.read_bytes(), "x")[1]) is None
    _same(*_both(monkeypatch, p, keys))


@pytest.mark.parametrize("text", [
    "student_id,question_id,answer\n" + "".join(f"s{i},1a,{i / 7:.9f}\n" for i in range(300)),  # all distinct
    "student_id,question_id,answer\n" + "".join(f"s{i % 3},1a,{i % 200}\n" for i in range(300)),  # a few repeat
    "student_id,question_id,answer\n" + "".join(f"s{i % 7},1a,0.5\n" for i in range(300)),  # ids and answers repeat
    "student_id,question_id,answer,1.0\ns0,1a,0.5,1\n"])  # a numbers-only column (pandas would convert it)
def test_files_the_fast_path_reads_as_the_exact_one(tmp_path, monkeypatch, keys, text):
    p = tmp_path / "sub.csv"
    p.write_bytes(text.encode())
    assert fast_table(read_mod.decode_utf8(p.read_bytes(), "x")[1]) is not None
    _same(*_both(monkeypatch, p, keys))


def _reference_answers(res) -> bytes:
    """answers.csv as the original row-by-row csv.writer code wrote it (cells neutralised)."""
    def num(v):
        return "" if v is None else f"{v:.12g}"
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ANSWER_COLUMNS)
    for s in res.students:
        for v in res.verdicts(s):
            w.writerow(safe_cells([s, v.question_id, "" if v.answer is None else v.answer.strip(), num(v.expected),
                                   v.verdict, f"{v.score:g}", f"{v.points:g}", v.diagnosis or "",
                                   num(v.carried_expected)]))
    return buf.getvalue().encode()


def _reference_grades(res) -> bytes:
    """grades.csv as csv.writer writes it row by row (cells neutralised): totals, percent, scores."""
    qids = list(dict.fromkeys(q for gr in res.groups for q in gr.group.qids))
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(safe_cells(["student_id", "total", "maximum", "percent"] + qids))
    for s in res.students:
        total, maximum = res.totals(s)
        scores = {v.question_id: f"{v.score:g}" for v in res.verdicts(s)}
        w.writerow(safe_cells([s, f"{total:g}", f"{maximum:g}", f"{100 * total / maximum if maximum else 0.0:.2f}"]
                              + [scores.get(q, "") for q in qids]))
    return buf.getvalue().encode()


@pytest.mark.parametrize("dedup", [0.0, 4.0, 1e-9])
def test_vectorised_writers_equal_csv_writer(tmp_path, monkeypatch, keys, dedup):
    monkeypatch.setattr(csvout, "DEDUP", dedup)
    p = tmp_path / "sub.csv"
    p.write_text(_long(keys, seed=23, sep=";").replace(";e\n", ';"1;5"\n'), encoding="utf-8")
    known = {q["id"] for k in keys.values() for q in k["questions"]}
    res = grade_submissions(read_submissions(p, known_qids=known), keys, carried_credit=0.3)
    assert {v.verdict for s in res.students for v in res.verdicts(s)} == set(VERDICTS)
    write_answers(res, tmp_path / "answers.csv")
    assert (tmp_path / "answers.csv").read_bytes() == _reference_answers(res)
    write_grades(res, tmp_path, "exam, 1")
    assert (tmp_path / "grades.csv").read_bytes() == _reference_grades(res)
    rows = list(csv.DictReader(open(tmp_path / "grades.csv", newline="")))
    assert len(rows) == len(res.students) and len({len(k["questions"]) for k in keys.values()}) == 2
    for row, s in zip(rows, res.students):
        total, maximum = res.totals(s)
        pct = 100 * total / maximum if maximum else 0.0
        scores = {v.question_id: f"{v.score:g}" for v in res.verdicts(s)}
        assert row == {"student_id": s, "total": f"{total:g}", "maximum": f"{maximum:g}", "percent": f"{pct:.2f}",
                       **{q: scores.get(q, "") for q in list(row)[4:]}}
    from exgen.lms.writeback import write_gradebooks  # the LMS gradebooks (grades_canvas.csv, ...)
    write_gradebooks(res, tmp_path, "exam, 1")
    assert next(csv.reader(open(tmp_path / "grades_canvas.csv", newline="")))[-1] == "exam, 1"
    for st in question_stats(res):  # diagnosis counts, several slip columns sharing a code included
        c = Counter(v.diagnosis for s in res.students for v in res.verdicts(s)
                    if v.question_id == st["question_id"] and v.diagnosis)
        assert st["diagnoses"] == sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:3]


@pytest.mark.parametrize("s", ["plain", "a,b", 'say "hi"', "line\nbreak", "cr\r", " spaced ", "", "é;x"])
def test_field_quotes_like_csv_writer(s):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([s, "x"])
    assert buf.getvalue() == field(s) + ",x\n"


def test_common_case_equals_full_acceptance(keys):
    """The quick |a - e| <= threshold check plus the element-by-element rest equals _accept everywhere."""
    from exgen.grading.windows import accept as _accept
    from exgen.grading.keys import ROUNDINGS, Prepared
    prep = Prepared()
    prep.add(list({id(k): k for k in keys.values()}.values()))
    rng = np.random.default_rng(0)
    for g in prep.groups:
        K, Q = g.expected.shape
        kidx = rng.integers(0, K, 400)
        E = g.expected[kidx]
        vals = np.where(rng.random((400, Q)) < .5, np.round(E, rng.integers(2, 6)), E * rng.uniform(.99, 1.01, (400, Q)))
        full = _accept(vals, E, [g.rounded[d][kidx] for d in ROUNDINGS], g.tkind[kidx], g.tval[kidx],
                       dis=g.distract[kidx])
        quick = np.abs(vals - E) <= g.threshold[kidx]
        rest = _accept(vals, E, [g.rounded[d][kidx] for d in ROUNDINGS], None, None,
                       [g.threshold[kidx]] + [g.thr_rounded[d][kidx] for d in ROUNDINGS], [c[kidx] for c in g.gaps])
        assert np.array_equal(full, quick | rest) and np.array_equal(full, rest)


TRICKY = ['a,b', 'say "hi"', "line\nbreak", "cr\rx", "=1+2", "+SUM(A1)", "@x", "-cmd", "\t=tab", "é;ü 漢字",
          " =1 ", '",', "", "0.5", "1e3", "\u22120.25", "3/8", "-0.125", "=", '"', "x" * 300,
          "50%", "%s", "%.12g", "%%", "%"]  # (answers.csv is %-formatted: a "%" must come out as typed)


@pytest.mark.parametrize("dedup", [0.0, 4.0, 1e-9])  # never, as shipped, always (each distinct middle joined once)
@pytest.mark.parametrize("one_group", [True, False])
@pytest.mark.parametrize("chunk", [csvout.CHUNK, 1, 40])  # lines made at a time: all, a student, a few
def test_answers_csv_tricky_cells_equal_csv_writer(tmp_path, monkeypatch, keys, one_group, dedup, chunk):
    """answers.csv from the vectorised pieces equals csv.writer's on cells that need quoting
    (commas, quotes, newlines), neutralising (formula-like) or neither (unicode, numbers)."""
    ks = {s: k for s, k in keys.items() if not one_group or k is keys["s1"]}
    rng = random.Random(5)
    sids = {s: ['=' + s, s + ',x', s + '"q"', s + "é", "@" + s, s + "%s"][i % 6] for i, s in enumerate(ks)}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["student_id", "question_id", "answer"])
    for s, k in ks.items():
        for q in k["questions"]:
            w.writerow([sids[s], q["id"], rng.choice(TRICKY + [str(q["answer"])] * 5)])
    p = tmp_path / "sub.csv"
    p.write_text(out.getvalue(), encoding="utf-8")
    keyed = {sids[s]: k for s, k in ks.items()}
    res = grade_submissions(read_submissions(p, known_qids={q["id"] for k in ks.values() for q in k["questions"]}),
                            keyed, carried_credit=0.5)
    assert len(res.groups) == (1 if one_group else 2)
    monkeypatch.setattr(csvout, "DEDUP", dedup)
    monkeypatch.setattr(csvout, "CHUNK", chunk)
    write_answers(res, tmp_path / "answers.csv")
    assert (tmp_path / "answers.csv").read_bytes() == _reference_answers(res)
    write_grades(res, tmp_path, "x")  # one group with every question, or two
    assert (tmp_path / "grades.csv").read_bytes() == _reference_grades(res)
