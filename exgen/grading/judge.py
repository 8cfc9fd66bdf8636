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
Everything is vectorised: a (students x questions) matrix per group of keys.
"""
from __future__ import annotations

from collections.abc import Mapping

from dataclasses import dataclass

import numpy as np

from exgen.core import stage
from exgen.grading.distract import invisible
from exgen.acceptance import TOO_FEW
from exgen.grading.keys import Group, Prepared
from exgen.grading.numbers import INVALID, MISSING, OK, decimals_at_most, parse_answer
from exgen.grading.windows import accept, as_written, half_unit
from exgen.grading.slips import DIAGNOSES

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
    """A wrong answer matches a slip value: within tolerance (thr) or hand-rounding distance."""
    with np.errstate(invalid="ignore", over="ignore"):
        dist = np.abs(a - cand)
        return ((dist <= thr) | (dist <= slip_reach(cand))) & ~np.isnan(cand)


def slip_reach(cand: np.ndarray) -> np.ndarray:
    """The hand-rounding distance within which an answer matches a slip value, whatever the tolerance."""
    return 0.6e-4 + 0.002 * np.abs(cand)


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


ECF_ROWS = 2048  # students recomputed at a time: small temporaries, fewer page faults (~1.3x faster)


def _carry_forward(g: Group, kidx, vals, ok, correct, verdict, carried, TK, TV) -> None:
    """Error carried forward, in question order (dependencies come first): a number that is not
    correct is CARRIED where it is correct given the student's own values of its dependencies,
    at least one of which was not correct; `carried` gets that recomputed (exact) value."""
    Q, q = vals.shape[1], 0
    while q < Q:
        D = g.deps[q]
        n = 1
        while q + n < Q and g.deps[q + n] == D:
            n += 1
        qs = list(range(q, q + n))
        q += n
        if not D:
            continue
        dep_off = (ok[:, D] & (verdict[:, D] != CORRECT)).any(axis=1)
        idx = np.flatnonzero(dep_off & (ok[:, qs] & ~correct[:, qs]).any(axis=1))
        upto = max(stage(g.refs[qq]) for qq in qs)
        got: dict[int, list | None] = {}  # qq -> per block of rows, the values of (exact, *roundings)
        for lo in range(0, idx.size, ECF_ROWS):  # each student's values are computed on their own
            rows = idx[lo:lo + ECF_ROWS]
            ov = {g.refs[d]: np.where(ok[rows, d], vals[rows, d], np.nan) for d in D}
            net = g.net.take(kidx[rows])
            with np.errstate(all="ignore"):  # a student's own value may be outside a log's domain: NaN, never accepted
                calcs = [g.run(net, decimals=r, overrides=ov, upto=upto) for r in (None, *g.policy.roundings)]
            for qq in qs:
                blocks = got.setdefault(qq, [])
                if blocks is None:
                    continue
                try:
                    blocks.append([c.value(g.refs[qq]) for c in calcs])
                except KeyError:  # a ref we do not compute (whoever's values they are)
                    got[qq] = None
        for qq, blocks in got.items():
            if blocks is None:
                continue
            cv = [np.concatenate(v) for v in zip(*blocks)]
            sel = ok[idx, qq] & ~correct[idx, qq]  # only a number that is not correct can be carried
            at = idx[sel]
            carried[at, qq] = cv[0][sel]
            m = accept(vals[at, qq], cv[0][sel], [c[sel] for c in cv[1:]], TK[at, qq], TV[at, qq],
                        dis=_carried_distractors(g, kidx[at], qq, cv[0][sel]), roundings=g.policy.roundings,
                        strict=g.policy.strict)
            verdict[at[m], qq] = CARRIED


def _carried_distractors(g: Group, k: np.ndarray, q: int, c: np.ndarray) -> np.ndarray:
    """The distractors the carried window (centred at c, (n,)) stops short of, (n, M): the value
    before the step always; by a strict policy also the slip values, except one that is c itself
    (the student's own earlier slip carried through correctly: that is what ECF credits; w + eta*g
    is the right update for a student whose gradient had the wrong sign)."""
    before = g.before[k, q][:, None]
    if not g.policy.strict:
        return before
    rest = g.distract_at(k, np.full(len(k), q))[:, 1:]
    rest = np.where(invisible(rest, c[:, None], g.policy.decimals), np.nan, rest)
    return np.concatenate([before, rest], axis=1)


def _fewer(g: Group, kidx: np.ndarray, vals: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The policy's rule for fewer decimals than asked (exgen.acceptance): (few, as_written), (S, Q):
    the answer has fewer decimals than asked (and is not the right value at the asked decimals),
    and it is the right value (exact or a hand rounding) rounded to the decimals it has, within
    the window's cut short of the distractors. By a strict (version-2) policy only rounded: a value
    chopped to fewer decimals (0.5 for 0.5644) is not the right value rounded too coarsely."""
    D = g.policy.decimals
    assert D is not None
    E = g.expected[kidx]
    with np.errstate(invalid="ignore", over="ignore"):
        few = ok & decimals_at_most(vals, D - 1) & (np.abs(vals - E) > half_unit(D))
    written = np.zeros_like(few)
    at = np.flatnonzero(few)
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


