"""Blackboard: its test "Download Results" (by question and user: Username, Last Name, First
Name, "Question ID N", "Question N", "Answer N", ...) and Grade Center exports are recognised by
their header (named in the grading summary; answers are mapped with --map), and the grades are
written back as a Grade Center upload (grades_blackboard.csv)."""
from __future__ import annotations

import re

NAME = "Blackboard"
ANSWER_RE = re.compile(r"^answer \d+$")


def matches(header: list[str]) -> bool:
    low = [h.strip().lower() for h in header]
    return "username" in low and ("last name" in low or any(ANSWER_RE.match(h) for h in low))


def question_columns(header: list[str]) -> list[str]:
    cols = [h for h in header if ANSWER_RE.match(h.strip().lower())]
    return cols or [h for h in header if h.strip().lower() not in
                    ("last name", "first name", "username", "student id", "last access", "availability")]


def gradebook(roll, title: str, column_id: str | None) -> tuple[list[str], list[list[str]], list[str]]:
    """Grade Center upload (Work Offline > Upload): Last Name, First Name, Username, Student ID
    and the grade column, "Title [Total Pts: N Score] |id" (with the column id Blackboard
    updates that column; without one it creates a new column). Keyed by Username (login, else
    username, else the student id). From an exgen.lms.roll.Roll; returns (header, columns, notes)."""
    col = f"{title} [Total Pts: {roll.most:g} Score]" + (f" |{column_id}" if column_id else "")
    ids = roll.students
    users, missing = ids, len(ids)
    if roll.has("login") or roll.has("username"):
        users = [a or b or s for a, b, s in zip(roll.col("login"), roll.col("username"), ids)]
        missing = sum(1 for a, b in zip(roll.col("login"), roll.col("username")) if not (a or b))
    notes = []
    if not column_id:
        notes.append("grades_blackboard.csv has no column id (--blackboard-column-id): Blackboard adds a new column")
    if missing:
        notes.append(f"grades_blackboard.csv: {missing} student(s) without a username (a roster column "
                     "'username'), their student id stands in")
    return (["Last Name", "First Name", "Username", "Student ID", col],
            [roll.col("last"), roll.col("first"), users, roll.col("sis_id"), roll.totals], notes)
