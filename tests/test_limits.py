"""Limits before work (exgen.limits, exgen.load): hostile documents, networks too big to solve or
list, wrong-typed fields and non-finite results are each one `Error:` line, never a traceback,
hang or memory blow-up. Memory tests run exgen in a subprocess under RLIMIT_AS, so that a
regression fails instead of eating the machine; no test asserts on timing."""
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from exgen import limits

from exgen.exam import config

from exgen.core import solve as engine

from exgen.core import examples

from exgen.core import paths

from exgen.core import solution
from exgen.core import spec as spec_mod
from exgen.cli.main import app
from exgen.errors import ConfigError, ExgenError, SpecError
from exgen.exam.draw import make_exercise
from exgen.limits import LimitError
from exgen.load import DocumentError, json_depth, parse_document, read_document

HOSTILE = Path(__file__).parent / "hostile"
ROOT = Path(__file__).parent.parent
runner = CliRunner()
GOOD = {"layers": [3, 2, 2], "activations": ["sigmoid", "sigmoid"], "loss": "half_sse", "learning_rate": 0.01,
        "x": [1, 4, 5], "y": [0.1, 0.05],
        "weights": [[[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], [[0.7, 0.9], [0.8, 0.1]]], "biases": [[0.5, 0.5], [0.5, 0.5]]}


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_error_line(r, name: str, after_progress: bool = False) -> None:
    """Exit 1 and one `Error:` line naming the file (after generate's progress bar, if it started)."""
    assert r.exit_code == 1, r.output
    out = r.output.splitlines()[-1] + "\n" if after_progress else r.output
    assert out.count("\n") == 1 and out.startswith("Error: "), r.output
    assert name in out and "Traceback" not in r.output


def net(layers, batch=None, act="sigmoid"):
    L = len(layers) - 1
    d = {"layers": layers, "activations": [act] * L, "loss": "half_sse", "learning_rate": 0.1,
         "x": [0.5] * layers[0], "y": [0.5] * layers[-1],
         "weights": [[[0.1] * layers[l] for _ in range(layers[l + 1])] for l in range(L)]}
    if batch:
        d["x"], d["y"] = [d["x"]] * batch, [d["y"]] * batch
    return d


# The hostile corpus (tests/hostile/specs, configs) runs through every command in
# tests/test_hostile_corpus.py, which also requires each error line to name the file.


# ---------------------------------------------------------------- documents

def test_alias_bomb_fails_on_the_expanded_size():
    with pytest.raises(LimitError, match=r"line 7: too many values with the YAML aliases expanded"):
        read_document(HOSTILE / "specs" / "alias_bomb.yaml")


def test_alias_count_and_loops():
    text = "a: &a x\nb: [" + ", ".join(["*a"] * (limits.MAX_YAML_ALIASES + 1)) + "]\n"
    with pytest.raises(LimitError, match=f"too many YAML aliases: {limits.MAX_YAML_ALIASES + 1}"):
        parse_document(text, "yaml", "f.yaml")
    ok = "a: &a x\nb: [" + ", ".join(["*a"] * limits.MAX_YAML_ALIASES) + "]\n"
    assert len(parse_document(ok, "yaml", "f.yaml")["b"]) == limits.MAX_YAML_ALIASES
    with pytest.raises(DocumentError, match="f.yaml: line 1: a YAML alias refers to a node that contains it"):
        parse_document("a: &x [1, *x]\n", "yaml", "f.yaml")


@pytest.mark.parametrize("fmt,text", [
    ("json", "[" * 100_000 + "]" * 100_000),  # RecursionError in the C parser
    ("json", "[" * (limits.MAX_DEPTH + 1) + "]" * (limits.MAX_DEPTH + 1)),
    ("json", json.dumps({"a": [{"b": [[[]]]}] * 3}).replace("[]", "[" * 30 + "]" * 30)),
    ("yaml", "[" * (limits.MAX_DEPTH + 1) + "]" * (limits.MAX_DEPTH + 1)),
    ("yaml", "a: &a " + "[" * 20 + "]" * 20 + "\nb: " + "[" * 20 + "*a" + "]" * 20),  # deep only via the alias
    ("yaml", "".join(" " * i + "-\n" for i in range(200))),  # block style
])
def test_too_deep(fmt, text):
    with pytest.raises(ExgenError, match="f: .*(levels of nesting|nesting depth)"):
        parse_document(text, fmt, "f")


def test_depth_at_the_limit_is_fine():
    text = "[" * limits.MAX_DEPTH + "]" * limits.MAX_DEPTH
    assert json_depth(parse_document(text, "json", "f"), limits.MAX_DEPTH) == limits.MAX_DEPTH
    assert parse_document(text, "yaml", "f") == json.loads(text)


@pytest.mark.parametrize("fmt,text,message", [
    ("json", '{"a": ' + "9" * 5000 + "}", "too many digits in an integer: 5,000"),
    ("json", '{"a": -' + "9" * 31 + "}", "too many digits in an integer: 31"),
    ("yaml", "a: " + "9" * 5000, "line 1: too many digits in an integer: 5,000"),
    ("json", '{"a": [1, NaN]}', "NaN is not a number"),
    ("json", '{"a":\n [1,\n  NaN]}', "f: line 3: NaN is not a number"),
    ("json", '{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",\n "b":\n ' + "[" * 40 + "]" * 40 + "}",
     "f: line 3: too many levels of nesting: 33 or more, the limit is 32"),  # brackets in a string do not count
    ("json", '{"a": Infinity}', "Infinity is not a number"),
    ("yaml", "a: 1\nb: .inf", "line 2: '.inf' is not a finite number"),
    ("yaml", "a: -.Inf", "is not a finite number"),
    ("yaml", "a: .NaN", "is not a finite number"),
    ("yaml", "a: 1.0e+999", "is not a finite number"),
    ("json", '{"a": [1, ', "invalid JSON at line 1"),
    ("yaml", "a: [1, ", "invalid YAML at line"),
    ("yaml", "a: !!python/object/apply:os.system ['true']", "invalid YAML at line 1"),
])
def test_numbers_and_syntax(fmt, text, message):
    with pytest.raises(ExgenError, match=re.escape(message)):
        parse_document(text, fmt, "f")


def test_ordinary_documents_parse_as_before():
    assert parse_document("a: 2024-01-01\nb: [1, 2.5, -3]\nc: 0x10\n", "yaml", "f") == \
        {"a": "2024-01-01", "b": [1, 2.5, -3], "c": 16}
    assert parse_document('{"a": ' + "9" * 30 + ', "b": 1e308}', "json", "f") == {"a": int("9" * 30), "b": 1e308}
    for p in list((ROOT / "answer_keys").glob("*.json")) + [ROOT / "exgen" / "core" / "examples" / f"{n}.json"
                                                            for n in examples.names()]:
        text = p.read_text(encoding="utf-8")
        assert parse_document(text, "json", str(p)) == json.loads(text)


def test_size_is_checked_before_reading(tmp_path, monkeypatch):
    p = tmp_path / "big.yaml"
    p.write_text("a: " + "x" * 200 + "\n", encoding="utf-8")
    monkeypatch.setattr(limits, "MAX_DOC_BYTES", 100)
    with pytest.raises(LimitError, match=r"big.yaml: too many bytes in the file: 204, the limit is 100"):
        read_document(p)
    with pytest.raises(LimitError, match="too many characters in the document"):
        parse_document("x" * 101, "yaml", "f")


def test_every_user_document_goes_through_the_loader(tmp_path):
    """Specs, configs, answer keys (check and grade) and --map-file YAML all refuse a bomb."""
    bomb = (HOSTILE / "configs" / "alias_bomb.yaml").read_text(encoding="utf-8")
    deep = "[" * 50_000 + "]" * 50_000
    (tmp_path / "spec.yaml").write_text(bomb)
    (tmp_path / "exam.yaml").write_text(bomb)
    (tmp_path / "map.yaml").write_text(bomb)
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "s1.json").write_text(deep)
    (tmp_path / "sub.csv").write_text("student_id,1a\ns1,0.5\n")
    one_error_line(run("solve", tmp_path / "spec.yaml"), "spec.yaml")
    one_error_line(run("generate", tmp_path / "exam.yaml", "--count", 1, "--out", tmp_path / "o", "--no-pdf"), "exam.yaml")
    one_error_line(run("check", "1a=0.5", "--key", keys / "s1.json"), "s1.json")
    one_error_line(run("grade", tmp_path / "sub.csv", "--keys", keys, "--out", tmp_path / "g"), "s1.json")
    (keys / "s1.json").write_text((ROOT / "answer_keys" / "ada01.json").read_text())
    r = run("grade", tmp_path / "sub.csv", "--keys", keys, "--out", tmp_path / "g2", "--map-file", tmp_path / "map.yaml")
    one_error_line(r, "map.yaml")
    assert "YAML aliases expanded" in r.output


