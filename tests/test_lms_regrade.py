"""Regrading an LMS's report of an exported 40-variant quiz with no --map: every verdict equals
what `exgen grade` gives for the long CSV (student_id, question_id, answer) of the counted
attempts' answers, each student graded against a copy of the key of the variant they answered.

The reports are built as the LMSs write them: Moodle's Responses report (mod/quiz/report/
responses: Surname, First name, Email address, State, Started on, Completed, Time taken,
Grade/N, Response 1, Right answer 1; a Cloze response summarised "part 1: ...; part 2: ..."
(qtype_multianswer_question::summarise_response), "-" for no response; a BOM) and Canvas's Student
Analysis (canvas-lms quiz_statistics/student_analysis.rb: name, id, sis_id, section, section_id,
section_sis_id, submitted, attempt, "<question id>: <text>" and a points column per question,
blanks joined by "," with "\\," inside, newest attempt first)."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from lms_helpers import generate


from exgen import api

N_STUDENTS = 24


@pytest.fixture(scope="module")
def quiz(tmp_path_factory):
    d = tmp_path_factory.mktemp("regrade")
    keys = generate(d / "q", 40)
    roster = d / "roster.csv"
    rows = [["student_id", "name", "email", "Canvas ID", "SIS User ID", "SIS Login ID", "Section"]]
    rows += [[f"st{i:02d}", f"Student {i}", f"st{i:02d}@uni.example", str(5000 + i), f"S{1000 + i}",
              f"login{i}", "Sec A" if i % 2 else "Sec B"] for i in range(N_STUDENTS)]
    roster.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return d, keys, roster


def _typed(rng, e: float, moodle: bool) -> str:
    """An answer as students type them: right, decimal comma, hand-rounded, fewer decimals, a sign
    flip, off, blank, "-"."""
    kind = rng.choice(["right", "comma", "hand", "fewer", "flip", "off", "blank", "dash" if moodle else "right"])
    return {"right": f"{e:.4f}", "comma": f"{e:.4f}".replace(".", ","), "hand": f"{e:.3f}", "fewer": f"{e:.2f}",
            "flip": f"{-e:.4f}", "off": f"{1.3 * e + 0.01:.4f}", "blank": "", "dash": "-"}[kind]


def _attempts(keys, moodle: bool, seed: int):
    """Per student: attempts (number, variant, answers, finished); the last finished one counts."""
    rng = np.random.default_rng(seed)
    vids = sorted(keys)
    out = {}
    for i in range(N_STUDENTS):
        n = int(rng.integers(1, 4))
        atts = []
        for a in range(1, n + 1):
            v = vids[int(rng.integers(len(vids)))] if a == 1 or rng.random() < 0.5 else atts[-1][1]
            ans = [_typed(rng, q["answer"], moodle) for q in keys[v]["questions"]]
            atts.append((a, v, ans, True))
        if moodle and i % 5 == 0:  # an attempt still in progress, newest: it never counts
            v = vids[int(rng.integers(len(vids)))]
            atts.append((n + 1, v, [f"{q['answer']:.4f}" for q in keys[v]["questions"]], False))
        out[f"st{i:02d}"] = atts
    return out


def _reference(tmp, keys, attempts, tag):
    """The long CSV of the counted attempts, and a key per student: the variant's key, renamed."""
    kdir = tmp / f"ref_keys_{tag}"
    kdir.mkdir()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student_id", "question_id", "answer"])
    for sid, atts in attempts.items():
        _, v, ans, _ = [a for a in atts if a[3]][-1]
        key = dict(keys[v], student_id=sid)
        (kdir / f"{sid}.json").write_text(json.dumps(key), encoding="utf-8")
        for q, a in zip(key["questions"], ans):
            w.writerow([sid, q["id"], "" if a == "-" else a])  # Moodle's "-": no response
    (tmp / f"long_{tag}.csv").write_text(buf.getvalue(), encoding="utf-8")
    return tmp / f"long_{tag}.csv", kdir


def _answers(path):
    with open(path, newline="", encoding="utf-8") as f:
        return sorted(tuple(r) for r in csv.reader(f))


def _moodle_report(keys, attempts, exam):
    from exgen.lms.quiz import number
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["Surname", "First name", "Email address", "State", "Started on", "Completed", "Time taken",
                "Grade/17.00", "Response 1", "Right answer 1"])
    for sid, atts in attempts.items():
        for n, v, ans, done in atts:
            resp = "; ".join(f"part {j}: {'' if a == '' else a}" for j, a in enumerate(ans, 1))
            if all(a in ("", "-") for a in ans):
                resp = "-"
            right = "; ".join(f"part {j}: {number(q['answer'])}" for j, q in enumerate(keys[v]["questions"], 1))
            w.writerow([sid[-2:], "Student", f"{sid}@uni.example", "Finished" if done else "In progress",
                        f"{n} December 2026  10:{n:02d} AM", f"{n} December 2026  11:00 AM" if done else "-",
                        "50 mins", "-", resp, right])
    return "\ufeff" + buf.getvalue()


