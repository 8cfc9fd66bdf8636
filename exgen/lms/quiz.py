"""A variants folder (`exgen generate --variants N`) as an LMS quiz: per variant, its questions
with the answers an LMS should accept and the distractors it should recognise.

Every number comes from grading's own arrays (exgen.grading.keys.Group: the exact value, the
hand-rounded values of the key's acceptance policy, their windows cut short of the distractors,
and the slip values with their diagnosis), so the LMS accepts what `exgen grade` accepts:
  exact        the key's answer, window = the key's tolerance cut short of the distractors
  hand         each hand-rounded value (policy hand_roundings), with its own window
  fewer        the exact value rounded to fewer decimals than asked (policy fewer_decimals:
               as_written), credit = fewer_decimals_credit, window ~0 (the number as written)
  distractor   each slip value (credit 0) with its diagnosis sentence as feedback, window =
               grading's diagnosis window (exgen.grading.judge.diag_match)
An LMS takes the first alternative whose window holds the answer, so they are listed in the order
credit first (a partial-credit "fewer" one before the exact window that holds it), then 0 %.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from exgen.acceptance import TOO_FEW
from exgen.errors import InputFileError
from exgen.grading.slips import DIAGNOSES

TOO_FEW_TEXT = DIAGNOSES[TOO_FEW]  # the feedback of the right value with fewer decimals: exgen's diagnosis

EPS = 1e-12


@dataclass(frozen=True)
class Alternative:
    value: float
    tolerance: float  # absolute: accepted where |answer - value| <= tolerance
    fraction: float  # 0..1 of the part's points
    feedback: str
    kind: str  # exact, hand, fewer, written, distractor


@dataclass
class Part:
    qid: str
    text: str  # "the activation h^(1)_1"
    points: float
    expected: float
    alternatives: list[Alternative]
    shape: tuple[int, int] | None = None  # a shape question's answer (rows, cols): judged as text


@dataclass
class Variant:
    id: str  # v001
    key: dict
    parts: list[Part]
    decimals: int  # the decimals asked for


@dataclass
class Quiz:
    exam: str
    folder: Path
    variants: list[Variant] = field(default_factory=list)
    fewer_credit: float = 1.0

    @property
    def title(self) -> str:
        return self.exam or "exgen quiz"


def tag(exam: str, variant: str) -> str:
    """The text that names a variant in an LMS question's name and text, found again in the
    LMS's response reports (TAG_RE): "exgen variant v001 (Exam name)". No brackets: Canvas
    reads "[x]" in a question as a blank."""
    return f"exgen variant {variant}" + (f" ({exam})" if exam else "")


TAG_RE = re.compile(r"exgen variant (v\d{3,})\b")


def load_quiz(folder: str | Path) -> Quiz:
    """The variants of an exam folder written by `exgen generate --variants N`."""
    from exgen.grading.keys import Prepared, load_keys
    d = Path(folder)
    info_path = d / "exam.json"
    if not info_path.is_file():
        raise InputFileError(f"{d}: not an exam folder exgen wrote (no exam.json); "
                             "make one with `exgen generate CONFIG --variants N --out DIR`")
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as e:
        raise InputFileError(f"{info_path}: not readable ({e.__class__.__name__})") from None
    if not isinstance(info, dict) or info.get("variants") is not True:
        raise InputFileError(f"{d}: holds one exam per student, not variants; an LMS quiz hands out "
                             "variants: `exgen generate CONFIG --variants N --out DIR`")
    keys = load_keys(d / "answer_keys")  # every key validated (errors name its file)
    prep = Prepared()
    prep.add(list(keys.values()), [keys.sources[s] for s in keys])
    quiz = Quiz(str(info.get("exam", "")), d)
    for sid in sorted(keys):
        key = keys[sid]
        gi, k = prep.key_pos[id(key)]
        quiz.variants.append(variant_of(sid, key, prep.groups[gi], k))
    if quiz.variants:
        quiz.fewer_credit = _fewer_credit(quiz.variants[0].key)
    return quiz


def _fewer_credit(key: dict) -> float:
    a = key.get("acceptance")
    return float(a["fewer_decimals_credit"]) if a else 1.0


def _decimals(key: dict) -> int:
    a = key.get("acceptance")
    return int(a["decimals"]) if a else 4


def variant_of(vid: str, key: dict, g, k: int) -> Variant:
    """One variant: key `key` is entry k of the prepared group g (exgen.grading.keys.Group)."""
    from exgen.grading.export import question_data
    D = _decimals(key)
    fewer = _fewer_credit(key) if g.policy.fewer_decimals == "as_written" else None
    Q = len(g.qids)
    codes, table, thr, usable = g.slips_at(np.full(Q, k), np.arange(Q))
    parts = []
    shaped = dict(zip(g.shape_cols, g.shape_answers[k])) if g.shape_cols else {}
    for q, qd in enumerate(key["questions"]):
        if q in shaped:  # a shape "4x3" (grading.shapes): accepted as text (exgen.lms.given)
            parts.append(Part(qd["id"], str(qd.get("text", qd["id"])), float(g.points[k, q]), math.nan, [], shaped[q]))
            continue
        e = float(g.expected[k, q])
        alts: list[Alternative] = []
        half = 0.5 * 10.0 ** -D
        if fewer is not None and g.policy.strict:  # the rule's own windows (grading.export), as points
            f = question_data(g, k, q, codes, table, thr, usable)["fewer"]
            for c, r, d, _nz in f["windows"]:
                v = round(c, d)
                if abs(v - c) <= r and abs(v - f["c"]) > f["r"] and all(abs(v - a.value) > EPS for a in alts):
                    alts.append(Alternative(v, 0.0, fewer, TOO_FEW_TEXT, "fewer"))
        elif fewer is not None:
            for d in range(D - 1, 0, -1):
                v = round(e, d)
                if abs(v - e) > half * (1 + 1e-6) + EPS and abs(v - e) <= g.gaps[0][k, q] and (v != 0 or d >= 4):
                    if all(abs(v - a.value) > EPS for a in alts):
                        alts.append(Alternative(v, 0.0, fewer, TOO_FEW_TEXT, "fewer"))
            alts.sort(key=lambda a: -a.fraction)
            if fewer >= 1:  # full credit: no need to come before the exact window
                alts = [a for a in alts if abs(a.value - e) > float(g.threshold[k, q])]
        head = [Alternative(e, max(float(g.threshold[k, q]), 0.0), 1.0, "Correct.", "exact")]
        for d in g.policy.roundings:
            r = float(g.rounded[d][k, q])
            t = float(g.thr_rounded[d][k, q])
            if t >= 0 and abs(r - e) > EPS and math.isfinite(r):
                how = f"chopped to {abs(d)}" if d < 0 else f"rounded to {d}"
                head.append(Alternative(r, t, 1.0, f"Correct (a hand computation with values {how} decimals).",
                                        "hand"))
        for d in sorted({abs(d) for d in g.policy.roundings}) if not g.policy.strict else ():  # judge._as_written
            for t0, cut in [(e, g.gaps[0][k, q])] + [(float(g.rounded[r][k, q]), c[k, q])
                                                     for r, c in zip(g.policy.roundings, g.gaps[1:])]:
                for v in (round(t0, d), math.trunc(t0 * 10 ** d + math.copysign(1e-9, t0)) / 10 ** d):
                    if abs(v - t0) <= cut and (v != 0 or d >= 4) and not any(
                            abs(v - a.value) <= a.tolerance for a in head):
                        cr = 1.0 if fewer is None or d >= D or abs(v - e) <= half * (1 + 1e-6) + EPS else fewer
                        head.append(Alternative(v, 0.0, cr, "Correct (as written)." if cr >= 1 else
                                                f"Right, with {d} decimals: give {D} decimals.", "written"))
        if fewer is not None and fewer < 1:
            alts = alts + _fewer_points(head, e, D, fewer) + head
        else:
            alts = head + alts
        alts = _merged(alts)
        seen: set[float] = set()
        for c, code in enumerate(codes):
            v = float(table[q, c])
            if not usable[q, c] or not math.isfinite(v) or round(v, 12) in seen:
                continue
            seen.add(round(v, 12))
            tol = max(float(thr[q, c]) if math.isfinite(thr[q, c]) else 0.0, 0.6e-4 + 0.002 * abs(v))
            alts.append(Alternative(v, tol, 0.0, DIAGNOSES.get(code, code), "distractor"))
        parts.append(Part(qd["id"], str(qd.get("text", qd["id"])), float(g.points[k, q]), e, alts))
    return Variant(vid, key, parts, D)


MAX_POINTS = 50  # values with fewer decimals listed per window and decimal count (beyond: the window decides)


def _fewer_points(head: list[Alternative], e: float, D: int, credit: float) -> list[Alternative]:
    """Inside a full-credit window, each value written with fewer than D decimals (and not the
    exact value at D decimals) gets `credit` (grading.judge._fewer: correct, diagnosed
    too_few_decimals): listed first, each as a point, so that the LMS finds it before the window."""
    out = []
    half = 0.5 * 10.0 ** -D * (1 + 1e-6) + EPS
    for a in head:
        lo, hi = a.value - a.tolerance, a.value + a.tolerance
        for d in range(1, D):
            k0, k1 = math.ceil(lo * 10 ** d - 1e-9), math.floor(hi * 10 ** d + 1e-9)
            if k1 - k0 >= MAX_POINTS:
                continue
            for k in range(k0, k1 + 1):
                x = k / 10 ** d
                if lo <= x <= hi and abs(x - e) > half:
                    out.append(Alternative(x, 0.0, credit, TOO_FEW_TEXT, "fewer"))
    return out


def _merged(alts: list[Alternative]) -> list[Alternative]:
    """One alternative per (value, credit): the first, with the widest window of its kind."""
    out: list[Alternative] = []
    for a in alts:
        same = next((i for i, b in enumerate(out) if abs(b.value - a.value) <= EPS and b.fraction == a.fraction), None)
        if same is None:
            out.append(a)
        elif a.tolerance > out[same].tolerance:
            out[same] = Alternative(a.value, a.tolerance, a.fraction, out[same].feedback, out[same].kind)
    return out


def number(v: float) -> str:
    """A number as an LMS reads it: plain decimal digits (no exponent for |v| >= 1e-6), '.'"""
    if v == 0:
        return "0"
    s = f"{v:.12g}"
    if "e" in s:
        s = f"{v:.15f}".rstrip("0").rstrip(".")
    return s


def network_rows(key: dict) -> list[tuple[str, str]]:
    """(name, value) of everything the student is given: inputs, targets, parameters, eta, in the
    key's notation (the values as the sheet shows them: the spec holds them rounded)."""
    from exgen.grading.feedback import Worked
    from exgen.student.explain import p, param_names
    w = Worked(key)
    spec, nt = w.spec, w.nt
    rows: list[tuple[str, str]] = []
    n = spec.x.shape[0]
    for b in range(n):  # a mini-batch: each sample's, named "sample b: x_1"
        at = f"sample {b + 1}: " if n > 1 else ""
        rows += [(at + p(nt.h(0, i)), number(float(v))) for i, v in enumerate(spec.x[b])]
        rows += [(at + f"y_{i + 1}", number(float(v))) for i, v in enumerate(spec.y[b])]
    for name, (kind, idx) in param_names(w.sol, nt).items():
        if kind == "weights":
            v = spec.weights[idx[0]][idx[1], idx[2]]
        else:
            assert spec.biases is not None
            v = spec.biases[idx[0]][idx[1]]
        rows.append((name, number(float(v))))
    rows.append(("η (learning rate)", number(float(spec.learning_rate))))
    rows.append(("activations", ", ".join(spec.activations)))
    rows.append(("loss", spec.loss))
    return rows


def worked_steps(key: dict) -> list[tuple[str, list[str]]]:
    """(question id, the worked step's lines) of every question: exgen.grading.feedback.Worked."""
    from exgen.grading.feedback import Worked
    w = Worked(key)
    return [(q["id"], w.step(q)) for q in key["questions"]]
