"""Practising computational graphs alone (`exgen practice --preset graph`, `--example
seed002-graph-sigmoid`, or `--config` with `kind: graph`): a graph exercise wrapped as a
`exgen.student.practice.Practice`, so the session, self-check, hints and worked steps are the
ones network exercises use (exgen.kinds.graph supplies the text)."""
from __future__ import annotations

from typing import Any

from exgen.answer_key import answer_key
from exgen.exam.config import ExamConfig
from exgen.graph import examples
from exgen.graph.config import QUESTION_TYPES, GraphConfig
from exgen.graph.draw import GraphExercise, exercise, make_exercise
from exgen.graph.ops import gate_text
from exgen.graph.report import text_report

PRACTICE_ID = "practice"
# preset -> (built-in graph example, or None for a fresh graph; what it is)
PRESETS: dict[str, tuple[str | None, str]] = {
    "graph": (None, "a fresh computational graph: 5 gates (add, mul, max, relu, +c, power), 3 inputs"),
    "graph-seed002": ("seed002-graph-fxyz", "f = (x + y) z gate by gate: upstream, local, downstream (seed 002)"),
    "graph-sigmoid": ("seed002-graph-sigmoid", "the sigmoid neuron taken apart into 8 gates (seed 002)"),
}


def is_graph_practice(preset: str | None, example: str | None) -> bool:
    return (preset in PRESETS) or (example is not None and example in examples.names())


def practice_config(seed: int, g: GraphConfig | None = None, name: str = "Practice: graph") -> ExamConfig:
    return ExamConfig(name=name, seed=seed, kind="graph", graph=g or GraphConfig(), answer_decimals=4,
                      questions=[{"type": t, "points": 1} for t in QUESTION_TYPES], source="practice")


def wrap(ex: GraphExercise, title: str, cfg: ExamConfig, preset: str | None = None, seed: int | None = None,
         redo: str = "") -> Any:
    from exgen.student.practice import Practice
    key = answer_key(cfg.name, PRACTICE_ID, seed or 0, ex.spec, ex.questions)  # type: ignore[arg-type]
    ex.spec.name = ex.spec.name or title
    return Practice(title, ex, key, preset, seed, tuple(q["type"] for q in cfg.questions), redo, exam_config=cfg)  # type: ignore[arg-type]


def from_preset(name: str, seed: int) -> Any:
    example, about = PRESETS[name]
    if example is not None:
        return from_example(example)
    cfg = practice_config(seed)
    ex = make_exercise(cfg, PRACTICE_ID)
    ex.spec.description = about
    return wrap(ex, f"{name} (seed {seed})", cfg, name, seed, f"--preset {name} --seed {seed}")


def from_example(name: str) -> Any:
    spec = examples.load(name)
    cfg = practice_config(0, name=f"Practice: {name}")
    return wrap(exercise(spec), name, cfg)


def from_config(cfg: ExamConfig, seed: int, path: Any) -> Any:
    cfg.seed = seed
    ex = make_exercise(cfg, PRACTICE_ID)
    return wrap(ex, f"{cfg.name} (seed {seed})", cfg, None, seed, f"--config {path} --seed {seed}")


def describe(ex: Any) -> list[str]:
    """The exercise as plain-text lines for the terminal: given numbers only."""
    spec = ex.exercise.spec
    out = [f"Inputs: {', '.join(f'{x} = {v:g}' for x, v in spec.inputs.items())}",
           "Gates, in order of evaluation:"]
    out += [f"  {n.id} = {gate_text(n.op, n.args, n.c)}" for n in spec.nodes]
    out.append(f"Output: {spec.output}. Downstream gradient = upstream gradient × local gradient; "
               "a name used by several gates gets the sum of its uses' gradients.")
    return out


def worked_solution(ex: Any) -> str:
    return text_report(ex.exercise.solution)
