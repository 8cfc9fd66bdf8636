"""One exercise: a network, its solution (the engine's and the solve --json object), the notation
it prints in, and the questions asked about it. `exgen generate` makes one per student
(exgen.generate), `exgen practice` one per session (exgen.practice wraps it with a title and how
to redo it); the sheet and key renderer (exgen.render) reads it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .engine import Solution, solve
from .kinds import Question, build_questions
from .notation import Notation
from .solution import to_dict
from .spec import Spec


@dataclass
class Exercise:
    spec: Spec
    nt: Notation
    solution: Solution  # the engine's
    solution_json: dict[str, Any]  # the solve --json object (exgen.solution)
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
