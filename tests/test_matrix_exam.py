"""Matrix-form exams end to end: generate -> (PDF) -> grade -> check. The shapes are checked
against NumPy shapes of the actual arrays computed here from the key's numbers (seed 001:
"z = xW + b: (n x d)(d x k) + (n x k)" and "z = wx + b: (k x d)(d x n) + (k x n)"); written
shapes in the accepted forms, invalid ones, the transposed shape diagnosed; keys of version 1
still grade."""
import csv
import json
import subprocess

import numpy as np
import pytest
from typer.testing import CliRunner

from exam_helpers import needs_tex, sig

from exgen.answer_key import validate_key
from exgen.cli.main import app
from exgen.errors import InputFileError
from exgen.exam import config as config_mod
from exgen.grading import grade_key
from exgen.grading.shapes import parse_shape

runner = CliRunner()
CONFIG = config_mod.demo_path().with_name("matrix.yaml")


def arrays(key, convention):
    """X, W, b, Z, dL/dZ, dL/dW, dL/db of the first layer, computed here with NumPy in the
    convention's layout (half_sse, sigmoid layers, as matrix.yaml asks)."""
    s = key["spec"]
    X = np.array(s["x"], float)  # (n, d) samples in rows
    W1, W2 = (np.array(w, float) for w in s["weights"])  # (k, d), (m, k) as the spec stores them
    b1, b2 = (np.array(b, float) for b in s["biases"])
    Y = np.array(s["y"], float)
    n = X.shape[0]
    Z1 = X @ W1.T + b1  # (n, k)
    H1 = sig(Z1)
    Yh = sig(H1 @ W2.T + b2)  # (n, m)
    d2 = (Yh - Y) * Yh * (1 - Yh)  # (n, m) per-sample deltas of the output
    d1 = (d2 @ W2) * H1 * (1 - H1)  # (n, k)
    dZ = d1 / n  # dL/dZ of the batch-mean loss
    dW = X.T @ d1 / n  # (d, k): row convention, dL/dW = X^T delta / n
    db = d1.mean(axis=0, keepdims=True)  # (1, k)
    if convention == "row":
        return {"X": X, "W": W1.T, "b": b1[None, :], "Z": Z1, "dZ": dZ, "dW": dW, "db": db}
    return {"X": X.T, "W": W1, "b": b1[:, None], "Z": Z1.T, "dZ": dZ.T, "dW": dW.T, "db": db.T}


def make_exam(tmp_path, convention="row", pdf_=False):
    cfg = tmp_path / f"matrix_{convention}.yaml"
    cfg.write_text(CONFIG.read_text(encoding="utf-8").replace("convention: row", f"convention: {convention}"),
                   encoding="utf-8")
    out = tmp_path / f"exam_{convention}"
    r = runner.invoke(app, ["generate", str(cfg), "--count", "2", "--out", str(out)] + ([] if pdf_ else ["--no-pdf"]))
    assert r.exit_code == 0, r.output
    return out, json.loads((out / "answer_keys" / "s001.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("convention", ["row", "column"])
def test_shapes_are_the_numpy_shapes_of_the_arrays(tmp_path, convention):
    _, key = make_exam(tmp_path, convention)
    assert key["version"] == 2
    ref = arrays(key, convention)
    shaped = [q for q in key["questions"] if q["ref"].startswith("/shapes/")]
    assert [q["ref"].split("/")[-1] for q in shaped] == ["X", "W", "b", "Z", "dZ", "dW", "db"]
    for q in shaped:
        assert q["ref"].split("/")[2] == convention
        r, c = ref[q["ref"].split("/")[-1]].shape
        assert q["answer"] == f"{r}x{c}"
        assert q["expression"]
    dw = next(q for q in shaped if q["ref"].endswith("/dW"))
    assert dw["expression"] == ("dL/dW = Xᵀ·δ / n" if convention == "row" else "dL/dW = δ·Xᵀ / n")
    # the numbers of the same exam: the batch-mean gradient of the first layer, as computed here
    g = next(q for q in key["questions"] if q["ref"] == "/gradients/weights/0/0/0")
    dW = ref["dW"] if convention == "column" else ref["dW"].T  # (k, d)
    assert g["answer"] == pytest.approx(dW[0, 0], abs=1e-12)


@pytest.mark.parametrize("text,shape", [("4x3", (4, 3)), ("4×3", (4, 3)), ("4 x 3", (4, 3)), ("(4, 3)", (4, 3)),
                                        (" (4,3) ", (4, 3)), ("4X3", None), ("4 by 3", None), ("12", None),
                                        ("[4, 3]", None), ("4x3x2", None), ("", None), ("0.4x3", None)])
def test_written_shapes(text, shape):
    assert parse_shape(text) == shape


def test_grade_and_check_judge_shapes_exactly(tmp_path):
    out, key = make_exam(tmp_path)
    ref = arrays(key, "row")
    q = {x["ref"].split("/")[-1]: x["id"] for x in key["questions"] if x["ref"].startswith("/shapes/")}
    r_, c_ = ref["W"].shape
    answers = {q["X"]: "{}x{}".format(*ref["X"].shape), q["W"]: f"{c_}x{r_}",  # W transposed
               q["b"]: "({}, {})".format(*ref["b"].shape), q["Z"]: "{} × {}".format(*ref["Z"].shape),
               q["dZ"]: "{}x{}".format(ref["dZ"].shape[0] + 1, ref["dZ"].shape[1]),  # wrong, not transposed
               q["dW"]: "3 by 2"}  # invalid; db missing
    sub = tmp_path / "sub.csv"
    with sub.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "question_id", "answer"])
        w.writerows([["s001", k, v] for k, v in answers.items()])
    r = runner.invoke(app, ["grade", str(sub), "--keys", str(out / "answer_keys"), "--out", str(tmp_path / "g")])
    assert r.exit_code == 0, r.output
    rows = {row["question_id"]: row for row in csv.DictReader((tmp_path / "g" / "answers.csv").open(encoding="utf-8"))
            if row["student_id"] == "s001"}
    got = {name: rows[qid]["verdict"] for name, qid in q.items()}
    assert got == {"X": "correct", "W": "wrong", "b": "correct", "Z": "correct", "dZ": "wrong", "dW": "invalid",
                   "db": "missing"}
    assert rows[q["W"]]["diagnosis"] == "transposed_shape" and rows[q["dZ"]]["diagnosis"] == ""
    assert rows[q["W"]]["expected"] == "{}x{}".format(*ref["W"].shape)
    feedback = (tmp_path / "g" / "feedback" / "s001.md").read_text(encoding="utf-8")
    assert "transposed_shape" in feedback and "nan" not in feedback
    # exgen check: the same verdicts from the key alone
    keyfile = out / "answer_keys" / "s001.json"
    r = runner.invoke(app, ["check", *[f"{k}={v}" for k, v in answers.items()], "--key", str(keyfile), "--json",
                            "--reveal"])
    assert r.exit_code == 0, r.output
    rows2 = {x["question_id"]: x for x in json.loads(r.output)}
    assert {name: rows2[qid]["verdict"] for name, qid in q.items()} == got
    assert rows2[q["W"]]["diagnosis"] == "transposed_shape"
    assert rows2[q["X"]]["expected"] == "{}x{}".format(*ref["X"].shape)


