"""Where the network drawing puts its nodes and weight labels (TikZ coordinates, in cm).

Each weight is a tag on its own edge (sloped, white, framed), placed so that it overlaps no
other tag and no node, and, where it can, crosses no other edge. Biases are printed inside their
neuron, so they never touch an edge. Sizes are estimates of what TeX sets (\\scriptsize math in an
11pt document), with a margin. `layout` returns None when no placement keeps every tag clear:
the sheet then says so and the tables carry the numbers.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

PT = 1 / 28.4527  # cm per TeX point
TEXT_WIDTH = 17.0  # cm: A4 with 2 cm margins
MAX_HEIGHT = 12.0  # cm of page height the drawing may take
MARGIN = 0.06  # cm kept clear around every tag
MAX_GAP_EDGES = 25  # more edges between two layers are not tried: no placement fits the page


@dataclass(frozen=True)
class Box:
    """A rectangle centred at (cx, cy) with half sizes (hw, hh), turned by `angle` radians."""
    cx: float
    cy: float
    hw: float
    hh: float
    angle: float = 0.0

    def corners(self) -> list[tuple[float, float]]:
        c, s = math.cos(self.angle), math.sin(self.angle)
        return [(self.cx + a * c - b * s, self.cy + a * s + b * c)
                for a, b in ((-self.hw, -self.hh), (self.hw, -self.hh), (self.hw, self.hh), (-self.hw, self.hh))]

    def axes(self) -> list[tuple[float, float]]:
        c, s = math.cos(self.angle), math.sin(self.angle)
        return [(c, s), (-s, c)]


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes intersect (separating-axis test)."""
    ca, cb = a.corners(), b.corners()
    for ax, ay in a.axes() + b.axes():
        pa = [x * ax + y * ay for x, y in ca]
        pb = [x * ax + y * ay for x, y in cb]
        if max(pa) < min(pb) or max(pb) < min(pa):
            return False
    return True


def segment(p: tuple[float, float], q: tuple[float, float]) -> Box:
    """A line segment as a box of zero height."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    return Box((p[0] + q[0]) / 2, (p[1] + q[1]) / 2, math.hypot(dx, dy) / 2, 0.0, math.atan2(dy, dx))


def label_size(text: str) -> tuple[float, float]:
    """Width and height (cm) of a number set as a framed \\scriptsize math tag."""
    pts = {"-": 6.6, ".": 2.4}
    w = sum(pts.get(ch, 4.3) for ch in text) + 2 * 2.0 + 0.8  # inner xsep 2pt, the frame
    return w * PT, (7.5 + 2 * 1.2 + 0.8) * PT


@dataclass
class Node:
    name: str
    x: float
    y: float
    hw: float  # half width (cm)
    hh: float  # half height (cm)

    @property
    def box(self) -> Box:
        return Box(self.x, self.y, self.hw, self.hh)

    def border(self, ux: float, uy: float) -> tuple[float, float]:
        """The point where a ray from the centre in direction (ux, uy) leaves the node."""
        s = min(self.hw / abs(ux) if ux else math.inf, self.hh / abs(uy) if uy else math.inf)
        return self.x + s * ux, self.y + s * uy


@dataclass
class Edge:
    src: Node
    dst: Node
    text: str  # the weight as printed
    pos: float = 0.5  # where its tag sits, as a fraction of the visible segment (TikZ pos)
    tag: Box | None = None

    def tag_box(self, size: tuple[float, float]) -> Box:
        """The tag of a weight of this size (width, height) at `pos`, with its margin."""
        p, q = self.ends()
        return Box(p[0] + self.pos * (q[0] - p[0]), p[1] + self.pos * (q[1] - p[1]), size[0] / 2 + MARGIN,
                   size[1] / 2 + MARGIN, math.atan2(q[1] - p[1], q[0] - p[0]))

    def ends(self) -> tuple[tuple[float, float], tuple[float, float]]:
        dx, dy = self.dst.x - self.src.x, self.dst.y - self.src.y
        d = math.hypot(dx, dy)
        ux, uy = dx / d, dy / d
        return self.src.border(ux, uy), self.dst.border(-ux, -uy)


@dataclass
class Layout:
    nodes: list[Node]
    edges: list[Edge]
    dx: float
    dy: float
    pos: dict[tuple[int, int, int], float]  # (weight layer l, to j, from k) -> the tag's TikZ pos


def _near(a: Box, b: Box) -> bool:
    """A cheap test before `overlap`: the boxes' bounding circles meet."""
    return math.hypot(a.cx - b.cx, a.cy - b.cy) <= math.hypot(a.hw, a.hh) + math.hypot(b.hw, b.hh)


def _place_gap(edges: list[Edge], nodes: list[Node], size: tuple[float, float], tries: int = 16) -> bool:
    """`_place` in the given order; an edge left without a place goes first on the next try."""
    order = list(edges)
    for _ in range(tries):
        failed = _place(order, nodes, size)
        if failed is None:
            return True
        order.remove(failed)
        order.insert(0, failed)
    return False


