"""Verdicts, scores, error carried forward and seed hand computations.

Independent reference values are computed here with plain numpy from the specs in
exgen/core/examples (the formulas written out by hand), not with the grading code."""
import numpy as np
import pytest

from exgen.grading import grade_key
from exgen.grading.windows import within
from grading_helpers import example_key, exact_answers


def sig(z):
    return 1 / (1 + np.exp(-z))


# seed 002, 2-2-1 (exgen/core/examples/seed002-2-2-1.json)
X, W1, W2, Y, ETA = np.array([0.23, 0.82]), np.array([[0.1, 0.4], [0.5, 0.3]]), np.array([0.2, 0.6]), 1.0, 0.7


def by_id(verdicts):
    return {v.question_id: v for v in verdicts}


def test_each_verdict_and_score():
    key = example_key("seed002-2-2-1")
    ans = exact_answers(key)
    ans.update({"1a": "0.9", "2a": "abc", "3b": ""})
    del ans["4a"]
    v = by_id(grade_key(key, ans))
    assert (v["1b"].verdict, v["1b"].score, v["1b"].points) == ("correct", 1.0, 1.0)
    assert (v["1a"].verdict, v["1a"].score, v["1a"].value) == ("wrong", 0.0, 0.9)
    assert (v["2a"].verdict, v["2a"].score, v["2a"].value, v["2a"].answer) == ("invalid", 0.0, None, "abc")
    assert (v["3b"].verdict, v["3b"].score) == ("missing", 0.0)
    assert (v["4a"].verdict, v["4a"].answer) == ("missing", None)
    # the exact 1c stays correct although the student's own 1a was wrong; no ECF needed
    assert (v["1c"].verdict, v["1c"].carried_expected) == ("correct", None)


def test_carried_two_steps_deep():
    key = example_key("seed002-2-2-1")
    ans = exact_answers(key)
    ha, hb = 0.3, sig(0.23 * 0.5 + 0.82 * 0.3)
    yhat = sig(0.2 * ha + 0.6 * hb)  # 1c given the student's own (wrong) 1a
    ans.update({"1a": "0.3", "1c": f"{yhat:.6f}", "2a": f"{0.5 * (1 - yhat) ** 2:.6f}"})
    v = by_id(grade_key(key, ans))
    assert v["1a"].verdict == "wrong"
    assert (v["1c"].verdict, v["1c"].score) == ("carried", 0.5)
    assert (v["2a"].verdict, v["2a"].score) == ("carried", 0.5)  # depends on 1c, itself carried
    assert v["2a"].carried_expected == pytest.approx(0.5 * (1 - float(ans["1c"])) ** 2)  # from the 1c as typed
    v = by_id(grade_key(key, ans, carried_credit=0.25))
    assert v["2a"].score == 0.25


def test_carried_through_update_and_loss_after():
    key = example_key("seed002-2-2-1")
    ans = exact_answers(key)
    g5 = -0.08  # the student's wrong dL/dw5
    ans.update({"3a": str(g5), "5a": f"{0.2 - ETA * g5:.8f}"})
    # loss after: all weights updated with exact gradients, except w5 from the student's 5a
    h = sig(W1 @ X)
    yh = sig(W2 @ h)
    d2 = (yh - Y) * yh * (1 - yh)
    gW2, gW1 = d2 * h, np.outer(d2 * W2 * h * (1 - h), X)
    W1n, W2n = W1 - ETA * gW1, W2 - ETA * gW2
    W2n[0] = 0.2 - ETA * g5
    after = 0.5 * (Y - sig(W2n @ sig(W1n @ X))) ** 2
    ans["6a"] = f"{after:.8f}"
    v = by_id(grade_key(key, ans))
    assert [v[q].verdict for q in ("3a", "5a", "6a", "5b")] == ["wrong", "carried", "carried", "correct"]
    assert v["6a"].carried_expected == pytest.approx(after)


