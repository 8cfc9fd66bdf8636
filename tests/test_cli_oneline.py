"""Issue 9: every failure is one line `Error: ...` on stderr with exit 1 -- usage errors too, and
unexpected exceptions (the last line of defence); --help still works; EXGEN_DEBUG=1 re-raises."""
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from exgen.cli import app

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
    import exgen.engine

    def boom(spec):
        raise exc
    monkeypatch.setattr(exgen.engine, "solve", boom)
    spec = tmp_path / "net.json"
    spec.write_text('{"layers": [1, 1], "activations": ["linear"], "loss": "half_sse", "learning_rate": 0.1,'
                    ' "x": [1], "y": [1], "weights": [[[0.5]]]}')
    for cmd in ("solve", "explain"):
        r = runner.invoke(app, [cmd, str(spec)])
        one_line_error(r, f"Error: {spec}: internal error: {type(exc).__name__}", "please report this")


def test_unexpected_exception_in_a_reader_names_that_file(monkeypatch, tmp_path):
    import zipfile

    import exgen.selfcheck

    def boom(path):
        raise zipfile.BadZipFile("File is not a zip file")
    monkeypatch.setattr(exgen.selfcheck, "load_key", boom)
    key = tmp_path / "k.json"
    r = runner.invoke(app, ["check", "1a=1", "--key", str(key)])
    one_line_error(r, f"Error: {key}: internal error: BadZipFile: File is not a zip file; please report this")


def test_unexpected_exception_during_practice_session(monkeypatch):
    import exgen.practice

    def boom(self, raw):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(exgen.practice.Session, "submit", boom)
    r = runner.invoke(app, ["practice", "--preset", "aksoy-2-2-1", "--seed", "1"], input="0.5\n")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert r.output.strip().splitlines()[-1] == ("Error: internal error: ZeroDivisionError: division by zero; "
                                                  "please report this")


def test_exgen_debug_reraises(monkeypatch):
    import exgen.engine

    def boom(spec):
        raise RecursionError("deep")
    monkeypatch.setattr(exgen.engine, "solve", boom)
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
