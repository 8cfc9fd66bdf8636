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


def explain_text(spec_file: Path | None, example: str | None, name: str | None) -> str | None:
    """`exgen explain` for a graph: every step worked out (the question kinds' own text), in the
    order a student works: forward values, local gradients, downstream gradients; with `name`
    (an input or gate), only the steps on the way back to it."""
    if (spec_file is None) == (example is None):
        return None
    g = graph_of(spec_file, example)
    if g is None:
        return None
    from exgen.errors import UsageError
    from exgen.graph.draw import exercise
    from exgen.kinds import KINDS, read
    if name is not None and name not in g.inputs and name not in g.index:
        raise UsageError(f"--param: {name!r} is not an input or a gate of this graph "
                         f"(names: {', '.join([*g.inputs, *g.index])})")
    ex = exercise(g)
    on_way = {name}  # the gates that depend on `name`: the way back from the output to it
    for n in g.nodes:
        if on_way & set(n.args):
            on_way.add(n.id)
    wanted = {f"/gradients/{x}" for x in on_way} | {f"/nodes/{g.index[x]}/grad" for x in on_way if x in g.index}
    out = [f"{g.name or 'graph'}: output {g.output}" + (f"; the way back to {name}" if name else ""), ""]
    kind = ""
    for q in ex.questions:
        unit, ref = read(q.ref, 1)
        if name is not None and q.ref not in wanted:
            continue
        if q.kind != kind:
            kind = q.kind
            out.append(KINDS[kind].title)
        out += [f"  {line}" for line in unit.worked_text(ref, ex.solution, None)]  # type: ignore[arg-type]
    return "\n".join(out) + "\n"
