"""Delta: δ = ∂ℓ/∂z of a neuron for one sample, its own loss ℓ (without the 1/n of the batch mean)
(ref /deltas/<l>/<j>, or /deltas/<l>/<b>/<j> for sample b of a mini-batch). Asked sample by
sample, output layer first. Depends on the sample's forward values and the deltas of the layer
after. Slips (engine): the activation derivative dropped, sigma for sigma', h and z swapped."""
from __future__ import annotations

from typing import Any

from exgen.student import explain as ex
from exgen.core.refs import Ref
from exgen.core.solve import Solution
from exgen.core.functions import ACTIVATIONS, LOSSES
from exgen.core.notation import Notation
from exgen.exam.worked import Fmt
from exgen.kinds.base import Asker, Kind, register, sample_ref
from exgen.kinds.forward import sample_sym


def delta_latex(nt: Notation, l: int, j: int, b: int, batched: bool) -> str:
    """δ of neuron j of layer l (1-based), numbered like its pre-activation, of sample b."""
    return sample_sym(r"\delta" + nt.z(l, j)[len(nt.pre):], b, batched)


@register("deltas", "Deltas (per sample)", ("deltas",), r"deltas/\d+/\d+(?:/\d+)?")
class Delta(Kind):
    def ask(self, a: Asker) -> None:
        spec, nt, L = a.spec, a.nt, a.spec.n_layers
        for b in range(spec.x.shape[0]):
            fwd = a.ids_at([sample_ref(spec, "forward", l, j, b, "h") for l in range(L)
                            for j in range(spec.layers[l + 1])])
            after: list[str] = []
            for l in reversed(range(L)):
                layer = []
                for j in range(spec.layers[l + 1]):
                    sym = delta_latex(nt, l + 1, j, b, spec.batched)
                    of = f" of sample {b + 1}" if spec.batched else ""
                    z = ex.p(nt.z(l + 1, j))
                    layer.append(a.add(f"the delta {sym} = dℓ/d{z}{of}",
                                       rf"the delta ${sym} = \partial \ell / \partial {nt.z(l + 1, j)}${of}",
                                       sample_ref(spec, "deltas", l, j, b), fwd + after, sym))
                after = layer

    def steps(self, ref: Ref, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
        """Output layer: dℓ/dŷ times f'(z) (a sum over the outputs through softmax); a hidden
        layer: f'(z) times the deltas of the next layer weighted by the weights out of the neuron."""
        spec, l, (b, j), L = sol.spec, ref.layer, ref.index, sol.spec.n_layers
        bt = spec.batched
        sym = delta_latex(nt, l + 1, j, b, bt)
        act = ACTIVATIONS[spec.activations[l]]
        z, h, d = sol.fwd.z[l][b], sol.fwd.h[l + 1][b], sol.bwd.deltas[l][b, j]
        if l == L - 1:
            g = sol.bwd.dL_dout[b]  # (n_L,) dℓ/dŷ of this sample
            dy = rf"\frac{{\partial \ell}}{{\partial \hat y_{{{j + 1}}}}}"
            at_j = LOSSES[spec.loss].dlatex.replace("_k", f"_{{{j + 1}}}")  # -(y_1 - \hat y_1): output j's
            lines = [rf"{dy} = {at_j} = {f.val(g[j])}"]
            if act.df is not None:  # elementwise
                fp = act.df(z, h)[j]
                lines.append(rf"{sym} = {dy} \cdot f'({nt.z(l + 1, j)}) = {f.par(f.val(g[j]))} \cdot "
                             rf"{f.par(f.val(fp))} = {f.ans(d)}")
            else:
                J = act.jacobian(z, h)  # (n, n) dŷ_m/dz_i
                terms = " + ".join(rf"{f.par(f.val(g[m]))} \cdot {f.par(f.val(J[m, j]))}" for m in range(len(g)))
                lines += [rf"{sym} = \sum_m \frac{{\partial \ell}}{{\partial \hat y_m}} \frac{{\partial \hat y_m}}"
                          rf"{{\partial {nt.z(l + 1, j)}}} = {terms} = {f.ans(d)}"]
            return lines
        nxt = range(spec.layers[l + 2])
        assert act.df is not None  # softmax is on the output layer only
        fp = act.df(z, h)[j]
        sum_sym = " + ".join(rf"{nt.w(l + 1, m, j)}\,{delta_latex(nt, l + 2, m, b, bt)}" for m in nxt)
        sum_val = " + ".join(rf"{f.par(f.given(spec.weights[l + 1][m, j]))} \cdot {f.par(f.val(sol.bwd.deltas[l + 1][b, m]))}"
                             for m in nxt)
        return [rf"{sym} = f'({nt.z(l + 1, j)}) \cdot ({sum_sym})",
                rf"{{}} = {f.par(f.val(fp))} \cdot ({sum_val}) = {f.ans(d)}"]

    def hints(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        l, L = ref.layer, sol.spec.n_layers
        z = ex.p(nt.z(l + 1, ref.index[1]))
        of = f" of sample {ref.index[0] + 1} (its own loss, no 1/n)" if sol.spec.batched else ""
        if l == L - 1:
            return [f"δ = ∂ℓ/∂{z}{of}: at the output, ∂ℓ/∂ŷ times the activation's derivative f'({z}).",
                    f"∂L/∂ŷ_k = {LOSSES[sol.spec.loss].dtext}; use your output values."]
        return [f"δ = ∂ℓ/∂{z}{of}: backpropagate, f'({z}) times the sum of the next layer's deltas, "
                "each weighted by the weight from this neuron to it.",
                f"f' of {sol.spec.activations[l]} is {ACTIVATIONS[sol.spec.activations[l]].dtext}; "
                "use your deltas of the next layer."]

    def worked_text(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        b, L = ref.index[0], sol.spec.n_layers
        if ref.layer == L - 1:
            return ex.output_delta_lines(sol, nt, b)
        return ex.hidden_delta_lines(sol, nt, ref.layer + 1, b)
