"""The exam config (YAML): loading, validation with one-line errors naming the key, defaults.

`exgen init-config` writes DEFAULT_YAML, a commented config that loads to the defaults below.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from exgen import fields, limits
from exgen.errors import ConfigError
from exgen.core.functions import ACTIVATIONS, LOSSES, PROBABILISTIC_LOSSES, PROBABILITY_OUTPUTS
from exgen.core.notation import Notation
from exgen.acceptance import CARRIED_CREDIT, default_tolerance
from exgen.answer_key import QUESTION_TYPES, TOLERANCE_KINDS
from exgen.kinds import DEFAULT_TYPES

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
    fewer_decimals_credit: float = 0.0  # the share of the points for the right value with fewer decimals
    carried_credit: float = CARRIED_CREDIT  # the share of the points for an answer carried forward
    questions: list[dict[str, Any]] = field(default_factory=lambda: [
        {"type": t, "points": 2 if t == "gradients" else 1} for t in DEFAULT_TYPES])
    tolerance: dict[str, Any] | None = None  # None: default_tolerance(answer_decimals), half a unit of the last decimal
    notation: dict[str, str] = field(default_factory=lambda: {"letters": "z/h", "weights": "paren"})
    draw_max_neurons: int = 4  # draw the net with TikZ if no layer is wider; else a table
    working_space: float = 0.0  # cm of blank space under each question of the sheet
    batch: int = 1  # samples in the mini-batch (1: a single sample, not a batch)
    convention: str = "row"  # matrix form: "row" z = xW + b (X n×d), "column" z = Wx + b (X d×n)
    source: str = ""
    kind: str = "network"  # or "graph": computational-graph exercises (exgen.graph.config)
    graph: Any = None  # the `graph:` block of a graph exam (exgen.graph.config.GraphConfig)

    def __post_init__(self) -> None:
        if self.tolerance is None:
            self.tolerance = default_tolerance(self.answer_decimals)

    def make_notation(self) -> Notation:
        return Notation.make(self.notation["letters"], self.notation["weights"], self.layers)


MAX_WORKING_SPACE = 20.0  # cm: more would not fit on a page with its question

KEYS = ("name", "seed", "layers", "activations", "loss", "biases", "learning_rate", "decimals",
        "answer_decimals", "fewer_decimals_credit", "carried_credit", "questions", "tolerance", "notation", "draw_max_neurons", "working_space",
        "batch", "convention", "kind", "graph")
NETWORK_KEYS = ("layers", "activations", "loss", "biases", "learning_rate", "batch", "convention", "notation",
                "draw_max_neurons")  # what only a network exam reads
CONVENTIONS = ("row", "column")


def _fail(src: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{src}: key '{key}': {problem}")


_int = fields.is_int
_num = fields.is_number


def check_tolerance(t: Any, src: str, key: str) -> dict[str, Any]:
    if not isinstance(t, dict) or set(t) != {"kind", "value"}:
        raise _fail(src, key, f"expected {{kind: abs|rel|sig, value: number}}, got {fields.describe(t)}")
    fields.choice(t["kind"], TOLERANCE_KINDS, f"{key}.kind", lambda f, p: _fail(src, f, p))
    v = t["value"]
    if not _num(v) or v <= 0 or (t["kind"] == "sig" and not _int(v)):
        raise _fail(src, f"{key}.value", "expected a positive number (a whole number of digits for sig)")
    return {"kind": t["kind"], "value": v}


def from_dict(d: Any, src: str = "config") -> ExamConfig:
    """Validate a config mapping. Raises ConfigError naming the first bad key."""
    if not isinstance(d, dict):
        raise ConfigError(f"{src}: expected a mapping of keys ({', '.join(KEYS)})")
    fail = lambda f, p: _fail(src, f, p)  # noqa: E731
    unknown = [k for k in d if k not in KEYS]
    if unknown:
        raise _fail(src, str(unknown[0]), f"unknown key; valid keys: {', '.join(KEYS)}")
    cfg = ExamConfig(source=src)
    if "name" in d:
        if not isinstance(d["name"], str) or not d["name"].strip():
            raise _fail(src, "name", f"expected a non-empty string, got {fields.describe(d['name'])}")
        cfg.name = d["name"]
    if "seed" in d:
        if not _int(d["seed"]) or d["seed"] < 0:
            raise _fail(src, "seed", f"expected a non-negative whole number, got {fields.describe(d['seed'])}")
        cfg.seed = d["seed"]
    if "layers" in d:
        ls = d["layers"]
        hi = limits.MAX_EXAM_NEURONS
        if not isinstance(ls, list) or len(ls) < 2 or not all(_int(n) and 1 <= n <= hi for n in ls):
            raise _fail(src, "layers", f"expected a list of at least 2 sizes from 1 to {hi}, input first")
        limits.check("layers", len(ls), limits.MAX_EXAM_LAYERS, src, "key 'layers'",
                     "an exam network is worked by hand")
        cfg.layers = list(ls)
    L = len(cfg.layers) - 1
    acts = d.get("activations", cfg.activations if "layers" not in d else None)
    if acts is None:
        acts = ["sigmoid"] * L
    acts = fields.names(acts, L, ACTIVATIONS, "activations", fail)
    for i, a in enumerate(acts):
        if a == "softmax" and i != L - 1:
            raise _fail(src, f"activations[{i}]", "softmax is allowed on the output layer only")
    cfg.activations = list(acts)
    if "loss" in d:
        cfg.loss = fields.choice(d["loss"], LOSSES, "loss", fail)
    if cfg.loss in PROBABILISTIC_LOSSES and cfg.activations[-1] not in PROBABILITY_OUTPUTS:
        raise _fail(src, "loss", f"{cfg.loss} needs a sigmoid or softmax output layer")
    if "biases" in d:
        if not isinstance(d["biases"], bool):
            raise _fail(src, "biases", f"expected true or false, got {fields.describe(d['biases'])}")
        cfg.biases = d["biases"]
    if "learning_rate" in d:
        if not _num(d["learning_rate"]) or d["learning_rate"] <= 0:
            raise _fail(src, "learning_rate", f"expected a positive number, got {fields.describe(d['learning_rate'])}")
        cfg.learning_rate = float(d["learning_rate"])
    for key, lo, hi in (("decimals", 1, 3), ("answer_decimals", 2, 8), ("draw_max_neurons", 1, 8)):
        if key in d:
            if not _int(d[key]) or not lo <= d[key] <= hi:
                raise _fail(src, key, f"expected a whole number from {lo} to {hi}, got {fields.describe(d[key])}")
            setattr(cfg, key, d[key])
    for key in ("fewer_decimals_credit", "carried_credit"):
        if key in d:
            fc = d[key]
            if not _num(fc) or not 0 <= fc <= 1:
                raise _fail(src, key, f"expected a share of the points from 0 to 1, got {fields.describe(fc)}")
            setattr(cfg, key, float(fc))
    if "working_space" in d:
        ws = d["working_space"]
        if not _num(ws) or not 0 <= ws <= MAX_WORKING_SPACE:
            raise _fail(src, "working_space", f"expected a number of centimetres from 0 to {MAX_WORKING_SPACE:g}")
        cfg.working_space = float(ws)
    if d.get("kind", "network") != "network" or "graph" in d:  # a graph exam: exgen.graph.config
        from exgen.graph import config as graph_config
        cfg.kind = fields.choice(d.get("kind", "network"), ("network", "graph"), "kind", fail)
        if cfg.kind != "graph":
            raise _fail(src, "graph", "only for kind: graph")
        network_only = [k for k in NETWORK_KEYS if k in d]
        if network_only:  # a graph exam draws graphs: these would be silently ignored
            raise _fail(src, network_only[0], "a key of network exams; a kind: graph exam sets its graph "
                        "under 'graph:' (docs/generate.md)")
        cfg.graph = graph_config.from_dict(d.get("graph"), fail, src)
        cfg.questions = [{"type": t, "points": 1} for t in graph_config.QUESTION_TYPES]
    if "batch" in d:
        if not _int(d["batch"]) or d["batch"] < 1:
            raise _fail(src, "batch", f"expected a whole number of samples, 1 or more, got {fields.describe(d['batch'])}")
        limits.check("samples in an exam's mini-batch", d["batch"], limits.MAX_EXAM_BATCH, src, "key 'batch'",
                     "an exam's mini-batch is worked by hand")
        cfg.batch = d["batch"]
    if "convention" in d:
        cfg.convention = fields.choice(d["convention"], CONVENTIONS, "convention", fail)
    if "questions" in d:
        cfg.questions = _questions(d["questions"], src, _types(cfg))
    cfg.tolerance = (check_tolerance(d["tolerance"], src, "tolerance") if "tolerance" in d
                     else default_tolerance(cfg.answer_decimals))
    if "notation" in d:
        cfg.notation = _notation(d["notation"], src)
    check_size(cfg)
    return cfg


def check_size(cfg: ExamConfig) -> None:
    """What one student's exam asks for, bounded before any network is drawn: questions per
    group (ids 1a..1z) and the chain-rule paths solved with every draw."""
    src, asked = cfg.source, [q["type"] for q in cfg.questions]
    if cfg.kind == "graph":
        return  # bounded by exgen.graph.config (gates and inputs of a drawn graph)
    softmax = cfg.activations[-1] == "softmax"
    for kind in ("forward", "deltas"):
        if kind in asked:
            limits.check(f"{kind} questions in one group (one per neuron after the input and sample)",
                         sum(cfg.layers[1:]) * cfg.batch, limits.MAX_GROUP_QUESTIONS, src, "keys 'layers' and 'batch'")
    if "paths" in asked and len(cfg.layers) > 2:
        limits.check("path questions in one group (one per path of a first-layer weight)",
                     limits.parameter_paths(cfg.layers, 0, softmax), limits.MAX_GROUP_QUESTIONS, src, "key 'layers'")
    limits.check("chain-rule paths in one exam network", limits.network_paths(cfg.layers, softmax, cfg.biases),
                 limits.MAX_EXAM_PATHS, src, "key 'layers'")


def _types(cfg: ExamConfig) -> tuple[str, ...]:
    """The question types of the config's kind of exercise."""
    if cfg.kind == "graph":
        from exgen.graph.config import QUESTION_TYPES as GRAPH_TYPES
        return GRAPH_TYPES
    return QUESTION_TYPES


