"""Shared by the LMS tests: a 40-variant quiz, and Moodle's Cloze parser ported to Python.

The port follows moodle/moodle question/type/multianswer/questiontype.php (the ANSWER_* and
NUMBER_REGEX defines and qtype_multianswer_extract_question) and question/type/numerical/
question.php (qtype_numerical_answer::get_tolerance_interval, nominal tolerance; the first answer
whose interval holds the response is the one that matches). Python's `re` needs fixed-width
look-behinds, so PHP's (?<!\\\\|&|&amp;) is written as three look-behinds (the same condition).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

# --- moodle/moodle question/type/multianswer/questiontype.php ---------------------------------
ANSWER_ALTERNATIVE_FRACTION_REGEX = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
ANSWER_ALTERNATIVE_ANSWER_REGEX = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
ANSWER_ALTERNATIVE_FEEDBACK_REGEX = r".*?(?<!\\)(?=[~}]|$)"
ANSWER_ALTERNATIVE_REGEX = (f"({ANSWER_ALTERNATIVE_FRACTION_REGEX})?({ANSWER_ALTERNATIVE_ANSWER_REGEX})"
                            f"(#({ANSWER_ALTERNATIVE_FEEDBACK_REGEX}))?")
NUMBER_REGEX = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
NUMERICAL_ALTERNATIVE_REGEX = f"^({NUMBER_REGEX})(:{NUMBER_REGEX})?$"
ANSWER_TYPE_DEF_REGEX = ("(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|"
                         "(SHORTANSWER|SA|MW)|(SHORTANSWER_C|SAC|MWC)|"
                         "(MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|"
                         "(MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)")
ANSWER_START_REGEX = r"\{([0-9]*):(" + ANSWER_TYPE_DEF_REGEX + "):"
ANSWER_REGEX = ANSWER_START_REGEX + "(" + ANSWER_ALTERNATIVE_REGEX + "(~" + ANSWER_ALTERNATIVE_REGEX + ")*)\\}"
ANSWER_REGEX_NORM, ANSWER_REGEX_ANSWER_TYPE_NUMERICAL, ANSWER_REGEX_ALTERNATIVES = 1, 3, 16
ALT_FRACTION, ALT_PERCENT, ALT_ANSWER, ALT_FEEDBACK = 1, 2, 3, 5
NUMERICAL_CORRECT_ANSWER, NUMERICAL_ABS_ERROR_MARGIN = 1, 6


@dataclass
class SubAnswer:
    answer: str
    fraction: float
    tolerance: float
    feedback: str


@dataclass
class SubQuestion:
    qtype: str
    defaultmark: str
    answers: list[SubAnswer]


def extract_question(text: str) -> tuple[str, list[SubQuestion]]:
    """qtype_multianswer_extract_question: the parts, and the text with {#1}, {#2}, ..."""
    subs = []
    pos = 1
    while True:
        m = re.search(ANSWER_REGEX, text, re.S)
        if not m:
            break
        numerical = bool(m.group(ANSWER_REGEX_ANSWER_TYPE_NUMERICAL))
        mark = m.group(ANSWER_REGEX_NORM) or "1"
        answers = []
        remaining = m.group(ANSWER_REGEX_ALTERNATIVES)
        while True:
            a = re.search("~?" + ANSWER_ALTERNATIVE_REGEX, remaining, re.S)
            if not a:
                break
            if a.group(ALT_FRACTION) == "=":
                fraction = 1.0
            elif a.group(ALT_PERCENT):
                fraction = 0.01 * float(a.group(ALT_PERCENT).replace(",", "."))
            else:
                fraction = 0.0
            fb = a.group(ALT_FEEDBACK) or ""
            fb = html.unescape(fb).replace("\\}", "}").replace("\\#", "#")
            n = re.search(NUMERICAL_ALTERNATIVE_REGEX, a.group(ALT_ANSWER), re.S) if numerical else None
            if n:
                tol = n.group(NUMERICAL_ABS_ERROR_MARGIN)
                answers.append(SubAnswer(n.group(NUMERICAL_CORRECT_ANSWER), fraction, float(tol) if tol else 0.0, fb))
            else:
                answers.append(SubAnswer(a.group(ALT_ANSWER), fraction, 0.0, fb))
            remaining = remaining.split(a.group(0), 1)[1]
        subs.append(SubQuestion("numerical" if numerical else "other", mark, answers))
        text = f"{{#{pos}}}".join(text.split(m.group(0), 1))
        pos += 1
    return text, subs


def validate(subs: list[SubQuestion]) -> list[str]:
    """qtype_multianswer_validate_question, the checks a NUMERICAL part meets: an answer, each a
    number, one at 100 %."""
    errors = []
    for i, s in enumerate(subs, 1):
        if not s.answers:
            errors.append(f"part {i}: no answers")
        for a in s.answers:
            if s.qtype == "numerical" and not re.fullmatch(NUMBER_REGEX, a.answer.strip()):
                errors.append(f"part {i}: {a.answer!r} is not a number")
        if not any(a.fraction == 1 for a in s.answers):
            errors.append(f"part {i}: no answer at 100%")
    return errors


def moodle_grade(sub: SubQuestion, response: float) -> SubAnswer | None:
    """qtype_numerical: the first answer whose nominal tolerance interval holds the response
    (get_tolerance_interval adds precision * max(1, |answer|) with PHP precision 14)."""
    for a in sub.answers:
        x = float(a.answer.replace(",", "."))
        tol = a.tolerance + 1e-14 * max(1.0, abs(x))
        if x - tol <= response <= x + tol:
            return a
    return None


def generate(out, n: int = 40) -> dict[str, dict]:
    """The demo exam as n variants in `out` (an LMS quiz's folder): its keys by variant id."""
    from exgen import api
    from exgen.exam.config import demo_path
    from exam_helpers import answer_keys
    api.generate_exam(api.load_config(demo_path()), out, variants=n, pdf=False)
    return answer_keys(out)
