"""Grading: read submissions, judge answers against keys, diagnose slips, write reports."""
from exgen.grading.judge import Verdict, grade_key  # noqa: F401
from exgen.grading.slips import DIAGNOSES  # noqa: F401
from exgen.grading.run import grade_files  # noqa: F401,E402