def _questions(qs: Any, src: str, types: tuple[str, ...] = QUESTION_TYPES) -> list[dict[str, Any]]:
    if isinstance(qs, list):
        limits.check("question groups", len(qs), limits.MAX_GROUP_QUESTIONS, src, "key 'questions'")
    if not isinstance(qs, list) or not qs:
        raise _fail(src, "questions", f"expected a non-empty list of: {', '.join(types)}")
    out = []
    for i, q in enumerate(qs):
        key = f"questions[{i}]"
        item = {"type": q} if isinstance(q, str) else q
        if not isinstance(item, dict) or "type" not in item:
            raise _fail(src, key, f"expected a question type or {{type: ..., points: ...}}, got {fields.describe(q)}")
        fields.mapping(item, key, lambda f, p: _fail(src, f, p), ("type", "points", "tolerance"), "")
        fields.choice(item["type"], types, f"{key}.type", lambda f, p: _fail(src, f, p))
        pts = item.get("points", 1)
        if not _num(pts) or pts < 0:
            raise _fail(src, f"{key}.points", f"expected a non-negative number, got {fields.describe(pts)}")
        clean = {"type": item["type"], "points": pts}
        if "tolerance" in item:
            clean["tolerance"] = check_tolerance(item["tolerance"], src, f"{key}.tolerance")
        out.append(clean)
    return out


