"""The graph spec (JSON or YAML, read by exgen.load):

    graph:                                   or     expression: "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
      inputs: {x: -2, y: 5, z: -4}                  inputs: {w0: 2, x0: -1, w1: -3, x1: -2, w2: -3}
      nodes: {q: "x + y", f: "q * z"}               output: f        # optional: the output's name
      output: f                                     # (`expression` may also sit inside `graph:`)

Nodes are listed in evaluation order; each may use the inputs and the nodes before it, and is
taken apart into one node per gate (intermediate gates of node f are f_1, f_2, ...; of an
`expression`, s0, s1, ... as the notes' flat code names them). Every node and input must reach the
output. Errors name the file and the field (exgen.errors.SpecError); sizes are bounded by
exgen.limits. `GraphSpec.to_dict()` is the normalised spec: one gate per node.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from exgen import fields, limits
from exgen.errors import SpecError
from exgen.graph.ops import FUNCTIONS, GATES, gate_text
from exgen.graph.parse import Node, ParseError, take_apart

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
TOP_KEYS = ("graph", "expression", "inputs", "output", "name", "description")
GRAPH_KEYS = ("inputs", "nodes", "output", "expression")


@dataclass
class GraphSpec:
    inputs: dict[str, float]  # name -> value, in the spec's order
    nodes: list[Node]  # one gate each, in evaluation order
    output: str
    name: str = ""
    description: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def index(self) -> dict[str, int]:
        """Node id -> its position in `nodes`."""
        return {n.id: i for i, n in enumerate(self.nodes)}

    def uses(self, name: str) -> list[tuple[int, int]]:
        """(node position, operand slot) of every use of an input or node."""
        return [(i, s) for i, n in enumerate(self.nodes) for s, a in enumerate(n.args) if a == name]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"graph": {"inputs": dict(self.inputs),
                                       "nodes": {n.id: gate_text(n.op, n.args, n.c) for n in self.nodes},
                                       "output": self.output}}
        for k in ("name", "description"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        return d


def is_graph(d: Any) -> bool:
    """Is the document a graph spec (rather than a network spec)?"""
    return isinstance(d, dict) and ("graph" in d or "expression" in d)


def _name(v: Any, fld: str, src: str | None, what: str) -> str:
    if not isinstance(v, str) or not NAME_RE.match(v):
        raise SpecError(fld, f"expected {what}: a letter, then letters, digits or _ (at most 32), "
                             f"got {fields.describe(v)}", src)
    if v in FUNCTIONS:
        raise SpecError(fld, f"'{v}' is a function name; choose another name", src)
    return v


def _inputs(v: Any, fld: str, src: str | None) -> dict[str, float]:
    if not isinstance(v, dict) or not v:
        raise SpecError(fld, f"expected a mapping of input names to numbers, e.g. {{x: -2, y: 5}}, "
                             f"got {fields.describe(v)}", src)
    limits.check("graph inputs", len(v), limits.MAX_GRAPH_INPUTS, src, limits.field(fld))
    out = {}
    for k, x in v.items():
        name = _name(k, fld, src, "an input name")
        if not fields.is_number(x) or abs(x) > limits.MAX_GRAPH_NUMBER:
            raise SpecError(f"{fld}.{name}", f"expected a number of size at most {limits.MAX_GRAPH_NUMBER:g}, "
                                             f"got {fields.describe(x)}", src)
        out[name] = float(x)
    return out


def _parse(text: Any, fld: str, name: str, known: set[str], fresh, out: list[Node], src: str | None) -> None:
    if not isinstance(text, str):
        raise SpecError(fld, f"expected an expression such as \"x + y\", got {fields.describe(text)}", src)
    try:
        take_apart(text, name, known, fresh, out)
    except ParseError as e:
        raise SpecError(None, f"{fld}, column {e.col}: {e.problem}", src) from None
    except limits.LimitError as e:
        raise SpecError(None, f"{fld}: {e}", src) from None


def from_dict(d: Any, source: str | None = None) -> GraphSpec:
    """Validate a graph spec mapping; SpecError naming the field (and column) if it is not one."""
    src = source
    if not is_graph(d):
        raise SpecError(None, "not a graph spec: expected 'graph: {inputs, nodes, output}' or 'expression' "
                              "with 'inputs'", src)
    for k in d:
        if k not in TOP_KEYS:
            raise SpecError(str(k), f"unknown field; valid: {', '.join(TOP_KEYS)}", src)
    g, at = (d["graph"], "graph.") if "graph" in d else (d, "")
    if at:
        if not isinstance(g, dict):
            raise SpecError("graph", f"expected a mapping with inputs, nodes and output, got {fields.describe(g)}", src)
        for k in g:
            if k not in GRAPH_KEYS:
                raise SpecError(f"graph.{k}", f"unknown field; valid: {', '.join(GRAPH_KEYS)}", src)
        for k in ("expression", "inputs"):
            if k in d:
                raise SpecError(k, "give it inside 'graph:' (or leave 'graph:' out)", src)
    if "inputs" not in g:
        raise SpecError(f"{at}inputs", "missing: the inputs and their values, e.g. {x: -2, y: 5}", src)
    inputs = _inputs(g["inputs"], f"{at}inputs", src)
    known, nodes = set(inputs), []  # type: set[str], list[Node]
    taken = set(inputs)
    out_name = g.get("output")
    if out_name is not None:
        _name(out_name, f"{at}output", src, "the output node's name")
    if ("nodes" in g) == ("expression" in g):
        raise SpecError(f"{at}nodes", "give either 'nodes' (one expression per node) or one 'expression'", src)
    if "expression" in g:
        out_name = out_name or "f"
        if out_name in inputs:
            raise SpecError(f"{at}output", f"'{out_name}' is an input; name the output otherwise", src)
        _parse(g["expression"], f"{at}expression", out_name, known, _namer("s{}", 0, taken | {out_name}), nodes, src)
    else:
        spec_nodes = g["nodes"]
        if not isinstance(spec_nodes, dict) or not spec_nodes:
            raise SpecError(f"{at}nodes", "expected a mapping of node names to expressions, e.g. "
                                          f"{{q: \"x + y\", f: \"q * z\"}}, got {fields.describe(spec_nodes)}", src)
        names = [_name(k, f"{at}nodes", src, "a node name") for k in spec_nodes]
        for k in names:
            if k in taken:
                raise SpecError(f"{at}nodes.{k}", f"'{k}' is already an input's name", src)
            taken.add(k)
        for k in names:
            before = len(nodes)
            _parse(spec_nodes[k], f"{at}nodes.{k}", k, known, _namer(k + "_{}", 1, taken), nodes, src)
            taken.update(n.id for n in nodes[before:])
        out_name = out_name or names[-1]
        if out_name not in names:
            raise SpecError(f"{at}output", f"'{out_name}' is not a node (nodes: {', '.join(names)})", src)
    spec = GraphSpec(inputs, nodes, out_name, _text(d, "name", src), _text(d, "description", src), src or "")
    _reach(spec, at, src)
    return spec


def _namer(pattern: str, start: int, taken: set[str]) -> Callable[[], str]:
    """Fresh names pattern.format(start), pattern.format(start + 1), ... not in `taken`."""
    counter = itertools.count(start)

    def fresh() -> str:
        return next(n for n in (pattern.format(i) for i in counter) if n not in taken)
    return fresh


def _text(d: dict, k: str, src: str | None) -> str:
    v = d.get(k, "")
    if not isinstance(v, str):
        raise SpecError(k, f"expected a string, got {fields.describe(v)}", src)
    return v


def _reach(spec: GraphSpec, at: str, src: str | None) -> None:
    """Every input and node reaches the output (else its gradient is 0 and the graph is not one)."""
    live = {spec.output}
    for n in reversed(spec.nodes):
        if n.id in live:
            live.update(n.args)
    for n in spec.nodes:
        if n.id not in live:
            raise SpecError(f"{at}nodes", f"node '{n.id}' does not reach the output '{spec.output}'", src)
    for k in spec.inputs:
        if k not in live:
            raise SpecError(f"{at}inputs.{k}", f"input '{k}' is not used on the way to the output '{spec.output}'", src)


def load_if_graph(path: str | Path) -> GraphSpec | None:
    """The graph spec of a file (or of an answer key's spec), or None if it holds something else."""
    from exgen.load import read_document
    p = Path(path)
    if not p.is_file():
        raise SpecError(None, "no such file" if not p.exists() else "not a file", str(p))
    d = read_document(p)
    if isinstance(d, dict) and "questions" in d and isinstance(d.get("spec"), dict):
        d = d["spec"]  # an answer key
    return from_dict(d, str(p)) if is_graph(d) else None


def load(path: str | Path) -> GraphSpec:
    """The graph spec of a .json/.yaml file; SpecError if it is not one."""
    g = load_if_graph(path)
    if g is None:
        raise SpecError(None, "not a graph spec: expected 'graph: {inputs, nodes, output}' or 'expression' "
                              "with 'inputs'", str(path))
    return g


__all__ = ["GATES", "GraphSpec", "from_dict", "is_graph", "load", "load_if_graph"]
