"""Reading real-world submission files, issues by line, outputs, idempotence and the CLI."""
import csv
import json

import pytest
from typer.testing import CliRunner

from exgen.cli.main import app
from exgen.grading.grade import grade_submissions
from exgen.grading.read import SubmissionError, read_submissions
from exgen.core.report import fmt
from grading_helpers import example_key

runner = CliRunner()


@pytest.fixture
def keys(tmp_path):
    d = tmp_path / "answer_keys"
    d.mkdir()
    ks = {}
    for sid in ("s1", "s2", "s3"):
        ks[sid] = example_key("seed002-2-2-1", sid)
        (d / f"{sid}.json").write_text(json.dumps(ks[sid]))
    return d, ks


def ans(ks, sid, qid):
    return next(q["answer"] for q in ks[sid]["questions"] if q["id"] == qid)


def verdicts(res, sid):
    return {v.question_id: (v.verdict, v.score) for v in res.verdicts(sid)}


def grade(path, ks, **kw):
    known = {q["id"] for k in ks.values() for q in k["questions"]}
    sub = read_submissions(path, known_qids=known, **kw)
    return sub, grade_submissions(sub, ks)


def test_long_utf8_bom_semicolon_decimal_comma(tmp_path, keys):
    _, ks = keys
    a = f"{ans(ks, 's1', '1a'):.4f}".replace(".", ",")
    text = f"\ufeffstudent_id;question_id;answer;extra\ns1;1a; {a} ;x\ns1;1b;\u22120,5;x\ns1;2a;1/0;x\ns2;1a;;x\n"
    p = tmp_path / "sub.csv"
    p.write_bytes(text.encode("utf-8"))
    sub, res = grade(p, ks)
    assert sub.layout == "long"
    v = verdicts(res, "s1")
    assert v["1a"] == ("correct", 1.0) and v["1b"] == ("wrong", 0.0) and v["2a"] == ("invalid", 0.0)
    assert verdicts(res, "s2")["1a"] == ("missing", 0.0)


def test_issues_reported_by_line(tmp_path, keys):
    _, ks = keys
    p = tmp_path / "sub.csv"
    p.write_text("student_id,question_id,answer\ns1,1a,0.1\nzz,1a,0.5\ns1,9z,1\ns1,1a,"
                 f"{ans(ks, 's1', '1a')}\n,1a,3\n")
    _, res = grade(p, ks)
    got = {(i.line, i.kind) for i in res.issues}
    assert {(2, "duplicate"), (3, "unknown_student"), (4, "unknown_question"), (6, "no_id"),
            (None, "no_submission")} <= got
    assert sorted(i.student_id for i in res.issues if i.kind == "no_submission") == ["s2", "s3"]
    assert verdicts(res, "s1")["1a"] == ("correct", 1.0)  # the last one counts
    assert "line 5" in next(i.message for i in res.issues if i.kind == "duplicate")


def test_wide_utf16_tab_blackboard(tmp_path, keys):
    _, ks = keys
    p = tmp_path / "bb.xls"
    p.write_bytes(f"Username\tLast Name\t1a\t1b\ns3\tDoe\t{ans(ks, 's3', '1a')}\tfoo\n".encode("utf-16"))
    sub, res = grade(p, ks, id_column="Username")
    assert sub.layout == "wide"
    v = verdicts(res, "s3")
    assert v["1a"] == ("correct", 1.0) and v["1b"] == ("invalid", 0.0) and v["1c"] == ("missing", 0.0)


def test_forms_cp1252_with_mapping_and_roster(tmp_path, keys):
    _, ks = keys
    p = tmp_path / "forms.csv"
    a = f"{ans(ks, 's2', '1a'):.4f}".replace(".", ",")
    p.write_bytes(f"E-mail;Nom de l’élève;Activation h1 ?\nana@uni.fr;Anaïs;{a}\n".encode("cp1252"))
    roster = {"ana@uni.fr": "s2"}
    _, res = grade(p, ks, mapping={"Activation h1 ?": "1a"}, roster=roster)
    assert verdicts(res, "s2")["1a"] == ("correct", 1.0)


def test_moodle_responses_dash_is_missing(tmp_path, keys):
    _, ks = keys
    p = tmp_path / "moodle.csv"
    p.write_bytes(f"\ufeffSurname,Email address,Response 1,Response 2\nX,s1,{ans(ks, 's1', '1a')},-\n".encode())
    _, res = grade(p, ks, mapping={"Response 1": "1a", "Response 2": "1b"})
    v = verdicts(res, "s1")
    assert v["1a"] == ("correct", 1.0) and v["1b"] == ("missing", 0.0)


def test_canvas_student_analysis_headers(tmp_path, keys):
    _, ks = keys
    p = tmp_path / "canvas.csv"
    with open(p, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "id", "sis_id", "1a: What is h1?", "1.0", "1c: What is y?", "1.0", "score"])
        w.writerow(["Ann", "901", "s1", str(ans(ks, "s1", "1a")), "1", "0.2", "0", "1"])
    _, res = grade(p, ks)
    v = verdicts(res, "s1")
    assert v["1a"] == ("correct", 1.0) and v["1c"] == ("wrong", 0.0)


