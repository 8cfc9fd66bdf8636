"""Practice: presets, fresh seeded networks, hints that keep the answer hidden, and the
interactive session driven through CliRunner input."""
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from exgen.core import examples
from exgen.cli.main import app
from exgen.student.practice import PRESETS, PracticeError, Session, fresh_spec, from_preset, preset
from exgen.core.report import fmt

runner = CliRunner()
NT = examples.notation_of


def test_one_preset_per_seed_style():
    seeds = {PRESETS[p].example[:7] for p in PRESETS}
    assert seeds == {"seed000", "seed001", "seed002", "seed003"}
    assert {"aksoy-2-2-1", "upgrad-linear-out", "onefourth-softmax", "single-neuron-bce", "minibatch"} <= set(PRESETS)
    with pytest.raises(PracticeError, match="valid: aksoy-2-2-1"):
        preset("nope")


@pytest.mark.parametrize("name", list(PRESETS))
def test_fresh_network_is_seeded_rounded_and_keeps_the_style(name):
    a, b, c = fresh_spec(name, 11), fresh_spec(name, 11), fresh_spec(name, 12)
    base = examples.load(PRESETS[name].example)
    assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights))
    assert any(not np.array_equal(x, y) for x, y in zip(a.weights, c.weights))
    for w in a.weights:
        assert np.allclose(w, np.round(w, 1)) and (w != 0).all()
    assert a.layers == base.layers and a.activations == base.activations and a.loss == base.loss
    assert NT(a) == NT(base)


@pytest.mark.parametrize("name", list(PRESETS))
def test_hints_never_give_the_number_away(name):
    from exgen.student.hints import hints
    ex = from_preset(name, 5, NT)
    for q in ex.questions:
        hs = hints(ex.sol, ex.nt, q)
        assert len(hs) >= 2
        for h in hs:
            assert f"{q['answer']:.4g}" not in h and fmt(q["answer"]) not in h, (q["id"], h)


def test_session_scores_first_graded_answer():
    ex = from_preset("aksoy-2-2-1", 3, NT)
    s = Session(ex)
    q0 = s.current
    assert s.submit("abc").verdict == "invalid" and s.first == {} and s.current is q0
    assert s.submit("  ").verdict == "missing" and s.first == {}
    assert s.submit(repr(q0["answer"] + 5)).verdict == "wrong" and s.current is q0
    assert s.submit(repr(q0["answer"])).verdict == "correct" and s.current is not q0
    q1 = s.current
    assert s.submit(repr(q1["answer"])).verdict == "correct"
    s.show_step()  # third question revealed, scored 0
    assert s.score() == (1.0, float(len(ex.questions)))


def _run(args, lines):
    return runner.invoke(app, ["practice", *args], input="".join(f"{x}\n" for x in lines))


def test_interactive_bad_input_asks_again_and_is_not_counted():
    ex = from_preset("aksoy-2-2-1", 3, NT)
    answers = [repr(q["answer"]) for q in ex.questions]
    r = _run(["--preset", "aksoy-2-2-1", "--seed", "3"], ["abc", "", *answers, "n"])
    assert r.exit_code == 0, r.output
    assert "'abc' is not a number: try again (not counted)." in r.output
    assert "Type a number" in r.output
    assert r.output.count("\ncorrect\n") == len(answers)
    assert f"Score: {len(answers)} / {len(answers)} points" in r.output
    assert "Seed 3: redo with  exgen practice --preset aksoy-2-2-1 --seed 3" in r.output


def test_interactive_wrong_hint_then_reveal_order():
    ex = from_preset("upgrad-linear-out", 8, NT)
    q = ex.questions[0]
    shown = fmt(q["answer"])
    r = _run(["--preset", "upgrad-linear-out", "--seed", "8"], [repr(q["answer"] * 2 + 1), "h", "h", "h", "s", "q", "n"])
    assert r.exit_code == 0, r.output
    out = r.output
    i_wrong, i_step = out.index("\nwrong"), out.index("  z^1_1 = ")
    hints = [m.start() for m in re.finditer(r"Hint: ", out)]
    assert len(hints) == 4 and i_wrong < hints[0] and hints[-1] < i_step
    assert "no more hints: type s" in out
    assert shown not in out[:i_step] and shown in out[i_step:]
    assert "Stopped. Score: 0 / " in out