def test_moodle_responses_grade_like_the_long_csv(tmp_path, quiz):
    d, keys, roster = quiz
    attempts = _attempts(keys, True, 7)
    report = tmp_path / "responses.csv"
    report.write_text(_moodle_report(keys, attempts, ""), encoding="utf-8")
    res = api.grade_files(report, d / "q" / "answer_keys", tmp_path / "g", roster=roster, feedback=False, report=False)
    long_csv, kdir = _reference(tmp_path, keys, attempts, "m")
    api.grade_files(long_csv, kdir, tmp_path / "ref", feedback=False, report=False)
    got, want = _answers(tmp_path / "g" / "answers.csv"), _answers(tmp_path / "ref" / "answers.csv")
    assert len(got) == N_STUDENTS * len(next(iter(keys.values()))["questions"]) + 1
    assert got == want
    verdicts = {r[4] for r in got[:-1]}
    assert {"correct", "wrong", "missing"} <= verdicts
    summary = (tmp_path / "g" / "summary.txt").read_text()
    assert "Moodle Responses report" in summary and "unfinished" in summary
    # write-back: Moodle's import keyed by e-mail; Canvas's with the roster's ids
    with open(tmp_path / "g" / "grades_moodle.csv", newline="") as f:
        m = list(csv.reader(f))
    assert m[0][0] == "Email address" and len(m) == N_STUDENTS + 1
    tot = {s: res.totals(s)[0] for s in res.students}
    assert all(float(r[1]) == tot[r[0].split("@")[0]] for r in m[1:])


def _canvas_report(keys, attempts, exam):
    from exgen.lms.quiz import tag
    head = ["name", "id", "sis_id", "section", "section_id", "section_sis_id", "submitted", "attempt"]
    vids = sorted(keys)
    for n, v in enumerate(vids):
        text = tag(exam, v) + " The network, its input ... 1a: the activation h^(1)_1 = [q1a] ..."
        head += [f"{90000 + n}: {text}", f"{sum(q['points'] for q in keys[v]['questions']):.1f}"]
    head += ["n correct", "n incorrect", "score"]
    rows = []
    for i, (sid, atts) in enumerate(attempts.items()):
        for n, v, ans, _ in atts:
            row = [f"Student {i}", str(5000 + i), f"S{1000 + i}", "Sec A" if i % 2 else "Sec B", "77", "",
                   f"2026-12-0{n}T10:00:00Z", str(n)]
            for u in vids:
                row += [",".join(a.replace(",", "\\,") for a in ans), "3.0"] if u == v else ["", ""]
            row += ["3", "11", "5.0"]
            rows.append((n, row))
    rows.sort(key=lambda r: -r[0])  # newest first, as Canvas sorts by updated_at
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    w.writerows(r for _, r in rows)
    return buf.getvalue()


