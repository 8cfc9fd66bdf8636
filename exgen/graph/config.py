"""The `graph:` block of an exam config with `kind: graph` (exgen.exam.config reads the rest):

    kind: graph
    graph:
      gates: [add, mul, max, relu, addc, pow]   # the gates a drawn graph may use (exgen.graph.ops)
      size: 5                                    # gates per graph, 2..MAX_EXAM_GATES
      inputs: 3                                  # inputs per graph, 1..6
      decimals: 0                                # input values: whole numbers (0) or one decimal (1)
    questions: [node_value, local_gradient, downstream_gradient]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from exgen import fields, limits
from exgen.graph.ops import GATES

DEFAULT_GATES = ["add", "mul", "max", "relu", "addc", "pow"]
QUESTION_TYPES = ("node_value", "local_gradient", "downstream_gradient")  # exgen.kinds.graph's units
MAX_INPUTS = 6
KEYS = ("gates", "size", "inputs", "decimals")


@dataclass
class GraphConfig:
    gates: list[str] = field(default_factory=lambda: list(DEFAULT_GATES))
    size: int = 5
    inputs: int = 3
    decimals: int = 0


def from_dict(d: Any, fail: Callable[[str, str], Exception], src: str | None = None) -> GraphConfig:
    """Validate the `graph:` block; `fail(key, problem)` makes the config's error (`src`: its file)."""
    g = GraphConfig()
    if d is None:
        return g
    fields.mapping(d, "graph", fail, KEYS, "a mapping with gates, size, inputs, decimals")
    if "gates" in d:
        gs = d["gates"]
        if not isinstance(gs, list) or not gs:
            raise fail("graph.gates", f"expected a list of gates from: {', '.join(GATES)}")
        g.gates = [fields.choice(x, GATES, f"graph.gates[{i}]", fail) for i, x in enumerate(gs)]
        if not any(GATES[x].arity == 2 for x in g.gates):
            raise fail("graph.gates", "needs a gate of two operands (add, sub, mul, div or max) to join the inputs")
    for key, lo, hi in (("size", 2, limits.MAX_EXAM_GATES), ("inputs", 1, MAX_INPUTS), ("decimals", 0, 1)):
        if key in d:
            v = d[key]
            if key == "size" and fields.is_int(v):
                limits.check("gates in an exam graph", v, limits.MAX_EXAM_GATES, src, "key 'graph.size'",
                             "an exam graph is worked by hand")
            if not fields.is_int(v) or not lo <= v <= hi:
                raise fail(f"graph.{key}", f"expected a whole number from {lo} to {hi}, got {fields.describe(v)}")
            setattr(g, key, v)
    if g.inputs - 1 > g.size:
        raise fail("graph.size", f"{g.inputs} inputs need at least {g.inputs - 1} gates to be joined")
    return g
