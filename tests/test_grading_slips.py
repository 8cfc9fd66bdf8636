"""Every diagnosis code: a crafted wrong answer computed here by hand with the slip applied."""
import numpy as np
import pytest

from exgen.grading import DIAGNOSES, grade_key
from exgen.core.solution import resolve_pointer, solve_json
from exgen.core.examples import load
from grading_helpers import example_key, exact_answers


def sig(z):
    return 1 / (1 + np.exp(-z))


# seed 002 2-2-1 (exgen/core/examples/seed002-2-2-1.json)
X, W1, W2, Y, ETA = np.array([0.23, 0.82]), np.array([[0.1, 0.4], [0.5, 0.3]]), np.array([0.2, 0.6]), 1.0, 0.7
Z1 = W1 @ X
H1 = sig(Z1)
Z2 = W2 @ H1
YH = sig(Z2)
G5 = (YH - Y) * YH * (1 - YH) * H1[0]  # dL/dw5 exact


def wrong(key, qid, answer):
    """The verdict of `answer` at qid, every other answer exact: wrong, no points."""
    ans = exact_answers(key)
    ans[qid] = f"{answer:.8g}"
    v = {x.question_id: x for x in grade_key(key, ans)}[qid]
    assert v.verdict == "wrong" and v.score == 0.0
    return v


def diagnose(name, qid, answer, key=None):
    return wrong(key or example_key(name, asked=[{"type": t} for t in ("loss", "gradients", "update", "loss_after")]
                                    if name == "seed001-minibatch" else None), qid, answer)


@pytest.mark.parametrize("code,qid,answer", [
    ("sign_flip", "3a", -G5),
    ("sigma_for_derivative", "3a", (YH - Y) * YH * H1[0]),
    ("derivative_dropped", "3a", (YH - Y) * H1[0]),
    ("h_z_swapped", "3a", (YH - Y) * Z2 * (1 - Z2) * H1[0]),
    ("update_wrong_sign", "5a", 0.2 + ETA * G5),
    ("update_no_eta", "5a", 0.2 - G5),
    ("sse_factor", "3a", 2 * G5),
    ("sse_factor", "2a", (Y - YH) ** 2),
])
def test_diagnosis_on_seed002(code, qid, answer):
    v = diagnose("seed002-2-2-1", qid, answer)
    assert v.diagnosis == code and v.explanation == DIAGNOSES[code]


def test_z_for_h():
    # 3-2-2 net, dL/dw7 (output layer) using z of the hidden neuron instead of its h
    s = load("seed002-3-2-2")
    x, W1, W2, b1, b2, y = s.x[0], s.weights[0], s.weights[1], s.biases[0], s.biases[1], s.y[0]
    z1 = W1 @ x + b1
    h1 = sig(z1)
    yh = sig(W2 @ h1 + b2)
    assert diagnose("seed002-3-2-2", "3a", (yh[0] - y[0]) * yh[0] * (1 - yh[0]) * z1[0]).diagnosis == "z_for_h"


def test_missing_path_and_updated_in_backward():
    s = load("seed002-3-2-2")
    x, W1, W2, b1, b2, y, eta = s.x[0], s.weights[0], s.weights[1], s.biases[0], s.biases[1], s.y[0], s.learning_rate
    h1 = sig(W1 @ x + b1)
    yh = sig(W2 @ h1 + b2)
    d2 = (yh - y) * yh * (1 - yh)
    one_path = d2[1] * W2[1, 0] * h1[0] * (1 - h1[0]) * x[0]  # only the path through output 2
    assert diagnose("seed002-3-2-2", "3b", one_path).diagnosis == "missing_path"
    W2new = W2 - eta * np.outer(d2, h1)
    stale = (d2 @ W2new)[0] * h1[0] * (1 - h1[0]) * x[0]
    key = example_key("seed002-3-2-2", tol={"kind": "rel", "value": 1e-4})
    assert diagnose("seed002-3-2-2", "3b", stale, key).diagnosis == "updated_in_backward"


def test_transposed_weight():
    key = example_key("seed002-3-2-2")
    sol = solve_json(load("seed002-3-2-2"))
    q = next(q for q in key["questions"] if q["id"] == "3a")
    q["ref"] = "/gradients/weights/1/1/0"  # ask for dL/dw^(2)_21 instead
    q["answer"] = resolve_pointer(sol, q["ref"])
    wrong = resolve_pointer(sol, "/gradients/weights/1/0/1")  # dL/dw^(2)_12
    assert diagnose("seed002-3-2-2", "3a", wrong, key).diagnosis == "transposed_weight"


def test_softmax_elementwise_seed000():
    """Seed 000 differentiates softmax elementwise (seeds README, known slips)."""
    s = load("seed000-4-4-2-softmax")
    x, W1, W2, y = s.x[0], s.weights[0], s.weights[1], s.y[0]
    h1 = sig(W1 @ x)
    a2 = W2 @ h1
    p = np.exp(a2) / np.exp(a2).sum()
    d2 = 2 * (p - y) * p * (1 - p)  # elementwise: cross terms dropped
    slide = (d2 @ W2)[0] * h1[0] * (1 - h1[0]) * x[0]
    assert diagnose("seed000-4-4-2-softmax", "3b", slide).diagnosis == "softmax_elementwise"


@pytest.mark.parametrize("name,qid,before", [
    ("seed002-2-2-1", "5a", 0.2),  # w5 as given: the update not applied
    ("seed002-2-2-1", "5b", 0.1),  # w1 as given
    ("seed002-2-2-1", "6a", 0.5 * (Y - YH) ** 2),  # the loss before the step, by hand
    ("seed000-4-4-2-softmax", "5b", None),  # the old weight was diagnosed softmax_elementwise
])
def test_update_not_applied(name, qid, before):
    if before is None:
        before = float(load(name).weights[0][0, 0])
    for text in (before, round(before, 4)):
        v = diagnose(name, qid, text)
        assert v.diagnosis == "update_not_applied" and v.explanation == DIAGNOSES["update_not_applied"]


