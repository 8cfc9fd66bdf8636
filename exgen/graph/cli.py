"""What `exgen solve` prints for a graph (the CLI stays thin: it calls these)."""
from __future__ import annotations

from pathlib import Path

from exgen.graph import examples
from exgen.graph.report import text_report
from exgen.graph.solve import solve, to_json
from exgen.graph.spec import GraphSpec, load_if_graph


def graph_of(spec_file: Path | None, example: str | None) -> GraphSpec | None:
    """The graph of a spec file or a built-in example, or None if it is a network."""
    if example is not None:
        return examples.load(example) if example in examples.names() else None
    return load_if_graph(spec_file) if spec_file is not None else None


def solve_text(spec_file: Path | None, example: str | None, as_json: bool) -> str | None:
    if (spec_file is None) == (example is None):
        return None  # the network path says what is wrong
    g = graph_of(spec_file, example)
    if g is None:
        return None
    from exgen.core.solution import dumps
    r = solve(g)
    return dumps(to_json(r)) if as_json else text_report(r)


def list_examples() -> str:
    out = []
    for name in examples.names():
        g = examples.load(name)
        out.append(f"{name:24}  graph: {len(g.inputs)} inputs, {len(g.nodes)} gates  {g.description.split(': ')[0]}\n")
    return "".join(out)
