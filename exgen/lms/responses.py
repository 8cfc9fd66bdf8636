"""A Moodle Responses or Canvas Student Analysis report as attempts: who, which variant (from the
question text the report repeats, exgen.lms.quiz.tag; for Moodle also from its "Right answer"
column), the answers in the variant's question order, and what orders the attempts."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from exgen.lms import canvas, moodle
from exgen.lms.layouts import CANVAS, MOODLE
from exgen.lms.quiz import TAG_RE


@dataclass
class Attempt:
    line: int  # file line (1 = header)
    who: list[str]  # identity candidates, most specific first (e-mail, SIS id, LMS id, ...)
    info: dict[str, str]  # name, email, idnumber, canvas_id, sis_id, section, first, last
    variant: str | None
    answers: list[str]  # in the variant's question order ("" where none)
    order: float = math.nan  # attempt number or POSIX time
    finished: bool = True
    note: str = ""  # why no variant / a misfit of the answers


@dataclass
class Report:
    layout: str
    column: str  # the column that orders attempts ("" for row order)
    attempts: list[Attempt] = field(default_factory=list)


def _col(header: list[str], *names: str) -> int | None:
    low = [h.strip().lower() for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    return None


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _time(t: str) -> float:
    from exgen.grading.attempts import _time as parse
    return parse(t)


def read_report(rows: list[list[str]], lines: list[int], layout: str, variants: dict[str, list[float]]) -> Report:
    """`variants`: each variant id's exact answers (to recognise Moodle's "Right answer" column)."""
    return _moodle(rows, lines, variants) if layout == MOODLE else _canvas(rows, lines)


def _moodle(rows, lines, variants) -> Report:
    header = [h.lstrip("\ufeff") for h in rows[0]]
    resp = [(int(m.group(1)), i) for i, h in enumerate(header) if (m := moodle.RESPONSE_RE.match(h.strip()))]
    right = {int(m.group(1)): i for i, h in enumerate(header) if (m := moodle.RIGHT_RE.match(h.strip()))}
    started, state = _col(header, "started on"), _col(header, "state")
    email, idnum, user = _col(header, "email address"), _col(header, "id number"), _col(header, "username")
    first, last = _col(header, "first name"), _col(header, "surname")
    rep = Report(MOODLE, header[started] if started is not None else "")
    index: dict = {}
    for row, line in zip(rows[1:], lines[1:]):
        if not any(c.strip() for c in row) or moodle.is_summary_row(header, row):
            continue
        info = {"email": _cell(row, email), "idnumber": _cell(row, idnum), "login": _cell(row, user),
                "first": _cell(row, first), "last": _cell(row, last)}
        info["name"] = " ".join(x for x in (info["first"], info["last"]) if x)
        who = [x for x in (info["email"], info["idnumber"], info["login"], info["name"]) if x]
        for n, i in resp:  # one attempt per Response column (a quiz of one Cloze question has one)
            tagged = [m.group(1) for c in row for m in TAG_RE.finditer(c)]
            v = tagged[0] if tagged else _by_right_answer(_cell(row, right.get(n)), variants, index)
            parts = moodle.parts_of(_cell(row, i))
            k = max(parts) if parts else 0
            answers = [parts.get(j, "") for j in range(1, k + 1)]
            st = _cell(row, state).lower()
            a = Attempt(line, who, info, v, answers, _time(_cell(row, started)) if started is not None else math.nan,
                        finished=(st == "finished") if state is not None else True)
            if v is None:
                a.note = ("no variant found: the report has neither the question text (which names the variant) "
                          "nor a right answer that fits one; download it with 'Question text' or 'Right answer'")
            rep.attempts.append(a)
    return rep


def _by_right_answer(cell: str, variants: dict[str, list[float]], index: dict) -> str | None:
    """The variant whose exact answers Moodle's "Right answer" summary lists ('part 1: 0.4540...');
    `index` (first answer to 5 decimals -> variants) is built on the first call and cached in it."""
    from exgen.grading.numbers import parse_answer
    if not cell:
        return None
    if cell in index:
        return index[cell]
    if not index:
        for vid, ex in variants.items():
            i0 = next((i for i, x in enumerate(ex) if x == x), None)  # a shape part's is NaN: not listed
            if i0 is not None:
                index.setdefault(("first", i0, round(ex[i0], 5)), []).append(vid)
                index.setdefault("at", set()).add(i0)
    parts = moodle.parts_of(cell)
    vals = [parse_answer(parts.get(j, ""))[0] for j in range(1, len(parts) + 1)]
    fits: list[str] = []
    near = [vid for i0 in sorted(index.get("at", ())) if i0 < len(vals) and vals[i0] is not None
            for d in (-1e-5, 0.0, 1e-5) for vid in index.get(("first", i0, round(vals[i0] + d, 5)), [])]  # type: ignore[operator]
    fits = sorted({vid for vid in near if len(variants[vid]) == len(vals) and
                   all(b != b or (a is not None and abs(a - b) <= 1e-6 * max(1.0, abs(b)))
                       for a, b in zip(vals, variants[vid]))})
    index[cell] = fits[0] if len(fits) == 1 else None
    return index[cell]


def _canvas(rows, lines) -> Report:
    header = [h.lstrip("\ufeff") for h in rows[0]]
    qcols = [(i, m) for i, h in enumerate(header) if (m := TAG_RE.search(h)) and canvas.QUESTION_RE.match(h)]
    att, sub = _col(header, "attempt"), _col(header, "submitted")
    name, uid, sis, section = (_col(header, c) for c in ("name", "id", "sis_id", "section"))
    rep = Report(CANVAS, header[att] if att is not None else header[sub] if sub is not None else "")
    for row, line in zip(rows[1:], lines[1:]):
        if not any(c.strip() for c in row):
            continue
        info = {"name": _cell(row, name), "canvas_id": _cell(row, uid), "sis_id": _cell(row, sis),
                "section": _cell(row, section)}
        who = [x for x in (info["sis_id"], info["canvas_id"], info["name"]) if x]
        if att is not None:
            order = _number(_cell(row, att))
        elif sub is not None:
            order = _time(_cell(row, sub))
        else:
            order = math.nan
        answered = [(i, m.group(1)) for i, m in qcols if _cell(row, i)]
        if not answered:  # every variant column blank: nothing answered (or none of exgen's questions)
            blank = Attempt(line, who, info, None, [], order, note="no answer in any exgen variant's column")
            rep.attempts.append(blank)
            continue
        for i, v in answered[:1]:
            rep.attempts.append(Attempt(line, who, info, v, canvas.blanks_of(row[i]), order,
                                        note="answers in several variants' columns; the first counts"
                                        if len(answered) > 1 else ""))
    return rep


def _number(t: str) -> float:
    try:
        v = float(t)
    except ValueError:
        return math.nan
    return v if math.isfinite(v) else math.nan


