"""Computational graphs (exgen.graph): the seed 002 examples at the notes' printed numbers, random
graphs against an independent reference (a hand-written evaluator and finite differences in this
file), the parser's one-line errors, and `exgen solve` on graph specs."""
import json
import math
import random

import pytest
from typer.testing import CliRunner

from exgen.cli.main import app
from exgen.errors import SpecError
from exgen.graph import examples
from exgen.graph.solve import solve, to_json
from exgen.graph.spec import from_dict

runner = CliRunner()


def solved(name):
    return to_json(solve(examples.load(name)))


def node(sol, nid):
    return next(n for n in sol["nodes"] if n["id"] == nid)


# ---- seed 002 (002_3f0eb775ca5e4e6a.txt), "Backpropagation with Computational Graphs" ----------

def test_seed002_example_1_f_equals_x_plus_y_times_z():
    s = solved("seed002-graph-fxyz")  # line 1374: f(x, y, z) = (x + y)z; line 1376: x = -2, y = 5, z = -4
    assert node(s, "q")["value"] == 3 and node(s, "f")["value"] == -12
    assert node(s, "q")["local"] == {"x": 1, "y": 1}  # line 1380: dq/dx = 1, dq/dy = 1
    assert node(s, "f")["local"] == {"q": -4, "z": 3}  # line 1382: df/dq = z, df/dz = q
    assert s["gradients"]["y"] == -4  # line 1386: df/dy = df/dq dq/dy = z * 1 = -4
    assert s["gradients"]["x"] == -4  # line 1394: df/dx = z * 1 = -4
    assert s["gradients"]["z"] == 3  # line 1382: df/dz = q = 3


def test_seed002_example_2_sigmoid_neuron_gate_by_gate():
    s = solved("seed002-graph-sigmoid")
    # line 1575-1586 (flat code): s0 = w0*x0, s1 = w1*x1, s2 = s0 + s1, s3 = s2 + w2, then the sigmoid
    # taken apart as the figure does it: * -1, exp, + 1, 1/x
    assert [n["op"] for n in s["nodes"]] == ["mul", "mul", "add", "add", "neg", "exp", "addc", "inv"]
    assert [n["inputs"] for n in s["nodes"][:4]] == [["w0", "x0"], ["w1", "x1"], ["s0", "s1"], ["s2", "w2"]]
    # lines 1441-1446: the +1 gate's downstream = (-0.53) * d(x+1)/dx = (-0.53)(1) = -0.53
    plus1, inv = s["nodes"][6], s["nodes"][7]
    assert round(inv["local"]["s6"], 2) == -0.53 and round(plus1["grad"], 2) == -0.53
    assert plus1["local"] == {"s5": 1.0} and round(node(s, "s5")["grad"], 2) == -0.53
    # line 1505: the sigmoid's local gradient (1 - sigma) sigma, at s3 = 1: the whole chain of four
    # gates gives the same as sigma'(s3) (hand formula)
    sig = 1 / (1 + math.exp(-1))
    assert node(s, "s3")["grad"] == pytest.approx(sig * (1 - sig), rel=1e-12)
    assert s["nodes"][-1]["value"] == pytest.approx(sig, rel=1e-12)
    # lines 1613-1622: grad_w1 = grad_s1 * x1, grad_x1 = grad_s1 * w1, and the same for w0, x0
    g = sig * (1 - sig)
    assert s["gradients"] == pytest.approx({"w0": -g, "x0": 2 * g, "w1": -2 * g, "x1": -3 * g, "w2": g}, rel=1e-12)


def test_own_example_sums_the_two_uses():
    s = solved("graph-shared-relu")  # f = max(p, relu(x + z)) + p^2, p = x*y; x = 3, y = -1, z = 2
    p = node(s, "p")
    assert p["value"] == -3 and p["grad"] == 0 + 2 * -3  # max routes to relu(5); the square: 2p
    assert s["gradients"] == {"x": -1 * -6 + 1, "y": 3 * -6, "z": 1}


# ---- random graphs against an independent reference ----------------------------------------

UNARY = {"exp": math.exp, "tanh": math.tanh, "sigmoid": lambda v: 1 / (1 + math.exp(-v)),
         "relu": lambda v: max(v, 0.0), "neg": lambda v: -v, "inv": lambda v: 1 / v,
         "log": math.log, "sq": lambda v: v * v}
BINARY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
          "/": lambda a, b: a / b, "max": max}


def text(op, args):
    a = args
    if op in BINARY:
        return f"max({a[0]}, {a[1]})" if op == "max" else f"({a[0]} {op} {a[1]})"
    return {"neg": f"-({a[0]})", "inv": f"1/({a[0]})", "log": f"log({a[0]})", "sq": f"({a[0]})^2"}.get(op, f"{op}({a[0]})")


