"""The gates: value, local gradients (d gate / d each operand), and formula text. The one table
every reader (solver, sheets, keys, hints, slips) uses.

Operands are arrays of one shape (..., the graphs of a group); `c` is the gate's constant
(0 for gates without one). sigmoid, tanh and relu use exgen.core.functions, the activations'
one home.
"""
from __future__ import annotations

import re
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
    dtext: tuple[str, ...]  # d gate / d operand, one per operand, as plain text of $a $b $c $o (the
    dlatex: tuple[str, ...]  # gate's value) $p (c - 1); the same as LaTeX (`local_formula` fills them in)
    title: str  # what the notes call it
    has_const: bool = False


def _one(a: Arr) -> Arr:
    return np.ones_like(a, dtype=float)


GATES: dict[str, Gate] = {g.op: g for g in [
    Gate("add", 2, lambda v, c: v[0] + v[1], lambda v, o, c: [_one(v[0]), _one(v[1])],
         "{a} + {b}", "{a} + {b}", ("1", "1"), ("1", "1"), "add gate: gradient distributor"),
    Gate("sub", 2, lambda v, c: v[0] - v[1], lambda v, o, c: [_one(v[0]), -_one(v[1])],
         "{a} - {b}", "{a} - {b}", ("1", "-1"), ("1", "-1"), "subtract gate"),
    Gate("mul", 2, lambda v, c: v[0] * v[1], lambda v, o, c: [v[1] * 1.0, v[0] * 1.0],
         "{a} * {b}", r"{a} \cdot {b}", ("$b", "$a"), ("$b", "$a"),
         "multiply gate: gradient switcher"),
    Gate("div", 2, lambda v, c: v[0] / v[1], lambda v, o, c: [1.0 / v[1], -v[0] / v[1] ** 2],
         "{a} / {b}", r"\frac{{{a}}}{{{b}}}", ("1/$b", "-$a/$b²"), (r"\frac{1}{$b}", r"-\frac{$a}{$b^2}"), "divide gate"),
    Gate("max", 2, lambda v, c: np.maximum(v[0], v[1]),
         lambda v, o, c: [(v[0] >= v[1]).astype(float), (v[1] > v[0]).astype(float)],
         "max({a}, {b})", r"\max({a}, {b})", ("1 if $a >= $b, else 0", "1 if $b > $a, else 0"),
         (r"[$a \ge $b]", r"[$b > $a]"),
         "max gate: gradient router"),
    Gate("neg", 1, lambda v, c: -v[0], lambda v, o, c: [-_one(v[0])], "-{a}", "-{a}", ("-1",), ("-1",), "negate gate (* -1)"),
    Gate("addc", 1, lambda v, c: v[0] + c, lambda v, o, c: [_one(v[0])], "{a} + {c}", "{a} + {c}", ("1",), ("1",),
         "add-a-constant gate", True),
    Gate("mulc", 1, lambda v, c: v[0] * c, lambda v, o, c: [c * _one(v[0])], "{c} * {a}", r"{c} \cdot {a}", ("$c",), ("$c",),
         "multiply-by-a-constant gate", True),
    Gate("divc", 1, lambda v, c: v[0] / c, lambda v, o, c: [_one(v[0]) / c], "{a} / {c}", r"\frac{{{a}}}{{{c}}}",
         ("1/$c",), (r"\frac{1}{$c}",), "divide-by-a-constant gate", True),
    Gate("pow", 1, lambda v, c: v[0] ** c, lambda v, o, c: [c * v[0] ** (c - 1)], "{a}^{c}", "{a}^{{{c}}}",
         ("$c·$a^$p",), (r"$c \cdot $a^{$p}",), "power gate", True),
    Gate("inv", 1, lambda v, c: 1.0 / v[0], lambda v, o, c: [-1.0 / v[0] ** 2], "1/{a}", r"\frac{{1}}{{{a}}}",
         ("-1/$a²",), (r"-\frac{1}{$a^2}",), "1/x gate"),
    Gate("exp", 1, lambda v, c: np.exp(v[0]), lambda v, o, c: [o * 1.0], "exp({a})", "e^{{{a}}}", ("exp($a)",), ("e^{$a}",),
         "exp gate"),
    Gate("log", 1, lambda v, c: np.log(v[0]), lambda v, o, c: [1.0 / v[0]], "log({a})", r"\log({a})", ("1/$a",), (r"\frac{1}{$a}",),
         "log gate"),
    Gate("sigmoid", 1, lambda v, c: _S.f(v[0]), lambda v, o, c: [_S.df(v[0], o)], "sigmoid({a})",  # type: ignore[misc]
         r"\sigma({a})", ("$o·(1 - $o)",), (r"$o\,(1 - $o)",), "sigmoid gate"),
    Gate("tanh", 1, lambda v, c: _T.f(v[0]), lambda v, o, c: [_T.df(v[0], o)], "tanh({a})",  # type: ignore[misc]
         r"\tanh({a})", ("1 - $o²",), ("1 - $o^2",), "tanh gate"),
    Gate("relu", 1, lambda v, c: _R.f(v[0]), lambda v, o, c: [_R.df(v[0], o)], "relu({a})",  # type: ignore[misc]
         r"\max(0, {a})", ("1 if $a > 0, else 0",), (r"[$a > 0]",), "relu gate"),
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


def local_formula(op: str, slot: int, a: str, b: str = "", c: float = 0.0, o: str = "", latex: bool = False) -> str:
    """d gate / d operand `slot` as a formula of the operands' names or numbers (a, b), the
    constant c and the gate's value o."""
    g = GATES[op]
    t = (g.dlatex if latex else g.dtext)[slot]
    for k, v in (("$a", a), ("$b", b), ("$c", num(c)), ("$o", o), ("$p", num(c - 1))):
        t = t.replace(k, v)
    return t


def symbol(name: str) -> str:
    """A name as LaTeX: w0 -> w_{0}, f_1 -> f_{1}, out -> \\mathit{out}."""
    def word(w: str) -> str:
        return w if len(w) == 1 else "\\mathit{" + w.replace("_", "\\_") + "}"
    m = re.match(r"^([A-Za-z]+)_?([0-9]+)$", name) or re.match(r"^([A-Za-z]+)_([A-Za-z0-9_]+)$", name)
    if m:
        return word(m.group(1)) + "_{" + m.group(2).replace("_", "\\_") + "}"
    return word(name)
