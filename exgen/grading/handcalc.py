"""The engine's formulas again, vectorised over many networks of one shape, with three knobs
grading needs: round every intermediate to d decimals (as students and the seed slides do),
substitute a student's own earlier values (error carried forward), and apply a classic slip.

Every array carries a leading axis N (one network per key or per student):
    x (N, B, n_0)   W[l] (N, n_{l+1}, n_l)   b[l] (N, n_{l+1})   eta (N,)
Values are addressed by the answer key's refs (RFC 6901 pointers into the solution object).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from ..functions import ACTIVATIONS, LOSSES
from ..spec import from_dict

# slips applied inside the computation (see slips.py for the codes students see)
SOLVER_SLIPS = ("sse_factor", "batch_sum", "softmax_elementwise", "derivative_dropped",
                "sigma_for_derivative", "h_z_swapped", "z_for_h", "updated_in_backward",
                "update_wrong_sign", "update_no_eta")
_SWAP_LOSS = {"half_sse": "sse", "sse": "half_sse"}


@dataclass
class Net:
    layers: tuple[int, ...]
    acts: tuple[str, ...]
    loss: str
    batched: bool
    x: np.ndarray  # (N, B, n_0)
    y: np.ndarray  # (N, B, n_L)
    W: list[np.ndarray]  # W[l]: (N, n_{l+1}, n_l)
    b: list[np.ndarray] | None  # b[l]: (N, n_{l+1})
    eta: np.ndarray  # (N,)

    @property
    def L(self) -> int:
        return len(self.layers) - 1

    def take(self, idx: np.ndarray) -> "Net":
        """The networks at positions idx (gather along N)."""
        return Net(self.layers, self.acts, self.loss, self.batched, self.x[idx], self.y[idx],
                   [w[idx] for w in self.W], None if self.b is None else [b[idx] for b in self.b],
                   self.eta[idx])


def parse(spec_dict: dict):
    return from_dict(spec_dict, "answer key")


def stack(specs: list) -> Net:
    """One Net holding the networks of several specs (Spec objects or dicts) of the same shape."""
    specs = [parse(s) if isinstance(s, dict) else s for s in specs]
    s0 = specs[0]
    return Net(tuple(s0.layers), tuple(s0.activations), s0.loss, s0.batched,
               np.stack([s.x for s in specs]), np.stack([s.y for s in specs]),
               [np.stack([s.weights[l] for s in specs]) for l in range(s0.n_layers)],
               None if s0.biases is None else [np.stack([s.biases[l] for s in specs]) for l in range(s0.n_layers)],
               np.array([s.learning_rate for s in specs]))


def _loss_value(name: str, p: np.ndarray, y: np.ndarray) -> np.ndarray:
    N, B, K = p.shape
    return LOSSES[name].value(p.reshape(N * B, K), y.reshape(N * B, K)).reshape(N, B)


def _loss_grad(name: str, p: np.ndarray, y: np.ndarray) -> np.ndarray:
    N, B, K = p.shape
    return LOSSES[name].grad(p.reshape(N * B, K), y.reshape(N * B, K)).reshape(N, B, K)


@dataclass
class Calc:
    """Everything one hand computation produces, for N networks at once."""
    net: Net
    rnd: object
    z: list = field(default_factory=list)  # z[l]: (N, B, n_{l+1})
    h: list = field(default_factory=list)  # h[l]: (N, B, n_l), h[0] = x
    loss: np.ndarray | None = None  # (N,)
    g: np.ndarray | None = None  # (N, B, n_L) dL/dh^(L)
    J: list = field(default_factory=list)  # J[l]: (N, B, n, n)
    gw: list = field(default_factory=list)
    gb: list | None = None
    uw: list = field(default_factory=list)
    ub: list | None = None
    loss_after: np.ndarray | None = None

    def value(self, ref: str) -> np.ndarray:
        """The (N,) values at a solution ref; KeyError if the ref is not one we compute."""
        t = ref.split("/")[1:]
        try:
            if t == ["loss"]:
                return self.loss
            if t == ["loss_after"]:
                return self.loss_after
            if t[0] in ("forward", "output"):
                l, arr, rest = (int(t[1]), t[2], t[3:]) if t[0] == "forward" else (self.net.L - 1, "h", t[1:])
                src = self.h[l + 1] if arr == "h" else self.z[l]
                bj = (0, int(rest[0])) if len(rest) == 1 else (int(rest[0]), int(rest[1]))
                return src[:, bj[0], bj[1]]
            if t[0] in ("gradients", "updated"):
                ws, bs = (self.gw, self.gb) if t[0] == "gradients" else (self.uw, self.ub)
                idx = [int(v) for v in t[2:]]
                if t[1] == "weights":
                    return ws[idx[0]][:, idx[1], idx[2]]
                return bs[idx[0]][:, idx[1]]
            if t[0] == "paths" and t[2] == "paths" and t[4] == "product":
                return self.path_product(int(t[1]), int(t[3]))
        except (IndexError, ValueError, TypeError) as e:
            raise KeyError(ref) from e
        raise KeyError(ref)

    def values(self, refs: list[str]) -> np.ndarray:
        """(N, Q) values at the refs, NaN where a ref is not one we compute."""
        out = np.full((len(self.net.eta), len(refs)), np.nan)
        for q, ref in enumerate(refs):
            try:
                out[:, q] = self.value(ref)
            except KeyError:
                pass
        return out

    def path_product(self, i: int, p: int) -> np.ndarray:
        """Product of the factors of path p of entry i of the solution's "paths" list."""
        net = self.net
        params = [("weights", (l, j, k)) for l in range(net.L) for j in range(net.layers[l + 1])
                  for k in range(net.layers[l])]
        if net.b is not None:
            params += [("biases", (l, j)) for l in range(net.L) for j in range(net.layers[l + 1])]
        b, (kind, idx) = divmod(i, len(params))[0], params[i % len(params)]
        l, j, L = idx[0], idx[1], net.L
        later = [range(net.layers[q + 1]) for q in range(l + 1, L)]
        softmax_out = not ACTIVATIONS[net.acts[-1]].elementwise
        routes = [(route, m) for route in itertools.product(*later)
                  for m in (range(net.layers[-1]) if softmax_out else (((j, *route)[-1]),))]
        route, m = routes[p]
        neurons = (j, *route)
        out = neurons[-1]
        prod = self.g[:, b, m] * self.J[L - 1][:, b, m, out]
        for q in range(L - 1, l, -1):
            to, frm = neurons[q - l], neurons[q - l - 1]
            prod = prod * net.W[q][:, to, frm] * self.J[q - 1][:, b, frm, frm]
        if kind == "weights":
            prod = prod * self.h[l][:, b, idx[2]]
        return self.rnd(prod)


