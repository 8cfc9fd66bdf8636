"""Hints for one question, from a nudge to the full step, and the step worked out.

A hint names the next thing to compute and the formula, and may quote *given* numbers (inputs,
targets, weights, biases, the learning rate), never a computed one: the answer stays hidden until
the student asks for the worked step. Questions are located by their `ref` (a JSON pointer into
the solution object, see questions.py), so hints work for any answer key.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import explain as ex
from .engine import Solution
from .functions import ACTIVATIONS
from .notation import Notation
from .paths import paths_for

p, n = ex.p, ex.n


@dataclass(frozen=True)
class Target:
    """What a question asks for: kind is forward | loss | gradients | paths | update | loss_after."""
    kind: str
    param: str = ""  # "weights" | "biases" for gradients, paths, update
    index: tuple[int, ...] = ()  # (l, j[, k]) for parameters, (l, j) for forward
    path: int = 0  # path number (0-based) for paths
    sample: int = 0


def target(q: dict[str, Any], solution: dict[str, Any]) -> Target:
    parts = q["ref"].strip("/").split("/")
    head = parts[0]
    if head == "forward":
        return Target("forward", index=(int(parts[1]), int(parts[3])))
    if head in ("gradients", "updated"):
        return Target("gradients" if head == "gradients" else "update", parts[1], tuple(map(int, parts[2:])))
    if head == "paths":
        e = solution["paths"][int(parts[1])]
        return Target("paths", e["param"], tuple(e["index"]), int(parts[3]), e.get("sample", 0))
    if head in ("loss", "loss_after"):
        return Target(head)
    raise ValueError(f"no hints for ref {q['ref']!r}")


def _act(spec, l: int) -> str:
    return spec.activations[l]


def _factor_notes(sol: Solution, nt: Notation, t: Target) -> str:
    spec, L = sol.spec, sol.spec.n_layers
    notes = [f"∂L/∂ŷ_k = {ex.DLOSS_TEXT[spec.loss]} ({spec.loss})"]
    for i in sorted({t.index[0], L - 1}, reverse=True):
        a = spec.activations[i]
        if ACTIVATIONS[a].elementwise:
            notes.append(f"∂{nt.post}/∂{nt.pre} = {ex.DACT_TEXT[a].format(h=nt.post, z=nt.pre)} in layer {i + 1} ({a})")
        else:
            notes.append(f"∂{nt.post}_m/∂{nt.pre}_i = {nt.post}_m([m = i] - {nt.post}_i) in layer {i + 1} (softmax: every output depends on every z)")
    if t.index[0] < L - 1:
        notes.append(f"∂{nt.pre}/∂{nt.post} of the layer before is the weight between the two neurons (given)")
    l, j = t.index[0], t.index[1]
    if t.param == "weights":
        k = t.index[2]
        src = f"the input {p(nt.h(0, k))}" if l == 0 else f"the activation {p(nt.h(l, k))}"
        notes.append(f"∂{p(nt.z(l + 1, j))}/∂{p(nt.w(l, j, k))} = {src} that the weight multiplies")
    else:
        notes.append(f"∂{p(nt.z(l + 1, j))}/∂{p(nt.b(l, j))} = 1")
    return "Factors: " + "; ".join(notes) + "."


def hints(sol: Solution, solution: dict[str, Any], nt: Notation, q: dict[str, Any]) -> list[str]:
    """Hints for question q, first the gentlest. None of them contains a computed number."""
    spec, L = sol.spec, sol.spec.n_layers
    t = target(q, solution)
    eta = ex.fmt(spec.learning_rate)
    if t.kind == "forward":
        l, j = t.index
        zs, hs, act = p(nt.z(l + 1, j)), p(nt.h(l + 1, j)), _act(spec, l)
        terms = [f"{p(nt.w(l, j, k))}·{p(nt.h(l, k))}" for k in range(spec.layers[l])]
        nums = [f"{n(spec.weights[l][j, k])}·{p(nt.h(l, k))}" for k in range(spec.layers[l])]
        if spec.biases is not None:
            terms.append(p(nt.b(l, j)))
            nums.append(n(spec.biases[l][j]))
        how = (f"then the softmax {hs} = e^{zs} / (sum of e^z over the layer): all of layer {l + 1}'s z first"
               if act == "softmax" else f"then {hs} = {ex.ACT_TEXT[act].format(z=zs)}")
        given = (", ".join(f"{p(nt.h(0, k))} = {ex.fmt(v)}" for k, v in enumerate(spec.x[0])) if l == 0
                 else f"your values of {', '.join(p(nt.h(l, k)) for k in range(spec.layers[l]))}")
        return [f"First the weighted sum {zs} = {' + '.join(terms)}, {how}.",
                f"With the given weights: {zs} = {' + '.join(nums)}, using {given}."]
    if t.kind == "loss":
        outs = ", ".join(p(nt.h(L, k)) for k in range(spec.layers[-1]))
        ys = "; ".join(", ".join(ex.fmt(v) for v in yb) for yb in spec.y)
        mean = f" Then take the mean over the {spec.x.shape[0]} samples." if spec.batched else ""
        return [f"L = {ex.LOSS_TEXT[spec.loss]}, where ŷ is the network's output ({outs}).{mean}",
                f"The target is y = ({ys}); put in your output values {outs} and add up the terms."]
    if t.kind in ("gradients", "paths"):
        ps = paths_for(sol, t.param, t.index, t.sample, nt)
        name = p(nt.param(t.param, t.index))
        chain = [" · ".join(p(f.symbol) for f in path.factors) for path in ps]
        batch = (f" The loss is a mean over {spec.x.shape[0]} samples, so average the per-sample gradients."
                 if spec.batched and t.kind == "gradients" else "")
        if t.kind == "paths":
            first = (f"Path {t.path + 1} from {name} to L is the product {chain[t.path]}; "
                     f"multiply these {len(ps[t.path].factors)} factors.")
        else:
            delta = ex.delta_sym(nt, t.index[0] + 1, t.index[1])
            inp = f" · {p(nt.h(t.index[0], t.index[2]))}" if t.param == "weights" else ""
            first = (f"Chain rule: ∂L/∂{name} = {delta}{inp}, where {delta} = ∂L/∂{p(nt.z(t.index[0] + 1, t.index[1]))}. "
                     f"Start at the output with ∂L/∂ŷ and work backwards.{batch}")
        second = (f"{len(ps)} path(s) lead from {name} to L; add their products: " + "  +  ".join(chain)
                  if t.kind == "gradients" else _factor_notes(sol, nt, t))
        out = [first, second]
        if t.kind == "gradients":
            out.append(_factor_notes(sol, nt, t))
        return out
    if t.kind == "update":
        name = p(nt.param(t.param, t.index))
        old = spec.weights[t.index[0]][t.index[1:]] if t.param == "weights" else spec.biases[t.index[0]][t.index[1]]
        return [f"One SGD step: new {name} = {name} - η·∂L/∂{name}.",
                f"Here {name} = {ex.fmt(old)} and η = {eta}; use your gradient ∂L/∂{name}."]
    return ["Update every weight and bias with one SGD step (new = old - η·gradient), then do the "
            "forward pass again with the new values and compute the loss.",
            f"η = {eta}; every parameter moves, not only the ones asked about, and the inputs and targets stay the same."]


def worked_step(sol: Solution, solution: dict[str, Any], nt: Notation, q: dict[str, Any]) -> list[str]:
    """The step of question q worked out with every number (this reveals the answer)."""
    t = target(q, solution)
    if t.kind == "forward":
        return ex.forward_lines(sol, nt, *t.index)
    if t.kind == "loss":
        return ex.loss_lines(sol, nt)
    if t.kind == "gradients":
        lines = []
        for b in range(sol.spec.x.shape[0]):
            lines += ([f"sample {b + 1}:"] if sol.spec.batched else []) + ex.path_lines(sol, nt, t.param, t.index, b)
        return lines + [ex.grad_line(sol, nt, t.param, t.index)]
    if t.kind == "paths":
        return ex.path_lines(sol, nt, t.param, t.index, t.sample, only=t.path)
    if t.kind == "update":
        return [ex.grad_line(sol, nt, t.param, t.index), ex.update_line(sol, nt, t.param, t.index)]
    return ex.loss_after_lines(sol, nt)
