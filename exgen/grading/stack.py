"""Answer keys' spec dicts stacked into one `core.engine.Nets` per shape, without a Spec per key.

With one key per student, validating every spec with `spec.from_dict` dominated key preparation.
Here the first key of each shape is validated with `from_dict`; the others are read as arrays,
one conversion per field for all keys of the shape, and checked as arrays. If any check fails,
`from_dict` is run on each key to name the bad one and its field.
"""
from __future__ import annotations

import numpy as np

from exgen.core.engine import Nets
from exgen.core.functions import PROBABILISTIC_LOSSES
from exgen.core.spec import OPTIONAL, REQUIRED

_FIELDS = frozenset(REQUIRED + OPTIONAL)


def dict_signature(d: dict) -> tuple:
    """The shape of a spec dict, read off the dict without validating it: dicts with the same
    signature as a valid spec can be stacked with it. TypeError/KeyError if malformed."""
    x, acts = d["x"], d["activations"]
    batched = isinstance(x, list) and bool(x) and all(isinstance(v, list) for v in x)
    return (tuple(d["layers"]), acts if isinstance(acts, str) else tuple(acts), d["loss"], batched,
            len(x) if batched else 1, d.get("biases") is None)


def _numbers(values: list, shapes: list[tuple]) -> np.ndarray:
    """Nested lists as one float array; ValueError unless they are finite numbers of one of `shapes`."""
    a = np.array(values)  # no dtype: strings and nulls stay visible
    if a.shape not in shapes or a.dtype.kind not in "iuf" or not np.isfinite(a).all():
        raise ValueError("not finite numbers of the expected shape")
    return a.astype(float)


def _samples(values: list, K: int, B: int, n: int, batched: bool) -> np.ndarray:
    """x or y of K specs as (K, B, n): lists of vectors, vectors, or scalars where n = 1."""
    shapes = [(K, B, n)] if batched else [(K, n)] + [(K,)] * (n == 1)
    return _numbers(values, shapes).reshape(K, B, n)


def stack_dicts(dicts: list[dict], like) -> Nets:
    """One Nets from spec dicts that have the `dict_signature` of the valid Spec `like`.

    The checks are those of `from_dict`, on arrays: known fields, finite numbers of the right
    shapes, a positive learning rate, targets in [0, 1] for bce/cross_entropy (a JSON true/false
    among numbers reads as 1/0). ValueError if one fails."""
    K, s = len(dicts), like
    B = s.x.shape[0]
    if any(not (d.keys() <= _FIELDS) or not isinstance(d.get("name", ""), str)
           or not isinstance(d.get("description", ""), str) for d in dicts):
        raise ValueError("an unknown field, or a name or description that is not a string")
    x = _samples([d["x"] for d in dicts], K, B, s.layers[0], s.batched)
    y = _samples([d["y"] for d in dicts], K, B, s.layers[-1], s.batched)
    if s.loss in PROBABILISTIC_LOSSES and ((y < 0) | (y > 1)).any():
        raise ValueError("targets outside [0, 1]")
    eta = _numbers([d["learning_rate"] for d in dicts], [(K,)])
    if (eta <= 0).any():
        raise ValueError("a learning rate that is not positive")
    L = s.n_layers
    W = [_numbers([d["weights"][l] for d in dicts], [(K, s.layers[l + 1], s.layers[l])]) for l in range(L)]
    b = None if s.biases is None else [_numbers([d["biases"][l] for d in dicts], [(K, s.layers[l + 1])])
                                       for l in range(L)]
    return Nets(tuple(s.layers), tuple(s.activations), s.loss, s.batched, x, y, W, b, eta)
