"""`exgen export moodle`: the XML as Moodle's importer reads it (qformat_xml, and the Cloze parser
ported in lms_helpers with its source named), and each NUMERICAL part grading a typed answer as
`exgen grade` judges it (exgen.grading.judge.grade_key is the reference: the rounding-aware rule)."""
from __future__ import annotations

import html
import xml.etree.ElementTree as ET

import pytest

from lms_helpers import extract_question, generate, moodle_grade, validate

from exam_helpers import answer_keys

from typer.testing import CliRunner

from exgen import api
from exgen.cli import app
from exgen.exam.config import demo_path

runner = CliRunner()
CONFIG = str(demo_path())
from exgen.grading.judge import grade_key
from exgen.grading.slips import DIAGNOSES


@pytest.fixture(scope="module")
def quiz(tmp_path_factory):
    d = tmp_path_factory.mktemp("moodle")
    keys = generate(d / "q", 40)
    api.export_moodle(d / "q", d / "quiz.xml")
    return d, ET.parse(d / "quiz.xml").getroot(), keys


def test_bank_structure(quiz):
    d, root, keys = quiz
    assert root.tag == "quiz"
    qs = root.findall("question")
    assert qs[0].get("type") == "category"
    assert qs[0].find("category/text").text.startswith("$course$/top/")
    cloze = qs[1:]
    assert len(cloze) == 40 and all(q.get("type") == "cloze" for q in cloze)
    for q, (vid, key) in zip(cloze, keys.items()):
        name = q.find("name/text").text
        text = q.find("questiontext/text").text
        assert f"exgen variant {vid}" in name and f"exgen variant {vid}" in text
        assert q.find("questiontext").get("format") == "html"
        rest, subs = extract_question(text)
        assert validate(subs) == []
        assert len(subs) == len(key["questions"])  # one part per question, none found in the other text
        assert all(s.qtype == "numerical" for s in subs)
        assert [f"{{#{i}}}" in rest for i in range(1, len(subs) + 1)] == [True] * len(subs)
        assert "{" not in rest.replace("{#", "")  # no stray Cloze syntax left in the text
        for s, kq in zip(subs, key["questions"]):
            assert int(s.defaultmark) == kq["points"]
            best = next(a for a in s.answers if a.fraction == 1)
            assert abs(float(best.answer) - kq["answer"]) <= 1e-9 * max(1, abs(kq["answer"]))
        fb = q.find("generalfeedback/text").text
        assert "Worked solution" in fb


def test_feedback_escaping_round_trips():
    """Text with every Cloze and XML special character survives Moodle's parser as written."""
    from exgen.lms.moodle import cloze_feedback
    from exgen.lms.quiz import Alternative, Part
    from exgen.lms import moodle
    nasty = 'a } b # c ~ d / e " f \\ g <b> & h {1:NUMERICAL:=1}'
    part = Part("1a", "x", 1.0, 0.5, [Alternative(0.5, 0.01, 1.0, nasty, "exact"),
                                       Alternative(-0.5, 0.01, 0.0, nasty + " ~again", "distractor")])
    text = moodle.cloze_part(part, 1)
    _, subs = extract_question("<p>" + text + "</p>")
    assert len(subs) == 1 and len(subs[0].answers) == 2
    assert html.unescape(subs[0].answers[0].feedback) == nasty  # Moodle shows the feedback as HTML
    assert html.unescape(subs[0].answers[1].feedback) == nasty + " ~again"
    assert cloze_feedback("}") != "}"
    # user text in the question body never starts a part
    body = moodle.text_html("{1:NUMERICAL:=1:0}")
    assert extract_question(body)[1] == []


def _typed(v: float, d: int) -> str:
    return f"{v:.{d}f}"


