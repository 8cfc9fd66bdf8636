"""A worked solution, step by step: forward pass, loss, output delta, backpropagated deltas,
gradients, and for one parameter every chain-rule path with its factors, then its SGD update.

Every number comes from the engine's Solution (`sol`); this module only lays it out as plain text
in the chosen notation. `delta` is dL/dz, per sample.
"""
from __future__ import annotations

import re

import numpy as np

from exgen.core.solve import Solution
from exgen.errors import ExgenError
from exgen.fields import listing
from exgen.core.functions import ACTIVATIONS, LOSSES, loss_at
from exgen.core.notation import Notation, count, plain
from exgen.core.paths import check_count, ordered_parameters, paths_for
from exgen.core.report import fmt

class ParamError(ExgenError):
    """A parameter name that the network does not have (in the chosen notation)."""


def n(v: float) -> str:
    """A number inside a formula: negative numbers in parentheses."""
    s = fmt(float(v))
    return f"({s})" if s.startswith("-") else s


def p(latex: str) -> str:
    return plain(latex)


def delta_sym(nt: Notation, l: int, j: int) -> str:
    """δ of neuron j (0-based) of layer l (1-based), numbered like the pre-activation."""
    return "δ" + p(nt.z(l, j))[len(nt.pre):]


def _key(name: str) -> str:
    return re.sub(r"[\s_^(){}\\]", "", name).lower()


def param_names(sol: Solution, nt: Notation) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Printed parameter name -> (kind, index), in the notation's order."""
    return {p(nt.param(kind, idx)): (kind, idx) for kind, idx in ordered_parameters(sol, nt)}


NAMES_SHOWN = 30  # parameter names an unknown --param's error lists


def find_param(sol: Solution, nt: Notation, name: str) -> tuple[str, tuple[int, ...]]:
    """Resolve `w5`, `w_5`, `w^(2)_11`, `w2_11`, `w_211` ... to (kind, index)."""
    names = param_names(sol, nt)
    for printed, target in names.items():
        if _key(printed) == _key(name):
            return target
    # at most NAMES_SHOWN names: a 99-99-1 network has 9,900 (a 127 kB error line)
    raise ParamError(f"no parameter {name!r} in this network; valid names: {listing(list(names), NAMES_SHOWN)}")


# --- forward pass -------------------------------------------------------------------------

def forward_lines(sol: Solution, nt: Notation, l: int, j: int, b: int = 0) -> list[str]:
    """Neuron j of layer l+1 (l = 0-based weight layer): its weighted sum, then its activation."""
    spec = sol.spec
    zs, hs = p(nt.z(l + 1, j)), p(nt.h(l + 1, j))
    terms = [f"{p(nt.w(l, j, k))}·{p(nt.h(l, k))}" for k in range(spec.layers[l])]
    nums = [f"{n(spec.weights[l][j, k])}·{n(sol.fwd.h[l][b, k])}" for k in range(spec.layers[l])]
    if spec.biases is not None:
        terms.append(p(nt.b(l, j)))
        nums.append(n(spec.biases[l][j]))
    z = sol.fwd.z[l][b, j]
    out = [f"{zs} = {' + '.join(terms)}", f"{' ' * len(zs)} = {' + '.join(nums)} = {fmt(z)}"]
    act = spec.activations[l]
    h = sol.fwd.h[l + 1][b, j]
    if act == "softmax":
        den = " + ".join(f"e^{n(v)}" for v in sol.fwd.z[l][b])
        out.append(f"{hs} = e^{zs} / Σ_m e^{p(nt.z(l + 1, 0))[:-1]}m = e^{n(z)} / ({den}) = {fmt(h)}")
    elif act == "linear":
        out.append(f"{hs} = {zs} = {fmt(h)}   (linear)")
    else:
        text = ACTIVATIONS[act].text
        out.append(f"{hs} = {text.format(z=zs)} = {text.split(' = ')[0].format(z=fmt(z))} = {fmt(h)}")
    return out


def loss_lines(sol: Solution, nt: Notation) -> list[str]:
    spec, L = sol.spec, sol.spec.n_layers
    outs = ", ".join(p(nt.h(L, k)) for k in range(spec.layers[-1]))
    loss = LOSSES[spec.loss]
    out = [f"L = {loss.text}   with ŷ = ({outs})"]
    for b in range(spec.x.shape[0]):
        body = loss_at(loss, [n(a) for a in spec.y[b]], [n(c) for c in sol.fwd.output[b]], latex=False)
        from exgen.core.solve import sample_losses
        val = sample_losses(spec, sol.fwd)[b]
        tag = f"sample {b + 1}: " if spec.batched else ""
        out.append(f"  {tag}L = {body} = {fmt(val)}")
    if spec.batched:
        out.append(f"  mean over the {spec.x.shape[0]} samples: L = {fmt(sol.loss)}")
    return out


