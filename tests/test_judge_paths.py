"""Judging's fast paths against the exact ones, on random and nasty answers: each distinct (key,
question, answer) judged once where students share keys (grading.judge._distinct), and error
carried forward recomputed once per distinct (key, dependency values) row (grading.carry.
_distinct_rows), give every cell's own verdict, score, carried value and diagnosis; a strict policy's carried windows cut at
the slips with a value at their question only (Group.distract_at for one question) are the
windows cut at every slip; the key index read in place holds np.load's arrays; the windows made
only for the answers within reach of a centre (judge._reach) and for the slip values near an
answer (judge._near) hold every answer the full windows hold."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from exgen.grading import carry, judge
from exgen.grading.distract import gap
from exgen.grading.judge import judge_group
from exgen.grading.indexfile import arrays
from exgen.grading.keyindex import INDEX, read_index
from exgen.grading.keys import Prepared
from exgen.grading.numbers import INVALID, MISSING, OK, threshold
from exgen.grading.windows import accept

from conftest import generated_exam  # noqa: E402
from grading_helpers import example_key  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def exam(tmp_path_factory) -> Path:
    return generated_exam(tmp_path_factory.mktemp("paths"), 5)  # keys of this release: a strict policy


def _keys(exam: Path, kind: str) -> list[dict]:
    if kind == "strict":
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((exam / "answer_keys").glob("*.json"))]
    if kind == "v1":  # version-1 policy: hand windows and the fewer-decimals rule as written
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests/keys_v1").glob("*.json"))]
    return [example_key("seed002-3-2-2", f"s{i}") for i in range(2)]  # no policy (an earlier release)


def _sheets(g, rng, S: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """kidx (S,), values and statuses (S, Q): the keys shared by S students, each answer one of a
    few (so that they repeat): exact, hand-rounded, chopped, too few decimals, a slip's value,
    sign flips, doubled, zero and minus zero, huge, missing, invalid; and for a third of the
    students an earlier answer off and the later ones carried through it by the engine."""
    K, Q = g.expected.shape
    kidx = rng.integers(0, K, S)
    E = g.expected[kidx]
    codes, cols = g.slip_columns()
    slip = np.stack(cols)[rng.integers(0, len(cols), (S, Q)), kidx[:, None], np.arange(Q)] if cols else E
    menu = [E, np.round(E, 3), np.round(E, 4), np.trunc(E * 1e4) / 1e4, np.round(E, 2), np.round(E, 1), slip,
            -E, 2 * E, np.zeros_like(E), np.full_like(E, -0.0), np.full_like(E, 1e300), E * (1 + 3e-3), E + 1e-4]
    pick = rng.integers(0, len(menu) + 2, (S, Q))
    vals = np.full((S, Q), np.nan)
    for i, m in enumerate(menu):
        vals[pick == i] = m[pick == i]
    status = np.where(pick == len(menu), MISSING, np.where(pick == len(menu) + 1, INVALID, OK)).astype(np.int8)
    firsts = [q for q in range(Q) if not g.deps[q] and any(q in d for d in g.deps)]
    rows = np.flatnonzero(rng.random(S) < 1 / 3)
    if firsts and rows.size:
        q0 = firsts[int(rng.integers(len(firsts)))]
        off = np.round(E[rows, q0] * 1.1 + 0.01, 4)
        got = g.run(g.net.take(kidx[rows]), overrides={g.refs[q0]: off}).values(g.refs)
        later = [q for q in range(Q) if g.deps[q]]
        vals[np.ix_(rows, later)] = np.round(got[:, later], 4)
        status[np.ix_(rows, later)] = OK
        vals[rows, q0], status[rows, q0] = off, OK
    vals[status != OK] = np.nan
    return kidx, vals, status


def _group(exam, kind):
    """The prepared group of the exam's keys of one kind."""
    prep = Prepared()
    prep.add(_keys(exam, kind))
    return prep.groups[0]


