"""Output folders exgen owns (exgen.outdir): it replaces or deletes only what it wrote itself,
refuses inputs and foreign files, locks, survives interruptions, and honours the umask."""
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exgen.cli.main import app
from exgen.errors import ExgenError
from exgen.outdir import LOCK, MANIFEST, READY, STAGING, OutputDir

runner = CliRunner()


def _files(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "exam.yaml"
    if not cfg.exists():
        assert runner.invoke(app, ["init-config", str(cfg)]).exit_code == 0
    return cfg


def _gen(tmp_path: Path, out: Path, *extra: str):
    return runner.invoke(app, ["generate", str(_config(tmp_path)), "--out", str(out), "--no-pdf", *extra])


def _one_error_line(r, *needles: str) -> None:
    assert r.exit_code == 1, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.output
    for n in needles:
        assert n in r.output, (n, r.output)


@pytest.fixture
def exam(tmp_path):
    out = tmp_path / "exam1"
    r = _gen(tmp_path, out, "--count", "3")
    assert r.exit_code == 0, r.output
    return out


def _submissions(exam: Path) -> Path:
    sub = exam.parent / "answers.csv"
    sub.write_text("student_id,question_id,answer\ns001,1a,0.5\n", encoding="utf-8")
    return sub


def test_grading_into_the_exam_folder_is_refused_and_deletes_nothing(exam):
    before = _files(exam)
    for out in (exam, exam / "answer_keys", exam / "answer_keys" / "grades"):
        r = runner.invoke(app, ["grade", str(_submissions(exam)), "--keys", str(exam / "answer_keys"),
                                "--out", str(out), "--force"])
        _one_error_line(r, "input of this run", "--keys")
        assert _files(exam) == before


def test_out_dot_is_refused_and_leaves_no_temporary_folder(exam, monkeypatch):
    before = _files(exam)
    monkeypatch.chdir(exam)
    r = runner.invoke(app, ["grade", str(_submissions(exam)), "--keys", "answer_keys", "--out", ".", "--force"])
    _one_error_line(r)
    assert _files(exam) == before
    assert sorted(os.listdir(exam.parent)) == ["answers.csv", "exam.yaml", "exam1"]


def test_grades_of_an_exam_written_beside_it_then_regrading_needs_force(exam):
    sub = _submissions(exam)
    args = ["grade", str(sub), "--keys", str(exam / "answer_keys"), "--out", str(exam / "grades")]
    assert runner.invoke(app, args).exit_code == 0
    _one_error_line(runner.invoke(app, args), "--force")
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    # regenerating the exam leaves the grades (their own run, their own record) alone
    grades = _files(exam / "grades")
    assert _gen(exam.parent, exam, "--count", "3", "--force").exit_code == 0
    assert _files(exam / "grades") == grades


def test_a_shorter_roster_removes_the_students_no_longer_on_it(tmp_path):
    out = tmp_path / "exam1"
    assert _gen(tmp_path, out, "--count", "5").exit_code == 0
    assert _gen(tmp_path, out, "--count", "3", "--force").exit_code == 0
    for folder, ext in (("sheets", ".tex"), ("keys", ".tex"), ("answer_keys", ".json")):
        assert sorted(p.name for p in (out / folder).iterdir()) == [f"s00{i}{ext}" for i in (1, 2, 3)]


def test_pdfs_of_a_previous_run_go_when_the_rerun_has_none(tmp_path, monkeypatch):
    from exgen.exam import pdf
    monkeypatch.setattr(pdf, "check_tex", lambda *a, **k: None)
    monkeypatch.setattr(pdf, "compile_batch", lambda parts, jobs, on_part=None, warnings=None: [b"%PDF-1.4 stand-in"] * len(parts))
    monkeypatch.setattr(pdf, "print_bundle", lambda pdfs: (b"%PDF-1.4 stand-in", 0))
    out = tmp_path / "exam1"
    r = runner.invoke(app, ["generate", str(_config(tmp_path)), "--out", str(out), "--count", "2"])
    assert r.exit_code == 0, r.output
    assert (out / "sheets" / "s001.pdf").is_file()
    assert _gen(tmp_path, out, "--count", "2", "--force").exit_code == 0
    assert not list(out.rglob("*.pdf")) and (out / "sheets" / "s001.tex").is_file()


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_with_files_exgen_did_not_write_is_refused(tmp_path, force):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    r = _gen(tmp_path, out, "--count", "2", *(["--force"] if force else []))
    _one_error_line(r, "thesis.tex", "did not write")
    assert _files(out) == {"thesis.tex": b"years of work"}


def test_a_file_added_or_edited_in_an_exam_folder_is_never_replaced(exam):
    (exam / "notes.txt").write_text("mine")
    _one_error_line(_gen(exam.parent, exam, "--count", "3", "--force"), "notes.txt")
    (exam / "notes.txt").unlink()
    key = exam / "answer_keys" / "s002.json"
    key.write_text(key.read_text().replace('"version"', '"version" ', 1))
    edited = _files(exam)
    _one_error_line(_gen(exam.parent, exam, "--count", "3", "--force"), "changed since", "s002.json")
    assert _files(exam) == edited


def test_an_exam_folder_is_not_a_grades_folder(exam, tmp_path):
    keys = tmp_path / "keys_copy"
    keys.mkdir()
    for p in (exam / "answer_keys").iterdir():
        (keys / p.name).write_bytes(p.read_bytes())
    before = _files(exam)
    r = runner.invoke(app, ["grade", str(_submissions(exam)), "--keys", str(keys), "--out", str(exam), "--force"])
    _one_error_line(r, "holds an exam")
    assert _files(exam) == before


def test_an_input_inside_the_output_folder_is_refused(tmp_path):
    out = tmp_path / "exam1"
    out.mkdir()
    cfg = out / "exam.yaml"
    assert runner.invoke(app, ["init-config", str(cfg)]).exit_code == 0
    r = runner.invoke(app, ["generate", str(cfg), "--out", str(out), "--no-pdf", "--count", "2", "--force"])
    _one_error_line(r, "CONFIG")
    assert _files(out) == {"exam.yaml": cfg.read_bytes()}


def test_a_second_run_into_a_locked_folder_stops_and_leaves_the_first_alone(exam, tmp_path):
    grades = tmp_path / "grades"
    with OutputDir(grades, "grades") as stage:
        (stage / "answers.csv").write_text("first run\n")
        r = runner.invoke(app, ["grade", str(_submissions(exam)), "--keys", str(exam / "answer_keys"),
                                "--out", str(grades), "--force"])
        _one_error_line(r, "another exgen run")
    assert _files(grades) == {MANIFEST: _files(grades)[MANIFEST], "answers.csv": b"first run\n"}
    assert not (grades / LOCK).exists()


def test_an_error_during_the_run_keeps_the_old_output_and_a_new_folder_is_not_left(exam, tmp_path):
    before = _files(exam)
    with pytest.raises(RuntimeError):
        with OutputDir(exam, "exam", force=True) as stage:
            (stage / "exam.json").write_text("half")
            raise RuntimeError("disk full")
    assert _files(exam) == before
    with pytest.raises(RuntimeError):
        with OutputDir(tmp_path / "new", "grades"):
            raise RuntimeError("bad answers")
    assert not (tmp_path / "new").exists()


def test_the_refusal_comes_before_any_work(exam, tmp_path):
    with pytest.raises(ExgenError):
        with OutputDir(exam, "exam") as _:  # no --force
            raise AssertionError("the body must not run")


_KILLER = textwrap.dedent("""
    import os, signal, sys
    import exgen.{module} as m
    calls = [0]
    real = m.{func}
    def dying(*a, **k):
        calls[0] += 1
        if calls[0] == {after}:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*a, **k)
    m.{func} = dying
    from exgen.cli.main import app
    app(sys.argv[1:])
""")


def _killed_run(module: str, func: str, after: int, *args: str) -> None:
    code = _KILLER.format(module=module, func=func, after=after)
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True)
    assert p.returncode == -signal.SIGKILL, p.stderr.decode()


