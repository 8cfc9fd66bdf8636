"""exgen.textio.HashingWriter (the thread that writes and hashes each output CSV while the next
chunk is made): the bytes and SHA-256 of a plain sequential write, and every error where the
caller sees it, with no output folder left half written."""
import hashlib
import os
import random
import threading
from pathlib import Path

import pytest

from exgen.grading.csvcells import write_chunks
from exgen.manifest import _record
from exgen.textio import HashingWriter


def _writers() -> int:
    return sum(t.name == "exgen-writer" for t in threading.enumerate())


@pytest.mark.parametrize("ahead", [1, 2, 8])
def test_bytes_and_hash_are_those_of_a_plain_write(tmp_path, ahead):
    rng = random.Random(ahead)
    parts = [bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 7, 5000, 70000]))) for _ in range(40)]
    with HashingWriter(tmp_path / "x.bin", ahead=ahead) as w:
        for p in parts:
            w.write(p)
    assert (tmp_path / "x.bin").read_bytes() == b"".join(parts)
    assert w.sha256 == hashlib.sha256(b"".join(parts)).hexdigest()
    assert _writers() == 0


def test_write_chunks_records_the_hash_of_the_utf8_text(tmp_path):
    chunks = ["a,b\n", "é,\"x\"\n" * 1000, "", "漢字\n" * 30000]
    write_chunks(tmp_path / "t.csv", "h\n", chunks)
    data = ("h\n" + "".join(chunks)).encode("utf-8")
    assert (tmp_path / "t.csv").read_bytes() == data
    st = (tmp_path / "t.csv").lstat()
    assert _record(tmp_path, "t.csv", st) == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_an_error_opening_the_file_is_raised_at_once(tmp_path):
    with pytest.raises(FileNotFoundError) as plain:
        open(tmp_path / "no" / "x.csv", "wb")
    with pytest.raises(FileNotFoundError) as got:
        HashingWriter(tmp_path / "no" / "x.csv")
    assert str(got.value) == str(plain.value) and _writers() == 0


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (a device that is always full)")
def test_a_full_disk_is_the_callers_error_as_with_a_plain_write():
    with pytest.raises(OSError) as plain:
        with open("/dev/full", "wb") as f:
            f.write(b"x" * (1 << 20))
    with pytest.raises(OSError) as got:
        with HashingWriter(Path("/dev/full")) as w:
            for _ in range(50):  # raised at a later write or when the block ends
                w.write(b"x" * (1 << 20))
    assert (type(got.value), got.value.errno) == (type(plain.value), plain.value.errno)
    assert _writers() == 0


class _Broken:
    """A hash that fails at its third chunk (as a write to a full disk would)."""

    def __init__(self):
        self.n = 0

    def update(self, b):
        self.n += 1
        if self.n == 3:
            raise OSError(28, "No space left on device")


def test_an_error_in_the_thread_leaves_no_grades_folder(tmp_path, monkeypatch):
    import exgen.textio
    from exgen.grading.outputs import write_all
    from exgen.grading.grade import grade_submissions
    from exgen.grading.read import read_submissions
    from grading_helpers import example_key
    key = example_key("seed002-2-2-1", "a")
    sub = tmp_path / "sub.csv"
    sub.write_text("student_id,question_id,answer\n" + "".join(
        f"s{i},{q['id']},{q['answer'] * (1 + i % 3)}\n" for i in range(20) for q in key["questions"]), encoding="utf-8")
    res = grade_submissions(read_submissions(sub, known_qids={q["id"] for q in key["questions"]}),
                            {f"s{i}": key for i in range(20)})
    monkeypatch.setattr(exgen.textio.hashlib, "sha256", _Broken)
    with monkeypatch.context() as m:
        m.setattr("exgen.grading.csvout.CHUNK", 3)  # several chunks
        with pytest.raises(OSError, match="No space left"):
            write_all(res, tmp_path / "grades", feedback=False, report=False)
    assert not (tmp_path / "grades").exists() and _writers() == 0


def test_an_error_of_the_caller_stops_the_thread(tmp_path):
    with pytest.raises(KeyError):
        with HashingWriter(tmp_path / "x.bin", ahead=1) as w:
            for _ in range(5):
                w.write(b"y" * 100000)
            raise KeyError("while making a chunk")
    assert _writers() == 0
