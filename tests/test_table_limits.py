"""Issue 9, limits before work for tables (submissions, rosters, self-check answers): bytes, rows,
columns, line length, an .xlsx zip bomb, a cell over the csv module's field limit. Each is one
`Error:` line naming the file, before the table is parsed. The limits are lowered here so that
the files stay small."""
import io
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exgen import limits
from exgen.cli import app

runner = CliRunner()
CONFIG = str(Path(__file__).resolve().parents[1] / "exgen" / "exam" / "configs" / "demo.yaml")


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("exam")
    r = runner.invoke(app, ["generate", CONFIG, "--count", "2", "--no-pdf", "--out", str(d / "exam")])
    assert r.exit_code == 0, r.output
    return d / "exam" / "answer_keys"


def _one_error(r, *needles):
    assert r.exit_code == 1, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "internal error" not in lines[0], r.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])


def _grade(f, keys, tmp_path):
    return runner.invoke(app, ["grade", str(f), "--keys", str(keys), "--out", str(tmp_path / "g"), "--no-report"])


@pytest.mark.parametrize("limit, value, body, needle", [
    ("MAX_TABLE_BYTES", 100, "s001,1a,0.5\n" * 20, "too many bytes"),
    ("MAX_TABLE_ROWS", 10, "s001,1a,0.5\n" * 20, "too many rows"),
    ("MAX_LINE_CHARS", 1000, "s001,1a," + "9" * 2000 + "\n", "line 2: too many characters"),
    ("MAX_TABLE_COLUMNS", 50, "s001,1a," + ",".join("1" * 100) + "\n", "line 2: too many columns"),
])
def test_a_csv_over_a_table_limit_is_refused_before_parsing(keys, tmp_path, monkeypatch, limit, value, body, needle):
    monkeypatch.setattr(limits, limit, value)
    f = tmp_path / "sub.csv"
    f.write_text("student_id,question_id,answer\n" + body)
    _one_error(_grade(f, keys, tmp_path), "sub.csv", needle)
    assert not (tmp_path / "g").exists()


def _xlsx(rows: int) -> bytes:
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             "<sheetData>" + "".join(f'<row r="{i}"><c><v>{i}</v></c></row>' for i in range(1, rows + 1))
             + "</sheetData></worksheet>")
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return b.getvalue()


def test_an_xlsx_zip_bomb_is_refused_by_its_declared_size(keys, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_XLSX_BYTES", 1000)
    f = tmp_path / "bomb.xlsx"
    f.write_bytes(_xlsx(200))
    _one_error(_grade(f, keys, tmp_path), "bomb.xlsx", "too many bytes uncompressed")


@pytest.mark.parametrize("what", ["roster", "answers"])
def test_a_cell_over_the_csv_field_limit_names_the_file_and_line(keys, tmp_path, what):
    f = tmp_path / f"{what}.csv"
    if what == "roster":
        f.write_text('student_id,name\ns001,"' + "x" * 140_000 + '"\n')
        r = runner.invoke(app, ["generate", CONFIG, "--roster", str(f), "--no-pdf", "--out", str(tmp_path / "e")])
    else:
        f.write_text("question_id,answer\n1a," + "1" * 140_000 + "\n")
        r = runner.invoke(app, ["check", str(f), "--key", str(keys / "s001.json")])
    _one_error(r, f"{what}.csv: line 2", "cannot be parsed as CSV")


@pytest.mark.parametrize("before", [0, 3])
def test_a_submissions_cell_over_the_csv_field_limit_names_the_line(keys, tmp_path, before):
    f = tmp_path / "sub.csv"
    f.write_text("student_id,question_id,answer\n" + "s001,1b,0.5\n" * before
                 + 's001,1a,"' + "9" * 140_000 + '"\ns002,1a,0.5\n')
    _one_error(_grade(f, keys, tmp_path), f"sub.csv: line {2 + before}: cannot be parsed as CSV")
    assert not (tmp_path / "g").exists()


def test_roster_and_answers_files_are_bounded_in_bytes(keys, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TABLE_BYTES", 100)
    f = tmp_path / "roster.csv"
    f.write_text("student_id\n" + "".join(f"s{i:03d}\n" for i in range(50)))
    r = runner.invoke(app, ["generate", CONFIG, "--roster", str(f), "--no-pdf", "--out", str(tmp_path / "e")])
    _one_error(r, "roster.csv", "too many bytes")
    a = tmp_path / "answers.csv"
    a.write_text("question_id,answer\n" + "1a,0.5\n" * 50)
    _one_error(runner.invoke(app, ["check", str(a), "--key", str(keys / "s001.json")]), "answers.csv", "too many bytes")
