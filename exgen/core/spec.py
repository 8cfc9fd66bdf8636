"""The network spec: a dataclass, loading (JSON or YAML), validation with clear messages, saving.

Format (see README, "Network spec"): layers, activations, loss, learning_rate, x, y,
weights[l][j][k] (to neuron j of layer l+1 from neuron k of layer l), biases[l][j] (biases null or
left out: none in any layer; a single layer's null is an error).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from exgen import limits
from exgen.errors import SpecError
from exgen.fields import describe, is_number
from exgen.core.functions import ACTIVATIONS, LOSSES, PROBABILISTIC_LOSSES, PROBABILITY_OUTPUTS

SPEC_VERSION = 1
REQUIRED = ("layers", "activations", "loss", "learning_rate", "x", "y", "weights")
OPTIONAL = ("biases", "name", "description", "version", "notation")


@dataclass
class Spec:
    layers: list[int]
    activations: list[str]
    loss: str
    learning_rate: float
    x: np.ndarray  # (B, n_0)
    y: np.ndarray  # (B, n_L)
    weights: list[np.ndarray]  # weights[l]: (n_{l+1}, n_l)
    biases: list[np.ndarray] | None  # biases[l]: (n_{l+1},)
    batched: bool = False  # x was given as a list of samples
    name: str = ""
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    source: str = field(default="", repr=False, compare=False)  # the file it came from, for errors

    @property
    def n_layers(self) -> int:
        """Number of weight layers (non-input layers)."""
        return len(self.layers) - 1

    def to_dict(self) -> dict[str, Any]:
        """The normalized spec, as JSON-ready plain lists."""
        def vec(a: np.ndarray) -> list:
            return a.tolist() if self.batched else a[0].tolist()
        d: dict[str, Any] = {"version": SPEC_VERSION}
        if self.name:
            d["name"] = self.name
        if self.description:
            d["description"] = self.description
        d.update({
            "layers": list(self.layers),
            "activations": list(self.activations),
            "loss": self.loss,
            "learning_rate": self.learning_rate,
            "x": vec(self.x),
            "y": vec(self.y),
            "weights": [w.tolist() for w in self.weights],
            "biases": None if self.biases is None else [b.tolist() for b in self.biases],
        })
        d.update(self.extra)
        return d

    def with_params(self, weights: list[np.ndarray], biases: list[np.ndarray] | None) -> "Spec":
        """The same network and data with other weights and biases."""
        return Spec(self.layers, self.activations, self.loss, self.learning_rate, self.x, self.y,
                    [np.asarray(w, float) for w in weights],
                    None if biases is None else [np.asarray(b, float) for b in biases],
                    self.batched, self.name, self.description, dict(self.extra), self.source)


_is_number = is_number


def _numbers(value: Any, shape: tuple[int, ...], fld: str, src: str | None) -> np.ndarray:
    """Check a nested list of numbers has `shape` exactly; name the first bad element."""
    def walk(v: Any, dims: tuple[int, ...], path: str) -> None:
        if not dims:
            if not _is_number(v):
                raise SpecError(path, f"expected a number, got {describe(v) if v is None or isinstance(v, (str, bool, int, float)) else type(v).__name__}", src)
            return
        if not isinstance(v, list):
            raise SpecError(path, f"expected a list of {dims[0]}, got {describe(v)} (expected shape {list(shape)})", src)
        if len(v) != dims[0]:
            raise SpecError(path, f"expected {dims[0]} entries, got {len(v)} (expected shape {list(shape)})", src)
        for i, item in enumerate(v):
            walk(item, dims[1:], f"{path}[{i}]")
    walk(value, shape, fld)
    return np.asarray(value, dtype=float).reshape(shape)


def _samples(value: Any, n: int, fld: str, src: str | None) -> tuple[np.ndarray, bool]:
    """A single vector of n numbers, or a list of such vectors (a mini-batch)."""
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        limits.check("samples", len(value), limits.MAX_SAMPLES, src, limits.field(fld))
        return _numbers(value, (len(value), n), fld, src), True
    if _is_number(value) and n == 1:  # a scalar for a one-unit layer
        return np.array([[float(value)]]), False
    return _numbers(value, (n,), fld, src)[None, :], False


def from_dict(d: Any, source: str | None = None) -> Spec:
    """Validate a spec dict and build a Spec. Raises SpecError naming the field."""
    src = source
    if not isinstance(d, dict):
        raise SpecError("(top level)", f"expected an object with fields {', '.join(REQUIRED)}, got {describe(d)}", src)
    for key in REQUIRED:
        if key not in d:
            raise SpecError(key, "missing (required)", src)
    unknown = sorted((str(k) for k in set(d) - set(REQUIRED) - set(OPTIONAL)))
    if unknown:
        raise SpecError(unknown[0], f"unknown field; valid fields are {', '.join(REQUIRED + OPTIONAL)}", src)

    layers = d["layers"]
    if not isinstance(layers, list) or len(layers) < 2 or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in layers):
        raise SpecError("layers", "expected a list of at least 2 positive integers (input size first)", src)
    L = len(layers) - 1
    limits.check("layers", len(layers), limits.MAX_LAYERS, src, limits.field("layers"))
    for i, n in enumerate(layers):
        limits.check("neurons", n, limits.MAX_NEURONS, src, limits.field(f"layers[{i}]"))
    n_params = sum(layers[l + 1] * (layers[l] + (d.get("biases") is not None)) for l in range(L))
    limits.check("parameters (weights and biases)", n_params, limits.MAX_PARAMS, src, limits.field("layers"))

    acts = d["activations"]
    if isinstance(acts, str):
        acts = [acts] * L
    if not isinstance(acts, list) or len(acts) != L:
        raise SpecError("activations", f"expected {L} activation names (one per non-input layer), got {describe(acts)}", src)
    for i, a in enumerate(acts):
        if not isinstance(a, str) or a not in ACTIVATIONS:
            raise SpecError(f"activations[{i}]", f"unknown activation {describe(a)}; valid: {', '.join(ACTIVATIONS)}", src)
        if a == "softmax" and i != L - 1:
            raise SpecError(f"activations[{i}]", "softmax is allowed on the output layer only", src)
        if a == "softmax" and layers[-1] < 2:
            raise SpecError(f"activations[{i}]", "softmax needs at least 2 output units (with 1 its output is always 1)", src)

    loss = d["loss"]
    if not isinstance(loss, str) or loss not in LOSSES:
        raise SpecError("loss", f"unknown loss {describe(loss)}; valid: {', '.join(LOSSES)}", src)
    if loss in PROBABILISTIC_LOSSES and acts[-1] not in PROBABILITY_OUTPUTS:
        raise SpecError("loss", f"{loss} needs outputs in (0, 1): use a {' or '.join(sorted(PROBABILITY_OUTPUTS))} output layer, not {acts[-1]}", src)

    lr = d["learning_rate"]
    if not _is_number(lr) or lr <= 0:
        raise SpecError("learning_rate", f"expected a positive number, got {describe(lr)}", src)

    x, batched = _samples(d["x"], layers[0], "x", src)
    y, y_batched = _samples(d["y"], layers[-1], "y", src)
    if batched != y_batched or x.shape[0] != y.shape[0]:
        raise SpecError("y", f"expected {x.shape[0]} target vector(s) to match x, got {y.shape[0]}" if batched == y_batched
                        else "x and y must both be single samples or both lists of samples", src)
    if loss in PROBABILISTIC_LOSSES and ((y < 0) | (y > 1)).any():
        raise SpecError("y", f"{loss} needs targets in [0, 1]", src)
    limits.check("parameters x samples", n_params * x.shape[0], limits.MAX_PARAM_SAMPLES, src, limits.field("x"))

    if not isinstance(d["weights"], list) or len(d["weights"]) != L:
        raise SpecError("weights", f"expected {L} matrices (one per non-input layer)", src)
    weights = [_numbers(d["weights"][l], (layers[l + 1], layers[l]), f"weights[{l}]", src) for l in range(L)]

    b = d.get("biases")
    if b is None:
        biases = None
    else:
        if not isinstance(b, list) or len(b) != L:
            raise SpecError("biases", f"expected {L} vectors (one per non-input layer) or null", src)
        biases = [_numbers(b[l], (layers[l + 1],), f"biases[{l}]", src) for l in range(L)]

    extra = {}
    if "notation" in d:
        from exgen.core.notation import validate
        extra["notation"] = validate(d["notation"], "notation", lambda f, p: SpecError(f, p, src))
    for k in ("name", "description"):
        if k in d and not isinstance(d[k], str):
            raise SpecError(k, f"expected a string, got {describe(d[k])}", src)
    if "version" in d and (d["version"] != SPEC_VERSION or isinstance(d["version"], bool)):
        raise SpecError("version", f"expected {SPEC_VERSION} (the only spec format version), got {describe(d['version'])}", src)
    return Spec(list(layers), list(acts), loss, float(lr), x, y, weights, biases, batched,
                d.get("name", ""), d.get("description", ""), extra, src or "")


def load(path: str | Path) -> Spec:
    """Load a spec from a .json, .yaml or .yml file (within exgen.limits)."""
    p = Path(path)
    if not p.is_file():
        raise SpecError(None, "no such file" if not p.exists() else "not a file", str(p))
    from exgen.load import read_document
    d = read_document(p)
    if isinstance(d, dict) and "questions" in d and isinstance(d.get("spec"), dict):
        d = d["spec"]  # an answer key: solve the network it was printed with
    return from_dict(d, str(p))


def parse_text(text: str, suffix: str, source: str) -> Any:
    """Parse JSON (suffix .json) or YAML text within exgen.limits; errors name the line."""
    from exgen.load import parse_document
    return parse_document(text, "json" if suffix == ".json" else "yaml", source)


def dumps(spec: Spec) -> str:
    return json.dumps(spec.to_dict(), indent=2, allow_nan=False) + "\n"