def random_nodes(rng, names):
    """A list of (id, op, args) gates, each using inputs or earlier gates; the last uses them all."""
    gates, avail = [], list(names)
    for i in range(rng.randint(2, 7)):
        op = rng.choice(list(UNARY) + list(BINARY) * 2)
        k = 2 if op in BINARY else 1
        args = [rng.choice(avail) for _ in range(k)]
        gates.append((f"n{i}", op, args))
        avail.append(f"n{i}")
    used = {a for _, _, args in gates for a in args}
    rest = [a for a in avail if a not in used and a != gates[-1][0]] + [gates[-1][0]]
    while len(rest) > 1:
        a, b = rest.pop(), rest.pop()
        gates.append((f"n{len(gates)}", "+", [a, b]))
        rest.append(gates[-1][0])
    return gates


def evaluate(gates, inputs, bump=None, eps=0.0):
    """The output, computed here; `bump`: a name whose value gets + eps (finite differences)."""
    v = dict(inputs)
    if bump in v:
        v[bump] += eps
    for nid, op, args in gates:
        x = [v[a] for a in args]
        v[nid] = (BINARY[op](*x) if op in BINARY else UNARY[op](*x)) + (eps if nid == bump else 0.0)
    return v[gates[-1][0]]


def safe(gates, inputs):
    """Away from kinks (relu, max), domains (log, 1/x) and overflow: finite differences are exact enough."""
    v = dict(inputs)
    for nid, op, args in gates:
        x = [v[a] for a in args]
        if (op == "relu" and abs(x[0]) < 0.05) or (op == "max" and abs(x[0] - x[1]) < 0.05):
            return False
        if (op == "log" and x[0] < 0.1) or (op in ("inv", "/") and abs(x[-1]) < 0.1) or (op == "exp" and x[0] > 5):
            return False
        v[nid] = BINARY[op](*x) if op in BINARY else UNARY[op](*x)
        if not math.isfinite(v[nid]) or abs(v[nid]) > 1e4:
            return False
    return True


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_match_finite_differences(seed):
    rng = random.Random(seed)
    names = ["a", "b", "c"][: rng.randint(1, 3)]
    for _ in range(200):
        inputs = {n: round(rng.uniform(-2, 2), 1) for n in names}
        gates = random_nodes(rng, names)
        used = {a for _, _, args in gates for a in args}
        if set(names) <= used and safe(gates, inputs):
            break
    else:
        pytest.skip("no safe graph drawn")
    nodes_form = {nid: text(op, args) for nid, op, args in gates}
    for d in ({"graph": {"inputs": inputs, "nodes": nodes_form}},
              {"expression": _inline(gates, gates[-1][0]), "inputs": inputs}):
        sol = to_json(solve(from_dict(d)))
        f = evaluate(gates, inputs)
        assert sol["nodes"][-1]["value"] == pytest.approx(f, rel=1e-9, abs=1e-12)
        h = 1e-6
        for n in names:
            fd = (evaluate(gates, inputs, n, h) - evaluate(gates, inputs, n, -h)) / (2 * h)
            assert sol["gradients"][n] == pytest.approx(fd, rel=1e-5, abs=1e-6), (d, n)
    # every named node of the nodes form: its gradient by finite differences on its value
    sol = to_json(solve(from_dict({"graph": {"inputs": inputs, "nodes": nodes_form}})))
    for nid, _, _ in gates:
        fd = (evaluate(gates, inputs, nid, h) - evaluate(gates, inputs, nid, -h)) / (2 * h)
        assert node(sol, nid)["grad"] == pytest.approx(fd, rel=1e-5, abs=1e-6), nid


def _inline(gates, nid):
    by = {g[0]: g for g in gates}
    if nid not in by:
        return nid
    _, op, args = by[nid]
    return text(op, [_inline(gates, a) for a in args])


# ---- the parser: only the gates, one-line errors that point at the column ---------------------

SYNTAX_ERRORS = [("x + * y", 5, "expected a number, a name or '('"), ("(x + y", 7, "expected ')'"),
                 ("x; y", 2, "unexpected character ';'"), ("x.y", 2, "unexpected character '.'"),
                 ("__import__('os')", 1, "unexpected character '_'")]  # never eval'd: '_' is not a name character
NOT_A_GATE = [("x + sin(y)", 5, "unknown function 'sin'"), ("x + w", 5, "unknown name 'w'"),
              ("x ^ y", 3, "the exponent must be a number"), ("max(x)", 1, "max takes 2 arguments"),
              ("max(x, 2)", 1, "a variable and 0"), ("x / 0", 3, "division by zero"), ("3 + 4", 3, "not a gate")]


@pytest.mark.parametrize("expr, col, says", SYNTAX_ERRORS + NOT_A_GATE)
def test_parse_errors_point_at_the_column(expr, col, says):
    with pytest.raises(SpecError) as e:
        from_dict({"expression": expr, "inputs": {"x": 1, "y": 2}}, "g.yaml")
    assert str(e.value).startswith(f"g.yaml: expression, column {col}: ") and says in str(e.value), str(e.value)


def test_power_forms_and_constants():
    g = from_dict({"expression": "2*x^2 + x**3 - 1 + 3/y", "inputs": {"x": 2, "y": 3}})
    assert [n.op for n in g.nodes] == ["pow", "mulc", "pow", "add", "addc", "inv", "mulc", "add"]
    s = to_json(solve(g))
    assert s["nodes"][-1]["value"] == pytest.approx(2 * 4 + 8 - 1 + 1)
    assert s["gradients"] == pytest.approx({"x": 4 * 2 + 3 * 4, "y": -3 / 9})


