"""The engine: forward pass, loss, deltas, gradients, one SGD step and the loss after it, for N
networks of one shape at once. Pure NumPy, float64.

Shapes: N networks, B samples each; layer l = 1..L has n_l neurons, layer 0 is the input. In the
code l is the 0-based weight layer: z[l], W[l], b[l] belong to layer l+1, h[l] to layer l.
    x (N, B, n_0)   y (N, B, n_L)   W[l] (N, n_{l+1}, n_l)   b[l] (N, n_{l+1})   eta (N,)

    z^(l) = h^(l-1) W^(l)T + b^(l)          h^(l) = f_l(z^(l)),  h^(0) = x
    E     = mean_b loss(h^(L)_b, y_b)
    delta^(L) = J_f(z^(L))^T dE/dh^(L)      delta^(l) = f_l'(z^(l)) * (delta^(l+1) W^(l+1))
    dE/dW^(l) = mean_b delta^(l)T h^(l-1)    dE/db^(l) = mean_b delta^(l)
    W' = W - eta dE/dW,  b' = b - eta dE/db,  E' = E at (W', b')

Hooks grading needs (all off by default; exgen.core.solve.solve is one network with none):
    decimals   every intermediate rounded to d decimals as a student carries it, or chopped to
               -d decimals if d < 0 (seed 002 chops 0.58686 to 0.5868)
    overrides  {solution ref: (N,) values}: a student's own earlier values replace the computed
               ones (error carried forward); NaN keeps the computed value
    slip       one of SLIPS, the classic mistake applied where it happens (batch_sum and
               first_sample replace the mean over the samples by their sum or the first sample's value)
    upto       stop after FORWARD, LOSS, BACKWARD or UPDATE
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from exgen.core.functions import ACTIVATIONS, LOSSES
from exgen.core import refs
from exgen.core.refs import ALL, BACKWARD, FORWARD, LOSS, UPDATE

__all__ = ["Nets", "Result", "run", "SLIPS", "FORWARD", "LOSS", "BACKWARD", "UPDATE", "ALL"]

SLIPS = ("sse_factor", "batch_sum", "first_sample", "softmax_elementwise", "derivative_dropped",
         "sigma_for_derivative", "h_z_swapped", "z_for_h", "updated_in_backward",
         "update_wrong_sign", "update_no_eta")
_SWAP_LOSS = {"half_sse": "sse", "sse": "half_sse"}  # sse_factor: the factor 2 off


@dataclass
class Nets:
    """N networks of one shape, with their data."""
    layers: tuple[int, ...]
    acts: tuple[str, ...]
    loss: str
    batched: bool  # x was given as a list of samples (how refs and outputs print, not the math)
    x: np.ndarray  # (N, B, n_0)
    y: np.ndarray  # (N, B, n_L)
    W: list[np.ndarray]  # W[l]: (N, n_{l+1}, n_l)
    b: list[np.ndarray] | None  # b[l]: (N, n_{l+1}); None: no biases
    eta: np.ndarray  # (N,)

    @property
    def L(self) -> int:
        return len(self.layers) - 1

    def take(self, idx: Any) -> "Nets":
        """The networks at positions idx (an index array or a slice along N)."""
        return Nets(self.layers, self.acts, self.loss, self.batched, self.x[idx], self.y[idx],
                    [w[idx] for w in self.W], None if self.b is None else [b[idx] for b in self.b],
                    self.eta[idx])

    @classmethod
    def of(cls, specs: list) -> "Nets":
        """The networks of specs of one shape (Spec objects, or spec dicts to validate)."""
        from exgen.core.spec import from_dict
        specs = [from_dict(s, "answer key") if isinstance(s, dict) else s for s in specs]
        s0, L = specs[0], specs[0].n_layers
        return cls(tuple(s0.layers), tuple(s0.activations), s0.loss, s0.batched,
                   np.stack([s.x for s in specs]), np.stack([s.y for s in specs]),
                   [np.stack([s.weights[l] for s in specs]) for l in range(L)],
                   None if s0.biases is None else [np.stack([s.biases[l] for s in specs]) for l in range(L)],
                   np.array([s.learning_rate for s in specs], dtype=float))


@dataclass
class Result:
    """Everything one (hand) computation produces, for N networks; lists are per weight layer."""
    nets: Nets
    round: Callable[[np.ndarray], np.ndarray]  # the rounding hook (identity when off)
    z: list[np.ndarray] = field(default_factory=list)  # z[l]: (N, B, n_{l+1}) pre-activations
    h: list[np.ndarray] = field(default_factory=list)  # h[l]: (N, B, n_l) activations, h[0] = x
    sample_loss: np.ndarray | None = None  # (N, B) loss of each sample
    loss: np.ndarray | None = None  # (N,) E, the batch mean
    g: np.ndarray | None = None  # (N, B, n_L) dE_b/dh^(L) per sample (without the 1/B)
    dh_dz: list[np.ndarray] = field(default_factory=list)  # (N, B, n) diagonal f', or (N, B, n, n) J
    deltas: list[np.ndarray] = field(default_factory=list)  # deltas[l]: (N, B, n_{l+1}) dE_b/dz
    gw: list[np.ndarray] = field(default_factory=list)  # gw[l]: (N, n_{l+1}, n_l) dE/dW, batch mean
    gb: list[np.ndarray] = field(default_factory=list)  # gb[l]: (N, n_{l+1}) dE/db, batch mean
    uw: list[np.ndarray] = field(default_factory=list)  # uw[l]: (N, n_{l+1}, n_l) W after the step
    ub: list[np.ndarray] | None = None  # ub[l]: (N, n_{l+1}) b after the step; None: no biases
    z_after: list[np.ndarray] = field(default_factory=list)  # the forward pass after the step
    h_after: list[np.ndarray] = field(default_factory=list)
    loss_after: np.ndarray | None = None  # (N,)

    def value(self, ref: str) -> np.ndarray:
        """(N,) values at a solution ref; KeyError if the ref is not one computed."""
        return refs.value(self, refs.parse(ref, self.nets.L))

    def values(self, refs_: list[str]) -> np.ndarray:
        """(N, Q) values at the refs, NaN where a ref is not one computed."""
        return refs.values_at(self.value, len(self.nets.eta), refs_)

    def path_product(self, i: int, p: int) -> np.ndarray:
        """(N,) product of path p of entry i of the solution's "paths" list."""
        return refs.path_product(self, i, p)


