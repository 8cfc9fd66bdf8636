"""The exam-wide key index (.exam-keys.npz): grading with it gives the same bytes as grading the
JSON keys, and a stale, partial or damaged index is never trusted."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from exgen.grading.keyindex import INDEX, read_index
from exgen.grading.run import grade_files

from conftest import generated_exam  # noqa: E402

runner = CliRunner()


@pytest.fixture(scope="module")
def exam(tmp_path_factory) -> Path:
    return generated_exam(tmp_path_factory.mktemp("kidx"), 7)


def _files(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def _copy(exam: Path, to: Path, index: bool) -> Path:
    """The exam's keys (and its index, if `index`) in a fresh folder: new mtimes, same bytes."""
    (to / "answer_keys").mkdir(parents=True)
    for p in (exam / "answer_keys").glob("*.json"):
        shutil.copyfile(p, to / "answer_keys" / p.name)
    if index:
        shutil.copy2(exam / INDEX, to / INDEX)  # older than the copied keys: their hashes are checked
    return to / "answer_keys"


def test_generate_writes_an_index_that_grading_uses(exam):
    got = read_index(exam / "answer_keys")
    assert got is not None and sorted(got) == [f"s00{i}" for i in range(1, 8)]
    assert got["s003"] == json.loads((exam / "answer_keys/s003.json").read_text(encoding="utf-8"))


def test_grading_with_and_without_the_index_gives_identical_bytes(exam, tmp_path):
    subs = exam.parent / "subs.csv"
    grade_files(subs, exam / "answer_keys", tmp_path / "with")
    plain = _copy(exam, tmp_path / "plain", index=False)
    assert read_index(plain) is None
    grade_files(subs, plain, tmp_path / "without")
    a, b = _files(tmp_path / "with"), _files(tmp_path / "without")
    assert "answers.csv" in a and any(k.startswith("feedback/") for k in a)
    assert a == b


def test_feedback_from_the_index_keeping_one_key_at_a_time_is_the_same(exam, tmp_path, monkeypatch):
    """Feedback reads each key from its file (LazyKeys) and keeps only the last few keys and worked
    solutions: with one of each kept, the grade folder is still that of the JSON keys."""
    from exgen.grading import keyindex, outputs
    subs = exam.parent / "subs.csv"
    grade_files(subs, _copy(exam, tmp_path / "plain", index=False), tmp_path / "without")
    monkeypatch.setattr(keyindex.LazyKeys, "KEPT", 1)
    monkeypatch.setattr(outputs, "WORKED_KEPT", 1)
    res, _ = grade_files(subs, exam / "answer_keys", tmp_path / "with")
    assert isinstance(res.groups[0].group.keys, keyindex.LazyKeys)  # graded from the index
    assert _files(tmp_path / "with") == _files(tmp_path / "without")


def test_a_copied_folder_with_the_same_bytes_still_uses_the_index(exam, tmp_path):
    assert read_index(_copy(exam, tmp_path / "c", index=True)) is not None


def test_an_edited_missing_or_extra_key_is_not_graded_from_the_index(exam, tmp_path):
    subs = exam.parent / "subs.csv"
    keys = _copy(exam, tmp_path / "e", index=True)
    p = keys / "s002.json"
    key = json.loads(p.read_text(encoding="utf-8"))
    key["questions"][0]["points"] = 3  # an edited answer is refused (tests/test_key_check.py)
    p.write_text(json.dumps(key, indent=2) + "\n", encoding="utf-8")
    assert read_index(keys) is None
    res, _ = grade_files(subs, keys, tmp_path / "g")
    assert res.verdicts("s002")[0].points == 3
    # a key missing, or one more key than the index has
    keys2 = _copy(exam, tmp_path / "m", index=True)
    (keys2 / "s004.json").unlink()
    assert read_index(keys2) is None
    keys3 = _copy(exam, tmp_path / "x", index=True)
    shutil.copyfile(keys3 / "s001.json", keys3 / "s099.json")
    assert read_index(keys3) is None


def test_a_same_size_edit_is_noticed_by_its_hash(exam, tmp_path):
    keys = _copy(exam, tmp_path / "s", index=True)
    p = keys / "s005.json"
    text = p.read_text(encoding="utf-8")
    i = next(i for i, c in enumerate(text) if c.isdigit() and c != "9")
    p.write_text(text[:i] + "9" + text[i + 1:], encoding="utf-8")
    st = os.stat(tmp_path / "s" / INDEX)
    assert os.stat(p).st_mtime_ns > st.st_mtime_ns
    assert read_index(keys) is None


