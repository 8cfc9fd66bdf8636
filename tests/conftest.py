import sys
from pathlib import Path

import numpy as np
import pytest

from exgen.core import spec as spec_mod
from exgen.core.functions import ACTIVATIONS, LOSSES, PROBABILISTIC_LOSSES

sys.path.insert(0, str(Path(__file__).parent))  # test helper modules import by name


def random_spec(rng: np.random.Generator, layers, activations, loss, biases=True, batch=None, lr=0.1):
    """A random valid spec dict (an independent builder for tests)."""
    L = len(layers) - 1
    n_out = layers[-1]
    shape_x = (batch, layers[0]) if batch else (layers[0],)
    shape_y = (batch, n_out) if batch else (n_out,)
    if loss in PROBABILISTIC_LOSSES:
        y = rng.uniform(0.05, 0.95, size=shape_y)
        if activations[-1] == "softmax":
            y = y / y.sum(axis=-1, keepdims=True)
    else:
        y = rng.uniform(-1, 1, size=shape_y)
    return {
        "layers": list(layers), "activations": list(activations), "loss": loss, "learning_rate": lr,
        "x": rng.uniform(-1, 1, size=shape_x).tolist(), "y": y.tolist(),
        "weights": [rng.uniform(-1, 1, size=(layers[l + 1], layers[l])).tolist() for l in range(L)],
        "biases": [rng.uniform(-0.5, 0.5, size=layers[l + 1]).tolist() for l in range(L)] if biases else None,
    }


def valid_combos():
    """Every activation x loss pair that the spec accepts, as (hidden, output, loss)."""
    out = []
    for loss in LOSSES:
        for act in ACTIVATIONS:
            if loss in PROBABILISTIC_LOSSES and act not in ("sigmoid", "softmax"):
                continue
            hidden = act if act != "softmax" else "tanh"
            out.append((hidden, act, loss))
    return out


@pytest.fixture
def make_spec():
    def make(d):
        return spec_mod.from_dict(d)
    return make


def generated_exam(tmp: Path, count: int) -> Path:
    """An exam of `count` students as `exgen generate --no-pdf` writes it into tmp/exam1 (from the
    default config), with a designed sample submission in tmp/subs.csv."""
    from typer.testing import CliRunner

    from exgen.cli import app
    from exgen.grading.keys import load_keys
    from exgen.grading.run import sample_submission
    runner = CliRunner()
    cfg = tmp / "exam.yaml"
    assert runner.invoke(app, ["init-config", str(cfg)]).exit_code == 0
    out = tmp / "exam1"
    r = runner.invoke(app, ["generate", str(cfg), "--out", str(out), "--no-pdf", "--count", str(count)])
    assert r.exit_code == 0, r.output
    sample_submission(load_keys(out / "answer_keys"), tmp / "subs.csv")
    return out