@pytest.mark.parametrize("kind", ["strict", "v1", "legacy"])
@pytest.mark.parametrize("seed", [0, 1])
def test_each_distinct_answer_once_judges_as_each_cell(exam, monkeypatch, kind, seed):
    g = _group(exam, kind)
    kidx, vals, status = _sheets(g, np.random.default_rng(seed), 300)
    out = []
    for repeats in (0, 10 ** 9):  # every cell through _distinct, then none
        monkeypatch.setattr(judge, "REPEATS", repeats)
        out.append(judge_group(g, kidx, vals, status))
    fast, exact = out
    assert fast.codes == exact.codes
    for f in ("verdict", "score", "points", "expected", "carried", "diagnosis"):
        assert np.array_equal(getattr(fast, f), getattr(exact, f), equal_nan=True), f
    counts = np.bincount(exact.verdict.ravel(), minlength=5)
    assert (counts > 0).all(), counts  # every verdict is exercised, carried too
    assert (exact.diagnosis >= 0).any()


@pytest.mark.parametrize("kind", ["strict", "v1", "legacy"])
def test_diagnosis_of_the_near_pairs_is_the_first_match_of_the_whole_table(exam, kind):
    g = _group(exam, kind)
    rng = np.random.default_rng(11)
    kidx, vals, status = _sheets(g, rng, 300)
    si, qi = np.nonzero(status == OK)
    k, a = kidx[si], vals[si, qi]
    a = np.where(rng.random(len(a)) < 0.3, a * (1 + rng.normal(0, 3e-3, len(a))), a)  # near a window's edge
    codes, table, thr, usable = g.slips_at(k, qi)  # every slip at every answer, the windows as a table
    m = judge.diag_match(a[:, None], table, thr) & usable
    want = np.where(m.any(axis=1), m.argmax(axis=1), -1)
    got_codes, got = judge._diagnose(g, k, qi, a)
    assert got_codes == codes and np.array_equal(got, want) and (want >= 0).sum() > 50


@pytest.mark.parametrize("tk", [0, 1, 2])
def test_near_pairs_hold_every_match_whatever_the_tolerance(exam, monkeypatch, tk):
    """_near (one bound per answer) against diag_match on every (answer, slip value) pair: the
    tolerances of one kind drawn over many scales, the values nasty (zero, minus zero, tiny,
    huge, infinite, NaN), the answers on and near their windows' edges."""
    g = _group(exam, "strict")
    rng = np.random.default_rng(20 + tk)
    K, Q = g.expected.shape
    tv = {0: 10.0 ** rng.uniform(-7, 0, (K, Q)), 1: 10.0 ** rng.uniform(-7, -0.2, (K, Q)),
          2: rng.integers(1, 9, (K, Q)).astype(float)}[tk]
    monkeypatch.setattr(g, "tkind", np.full((K, Q), tk))
    monkeypatch.setattr(g, "tval", tv)
    n, C = 4000, len(g.slip_codes())
    k, q = rng.integers(0, K, n), rng.integers(0, Q, n)
    table = 10.0 ** rng.uniform(-8, 6, (n, C)) * rng.choice([-1.0, 1.0], (n, C))
    table.flat[rng.integers(0, n * C, 400)] = rng.choice([0.0, -0.0, 1e-300, 1e300, np.inf, -np.inf, np.nan], 400)
    near_of = table[np.arange(n), rng.integers(0, C, n)]  # each answer near one of its values
    thr0, _ = g.slip_windows(k, q, np.zeros(n, dtype=int), near_of, table)
    with np.errstate(invalid="ignore"):  # (the infinite and NaN values' edges: not used)
        edge = np.maximum(thr0, judge.slip_reach(near_of)) * rng.choice([0.0, 0.5, 0.999999, 1.0, 1.000001, 3.0], n)
        a = np.where(np.isfinite(near_of), near_of + rng.choice([-1.0, 1.0], n) * edge, rng.normal(0, 1, n))
    thr, usable = g.slip_windows(k[:, None], q[:, None], np.arange(C)[None, :], table, table[:, None, :])
    match = judge.diag_match(a[:, None], table, thr) & usable
    near = judge._near(g, k, q, a, table)
    assert match.sum() > 100 and not (match & ~near).any()


