"""One network as a user sees it: forward pass, deltas, gradients, one SGD step and the loss after
it, for a Spec. The numbers come from the batched engine (exgen.core.engine) run on the batch of
one network with no hooks; here they lose the network axis.

Notation (layer l = 1..L, layer 0 is the input; arrays carry a sample axis B):
    z^(l) = h^(l-1) W^(l)T + b^(l)          h^(l) = f_l(z^(l))
    L     = mean_b loss(h^(L)_b, y_b)
    delta^(L) = J_f(z^(L))^T dL/dh^(L)      delta^(l) = f_l'(z^(l)) * (delta^(l+1) W^(l+1))
    dL/dW^(l) = delta^(l)T h^(l-1) / B      dL/db^(l) = mean_b delta^(l)
    W' = W - eta dL/dW
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exgen.core.engine import FORWARD, LOSS, Nets, run
from exgen.errors import ExgenError
from exgen.core.functions import LOSSES
from exgen.core.spec import Spec


class NonFiniteError(ExgenError):
    """A result overflowed or is undefined (inf or nan): names the quantity and the spec."""


@dataclass
class Forward:
    z: list[np.ndarray]  # z[l-1]: (B, n_l) pre-activations of layer l = 1..L
    h: list[np.ndarray]  # h[l]: (B, n_l) activations, h[0] = x

    @property
    def output(self) -> np.ndarray:
        return self.h[-1]  # (B, n_L)


@dataclass
class Backward:
    dL_dout: np.ndarray  # (B, n_L) dL/dh^(L), per sample (without the 1/B of the batch mean)
    deltas: list[np.ndarray]  # deltas[l-1]: (B, n_l) dL/dz^(l), per sample
    grad_w: list[np.ndarray]  # grad_w[l-1]: (n_l, n_{l-1}), batch mean
    grad_b: list[np.ndarray]  # grad_b[l-1]: (n_l,), batch mean


@dataclass
class Solution:
    spec: Spec
    fwd: Forward
    bwd: Backward
    loss: float
    updated_w: list[np.ndarray]
    updated_b: list[np.ndarray] | None
    fwd_after: Forward
    loss_after: float

    def old_grad_new(self, kind: str, idx: tuple[int, ...]) -> tuple[float, float, float]:
        """A parameter ("weights" (l, j, k) or "biases" (l, j)): its value, gradient and value after the step."""
        l = idx[0]
        if kind == "weights":
            return (float(self.spec.weights[l][idx[1:]]), float(self.bwd.grad_w[l][idx[1:]]),
                    float(self.updated_w[l][idx[1:]]))
        assert self.spec.biases is not None and self.updated_b is not None, "a network without biases"
        return (float(self.spec.biases[l][idx[1]]), float(self.bwd.grad_b[l][idx[1]]),
                float(self.updated_b[l][idx[1]]))


def nets_of(spec: Spec, weights: list[np.ndarray] | None = None,
            biases: list[np.ndarray] | None = None) -> Nets:
    """The spec as a batch of one network; `weights`/`biases` replace the spec's."""
    W = spec.weights if weights is None else weights
    b = spec.biases if biases is None else biases
    return Nets(tuple(spec.layers), tuple(spec.activations), spec.loss, spec.batched,
                spec.x[None], spec.y[None], [np.asarray(w, float)[None] for w in W],
                None if b is None else [np.asarray(v, float)[None] for v in b],
                np.array([spec.learning_rate], dtype=float))


def forward(spec: Spec, weights: list[np.ndarray] | None = None,
            biases: list[np.ndarray] | None = None) -> Forward:
    """Forward pass; `weights`/`biases` override the spec's (e.g. after an update)."""
    res = run(nets_of(spec, weights, biases), upto=FORWARD)
    return Forward([z[0] for z in res.z], [h[0] for h in res.h])


def sample_losses(spec: Spec, fwd: Forward) -> np.ndarray:
    return LOSSES[spec.loss].value(fwd.output, spec.y)  # (B,)


def solve(spec: Spec) -> Solution:
    """Everything a student computes by hand: forward, loss, gradients, one SGD step, new loss.
    Raises NonFiniteError if any of it is not a finite number (never inf or nan in a result)."""
    with np.errstate(all="ignore"):  # an overflow is reported once, below, by what it reached
        r = run(nets_of(spec))
    assert r.g is not None and r.loss is not None and r.loss_after is not None  # run to the end (ALL)
    sol = Solution(spec, Forward([z[0] for z in r.z], [h[0] for h in r.h]),
                   Backward(r.g[0], [d[0] for d in r.deltas], [g[0] for g in r.gw], [g[0] for g in r.gb]),
                   float(r.loss[0]), [w[0] for w in r.uw], None if r.ub is None else [b[0] for b in r.ub],
                   Forward([z[0] for z in r.z_after], [h[0] for h in r.h_after]), float(r.loss_after[0]))
    check_finite(sol)
    return sol

def check_finite(sol: Solution) -> None:
    """The first quantity of a solution, in the order a student computes them, that is not finite."""
    L = sol.spec.n_layers
    checks = [(f"z of layer {l + 1} (forward pass)", sol.fwd.z[l]) for l in range(L)]
    checks += [(f"h of layer {l + 1} (forward pass)", sol.fwd.h[l + 1]) for l in range(L)]
    checks += [("the loss", np.array(sol.loss)), ("dL/dh of the output", sol.bwd.dL_dout)]
    checks += [(f"delta of layer {l + 1}", sol.bwd.deltas[l]) for l in reversed(range(L))]
    checks += [(f"the gradient of weights[{l}]", g) for l, g in enumerate(sol.bwd.grad_w)]
    checks += [(f"the gradient of biases[{l}]", g) for l, g in enumerate(sol.bwd.grad_b)]
    checks += [(f"weights[{l}] after the SGD step", w) for l, w in enumerate(sol.updated_w)]
    checks += [(f"biases[{l}] after the SGD step", b) for l, b in enumerate(sol.updated_b or [])]
    checks += [(f"z of layer {l + 1} after the step", z) for l, z in enumerate(sol.fwd_after.z)]
    checks += [(f"h of layer {l + 1} after the step", h) for l, h in enumerate(sol.fwd_after.h[1:])]
    checks += [("the loss after the step", np.array(sol.loss_after))]
    for what, a in checks:
        bad = ~np.isfinite(a)
        if bad.any():
            v = a[bad].flat[0]
            where = f"{sol.spec.source}: " if sol.spec.source else ""
            raise NonFiniteError(f"{where}{what} is {v} (not a finite number): the spec's numbers are too large "
                                 "or reach a log of 0 (e.g. a sigmoid output of exactly 0 or 1 with bce); "
                                 "use smaller weights, inputs or learning rate")


def loss_of(spec: Spec) -> float:
    """The batch-mean loss of a spec (used by finite-difference checks)."""
    loss = run(nets_of(spec), upto=LOSS).loss
    assert loss is not None
    return float(loss[0])
