"""Graph exams (`kind: graph`): config, seeded drawing and its filters, generate -> keys -> grade ->
check with slips diagnosed and errors carried forward, and the PDF (skipped without TeX)."""
import csv
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from exam_helpers import GRAPH_CONFIG, answer_keys, needs_tex

import exgen
from exgen.cli.main import app
from exgen.errors import ConfigError, ExgenError
from exgen.exam import config as config_mod
from exgen.graph import config as graph_config
from exgen.graph.draw import make_exercises
from exgen.kinds import KINDS, QUESTION_TYPES

runner = CliRunner()
CONFIG = GRAPH_CONFIG


def cfg_of(text=CONFIG):
    import yaml
    return config_mod.from_dict(yaml.safe_load(text), "exam.yaml")


def test_config_kind_graph_and_its_errors():
    cfg = cfg_of()
    assert cfg.kind == "graph" and cfg.graph.size == 6 and [q["type"] for q in cfg.questions] == list(graph_config.QUESTION_TYPES)
    assert graph_config.QUESTION_TYPES == tuple(k for k, u in KINDS.items() if u.family == "graph")
    assert not set(graph_config.QUESTION_TYPES) & set(QUESTION_TYPES)  # a network exam never asks them
    bad = [("graph: {gates: [sin]}", "key 'graph.gates[0]': \"sin\" is not one of"),
           ("graph: {size: 40}", "too many gates in an exam graph: 40, the limit is 12"),
           ("graph: {gates: [relu, exp]}", "key 'graph.gates': needs a gate of two operands"),
           ("graph: {inputs: 6, size: 3}", "key 'graph.size': 6 inputs need at least 5 gates"),
           ("questions: [forward]", "key 'questions[0].type': \"forward\" is not one of node_value"),
           ("kind: tree", "key 'kind': \"tree\" is not one of network, graph")]
    for extra, says in bad:
        text = CONFIG.replace("graph: {gates", "graphx: {gates") if extra.startswith("graph:") else CONFIG
        text = "\n".join(line for line in text.splitlines() if not line.startswith("graphx"))
        if extra.startswith("kind:"):
            text = text.replace("kind: graph", extra)
        else:
            text += "\n" + extra
        with pytest.raises(ExgenError) as e:  # ConfigError, or LimitError for a size
            cfg_of(text)
        assert str(e.value).startswith("exam.yaml: ") and says in str(e.value), (extra, str(e.value))
    with pytest.raises(ConfigError, match="key 'graph': only for kind: graph"):
        cfg_of("layers: [2, 1]\ngraph: {size: 3}\n")
    with pytest.raises(ConfigError, match="key 'layers': a key of network exams"):  # not silently ignored
        cfg_of(CONFIG + "layers: [2, 1]\n")
    with pytest.raises(ConfigError, match="key 'learning_rate': a key of network exams"):
        cfg_of(CONFIG + "learning_rate: 0.1\n")


def test_drawn_graphs_are_deterministic_distinct_and_pass_the_filters():
    cfg = cfg_of()
    ids = [f"s{i:02d}" for i in range(25)]
    a, b = make_exercises(cfg, ids), make_exercises(cfg, list(reversed(ids)))
    assert [x.spec.to_dict() for x in a] == [x.spec.to_dict() for x in reversed(b)]
    assert len({json.dumps(x.spec.to_dict()) for x in a}) == len(a)
    for ex in a:
        s, r = ex.spec, ex.solution
        assert len(s.nodes) == 6 and all(float(v).is_integer() and 1 <= abs(v) <= 4 for v in s.inputs.values())
        assert all(r.grads[x][0] != 0 for x in s.inputs)  # no zero gradient at an input (no relu blocks all)
        for n in s.nodes:
            if n.op == "relu":
                assert r.values[n.args[0]][0] != 0
            if n.op == "max":
                assert r.values[n.args[0]][0] != r.values[n.args[1]][0]
        assert all(abs(q.answer) <= 100 for q in ex.questions)


def write_answers(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "question_id", "answer"])
        w.writerows(rows)