def test_kill_9_while_writing_leaves_the_old_exam_and_the_next_run_cleans_up(exam):
    before = _files(exam)
    cfg = str(exam.parent / "exam.yaml")
    _killed_run("exam.students", "write", 7, "generate", cfg, "--out", str(exam), "--no-pdf", "--count", "5", "--force")
    assert (exam / STAGING).is_dir()  # the killed run's partial files are in its staging folder only
    assert {k: v for k, v in _files(exam).items() if not k.startswith((STAGING, LOCK))} == before
    assert _gen(exam.parent, exam, "--count", "5", "--force").exit_code == 0
    assert not (exam / STAGING).exists() and len(list((exam / "answer_keys").iterdir())) == 5


def test_kill_9_in_a_new_folder_leaves_no_exam(tmp_path):
    out = tmp_path / "exam1"
    _killed_run("exam.students", "write", 7, "generate", str(_config(tmp_path)), "--out", str(out), "--no-pdf", "--count", "5")
    assert not (out / "answer_keys").exists() and not (out / "exam.json").exists()
    r = runner.invoke(app, ["grade", str(tmp_path / "exam.yaml"), "--keys", str(out / "answer_keys"),
                            "--out", str(tmp_path / "g")])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert _gen(tmp_path, out, "--count", "5").exit_code == 0  # no --force needed: nothing was kept


