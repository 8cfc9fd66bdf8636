"""Seeded random graphs for exams, with hand-friendly numbers, and the filters that reject
degenerate ones. Like exgen.exam.draw for networks: a student's graph depends on (exam seed,
student id) only, and a draw that fails a filter is redrawn from the same generator.

A graph is grown gate by gate: each gate takes an operand that nothing uses yet (so every input
and gate reaches the output) and sometimes one already used (a name used twice, whose gradients
add up). Inputs are small whole numbers (or one decimal); constants are small whole numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from exgen.exam.config import ExamConfig
from exgen.exam.draw import MAX_ATTEMPTS, distinct, no_good, student_seed
from exgen.graph.config import GraphConfig
from exgen.graph.ops import GATES, gate_text
from exgen.graph.solve import Run, run, to_json
from exgen.graph.spec import GraphSpec, from_dict
from exgen.kinds import Question, build_questions

NAMES = ["p", "q", "r", "s", "t", "u", "v", "w", "g", "h", "k", "m"]  # gates; the output is f
CONSTANTS = {"addc": [1, 2, 3, -1, -2, -3], "mulc": [2, 3, -2, -3], "divc": [2, 4, 5], "pow": [2, 2, 3]}
MAX_SIZE = 100.0  # |value|, |local|, |gradient| of a hand-worked graph
REUSE = 0.3  # chance that an operand is a name already used
BINARY_SHARE = 0.55  # chance of a gate of two operands where one of one would do


@dataclass
class GraphExercise:
    spec: GraphSpec
    solution: Run  # one graph (K = 1)
    solution_json: dict[str, Any]  # the graph solution object (exgen.graph.solve.to_json)
    questions: list[Question]
    student_id: str = ""
    student_seed: int = 0
    attempts: int = 1
    nt: Any = None  # no notation: a graph's names are its own (a network exercise's has one)


def input_names(n: int) -> list[str]:
    return ["x", "y", "z"][:n] if n <= 3 else [f"x{i + 1}" for i in range(n)]


def draw_graph(rng: np.random.Generator, g: GraphConfig) -> GraphSpec | None:
    """One random graph of the config's gates and size, or None if this draw cannot join its inputs."""
    names = input_names(g.inputs)
    scale = 10 ** g.decimals
    pool = np.array([v for v in range(-4 * scale, 4 * scale + 1) if v != 0]) / scale
    inputs = {x: float(rng.choice(pool)) for x in names}
    unary = [op for op in g.gates if GATES[op].arity == 1]
    binary = [op for op in g.gates if GATES[op].arity == 2]
    dangling, avail, nodes = list(names), list(names), {}
    for i in range(g.size):
        left = g.size - i
        nid = "f" if left == 1 else NAMES[i]
        must_join = len(dangling) - 1 >= left
        if must_join and len(dangling) - 1 > left:
            return None
        kinds = binary if must_join or not unary or (binary and rng.random() < BINARY_SHARE) else unary
        op = str(rng.choice(kinds))
        k = GATES[op].arity
        args = [dangling[int(rng.integers(len(dangling)))]]
        if k == 2:
            rest = [x for x in dangling if x != args[0]]
            join = must_join or rng.random() >= REUSE
            others = rest if (join and rest) else [x for x in avail if x != args[0]] or avail
            args.append(others[int(rng.integers(len(others)))])
        c = float(rng.choice(CONSTANTS[op])) if op in CONSTANTS else 0.0
        for a in args:
            if a in dangling:
                dangling.remove(a)
        dangling.append(nid)
        avail.append(nid)
        nodes[nid] = gate_text(op, args, c)
    if dangling != ["f"]:
        return None
    return from_dict({"graph": {"inputs": inputs, "nodes": nodes, "output": "f"}}, "drawn graph")


