"""jinja2 -> LaTeX: the problem sheet and the answer key of one exercise, as .tex strings.

Delimiters are LaTeX-safe: \\VAR{...} for values, \\BLOCK{...} for statements, \\#{...} for
comments. Undefined names raise (StrictUndefined). Text from users (exam and student names) goes
through the `tex` filter; every number comes from the engine via worked.Fmt.
"""
from __future__ import annotations

import re
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from pylatex.utils import escape_latex  # type: ignore[import-untyped]

from exgen.exam.config import ExamConfig
from exgen.errors import ExgenError
from exgen.core.functions import LOSSES
from exgen.exercise import Exercise
from exgen.kinds import KINDS, read
from exgen.roster import Student
from exgen.exam.worked import Fmt, legend

# beyond PyLaTeX's escapes: characters the default OT1 fonts print wrongly or lack
_TEX_EXTRA = {"<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
              "Ł": r"\L{}", "ł": r"\l{}", "Œ": r"\OE{}", "œ": r"\oe{}", "ı": r"\i{}"}
# Latin-1 letters that inputenc's utf8 maps to glyphs of the default OT1 fonts
_LATIN1_OK = set("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ")


def tex_escape(value: Any) -> str:
    """User text -> LaTeX text: special characters escaped, other letters made printable."""
    out = []
    for ch in str(value):
        if ch in _TEX_EXTRA:
            out.append(_TEX_EXTRA[ch])
        elif ch.isascii() or ch in _LATIN1_OK:
            out.append(str(escape_latex(ch)) if ch.isprintable() else " ")  # PyLaTeX's escapes
        else:  # decompose (ő -> o + accent) and keep the base letter; else a placeholder
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii())
            out.append(tex_escape(base) if base else "?")
    return re.sub(r"\s+", " ", "".join(out)).strip()


def templates_dir() -> Path:
    """The templates, installed as the package data `exgen.templates` (no source-tree fallback:
    a wheel without them must fail here, not pass unnoticed)."""
    d = Path(str(resources.files("exgen.templates")))
    if not (d / "document.tex.j2").is_file():
        raise ExgenError(f"{d}: exgen's LaTeX templates are missing from this installation; reinstall exgen")
    return d


_ENV: jinja2.Environment | None = None


def env() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir())),
            block_start_string=r"\BLOCK{", block_end_string="}",
            variable_start_string=r"\VAR{", variable_end_string="}",
            comment_start_string=r"\#{", comment_end_string="}",
            trim_blocks=True, lstrip_blocks=True, autoescape=False,
            undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        _ENV.filters["tex"] = tex_escape
    return _ENV


def _network(ex: Exercise, cfg: ExamConfig, f: Fmt) -> dict[str, Any]:
    spec, nt = ex.spec, cfg.make_notation()
    draw = max(spec.layers) <= cfg.draw_max_neurons and len(spec.layers) <= 5
    nodes, edges = [], []
    for l, n in enumerate(spec.layers):
        for j in range(n):
            note, side, anchor = "", "below", "south"
            if l == 0:
                note, side, anchor = f"{nt.h(0, j)} = {f.given(spec.x[0, j])}", "left", "west"
            elif spec.biases is not None:
                note = f"{nt.b(l - 1, j)} = {f.given(spec.biases[l - 1][j])}"
            nodes.append({"name": f"n{l}-{j}", "x": 3.6 * l, "y": round(1.8 * ((n - 1) / 2 - j), 2),
                          "symbol": nt.h(l, j), "note": note, "side": side,
                          "anchor": anchor})
    for l in range(spec.n_layers):
        for j in range(spec.layers[l + 1]):
            for k in range(spec.layers[l]):
                edges.append({"src": f"n{l}-{k}", "dst": f"n{l + 1}-{j}",
                              "value": f.given(spec.weights[l][j, k]), "pos": round(0.3 + 0.4 * j / max(1, spec.layers[l + 1] - 1) * (1 if spec.layers[l + 1] > 1 else 0), 2)})
    tables = []
    for l in range(spec.n_layers):
        rows = [(nt.w(l, j, k), f.given(spec.weights[l][j, k]))
                for j in range(spec.layers[l + 1]) for k in range(spec.layers[l])]
        if spec.biases is not None:
            rows += [(nt.b(l, j), f.given(spec.biases[l][j])) for j in range(spec.layers[l + 1])]
        tables.append({"title": f"layer {l + 1}", "rows": rows})
    return {"draw": draw, "nodes": nodes, "edges": edges, "tables": tables, "figure_id": ex.student_id}


