"""Judging answers: tolerance, rounding-aware acceptance, error carried forward, diagnosis.

An answer is
  correct  within the key's tolerance of the exact value, or of the value a student gets by
           carrying 3 or 4 decimals through the hand computation (by a version-1 or legacy
           policy also that value, or the exact one, rounded or truncated to 3 or 4 decimals as
           written), every window cut short of the distractors (grading.distract);
  carried  not correct, but correct given the student's own earlier answers (the questions in
           `depends_on`), at least one of which was not correct: partial credit;
  wrong    a number that is neither; `diagnosis` names the slip that explains it, if one does;
  invalid  not a number; missing: empty.
Everything is vectorised: a (students x questions) matrix per group of keys, no loop over
students. Where students share keys, each distinct (key, question, answer) is judged once
(`_distinct`); the engine reruns for error carried forward only for the students with a number
that is not correct and a dependency that is not correct; the rounding-aware windows are made
only for the answers within reach of a centre (`_reach`), and the diagnosis's only for the slip
values near enough to match (`_near`).
"""
from __future__ import annotations

from collections.abc import Mapping

from dataclasses import dataclass

import numpy as np

from exgen.grading.carry import carry_forward
from exgen.grading.cells import first_seen
from exgen.acceptance import TOO_FEW
from exgen.grading.keys import Group, Prepared
from exgen.grading.numbers import OK, decimals_at_most, parse_answer
from exgen.grading.windows import accept, as_written, half_unit
from exgen.grading.slips import DIAGNOSES
from exgen.grading.sliptable import SLIP_BASE, SLIP_SLOPE, slip_reach  # noqa: F401 (slip_reach re-exported)

CORRECT, CARRIED, WRONG, INVALID_V, MISSING_V = range(5)
VERDICTS = ("correct", "carried", "wrong", "invalid", "missing")


@dataclass
class Verdict:
    question_id: str
    answer: str | None  # raw text as submitted (None if absent)
    value: float | None  # parsed number, None if missing/invalid
    verdict: str  # "correct" | "carried" | "wrong" | "invalid" | "missing"
    score: float
    points: float
    expected: float  # exact answer from the key
    carried_expected: float | None  # answer given the student's own earlier values, if ECF applied
    diagnosis: str | None  # short code, e.g. "sign_flip"
    explanation: str | None  # one sentence for the diagnosis


def diag_match(a: np.ndarray, cand: np.ndarray, thr: np.ndarray) -> np.ndarray:
    """A wrong answer matches a slip value: within its window thr (Group.slip_windows: the
    tolerance or the hand-rounding distance slip_reach, cut where the slip says so)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return (np.abs(a - cand) <= thr) & ~np.isnan(cand)


@dataclass
class Judged:
    verdict: np.ndarray  # (S, Q) int codes into VERDICTS
    score: np.ndarray
    points: np.ndarray
    expected: np.ndarray
    carried: np.ndarray  # NaN where ECF was not applied
    diagnosis: np.ndarray  # (S, Q) int: index into codes, -1 for none
    codes: list[str]  # diagnosis codes
    carried_credit: float = 0.5  # the fraction of the points a CARRIED answer got
    fewer_credit: float = 1.0  # ... and a CORRECT one diagnosed too_few_decimals

    def diagnosis_at(self, s: int, q: int) -> str | None:
        d = self.diagnosis[s, q]
        return self.codes[d] if d >= 0 else None


REPEATS = 4  # judge each distinct (key, question, value) once when cells repeat this much on average


def _distinct(kq: np.ndarray, a: np.ndarray, pairs: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(first, inverse) of the (kq, a) pairs (n,): positions of one of each distinct pair (its
    first) and each pair's number among them (kq[first][inverse] == kq, the same for a), by a's
    bits, numbered in order of first appearance (pandas' hash table: no sort); None when the
    pairs seldom repeat (fewer than REPEATS per possible kq on average: `pairs` of them)."""
    n = len(kq)
    if n < REPEATS * pairs or not n:
        return None
    import pandas as pd  # (a large class only: not imported for one student's answers)
    rank, values = pd.factorize(np.ascontiguousarray(a, dtype=np.float64).view(np.int64))  # (n,) each value's number
    inverse, _ = pd.factorize(kq.astype(np.int64) * len(values) + rank)  # (n,) one number per (kq, value)
    return first_seen(inverse), inverse


