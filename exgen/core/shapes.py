"""The matrix form of one layer over a mini-batch: the shapes of X, W, b, Z, dL/dZ, dL/dW and
dL/db, read off the engine's own arrays, in either convention (seed 001 shows both):

    row     Z = X W + b     X (n×d), W (d×k), b (1×k, added to every row), Z (n×k)
            dL/dW = Xᵀ·δ / n        dL/db = (1/n)·1ᵀ·δ    (the column means of δ)
    column  Z = W X + b     X (d×n), W (k×d), b (k×1, added to every column), Z (k×n)
            dL/dW = δ·Xᵀ / n        dL/db = (1/n)·δ·1     (the row means of δ)

n samples, d inputs and k neurons of the layer; δ holds each sample's deltas ∂ℓ/∂z (without the
1/n of the batch mean), so dL/dZ = δ / n. The engine stores samples in rows and W as (k, d):
the row convention transposes W, the column convention the per-sample arrays.
"""
from __future__ import annotations

from typing import Any

CONVENTIONS = ("row", "column")
NAMES = ("X", "W", "b", "Z", "dZ", "dW", "db")

# how each quantity prints (LaTeX, plain text), and its vectorised expression per convention
LATEX = {"X": "X", "W": "W", "b": "b", "Z": "Z", "dZ": r"\frac{\partial L}{\partial Z}",
         "dW": r"\frac{\partial L}{\partial W}", "db": r"\frac{\partial L}{\partial b}"}
TEXT = {"X": "X", "W": "W", "b": "b", "Z": "Z", "dZ": "dL/dZ", "dW": "dL/dW", "db": "dL/db"}
EXPRESSIONS = {
    "row": {"X": "X: one row per sample", "W": "W: one column per neuron",
            "b": "b: a row vector, added to every row of XW", "Z": "Z = XW + b",
            "dZ": "dL/dZ = δ / n, δ one row of deltas per sample", "dW": "dL/dW = Xᵀ·δ / n",
            "db": "dL/db = 1ᵀ·δ / n (the column means of δ)"},
    "column": {"X": "X: one column per sample", "W": "W: one row per neuron",
               "b": "b: a column vector, added to every column of WX", "Z": "Z = WX + b",
               "dZ": "dL/dZ = δ / n, δ one column of deltas per sample", "dW": "dL/dW = δ·Xᵀ / n",
               "db": "dL/db = δ·1 / n (the row means of δ)"},
}
EXPRESSIONS_LATEX = {
    "row": {"Z": "Z = XW + b", "dW": r"\frac{\partial L}{\partial W} = \frac{1}{n}\, X^{\top} \delta",
            "db": r"\frac{\partial L}{\partial b} = \frac{1}{n}\, \mathbf{1}^{\top} \delta",
            "dZ": r"\frac{\partial L}{\partial Z} = \frac{1}{n}\, \delta"},
    "column": {"Z": "Z = WX + b", "dW": r"\frac{\partial L}{\partial W} = \frac{1}{n}\, \delta X^{\top}",
               "db": r"\frac{\partial L}{\partial b} = \frac{1}{n}\, \delta \mathbf{1}",
               "dZ": r"\frac{\partial L}{\partial Z} = \frac{1}{n}\, \delta"},
}


def of_arrays(h: Any, z: Any, delta: Any, W: Any, gw: Any, convention: str) -> dict[str, tuple[int, int]]:
    """The shapes of one layer's quantities from the engine's arrays of that layer (the last two
    axes: an engine Result's (N, B, n) or a Solution's (B, n); W and its gradient (.., k, d))."""
    X, Z, dZ = h.shape[-2:], z.shape[-2:], delta.shape[-2:]  # (n, d), (n, k), (n, k): samples in rows
    Wk, dW = W.shape[-2:], gw.shape[-2:]  # (k, d)
    k = Wk[0]  # b and its gradient: a vector of the layer's k neurons
    if convention == "row":  # samples in rows, W (d, k)
        out = {"X": X, "W": Wk[::-1], "b": (1, k), "Z": Z, "dZ": dZ, "dW": dW[::-1], "db": (1, k)}
    else:  # samples in columns, W (k, d)
        out = {"X": X[::-1], "W": Wk, "b": (k, 1), "Z": Z[::-1], "dZ": dZ[::-1], "dW": dW, "db": (k, 1)}
    return {name: (int(v[0]), int(v[1])) for name, v in out.items()}


def of_solution(sol: Any, l: int, convention: str) -> dict[str, tuple[int, int]]:
    """Layer l's (0-based weight layer) shapes from a Solution (exgen.core.solve)."""
    return of_arrays(sol.fwd.h[l], sol.fwd.z[l], sol.bwd.deltas[l], sol.spec.weights[l], sol.bwd.grad_w[l],
                     convention)


def of_result(res: Any, l: int, convention: str) -> dict[str, tuple[int, int]]:
    """Layer l's shapes from an engine Result run to the end (grading's stacked keys)."""
    return of_arrays(res.h[l], res.z[l], res.deltas[l], res.nets.W[l], res.gw[l], convention)


def solution_shapes(sol: Any) -> dict[str, list[dict[str, list[int]]]]:
    """The solution object's "shapes": {convention: [per weight layer {name: [rows, cols]}]}."""
    return {c: [{n: list(v) for n, v in of_solution(sol, l, c).items()} for l in range(sol.spec.n_layers)]
            for c in CONVENTIONS}


def text(shape: tuple[int, int] | list[int]) -> str:
    """A shape as a key holds it and a student writes it: "4x3"."""
    return f"{int(shape[0])}x{int(shape[1])}"
