"""A computational graph on the self-check page (exgen.graph): its gates as an inline SVG, at the
sheets' places (exgen.graph.layout: inputs on the left, a gate one column right of its deepest
operand, edges bent clear of other gates) with the sheets' gate labels (exgen.graph.render), and
the same as a table (every gate, its operands and formula, in evaluation order)."""
from __future__ import annotations

from typing import Any

from markupsafe import Markup

from exgen.graph.layout import GATE_R, INPUT_R, _curve, bend, positions
from exgen.graph.ops import gate_text, symbol
from exgen.graph.render import gate_label
from exgen.graph.spec import GraphSpec
from exgen.page.mathml import math as mathml
from exgen.page.svg import PX, _fo, _n

LEFT = 1.9  # cm of room left of an input for its given value
NARROW = 520  # px: the least width of a drawing on a narrow screen (page.css, svg.net)


def _label(op: str, c: float) -> str:
    """The sheets' gate label (LaTeX in $...$, or a word) as MathML."""
    t = gate_label(op, c)
    return mathml(t.strip("$") if t.startswith("$") else rf"\text{{{t}}}")


def graph_svg(spec: GraphSpec, given, uid: str) -> str:
    """The graph: inputs with their given values, gates as circles holding their operation, each
    gate's name below it, an arrow out of the output. `given(v)` formats a given number."""
    pos, dx = positions(spec)
    parts, drawn = [], []
    for n in spec.nodes:
        for a in dict.fromkeys(n.args):
            others = [xy for m, xy in pos.items() if m not in (a, n.id)]
            pts = _curve(pos[a], pos[n.id], bend(pos[a], pos[n.id], others), 24,
                         INPUT_R + 0.15 if a in spec.inputs else GATE_R, GATE_R)
            drawn += pts
            d = " ".join(f"{_n(x)},{_n(-y)}" for x, y in pts)
            parts.append(f'<polyline class="edge" fill="none" points="{d}" marker-end="url(#{uid}-arrow)"/>')
    out = pos[spec.output]
    ox = out[0] + max(dx * 0.8, 1.4)
    parts.append(f'<line class="edge" x1="{_n(out[0] + GATE_R)}" y1="{_n(-out[1])}" x2="{_n(ox)}" '
                 f'y2="{_n(-out[1])}" marker-end="url(#{uid}-arrow)"/>')
    parts.append(_fo(ox - 0.9, out[1] + 0.75, 1.0, 0.6, mathml(symbol(spec.output)), "note"))
    for x, v in spec.inputs.items():
        px, py = pos[x]
        parts.append(_fo(px - LEFT, py + 0.3, LEFT + INPUT_R + 0.1, 0.6,
                         mathml(f"{symbol(x)} = {given(v)}"), "note"))
    for n in spec.nodes:
        px, py = pos[n.id]
        parts.append(f'<circle class="node" cx="{_n(px)}" cy="{_n(-py)}" r="{_n(GATE_R)}"/>')
        parts.append(_fo(px - GATE_R - 0.3, py + GATE_R, 2 * GATE_R + 0.6, 2 * GATE_R, _label(n.op, n.c), "nl gate"))
        parts.append(_fo(px - 0.8, py - GATE_R - 0.02, 1.6, 0.5, mathml(symbol(n.id)), "nl name"))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in [*pos.values(), *drawn]]  # a bent edge may pass above or below every node
    x0, x1 = min(xs) - LEFT - 0.1, ox + 0.2
    top, bottom = max(ys) + GATE_R + 0.3, min(ys) - GATE_R - 0.6
    w, h = x1 - x0, top - bottom
    narrow = min(w * PX, NARROW)  # a phone: a small graph at its own size, a large one scrolls sideways
    return (f'<svg class="net graph" viewBox="{_n(x0)} {_n(-top)} {_n(w)} {_n(h)}" width="{_n(w)}" '
            f'style="min-width: {narrow:.0f}px" '
            f'role="img" aria-label="Drawing of the computational graph; every gate is also in the table below.">'
            f'<defs><marker id="{uid}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>'
            + "".join(parts) + "</svg>")


def gates_table(spec: GraphSpec) -> list[dict[str, Any]]:
    """One row per gate, in evaluation order: its name, formula, operands and what uses it."""
    rows = []
    for n in spec.nodes:
        used = list(dict.fromkeys(m.id for m in spec.nodes if n.id in m.args))
        rows.append({"name": Markup(mathml(symbol(n.id))),
                     "formula": Markup(mathml(gate_text(n.op, [symbol(a) for a in n.args], n.c, latex=True))),
                     "inputs": Markup(", ".join(mathml(symbol(a)) for a in dict.fromkeys(n.args))),
                     "used": Markup(", ".join(mathml(symbol(u)) for u in used) if used else "the output")})
    return rows


def graph_view(spec: GraphSpec, given, index: int) -> dict[str, Any]:
    """The template's graph parts of exercise `index`."""
    return {"svg": Markup(graph_svg(spec, given, f"e{index}")), "gates": gates_table(spec),
            "inputs": Markup(math_list(spec, given)), "output": Markup(mathml(symbol(spec.output)))}


def math_list(spec: GraphSpec, given) -> str:
    return ", ".join(mathml(f"{symbol(x)} = {given(v)}") for x, v in spec.inputs.items())  # each wraps alone
