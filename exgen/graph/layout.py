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
    """(x, y) in cm of every input and gate, and the column width."""
    depth = {x: 0 for x in spec.inputs}
    for n in spec.nodes:
        depth[n.id] = 1 + max(depth[a] for a in n.args)
    cols: dict[int, list[str]] = {}
    for name, d in depth.items():
        cols.setdefault(d, []).append(name)
    args = {n.id: n.args for n in spec.nodes}
    row: dict[str, float] = {}
    for d in sorted(cols):
        names = cols[d]
        mean = {m: sum(row[a] for a in args[m]) / len(args[m]) for m in names} if d > 0 else {}
        if d > 0:
            names.sort(key=mean.__getitem__)
        for j, m in enumerate(names):
            row[m] = mean[m] if len(names) == 1 else j - (len(names) - 1) / 2
    dx = min(DX, WIDTH / (max(depth.values()) + 0.9))
    return {m: (round(dx * depth[m], 3), round(-DY * row[m], 3)) for m in depth}, dx


def _curve(p: tuple[float, float], q: tuple[float, float], bend: str, n: int = 24) -> list[tuple[float, float]]:
    if not bend:
        return [(p[0] + (q[0] - p[0]) * t / n, p[1] + (q[1] - p[1]) * t / n) for t in range(n + 1)]
    a = math.radians(int(bend.split("=")[1])) * (1 if "left" in bend else -1)
    th = math.atan2(q[1] - p[1], q[0] - p[0])
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