def test_worked_solution_on_request_at_the_end():
    r = _run(["--example", "seed001-neuron-bce"], ["q", "y"])
    assert r.exit_code == 0, r.output
    assert "Step 3. Output delta" in r.output and "redo with" not in r.output
    r = _run(["--example", "seed001-neuron-bce"], ["q", "n"])
    assert "Step 3. Output delta" not in r.output


def test_random_seed_is_printed():
    r = _run(["--preset", "minibatch"], ["q", "n"])
    m = re.search(r"Seed (\d+): redo with  exgen practice --preset minibatch --seed \1", r.output)
    assert m, r.output
    again = _run(["--preset", "minibatch", "--seed", m.group(1)], ["q", "n"])
    table = lambda o: o[o.index("Weights into"):o.index("Questions")]
    assert table(again.output) == table(r.output)


def test_cli_usage_errors():
    for args in (["--example", "seed002-2-2-1", "--seed", "1"], ["--preset", "a", "--example", "b"]):
        r = _run(args, [])
        assert r.exit_code == 1 and r.output.startswith("Error: ") and "(see: exgen practice --help)" in r.output, r.output
        assert len(r.output.strip().splitlines()) == 1, r.output
    r = _run(["--preset", "nope"], [])
    assert r.exit_code == 1 and r.output.startswith("Error: unknown preset 'nope'")
    r = runner.invoke(app, ["practice", "--list"])
    assert all(name in r.output for name in PRESETS)


def test_hints_and_steps_for_every_activation_and_loss():
    from conftest import random_spec, valid_combos
    from exgen.student.hints import hints, worked_step
    from exgen.core.notation import Notation
    from exgen.student.practice import exercise
    from exgen.answer_key import QUESTION_TYPES
    from exgen.core.spec import from_dict
    rng = np.random.default_rng(1)
    for hidden, out_act, loss in valid_combos():
        spec = from_dict(random_spec(rng, [2, 2, 2], [hidden, out_act], loss))
        ex = exercise(spec, Notation.make("a/h", "flat", spec.layers), QUESTION_TYPES, "t")
        given = np.concatenate([a.ravel() for a in [spec.x, spec.y, *spec.weights, *spec.biases]])
        for q in ex.questions:
            if isinstance(q["answer"], str):  # a shape (matrix form), e.g. "1x2"
                assert all(q["answer"] not in h for h in hints(ex.sol, ex.nt, q))
                assert q["answer"] in "\n".join(worked_step(ex.sol, ex.nt, q))
                continue
            if q["answer"] != 0 and not np.isclose(q["answer"], given).any():  # dead relus give 0s
                assert all(fmt(q["answer"]) not in h for h in hints(ex.sol, ex.nt, q))
            assert fmt(q["answer"]) in "\n".join(worked_step(ex.sol, ex.nt, q)), (hidden, out_act, loss, q["id"])


def test_every_student_command_is_in_the_docs():
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "practice.md").read_text(encoding="utf-8")
    for cmd in ("exgen practice", "exgen check", "exgen explain", "--param", "--reveal", "--json", "--seed"):
        assert cmd in doc
    for name in PRESETS:
        assert f"`{name}`" in doc


SINGLE = [n for n in PRESETS if not examples.load(PRESETS[n].example).batched]


@pytest.mark.parametrize("name", list(PRESETS))
def test_practice_exercise_for_a_seed_is_deterministic(name):
    a, b = from_preset(name, 21, NT), from_preset(name, 21, NT)
    assert a.key == b.key and a.spec.to_dict() == b.spec.to_dict()
    assert from_preset(name, 22, NT).key != a.key


@pytest.mark.parametrize("name", SINGLE)
def test_fresh_network_is_the_exam_generators_draw(name):
    from exgen.exam.draw import make_exercise
    from exgen.student.practice import PRACTICE_ID, preset_config
    cfg = preset_config(name, 21)
    base = examples.load(PRESETS[name].example)
    assert (cfg.layers, cfg.activations, cfg.loss, cfg.biases) == (base.layers, base.activations, base.loss,
                                                                  base.biases is not None)
    assert cfg.learning_rate == (PRESETS[name].learning_rate or base.learning_rate)
    spec = fresh_spec(name, 21)
    drawn = make_exercise(cfg, PRACTICE_ID).spec
    assert np.array_equal(spec.x, drawn.x) and np.array_equal(spec.y, drawn.y)
    assert all(np.array_equal(u, v) for u, v in zip(spec.weights, drawn.weights))