def test_parts_grade_as_exgen(quiz):
    """Answers a student types (the key's value at 4 decimals, the hand-rounded values, a sign
    flip, each classic slip): Moodle's verdict (the first matching answer: 100 % = correct, its
    feedback = the diagnosis) equals exgen's, every other part answered right (no error carried)."""
    d, root, keys = quiz
    checked = 0
    for q, (vid, key) in list(zip(root.findall("question")[1:], keys.items()))[:8]:
        _, subs = extract_question(q.find("questiontext/text").text)
        right = {kq["id"]: _typed(kq["answer"], 4) for kq in key["questions"]}
        for s, kq in zip(subs, key["questions"]):
            tries = {_typed(kq["answer"], 4), _typed(-kq["answer"], 4), _typed(kq["answer"], 3)}
            tries |= {f"{float(a.answer):.6g}" for a in s.answers}
            for t in sorted(tries):
                ex = next(v for v in grade_key(key, {**right, kq["id"]: t}) if v.question_id == kq["id"])
                got = moodle_grade(s, float(t))
                assert ex.verdict in ("correct", "wrong"), (vid, kq["id"], t, ex)
                assert (got is not None and got.fraction == 1) == (ex.verdict == "correct"), (vid, kq["id"], t, ex, got)
                if ex.verdict == "wrong" and ex.diagnosis:
                    assert got is not None and html.unescape(got.feedback) == DIAGNOSES[ex.diagnosis], (vid, kq["id"], t)
                checked += 1
    assert checked > 300


def test_export_refuses_foreign_file(tmp_path, quiz):
    from exgen.errors import OutputExistsError, InputFileError
    d, _, _ = quiz
    other = tmp_path / "mine.xml"
    other.write_text("<quiz/>")
    with pytest.raises(OutputExistsError, match="exgen did not write"):
        api.export_moodle(d / "q", other)
    api.export_moodle(d / "q", other, force=True)
    api.export_moodle(d / "q", other)  # exgen's own file: replaced
    with pytest.raises(InputFileError, match="variants"):
        api.export_moodle(tmp_path, tmp_path / "x.xml")


@pytest.mark.parametrize("fmt, name", [("moodle", "quiz.xml"), ("canvas", "sub/quiz.zip")])
def test_export_refuses_a_file_inside_the_variants_folder(tmp_path, fmt, name):
    """`exgen export moodle quiz1 --out quiz1/quiz.xml` wrote into the exam folder, which
    `exgen generate ... --out quiz1 --force` then refused (a file it did not write)."""
    from exgen.errors import OutputExistsError
    generate(tmp_path / "q", 2)
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "q").rglob("*"))
    export = api.export_moodle if fmt == "moodle" else api.export_canvas
    with pytest.raises(OutputExistsError, match="inside the variants folder"):
        export(tmp_path / "q", tmp_path / "q" / name)
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "q").rglob("*")) == before
    r = runner.invoke(app, ["export", fmt, str(tmp_path / "q"), "--out", str(tmp_path / "q" / name)])
    assert r.exit_code == 1 and r.output.startswith("Error: ") and r.output.count("\n") == 1, r.output
    r = runner.invoke(app, ["generate", CONFIG, "--variants", "2", "--no-pdf", "--force", "--out", str(tmp_path / "q")])
    assert r.exit_code == 0, r.output


def test_partial_credit_for_fewer_decimals(tmp_path):
    """fewer_decimals_credit 0.5: Moodle's fraction for a typed answer is exgen's score / points
    (the value rounded to fewer decimals first, at 50 %, before the exact window that holds it)."""
    import dataclasses
    from exgen.exam.config import demo_path
    cfg = dataclasses.replace(api.load_config(demo_path()), fewer_decimals_credit=0.5)
    api.generate_exam(cfg, tmp_path / "q", variants=4, pdf=False)
    api.export_moodle(tmp_path / "q", tmp_path / "q.xml")
    root = ET.parse(tmp_path / "q.xml").getroot()
    keys = list(answer_keys(tmp_path / "q").values())
    partial = 0
    for q, key in zip(root.findall("question")[1:], keys):
        _, subs = extract_question(q.find("questiontext/text").text)
        right = {kq["id"]: _typed(kq["answer"], 4) for kq in key["questions"]}
        for s, kq in zip(subs, key["questions"]):
            for t in {_typed(kq["answer"], d) for d in range(1, 5)}:
                ex = next(v for v in grade_key(key, {**right, kq["id"]: t}) if v.question_id == kq["id"])
                got = moodle_grade(s, float(t))
                frac = got.fraction if got is not None else 0.0
                assert abs(frac - ex.score / ex.points) < 1e-9, (kq["id"], t, ex, got)
                partial += 0 < frac < 1
    assert partial > 10