def rounder(d: int | None) -> Callable[[np.ndarray], np.ndarray]:
    """Round to d decimals; a negative d truncates to -d decimals; None: no rounding."""
    if d is None:
        return lambda a: a
    if d < 0:
        f = 10.0 ** -d

        def chop(a: np.ndarray) -> np.ndarray:  # trunc(a f + sign(a) 1e-9) / f, on one temporary
            out, nudge = a * f, np.sign(a)
            nudge *= 1e-9
            out += nudge
            return np.divide(np.trunc(out, out=out), f, out=out)
        return chop
    return lambda a: np.round(a, d)


def _put(arr: np.ndarray, entries: list | None) -> np.ndarray:
    """arr with the overriding (N,) values at their entries (NaN: keep arr's)."""
    if not entries:
        return arr
    arr = arr.copy()
    for idx, vals in entries:  # idx: integers, so arr[:, *idx] is a view of arr
        np.copyto(arr[(slice(None), *idx)], vals, where=~np.isnan(vals))
    return arr


def _batch_mean(a: np.ndarray, axis: int) -> np.ndarray:
    """np.mean to the bit, without its overhead (and a view for one sample)."""
    return np.squeeze(a, axis) if a.shape[axis] == 1 else a.sum(axis=axis) / a.shape[axis]


def _batch_sum(a: np.ndarray, axis: int) -> np.ndarray:
    return np.squeeze(a, axis) if a.shape[axis] == 1 else a.sum(axis=axis)


def _first_sample(a: np.ndarray, axis: int) -> np.ndarray:
    return np.take(a, 0, axis=axis)  # the first sample's value for the batch's


_OVER_BATCH = {"batch_sum": _batch_sum, "first_sample": _first_sample}  # slips of the batch mean


def _forward(nets: Nets, W: list, b: list | None, r: Callable, ov: dict) -> tuple[list, list]:
    """z[l] (N, B, n_{l+1}) and h[l] (N, B, n_l) of every layer, rounded and overridden."""
    z: list[np.ndarray] = []
    h = [nets.x]  # (N, B, n_0)
    for l, act in enumerate(nets.acts):
        zl = np.einsum("nbk,njk->nbj", h[l], W[l])  # (N, B, n_{l+1}) = h^(l) W^(l)T
        if b is not None:
            zl += b[l][:, None, :]  # (N, B, n_{l+1}) + (N, 1, n_{l+1})
        z.append(_put(r(zl), ov.get(("z", l))))  # (N, B, n_{l+1})
        h.append(_put(r(ACTIVATIONS[act].f(z[l])), ov.get(("h", l))))  # (N, B, n_{l+1})
    return z, h


