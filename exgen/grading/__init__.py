"""Grading: read submissions, judge answers against keys, diagnose slips, write reports."""
from .judge import Verdict, grade_key  # noqa: F401
from .slips import DIAGNOSES  # noqa: F401
from .run import grade_files  # noqa: F401,E402
