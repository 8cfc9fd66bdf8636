"""PDF output: compiles, splits per student, shows the id and weights; clear TeX errors."""
import json
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from exam_helpers import needs_tex

from exgen.exam import pdf
from exgen.cli.main import app
from exgen.errors import TexError

runner = CliRunner()


def _text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_tex
def test_demo_pdfs_show_the_student_and_the_given_weights(tmp_path):
    out = tmp_path / "demo"
    r = runner.invoke(app, ["demo", "--out", str(out)])
    assert r.exit_code == 0, r.output
    for key_path in sorted((out / "answer_keys").glob("*.json")):
        key = json.loads(key_path.read_text(encoding="utf-8"))
        sid = key["student_id"]
        sheet, solution = _text(out / "sheets" / f"{sid}.pdf"), _text(out / "keys" / f"{sid}.pdf")
        for text in (sheet, solution):
            assert sid in text
            others = {p.stem for p in (out / "answer_keys").glob("*.json")} - {sid}
            assert not any(o in text for o in others)  # the split kept only this student's pages
        for layer in key["spec"]["weights"]:
            for row in layer:
                for w in row:
                    assert f"{w:.2f}".replace("-", "") in sheet.replace("−", "")
        for q in key["questions"]:
            assert f"{abs(q['answer']):.4f}" in solution


@needs_tex
def test_latex_error_names_the_student_and_shows_the_log(tmp_path):
    parts = [pdf.Part("sheet of student good1", "f", "Fine."),
             pdf.Part("key of student bad2", "f", r"Oops \undefinedmacroxyz here.")]
    with pytest.raises(TexError) as e:
        pdf.compile_batch(parts, jobs=1)
    assert "key of student bad2" in str(e.value) and "Undefined control sequence" in str(e.value)


@needs_tex
def test_batch_split_gives_one_pdf_per_part():
    from io import BytesIO
    from pypdf import PdfReader
    parts = [pdf.Part(f"part {i}", f"f{i}", "x\\newpage y" if i % 2 else "x") for i in range(5)]
    pages = [len(PdfReader(BytesIO(b)).pages) for b in pdf.compile_batch(parts, jobs=2)]
    assert pages == [1, 2, 1, 2, 1]


def test_without_tex_generate_says_so_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    cfg = tmp_path / "exam.yaml"
    cfg.write_text("name: x\n", encoding="utf-8")
    r = runner.invoke(app, ["generate", str(cfg), "--count", "2", "--out", str(tmp_path / "o")])
    assert r.exit_code == 1
    assert pdf.APT_HINT in " ".join(r.output.split()) and "--no-pdf" in r.output
    assert not (tmp_path / "o").exists()
    r = runner.invoke(app, ["demo", "--out", str(tmp_path / "d")])
    assert r.exit_code == 1 and "--no-pdf" in r.output


@needs_tex
def test_hyphens_print_as_typed_no_en_dash(tmp_path):
    # a practice PDF's footer printed "redo: exgen practice –preset x –seed 4": `-{}-` still makes
    # an en dash in LuaLaTeX, so the command a student copied from the sheet did not run
    from exgen.exam.render import render_document, tex_escape
    footer = "redo: exgen practice --preset onefourth-softmax --seed 4"
    tex = tmp_path / "t.tex"
    tex.write_text(render_document([(footer, tex_escape("Jean--Paul a---b c - d"))]), encoding="utf-8")
    text = _text(pdf.compile_one(tex))
    assert "--preset onefourth-softmax --seed 4" in text and "Jean--Paul a---b c - d" in text, text
    assert "\u2013" not in text and "\u2014" not in text


@needs_tex
def test_a_long_exam_name_keeps_the_footer_on_the_page(tmp_path):
    """A long exam name ran the footer off the page: the student id and the page number, which
    identify a loose page, were cut off."""
    name = "A very long exam title for the Winter Term of the Department of Computer Science, Neural Networks (CS-4242)"
    out = pdf.compile_batch([pdf.Part("sheet of student s001", f"{name} - s001xq - answer key", "Body.")], jobs=1)
    f = tmp_path / "p.pdf"
    f.write_bytes(out[0])
    words = _text(f).split()
    assert "s001xq" in words and "key" in words and "page 1" in " ".join(words), words


@needs_tex
def test_a_negative_weight_in_a_numbered_table_has_a_unary_minus(tmp_path):
    """The weight tables of `numbered`/labelled cells printed 'w16: − 0.671': the minus after the
    label was typeset as a binary operator, with a gap, unlike every other negative number."""
    import re
    from exgen.exam import config
    from exgen.exam.draw import make_exercise
    from exgen.exam.render import Student, render_body
    cfg = config.from_dict({"name": "Minus", "seed": 42, "layers": [4, 5, 3], "draw_max_neurons": 8,
                            "notation": {"weights": "numbered"}})
    body = render_body("sheet", make_exercise(cfg, "s001"), cfg, Student("s001", "N"))
    f = tmp_path / "s.pdf"
    f.write_bytes(pdf.compile_batch([pdf.Part("sheet of student s001", "f", body)], jobs=1)[0])
    text = _text(f)
    assert re.search(r"\bw\d+ : −\d", text), text  # a negative weight, its minus against the number
    assert not re.search(r"\b[wb]\d+ : − \d", text), text
