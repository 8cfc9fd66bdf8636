"""Activations and losses: value, derivative, and every formula text renderers print of them
(LaTeX for sheets and keys, plain text for terminals and hints). No renderer keeps its own table.

Shapes: z, h are (..., n) and y, yhat are (..., K): the last axis is the layer's neurons, the
leading axes are samples (B,) or networks and samples (N, B).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Activation:
    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], np.ndarray] | None  # elementwise dh/dz from (z, h); None = not elementwise
    latex: str  # h as a formula of z
    dlatex: str  # dh/dz as a formula of z and h
    text: str  # h as plain text, of {z}
    dtext: str  # dh/dz as plain text, of {h} and {z} (softmax: of h_m and h_i)
    latex_value: str  # h at a value, for worked keys: of {z} (the value), {zp} (parenthesized),
    # and for softmax {zsym} (the neuron's z), {pre} (the letter of z), {den} (the sum of e^z)

    @property
    def elementwise(self) -> bool:
        return self.df is not None

    def jacobian(self, z: np.ndarray, h: np.ndarray) -> np.ndarray:
        """J[..., m, i] = dh_m / dz_i for each sample: (..., n, n)."""
        eye = np.eye(z.shape[-1])  # (n, n)
        if self.df is not None:
            return eye * self.df(z, h)[..., None, :]  # (..., n, n) diagonal
        # softmax: dh_m/dz_i = h_m (delta_mi - h_i)
        return h[..., :, None] * (eye - h[..., None, :])  # (..., n, n)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # (..., n)
    return e / e.sum(axis=-1, keepdims=True)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", _sigmoid, lambda z, h: h * (1 - h),
                          r"\sigma(z) = \frac{1}{1+e^{-z}}", r"\sigma(z)\,(1-\sigma(z))",
                          "σ({z}) = 1/(1 + e^(-{z}))", "{h}·(1 - {h})",
                          r"\sigma({z}) = \frac{{1}}{{1+e^{{-{zp}}}}}"),
    "tanh": Activation("tanh", np.tanh, lambda z, h: 1 - h**2, r"\tanh(z)", r"1-\tanh^2(z)",
                       "tanh({z})", "1 - {h}²", r"\tanh({z})"),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, h: (z > 0).astype(float),
                       r"\max(0, z)", r"[z > 0]", "max(0, {z})", "[{z} > 0]", r"\max(0,\ {z})"),
    "linear": Activation("linear", lambda z: z.astype(float), lambda z, h: np.ones_like(z, dtype=float),
                         r"z", r"1", "{z}", "1", "{z}"),
    "softmax": Activation("softmax", _softmax, None,
                          r"\frac{e^{z_i}}{\sum_m e^{z_m}}", r"h_m(\delta_{mi} - h_i)",
                          "e^{z} / Σ_m e^(z_m)", "{h}_m([m = i] - {h}_i)",
                          r"\frac{{e^{{{zsym}}}}}{{\sum_m e^{{{pre}_m}}}} = \frac{{e^{{{z}}}}}{{{den}}}"),
}


@dataclass(frozen=True)
class Loss:
    name: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (yhat, y) -> (...,) loss per sample
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (yhat, y) -> (..., K) dL/dyhat per sample
    latex: str
    dlatex: str  # dL/dyhat_k
    text: str  # plain text
    dtext: str  # dL/dyhat_k, plain text
    latex_term: str  # one output's term at values, of {y} and {p} (yhat, parenthesized if negative)
    latex_sum: str  # the loss at values, of {terms} (joined by " + ") and {K}
    text_term: str  # the same as plain text
    text_sum: str


_SQ, _SQ_TEXT = "({y} - {p})^2", "({y} - {p})²"

LOSSES: dict[str, Loss] = {
    "half_sse": Loss("half_sse",
                     lambda p, y: 0.5 * ((y - p) ** 2).sum(axis=-1),
                     lambda p, y: p - y,
                     r"\frac{1}{2}\sum_k (y_k - \hat y_k)^2", r"-(y_k - \hat y_k)",
                     "1/2 Σ_k (y_k - ŷ_k)²", "ŷ_k - y_k", _SQ, r"\frac{{1}}{{2}}\bigl[{terms}\bigr]",
                     _SQ_TEXT, "1/2·[{terms}]"),
    "sse": Loss("sse",
                lambda p, y: ((y - p) ** 2).sum(axis=-1),
                lambda p, y: 2 * (p - y),
                r"\sum_k (y_k - \hat y_k)^2", r"-2(y_k - \hat y_k)",
                "Σ_k (y_k - ŷ_k)²", "2(ŷ_k - y_k)", _SQ, "{terms}", _SQ_TEXT, "[{terms}]"),
    "mse": Loss("mse",
                lambda p, y: ((y - p) ** 2).mean(axis=-1),
                lambda p, y: 2 * (p - y) / y.shape[-1],
                r"\frac{1}{K}\sum_k (y_k - \hat y_k)^2", r"-\frac{2}{K}(y_k - \hat y_k)",
                "(1/K) Σ_k (y_k - ŷ_k)²", "2(ŷ_k - y_k)/K", _SQ, r"\frac{{1}}{{{K}}}\bigl[{terms}\bigr]",
                _SQ_TEXT, "1/{K}·[{terms}]"),
    "bce": Loss("bce",
                lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=-1),
                lambda p, y: (p - y) / (p * (1 - p)),
                r"-\sum_k \left[y_k \log \hat y_k + (1-y_k)\log(1-\hat y_k)\right]",
                r"\frac{\hat y_k - y_k}{\hat y_k(1-\hat y_k)}",
                "-Σ_k [y_k log ŷ_k + (1 - y_k) log(1 - ŷ_k)]", "(ŷ_k - y_k) / (ŷ_k (1 - ŷ_k))",
                r"{y}\log {p} + (1-{y})\log(1-{p})", r"-\bigl[{terms}\bigr]",
                "{y}·log {p} + (1 - {y})·log(1 - {p})", "-({terms})"),
    "cross_entropy": Loss("cross_entropy",
                          lambda p, y: -(y * np.log(p)).sum(axis=-1),
                          lambda p, y: -y / p,
                          r"-\sum_k y_k \log \hat y_k", r"-\frac{y_k}{\hat y_k}",
                          "-Σ_k y_k log ŷ_k", "-y_k / ŷ_k", r"{y}\log {p}", r"-\bigl[{terms}\bigr]",
                          "{y}·log {p}", "-({terms})"),
}

def loss_at(loss: Loss, ys: list[str], ps: list[str], latex: bool = True) -> str:
    """The loss written out at values: `ys` the targets, `ps` the outputs, as printed."""
    term, total = (loss.latex_term, loss.latex_sum) if latex else (loss.text_term, loss.text_sum)
    return total.format(terms=" + ".join(term.format(y=y, p=p) for y, p in zip(ys, ps)), K=len(ys))


# losses that take a log of the output need outputs in (0, 1)
PROBABILISTIC_LOSSES = {"bce", "cross_entropy"}
PROBABILITY_OUTPUTS = {"sigmoid", "softmax"}
