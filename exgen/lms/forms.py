"""Google Forms and Microsoft Forms response exports: recognised by their header (named in the
grading summary); their question columns are titled by the form's questions, so they are mapped
onto question ids with --map (the error proposes the lines)."""
from __future__ import annotations

GOOGLE = "Google Forms responses"
MICROSOFT = "Microsoft Forms responses"
# columns the form itself adds (not questions), lower case
GOOGLE_META = ("timestamp", "email address", "score", "name", "student id", "student_id")
MICROSOFT_META = ("id", "start time", "completion time", "email", "name", "last modified time", "total points",
                  "quiz feedback", "grade posted time", "student id", "student_id")


def _low(header: list[str]) -> list[str]:
    return [h.strip().lower() for h in header]


def is_google(header: list[str]) -> bool:
    low = _low(header)
    return bool(low) and low[0] == "timestamp"


def is_microsoft(header: list[str]) -> bool:
    low = _low(header)
    return {"id", "start time", "completion time"} <= set(low)


def question_columns(header: list[str], meta: tuple[str, ...]) -> list[str]:
    """The columns that hold answers: not the form's own, nor Microsoft's per-question
    "Points - ..." and "Feedback - ..." columns."""
    return [h for h in header if h.strip().lower() not in meta
            and not h.strip().lower().startswith(("points - ", "feedback - "))]
