"""feedback/<id>.md: every answer that is not correct gets its worked step, with numbers formatted
as everywhere in exgen (6 significant digits) and symbols in the key's notation."""
import re

import pytest

from exgen.grading import grade_key
from exgen.grading.feedback import Worked, student_markdown
from exgen.core.report import fmt
from grading_helpers import example_key, spec_key

RAW_FLOAT = re.compile(r"\d\.\d{9,}")  # repr() of a computed float, e.g. 0.4390751567303696
FLAT_AH = {"layers": [2, 2, 2], "activations": ["sigmoid", "softmax"], "loss": "cross_entropy",
           "learning_rate": 0.5, "x": [0.3, -0.7], "y": [0.0, 1.0],
           "weights": [[[0.1, -0.2], [0.4, 0.3]], [[0.5, -0.6], [0.2, 0.7]]], "biases": [[0.1, 0.0], [0.0, -0.1]],
           "notation": {"letters": "a/h", "weights": "flat"}}


def sections(md):
    """Question id -> the text of its '## <id>: ...' section."""
    parts = re.split(r"^## ", md, flags=re.M)[1:]
    return {p.split(":", 1)[0]: p for p in parts}


def feedback(key, answers):
    vs = grade_key(key, answers)
    return vs, student_markdown("s1", key, vs, Worked(key), 0.5)


def wrong_answers(key):
    """Every third question wrong (sign), invalid or missing; the rest exact."""
    out = {}
    for i, q in enumerate(key["questions"]):
        out[q["id"]] = [f"{-q['answer'] - 1:.4f}", "abc", None][i % 3]
    return out


@pytest.mark.parametrize("key", [example_key("seed002-2-2-1"), spec_key(FLAT_AH)], ids=["numbered", "flat-a/h"])
def test_every_answer_not_correct_has_its_worked_step_with_formatted_numbers(key):
    vs, md = feedback(key, wrong_answers(key))
    secs = sections(md)
    assert {v.verdict for v in vs} == {"wrong", "invalid", "missing"}
    for q in key["questions"]:
        sec = secs[q["id"]]
        assert "Worked step:" in sec, q["id"]
        step = sec[sec.index("Worked step:"):]
        assert step.count("```") == 2, q["id"]
        assert fmt(q["answer"]) in step, (q["id"], step)
    assert not RAW_FLOAT.search(md), RAW_FLOAT.search(md)


def test_correct_answers_get_no_section():
    key = example_key("seed002-2-2-1")
    answers = {q["id"]: repr(q["answer"]) for q in key["questions"]}
    answers["3a"] = "1e5"
    _, md = feedback(key, answers)
    assert list(sections(md)) == ["3a"]


def test_worked_steps_use_the_keys_notation():
    key = example_key("seed002-2-2-1")  # numbered weights w_1..w_6, letters z/h
    _, md = feedback(key, {"1a": "0", "3a": "0"})
    secs = sections(md)
    assert "z^(1)_1 = w_1·x_1 + w_3·x_2" in secs["1a"]
    assert "∂L/∂w_5" in secs["3a"] and "w^(2)_11" not in md
    key = spec_key(FLAT_AH)  # letters a/h, flat indices
    q = next(q for q in key["questions"] if q["ref"] == "/forward/0/h/1")
    _, md = feedback(key, {q["id"]: "0"})
    assert "a_12 = w_121·x_1 + w_122·x_2 + b_12" in sections(md)[q["id"]]


def test_feedback_is_byte_deterministic():
    key = spec_key(FLAT_AH)
    answers = wrong_answers(key)
    assert feedback(key, answers)[1].encode() == feedback(key, answers)[1].encode()


def test_feedback_shows_expected_values_with_the_decimals_the_sheet_asks(tmp_path):
    """A key that states its precision rule (acceptance.decimals) shows each expected value as the
    sheet asks for it: rounded to those decimals, as a student should write it."""
    import json

    from exgen import api
    from exgen.exam.config import demo_path
    api.generate_exam(api.load_config(demo_path()), tmp_path / "e", count=1, pdf=False)
    key = json.loads(next((tmp_path / "e" / "answer_keys").glob("*.json")).read_text())
    d = key["acceptance"]["decimals"]
    text = student_markdown(key["student_id"], key, grade_key(key, {}), Worked(key), 0.5)
    rows = [line.split(" | ") for line in text.splitlines() if re.match(r"^\| \d+[a-z] ", line)]
    assert len(rows) == len(key["questions"])
    for row, q in zip(rows, key["questions"]):
        assert row[2] == f"{q['answer']:.{d}f}", (q["id"], row)


def test_feedback_of_many_keys_is_the_same_with_a_small_worked_cache(tmp_path, monkeypatch):
    """write_feedback keeps the worked solutions of the last WORKED_KEPT keys only (one key per
    student would keep one per student); students taking turns on three keys, with one kept: each
    student's file is what their own key alone gives (Worked of that key, nothing cached)."""
    import json

    from exgen.grading import outputs
    from exgen.grading.run import grade_files
    keys = tmp_path / "keys"
    keys.mkdir()
    ks = []
    for i in range(6):
        d = dict(FLAT_AH, x=[0.3 + 0.1 * (i % 3), -0.7])
        ks.append(spec_key(d, sid=f"s{i}"))
        (keys / f"s{i}.json").write_text(json.dumps(ks[-1]))
    rows = ["student_id,question_id,answer"] + [f"s{i},{q['id']},{a}" for i, k in enumerate(ks)
                                                for q, a in zip(k["questions"], wrong_answers(k).values()) if a]
    (tmp_path / "sub.csv").write_text("\n".join(rows) + "\n")
    monkeypatch.setattr(outputs, "WORKED_KEPT", 1)
    res, _ = grade_files(tmp_path / "sub.csv", keys, tmp_path / "out", report=False)
    for i, k in enumerate(ks):
        alone = student_markdown(f"s{i}", k, res.verdicts(f"s{i}"), Worked(k), res.carried_credit)
        assert (tmp_path / "out" / "feedback" / f"s{i}.md").read_text(encoding="utf-8") == alone
