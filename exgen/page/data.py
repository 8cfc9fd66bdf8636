"""What the page shows of one exercise (the given network, questions, hints, worked steps, as
escaped HTML/MathML pieces) and the data its script judges with (grading.export: acceptance
windows and slips, computed here in Python from the key; the browser compares numbers only)."""
from __future__ import annotations

from typing import Any

from markupsafe import Markup

from exgen.acceptance import rule_sentence
from exgen.answer_key import is_shape_ref
from exgen.core.functions import LOSSES
from exgen.core.notation import Notation
from exgen.core.spec import Spec
from exgen.escape import html_text
from exgen.exam.worked import Fmt
from exgen.grading.export import acceptance_data
from exgen.kinds import Question, read
from exgen.page.graph import graph_view
from exgen.page.mathml import display, inline, math
from exgen.page.sources import PageExercise
from exgen.page.svg import network_svg
from exgen.student.hints import hints


def _given(ex: PageExercise):
    def given(v: float) -> str:
        s = f"{v:.{ex.decimals}f}"
        return s[1:] if s.startswith("-") and float(s) == 0 else s
    return given


def _tables(spec: Spec, nt: Notation, g) -> list[dict[str, Any]]:
    out = []
    for l in range(spec.n_layers):
        head = [Markup(math(nt.h(l, k))) for k in range(spec.layers[l])]
        rows = []
        for j in range(spec.layers[l + 1]):
            named = nt.weights == "numbered"  # as the sheets: a symbol only where the name is a number
            cells = [Markup(math((f"{nt.w(l, j, k)} = " if named else "") + g(spec.weights[l][j, k])))
                     for k in range(spec.layers[l])]
            if spec.biases is not None:
                cells.append(Markup(math((f"{nt.b(l, j)} = " if named else "") + g(spec.biases[l][j]))))
            rows.append({"to": Markup(math(nt.h(l + 1, j))), "cells": cells})
        out.append({"layer": l + 1, "head": head, "rows": rows, "bias": spec.biases is not None})
    return out


def _samples(spec: Spec, nt: Notation, g) -> dict[str, Any]:
    head = [Markup(math(nt.h(0, k))) for k in range(spec.layers[0])]
    head += [Markup(math(f"y_{{{k + 1}}}")) for k in range(spec.layers[-1])]
    rows = [[g(v) for v in (*spec.x[b], *spec.y[b])] for b in range(spec.x.shape[0])]
    return {"head": head, "rows": rows}


def _step(ex: PageExercise, q: dict[str, Any], f: Fmt) -> Markup:
    """The worked step: the kind's LaTeX lines (the keys' own) as MathML."""
    shaped = is_shape_ref(str(q["ref"]))  # a shape answer "4x3" (exgen.kinds.shape)
    unit, ref = read(q["ref"], getattr(ex.spec, "n_layers", 1))  # a graph has no layers
    lines = unit.steps(ref, ex.sol, ex.sol_json, ex.nt, f)  # type: ignore[arg-type]
    qo = Question(q["id"], q.get("kind", ""), str(q.get("text", "")), str(q.get("latex", "")), q["ref"],
                  str(q["answer"]) if shaped else float(q["answer"]), {}, float(q.get("points", 1)), [],
                  str(q.get("symbol", "")))
    shown = unit.shown(qo, f)
    answer = unit.answer_latex(qo, shown) if qo.symbol or unit.name == "paths" else shown
    return Markup("".join(display(t) for t in lines)
                  + f'<p class="answer">Answer: {math(answer)}</p>')


def _question_html(q: dict[str, Any]) -> Markup:
    latex = q.get("latex")
    if isinstance(latex, str) and latex:
        return Markup(inline(latex))
    text = q.get("text")
    return Markup(html_text(text if isinstance(text, str) and text else f"question {q['id']}"))


def exercise_view(ex: PageExercise, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the template's context of exercise `index`, its data for the script)."""
    g = _given(ex)
    f = Fmt(ex.decimals, ex.answer_decimals)
    acc = ex.key.get("acceptance")
    rule = (rule_sentence(acc["decimals"], acc["fewer_decimals_credit"]) if acc
            else f"Give each answer to {ex.answer_decimals} decimals.")
    data = acceptance_data(ex.key)
    questions = []
    for q, d in zip(ex.key["questions"], data):
        try:
            hs = hints(ex.sol, ex.nt, q)  # type: ignore[arg-type]
        except ValueError:
            hs = []
        questions.append({"id": q["id"], "html": _question_html(q), "points": f"{float(q.get('points', 1)):g}",
                          "hint": hs[0] if hs else "", "step": _step(ex, q, f),  # check's hint: the first
                          "shape": is_shape_ref(str(q["ref"]))})
    view = {"index": index, "title": ex.title, "about": ex.about, "redo": ex.redo, "key_id": ex.key_id,
            "rule": rule, "questions": questions, "graph": None, "samples": None}
    if ex.graph:
        view["graph"] = graph_view(ex.spec, g, index)  # type: ignore[arg-type]
    else:
        view.update(_network(ex, g, index))
    return view, {"key": ex.key_id, "questions": data}


def _network(ex: PageExercise, g, index: int) -> dict[str, Any]:
    spec, nt = ex.spec, ex.nt
    assert isinstance(spec, Spec) and nt is not None
    svg, note = network_svg(spec, nt, g, f"e{index}")
    loss = LOSSES[spec.loss]
    return {
        "layers": "\u2013".join(map(str, spec.layers)), "activations": ", ".join(spec.activations),
        "loss": Markup(math(f"L = {loss.latex}")), "log_note": r"\log" in loss.latex,
        "eta": Markup(math(rf"\eta = {spec.learning_rate:g}")), "batched": spec.batched,
        "inputs": Markup(math(", ".join(f"{nt.h(0, k)} = {g(v)}" for k, v in enumerate(spec.x[0])))),
        "targets": Markup(math(", ".join(f"y_{{{k + 1}}} = {g(v)}" for k, v in enumerate(spec.y[0])))),
        "notation": Markup(f"{math(nt.pre)} is a pre-activation, {math(nt.post)} an activation; "
                           f"weight {math(nt.w(0, 0, 0))} feeds neuron 1 of layer 1 from input 1"),
        "svg": Markup(svg), "draw_note": note, "tables": _tables(spec, nt, g),
        "samples": _samples(spec, nt, g) if spec.batched else None,
    }