def test_a_damaged_or_foreign_index_is_ignored(exam, tmp_path):
    keys = _copy(exam, tmp_path / "d", index=False)
    (tmp_path / "d" / INDEX).write_bytes(b"not a zip")
    assert read_index(keys) is None
    # arrays that fail the checks (a non-finite answer) are not trusted
    with np.load(exam / INDEX, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["g0_answer"] = arrays["g0_answer"].copy()
    arrays["g0_answer"][3, 2] = np.nan
    np.savez(tmp_path / "d" / INDEX, **arrays)
    assert read_index(keys) is None
    # another folder name than the one the index was written for
    other = tmp_path / "o" / "keys"
    shutil.copytree(exam / "answer_keys", other)
    shutil.copy2(exam / INDEX, tmp_path / "o" / INDEX)
    assert read_index(other) is None


def test_keys_from_an_earlier_release_without_an_index_still_grade(exam, tmp_path):
    keys = _copy(exam, tmp_path / "old", index=False)
    res, _ = grade_files(exam.parent / "subs.csv", keys, tmp_path / "g")
    assert len(res.students) == 7


def _rewrite(exam: Path, to: Path, change) -> Path:
    """The exam's keys with its index's arrays changed by `change(arrays, meta)` (written as an .npz)."""
    keys = _copy(exam, to, index=False)
    with np.load(exam / INDEX, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
    change(arrays, meta)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(to / INDEX, **arrays)
    return keys


def test_an_index_of_version_1_is_still_read_and_grades_the_same(exam, tmp_path):
    def v1(arrays, meta):
        meta["version"] = 1
        for g in meta["groups"]:
            g.pop("slips")
        for k in [k for k in arrays if k.endswith(("_rounded", "_gaps", "_slipq", "_slips"))]:
            del arrays[k]
    keys = _rewrite(exam, tmp_path / "v1", v1)
    got = read_index(keys)
    assert got is not None and got.prepared.groups[0].distract is not None  # computed from the keys
    subs = exam.parent / "subs.csv"
    grade_files(subs, keys, tmp_path / "g1")
    grade_files(subs, _copy(exam, tmp_path / "plain", index=False), tmp_path / "g0")
    assert _files(tmp_path / "g1") == _files(tmp_path / "g0")


def test_stored_cuts_that_are_not_the_first_keys_own_are_recomputed(exam, tmp_path):
    got = read_index(exam / "answer_keys")
    assert got is not None and got.prepared.groups[0].distract is None  # version 2: the stored cuts

    def moved(arrays, meta):
        first = meta["groups"][0]["first"]
        k0 = int(arrays["row"][arrays["files"].tolist().index(first)])
        arrays["g0_gaps"] = arrays["g0_gaps"].copy()
        arrays["g0_gaps"][0, k0] *= 2  # the first key's windows twice as wide as this exgen computes
    g = read_index(_rewrite(exam, tmp_path / "w", moved)).prepared.groups[0]
    assert g.distract is not None  # recomputed from the networks, not taken from the index


def test_an_index_of_version_2_is_still_read_and_writes_the_same_answers(exam, tmp_path):
    got = read_index(exam / "answer_keys")
    t = got.prepared.groups[0].expected_text  # version 3: the expected values as answers.csv writes them
    E = got.prepared.groups[0].expected
    assert t is not None and t.tolist() == [[("%.12g" % v).encode() for v in row] for row in E.tolist()]

    def v2(arrays, meta):
        meta["version"] = 2
        for k in [k for k in arrays if k.endswith("_answer_text")]:
            del arrays[k]
    keys = _rewrite(exam, tmp_path / "v2", v2)
    got = read_index(keys)
    assert got is not None and got.prepared.groups[0].expected_text is None  # formatted while writing
    subs = exam.parent / "subs.csv"
    grade_files(subs, keys, tmp_path / "g2")
    grade_files(subs, exam / "answer_keys", tmp_path / "g3")
    assert _files(tmp_path / "g2") == _files(tmp_path / "g3")


def test_stored_answer_texts_that_are_not_the_first_keys_own_are_not_used(exam, tmp_path):
    def moved(arrays, meta):
        first = meta["groups"][0]["first"]
        k0 = int(arrays["row"][arrays["files"].tolist().index(first)])
        arrays["g0_answer_text"] = arrays["g0_answer_text"].copy()
        arrays["g0_answer_text"][k0, 1] = b"0.5"
    got = read_index(_rewrite(exam, tmp_path / "t", moved))
    assert got is not None and got.prepared.groups[0].expected_text is None


def test_a_matrix_exam_is_graded_from_its_index_exactly_as_from_its_keys(tmp_path):
    """Shape questions (answers "4x3", NaN in the index): the index is used, its shape answers those
    of each group's first key, and every output is the bytes of grading the JSON keys."""
    import csv

    from exgen.exam import config
    from exgen.exam.build import generate_exam
    from exgen.grading.keys import load_keys
    from exgen.grading.run import sample_submission
    from exgen.roster import Student
    exam = tmp_path / "matrix"
    generate_exam(config.load(config.demo_path().with_name("matrix.yaml")),
                  [Student(f"m{i}", f"M {i}") for i in range(5)], exam, pdf=False, jobs=1)
    keys = load_keys(exam / "answer_keys")
    subs = sample_submission(keys, tmp_path / "subs.csv")
    rows = list(csv.reader(open(subs, newline="", encoding="utf-8")))
    forms = ["{r}x{c}", "{r}×{c}", "({r}, {c})", "{c}x{r}", "{r}x{r}", "four", ""]  # as written, transposed, wrong, invalid
    for i, r in enumerate(rows[1:]):
        q = next(q for q in keys[r[0]]["questions"] if q["id"] == r[1])
        if q["ref"].startswith("/shapes/"):
            rr, cc = q["answer"].split("x")
            r[2] = forms[i % len(forms)].format(r=rr, c=cc)
    with open(subs, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    got = read_index(exam / "answer_keys")
    assert got is not None
    g = got.prepared.groups[0]
    assert g.shape_cols and g.shape_answers == [[tuple(map(int, keys["m0"]["questions"][q]["answer"].split("x")))
                                                 for q in g.shape_cols]] * 5
    grade_files(subs, exam / "answer_keys", tmp_path / "with")
    grade_files(subs, _copy(exam, tmp_path / "plain", index=False), tmp_path / "without")
    a, b = _files(tmp_path / "with"), _files(tmp_path / "without")
    assert "answers.csv" in a and a == b
    assert b",transposed_shape," in a["answers.csv"] and b",correct," in a["answers.csv"]
