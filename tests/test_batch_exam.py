"""Mini-batch exams end to end: generate -> (PDF) -> grade -> check, with the batch slips (sum
instead of mean, the first sample only) diagnosed. References: a plain NumPy forward pass of the
2-2-1 sigmoid network written here, the batch loss as the mean (seed 001: "w' = w - alpha 1/n
sum_i (a_i - y_i) x_i^T"), gradients by central finite differences of that mean loss."""
import csv
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from exam_helpers import needs_tex, sig

from exgen.cli.main import app
from exgen.errors import ConfigError
from exgen.exam import config as config_mod
from exgen.exam.draw import make_exercise
from exgen.grading import DIAGNOSES, grade_key
from exgen.limits import LimitError

runner = CliRunner()
CONFIG = config_mod.demo_path().with_name("minibatch.yaml")


def sample_losses(spec, W1, b1, W2, b2):
    """half_sse of each sample of a 2-2-1 sigmoid net: (B,)."""
    H1 = sig(spec["x"] @ W1.T + b1)  # (B, 2)
    Y = sig(H1 @ W2.T + b2)  # (B, 1)
    return 0.5 * ((np.asarray(spec["y"]) - Y) ** 2).sum(axis=1)


def params(spec):
    (W1, W2), (b1, b2) = [np.array(w, float) for w in spec["weights"]], [np.array(b, float) for b in spec["biases"]]
    return W1, b1, W2, b2


def fd(spec, which, idx, reduce=np.mean, h=1e-6):
    """d reduce(sample losses) / d param by central differences; which: 0 W1, 1 b1, 2 W2, 3 b2."""
    out = []
    for s in (+h, -h):
        ps = list(params(spec))
        ps[which] = ps[which].copy()
        ps[which][idx] += s
        out.append(reduce(sample_losses(spec, *ps)))
    return (out[0] - out[1]) / (2 * h)


@pytest.fixture(scope="module")
def exam(tmp_path_factory):
    out = tmp_path_factory.mktemp("mb") / "exam"
    r = runner.invoke(app, ["generate", str(CONFIG), "--count", "2", "--out", str(out), "--no-pdf"])
    assert r.exit_code == 0, r.output
    key_path = out / "answer_keys" / "s001.json"
    return out, key_path, json.loads(key_path.read_text(encoding="utf-8"))


def by_ref(key):
    return {q["ref"]: q for q in key["questions"]}


def test_the_key_holds_a_batch_and_its_answers_match_hand_formulas(exam):
    _, _, key = exam
    spec = {**key["spec"], "x": np.array(key["spec"]["x"], float)}
    assert spec["x"].shape == (3, 2) and np.array(key["spec"]["y"]).shape == (3, 1)
    q = by_ref(key)
    W1, b1, W2, b2 = params(spec)
    H1 = sig(spec["x"] @ W1.T + b1)
    for b in range(3):  # per-sample forward values
        for j in range(2):
            assert q[f"/forward/0/h/{b}/{j}"]["answer"] == pytest.approx(H1[b, j], abs=1e-12)
    assert q["/loss"]["answer"] == pytest.approx(sample_losses(spec, W1, b1, W2, b2).mean(), abs=1e-12)
    # per-sample deltas of the output: dl_b/dz = (yhat - y) yhat (1 - yhat) (hand formula)
    Y = sig(H1 @ W2.T + b2)[:, 0]
    y = np.array(key["spec"]["y"])[:, 0]
    for b in range(3):
        assert q[f"/deltas/1/{b}/0"]["answer"] == pytest.approx((Y[b] - y[b]) * Y[b] * (1 - Y[b]), abs=1e-12)
    # the mean gradient: finite differences of the batch-mean loss
    assert q["/gradients/weights/1/0/0"]["answer"] == pytest.approx(fd(spec, 2, (0, 0)), abs=1e-7)
    assert q["/gradients/weights/0/0/0"]["answer"] == pytest.approx(fd(spec, 0, (0, 0)), abs=1e-7)
    assert q["/gradients/biases/0/0"]["answer"] == pytest.approx(fd(spec, 1, (0,)), abs=1e-7)
    eta = key["spec"]["learning_rate"]
    assert q["/updated/weights/1/0/0"]["answer"] == pytest.approx(W2[0, 0] - eta * fd(spec, 2, (0, 0)), abs=1e-7)


