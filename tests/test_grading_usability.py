"""Findings of user testing: --keys given a file, issue counts in the summary, blank lines,
the help text."""
import json

import pytest
import typer
from typer.testing import CliRunner

from exgen.cli.main import app
from exgen.grading.grade import grade_submissions
from exgen.grading.read import read_submissions
from exgen.grading.outputs import summary
from grading_helpers import example_key

runner = CliRunner()


@pytest.fixture
def keys(tmp_path):
    d = tmp_path / "answer_keys"
    d.mkdir()
    ks = {sid: example_key("seed002-2-2-1", sid) for sid in ("s1", "s2")}
    for sid, k in ks.items():
        (d / f"{sid}.json").write_text(json.dumps(k))
    return d, ks


def _grade(path, ks):
    known = {q["id"] for k in ks.values() for q in k["questions"]}
    return grade_submissions(read_submissions(path, known_qids=known), ks)


def test_keys_given_a_file_says_so(tmp_path, keys):
    d, _ = keys
    sub = tmp_path / "sub.csv"
    sub.write_text("student_id,question_id,answer\ns1,1a,0.5\n")
    r = runner.invoke(app, ["grade", str(sub), "--keys", str(d / "s1.json"), "--out", str(tmp_path / "g")])
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert "s1.json: is a file" in r.output and "--keys wants the directory of answer keys" in r.output
    assert "no such directory" not in r.output and not (tmp_path / "g").exists()


