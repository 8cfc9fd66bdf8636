"""Which attempt counts: by the attempt-number or timestamp column (Canvas, Moodle, Forms), with
--attempt latest|first|best; row order only without such a column."""
import csv
import json

import pytest
from typer.testing import CliRunner

from exgen.cli.main import app
from exgen.errors import UsageError
from exgen.grading.grade import grade_submissions
from exgen.grading.outputs import summary
from exgen.grading.read import read_submissions
from exgen.grading.run import grade_files
from grading_helpers import example_key

QS = ["1a", "1b", "1c"]


@pytest.fixture
def keys(tmp_path):
    d = tmp_path / "answer_keys"
    d.mkdir()
    ks = {}
    for sid in ("s1", "s2"):
        ks[sid] = example_key("seed002-2-2-1", sid)
        (d / f"{sid}.json").write_text(json.dumps(ks[sid]))
    return d, ks


def right(ks, sid):
    return [f"{q['answer']:.4f}" for q in ks[sid]["questions"] if q["id"] in QS]


WRONG = ["0.1", "0.2", "0.3"]


def grade(path, ks, attempt="latest", **kw):
    known = {q["id"] for k in ks.values() for q in k["questions"]}
    sub = read_submissions(path, known_qids=known, **kw)
    return grade_submissions(sub, ks, attempt=attempt)


def score(res, sid):
    return sum(v.score for v in res.verdicts(sid) if v.question_id in QS)


def canvas(tmp_path, rows):
    """A Canvas Student Analysis all-attempts report: the newest attempt of a student first."""
    p = tmp_path / "canvas.csv"
    with open(p, "w", newline="") as f:
        w = csv.writer(f)
        head = ["name", "id", "sis_id", "section", "section_id", "section_sis_id", "submitted", "attempt"]
        for q in QS:
            head += [f"{q}: What is the value of {q}?", "1.0"]
        w.writerow(head + ["n correct", "n incorrect", "score"])
        for sid, att, when, answers in rows:
            cells = ["Ann " + sid, "90" + sid[-1], sid, "BP 101", "77", "", when, str(att)]
            for a in answers:
                cells += [a, "1"]
            w.writerow(cells + ["0", "0", "0"])
    return p


def test_canvas_newest_attempt_listed_first_counts(tmp_path, keys):
    _, ks = keys
    p = canvas(tmp_path, [("s1", 2, "2024-03-02 10:00:00 UTC", right(ks, "s1")),
                          ("s1", 1, "2024-03-01 10:00:00 UTC", WRONG),
                          ("s2", 1, "2024-03-01 11:00:00 UTC", right(ks, "s2"))])
    res = grade(p, ks)
    assert score(res, "s1") == 3 and score(res, "s2") == 3  # the last row (attempt 1) would give 0
    sup = [i for i in res.issues if i.kind == "superseded_attempt"]
    assert [(i.line, i.student_id) for i in sup] == [(3, "s1")]  # one issue per superseded row
    assert "line 2" in sup[0].message
    text = summary(res)
    assert "Attempts: latest by 'attempt'; 1 superseded attempt row." in text
    assert "1 superseded attempt (line 3)" in text
    assert score(grade(p, ks, "first"), "s1") == 0


def test_best_attempt_is_the_highest_total(tmp_path, keys):
    _, ks = keys
    half = right(ks, "s1")[:1] + WRONG[1:]
    p = canvas(tmp_path, [("s1", 3, "", half), ("s1", 2, "", WRONG), ("s1", 1, "", right(ks, "s1"))])
    assert score(grade(p, ks, "latest"), "s1") == 1
    assert score(grade(p, ks, "first"), "s1") == 3
    res = grade(p, ks, "best")
    assert score(res, "s1") == 3
    assert sorted(i.line for i in res.issues if i.kind == "superseded_attempt") == [2, 3]
    # ties: the latest of the best ones
    p = canvas(tmp_path, [("s1", 1, "", right(ks, "s1")), ("s1", 2, "", right(ks, "s1")),
                          ("s1", 3, "", right(ks, "s1")[:2] + ["-0,61"])])
    res = grade(p, ks, "best")
    assert {i.line for i in res.issues if i.kind == "superseded_attempt"} == {2, 4}


