"""Rosters: accepted shapes and clear one-line errors naming file and line."""
import pytest

from exgen.errors import InputFileError
from exgen.roster import count_roster, read_roster


def _write(tmp_path, content, name="roster.csv"):
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p


def test_lms_export_with_bom_semicolons_and_extra_columns(tmp_path):
    p = _write(tmp_path, "\ufeffEmail;Student_ID;Name;Section\na@x.org;s1;Ann;A\nb@x.org; s2 ;Søren O'Brien;B\n")
    assert [(s.id, s.name) for s in read_roster(p)] == [("s1", "Ann"), ("s2", "Søren O'Brien")]


def test_without_name_column_the_id_is_the_name(tmp_path):
    assert [(s.id, s.name) for s in read_roster(_write(tmp_path, "student_id\nx1\nx2\n"))] == [("x1", "x1"), ("x2", "x2")]


@pytest.mark.parametrize("content, expected", [
    ("student_id,name\na,Ann\nb,Bob\na,Again\n", "line 4: duplicate student_id 'a' (first on line 2)"),
    ("student_id,name\nA1,Ann\nb,Bob\na1,Al\n", "line 4: duplicate student_id 'a1' (first on line 2 as 'A1'"),
    ("student_id,name\na,Ann\nb,\n", "line 3: field 'name' is empty"),
    ("student_id,name\na,Ann\n,Bob\n", "line 3: field 'student_id' is empty"),
    ("id,name\na,Ann\n", "line 1: no 'student_id' column"),
    ("student_id,name\na b,Ann\n", "line 2: field 'student_id'"),
    ("student_id,name\n../etc,Ann\n", "line 2: field 'student_id'"),
    ("student_id,name\n", "no students"),
    ("student_id,name\nab,Ann\nCON,Con\n", "line 3: field 'student_id': 'CON' is a device name on Windows"),
    ("student_id,name\nab,Ann\ncd,Cid\nnul.txt,Nul\n", "line 4: field 'student_id': 'nul.txt' is a device name"),
    ("student_id,name\nCom7,Ann\n", "line 2: field 'student_id': 'Com7' is a device name"),
    ("student_id,name\nlpt1.a.b,Ann\n", "line 2: field 'student_id': 'lpt1.a.b' is a device name"),
    ("student_id,name\nAux,Ann\n", "line 2: field 'student_id': 'Aux' is a device name"),
    ("student_id,name\nprn,Ann\n", "line 2: field 'student_id': 'prn' is a device name"),
    ("student_id,name\nab,Ann\ncd,S\xf8ren\n".encode("latin-1"), "line 3: not UTF-8"),
])
def test_bad_rosters(tmp_path, content, expected):
    p = _write(tmp_path, content)
    with pytest.raises(InputFileError) as e:
        read_roster(p)
    assert str(e.value).startswith(f"{p}: ") and expected in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("sid", ["CONS", "con_1", "COM10", "COM0", "LPT", "xCON", "nul-1", "AUX1", "s001"])
def test_ids_that_only_look_like_device_names_are_fine(tmp_path, sid):
    assert [s.id for s in read_roster(_write(tmp_path, f"student_id\n{sid}\n"))] == [sid]


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        read_roster(tmp_path / "nope.csv")


def test_count_roster():
    assert [s.id for s in count_roster(3)] == ["s001", "s002", "s003"]
    assert count_roster(1000)[-1].id == "s1000"


def test_one_reader_for_generate_and_grade_aliases_identify_the_student(tmp_path):
    from exgen.roster import alias_map
    p = _write(tmp_path, "SID;Name;Email\ns1;Ann;Ann@Uni.org\ns2;Bob;bob@uni.org\n")
    students = read_roster(p)
    assert [(s.id, s.name) for s in students] == [("s1", "Ann"), ("s2", "Bob")]
    assert alias_map(students)["ann@uni.org"] == "s1" and alias_map(students)["bob"] == "s2"


def test_an_xlsx_roster(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["student_id", "name"])
    wb.active.append(["x7", "Łukasz Żółć"])
    wb.save(tmp_path / "roster.xlsx")
    assert [(s.id, s.name) for s in read_roster(tmp_path / "roster.xlsx")] == [("x7", "Łukasz Żółć")]


def test_an_alias_never_takes_another_students_id_or_a_shared_value(tmp_path):
    """Ann's 'ID number' 1002 is Bob's student id: a submission of 1002 was graded against Ann's key
    (the alias looked up before the id), Bob's answers all wrong on hers."""
    from exgen.roster import alias_map
    p = _write(tmp_path, "student_id,name,ID number,Section\n1001,Ann,1002,S1\n1002,Bob,1003,S1\nA7,Cy,a7,S2\n")
    m = alias_map(read_roster(p))
    assert m == {"ann": "1001", "bob": "1002", "1003": "1002", "cy": "A7", "a7": "A7", "s2": "A7"}, m


def test_grading_with_such_a_roster_uses_each_students_own_key(tmp_path):
    import json
    from typer.testing import CliRunner
    from exgen.cli import app
    from exgen.exam.config import demo_path
    runner = CliRunner()
    roster = _write(tmp_path, "student_id,name,ID number\n1001,Ann,1002\n1002,Bob,1003\n")
    r = runner.invoke(app, ["generate", str(demo_path()), "--roster", str(roster), "--no-pdf", "--out", str(tmp_path / "e")])
    assert r.exit_code == 0, r.output
    key = json.loads((tmp_path / "e" / "answer_keys" / "1002.json").read_text(encoding="utf-8"))
    sub = tmp_path / "sub.csv"
    sub.write_text("student_id,question_id,answer\n" + "".join(f"1002,{q['id']},{q['answer']:.6f}\n" for q in key["questions"]))
    r = runner.invoke(app, ["grade", str(sub), "--keys", str(tmp_path / "e" / "answer_keys"), "--roster", str(roster),
                            "--out", str(tmp_path / "g"), "--no-report", "--no-feedback"])
    assert r.exit_code == 0, r.output
    grades = (tmp_path / "g" / "grades.csv").read_text(encoding="utf-8").splitlines()
    bob = next(line for line in grades if line.startswith("1002,")).split(",")
    assert bob[3] == "100.00", grades


def test_a_roster_quote_never_closed_is_an_error_naming_its_line(tmp_path):
    """The roster was read with the csv module's lenient defaults: a quote never closed made the
    rest of the file one name ('Ann\\ns2,Bob'), one student instead of two, silently. It is read
    as grade reads a CSV: an error naming the line the quote opened on."""
    from exgen.errors import InputFileError
    from exgen.roster import read_roster
    p = tmp_path / "roster.csv"
    p.write_text('student_id,name\ns1,"Ann\ns2,Bob\n', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"roster\.csv: line 2: a quote opens a cell and is never closed"):
        read_roster(p)
    p.write_text('student_id,name\ns1,"Ann, Jr."\ns2,Bob\n', encoding="utf-8")  # closed quotes read as before
    assert [(s.id, s.name) for s in read_roster(p)] == [("s1", "Ann, Jr."), ("s2", "Bob")]
