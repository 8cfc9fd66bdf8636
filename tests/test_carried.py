"""Carried verdicts and diagnoses come from grading (exgen.grading): through `check` and through
the practice session. The references are computed here by hand formulas."""
import json
import math

import pytest
from typer.testing import CliRunner

from exgen.core import examples
from exgen.cli.main import app
from exgen.student.practice import Session, from_preset

runner = CliRunner()


def sig(v):
    return 1 / (1 + math.exp(-v))


@pytest.fixture
def ex():
    return from_preset("aksoy-2-2-1", 3, examples.notation_of)


def _ids(ex):
    return {q["text"]: q for q in ex.questions}


def test_session_carried_given_earlier_wrong_numbers(ex):
    W, x = ex.spec.weights, ex.spec.x[0]
    qs = ex.questions
    h1_wrong = sig(W[0][0] @ x) + 0.2  # a wrong h^(1)_1
    h2 = sig(W[0][1] @ x)
    out_from_mine = sig(W[1][0, 0] * h1_wrong + W[1][0, 1] * h2)  # hand formula, no bias
    s = Session(ex)
    assert s.submit(f"{h1_wrong:.6f}").verdict == "wrong"
    s.skip()
    assert s.submit(f"{h2:.6f}").verdict == "correct"
    v = s.submit(f"{out_from_mine:.6f}")
    assert v.question_id == qs[2]["id"] and v.verdict == "carried"
    assert 0 < v.score < v.points


def test_check_reports_diagnosis_codes(ex, tmp_path):
    key = tmp_path / "key.json"
    key.write_text(json.dumps(ex.key))
    grads = [q for q in ex.questions if q["kind"] == "gradients"]
    g = grads[0]
    r = runner.invoke(app, ["check", f"{g['id']}={-g['answer']:.6g}", "--key", str(key), "--json"])
    row = next(x for x in json.loads(r.output) if x["question_id"] == g["id"])
    assert row["verdict"] == "wrong" and row["diagnosis"] == "sign_flip" and row["hint"]
    r = runner.invoke(app, ["check", f"{g['id']}={-g['answer']:.6g}", "--key", str(key)])
    assert "diagnosis: sign_flip: The value has the right size but the wrong sign." in r.output


def test_practice_prints_carried_and_diagnosis(ex):
    W, x = ex.spec.weights, ex.spec.x[0]
    h1_wrong = sig(W[0][0] @ x) + 0.2
    h2 = sig(W[0][1] @ x)
    mine = sig(W[1][0, 0] * h1_wrong + W[1][0, 1] * h2)
    r = runner.invoke(app, ["practice", "--preset", "aksoy-2-2-1", "--seed", "3"],
                      input=f"{h1_wrong:.6f}\nn\n{h2:.6f}\n{mine:.6f}\nq\nn\n")
    assert "correct given your earlier numbers" in r.output
    assert "Stopped. Score: 1.5 / " in r.output


def test_practice_prints_the_diagnosis_code_and_its_explanation(ex):
    g = next(q for q in ex.questions if q["kind"] == "gradients")
    skip = "n\n" * ex.questions.index(g)
    r = runner.invoke(app, ["practice", "--preset", "aksoy-2-2-1", "--seed", "3"],
                      input=f"{skip}{-g['answer']:.6f}\nq\nn\n")
    assert r.exit_code == 0, r.output
    assert "wrong\n  diagnosis: sign_flip: The value has the right size but the wrong sign." in r.output


def test_check_text_gives_hints_only_for_questions_tried(ex, tmp_path):
    key = tmp_path / "key.json"
    key.write_text(json.dumps(ex.key))
    q0 = ex.questions[0]
    r = runner.invoke(app, ["check", f"{q0['id']}={q0['answer'] + 0.3:.4f}", "--key", str(key)])
    assert r.exit_code == 0
    assert r.output.count("hint: ") == 1 and r.output.count("no answer") == len(ex.questions) - 1