def slipped_answers(key):
    """Every answer exact, except: the loss summed over the batch, one gradient summed, one the
    first sample's only (finite differences of the sum / of the first sample's loss)."""
    spec = {**key["spec"], "x": np.array(key["spec"]["x"], float)}
    q = by_ref(key)
    ans = {x["id"]: f"{x['answer']:.6f}" for x in key["questions"]}
    W1, b1, W2, b2 = params(spec)
    ans[q["/loss"]["id"]] = f"{sample_losses(spec, W1, b1, W2, b2).sum():.6f}"
    ans[q["/gradients/weights/1/0/0"]["id"]] = f"{fd(spec, 2, (0, 0), reduce=lambda a: a[0]):.6f}"
    ans[q["/gradients/weights/0/0/0"]["id"]] = f"{fd(spec, 0, (0, 0), reduce=np.sum):.6f}"
    return ans, [q["/loss"]["id"], q["/gradients/weights/1/0/0"]["id"], q["/gradients/weights/0/0/0"]["id"]]


def test_grade_diagnoses_the_batch_slips(exam, tmp_path):
    out, _, key = exam
    ans, (loss_id, first_id, sum_id) = slipped_answers(key)
    sub = tmp_path / "sub.csv"
    sub.write_text("student_id,question_id,answer\n" + "".join(f"s001,{k},{v}\n" for k, v in ans.items()))
    r = runner.invoke(app, ["grade", str(sub), "--keys", str(out / "answer_keys"), "--out", str(tmp_path / "g")])
    assert r.exit_code == 0, r.output
    rows = {row["question_id"]: row for row in csv.DictReader((tmp_path / "g" / "answers.csv").open(encoding="utf-8"))
            if row["student_id"] == "s001"}
    assert rows[loss_id]["diagnosis"] == "batch_sum"
    assert rows[sum_id]["diagnosis"] == "batch_sum"
    assert rows[first_id]["diagnosis"] == "first_sample"
    # the update of the first-sample gradient is carried forward from the student's own gradient
    upd = by_ref(key)["/updated/weights/1/0/0"]["id"]
    assert rows[upd]["verdict"] == "correct"
    others = [k for k in ans if k not in (loss_id, first_id, sum_id)]
    assert all(rows[k]["verdict"] == "correct" for k in others)


def test_check_explains_the_batch_slips(exam):
    _, key_path, key = exam
    ans, (loss_id, first_id, sum_id) = slipped_answers(key)
    r = runner.invoke(app, ["check", *[f"{k}={v}" for k, v in ans.items()], "--key", str(key_path), "--json"])
    assert r.exit_code == 0, r.output
    rows = {x["question_id"]: x for x in json.loads(r.output)}
    assert rows[loss_id]["verdict"] == "wrong" and rows[loss_id]["diagnosis"] == "batch_sum"
    assert rows[sum_id]["diagnosis"] == "batch_sum" and rows[first_id]["diagnosis"] == "first_sample"
    assert DIAGNOSES["first_sample"].startswith("Only one sample was used")
    r = runner.invoke(app, ["check", *[f"{k}={v}" for k, v in ans.items()], "--key", str(key_path)])
    assert "first_sample" in r.output and "batch_sum" in r.output


def test_a_gradient_from_the_students_own_deltas_is_carried(exam):
    """Error carried forward through the deltas: a wrong output delta of sample 1, and the mean
    gradient computed by hand from it (delta times the hidden activation, averaged)."""
    _, _, key = exam
    q = by_ref(key)
    ans = {x["id"]: f"{x['answer']:.6f}" for x in key["questions"]}
    deltas = [q[f"/deltas/1/{b}/0"]["answer"] for b in range(3)]
    h = [q[f"/forward/0/h/{b}/0"]["answer"] for b in range(3)]
    deltas[0] += 0.1  # the student's own (wrong) delta of sample 1
    ans[q["/deltas/1/0/0"]["id"]] = f"{deltas[0]:.6f}"
    grad = sum(d * x for d, x in zip(deltas, h)) / 3
    gid = q["/gradients/weights/1/0/0"]["id"]
    ans[gid] = f"{grad:.6f}"
    v = {x.question_id: x for x in grade_key(key, ans)}
    assert v[q["/deltas/1/0/0"]["id"]].verdict == "wrong"
    assert v[gid].verdict == "carried" and v[gid].carried_expected == pytest.approx(grad, abs=1e-6)


