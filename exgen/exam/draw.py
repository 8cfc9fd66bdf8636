"""Seeded random networks with hand-friendly numbers, and the quality filters.

A student's exercise depends on (exam seed, student id) only: the generator is
numpy.random.default_rng(student_seed(seed, id)), with student_seed built by SHA-256. A draw that
fails a filter is redrawn from the same generator, so the result is deterministic. Every number is
drawn on the grid of `decimals` digits, so the spec holds the numbers exactly as printed and every
answer is solved from them.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable, Iterator

import numpy as np

from exgen.exam.config import ExamConfig
from exgen.core.solve import Solution, solve
from exgen.errors import ConfigError
from exgen.exercise import Exercise
from exgen.core.paths import paths_for
from exgen.core.engine import Nets, run
from exgen.grading.distract import too_close
from exgen.grading.slips import all_distractors
from exgen.kinds import Question, build_questions, gradient_params
from exgen.core.solution import to_dict
from exgen.core.spec import Spec

MAX_ATTEMPTS = 2000
SIGMOID_MIN_SLOPE = 0.05  # sigma'(z) = h(1-h) below this: saturated (|z| > ~2.9)
TANH_MIN_SLOPE = 0.1  # 1 - tanh^2 below this: saturated (|z| > ~1.8)
SOFTMAX_RANGE = (0.02, 0.98)  # softmax outputs outside: saturated
SLIP_DRAWS = 100  # draws that must keep every slip's value apart; later ones the step's values only
BATCH = 16  # at most this many draws checked together by the distractor filter
TOO_CLOSE = "a slip's value (or the value before the step) too near the answer"


def student_seed(exam_seed: int, student_id: str) -> int:
    """A 64-bit seed from (exam seed, student id), stable across runs and machines."""
    digest = hashlib.sha256(f"exgen/{exam_seed}/{student_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _grid(rng: np.random.Generator, shape, lo: float, hi: float, d: int, avoid_zero: bool = True,
          min_abs: float = 0.0) -> np.ndarray:
    """Numbers on the grid of d decimals in [lo, hi], optionally avoiding |v| < min_abs and zero."""
    scale = 10 ** d
    choices = np.arange(round(lo * scale), round(hi * scale) + 1)
    keep = np.abs(choices) >= max(round(min_abs * scale), 1 if avoid_zero else 0)
    return rng.choice(choices[keep], size=shape) / scale  # k / 10^d: the float nearest the decimal


def _targets(rng: np.random.Generator, cfg: ExamConfig) -> np.ndarray:
    n, act, d = cfg.layers[-1], cfg.activations[-1], cfg.decimals
    if cfg.loss == "cross_entropy":  # soft labels in tenths: a one-hot target zeroes most paths
        if n == 1:
            return np.ones(1)
        cuts = np.sort(rng.choice(np.arange(1, 10), size=n - 1, replace=False))
        return np.diff(np.concatenate([[0], cuts, [10]])) / 10
    if act == "softmax":
        y = np.zeros(n)
        y[rng.integers(n)] = 1.0  # one-hot class
        return y
    if cfg.loss == "bce":
        return rng.integers(0, 2, size=n).astype(float)
    lo, hi = {"sigmoid": (0.05, 0.95), "tanh": (-0.9, 0.9), "relu": (0.0, 1.5)}.get(act, (-1.0, 1.0))
    return _grid(rng, n, lo, hi, d, avoid_zero=False)


def draw_spec(rng: np.random.Generator, cfg: ExamConfig, name: str = "") -> Spec:
    """One candidate network, every number on the printed grid."""
    d, ls = cfg.decimals, cfg.layers
    weights = [_grid(rng, (ls[l + 1], ls[l]), -1.0, 1.0, d, min_abs=0.1) for l in range(len(ls) - 1)]
    # a ReLU layer gets positive biases: its units must be alive to be a good exercise
    biases = [_grid(rng, ls[l + 1], 0.1 if act == "relu" else -0.5, 0.5, d)
              for l, act in enumerate(cfg.activations)] if cfg.biases else None
    x = _grid(rng, (cfg.batch, ls[0]), -1.0, 1.0, d, min_abs=0.1)  # (B, n_0): a row per sample
    y = np.stack([_targets(rng, cfg) for _ in range(cfg.batch)])  # (B, n_L)
    return Spec(list(ls), list(cfg.activations), cfg.loss, cfg.learning_rate, x, y,
                weights, biases, cfg.batch > 1, name, "", {"notation": dict(cfg.notation)})


def rejection(cfg: ExamConfig, spec: Spec, sol: Solution, nt, multi: bool,
              qs: list[Question] | None = None) -> str | None:
    """Why a draw that is not saturated is no good exercise (by its answers and paths), or None;
    `multi`: multipath_possible for the config; `qs`: its questions, if at hand."""
    # the questions read the paths of the first weight only (paths_for lists it first): list the
    # others for a draw that passes, not for every draw
    if qs is None:
        qs = ask(cfg, spec, to_dict(sol, nt, first_params=1), nt)
    n_paths = None
    if multi:
        pk, idx = next(p for p in gradient_params(spec) if p[0] == "weights" and p[1][0] < spec.n_layers - 1)
        n_paths = sum(abs(p.product) > 1e-12 for p in paths_for(sol, pk, idx, 0, nt))
    return _rejection(cfg, sol, qs, n_paths)


def _rejection(cfg: ExamConfig, sol: Solution, questions: list[Question], n_paths: int | None) -> str | None:
    """Why a draw is not a good exercise, or None."""
    why = _saturation(cfg, sol)
    if why:
        return why
    half = 0.5 * 10.0 ** -cfg.answer_decimals
    if any(isinstance(q.answer, float) and abs(q.answer) < half for q in questions):
        return "an answer prints as zero"
    if n_paths is not None and n_paths < 2:
        return "no weight with several non-zero paths"
    return None


def _first_apart(cfg: ExamConfig, batch: list[tuple[int, Spec, Solution]], nt, student_id: str, seed: int,
                 reasons: dict[str, int]) -> Exercise | None:
    """The first draw of `batch` (attempt, spec, solution: draws that passed the other filters, in
    order) whose distractors are apart from its answers (`too_close`), as the student's Exercise;
    None if none is."""
    attempt, spec, sol = batch[0]
    sol_json = to_dict(sol, nt)
    qs = ask(cfg, spec, sol_json, nt)  # the refs of the key (paths numbered in the full list)
    near = too_close_draws(cfg, Nets.of([s for _, s, _ in batch]), [q.ref for q in qs], [a for a, _, _ in batch])
    for i, (attempt, spec, sol) in enumerate(batch):
        if near[i]:
            reasons[TOO_CLOSE] = reasons.get(TOO_CLOSE, 0) + 1
            continue
        if i:
            sol_json = to_dict(sol, nt)
            qs = ask(cfg, spec, sol_json, nt)
        return Exercise(spec, nt, sol, sol_json, qs, student_id, seed, attempt)
    return None


def too_close_draws(cfg: ExamConfig, net: Nets, refs: list[str], attempts: list[int],
                    answers: np.ndarray | None = None) -> np.ndarray:
    """(N,) bool: the draws `net` (their attempt numbers `attempts`) some of whose distractors are
    too close to their answers at `refs` (`answers`: run(net).values(refs), if at hand).

    Apart: no distractor of an asked question (the value before the step, the step uphill, any
    value the diagnosis table computes: grading.slips.all_distractors) is within MIN_GAP_UNITS
    units of the last decimal asked of the answer, unless it is the answer itself. The
    second-order slip (updated weights in the backward pass: eta*g times a gradient) is left out:
    it is nearly always within a few units (rejecting it would reject nearly every network); it is
    a distractor where it is a unit or more away (the windows stop short of it), none where nearer
    (grading.distract.invisible). From draw SLIP_DRAWS on (a network where slips cannot be kept
    apart: many small chain-rule paths), only the value before the step and the step uphill
    are kept apart; the windows still stop short of every slip's value when graded. The draws
    are checked together (one engine run per slip); each draw's verdict is its own (the engine
    computes each network alone, whatever the others: exgen.exam.search relies on it)."""
    if answers is None:
        answers = run(net).values(refs)
    dis = all_distractors(net, refs, answers, None, first_order=True)  # columns 0, 1: before, uphill
    near = np.asarray(too_close(answers, dis, cfg.answer_decimals))  # (draws, questions)
    near_step = np.asarray(too_close(answers, dis[..., :2], cfg.answer_decimals))
    return np.asarray(np.where(np.asarray(attempts)[:, None] <= SLIP_DRAWS, near, near_step).any(axis=1))


def _saturation(cfg: ExamConfig, sol: Solution) -> str | None:
    """The rejections seen from the forward pass alone (checked before the paths are listed)."""
    for why, bad in saturation(cfg, [z[None] for z in sol.fwd.z], [h[None] for h in sol.fwd.h]):
        if bad[0]:
            return why
    return None


def saturation(cfg: ExamConfig, z: list[np.ndarray], h: list[np.ndarray]) -> Iterator[tuple[str, np.ndarray]]:
    """For N draws' forward passes (z[l] (N, B, n_{l+1}), h[l] (N, B, n_l) as the engine has
    them), each layer's saturation test in order: (reason, (N,) bool where it rejects)."""
    relu_margin = max(10.0 ** -cfg.decimals, 10.0 ** -cfg.answer_decimals)
    for l, act in enumerate(cfg.activations):
        zl, hl = z[l], h[l + 1]  # (N, B, n): every sample
        if act == "sigmoid":
            yield "saturated sigmoid", np.asarray((hl * (1 - hl) < SIGMOID_MIN_SLOPE).any(axis=(1, 2)))
        elif act == "tanh":
            yield "saturated tanh", np.asarray((1 - hl ** 2 < TANH_MIN_SLOPE).any(axis=(1, 2)))
        elif act == "relu":
            yield "dead relu or near its kink", np.asarray((zl < relu_margin).any(axis=(1, 2)))
        elif act == "softmax":
            yield "saturated softmax", np.asarray(((hl < SOFTMAX_RANGE[0]) | (hl > SOFTMAX_RANGE[1])).any(axis=(1, 2)))


