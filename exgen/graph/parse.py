"""Expressions -> gates. A small recursive-descent parser (never eval) that accepts only
numbers, names, + - * /, unary minus, a constant power (x**2 or x^2), exp, log, sigmoid, tanh,
relu and max(a, b), and then takes the expression apart into one node per gate, as the notes do
for the sigmoid neuron (seed 002: *, *, +, +, *-1, exp, +1, 1/x).

Errors are one line that points at the column: `expression, column 7: unknown function 'sin'`.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable

from exgen import limits
from exgen.graph.ops import FUNCTIONS

_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
                    r"|(?P<op>\*\*|[-+*/^(),]))")


class ParseError(Exception):
    """A problem at a column (1-based) of an expression."""

    def __init__(self, col: int, problem: str):
        self.col, self.problem = col, problem
        super().__init__(f"column {col}: {problem}")


@dataclass
class Expr:
    kind: str  # "num", "var", or a gate-ish operator: + - * / neg pow, or a function name
    col: int
    value: float = 0.0  # num
    name: str = ""  # var
    args: list["Expr"] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str):
        self.text, self.toks, self.i = text, self._lex(text), 0

    @staticmethod
    def _lex(text: str) -> list[tuple[str, str, int]]:
        toks, pos = [], 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
                raise ParseError(col, f"unexpected character {text[col - 1]!r}")
            kind = m.lastgroup or ""
            start = m.start(kind) + 1
            toks.append((kind, m.group(kind), start))
            pos = m.end()
        toks.append(("end", "", len(text) + 1))
        return toks

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self, want: str | None = None) -> tuple[str, str, int]:
        t = self.toks[self.i]
        if want is not None and t[1] != want:
            raise ParseError(t[2], f"expected '{want}', got {_what(t)}")
        self.i += 1
        return t

    def nested(self, depth: int) -> None:
        if depth > limits.MAX_EXPRESSION_DEPTH:
            raise ParseError(self.peek()[2], f"nested too deeply (the limit is {limits.MAX_EXPRESSION_DEPTH} levels)")

    def chain(self, ops: tuple[str, ...], operand: Callable[[int], Expr], depth: int) -> Expr:
        """operand (op operand)*, left to right: a + b - c, a * b / c."""
        left = operand(depth)
        while self.peek()[1] in ops:
            _, op, col = self.take()
            left = Expr(op, col, args=[left, operand(depth)])
        return left

    def expr(self, depth: int) -> Expr:
        self.nested(depth)
        return self.chain(("+", "-"), self.term, depth)

    def term(self, depth: int) -> Expr:
        return self.chain(("*", "/"), self.unary, depth)

    def unary(self, depth: int) -> Expr:
        self.nested(depth)
        t = self.peek()
        if t[1] == "-":
            self.take()
            return Expr("neg", t[2], args=[self.unary(depth + 1)])
        if t[1] == "+":
            self.take()
            return self.unary(depth + 1)
        base = self.atom(depth)
        if self.peek()[1] in ("^", "**"):
            _, _, col = self.take()
            return Expr("pow", col, args=[base, self.unary(depth + 1)])
        return base

    def atom(self, depth: int) -> Expr:
        kind, tok, col = self.take()
        if kind == "num":
            v = float(tok)
            if not math.isfinite(v):
                raise ParseError(col, f"number {tok} is too large")
            return Expr("num", col, value=v)
        if kind == "name":
            if self.peek()[1] != "(":
                return Expr("var", col, name=tok)
            if tok not in FUNCTIONS:
                raise ParseError(col, f"unknown function '{tok}' (known: {', '.join(FUNCTIONS)})")
            self.take("(")
            args = [self.expr(depth + 1)]
            while self.peek()[1] == ",":
                self.take()
                args.append(self.expr(depth + 1))
            self.take(")")
            want = 2 if tok == "max" else 1
            if len(args) != want:
                raise ParseError(col, f"{tok} takes {want} argument{'s' * (want > 1)}, got {len(args)}")
            return Expr(tok, col, args=args)
        if tok == "(":
            e = self.expr(depth + 1)
            self.take(")")
            return e
        raise ParseError(col, f"expected a number, a name or '(', got {_what((kind, tok, col))}")


def _what(t: tuple[str, str, int]) -> str:
    return "the end of the expression" if t[0] == "end" else f"'{t[1]}'"


def parse(text: str) -> Expr:
    """The expression tree of `text`; ParseError (with the column) if it is not one."""
    limits.check("characters in an expression", len(text), limits.MAX_EXPRESSION_CHARS)
    p = _Parser(text)
    if p.peek()[0] == "end":
        raise ParseError(1, "empty expression")
    e = p.expr(0)
    if p.peek()[0] != "end":
        raise ParseError(p.peek()[2], f"unexpected {_what(p.peek())}")
    return e


# ---- taking an expression apart into gates ---------------------------------------------------

@dataclass
class Node:
    """One gate: id = op(args...) with the constant c (addc, mulc, divc, pow)."""
    id: str
    op: str
    args: list[str]
    c: float = 0.0


def _fold(op: str, vals: list[float], col: int) -> float:
    import numpy as np
    from exgen.graph.ops import GATES
    with np.errstate(all="ignore"):
        v = float(GATES[op].f([np.array(x) for x in vals], vals[1] if op == "pow" else 0.0)) if op != "pow" \
            else float(np.float64(vals[0]) ** vals[1])
    if not math.isfinite(v):
        raise ParseError(col, f"the constant part {op}({', '.join(f'{x:g}' for x in vals)}) is not a finite number")
    return v


class Lowering:
    """Emit gates for expression trees. `known`: the names an expression may use (inputs and the
    nodes defined before); `fresh()` names an intermediate gate."""

    def __init__(self, known: set[str], fresh, out: list[Node]):
        self.known, self.fresh, self.out = known, fresh, out

    def emit(self, op: str, args: list[str], c: float, col: int) -> tuple[str, str | float]:
        if len(self.out) >= limits.MAX_GRAPH_NODES:
            raise ParseError(col, f"too many gates: the limit is {limits.MAX_GRAPH_NODES}")
        n = Node(self.fresh(), op, args, float(c))
        self.out.append(n)
        self.known.add(n.id)
        return ("ref", n.id)

    def lower(self, e: Expr) -> tuple[str, str | float]:
        if e.kind == "num":
            return ("const", _limit(e.value, e.col))
        if e.kind == "var":
            if e.name not in self.known:
                raise ParseError(e.col, f"unknown name '{e.name}' (an expression may use the inputs and the nodes "
                                        "defined before it)")
            return ("ref", e.name)
        parts = [self.lower(a) for a in e.args]
        consts = [p[1] for p in parts if p[0] == "const"]
        if len(consts) == len(parts):  # constant: folded
            op = {"+": "add", "-": "sub", "*": "mul", "/": "div"}.get(e.kind, e.kind)
            if op == "div" and consts[1] == 0:
                raise ParseError(e.col, "division by zero")
            return ("const", _limit(_fold(op, [float(c) for c in consts], e.col), e.col))
        if e.kind == "pow":
            if parts[1][0] != "const":
                raise ParseError(e.col, "the exponent must be a number (a constant power such as x^2)")
            return self.emit("pow", [str(parts[0][1])], float(parts[1][1]), e.col)
        if len(parts) == 1:
            op = "neg" if e.kind == "neg" else e.kind
            return self.emit(op, [str(parts[0][1])], 0.0, e.col)
        (ka, a), (kb, b) = parts
        if ka == "ref" and kb == "ref":
            op = {"+": "add", "-": "sub", "*": "mul", "/": "div", "max": "max"}[e.kind]
            return self.emit(op, [str(a), str(b)], 0.0, e.col)
        ref, c, const_first = (str(b), float(a), True) if ka == "const" else (str(a), float(b), False)  # type: ignore[arg-type]
        if e.kind == "+":
            return self.emit("addc", [ref], c, e.col)
        if e.kind == "-":
            if not const_first:
                return self.emit("addc", [ref], -c, e.col)
            r = self.emit("neg", [ref], 0.0, e.col)
            return r if c == 0 else self.emit("addc", [str(r[1])], c, e.col)
        if e.kind == "*":
            return self.emit("neg", [ref], 0.0, e.col) if c == -1 else self.emit("mulc", [ref], c, e.col)
        if e.kind == "/":
            if not const_first:
                if c == 0:
                    raise ParseError(e.col, "division by zero")
                return self.emit("divc", [ref], c, e.col)
            r = self.emit("inv", [ref], 0.0, e.col)
            return r if c == 1 else self.emit("mulc", [str(r[1])], c, e.col)
        # max with a constant
        if c != 0:
            raise ParseError(e.col, "max(a, b) takes two variables, or a variable and 0 (a relu)")
        return self.emit("relu", [ref], 0.0, e.col)


def _limit(v: float, col: int) -> float:
    if abs(v) > limits.MAX_GRAPH_NUMBER:
        raise ParseError(col, f"the number {v:g} is too large (the limit is {limits.MAX_GRAPH_NUMBER:g})")
    return v


def take_apart(text: str, name: str, known: set[str], fresh, out: list[Node]) -> None:
    """Parse `text` and append its gates to `out`, the last one named `name`."""
    e = parse(text)
    start = len(out)
    kind, got = Lowering(known, fresh, out).lower(e)
    if kind != "ref" or len(out) == start or out[-1].id != got:
        raise ParseError(e.col, "not a gate: a node computes something from its inputs (e.g. 'x + y')")
    known.discard(out[-1].id)
    out[-1].id = name
    known.add(name)
