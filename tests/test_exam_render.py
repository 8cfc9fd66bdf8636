"""Rendering: escaping, every notation preset, golden .tex files for a fixed seed.

Update the golden files after a deliberate template change with
    EXGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_exam_render.py
and review the diff.
"""
import os
import re
from pathlib import Path

import pytest

from exgen.exam import config
from exgen.exam.draw import make_exercise
from exgen.core.notation import LETTERS, WEIGHT_STYLES
from exgen.exam.render import Student, render_body, render_document, templates_dir, tex_escape

GOLDEN = Path(__file__).resolve().parent / "golden"
STUDENT = Student("s001", "O'Brien & Søren_#1")


def test_tex_escape():
    assert tex_escape("O'Brien & Søren_#1") == r"O\textquotesingle{}Brien \& Søren\_\#1"
    assert tex_escape(r"50% {x} $y$ ~^\ ") == r"50\% \{x\} \$y\$ \textasciitilde{}\^{}\textbackslash{}"  # PyLaTeX's escapes
    # LuaLaTeX prints every script as written (NFC); no TeX ligature changes what was typed
    assert tex_escape("Łukasz Ő 张 — Jean--Paul \"x\"") == \
        'Łukasz Ő 张 — Jean-\\kern0pt{}-\\kern0pt{}Paul \\textquotedbl{}x\\textquotedbl{}'
    assert tex_escape("Dvor\u030cák\tŠárka\x00") == "Dvořák Šárka"


def test_templates_are_found():
    assert (templates_dir() / "document.tex.j2").is_file()


@pytest.mark.parametrize("letters", list(LETTERS))
@pytest.mark.parametrize("weights", WEIGHT_STYLES)
def test_every_notation_preset_renders(letters, weights):
    cfg = config.from_dict({"layers": [3, 2, 2], "notation": {"letters": letters, "weights": weights}})
    ex = make_exercise(cfg, "s1")
    key = render_body("key", ex, cfg, STUDENT)
    sheet = render_body("sheet", ex, cfg, STUDENT)
    pre, post = LETTERS[letters]
    sup = {"super": "^{{{l}}}_{{{j}}}", "flat": "_{{{l}{j}}}"}.get(weights, "^{{({l})}}_{{{j}}}")
    assert pre + sup.format(l=1, j=1) in key and post + sup.format(l=2, j=2) in sheet
    first = {"paren": "w^{(1)}_{11}", "super": "w^{1}_{11}", "flat": "w_{111}", "numbered": "w_{1}"}[weights]
    assert first in sheet
    if weights == "numbered":  # edge by edge, as in seed 002: 3*2 + 2*2 = 10 weights
        assert "w_{10}" in sheet and "w_{11}" not in sheet
    # notation never changes a number
    base = make_exercise(config.from_dict({"layers": [3, 2, 2]}), "s1")
    assert ex.spec.to_dict()["weights"] == base.spec.to_dict()["weights"]
    assert [q.answer for q in ex.questions] == [q.answer for q in base.questions]


def test_sheet_shows_the_given_numbers_and_no_answers():
    cfg = config.from_dict({"seed": 11})
    ex = make_exercise(cfg, "s001")
    sheet = render_body("sheet", ex, cfg, STUDENT)
    key = render_body("key", ex, cfg, STUDENT)
    for w in ex.spec.weights:
        for v in w.ravel():
            assert f"{v:.{cfg.decimals}f}" in sheet
    for q in ex.questions:
        assert q.id in sheet
        assert f"{q.answer:.{cfg.answer_decimals}f}" in key
    assert r"O\textquotesingle{}Brien \& Søren\_\#1" in sheet
    assert "fbox" not in sheet and r"\eta" in key


def test_big_network_is_a_table_not_a_drawing():
    cfg = config.from_dict({"layers": [6, 5, 2], "questions": ["forward", "loss"]})
    body = render_body("sheet", make_exercise(cfg, "s1"), cfg, STUDENT)
    assert "tikzpicture" not in body and r"\hline" in body and "too wide to draw" in body


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("EXGEN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


@pytest.mark.parametrize("kind", ["sheet", "key"])
def test_golden_tex(kind):
    cfg = config.from_dict({"name": "Golden exam", "seed": 42, "layers": [2, 2, 2],
                            "notation": {"letters": "a/h", "weights": "numbered"}})
    ex = make_exercise(cfg, "s001")
    doc = render_document([(f"Golden exam - s001 - {kind}", render_body(kind, ex, cfg, STUDENT))])
    assert not re.search(r"\\(VAR|BLOCK)\{", doc)
    _golden(f"{kind}_s001.tex", doc)


def test_negative_numbers_are_parenthesized_in_worked_lines():
    cfg = config.from_dict({"layers": [2, 3, 2, 2], "activations": ["sigmoid", "relu", "linear"], "loss": "mse"})
    for sid in ("s001", "s002", "s003"):
        key = render_body("key", make_exercise(cfg, sid), cfg, STUDENT)
        math = "\n".join(line for line in key.splitlines() if line.startswith(r"\exgenstep"))  # the worked lines
        assert "(-" in math  # the check below has negative numbers to look at
        assert not re.search(r"[-+]\s*-\d", math) and not re.search(r"\\cdot\s*-", math)
