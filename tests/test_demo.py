"""`exgen demo`: the exam, the graded sample submission, the summary, reruns (without TeX)."""
import csv
import shlex

from typer.testing import CliRunner

from exgen.cli.main import app
from exgen.grading import grade_key

runner = CliRunner()


def _demo(out, *extra):
    return runner.invoke(app, ["demo", "--no-pdf", "--out", str(out), *extra])


def _files(d):
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_demo_generates_grades_and_says_where_everything_is(tmp_path):
    out = tmp_path / "demo"
    r = _demo(out)
    assert r.exit_code == 0, r.output
    for rel in ("sheets/ada01.tex", "keys/ada01.tex", "answer_keys/ada01.json", "submissions.csv",
                "sample_submissions.csv", "grades/grades.csv", "grades/answers.csv", "grades/report.html",
                "grades/feedback/ada01.md", "grades/summary.txt"):
        assert (out / rel).is_file(), rel
    for shown in ("sheets/", "keys/", "answer_keys/", "sample_submissions.csv", "grades/report.html",
                  "Graded 3 students", "exgen check", "exgen grade", "exgen practice", "exgen generate"):
        assert shown in r.output, shown
    assert "Traceback" not in r.output
    assert "Write-back" not in r.output  # the demo roster has no LMS ids: no notes about their columns
    assert (out / "grades/grades_canvas.csv").is_file()  # the gradebook files are still there


def test_sample_submission_shows_every_verdict_and_diagnoses(tmp_path):
    out = tmp_path / "demo"
    assert _demo(out).exit_code == 0
    with open(out / "grades/answers.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["verdict"] for r in rows} == {"correct", "carried", "wrong", "invalid", "missing"}
    codes = {r["diagnosis"] for r in rows if r["verdict"] == "wrong"} - {""}
    assert len(codes) >= 2 and "sign_flip" in codes
    per_student = {}
    for r in rows:
        per_student.setdefault(r["student_id"], set()).add(r["verdict"])
    assert {"correct"} in per_student.values()  # one student has everything right


def test_rerun_needs_force_and_gives_identical_grades(tmp_path):
    out = tmp_path / "demo"
    assert _demo(out).exit_code == 0
    first = _files(out)
    r = _demo(out)
    assert r.exit_code == 1
    assert r.output.startswith("Error: ") and len(r.output.strip().splitlines()) == 1 and "--force" in r.output
    r = _demo(out, "--force")
    assert r.exit_code == 0, r.output
    assert _files(out) == first


def test_existing_grades_dir_is_refused_before_any_work(tmp_path):
    out = tmp_path / "demo"
    (out / "grades").mkdir(parents=True)
    (out / "grades" / "mine.csv").write_text("my own grades\n")  # not written by exgen
    for extra in ((), ("--force",)):
        r = _demo(out, *extra)
        assert r.exit_code == 1 and r.output.startswith("Error: ") and "grades/mine.csv" in r.output
        assert not (out / "answer_keys").exists()
        assert (out / "grades" / "mine.csv").read_text() == "my own grades\n"


def test_the_suggested_commands_run(tmp_path):
    out = tmp_path / "my demo"  # a space: the commands are shell-quoted
    r = _demo(out)
    assert r.exit_code == 0, r.output
    lines = [line.strip() for line in r.output.splitlines()]
    for cmd in ("exgen check ", "exgen grade "):
        line = next(x for x in lines if x.startswith(cmd))
        rr = runner.invoke(app, shlex.split(line)[1:])
        assert rr.exit_code == 0, (line, rr.output)
        if cmd == "exgen check ":
            assert "correct" in rr.output and "diagnosis: sign_flip" in rr.output


def test_grade_demo_carried_answers_are_carried_by_grade_key(tmp_path):
    import json
    from exgen.grading.sample import student_answers
    out = tmp_path / "demo"
    assert _demo(out).exit_code == 0
    key = json.loads((out / "answer_keys/ada01.json").read_text(encoding="utf-8"))
    verdicts = {v.question_id: v.verdict for v in grade_key(key, student_answers(key, "carried"))}
    assert list(verdicts.values())[0] == "wrong" and "carried" in verdicts.values()
    assert set(grade_key(key, student_answers(key, "model"))[i].verdict for i in range(len(key["questions"]))) == {"correct"}
