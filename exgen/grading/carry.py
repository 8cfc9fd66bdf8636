"""Error carried forward (exgen.grading.judge): a number that is not correct gets partial credit
when it is correct given the student's own values of the questions it depends on, at least one of
which was not correct. The engine reruns with those values (its `overrides` hook), once exactly and
once per hand rounding of the keys' policy, for the students who need it only, a block of rows at
a time, per run of questions with the same dependencies; the windows are the answer's (grading.
windows), cut short of the value before the step and, by a strict policy, of the slip values
(those computed only for the answers inside an uncut window: `_accepted`).

Students of one key who typed the same values for the dependencies get the same recomputed values:
where keys are shared the engine runs once per distinct (key, dependency values) row and its values
are broadcast back (`_distinct_rows`); where they seldom repeat (every student their own key), once
per student.
"""
from __future__ import annotations

import numpy as np

from exgen.core import stage
from exgen.grading.cells import first_seen
from exgen.grading.distract import gap, invisible
from exgen.grading.keys import Group
from exgen.grading.numbers import decimals_at_most
from exgen.grading.windows import accept, half_unit

ECF_ROWS = 2048  # students recomputed at a time: small temporaries, fewer page faults (~1.3x faster)
DEDUP_MAX = 0.9  # each distinct row once only when distinct rows are at most this share of them (0.9: best of 0.7-1)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # a 64-bit odd constant (the golden ratio's): mixes the row hash


def _dep_runs(deps: list[list[int]]):
    """(questions, dependencies) of each run of consecutive questions with the same depends_on."""
    q = 0
    while q < len(deps):
        n = 1
        while q + n < len(deps) and deps[q + n] == deps[q]:
            n += 1
        yield list(range(q, q + n)), deps[q]
        q += n


def _distinct_rows(k: np.ndarray, own: np.ndarray, keys: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(first, inverse) of the rows (key k (n,), values own (D, n), by their bits): positions of
    one of each distinct row and each row's number among them (k[first][inverse] == k, the same
    for own); None when rows seldom repeat (fewer than 2 students per key of the group, or more
    than DEDUP_MAX distinct rows per row) or two distinct rows share a hash."""
    n = k.size
    if n < 2 * keys or n < 2:
        return None
    bits = own.view(np.uint64)  # (D, n)
    h = k.astype(np.uint64)  # (n,) one hash per row; wraps around (unsigned)
    for col in bits:
        h ^= col
        h *= _MIX
        h ^= h >> np.uint64(29)
    import pandas as pd  # (a large class only)
    inverse, uniq = pd.factorize(h)  # (n,) each row's hash numbered in order of first appearance (no sort)
    if len(uniq) > DEDUP_MAX * n:
        return None
    first = first_seen(inverse)
    if not (np.array_equal(k[first][inverse], k) and np.array_equal(bits[:, first][:, inverse], bits)):
        return None  # two distinct rows with one hash: each row on its own
    return first, inverse


def _recompute(g: Group, k: np.ndarray, own: np.ndarray, D: list[int], qs: list[int]) -> dict[int, list[np.ndarray]]:
    """qq -> the values (exact, *roundings), (n,) each, of the questions qs recomputed with the
    values own (D, n) of the dependencies D (NaN: the key's) for the keys k (n,); a question whose
    ref the engine does not compute is left out."""
    upto = max(stage(g.refs[qq]) for qq in qs)
    got: dict[int, list | None] = {}  # qq -> per block of rows, the values of (exact, *roundings)
    for lo in range(0, k.size, ECF_ROWS):  # each row's values are computed on their own
        ov = {g.refs[d]: own[i, lo:lo + ECF_ROWS] for i, d in enumerate(D)}
        net = g.net.take(k[lo:lo + ECF_ROWS])
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
    return {qq: [np.concatenate(v) for v in zip(*blocks)] for qq, blocks in got.items() if blocks}


def carry_forward(g: Group, kidx: np.ndarray, vals: np.ndarray, ok: np.ndarray, off: np.ndarray,
                  carried: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (students, questions) whose number is carried: not correct (`off`, (S, Q); `ok`: a
    number), but correct given the student's own values `vals` of its dependencies, at least one
    of which was not correct; `carried` gets the recomputed (exact) value of each number that is
    not correct and has such a dependency. The engine runs only for the students with both, once
    per distinct (key, dependency values) where they repeat (_distinct_rows)."""
    out_s: list[np.ndarray] = []
    out_q: list[np.ndarray] = []
    for qs, D in _dep_runs(g.deps):
        if not D:
            continue
        idx = np.flatnonzero(off[:, D].any(axis=1) & off[:, qs].any(axis=1))  # (n,) students to recompute
        if not idx.size:
            continue
        cols = np.ix_(idx, D)
        own = np.ascontiguousarray(np.where(ok[cols], vals[cols], np.nan).T)  # (D, n) their values, NaN: the key's
        rows = _distinct_rows(kidx[idx], own, g.expected.shape[0])
        if rows is None:
            got, back = _recompute(g, kidx[idx], own, D, qs), None
        else:
            first, back = rows
            got = _recompute(g, kidx[idx[first]], own[:, first], D, qs)
        at, qat, cv = [], [], []  # every (student, question) that may be carried, and its values
        for qq, v in got.items():
            sel = off[idx, qq]  # only a number that is not correct can be carried
            pick = np.flatnonzero(sel) if back is None else back[sel]  # (m,) their rows in v
            at.append(idx[sel])
            qat.append(np.full(at[-1].size, qq))
            cv.append([x[pick] for x in v])
        if not at:
            continue
        s, q = np.concatenate(at), np.concatenate(qat)  # (m,)
        c = [np.concatenate(v) for v in zip(*cv)]  # (exact, *roundings), (m,) each
        carried[s, q] = c[0]
        m = _accepted(g, kidx[s], q, vals[s, q], c) & ~_too_few(g, vals[s, q], c[0])
        out_s.append(s[m])
        out_q.append(q[m])
    if not out_s:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_s), np.concatenate(out_q)


