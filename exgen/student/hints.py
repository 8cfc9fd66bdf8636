"""Hints for one question, from a nudge to the full step, and the step worked out.

A hint names the next thing to compute and the formula, and may quote *given* numbers (inputs,
targets, weights, biases, the learning rate), never a computed one: the answer stays hidden until
the student asks for the worked step. Questions are located by their `ref` (a JSON pointer into
the solution object, see questions.py), parsed once; the text is their kind's unit's
(exgen.kinds), so hints work for any answer key.
"""
from __future__ import annotations

from typing import Any

from exgen.core.refs import Ref
from exgen.kinds import Kind, read
from exgen.core.notation import Notation


def _unit(sol: Any, q: dict[str, Any]) -> tuple[Kind, Ref]:
    try:
        return read(q["ref"], getattr(sol.spec, "n_layers", 1))  # a graph's Run has no layers
    except KeyError:
        raise ValueError(f"no hints for ref {q['ref']!r}") from None


def hints(sol: Any, nt: Notation, q: dict[str, Any]) -> list[str]:
    """Hints for question q, first the gentlest. None of them contains a computed number."""
    unit, ref = _unit(sol, q)
    return unit.hints(ref, sol, nt)


def worked_step(sol: Any, nt: Notation, q: dict[str, Any]) -> list[str]:
    """The step of question q worked out with every number (this reveals the answer)."""
    unit, ref = _unit(sol, q)
    return unit.worked_text(ref, sol, nt)