def test_spec_errors_name_the_field():
    cases = [({"graph": {"inputs": {"x": "a"}, "nodes": {"f": "x"}}}, "field 'graph.inputs.x': expected a number"),
             ({"graph": {"inputs": {"x": 1, "y": 2}, "nodes": {"f": "x * 2"}}}, "input 'y' is not used"),
             ({"graph": {"inputs": {"x": 1}, "nodes": {"g": "x + 1", "f": "x * 2"}}}, "node 'g' does not reach"),
             ({"graph": {"inputs": {"x": 1}, "nodes": {"f": "q * 2", "q": "x + 1"}}}, "graph.nodes.f, column 1: unknown name 'q'"),
             ({"graph": {"inputs": {"x": 1}, "nodes": {"x": "x + 1"}}}, "already an input's name"),
             ({"expression": "x", "inputs": {"x": 1}, "layers": [1]}, "field 'layers': unknown field"),
             ({"expression": "2 * 3", "inputs": {}}, "field 'inputs': expected a mapping of input names to numbers, "
                                                      "e.g. {x: -2, y: 5}, got an empty mapping"),  # was "got a mapping"
             ({"expression": "log(x)", "inputs": {"x": -1}}, None)]
    for d, says in cases:
        if says is None:
            with pytest.raises(SpecError, match="node f = log\\(x\\): the value is not a finite number"):
                solve(from_dict(d, "g.yaml"))
            continue
        with pytest.raises(SpecError) as e:
            from_dict(d, "g.yaml")
        assert str(e.value).startswith("g.yaml: ") and says in str(e.value), (says, str(e.value))


def test_limits_before_work():
    with pytest.raises(SpecError, match="too many characters in an expression"):
        from_dict({"expression": "x + " * 600 + "x", "inputs": {"x": 1}})
    with pytest.raises(SpecError, match="nested too deeply"):
        from_dict({"expression": "(" * 60 + "x" + ")" * 60, "inputs": {"x": 1}})
    with pytest.raises(SpecError, match="too many gates"):
        from_dict({"expression": " + ".join(["x"] * 300), "inputs": {"x": 1}})
    with pytest.raises(SpecError, match="is too large"):
        from_dict({"expression": "x * 1e9", "inputs": {"x": 1}})


def test_normalised_spec_round_trips():
    for name in examples.names():
        g = examples.load(name)
        again = from_dict(g.to_dict())
        assert to_json(solve(again)) == to_json(solve(g))


# ---- exgen solve ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", examples.names())
def test_cli_solves_the_graph_examples(name):
    r = runner.invoke(app, ["solve", "--example", name])
    assert r.exit_code == 0, r.output
    assert "Forward pass" in r.output and "upstream" in r.output and "downstream" in r.output
    r = runner.invoke(app, ["solve", "--example", name, "--json"])
    out = json.loads(r.output)
    assert out["version"] == 1 and set(out) == {"version", "graph", "output", "nodes", "gradients"}
    assert all(set(n) >= {"id", "op", "inputs", "value", "local", "grad"} for n in out["nodes"])


def test_cli_graph_file_and_errors(tmp_path):
    p = tmp_path / "g.yaml"
    p.write_text("graph:\n  inputs: {x: -2, y: 5, z: -4}\n  nodes: {q: \"x + y\", f: \"q * z\"}\n  output: f\n")
    r = runner.invoke(app, ["solve", str(p), "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["gradients"] == {"x": -4, "y": -4, "z": 3}
    r = runner.invoke(app, ["solve", str(p)])
    assert "sum over its" not in r.output
    p.write_text('expression: "x + sin(y)"\ninputs: {x: 1, y: 2}\n')
    r = runner.invoke(app, ["solve", str(p)])
    assert r.exit_code == 1 and r.output.strip() == f"Error: {p}: expression, column 5: unknown function 'sin' " \
                                                    "(known: exp, log, sigmoid, tanh, relu, max)"
    r = runner.invoke(app, ["solve", "--example", "graph-shared-relu"])
    assert "sum over its 2 uses (m, q)" in r.output


def test_cli_graph_gradient_table_has_a_header_per_column():
    """Every column of the gradients table is named (the note column only when a note is there)."""
    lines = runner.invoke(app, ["solve", "--example", "graph-shared-relu"]).output.splitlines()
    at = lines.index("Gradients df/d(name)")
    assert lines[at + 1].split() == ["name", "kind", "gradient", "note"]
    assert lines[at + 1].index("note") == lines[at + 3].index("sum over")  # the note is left-aligned under it
    lines = runner.invoke(app, ["solve", "--example", "seed002-graph-fxyz"]).output.splitlines()
    at = lines.index("Gradients df/d(name)")
    assert lines[at + 1].split() == ["name", "kind", "gradient"] and len(lines[at + 2].split()) == 3