def test_seed002_hand_computation_full_marks_at_four_significant_figures():
    """Seed 002 (002_3f0eb775ca5e4e6a.txt) rounds and chops every intermediate: h_a = 0.5868 (line 430),
    h_b = 0.5892 (434), y = 0.6155 (438), E = 0.0739 (443), dE/dw5 = -0.0533 (488),
    dE/dw1 = -0.0010 (581), w1_new = 0.1007 (711), w5_new = 0.2373 (720)."""
    key = example_key("seed002-2-2-1", tol={"kind": "sig", "value": 4})
    ans = {"1a": "0.5868", "1b": "0.5892", "1c": "0.6155", "2a": "0.0739", "3a": "-0.0533",
           "3b": "-0.0010", "4a": "-0.0010", "5a": "0.2373", "5b": "0.1007"}
    v = by_id(grade_key(key, ans))
    assert all(v[q].verdict == "correct" for q in ans), {q: v[q].verdict for q in ans}
    # ... which the tolerance alone would not give: rounding-awareness does
    assert not within(np.array(-0.0010), np.array(v["3b"].expected), np.array(2), np.array(4.0))
    assert not within(np.array(0.6155), np.array(v["1c"].expected), np.array(2), np.array(4.0))


def test_seed002_322_output_layer_values():
    """Seed 002's 3-2-2 example: the output-layer gradient dE/dw7 = 0.0765 and its update are right
    on the slides; the hidden-layer ones (0.0012 for dE/dw1) are the slides' slip (seeds README)."""
    key = example_key("seed002-3-2-2", tol={"kind": "sig", "value": 3})
    v = by_id(grade_key(key, {"3a": "0.0765", "5a": "0.6992", "3b": "0.0012"}))
    assert v["3a"].verdict == "correct" and v["5a"].verdict == "correct"
    assert v["3b"].verdict == "wrong"


def test_seed003_hand_computation_full_marks():
    """Seed 003 (003_4a16a72bbe6aa4e4.txt): h1 = 0.484 (138), h2 = 0.424 (155), output 0.63 (112),
    dL/dw2_11 = 0.5663 (140), dL/dw1_11 = -0.028 (213), dL/db1_1 = 0.088 (240), w2_11' = 0.1867 (144),
    w1_11' = 0.2056 (217), b1_1' = 0.0824 (244)."""
    key = example_key("seed003-2-2-1-linear")
    ans = {"1a": "0.484", "1b": "0.424", "1c": "0.63", "3a": "0.5663", "3b": "-0.028", "3c": "0.088",
           "5a": "0.1867", "5b": "0.2056", "5c": "0.0824"}
    v = by_id(grade_key(key, ans))
    assert {q: v[q].verdict for q in ans} == dict.fromkeys(ans, "correct")
    assert sum(v[q].score for q in ans) == 9.0


@pytest.mark.parametrize("kind,value,expected,answer,ok", [
    ("abs", 0.001, 0.5, "0.5009", True), ("abs", 0.001, 0.5, "0.5011", False),
    ("rel", 0.01, -2.0, "-2.019", True), ("rel", 0.01, -2.0, "-2.021", False),
    ("sig", 3, 0.012345, "0.0123", True), ("sig", 3, 0.012345, "0.0124", False),
    ("rel", 0.01, 0.0, "0", True), ("rel", 0.01, 0.0, "1e-6", False)])
def test_tolerance_kinds(kind, value, expected, answer, ok):
    assert bool(within(np.array(float(answer)), np.array(expected), np.array({"abs": 0, "rel": 1, "sig": 2}[kind]),
                       np.array(float(value)))) is ok


def test_near_zero_displayed_precision():
    """A gradient that shows as 0.0000 at 4 decimals may be answered 0; one that does not, may not."""
    key = example_key("seed002-3-2-2", tol={"kind": "rel", "value": 0.01})
    v = by_id(grade_key(key, {"4a": "0", "3b": "0"}))
    assert v["3b"].expected > 0.0015  # 0.00198: visible at 4 decimals
    assert v["3b"].verdict == "wrong"
    assert abs(v["4a"].expected) < 0.00075
    assert v["4a"].verdict == "wrong"  # 0.0007 shows as 0.0007, not 0


def test_tolerance_of_custom_key():
    key = example_key("seed003-2-2-1-linear", tol={"kind": "abs", "value": 0.05})
    v = by_id(grade_key(key, {"3a": "0.61", "3b": "0.1"}))
    assert v["3a"].verdict == "correct" and v["3b"].verdict == "wrong"