def multipath_possible(layers: list[int], activations: list[str]) -> bool:
    """Whether some weight has more than one chain-rule path in this architecture."""
    if len(layers) < 3:
        return False
    later = int(np.prod(layers[2:]))
    if activations[-1] == "softmax":
        later *= layers[-1]
    return later > 1


def check_architecture(cfg: ExamConfig) -> None:
    asked = {q["type"] for q in cfg.questions}
    if "paths" in asked and not multipath_possible(cfg.layers, cfg.activations):
        raise ConfigError(f"{cfg.source}: key 'questions': 'paths' needs a weight with several "
                          "paths (a hidden layer followed by a layer of 2 or more neurons)")
    if "paths" in asked and cfg.batch > 1:
        raise ConfigError(f"{cfg.source}: key 'questions': 'paths' asks for one sample's chain-rule paths; "
                          "with a mini-batch (batch > 1) ask 'deltas' and 'gradients' instead")


def fingerprint(spec: Spec) -> bytes:
    """The printed numbers of a network: two students never share one. As bytes (a few hundred:
    a set of 40,000 fits in megabytes); + 0.0 makes -0.0 equal to 0.0, as numbers are."""
    parts = [spec.x.ravel(), spec.y.ravel(), *[w.ravel() for w in spec.weights]]
    parts += [b.ravel() for b in spec.biases or []]
    return (np.concatenate(parts).round(6) + 0.0).tobytes()


