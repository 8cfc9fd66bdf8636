"""The network as an inline SVG, in the notation and with the coordinates of the sheets' drawing
(exgen.exam.drawing: nodes, weight tags on their edges clear of each other, biases inside their
neuron, inputs noted left of the input layer). Symbols are MathML (page.mathml) in
foreignObject; colours are the page's CSS classes (light and dark)."""
from __future__ import annotations

import math

from exgen.core.notation import Notation
from exgen.core.spec import Spec
from exgen.exam.drawing import Node, label_size, layout
from exgen.limits import MAX_EXAM_NEURONS
from exgen.page.mathml import math as mathml

PX = 50.0  # px per cm of the sheets' drawing
LEFT = 2.2  # cm of room for the input notes, as the sheets leave
MINUS = "\u2212"  # a number's sign as math sets it


def _n(v: float) -> str:
    return f"{v * PX:.1f}"


def _fo(x: float, y: float, w: float, h: float, body: str, cls: str) -> str:
    """A foreignObject box (cm, y up) holding HTML/MathML."""
    return (f'<foreignObject x="{_n(x)}" y="{_n(-y)}" width="{_n(w)}" height="{_n(h)}">'
            f'<div class="{cls}">{body}</div></foreignObject>')


def network_svg(spec: Spec, nt: Notation, given, uid: str) -> tuple[str, str]:
    """(svg, note): the drawing, "" if the network is too wide to draw, and a sentence for the
    reader when the weights are in the tables only. `given(v)` formats a given number; `uid`
    makes the drawing's element ids unique on the page."""
    layers = spec.layers
    if max(layers) > MAX_EXAM_NEURONS:
        return "", "The network is too wide to draw legibly: its weights are in the tables below."
    biases = spec.biases is not None
    widest = "-" + given(0.0)
    node_size = (round(label_size(widest)[0] + 0.55, 2), 1.0) if biases else (1.0, 0.9)
    lay = layout(tuple(layers), widest, node_size)
    note = "" if lay is not None else "The weights are too many to label legibly on the drawing: they are in the tables below."
    dx = lay.dx if lay else round(min(4.0, 12.0 / spec.n_layers), 2)
    dy = lay.dy if lay else 1.2
    hw, hh = node_size[0] / 2, node_size[1] / 2
    nodes = [[Node(f"n{l}-{j}", round(dx * l, 3), round(dy * ((n - 1) / 2 - j), 3), hw, hh) for j in range(n)]
             for l, n in enumerate(layers)]
    parts = []
    tag_h = label_size("0")[1]
    for l in range(spec.n_layers):
        for j in range(layers[l + 1]):
            for k in range(layers[l]):
                src, dst = nodes[l][k], nodes[l + 1][j]
                ddx, ddy = dst.x - src.x, dst.y - src.y
                d = math.hypot(ddx, ddy)
                (px, py), (qx, qy) = src.border(ddx / d, ddy / d), dst.border(-ddx / d, -ddy / d)
                parts.append(f'<line class="edge" x1="{_n(px)}" y1="{_n(-py)}" x2="{_n(qx)}" y2="{_n(-qy)}" '
                             f'marker-end="url(#{uid}-arrow)"/>')
                if lay is None:
                    continue
                pos = lay.pos[(l, j, k)]
                text = given(spec.weights[l][j, k])
                tw = label_size(text)[0]
                cx, cy = px + pos * (qx - px), py + pos * (qy - py)
                ang = -math.degrees(math.atan2(qy - py, qx - px))
                parts.append(f'<g transform="translate({_n(cx)} {_n(-cy)}) rotate({ang:.2f})">'
                             f'<rect class="tag" x="{_n(-tw / 2)}" y="{_n(-tag_h / 2)}" width="{_n(tw)}" '
                             f'height="{_n(tag_h)}"/><text class="tagtext" x="0" y="0">{text.replace("-", MINUS)}</text></g>')
    for l, col in enumerate(nodes):
        for j, nd in enumerate(col):
            parts.append(f'<rect class="node" x="{_n(nd.x - hw)}" y="{_n(-nd.y - hh)}" width="{_n(2 * hw)}" '
                         f'height="{_n(2 * hh)}" rx="6"/>')
            body = mathml(nt.h(l, j))
            if spec.biases is not None and l > 0:
                body += f'<span class="bias">{mathml("b = " + given(spec.biases[l - 1][j]))}</span>'
            parts.append(_fo(nd.x - hw, nd.y + hh, 2 * hw, 2 * hh, body, "nl"))
            if l == 0 and not spec.batched:
                parts.append(_fo(nd.x - hw - LEFT, nd.y + 0.3, LEFT - 0.07, 0.6,
                                 mathml(f"{nt.h(0, j)} = {given(spec.x[0, j])}"), "note"))
    x0, x1 = -LEFT - hw, dx * spec.n_layers + hw + 0.1
    top = dy * (max(layers) - 1) / 2 + hh + 0.1
    w, h = x1 - x0, 2 * top
    svg = (f'<svg class="net" viewBox="{_n(x0)} {_n(-top)} {_n(w)} {_n(h)}" width="{_n(w)}" '
           f'role="img" aria-label="Drawing of the network; every number in it is also in the tables below.">'
           f'<defs><marker id="{uid}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>'
           + "".join(parts) + "</svg>")
    return svg, note
