"""Practice: presets (one per seed's style), a fresh seeded network, and the question-by-question
session logic (no input/output here: the CLI drives a `Session`).

A practice exercise (`Practice`) holds one `exgen.exercise.Exercise` and its answer key, the
format of an exam's (questions.answer_key), so self-check, hints and grading see one format.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from exgen.core import examples
from exgen.core.solve import Solution, solve
from exgen.errors import ExgenError
from exgen.student.hints import hints as hints_for, worked_step
from exgen.core.notation import Notation
from exgen.exercise import Exercise, make
from exgen.acceptance import acceptance, default_tolerance
from exgen.answer_key import answer_key
from exgen.student.selfcheck import Verdict, grade
from exgen.core.spec import Spec


class PracticeError(ExgenError):
    """A practice request that cannot be served (unknown preset, bad seed, ...)."""


@dataclass(frozen=True)
class Preset:
    example: str  # the built-in example it starts from (its notation, inputs, targets, loss)
    questions: tuple[str, ...]  # question types, in order (questions.QUESTION_TYPES)
    about: str
    learning_rate: float | None = None  # for fresh networks, if the example's makes updates trivial


PRESETS: dict[str, Preset] = {
    "aksoy-2-2-1": Preset("seed002-2-2-1", ("forward", "loss", "gradients", "update"),
                          "2-2-1 sigmoid net, no biases, edges numbered w1..w6, E = 1/2 (y - ŷ)² (seed 002)"),
    "aksoy-3-2-2": Preset("seed002-3-2-2", ("forward", "loss", "gradients", "paths", "update"),
                          "3-2-2 sigmoid net with biases, weights w1..w10, b1..b4 (seed 002; "
                          "η = 0.5 instead of 0.01, so that an update is more than a rounding)", 0.5),
    "upgrad-linear-out": Preset("seed003-2-2-1-linear", ("forward", "loss", "gradients", "update", "loss_after"),
                                "2-2-1 net, sigmoid hidden, linear output, w^l_jk notation (seed 003)"),
    "onefourth-softmax": Preset("seed000-4-4-2-softmax", ("forward", "loss", "gradients", "paths"),
                                "4-4-2 net, sigmoid hidden, softmax output, squared error; paths through softmax (seed 000)"),
    "single-neuron-bce": Preset("seed001-neuron-bce", ("forward", "loss", "gradients", "update"),
                                "one sigmoid neuron with binary cross-entropy, z/a notation (seed 001)"),
    "minibatch": Preset("seed001-minibatch", ("loss", "gradients", "update", "loss_after"),
                        "one sigmoid neuron, BCE, a mini-batch of 3 samples: mean loss, mean gradient (seed 001)"),
}
DEFAULT_PRESET = "aksoy-2-2-1"
MAX_TRIES = 500


def preset(name: str, graphs: bool = False) -> Preset:
    """A network preset; `graphs`: the caller takes the graph presets too (the error lists them)."""
    if name not in PRESETS:
        from exgen.graph.practice import PRESETS as GRAPH_PRESETS
        valid = [*PRESETS, *(GRAPH_PRESETS if graphs else ())]
        raise PracticeError(f"unknown preset {name!r}; valid: {', '.join(valid)}")
    return PRESETS[name]


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 1_000_000)


PRACTICE_ID = "practice"  # the "student id" of a practice network (with --seed as the exam seed)
ANSWER_DECIMALS = 4  # decimals asked, as an exam's default
DECIMALS = 1  # given numbers of a fresh practice network: one decimal, as in the lecture examples


def preset_config(name: str, seed: int):
    """The exam config that draws a preset's fresh networks: the preset's layers, activations,
    loss, biases (or none), notation and learning rate; its questions, 1 point each."""
    from exgen.exam.config import ExamConfig
    p = preset(name)
    base = examples.load(p.example)
    nt = examples.notation_of(base)
    letters = nt.letters
    return ExamConfig(name=f"Practice: {name}", seed=seed, layers=list(base.layers),
                      activations=list(base.activations), loss=base.loss, biases=base.biases is not None,
                      learning_rate=p.learning_rate or base.learning_rate, decimals=DECIMALS,
                      answer_decimals=ANSWER_DECIMALS, questions=[{"type": k, "points": 1} for k in p.questions],
                      notation={"letters": letters, "weights": nt.weights}, source=f"preset {name}")


def _good(spec: Spec, sol: Solution) -> bool:
    """Mini-batch filter: no saturated sigmoid/tanh unit, no dead ReLU, no vanishing gradient,
    and the step lowers the loss."""
    for z, act in zip(sol.fwd.z, spec.activations):
        if act in ("sigmoid", "tanh") and np.abs(z).max() > 3.0:
            return False
        if act == "relu" and (np.abs(z) < 0.05).any():
            return False
    grads = np.concatenate([g.ravel() for g in sol.bwd.grad_w])
    return bool(np.abs(grads).min() > 1e-4 and sol.loss_after < sol.loss)


def _fresh_batch(name: str, seed: int) -> Spec:
    """A mini-batch preset's network: exgen.exam.draw draws single samples, so a batch keeps the
    preset's samples and targets and redraws the weights and biases (one decimal, never 0)."""
    base = examples.load(preset(name).example)
    rng = np.random.default_rng(seed)

    def draw(shape) -> np.ndarray:
        v = np.round(rng.uniform(-1.0, 1.0, size=shape), DECIMALS)
        return np.where(v == 0, 0.1, v)

    spec = base
    for _ in range(MAX_TRIES):
        w = [draw(W.shape) for W in base.weights]
        b = None if base.biases is None else [draw(v.shape) for v in base.biases]
        spec = base.with_params(w, b)
        spec.learning_rate = preset(name).learning_rate or base.learning_rate
        if _good(spec, solve(spec)):
            break
    return spec