# --- backward pass ------------------------------------------------------------------------

def output_delta_lines(sol: Solution, nt: Notation, b: int = 0) -> list[str]:
    spec, L = sol.spec, sol.spec.n_layers
    act = spec.activations[-1]
    out = [f"∂L/∂ŷ_k = {LOSSES[spec.loss].dtext}"]
    for k in range(spec.layers[-1]):
        out.append(f"  {p(nt.d('L', nt.h(L, k)))} = {fmt(sol.bwd.dL_dout[b, k])}")
    for j in range(spec.layers[-1]):
        ds, d = delta_sym(nt, L, j), sol.bwd.deltas[-1][b, j]
        hs = p(nt.h(L, j))
        if act == "softmax":
            terms = " + ".join(f"{n(sol.bwd.dL_dout[b, m])}·{n(sol.fwd.h[L][b, m])}·({int(m == j)} - {n(sol.fwd.h[L][b, j])})"
                               for m in range(spec.layers[-1]))
            out.append(f"{ds} = Σ_m ∂L/∂ŷ_m · ŷ_m([m = {j + 1}] - {hs}) = {terms} = {fmt(d)}")
        else:
            fprime = ACTIVATIONS[act].dtext.format(h=n(sol.fwd.h[L][b, j]), z=n(sol.fwd.z[-1][b, j]))
            out.append(f"{ds} = ∂L/∂{hs} · f'({p(nt.z(L, j))}) = {n(sol.bwd.dL_dout[b, j])}·{fprime} = {fmt(d)}")
    return out


def hidden_delta_lines(sol: Solution, nt: Notation, l: int, b: int = 0) -> list[str]:
    """Deltas of layer l (1-based, a hidden layer) from those of layer l+1."""
    spec = sol.spec
    out = []
    for j in range(spec.layers[l]):
        ds, d = delta_sym(nt, l, j), sol.bwd.deltas[l - 1][b, j]
        nxt = range(spec.layers[l + 1])
        sym = " + ".join(f"{p(nt.w(l, m, j))}·{delta_sym(nt, l + 1, m)}" for m in nxt)
        num = " + ".join(f"{n(spec.weights[l][m, j])}·{n(sol.bwd.deltas[l][b, m])}" for m in nxt)
        fprime = ACTIVATIONS[spec.activations[l - 1]].dtext.format(h=n(sol.fwd.h[l][b, j]), z=n(sol.fwd.z[l - 1][b, j]))
        out.append(f"{ds} = f'({p(nt.z(l, j))})·({sym}) = {fprime}·({num}) = {fmt(d)}")
    return out


def grad_line(sol: Solution, nt: Notation, kind: str, idx: tuple[int, ...]) -> str:
    spec, l, j = sol.spec, idx[0], idx[1]
    name = p(nt.param(kind, idx))
    ds = delta_sym(nt, l + 1, j)
    g = sol.bwd.grad_w[l][idx[1:]] if kind == "weights" else sol.bwd.grad_b[l][j]
    B = spec.x.shape[0]
    if kind == "weights":
        sym = f"{ds}·{p(nt.h(l, idx[2]))}"
        terms = [f"{n(sol.bwd.deltas[l][b, j])}·{n(sol.fwd.h[l][b, idx[2]])}" for b in range(B)]
    else:
        sym, terms = ds, [n(sol.bwd.deltas[l][b, j]) for b in range(B)]
    if B > 1:
        return f"∂L/∂{name} = mean over samples of {sym} = (1/{B})·({' + '.join(terms)}) = {fmt(g)}"
    if kind == "biases":
        return f"∂L/∂{name} = {sym} = {fmt(g)}"
    return f"∂L/∂{name} = {sym} = {terms[0]} = {fmt(g)}"


