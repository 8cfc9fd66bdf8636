"""Solution refs (RFC 6901 pointers into the solution object, as answer keys hold them) read as
the engine's arrays: which array, which layer, which entry past the network axis.

    /forward/<l>/<z|h>/<j>  (or /<b>/<j> for a mini-batch)   z[l], h[l+1]  (N, B, n)
    /output/<j>             (or /<b>/<j>)                      h[L]          (N, B, n_L)
    /deltas/<l>/<j>         (or /<b>/<j> for a mini-batch)   deltas[l]     (N, B, n)  dE_b/dz
    /loss, /loss_after                                                       (N,)
    /gradients/<weights|biases>/<l>/<j>[/<k>]                  gw[l], gb[l]  (N, n, n') / (N, n)
    /updated/<weights|biases>/<l>/<j>[/<k>]                    uw[l], ub[l]
    /paths/<i>/paths/<p>/product    product of path p of entry i of the "paths" list
    /shapes/<row|column>/<l>/<name> a matrix's shape (exgen.core.shapes): not an engine value
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

from exgen.core.functions import ACTIVATIONS
from exgen.core.shapes import CONVENTIONS, NAMES

FORWARD, LOSS, BACKWARD, UPDATE, ALL = range(5)  # how far the engine runs
_ARRAY = {("gradients", "weights"): "gw", ("gradients", "biases"): "gb",
          ("updated", "weights"): "uw", ("updated", "biases"): "ub"}


def values_at(value: Callable[[str], np.ndarray], n: int, refs: list[str]) -> np.ndarray:
    """(n, Q): value(ref) at each of `refs`, NaN where `value` raises KeyError (a ref it does not
    compute): a network engine's Result and a graph's Run read their refs this way."""
    out = np.full((n, len(refs)), np.nan)
    for q, ref in enumerate(refs):
        try:
            out[:, q] = value(ref)
        except KeyError:
            pass
    return out


@dataclass(frozen=True)
class Ref:
    """A ref parsed once: every reader (engine, grading, question kinds in exgen.kinds) uses it."""
    array: str  # "z", "h", "deltas", "loss", "loss_after", "gw", "gb", "uw", "ub", "path" or "shape"
    layer: int  # weight layer l (0-based; h[l+1] for "h"), or the paths entry for "path"
    index: tuple[int, ...]  # entry past the network axis: (b, j), (j, k), (j,), (p,) for "path",
    # (convention, name) positions in shapes.CONVENTIONS, shapes.NAMES for "shape"

    @property
    def param(self) -> str:
        """"weights" or "biases" for a gradient or an update, else ""."""
        return {"gw": "weights", "uw": "weights", "gb": "biases", "ub": "biases"}.get(self.array, "")

    @property
    def param_index(self) -> tuple[int, ...]:
        """(l, j, k) of a weight, (l, j) of a bias, for a gradient or an update."""
        return (self.layer, *self.index)

    @property
    def stage(self) -> int:
        return {"z": FORWARD, "h": FORWARD, "loss": LOSS, "deltas": BACKWARD, "gw": BACKWARD, "gb": BACKWARD,
                "path": BACKWARD, "uw": UPDATE, "ub": UPDATE}.get(self.array, ALL)


@functools.lru_cache(maxsize=4096)
def parse(ref: str, L: int) -> Ref:
    """The Ref of a solution ref for networks of L weight layers; KeyError if it is not one the
    engine computes. Each (ref, L) parsed once (a Ref is frozen: shared): error carried forward
    reads the same refs in every rerun."""
    t = ref.split("/")[1:]
    try:
        if t in (["loss"], ["loss_after"]):
            return Ref(t[0], 0, ())
        if t[0] in ("forward", "output"):
            l, arr, rest = (int(t[1]), t[2], t[3:]) if t[0] == "forward" else (L - 1, "h", t[1:])
            if arr in ("z", "h") and len(rest) in (1, 2):
                return Ref(arr, l, (0, int(rest[0])) if len(rest) == 1 else (int(rest[0]), int(rest[1])))
        if t[0] == "shapes" and len(t) == 4 and t[1] in CONVENTIONS and t[3] in NAMES:
            return Ref("shape", int(t[2]), (CONVENTIONS.index(t[1]), NAMES.index(t[3])))
        if t[0] == "deltas" and len(t) in (3, 4):
            at = tuple(int(v) for v in t[2:])
            return Ref("deltas", int(t[1]), (0, *at) if len(at) == 1 else at)
        if t[0] in ("gradients", "updated") and t[1] in ("weights", "biases"):
            idx = tuple(int(v) for v in t[3:])
            if len(idx) == (2 if t[1] == "weights" else 1):
                return Ref(_ARRAY[t[0], t[1]], int(t[2]), idx)
        if t[0] == "paths" and len(t) == 5 and t[2] == "paths" and t[4] == "product":
            return Ref("path", int(t[1]), (int(t[3]),))
    except (IndexError, ValueError) as e:
        raise KeyError(ref) from e
    raise KeyError(ref)


def stage(ref: str) -> int:
    """How far the engine must run to compute the value at `ref` (ALL if it is not one)."""
    try:
        return parse(ref, 1).stage
    except KeyError:
        return ALL


def parameters(layers: tuple[int, ...] | list[int], biased: bool) -> Iterator[tuple[str, tuple[int, ...]]]:
    """Every parameter as (kind, index): weights (l, j, k), then biases (l, j), layer by layer:
    the order of the solution's "paths" list (per sample)."""
    L = len(layers) - 1
    for l in range(L):
        for j in range(layers[l + 1]):
            for k in range(layers[l]):
                yield "weights", (l, j, k)
    if biased:
        for l in range(L):
            for j in range(layers[l + 1]):
                yield "biases", (l, j)


