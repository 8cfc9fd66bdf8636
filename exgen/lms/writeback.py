"""Grades back into the LMS: grades_canvas.csv, grades_moodle.csv and grades_blackboard.csv, each
in its LMS's import layout (exgen.lms.canvas / moodle / blackboard), with the LMS identities the
report and the roster carry. Returns what is missing, for the summary."""
from __future__ import annotations

from pathlib import Path

from exgen.grading.csvout import _joined, _line, _write, fields
from exgen.lms import blackboard, canvas, moodle


def student_rows(res, info: dict[str, dict[str, str]] | None = None, roster: list | None = None) -> list[dict]:
    """Per graded student (res.students order): student_id, total, maximum and the LMS fields
    (name, email, idnumber, canvas_id, sis_id, login, section, first, last): the report's, then
    the roster's over them."""
    from exgen.lms.regrade import _roster_fields
    by_id = {s.id: s for s in roster or []}
    tot, mx = res.all_totals()
    rows = []
    for s, t, m in zip(res.students, tot.tolist(), mx.tolist()):
        r: dict = {"student_id": s, "total": t, "maximum": m}
        r.update((info or {}).get(s, {}))
        if s in by_id:
            r.update(_roster_fields(by_id[s]))
            r.setdefault("name", by_id[s].name)
        if "@" in s and not r.get("email"):
            r["email"] = s
        rows.append(r)
    return rows


def _csv(path: Path, header: list[str], body: list[list[str]]) -> None:
    """header and body as csv.writer writes them after safe_cells (grading.csvout's rules), built
    column by column: each column neutralised and quoted at once, then the lines joined."""
    cols = [fields(list(c)) for c in zip(*body)]
    if len(cols) == 1:  # csv.writer writes a lone empty field as ""
        cols[0] = [c or '""' for c in cols[0]]
    lines = [",".join(r) + "\n" for r in zip(*cols)]
    _write(path, _line(header), _joined(lines))


def write_gradebooks(res, out: Path, exam: str, *, info: dict | None = None, roster: list | None = None,
                     canvas_assignment_id: str | None = None, blackboard_column_id: str | None = None) -> list[str]:
    """The three gradebook files in the (staging) folder `out`; returns the summary line saying what they miss ([] if nothing)."""
    rows = student_rows(res, info, roster)
    title = exam or "exgen exam"
    notes: list[str] = []
    for name, (header, body, missing) in (
            ("grades_canvas.csv", canvas.gradebook(rows, title, canvas_assignment_id)),
            ("grades_moodle.csv", moodle.gradebook(rows, title)),
            ("grades_blackboard.csv", blackboard.gradebook(rows, title, blackboard_column_id))):
        _csv(out / name, header, body)
        notes += missing
    if not (canvas_assignment_id or blackboard_column_id or any(r.get(f) for r in rows for f in LMS_IDS)):
        return ["Write-back: no LMS columns in the roster or the submissions, so grades_canvas.csv and "
                "grades_blackboard.csv are keyed by student id and grades_moodle.csv (by e-mail or ID number) "
                "is empty; docs/lms.md lists the roster columns that fill them."]
    return [f"Write-back: {'; '.join(notes)}."] if notes else []


LMS_IDS = ("email", "idnumber", "canvas_id", "sis_id", "login", "section")  # student_rows' LMS identities
