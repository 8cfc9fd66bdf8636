"""practice --config / --pdf through the exam generator and renderer."""

import pytest
from typer.testing import CliRunner

from exgen.cli.main import app

runner = CliRunner()
HAVE_TEX = not __import__("exgen.exam.pdf").exam.pdf.missing_tex(need_latexmk=True)


def test_config_exercise_is_seeded_and_asks_the_configs_questions(tmp_path):
    from exgen.exam.config import load
    from exgen.student.practice_pdf import from_config
    from exgen.exam.config import demo_path
    cfg_path = demo_path()
    a, b, c = (from_config(cfg_path, s, None, None) for s in (5, 5, 6))
    assert a.key["questions"] == b.key["questions"] and a.key["questions"] != c.key["questions"]
    cfg = load(cfg_path)
    assert a.spec.layers == cfg.layers and a.spec.activations == cfg.activations
    assert [q["id"][0] for q in a.questions][-1] == str(len(cfg.questions))
    r = runner.invoke(app, ["practice", "--config", str(cfg_path), "--seed", "5", "--weights", "flat"],
                      input="q\nn\n")
    assert r.exit_code == 0, r.output
    assert f"redo with exgen practice --config {cfg_path} --seed 5" in " ".join(r.output.split())
    assert "w_111" in r.output


def test_pdf_without_tex_names_the_packages(tmp_path, monkeypatch):
    import exgen.exam.pdf
    monkeypatch.setattr(exgen.exam.pdf.shutil, "which", lambda name: None)
    r = runner.invoke(app, ["practice", "--preset", "aksoy-2-2-1", "--seed", "1", "--pdf", str(tmp_path / "p.pdf")])
    assert r.exit_code == 1
    assert r.output.startswith("Error: --pdf needs TeX") and exgen.exam.pdf.APT_HINT in " ".join(r.output.split())


@pytest.mark.skipif(not HAVE_TEX, reason="TeX not installed")
def test_pdf_of_a_minibatch_shows_its_samples(tmp_path):
    """The sheet prints a mini-batch as a table of samples (it used to refuse one)."""
    import pypdf
    from exgen.student.practice import fresh_spec
    out = tmp_path / "p.pdf"
    r = runner.invoke(app, ["practice", "--preset", "minibatch", "--seed", "1", "--pdf", str(out)])
    assert r.exit_code == 0, r.output
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    spec = fresh_spec("minibatch", 1)
    assert f"mini-batch of {spec.x.shape[0]} samples" in " ".join(text.split())


@pytest.mark.skipif(not HAVE_TEX, reason="TeX not installed")
def test_pdf_sheet_shows_the_given_numbers(tmp_path):
    import pypdf
    from exgen.core import examples
    from exgen.student.practice import from_preset
    out = tmp_path / "sheet.pdf"
    r = runner.invoke(app, ["practice", "--preset", "aksoy-3-2-2", "--seed", "4", "--pdf", str(out)], input="q\nn\n")
    assert r.exit_code == 0, r.output
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(out)).pages)
    ex = from_preset("aksoy-3-2-2", 4, examples.notation_of)
    assert f"{ex.spec.weights[1][0, 0]:.2f}".replace("-", "−") in text
    assert "Questions" in text


def test_pdf_never_replaces_an_existing_file_without_force(tmp_path):
    mine = tmp_path / "notes.pdf"
    mine.write_bytes(b"my own notes")
    r = runner.invoke(app, ["practice", "--preset", "aksoy-2-2-1", "--seed", "1", "--pdf", str(mine)], input="q\nn\n")
    assert r.exit_code == 1 and r.output.startswith("Error: ") and "--force" in r.output
    assert mine.read_bytes() == b"my own notes"
