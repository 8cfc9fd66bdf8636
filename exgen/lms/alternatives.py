"""A question's answers as an LMS lists them: numbers with a tolerance and a credit, tried in order
(the first whose |response - value| <= tolerance counts: Moodle's NUMERICAL, Canvas's texts).

Built from the key's acceptance as data (exgen.grading.export.question_data: the one place that
turns a key's prepared group into windows, the fewer-decimals rule and the slip table), so that
an LMS accepts what `exgen grade` and `exgen check` accept, for keys of acceptance version 1 and 2:
  points       first, each number written with few decimals whose verdict the windows below
               would get wrong (a value as written, the right value rounded too coarsely, a
               number with fewer decimals than asked inside a window that the strict rule
               refuses): the window's numbers of that many decimals, each judged by the judge
               itself (exgen.grading.judge.judge_group), listed only where the verdict differs;
  windows      then each window that holds any number (the exact value's, each hand rounding's)
               at full credit;
  distractors  then each slip value in the diagnosis's priority order (credit 0, its diagnosis
               sentence as feedback, the diagnosis window grading uses).
A window with more than MAX_POINTS such numbers at one decimal count lists none of them (the
window decides there: only a wide tolerance with partial credit for fewer decimals gets near).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from exgen.acceptance import TOO_FEW
from exgen.grading.slips import DIAGNOSES

TOO_FEW_TEXT = DIAGNOSES[TOO_FEW]  # the feedback of the right value with fewer decimals: exgen's diagnosis
MAX_POINTS = 100  # numbers listed per window and decimal count (beyond: the window decides)


@dataclass(frozen=True)
class Alternative:
    value: float
    tolerance: float  # absolute: accepted where |answer - value| <= tolerance
    fraction: float  # 0..1 of the part's points
    feedback: str
    kind: str  # exact, hand (windows); written, fewer, wrong (points); distractor


def first(alts: list[Alternative], x: float) -> Alternative | None:
    """The alternative an LMS takes for the response x (the first whose window holds it)."""
    return next((a for a in alts if abs(x - a.value) <= a.tolerance), None)


def windows(data: dict[str, Any], hand: dict[float, int]) -> list[Alternative]:
    """The full-credit windows that hold more than one number written any way (grading.export
    windows without a decimals bound); `hand`: a hand-rounded value -> its decimals (-4: chopped)."""
    out = []
    for c, r, dec, _nz in data["windows"]:
        if dec is None and r >= 0:
            d = None if c == data["expected"] else hand.get(c)
            how = "" if d is None else f" (a hand computation with values {'chopped' if d < 0 else 'rounded'} to {abs(d)} decimals)"
            out.append(Alternative(c, r, 1.0, f"Correct{how}.", "hand" if how else "exact"))
    return out


def distractors(data: dict[str, Any]) -> list[Alternative]:
    """Each slip value at 0 %, its diagnosis as feedback (grading.export slips, priority order)."""
    out: list[Alternative] = []
    for code, c, r in data["slips"]:
        a = Alternative(c, r, 0.0, DIAGNOSES.get(code, code), "distractor")
        if a not in out:
            out.append(a)
    return out


def _grid(c: float, r: float, d: int) -> list[float]:
    """The numbers with at most d decimals within r of c (none if more than MAX_POINTS)."""
    k0, k1 = math.ceil((c - r) * 10 ** d - 1e-9), math.floor((c + r) * 10 ** d + 1e-9)
    return [k / 10 ** d for k in range(k0, k1 + 1)] if k1 - k0 < MAX_POINTS else []


def candidates(data: dict[str, Any], decimals: int) -> list[float]:
    """The numbers whose verdict a window alone may not give: every number of a window bounded
    in decimals (a value as written, the fewer-decimals rule's), and under a fewer-decimals rule
    the numbers with fewer decimals than asked inside the other windows."""
    few = data["fewer"]
    xs: set[float] = set()
    for c, r, dec, _nz in data["windows"] + (few["windows"] if few else []):
        if dec is not None:
            xs.update(_grid(c, r, dec))
        elif few is not None:
            for d in range(0, decimals):
                xs.update(_grid(c, r, d))
    return sorted(xs)


def points(judged: list[tuple[float, float, str | None]], rest: list[Alternative]) -> list[Alternative]:
    """The judged numbers (value, credit, diagnosis) whose verdict the alternatives `rest` would
    not give, as points (tolerance 0) to list before them."""
    out = []
    for x, credit, code in judged:
        text = DIAGNOSES.get(code, code) if code else ("Correct." if credit >= 1 else "")
        got = first(rest, x)
        if got is not None and got.fraction == credit and (credit >= 1 or got.feedback == text):
            continue
        if got is None and credit == 0 and not code:
            continue
        kind = "fewer" if code == TOO_FEW else "written" if credit >= 1 else "wrong"
        out.append(Alternative(x, 0.0, credit, text, kind))
    return out


def judge_points(g, k: int, cands: dict[int, list[float]]) -> dict[int, list[tuple[float, float, str | None]]]:
    """Each candidate number of question q (cands[q]) judged as key k's answer, every other
    question answered right (no error carried): (value, credit 0..1, diagnosis code)."""
    from exgen.grading.judge import CORRECT, judge_group
    from exgen.grading.numbers import MISSING, OK
    rows = [(q, x) for q, xs in cands.items() for x in xs]
    if not rows:
        return {}
    right = np.asarray(g.expected[k], dtype=float)
    vals = np.tile(right, (len(rows), 1))
    status = np.full(vals.shape, OK, dtype=np.int8)
    status[:, ~np.isfinite(right)] = MISSING  # shape questions: judged on their own path
    for i, (q, x) in enumerate(rows):
        vals[i, q], status[i, q] = x, OK
    j = judge_group(g, np.full(len(rows), k), vals, status)
    out: dict[int, list[tuple[float, float, str | None]]] = {q: [] for q in cands}
    for i, (q, x) in enumerate(rows):
        code = j.diagnosis_at(i, q)
        credit = (j.fewer_credit if code == TOO_FEW else 1.0) if j.verdict[i, q] == CORRECT else 0.0
        out[q].append((x, credit, code))
    return out


def alternatives(data: dict[str, Any], hand: dict[float, int],
                 judged: list[tuple[float, float, str | None]]) -> list[Alternative]:
    """A question's alternatives in the order an LMS tries them (module docstring)."""
    rest = windows(data, hand)
    if not rest:  # every window empty (cut to nothing): an LMS needs an answer at 100 %
        rest = [Alternative(float(data["expected"]), 0.0, 1.0, "Correct.", "exact")]
    rest += distractors(data)
    return points(judged, rest) + rest
