"""Question kinds, one unit (module) each: forward, loss, gradient, path, update, loss_after;
and the computational graphs' node value, local gradient, downstream gradient (graph.py).
See base.py for the protocol. `build_questions` asks a config's groups; `read` finds the unit of a
ref (parsed once); `REF_RE` matches the refs the units answer."""
from __future__ import annotations

import re
from typing import Any

from exgen.core.refs import Ref, parse
from exgen.core.notation import Notation
from exgen.core.spec import Spec
from exgen.kinds import forward, loss, delta, gradient, path, update, loss_after, shape  # noqa: F401  (registers, in config order)
from exgen.kinds.base import KINDS, Asker, Kind, Question, gradient_params, unit

from exgen.kinds import graph  # noqa: F401,E402  (computational graphs: family "graph")

QUESTION_TYPES = tuple(k for k, u in KINDS.items() if u.family == "network")  # a network exam's
# what an exam asks when its config does not say (the kinds of a single-sample exam)
DEFAULT_TYPES = ("forward", "loss", "gradients", "paths", "update", "loss_after")
# the refs questions can have: the quantities exgen asks for
REF_RE = re.compile("^/(?:" + "|".join(k.ref_pattern for k in KINDS.values()) + ")$")
DEFAULT_TOLERANCE = {"kind": "rel", "value": 0.01}

__all__ = ["DEFAULT_TYPES", "KINDS", "QUESTION_TYPES", "REF_RE", "Asker", "Kind", "Question", "build_questions",
           "gradient_params", "read", "unit"]


def read(ref: str, L: int) -> tuple[Kind, Ref]:
    """The unit and the parsed ref of a solution ref (networks of L weight layers); KeyError if
    no unit answers it."""
    try:
        r = parse(ref, L)
    except KeyError:
        from exgen.graph.refs import parse as graph_ref
        r = graph_ref(ref)  # a computational graph's (exgen.kinds.graph)
    return unit(r), r


def build_questions(spec: Spec, solution: dict[str, Any], nt: Notation, asked: list[dict[str, Any]],
                    tolerance: dict[str, Any] | None = None, convention: str = "row") -> list[Question]:
    """The exam's questions for one network. `asked` is the config's list of
    {"type": ..., "points": ...}; `solution` is the solve --json object of `spec`; `convention`:
    the matrix form of shapes questions (row: z = xW + b, column: z = Wx + b)."""
    a = Asker(spec, solution, nt, dict(tolerance or DEFAULT_TOLERANCE), convention)
    for g, item in enumerate(asked, start=1):
        kind = item["type"]
        if kind not in KINDS:
            raise ValueError(f"unknown question type {kind!r}; valid: {', '.join(QUESTION_TYPES)}")
        a.start(g, kind, item.get("points", 1))
        KINDS[kind].ask(a)
    return a.questions