def test_canvas_student_analysis_grades_like_the_long_csv(tmp_path, quiz):
    d, keys, roster = quiz
    exam = next(iter(keys.values()))["exam"]
    attempts = _attempts(keys, False, 11)
    report = tmp_path / "analysis.csv"
    report.write_text(_canvas_report(keys, attempts, exam), encoding="utf-8")
    res = api.grade_files(report, d / "q" / "answer_keys", tmp_path / "g", roster=roster, feedback=False,
                          report=False, canvas_assignment_id="4711")
    long_csv, kdir = _reference(tmp_path, keys, attempts, "c")
    api.grade_files(long_csv, kdir, tmp_path / "ref", feedback=False, report=False)
    assert _answers(tmp_path / "g" / "answers.csv") == _answers(tmp_path / "ref" / "answers.csv")
    summary = (tmp_path / "g" / "summary.txt").read_text()
    assert "Canvas Student Analysis report" in summary and "superseded" in summary
    with open(tmp_path / "g" / "grades_canvas.csv", newline="") as f:
        c = list(csv.reader(f))
    assert c[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{exam} (4711)"]
    assert c[1][0] == "Points Possible"
    by = {r[2]: r for r in c[2:]}
    assert by["S1003"][:5] == ["Student 3", "5003", "S1003", "login3", "Sec A"]
    assert float(by["S1003"][5]) == res.totals("st03")[0]
    with open(tmp_path / "g" / "grades_blackboard.csv", newline="") as f:
        b = list(csv.reader(f))
    assert b[0][:4] == ["Last Name", "First Name", "Username", "Student ID"] and "[Total Pts:" in b[0][4]
    assert {r[2] for r in b[1:]} == {f"login{i}" for i in range(N_STUDENTS)}


def test_best_attempt_across_variants(tmp_path, quiz):
    """--attempt best over attempts at different variants: the one with the higher total counts."""
    d, keys, roster = quiz
    v1, v2 = sorted(keys)[:2]
    right = [f"{q['answer']:.4f}" for q in keys[v2]["questions"]]
    wrong = [f"{-q['answer']:.4f}" for q in keys[v1]["questions"]]
    attempts = {"st00": [(1, v2, right, True), (2, v1, wrong, True)]}
    report = tmp_path / "a.csv"
    report.write_text(_canvas_report(keys, attempts, keys[v1]["exam"]), encoding="utf-8")
    res = api.grade_files(report, d / "q" / "answer_keys", tmp_path / "g", roster=roster, attempt="best",
                          feedback=False, report=False)
    assert res.totals("st00")[0] == res.totals("st00")[1] > 0
    res = api.grade_files(report, d / "q" / "answer_keys", tmp_path / "h", roster=roster, feedback=False, report=False)
    assert res.totals("st00")[0] == 0  # latest: the attempt at v1, all signs flipped


def test_forms_layout_named_and_map_proposed(tmp_path, quiz):
    d, keys, _ = quiz
    from exgen.errors import ExgenError
    p = tmp_path / "forms.csv"
    p.write_text("Timestamp,Email Address,Score,Activation one,Activation two\n"
                 "2026/12/01 10:00:00 AM GMT+1,v001,,0.5,0.6\n", encoding="utf-8")
    with pytest.raises(ExgenError) as e:
        api.grade_files(p, d / "q" / "answer_keys", tmp_path / "g")
    msg = str(e.value)
    assert "Google Forms" in msg and "--map 'Activation one=1a' --map 'Activation two=1b'" in msg
    res = api.grade_files(p, d / "q" / "answer_keys", tmp_path / "g", mapping=["Activation one=1a"],
                          id_column="Email Address", feedback=False, report=False)
    assert "Layout: Google Forms responses." in res.notes


def test_moodle_variant_from_the_question_text(tmp_path, quiz):
    """A Responses report with the question text (which names the variant) and no right answer."""
    d, keys, roster = quiz
    from exgen.lms.quiz import tag
    exam = next(iter(keys.values()))["exam"]
    v = sorted(keys)[5]
    ans = [f"{q['answer']:.4f}".replace(".", ",") for q in keys[v]["questions"]]
    text = f"{tag(exam, v)} The network ... 1a: the activation h^(1)_1 = _____ ..."
    report = tmp_path / "r.csv"
    report.write_text("Surname;First name;Email address;State;Started on;Completed;Question 1;Response 1\n"
                      f"Ng;Ada;st01@uni.example;Finished;1 December 2026  10:00 AM;-;\"{text}\";\""
                      + "; ".join(f"part {j}: {a}" for j, a in enumerate(ans, 1)) + "\"\n", encoding="cp1252")
    res = api.grade_files(report, d / "q" / "answer_keys", tmp_path / "g", roster=roster, feedback=False, report=False)
    assert res.students == ["st01"] and res.totals("st01")[0] == res.totals("st01")[1]
    assert res.key("st01")["student_id"] == v


def test_moodle_report_without_variant_says_what_to_download(tmp_path, quiz):
    d, keys, _ = quiz
    from exgen.errors import ExgenError
    report = tmp_path / "r.csv"
    report.write_text("Surname,First name,Email address,State,Started on,Response 1\n"
                      "Ng,Ada,a@x.example,Finished,1 December 2026  10:00 AM,part 1: 0.5\n", encoding="utf-8")
    with pytest.raises(ExgenError, match="Right answer"):
        api.grade_files(report, d / "q" / "answer_keys", tmp_path / "g")


@pytest.mark.parametrize("header,name", [
    ("ID,Start time,Completion time,Email,Name,Total points,Activation one,Points - Activation one",
     "Microsoft Forms"),
    ("Username,Last Name,First Name,Question ID 1,Question 1,Answer 1,Possible Points 1,Auto Score 1",
     "Blackboard test results")])
def test_other_layouts_named_in_the_error(tmp_path, quiz, header, name):
    d, _, _ = quiz
    from exgen.errors import ExgenError
    p = tmp_path / "x.csv"
    p.write_text(header + "\n" + ",".join("1" for _ in header.split(",")) + "\n", encoding="utf-8")
    with pytest.raises(ExgenError) as e:
        api.grade_files(p, d / "q" / "answer_keys", tmp_path / "g")
    assert name in str(e.value) and "--map" in str(e.value)