@pytest.mark.parametrize("kind", ["strict", "v1", "legacy"])
@pytest.mark.parametrize("tk", [None, 0, 1, 2])
def test_answers_out_of_reach_are_those_no_window_holds(exam, kind, tk):
    """_correct_rest (the windows only of the answers within _reach of a centre) against
    windows.accept of every answer: on, just inside and just outside each window's edge, the
    centres as written with fewer decimals (rounded, chopped), nasty numbers; the keys'
    tolerances, or those of one kind drawn over many scales."""
    g = _group(exam, kind)
    rng = np.random.default_rng(30 + (tk or 0))
    K, Q = g.expected.shape
    if tk is not None:  # every threshold and cut made again from these tolerances
        g.tkind = np.full((K, Q), tk)
        g.tval = {0: 10.0 ** rng.uniform(-7, 0, (K, Q)), 1: 10.0 ** rng.uniform(-7, -0.2, (K, Q)),
                  2: rng.integers(1, 9, (K, Q)).astype(float)}[tk]
        g._thresholds()
    pol, n = g.policy, 20000
    k, q = rng.integers(0, K, n), rng.integers(0, Q, n)
    centres = np.stack([g.expected[k, q]] + [g.rounded[d][k, q] for d in pol.roundings])  # (1 + R, n)
    x = centres[rng.integers(0, len(centres), n), np.arange(n)]
    edge = np.fmax(threshold(x, g.tkind[k, q], g.tval[k, q]), 10.0 ** -rng.integers(1, 6, n))
    a = x + rng.choice([-1.0, 1.0], n) * edge * rng.choice([0.0, 0.5, 0.999999, 1.0, 1.000001, 1.5, 3.0, 30.0], n)
    d = rng.integers(1, 6, n)
    a = np.where(rng.random(n) < 0.2, np.round(x * 10.0 ** d) / 10.0 ** d, a)  # as written, rounded
    a = np.where(rng.random(n) < 0.1, np.trunc(x * 10.0 ** d) / 10.0 ** d, a)  # ... chopped
    a[rng.integers(0, n, 200)] = rng.choice([0.0, -0.0, 1e-300, 1e300, -1e300, 5e-5, -5e-5], 200)
    gaps = None if pol.strict else [c[k, q] for c in g.gaps]
    want = accept(a, centres[0], list(centres[1:]), None, None, g.thresholds_at(k, q), gaps,
                  roundings=pol.roundings, strict=pol.strict)
    got = judge._correct_rest(g, k, q, a)
    assert np.array_equal(got, want) and 100 < want.sum() < n - 100


def test_distinct_pairs_by_bits():
    rng = np.random.default_rng(3)
    a = rng.choice(np.array([0.0, -0.0, np.nan, np.inf, 1.5, 1e-300, -2.0]), 500)
    kq = rng.integers(0, 4, 500)
    first, inv = judge._distinct(kq, a, 1)
    assert np.array_equal(kq[first][inv], kq)
    assert np.array_equal(a[first][inv].view(np.int64), a.view(np.int64))  # -0.0 is not 0.0
    assert len(first) == len({(int(k), x.tobytes()) for k, x in zip(kq, a)})
    pairs = [(int(k), x.tobytes()) for k, x in zip(kq, a)]  # each pair's first position, by hand
    assert first.tolist() == sorted({p: i for i, p in reversed(list(enumerate(pairs)))}.values())
    assert judge._distinct(kq, a, 1000) is None  # pairs that seldom repeat: each cell on its own


def test_one_questions_distractors_cut_as_all_of_them(exam):
    keys = _keys(exam, "strict")
    prep = Prepared()
    prep.add(keys)
    indexed = read_index(exam / "answer_keys")
    assert indexed is not None
    rng = np.random.default_rng(5)
    for g in (prep.groups[0], indexed.prepared.groups[0]):  # the slip table computed, and the index's
        assert g.policy.strict
        K, Q = g.expected.shape
        k = rng.integers(0, K, 50)
        for q in range(Q):
            x = g.expected[k, q] + rng.normal(0, 0.05, 50)  # centres near the answer
            full, one = g.distract_at(k, np.full(50, q)), g.distract_at(k, q)
            assert one.shape[1] <= full.shape[1]
            assert np.array_equal(gap(x, full), gap(x, one))


def test_the_index_read_in_place_holds_np_loads_arrays(exam):
    got = arrays(exam / INDEX)
    with np.load(exam / INDEX, allow_pickle=False) as z:
        assert sorted(got) == sorted(z.files)
        for name in z.files:
            assert got[name].dtype == z[name].dtype and np.array_equal(got[name], z[name]), name
            assert not got[name].flags.writeable


