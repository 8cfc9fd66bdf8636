"""Keys checked before grading: `grade` and `check` recompute every key's answers from its spec
and refuse, with one Error line naming the key file and the question, a key that does not match."""
from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from exgen.cli import app
from exgen.errors import ExgenError
from exgen.grading.keyindex import INDEX, read_index
from exgen.grading.run import grade_files
from exgen.student.selfcheck import load_key

from conftest import generated_exam  # noqa: E402

runner = CliRunner()
DEMO = Path(__file__).resolve().parents[1] / "answer_keys"


@pytest.fixture(scope="module")
def exam(tmp_path_factory) -> Path:
    return generated_exam(tmp_path_factory.mktemp("kcheck"), 5)


def _copy(exam: Path, to: Path, index: bool = True) -> Path:
    (to / "answer_keys").mkdir(parents=True)
    for p in (exam / "answer_keys").glob("*.json"):
        shutil.copyfile(p, to / "answer_keys" / p.name)
    if index:
        shutil.copy2(exam / INDEX, to / INDEX)
    return to / "answer_keys"


def _edit(path: Path, qid: str, f) -> None:
    key = json.loads(path.read_text(encoding="utf-8"))
    q = next(q for q in key["questions"] if q["id"] == qid)
    q["answer"] = f(q["answer"])
    path.write_text(json.dumps(key, indent=2) + "\n", encoding="utf-8")


def _one_error(r, *names: str) -> None:
    assert r.exit_code == 1, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), r.output
    assert all(n in lines[0] for n in names), lines[0]


def test_the_demo_key_1a_is_the_hand_value_and_the_demo_keys_pass():
    # independent reference: ada01's h^(1)_1 = sigmoid(-0.29*0.87 - 0.71*0.5 - 0.37), by hand
    key = load_key(DEMO / "ada01.json")
    assert key["questions"][0]["answer"] == pytest.approx(1 / (1 + math.exp(-(-0.29 * 0.87 - 0.71 * 0.5 - 0.37))),
                                                          rel=1e-12)
    for p in sorted(DEMO.glob("*.json")):
        r = runner.invoke(app, ["check", "1a=0.5", "--key", str(p)])
        assert r.exit_code == 0, r.output


def test_check_refuses_a_hand_edited_key(tmp_path):
    p = tmp_path / "ada01.json"
    shutil.copyfile(DEMO / "ada01.json", p)
    _edit(p, "1a", lambda a: 0.9)
    r = runner.invoke(app, ["check", "1a=0.9", "--key", str(p)])
    _one_error(r, str(p), "'1a'", "0.9")
    # a later question, changed in its 7th significant digit, is also refused
    shutil.copyfile(DEMO / "obrien02.json", p)
    _edit(p, "2a", lambda a: a * (1 + 1e-7))
    _one_error(runner.invoke(app, ["check", "1a=0.5", "--key", str(p)]), str(p), "'2a'")


def test_float_noise_below_the_tolerance_is_not_an_edit(tmp_path):
    p = tmp_path / "ada01.json"
    shutil.copyfile(DEMO / "ada01.json", p)
    _edit(p, "1a", lambda a: a * (1 + 1e-12))
    assert runner.invoke(app, ["check", "1a=0.5", "--key", str(p)]).exit_code == 0


def test_grade_refuses_a_hand_edited_key_with_or_without_the_index(exam, tmp_path):
    subs = exam.parent / "subs.csv"
    for index in (True, False):
        keys = _copy(exam, tmp_path / f"i{index}", index)
        _edit(keys / "s003.json", "1a", lambda a: 0.9)
        assert read_index(keys) is None  # the index no longer matches: the JSON keys are read
        r = runner.invoke(app, ["grade", str(subs), "--keys", str(keys), "--out", str(tmp_path / f"g{index}")])
        _one_error(r, "s003.json", "'1a'")
        with pytest.raises(ExgenError, match=r"s003\.json: question '1a'"):
            grade_files(subs, keys, tmp_path / f"h{index}")


def test_an_index_whose_answers_are_not_the_specs_is_not_trusted(exam, tmp_path):
    keys = _copy(exam, tmp_path / "t")
    index = keys.parent / INDEX
    with np.load(index, allow_pickle=False) as z:
        a = {k: z[k] for k in z.files}
    assert read_index(keys) is not None
    row = int(a["row"][list(a["files"]).index("s004.json")])
    gi = int(a["group"][list(a["files"]).index("s004.json")])
    a[f"g{gi}_answer"][row, 0] = 0.9
    np.savez(index, **a)
    assert read_index(keys) is None  # graded from the JSON keys, which are right
    res, _ = grade_files(exam.parent / "subs.csv", keys, tmp_path / "g")
    assert res.verdicts("s004")[0].expected != 0.9
