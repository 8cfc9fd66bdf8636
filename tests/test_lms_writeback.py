"""The gradebook layouts (exgen.lms: canvas, moodle, blackboard) and what the summary says is missing."""
from __future__ import annotations

import csv

from exgen import api
from exgen.lms import blackboard, canvas, moodle
from exgen.lms.roll import Roll


def rows(columns):
    return [list(r) for r in zip(*columns)]


DICTS = [{"student_id": "s1", "total": 7.5, "maximum": 10.0, "idnumber": "A1", "login": "ada", "first": "Ada",
          "last": "Lovelace", "canvas_id": "501", "sis_id": "S1", "section": "Sec 1", "name": "Ada Lovelace"},
         {"student_id": "s2", "total": 3.0, "maximum": 10.0}]
ROWS = Roll.of(DICTS)


def test_canvas_layout():
    head, cols, notes = canvas.gradebook(ROWS, "Exam 1", "4711")
    body = rows(cols)
    assert head == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Exam 1 (4711)"]
    assert body[0] == ["Points Possible", "", "", "", "", "10"]
    assert body[1] == ["Ada Lovelace", "501", "S1", "ada", "Sec 1", "7.5"]
    assert body[2] == ["s2", "", "s2", "", "", "3"]  # no roster: the student id stands in
    assert len(notes) == 1 and "1 student(s) without a Canvas ID" in notes[0]
    assert "no assignment id" in canvas.gradebook(ROWS, "Exam 1", None)[2][0]


def test_moodle_layout_by_email_or_id_number():
    head, cols, notes = moodle.gradebook(ROWS, "Exam 1")
    body = rows(cols)
    assert head == ["ID number", "Exam 1"] and body == [["A1", "7.5"]] and "1 student(s) left out" in notes[0]
    head, cols, _ = moodle.gradebook(Roll.of([dict(DICTS[0], email="ada@x.example")]), "Exam 1")
    body = rows(cols)
    assert head == ["Email address", "Exam 1"] and body == [["ada@x.example", "7.5"]]


def test_blackboard_layout():
    head, cols, notes = blackboard.gradebook(ROWS, "Exam 1", "_123_1")
    body = rows(cols)
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


def _reference_gradebooks(students, tot, mx, info, roster, title, aid, cid):
    """The three files by the per-student rules docs/lms.md states, one row at a time, written by
    csv.writer after safe_cells: the report's fields, the roster's over them (its name only where
    the report has none), an id with "@" as the e-mail of a student without one."""
    import io
    from exgen.escape import safe_cells
    from exgen.lms.regrade import _roster_fields
    by_id = {s.id: s for s in roster}
    rs = []
    for s, t, m in zip(students, tot, mx):
        r = {"student_id": s, "total": t, "maximum": m, **info.get(s, {})}
        if s in by_id:
            r.update(_roster_fields(by_id[s]))
            r.setdefault("name", by_id[s].name)
        if "@" in s and not r.get("email"):
            r["email"] = s
        rs.append(r)
    most = max((r["maximum"] for r in rs), default=0)
    canvas_rows = [[title + (f" ({aid})" if aid else "")], ["Points Possible", "", "", "", "", f"{most:g}"]]
    canvas_rows[0] = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + canvas_rows[0]
    canvas_rows += [[r.get("name") or r["student_id"], r.get("canvas_id") or "", r.get("sis_id") or r["student_id"],
                     r.get("login") or "", r.get("section") or "", f"{r['total']:g}"] for r in rs]
    by = "email" if any(r.get("email") for r in rs) else "idnumber"
    moodle_rows = [["Email address" if by == "email" else "ID number", title]]
    moodle_rows += [[r[by], f"{r['total']:g}"] for r in rs if r.get(by)]
    bb_rows = [["Last Name", "First Name", "Username", "Student ID",
                f"{title} [Total Pts: {most:g} Score]" + (f" |{cid}" if cid else "")]]
    bb_rows += [[r.get("last") or "", r.get("first") or "", r.get("login") or r.get("username") or r["student_id"],
                 r.get("sis_id") or "", f"{r['total']:g}"] for r in rs]
    out = {}
    for name, table in (("grades_canvas.csv", canvas_rows), ("grades_moodle.csv", moodle_rows),
                        ("grades_blackboard.csv", bb_rows)):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(safe_cells(r) for r in table)
        out[name] = buf.getvalue().encode("utf-8")
    return out


def test_gradebooks_equal_the_per_student_rules(tmp_path):
    """write_gradebooks (column by column) against the rows written one by one, for random classes
    with report fields, roster fields, missing and empty ones, e-mail-like ids and nasty texts."""
    import numpy as np
    from exgen.lms.writeback import write_gradebooks
    from exgen.roster import Student
    rng = np.random.default_rng(7)
    texts = ["", "x", "=1+1", "-2", "a,b", 'q"t', "é", " sp ", "+x", "@y", "line\nbreak", "0.5"]
    names = ["email", "idnumber", "canvas_id", "sis_id", "login", "username", "section", "name", "first", "last"]
    roster_cols = ["email", "id number", "canvas id", "sis user id", "username", "section", "first name", "surname"]

    class Res:
        def __init__(self, students, tot, mx):
            self.students, self._t = students, (tot, mx)

        def all_totals(self):
            return self._t

    for trial in range(40):
        n = int(rng.integers(0, 12))
        students = [rng.choice(["s", "a@b.c", "=s", "s,1", "x"]) + str(i) for i in range(n)]
        tot = rng.choice([0.0, 1.5, 2.0, 1e-7, 123456789.0, -0.0], n)
        mx = rng.choice([0.0, 10.0, 25.5], n)
        info = {s: {k: str(rng.choice(texts)) for k in rng.choice(names, int(rng.integers(0, 5)), replace=False)}
                for s in students if rng.random() < 0.5}
        roster = [Student(s, str(rng.choice(texts)), (), tuple((c, str(rng.choice(texts))) for c in
                                                                rng.choice(roster_cols, int(rng.integers(0, 4)), replace=False)))
                  for s in students if rng.random() < 0.4]
        title, aid, cid = str(rng.choice(["exam, 1", "=t", "T"])), rng.choice([None, "47"]), rng.choice([None, "_1_1"])
        out = tmp_path / str(trial)
        out.mkdir()
        write_gradebooks(Res(students, tot, mx), out, title, info=info, roster=roster,
                         canvas_assignment_id=aid, blackboard_column_id=cid)
        for name, want in _reference_gradebooks(students, tot.tolist(), mx.tolist(), info, roster,
                                                title, aid, cid).items():
            assert (out / name).read_bytes() == want, (trial, name)
