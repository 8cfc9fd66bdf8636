"""Forward pass, deltas, gradients and one SGD step. Pure NumPy, float64.

Notation (layer l = 1..L, layer 0 is the input; arrays carry a batch axis B):
    z^(l) = h^(l-1) W^(l)T + b^(l)          h^(l) = f_l(z^(l))
    L     = mean_b loss(h^(L)_b, y_b)
    delta^(L) = J_f(z^(L))^T dL/dh^(L)      delta^(l) = f_l'(z^(l)) * (delta^(l+1) W^(l+1))
    dL/dW^(l) = delta^(l)T h^(l-1)          dL/db^(l) = sum_b delta^(l)
    W' = W - eta dL/dW
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ExgenError
from .functions import ACTIVATIONS, LOSSES
from .spec import Spec


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


def forward(spec: Spec, weights: list[np.ndarray] | None = None,
            biases: list[np.ndarray] | None = None) -> Forward:
    """Forward pass; `weights`/`biases` override the spec's (e.g. after an update)."""
    W = spec.weights if weights is None else weights
    b = spec.biases if biases is None else biases
    h = [spec.x]  # (B, n_0)
    z = []
    for l, act in enumerate(spec.activations):
        zl = h[-1] @ W[l].T  # (B, n_{l+1}) = (B, n_l) @ (n_l, n_{l+1})
        if b is not None:
            zl = zl + b[l][None, :]  # (B, n_{l+1})
        z.append(zl)
        h.append(ACTIVATIONS[act].f(zl))  # (B, n_{l+1})
    return Forward(z, h)


def sample_losses(spec: Spec, fwd: Forward) -> np.ndarray:
    return LOSSES[spec.loss].value(fwd.output, spec.y)  # (B,)


def backward(spec: Spec, fwd: Forward) -> Backward:
    """Deltas per sample and gradients of the batch-mean loss."""
    B = spec.x.shape[0]
    g = LOSSES[spec.loss].grad(fwd.output, spec.y)  # (B, n_L) dL/dh^(L)
    deltas: list[np.ndarray] = [None] * spec.n_layers  # type: ignore[list-item]
    upstream = g  # (B, n_l) dL/dh^(l)
    for l in reversed(range(spec.n_layers)):
        act = ACTIVATIONS[spec.activations[l]]
        J = act.jacobian(fwd.z[l], fwd.h[l + 1])  # (B, n, n) J[b, m, i] = dh_m/dz_i
        deltas[l] = np.einsum("bm,bmi->bi", upstream, J)  # (B, n_{l+1}) dL/dz^(l+1)
        upstream = deltas[l] @ spec.weights[l]  # (B, n_l) dL/dh^(l)
    grad_w = [d.T @ h / B for d, h in zip(deltas, fwd.h[:-1])]  # (n_{l+1}, n_l)
    grad_b = [d.mean(axis=0) for d in deltas]  # (n_{l+1},)
    return Backward(g, deltas, grad_w, grad_b)


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


def sgd_step(spec: Spec, bwd: Backward) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    eta = spec.learning_rate
    new_w = [W - eta * gW for W, gW in zip(spec.weights, bwd.grad_w)]
    new_b = None if spec.biases is None else [b - eta * gb for b, gb in zip(spec.biases, bwd.grad_b)]
    return new_w, new_b


def solve(spec: Spec) -> Solution:
    """Everything a student computes by hand: forward, loss, gradients, one SGD step, new loss.
    Raises NonFiniteError if any of it is not a finite number (never inf or nan in a result)."""
    with np.errstate(all="ignore"):  # an overflow is reported once, below, by what it reached
        fwd = forward(spec)
        bwd = backward(spec, fwd)
        new_w, new_b = sgd_step(spec, bwd)
        fwd_after = forward(spec, new_w, new_b)
        sol = Solution(spec, fwd, bwd, float(sample_losses(spec, fwd).mean()), new_w, new_b,
                       fwd_after, float(sample_losses(spec, fwd_after).mean()))
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
    return float(sample_losses(spec, forward(spec)).mean())
