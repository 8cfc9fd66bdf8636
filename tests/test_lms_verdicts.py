"""Moodle's and Canvas's verdict on every typed number is exgen's, for keys of acceptance version 1
and 2, with credit 0, 0.5 and 1 for fewer decimals and with a wide (relative) tolerance.

Reference: exgen's judge (grading.judge.judge_group, what `grade_key` and `exgen check` call),
each number typed in one part with every other part right. Moodle: the Cloze text as
lms_helpers' port of Moodle's importer reads it, and the first answer whose interval holds the
response (qtype_numerical). Canvas: each accepted text, typed, gets full credit from exgen.
Typed numbers: every number with 0 to 5 decimals near the answer, its sign flip, each slip value,
the hand-rounded values. A number on a window's very edge (within 1e-12) is float rounding's
call in both programs: left out."""
from __future__ import annotations

import copy
import dataclasses
import html
import json
import math
from pathlib import Path

import numpy as np
import pytest

from exam_helpers import answer_keys
from lms_helpers import extract_question, moodle_grade

from exgen import api
from exgen.exam.config import demo_path
from exgen.grading.export import question_data
from exgen.grading.judge import VERDICTS, grade_key, judge_group
from exgen.grading.keys import Prepared
from exgen.grading.numbers import OK
from exgen.grading.slips import DIAGNOSES
from exgen.lms import canvas, moodle
from exgen.lms.quiz import variant_of

ROOT = Path(__file__).resolve().parents[1]


def v1_keys():
    key = json.loads((ROOT / "tests/keys_v1/ada01.json").read_text(encoding="utf-8"))  # rel 1 % tolerance
    out = []
    for credit in (1.0, 0.5, 0.0):
        k = copy.deepcopy(key)
        k["acceptance"]["fewer_decimals_credit"] = credit
        out.append((f"v1 credit {credit}", k))
    legacy = copy.deepcopy(key)
    del legacy["acceptance"]  # a key of an earlier release
    return out + [("legacy", legacy)]


@pytest.fixture(scope="module")
def v2_keys(tmp_path_factory):
    out = []
    for credit, tol in [(0.0, None), (0.5, {"kind": "rel", "value": 0.01}), (1.0, {"kind": "abs", "value": 0.002})]:
        d = tmp_path_factory.mktemp("v2")
        cfg = dataclasses.replace(api.load_config(demo_path()), fewer_decimals_credit=credit)
        if tol:
            cfg = dataclasses.replace(cfg, tolerance=tol)
        api.generate_exam(cfg, d / "q", variants=1, pdf=False)
        key = next(iter(answer_keys(d / "q").values()))
        assert key["acceptance"]["version"] == 2
        out.append((f"v2 credit {credit} tolerance {tol}", key))
    return out


def typed_numbers(e: float, data: dict, D: int) -> list[float]:
    xs = {e, -e}
    centres = [e] + [c for c, *_ in data["windows"]] + [c for _, c, _ in data["slips"]]
    for c in centres:
        for d in range(0, D + 2):
            step = 10.0 ** -d
            k = round(c / step)
            xs.update(round((k + j) * step, d) for j in range(-12, 13))
    return sorted(x for x in xs if math.isfinite(x))


def on_edge(x: float, data: dict) -> bool:
    wins = data["windows"] + (data["fewer"]["windows"] if data["fewer"] else [])
    edges = [(c, r) for c, r, *_ in wins] + [(c, r) for _, c, r in data["slips"]]
    return any(abs(abs(x - c) - r) < 1e-12 for c, r in edges)


def check(key: dict) -> int:
    prep = Prepared()
    prep.add([key])
    g = prep.groups[0]
    v = variant_of("v001", key, g, 0)
    Q = len(g.qids)
    codes, table, thr, usable = g.slips_at(np.zeros(Q, dtype=np.int64), np.arange(Q))
    right = np.asarray(g.expected[0], dtype=float)
    checked = 0
    for q, part in enumerate(v.parts):
        _, subs = extract_question("<p>" + moodle.cloze_part(part, 1) + "</p>")
        data = question_data(g, 0, q, codes, table, thr, usable)
        xs = [x for x in typed_numbers(part.expected, data, v.decimals) if not on_edge(x, data)]
        vals = np.tile(right, (len(xs), 1))
        vals[:, q] = xs
        j = judge_group(g, np.zeros(len(xs), dtype=np.int64), vals, np.full(vals.shape, OK, dtype=np.int8))
        for i, x in enumerate(xs):
            want = j.score[i, q] / j.points[i, q]
            got = moodle_grade(subs[0], x)
            assert (got.fraction if got else 0.0) == pytest.approx(want), (part.qid, x, VERDICTS[j.verdict[i, q]], got)
            code = j.diagnosis_at(i, q)
            if VERDICTS[j.verdict[i, q]] == "wrong" and code:
                assert got is not None and html.unescape(got.feedback) == DIAGNOSES[code], (part.qid, x, code)
            checked += 1
        answers = {p.qid: f"{p.expected:.10f}" for p in v.parts}
        for t in canvas.accepted_texts(v, part):
            r = grade_key(key, {**answers, part.qid: t})[q]
            assert r.verdict == "correct" and r.score == r.points, (part.qid, t, r)
    return checked


@pytest.mark.parametrize("i", range(4))
def test_v1_and_legacy_keys(i):
    label, key = v1_keys()[i]
    assert check(key) > 1000, label


def test_v2_keys(v2_keys):
    for label, key in v2_keys:
        assert check(key) > 1000, label