def test_kill_9_while_moving_into_place_is_completed_by_the_next_run(tmp_path):
    out = tmp_path / "exam1"
    assert _gen(tmp_path, out, "--count", "5").exit_code == 0
    _killed_run("outdir", "_merge", 2, "generate", str(_config(tmp_path)), "--out", str(out),
                "--no-pdf", "--count", "3", "--force")
    assert (out / READY).is_dir()
    expected = tmp_path / "expected"
    assert _gen(tmp_path, expected, "--count", "3").exit_code == 0
    assert _gen(tmp_path, out, "--count", "3", "--force").exit_code == 0  # completes, then reruns
    assert _files(out) == _files(expected)


def test_files_get_the_users_umask(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "exam1"
        assert _gen(tmp_path, out, "--count", "1").exit_code == 0
        for p in [tmp_path / "exam.yaml", *out.rglob("*")]:
            want = 0o755 if p.is_dir() else 0o644
            assert p.stat().st_mode & 0o777 == want, p
    finally:
        os.umask(old)


def test_a_rerun_writes_the_same_bytes_manifest_included(exam):
    first = _files(exam)
    assert _gen(exam.parent, exam, "--count", "3", "--force").exit_code == 0
    assert _files(exam) == first and MANIFEST in first


def _claim(exam: Path, rel: str, target: Path) -> None:
    """Hand-edit the exam's manifest so that it claims `rel` with `target`'s exact size and hash."""
    import hashlib
    import json
    m = json.loads((exam / MANIFEST).read_text())
    data = target.read_bytes()
    m["files"][rel] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (exam / MANIFEST).write_text(json.dumps(m))


@pytest.mark.parametrize("how", ["dotdot", "absolute", "dot_part"])
def test_a_manifest_claiming_a_file_outside_the_folder_deletes_nothing(exam, tmp_path, how):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    rel = {"dotdot": "../victim.txt", "absolute": str(victim), "dot_part": "./../victim.txt"}[how]
    _claim(exam, rel, victim)
    r = _gen(tmp_path, exam, "--count", "2", "--force")
    _one_error_line(r, MANIFEST, "damaged")
    assert victim.read_text() == "precious\n"


def test_a_manifest_reaching_through_a_linked_folder_deletes_nothing(exam, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    victim.write_text("precious\n")
    (exam / "sub").symlink_to(elsewhere)
    _claim(exam, "sub/victim.txt", victim)
    _claim(exam, "sub", victim)
    r = _gen(tmp_path, exam, "--count", "2", "--force")
    _one_error_line(r)
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize("name", [LOCK, READY, STAGING])
def test_planted_links_to_exgens_bookkeeping_touch_nothing_outside(exam, tmp_path, name):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / MANIFEST).write_bytes((exam / MANIFEST).read_bytes())
    (elsewhere / "keep.txt").write_text("mine\n")
    target = elsewhere if name != LOCK else tmp_path / "created_by_the_lock"
    (exam / name).symlink_to(target)
    r = _gen(tmp_path, exam, "--count", "2", "--force")
    _one_error_line(r)
    assert sorted(p.name for p in elsewhere.iterdir()) == sorted([MANIFEST, "keep.txt"])
    assert not (tmp_path / "created_by_the_lock").exists()


@pytest.mark.parametrize("where", ["exam.json", "sheets/s001.tex"])
def test_an_empty_folder_where_a_file_goes_is_refused_and_leaves_nothing_half_moved(tmp_path, where):
    out = tmp_path / "exam1"
    (out / where).mkdir(parents=True)
    r = _gen(tmp_path, out, "--count", "2")
    _one_error_line(r, where)
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert left == sorted({where, *(Path(where).parent.as_posix() for _ in [0] if "/" in where)}), left


def test_an_exam_whose_record_claims_to_be_grades_is_not_replaced_by_grades(exam, tmp_path):
    import json
    m = json.loads((exam / MANIFEST).read_text())
    m["kind"] = "grades"
    (exam / MANIFEST).write_text(json.dumps(m))
    other = tmp_path / "other"
    assert _gen(tmp_path, other, "--count", "3").exit_code == 0
    before = _files(exam)
    r = runner.invoke(app, ["grade", str(_submissions(other)), "--keys", str(other / "answer_keys"),
                            "--out", str(exam), "--force", "--no-report"])
    _one_error_line(r, MANIFEST)
    assert _files(exam) == before


def test_a_hash_noted_while_writing_is_used_only_for_the_file_as_noted(tmp_path):
    """manifest.hashed: the record of a file is the SHA-256 of its bytes on disk, whether the hash
    was noted while writing or the file changed after the note (then it is read again)."""
    import hashlib

    from exgen.manifest import _record, hashed
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(b"1,2\n")
    hashed(a, hashlib.sha256(b"1,2\n").hexdigest())
    b.write_bytes(b"3,4\n")
    hashed(b, "0" * 64)  # a stale note: the file is written again after it
    b.write_bytes(b"5,6,7\n")
    os.utime(b, ns=(1, 1))
    for p in (a, b):
        assert _record(tmp_path, p.name, p.lstat()) == {"size": p.stat().st_size,
                                                        "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
