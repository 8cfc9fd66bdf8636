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

from .core.engine import FORWARD, LOSS, Nets, run
from .functions import LOSSES
from .spec import Spec


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
    """Everything a student computes by hand: forward, loss, gradients, one SGD step, new loss."""
    r = run(nets_of(spec))
    return Solution(spec, Forward([z[0] for z in r.z], [h[0] for h in r.h]),
                    Backward(r.g[0], [d[0] for d in r.deltas], [g[0] for g in r.gw], [g[0] for g in r.gb]),
                    float(r.loss[0]), [w[0] for w in r.uw], None if r.ub is None else [b[0] for b in r.ub],
                    Forward([z[0] for z in r.z_after], [h[0] for h in r.h_after]), float(r.loss_after[0]))


def loss_of(spec: Spec) -> float:
    """The batch-mean loss of a spec (used by finite-difference checks)."""
    return float(run(nets_of(spec), upto=LOSS).loss[0])
