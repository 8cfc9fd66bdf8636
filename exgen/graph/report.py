"""The text form of a graph's solution (`exgen solve graph.yaml`): the forward values, then the
backward pass edge by edge (upstream × local = downstream), then each gradient, saying where a
name used more than once sums its uses."""
from __future__ import annotations

from exgen.core.report import fmt
from exgen.graph.ops import GATES, gate_text
from exgen.graph.solve import Run


def _table(header: tuple[str, ...], rows: list, indent: str = "  ", left: tuple[int, ...] = (0, 1)) -> list[str]:
    """Aligned columns, the `left` ones (text) to the left, the others (numbers) to the right."""
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    line = lambda r: indent + "  ".join(c.ljust(w) if i in left else c.rjust(w)  # noqa: E731
                                        for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return [line(header), (indent + "  ".join("-" * w for w in widths)).rstrip(), *map(line, rows)]


def text_report(r: Run) -> str:
    spec = r.spec
    out = [f"{spec.name or 'graph'}: {len(spec.inputs)} inputs, {len(spec.nodes)} gates, output {spec.output}"]
    if spec.description:
        out.append(spec.description)
    out.append("\nForward pass")
    rows: list[tuple[str, ...]] = [(k, "input", fmt(v)) for k, v in spec.inputs.items()]
    rows += [(n.id, gate_text(n.op, n.args, n.c), fmt(r.values[n.id][0])) for n in spec.nodes]
    out += _table(("node", "gate", "value"), rows)
    out.append(f"\nBackward pass (d{spec.output}/d{spec.output} = 1; downstream = upstream × local)")
    rows = []  # gate, operand, upstream, local, downstream
    for i in range(len(spec.nodes) - 1, -1, -1):
        n = spec.nodes[i]
        up = r.grads[n.id][0]
        for s, a in enumerate(n.args):
            rows.append((n.id, f"{GATES[n.op].title.split(':')[0]} -> {a}", fmt(up), fmt(r.local[i][s][0]),
                         fmt(r.down[i][s][0])))
    out += _table(("gate", "to operand", "upstream", "local", "downstream"), rows)
    out.append(f"\nGradients d{spec.output}/d(name)")
    rows = []  # name, kind, gradient, note
    for name in [*spec.inputs, *(n.id for n in spec.nodes)]:
        uses = spec.uses(name)
        note = f"sum over its {len(uses)} uses ({', '.join(spec.nodes[i].id for i, _ in uses)})" if len(uses) > 1 else ""
        rows.append((name, "input" if name in spec.inputs else "node", fmt(r.grads[name][0]), note))
    out += _table(("name", "kind", "gradient", "note" if any(r[3] for r in rows) else ""), rows,
                  left=(0, 1, 3))
    return "\n".join(out) + "\n"
