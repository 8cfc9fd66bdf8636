"""The LMS round trip of the new exercise kinds (issue 15): variants of a matrix-form exam (shape
answers "4x3" beside numbers), of a mini-batch exam and of a computational-graph exam, exported
for Moodle and Canvas and their reports regraded.

Moodle: a shape part is `{N:SHORTANSWER_C:...}`; the importer's rules are lms_helpers' port of
question/type/multianswer/questiontype.php (ANSWER_TYPE_DEF_REGEX lists SHORTANSWER_C|SAC|MWC:
a case-sensitive shortanswer), and a shortanswer response is graded by question/type/shortanswer/
question.php compare_string_with_wildcard: the trimmed response must equal an answer exactly (no
"*" here; usecase 1: case counts), the first matching answer gives its fraction. Canvas: a blank
accepts its listed texts. Every text an LMS accepts at 100 % must be correct to `exgen grade`, and
the transposed shape is diagnosed the same way; regrading a Moodle Responses report and a Canvas
Student Analysis report gives the verdicts of the long CSV."""
from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile

import numpy as np
import pytest

from lms_helpers import extract_question, validate

from exam_helpers import GRAPH_CONFIG, answer_keys

from exgen import api
from exgen.exam.config import demo_path
from exgen.grading import grade_key
from exgen.grading.slips import DIAGNOSES
from exgen.lms import canvas, moodle
from exgen.lms.quiz import load_quiz, tag

GRAPH = GRAPH_CONFIG


def variants(tmp, config, n=6):
    api.generate_exam(api.load_config(config), tmp / "q", variants=n, pdf=False)
    return tmp / "q", answer_keys(tmp / "q")


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    return variants(tmp_path_factory.mktemp("matrix"), demo_path().with_name("matrix.yaml"))


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    d = tmp_path_factory.mktemp("graph")
    (d / "graph.yaml").write_text(GRAPH)
    return variants(d, d / "graph.yaml")


def shortanswer(sub, response: str):
    """qtype_shortanswer compare_string_with_wildcard (no wildcards, case-sensitive): the first
    answer equal to the trimmed response."""
    return next((a for a in sub.answers if a.answer == response.strip()), None)


def is_shape(q) -> bool:
    return str(q["ref"]).startswith("/shapes/")


TYPED = ["{r}x{c}", "{r}×{c}", "{r} x {c}", "({r}, {c})", "({r},{c})", "{c}x{r}", "({c}, {r})", "{r}X{c}",
         "{r}*{c}", "{r} by {c}", " {r}x{c} ", "{r}  x  {c}", "[{r}, {c}]", "{r}x{c}x1", ""]


def test_moodle_shape_parts_grade_as_exgen(matrix):
    folder, keys = matrix
    quiz = load_quiz(folder)
    xml = moodle.export_xml(quiz)
    texts = re.findall(r"<questiontext format=\"html\"><text>(.*?)</text>", xml, re.S)
    assert len(texts) == len(keys)
    seen = set()
    for v, t in zip(quiz.variants, texts):
        _, subs = extract_question(html.unescape(t))
        assert validate(subs) == [] and len(subs) == len(v.key["questions"])
        assert "SHORTANSWER_C" in html.unescape(t)
        for q, sub in zip(v.key["questions"], subs):
            if not is_shape(q):
                assert sub.qtype == "numerical"
                continue
            assert sub.qtype == "other"
            r, c = (int(x) for x in q["answer"].split("x"))
            for form in TYPED:
                typed = form.format(r=r, c=c)
                got = shortanswer(sub, typed)
                want = grade_key(v.key, {q["id"]: typed})[[x["id"] for x in v.key["questions"]].index(q["id"])]
                if got is not None and got.fraction == 1:
                    assert want.verdict == "correct", typed
                    seen.add("correct")
                elif got is not None:  # the transposed shape: 0 %, exgen's diagnosis as feedback
                    assert want.diagnosis == "transposed_shape" and got.feedback == DIAGNOSES["transposed_shape"]
                    seen.add("transposed")
                else:
                    assert want.verdict != "correct" or form in (" {r}x{c} ", "{r}  x  {c}"), typed
            assert shortanswer(sub, q["answer"]).fraction == 1  # the key's own answer
    assert seen == {"correct", "transposed"}


def test_canvas_shape_blanks(matrix):
    folder, keys = matrix
    quiz = load_quiz(folder)
    data = canvas.export_zip(quiz)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("exgen_quiz/exgen_quiz.xml").decode()
    v = quiz.variants[0]
    for q, part in zip(v.key["questions"], v.parts):
        texts = canvas.accepted_texts(v, part)
        if is_shape(q):
            assert q["answer"] in texts
            for t in texts:
                assert grade_key(v.key, {q["id"]: t})[v.key["questions"].index(q)].verdict == "correct"
                assert f">{t}</mattext>" in xml.replace("&amp;", "&")


def test_graph_given_values_as_a_table(graph):
    folder, keys = graph
    quiz = load_quiz(folder)
    xml = html.unescape(moodle.export_xml(quiz))
    key = quiz.variants[0].key
    spec = key["spec"]
    inputs = spec.get("graph", spec).get("inputs")
    for x, val in inputs.items():
        assert f"<td>{x}</td><td>{val:g}</td>" in xml
    assert "<td>gate " in xml and "computational graph" in xml
    zxml = zipfile.ZipFile(io.BytesIO(canvas.export_zip(quiz))).read("exgen_quiz/exgen_quiz.xml").decode()
    assert "gate " in html.unescape(zxml)
    assert all(len(v.parts) == len(v.key["questions"]) for v in quiz.variants)


