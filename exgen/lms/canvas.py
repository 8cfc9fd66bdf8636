"""Canvas: the quiz as a QTI 1.2 package for Classic Quizzes (one question group that picks 1 of
the N variants), Canvas's quiz Student Analysis report read back, and the gradebook import CSV.

Each variant is one `fill_in_multiple_blanks_question` with a blank per part: Canvas's only
question type with several answers in one question (a `numerical_question` has one answer, and
a group picks whole questions, so the parts of one variant must share a question). Canvas's
importer (instructure/canvas-lms gems/plugins/qti_exporter/lib/qti/fill_in_the_blank.rb,
process_canvas) reads every choice of a blank's `response_lid ident="response_<blank>"` as an
accepted answer (weight 100) and the blank's place in the text as "[<blank>]"; Canvas grades a
blank by the text typed, so the accepted texts are the key's answer and its accepted hand
roundings written with the decimals asked for, with "." and ",". Canvas's own score is a first
look; `exgen grade` on the Student Analysis report regrades every answer by the key's policy.
The Student Analysis layout follows canvas-lms app/models/quizzes/quiz_statistics/
student_analysis.rb (to_csv): name, id, sis_id, section, section_id, section_sis_id, submitted,
attempt, then per question "<id>: <text>" and its points, newest submission first; a blanks
answer is the blanks' texts joined by "," with each "," inside escaped as "\\,".
"""
from __future__ import annotations

import html
import io
import re
import zipfile
from xml.sax.saxutils import escape as xml_escape, quoteattr

from exgen.lms.alternatives import first
from exgen.lms.given import given_rows, shape_texts
from exgen.lms.quiz import Quiz, Variant, tag, worked_steps

MARK = "exgen.txt"  # a file in the package naming its writer (exgen refuses to overwrite other zips)
NAME = "Canvas"


def blank_id(qid: str) -> str:
    """A part's blank: letters, digits and _ ("q1a")."""
    return "q" + re.sub(r"[^A-Za-z0-9_]", "_", qid)


def text_html(text: str) -> str:
    """Text in the question's HTML: escaped, and "[" "]" as entities (Canvas reads "[x]" as a blank)."""
    return html.escape(text, quote=True).replace("[", "&#91;").replace("]", "&#93;")


def accepted_texts(v: Variant, part) -> list[str]:
    """The texts Canvas accepts for a part: each full-credit window's value (exact, hand roundings)
    with the decimals asked for, and each full-credit number written with fewer decimals, where
    the part's alternatives (exgen's verdicts) give that text full credit; each with "." and
    with ",". A shape: its written forms (exgen.lms.given)."""
    if part.shape is not None:
        return shape_texts(part.shape)
    out: list[str] = []
    for a in part.alternatives:
        if a.fraction < 1:
            continue
        s = f"{a.value:.{v.decimals if a.tolerance > 0 else _places(a.value, v.decimals)}f}"
        got = first(part.alternatives, float(s))
        if got is None or got.fraction < 1:
            continue
        for t in (s, s.replace(".", ",")):
            if t not in out and t not in ("-0", "-0,0"):
                out.append(t)
    return out


def _places(x: float, most: int) -> int:
    for d in range(0, most + 1):
        if abs(round(x, d) - x) < 1e-9:
            return d
    return most


def item_xml(quiz: Quiz, v: Variant, n: int) -> str:
    from exgen.acceptance import rule_sentence
    rows = "".join(f"<tr><td>{text_html(a)}</td><td>{text_html(b)}</td></tr>" for a, b in given_rows(v.key))
    items = "".join(f"<li>{text_html(p.qid)}: {text_html(p.text)} = [{blank_id(p.qid)}]</li>" for p in v.parts)
    body = (f"<p>{text_html(tag(quiz.exam, v.id))}</p><table border=\"1\"><tr><th>given</th><th>value</th></tr>"
            f"{rows}</table><p>{text_html(rule_sentence(v.decimals, quiz.fewer_credit))}</p><ol>{items}</ol>")
    points = sum(p.points for p in v.parts)
    lids, conds, ids = [], [], []
    per = 100.0 / max(len(v.parts), 1)
    for i, p in enumerate(v.parts):
        b = blank_id(p.qid)
        labels = []
        for j, t in enumerate(accepted_texts(v, p)):
            aid = f"{n:04d}{i:02d}{j:03d}"
            ids.append(aid)
            labels.append(f'<response_label ident="{aid}"><material><mattext texttype="text/plain">{xml_escape(t)}'
                          "</mattext></material></response_label>")
            conds.append(f'<respcondition><conditionvar><varequal respident="response_{b}">{aid}</varequal>'
                         f'</conditionvar><setvar varname="SCORE" action="Add">{per:.2f}</setvar></respcondition>')
        lids.append(f'<response_lid ident="response_{b}"><material><mattext>{b}</mattext></material>'
                    f"<render_choice>{''.join(labels)}</render_choice></response_lid>")
    feedback = "".join(f"<p>{text_html(q)}: " + "<br/>".join(text_html(s) for s in lines) + "</p>"
                       for q, lines in worked_steps(v.key))
    meta = "".join(f"<qtimetadatafield><fieldlabel>{k}</fieldlabel><fieldentry>{xml_escape(x)}</fieldentry></qtimetadatafield>"
                   for k, x in (("question_type", "fill_in_multiple_blanks_question"),
                                ("points_possible", f"{points:g}"), ("original_answer_ids", ",".join(ids))))
    return (f"<item ident=\"i{v.id}\" title={quoteattr(tag(quiz.exam, v.id))}><itemmetadata><qtimetadata>{meta}"
            f"</qtimetadata></itemmetadata><presentation><material><mattext texttype=\"text/html\">{xml_escape(body)}"
            f"</mattext></material>{''.join(lids)}</presentation><resprocessing><outcomes><decvar maxvalue=\"100\" "
            f"minvalue=\"0\" varname=\"SCORE\" vartype=\"Decimal\"/></outcomes>{''.join(conds)}</resprocessing>"
            f"<itemfeedback ident=\"general_fb\"><flow_mat><material><mattext texttype=\"text/html\">"
            f"{xml_escape(feedback)}</mattext></material></flow_mat></itemfeedback></item>")


