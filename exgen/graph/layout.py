"""Where a graph's inputs and gates sit on the sheet, and how each edge runs.

Inputs are in column 0, a gate one column right of its deepest operand; in a column the rows
follow the mean row of the operands (fewer crossings); the columns shrink to fit the page. An
edge is straight unless that line passes too near another node: then it bends (TikZ `bend left`
/ `bend right`, the first angle whose curve clears every node; sampled as TikZ draws it, a cubic
Bézier with control points 0.3915 of the chord away).
"""
from __future__ import annotations

import math

from exgen.graph.spec import GraphSpec

DX, DY = 2.7, 2.0  # cm between columns, rows (at most)
WIDTH = 16.5  # cm the drawing may take, the output arrow included
CLEAR = 0.7  # cm from a node's centre that an edge must keep (the gate's radius, and a margin)
BENDS = ["", "bend left=30", "bend right=30", "bend left=50", "bend right=50", "bend left=70", "bend right=70"]


def positions(spec: GraphSpec) -> tuple[dict[str, tuple[float, float]], float]:
    """(x, y) in cm of every input and gate, and the column width. Rows: the inputs in order, a
    column's gates by the mean row of their operands; then once more with the inputs sorted by the
    mean row of the gates they feed (fewer crossings)."""
    depth = {x: 0 for x in spec.inputs}
    for n in spec.nodes:
        depth[n.id] = 1 + max(depth[a] for a in n.args)
    cols: dict[int, list[str]] = {}
    for name, d in depth.items():
        cols.setdefault(d, []).append(name)
    args = {n.id: n.args for n in spec.nodes}
    row: dict[str, float] = {}
    for rounds in range(2):  # then the inputs again, in the order of the rows of the gates they feed
        if rounds:
            users = {x: [row[n.id] for n in spec.nodes if x in n.args] for x in cols[0]}
            cols[0].sort(key=lambda x: sum(users[x]) / len(users[x]))
        for d in sorted(cols):
            names = cols[d]
            mean = {m: sum(row[a] for a in args[m]) / len(args[m]) for m in names} if d > 0 else {}
            if d > 0:
                names.sort(key=mean.__getitem__)
            for j, m in enumerate(names):
                row[m] = mean[m] if len(names) == 1 else j - (len(names) - 1) / 2
    dx = min(DX, WIDTH / (max(depth.values()) + 0.9))
    return {m: (round(dx * depth[m], 3), round(-DY * row[m], 3)) for m in depth}, dx


def _curve(p: tuple[float, float], q: tuple[float, float], bend: str, n: int = 24,
           r0: float = 0.0, r1: float = 0.0) -> list[tuple[float, float]]:
    """Points of the edge as TikZ draws it: from the border of the node at p (radius r0) in the
    out direction to the border of the node at q (radius r1), a cubic Bezier with control points
    0.3915 of the chord away (looseness 1); straight for bend ""."""
    a = math.radians(int(bend.split("=")[1])) * (1 if "left" in bend else -1) if bend else 0.0
    th = math.atan2(q[1] - p[1], q[0] - p[0])
    p = (p[0] + r0 * math.cos(th + a), p[1] + r0 * math.sin(th + a))
    q = (q[0] + r1 * math.cos(th + math.pi - a), q[1] + r1 * math.sin(th + math.pi - a))
    d = 0.3915 * math.dist(p, q)
    c1 = (p[0] + d * math.cos(th + a), p[1] + d * math.sin(th + a))
    c2 = (q[0] + d * math.cos(th + math.pi - a), q[1] + d * math.sin(th + math.pi - a))
    pts = []
    for k in range(n + 1):
        t = k / n
        u = 1 - t
        pts.append((u**3 * p[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * q[0],
                    u**3 * p[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * q[1]))
    return pts


def bend(p: tuple[float, float], q: tuple[float, float], others: list[tuple[float, float]]) -> str:
    """The TikZ bend ("" for straight) of the edge p -> q that keeps clear of the nodes `others`."""
    best, room = "", -1.0
    for b in BENDS:
        pts = _curve(p, q, b)
        gap = min((math.dist(s, o) for s in pts for o in others), default=math.inf)
        if gap >= CLEAR:
            return b
        if gap > room:
            best, room = b, gap
    return best


POSITIONS = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)  # where along an edge its boxes may sit, best first
BOX_H, GATE_R = 0.34, 0.42  # cm: a box's height (TikZ above=2pt/below=2pt of the edge), a gate's radius
INPUT_R, MARGIN = 0.2, 0.05  # cm: half an input's name, the room kept around a box


def box_width(text: str) -> float:
    """cm of a \\scriptsize number box (at least the empty box's 0.7 cm)."""
    return max(0.7, 0.14 * len(text) + 0.12)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """The overlapping area of two boxes (x0, y0, x1, y1)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def box_positions(edges: list[tuple[tuple[float, float], tuple[float, float], str, float, bool]],
                  gates: list[tuple[float, float]]) -> list[float]:
    """For each edge (from, to, bend, width of its wider box, whether it leaves an input), where
    along it (TikZ pos) its two boxes sit: the first of POSITIONS where they overlap no gate and no
    box placed before (with a margin), else where they overlap least."""
    placed = [(x - GATE_R, y - GATE_R, x + GATE_R, y + GATE_R) for x, y in gates]
    out = []
    for p, q, b, w, from_input in edges:
        pts = _curve(p, q, b, 100, INPUT_R if from_input else GATE_R, GATE_R)
        w += 2 * MARGIN
        best, cost, boxes = POSITIONS[0], float("inf"), []
        for t in POSITIONS:
            x, y = pts[round(t * 100)]
            mine = [(x - w / 2, y, x + w / 2, y + 0.07 + BOX_H + MARGIN), (x - w / 2, y - 0.07 - BOX_H - MARGIN, x + w / 2, y)]
            c = sum(_overlap(m, o) for m in mine for o in placed)
            if c < cost - 1e-9:
                best, cost, boxes = t, c, mine
            if c == 0:
                break
        placed += boxes
        out.append(best)
    return out