def test_distinct_rows_by_bits(monkeypatch):
    rng = np.random.default_rng(4)
    menu = np.array([0.0, -0.0, np.nan, np.inf, 1.5, 1e-300, -2.0])
    k, own = rng.integers(0, 3, 600), np.ascontiguousarray(rng.choice(menu, (2, 600)))  # (n,), (D, n)
    first, inv = carry._distinct_rows(k, own, 3)
    assert np.array_equal(k[first][inv], k)
    assert np.array_equal(own[:, first][:, inv].view(np.int64), own.view(np.int64))  # -0.0 is not 0.0
    assert len(first) == len({(int(a), x.tobytes()) for a, x in zip(k, own.T)})
    assert carry._distinct_rows(k, own, 301) is None  # fewer than 2 students per key: each on their own
    assert carry._distinct_rows(np.arange(600), own, 3) is None  # every row distinct: no gain
    monkeypatch.setattr(carry, "_MIX", np.uint64(0))  # every row one hash: the check finds the collision
    assert carry._distinct_rows(k, own, 3) is None


@pytest.mark.parametrize("kind", ["strict", "v1", "legacy"])
@pytest.mark.parametrize("seed", [0, 1])
def test_carried_once_per_distinct_row_as_per_student(exam, monkeypatch, kind, seed):
    g = _group(exam, kind)
    kidx, vals, status = _sheets(g, np.random.default_rng(seed), 400)  # repeated answers, NaN where not a number
    rows = []
    spy = carry._recompute
    monkeypatch.setattr(carry, "_recompute", lambda g, k, *a: rows.append(k.size) or spy(g, k, *a))
    out = []
    for most in (1.0, 0.0):  # every run of questions once per distinct row, then once per student
        monkeypatch.setattr(carry, "DEDUP_MAX", most)
        rows.clear()
        out.append(judge_group(g, kidx, vals, status))
        out.append(sum(rows))
    fast, n_fast, exact, n_exact = out
    assert n_fast < n_exact  # rows did repeat, and were recomputed once
    assert fast.codes == exact.codes
    for f in ("verdict", "score", "points", "expected", "carried", "diagnosis"):
        a, b = getattr(fast, f), getattr(exact, f)
        assert a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8)), f  # to the bit
    assert (exact.verdict == judge.CARRIED).any() and (~np.isnan(exact.carried)).sum() > 50


@pytest.mark.parametrize("kind", ["strict", "v1", "legacy"])
def test_carried_windows_cut_only_where_an_uncut_one_holds_the_answer(exam, kind):
    """carry._accepted (the cuts computed only for answers inside an uncut window) against every
    answer's windows cut at its distractors (grading.distract.gap), on centres near the answers
    and answers at the windows' edges and at the distractors themselves."""
    from exgen.grading.windows import accept
    g = _group(exam, kind)
    rng = np.random.default_rng(7)
    K, Q = g.expected.shape
    n = 4000
    k, q = rng.integers(0, K, n), rng.integers(0, Q, n)
    E = g.expected[k, q]
    c0 = np.where(rng.random(n) < 0.2, g.before[k, q], E + rng.normal(0, 1e-3, n))  # some centred at a distractor
    c = [c0] + [np.round(c0, abs(d)) if d > 0 else np.trunc(c0 * 10.0 ** -d) / 10.0 ** -d for d in g.policy.roundings]
    scale = np.abs(c0) * 1e-3 + 1e-4
    a = np.where(rng.random(n) < 0.5, c[int(rng.integers(len(c)))] + rng.normal(0, 1, n) * scale,
                 np.round(c0, 3))  # at a window's edge, or the centre as written
    hit = rng.random(n) < 0.1
    a[hit] = g.before[k, q][hit]  # a distractor itself
    a = np.where(np.isnan(a), E, a)
    want = np.zeros(n, dtype=bool)
    for qq in range(Q):
        i = np.flatnonzero(q == qq)
        dis = carry._carried_distractors(g, k[i], qq, c0[i])
        want[i] = accept(a[i], c0[i], [x[i] for x in c[1:]], g.tkind[k[i], qq], g.tval[k[i], qq],
                         gaps=[gap(x[i], dis) for x in c], roundings=g.policy.roundings, strict=g.policy.strict)
    got = carry._accepted(g, k, q, a, c)
    assert np.array_equal(got, want)
    uncut = accept(a, c0, c[1:], g.tkind[k, q], g.tval[k, q], roundings=g.policy.roundings, strict=g.policy.strict)
    assert 50 < want.sum() and (uncut & ~want).sum() > 10  # some answers a cut keeps out
