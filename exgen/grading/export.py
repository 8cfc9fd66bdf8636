"""The judge's acceptance of one answer key as plain data: what a program without exgen (the
self-check page's script, exgen.page) needs to give the verdicts `grade_key` gives, by comparing
numbers only.

For each question of the key (`acceptance_data`):
  windows   [[c, r, dec, nz], ...]: the answer a is correct if, for one window, |a - c| <= r, a
            is written with at most `dec` decimals (dec null: any) and, if nz (1), a != 0;
  fewer     null, or {dec, c, r, windows, credit, strict}: the precision rule for fewer decimals
            (an answer a written with at most `dec` decimals and |a - c| > r). Not strict (keys
            of acceptance version 1): also correct through `windows`, and any correct such answer
            is diagnosed `too_few_decimals`. Strict (version 2): judged by this rule alone: within
            one of `windows` it is diagnosed `too_few_decimals`, and correct for `credit` of the
            points if credit > 0, else wrong; outside them it is wrong (the slips may name it);
  slips     [[code, c, r], ...] in priority order: a wrong answer within r of c is diagnosed `code`;
  depends_on  the ids of the questions its value is computed from;
  shape     only at a shape question (answer "4x3", grading.shapes): [rows, cols] of the key's
            shape, judged exactly by grading.shapes' rule (`shape_rule()`: the accepted written
            forms; the transposed shape is diagnosed), not by windows (it has none).
"Written with at most d decimals" is `numbers.decimals_at_most`. Everything is read from the
key's prepared group (grading.keys.Group: its thresholds, hand-rounded values, cuts short of the
distractors, slip table) with the judge's own rules (grading.judge), so the data follow them.
Error carried forward needs the engine: it is not in the data (the page asks the student to fix
the earlier answer first).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from exgen.acceptance import TOO_FEW
from exgen.grading.windows import WRITTEN_NONZERO_BELOW, chopped, half_unit
from exgen.grading.keys import Group, Prepared

EXPORT_VERSION = 3  # 2: fewer.strict (acceptance version 2); 3: shape questions


Window = list  # [c, r, dec, nz]: compact, a page holds thousands


def _window(c: float, r: float, dec: int | None = None) -> list[Window]:
    if not (np.isfinite(c) and np.isfinite(r)):
        return []  # NaN never accepts (the judge's comparisons are False)
    return [[float(c), float(r), dec, int(dec is not None and dec < WRITTEN_NONZERO_BELOW)]]


def _written(t: float, d: int, gap: float, chop: bool = True) -> list[Window]:
    """windows.as_written(a, t, d, gap, chop) as windows: t rounded to d decimals, or t chopped, within gap of t."""
    if not np.isfinite(t) or np.isnan(gap):
        return []
    out = _window(t, min(half_unit(d), gap), d)
    ch = float(chopped(np.array(t), d))
    if chop and abs(ch - t) <= gap:
        out += _window(ch, 1e-12 + 1e-9 * abs(ch), d)
    return out


def _unique(windows: list[Window]) -> list[Window]:
    """The windows without repeats (a hand rounding often equals another, or the exact value)."""
    seen: set[tuple] = set()
    out = []
    for w in windows:
        k = tuple(w)
        if k not in seen:
            seen.add(k)
            out.append(w)
    return out


def question_data(g: Group, k: int, q: int, codes: list[str], table: np.ndarray, thr: np.ndarray,
                  usable: np.ndarray) -> dict[str, Any]:
    """Question q of key k of the prepared group g as data; codes/table/thr/usable: g.slips_at(k, :)."""
    pol = g.policy
    E = float(g.expected[k, q])
    gaps = [float(c[k, q]) for c in g.gaps]
    windows = _window(E, g.threshold[k, q])
    for d in pol.roundings:
        windows += _window(g.rounded[d][k, q], g.thr_rounded[d][k, q])
    seen: set[int] = set()
    for d, c in zip(pol.roundings, gaps[1:]) if not pol.strict else ():  # windows.accept's order
        windows += _written(float(g.rounded[d][k, q]), abs(d), c)
        if abs(d) not in seen:
            seen.add(abs(d))
            windows += _written(E, abs(d), gaps[0])
    fewer = None
    if pol.fewer_decimals == "as_written":  # judge._fewer
        D = pol.decimals
        assert D is not None
        targets = [(E, gaps[0])] + [(float(g.rounded[d][k, q]), c) for d, c in zip(pol.roundings, gaps[1:])]
        written = _unique([w for d in range(1, D) for t, c in targets for w in _written(t, d, c, not pol.strict)])
        fewer = {"dec": D - 1, "c": E, "r": half_unit(D), "credit": pol.fewer_credit, "strict": pol.strict,
                 "windows": written if pol.strict else [w for w in written if w not in windows]}
        # (not strict: those of `windows` accept anyway)
    slips = []
    for i, code in enumerate(codes):
        v = float(table[q, i])
        if usable[q, i] and np.isfinite(v):
            slips.append([code, v, float(thr[q, i])])
    return {"id": g.qids[q], "expected": E, "points": float(g.points[k, q]), "windows": _unique(windows),
            "fewer": fewer, "slips": slips, "depends_on": [g.qids[d] for d in g.deps[q]]}


def acceptance_data(key: dict[str, Any]) -> list[dict[str, Any]]:
    """Per question of `key` (in key order), its acceptance as data (see the module docstring)."""
    prep = Prepared()
    prep.add([key])
    g = prep.groups[0]
    Q = len(g.qids)
    codes, table, thr, usable = g.slips_at(np.zeros(Q, dtype=np.int64), np.arange(Q))
    out = [question_data(g, 0, q, codes, table, thr, usable) for q in range(Q)]
    for i, q in enumerate(g.shape_cols):
        out[q].update(shape=list(g.shape_answers[0][i]), windows=[], fewer=None, slips=[], expected=None)
    return out


def shape_rule() -> dict[str, Any]:
    """How a shape answer is read (grading.shapes.rule_data: the one definition)."""
    from exgen.grading.shapes import rule_data
    return rule_data()


FEWER_CODE = TOO_FEW  # the diagnosis of a correct answer with fewer decimals than asked
