"""The gates: value, local gradients (d gate / d each operand), and formula text. The one table
every reader (solver, sheets, keys, hints, slips) uses.

Operands are arrays of one shape (..., the graphs of a group); `c` is the gate's constant
(0 for gates without one). sigmoid, tanh and relu use exgen.core.functions, the activations'
one home.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from exgen.core.functions import ACTIVATIONS

Arr = np.ndarray
_S, _T, _R = ACTIVATIONS["sigmoid"], ACTIVATIONS["tanh"], ACTIVATIONS["relu"]


@dataclass(frozen=True)
class Gate:
    op: str
    arity: int
    f: Callable[[list[Arr], float], Arr]
    local: Callable[[list[Arr], Arr, float], list[Arr]]  # (operands, value, c) -> d value / d operand
    text: str  # the gate as plain text of {a}, {b}, {c}
    latex: str  # ... as LaTeX
    dtext: str  # its local gradients as plain text, "; "-separated, one per operand
    title: str  # what the notes call it
    has_const: bool = False


def _one(a: Arr) -> Arr:
    return np.ones_like(a, dtype=float)


GATES: dict[str, Gate] = {g.op: g for g in [
    Gate("add", 2, lambda v, c: v[0] + v[1], lambda v, o, c: [_one(v[0]), _one(v[1])],
         "{a} + {b}", "{a} + {b}", "1; 1", "add gate: gradient distributor"),
    Gate("sub", 2, lambda v, c: v[0] - v[1], lambda v, o, c: [_one(v[0]), -_one(v[1])],
         "{a} - {b}", "{a} - {b}", "1; -1", "subtract gate"),
    Gate("mul", 2, lambda v, c: v[0] * v[1], lambda v, o, c: [v[1] * 1.0, v[0] * 1.0],
         "{a} * {b}", r"{a} \cdot {b}", "{b}; {a} (each operand gets the other one)",
         "multiply gate: gradient switcher"),
    Gate("div", 2, lambda v, c: v[0] / v[1], lambda v, o, c: [1.0 / v[1], -v[0] / v[1] ** 2],
         "{a} / {b}", r"\frac{{{a}}}{{{b}}}", "1/{b}; -{a}/{b}²", "divide gate"),
    Gate("max", 2, lambda v, c: np.maximum(v[0], v[1]),
         lambda v, o, c: [(v[0] >= v[1]).astype(float), (v[1] > v[0]).astype(float)],
         "max({a}, {b})", r"\max({a}, {b})", "1 for the larger operand, 0 for the other",
         "max gate: gradient router"),
    Gate("neg", 1, lambda v, c: -v[0], lambda v, o, c: [-_one(v[0])], "-{a}", "-{a}", "-1", "negate gate (* -1)"),
    Gate("addc", 1, lambda v, c: v[0] + c, lambda v, o, c: [_one(v[0])], "{a} + {c}", "{a} + {c}", "1",
         "add-a-constant gate", True),
    Gate("mulc", 1, lambda v, c: v[0] * c, lambda v, o, c: [c * _one(v[0])], "{c} * {a}", r"{c} \cdot {a}", "{c}",
         "multiply-by-a-constant gate", True),
    Gate("divc", 1, lambda v, c: v[0] / c, lambda v, o, c: [_one(v[0]) / c], "{a} / {c}", r"\frac{{{a}}}{{{c}}}",
         "1/{c}", "divide-by-a-constant gate", True),
    Gate("pow", 1, lambda v, c: v[0] ** c, lambda v, o, c: [c * v[0] ** (c - 1)], "{a}^{c}", "{a}^{{{c}}}",
         "{c}·{a}^({c} - 1)", "power gate", True),
    Gate("inv", 1, lambda v, c: 1.0 / v[0], lambda v, o, c: [-1.0 / v[0] ** 2], "1/{a}", r"\frac{{1}}{{{a}}}",
         "-1/{a}²", "1/x gate"),
    Gate("exp", 1, lambda v, c: np.exp(v[0]), lambda v, o, c: [o * 1.0], "exp({a})", "e^{{{a}}}", "exp({a})",
         "exp gate"),
    Gate("log", 1, lambda v, c: np.log(v[0]), lambda v, o, c: [1.0 / v[0]], "log({a})", r"\log({a})", "1/{a}",
         "log gate"),
    Gate("sigmoid", 1, lambda v, c: _S.f(v[0]), lambda v, o, c: [_S.df(v[0], o)], "sigmoid({a})",  # type: ignore[misc]
         r"\sigma({a})", "σ({a})·(1 - σ({a}))", "sigmoid gate"),
    Gate("tanh", 1, lambda v, c: _T.f(v[0]), lambda v, o, c: [_T.df(v[0], o)], "tanh({a})",  # type: ignore[misc]
         r"\tanh({a})", "1 - tanh²({a})", "tanh gate"),
    Gate("relu", 1, lambda v, c: _R.f(v[0]), lambda v, o, c: [_R.df(v[0], o)], "relu({a})",  # type: ignore[misc]
         r"\max(0, {a})", "1 if {a} > 0, else 0", "relu gate"),
]}

FUNCTIONS = ("exp", "log", "sigmoid", "tanh", "relu", "max")  # callable by name in an expression


def num(c: float) -> str:
    """A constant as written in formulas: 2, -0.5, 1.5."""
    return f"{c:.15g}"


def gate_text(op: str, args: list[str], c: float = 0.0, latex: bool = False) -> str:
    """The gate applied to operand names (or LaTeX symbols)."""
    g = GATES[op]
    a, b = (args + ["", ""])[:2]
    if op == "addc" and c < 0:
        return f"{a} - {num(-c)}"
    return (g.latex if latex else g.text).format(a=a, b=b, c=num(c))