def _given(ex: Exercise, cfg: ExamConfig, f: Fmt) -> dict[str, Any]:
    spec, nt = ex.spec, cfg.make_notation()
    xs = ", ".join(f"{nt.h(0, k)} = {f.given(v)}" for k, v in enumerate(spec.x[0]))
    ys = ", ".join(f"y_{{{k + 1}}} = {f.given(v)}" for k, v in enumerate(spec.y[0]))
    L = spec.n_layers
    names = {"weights": {"paren": "$w^{(l)}_{jk}$", "super": "$w^{l}_{jk}$", "flat": "$w_{ljk}$",
                         "numbered": "$w_1, w_2, \\ldots$ (numbered edge by edge)"}[nt.weights]}
    notation = (f"Notation: ${nt.pre}$ is a pre-activation, ${nt.post}$ an activation, "
                f"weights {names['weights']} (to neuron $j$ of layer $l$ from neuron $k$ of layer $l-1$"
                f"{'' if nt.weights != 'numbered' else ', numbered input by input'}); "
                f"the output is $\\hat y_k = {nt.h(L, 0).replace('_{1}', '_{k}')}$.")
    return {"layers": "--".join(map(str, spec.layers)), "activations": ", ".join(spec.activations),
            "loss": LOSSES[spec.loss].latex, "learning_rate": f"{spec.learning_rate:g}",
            "notation": notation, "data": f"Input: ${xs}$. Target: ${ys}$."}


def _groups(ex: Exercise, cfg: ExamConfig, f: Fmt, worked: bool) -> list[dict[str, Any]]:
    nt = cfg.make_notation()
    groups = []
    for g, item in enumerate(cfg.questions, start=1):
        qs = [q for q in ex.questions if q.id[:-1] == str(g)]
        pts = f"{item['points']:g} point{'s' if item['points'] != 1 else ''} each"
        rows: list[dict[str, Any]] = []
        for q in qs:
            row: dict[str, Any] = {"id": q.id, "latex": q.latex}
            if worked:
                unit, ref = read(q.ref, ex.spec.n_layers)
                row["answer"] = unit.answer_latex(q, f.ans(q.answer))
                row["steps"] = unit.steps(ref, ex.solution, ex.solution_json, nt, f)
            rows.append(row)
        groups.append({"number": g, "title": KINDS[item["type"]].title, "points": pts, "questions": rows})
    return groups


def render_body(kind: str, ex: Exercise, cfg: ExamConfig, student: Student) -> str:
    """The body (no preamble) of a sheet or key: one part of a document."""
    f = Fmt(cfg.decimals, cfg.answer_decimals)
    ctx = {"exam": {"name": cfg.name}, "student": student, "given": _given(ex, cfg, f),
           "net": _network(ex, cfg, f), "answer_decimals": cfg.answer_decimals,
           "groups": _groups(ex, cfg, f, worked=kind == "key")}
    if kind == "key":
        ctx["legend"] = legend(ex.solution, cfg.make_notation())
    return env().get_template(f"{kind}.tex.j2").render(ctx)


def render_document(parts: list[tuple[str, str]]) -> str:
    """A complete LaTeX document from (footer text, body) parts; footers are escaped here."""
    return env().get_template("document.tex.j2").render(
        parts=[{"footer": tex_escape(footer), "body": body} for footer, body in parts])