def assessment_xml(quiz: Quiz) -> str:
    points = max((sum(p.points for p in v.parts) for v in quiz.variants), default=0)
    items = "\n".join(item_xml(quiz, v, n) for n, v in enumerate(quiz.variants, 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">\n'
            f'<assessment ident="exgen_quiz" title={quoteattr(quiz.title)}>'
            "<qtimetadata><qtimetadatafield><fieldlabel>cc_maxattempts</fieldlabel><fieldentry>1</fieldentry>"
            "</qtimetadatafield></qtimetadata>"
            '<section ident="root_section">'
            f'<section ident="exgen_variants" title={quoteattr(quiz.title + " (1 of " + str(len(quiz.variants)) + " variants)")}>'
            "<selection_ordering><selection><selection_number>1</selection_number><selection_extension>"
            f"<points_per_item>{points:g}</points_per_item></selection_extension></selection></selection_ordering>\n"
            f"{items}\n</section></section></assessment></questestinterop>\n")


MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="exgen_manifest" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">
<metadata><schema>IMS Content</schema><schemaversion>1.1.3</schemaversion></metadata>
<organizations/>
<resources>
<resource identifier="exgen_quiz" type="imsqti_xmlv1p2"><file href="exgen_quiz/exgen_quiz.xml"/></resource>
</resources>
</manifest>
"""


def export_zip(quiz: Quiz) -> bytes:
    """The QTI package: imsmanifest.xml, exgen_quiz/exgen_quiz.xml, and exgen.txt (its writer).
    Deterministic: fixed timestamps."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("imsmanifest.xml", MANIFEST), ("exgen_quiz/exgen_quiz.xml", assessment_xml(quiz)),
                           (MARK, "Written by exgen (docs/lms.md): a Canvas Classic Quizzes QTI 1.2 package.\n")):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


# ---- the Student Analysis report (Quiz > Quiz Statistics > Student Analysis) --------------------

QUESTION_RE = re.compile(r"^(\d+):\s")


def matches(header: list[str]) -> bool:
    low = [h.strip().lower() for h in header]
    return {"name", "id", "sis_id"} <= set(low) and any(QUESTION_RE.match(h) for h in header)


def blanks_of(cell: str) -> list[str]:
    """'0.4540,0\\,6229,' -> ['0.4540', '0,6229', '']: split at "," not escaped as "\\,"."""
    if not cell.strip():
        return []
    return [p.replace("\\,", ",") for p in re.split(r"(?<!\\),", cell)]


# ---- gradebook import (Grades > Import) ------------------------------------------------------

GRADEBOOK = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def gradebook(roll, title: str, assignment_id: str | None) -> tuple[list[str], list[list[str]], list[str]]:
    """Canvas's gradebook CSV: Student, ID (Canvas user id), SIS User ID, SIS Login ID, Section and
    the assignment column "Title (id)" (Canvas matches the column by the id; without one it
    creates a new assignment), then a "Points Possible" row. From an exgen.lms.roll.Roll (name,
    canvas_id, sis_id, login, section, totals); returns (header, columns, what is missing)."""
    col = f"{title} ({assignment_id})" if assignment_id else title
    ids = roll.students
    names = [n or s for n, s in zip(roll.fields["name"], ids)] if roll.has("name") else ids
    sis = [n or s for n, s in zip(roll.fields["sis_id"], ids)] if roll.has("sis_id") else ids
    canvas_ids = roll.col("canvas_id")
    columns = [["Points Possible"] + names, [""] + canvas_ids, [""] + sis, [""] + roll.col("login"),
               [""] + roll.col("section"), [f"{roll.most:g}"] + roll.totals]
    notes = []
    if not assignment_id:
        notes.append("grades_canvas.csv has no assignment id (--canvas-assignment-id): Canvas adds a new "
                     "assignment on import")
    no_id = canvas_ids.count("")
    if no_id:
        notes.append(f"grades_canvas.csv: {no_id} student(s) without a Canvas ID (a roster column "
                     "'Canvas ID'), matched by SIS User ID")
    return GRADEBOOK + [col], columns, notes
