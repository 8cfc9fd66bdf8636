"""exgen check: answers as CSV or id=value pairs, verdicts, hints, --json and --reveal."""
import json
import math

import pytest
from typer.testing import CliRunner

from exgen.core import examples
from exgen.cli.main import app
from exgen.errors import InputFileError
from exgen.student.practice import from_example
from exgen.student.selfcheck import parse_answers

runner = CliRunner()


@pytest.fixture
def key_file(tmp_path):
    ex = from_example("seed002-2-2-1", examples.notation_of)
    path = tmp_path / "key.json"
    path.write_text(json.dumps(ex.key))
    return path, ex.key


def test_key_answer_matches_hand_computation(key_file):
    # independent reference: seed 002 slides, h_a = sigma(0.1*0.23 + 0.4*0.82)
    _, key = key_file
    assert key["questions"][0]["answer"] == pytest.approx(1 / (1 + math.exp(-0.351)), rel=1e-9)


def test_parse_pairs_and_csv(tmp_path):
    assert parse_answers(["1a=0.5", "1b = -2"]) == {"1a": "0.5", "1b": "-2"}
    assert parse_answers(["1a=0.5,1b=0.25"]) == {"1a": "0.5", "1b": "0.25"}
    f = tmp_path / "a.csv"
    f.write_text("\ufeffquestion_id;answer\n1a;0,5\n\n2a;abc\n", encoding="utf-8")
    assert parse_answers([str(f)]) == {"1a": "0,5", "2a": "abc"}
    g = tmp_path / "b.csv"
    g.write_text("1a,0.5\n1b,0.7\n")
    assert parse_answers([str(g)]) == {"1a": "0.5", "1b": "0.7"}
    with pytest.raises(InputFileError):
        parse_answers([str(tmp_path / "missing.csv")])


def _answers(key):
    qs = key["questions"]
    return {qs[0]["id"]: repr(qs[0]["answer"]),          # correct
            qs[1]["id"]: repr(qs[1]["answer"] * 3 + 1),  # wrong under any rule
            qs[2]["id"]: "abc"}                          # invalid; the rest are missing


def test_json_verdicts_without_reveal(key_file):
    path, key = key_file
    args = [f"{k}={v}" for k, v in _answers(key).items()]
    r = runner.invoke(app, ["check", *args, "--key", str(path), "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [set(x) for x in rows] == [{"question_id", "verdict", "diagnosis", "hint", "expected"}] * len(rows)
    verdicts = [x["verdict"] for x in rows]
    assert verdicts[:3] == ["correct", "wrong", "invalid"]
    assert set(verdicts[3:]) == {"missing"}
    assert all(x["expected"] is None for x in rows)
    assert rows[0]["hint"] is None and rows[1]["hint"] and rows[3]["hint"]
    # a hint never gives the number away
    for x, q in zip(rows, key["questions"]):
        assert x["hint"] is None or f"{q['answer']:.4g}" not in x["hint"]


def test_reveal_and_csv(key_file, tmp_path):
    path, key = key_file
    csv = tmp_path / "answers.csv"
    csv.write_text("question_id,answer\n" + "".join(f"{k},{v}\n" for k, v in _answers(key).items()))
    r = runner.invoke(app, ["check", str(csv), "--key", str(path), "--json", "--reveal"])
    rows = json.loads(r.output)
    assert [x["expected"] for x in rows] == pytest.approx([q["answer"] for q in key["questions"]])


def test_text_output(key_file):
    path, key = key_file
    args = [f"{k}={v}" for k, v in _answers(key).items()]
    r = runner.invoke(app, ["check", *args, "--key", str(path)])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split()[:3] == ["1a", "correct", "(you:"]
    assert "wrong" in lines[1] and "hint: " in r.output
    assert r.output.rstrip().endswith(f"Score: 1 / {len(key['questions'])} points")
    assert "expected" not in r.output


def test_unknown_question_and_bad_key(key_file, tmp_path):
    path, _ = key_file
    r = runner.invoke(app, ["check", "9z=1", "--key", str(path)])
    assert r.exit_code == 1 and r.output.startswith("Error: unknown question id '9z'")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = runner.invoke(app, ["check", "1a=1", "--key", str(bad)])
    assert r.exit_code == 1 and "invalid JSON" in r.output
    r = runner.invoke(app, ["check", "1a", "--key", str(path)])
    assert r.exit_code == 1 and "no such file (give a CSV file or id=value pairs)" in r.output


def test_a_question_given_twice_is_an_error_naming_it(key_file, tmp_path):
    path, _ = key_file
    r = runner.invoke(app, ["check", "1a=0.5", "1a=0.6", "--key", str(path)])
    assert r.exit_code == 1 and r.output.count("\n") == 1 and r.output.startswith("Error:"), r.output
    assert "'1a'" in r.output and "1a=0.5" in r.output and "1a=0.6" in r.output
    with pytest.raises(InputFileError, match="'1b'"):
        parse_answers(["1b=0.5,1a=0.2,1b=0.5"])  # even the same value twice
    f = tmp_path / "twice.csv"
    f.write_text("question_id,answer\n1a,0.5\n\n1b,0.2\n 1a ,0.6\n")
    r = runner.invoke(app, ["check", str(f), "--key", str(path)])
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert str(f) in r.output and "line 5" in r.output and "'1a'" in r.output and "line 2" in r.output


def test_an_unquoted_decimal_comma_in_a_csv_is_invalid_not_the_cell_before_it(key_file, tmp_path):
    # `1a,0,587` (a decimal comma in a comma-separated file) was checked as the answer "0": wrong
    path, key = key_file
    qs = key["questions"]
    whole, frac = f"{qs[0]['answer']:.4f}".split(".")
    for text in (f"{qs[0]['id']},{whole},{frac}\n", f"question_id,answer\n{qs[0]['id']},{whole},{frac}\n"):
        f = tmp_path / "comma.csv"
        f.write_text(text)
        r = runner.invoke(app, ["check", str(f), "--key", str(path), "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.output)[0]["verdict"] == "invalid"
    f.write_text(f"question_id,answer,note\n{qs[0]['id']},{qs[0]['answer']!r},my note\n")  # a named third column
    r = runner.invoke(app, ["check", str(f), "--key", str(path), "--json"])
    assert json.loads(r.output)[0]["verdict"] == "correct"


def test_an_unknown_question_id_in_a_csv_names_the_file_and_line(key_file, tmp_path):
    # it was "Error: unknown question id '9z'; ...": which file, which line?
    path, key = key_file
    f = tmp_path / "answers.csv"
    f.write_text(f"question_id,answer\n{key['questions'][0]['id']},0.5\n\n9z,0.2\n")
    r = runner.invoke(app, ["check", str(f), "--key", str(path)])
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert r.output.startswith(f"Error: {f}: line 4: unknown question id '9z'"), r.output


def test_a_semicolon_csv_with_decimal_commas_on_every_line(tmp_path):
    # `1a;0,5` on every line has as many commas as semicolons: it was read as comma-separated
    # (question '1a;0', an unknown id); `exgen grade` reads the separator from the first line
    f = tmp_path / "eu.csv"
    f.write_text("1a;0,5\n1b;-3/8\n2a;0,25\n")
    assert parse_answers([str(f)]) == {"1a": "0,5", "1b": "-3/8", "2a": "0,25"}
    f.write_text("\n1a;0,5\n")
    assert parse_answers([str(f)]) == {"1a": "0,5"}
    f.write_text("1a,0.5\n1b,0.25\n")
    assert parse_answers([str(f)]) == {"1a": "0.5", "1b": "0.25"}
