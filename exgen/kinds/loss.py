"""Loss: the loss of the network's output (ref /loss). Depends on the output activations asked."""
from __future__ import annotations

from typing import Any

from exgen.student import explain as ex
from exgen.core.refs import Ref
from exgen.core.solve import Solution
from exgen.core.functions import LOSSES, loss_at
from exgen.core.notation import Notation
from exgen.exam.worked import Fmt
from exgen.kinds.base import Asker, Kind, ptr, register

p = ex.p


def loss_steps(sol: Solution, nt: Notation, f: Fmt, after: bool = False) -> list[str]:
    """The loss written out with the output values (after the SGD step with `after`)."""
    spec = sol.spec
    out = (sol.fwd_after if after else sol.fwd).output[0]
    y = spec.y[0]
    name = "L'" if after else "L"
    rhs = loss_at(LOSSES[spec.loss], [f.given(v) for v in y], [f.par(f.val(out[k])) for k in range(len(y))])
    value = sol.loss_after if after else sol.loss
    lines = []
    if after:
        lines.append(r"\hat y' = (" + ",\\ ".join(f.val(v) for v in out) + r") \quad\text{(forward pass with the updated parameters)}")
    lines.append(f"{name} = {LOSSES[spec.loss].latex} = {rhs} = {f.ans(value)}")
    return lines


@register
class Loss(Kind):
    name, title = "loss", "Loss"
    arrays = ("loss",)
    ref_pattern = "loss"

    def ask(self, a: Asker) -> None:
        L = a.spec.n_layers
        a.add("the loss L", "the loss $L$", "/loss",
              a.ids_at([ptr("forward", L - 1, "h", j) for j in range(a.spec.layers[-1])]), "L")

    def steps(self, ref: Ref, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
        return loss_steps(sol, nt, f)

    def hints(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        spec, L = sol.spec, sol.spec.n_layers
        outs = ", ".join(p(nt.h(L, k)) for k in range(spec.layers[-1]))
        ys = "; ".join(", ".join(ex.fmt(v) for v in yb) for yb in spec.y)
        mean = f" Then take the mean over the {spec.x.shape[0]} samples." if spec.batched else ""
        return [f"L = {LOSSES[spec.loss].text}, where ŷ is the network's output ({outs}).{mean}",
                f"The target is y = ({ys}); put in your output values {outs} and add up the terms."]

    def worked_text(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        return ex.loss_lines(sol, nt)
