"""Issue 9: every failure is one line `Error: ...` on stderr with exit 1 -- usage errors too, and
unexpected exceptions (the last line of defence); --help still works; EXGEN_DEBUG=1 re-raises."""
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from exgen.cli.main import app

runner = CliRunner()


def one_line_error(r, *needles):
    assert r.exit_code == 1, (r.exit_code, r.output)
    assert r.output.startswith("Error: ") and len(r.output.strip().splitlines()) == 1, r.output
    assert "Traceback" not in r.output
    for n in needles:
        assert n in r.output, (n, r.output)


@pytest.mark.parametrize("args, needles", [
    (["generate", "exam.yaml", "--count", "0", "--out", "x"], ["--count", "(see: exgen generate --help)"]),
    (["generate"], ["Missing argument", "(see: exgen generate --help)"]),
    (["solve", "--bogus"], ["No such option: --bogus", "(see: exgen solve --help)"]),
    (["solve", "-e", "seed002-2-2-1", "--letters", "x/y"], ["--letters", "'x/y'"]),
    (["grade", "a.csv", "--keys", "k", "--out", "o", "--carried-credit", "5"], ["--carried-credit", "between 0 and 1"]),
    (["grade", "a.csv", "--keys", "k", "--out", "o", "--carried-credit", "nan"], ["--carried-credit"]),
    (["check", "1a=1"], ["--key", "(see: exgen check --help)"]),
    (["nosuch"], ["No such command", "(see: exgen --help)"]),
    (["practice", "--seed", "x"], ["--seed"]),
    (["demo", "--no-pdf", "--out"], ["--out"]),
])
def test_usage_errors_are_one_line_exit_1(args, needles):
    one_line_error(runner.invoke(app, args), *needles)


@pytest.mark.parametrize("args", [[], ["--help"], ["generate", "--help"], ["grade", "--help"], ["practice", "--help"]])
def test_help_still_exits_0(args):
    r = runner.invoke(app, args)
    assert r.exit_code == 0 and "Usage" in r.output and "Error" not in r.output, r.output


def test_usage_error_goes_to_stderr():
    r = runner.invoke(app, ["solve", "--bogus"])
    assert r.stdout == "" and r.stderr.startswith("Error: ")