def test_a_key_of_version_1_still_grades(tmp_path):
    """A key without shape questions is written as version 1 (as earlier releases wrote it) and grades."""
    cfg = config_mod.load(config_mod.demo_path())
    from exgen.exam.draw import make_exercise
    from exgen.answer_key import answer_key
    ex = make_exercise(cfg, "s1")
    key = answer_key(cfg.name, "s1", cfg.seed, ex.spec, ex.questions)
    assert key["version"] == 1 and all("expression" not in q for q in key["questions"])
    vs = grade_key(key, {q["id"]: repr(q["answer"]) for q in key["questions"]})
    assert {v.verdict for v in vs} == {"correct"}


def test_shape_answers_in_keys_are_validated(tmp_path):
    _, key = make_exam(tmp_path)
    bad = json.loads(json.dumps(key))
    bad["questions"][0]["answer"] = "4 by 3"
    with pytest.raises(InputFileError, match=r"questions\[0\].answer.*shape"):
        validate_key(bad, "k.json")
    old = json.loads(json.dumps(key))
    old["version"] = 1
    with pytest.raises(InputFileError, match="version 2"):
        validate_key(old, "k.json")
    edited = json.loads(json.dumps(key))
    edited["questions"][1]["answer"] = "9x9"  # a valid shape, but not the spec's
    with pytest.raises(InputFileError, match="not the value of its spec"):
        grade_key(edited, {})


@needs_tex
def test_matrix_exam_pdf(tmp_path):
    out, key = make_exam(tmp_path, pdf_=True)
    text = subprocess.run(["pdftotext", "-layout", str(out / "keys" / "s001.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Matrix form: shapes" in text
    X = np.array(key["spec"]["x"])
    assert f"{X.shape[0]} × {X.shape[1]}" in text  # the shape of X, as the key prints it


def test_shape_hints_call_only_gradients_gradients(tmp_path):
    # the second hint of the shape of X, W, b or Z read "A gradient has the shape of what it
    # differentiates: b follows from b: a row vector, ..." (b is no gradient)
    from exgen.core.examples import notation_of
    from exgen.core.solve import solve
    from exgen.core.spec import from_dict
    from exgen.student.hints import hints
    _, key = make_exam(tmp_path)
    sol = solve(from_dict(key["spec"]))
    for q in key["questions"]:
        if not q["ref"].startswith("/shapes/"):
            continue
        name = q["ref"].split("/")[-1]
        text = " ".join(hints(sol, notation_of(sol.spec), q))
        assert ("A gradient has the shape" in text) == name.startswith("d"), (name, text)