def test_moodle_started_on_and_state(tmp_path, keys):
    _, ks = keys
    p = tmp_path / "moodle.csv"
    r = right(ks, "s1")
    p.write_text("Surname,Email address,State,Started on,Response 1,Response 2,Response 3\n"
                 f"X,s1,Finished,5 March 2024  2:03 PM,{','.join(r)}\n"
                 f"X,s1,Finished,1 March 2024  9:00 AM,{','.join(WRONG)}\n"
                 f"X,s1,In progress,6 March 2024  8:00 AM,{','.join(WRONG)}\n")
    mapping = {f"Response {i + 1}": q for i, q in enumerate(QS)}
    res = grade(p, ks, mapping=mapping)
    assert score(res, "s1") == 3
    assert {(i.line, i.kind) for i in res.issues if i.line} == {(3, "superseded_attempt"), (4, "unfinished_attempt")}
    assert score(grade(p, ks, "first", mapping=mapping), "s1") == 0


def test_forms_timestamp_rows_out_of_order_and_a_malformed_time(tmp_path, keys):
    _, ks = keys
    p = tmp_path / "forms.csv"
    p.write_text("Timestamp,Email address,1a,1b,1c\n"
                 f"2024/03/02 10:15:00 AM GMT,s1,{','.join(right(ks, 's1'))}\n"
                 f"2024/03/01 10:15:00 AM GMT,s1,{','.join(WRONG)}\n"
                 f"yesterday-ish,s1,{','.join(WRONG)}\n"
                 f"not a time,s2,{','.join(right(ks, 's2'))}\n")
    res = grade(p, ks)
    assert score(res, "s1") == 3 and score(res, "s2") == 3  # a malformed time alone still counts
    kinds = {(i.line, i.kind) for i in res.issues if i.line}
    assert {(4, "bad_attempt"), (5, "bad_attempt"), (3, "superseded_attempt"), (4, "superseded_attempt")} <= kinds
    assert score(grade(p, ks, "first"), "s1") == 0  # the malformed row loses to any well-formed one


def test_long_layout_with_timestamps(tmp_path, keys):
    _, ks = keys
    r = right(ks, "s1")
    p = tmp_path / "long.csv"
    p.write_text("student_id,question_id,answer,timestamp\n"
                 f"s1,1a,{r[0]},2024-03-02T10:00:00\ns1,1a,0.1,2024-03-01T10:00:00\n"
                 f"s1,1b,0.2,2024-03-02T10:00:00\ns1,1b,{r[1]},2024-03-01T10:00:00\n")
    assert score(grade(p, ks), "s1") == 1
    res = grade(p, ks, "best")  # an attempt = the answers with one time; both score 1: the latest wins
    assert score(res, "s1") == 1
    assert {i.line for i in res.issues if i.kind == "superseded_attempt"} == {3, 5}


def test_row_order_without_a_column_is_unchanged(tmp_path, keys):
    _, ks = keys
    p = tmp_path / "wide.csv"
    p.write_text(f"student_id,1a,1b,1c\ns1,{','.join(right(ks, 's1'))}\ns1,{','.join(WRONG)}\n")
    res = grade(p, ks)
    assert score(res, "s1") == 0
    assert [(i.line, i.kind) for i in res.issues if i.line] == [(2, "duplicate")] * 3
    assert "row order chose" in summary(res) and "1 superseded row." in summary(res)
    assert score(grade(p, ks, "first"), "s1") == 3
    assert score(grade(p, ks, "best"), "s1") == 3
    p.write_text(f"student_id,1a,1b,1c\ns1,{','.join(right(ks, 's1'))}\n")
    assert "Attempts" not in summary(grade(p, ks))


def test_library_refuses_an_unknown_rule_and_cli_parses(tmp_path, keys):
    d, ks = keys
    p = canvas(tmp_path, [("s1", 2, "", right(ks, "s1")), ("s1", 1, "", WRONG)])
    with pytest.raises(UsageError, match="--attempt: must be one of latest, first, best, got 'newest'"):
        grade_files(p, d, tmp_path / "g0", attempt="newest")
    r = CliRunner().invoke(app, ["grade", str(p), "--keys", str(d), "--out", str(tmp_path / "g"),
                                 "--attempt", "first", "--no-report", "--no-feedback"])
    assert r.exit_code == 0, r.output
    assert "Attempts: first by 'attempt'; 1 superseded attempt row." in r.output
    assert "Attempts: first" in (tmp_path / "g" / "summary.txt").read_text()
    issues = list(csv.DictReader(open(tmp_path / "g" / "issues.csv")))
    assert [(x["line"], x["kind"]) for x in issues if x["line"]] == [("2", "superseded_attempt")]
    r = CliRunner().invoke(app, ["grade", "--help"])
    assert "--attempt" in r.output and "--attempt best" in r.output
