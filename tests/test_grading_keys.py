"""Many distinct keys: spec dicts stacked per shape without a Spec per key, with the same numbers
as parsing each spec, and a bad key among many still named with its field."""
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from exgen.errors import InputFileError
from exgen.core import Nets
from exgen.grading import grade_key
from exgen.grading.grade import grade_submissions
from exgen.grading.keys import Prepared, load_keys
from exgen.grading.read import read_submissions
from exgen.grading.stack import dict_signature, stack_dicts
from grading_helpers import exact_answers, spec_key

from test_paths import specs


def _vary(d, seed):
    """The same spec dict with other weights, biases, inputs (same shape)."""
    rng = np.random.default_rng(seed)
    out = json.loads(json.dumps(d))
    out["weights"] = [np.round(rng.uniform(-1, 1, np.shape(w)), 2).tolist() for w in d["weights"]]
    if d.get("biases") is not None:
        out["biases"] = [np.round(rng.uniform(-1, 1, np.shape(b)), 2).tolist() for b in d["biases"]]
    out["x"] = np.round(rng.uniform(-1, 1, np.shape(d["x"])), 2).tolist()
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_stacked_dicts_equal_stacked_parsed_specs(spec):
    dicts = [spec.to_dict()] + [_vary(spec.to_dict(), s) for s in range(3)]
    assert len({dict_signature(d) for d in dicts}) == 1
    got, ref = stack_dicts(dicts, spec), Nets.of(dicts)
    for a, b in [(got.x, ref.x), (got.y, ref.y), (got.eta, ref.eta), *zip(got.W, ref.W),
                 *zip(got.b or [], ref.b or [])]:
        assert a.shape == b.shape and np.array_equal(a, b)
    assert (got.b is None) == (ref.b is None) and got.batched == ref.batched


SPEC = {"layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "loss": "half_sse", "learning_rate": 0.5,
        "x": [0.3, -0.7], "y": [1.0], "weights": [[[0.1, -0.2], [0.4, 0.3]], [[0.5, -0.6]]], "biases": None}


def _keys(n):
    return {f"s{i:02d}": spec_key(_vary(SPEC, i), f"s{i:02d}") for i in range(n)}


def test_many_distinct_keys_grade_like_each_key_alone(tmp_path):
    keys = _keys(12)
    keys["s11"] = spec_key(dict(_vary(SPEC, 11), biases=[[0.1, 0.2], [0.3]]), "s11")  # another shape
    rows = ["student_id,question_id,answer"]
    answers = {}
    for i, (sid, k) in enumerate(keys.items()):
        a = exact_answers(k)
        q = k["questions"][i % len(k["questions"])]["id"]
        a[q] = repr(-float(a[q]) + 0.5)  # one wrong answer each
        answers[sid] = a
        rows += [f"{sid},{qid},{v}" for qid, v in a.items()]
    p = tmp_path / "sub.csv"
    p.write_text("\n".join(rows) + "\n")
    known = {q["id"] for k in keys.values() for q in k["questions"]}
    res = grade_submissions(read_submissions(p, known_qids=known), keys)
    assert len(res.groups) == 2
    for sid, k in keys.items():
        alone = [(v.verdict, v.score, v.diagnosis) for v in grade_key(k, answers[sid])]
        assert [(v.verdict, v.score, v.diagnosis) for v in res.verdicts(sid)] == alone
        assert [v.verdict for v in res.verdicts(sid)].count("correct") == len(k["questions"]) - 1


@pytest.mark.parametrize("edit, field", [
    (lambda s: s["weights"][0][1].__setitem__(0, "0.5"), "weights[0][1][0]"),
    (lambda s: s["weights"][1].append([0.1, 0.2]), "weights[1]"),
    (lambda s: s.update(learning_rate=-1), "learning_rate"),
    (lambda s: s.update(colour="red"), "colour"),
])
def test_a_bad_key_among_many_is_named_with_its_field(edit, field):
    keys = _keys(5)
    edit(keys["s03"]["spec"])
    with pytest.raises(InputFileError, match=r"answer key of s03: .*" + field.replace("[", r"\[").replace("]", r"\]")):
        Prepared().add(list(keys.values()))


def test_load_keys_reads_every_file_by_student_id(tmp_path):
    keys = _keys(3)
    for sid, k in keys.items():
        (tmp_path / f"{sid}.json").write_bytes(b"\xef\xbb\xbf" * (sid == "s01") + json.dumps(k).encode())
    assert load_keys(tmp_path) == keys