def path_entry(i: int, layers: tuple[int, ...] | list[int], biased: bool) -> tuple[int, str, tuple[int, ...]]:
    """(sample, kind, index) of entry i of the solution's "paths" list: samples, then parameters."""
    params = list(parameters(layers, biased))
    return i // len(params), *params[i % len(params)]


def value(res: Any, ref: Ref) -> np.ndarray:
    """The (N,) values of an engine Result at a parsed ref; KeyError if not computed."""
    if ref.array == "shape":
        raise KeyError(ref)  # a shape, not a number (grading.shapes judges it)
    try:
        if ref.array == "path":
            return path_product(res, ref.layer, ref.index[0])
        if ref.array in ("loss", "loss_after"):
            arr = getattr(res, ref.array)
        elif ref.array in ("gb", "ub") and res.nets.b is None:
            arr = None
        else:
            arr = getattr(res, ref.array)[ref.layer + (ref.array == "h")]
        if arr is None:
            raise KeyError(ref)
        return arr[(slice(None), *ref.index)]
    except (IndexError, TypeError) as e:
        raise KeyError(ref) from e


def overrides_by_array(overrides: dict[str, np.ndarray] | None, L: int) -> dict[tuple[str, int], list]:
    """Override refs grouped by the array they replace: (array, l) -> [(index, (N,) values)].
    Only values the engine feeds forward are replaced (forward values, gradients, updates)."""
    out: dict[tuple[str, int], list] = {}
    for ref, vals in (overrides or {}).items():
        try:
            r = parse(ref, L)
        except KeyError:
            continue
        if r.array not in ("loss", "loss_after", "path", "shape"):
            out.setdefault((r.array, r.layer), []).append((r.index, vals))
    return out


def path_product(res: Any, i: int, p: int) -> np.ndarray:
    """(N,) product of the factors of path p of entry i of the solution's "paths" list (see
    exgen.core.paths): dE/dh^(L)_m dh_m/dz_out, then w dh/dz per layer back, then dz/dparam; rounded
    like every intermediate. IndexError past the last path."""
    nets = res.nets
    L = nets.L
    b, kind, idx, neurons, m = _path(i, p, tuple(nets.layers), nets.b is not None,
                                     not ACTIVATIONS[nets.acts[-1]].elementwise)
    l = idx[0]
    prod = res.g[:, b, m] * _dh_dz(res, L - 1, b, m, neurons[-1])  # (N,)
    for q in range(L - 1, l, -1):
        to, frm = neurons[q - l], neurons[q - l - 1]
        prod = prod * nets.W[q][:, to, frm] * _dh_dz(res, q - 1, b, frm, frm)  # (N,)
    if kind == "weights":
        prod = prod * res.h[l][:, b, idx[2]]  # (N,) times dz/dw = h
    return res.round(prod)


@functools.lru_cache(maxsize=1024)
def _path(i: int, p: int, layers: tuple[int, ...], biased: bool, softmax_out: bool) -> tuple:
    """(sample b, kind, index, neurons, m) of path p of entry i of the "paths" list, for networks
    of these layers: neurons[q - l] is the neuron of layer q+1 on the path (from the parameter's
    layer l), m the output whose loss term it starts at. Made once per shape, path_product reads it."""
    L = len(layers) - 1
    b, kind, idx = path_entry(i, layers, biased)
    l, j = idx[0], idx[1]
    later = [range(layers[q + 1]) for q in range(l + 1, L)]
    routes = [(route, m) for route in itertools.product(*later)
              for m in (range(layers[-1]) if softmax_out else ((j, *route)[-1],))]
    route, m = routes[p]
    return b, kind, idx, (j, *route), m


def _dh_dz(res: Any, l: int, b: int, m: int, i: int) -> np.ndarray:
    """(N,) dh_m/dz_i of layer l+1 for sample b, read off res.dh_dz without building J."""
    d = res.dh_dz[l]  # (N, B, n) diagonal, or (N, B, n, n)
    if d.ndim == 4:
        return d[:, b, m, i]
    return d[:, b, i] if m == i else 0.0 * d[:, b, i]  # the entries of eye * d