def _place(edges: list[Edge], nodes: list[Node], size: tuple[float, float]) -> Edge | None:
    """Give every edge (all in one gap between two layers) a tag position clear of the other
    tags and the nodes; prefer positions crossing no other edge. Returns the first edge that
    has no clear position, or None when all are placed."""
    w, h = size
    segs = [(e, segment(*e.ends())) for e in edges]
    obstacles = [Box(n.x, n.y, n.hw + MARGIN, n.hh + MARGIN) for n in nodes]
    placed: list[Box] = []
    for e in edges:
        p, q = e.ends()
        length = math.hypot(q[0] - p[0], q[1] - p[1])
        ang = math.atan2(q[1] - p[1], q[0] - p[0])
        lo, hi = w / 2 + 0.1, length - w / 2 - 0.25  # clear of the arrow tip
        if hi < lo:
            return e
        best, best_cost = None, math.inf
        steps = max(1, int((hi - lo) / 0.06))
        ts = sorted(((lo + (hi - lo) * i / steps) / length for i in range(steps + 1)), key=lambda t: abs(t - 0.4))
        for t in ts:  # nearest the preferred place first: the first one crossing no edge is the best
            tag = Box(p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]), w / 2 + MARGIN, h / 2 + MARGIN, ang)
            if any(_near(tag, o) and overlap(tag, o) for o in obstacles + placed):
                continue
            crossings = sum(1 for f, s in segs if f is not e and _near(tag, s) and overlap(tag, s))
            cost = 10 * crossings + abs(t - 0.4)
            if cost < best_cost:
                best, best_cost = (t, tag), cost
            if crossings == 0:
                break
        if best is None:
            return e
        e.pos, e.tag = round(best[0], 3), best[1]
        placed.append(best[1])
    return None


@functools.lru_cache(maxsize=256)
def _gap(n_src: int, n_dst: int, dx: float, dy: float, size: tuple[float, float],
         node_size: tuple[float, float]) -> tuple[tuple[int, int, float], ...] | None:
    """Tag positions (k, j, pos) for the edges between two layers of these sizes, or None."""
    w, h = size
    if n_src * n_dst * (w + 2 * MARGIN) * (h + 2 * MARGIN) > 0.45 * dx * dy * max(n_src, n_dst):
        return None  # far too crowded to try
    src = [Node("", 0.0, dy * ((n_src - 1) / 2 - k), node_size[0] / 2, node_size[1] / 2) for k in range(n_src)]
    dst = [Node("", dx, dy * ((n_dst - 1) / 2 - j), node_size[0] / 2, node_size[1] / 2) for j in range(n_dst)]
    edges = {(k, j): Edge(src[k], dst[j], "") for j in range(n_dst) for k in range(n_src)}
    # steep edges first: they have the least room
    order = sorted(edges.values(), key=lambda e: -abs(e.dst.y - e.src.y))
    if not _place_gap(order, src + dst, size):
        return None
    return tuple((k, j, e.pos) for (k, j), e in edges.items())


@functools.lru_cache(maxsize=64)
def layout(layers: tuple[int, ...], tag: str, node_size: tuple[float, float], left: float = 2.2) -> Layout | None:
    """Positions of the nodes and the weight tags of a network with these layer sizes, every
    tag the size of the number `tag` (the widest a weight can print), every node `node_size`
    (width, height in cm); `left` is the width (cm) of the notes left of the input layer.
    None when no spacing that fits the page keeps every tag clear of the other tags and the
    nodes. The same for every student of an exam (hence cached)."""
    n_gaps = len(layers) - 1
    if any(a * b > MAX_GAP_EDGES for a, b in zip(layers, layers[1:])):
        return None  # 36 tags between two layers of six never fit the page's width (searching takes seconds)
    size = label_size(tag)
    dx = math.floor(min(4.4, (TEXT_WIDTH - left - node_size[0]) / n_gaps) * 100) / 100
    for dy in (1.6, 1.9, 2.2, 2.6, 3.0, 3.4):
        if dy * (max(layers) - 1) + node_size[1] > MAX_HEIGHT:
            break
        gaps = [_gap(layers[l], layers[l + 1], dx, dy, size, node_size) for l in range(n_gaps)]
        if any(g is None for g in gaps):
            continue
        nodes = [[Node(f"n{l}-{j}", round(dx * l, 3), round(dy * ((n - 1) / 2 - j), 3),
                       node_size[0] / 2, node_size[1] / 2) for j in range(n)] for l, n in enumerate(layers)]
        edges, where = [], {}
        for l, g in enumerate(gaps):
            for k, j, pos in g:  # type: ignore[union-attr]
                edges.append(Edge(nodes[l][k], nodes[l + 1][j], tag, pos))
                where[(l, j, k)] = pos
        return Layout([n for layer in nodes for n in layer], edges, dx, dy, where)
    return None
