"""Gradient: dL/d of a weight or bias (ref /gradients/<weights|biases>/<l>/<j>[/<k>]), the sum of
its chain-rule paths. Depends on the forward values asked. Slips: a path left out, the weight's
indices transposed."""
from __future__ import annotations

from typing import Any

import numpy as np

from exgen.student import explain as ex
from exgen.core.refs import Ref
from exgen.core.solve import Solution
from exgen.core.functions import ACTIVATIONS, LOSSES
from exgen.core.notation import Notation, count
from exgen.core.paths import paths_for
from exgen.exam.worked import Fmt, path_lines
from exgen.kinds.base import Asker, Kind, ptr, register, sample_ref

p = ex.p
PARAM_PATTERN = r"(?:weights/\d+/\d+/\d+|biases/\d+/\d+)"


def chains(sol: Solution, nt: Notation, param: str, index: tuple[int, ...], sample: int) -> tuple[list, list[str]]:
    """The chain-rule paths of a parameter and each as a chain of plain-text factors."""
    ps = paths_for(sol, param, index, sample, nt)
    return ps, [" · ".join(p(f.symbol) for f in path.factors) for path in ps]


def factor_notes(sol: Solution, nt: Notation, param: str, index: tuple[int, ...]) -> str:
    """The local derivatives on a parameter's paths, as a plain-text hint."""
    spec, L = sol.spec, sol.spec.n_layers
    notes = [f"∂L/∂ŷ_k = {LOSSES[spec.loss].dtext} ({spec.loss})"]
    for i in sorted({index[0], L - 1}, reverse=True):
        a = ACTIVATIONS[spec.activations[i]]
        if a.elementwise:
            notes.append(f"∂{nt.post}/∂{nt.pre} = {a.dtext.format(h=nt.post, z=nt.pre)} in layer {i + 1} ({a.name})")
        else:
            notes.append(f"∂{nt.post}_m/∂{nt.pre}_i = {a.dtext.format(h=nt.post)} in layer {i + 1} "
                         f"({a.name}: every output depends on every z)")
    if index[0] < L - 1:
        notes.append(f"∂{nt.pre}/∂{nt.post} of the layer before is the weight between the two neurons (given)")
    l, j = index[0], index[1]
    if param == "weights":
        k = index[2]
        src = f"the input {p(nt.h(0, k))}" if l == 0 else f"the activation {p(nt.h(l, k))}"
        notes.append(f"∂{p(nt.z(l + 1, j))}/∂{p(nt.w(l, j, k))} = {src} that the weight multiplies")
    else:
        notes.append(f"∂{p(nt.z(l + 1, j))}/∂{p(nt.b(l, j))} = 1")
    return "Factors: " + "; ".join(notes) + "."


def weight_slips(ref: Ref, net: Any, exact: Any, paths_of: dict,
                 eta: float | np.ndarray | None = None) -> tuple[np.ndarray | None, list[np.ndarray]]:
    """A weight's gradient (or, with `eta`, its update w - eta g) with the indices transposed and
    with each path left out, for every key."""
    if ref.param != "weights":
        return None, []
    l, (j, k) = ref.layer, ref.index
    trans = None
    if j != k and k < net.W[l].shape[1] and j < net.W[l].shape[2]:
        trans = (exact.gw if eta is None else exact.uw)[l][:, k, j]
    i = paths_of.get(("weights", (l, j, k)))
    missing: list[np.ndarray] = []
    while i is not None:
        try:
            prod = exact.path_product(i, len(missing))
        except IndexError:
            break
        g = exact.gw[l][:, j, k] - prod
        missing.append(g if eta is None else net.W[l][:, j, k] - eta * g)
    return trans, missing


def batch_steps(sol: Solution, nt: Notation, f: Fmt, kind: str, index: tuple[int, ...], d: str) -> list[str]:
    """A mini-batch gradient: the mean over the samples of delta times the weight's input."""
    from exgen.kinds.delta import delta_latex
    from exgen.kinds.forward import sample_sym
    l, j, B = index[0], index[1], sol.spec.x.shape[0]
    g = sol.old_grad_new(kind, index)[1]
    syms = [delta_latex(nt, l + 1, j, b, True) + (rf"\,{sample_sym(nt.h(l, index[2]), b, True)}" if kind == "weights" else "")
            for b in range(B)]
    inp = f.given if l == 0 else f.val  # the inputs are given numbers
    vals = [f.par(f.val(sol.bwd.deltas[l][b, j])) + (rf" \cdot {f.par(inp(sol.fwd.h[l][b, index[2]]))}"
                                                      if kind == "weights" else "") for b in range(B)]
    return [rf"{d} = \frac{{1}}{{{B}}} \sum_{{i=1}}^{{{B}}} {syms[0].replace('[1]', '[i]')} = \frac{{1}}{{{B}}}({' + '.join(syms)})",
            rf"{{}} = \frac{{1}}{{{B}}}({' + '.join(vals)}) = {f.ans(g)}"]