def _dh_dz(act: str, z: np.ndarray, h: np.ndarray, slip: str | None, r: Callable) -> np.ndarray:
    """Rounded dh/dz of a layer: (N, B, n) the diagonal of an elementwise f', or (N, B, n, n) the
    full Jacobian of softmax; with the derivative slips applied."""
    if slip == "derivative_dropped":
        return np.ones_like(z)  # (N, B, n) dh/dz taken as 1
    if act == "sigmoid" and slip == "sigma_for_derivative":
        return r(h)  # (N, B, n) sigma(z) for sigma'(z)
    if act == "sigmoid" and slip == "h_z_swapped":
        return r(z * (1 - z))  # (N, B, n) z(1-z) for h(1-h)
    if act == "softmax" and slip == "softmax_elementwise":
        return r(h * (1 - h))  # (N, B, n) the diagonal only
    a = ACTIVATIONS[act]
    if a.df is not None:
        return r(a.df(z, h))  # (N, B, n) elementwise
    return r(a.jacobian(z, h))  # (N, B, n, n) softmax


def run(nets: Nets, *, decimals: int | None = None, overrides: dict[str, np.ndarray] | None = None,
        slip: str | None = None, upto: int = ALL) -> Result:
    """Forward, loss, backward, one SGD step and the loss after it for all N networks, with the
    hooks (see the module docstring); `upto` stops early (FORWARD, LOSS, BACKWARD, UPDATE)."""
    r, ov, L = rounder(decimals), refs.overrides_by_array(overrides, nets.L), nets.L
    eta = nets.eta  # (N,)
    res = Result(nets, r)
    res.z, res.h = _forward(nets, nets.W, nets.b, r, ov)  # z[l]: (N, B, n_{l+1}), h[l]: (N, B, n_l)
    if upto == FORWARD:
        return res
    loss = LOSSES[_SWAP_LOSS.get(nets.loss, nets.loss) if slip == "sse_factor" else nets.loss]
    over_batch = _OVER_BATCH.get(slip or "", _batch_mean)  # E is the mean over the samples
    res.sample_loss = loss.value(res.h[L], nets.y)  # (N, B)
    res.loss = r(over_batch(res.sample_loss, axis=1))  # (N,)
    if upto == LOSS:
        return res
    res.g = r(loss.grad(res.h[L], nets.y))  # (N, B, n_L) dE_b/dh^(L)
    res.dh_dz, res.deltas, res.gw, res.gb = [None] * L, [None] * L, [None] * L, [None] * L  # type: ignore[list-item]
    upstream = res.g  # (N, B, n_{l+1}) dE_b/dh^(l+1)
    for l in reversed(range(L)):
        d = res.dh_dz[l] = _dh_dz(nets.acts[l], res.z[l], res.h[l + 1], slip, r)  # (N, B, n_{l+1}[, n_{l+1}])
        if d.ndim == 3:
            delta = r(upstream * d)  # (N, B, n_{l+1}) = dE/dh * f'(z)
        else:
            delta = r(np.einsum("nbm,nbmi->nbi", upstream, d))  # (N, B, n_{l+1}) = sum_m dE/dh_m dh_m/dz_i
        delta = res.deltas[l] = _put(delta, ov.get(("deltas", l)))  # (N, B, n_{l+1}) dE_b/dz^(l+1)
        h_in = res.z[l - 1] if (slip == "z_for_h" and l > 0) else res.h[l]  # (N, B, n_l)
        outer = np.einsum("nbj,nbk->nbjk", delta, h_in)  # (N, B, n_{l+1}, n_l) delta_j h_k
        res.gw[l] = _put(r(over_batch(outer, axis=1)), ov.get(("gw", l)))  # (N, n_{l+1}, n_l)
        res.gb[l] = _put(r(over_batch(delta, axis=1)), ov.get(("gb", l)))  # (N, n_{l+1})
        if l > 0:
            W = nets.W[l]  # (N, n_{l+1}, n_l)
            if slip == "updated_in_backward":
                W = W - eta[:, None, None] * res.gw[l]  # (N, n_{l+1}, n_l) the new weights, too early
            upstream = r(np.einsum("nbi,nik->nbk", delta, W))  # (N, B, n_l) = delta^(l+1) W^(l+1)
    if upto == BACKWARD:
        return res
    sign = -1.0 if slip == "update_wrong_sign" else 1.0
    step = np.ones_like(eta) if slip == "update_no_eta" else eta  # (N,)
    res.uw = [_put(r(W - sign * step[:, None, None] * gW), ov.get(("uw", l)))  # (N, n_{l+1}, n_l)
              for l, (W, gW) in enumerate(zip(nets.W, res.gw))]
    if nets.b is not None:
        res.ub = [_put(r(b - sign * step[:, None] * gb), ov.get(("ub", l)))  # (N, n_{l+1})
                  for l, (b, gb) in enumerate(zip(nets.b, res.gb))]
    if upto == UPDATE:
        return res
    res.z_after, res.h_after = _forward(nets, res.uw, res.ub, r, {})  # as z, h; no overrides
    res.loss_after = r(_batch_mean(LOSSES[nets.loss].value(res.h_after[L], nets.y), axis=1))  # (N,)
    return res
