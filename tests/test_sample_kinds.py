"""The demo's sample-submission generator (exgen.grading.sample) on keys of the new kinds: a
matrix-form exam (shape answers "4x3", issue 15) and a computational-graph exam. Every profile
writes an answer to every question, and grading gives the verdicts each profile plans: the model
student is right everywhere, the slips student's shape slip is the transposed shape (diagnosed
transposed_shape), and shapes are written in the accepted form rows x columns."""
import csv

from typer.testing import CliRunner

from exam_helpers import GRAPH_CONFIG, answer_keys

from exgen.cli.main import app
from exgen.exam import config as config_mod
from exgen.grading import grade_key
from exgen.grading.sample import PROFILES, _slip, sample_submission, student_answers

runner = CliRunner()
GRAPH = GRAPH_CONFIG


def keys_of(tmp_path, config, n=3):
    out = tmp_path / "exam"
    r = runner.invoke(app, ["generate", str(config), "--count", str(n), "--out", str(out), "--no-pdf"])
    assert r.exit_code == 0, r.output
    return answer_keys(out)


def verdicts(key, answers):
    return {v.question_id: v for v in grade_key(key, answers)}


def test_matrix_keys_every_profile(tmp_path):
    keys = keys_of(tmp_path, config_mod.demo_path().with_name("matrix.yaml"))
    key = keys["s001"]
    shape_qs = [q for q in key["questions"] if str(q["ref"]).startswith("/shapes/")]
    assert shape_qs
    model = verdicts(key, student_answers(key, "model"))
    assert all(v.verdict == "correct" for v in model.values())
    for q in shape_qs:  # written as rows x columns, the key's own numbers
        r, c = (int(t) for t in str(q["answer"]).split("x"))
        assert student_answers(key, "model")[q["id"]] == f"{r}x{c}"
        t = _slip(key, {}, q, ())
        if r != c:  # grading (grading/shapes.py) diagnoses the planned slip
            assert t == f"{c}x{r}" and verdicts(key, {q["id"]: t})[q["id"]].diagnosis == "transposed_shape"
    carried = student_answers(key, "carried")
    first = key["questions"][0]
    assert verdicts(key, carried)[first["id"]].verdict == "wrong"
    slips = student_answers(key, "slips")
    v = verdicts(key, slips)
    assert v[key["questions"][1]["id"]].verdict == "invalid"  # "sigma(0.4)" is not a shape either
    path = sample_submission(keys, tmp_path / "sample.csv")
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == sum(len(k["questions"]) for k in keys.values())


def test_shape_slip_is_the_transpose():
    key = {"questions": []}
    q = {"id": "a", "ref": "/shapes/row/0/W", "answer": "3x2"}
    assert _slip(key, {}, q, ()) == "2x3"
    assert _slip(key, {}, {**q, "answer": "2x2"}, ()) is None  # a square shape has no transposed slip


def test_graph_keys_every_profile(tmp_path):
    cfg = tmp_path / "graph.yaml"
    cfg.write_text(GRAPH)
    keys = keys_of(tmp_path, cfg)
    for i, sid in enumerate(sorted(keys)):
        key = keys[sid]
        for profile in PROFILES:
            answers = student_answers(key, profile)
            assert set(answers) == {q["id"] for q in key["questions"]}
            v = verdicts(key, answers)
            if profile == "model":
                assert all(x.verdict == "correct" for x in v.values()), sid
            else:
                assert any(x.verdict != "correct" for x in v.values())
    sample_submission(keys, tmp_path / "sample.csv")