def _fewer(g: Group, kidx: np.ndarray, vals: np.ndarray, ok: np.ndarray, dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The policy's rule for fewer decimals than asked (exgen.acceptance): (few, as_written), (S, Q):
    the answer has fewer decimals than asked (and is not the right value at the asked decimals:
    `dist` = |answer - exact|), and it is the right value (exact or a hand rounding) rounded to the
    decimals it has, within the window's cut short of the distractors. By a strict (version-2)
    policy only rounded: a value chopped to fewer decimals (0.5 for 0.5644) is not the right value
    rounded too coarsely."""
    D = g.policy.decimals
    assert D is not None
    few = np.zeros(vals.shape, dtype=bool)
    written = np.zeros_like(few)
    with np.errstate(invalid="ignore", over="ignore"):
        at = np.flatnonzero(ok & (dist > half_unit(D)))  # not the right value at the asked decimals
    at = at[decimals_at_most(vals.flat[at], D - 1)]  # ... with fewer decimals
    few.flat[at] = True
    if at.size:
        Q = vals.shape[1]
        k, qi, a = kidx[at // Q], at % Q, vals.flat[at]
        targets = [(g.expected[k, qi], g.gaps[0][k, qi])]
        targets += [(g.rounded[d][k, qi], c[k, qi]) for d, c in zip(g.policy.roundings, g.gaps[1:])]
        m = np.zeros(at.size, dtype=bool)
        for d in range(1, D):
            for t, c in targets:
                m |= as_written(a, t, d, c, chop=not g.policy.strict)
        written.flat[at] = m
    return few, written


def _diagnose(g: Group, k: np.ndarray, q: np.ndarray, a: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Slip codes (C,) and, for each wrong answer a at (key k, question q), (n,), the first slip
    whose value explains it (diag_match within the slip's window, Group.slip_windows), an index
    into the codes, -1 if none. Each distinct (key, question, answer) once where they repeat
    (students sharing a key); the windows only of the slip values near enough to match (_near)."""
    Q = len(g.qids)
    d = _distinct(k * Q + q, a, g.expected.shape[0] * Q)
    if d is not None:
        k, q, a = k[d[0]], q[d[0]], a[d[0]]
    codes, table = g.slip_values_at(k, q)  # (n, C)
    i, c = np.nonzero(_near(g, k, q, a, table))  # (m,) the pairs that may match, by answer, then slip
    thr, usable = g.slip_windows(k[i], q[i], c, table[i, c], table[i])
    m = diag_match(a[i], table[i, c], thr) & usable
    i, c = i[m], c[m]
    first = np.diff(i, prepend=-1) != 0  # the first slip that matches each answer
    hit = np.full(len(k), -1)
    hit[i[first]] = c[first]
    return codes, hit if d is None else hit[d[1]]


def _window_reach(tk: np.ndarray, tv: np.ndarray, a: np.ndarray, base_floor: float = 0.0,
                  slope_floor: float = 0.0) -> np.ndarray:
    """(n,) how far from the answers a (n,) a centre v may be for a window around it to hold them
    (the bound _near and _reach share). A window reaches at most base + slope x |v| from v
    (numbers.threshold: abs tv; rel tv x |v|; sig <= 5 x 10^-tv x |v|; and 1e-12 + 1e-9 |v|; each
    at least its floor, and a millionth more for rounding); as |v| <= |a| + |a - v|, a v it
    reaches has |a - v| <= (base + slope x |a|) / (1 - slope) (slope < 1/2, else any distance)."""
    with np.errstate(invalid="ignore", over="ignore"):
        base = np.maximum(np.where(tk == 0, tv, 0.0) + 1e-12, base_floor) * (1 + 1e-6)  # (n,)
        slope = np.maximum(np.where(tk == 1, tv, np.where(tk == 2, 5 * 10.0 ** -tv, 0.0)) + 1e-9, slope_floor) * (1 + 1e-6)
        return np.where(slope < 0.5, (base + slope * np.abs(a)) / (1 - slope) * (1 + 1e-9), np.inf)


def _near(g: Group, k: np.ndarray, q: np.ndarray, a: np.ndarray, table: np.ndarray) -> np.ndarray:
    """(n, C): where a slip value may match the answer: a superset of the matches, so that only
    these pairs need their windows: one bound per answer (_window_reach, its floors those of
    slip_reach: every window diag_match can give). An infinite value is within its own window
    (inf <= inf): kept."""
    reach = _window_reach(g.tkind[k, q], g.tval[k, q], a, SLIP_BASE, SLIP_SLOPE)  # (n,) tolerance or slip_reach
    with np.errstate(invalid="ignore", over="ignore"):
        dist = np.subtract(a[:, None], table)  # (n, C)
        near = np.abs(dist, out=dist) <= reach[:, None]
        return near | np.isinf(table)


def _correct_rest(g: Group, k: np.ndarray, q: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Rounding-aware acceptance (windows.accept) of the answers a at (key k, question q), (n,),
    each distinct (key, question, answer) once where they repeat; the windows (thresholds and
    cuts) made only for the answers within reach of a centre (_reach), the others are wrong."""
    Q, pol = len(g.qids), g.policy
    d = _distinct(k * Q + q, a, g.expected.shape[0] * Q)
    if d is not None:
        k, q, a = k[d[0]], q[d[0]], a[d[0]]
    E, rounded = g.expected[k, q], [g.rounded[r][k, q] for r in pol.roundings]  # (n,) each
    ok = np.zeros(len(a), dtype=bool)
    i = np.flatnonzero(_reach(g, k, q, a, [E, *rounded]))  # (m,) the answers a window may hold
    if i.size:
        k, q, a, E, rounded = k[i], q[i], a[i], E[i], [r[i] for r in rounded]
        gaps = None if pol.strict else [c[k, q] for c in g.gaps]  # (a strict policy's windows: the thresholds alone)
        ok[i] = accept(a, E, rounded, None, None, g.thresholds_at(k, q, rounded, gaps and gaps[1:]), gaps,
                       roundings=pol.roundings, strict=pol.strict)
    return ok if d is None else ok[d[1]]


def _reach(g: Group, k: np.ndarray, q: np.ndarray, a: np.ndarray, centres: list[np.ndarray]) -> np.ndarray:
    """(n,) whether an answer a is near enough one of the centres (exact, hand-rounded), (n,)
    each, for a window to hold it: a superset of windows.accept's. A tolerance window is within
    _window_reach of a; a cut only shrinks it. By a policy that is not strict the value as
    written too: a rounded or chopped to the
    coarsest hand rounding's decimals, less than one unit of them away (and a hair). An
    infinite centre is held (inf <= inf)."""
    reach = _window_reach(g.tkind[k, q], g.tval[k, q], a)  # (n,)
    with np.errstate(invalid="ignore", over="ignore"):
        if not g.policy.strict:  # as written: within a unit of the coarsest decimals (and a float's hair)
            unit = 10.0 ** -min(abs(d) for d in g.policy.roundings)
            reach = np.fmax(reach, unit * (1 + 1e-6) + 1e-12 + 1e-8 * np.abs(a))
        near = np.zeros(len(a), dtype=bool)
        for x in centres:
            near |= (np.abs(a - x) <= reach) | np.isinf(x)
    return near


_VERDICT_OF_STATUS = np.array([WRONG, MISSING_V, INVALID_V], dtype=np.int8)  # by numbers.OK, MISSING, INVALID


def judge_group(g: Group, kidx: np.ndarray, vals: np.ndarray, status: np.ndarray,
                carried_credit: float | None = None) -> Judged:
    """Judge the answers of S students (key kidx[s] of group g): vals/status are (S, Q).
    `carried_credit`: None for the keys' policy (0.5 for keys without one)."""
    S, Q = vals.shape
    pol = g.policy
    cc = pol.carried_credit if carried_credit is None else carried_credit
    E, P = g.expected[kidx], g.points[kidx]  # (S, Q)
    ok = status == OK
    with np.errstate(invalid="ignore", over="ignore"):
        dist = np.abs(vals - E)  # (S, Q)
        correct = dist <= g.threshold[kidx]  # the common case: near the exact value
    rest = np.flatnonzero(ok & ~correct)  # the others: rounding-aware, element by element
    if rest.size:
        correct.flat[rest] = _correct_rest(g, kidx[rest // Q], rest % Q, vals.flat[rest])
    few = None
    if pol.fewer_decimals == "as_written":
        few, written = _fewer(g, kidx, vals, ok, dist)
        if pol.strict:  # fewer decimals than asked (and not within the exact window): judged as the
            correct &= ~few  # number written by the fewer-decimals rule alone, not by the hand windows
            few &= written
            if pol.fewer_credit > 0:  # the right value rounded too coarsely; no credit: stays wrong
                correct |= few
        else:
            correct |= written
            few &= correct
    correct &= ok
    verdict = _VERDICT_OF_STATUS[status]  # (S, Q) WRONG where a number, until judged
    verdict[correct] = CORRECT
    carried = np.full((S, Q), np.nan)
    at = carry_forward(g, kidx, vals, ok, ok & ~correct, carried)  # (s, q) of the numbers not correct
    verdict[at] = CARRIED
    diagnosis = np.full((S, Q), -1, dtype=np.int8)
    si, qi = np.nonzero(verdict == WRONG)
    codes: list[str] = []
    if si.size:
        codes, diagnosis[si, qi] = _diagnose(g, kidx[si], qi, vals[si, qi])
    score = np.where(verdict == CORRECT, P, 0.0)  # (S, Q)
    score[at] = cc * P[at]
    if few is not None and few.any():
        few &= verdict != CARRIED
        codes = [*codes, TOO_FEW]
        diagnosis[few] = len(codes) - 1
        fc = few & (verdict == CORRECT)
        score[fc] = pol.fewer_credit * P[fc]
    return Judged(verdict, score, P, E, carried, diagnosis, codes, cc, pol.fewer_credit)


def parse_row(answers: list) -> tuple[np.ndarray, np.ndarray]:
    vals, status = np.full(len(answers), np.nan), np.zeros(len(answers), dtype=np.int8)
    for i, t in enumerate(answers):
        v, status[i] = parse_answer(t)
        if v is not None:
            vals[i] = v
    return vals, status


def grade_key(key: dict, answers: Mapping[str, str | None], *, carried_credit: float | None = None) -> list[Verdict]:
    """Judge one student's answers ({question id: text}) against their key, in key order, by the
    key's acceptance policy (`carried_credit`: None for the key's). Answers to question ids the
    key does not have are ignored."""
    prep = Prepared()
    prep.add([key])
    g = prep.groups[0]
    raw = [answers.get(q) for q in g.qids]
    raw = [None if t is None else str(t) for t in raw]
    vals, status = parse_row(raw)
    j = judge_group(g, np.array([0]), vals[None, :], status[None, :], carried_credit)
    if g.shape_cols:  # shape questions: their own small path
        from exgen.grading.shapes import judge as judge_shapes
        judge_shapes(g, np.array([0]), [[raw[q] for q in g.shape_cols]], j)
    return verdicts_of(g.qids, raw, vals, j, 0)


def verdicts_of(qids: list[str], raw: list, vals: np.ndarray, j: Judged, s: int) -> list[Verdict]:
    out = []
    for q, qid in enumerate(qids):
        d = j.diagnosis_at(s, q)
        c = j.carried[s, q]
        out.append(Verdict(qid, raw[q], None if np.isnan(vals[q]) else float(vals[q]),
                           VERDICTS[j.verdict[s, q]], float(j.score[s, q]), float(j.points[s, q]),
                           float(j.expected[s, q]), None if np.isnan(c) else float(c),
                           d, DIAGNOSES.get(d) if d else None))
    return out