# ---------------------------------------------------------------- network limits

@pytest.mark.parametrize("d,message", [
    (net([1] * (limits.MAX_LAYERS + 1)), f"field 'layers': too many layers: {limits.MAX_LAYERS + 1}"),
    ({**net([1, 1]), "layers": [1, 10**6]}, "field 'layers[1]': too many neurons: 1,000,000"),
    (net([100, 100, 1]), "field 'layers': too many parameters (weights and biases): 10,100, the limit is 10,000"),
    ({**net([2, 2, 1]), "biases": [[0.0] * 2, [0.0]]}, None),  # 9 parameters: fine
    (net([2, 1], batch=limits.MAX_SAMPLES + 1), f"field 'x': too many samples: {limits.MAX_SAMPLES + 1}"),
    (net([99, 100, 1], batch=21), "field 'x': too many parameters x samples: 210,000, the limit is 200,000"),
])
def test_network_limits_name_field_value_and_limit(d, message):
    if message is None:
        spec_mod.from_dict(d, "n.json")
        return
    with pytest.raises(LimitError, match=re.escape(f"n.json: {message}")):
        spec_mod.from_dict(d, "n.json")


@pytest.mark.parametrize("layers,act,biases,batch", [
    ([3, 2, 2], "sigmoid", True, None), ([2, 3, 4, 2], "tanh", False, None), ([2, 3, 3], "softmax", True, None),
    ([1, 2, 3, 2, 3], "softmax", False, 2), ([4, 1], "sigmoid", True, 3), ([2, 2, 2, 2], "relu", True, None),
])
def test_path_count_is_what_listing_makes(layers, act, biases, batch):
    rng = np.random.default_rng(1)
    d = net(layers, batch)
    d["activations"] = ["tanh"] * (len(layers) - 2) + [act]
    d["weights"] = [rng.uniform(-1, 1, (layers[l + 1], layers[l])).tolist() for l in range(len(layers) - 1)]
    d["biases"] = [[0.1] * n for n in layers[1:]] if biases else None
    sol = engine.solve(spec_mod.from_dict(d))
    listed = solution.to_dict(sol)["paths"]
    assert paths.count(sol.spec) == sum(len(e["paths"]) for e in listed)
    for e in listed[:3]:
        assert paths.count(sol.spec, (e["param"], tuple(e["index"]))) == len(e["paths"]) * sol.spec.x.shape[0]
    assert solution.to_dict(sol, first_params=2)["paths"] == listed[:2]