def fresh_spec(name: str, seed: int) -> Spec:
    """A fresh network for a preset, drawn from `seed`. The one place that makes random practice
    networks: the exam generator's seeded draw and quality filters (exgen.exam.draw.make_exercise
    with `preset_config(name, seed)`, student id "practice"); a mini-batch preset uses its own
    draw (`_fresh_batch`), since the generator draws single samples."""
    if seed < 0:
        raise PracticeError(f"--seed must be a non-negative integer, got {seed}")
    if examples.load(preset(name).example).batched:
        spec = _fresh_batch(name, seed)
    else:
        from exgen.exam.draw import make_exercise
        spec = make_exercise(preset_config(name, seed), PRACTICE_ID).spec
    spec.name = f"{name} (seed {seed})"
    spec.description = PRESETS[name].about
    return spec


@dataclass
class Practice:
    """A practice exercise: one Exercise (exgen.exercise) with its title, its answer key (the
    format of an exam's, so self-check, hints and grading see one format) and how to redo it."""
    title: str
    exercise: Exercise
    key: dict[str, Any]  # the answer key: questions with ids, refs, answers, tolerances
    preset: str | None = None
    seed: int | None = None
    kinds: tuple[str, ...] = ()  # the question types asked, in order
    redo_args: str = ""  # how to redo it: "--preset NAME --seed N" (empty: a textbook example)
    exam_config: Any = None  # the exam config it was drawn from (--config), if any

    @property
    def spec(self) -> Spec:
        return self.exercise.spec

    @property
    def nt(self) -> Notation:
        return self.exercise.nt

    @property
    def sol(self) -> Solution:
        """The engine's solution."""
        return self.exercise.solution

    @property
    def solution(self) -> dict[str, Any]:
        """The solve --json object."""
        return self.exercise.solution_json

    @property
    def questions(self) -> list[dict[str, Any]]:
        """The key's questions (as JSON objects)."""
        return self.key["questions"]

    def redo(self) -> str:
        return f"exgen practice {self.redo_args or '--example ' + self.spec.name}"


