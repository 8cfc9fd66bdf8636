"""Which columns of a wide submissions file hold which question: headers named like a question
id matched as --map matches them (case-insensitively, unless two ids differ only in case)."""
import json

import pytest

from exgen.grading.grade import grade_submissions
from exgen.grading.read import SubmissionError, read_submissions
from grading_helpers import example_key


@pytest.fixture
def ks():
    return {sid: example_key("seed002-2-2-1", sid) for sid in ("s1", "s2")}


def known(ks):
    return {q["id"] for k in ks.values() for q in k["questions"]}


def answer(ks, sid, qid):
    return next(q["answer"] for q in ks[sid]["questions"] if q["id"] == qid)


def columns(sub):
    """question id -> the answers of its column, row by row."""
    out: dict = {}
    for q, a in zip(sub.question_ids, sub.answers):
        out.setdefault(q, []).append(a)
    return out


def test_question_columns_match_ids_case_insensitively_as_map_does(tmp_path, ks):
    """`student_id,1A,1B` with keys asking 1a and 1b was "no question columns"."""
    p = tmp_path / "wide.csv"
    p.write_text(f"student_id,1A,1B\ns1,{answer(ks, 's1', '1a')},{-answer(ks, 's1', '1b')}\n", encoding="utf-8")
    sub = read_submissions(p, known_qids=known(ks))
    assert columns(sub) == {"1a": [str(answer(ks, "s1", "1a"))], "1b": [str(-answer(ks, "s1", "1b"))]}
    assert not sub.issues
    v = {x.question_id: x.verdict for x in grade_submissions(sub, ks).verdicts("s1")}
    assert (v["1a"], v["1b"]) == ("correct", "wrong")


def test_canvas_style_prefix_matches_case_insensitively_too(tmp_path, ks):
    p = tmp_path / "wide.csv"
    p.write_text("student_id,1A: the activation\ns1,0.5\n", encoding="utf-8")
    assert columns(read_submissions(p, known_qids=known(ks))) == {"1a": ["0.5"]}


def test_a_header_and_a_case_variant_of_it_are_two_columns_of_one_question(tmp_path, ks):
    p = tmp_path / "wide.csv"
    p.write_text("student_id,1a,1A\ns1,0.5,0.6\n", encoding="utf-8")
    with pytest.raises(SubmissionError, match=r"line 1: columns 2 \('1a'\) and 3 \('1A'\) both hold question '1a'"):
        read_submissions(p, known_qids=known(ks))


def test_ids_that_differ_only_in_case_are_matched_exactly_and_said_so(tmp_path):
    p = tmp_path / "wide.csv"
    p.write_text("student_id,ab,AB,Ab,1B\ns1,1,2,3,4\n", encoding="utf-8")
    sub = read_submissions(p, known_qids={"ab", "AB", "1b"})
    assert columns(sub) == {"ab": ["1"], "AB": ["2"], "1b": ["4"]}
    [issue] = sub.issues
    assert (issue.line, issue.kind) == (1, "ignored_column")
    assert "'Ab'" in issue.message and "'AB' and 'ab'" in issue.message and "only by case" in issue.message
    p.write_text("student_id,Ab\ns1,3\n", encoding="utf-8")
    with pytest.raises(SubmissionError, match=r"no question columns.*'Ab' is not graded: it matches .* only by case"):
        read_submissions(p, known_qids={"ab", "AB"})


def test_the_cli_reports_an_ignored_column_in_the_summary_and_issues(tmp_path, ks):
    from typer.testing import CliRunner
    from exgen.cli.main import app
    d = tmp_path / "keys"
    d.mkdir()
    k = dict(ks["s1"])
    k["questions"] = [dict(q, id={"1a": "ab", "1b": "AB"}.get(q["id"], q["id"])) for q in k["questions"]]
    k["questions"] = [dict(q, depends_on=[]) for q in k["questions"]]
    (d / "s1.json").write_text(json.dumps(k), encoding="utf-8")
    p = tmp_path / "wide.csv"
    p.write_text("student_id,ab,Ab\ns1,0.5,0.6\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["grade", str(p), "--keys", str(d), "--out", str(tmp_path / "g")])
    assert r.exit_code == 0, r.output
    assert "1 ignored column (line 1)" in r.output
    assert "ignored_column" in (tmp_path / "g" / "issues.csv").read_text(encoding="utf-8")


def test_with_map_a_column_named_like_a_question_id_is_kept(tmp_path, ks):
    """`--map R1=1a` with columns R1,1b graded 1b as missing, the column dropped silently."""
    p = tmp_path / "wide.csv"
    p.write_text("student_id,R1,1B,Notes\ns1,0.5,0.6,x\n", encoding="utf-8")
    sub = read_submissions(p, known_qids=known(ks), mapping={"R1": "1a"})
    assert columns(sub) == {"1a": ["0.5"], "1b": ["0.6"]}


def test_a_mapped_column_is_its_mapping_whatever_its_name(tmp_path, ks):
    p = tmp_path / "wide.csv"
    p.write_text("student_id,1a,1b\ns1,0.5,0.6\n", encoding="utf-8")
    sub = read_submissions(p, known_qids=known(ks), mapping={"1a": "1b", "1b": "1a"})
    assert columns(sub) == {"1b": ["0.5"], "1a": ["0.6"]}


def test_a_mapping_onto_the_question_of_a_column_named_like_it_is_refused(tmp_path, ks):
    p = tmp_path / "wide.csv"
    p.write_text("student_id,R1,1a\ns1,0.5,0.6\n", encoding="utf-8")
    with pytest.raises(SubmissionError, match=r"columns 2 \('R1'\) and 3 \('1a'\) both hold question '1a'"):
        read_submissions(p, known_qids=known(ks), mapping={"R1": "1a"})
