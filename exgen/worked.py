r"""Worked solutions as LaTeX lines, built from the engine's numbers (never typed by hand).

Every function returns a list of display-math lines, each typeset as its own paragraph that
TeX breaks after `=`, `+` or `\cdot` where it is too long for the page (no `&`, no `\\`, and no
`\left...\right`, which could not break). Given numbers print with `decimals` digits, computed
values with `answer_decimals`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import Solution
from .functions import ACTIVATIONS, LOSSES
from .notation import Notation
from .questions import Question


@dataclass(frozen=True)
class Fmt:
    decimals: int
    answer_decimals: int

    def given(self, v: float) -> str:
        return f"{v:.{self.decimals}f}"

    def ans(self, v: float) -> str:
        """An answer as printed in the key (and as the filters require it to be non-zero)."""
        return f"{v:.{self.answer_decimals}f}"

    def val(self, v: float) -> str:
        """An intermediate value: answer_decimals digits, or 4 significant digits if smaller."""
        if v == 0 or abs(v) >= 0.5 * 10.0 ** -self.answer_decimals:
            return self.ans(v)
        mant, exp = f"{v:.3e}".split("e")
        return rf"{mant} \times 10^{{{int(exp)}}}"

    @staticmethod
    def par(s: str) -> str:
        """Parenthesize a negative number or a product term for use as a factor."""
        return f"({s})" if s.startswith("-") or "times" in s else s


def forward_steps(sol: Solution, nt: Notation, f: Fmt, l: int, j: int) -> list[str]:
    """z and h of neuron j of layer l+1 (0-based weight layer l)."""
    spec = sol.spec
    zs, inputs = [], []
    for k in range(spec.layers[l]):
        zs.append(f"{nt.w(l, j, k)}\\,{nt.h(l, k)}")
        prev = spec.x[0, k] if l == 0 else sol.fwd.h[l][0, k]
        inputs.append(f"{f.par(f.given(spec.weights[l][j, k]))} \\cdot {f.par(f.given(prev) if l == 0 else f.val(prev))}")
    if spec.biases is not None:
        zs.append(nt.b(l, j))
        inputs.append(f.par(f.given(spec.biases[l][j])))
    z, h = sol.fwd.z[l][0, j], sol.fwd.h[l + 1][0, j]
    lines = [f"{nt.z(l + 1, j)} = {' + '.join(zs)} = {' + '.join(inputs)} = {f.val(z)}"]
    act = spec.activations[l]
    zv = f.val(z)
    rhs = {"sigmoid": rf"\sigma({zv}) = \frac{{1}}{{1+e^{{-{f.par(zv)}}}}}",
           "tanh": rf"\tanh({zv})", "relu": rf"\max(0,\ {zv})", "linear": zv}.get(act)
    if act == "softmax":
        n = spec.layers[l + 1]
        den = " + ".join(f"e^{{{f.val(sol.fwd.z[l][0, m])}}}" for m in range(n))
        rhs = rf"\frac{{e^{{{nt.z(l + 1, j)}}}}}{{\sum_m e^{{{nt.pre}_m}}}} = \frac{{e^{{{zv}}}}}{{{den}}}"
    lines.append(f"{nt.h(l + 1, j)} = {rhs} = {f.ans(h)}")
    return lines


def loss_steps(sol: Solution, nt: Notation, f: Fmt, after: bool = False) -> list[str]:
    spec = sol.spec
    out = (sol.fwd_after if after else sol.fwd).output[0]
    y = spec.y[0]
    K = len(y)
    name = "L'" if after else "L"
    pairs = [(f.given(y[k]), f.par(f.val(out[k]))) for k in range(K)]
    sq = " + ".join(f"({a} - {b})^2" for a, b in pairs)
    rhs = {"half_sse": rf"\frac{{1}}{{2}}\bigl[{sq}\bigr]", "sse": sq,
           "mse": rf"\frac{{1}}{{{K}}}\bigl[{sq}\bigr]",
           "bce": "-\\bigl[" + " + ".join(rf"{a}\log {b} + (1-{a})\log(1-{b})" for a, b in pairs) + "\\bigr]",
           "cross_entropy": "-\\bigl[" + " + ".join(rf"{a}\log {b}" for a, b in pairs) + "\\bigr]"}[spec.loss]
    value = sol.loss_after if after else sol.loss
    lines = []
    if after:
        lines.append(r"\hat y' = (" + ",\\ ".join(f.val(v) for v in out) + r") \quad\text{(forward pass with the updated parameters)}")
    lines.append(f"{name} = {LOSSES[spec.loss].latex} = {rhs} = {f.ans(value)}")
    return lines


def _path_entry(sol_json: dict[str, Any], kind: str, index: tuple[int, ...]) -> dict[str, Any]:
    return next(e for e in sol_json["paths"] if e["param"] == kind and e["index"] == list(index)
                and e.get("sample", 0) == 0)


def path_lines(path: dict[str, Any], f: Fmt, label: str, result: str | None = None) -> list[str]:
    """The chain of partial derivatives of one path, then its factor values and their product
    (`result`: the product as printed, by default an intermediate value)."""
    chain = r" \cdot ".join(fc["symbol"] for fc in path["factors"])
    vals = r" \cdot ".join(f.par(f.val(fc["value"])) for fc in path["factors"])
    return [f"{label} = {chain}", f"{{}} = {vals} = {result or f.val(path['product'])}"]


def gradient_steps(sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt,
                   kind: str, index: tuple[int, ...]) -> list[str]:
    """The chain of partial derivatives, the factor values and the product; a sum over paths."""
    sym = nt.param(kind, index)
    d = nt.d("L", sym)
    paths = _path_entry(sol_json, kind, index)["paths"]
    g = sol.bwd.grad_w[index[0]][index[1:]] if kind == "weights" else sol.bwd.grad_b[index[0]][index[1]]
    if len(paths) == 1:
        return path_lines(paths[0], f, d, f.ans(g))
    lines = [rf"\text{{{len(paths)} paths from ${sym}$ to $L$:}}"]
    for p, path in enumerate(paths, start=1):
        lines += path_lines(path, f, rf"\text{{path {p}}}")
    total = " + ".join(f.par(f.val(p["product"])) for p in paths)
    lines.append(f"{d} = {total} = {f.ans(g)}")
    return lines


def legend(sol: Solution, nt: Notation) -> str:
    """The local derivatives used in the chains, as a sentence of LaTeX."""
    spec = sol.spec
    parts = [rf"$\frac{{\partial L}}{{\partial \hat y_k}} = {LOSSES[spec.loss].dlatex}$"]
    def letters(tex: str) -> str:  # the functions module writes z and h; use the exam's letters
        tex = re.sub(r"(?<![A-Za-z\\])h(?![A-Za-z])", nt.post, tex)
        return re.sub(r"(?<![A-Za-z\\])z(?![A-Za-z])", nt.pre, tex)
    for act in dict.fromkeys(spec.activations):
        a = ACTIVATIONS[act]
        parts.append(f"{act}: ${nt.post} = {letters(a.latex)}$, "
                     f"$\\frac{{\\partial {nt.post}}}{{\\partial {nt.pre}}} = {letters(a.dlatex)}$")
    parts.append(rf"$\frac{{\partial {nt.pre}}}{{\partial w}}$ is the input of the weight, "
                 rf"$\frac{{\partial {nt.pre}}}{{\partial {nt.post}}}$ the weight")
    return "; ".join(parts)


def update_steps(sol: Solution, nt: Notation, f: Fmt, kind: str, index: tuple[int, ...]) -> list[str]:
    spec = sol.spec
    l = index[0]
    if kind == "weights":
        old, g, new = spec.weights[l][index[1:]], sol.bwd.grad_w[l][index[1:]], sol.updated_w[l][index[1:]]
    else:
        old, g, new = spec.biases[l][index[1]], sol.bwd.grad_b[l][index[1]], sol.updated_b[l][index[1]]
    sym = nt.param(kind, index)
    return [rf"{{{sym}}}^{{\text{{new}}}} = {sym} - \eta\,{nt.d('L', sym)} = {f.given(old)} - "
            rf"{spec.learning_rate:g} \cdot {f.par(f.val(g))} = {f.ans(new)}"]


def steps_for(q: Question, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
    """The worked solution of one question, from its ref."""
    parts = q.ref.strip("/").split("/")
    if q.kind == "forward":
        return forward_steps(sol, nt, f, int(parts[1]), int(parts[3]))
    if q.kind == "loss":
        return loss_steps(sol, nt, f)
    if q.kind == "loss_after":
        return loss_steps(sol, nt, f, after=True)
    if q.kind == "gradients":
        return gradient_steps(sol, sol_json, nt, f, parts[1], tuple(int(p) for p in parts[2:]))
    if q.kind == "update":
        return update_steps(sol, nt, f, parts[1], tuple(int(p) for p in parts[2:]))
    if q.kind == "paths":
        path = sol_json["paths"][int(parts[1])]["paths"][int(parts[3])]
        return path_lines(path, f, rf"\text{{path {int(parts[3]) + 1}}}")
    raise ValueError(f"no worked solution for question kind {q.kind!r}")


def fmt_array(a: np.ndarray, f: Fmt) -> list[str]:
    return [f.given(v) for v in np.ravel(a)]
