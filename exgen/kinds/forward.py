"""Forward value: the activation h of a neuron (ref /forward/<l>/h/<j>, or /forward/<l>/h/<b>/<j>
for sample b of a mini-batch; /forward/<l>/z/... reads the same step). Depends on the activations
of the layer before (of the same sample)."""
from __future__ import annotations

from typing import Any

from exgen.student import explain as ex
from exgen.core.refs import Ref
from exgen.core.solve import Solution
from exgen.core.functions import ACTIVATIONS
from exgen.core.notation import Notation
from exgen.exam.worked import Fmt
from exgen.kinds.base import Asker, Kind, register, sample_ref

p, n = ex.p, ex.n


def sample_sym(sym: str, b: int, batched: bool) -> str:
    """A per-sample quantity's LaTeX symbol: sample b+1 as a bracketed superscript, in a batch."""
    return f"{{{sym}}}^{{[{b + 1}]}}" if batched else sym


@register("forward", "Forward pass", ("z", "h"), r"forward/\d+/[zh]/\d+(?:/\d+)?")
class Forward(Kind):
    def ask(self, a: Asker) -> None:
        spec, nt = a.spec, a.nt
        for b in range(spec.x.shape[0]):  # a mini-batch: every sample's forward pass in turn
            prev: list[str] = []
            for l in range(spec.n_layers):
                layer = []
                for j in range(spec.layers[l + 1]):
                    sym = sample_sym(nt.h(l + 1, j), b, spec.batched)
                    of = f" of sample {b + 1}" if spec.batched else ""
                    at = sample_ref(spec, "forward", l, j, b, "h")
                    layer.append(a.add(f"the activation {sym}{of}", f"the activation ${sym}${of}", at, prev, sym))
                prev = layer

    def steps(self, ref: Ref, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
        """z and h of neuron j of layer l+1 (0-based weight layer l)."""
        spec, l, (b, j) = sol.spec, ref.layer, ref.index
        zs, inputs = [], []
        for k in range(spec.layers[l]):
            zs.append(f"{nt.w(l, j, k)}\\,{sample_sym(nt.h(l, k), b, spec.batched)}")
            prev = spec.x[b, k] if l == 0 else sol.fwd.h[l][b, k]
            inputs.append(f"{f.par(f.given(spec.weights[l][j, k]))} \\cdot {f.par(f.given(prev) if l == 0 else f.val(prev))}")
        if spec.biases is not None:
            zs.append(nt.b(l, j))
            inputs.append(f.par(f.given(spec.biases[l][j])))
        z, h = sol.fwd.z[l][b, j], sol.fwd.h[l + 1][b, j]
        zsym = sample_sym(nt.z(l + 1, j), b, spec.batched)
        lines = [f"{zsym} = {' + '.join(zs)} = {' + '.join(inputs)} = {f.val(z)}"]
        zv = f.val(z)
        den = " + ".join(f"e^{{{f.val(sol.fwd.z[l][b, m])}}}" for m in range(spec.layers[l + 1]))
        rhs = ACTIVATIONS[spec.activations[l]].latex_value.format(z=zv, zp=f.par(zv), zsym=zsym,
                                                                   pre=nt.pre, den=den)
        lines.append(f"{sample_sym(nt.h(l + 1, j), b, spec.batched)} = {rhs} = {f.ans(h)}")
        return lines

    def hints(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        spec, l, (b, j) = sol.spec, ref.layer, ref.index
        zs, hs, act = p(nt.z(l + 1, j)), p(nt.h(l + 1, j)), spec.activations[l]
        terms = [f"{p(nt.w(l, j, k))}·{p(nt.h(l, k))}" for k in range(spec.layers[l])]
        nums = [f"{n(spec.weights[l][j, k])}·{p(nt.h(l, k))}" for k in range(spec.layers[l])]
        if spec.biases is not None:
            terms.append(p(nt.b(l, j)))
            nums.append(n(spec.biases[l][j]))
        how = (f"then the softmax {hs} = e^{zs} / (sum of e^z over the layer): all of layer {l + 1}'s z first"
               if act == "softmax" else f"then {hs} = {ACTIVATIONS[act].text.format(z=zs)}")
        given = (", ".join(f"{p(nt.h(0, k))} = {ex.fmt(v)}" for k, v in enumerate(spec.x[b])) if l == 0
                 else f"your values of {', '.join(p(nt.h(l, k)) for k in range(spec.layers[l]))}")
        return [f"First the weighted sum {zs} = {' + '.join(terms)}, {how}.",
                f"With the given weights: {zs} = {' + '.join(nums)}, using {given}."]

    def worked_text(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        return ex.forward_lines(sol, nt, ref.layer, ref.index[1], ref.index[0])
