"""One exercise: a network, its solution (the engine's and the solve --json object), the notation
it prints in, and the questions asked about it. `exgen generate` makes one per student
(exgen.exam.draw), `exgen practice` one per session (exgen.student.practice wraps it with a title and how
to redo it); the sheet and key renderer (exgen.exam.render) reads it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exgen.core.solve import Solution, solve
from exgen.kinds import Question, build_questions
from exgen.core.notation import Notation
from exgen.core.solution import to_dict
from exgen.core.spec import Spec


@dataclass
class Exercise:
    spec: Spec
    nt: Notation
    solution: Solution  # the engine's
    solution_json: dict[str, Any]  # the solve --json object (exgen.core.solution)
    questions: list[Question]
    student_id: str = ""
    student_seed: int = 0
    attempts: int = 1  # draws made (1 = the first draw passed)


def make(spec: Spec, nt: Notation, asked: list[dict[str, Any]], tolerance: dict[str, Any] | None = None,
         student_id: str = "", student_seed: int = 0) -> Exercise:
    """Solve `spec` and ask `asked` (the config's list of {"type", "points"}) about it."""
    sol = solve(spec)
    sol_json = to_dict(sol, nt)
    return Exercise(spec, nt, sol, sol_json, build_questions(spec, sol_json, nt, asked, tolerance),
                    student_id, student_seed)