def test_xlsx(tmp_path, keys):
    import openpyxl
    _, ks = keys
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["student_id", "1a", "1b"])
    ws.append(["s1", ans(ks, "s1", "1a"), "0,5"])
    p = tmp_path / "forms.xlsx"
    wb.save(p)
    _, res = grade(p, ks)
    v = verdicts(res, "s1")
    assert v["1a"] == ("correct", 1.0) and v["1b"] == ("wrong", 0.0)


def test_mapping_that_does_not_fit_lists_columns(tmp_path, keys):
    _, ks = keys
    p = tmp_path / "m.csv"
    p.write_text("student_id,Response 1\ns1,0.5\n")
    with pytest.raises(SubmissionError, match=r"'Response 9'.*columns are: 'student_id', 'Response 1'"):
        grade(p, ks, mapping={"Response 9": "1a"})


def _run(*args):
    return runner.invoke(app, ["grade", *map(str, args)])


def test_cli_outputs_idempotent_and_force(tmp_path, keys):
    d, ks = keys
    p = tmp_path / "sub.csv"
    p.write_text("student_id,question_id,answer\n" + "".join(
        f"{s},{q['id']},{-q['answer'] if q['id'] == '3a' else q['answer']}\n" for s in ("s1", "s2") for q in ks[s]["questions"]))
    r = _run(p, "--keys", d, "--out", tmp_path / "g1")
    assert r.exit_code == 0, r.output
    assert "Graded 3 students" in r.output
    assert _run(p, "--keys", d, "--out", tmp_path / "g2").exit_code == 0
    for name in ("answers.csv", "grades.csv", "grades_canvas.csv", "issues.csv", "report.html", "feedback/s1.md"):
        assert (tmp_path / "g1" / name).read_bytes() == (tmp_path / "g2" / name).read_bytes(), name
    rows = list(csv.DictReader(open(tmp_path / "g1" / "answers.csv")))
    r3a = next(r for r in rows if r["student_id"] == "s1" and r["question_id"] == "3a")
    assert (r3a["verdict"], r3a["score"], r3a["diagnosis"]) == ("wrong", "0", "sign_flip")
    g = list(csv.DictReader(open(tmp_path / "g1" / "grades.csv")))
    assert [(x["student_id"], x["total"], x["maximum"]) for x in g] == [("s1", "9", "10"), ("s2", "9", "10"), ("s3", "0", "10")]
    fb = (tmp_path / "g1" / "feedback" / "s1.md").read_text()
    step = fb[fb.index("## 3a"):]
    assert fb.count("## ") == 1 and "sign_flip" in step and "Worked step:" in step
    assert fmt(ans(ks, "s1", "3a")) in step.split("Worked step:")[1]
    r = _run(p, "--keys", d, "--out", tmp_path / "g1")
    assert r.exit_code == 1 and r.output.strip().count("\n") == 0 and "--force" in r.output
    assert _run(p, "--keys", d, "--out", tmp_path / "g1", "--force").exit_code == 0


@pytest.mark.parametrize("content,msg", [
    (None, "no such file"), (b"\x00\x01\x02\xff\xfe\x00" * 50, "cannot be read"),
    (b"name,score\nx,1\n", "no student id column")])
def test_cli_unreadable_file_is_one_line(tmp_path, keys, content, msg):
    d, _ = keys
    p = tmp_path / "bad.csv"
    if content is not None:
        p.write_bytes(content)
    r = _run(p, "--keys", d, "--out", tmp_path / "g")
    assert r.exit_code == 1
    assert r.output.startswith("Error: ") and r.output.count("\n") == 1 and "bad.csv" in r.output and msg in r.output


def test_summary_counts_one_student_and_one_answer_in_the_singular(tmp_path, keys):
    """'Graded 1 student, 1 answer', not 'Graded 1 students, 1 answers'."""
    d, ks = keys
    one = tmp_path / "one"
    one.mkdir()
    k = dict(ks["s1"], questions=ks["s1"]["questions"][:1])
    (one / "s1.json").write_text(json.dumps(k), encoding="utf-8")
    p = tmp_path / "sub.csv"
    p.write_text(f"student_id,question_id,answer\ns1,{k['questions'][0]['id']},{k['questions'][0]['answer']}\n", encoding="utf-8")
    r = _run(p, "--keys", one, "--out", tmp_path / "g")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Graded 1 student, 1 answer: 1 correct,"), r.output


def test_report_charts_say_what_they_show(tmp_path, keys, monkeypatch):
    """report.html's per-question chart had no title and no axis labels, and its 'mean score'
    (a fraction of the points, 0-1) read like points: each chart names its axes and title."""
    from exgen.grading import outputs
    _, ks = keys
    p = tmp_path / "sub.csv"
    p.write_text(f"student_id,question_id,answer\ns1,1a,{ans(ks, 's1', '1a')}\ns2,1a,x\n", encoding="utf-8")
    _, res = grade(p, ks)
    seen = []
    real = outputs._png
    monkeypatch.setattr(outputs, "_png", lambda fig: seen.append(
        [(a.get_title(), a.get_xlabel(), a.get_ylabel()) for a in fig.axes]) or real(fig))
    html = outputs.report_html(res, "ex")
    assert len(seen) == 2 and all(t and x and y for fig in seen for t, x, y in fig), seen
    assert "mean score (fraction of the points)" in html
