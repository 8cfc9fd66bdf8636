"""explain: parameter names in every notation, and the worked solution's numbers against
independent references (finite differences of the loss, and hand formulas)."""
import math
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from exgen.core import examples
from exgen.cli.main import app
from exgen.core.solve import loss_of, solve
from exgen.student.explain import ParamError, find_param, worked_solution
from exgen.core.notation import Notation

runner = CliRunner()


def fd_grad(spec, kind, idx, eps=1e-6):
    """Central finite difference of the loss: independent of the backward pass."""
    def shifted(d):
        w = [a.copy() for a in spec.weights]
        b = None if spec.biases is None else [a.copy() for a in spec.biases]
        (w[idx[0]].__setitem__(idx[1:], w[idx[0]][idx[1:]] + d) if kind == "weights"
         else b[idx[0]].__setitem__(idx[1], b[idx[0]][idx[1]] + d))
        return loss_of(spec.with_params(w, b))
    return (shifted(eps) - shifted(-eps)) / (2 * eps)


def printed_value(out, name):
    """The last number on the line `∂L/∂<name> = ... = value`."""
    line = next(l for l in out.splitlines() if l.strip().startswith(f"∂L/∂{name} ="))
    return float(line.rsplit("=", 1)[1])


def test_numbered_names_follow_the_slides():
    # seed 002 slides: w5 is the edge h_a -> y, w2 is x1 -> h_b (example description)
    spec = examples.load("seed002-2-2-1")
    sol, nt = solve(spec), examples.notation_of(spec)
    assert find_param(sol, nt, "w5") == ("weights", (1, 0, 0))
    assert find_param(sol, nt, "w_2") == ("weights", (0, 1, 0))


@pytest.mark.parametrize("name", ["w^(2)_11", "w2_11", "w_{211}", "W^{(2)}_{11}"])
def test_paren_names_in_several_spellings(name):
    spec = examples.load("seed002-3-2-2")
    nt = Notation.make("z/h", "paren", spec.layers)
    assert find_param(solve(spec), nt, name) == ("weights", (1, 0, 0))


def test_unknown_param_lists_valid_names():
    spec = examples.load("seed002-2-2-1")
    with pytest.raises(ParamError, match=r"valid names: w_1, w_2, w_3"):
        find_param(solve(spec), examples.notation_of(spec), "w99")


def test_cli_unknown_param_is_one_line_error():
    r = runner.invoke(app, ["explain", "--example", "seed002-2-2-1", "--param", "w9"])
    assert r.exit_code == 1
    assert r.output.startswith("Error: no parameter 'w9'") and "w_6" in r.output


@pytest.mark.parametrize("example,param,kind,idx", [
    ("seed002-2-2-1", "w5", "weights", (1, 0, 0)),
    ("seed002-2-2-1", "w1", "weights", (0, 0, 0)),
    ("seed002-3-2-2", "b1", "biases", (0, 0)),
    ("seed000-4-4-2-softmax", "w212", "weights", (1, 0, 1)),
    ("seed001-minibatch", "w1_12", "weights", (0, 0, 1)),
])
def test_explained_gradient_matches_finite_differences(example, param, kind, idx):
    r = runner.invoke(app, ["explain", "--example", example, "--param", param])
    assert r.exit_code == 0, r.output
    spec = examples.load(example)
    name = re.search(r"Step 5\. Chain-rule paths of (\S+)", r.output).group(1)
    assert printed_value(r.output, name) == pytest.approx(fd_grad(spec, kind, idx), rel=1e-4)


def test_softmax_param_has_a_path_through_every_output():
    r = runner.invoke(app, ["explain", "--example", "seed000-4-4-2-softmax", "--param", "w212"])
    assert "2 paths from L" in r.output and "path 2:" in r.output and "sum of the 2 paths" in r.output


