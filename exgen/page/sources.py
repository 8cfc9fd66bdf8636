"""The exercises of a self-check page, from one source: a practice preset (N fresh networks), a
textbook example, an exam config (N fresh networks drawn as `exgen generate` draws them) or an
answer key. Drawing and solving are the practice and exam modules'; this only gathers, for each
exercise, its answer key and what the page prints."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from exgen.core.examples import notation_of
from exgen.core.notation import Notation
from exgen.core.solution import to_dict
from exgen.core.solve import Solution, solve
from exgen.core.spec import Spec, from_dict
from exgen.graph.spec import GraphSpec, is_graph
from exgen.errors import UsageError
from exgen.fields import is_int
from exgen.limits import MAX_PAGE_EXERCISES, check

ANSWER_DECIMALS = 4  # decimals asked of a practice key (no acceptance policy): the sheets' default


@dataclass
class PageExercise:
    title: str
    key: dict[str, Any]  # the answer key the page's verdicts follow (questions, spec, acceptance)
    spec: Spec | GraphSpec  # a network, or a computational graph (exgen.graph)
    nt: Notation | None  # None for a graph (its names are its own)
    sol: Solution | Any  # a graph's: exgen.graph.solve.Run
    sol_json: dict[str, Any]
    decimals: int  # of the given numbers as printed
    answer_decimals: int  # asked (the key's acceptance policy, else 4)
    about: str = ""
    redo: str = ""  # the terminal command that practises the same network

    @property
    def key_id(self) -> str:
        """The key's id: the first 12 hex digits of the SHA-256 of its canonical JSON."""
        text = json.dumps(self.key, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


    @property
    def graph(self) -> bool:
        return isinstance(self.spec, GraphSpec)


def given_decimals(spec: Spec | GraphSpec, most: int = 6) -> int:
    """The fewest decimals (at least 1) that print every given number (x, y, weights, biases; a
    graph's inputs) exactly."""
    if isinstance(spec, GraphSpec):
        vals = np.array(list(spec.inputs.values()), dtype=float)
    else:
        vals = np.concatenate([spec.x.ravel(), spec.y.ravel(), *[w.ravel() for w in spec.weights],
                               *([b.ravel() for b in spec.biases] if spec.biases is not None else [])])
    for d in range(0 if isinstance(spec, GraphSpec) else 1, most + 1):  # a graph's inputs may be whole
        if np.allclose(vals, np.round(vals, d), rtol=0, atol=1e-12):
            return d
    return most


def _from_practice(pr_ex, decimals: int | None = None, acceptance: dict | None = None) -> PageExercise:
    key = dict(pr_ex.key)
    if acceptance is not None:
        key["acceptance"] = acceptance
    spec = pr_ex.spec
    return PageExercise(pr_ex.title, key, spec, pr_ex.nt, pr_ex.sol, pr_ex.solution,
                        decimals or given_decimals(spec), (acceptance or {}).get("decimals", ANSWER_DECIMALS),
                        spec.description or "", pr_ex.redo())


def from_key(key: dict[str, Any], source: str) -> PageExercise:
    """The exercise of an answer key (validated: exgen.student.selfcheck.load_key)."""
    acc = key.get("acceptance") or {}
    title = " ".join(str(p) for p in (key.get("exam") or "Exercise", key.get("student_id") or "") if p)
    if is_graph(key["spec"]):  # a computational graph (exgen.graph)
        from exgen.graph.solve import solve as solve_graph, to_json
        from exgen.graph.spec import from_dict as graph_spec
        g = graph_spec(key["spec"], f"{source} (spec)")
        run = solve_graph(g)
        return PageExercise(title, key, g, None, run, to_json(run), given_decimals(g),
                            acc.get("decimals", ANSWER_DECIMALS), g.description or "",
                            f"exgen check my_answers.csv --key {source}")
    spec = from_dict(key["spec"], f"{source} (spec)")
    nt = notation_of(spec)
    sol = solve(spec)
    return PageExercise(title, key, spec, nt, sol, to_dict(sol, nt), given_decimals(spec),
                        acc.get("decimals", ANSWER_DECIMALS), spec.description or "", f"exgen check my_answers.csv --key {source}")


def exercise_seeds(seed: int, count: int) -> list[int]:
    """`count` distinct exercise seeds drawn from one seed (numpy.random.default_rng)."""
    rng = np.random.default_rng(seed)
    return [int(s) for s in rng.choice(np.arange(1, 1_000_000), size=count, replace=False)]


def gather(*, preset: str | None = None, example: str | None = None, config: str | Path | None = None,
           key: str | Path | None = None, count: int | None = None, seed: int | None = None) -> list[PageExercise]:
    """The page's exercises from exactly one source; `count` (presets and configs, default 1) is
    bounded by MAX_PAGE_EXERCISES, `seed` draws their seeds (default: a fresh one)."""
    from exgen.student import practice as pr
    given = [n for n, v in (("--preset", preset), ("--example", example), ("--config", config), ("--key", key))
             if v is not None]
    if len(given) > 1:
        raise UsageError(f"give one source, not {' and '.join(given)}")
    if (example is not None or key is not None) and (count not in (None, 1) or seed is not None):
        raise UsageError(f"{given[0]} is one exercise: --count and --seed go with --preset or --config")
    n = 1 if count is None else count
    if not is_int(n):  # a script's count=2.5 or True: not a TypeError from NumPy
        raise UsageError(f"--count must be a whole number, got {n!r}")
    if n < 1:
        raise UsageError(f"--count must be at least 1, got {n}")
    check("exercises on a page", n, MAX_PAGE_EXERCISES, where="--count")
    if seed is not None and (not is_int(seed) or seed < 0):
        raise UsageError(f"--seed must be a non-negative integer, got {seed!r}")
    from exgen.graph import practice as gp
    if example is not None:
        if gp.is_graph_practice(None, example):
            return [_from_practice(gp.from_example(example))]
        return [_from_practice(pr.from_example(example, notation_of))]
    if key is not None:
        from exgen.student.selfcheck import load_key
        return [from_key(load_key(Path(key)), str(key))]
    seeds = exercise_seeds(pr.new_seed() if seed is None else seed, n)
    if config is not None:
        from exgen.exam.config import key_acceptance, load
        from exgen.student.practice_pdf import from_config
        cfg = load(config)
        out = []
        for s in seeds:
            ex = from_config(Path(config), s, None, None)
            dec = cfg.graph.decimals if cfg.kind == "graph" else cfg.decimals
            out.append(_from_practice(ex, dec, key_acceptance(cfg)))
        return out
    name = preset or pr.DEFAULT_PRESET
    if gp.is_graph_practice(name, None):
        return [_from_practice(gp.from_preset(name, s)) for s in seeds]
    pr.preset(name, graphs=True)  # an unknown name fails before any work (gp's names are valid too)
    return [_from_practice(pr.from_preset(name, s, notation_of)) for s in seeds]
