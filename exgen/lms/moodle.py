"""Moodle: the quiz as a Moodle XML question bank (one Cloze question per variant), Moodle's
quiz Responses report read back, and Moodle's grade-import CSV.

The export follows what Moodle's importer reads (docs/lms.md names the sources):
qformat_xml::import_multianswer (question/format/xml/format.php) hands the question text to
qtype_multianswer_extract_question (question/type/multianswer/questiontype.php), whose regexes
find each `{N:NUMERICAL:=answer:tolerance#feedback~%P%answer:tolerance#feedback}` part; every
part needs an answer at 100 % (qtype_multianswer_validate_question). A NUMERICAL answer matches
where |response - answer| <= tolerance (qtype_numerical_answer, nominal tolerance); the first
matching answer counts, so the alternatives come in exgen.lms.quiz's order.
"""
from __future__ import annotations

import html
import math
import re
from decimal import ROUND_FLOOR, Decimal
from xml.sax.saxutils import escape as xml_escape

from exgen.lms.given import given_rows
from exgen.lms.quiz import Part, Quiz, Variant, number, tag, worked_steps

MARK = "<!-- written by exgen: Moodle XML question bank (docs/lms.md) -->"
NAME = "Moodle"


def cloze_feedback(text: str) -> str:
    """Feedback text inside a Cloze part: HTML-escaped twice (Moodle html_entity_decodes it once
    and shows the rest as HTML), and the characters that end or split a part as entities."""
    s = html.escape(text, quote=True).replace("&", "&amp;")
    return s.replace("\\", "&#92;").replace("}", "&#125;").replace("~", "&#126;")


def text_html(text: str) -> str:
    """User or generated text in the question's HTML, where a "{" could start a Cloze part."""
    s = html.escape(text, quote=True)
    return s.replace("{", "&#123;").replace("}", "&#125;").replace("~", "&#126;").replace("\\", "&#92;")


def weights(parts: list[Part]) -> list[int]:
    """Cloze part weights ({N:...}: a whole number): the points, scaled by 10^k until whole."""
    for scale in (1, 10, 100, 1000):
        w = [p.points * scale for p in parts]
        if all(abs(x - round(x)) < 1e-9 for x in w):
            return [max(int(round(x)), 0) for x in w]
    return [max(int(round(p.points * 1000)), 0) for p in parts]


def cloze_part(part: Part, weight: int) -> str:
    if part.shape is not None:
        return shape_part(part, weight)
    alts = []
    for a in part.alternatives:
        credit = "=" if a.fraction >= 1 else f"%{_percent(a.fraction)}%"
        alts.append(f"{credit}{number(a.value)}:{tolerance(a.value, a.tolerance)}#{cloze_feedback(a.feedback)}")
    return "{" + f"{weight}:NUMERICAL:" + "~".join(alts) + "}"


def tolerance(value: float, tol: float) -> str:
    """A tolerance as written for Moodle so that its window is exgen's: Moodle reads the value as
    written (`number`, 12 significant digits) and widens the tolerance by 1e-14 * max(1, |value|)
    (qtype_numerical_answer::get_tolerance_interval), so the tolerance written is exgen's less
    both, rounded down to 15 significant digits (a number on a window's very edge is float
    rounding's call in both)."""
    c = float(number(value))
    t = tol - abs(c - value) - 1e-14 * max(1.0, abs(c))
    if not t > 0:
        return "0"
    q = Decimal(t).quantize(Decimal(1).scaleb(math.floor(math.log10(t)) - 14), rounding=ROUND_FLOOR)
    return format(q.normalize(), "f")


def shape_part(part: Part, weight: int) -> str:
    """A shape answer as a case-sensitive short answer ({N:SHORTANSWER_C:=4x3#..~=4×3#..~%0%3x4#..}):
    qtype_multianswer's importer reads SHORTANSWER_C (alias SAC) as a shortanswer question with
    usecase 1, and qtype_shortanswer compares the trimmed response with each answer exactly
    (compare_string_with_wildcard; no "*" in these); so "4X3", which exgen calls invalid, is not
    accepted. The transposed shape gets 0 % with exgen's diagnosis as feedback."""
    from exgen.grading.shapes import TRANSPOSED
    from exgen.grading.slips import DIAGNOSES
    from exgen.lms.given import shape_texts
    assert part.shape is not None
    r, c = part.shape
    alts = [f"={t}#{cloze_feedback('Correct.')}" for t in shape_texts((r, c))]
    if r != c:
        alts += [f"%0%{t}#{cloze_feedback(DIAGNOSES.get(TRANSPOSED, TRANSPOSED))}" for t in shape_texts((c, r))]
    return "{" + f"{weight}:SHORTANSWER_C:" + "~".join(alts) + "}"


def _percent(f: float) -> str:
    s = f"{100 * f:.5f}".rstrip("0").rstrip(".")
    return s or "0"