def rejection(spec: GraphSpec, r: Run, g: GraphConfig, answer_decimals: int) -> str | None:
    """Why a drawn graph is not a good exercise, or None."""
    tiny = 0.5 * 10.0 ** -answer_decimals
    for i, n in enumerate(spec.nodes):
        ops = [float(r.values[a][0]) for a in n.args]
        v = float(r.values[n.id][0])
        nums = [v, float(r.grads[n.id][0]), *(float(x[0]) for x in r.local[i])]
        if not all(np.isfinite(nums)) or max(abs(x) for x in nums) > MAX_SIZE:
            return "values or gradients too large"
        if any(x != 0 and abs(x) < tiny for x in nums):
            return "a value that rounds to 0"
        if n.op == "relu" and ops[0] == 0 or n.op == "max" and abs(ops[0] - ops[1]) < 10.0 ** -g.decimals:
            return "a relu or max gate at its kink"
        if n.op in ("log",) and ops[0] <= 0 or n.op in ("inv", "div") and abs(ops[-1]) < 0.5:
            return "a log or a division near its pole"
        if n.op == "relu" and ops[0] < 0 and all(float(r.grads[x][0]) == 0 for x in spec.inputs):
            return "a relu that blocks everything"
    idx = spec.index
    if any(n.op == spec.nodes[idx[n.args[0]]].op for n in spec.nodes if GATES[n.op].arity == 1 and n.args[0] in idx):
        return "the same one-operand gate twice in a row"
    if 2 * sum(GATES[n.op].has_const for n in spec.nodes) > len(spec.nodes):
        return "mostly constant gates"
    grads = [float(r.grads[x][0]) for x in spec.inputs]
    if any(x == 0 for x in grads):
        return "an input with zero gradient"
    if sum(float(r.grads[n.id][0]) == 0 for n in spec.nodes) > 1:
        return "gates with zero gradient"
    return None


def fingerprint(spec: GraphSpec) -> tuple:
    return (tuple(spec.inputs.values()), tuple((n.op, tuple(n.args), n.c) for n in spec.nodes))


def questions(cfg: ExamConfig, spec: GraphSpec, sol_json: dict[str, Any]) -> list[Question]:
    qs = build_questions(spec, sol_json, None, cfg.questions, cfg.tolerance)  # type: ignore[arg-type]
    for q in qs:
        group = cfg.questions[int(q.id[:-1]) - 1]
        if "tolerance" in group:
            q.tolerance = dict(group["tolerance"])
    return qs


def exercise(spec: GraphSpec, asked: list[dict[str, Any]] | None = None,
             tolerance: dict[str, Any] | None = None) -> GraphExercise:
    """The questions `asked` (default: every graph question type) about a given graph."""
    from exgen.graph.config import QUESTION_TYPES
    r = run(spec)
    sol_json = to_json(r)
    qs = build_questions(spec, sol_json, None, asked or [{"type": t} for t in QUESTION_TYPES],  # type: ignore[arg-type]
                         tolerance)
    return GraphExercise(spec, r, sol_json, qs)


def make_exercise(cfg: ExamConfig, student_id: str, avoid: set | frozenset = frozenset()) -> GraphExercise:
    seed = student_seed(cfg.seed, student_id)
    rng = np.random.default_rng(seed)
    g: GraphConfig = cfg.graph
    reasons: dict[str, int] = {}
    for attempt in range(1, MAX_ATTEMPTS + 1):
        spec = draw_graph(rng, g)
        if spec is None:
            reasons["could not join the inputs"] = reasons.get("could not join the inputs", 0) + 1
            continue
        r = run(spec)
        why = rejection(spec, r, g, cfg.answer_decimals)
        if why is None and fingerprint(spec) in avoid:
            why = "same graph as another student"
        if why is None:
            sol_json = to_json(r)
            return GraphExercise(spec, r, sol_json, questions(cfg, spec, sol_json), student_id, seed, attempt)
        reasons[why] = reasons.get(why, 0) + 1
    raise no_good(cfg, "graph", student_id, reasons, "try other gates, a larger size or fewer inputs")


def make_exercises(cfg: ExamConfig, student_ids: list[str], progress=None) -> list[GraphExercise]:
    """Every student's graph exercise, pairwise different (as exgen.exam.draw.make_exercises)."""
    return distinct(cfg, student_ids, make_exercise, fingerprint, progress)