def _overrides(overrides: dict[str, np.ndarray] | None, net: Net) -> dict[tuple, list]:
    """Group override refs by the array they replace: (name, l) -> [(index, values)]."""
    out: dict[tuple, list] = {}
    for ref, vals in (overrides or {}).items():
        t = ref.split("/")[1:]
        if t[0] in ("forward", "output"):
            l, arr, rest = (int(t[1]), t[2], t[3:]) if t[0] == "forward" else (net.L - 1, "h", t[1:])
            idx = (0, int(rest[0])) if len(rest) == 1 else (int(rest[0]), int(rest[1]))
            out.setdefault((arr, l), []).append((idx, vals))
        elif t[0] in ("gradients", "updated"):
            name = ("g" if t[0] == "gradients" else "u") + ("w" if t[1] == "weights" else "b")
            idx = tuple(int(v) for v in t[3:])
            out.setdefault((name, int(t[2])), []).append((idx, vals))
    return out


def _put(arr: np.ndarray, entries: list | None) -> np.ndarray:
    if not entries:
        return arr
    arr = arr.copy()
    for idx, vals in entries:
        sl = (slice(None), *idx)
        arr[sl] = np.where(np.isnan(vals), arr[sl], vals)
    return arr


def _rounder(d: int | None):
    """d decimals; a negative d truncates to -d decimals (seed 002 chops 0.58686 to 0.5868)."""
    if d is None:
        return lambda a: a
    if d < 0:
        f = 10.0 ** -d
        return lambda a: np.trunc(a * f + np.sign(a) * 1e-9) / f
    return lambda a: np.round(a, d)


def _forward(net: Net, W, b, r, ov) -> tuple[list, list]:
    h, z = [net.x], []
    for l, act in enumerate(net.acts):
        zl = np.einsum("nbk,njk->nbj", h[-1], W[l])  # (N, B, n_{l+1})
        if b is not None:
            zl = zl + b[l][:, None, :]
        zl = _put(r(zl), ov.get(("z", l)))
        z.append(zl)
        shp = zl.shape
        hl = ACTIVATIONS[act].f(zl.reshape(-1, shp[2])).reshape(shp)
        h.append(_put(r(hl), ov.get(("h", l))))
    return z, h