def test_generate_grade_check(tmp_path):
    res = exgen.generate_exam(cfg_of(), tmp_path / "exam", count=3, pdf=False)
    keys = answer_keys(tmp_path / "exam")
    assert set(keys) == {"s001", "s002", "s003"} and res.students == 3
    tex = (tmp_path / "exam/sheets/s001.tex").read_text()
    assert r"\begin{tikzpicture}" in tex and "node[vbox]" in tex and "node[gbox]" in tex
    key_tex = (tmp_path / "exam/keys/s001.tex").read_text()
    assert "Worked solutions" in key_tex and r"\frac{\partial" in key_tex
    rows = []
    for sid, k in keys.items():
        for q in k["questions"]:
            a = q["answer"]
            if sid == "s002" and q["ref"] == "/nodes/0/value":
                a += 1  # a wrong first gate
            if sid == "s003" and q["ref"].startswith("/gradients/"):
                a = -a  # sign slips on every input gradient
            rows.append((sid, q["id"], f"{a:.3f}"))
    write_answers(tmp_path / "answers.csv", rows)
    result = exgen.grade_files(tmp_path / "answers.csv", tmp_path / "exam/answer_keys", tmp_path / "grades")
    v1 = result.verdicts("s001")
    assert all(v.verdict == "correct" for v in v1)
    v3 = [v for v in result.verdicts("s003") if v.verdict != "correct"]
    assert v3 and all(v.diagnosis == "sign_flip" for v in v3)
    v2 = {v.question_id: v for v in result.verdicts("s002")}
    first = next(q["id"] for q in keys["s002"]["questions"] if q["ref"] == "/nodes/0/value")
    assert v2[first].verdict == "wrong"
    # the later answers were the exact ones: right as they are, or wrong given the student's own first gate
    assert all(v.verdict in ("correct", "wrong") for q, v in v2.items() if q != first)
    feedback = (tmp_path / "grades/feedback/s002.md").read_text()
    assert first in feedback
    # exgen check: a local gradient given for the downstream one is diagnosed, with a hint
    k = keys["s001"]
    from exgen.graph.spec import from_dict
    g = from_dict(k["spec"])
    once = [x for x in g.inputs if len(g.uses(x)) == 1]
    if not once:
        return
    q = next(q for q in k["questions"] if q["ref"] == f"/gradients/{once[0]}")
    name = once[0]
    local = next(x for x in k["questions"] if x["ref"].endswith(f"/local/{name}"))
    out = runner.invoke(app, ["check", f"{q['id']}={local['answer']:.3f}", "--key",
                              str(tmp_path / "exam/answer_keys/s001.json"), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    rows_out = data if isinstance(data, list) else data.get("questions", data.get("rows", []))
    row = next(r for r in rows_out if r["question_id"] == q["id"])
    if local["answer"] != q["answer"]:
        assert row["verdict"] == "wrong" and row["hint"].startswith("Chain rule")
        assert row["diagnosis"] in ("chain_rule_not_applied", "sign_flip")


def test_error_carried_forward_on_a_generated_key(tmp_path):
    exgen.generate_exam(cfg_of(), tmp_path / "exam", count=1, pdf=False)
    key = json.loads((tmp_path / "exam/answer_keys/s001.json").read_text())
    qs = key["questions"]
    nodes = key["spec"]["graph"]["nodes"]
    # the first gate's value off by one; every later value recomputed here by hand from it
    from exgen.graph.spec import from_dict
    from exgen.graph.solve import run
    g = from_dict(key["spec"])
    values = {x: np.array([v]) for x, v in g.inputs.items()}
    ov = {"/nodes/0/value": np.array([qs[0]["answer"] + 1])}
    mine = run(g, values, overrides=ov)
    answers = {q["id"]: f"{float(mine.value(q['ref'])[0]):.6f}" for q in qs if q["ref"].endswith("/value")}
    verdicts = {v.question_id: v for v in exgen.check_answers(key, answers)}
    assert verdicts[qs[0]["id"]].verdict == "wrong"
    later = [q for q in qs[1:len(nodes)] if q["ref"].endswith("/value")]
    assert any(verdicts[q["id"]].verdict == "carried" for q in later)
    assert all(verdicts[q["id"]].verdict in ("carried", "correct") for q in later)


@needs_tex
def test_graph_sheet_and_key_pdf(tmp_path):
    import subprocess
    exgen.generate_exam(cfg_of(), tmp_path / "exam", count=1, pdf=True)
    sheet = subprocess.run(["pdftotext", str(tmp_path / "exam/sheets/s001.pdf"), "-"], capture_output=True, text=True).stdout
    key = subprocess.run(["pdftotext", str(tmp_path / "exam/keys/s001.pdf"), "-"], capture_output=True, text=True).stdout
    assert "The computational graph" in sheet and "Local gradients of the gates" in sheet
    assert "answer key" in key and "downstream" in key.lower()


def test_practice_and_explain_graphs():
    r = runner.invoke(app, ["practice", "--list"])
    assert "graph-sigmoid" in r.output and "graph-seed002" in r.output
    # f = (x + y) z: q = x + y = 3 (seed 002, line 1380); a wrong answer gets a hint with no number computed
    r = runner.invoke(app, ["practice", "--preset", "graph-seed002"], input="4\nh\n3\nq\n")
    assert r.exit_code == 0, r.output
    assert "q = x + y" in r.output and "Hint: The forward pass" in r.output and "correct" in r.output
    r = runner.invoke(app, ["practice", "--preset", "graph", "--seed", "3"], input="q\n")
    assert r.exit_code == 0 and "redo this exercise with  exgen practice --preset graph --seed 3" in r.output
    # explain: df/dx0 of the sigmoid neuron = w0 * sigma'(1) (hand formula; seed 002 lines 1619-1622)
    r = runner.invoke(app, ["explain", "--example", "seed002-graph-sigmoid", "--param", "x0"])
    s = 1 / (1 + np.exp(-1.0))
    assert r.exit_code == 0 and f"df/dx0 = df/ds0 · ds0/dx0 = {s * (1 - s):.6g}·2 = {2 * s * (1 - s):.6g}" in r.output
    assert "df/dw1" not in r.output  # only the way back to x0
    r = runner.invoke(app, ["explain", "--example", "graph-shared-relu"])
    assert "(the sum over the 2 uses of x)" in r.output
    r = runner.invoke(app, ["explain", "--example", "graph-shared-relu", "--param", "nope"])
    assert r.exit_code == 1 and "is not an input or a gate" in r.output


def _tikz_bend(p, q, bend, n=40):
    """Points of a TikZ `to[bend left=a]` edge (out = chord angle + a, in = chord angle + 180 - a,
    control points 0.3915 of the chord away: TikZ's looseness 1), sampled here independently."""
    import math
    a = 0 if not bend else math.radians(int(bend.split("=")[1])) * (1 if "left" in bend else -1)
    th, d = math.atan2(q[1] - p[1], q[0] - p[0]), 0.3915 * math.dist(p, q)
    c1 = (p[0] + d * math.cos(th + a), p[1] + d * math.sin(th + a))
    c2 = (q[0] - d * math.cos(th - a), q[1] - d * math.sin(th - a))
    return [tuple((1 - t) ** 3 * p[i] + 3 * (1 - t) ** 2 * t * c1[i] + 3 * (1 - t) * t * t * c2[i] + t ** 3 * q[i]
                  for i in (0, 1)) for t in (k / n for k in range(n + 1))]


def test_drawn_edges_keep_clear_of_other_gates_and_fit_the_page():
    import math
    from exgen.graph import examples
    from exgen.graph.layout import bend, positions
    specs = [e.spec for e in make_exercises(cfg_of(), [f"s{i}" for i in range(30)])]
    specs += [examples.load(n) for n in examples.names()]
    for s in specs:
        pos, dx = positions(s)
        assert max(x for x, _ in pos.values()) + 0.9 * dx <= 16.6  # the text block is 17 cm wide
        for n in s.nodes:
            for a in n.args:
                others = [xy for m, xy in pos.items() if m not in (a, n.id)]
                pts = _tikz_bend(pos[a], pos[n.id], bend(pos[a], pos[n.id], others))
                assert min((math.dist(p, o) for p in pts for o in others), default=9) >= 0.6, (s.to_dict(), a, n.id)


def test_key_text_says_each_number_once_and_boxes_lie_over_the_edges(tmp_path):
    """A local gradient that is an operand's value is written once (∂r/∂p = q = 0.881, not
    = 0.881 = 0.881), and every box is drawn after every edge, so that no edge crosses a box."""
    import re
    exgen.generate_exam(cfg_of(), tmp_path / "exam", count=3, pdf=False)
    for tex in sorted((tmp_path / "exam/keys").glob("*.tex")):
        text = tex.read_text()
        for step in re.findall(r"\\exgenstep\{(.*)\}", text):
            parts = [p.strip().strip("()") for p in step.split(" = ")]
            assert parts.count(parts[-1]) == 1, step  # the answer, said once
        lines = text.splitlines()
        edges = [i for i, line in enumerate(lines) if line.startswith(r"\draw[->] (i") or line.startswith(r"\draw[->] (g")]
        boxes = [i for i, line in enumerate(lines) if line.startswith(r"\node[vbox] at")]
        assert edges and boxes and max(edges[:-1]) < min(boxes)  # the last edge: the output's arrow