def judge_group(g: Group, kidx: np.ndarray, vals: np.ndarray, status: np.ndarray,
                carried_credit: float | None = None) -> Judged:
    """Judge the answers of S students (key kidx[s] of group g): vals/status are (S, Q).
    `carried_credit`: None for the keys' policy (0.5 for keys without one)."""
    S, Q = vals.shape
    pol = g.policy
    cc = pol.carried_credit if carried_credit is None else carried_credit
    E, TK, TV, P = g.expected[kidx], g.tkind[kidx], g.tval[kidx], g.points[kidx]
    ok = status == OK
    with np.errstate(invalid="ignore", over="ignore"):
        dist = np.subtract(vals, E)
        correct = np.abs(dist, out=dist) <= g.threshold[kidx]  # the common case: near the exact value
    rest = np.flatnonzero(ok & ~correct)  # the others: rounding-aware, element by element
    if rest.size:
        k, qi = kidx[rest // Q], rest % Q
        correct.flat[rest] = accept(vals.flat[rest], E.flat[rest], [g.rounded[d][k, qi] for d in pol.roundings],
                                     None, None, g.thresholds_at(k, qi),
                                     [c[k, qi] for c in g.gaps], roundings=pol.roundings, strict=pol.strict)
    few = None
    if pol.fewer_decimals == "as_written":
        few, written = _fewer(g, kidx, vals, ok)
        if pol.strict:  # fewer decimals than asked (and not within the exact window): judged as the
            correct &= ~few  # number written by the fewer-decimals rule alone, not by the hand windows
            few &= written
            if pol.fewer_credit > 0:  # the right value rounded too coarsely; no credit: stays wrong
                correct |= few
        else:
            correct |= written
            few &= correct
    verdict = np.full((S, Q), WRONG, dtype=np.int8)
    verdict[correct] = CORRECT
    verdict[status == INVALID] = INVALID_V
    verdict[status == MISSING] = MISSING_V
    carried = np.full((S, Q), np.nan)
    _carry_forward(g, kidx, vals, ok, correct, verdict, carried, TK, TV)
    diagnosis = np.full((S, Q), -1, dtype=np.int8)
    wrong = verdict == WRONG
    codes: list[str] = []
    if wrong.any():
        si, qi = np.nonzero(wrong)
        codes, table, thr, usable = g.slips_at(kidx[si], qi)  # (n, C)
        m = diag_match(vals[si, qi][:, None], table, thr) & usable
        has = m.any(axis=1)
        diagnosis[si[has], qi[has]] = m.argmax(axis=1)[has]
    full = P
    if few is not None and few.any():
        few &= verdict != CARRIED
        codes = [*codes, TOO_FEW]
        diagnosis[few] = len(codes) - 1
        full = np.where(few, pol.fewer_credit * P, P)
    score = np.where(verdict == CORRECT, full, np.where(verdict == CARRIED, cc * P, 0.0))
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