def _jacobian(act: str, zl: np.ndarray, hl: np.ndarray, slip: str | None, r) -> np.ndarray:
    """r(J): a diagonal J is built from its rounded diagonal (the same bits as rounding all of J:
    r keeps the sign of a zero, and 0 * r(d) is the zero r(0 * d) is)."""
    N, B, n = zl.shape
    eye = np.eye(n)[None, None]
    if slip == "derivative_dropped":
        return r(np.broadcast_to(eye, (N, B, n, n)).copy())
    if act == "sigmoid" and slip == "sigma_for_derivative":
        return eye * r(hl)[..., None, :]
    if act == "sigmoid" and slip == "h_z_swapped":
        return eye * r(zl * (1 - zl))[..., None, :]
    if act == "softmax" and slip == "softmax_elementwise":
        return eye * r(hl * (1 - hl))[..., None, :]
    a = ACTIVATIONS[act]
    if a.elementwise:
        return eye * r(a.df(zl, hl))[..., None, :]
    return r(a.jacobian(zl.reshape(N * B, n), hl.reshape(N * B, n)).reshape(N, B, n, n))


FORWARD, LOSS, BACKWARD, UPDATE, ALL = range(5)


def stage(ref: str) -> int:
    """How far `solve` must go to compute the value at `ref`."""
    t = ref.split("/")[1]
    return {"forward": FORWARD, "output": FORWARD, "loss": LOSS, "gradients": BACKWARD,
            "paths": BACKWARD, "updated": UPDATE}.get(t, ALL)


def solve(net: Net, rnd: int | None = None, overrides: dict[str, np.ndarray] | None = None,
          slip: str | None = None, upto: int = ALL) -> Calc:
    """Forward, loss, backward, one SGD step and the new loss, for all N networks (or only up
    to stage `upto`: FORWARD, LOSS, BACKWARD, UPDATE)."""
    r = _rounder(rnd)
    ov = _overrides(overrides, net)
    c = Calc(net, r)
    loss = _SWAP_LOSS.get(net.loss, net.loss) if slip == "sse_factor" else net.loss
    reduce = (lambda a, axis: a.sum(axis=axis)) if slip == "batch_sum" else (lambda a, axis: a.mean(axis=axis))
    c.z, c.h = _forward(net, net.W, net.b, r, ov)
    if upto == FORWARD:
        return c
    c.loss = r(reduce(_loss_value(loss, c.h[-1], net.y), 1))
    if upto == LOSS:
        return c
    c.g = r(_loss_grad(loss, c.h[-1], net.y))  # (N, B, n_L)
    L = net.L
    c.J, c.gw = [None] * L, [None] * L
    gb = [None] * L
    upstream = c.g
    for l in reversed(range(L)):
        c.J[l] = _jacobian(net.acts[l], c.z[l], c.h[l + 1], slip, r)
        delta = r(np.einsum("nbm,nbmi->nbi", upstream, c.J[l]))  # (N, B, n_{l+1})
        inp = c.z[l - 1] if (slip == "z_for_h" and l > 0) else c.h[l]  # (N, B, n_l)
        outer = delta[..., :, None] * inp[..., None, :]  # (N, B, n_{l+1}, n_l), = einsum("nbj,nbk->nbjk")
        c.gw[l] = _put(r(reduce(outer, 1)), ov.get(("gw", l)))
        gb[l] = _put(r(reduce(delta, 1)), ov.get(("gb", l)))
        W_back = net.W[l]
        if slip == "updated_in_backward":
            W_back = net.W[l] - net.eta[:, None, None] * c.gw[l]
        upstream = r(np.einsum("nbi,nik->nbk", delta, W_back))  # (N, B, n_l)
    c.gb = gb if net.b is not None else None
    if upto == BACKWARD:
        return c
    sign, eta = (-1.0 if slip == "update_wrong_sign" else 1.0), net.eta.copy()
    if slip == "update_no_eta":
        eta = np.ones_like(eta)
    c.uw = [_put(r(W - sign * eta[:, None, None] * gW), ov.get(("uw", l)))
            for l, (W, gW) in enumerate(zip(net.W, c.gw))]
    if net.b is not None:
        c.ub = [_put(r(bb - sign * eta[:, None] * g), ov.get(("ub", l)))
                for l, (bb, g) in enumerate(zip(net.b, c.gb))]
    if upto == UPDATE:
        return c
    _, h_after = _forward(net, c.uw, c.ub, r, {})
    c.loss_after = r(_loss_value(net.loss, h_after[-1], net.y).mean(axis=1))
    return c
