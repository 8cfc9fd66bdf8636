"""The graded students as the LMS gradebooks see them (exgen.lms.canvas / moodle / blackboard
`gradebook`), column by column: student ids, totals, maxima and the LMS fields (name, email,
idnumber, canvas_id, sis_id, login, section, first, last, ...) the report and the roster carry."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Roll:
    students: list[str]
    total: np.ndarray  # (n,) float
    maximum: np.ndarray  # (n,) float
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> (n,) texts, "" where a student has none

    def col(self, name: str) -> list[str]:
        """The field `name` of every student ("" where missing; a new list when nobody has it)."""
        got = self.fields.get(name)
        return got if got is not None else [""] * len(self.students)

    def has(self, name: str) -> bool:
        """Does any student have the field `name` (a non-empty text)?"""
        return any(self.fields.get(name, ()))

    @functools.cached_property
    def totals(self) -> list[str]:
        """Each student's total as the gradebooks write it ("{:g}"), each distinct total formatted once."""
        from exgen.grading.csvcells import formatted
        return formatted(self.total, "{:g}").tolist()

    @functools.cached_property
    def most(self) -> float:
        """The largest maximum (0 for no students): the gradebooks' points possible."""
        return max(self.maximum.tolist(), default=0)

    @classmethod
    def of(cls, rows: list[dict]) -> Roll:
        """A roll from one dict per student (student_id, total, maximum and LMS fields)."""
        names = {k for r in rows for k in r} - {"student_id", "total", "maximum"}
        return cls([r["student_id"] for r in rows], np.array([r["total"] for r in rows], dtype=float),
                   np.array([r["maximum"] for r in rows], dtype=float),
                   {k: [r.get(k) or "" for r in rows] for k in sorted(names)})