@pytest.mark.parametrize("name", SINGLE)
def test_fresh_networks_pass_the_quality_filters(name):
    # the filters of docs/generate.md, checked here from the solution itself
    from exgen.core.solve import solve
    for seed in range(15):
        ex = from_preset(name, seed, NT)
        sol = solve(ex.spec)
        for act, h in zip(ex.spec.activations, sol.fwd.h[1:]):
            if act == "sigmoid":
                assert (h * (1 - h) >= 0.05).all(), (name, seed)
            if act == "softmax":
                assert ((h >= 0.02) & (h <= 0.98)).all(), (name, seed)
        assert all(abs(q["answer"]) >= 0.5e-4 for q in ex.questions), (name, seed)
        for arr in (ex.spec.x, *ex.spec.weights):
            assert np.allclose(arr, np.round(arr, 1)) and (arr != 0).all()


def test_the_redo_command_is_printed_on_one_line():
    """The command to redo an exercise is one line to copy, however narrow the terminal."""
    r = _run(["--preset", "onefourth-softmax", "--seed", "825758"], ["q", "n"])
    assert "Seed 825758: redo this exercise with  exgen practice --preset onefourth-softmax --seed 825758\n" \
        in r.output, r.output


def test_a_question_says_1_point_not_points():
    r = _run(["--preset", "aksoy-2-2-1", "--seed", "5"], ["q", "n"])
    assert "1a. Compute the activation h^(1)_1   [1 point]" in r.output and "point(s)" not in r.output, r.output


@pytest.mark.parametrize("cmd", [["practice", "--preset", "nope"], ["page", "--preset", "nope", "--out", "x.html"]])
def test_unknown_preset_lists_every_preset(cmd, tmp_path, monkeypatch):
    """The error's list of valid presets is the list `practice --list` prints (the graph presets
    were left out of the error)."""
    monkeypatch.chdir(tmp_path)
    listed = [line.split()[0] for line in runner.invoke(app, ["practice", "--list"]).output.splitlines() if line.strip()]
    assert "graph" in listed and "graph-sigmoid" in listed
    res = runner.invoke(app, cmd)
    assert res.exit_code == 1
    valid = res.output.split("valid:")[1].strip()
    assert [n.strip() for n in valid.split(",")] == listed, res.output


def test_the_prompt_takes_the_command_words_too():
    # `quit`, `exit`, `help` at the answer prompt were "not a number: try again"; only q, h, s, n worked
    ex = from_preset("aksoy-2-2-1", 3, NT)
    q0, q1 = ex.questions[0], ex.questions[1]
    r = _run(["--preset", "aksoy-2-2-1", "--seed", "3"], ["Help", "hint", " Show ", "skip", "exit"])
    assert r.exit_code == 0, r.output
    assert "is not a number" not in r.output
    assert r.output.count("Hint: ") == 2 and f"{q1['id']}. Compute" in r.output  # show, then skip: question 3
    assert f"{ex.questions[2]['id']}. Compute" in r.output and "Stopped. Score: 0 / " in r.output
    for word in ("quit", "QUIT", "q", "stop"):
        r = _run(["--preset", "aksoy-2-2-1", "--seed", "3"], [word])
        assert "Stopped. Score: 0 / " in r.output and "is not a number" not in r.output, (word, r.output)
    q2, q3 = ex.questions[2], ex.questions[3]
    r = _run(["--preset", "aksoy-2-2-1", "--seed", "3"], ["next", "show step", repr(q2["answer"]), "quit"])
    assert "is not a number" not in r.output and r.output.count("\ncorrect\n") == 1, r.output
    assert f"{q3['id']}. Compute" in r.output and "Stopped. Score: 1 / " in r.output
    assert f"{q0['id']}. Compute" in r.output
