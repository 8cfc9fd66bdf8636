"""Exam config: defaults, validation errors naming the key, init-config."""
import pytest
import yaml
from typer.testing import CliRunner

from exgen.exam import config
from exgen.cli.main import app
from exgen.errors import ConfigError

runner = CliRunner()


def test_default_yaml_loads_to_the_defaults():
    assert config.from_dict(yaml.safe_load(config.DEFAULT_YAML)) == config.from_dict({})


def test_demo_config_is_valid():
    cfg = config.load(config.demo_path())
    assert cfg.layers == [2, 2, 2] and len(cfg.questions) == 6


@pytest.mark.parametrize("data, key", [
    ({"colour": "red"}, "colour"),
    ({"layers": [2]}, "layers"),
    ({"layers": [2, 0, 1]}, "layers"),
    ({"activations": ["sigmoid", "swish"]}, "activations[1]"),
    ({"activations": ["softmax", "sigmoid"]}, "activations[0]"),
    ({"loss": "hinge"}, "loss"),
    ({"activations": "linear", "loss": "bce"}, "loss"),
    ({"biases": "yes"}, "biases"),
    ({"learning_rate": -1}, "learning_rate"),
    ({"decimals": 7}, "decimals"),
    ({"questions": ["forward", "integrals"]}, "questions[1].type"),
    ({"questions": [{"type": "loss", "points": -2}]}, "questions[0].points"),
    ({"questions": [{"type": "loss", "weight": 2}]}, "questions[0].weight"),
    ({"tolerance": {"kind": "ulp", "value": 1}}, "tolerance.kind"),
    ({"tolerance": {"kind": "sig", "value": 2.5}}, "tolerance.value"),
    ({"notation": {"letters": "x/y"}}, "notation.letters"),
    ({"notation": {"weights": "fancy"}}, "notation.weights"),
])
def test_bad_values_name_the_key(data, key):
    with pytest.raises(ConfigError) as e:
        config.from_dict(data, "exam.yaml")
    msg = str(e.value)
    assert f"key '{key}'" in msg and msg.startswith("exam.yaml: ") and "\n" not in msg


def test_weight_naming_accepts_latex_spellings():
    cfg = config.from_dict({"notation": {"letters": "a/h", "weights": "w^l_{jk}"}})
    assert cfg.notation == {"letters": "a/h", "weights": "super"}


def test_cli_bad_config_is_one_line_error(tmp_path):
    p = tmp_path / "exam.yaml"
    p.write_text("name: x\nlayers: [2, 2]\nactivations: [sigmoid]\nspeed: 3\n", encoding="utf-8")
    r = runner.invoke(app, ["generate", str(p), "--count", "2", "--out", str(tmp_path / "o"), "--no-pdf"])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "'speed'" in lines[0]
    assert not (tmp_path / "o").exists()


def test_cli_invalid_yaml_names_line(tmp_path):
    p = tmp_path / "exam.yaml"
    p.write_text("name: x\nlayers: [2, 2\n", encoding="utf-8")
    r = runner.invoke(app, ["generate", str(p), "--count", "2", "--out", str(tmp_path / "o"), "--no-pdf"])
    assert r.exit_code == 1 and "line" in r.output and str(p) in r.output


def test_init_config_writes_a_loadable_file_and_refuses_to_overwrite(tmp_path):
    p = tmp_path / "exam.yaml"
    assert runner.invoke(app, ["init-config", str(p)]).exit_code == 0
    assert config.load(p) == config.from_dict({}, str(p))
    r = runner.invoke(app, ["init-config", str(p)])
    assert r.exit_code == 1 and "--force" in r.output
    assert runner.invoke(app, ["init-config", str(p), "--force"]).exit_code == 0