def test_forward_step_matches_hand_computation():
    # seed 002 slides: h_a = sigma(w1 x1 + w3 x2) with x = (0.23, 0.82), w1 = 0.1, w3 = 0.4
    ref = 1 / (1 + math.exp(-(0.1 * 0.23 + 0.4 * 0.82)))
    r = runner.invoke(app, ["explain", "--example", "seed002-2-2-1"])
    line = next(l for l in r.output.splitlines() if l.strip().startswith("h^(1)_1 ="))
    assert float(line.rsplit("=", 1)[1]) == pytest.approx(ref, rel=1e-5)
    for step in ("Forward pass", "Loss", "Output delta", "Backpropagated deltas", "Gradients", "SGD step"):
        assert step in r.output


def test_notation_changes_symbols_not_numbers():
    a = runner.invoke(app, ["explain", "--example", "seed002-2-2-1", "--notation", "a/h,flat"])
    b = runner.invoke(app, ["explain", "--example", "seed002-2-2-1", "--letters", "z/h", "--weights", "numbered"])
    assert a.exit_code == b.exit_code == 0
    assert "a_21 = w_211·h_11 + w_212·h_12" in a.output and "w_5" in b.output
    nums = lambda s: re.findall(r"-?\d+\.\d+", s)
    # numbered names list parameters in edge order, so compare the numbers as multisets
    assert sorted(nums(a.output)) == sorted(nums(b.output))


def test_bad_notation_is_usage_error():
    r = runner.invoke(app, ["explain", "--example", "seed002-2-2-1", "--notation", "q/r"])
    assert r.exit_code == 1 and r.output.startswith("Error: ") and "--notation" in r.output, r.output
    assert len(r.output.strip().splitlines()) == 1, r.output


@pytest.mark.parametrize("cmd", [["explain", "--example", "seed002-2-2-1"], ["practice", "--preset", "aksoy-2-2-1"]])
@pytest.mark.parametrize("opts, message", [
    (["--letters", "a/h", "--notation", "z/h"], "--letters and --notation both give the letters (a/h, z/h)"),
    (["--notation", "z/h,flat", "--letters", "a/h"], "--letters and --notation both give the letters (a/h, z/h)"),
    (["--weights", "flat", "--notation", "a/h,numbered"], "--weights and --notation both give the weights"),
    (["--notation", "a/h,z/a"], "--notation gives the letters (a/h, z/a)"),
])
def test_notation_and_letters_or_weights_for_the_same_part_is_usage_error(cmd, opts, message):
    # --letters a/h --notation z/h was accepted and --letters silently won
    r = runner.invoke(app, [*cmd, *opts], input="q\n")
    assert r.exit_code == 1 and r.output.startswith(f"Error: {message}"), r.output
    assert len(r.output.strip().splitlines()) == 1, r.output


def test_notation_and_weights_for_different_parts_combine():
    a = runner.invoke(app, ["explain", "--example", "seed002-2-2-1", "--notation", "a/h", "--weights", "flat"])
    b = runner.invoke(app, ["explain", "--example", "seed002-2-2-1", "--notation", "a/h,flat"])
    assert a.exit_code == 0 and a.output == b.output and "w_211" in a.output, a.output


def test_spec_file_and_param_for_a_bias(tmp_path):
    path = tmp_path / "net.json"
    path.write_text(examples.load_dict("seed003-2-2-1-linear").__repr__().replace("'", '"').replace("None", "null"))
    r = runner.invoke(app, ["explain", str(path), "--param", "b^2_1"])
    assert r.exit_code == 0, r.output
    spec = examples.load("seed003-2-2-1-linear")
    assert printed_value(r.output, "b^2_1") == pytest.approx(fd_grad(spec, "biases", (1, 0)), rel=1e-5)


def test_worked_solution_update_uses_learning_rate():
    spec = examples.load("seed003-2-2-1-linear")
    sol, nt = solve(spec), examples.notation_of(spec)
    out = worked_solution(sol, nt, ("weights", (1, 0, 0)))
    new = float(next(l for l in out.splitlines() if "new w^2_11" in l).rsplit("=", 1)[1])
    assert new == pytest.approx(0.3 - 0.2 * fd_grad(spec, "weights", (1, 0, 0)), rel=1e-5)