def make_exercise(cfg: ExamConfig, student_id: str, avoid: set | frozenset = frozenset()) -> Exercise:
    """The student's network: the first draw from their generator that passes every filter
    and whose fingerprint is not in `avoid`."""
    seed = student_seed(cfg.seed, student_id)
    rng = np.random.default_rng(seed)
    nt = cfg.make_notation()
    multi = multipath_possible(cfg.layers, cfg.activations)
    reasons: dict[str, int] = {}
    batch: list[tuple[int, Spec, Solution]] = []  # draws that pass the cheaper filters, not yet checked
    size = 2  # for the distractor filter: 2 draws, then 4, ... (the first that passes is the same)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        spec = draw_spec(rng, cfg, student_id)
        sol = solve(spec)
        why = _saturation(cfg, sol)  # cheap: before listing the paths
        if why:
            reasons[why] = reasons.get(why, 0) + 1
            continue
        why = rejection(cfg, spec, sol, nt, multi)
        if why is None and fingerprint(spec) in avoid:
            why = "same network as another student"
        if why is None:
            batch.append((attempt, spec, sol))
            if len(batch) < size and attempt < MAX_ATTEMPTS:
                continue
            ex = _first_apart(cfg, batch, nt, student_id, seed, reasons)
            if ex is not None:
                return ex
            batch, size = [], min(2 * size, BATCH)
            continue
        reasons[why] = reasons.get(why, 0) + 1
    raise no_good(cfg, "network", student_id, reasons, "try other layers, activations or more decimals")


