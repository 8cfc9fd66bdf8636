"""The gradebook layouts (exgen.lms: canvas, moodle, blackboard) and what the summary says is missing."""
from __future__ import annotations

import csv

from exgen import api
from exgen.lms import blackboard, canvas, moodle


ROWS = [{"student_id": "s1", "total": 7.5, "maximum": 10.0, "idnumber": "A1", "login": "ada", "first": "Ada",
         "last": "Lovelace", "canvas_id": "501", "sis_id": "S1", "section": "Sec 1", "name": "Ada Lovelace"},
        {"student_id": "s2", "total": 3.0, "maximum": 10.0}]


def test_canvas_layout():
    head, body, notes = canvas.gradebook(ROWS, "Exam 1", "4711")
    assert head == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Exam 1 (4711)"]
    assert body[0] == ["Points Possible", "", "", "", "", "10"]
    assert body[1] == ["Ada Lovelace", "501", "S1", "ada", "Sec 1", "7.5"]
    assert body[2] == ["s2", "", "s2", "", "", "3"]  # no roster: the student id stands in
    assert len(notes) == 1 and "1 student(s) without a Canvas ID" in notes[0]
    assert "no assignment id" in canvas.gradebook(ROWS, "Exam 1", None)[2][0]


def test_moodle_layout_by_email_or_id_number():
    head, body, notes = moodle.gradebook(ROWS, "Exam 1")
    assert head == ["ID number", "Exam 1"] and body == [["A1", "7.5"]] and "1 student(s) left out" in notes[0]
    head, body, _ = moodle.gradebook([dict(ROWS[0], email="ada@x.example")], "Exam 1")
    assert head == ["Email address", "Exam 1"] and body == [["ada@x.example", "7.5"]]


def test_blackboard_layout():
    head, body, notes = blackboard.gradebook(ROWS, "Exam 1", "_123_1")
    assert head == ["Last Name", "First Name", "Username", "Student ID", "Exam 1 [Total Pts: 10 Score] |_123_1"]
    assert body[0] == ["Lovelace", "Ada", "ada", "S1", "7.5"] and body[1][2] == "s2"
    assert notes and "without a username" in notes[0]


def test_plain_grading_writes_all_three_and_says_what_is_missing(tmp_path):
    from exgen.exam.config import demo_path
    api.generate_exam(api.load_config(demo_path()), tmp_path / "e", count=2, pdf=False)
    (tmp_path / "r.csv").write_text("student_id,name,ID number,username\ns001,Ada,A1,ada\ns002,Bo,A2,bo\n")
    (tmp_path / "a.csv").write_text("student_id,question_id,answer\ns001,1a,0.5\n")
    res = api.grade_files(tmp_path / "a.csv", tmp_path / "e" / "answer_keys", tmp_path / "g",
                          roster=tmp_path / "r.csv", feedback=False, report=False)
    with open(tmp_path / "g" / "grades_moodle.csv", newline="") as f:
        assert list(csv.reader(f))[0][0] == "ID number"
    with open(tmp_path / "g" / "grades_blackboard.csv", newline="") as f:
        assert [r[2] for r in csv.reader(f)][1:] == ["ada", "bo"]
    line = next(n for n in res.notes if n.startswith("Write-back:"))
    assert "--canvas-assignment-id" in line and "--blackboard-column-id" in line
    assert line in (tmp_path / "g" / "summary.txt").read_text()


def test_a_class_without_lms_columns_gets_one_short_note(tmp_path):
    from exgen.exam.config import demo_path
    api.generate_exam(api.load_config(demo_path()), tmp_path / "e", count=2, pdf=False)
    (tmp_path / "a.csv").write_text("student_id,question_id,answer\ns001,1a,0.5\n")
    res = api.grade_files(tmp_path / "a.csv", tmp_path / "e" / "answer_keys", tmp_path / "g",
                          feedback=False, report=False)
    notes = [n for n in res.notes if n.startswith("Write-back:")]
    assert len(notes) == 1 and "no LMS columns" in notes[0] and "docs/lms.md" in notes[0]
    with open(tmp_path / "g" / "grades_canvas.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][0] == "Points Possible" and [r[2] for r in rows[2:]] == ["s001", "s002"]  # by SIS User ID