def _typed(rng, q) -> str:
    if is_shape(q):
        r, c = (int(x) for x in q["answer"].split("x"))
        return TYPED[int(rng.integers(len(TYPED)))].format(r=r, c=c).strip() or ""
    e = float(q["answer"])
    return [f"{e:.4f}", f"{e:.4f}".replace(".", ","), f"{e:.3f}", f"{-e:.4f}", f"{1.3 * e + 0.01:.4f}", ""][
        int(rng.integers(6))]


@pytest.mark.parametrize("which", ["matrix", "graph"])
def test_reports_regrade_like_the_long_csv(tmp_path, which, request):
    folder, keys = request.getfixturevalue(which)
    rng = np.random.default_rng(5)
    vids = sorted(keys)
    exam = next(iter(keys.values()))["exam"]
    taken = {f"st{i:02d}": vids[int(rng.integers(len(vids)))] for i in range(12)}
    answers = {s: [_typed(rng, q) for q in keys[v]["questions"]] for s, v in taken.items()}
    # the long CSV, each student against their variant's key
    kdir = tmp_path / "ref_keys"
    kdir.mkdir()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student_id", "question_id", "answer"])
    for s, v in taken.items():
        (kdir / f"{s}.json").write_text(json.dumps(dict(keys[v], student_id=s)))
        w.writerows([s, q["id"], a] for q, a in zip(keys[v]["questions"], answers[s]))
    (tmp_path / "long.csv").write_text(buf.getvalue())
    api.grade_files(tmp_path / "long.csv", kdir, tmp_path / "ref", feedback=False, report=False)
    want = sorted(tuple(r) for r in csv.reader(open(tmp_path / "ref" / "answers.csv", newline="")))
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,email\n" + "".join(f"{s},{s}@uni.example\n" for s in taken))
    # Moodle's Responses report: "part j: ..." joined by "; "
    mb = io.StringIO()
    w = csv.writer(mb, lineterminator="\r\n")
    w.writerow(["Surname", "First name", "Email address", "State", "Started on", "Completed", "Time taken",
                "Grade/10.00", "Response 1", "Right answer 1"])
    for s, v in taken.items():
        resp = "; ".join(f"part {j}: {a}" for j, a in enumerate(answers[s], 1))
        w.writerow([s, "Student", f"{s}@uni.example", "Finished", "1 December 2026  10:00 AM",
                    "1 December 2026  11:00 AM", "50 mins", "-", resp, tag(exam, v)])
    (tmp_path / "responses.csv").write_text("\ufeff" + mb.getvalue())
    api.grade_files(tmp_path / "responses.csv", folder / "answer_keys", tmp_path / "gm", roster=roster,
                    feedback=False, report=False)
    got = sorted(tuple(r) for r in csv.reader(open(tmp_path / "gm" / "answers.csv", newline="")))
    assert got == want
    # Canvas's Student Analysis: blanks joined by "," with "\\," inside
    head = ["name", "id", "sis_id", "section", "section_id", "section_sis_id", "submitted", "attempt"]
    for n, v in enumerate(vids):
        head += [f"{90000 + n}: {tag(exam, v)} ...", "3.0"]
    cb = io.StringIO()
    w = csv.writer(cb, lineterminator="\n")
    w.writerow(head)
    for i, (s, v) in enumerate(taken.items()):
        row = [f"Student {i}", str(5000 + i), s, "A", "77", "", "2026-12-01T10:00:00Z", "1"]
        for u in vids:
            row += [",".join(a.replace(",", "\\,") for a in answers[s]), "3.0"] if u == v else ["", ""]
        w.writerow(row)
    (tmp_path / "analysis.csv").write_text(cb.getvalue())
    croster = tmp_path / "croster.csv"
    croster.write_text("student_id,SIS User ID\n" + "".join(f"{s},{s}\n" for s in taken))
    api.grade_files(tmp_path / "analysis.csv", folder / "answer_keys", tmp_path / "gc", roster=croster,
                    feedback=False, report=False)
    got = sorted(tuple(r) for r in csv.reader(open(tmp_path / "gc" / "answers.csv", newline="")))
    assert got == want
    if which == "matrix":
        assert any(r[-1] == "transposed_shape" or "transposed_shape" in r for r in got)


def test_moodle_variant_from_right_answers_with_shapes(matrix):
    """A Responses report without the question text: the variant is found from Moodle's "Right
    answer" summary (qtype_multianswer: "part 1: 4x3; part 2: 0.0613..."), its numbers only."""
    from exgen.lms.quiz import number
    from exgen.lms.responses import _by_right_answer
    folder, keys = matrix
    exact = {v: [float("nan") if is_shape(q) else float(q["answer"]) for q in k["questions"]] for v, k in keys.items()}
    index: dict = {}
    for v, k in keys.items():
        cell = "; ".join(f"part {j}: {q['answer'] if is_shape(q) else number(q['answer'])}"
                         for j, q in enumerate(k["questions"], 1))
        assert _by_right_answer(cell, exact, index) == v
