"""What a new user runs into: every error is one line `Error: ...` naming the file (and line or
field), exit 1, usage errors too; never a traceback."""
import json

import pytest
from typer.testing import CliRunner

from exgen.core import examples
from exgen.cli.main import app
from exgen.student.practice import from_example

runner = CliRunner()


@pytest.fixture
def key(tmp_path):
    path = tmp_path / "key.json"
    path.write_text(json.dumps(from_example("seed002-2-2-1", examples.notation_of).key))
    return path


def _one_line_error(r, *needles, code=1):
    assert r.exit_code == code, r.output
    assert r.output.startswith("Error: ") and len(r.output.strip().splitlines()) == 1, r.output
    assert "Traceback" not in r.output
    for n in needles:
        assert n in r.output, (n, r.output)


def test_check_answers_file_not_utf8(key, tmp_path):
    bad = tmp_path / "answers.csv"
    bad.write_bytes(b"question_id,answer\n1a,0.5\n1b,\xff\n")
    _one_line_error(runner.invoke(app, ["check", str(bad), "--key", str(key)]), "answers.csv: line 3", "UTF-8")


def test_check_answers_path_is_a_directory(key, tmp_path):
    _one_line_error(runner.invoke(app, ["check", str(tmp_path), "--key", str(key)]), str(tmp_path), "not a file")


@pytest.mark.parametrize("edit, needles", [
    (lambda k: k["questions"][0].update(answer="abc"), ["questions[0].answer", "expected a number"]),
    (lambda k: k["questions"][1].update(points=None), ["questions[1].points"]),
    (lambda k: k["questions"][0].update(depends_on="1a"), ["questions[0].depends_on"]),
    (lambda k: k["spec"].pop("layers"), ["(spec)", "'layers'"]),
])
def test_check_malformed_key_names_the_field(key, edit, needles):
    k = json.loads(key.read_text())
    edit(k)
    key.write_text(json.dumps(k))
    _one_line_error(runner.invoke(app, ["check", "1a=0.5", "--key", str(key)]), key.name, *needles)


def test_check_key_is_a_directory(tmp_path):
    _one_line_error(runner.invoke(app, ["check", "1a=0.5", "--key", str(tmp_path)]), str(tmp_path))


def test_outputs_that_cannot_be_written_are_one_line_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _one_line_error(runner.invoke(app, ["demo", "--no-pdf", "--out", str(blocker / "demo")]), str(blocker))
    _one_line_error(runner.invoke(app, ["init-config", str(blocker / "exam.yaml")]), str(blocker))


@pytest.mark.skipif(bool(__import__("exgen.exam.pdf").exam.pdf.missing_tex(need_latexmk=True)), reason="TeX not installed")
def test_practice_pdf_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = runner.invoke(app, ["practice", "--preset", "aksoy-2-2-1", "--seed", "1", "--pdf", str(blocker / "p.pdf")])
    _one_line_error(r, "p.pdf", "cannot write the PDF")


@pytest.mark.parametrize("args", [
    ["practice", "--seed", "abc"], ["practice", "--notation", "x/y"], ["practice", "--bogus"],
    ["check", "1a=1"], ["demo", "--bogus"], ["practice", "--preset", "a", "--config", "b"],
])
def test_usage_errors_are_one_line_exit_1(args):
    r = runner.invoke(app, args)
    _one_line_error(r, f"(see: exgen {args[0]} --help)")


def test_practice_bad_seed_and_config(tmp_path):
    _one_line_error(runner.invoke(app, ["practice", "--seed", "-1"]), "--seed")
    cfg = tmp_path / "exam.yaml"
    cfg.write_text("layers: [2, 2\n")
    _one_line_error(runner.invoke(app, ["practice", "--config", str(cfg)]), "exam.yaml", "line 2")
    cfg.write_text("loss: nope\n")
    _one_line_error(runner.invoke(app, ["practice", "--config", str(cfg)]), "exam.yaml", "key 'loss'")


def test_practice_at_end_of_input_stops_cleanly(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, "-m", "exgen", "practice", "--seed", "5"], cwd=root, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Stopped. Score: 0 / " in r.stdout and "Aborted" not in r.stdout + r.stderr
    assert "Traceback" not in r.stderr
