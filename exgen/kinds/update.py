"""Update: a parameter after one SGD step, w - eta dL/dw (ref /updated/<weights|biases>/<l>/<j>[/<k>]).
Depends on the parameter's gradient, if asked. Slips: the step uphill, without eta, and the
gradient's slips carried through the step."""
from __future__ import annotations

from typing import Any

import numpy as np

from exgen.student import explain as ex
from exgen.core.refs import Ref
from exgen.core.solve import Solution
from exgen.core.notation import Notation
from exgen.exam.worked import Fmt
from exgen.kinds.base import Asker, Question, ptr, register
from exgen.kinds.gradient import ParamKind, weight_slips

p = ex.p


def _given(key: dict[str, Any], ref: Ref) -> float | None:
    """The given value, in the key's spec, of the parameter an update asks about."""
    node = key["spec"].get(ref.param)
    try:
        for i in ref.param_index:
            node = node[int(i)]
        return float(node)
    except (TypeError, IndexError, ValueError, KeyError):
        return None


@register("update", "One SGD step", ("uw", "ub"))
class Update(ParamKind):
    prefix = "updated"

    def about(self, a: Asker, pk: str, idx: tuple[int, ...], sym: str) -> tuple[str, str, list[str], str]:
        return (f"the new value of {sym} after one SGD step", f"the new value of ${sym}$ after one SGD step",
                a.ids_at([ptr("gradients", pk, *idx)]), sym)

    def answer_latex(self, q: Question, answer: str) -> str:
        return "{" + q.symbol + r"}^{\text{new}} = " + answer

    def steps(self, ref: Ref, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
        kind, index = ref.param, ref.param_index
        old, g, new = sol.old_grad_new(kind, index)
        sym = nt.param(kind, index)
        return [rf"{{{sym}}}^{{\text{{new}}}} = {sym} - \eta\,{nt.d('L', sym)} = {f.given(old)} - "
                rf"{sol.spec.learning_rate:g} \cdot {f.par(f.val(g))} = {f.ans(new)}"]

    def hints(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        name = p(nt.param(ref.param, ref.param_index))
        old = sol.old_grad_new(ref.param, ref.param_index)[0]
        return [f"One SGD step: new {name} = {name} - η·∂L/∂{name}.",
                f"Here {name} = {ex.fmt(old)} and η = {ex.fmt(sol.spec.learning_rate)}; use your gradient ∂L/∂{name}."]

    def worked_text(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        return [ex.grad_line(sol, nt, ref.param, ref.param_index), ex.update_line(sol, nt, ref.param, ref.param_index)]

    def posthoc_slips(self, ref: Ref, net: Any, exact: Any,
                      paths_of: dict) -> tuple[np.ndarray | None, list[np.ndarray]]:
        return weight_slips(ref, net, exact, paths_of, eta=net.eta)

    def unchanged(self, ref: Ref, net: Any, exact: Any) -> np.ndarray | None:
        if ref.param == "weights":
            return net.W[ref.layer][:, ref.index[0], ref.index[1]]
        return None if net.b is None else net.b[ref.layer][:, ref.index[0]]

    def unchanged_given(self, ref: Ref, sol: Solution) -> float | None:
        arrays = sol.spec.weights if ref.param == "weights" else sol.spec.biases
        return None if arrays is None else float(arrays[ref.layer][ref.index])

    def demo_slips(self, key: dict[str, Any], q: dict[str, Any], ref: Ref) -> list[tuple[float, str]]:
        a = float(q["answer"])
        w, eta = _given(key, ref), float(key["spec"].get("learning_rate", 0) or 0)
        if w is None or eta <= 0:
            return []
        g = (w - a) / eta
        return [(w + eta * g, "update_wrong_sign"), (w - g, "update_no_eta")]