def test_solve_refuses_to_list_too_many_paths_and_solves_without_them():
    p = HOSTILE / "specs" / "paths_7x8.json"
    for args in (("solve", p), ("solve", p, "--json")):
        r = run(*args)
        one_error_line(r, "paths_7x8.json")
        assert "too many chain-rule paths to list: 2,396,736, the limit is 10,000; pass --no-paths" in r.output
    r = run("solve", p, "--json", "--no-paths")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert "paths" not in out and len(out["gradients"]["weights"]) == 6
    r = run("solve", p, "--no-paths")
    assert r.exit_code == 0 and "Chain-rule paths" not in r.output
    r = run("explain", p, "--param", "w^(1)_11")
    one_error_line(r, "paths_7x8.json")
    assert "for this parameter: 32,768" in r.output
    assert run("explain", p, "--param", "w^(6)_11").exit_code == 0


def _limited(args: list[str], cwd: Path, gigabytes: float = 1.5) -> subprocess.CompletedProcess:
    """exgen in a subprocess whose address space is capped: a blow-up fails instead of swapping."""
    code = ("import resource, sys; lim = int(%d); resource.setrlimit(resource.RLIMIT_AS, (lim, lim)); "
            "from exgen.cli.main import app; sys.argv = ['exgen'] + %r; app()" % (int(gigabytes * 2**30), args))
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args,message", [
    (["solve", "--json", str(HOSTILE / "specs" / "paths_7x8.json")], "too many chain-rule paths"),
    (["solve", str(HOSTILE / "specs" / "million_neurons.json")], "too many neurons: 1,000,000"),
    (["explain", str(HOSTILE / "specs" / "param_samples.json")], "too many parameters x samples"),
    (["solve", str(HOSTILE / "specs" / "alias_bomb.yaml")], "YAML aliases expanded"),
    (["generate", str(HOSTILE / "configs" / "ten_layers_of_8.yaml"), "--count", "1", "--out", "exam", "--no-pdf"],
     "too many layers: 10, the limit is 6"),
])
def test_no_memory_blow_up(tmp_path, args, message):
    r = _limited(args, tmp_path)
    assert r.returncode == 1, r.stderr[-2000:]
    assert r.stderr.startswith("Error: ") and message in r.stderr and "Traceback" not in r.stderr