def test_console_script_usage_error_and_help():
    """The real entry point (python -m exgen) behaves as CliRunner does."""
    env = {**os.environ, "EXGEN_DEBUG": ""}
    p = subprocess.run([sys.executable, "-m", "exgen", "generate", "x.yaml", "--count", "0", "--out", "o"],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 1 and p.stdout == "" and p.stderr.startswith("Error: ") and p.stderr.count("\n") == 1, p
    p = subprocess.run([sys.executable, "-m", "exgen"], capture_output=True, text=True, env=env)
    assert p.returncode == 0 and "Usage" in p.stdout, p


@pytest.mark.parametrize("exc", [RecursionError("maximum recursion depth exceeded"), MemoryError(),
                                 ValueError("deep\ninside"), UnicodeError("bad"), IndexError("oops")])
def test_unexpected_exception_is_one_line_naming_the_file(monkeypatch, tmp_path, exc):
    import exgen.core.solve

    def boom(spec):
        raise exc
    monkeypatch.setattr(exgen.core.solve, "solve", boom)
    spec = tmp_path / "net.json"
    spec.write_text('{"layers": [1, 1], "activations": ["linear"], "loss": "half_sse", "learning_rate": 0.1,'
                    ' "x": [1], "y": [1], "weights": [[[0.5]]]}')
    for cmd in ("solve", "explain"):
        r = runner.invoke(app, [cmd, str(spec)])
        one_line_error(r, f"Error: {spec}: internal error: {type(exc).__name__}", "please report this")


def test_unexpected_exception_in_a_reader_names_that_file(monkeypatch, tmp_path):
    import zipfile

    import exgen.student.selfcheck

    def boom(path):
        raise zipfile.BadZipFile("File is not a zip file")
    monkeypatch.setattr(exgen.student.selfcheck, "load_key", boom)
    key = tmp_path / "k.json"
    key.write_text("{}")
    r = runner.invoke(app, ["check", "1a=1", "--key", str(key)])
    one_line_error(r, f"Error: {key}: internal error: BadZipFile: File is not a zip file; please report this")


def test_unexpected_exception_during_practice_session(monkeypatch):
    import exgen.student.practice

    def boom(self, raw):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(exgen.student.practice.Session, "submit", boom)
    r = runner.invoke(app, ["practice", "--preset", "aksoy-2-2-1", "--seed", "1"], input="0.5\n")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert r.output.strip().splitlines()[-1] == ("Error: internal error: ZeroDivisionError: division by zero; "
                                                  "please report this")


def test_exgen_debug_reraises(monkeypatch):
    import exgen.core.solve

    def boom(spec):
        raise RecursionError("deep")
    monkeypatch.setattr(exgen.core.solve, "solve", boom)
    r = runner.invoke(app, ["solve", "-e", "seed002-2-2-1"], env={"EXGEN_DEBUG": "1"})
    assert isinstance(r.exception, RecursionError)
    r = runner.invoke(app, ["solve", "-e", "seed002-2-2-1"], env={"EXGEN_DEBUG": "0"})
    one_line_error(r, "internal error: RecursionError: deep")


def test_typed_errors_keep_their_message_and_exit_codes_pass_through():
    r = runner.invoke(app, ["solve", "-e", "nope"])
    one_line_error(r, "unknown example 'nope'")
    assert "internal error" not in r.output
    r = runner.invoke(app, ["practice", "--preset", "aksoy-2-2-1", "--seed", "1"], input="q\n")
    assert r.exit_code == 0 and "Stopped" in r.output


# --- paths: missing, wrong kind, unreadable, --out under a file (one line each) ---------------

@pytest.fixture(scope="module")
def exam_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("exam")
    r = runner.invoke(app, ["generate", str(CONFIG), "--count", "2", "--no-pdf", "--out", str(d / "exam")])
    assert r.exit_code == 0, r.output
    return d / "exam"


from pathlib import Path  # noqa: E402

CONFIG = Path(__file__).parents[1] / "exgen" / "exam" / "configs" / "demo.yaml"


def _inputs(exam_dir, bad):
    """Each command with `bad` in the place of one input file."""
    sub, keys, key = exam_dir / "submissions.csv", exam_dir / "answer_keys", exam_dir / "answer_keys" / "s001.json"
    out = str(exam_dir.parent / "never")
    return [
        ["solve", bad], ["solve", bad, "--json"], ["explain", bad],
        ["generate", bad, "--count", "1", "--no-pdf", "--out", out],
        ["generate", str(CONFIG), "--roster", bad, "--no-pdf", "--out", out],
        ["practice", "--config", bad],
        ["grade", bad, "--keys", str(keys), "--out", out],
        ["grade", str(sub), "--keys", str(keys), "--out", out, "--map-file", bad],
        ["grade", str(sub), "--keys", str(keys), "--out", out, "--roster", bad],
        ["check", bad, "--key", str(key)], ["check", "1a=1", "--key", bad],
    ]


@pytest.mark.parametrize("i", range(11))
def test_missing_input_file(exam_dir, tmp_path, i):
    bad = str(tmp_path / "nope.yaml")
    r = runner.invoke(app, _inputs(exam_dir, bad)[i])
    one_line_error(r, f"Error: {bad}: no such")
    assert not (exam_dir.parent / "never").exists()


@pytest.mark.parametrize("i", range(11))
def test_directory_where_a_file_is_expected(exam_dir, tmp_path, i):
    r = runner.invoke(app, _inputs(exam_dir, str(tmp_path))[i])
    one_line_error(r, f"Error: {tmp_path}: ")
    assert "directory" in r.output or "not a file" in r.output
    assert not (exam_dir.parent / "never").exists()


@pytest.mark.parametrize("i", range(11))
def test_unreadable_input_file(exam_dir, tmp_path, monkeypatch, i):
    """Permission denied (simulated: the tests run as root, who reads everything)."""
    import builtins
    import io
    bad = tmp_path / "locked.csv"
    bad.write_text("x\n")
    real = io.open

    def fake_open(file, *a, **k):
        if isinstance(file, (str, os.PathLike)) and Path(file).name == bad.name:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real(file, *a, **k)
    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    r = runner.invoke(app, _inputs(exam_dir, str(bad))[i])
    one_line_error(r, f"Error: {bad}: cannot read (Permission denied)")


def test_unreadable_keys_directory(exam_dir, tmp_path, monkeypatch):
    real = os.scandir
    keys = exam_dir / "answer_keys"

    def fake_scandir(p="."):
        if Path(p) == keys:
            raise PermissionError(13, "Permission denied", os.fspath(p))
        return real(p)
    monkeypatch.setattr(os, "scandir", fake_scandir)
    r = runner.invoke(app, ["grade", str(exam_dir / "submissions.csv"), "--keys", str(keys), "--out", str(tmp_path / "g")])
    one_line_error(r, f"Error: {keys}: cannot read the directory (Permission denied)")


def test_a_file_where_a_directory_is_expected(exam_dir, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = runner.invoke(app, ["grade", str(exam_dir / "submissions.csv"), "--keys", str(f), "--out", str(tmp_path / "g")])
    one_line_error(r, f"Error: {f}: is a file")
    for args in (["generate", str(CONFIG), "--count", "1", "--no-pdf", "--out", str(f), "--force"],
                 ["grade", str(exam_dir / "submissions.csv"), "--keys", str(exam_dir / "answer_keys"), "--out", str(f), "--force"],
                 ["demo", "--no-pdf", "--out", str(f), "--force"]):
        one_line_error(runner.invoke(app, args), f"Error: {f}: is a file, not a directory")
    assert f.read_text() == "x"
    for args in (["init-config", str(tmp_path), "--force"], ["practice", "--pdf", str(tmp_path)]):
        one_line_error(runner.invoke(app, args), f"Error: {tmp_path}: cannot write the ", "is a directory, not a file")


@pytest.mark.parametrize("args", [
    ["generate", str(CONFIG), "--count", "1", "--no-pdf", "--out", "{f}/sub/exam"],
    ["grade", "{sub}", "--keys", "{keys}", "--out", "{f}/grades"],
    ["demo", "--no-pdf", "--out", "{f}/demo"],
    ["init-config", "{f}/exam.yaml"],
    ["practice", "--preset", "aksoy-2-2-1", "--pdf", "{f}/p.pdf"],
])
def test_out_under_a_file(exam_dir, tmp_path, args):
    f = tmp_path / "file"
    f.write_text("x")
    args = [a.format(f=f, sub=exam_dir / "submissions.csv", keys=exam_dir / "answer_keys") for a in args]
    one_line_error(runner.invoke(app, args), f"{f} is a file, not a directory")
    assert f.read_text() == "x" and sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "net.json"
    os.mkfifo(fifo)
    one_line_error(runner.invoke(app, ["solve", str(fifo)]), "not a regular file")


@pytest.mark.parametrize("args", [["--help"], ["solve", "--help"], ["generate", "--help"], ["grade", "--help"],
                                  ["check", "--help"], ["practice", "--help"], ["explain", "--help"],
                                  ["demo", "--help"], ["export", "--help"], ["page", "--help"]])
def test_help_shows_a_flag_without_a_value_type(args):
    """A flag is `--json`, not `--json <bool>` (which reads as if it took true/false)."""
    r = runner.invoke(app, args, terminal_width=100)
    assert r.exit_code == 0 and "<bool>" not in r.output, r.output
    assert "--help" in r.output


def test_a_closed_pipe_is_not_an_error():
    """`exgen solve --json | head -1`: the reader has gone; exgen stops without an `Error:` line."""
    r_fd, w_fd = os.pipe()
    os.close(r_fd)  # the reader is gone before exgen writes
    p = subprocess.run([sys.executable, "-m", "exgen", "solve", "--example", "seed002-2-2-1", "--json"],
                       stdout=w_fd, stderr=subprocess.PIPE, text=True, timeout=120)
    os.close(w_fd)
    assert "Error" not in p.stderr and "Traceback" not in p.stderr, p.stderr