def test_batch_sum():
    s = load("seed001-minibatch")
    a = sig(s.x @ s.weights[0][0] + s.biases[0][0])
    summed = ((a - s.y[:, 0]) * s.x[:, 0]).sum()
    v = diagnose("seed001-minibatch", "2a", summed)
    assert v.diagnosis == "batch_sum"


def test_first_sample():
    """The gradient of the first sample only (seed 001: (a - y) x of one point), not the mean."""
    s = load("seed001-minibatch")
    a = sig(s.x @ s.weights[0][0] + s.biases[0][0])
    first = (a[0] - s.y[0, 0]) * s.x[0, 0]
    v = diagnose("seed001-minibatch", "2a", first)
    assert v.diagnosis == "first_sample" and v.explanation == DIAGNOSES["first_sample"]


def test_transposed_shape():
    """Seed 001's matrix form, z = xW + b: W is (d x k); its transpose (k x d) is diagnosed."""
    from grading_helpers import key_for
    s = load("seed001-minibatch")
    key = key_for(s, asked=[{"type": "shapes"}])
    q = next(q for q in key["questions"] if q["ref"] == "/shapes/row/0/W")
    d, k = s.weights[0].T.shape  # the spec stores W as (k, d): z = Wx + b
    v = {x.question_id: x for x in grade_key(key, {q["id"]: f"{k}x{d}"})}[q["id"]]
    assert v.verdict == "wrong" and v.diagnosis == "transposed_shape"
    assert v.explanation == DIAGNOSES["transposed_shape"]
    assert {x.question_id: x for x in grade_key(key, {q["id"]: f"{d} x {k}"})}[q["id"]].verdict == "correct"


def test_unexplained_wrong_answer_has_no_diagnosis():
    v = diagnose("seed002-2-2-1", "3a", 0.4321)
    assert v.diagnosis is None and v.explanation is None


def test_every_code_is_tested_and_explained():
    import inspect, sys
    src = inspect.getsource(sys.modules[__name__])
    for code, text in DIAGNOSES.items():
        assert f'"{code}"' in src and text.endswith(".")


def test_too_few_decimals_is_diagnosed_on_the_right_value_rounded_too_coarsely():
    import json
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    # the default policy (version 2, the demo's keys): judged as written, wrong, no points
    key = json.loads((root / "answer_keys/ada01.json").read_text(encoding="utf-8"))
    q = key["questions"][0]
    v = next(v for v in grade_key(key, {q["id"]: f"{q['answer']:.2f}"}) if v.question_id == q["id"])
    assert (v.verdict, v.diagnosis, v.score) == ("wrong", "too_few_decimals", 0.0)
    # a key of the earlier release (version 1, full credit for it)
    key = json.loads((root / "tests/keys_v1/ada01.json").read_text(encoding="utf-8"))
    v = next(v for v in grade_key(key, {q["id"]: f"{q['answer']:.2f}"}) if v.question_id == q["id"])
    assert v.verdict == "correct" and v.diagnosis == "too_few_decimals"


# ---- computational graphs (exgen.graph): seed 002's f = (x + y) z and exgen's own shared graph ----

def graph_key(name):
    from exgen.answer_key import answer_key
    from exgen.graph import examples
    from exgen.graph.draw import exercise
    ex = exercise(examples.load(name))
    return answer_key("graphs", "s1", 0, ex.spec, ex.questions)


def graph_diagnose(name, qid, answer):
    return wrong(graph_key(name), qid, answer)


# f = (x + y) z, x = -2, y = 5, z = -4: q = 3, f = -12; 3a df/dq = z = -4, 3b df/dx = z * 1 = -4
# shared: p = x y = -3, s = x + z = 5, r = relu(s) = 5, m = max(p, r) = 5, q = p^2 = 9, f = m + q;
# 3e df/dp = 0 (max routes to r) + 2p = -6, 3f df/dx = y (-6) + 1 = 7
@pytest.mark.parametrize("code,name,qid,answer", [
    ("chain_rule_not_applied", "seed002-graph-fxyz", "3b", 1.0),  # dq/dx alone
    ("mul_own_input", "seed002-graph-fxyz", "3a", 3.0),  # df/dq taken as q instead of z
    ("add_scaled", "seed002-graph-fxyz", "3b", -2.0),  # the add gate halving -4
    ("sign_flip", "seed002-graph-fxyz", "3b", 4.0),
    ("max_both", "graph-shared-relu", "3e", 1.0 - 6.0),  # max passes 1 to p too
    ("uses_not_summed", "graph-shared-relu", "3f", 1.0),  # x's use in s only
])
def test_graph_slips_are_diagnosed(code, name, qid, answer):
    v = graph_diagnose(name, qid, answer)
    assert v.diagnosis == code and v.explanation


def test_graph_error_carried_forward():
    key = graph_key("seed002-graph-fxyz")
    ans = exact_answers(key)
    ans["1a"], ans["1b"] = "4", "-16"  # q wrong (x + y = 3), f = q z right for the student's q
    ans["2d"] = "4"  # df/dz = q: right for the student's q
    v = {x.question_id: x for x in grade_key(key, ans)}
    assert v["1a"].verdict == "wrong" and v["1b"].verdict == "carried" and v["1b"].carried_expected == -16
    assert v["2d"].verdict == "carried"
    ans["1b"] = "-17"
    assert {x.question_id: x for x in grade_key(key, ans)}["1b"].verdict == "wrong"