def test_largest_allowed_network_is_solved_within_the_memory_cap(tmp_path):
    """A spec at the limits (10 layers; paths just under MAX_PATHS) lists every path under 1.5 GB."""
    layers = [5, 3, 2, 2, 2, 2, 2, 2, 2, 2]  # 256 paths for each of the 15 first-layer weights
    d = net(layers)
    sp = spec_mod.from_dict(d)
    assert limits.MAX_PATHS // 2 < paths.count(sp) <= limits.MAX_PATHS and len(layers) == limits.MAX_LAYERS
    (tmp_path / "n.json").write_text(json.dumps(d))
    r = _limited(["solve", "--json", "n.json"], tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert len(json.loads(r.stdout)["paths"]) == sum(layers[l + 1] * layers[l] for l in range(9))


# ---------------------------------------------------------------- exam configs

@pytest.mark.parametrize("d,message", [
    ({"layers": [2] * 7}, "key 'layers': too many layers: 7, the limit is 6"),
    ({"layers": [2, 8, 8, 8, 3], "questions": ["forward"]}, "too many forward questions in one group"),
    ({"layers": [2, 8, 8, 8], "questions": ["paths"]}, "too many path questions in one group"),
    ({"layers": [8, 8, 8, 8, 8], "questions": ["loss"]}, "too many chain-rule paths in one exam network"),
    ({"questions": ["loss"] * 27}, "key 'questions': too many question groups: 27"),
    ({"loss": ["half_sse"]}, "key 'loss': a list of 1 is not one of"),
    ({"loss": {"half_sse": 1}}, "key 'loss': a mapping is not one of"),
    ({"activations": [["sigmoid"], "sigmoid"]}, "key 'activations[0]'"),
    ({"notation": ["z/h"]}, "key 'notation': expected {letters"),
    ({"notation": {"letters": ["z", "h"]}}, "key 'notation.letters'"),
    ({"notation": {"weights": {"paren": 1}}}, "key 'notation.weights'"),
    ({"tolerance": {"kind": ["rel"], "value": 0.1}}, "key 'tolerance.kind'"),
    ({"questions": [{"type": ["loss"]}]}, "key 'questions[0].type'"),
    ({"questions": [{"type": "loss", 1: 2, "x": 3}]}, "key 'questions[0].1': unknown key"),
    ({"learning_rate": 10**400}, "key 'learning_rate': expected a positive number"),
    ({"seed": True}, "key 'seed'"),
])
def test_config_fields_and_size(d, message):
    with pytest.raises(ExgenError, match=re.escape(message)):
        config.from_dict(d, "exam.yaml")


def test_a_config_whose_draws_all_fail_gives_up():
    """Every draw is rejected from the forward pass, before its paths are listed (this ran for
    minutes when each of the 2000 draws listed every path)."""
    cfg = config.load(HOSTILE / "configs" / "relu_dead_deep.yaml")
    with pytest.raises(ConfigError, match="no good network .* in 2000 draws \\(most often: dead relu"):
        make_exercise(cfg, "s001")


# ---------------------------------------------------------------- typed fields of specs

@pytest.mark.parametrize("change,message", [
    ({"notation": "z/h"}, "field 'notation': expected {letters"),
    ({"notation": {"letters": "x/y"}}, "field 'notation.letters': \"x/y\" is not one of z/h, a/h, z/a"),
    ({"notation": {"weights": ["paren"]}}, "field 'notation.weights'"),
    ({"activations": [["sigmoid"], "sigmoid"]}, "field 'activations[0]': unknown activation a list of 1"),
    ({"activations": {"sigmoid": 1}}, "field 'activations': expected 2 activation names"),
    ({"loss": {"half_sse": 1}}, "field 'loss': unknown loss a mapping"),
    ({"loss": ["half_sse"]}, "field 'loss': unknown loss a list of 1"),
    ({"learning_rate": True}, "field 'learning_rate': expected a positive number, got true"),
    ({"learning_rate": "0.1"}, "field 'learning_rate': expected a positive number, got \"0.1\""),
    ({"learning_rate": 10**400}, "field 'learning_rate': expected a positive number"),
    ({"x": [1, 10**400, 5]}, "field 'x[1]': expected a number"),
    ({"y": {"a": 1}}, "field 'y': expected a list of 2, got a mapping"),
    ({"version": 2}, "field 'version': expected 1"),
    ({"name": ["n"]}, "field 'name': expected a string, got a list of 1"),
    ({1: "x", "zz": 2}, "field '1': unknown field"),
])
def test_spec_fields(change, message):
    with pytest.raises(SpecError, match=re.escape(f"s.json: {message}")):
        spec_mod.from_dict({**GOOD, **change}, "s.json")


def test_a_valid_notation_is_kept_normalized():
    sp = spec_mod.from_dict({**GOOD, "notation": {"weights": "numbered"}})
    assert sp.extra["notation"] == {"letters": "z/h", "weights": "numbered"}


# ---------------------------------------------------------------- non-finite results

@pytest.mark.parametrize("name,message", [
    ("overflow_weights.json", "z of layer 2 (forward pass) is inf"),
    ("loss_inf.json", "the loss is inf"),
])
def test_non_finite_result_is_an_error(name, message):
    with pytest.raises(engine.NonFiniteError, match=re.escape(f"{name}: {message}")):
        engine.solve(spec_mod.load(HOSTILE / "specs" / name))
    r = run("solve", HOSTILE / "specs" / name, "--json")
    one_error_line(r, name)
    assert "Infinity" not in r.output.split(":", 2)[0] and "RuntimeWarning" not in r.output


def test_an_update_that_overflows_is_an_error():
    d = {**GOOD, "activations": ["linear", "linear"], "learning_rate": 1e300}
    with pytest.raises(engine.NonFiniteError, match="s.json: z of layer 2 after the step is inf"):
        engine.solve(spec_mod.from_dict(d, "s.json"))


def test_json_written_by_exgen_is_never_non_finite():
    with pytest.raises(ValueError):
        solution.dumps({"a": float("inf")})
    sp = spec_mod.from_dict(GOOD)
    sp.x[0, 0] = np.nan
    with pytest.raises(ValueError):
        spec_mod.dumps(sp)


@pytest.mark.parametrize("jobs", [1_000_000, limits.MAX_JOBS + 1, 0, -3])
def test_generate_jobs_is_bounded_before_any_work(tmp_path, jobs):
    # `generate --jobs 1000000` was accepted: hundreds of worker processes, as many lualatex runs
    from exgen.exam import build
    from exgen.errors import UsageError
    import exgen
    cfg = tmp_path / "exam.yaml"
    cfg.write_text(config.DEFAULT_YAML, encoding="utf-8")
    r = run("generate", cfg, "--count", 2, "--out", tmp_path / "e", "--no-pdf", "--jobs", jobs)
    assert r.exit_code == 1 and r.output.startswith(f"Error: --jobs: expected 1..{limits.MAX_JOBS}"), r.output
    assert f"got {jobs}" in r.output and not (tmp_path / "e").exists()
    for bad in (jobs, True, 2.0):
        with pytest.raises(UsageError, match=re.escape(f"--jobs: expected 1..{limits.MAX_JOBS}")):
            exgen.generate_exam(cfg, tmp_path / "e", count=2, pdf=False, jobs=bad)
    with pytest.raises(UsageError, match="--jobs"):
        build.generate_exam(config.load(cfg), [], tmp_path / "e", pdf=False, jobs=jobs)
    assert not (tmp_path / "e").exists()


def test_generate_jobs_at_the_limit_is_fine(tmp_path):
    cfg = tmp_path / "exam.yaml"
    cfg.write_text(config.DEFAULT_YAML, encoding="utf-8")
    r = run("generate", cfg, "--count", 2, "--out", tmp_path / "e", "--no-pdf", "--jobs", limits.MAX_JOBS)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "e/answer_keys/s002.json").is_file()