class ParamKind(Kind):
    """A kind with one question per parameter an exam asks about (gradient_params), its refs
    /<prefix>/<weights|biases>/<l>/<j>[/<k>]."""
    prefix = ""

    @property
    def ref_pattern(self) -> str:  # type: ignore[override]
        return f"{self.prefix}/{PARAM_PATTERN}"

    def about(self, a: Asker, pk: str, idx: tuple[int, ...], sym: str) -> tuple[str, str, list[str], str]:
        """The question on parameter (pk, idx), printed `sym`: text, LaTeX, dependencies, symbol."""
        raise NotImplementedError

    def ask(self, a: Asker) -> None:
        for pk, idx, sym in a.params():
            text, latex, deps, symbol = self.about(a, pk, idx, sym)
            a.add(text, latex, ptr(self.prefix, pk, *idx), deps, symbol)


@register("gradients", "Gradients", ("gw", "gb"))
class Gradient(ParamKind):
    prefix = "gradients"

    def about(self, a: Asker, pk: str, idx: tuple[int, ...], sym: str) -> tuple[str, str, list[str], str]:
        d = a.nt.d("L", sym)
        deltas = a.ids_at([sample_ref(a.spec, "deltas", idx[0], idx[1], b) for b in range(a.spec.x.shape[0])])
        mean = " (the mean over the mini-batch)" if a.spec.batched else ""
        return f"the gradient dL/d{sym}{mean}", f"the gradient ${d}${mean}", a.ids_of("forward") + deltas, d

    def steps(self, ref: Ref, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
        """The chain of partial derivatives, the factor values and the product; a sum over paths."""
        kind, index = ref.param, ref.param_index
        sym = nt.param(kind, index)
        d = nt.d("L", sym)
        if sol.spec.batched:
            return batch_steps(sol, nt, f, kind, index, d)
        paths = next(e for e in sol_json["paths"] if e["param"] == kind and e["index"] == list(index)
                     and e.get("sample", 0) == 0)["paths"]
        g = sol.bwd.grad_w[index[0]][index[1:]] if kind == "weights" else sol.bwd.grad_b[index[0]][index[1]]
        if len(paths) == 1:
            return path_lines(paths[0], f, d, f.ans(g))
        lines = [rf"\text{{{len(paths)} paths from ${sym}$ to $L$:}}"]
        for n, path in enumerate(paths, start=1):
            lines += path_lines(path, f, rf"\text{{path {n}}}")
        total = " + ".join(f.par(f.val(q["product"])) for q in paths)
        lines.append(f"{d} = {total} = {f.ans(g)}")
        return lines

    def hints(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        spec, param, index = sol.spec, ref.param, ref.param_index
        ps, chain = chains(sol, nt, param, index, 0)
        name = p(nt.param(param, index))
        batch = (f" The loss is a mean over {spec.x.shape[0]} samples, so average the per-sample gradients."
                 if spec.batched else "")
        delta = ex.delta_sym(nt, index[0] + 1, index[1])
        inp = f" · {p(nt.h(index[0], index[2]))}" if param == "weights" else ""
        return [f"Chain rule: ∂L/∂{name} = {delta}{inp}, where {delta} = ∂L/∂{p(nt.z(index[0] + 1, index[1]))}. "
                f"Start at the output with ∂L/∂ŷ and work backwards.{batch}",
                f"{count(len(ps), 'path')} lead{'s' if len(ps) == 1 else ''} from {name} to L; add their products: " + "  +  ".join(chain),
                factor_notes(sol, nt, param, index)]

    def worked_text(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        lines = []
        for b in range(sol.spec.x.shape[0]):
            lines += ([f"sample {b + 1}:"] if sol.spec.batched else []) + ex.path_lines(sol, nt, ref.param, ref.param_index, b)
        return lines + [ex.grad_line(sol, nt, ref.param, ref.param_index)]

    def posthoc_slips(self, ref: Ref, net: Any, exact: Any,
                      paths_of: dict) -> tuple[np.ndarray | None, list[np.ndarray]]:
        return weight_slips(ref, net, exact, paths_of)

    def demo_slips(self, key: dict[str, Any], q: dict[str, Any], ref: Ref) -> list[tuple[float, str]]:
        a = float(q["answer"])
        return [(a - float(o["answer"]), "missing_path") for o in key["questions"] if o.get("kind") == "paths"]
