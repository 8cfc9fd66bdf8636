"""The written precision rule (exgen.acceptance): recorded in the key, read by grade and check."""
import copy
import json
from pathlib import Path

import numpy as np

from exgen.acceptance import TOO_FEW
from exgen.grading import grade_key
from exgen.grading.windows import as_written as _as_written
from exgen.student.selfcheck import check_rows

ROOT = Path(__file__).resolve().parent.parent


def _key() -> dict:
    return json.loads((ROOT / "tests/keys_v1/ada01.json").read_text(encoding="utf-8"))


def test_the_issue_examples_are_the_right_value_rounded_to_the_decimals_written():
    # as written: half a unit of the answer's last decimal, whatever the size of the value
    for a, v, d in ((0.81, 0.806, 2), (0.19, 0.194, 2), (-0.007, -0.00741, 3)):
        assert _as_written(np.array([a]), np.array([v]), d)[0], (a, v)
    assert not _as_written(np.array([0.19]), np.array([0.1849]), 2)[0]


def _one(key, qid, text):
    return next(v for v in grade_key(key, {qid: text}) if v.question_id == qid)


def test_fewer_decimals_judged_as_written_and_equally_far_answers_agree():
    key = _key()
    seen = 0
    for q in key["questions"]:
        v = q["answer"]
        for d in (2, 3):
            a = round(v, d)
            if a == 0 or abs(a - round(v, 4)) < 0.5e-4:
                continue
            got = _one(key, q["id"], repr(a))
            if got.diagnosis == "update_not_applied":  # the window stops short of a distractor
                continue
            # the right value rounded too coarsely: accepted (full credit by default), diagnosed
            assert (got.verdict, got.diagnosis, got.score) == ("correct", TOO_FEW, got.points), (q["id"], a, v)
            seen += 1
            # the same distance on the other side is not the value rounded: judged by the window only
            b = round(2 * v - a, 6)
            other = _one(key, q["id"], repr(b))
            assert other.diagnosis != TOO_FEW
    assert seen >= 10


def test_partial_credit_from_the_key_alone():
    key = _key()
    key["acceptance"]["fewer_decimals_credit"] = 0.25
    q = next(q for q in key["questions"] if abs(round(q["answer"], 2) - round(q["answer"], 4)) >= 0.5e-4
             and round(q["answer"], 2) != 0)
    got = _one(key, q["id"], repr(round(q["answer"], 2)))
    assert got.diagnosis == TOO_FEW and got.score == 0.25 * got.points
    full = _one(key, q["id"], f"{q['answer']:.4f}")
    assert full.diagnosis is None and full.score == full.points


def test_a_key_without_the_field_grades_as_before():
    key = _key()
    old = copy.deepcopy(key)
    del old["acceptance"]
    q = next(q for q in key["questions"] if abs(round(q["answer"], 2) - round(q["answer"], 4)) >= 0.5e-4
             and abs(round(q["answer"], 2) - q["answer"]) > 0.01 * abs(q["answer"]))
    a = repr(round(q["answer"], 2))  # outside the 1% window, the right value rounded to 2 decimals
    assert _one(old, q["id"], a).verdict == "wrong"  # as in earlier releases
    assert _one(key, q["id"], a).verdict == "correct"
    # everything else the same: exact, 4 decimals, 3 decimals, a slip
    for q in key["questions"]:
        for t in (repr(q["answer"]), f"{q['answer']:.4f}", f"{-q['answer']:.4f}"):
            x, y = _one(old, q["id"], t), _one(key, q["id"], t)
            assert (x.verdict, x.score, x.diagnosis) == (y.verdict, y.score, y.diagnosis)


def test_carried_credit_comes_from_the_key():
    key = _key()
    key["acceptance"]["carried_credit"] = 0.2
    qs = key["questions"]
    dep = next(q for q in qs if q.get("depends_on"))
    # a wrong earlier answer and the later one computed from it: scored with the key's credit
    answers = {d: "0.1234" for d in dep["depends_on"]}
    carried = [v for v in grade_key(key, answers) if v.verdict == "carried"]
    assert all(v.score == 0.2 * v.points for v in carried)


def test_grade_and_check_agree(tmp_path):
    from exgen.grading.read import read_submissions
    from exgen.grading.grade import grade_submissions
    key = _key()
    key["acceptance"]["fewer_decimals_credit"] = 0.5
    answers = {q["id"]: repr(round(q["answer"], 2 + i % 3)) for i, q in enumerate(key["questions"])}
    rows, got, total = check_rows(key, answers)
    sub = tmp_path / "s.csv"
    sub.write_text("student_id," + ",".join(answers) + "\n" + key["student_id"] + "," + ",".join(answers.values()) + "\n",
                   encoding="utf-8")
    res = grade_submissions(read_submissions(sub, known_qids=set(answers)), {key["student_id"]: key})
    vs = res.verdicts(key["student_id"])
    assert [(v.verdict, v.score, v.diagnosis) for v in vs] == [(r["verdict"], r["score"], r["diagnosis"]) for r in rows]
    assert any(r["diagnosis"] == TOO_FEW for r in rows)