# ---------------------------------------------------------------- documentation

def test_readme_lists_every_limit_with_its_value():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Limits", 1)[1].split("\n## ", 1)[0]
    names = [n for n in dir(limits) if n.startswith("MAX_")]
    assert names
    for n in names:
        row = next((line for line in section.splitlines() if f"`{n}`" in line), None)
        assert row is not None, n
        assert f"{getattr(limits, n):,}" in row, (n, row)


def test_yaml_reads_exponent_numbers_as_json_does(tmp_path):
    # PyYAML (YAML 1.1) read 1e-3 as the text "1e-3": `learning_rate: 1e-3` in a spec was
    # "expected a positive number, got "1e-3""
    text = "a: 1e-3\nb: 2E5\nc: 1.5e3\nd: -1e-10\ne: 1_0e2\nf: '1e3'\ng: 1e\nh: e5\n"
    assert parse_document(text, "yaml", "f") == {"a": 1e-3, "b": 2e5, "c": 1.5e3, "d": -1e-10, "e": 1e3,
                                                 "f": "1e3", "g": "1e", "h": "e5"}
    with pytest.raises(ExgenError, match=re.escape("line 1: '1e999' is not a finite number")):
        parse_document("a: 1e999\n", "yaml", "f")
    spec = tmp_path / "net.yaml"
    spec.write_text("layers: [1, 1]\nactivations: [sigmoid]\nloss: half_sse\nlearning_rate: 5e-1\n"
                    "x: [2]\ny: [1]\nweights: [[[3e-1]]]\n", encoding="utf-8")
    r = run("solve", spec, "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)["spec"]
    assert got["learning_rate"] == 0.5 and got["weights"] == [[[0.3]]]