def path_lines(sol: Solution, nt: Notation, kind: str, idx: tuple[int, ...], b: int = 0,
               only: int | None = None) -> list[str]:
    """Each chain-rule path of one parameter (one sample): its factors, their values, the product."""
    ps = paths_for(sol, kind, idx, b, nt)
    name = p(nt.param(kind, idx))
    out = [f"∂L/∂{name}: {count(len(ps), 'path')} from L back to {name}" + (" (through every softmax output)"
                                                                    if len(ps) > 1 and sol.spec.activations[-1] == "softmax" else "")]
    for i, path in enumerate(ps):
        if only is not None and i != only:
            continue
        out.append(f"  path {i + 1}: " + " · ".join(p(f.symbol) for f in path.factors))
        out.append("          = " + "·".join(n(f.value) for f in path.factors) + f" = {fmt(path.product)}")
    if only is None and len(ps) > 1:
        out.append(f"  sum of the {len(ps)} paths = {fmt(float(np.sum([q.product for q in ps])))}")
    return out


def update_line(sol: Solution, nt: Notation, kind: str, idx: tuple[int, ...]) -> str:
    name = p(nt.param(kind, idx))
    old, g, new = sol.old_grad_new(kind, idx)
    return (f"new {name} = {name} - η·∂L/∂{name} = {n(old)} - {n(sol.spec.learning_rate)}·{n(g)} = {fmt(new)}")


def loss_after_lines(sol: Solution, nt: Notation) -> list[str]:
    out = ["Every parameter moves by -η times its gradient:"]
    out += ["  " + update_line(sol, nt, kind, idx) for kind, idx in ordered_parameters(sol, nt)]
    spec, L = sol.spec, sol.spec.n_layers
    for b in range(spec.x.shape[0]):
        hs = ", ".join(f"{p(nt.h(L, k))} = {fmt(v)}" for k, v in enumerate(sol.fwd_after.output[b]))
        out.append(f"Forward pass again with the new parameters{f' (sample {b + 1})' if spec.batched else ''}: {hs}")
    out.append(f"Loss after the step: L' = {fmt(sol.loss_after)}   (before: {fmt(sol.loss)})")
    return out


def worked_solution(sol: Solution, nt: Notation, param: tuple[str, tuple[int, ...]] | None = None) -> str:
    """The whole worked solution as text; with `param`, its chain-rule paths in detail."""
    spec, L = sol.spec, sol.spec.n_layers
    title = spec.name or "network"
    out = [f"{title}: layers {'-'.join(map(str, spec.layers))}, activations {', '.join(spec.activations)}, "
           f"loss {spec.loss}, η = {fmt(spec.learning_rate)}"]
    B = spec.x.shape[0]
    for b in range(B):
        tag = f" (sample {b + 1} of {B})" if spec.batched else ""
        out.append(f"\nStep 1. Forward pass{tag}")
        out.append("  inputs: " + ", ".join(f"{p(nt.h(0, k))} = {fmt(v)}" for k, v in enumerate(spec.x[b])))
        for l in range(L):
            for j in range(spec.layers[l + 1]):
                out += ["  " + s for s in forward_lines(sol, nt, l, j, b)]
    out.append("\nStep 2. Loss")
    out += ["  " + s for s in loss_lines(sol, nt)]
    for b in range(B):
        tag = f" (sample {b + 1})" if spec.batched else ""
        out.append(f"\nStep 3. Output delta{tag} (δ = ∂L/∂z; per sample, before the batch mean)")
        out += ["  " + s for s in output_delta_lines(sol, nt, b)]
        for l in range(L - 1, 0, -1):
            out.append(f"\nStep 4. Backpropagated deltas, layer {l}{tag}: δ_j = f'(z_j)·Σ_m w_mj δ_m")
            out += ["  " + s for s in hidden_delta_lines(sol, nt, l, b)]
    if param is None:
        out.append("\nStep 5. Gradients (∂L/∂w = δ·input, ∂L/∂b = δ)")
        out += ["  " + grad_line(sol, nt, kind, idx) for kind, idx in ordered_parameters(sol, nt)]
        out.append("\nStep 6. One SGD step")
        out += ["  " + s for s in loss_after_lines(sol, nt)]
    else:
        kind, idx = param
        check_count(spec, param, hint="explain a parameter of a later layer, or a smaller network")
        out.append(f"\nStep 5. Chain-rule paths of {p(nt.param(kind, idx))}")
        for b in range(B):
            if spec.batched:
                out.append(f"  sample {b + 1}:")
            out += ["  " + s for s in path_lines(sol, nt, kind, idx, b)]
        out.append("  " + grad_line(sol, nt, kind, idx))
        out.append("\nStep 6. Its SGD update")
        out.append("  " + update_line(sol, nt, kind, idx))
    return "\n".join(out) + "\n"
