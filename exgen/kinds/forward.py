"""Forward value: the activation h of a neuron (ref /forward/<l>/h/<j>; /forward/<l>/z/<j> reads
the same step). Depends on the activations of the layer before."""
from __future__ import annotations

from typing import Any

from exgen.student import explain as ex
from exgen.core.refs import Ref
from exgen.core.solve import Solution
from exgen.core.functions import ACTIVATIONS
from exgen.core.notation import Notation
from exgen.exam.worked import Fmt
from exgen.kinds.base import Asker, Kind, ptr, register

p, n = ex.p, ex.n


@register
class Forward(Kind):
    name, title = "forward", "Forward pass"
    arrays = ("z", "h")
    ref_pattern = r"forward/\d+/[zh]/\d+"

    def ask(self, a: Asker) -> None:
        spec, nt = a.spec, a.nt
        prev: list[str] = []
        for l in range(spec.n_layers):
            layer = []
            for j in range(spec.layers[l + 1]):
                sym = nt.h(l + 1, j)
                layer.append(a.add(f"the activation {sym}", f"the activation ${sym}$", ptr("forward", l, "h", j),
                                   prev, sym))
            prev = layer

    def steps(self, ref: Ref, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
        """z and h of neuron j of layer l+1 (0-based weight layer l)."""
        spec, l, j = sol.spec, ref.layer, ref.index[1]
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
        zv = f.val(z)
        den = " + ".join(f"e^{{{f.val(sol.fwd.z[l][0, m])}}}" for m in range(spec.layers[l + 1]))
        rhs = ACTIVATIONS[spec.activations[l]].latex_value.format(z=zv, zp=f.par(zv), zsym=nt.z(l + 1, j),
                                                                   pre=nt.pre, den=den)
        lines.append(f"{nt.h(l + 1, j)} = {rhs} = {f.ans(h)}")
        return lines

    def hints(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        spec, l, j = sol.spec, ref.layer, ref.index[1]
        zs, hs, act = p(nt.z(l + 1, j)), p(nt.h(l + 1, j)), spec.activations[l]
        terms = [f"{p(nt.w(l, j, k))}·{p(nt.h(l, k))}" for k in range(spec.layers[l])]
        nums = [f"{n(spec.weights[l][j, k])}·{p(nt.h(l, k))}" for k in range(spec.layers[l])]
        if spec.biases is not None:
            terms.append(p(nt.b(l, j)))
            nums.append(n(spec.biases[l][j]))
        how = (f"then the softmax {hs} = e^{zs} / (sum of e^z over the layer): all of layer {l + 1}'s z first"
               if act == "softmax" else f"then {hs} = {ACTIVATIONS[act].text.format(z=zs)}")
        given = (", ".join(f"{p(nt.h(0, k))} = {ex.fmt(v)}" for k, v in enumerate(spec.x[0])) if l == 0
                 else f"your values of {', '.join(p(nt.h(l, k)) for k in range(spec.layers[l]))}")
        return [f"First the weighted sum {zs} = {' + '.join(terms)}, {how}.",
                f"With the given weights: {zs} = {' + '.join(nums)}, using {given}."]

    def worked_text(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        return ex.forward_lines(sol, nt, ref.layer, ref.index[1])