def exercise(spec: Spec, nt: Notation, kinds: tuple[str, ...], title: str,
             preset_name: str | None = None, seed: int | None = None) -> Practice:
    """Solve `spec` and ask `kinds` about it (forward questions are left out for a mini-batch)."""
    if spec.batched:
        kinds = tuple(k for k in kinds if k != "forward")
    ex = make(spec, nt, [{"type": k, "points": 1} for k in kinds], default_tolerance(ANSWER_DECIMALS),
              student_id=PRACTICE_ID, student_seed=seed or 0)
    key = answer_key("practice", "practice", seed if seed is not None else 0, spec, ex.questions,
                     acceptance(ANSWER_DECIMALS, default_tolerance(ANSWER_DECIMALS)))  # an exam's default policy
    redo = f"--preset {preset_name} --seed {seed}" if preset_name else ""
    return Practice(title, ex, key, preset_name, seed, kinds, redo)


def from_preset(name: str, seed: int | None, nt_for) -> Practice:
    """A fresh exercise of preset `name`; `nt_for(spec)` picks the notation."""
    seed = new_seed() if seed is None else seed
    spec = fresh_spec(name, seed)
    return exercise(spec, nt_for(spec), preset(name).questions, spec.name, name, seed)


def from_example(name: str, nt_for) -> Practice:
    """A textbook example as it is, with its preset's questions if it has one."""
    spec = examples.load(name, graphs=True)  # exgen.graph.practice takes the graph examples
    kinds = next((p.questions for p in PRESETS.values() if p.example == name), ("forward", "loss", "gradients", "update"))
    return exercise(spec, nt_for(spec), kinds, spec.name)


@dataclass
class Session:
    """One pass through an exercise's questions. The first graded answer of a question is its score;
    after a wrong answer the student may try again, ask for hints, see the step or move on."""
    ex: Practice
    carried_credit: float = 0.5
    i: int = 0
    answers: dict[str, str] = field(default_factory=dict)
    first: dict[str, Verdict] = field(default_factory=dict)
    revealed: set[str] = field(default_factory=set)
    level: int = 0  # hints given for the current question

    @property
    def current(self) -> dict[str, Any] | None:
        return self.ex.questions[self.i] if self.i < len(self.ex.questions) else None

    @property
    def done(self) -> bool:
        return self.current is None

    def _next(self) -> None:
        self.i += 1
        self.level = 0

    def submit(self, text: str) -> Verdict:
        """Grade an answer to the current question. `invalid`/`missing` verdicts are not recorded."""
        q = self.current
        assert q is not None
        trial = dict(self.answers, **{q["id"]: text})
        v = next(v for v in grade(self.ex.key, trial, self.carried_credit) if v.question_id == q["id"])
        if v.verdict in ("invalid", "missing"):
            return v
        self.answers[q["id"]] = text
        self.first.setdefault(q["id"], v)
        if v.verdict in ("correct", "carried"):
            self._next()
        return v

    def hint(self) -> str | None:
        """The next hint for the current question, or None when there are no more."""
        q = self.current
        assert q is not None
        hs = hints_for(self.ex.sol, self.ex.nt, q)
        if self.level >= len(hs):
            return None
        self.level += 1
        return hs[self.level - 1]

    def show_step(self) -> list[str]:
        """The current step worked out (reveals the answer); moves on to the next question."""
        q = self.current
        assert q is not None
        lines = worked_step(self.ex.sol, self.ex.nt, q)
        self.revealed.add(q["id"])
        self.answers[q["id"]] = repr(float(q["answer"]))  # later questions build on the true value
        self._next()
        return lines

    def skip(self) -> None:
        self._next()

    def score(self) -> tuple[float, float]:
        got = sum(v.score for v in self.first.values())
        return got, sum(float(q["points"]) for q in self.ex.questions)