def test_keys_given_the_exam_folder_names_its_answer_keys(tmp_path):
    """`--keys exam1` (the folder generate wrote) failed on its record of files:
    'exam1/.exgen-manifest.json: not an answer key: no field 'spec''."""
    from exgen.exam.config import demo_path
    exam = tmp_path / "exam1"
    r = runner.invoke(app, ["generate", str(demo_path()), "--count", "2", "--no-pdf", "--out", str(exam)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["grade", str(exam / "submissions.csv"), "--keys", str(exam), "--out", str(tmp_path / "g")])
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert r.output.startswith(f"Error: {exam}: is an exam folder") and str(exam / "answer_keys") in r.output
    assert "manifest" not in r.output and not (tmp_path / "g").exists()


def test_summary_counts_an_unknown_wide_row_once(tmp_path, keys):
    _, ks = keys
    qids = [q["id"] for q in ks["s1"]["questions"]][:5]
    p = tmp_path / "wide.csv"
    p.write_text("student_id," + ",".join(qids) + "\ns1" + ",0.5" * 5 + "\nzz" + ",0.5" * 5 + "\n")
    res = _grade(p, ks)
    assert [i.line for i in res.issues if i.kind == "unknown_student"] == [3] * 5  # issues.csv keeps detail
    text = summary(res)
    issues = text.split("Issues: ")[1]
    assert "1 row of an unknown student (line 3)" in issues and "5 " not in issues


def test_summary_lists_lines_per_kind(tmp_path, keys):
    _, ks = keys
    p = tmp_path / "long.csv"
    p.write_text("student_id,question_id,answer\nzz,1a,1\nzz,1b,1\ns1,1a,1\ns1,1a,2\ns2,1a,1\n")
    text = summary(_grade(p, ks))
    assert "2 rows of unknown students (lines 2, 3)" in text and "1 duplicate row (line 4)" in text
    assert "without a submission" not in text


@pytest.mark.parametrize("quoted", [False, True], ids=["fast-path", "csv-module"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_blank_lines_are_skipped_silently(tmp_path, keys, layout, quoted):
    _, ks = keys
    a1 = repr(next(q["answer"] for q in ks["s1"]["questions"] if q["id"] == "1a"))
    a1 = f'"{a1}"' if quoted else a1
    if layout == "long":
        text = f"student_id,question_id,answer\ns1,1a,{a1}\n\n   \ns1,9z,1\n,,\ns2,1a,{a1}\n\n\n"
    else:
        text = f"student_id,1a,9z\ns1,{a1},\n\n   \n,,\ns2,{a1},\n\n"
    p = tmp_path / "sub.csv"
    p.write_text(text)
    res = _grade(p, ks)
    assert [i.kind for i in res.issues if i.kind == "no_id"] == []
    if layout == "long":
        assert [(i.line, i.kind) for i in res.issues] == [(5, "unknown_question")]
    for sid in ("s1", "s2"):
        assert {v.question_id: v.verdict for v in res.verdicts(sid)}["1a"] == "correct"


def _grade_command():
    return typer.main.get_command(app).commands["grade"]


def test_every_grade_option_has_a_one_sentence_help():
    for p in _grade_command().params:
        if p.name == "help":
            continue
        h = p.help
        assert h and "\n" not in h and h[0].isupper() and h.endswith(".") and h.count(". ") == 0, (p.name, h)


def test_grade_docstring_has_examples_and_no_broken_sentences():
    doc = _grade_command().help
    lines = [x.strip() for x in doc.splitlines() if x.strip()]
    for x in lines:
        assert x.startswith("exgen grade ") or x.endswith((".", ":")), x
    cmds = [x for x in lines if x.startswith("exgen grade ")]
    assert len(cmds) >= 4 and all(len(c) <= 76 for c in cmds)
    assert any("--map" in c for c in cmds) and any("--roster" in c for c in cmds)
    assert any("--id-column sis_id" in c for c in cmds)


@pytest.mark.parametrize("header, args", [
    ("student_id,1a,1b,1a", []),  # a copied column
    ("student_id,1a,1b,1a: the activation", []),  # an id and a Canvas-style 'id: text'
    ("student_id,R1,R2,R3", ["--map", "R1=1a", "--map", "R2=1b", "--map", "R3=1a"]),  # two --map onto one id
])
def test_two_columns_of_one_question_are_refused_not_guessed(tmp_path, keys, header, args):
    """Two columns holding question 1a: the answer graded was the last one's, reported as a
    'duplicate' of its own line; which column is the answer is not for exgen to guess."""
    d, _ = keys
    sub = tmp_path / "wide.csv"
    sub.write_text(header + "\ns1,0.5,0.6,0.7\n")
    r = runner.invoke(app, ["grade", str(sub), "--keys", str(d), "--out", str(tmp_path / "g"), *args])
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert r.output.startswith("Error: ") and "wide.csv: line 1: columns 2 " in r.output, r.output
    assert "both hold question '1a'" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "g").exists()


def test_a_mapping_onto_a_question_no_key_asks_is_refused(tmp_path, keys):
    """`--map "1a=9z"` (a typo) graded every answer of the column as an unknown question and every
    student as missing, exit 0."""
    d, _ = keys
    sub = tmp_path / "wide.csv"
    sub.write_text("student_id,R1,R2\ns1,0.5,0.6\n")
    r = runner.invoke(app, ["grade", str(sub), "--keys", str(d), "--out", str(tmp_path / "g"),
                            "--map", "R1=1a", "--map", "R2=9z"])
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert r.output.startswith("Error: ") and "wide.csv" in r.output and "'R2' to '9z'" in r.output, r.output
    assert not (tmp_path / "g").exists()


def test_an_id_a_spreadsheet_changed_is_named_with_the_key_it_was(tmp_path):
    """Excel opens submissions.csv and turns '00123' into 123 (or a case changes): every such student
    was an unknown student graded missing, with nothing pointing at the cause."""
    d = tmp_path / "answer_keys"
    d.mkdir()
    ks = {sid: example_key("seed002-2-2-1", sid) for sid in ("00123", "Ab7")}
    for sid, k in ks.items():
        (d / f"{sid}.json").write_text(json.dumps(k))
    p = tmp_path / "sub.csv"
    p.write_text("student_id,question_id,answer\n123,1a,0.5\nab7,1a,0.5\nzz,1a,0.5\n")
    res = _grade(p, ks)
    msg = {i.student_id: i.message for i in res.issues if i.kind == "unknown_student"}
    assert "there is a key of '00123'" in msg["123"] and "there is a key of 'Ab7'" in msg["ab7"], msg
    assert "there is a key" not in msg["zz"], msg
    text = summary(res)
    assert "Ids: 2 unknown student ids are a key's id but for leading zeros or case" in text, text


def test_hidden_files_beside_the_keys_are_not_keys(tmp_path):
    """A folder copied from a Mac to a USB stick holds ._s001.json beside s001.json (resource forks,
    hidden in Finder): grade failed on it ('._s001.json: invalid JSON'). Ids start with a letter or
    digit, so a name starting with '.' is never a key; the key index still matches."""
    from exgen.exam.config import demo_path
    from exgen.grading.keyindex import read_index
    exam = tmp_path / "exam1"
    r = runner.invoke(app, ["generate", str(demo_path()), "--count", "2", "--no-pdf", "--out", str(exam)])
    assert r.exit_code == 0, r.output
    keys = exam / "answer_keys"
    for k in sorted(keys.glob("s*.json")):
        (keys / f"._{k.name}").write_bytes(b"\x00\x05\x16\x07\x00\x02Mac OS X        ")
    assert read_index(keys) is not None
    r = runner.invoke(app, ["grade", str(exam / "submissions.csv"), "--keys", str(keys), "--out", str(tmp_path / "g")])
    assert r.exit_code == 0, r.output
    assert "Graded 2 students" in r.output
