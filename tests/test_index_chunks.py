"""The key index (.exam-keys.npz) is built from the key files a chunk at a time
(exgen.grading.indexwrite): whatever the chunk, the same bytes as one chunk of all the keys, for a
folder mixing keys of three exams (other layer sizes, batches and question sets: three groups),
and grading with it gives the same bytes as grading the JSON keys."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from exgen.exam import config
from exgen.exam.build import generate_exam
from exgen.grading.indexwrite import index_bytes
from exgen.grading.keyindex import INDEX, read_index
from exgen.grading.keys import load_keys
from exgen.grading.run import grade_files, sample_submission
from exgen.roster import Student

CONFIGS = config.demo_path().parent
EXAMS = {"demo.yaml": 4, "minibatch.yaml": 3, "wide.yaml": 3}  # config -> students
# wide.yaml: the demo exam with a 3-4-2 network (written below). (A matrix exam's index:
# tests/test_grading_keyindex.py.)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """One folder of keys from three exams, their student ids interleaved (k00 demo, k01
    minibatch, k02 matrix, k03 demo, ...); and the config of each key file."""
    tmp = tmp_path_factory.mktemp("chunks")
    folder = tmp / "answer_keys"
    folder.mkdir()
    wide = tmp / "wide.yaml"
    wide.write_text(config.demo_path().read_text(encoding="utf-8").replace("layers: [2, 2, 2]", "layers: [3, 4, 2]"),
                    encoding="utf-8")
    source = {}
    for e, (name, n) in enumerate(EXAMS.items()):
        ids = [f"k{e + len(EXAMS) * i:02d}" for i in range(n)]
        out = tmp / name.removesuffix(".yaml")
        cfg = config.load(wide if name == "wide.yaml" else CONFIGS / name)
        generate_exam(cfg, [Student(i, f"Student {i}") for i in ids], out, pdf=False, jobs=1)
        for i in ids:
            shutil.copyfile(out / "answer_keys" / f"{i}.json", folder / f"{i}.json")
            source[f"{i}.json"] = name
    return folder, source


def _index(folder: Path, chunk: int) -> bytes:
    names = [p.name for p in folder.glob("*.json")]
    return index_bytes(names, lambda n: (folder / n).read_bytes(), "mixed", "answer_keys", chunk)


def test_the_index_is_the_same_bytes_whatever_the_chunk(mixed):
    folder, source = mixed
    whole = _index(folder, 10_000)  # one chunk holds every key
    for chunk in (1, 2, 4, 9, len(source), 250):
        assert _index(folder, chunk) == whole, chunk


def test_the_chunked_index_has_the_groups_in_file_order(mixed, tmp_path):
    folder, source = mixed
    path = tmp_path / "i.npz"
    path.write_bytes(_index(folder, 1))
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(z["meta"].tobytes().decode("utf-8"))
        files, group, row = z["files"].tolist(), z["group"], z["row"]
        sizes = {n: z[f"g{g}_answer"].shape for g, n in enumerate(EXAMS)}
        x = [z[f"g{g}_x"].shape for g in range(3)]
        w0 = [z[f"g{g}_W0"].shape for g in range(3)]
    names = sorted(source)
    assert files == names
    order = list(dict.fromkeys(source[n] for n in names))  # the configs in the order of their first key
    assert order == list(EXAMS) and len(meta["groups"]) == 3
    for gi, cfg in enumerate(order):
        mine = [n for n in names if source[n] == cfg]
        assert meta["groups"][gi]["first"] == mine[0]
        assert [files[i] for i in np.flatnonzero(group == gi)] == mine
        assert row[group == gi].tolist() == list(range(len(mine)))
        assert sizes[cfg][0] == EXAMS[cfg]
    assert [s[1:] for s in x] == [(1, 2), (3, 2), (1, 3)]  # (batch, inputs) of demo, minibatch, wide
    assert [s[1:] for s in w0] == [(2, 2), (2, 2), (4, 3)]  # the first layer's weights


def test_grading_with_the_chunked_index_gives_the_same_bytes(mixed, tmp_path):
    folder, _ = mixed
    with_index = tmp_path / "with" / "answer_keys"
    shutil.copytree(folder, with_index)
    (with_index.parent / INDEX).write_bytes(_index(with_index, 1))
    got = read_index(with_index)
    assert got is not None and len(got.prepared.groups) == 3
    subs = tmp_path / "subs.csv"
    sample_submission(load_keys(folder), subs)
    grade_files(subs, with_index, tmp_path / "g1")
    assert read_index(folder) is None
    grade_files(subs, folder, tmp_path / "g2")
    a, b = ({p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}
            for d in (tmp_path / "g1", tmp_path / "g2"))
    assert "answers.csv" in a and a == b
