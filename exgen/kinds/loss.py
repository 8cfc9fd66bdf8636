"""Loss: the loss of the network's output (ref /loss); for a mini-batch the mean of the samples'
losses. Depends on the output activations asked. Slips (engine): the sum instead of the mean, the
first sample's loss only."""
from __future__ import annotations

from typing import Any

from exgen.student import explain as ex
from exgen.core.refs import Ref
from exgen.core.solve import Solution, sample_losses
from exgen.core.functions import LOSSES, loss_at
from exgen.core.notation import Notation
from exgen.exam.worked import Fmt
from exgen.kinds.base import Asker, Kind, register, sample_ref

p = ex.p


def loss_steps(sol: Solution, nt: Notation, f: Fmt, after: bool = False) -> list[str]:
    """The loss written out with the output values (after the SGD step with `after`)."""
    spec = sol.spec
    fwd = sol.fwd_after if after else sol.fwd
    name = "L'" if after else "L"
    value = sol.loss_after if after else sol.loss
    B = spec.x.shape[0]
    lines, each = [], sample_losses(spec, fwd)  # (B,) the loss of each sample
    for b in range(B):
        out, y = fwd.output[b], spec.y[b]
        tag = f"^{{[{b + 1}]}}" if spec.batched else ""
        if after:
            lines.append(rf"\hat y'{tag} = (" + ",\\ ".join(f.val(v) for v in out) +
                         r") \quad\text{(forward pass with the updated parameters)}")
        rhs = loss_at(LOSSES[spec.loss], [f.given(v) for v in y], [f.par(f.val(out[k])) for k in range(len(y))])
        if not spec.batched:
            lines.append(f"{name} = {LOSSES[spec.loss].latex} = {rhs} = {f.ans(value)}")
        else:
            lines.append(rf"\ell{tag} = {rhs} = {f.val(each[b])}")
    if spec.batched:
        terms = " + ".join(f.par(f.val(v)) for v in each)
        lines.append(rf"{name} = \frac{{1}}{{{B}}} \sum_{{i=1}}^{{{B}}} \ell^{{[i]}} = \frac{{1}}{{{B}}}({terms}) = {f.ans(value)}")
    return lines


@register("loss", "Loss", ("loss",), "loss")
class Loss(Kind):
    def ask(self, a: Asker) -> None:
        L = a.spec.n_layers
        a.add("the loss L", "the loss $L$", "/loss",
              a.ids_at([sample_ref(a.spec, "forward", L - 1, j, b, "h") for b in range(a.spec.x.shape[0])
                        for j in range(a.spec.layers[-1])]), "L")

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
