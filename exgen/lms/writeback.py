"""Grades back into the LMS: grades_canvas.csv, grades_moodle.csv and grades_blackboard.csv, each
in its LMS's import layout (exgen.lms.canvas / moodle / blackboard), with the LMS identities the
report and the roster carry. Returns what is missing, for the summary."""
from __future__ import annotations

from pathlib import Path

from exgen.grading.csvcells import chunks_of, fields, header_line, write_chunks
from exgen.lms import blackboard, canvas, moodle
from exgen.lms.roll import Roll


def student_roll(res, info: dict[str, dict[str, str]] | None = None, roster: list | None = None) -> Roll:
    """The graded students (res.students order): totals, maxima and the LMS fields (name, email,
    idnumber, canvas_id, sis_id, login, section, first, last): the report's, then the roster's
    over them (the roster's name only where the report has none); a student id with an "@" is
    the e-mail of a student without one. Per-student work only for students in `info` or `roster`."""
    from exgen.lms.regrade import _roster_fields
    students = res.students
    tot, mx = res.all_totals()
    n = len(students)
    by_id = {s.id: s for s in roster or []}
    info = info or {}
    cols: dict[str, list[str]] = {}
    if info or by_id:
        for i, s in enumerate(students):
            if s not in info and s not in by_id:
                continue
            r = dict(info.get(s, {}))
            if s in by_id:
                r.update(_roster_fields(by_id[s]))
                r.setdefault("name", by_id[s].name)
            for k, v in r.items():
                if k not in ("student_id", "total", "maximum"):
                    cols.setdefault(k, [""] * n)[i] = v or ""
    at = [i for i, s in enumerate(students) if "@" in s] if "@" in "".join(students) else []
    if at:
        email = cols.setdefault("email", [""] * n)
        for i in at:
            email[i] = email[i] or students[i]
    return Roll(students, tot, mx, cols)


def _csv(path: Path, header: list[str], columns: list[list[str]]) -> None:
    """header and the columns' rows as csv.writer writes them after safe_cells (grading.csvcells'
    rules): each column neutralised and quoted at once; a column without a cell (most LMS fields
    of most classes) folded into the fixed text between the cells; then one join of the pieces."""
    cols = [fields(c) if any(c) else c for c in columns]  # (a column of empty cells is its own cells)
    n = len(cols[0]) if cols else 0
    if len(cols) == 1:  # csv.writer writes a lone empty field as ""
        cols[0] = [c or '""' for c in cols[0]]
    slots: list[list[str] | str] = []  # a line's pieces: a column's cells, or a fixed text
    fixed = ""
    for i, c in enumerate(cols):
        fixed += "," if i else ""
        if any(c):  # a cell that is not empty
            slots += [fixed, c] if fixed else [c]
            fixed = ""
    slots.append(fixed + "\n")
    pieces: list = [None] * (len(slots) * n)
    for k, x in enumerate(slots):
        pieces[k::len(slots)] = x if isinstance(x, list) else [x] * n
    write_chunks(path, header_line(header), chunks_of(pieces))


def write_gradebooks(res, out: Path, exam: str, *, info: dict | None = None, roster: list | None = None,
                     canvas_assignment_id: str | None = None, blackboard_column_id: str | None = None) -> list[str]:
    """The three gradebook files in the (staging) folder `out`; returns the summary line saying what they miss ([] if nothing)."""
    roll = student_roll(res, info, roster)
    title = exam or "exgen exam"
    notes: list[str] = []
    for name, (header, columns, missing) in (
            ("grades_canvas.csv", canvas.gradebook(roll, title, canvas_assignment_id)),
            ("grades_moodle.csv", moodle.gradebook(roll, title)),
            ("grades_blackboard.csv", blackboard.gradebook(roll, title, blackboard_column_id))):
        _csv(out / name, header, columns)
        notes += missing
    if not (canvas_assignment_id or blackboard_column_id or any(roll.has(f) for f in LMS_IDS)):
        return ["Write-back: no LMS columns in the roster or the submissions, so grades_canvas.csv and "
                "grades_blackboard.csv are keyed by student id and grades_moodle.csv (by e-mail or ID number) "
                "is empty; docs/lms.md lists the roster columns that fill them."]
    return [f"Write-back: {'; '.join(notes)}."] if notes else []


LMS_IDS = ("email", "idnumber", "canvas_id", "sis_id", "login", "section")  # student_roll's LMS identities
