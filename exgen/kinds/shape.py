"""Shape: the matrix form of the first layer over the batch, the shapes of X, W, b, Z, dL/dZ,
dL/dW, dL/db in the config's convention (ref /shapes/<row|column>/<l>/<name>; the solution
object's "shapes", read off the engine's arrays by exgen.core.shapes). The answer is a shape
"4x3" (answer-key version 2), graded exactly by exgen.grading.shapes; the key also holds the
vectorised expression. No dependencies. Slip: the shape transposed."""
from __future__ import annotations

from typing import Any

from exgen.core import shapes
from exgen.core.refs import Ref
from exgen.core.solve import Solution
from exgen.core.notation import Notation
from exgen.exam.worked import Fmt
from exgen.kinds.base import Asker, Kind, Question, ptr, register

LAYER = 0  # the layer asked about: the first, whose X is the input


def _times(shape: tuple[int, int] | list[int]) -> str:
    return rf"{shape[0]} \times {shape[1]}"


def _sizes(sol: Solution, l: int) -> tuple[int, int, int]:
    """(n, d, k): samples, inputs and neurons of weight layer l."""
    return sol.spec.x.shape[0], sol.spec.layers[l], sol.spec.layers[l + 1]


@register("shapes", "Matrix form: shapes", ("shape",),
          r"shapes/(?:row|column)/\d+/(?:" + "|".join(shapes.NAMES) + ")")
class Shape(Kind):
    def ask(self, a: Asker) -> None:
        conv = a.convention
        eq = "Z = XW + b (one row per sample)" if conv == "row" else "Z = WX + b (one column per sample)"
        for name in shapes.NAMES:
            sym, what = shapes.LATEX[name], shapes.TEXT[name]
            form, rows = eq.split(" (")
            a.add(f"the shape of {what} in {eq}, as rows x columns",
                  f"the shape of ${sym}$ in ${form}$ ({rows}, as rows $\\times$ columns",
                  ptr("shapes", conv, LAYER, name), [], sym, shapes.EXPRESSIONS[conv][name])

    def shown(self, q: Question, f: Fmt) -> str:
        rows, cols = str(q.answer).split("x")
        return _times((int(rows), int(cols)))

    def answer_latex(self, q: Question, answer: str) -> str:
        return rf"{q.symbol}\ \text{{is}}\ {answer}"

    def steps(self, ref: Ref, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
        """The matrix equation with each factor's shape, and the vectorised expression."""
        conv, name = shapes.CONVENTIONS[ref.index[0]], shapes.NAMES[ref.index[1]]
        s = shapes.of_solution(sol, ref.layer, conv)
        n, d, k = _sizes(sol, ref.layer)
        sizes = rf"\text{{$n = {n}$ samples, $d = {d}$ inputs, $k = {k}$ neurons}}"
        T = r"^{\top}"
        if conv == "row":
            z = rf"Z = XW + b:\ ({_times(s['X'])})({_times(s['W'])}) + ({_times(s['b'])}) \to {_times(s['Z'])}"
            dw = rf"\frac{{\partial L}}{{\partial W}} = \frac{{1}}{{n}} X{T} \delta:\ ({_times(s['X'][::-1])})({_times(s['dZ'])}) = {_times(s['dW'])}"
            db = rf"\frac{{\partial L}}{{\partial b}} = \frac{{1}}{{n}} \mathbf{{1}}{T} \delta:\ (1 \times {n})({_times(s['dZ'])}) = {_times(s['db'])}"
        else:
            z = rf"Z = WX + b:\ ({_times(s['W'])})({_times(s['X'])}) + ({_times(s['b'])}) \to {_times(s['Z'])}"
            dw = rf"\frac{{\partial L}}{{\partial W}} = \frac{{1}}{{n}} \delta X{T}:\ ({_times(s['dZ'])})({_times(s['X'][::-1])}) = {_times(s['dW'])}"
            db = rf"\frac{{\partial L}}{{\partial b}} = \frac{{1}}{{n}} \delta \mathbf{{1}}:\ ({_times(s['dZ'])})({n} \times 1) = {_times(s['db'])}"
        dz = rf"\frac{{\partial L}}{{\partial Z}} = \frac{{1}}{{n}}\delta \text{{ has the shape of }} Z:\ {_times(s['dZ'])}"
        lines = {"X": [z], "W": [z], "b": [z], "Z": [z], "dZ": [dz], "dW": [dw], "db": [db]}[name]
        return [sizes, *lines]

    def hints(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        conv, name = shapes.CONVENTIONS[ref.index[0]], shapes.NAMES[ref.index[1]]
        form = ("Z = XW + b with one row per sample: X is (samples x inputs)" if conv == "row"
                else "Z = WX + b with one column per sample: X is (inputs x samples)")
        layout = shapes.EXPRESSIONS[conv][name]
        return [f"Write the layer as {form}; the product's inner sizes must agree.",
                f"A gradient has the shape of what it differentiates: {shapes.TEXT[name]} follows from {layout}."
                if name.startswith("d") else f"In matrix form, {layout}."]  # X, W, b, Z are no gradients

    def worked_text(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        conv, name = shapes.CONVENTIONS[ref.index[0]], shapes.NAMES[ref.index[1]]
        s = shapes.of_solution(sol, ref.layer, conv)
        n, d, k = _sizes(sol, ref.layer)
        return [f"n = {n} samples, d = {d} inputs, k = {k} neurons; {shapes.EXPRESSIONS[conv][name]}",
                f"{shapes.TEXT[name]} is {shapes.text(s[name])}"]
