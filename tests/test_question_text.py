"""Unambiguous questions: a path question names its route (the neurons it goes through, in the
sheet's notation) in the sheet and the key, and the sheet says log is the natural log."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from exgen.exam import config
from exgen.exam.draw import make_exercise
from exgen.exam.render import Student, render_body

DEMO = Path(__file__).resolve().parents[1] / "answer_keys"
STUDENT = Student("s001", "Ada")


def _sig(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("name", ["ada01", "obrien02", "noether03"])
def test_the_route_a_demo_path_question_names_gives_its_answer_by_hand(name):
    key = json.loads((DEMO / f"{name}.json").read_text(encoding="utf-8"))
    s = key["spec"]
    assert s["layers"] == [2, 2, 2] and s["activations"] == ["sigmoid", "sigmoid"] and s["loss"] == "half_sse"
    x, y = np.array(s["x"]), np.array(s["y"])
    W1, W2 = np.array(s["weights"][0]), np.array(s["weights"][1])
    b1, b2 = np.array(s["biases"][0]), np.array(s["biases"][1])
    h1 = _sig(W1 @ x + b1)
    h2 = _sig(W2 @ h1 + b2)
    paths = [q for q in key["questions"] if q["kind"] == "paths"]
    assert len(paths) == 2
    routes = set()
    for q in paths:
        m = re.fullmatch(r"the product along the path through h\^\(2\)_(\d) from w\^\(1\)_(\d)(\d) to L", q["text"])
        assert m, q["text"]
        o, j, k = (int(g) - 1 for g in m.groups())
        routes.add(o)
        # half SSE: dL/dh2_o = h2_o - y_o; then sigma' of layer 2, w2_oj, sigma' of layer 1, x_k
        hand = (h2[o] - y[o]) * h2[o] * (1 - h2[o]) * W2[o, j] * h1[j] * (1 - h1[j]) * x[k]
        assert q["answer"] == pytest.approx(hand, rel=1e-12)
        assert f"through $h^{{(2)}}_{{{o + 1}}}$" in q["latex"]
    assert routes == {0, 1}


def test_a_softmax_path_names_the_neuron_it_enters_and_the_output_it_leaves_by():
    cfg = config.from_dict({"name": "E", "seed": 3, "layers": [2, 2, 2], "activations": ["sigmoid", "softmax"],
                            "loss": "cross_entropy"})
    ex = make_exercise(cfg, "s001")
    texts = [q.text for q in ex.questions if q.kind == "paths"]
    assert len(texts) == 4  # 2 neurons of layer 2 x 2 outputs
    got = {re.search(r"through z\^\(2\)_(\d) and h\^\(2\)_(\d) from", t).groups() for t in texts}
    assert got == {("1", "1"), ("1", "2"), ("2", "1"), ("2", "2")}
    sheet = render_body("sheet", ex, cfg, STUDENT)
    assert r"$\log$ is the natural logarithm" in sheet
    for q in ex.questions:
        if q.kind == "paths":
            assert q.latex in sheet and "$z^{(2)}_{" in q.latex and "$h^{(2)}_{" in q.latex


def test_no_log_note_without_a_log():
    cfg = config.from_dict({"name": "E", "seed": 3, "layers": [2, 2, 2]})
    assert "natural logarithm" not in render_body("sheet", make_exercise(cfg, "s001"), cfg, STUDENT)