def _notation(n: Any, src: str) -> dict[str, str]:
    from exgen.core.notation import validate
    return validate(n, "notation", lambda f, p: _fail(src, f, p), WEIGHT_ALIASES)


def load(path: str | Path) -> ExamConfig:
    """Load and validate a YAML (or JSON) exam config file (within exgen.limits)."""
    from exgen.load import read_document
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such file" if not p.exists() else f"{p}: not a file")
    return from_dict(read_document(p, "yaml"), str(p))


def demo_path() -> Path:
    return Path(str(resources.files("exgen.exam") / "configs" / "demo.yaml"))


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
answer_decimals: 4                  # decimals asked for and printed in the key, 2..8
fewer_decimals_credit: 0            # an answer with fewer decimals is judged as written; the right value
                                    # rounded to fewer decimals gets this share of the points (0..1)
carried_credit: 0.5                 # share of the points for an answer right given the student's own
                                    # earlier (wrong) answers (error carried forward), 0..1
questions:                          # groups 1, 2, ... in this order; ids 1a, 1b, ...
  - {type: forward, points: 1}      # every activation
  - {type: loss, points: 1}
  - {type: gradients, points: 2}    # an output weight, a multi-path weight, a bias
  - {type: paths, points: 1}        # each chain-rule path of the multi-path weight
  - {type: update, points: 1}       # those parameters after one SGD step
  - {type: loss_after, points: 1}   # the loss after the step
# tolerance: {kind: rel, value: 0.01} # default: absolute, half a unit of the last decimal asked;
                                    # rel (relative) or sig (significant figures) if you choose
notation:                           # display only: never changes a number
  letters: z/h                      # pre/post-activation letters: z/h, a/h or z/a
  weights: paren                    # paren w^{(l)}_{jk}, super w^l_{jk}, flat w_{ljk}, numbered w1..wn
draw_max_neurons: 4                 # draw the network if no layer is wider (1..8), else print tables only
working_space: 0                    # cm of blank space under each question of the sheet for working, 0..20
batch: 1                            # samples in the mini-batch (1..8); the loss is their mean
convention: row                     # matrix form (shapes questions): row z = xW + b, column z = Wx + b
"""


def key_acceptance(cfg: ExamConfig) -> dict[str, Any]:
    """The acceptance policy the exam's keys record (exgen.acceptance)."""
    from exgen.acceptance import acceptance
    assert cfg.tolerance is not None
    return acceptance(cfg.answer_decimals, cfg.tolerance, cfg.carried_credit, cfg.fewer_decimals_credit)


def precision_rule(cfg: ExamConfig) -> str:
    """The precision rule as the sheet prints it."""
    from exgen.acceptance import rule_sentence
    return rule_sentence(cfg.answer_decimals, cfg.fewer_decimals_credit)