@pytest.mark.parametrize("batch", [None, 2])
def test_worked_solution_for_every_activation_and_loss(batch):
    """Every valid activation x loss pair explains, and every printed gradient matches the loss's
    finite differences."""
    from conftest import random_spec, valid_combos
    from exgen.core.paths import parameters
    from exgen.core.spec import from_dict
    rng = np.random.default_rng(0)
    for hidden, out_act, loss in valid_combos():
        spec = from_dict(random_spec(rng, [2, 2, 2], [hidden, out_act], loss, batch=batch))
        sol, nt = solve(spec), Notation.make("z/h", "paren", spec.layers)
        text = worked_solution(sol, nt)
        for kind, idx in parameters(sol):
            name = nt.param(kind, idx).replace("{", "").replace("}", "")
            assert printed_value(text, name) == pytest.approx(fd_grad(spec, kind, idx), rel=1e-4, abs=1e-6), (hidden, out_act, loss, name)


def test_help_says_spec_may_be_a_graph(tmp_path):
    """explain reads a graph spec file as solve does; its --help said "Network spec" only."""
    g = tmp_path / "g.yaml"
    g.write_text('graph:\n  inputs: {x: -2, y: 5, z: -4}\n  nodes: {q: "x + y", f: "q * z"}\n', encoding="utf-8")
    res = runner.invoke(app, ["explain", str(g), "--param", "x"])
    assert res.exit_code == 0 and "df/dx" in res.output
    res = runner.invoke(app, ["explain", "--help"], env={"COLUMNS": "200"})
    assert re.search(r"SPEC\s+\S*\s*Network or graph spec", res.output), res.output


@pytest.mark.parametrize("weights", ["paren", "super", "flat"])
def test_weight_names_stay_distinct_with_ten_neurons_or_more(weights):
    # a 12-12-1 network printed w^(1)_111 both for (j, k) = (1, 11) and (11, 1): two weights, one
    # name, in solve's table, and explain --param picked one of them silently
    from exgen.core.spec import from_dict
    rng = np.random.default_rng(3)
    spec = from_dict({"layers": [12, 12, 1], "activations": ["sigmoid", "sigmoid"], "loss": "half_sse",
                      "learning_rate": 0.5, "x": [0.1] * 12, "y": [0.5],
                      "weights": [rng.uniform(-1, 1, (12, 12)).round(1).tolist(), rng.uniform(-1, 1, (1, 12)).round(1).tolist()]})
    nt = Notation.make("z/h", weights, spec.layers)
    names = [nt.w(l, j, k) for l in range(2) for j in range(spec.layers[l + 1]) for k in range(spec.layers[l])]
    assert len(set(names)) == len(names)
    sol = solve(spec)
    for l, j, k in ((0, 0, 10), (0, 10, 0), (0, 11, 11), (1, 0, 9)):
        from exgen.core.notation import plain
        assert find_param(sol, nt, plain(nt.w(l, j, k))) == ("weights", (l, j, k))
    assert nt.w(0, 1, 2) == Notation.make("z/h", weights, [3, 3, 1]).w(0, 1, 2)  # small layers: as before


def test_an_unknown_param_of_a_wide_network_lists_some_names_not_all():
    # a 99-99-1 network's error listed all 9,900 parameter names: one line of 127 kB
    from exgen.core.spec import from_dict
    spec = from_dict({"layers": [99, 99, 1], "activations": ["sigmoid", "sigmoid"], "loss": "half_sse",
                      "learning_rate": 0.1, "x": [0.01] * 99, "y": [0.5],
                      "weights": [[[0.01] * 99] * 99, [[0.01] * 99]]})
    nt = examples.notation_of(spec)
    with pytest.raises(ParamError) as e:
        find_param(solve(spec), nt, "nope")
    msg = str(e.value)
    assert len(msg) < 1000 and msg.endswith(f"and {99 * 99 + 99 - 30} more"), msg[-100:]
    assert "w^(1)_11, w^(1)_12" in msg
