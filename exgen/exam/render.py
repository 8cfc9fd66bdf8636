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

from exgen.exam.config import ExamConfig, precision_rule
from exgen.errors import ExgenError
from exgen.core.functions import LOSSES
from exgen.exercise import Exercise
from exgen.kinds import KINDS, read
from exgen.roster import Student
from exgen.exam.drawing import label_size, layout
from exgen.exam.worked import Fmt, legend

# beyond PyLaTeX's escapes: characters that TeX reads specially or prints wrongly in text
# and the TeX ligatures of fontspec's default mapping (' ` " -- ---), so that text prints as typed.
# A hyphen is followed by a zero kern: in LuaLaTeX an empty group `-{}-` still makes an en dash
# (the font's tlig feature sees two adjacent glyphs), so "--seed 4" printed as "–seed 4"
_TEX_EXTRA = {"<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
              "'": r"\textquotesingle{}", "`": r"\textasciigrave{}", '"': r"\textquotedbl{}",
              "-": r"-\kern0pt{}"}


def tex_escape(value: Any) -> str:
    """User text -> LaTeX text for LuaLaTeX: TeX's special characters escaped, every other
    character kept as written (NFC), whitespace and control characters collapsed to one space."""
    out = []
    for ch in unicodedata.normalize("NFC", str(value)):
        if ch in _TEX_EXTRA:
            out.append(_TEX_EXTRA[ch])
        elif not ch.isprintable() or ch.isspace():
            out.append(" ")
        elif ch.isascii():
            out.append(str(escape_latex(ch)))  # PyLaTeX's escapes
        else:
            out.append(ch)
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
    """The drawing (positions from exgen.drawing) and the weight tables of a student's network."""
    spec, nt = ex.spec, cfg.make_notation()
    biases = spec.biases is not None
    # a neuron holds its symbol and "b = -0.12" (\scriptsize: the width of a tag, plus "b = ")
    node_size = (round(label_size("-0." + "0" * cfg.decimals)[0] + 0.55, 2), 1.0) if biases else (1.0, 0.9)
    fits = max(spec.layers) <= cfg.draw_max_neurons
    lay = layout(tuple(spec.layers), "-0." + "0" * cfg.decimals, node_size) if fits else None
    nodes, edges = [], []
    if fits:
        dx = lay.dx if lay else round(min(4.0, 12.0 / spec.n_layers), 2)
        dy = lay.dy if lay else 1.2
        for l, n in enumerate(spec.layers):
            for j in range(n):
                bias = f.given(spec.biases[l - 1][j]) if spec.biases is not None and l > 0 else ""
                note = f"{nt.h(0, j)} = {f.given(spec.x[0, j])}" if l == 0 and not spec.batched else ""
                nodes.append({"name": f"n{l}-{j}", "x": round(dx * l, 3), "y": round(dy * ((n - 1) / 2 - j), 3),
                              "symbol": nt.h(l, j), "bias": bias, "note": note})
        for l in range(spec.n_layers):
            for j in range(spec.layers[l + 1]):
                for k in range(spec.layers[l]):
                    pos = lay.pos[(l, j, k)] if lay else None
                    edges.append({"src": f"n{l}-{k}", "dst": f"n{l + 1}-{j}", "pos": pos,
                                  "value": f.given(spec.weights[l][j, k])})
    tables = []
    for l in range(spec.n_layers):
        n_to, n_from = spec.layers[l + 1], spec.layers[l]
        header = [nt.h(l, k) for k in range(n_from)] + ([r"b"] if biases else [])
        rows = []
        for j in range(n_to):
            cells = [(nt.w(l, j, k) if nt.weights == "numbered" else "", f.given(spec.weights[l][j, k]))
                     for k in range(n_from)]
            if spec.biases is not None:
                cells.append((nt.b(l, j) if nt.weights == "numbered" else "", f.given(spec.biases[l][j])))
            rows.append({"to": nt.h(l + 1, j), "cells": cells})
        tables.append({"layer": l + 1, "header": header, "rows": rows, "cols": n_from + biases})
    return {"draw": fits, "tagged": lay is not None, "biases": biases, "nodes": nodes, "edges": edges,
            "tables": tables, "figure_id": ex.student_id, "node_w": node_size[0], "node_h": node_size[1],
            "numbered": nt.weights == "numbered", "max_neurons": cfg.draw_max_neurons}


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
    data = f"Input: ${xs}$. Target: ${ys}$."
    samples = None
    if spec.batched:  # a table of the samples: one row each, inputs then targets
        B = spec.x.shape[0]
        data = (f"A mini-batch of {B} samples (below); the loss $L$ is the mean of the samples' losses "
                rf"$\ell^{{[i]}}$, and the SGD step uses the mean gradient. A superscript $[i]$ marks sample $i$.")
        samples = {"xcols": [nt.h(0, k) for k in range(spec.layers[0])], "ycols": [f"y_{{{k + 1}}}" for k in range(spec.layers[-1])],
                   "rows": [{"i": b + 1, "x": [f.given(v) for v in spec.x[b]], "y": [f.given(v) for v in spec.y[b]]}
                            for b in range(B)]}
    return {"layers": "–".join(map(str, spec.layers)), "samples": samples,
            "loss_name": r"\ell^{[i]}" if spec.batched else "L",  # a batch: each sample's loss
            "activations": ", ".join(spec.activations),
            "loss": LOSSES[spec.loss].latex, "learning_rate": f"{spec.learning_rate:g}",
            "loss_note": r" ($\log$ is the natural logarithm)" if r"\log" in LOSSES[spec.loss].latex else "",
            "notation": notation, "data": data}


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
                row["answer"] = unit.answer_latex(q, unit.shown(q, f))
                row["steps"] = unit.steps(ref, ex.solution, ex.solution_json, nt, f)
            rows.append(row)
        groups.append({"number": g, "title": KINDS[item["type"]].title, "points": pts, "questions": rows})
    return groups


def render_body(kind: str, ex: Exercise, cfg: ExamConfig, student: Student) -> str:
    """The body (no preamble) of a sheet or key: one part of a document."""
    f = Fmt(cfg.decimals, cfg.answer_decimals)
    ctx = {"exam": {"name": cfg.name}, "student": student, "given": _given(ex, cfg, f),
           "net": _network(ex, cfg, f), "answer_decimals": cfg.answer_decimals, "precision_rule": precision_rule(cfg),
           "working_space": f"{cfg.working_space:g}",
           "groups": _groups(ex, cfg, f, worked=kind == "key")}
    if kind == "key":
        ctx["legend"] = legend(ex.solution, cfg.make_notation())
    return env().get_template(f"{kind}.tex.j2").render(ctx)


def render_document(parts: list[tuple[str, str]]) -> str:
    """A complete LaTeX document from (footer text, body) parts; footers are escaped here."""
    cjk = any(max(footer + body, default="\0") >= "\u2e80" for footer, body in parts)  # a character from U+2E80 on
    return env().get_template("document.tex.j2").render(
        parts=[{"footer": tex_escape(footer), "body": body} for footer, body in parts], cjk=cjk)
