"""The library API (exgen/__init__.py, docs/api.md): typed calls, policy inside the library."""
import math
from pathlib import Path

import pytest

import exgen

ROOT = Path(__file__).resolve().parent.parent
ONE = {"layers": [1, 1], "activations": ["sigmoid"], "loss": "half_sse", "learning_rate": 0.5,
       "x": [2.0], "y": [1.0], "weights": [[[0.3]]], "biases": [[-0.1]]}


def test_solve_a_dict_matches_the_hand_formulas():
    sol = exgen.solve(ONE)
    z = 0.3 * 2.0 - 0.1
    h = 1 / (1 + math.exp(-z))
    dz = (h - 1.0) * h * (1 - h)  # dL/dz for L = 1/2 (y - h)^2
    assert sol.loss == pytest.approx(0.5 * (1.0 - h) ** 2, rel=1e-12)
    assert sol.bwd.grad_w[0][0, 0] == pytest.approx(dz * 2.0, rel=1e-12)
    assert sol.updated_b[0][0] == pytest.approx(-0.1 - 0.5 * dz, rel=1e-12)
    assert exgen.solution_json(ONE)["loss"] == pytest.approx(sol.loss, rel=1e-12)


def test_bad_input_raises_typed_errors_naming_the_field():
    with pytest.raises(exgen.SpecError, match="weights"):
        exgen.load_spec({**ONE, "weights": [[[0.3, 0.4]]]})
    with pytest.raises(exgen.ExgenError, match="nope"):
        exgen.load_example("nope")


def test_policy_lives_in_the_library(tmp_path):
    with pytest.raises(exgen.UsageError, match="carried-credit"):
        exgen.grade_files(tmp_path / "a.csv", ROOT / "answer_keys", tmp_path / "g", carried_credit=5)
    assert not (tmp_path / "g").exists()
    cfg = tmp_path / "exam.yaml"
    from exgen.exam.config import DEFAULT_YAML
    cfg.write_text(DEFAULT_YAML, encoding="utf-8")
    with pytest.raises(exgen.UsageError, match="--count"):
        exgen.generate_exam(cfg, tmp_path / "e", count=0, pdf=False)
    with pytest.raises(exgen.UsageError, match="one of them"):
        exgen.generate_exam(cfg, tmp_path / "e", pdf=False)
    assert not (tmp_path / "e").exists()


def test_generate_grade_and_check_through_the_api(tmp_path):
    from exgen.exam.config import DEFAULT_YAML
    cfg = tmp_path / "exam.yaml"
    cfg.write_text(DEFAULT_YAML, encoding="utf-8")
    res = exgen.generate_exam(cfg, tmp_path / "exam1", count=2, pdf=False)
    assert res.students == 2 and all(p.is_file() for p in res.files)
    key = exgen.load_key(tmp_path / "exam1/answer_keys/s001.json")
    right = {q["id"]: repr(q["answer"]) for q in key["questions"]}
    assert {v.verdict for v in exgen.check_answers(key, right)} == {"correct"}
    sub = tmp_path / "answers.csv"
    sub.write_text("student_id,question_id,answer\n" + "".join(f"s001,{q},{a}\n" for q, a in right.items()))
    graded = exgen.grade_files(sub, tmp_path / "exam1/answer_keys", tmp_path / "grades")
    assert (tmp_path / "grades/grades.csv").is_file() and "s001" in graded.students


def test_check_answers_refuses_a_carried_credit_outside_0_to_1():
    # carried_credit is a share of a question's points: 5 scored a carried answer 5 of its 1 point
    key = exgen.load_key(ROOT / "answer_keys" / sorted(p.name for p in (ROOT / "answer_keys").glob("*.json"))[0])
    for bad in (5, -1, float("nan"), "0.5", True):
        with pytest.raises(exgen.UsageError, match="carried-credit"):
            exgen.check_answers(key, {}, carried_credit=bad)
    assert all(v.verdict == "missing" for v in exgen.check_answers(key, {}, carried_credit=1))


def test_check_answers_checks_a_key_dict_as_it_checks_a_key_file():
    # a dict key skipped every check of load_key: {"spec": 1} raised a bare KeyError, an edited
    # answer was graded against the edit
    import json
    path = sorted((ROOT / "answer_keys").glob("*.json"))[0]
    key = json.loads(path.read_text(encoding="utf-8"))
    for bad in ({"spec": 1}, [1], None):
        with pytest.raises(exgen.ExgenError, match="answer key"):
            exgen.check_answers(bad, {})
    edited = json.loads(json.dumps(key))
    edited["questions"][0]["answer"] = edited["questions"][0]["answer"] + 0.5
    with pytest.raises(exgen.ExgenError, match=edited["questions"][0]["id"]):
        exgen.check_answers(edited, {})
    assert len(exgen.check_answers(key, {})) == len(key["questions"])


def test_results_print_as_a_short_summary_not_their_arrays(tmp_path):
    # print(exgen.grade_files(...)) dumped every verdict array and answer key: thousands of lines
    from exgen.exam.config import DEFAULT_YAML
    cfg = tmp_path / "exam.yaml"
    cfg.write_text(DEFAULT_YAML, encoding="utf-8")
    res = exgen.generate_exam(cfg, tmp_path / "exam1", count=3, pdf=False)
    sub = tmp_path / "answers.csv"
    sub.write_text("student_id,question_id,answer\ns001,1a,0.5\nzz9,1a,1\n", encoding="utf-8")
    graded = exgen.grade_files(sub, tmp_path / "exam1/answer_keys", tmp_path / "grades")
    page = exgen.write_page(tmp_path / "p.html", preset="aksoy-2-2-1", count=2, seed=1)
    nq = len(exgen.load_key(tmp_path / "exam1/answer_keys/s001.json")["questions"])
    for obj in (res, graded, graded.groups[0], page):
        text = repr(obj)
        assert "\n" not in text and "array(" not in text and len(text) < 400, text
    assert repr(res).startswith(f"Result(out={str(tmp_path / 'exam1')!r}, students=3, files={len(res.files)},")
    assert f"students=3, questions={nq}, groups=1, counts={graded.counts()}, issues={len(graded.issues)}" in repr(graded)
    assert len(graded.issues) >= 3  # zz9 has no key; s002, s003 no submission: the repr counts, the object holds all
    assert f"exercises=2, size={(tmp_path / 'p.html').stat().st_size}" in repr(page)