def question_html(quiz: Quiz, v: Variant) -> str:
    from exgen.acceptance import rule_sentence
    rows = "".join(f"<tr><td>{text_html(n)}</td><td>{text_html(x)}</td></tr>" for n, x in given_rows(v.key))
    ws = weights(v.parts)
    items = "".join(f"<li>{text_html(p.qid)}: {text_html(p.text)} = {cloze_part(p, w)}</li>"
                    for p, w in zip(v.parts, ws))
    return (f"<p>{text_html(tag(quiz.exam, v.id))}</p>"
            f"<p>{text_html(given_title(v.key))}</p>"
            f"<table border=\"1\"><tr><th>given</th><th>value</th></tr>{rows}</table>"
            f"<p>{text_html(rule_sentence(v.decimals, quiz.fewer_credit))}</p><ol>{items}</ol>")


def given_title(key: dict) -> str:
    from exgen.graph.spec import is_graph
    if is_graph(key["spec"]):
        return "The computational graph: its inputs and its gates, in order of evaluation:"
    return "The network, its input, target and parameters:"


def feedback_html(v: Variant) -> str:
    steps = "".join(f"<li>{text_html(q)}:<br>" + "<br>".join(text_html(s) for s in lines) + "</li>"
                    for q, lines in worked_steps(v.key))
    return f"<p>Worked solution:</p><ol>{steps}</ol>"


def export_xml(quiz: Quiz) -> str:
    """The Moodle XML question bank: a category named after the exam, one Cloze question per
    variant (name and text carry the variant's tag, exgen.lms.quiz.tag)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', MARK, "<quiz>",
           '  <question type="category">',
           f"    <category><text>{xml_escape('$course$/top/' + quiz.title.replace('/', '-'))}</text></category>",
           "  </question>"]
    for v in quiz.variants:
        out += ['  <question type="cloze">',
                f"    <name><text>{xml_escape(tag(quiz.exam, v.id))}</text></name>",
                f'    <questiontext format="html"><text>{xml_escape(question_html(quiz, v))}</text></questiontext>',
                f'    <generalfeedback format="html"><text>{xml_escape(feedback_html(v))}</text></generalfeedback>',
                "    <penalty>0</penalty>", "    <hidden>0</hidden>",
                f"    <idnumber>{xml_escape(v.id)}</idnumber>",
                "  </question>"]
    out.append("</quiz>")
    return "\n".join(out) + "\n"


# ---- the Responses report (Quiz > Results > Responses, downloaded as CSV) -----------------------

RESPONSE_RE = re.compile(r"^response\s+(\d+)$", re.I)
RIGHT_RE = re.compile(r"^right answer\s+(\d+)$", re.I)
QUESTION_RE = re.compile(r"^question\s+(\d+)$", re.I)
PART_RE = re.compile(r"(?:^|;\s)\s*[^\s:;]+\s+(\d+)\s*:\s?")  # "part 1: " (localised: "parte 1: ", "partie 1 : ")


def matches(header: list[str]) -> bool:
    low = [h.strip().lower() for h in header]
    return any(RESPONSE_RE.match(h) for h in low) and ("email address" in low or "surname" in low)


def parts_of(cell: str) -> dict[int, str]:
    """'part 1: 0,6229; part 2: ; part 3: -' -> {1: '0,6229', 2: '', 3: ''} (Moodle's
    qtype_multianswer summarise_response: 'part {i}: {response}' joined by '; ')."""
    found = list(PART_RE.finditer(cell))
    out: dict[int, str] = {}
    for m, nxt in zip(found, found[1:] + [None]):
        text = cell[m.end(): nxt.start() if nxt else len(cell)].strip()
        out[int(m.group(1))] = "" if text == "-" else text
    return out


def identity_columns(header: list[str]) -> list[int]:
    low = [h.strip().lower() for h in header]
    return [low.index(c) for c in ("email address", "id number", "username") if c in low]


def display_name(header: list[str], row: list[str]) -> str:
    low = [h.strip().lower() for h in header]
    parts = [row[low.index(c)].strip() for c in ("first name", "surname") if c in low and low.index(c) < len(row)]
    return " ".join(p for p in parts if p)


def is_summary_row(header: list[str], row: list[str]) -> bool:
    """Moodle ends the report with an "Overall average" row."""
    return any(c.strip().lower() == "overall average" for c in row[:3])


# ---- grade import (Site administration > Grades > Import > CSV file) ----------------------------

def gradebook(roll, title: str) -> tuple[list[str], list[list[str]], list[str]]:
    """Moodle's CSV grade import: one identity column (Email address, else ID number, mapped to
    the user field of that name on import) and the grade item's column. From an
    exgen.lms.roll.Roll (email, idnumber, totals). Returns (header, columns, what is missing)."""
    by = "Email address" if roll.has("email") else "ID number"
    name = "email" if by == "Email address" else "idnumber"
    who = roll.col(name)
    keep = [i for i, x in enumerate(who) if x] if roll.has(name) else []
    tot = roll.totals
    columns = [who, tot] if len(keep) == len(who) else [[who[i] for i in keep], [tot[i] for i in keep]]
    notes = []
    if len(keep) < len(who):
        notes.append(f"grades_moodle.csv: {len(who) - len(keep)} student(s) left out, without e-mail or ID number "
                     "(a roster column 'email')")
    return [by, title], columns, notes
