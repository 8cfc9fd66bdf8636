"""Every student's network, found for many students at once: the same networks as drawing them
one by one (exgen.exam.draw.make_exercise), at a fraction of the time and memory.

`make_exercise` draws a student's candidates one at a time and runs the filters on each. Here the
candidates of a chunk of students are drawn from each student's own generator, in the same order
(so candidate k of a student is their draw k), and screened together: one engine run over all of
them gives the saturation test and, for the unsaturated ones, the too-close test
(`draw.too_close_draws`); the engine computes each network alone, whatever the others in the
batch, so each verdict is the one-by-one verdict. A student's network is their first candidate
that passes every filter: for the candidates that pass the screen, in order, the remaining
filters (`draw.rejection`: answers printing as zero, too few paths) run as in `make_exercise`,
and last the clash with an earlier student's network (in the order of the student seeds, as
`draw.distinct`). Anything unusual (a number that is not finite, a clash, no network in
MAX_ATTEMPTS draws) is left to `make_exercise` itself, which then does exactly what it always did.

Exercises are yielded one at a time in the order of the student seeds, so that a caller can write
each student's files and drop the exercise: memory stays that of one chunk.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from exgen.core.engine import Nets, run
from exgen.core.solution import to_dict
from exgen.core.solve import NonFiniteError, solve
from exgen.core.spec import Spec
from exgen.exam.config import ExamConfig, check_size
from exgen.exam.draw import (MAX_ATTEMPTS, Exercise, ask, check_architecture, draw_spec, fingerprint,
                             make_exercise, multipath_possible, rejection, saturation, student_seed,
                             too_close_draws)

CHUNK = 64  # students searched together (their exercises are held until the chunk is done)
FIRST_ROUND = 4  # candidates drawn per student in the first round; doubled each round, up to MAX_ROUND
MAX_ROUND = 64


@dataclass
class _Student:
    sid: str
    rng: np.random.Generator
    drawn: int = 0  # candidates drawn so far
    found: Exercise | None = None  # their first candidate that passes every filter but the clash
    give_up: bool = False  # left to make_exercise (a non-finite number, or no network in MAX_ATTEMPTS)


def exercises(cfg: ExamConfig, student_ids: list[str], progress=None) -> Iterator[Exercise]:
    """Every student's Exercise, as exgen.exam.draw.make_exercises makes them, one at a time in
    the order of the student seeds. `progress()` is called after each."""
    seen: set = set()
    for chunk in chunks(cfg, student_ids):
        for sid, ex in zip(chunk, found(cfg, chunk)):
            if ex is None or fingerprint(ex.spec) in seen:
                ex = make_exercise(cfg, sid, seen)  # the rare case, one by one
            seen.add(fingerprint(ex.spec))
            if progress:
                progress()
            yield ex


def chunks(cfg: ExamConfig, student_ids: list[str]) -> list[list[str]]:
    """The students in the order of their seeds, CHUNK at a time (the config checked first)."""
    check_architecture(cfg)
    check_size(cfg)  # also for a config made in code, not loaded
    order = sorted(student_ids, key=lambda s: student_seed(cfg.seed, s))
    return [order[i:i + CHUNK] for i in range(0, len(order), CHUNK)]


def found(cfg: ExamConfig, student_ids: list[str]) -> list[Exercise | None]:
    """Each student's exercise if their first candidate that passes every filter but the clash
    with an earlier student's network is found here; None: left to make_exercise. The caller
    takes it unless its fingerprint clashes (then make_exercise(cfg, sid, seen), as `exercises`)."""
    chunk = [_Student(s, np.random.default_rng(student_seed(cfg.seed, s))) for s in student_ids]
    _search(cfg, chunk)
    return [st.found for st in chunk]


def _search(cfg: ExamConfig, chunk: list[_Student]) -> None:
    """Each student's first candidate that passes every filter but the clash (st.found), in rounds
    of candidates drawn for the students still searching."""
    nt = cfg.make_notation()
    multi = multipath_possible(cfg.layers, cfg.activations)
    refs: list[str] | None = None
    size = FIRST_ROUND
    todo = chunk
    while todo:
        cands: list[tuple[_Student, int, Spec]] = []
        for st in todo:
            for _ in range(min(size, MAX_ATTEMPTS - st.drawn)):
                st.drawn += 1
                cands.append((st, st.drawn, draw_spec(st.rng, cfg, st.sid)))
        refs = refs or _refs(cfg, [c[2] for c in cands], nt)
        if refs is None:  # no candidate solves to finite numbers: left to make_exercise
            for st in todo:
                st.give_up = True
            return
        passed = _screen(cfg, [c[2] for c in cands], [c[1] for c in cands], refs)
        for (st, attempt, spec), ok in zip(cands, passed):
            if st.found is not None or st.give_up:
                continue
            if ok is None:  # not a finite number: make_exercise raises as solve() does
                st.give_up = True
            elif ok:  # the remaining filters, on its questions as the key will have them
                sol = solve(spec)
                sol_json = to_dict(sol, nt)
                qs = ask(cfg, spec, sol_json, nt)
                if rejection(cfg, spec, sol, nt, multi, qs) is None:
                    st.found = Exercise(spec, nt, sol, sol_json, qs, st.sid, student_seed(cfg.seed, st.sid), attempt)
        for st in todo:
            if st.found is None and st.drawn >= MAX_ATTEMPTS:
                st.give_up = True  # make_exercise names the most common reason
        todo = [st for st in todo if st.found is None and not st.give_up]
        size = min(2 * size, MAX_ROUND)


def _refs(cfg: ExamConfig, specs: list[Spec], nt) -> list[str] | None:
    """The refs of the questions asked: the same for every network of the config (the first one
    that solves to finite numbers)."""
    for spec in specs:
        try:
            sol = solve(spec)
        except NonFiniteError:
            continue
        return [q.ref for q in ask(cfg, spec, to_dict(sol, nt), nt)]
    return None


def _screen(cfg: ExamConfig, specs: list[Spec], attempts: list[int], refs: list[str]) -> list[bool | None]:
    """Per candidate: True if it passes the saturation and too-close filters, False if not, None
    if a number of its solution is not finite."""
    net = Nets.of(specs)
    with np.errstate(all="ignore"):
        res = run(net)
    finite = np.ones(len(specs), dtype=bool)
    for a in [*res.z, *res.h, *res.deltas, *res.gw, *res.gb, *res.uw, *(res.ub or []), *res.z_after,
              *res.h_after, res.loss, res.loss_after, res.g]:
        assert a is not None
        finite &= np.isfinite(a).reshape(len(specs), -1).all(axis=1)
    ok = finite.copy()
    for _, bad in saturation(cfg, res.z, res.h):
        ok &= ~bad
    idx = np.flatnonzero(ok)
    if len(idx):
        with np.errstate(all="ignore"):
            near = too_close_draws(cfg, net.take(idx), refs, [attempts[i] for i in idx], res.values(refs)[idx])
        ok[idx[near]] = False
    return [bool(o) if f else None for o, f in zip(ok, finite)]
