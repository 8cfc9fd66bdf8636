"""A graph exercise's sheet and key as LaTeX (jinja2 templates graph_*.tex.j2): the graph drawn
with TikZ, gates as circles and inputs on the left, a box above each edge for the value it
carries forward and one below for the gradient it carries back (empty on the sheet, where the
student fills them in, except the given inputs; filled on the key). Positions and bends come from
exgen.graph.layout. Every number comes from the graph's solution (exgen.graph.solve)."""
from __future__ import annotations

from typing import Any

from exgen.exam.config import ExamConfig, precision_rule
from exgen.exam.render import env
from exgen.exam.worked import Fmt
from exgen.graph.draw import GraphExercise
from exgen.graph.layout import bend, box_positions, box_width, positions
from exgen.graph.ops import gate_text, num, symbol
from exgen.kinds import KINDS, read
from exgen.roster import Student

LABEL = {"add": "$+$", "sub": "$-$", "mul": r"$\times$", "div": r"$\div$", "max": "max", "neg": r"$\cdot(-1)$",
         "inv": "$1/x$", "exp": "exp", "log": "log", "sigmoid": r"$\sigma$", "tanh": "tanh", "relu": "relu"}


def gate_label(op: str, c: float) -> str:
    if op == "addc":
        return f"$+{num(c)}$" if c >= 0 else f"$-{num(-c)}$"
    if op == "mulc":
        return rf"$\times {num(c)}$" if c >= 0 else rf"$\times({num(c)})$"
    if op == "divc":
        return rf"$\div {num(c)}$"
    if op == "pow":
        return rf"$(\cdot)^{{{num(c)}}}$"
    return LABEL[op]


def short(v: float, d: int) -> str:
    s = f"{v:.{d}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def drawing(ex: GraphExercise, cfg: ExamConfig, filled: bool) -> dict[str, Any]:
    spec, r = ex.spec, ex.solution
    pos, dx = positions(spec)
    d = min(cfg.answer_decimals, 3)  # the drawing's boxes: short numbers (the worked steps give every digit)
    nodes = [{"name": f"g{i}", "x": pos[n.id][0], "y": pos[n.id][1], "label": gate_label(n.op, n.c),
              "symbol": symbol(n.id)} for i, n in enumerate(spec.nodes)]
    ins = [{"name": f"i{k}", "x": pos[x][0], "y": pos[x][1], "symbol": symbol(x)} for k, x in enumerate(spec.inputs)]
    tikz = {x: f"i{k}" for k, x in enumerate(spec.inputs)} | {n.id: f"g{i}" for i, n in enumerate(spec.nodes)}
    edges: list[dict[str, Any]] = []
    for i, n in enumerate(spec.nodes):
        up = float(r.grads[n.id][0])
        for s, a in enumerate(n.args):
            given = a in spec.inputs
            value = short(float(r.values[a][0]), d) if filled or given else ""
            grad = short(up * float(r.local[i][s][0]), d) if filled else ""
            others = [xy for m, xy in pos.items() if m not in (a, n.id)]
            full = (short(float(r.values[a][0]), d), short(up * float(r.local[i][s][0]), d))  # the key's boxes
            edges.append({"src": tikz[a], "dst": f"g{i}", "value": value, "grad": grad,
                          "bend": bend(pos[a], pos[n.id], others), "at": (pos[a], pos[n.id]),
                          "width": box_width(max(full, key=len))})
    # the same places on the sheet and the key: from the key's numbers
    where = box_positions([(e["at"][0], e["at"][1], e["bend"], e["width"], e["src"][0] == "i") for e in edges],
                          [pos[n.id] for n in spec.nodes])
    for e, t in zip(edges, where):
        e["pos"] = t
    out = spec.nodes[-1]
    return {"nodes": nodes, "inputs": ins, "edges": edges, "out": f"g{len(spec.nodes) - 1}",
            "out_symbol": symbol(out.id), "out_value": short(float(r.values[out.id][0]), d) if filled else "",
            "out_grad": "1" if filled else "", "out_x": round(pos[out.id][0] + dx * 0.9, 3), "out_y": pos[out.id][1]}


def _given(ex: GraphExercise, cfg: ExamConfig) -> dict[str, Any]:
    spec = ex.spec
    f = Fmt(cfg.graph.decimals, cfg.answer_decimals)
    xs = ", ".join(f"{symbol(x)} = {f.given(v)}" for x, v in spec.inputs.items())
    gates = ", ".join(f"{symbol(n.id)} = {gate_text(n.op, [symbol(a) for a in n.args], n.c, latex=True)}"
                      for n in spec.nodes)
    return {"inputs": xs, "gates": gates, "output": symbol(spec.output)}


def _groups(ex: GraphExercise, cfg: ExamConfig, worked: bool) -> list[dict[str, Any]]:
    f = Fmt(cfg.graph.decimals, cfg.answer_decimals)
    groups = []
    for g, item in enumerate(cfg.questions, start=1):
        pts = f"{item['points']:g} point{'s' if item['points'] != 1 else ''} each"
        rows: list[dict[str, Any]] = []
        for q in (q for q in ex.questions if q.id[:-1] == str(g)):
            row: dict[str, Any] = {"id": q.id, "latex": q.latex}
            if worked:
                unit, ref = read(q.ref, 1)
                row["answer"] = unit.answer_latex(q, f.ans(float(q.answer)))
                row["steps"] = unit.steps(ref, ex.solution, ex.solution_json, None, f)  # type: ignore[arg-type]
            rows.append(row)
        groups.append({"number": g, "title": KINDS[item["type"]].title, "points": pts, "questions": rows})
    return groups


def render_body(kind: str, ex: GraphExercise, cfg: ExamConfig, student: Student) -> str:
    """The body of a graph exercise's sheet or key (one part of exgen.exam.render.render_document)."""
    ctx = {"exam": {"name": cfg.name}, "student": student, "given": _given(ex, cfg),
           "graph": drawing(ex, cfg, filled=kind == "key"), "precision_rule": precision_rule(cfg),
           "working_space": f"{cfg.working_space:g}", "groups": _groups(ex, cfg, worked=kind == "key")}
    return env().get_template(f"graph_{kind}.tex.j2").render(ctx)
