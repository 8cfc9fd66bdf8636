"""The PDFs themselves (not the .tex), as an instructor prints them (issue 12): the key has the
sheet's drawing, no line runs off the page, names in many scripts come back from the text layer,
the print files start every student on an odd page, a character no font has is a warning.

One small batch per module (two exams, compiled once); skipped without LuaLaTeX or pdftotext."""
import io
import re
import shutil
import subprocess

import pytest

from exam_helpers import needs_tex

from exgen.exam import config, pdf
from exgen.exam.build import write_exam
from exgen.roster import Student

pytestmark = needs_tex


def _font(family: str) -> bool:
    """Whether fontconfig knows a font family (the fonts LuaLaTeX finds are the system's)."""
    if shutil.which("fc-list") is None:
        return False
    return family in subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout


GREEK_CYRILLIC = _font("CMU Serif") or _font("DejaVu Serif")
CJK = _font("Noto Serif CJK SC") or _font("Noto Sans CJK SC")
NAMES = [("cz1", "Dvořák Šárka"), ("pl1", "Łukasz Żółć"), ("de1", "Jürgen Groß"), ("dk1", "Søren_#1 O'Brien")]
if GREEK_CYRILLIC:
    NAMES += [("gr1", "Αλέξανδρος Παπαδόπουλος"), ("ru1", "Пётр Чайковский")]
if CJK:
    NAMES += [("zh1", "李小龍")]
TITLE = "Neural networks — midterm #2"


def _text(data: bytes, first: int | None = None, last: int | None = None, raw: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"] + (["-raw"] if raw else []) + (["-f", str(first)] if first else []) + (["-l", str(last)] if last else [])
    return subprocess.run(args + ["-", "-"], input=data, capture_output=True, check=True).stdout.decode("utf-8")


def _pages(data: bytes) -> int:
    from pypdf import PdfReader
    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def exams(tmp_path_factory):
    """A 3-3-2 exam with biases for the whole roster, and a 4-4-4-4 one (numbered weights, a/h)
    for one student, compiled with their TeX logs."""
    logs: list[str] = []
    real = pdf.compile_batch

    def keep_logs(parts, jobs=None, on_part=None, warnings=None):
        return real(parts, jobs, on_part=on_part, warnings=warnings, logs=logs)

    mp = pytest.MonkeyPatch()
    mp.setattr(pdf, "compile_batch", keep_logs)
    out = {}
    try:
        for name, d, roster in (
                ("small", {"name": TITLE, "layers": [3, 3, 2], "biases": True, "working_space": 2},
                 [Student(i, n) for i, n in NAMES]),
                ("big", {"name": TITLE, "layers": [4, 4, 4, 4], "biases": True,
                         "notation": {"letters": "a/h", "weights": "numbered"}},
                 [Student(i, n) for i, n in NAMES[-1:]])):
            folder = tmp_path_factory.mktemp(name)
            res = write_exam(config.from_dict(d), roster, folder, jobs=2)
            out[name] = (folder, roster, res)
    finally:
        mp.undo()
    out["logs"] = logs
    return out


def test_no_line_runs_off_the_page(exams):
    assert exams["logs"] and all("Output written" in log for log in exams["logs"])
    for log in exams["logs"]:
        assert not re.findall(r"^Overfull \\hbox.*", log, re.M)


@pytest.mark.parametrize("name", ["small", "big"])
def test_the_key_has_the_sheets_drawing(exams, name):
    folder, roster, _ = exams[name]
    from pypdf import PdfReader
    import json
    for st in roster[:2]:
        spec = json.loads((folder / "answer_keys" / f"{st.id}.json").read_text(encoding="utf-8"))["spec"]
        n_edges = sum(len(row) for layer in spec["weights"] for row in layer)
        for kind in ("sheets", "keys"):
            data = (folder / kind / f"{st.id}.pdf").read_bytes()
            page = PdfReader(io.BytesIO(data)).pages[0]
            ops = page.get_contents().get_data().decode("latin-1")
            strokes = len(re.findall(r"(?<![A-Za-z])S(?![A-Za-z])", ops))  # the edges and their tags are stroked
            assert strokes >= n_edges, (kind, st.id, strokes)
            text = "".join(_text(data, 1, 1, raw=True).split())  # in drawing order (the tags are sloped)
            # every weight prints twice on page 1: its tag on the drawing and its cell in the table
            for layer in spec["weights"]:
                for row in layer:
                    for w in row:
                        assert text.count(f"{w:.2f}".replace("-", "−")) >= 2, (kind, st.id, w)


def test_names_and_numbers_come_back_from_the_text_layer(exams):
    folder, roster, res = exams["small"]
    assert not res.warnings
    for st in roster:
        for kind in ("sheets", "keys"):
            text = _text((folder / kind / f"{st.id}.pdf").read_bytes())
            assert st.name in text and TITLE in text and st.id in text
            assert "?" not in text.split("ID:")[0]
    keys = (folder / "print" / "keys.pdf").read_bytes()
    assert all(st.name in _text(keys) for st in roster)


def test_the_print_files_start_every_student_on_an_odd_page(exams):
    for name in ("small", "big"):
        folder, roster, _ = exams[name]
        for kind in ("sheets", "keys"):
            bundle = (folder / "print" / f"{kind}.pdf").read_bytes()
            counts = [_pages((folder / kind / f"{st.id}.pdf").read_bytes()) for st in roster]
            assert _pages(bundle) == sum(n + n % 2 for n in counts)
            page = 1
            for st, n in zip(roster, counts):
                assert f"ID: {st.id}" in " ".join(_text(bundle, page, page).split()), (kind, st.id, page)
                if n % 2:
                    assert not _text(bundle, page + n, page + n).strip()  # the blank page
                page += n + n % 2


def test_working_space_keeps_each_question_with_its_answer_line(exams):
    folder, roster, _ = exams["small"]
    data = (folder / "sheets" / f"{roster[0].id}.pdf").read_bytes()
    assert _pages(data) >= 2  # 2 cm under each question: the questions run over pages
    ids = []
    for p in range(1, _pages(data) + 1):
        ids += re.findall(r"^(\d+[a-z])\b", _text(data, p, p), re.M)
    assert ids and len(ids) == len(set(ids))  # no question is split over two pages


def test_a_character_no_font_has_is_a_warning_naming_the_student():
    warnings: list[str] = []
    body = "\\textbf{Student:} Ank \U00013000 Ra"  # an Egyptian hieroglyph: in none of the fonts
    pdf.compile_batch([pdf.Part("sheet of student eg1", "f", body, "student eg1 (Ank Ra)")], jobs=1,
                      warnings=warnings)
    assert len(warnings) == 1
    assert "student eg1 (Ank Ra)" in warnings[0] and "U+13000" in warnings[0]
