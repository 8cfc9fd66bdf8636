"""The exam config (YAML): loading, validation with one-line errors naming the key, defaults.

`exgen init-config` writes DEFAULT_YAML, a commented config that loads to the defaults below.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .functions import ACTIVATIONS, LOSSES, PROBABILISTIC_LOSSES, PROBABILITY_OUTPUTS
from .notation import LETTERS, WEIGHT_STYLES, Notation
from .questions import QUESTION_TYPES, TOLERANCE_KINDS

# weight naming: the notation module's names, plus the LaTeX spellings the issue uses
WEIGHT_ALIASES = {"W^{(l)}_{jk}": "paren", "w^{(l)}_{jk}": "paren", "w^l_{jk}": "super",
                  "w^{l}_{jk}": "super", "w_{ljk}": "flat", "w1..wn": "numbered"}


@dataclass
class ExamConfig:
    name: str = "Backpropagation exam"
    seed: int = 2024
    layers: list[int] = field(default_factory=lambda: [2, 2, 2])
    activations: list[str] = field(default_factory=lambda: ["sigmoid", "sigmoid"])
    loss: str = "half_sse"
    biases: bool = True
    learning_rate: float = 0.5
    decimals: int = 2
    answer_decimals: int = 4
    questions: list[dict[str, Any]] = field(default_factory=lambda: [
        {"type": t, "points": 2 if t == "gradients" else 1} for t in QUESTION_TYPES])
    tolerance: dict[str, Any] = field(default_factory=lambda: {"kind": "rel", "value": 0.01})
    notation: dict[str, str] = field(default_factory=lambda: {"letters": "z/h", "weights": "paren"})
    draw_max_neurons: int = 4  # draw the net with TikZ if no layer is wider; else a table
    source: str = ""

    def make_notation(self) -> Notation:
        return Notation.make(self.notation["letters"], self.notation["weights"], self.layers)


KEYS = ("name", "seed", "layers", "activations", "loss", "biases", "learning_rate", "decimals",
        "answer_decimals", "questions", "tolerance", "notation", "draw_max_neurons")


def _fail(src: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{src}: key '{key}': {problem}")


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_tolerance(t: Any, src: str, key: str) -> dict[str, Any]:
    if not isinstance(t, dict) or set(t) != {"kind", "value"}:
        raise _fail(src, key, "expected {kind: abs|rel|sig, value: number}")
    if t["kind"] not in TOLERANCE_KINDS:
        raise _fail(src, f"{key}.kind", f"{t['kind']!r} is not one of {', '.join(TOLERANCE_KINDS)}")
    v = t["value"]
    if not _num(v) or v <= 0 or (t["kind"] == "sig" and not _int(v)):
        raise _fail(src, f"{key}.value", "expected a positive number (a whole number of digits for sig)")
    return {"kind": t["kind"], "value": v}


def from_dict(d: Any, src: str = "config") -> ExamConfig:
    """Validate a config mapping. Raises ConfigError naming the first bad key."""
    if not isinstance(d, dict):
        raise ConfigError(f"{src}: expected a mapping of keys ({', '.join(KEYS)})")
    unknown = [k for k in d if k not in KEYS]
    if unknown:
        raise _fail(src, str(unknown[0]), f"unknown key; valid keys: {', '.join(KEYS)}")
    cfg = ExamConfig(source=src)
    if "name" in d:
        if not isinstance(d["name"], str) or not d["name"].strip():
            raise _fail(src, "name", "expected a non-empty string")
        cfg.name = d["name"]
    if "seed" in d:
        if not _int(d["seed"]) or d["seed"] < 0:
            raise _fail(src, "seed", "expected a non-negative whole number")
        cfg.seed = d["seed"]
    if "layers" in d:
        ls = d["layers"]
        if not isinstance(ls, list) or len(ls) < 2 or not all(_int(n) and 1 <= n <= 8 for n in ls):
            raise _fail(src, "layers", "expected a list of at least 2 sizes from 1 to 8, input first")
        cfg.layers = list(ls)
    L = len(cfg.layers) - 1
    acts = d.get("activations", cfg.activations if "layers" not in d else None)
    if acts is None:
        acts = ["sigmoid"] * L
    if isinstance(acts, str):
        acts = [acts] * L
    if not isinstance(acts, list) or len(acts) != L:
        raise _fail(src, "activations", f"expected {L} names (one per non-input layer) or one name")
    for i, a in enumerate(acts):
        if a not in ACTIVATIONS:
            raise _fail(src, f"activations[{i}]", f"{a!r} is not one of {', '.join(ACTIVATIONS)}")
        if a == "softmax" and i != L - 1:
            raise _fail(src, f"activations[{i}]", "softmax is allowed on the output layer only")
    cfg.activations = list(acts)
    if "loss" in d:
        if d["loss"] not in LOSSES:
            raise _fail(src, "loss", f"{d['loss']!r} is not one of {', '.join(LOSSES)}")
        cfg.loss = d["loss"]
    if cfg.loss in PROBABILISTIC_LOSSES and cfg.activations[-1] not in PROBABILITY_OUTPUTS:
        raise _fail(src, "loss", f"{cfg.loss} needs a sigmoid or softmax output layer")
    if "biases" in d:
        if not isinstance(d["biases"], bool):
            raise _fail(src, "biases", "expected true or false")
        cfg.biases = d["biases"]
    if "learning_rate" in d:
        if not _num(d["learning_rate"]) or d["learning_rate"] <= 0:
            raise _fail(src, "learning_rate", "expected a positive number")
        cfg.learning_rate = float(d["learning_rate"])
    for key, lo, hi in (("decimals", 1, 3), ("answer_decimals", 2, 8), ("draw_max_neurons", 1, 8)):
        if key in d:
            if not _int(d[key]) or not lo <= d[key] <= hi:
                raise _fail(src, key, f"expected a whole number from {lo} to {hi}")
            setattr(cfg, key, d[key])
    if "questions" in d:
        cfg.questions = _questions(d["questions"], src)
    if "tolerance" in d:
        cfg.tolerance = check_tolerance(d["tolerance"], src, "tolerance")
    if "notation" in d:
        cfg.notation = _notation(d["notation"], src)
    return cfg


def _questions(qs: Any, src: str) -> list[dict[str, Any]]:
    if not isinstance(qs, list) or not qs:
        raise _fail(src, "questions", f"expected a non-empty list of: {', '.join(QUESTION_TYPES)}")
    out = []
    for i, q in enumerate(qs):
        key = f"questions[{i}]"
        item = {"type": q} if isinstance(q, str) else q
        if not isinstance(item, dict) or "type" not in item:
            raise _fail(src, key, "expected a question type or {type: ..., points: ...}")
        bad = set(item) - {"type", "points", "tolerance"}
        if bad:
            raise _fail(src, f"{key}.{sorted(bad)[0]}", "unknown key; valid: type, points, tolerance")
        if item["type"] not in QUESTION_TYPES:
            raise _fail(src, f"{key}.type", f"{item['type']!r} is not one of {', '.join(QUESTION_TYPES)}")
        pts = item.get("points", 1)
        if not _num(pts) or pts < 0:
            raise _fail(src, f"{key}.points", "expected a non-negative number")
        clean = {"type": item["type"], "points": pts}
        if "tolerance" in item:
            clean["tolerance"] = check_tolerance(item["tolerance"], src, f"{key}.tolerance")
        out.append(clean)
    return out


def _notation(n: Any, src: str) -> dict[str, str]:
    if not isinstance(n, dict) or set(n) - {"letters", "weights"}:
        raise _fail(src, "notation", "expected {letters: z/h|a/h|z/a, weights: paren|super|flat|numbered}")
    letters = n.get("letters", "z/h")
    if letters not in LETTERS:
        raise _fail(src, "notation.letters", f"{letters!r} is not one of {', '.join(LETTERS)}")
    weights = WEIGHT_ALIASES.get(n.get("weights", "paren"), n.get("weights", "paren"))
    if weights not in WEIGHT_STYLES:
        raise _fail(src, "notation.weights", f"{weights!r} is not one of {', '.join(WEIGHT_STYLES)}")
    return {"letters": letters, "weights": weights}


def load(path: str | Path) -> ExamConfig:
    """Load and validate a YAML (or JSON) exam config file."""
    import yaml
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such file" if not p.exists() else f"{p}: not a file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{p}: invalid YAML{where}: {getattr(e, 'problem', None) or e}") from None
    return from_dict(data, str(p))


def demo_path() -> Path:
    return Path(str(resources.files("exgen") / "configs" / "demo.yaml"))


DEFAULT_YAML = """\
# exgen exam config. Every student gets their own network drawn from (seed, student id).
name: Backpropagation exam          # printed on every sheet and key
seed: 2024                          # change it to get a new set of networks
layers: [2, 2, 2]                   # sizes, input first (each 1..8)
activations: [sigmoid, sigmoid]     # one per non-input layer: sigmoid, tanh, relu, linear, softmax (output only)
loss: half_sse                      # half_sse, sse, mse, bce, cross_entropy
biases: true                        # give every neuron a bias
learning_rate: 0.5                  # eta of the one SGD step
decimals: 2                         # digits of the given numbers (weights, x, y), 1..3
answer_decimals: 4                  # digits of the answers in the key, 2..8
questions:                          # groups 1, 2, ... in this order; ids 1a, 1b, ...
  - {type: forward, points: 1}      # every activation
  - {type: loss, points: 1}
  - {type: gradients, points: 2}    # an output weight, a multi-path weight, a bias
  - {type: paths, points: 1}        # each chain-rule path of the multi-path weight
  - {type: update, points: 1}       # those parameters after one SGD step
  - {type: loss_after, points: 1}   # the loss after the step
tolerance: {kind: rel, value: 0.01} # abs (absolute), rel (relative) or sig (significant figures)
notation:                           # display only: never changes a number
  letters: z/h                      # pre/post-activation letters: z/h, a/h or z/a
  weights: paren                    # paren w^{(l)}_{jk}, super w^l_{jk}, flat w_{ljk}, numbered w1..wn
draw_max_neurons: 4                 # draw the network if no layer is wider, else print a table
"""