def test_an_update_from_the_first_sample_gradient_is_diagnosed(exam):
    checked = 0
    for sid in ("s001", "s002"):
        key = json.loads((exam[0] / "answer_keys" / f"{sid}.json").read_text(encoding="utf-8"))
        spec = {**key["spec"], "x": np.array(key["spec"]["x"], float)}
        eta, ps = key["spec"]["learning_rate"], params(spec)
        for ref, which, idx in (("/updated/weights/1/0/0", 2, (0, 0)), ("/updated/weights/0/0/0", 0, (0, 0)),
                                ("/updated/biases/0/0", 1, (0,))):
            first = ps[which][idx] - eta * fd(spec, which, idx, reduce=lambda a: a[0])
            no_eta = ps[which][idx] - fd(spec, which, idx)
            if abs(first - no_eta) < 0.005:  # the two slips give the same number here
                continue
            ans = {x["id"]: f"{x['answer']:.6f}" for x in key["questions"] if x["kind"] != "update"}
            upd = by_ref(key)[ref]["id"]
            ans[upd] = f"{first:.6f}"
            v = {x.question_id: x for x in grade_key(key, ans)}[upd]
            assert v.verdict == "wrong" and v.diagnosis == "first_sample"
            checked += 1
    assert checked


def test_batch_is_validated_and_bounded(tmp_path):
    base = config_mod.load(CONFIG)
    assert base.batch == 3
    with pytest.raises(ConfigError, match="batch"):
        config_mod.from_dict({"batch": 0})
    with pytest.raises(LimitError, match="the limit is 8"):
        config_mod.from_dict({"batch": 9})
    from exgen.exam.draw import check_architecture
    cfg = config_mod.from_dict({"batch": 2, "layers": [2, 2, 2], "questions": ["paths"]})
    with pytest.raises(ConfigError, match="'paths' asks for one sample"):
        check_architecture(cfg)
    with pytest.raises(LimitError, match="forward questions"):  # 6 neurons x 5 samples > 26 ids
        config_mod.from_dict({"batch": 5, "layers": [2, 3, 3], "questions": ["forward"]})


def test_a_batch_of_one_draws_the_single_sample_exam():
    """batch: 1 is the single-sample exam: the default config's draw is not changed by the key."""
    a = make_exercise(config_mod.from_dict({}), "s1")
    b = make_exercise(config_mod.from_dict({"batch": 1}), "s1")
    assert not a.spec.batched and np.array_equal(a.spec.x, b.spec.x) and np.array_equal(a.spec.weights[0], b.spec.weights[0])


@needs_tex
def test_minibatch_exam_pdf_shows_the_samples(tmp_path):
    import subprocess
    out = tmp_path / "exam"
    r = runner.invoke(app, ["generate", str(CONFIG), "--count", "1", "--out", str(out)])
    assert r.exit_code == 0, r.output
    key = json.loads((out / "answer_keys" / "s001.json").read_text(encoding="utf-8"))
    sheet = subprocess.run(["pdftotext", "-layout", str(out / "sheets" / "s001.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "mini-batch of 3 samples" in sheet and "sample" in sheet
    for row in key["spec"]["x"]:  # every sample's inputs are in the table
        assert all(f"{v:.1f}".replace("-", "−") in sheet or f"{v:.1f}" in sheet for v in row)
    keytext = subprocess.run(["pdftotext", "-layout", str(out / "keys" / "s001.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
    assert f"{by_ref(key)['/loss']['answer']:.4f}" in keytext


def test_the_output_delta_step_names_the_output_it_is_about(exam):
    """dℓ/dŷ_1 = -(y_1 - ŷ_1), not the loss's general -(y_k - ŷ_k): the worked step is about output 1."""
    tex = (exam[0] / "keys" / "s001.tex").read_text(encoding="utf-8")
    assert r"\frac{\partial \ell}{\partial \hat y_{1}} = -(y_{1} - \hat y_{1}) = " in tex
    assert r"\partial \hat y_{1}} = -(y_k" not in tex
