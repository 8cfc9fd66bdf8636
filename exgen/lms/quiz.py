"""A variants folder (`exgen generate --variants N`) as an LMS quiz: per variant, its questions
with the answers an LMS should accept and the distractors it should recognise.

Every number comes from grading: each numeric part's alternatives are the key's acceptance as
data (exgen.grading.export, the self-check page's too), listed as an LMS tries them
(exgen.lms.alternatives), so the LMS accepts what `exgen grade` and `exgen check` accept.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from exgen.errors import InputFileError
from exgen.lms.alternatives import Alternative, alternatives, candidates, judge_points


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
    """One variant: key `key` is entry k of the prepared group g (exgen.grading.keys.Group); each
    numeric part's alternatives from the key's acceptance as data (exgen.lms.alternatives)."""
    from exgen.grading.export import question_data
    Q = len(g.qids)
    codes, table, thr, usable = g.slips_at(np.full(Q, k), np.arange(Q))
    shaped = dict(zip(g.shape_cols, g.shape_answers[k])) if g.shape_cols else {}
    data = {q: question_data(g, k, q, codes, table, thr, usable) for q in range(Q) if q not in shaped}
    D = _decimals(key)
    judged = judge_points(g, k, {q: candidates(d, D) for q, d in data.items()})
    parts = []
    for q, qd in enumerate(key["questions"]):
        text, points = str(qd.get("text", qd["id"])), float(g.points[k, q])
        if q in shaped:  # a shape "4x3" (grading.shapes): accepted as text (exgen.lms.given)
            parts.append(Part(qd["id"], text, points, math.nan, [], shaped[q]))
            continue
        hand = {float(g.rounded[d][k, q]): d for d in g.policy.roundings}
        parts.append(Part(qd["id"], text, points, float(g.expected[k, q]),
                          alternatives(data[q], hand, judged.get(q, []))))
    return Variant(vid, key, parts, D)


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
