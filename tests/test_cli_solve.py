"""`exgen solve`: text report, the --json contract, and one-line errors for bad specs."""
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from exgen.core import examples
from exgen.cli.main import app

runner = CliRunner()
GOOD = {
    "layers": [3, 2, 2], "activations": ["sigmoid", "sigmoid"], "loss": "half_sse", "learning_rate": 0.01,
    "x": [1, 4, 5], "y": [0.1, 0.05],
    "weights": [[[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], [[0.7, 0.9], [0.8, 0.1]]],
    "biases": [[0.5, 0.5], [0.5, 0.5]],
}


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def write(tmp_path, obj, name="spec.json"):
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    return p


@pytest.mark.parametrize("name", examples.names())
def test_every_example_solves_to_a_clean_report(name):
    r = run("solve", "--example", name)
    assert r.exit_code == 0, r.output
    assert "Loss" in r.output and "Chain-rule paths" in r.output and "nan" not in r.output


def test_json_contract(tmp_path):
    r = run("solve", write(tmp_path, GOOD), "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert {"spec", "forward", "loss", "gradients", "updated", "loss_after", "paths"} <= set(out)
    assert out["spec"]["layers"] == [3, 2, 2] and out["spec"]["x"] == [1, 4, 5]
    assert [len(f["z"]) for f in out["forward"]] == [2, 2] and [len(f["h"]) for f in out["forward"]] == [2, 2]
    assert out["loss"] == pytest.approx(0.59324, abs=1e-5)  # the issue's own example (seed 002 3-2-2)
    assert out["loss_after"] == pytest.approx(0.59264, abs=1e-5)
    assert np.shape(out["gradients"]["weights"][0]) == (2, 3) and np.shape(out["gradients"]["biases"][1]) == (2,)
    assert np.shape(out["updated"]["weights"][1]) == (2, 2)
    kinds = [(p["param"], tuple(p["index"])) for p in out["paths"]]
    assert len(kinds) == 6 + 4 + 4 and ("weights", (1, 0, 0)) in kinds and ("biases", (0, 1)) in kinds
    w7 = next(p for p in out["paths"] if p["param"] == "weights" and p["index"] == [1, 0, 0])
    (path,) = w7["paths"]
    assert path["factors"][-1]["symbol"] == "\\frac{\\partial z^{(2)}_{1}}{\\partial w^{(2)}_{11}}"
    assert path["product"] == pytest.approx(np.prod([f["value"] for f in path["factors"]]))
    assert path["product"] == pytest.approx(out["gradients"]["weights"][1][0][0])


def test_json_batch_has_vectors_per_sample_and_sample_keys():
    out = json.loads(run("solve", "--example", "seed001-minibatch", "--json").output)
    assert np.shape(out["forward"][0]["h"]) == (3, 1)
    assert sorted({p["sample"] for p in out["paths"]}) == [0, 1, 2]


def test_yaml_spec_and_null_biases(tmp_path):
    import yaml
    d = {**GOOD, "biases": None}
    r = run("solve", write(tmp_path, yaml.safe_dump(d), "net.yaml"), "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["gradients"]["biases"] is None and out["updated"]["biases"] is None


def test_biases_are_all_layers_or_none_as_the_readme_says():
    # the README's "biases[l][j] ... or null for none" read as if one layer could be null; only
    # `biases: null` (every layer) is accepted, and a layer without biases is a layer of zeros
    import exgen
    from pathlib import Path
    one_null = {**GOOD, "biases": [[0.5, 0.5], None]}
    with pytest.raises(exgen.SpecError, match=r"biases\[1\]"):
        exgen.load_spec(one_null)
    zeros = exgen.solve({**GOOD, "biases": [[0.0, 0.0], [0.0, 0.0]]})
    for none in ({**GOOD, "biases": None}, {k: v for k, v in GOOD.items() if k != "biases"}):
        assert exgen.solve(none).loss == zeros.loss
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    row = next(t for t in readme.splitlines() if t.startswith("| `biases[l][j]` |"))
    assert '`"biases": null`' in row and "a single layer cannot be `null`" in row, row


def test_list_examples_and_notation_option():
    r = run("solve", "--list-examples")
    assert r.exit_code == 0 and all(n in r.output for n in examples.names())
    r = run("solve", "--example", "seed002-3-2-2", "--weights", "paren", "--letters", "a/h")
    assert r.exit_code == 0 and "a^(1)_1" in r.output and "w^(2)_11" in r.output


BAD = [
    ({k: v for k, v in GOOD.items() if k != "loss"}, "field 'loss': missing"),
    ({**GOOD, "weights": [[[0.1, 0.3], [0.2, 0.4]], [[0.7, 0.9], [0.8, 0.1]]]}, "field 'weights[0][0]': expected 3 entries, got 2 (expected shape [2, 3])"),
    ({**GOOD, "activations": ["sigmoid", "swish"]}, "field 'activations[1]': unknown activation \"swish\"; valid: sigmoid, tanh, relu, linear, softmax"),
    ({**GOOD, "loss": "hinge"}, "field 'loss': unknown loss \"hinge\"; valid: half_sse, sse, mse, bce, cross_entropy"),
    ({**GOOD, "activations": ["softmax", "sigmoid"]}, "field 'activations[0]': softmax is allowed on the output layer only"),
    ({**GOOD, "loss": "bce", "y": [1.5, 0]}, "field 'y': bce needs targets in [0, 1]"),
    ({**GOOD, "loss": "cross_entropy", "y": [-0.1, 1]}, "field 'y': cross_entropy needs targets in [0, 1]"),
    ({**GOOD, "x": [1, "four", 5]}, "field 'x[1]': expected a number, got \"four\""),
    ({**GOOD, "biases": [[0.5, 0.5]]}, "field 'biases': expected 2 vectors"),
    ({**GOOD, "learning_rate": -1}, "field 'learning_rate': expected a positive number"),
    ({**GOOD, "layers": [3, 0, 2]}, "field 'layers': expected a list of at least 2 positive integers"),
    ({**GOOD, "colour": "red"}, "field 'colour': unknown field"),
]


@pytest.mark.parametrize("bad,message", BAD)
def test_bad_spec_is_one_line_error(tmp_path, bad, message):
    p = write(tmp_path, bad)
    r = run("solve", p)
    assert r.exit_code == 1
    assert r.output.count("\n") == 1 and r.output.startswith("Error: ")
    assert str(p) in r.output and message in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize("text,name,message", [
    ("{\"layers\": [3, 2,", "broken.json", "invalid JSON at line 1"),
    ("layers: [3, 2\nloss: x\n", "broken.yaml", "invalid YAML at line"),
    ("[1, 2, 3]", "list.json", "expected an object"),
])
def test_unparseable_spec_names_file_and_line(tmp_path, text, name, message):
    r = run("solve", write(tmp_path, text, name))
    assert r.exit_code == 1 and r.output.startswith("Error: ") and message in r.output and name in r.output


def test_missing_file_and_unknown_example(tmp_path):
    r = run("solve", tmp_path / "nope.json")
    assert r.exit_code == 1 and "nope.json" in r.output and "no such file" in r.output
    r = run("solve", "--example", "nope")
    assert r.exit_code == 1 and "unknown example 'nope'" in r.output


def test_usage_errors_are_one_line_exit_1():
    for args in (["solve"], ["solve", "--example", "seed002-2-2-1", "--weights", "odd"]):
        r = run(*args)
        assert r.exit_code == 1 and r.output.startswith("Error: ") and len(r.output.strip().splitlines()) == 1, r.output
        assert r.output.rstrip().endswith("(see: exgen solve --help)"), r.output


def test_every_command_is_documented():
    r = run("--help")
    assert r.exit_code == 0
    import typer.main
    for cmd in typer.main.get_command(app).commands.values():
        assert cmd.help and "Example" in cmd.help, f"{cmd.name} has no help text with an example"


def test_solve_accepts_an_answer_key_and_solves_its_printed_spec():
    import pathlib
    key_file = next(pathlib.Path(__file__).parent.parent.joinpath("answer_keys").glob("*.json"))
    key = json.loads(key_file.read_text())
    out = json.loads(run("solve", key_file, "--json").output)
    for q in key["questions"]:
        from exgen.core.solution import resolve_pointer
        assert resolve_pointer(out, q["ref"]) == pytest.approx(q["answer"], rel=1e-12)


def test_all_commands_are_registered():
    import typer.main
    names = set(typer.main.get_command(app).commands)
    assert names == {"solve", "init-config", "generate", "demo", "grade", "check", "explain", "practice", "page", "export"}


@pytest.mark.parametrize("argv", [["solve"], ["explain"], ["practice"], ["page", "--out", "PAGE"]])
def test_an_unknown_example_lists_the_graph_examples_too(argv, tmp_path):
    # every one of these takes the graph examples, but the error listed the networks only
    from exgen.graph import examples as graph_examples
    argv = [str(tmp_path / "p.html") if a == "PAGE" else a for a in argv]
    r = runner.invoke(app, argv + ["--example", "nope"])
    assert r.exit_code == 1 and r.output.startswith("Error: unknown example 'nope'"), r.output
    for name in examples.names() + graph_examples.names():
        assert name in r.output


@pytest.mark.parametrize("argv", [["practice"], ["page", "--out", "PAGE"]])
def test_an_unknown_preset_lists_the_graph_presets_too(argv, tmp_path):
    # practice and page take --preset graph, graph-seed002 and graph-sigmoid; the error listed six
    from exgen.graph.practice import PRESETS as GRAPH_PRESETS
    from exgen.student.practice import PRESETS
    argv = [str(tmp_path / "p.html") if a == "PAGE" else a for a in argv]
    r = runner.invoke(app, argv + ["--preset", "nope"])
    assert r.exit_code == 1 and r.output.startswith("Error: unknown preset 'nope'"), r.output
    for name in [*PRESETS, *GRAPH_PRESETS]:
        assert name in r.output