def _accepted(g: Group, k: np.ndarray, q: np.ndarray, a: np.ndarray, c: list[np.ndarray]) -> np.ndarray:
    """(m,) whether each answer a at (key k, question q) is within a carried window around the
    recomputed values c (exact, *roundings), each cut short of its distractors. A cut only
    shrinks a window: the windows uncut first, then the cuts (the distractors, per question)
    only for the few answers inside one of them."""
    pol = g.policy
    tk, tv = g.tkind[k, q], g.tval[k, q]  # (m,)
    m = accept(a, c[0], c[1:], tk, tv, roundings=pol.roundings, strict=pol.strict)  # a superset
    w = np.flatnonzero(m)
    if not w.size:
        return m
    cw = [x[w] for x in c]
    gaps = [np.empty(w.size) for _ in c]  # each centre's cut
    for qq in np.unique(q[w]).tolist():
        i = np.flatnonzero(q[w] == qq)
        dis = _carried_distractors(g, k[w[i]], qq, cw[0][i])  # (n, M)
        for out, x in zip(gaps, cw):
            out[i] = gap(x[i], dis)
    m[w] = accept(a[w], cw[0], cw[1:], tk[w], tv[w], gaps=gaps, roundings=pol.roundings, strict=pol.strict)
    return m


def _too_few(g: Group, a: np.ndarray, c: np.ndarray) -> np.ndarray:
    """(m,) answers a judged by the fewer-decimals rule alone, as judge_group judges them (a strict
    policy): fewer decimals than asked and not the carried value c at the decimals asked. They are
    never carried: the right value rounded too coarsely gets the policy's fewer-decimals credit
    (none by default), and the carried value so rounded no more."""
    pol, D = g.policy, g.policy.decimals
    if not (pol.strict and pol.fewer_decimals == "as_written" and D is not None):
        return np.zeros(a.shape, dtype=bool)
    with np.errstate(invalid="ignore", over="ignore"):
        return decimals_at_most(a, D - 1) & ~(np.abs(a - c) <= half_unit(D))


def _carried_distractors(g: Group, k: np.ndarray, q: int, c: np.ndarray) -> np.ndarray:
    """The distractors the carried window (centred at c, (n,)) stops short of, (n, M): the value
    before the step always; by a strict policy also the slip values, except one that is c itself
    (the student's own earlier slip carried through correctly: that is what ECF credits; w + eta*g
    is the right update for a student whose gradient had the wrong sign)."""
    before = g.before[k, q][:, None]
    if not g.policy.strict:
        return before
    rest = g.distract_at(k, q)[:, 1:]
    rest = np.where(invisible(rest, c[:, None], g.policy.decimals), np.nan, rest)
    return np.concatenate([before, rest], axis=1)