def ask(cfg: ExamConfig, spec: Spec, sol_json: dict[str, Any], nt) -> list[Question]:
    """The config's questions about a network (sol_json: its solution object), with each group's tolerance."""
    qs = build_questions(spec, sol_json, nt, cfg.questions, cfg.tolerance, cfg.convention)
    for q, group in zip(qs, _groups(qs)):
        if "tolerance" in cfg.questions[group]:
            q.tolerance = dict(cfg.questions[group]["tolerance"])
    return qs


def _groups(qs: list[Question]) -> list[int]:
    """The 0-based config group of each question (from its id, e.g. '3b' -> 2)."""
    return [int(q.id[:-1]) - 1 for q in qs]


def make_exercises(cfg: ExamConfig, student_ids: list[str], progress=None) -> list[Exercise]:
    """Every student's exercise, pairwise different. A clash (vanishingly rare) is resolved by
    letting the student with the larger student seed redraw, so that adding a student never
    changes an exercise unless it clashes with the new one's: `distinct(cfg, student_ids,
    make_exercise, fingerprint)`, found for many students at once (exgen.exam.search, which
    `exgen generate` streams from)."""
    from exgen.exam.search import exercises
    done = {ex.student_id: ex for ex in exercises(cfg, student_ids, progress)}
    return [done[s] for s in student_ids]


def distinct(cfg: ExamConfig, student_ids: list[str], make_one: Callable[[ExamConfig, str, set], Any],
             key: Callable[[Any], Any], progress=None) -> list:
    """make_one(cfg, student, avoid) for every student, in the order of the student seeds, each
    avoiding the key() of the specs drawn before it; returned in the order of `student_ids`.
    Networks and graphs (exgen.graph.draw) alike."""
    seen: set = set()
    done: dict[str, Any] = {}
    for sid in sorted(student_ids, key=lambda s: student_seed(cfg.seed, s)):
        ex = make_one(cfg, sid, seen)
        seen.add(key(ex.spec))
        done[sid] = ex
        if progress:
            progress()
    return [done[s] for s in student_ids]


def no_good(cfg: ExamConfig, what: str, student_id: str, reasons: dict[str, int], advice: str) -> ConfigError:
    """The error when MAX_ATTEMPTS draws of a student's `what` all failed a filter."""
    common = max(reasons, key=lambda why: reasons[why])
    return ConfigError(f"{cfg.source}: no good {what} for student {student_id!r} in {MAX_ATTEMPTS} draws "
                       f"(most often: {common}); {advice}")
