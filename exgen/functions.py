"""Activations and losses: value, derivative, and their LaTeX formulas.

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
                          r"\sigma(z) = \frac{1}{1+e^{-z}}", r"\sigma(z)\,(1-\sigma(z))"),
    "tanh": Activation("tanh", np.tanh, lambda z, h: 1 - h**2, r"\tanh(z)", r"1-\tanh^2(z)"),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, h: (z > 0).astype(float),
                       r"\max(0, z)", r"[z > 0]"),
    "linear": Activation("linear", lambda z: z.astype(float), lambda z, h: np.ones_like(z, dtype=float),
                         r"z", r"1"),
    "softmax": Activation("softmax", _softmax, None,
                          r"\frac{e^{z_i}}{\sum_m e^{z_m}}", r"h_m(\delta_{mi} - h_i)"),
}


@dataclass(frozen=True)
class Loss:
    name: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (yhat, y) -> (...,) loss per sample
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (yhat, y) -> (..., K) dL/dyhat per sample
    latex: str
    dlatex: str  # dL/dyhat_k


LOSSES: dict[str, Loss] = {
    "half_sse": Loss("half_sse",
                     lambda p, y: 0.5 * ((y - p) ** 2).sum(axis=-1),
                     lambda p, y: p - y,
                     r"\frac{1}{2}\sum_k (y_k - \hat y_k)^2", r"-(y_k - \hat y_k)"),
    "sse": Loss("sse",
                lambda p, y: ((y - p) ** 2).sum(axis=-1),
                lambda p, y: 2 * (p - y),
                r"\sum_k (y_k - \hat y_k)^2", r"-2(y_k - \hat y_k)"),
    "mse": Loss("mse",
                lambda p, y: ((y - p) ** 2).mean(axis=-1),
                lambda p, y: 2 * (p - y) / y.shape[-1],
                r"\frac{1}{K}\sum_k (y_k - \hat y_k)^2", r"-\frac{2}{K}(y_k - \hat y_k)"),
    "bce": Loss("bce",
                lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=-1),
                lambda p, y: (p - y) / (p * (1 - p)),
                r"-\sum_k \left[y_k \log \hat y_k + (1-y_k)\log(1-\hat y_k)\right]",
                r"\frac{\hat y_k - y_k}{\hat y_k(1-\hat y_k)}"),
    "cross_entropy": Loss("cross_entropy",
                          lambda p, y: -(y * np.log(p)).sum(axis=-1),
                          lambda p, y: -y / p,
                          r"-\sum_k y_k \log \hat y_k", r"-\frac{y_k}{\hat y_k}"),
}

# losses that take a log of the output need outputs in (0, 1)
PROBABILISTIC_LOSSES = {"bce", "cross_entropy"}
PROBABILITY_OUTPUTS = {"sigmoid", "softmax"}
