"""Regrading what an LMS collected from an exgen quiz (Moodle Responses, Canvas Student Analysis):
each attempt graded against the key of the variant it answered, found in the report itself; no
--map. The result is what `exgen grade` gives for the long CSV of the same answers: the answers
become exgen.grading.read.Submissions (one row per attempt) and the keys a mapping student ->
variant key, graded by exgen.grading.grade.grade_submissions (attempts chosen as always)."""
from __future__ import annotations

import math

from exgen.answer_key import is_shape_ref
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from exgen.grading.attempts import Attempts
from exgen.grading.files import SubmissionError
from exgen.grading.read import Issue, Submissions
from exgen.lms.layouts import CANVAS, MOODLE, VARIANT_LAYOUTS, detect
from exgen.lms.responses import Report, read_report


@dataclass
class LmsSubmissions:
    layout: str
    sub: Submissions
    keys: dict[str, dict]  # student id -> the key of the variant the counted attempts answered
    info: dict[str, dict[str, str]] = field(default_factory=dict)  # student id -> LMS identity fields
    notes: list[str] = field(default_factory=list)


def read_lms(path: str | Path, keys: Mapping[str, dict], *, roster: list | None = None, sheet: str | None = None,
             attempt: str = "latest", carried_credit: float | None = None) -> LmsSubmissions | None:
    """The report at `path` graded per variant, or None if it is not a Moodle or Canvas report
    (or none of its rows names one of the variants in `keys`, which then must be per-student keys)."""
    from exgen.grading.files import read_table
    head = peek_header(path)
    if head is not None and detect(head) not in VARIANT_LAYOUTS:
        return None  # a plain CSV or another layout: read once, by the grading reader
    rows, lines = read_table(path, sheet)
    if not rows:
        return None
    layout = detect(rows[0])
    if layout not in VARIANT_LAYOUTS:
        return None
    exact = {vid: [math.nan if is_shape_ref(str(q["ref"])) else float(q["answer"]) for q in k["questions"]]
             for vid, k in keys.items()}  # a shape answer "4x3" is not matched by number
    rep = read_report(rows, lines, layout, exact)
    if not any(a.variant in keys for a in rep.attempts):
        if keys and all(re.fullmatch(r"v\d{3,}", k) for k in keys):  # variants, but none named in the report
            raise no_variant_error(path, layout)
        return None
    from exgen.roster import alias_map
    alias = alias_map(roster) if roster else {}
    by_id = {s.id: s for s in roster or []}
    issues: list[Issue] = []
    who: list[str] = []
    for a in rep.attempts:
        sid = next((alias[c.lower()] for c in a.who if c.lower() in alias), a.who[0] if a.who else "")
        who.append(sid)
        if by_id and sid in by_id:
            a.info = {**a.info, **_roster_fields(by_id[sid])}
    keep = _one_variant(rep, who, keys, issues, attempt, carried_credit)
    skeys: dict[str, dict] = {}
    info: dict[str, dict[str, str]] = {}
    for i in keep:
        a = rep.attempts[i]
        skeys[who[i]] = keys[a.variant]  # type: ignore[index]
        info.setdefault(who[i], a.info)
        nq = len(keys[a.variant]["questions"])  # type: ignore[index]
        if len(a.answers) > nq:
            issues.append(Issue(a.line, "extra_fields", who[i], "", f"{len(a.answers)} answers for the "
                                f"{nq} questions of variant {a.variant}; the extra ones are ignored"))
    sub = _submissions(str(path), rep, keep, who, keys, rows[0])
    sub.issues = issues
    notes = [f"Layout: {layout}; each answer graded against the key of the variant it answered "
             f"({len({k['student_id'] for k in skeys.values()})} variants seen)."]
    if roster:
        absent = [s.id for s in roster if s.id not in skeys]
        if absent:
            notes.append(f"Roster: {len(absent)} student(s) without an attempt in the report: {', '.join(absent[:5])}"
                         + (", ..." if len(absent) > 5 else ""))
    return LmsSubmissions(layout, sub, skeys, info, notes)


PEEK = 1 << 20


def peek_header(path: str | Path) -> list[str] | None:
    """The header row of a CSV file from its first MB (None: an .xlsx, or unreadable: read it whole)."""
    import csv
    import io
    from exgen.grading.table import delimiter
    try:
        with open(path, "rb") as f:
            data = f.read(PEEK)
    except OSError:
        return None
    if data.startswith(b"PK\x03\x04") or str(path).lower().endswith((".xlsx", ".xlsm")):
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text.split("\n", 1)[0])), [])
    except csv.Error:
        return None


ROSTER_FIELDS = {"email": ("email", "email address", "e-mail"), "idnumber": ("id number", "idnumber"),
                 "canvas_id": ("canvas id", "canvas_id", "canvas user id", "id"),
                 "sis_id": ("sis user id", "sis_id", "sis_user_id", "sis id"),
                 "login": ("sis login id", "login", "login_id", "username", "user name"),
                 "section": ("section",), "name": ("name",), "first": ("first name",), "last": ("last name", "surname")}


def _roster_fields(student) -> dict[str, str]:
    """The LMS columns the roster carries for a student (a roster overrides the report)."""
    f = dict(student.fields)
    out = {k: next((f[c] for c in cols if f.get(c)), "") for k, cols in ROSTER_FIELDS.items()}
    return {k: v for k, v in out.items() if v}


def _one_variant(rep: Report, who: list[str], keys: Mapping[str, dict], issues: list[Issue], rule: str,
                 carried_credit: float | None) -> list[int]:
    """The attempts that go to grading: with a variant of `keys`, and for a student who answered
    several variants, only the attempts at the variant of the attempt `rule` picks (the others are
    superseded here: one key per student)."""
    per: dict[str, list[int]] = {}
    for i, a in enumerate(rep.attempts):
        if not who[i]:
            issues.append(Issue(a.line, "no_id", "", "", "row without a student identity (e-mail, id)"))
        elif a.variant is None or a.variant not in keys:
            what = a.note or f"variant {a.variant!r} has no answer key in --keys"
            issues.append(Issue(a.line, "no_variant", who[i], "", f"{what}; row ignored"))
        else:
            per.setdefault(who[i], []).append(i)
    keep: list[int] = []
    for sid, idx in per.items():
        if len({rep.attempts[i].variant for i in idx}) == 1:
            keep += idx
            continue
        pool = [i for i in idx if rep.attempts[i].finished] or idx
        win = _pick(rep, pool, rule, keys, carried_credit)
        v = rep.attempts[win].variant
        for i in idx:
            if rep.attempts[i].variant != v and not rep.attempts[i].finished:
                issues.append(Issue(rep.attempts[i].line, "unfinished_attempt", sid, "",
                                    "State is not Finished: only finished attempts count"))
            elif rep.attempts[i].variant != v:
                issues.append(Issue(rep.attempts[i].line, "superseded_attempt", sid, "",
                                    f"an attempt at variant {rep.attempts[i].variant}; the attempt on line "
                                    f"{rep.attempts[win].line} (variant {v}, {rule}) counts"))
            else:
                keep.append(i)
    return sorted(keep)


def _pick(rep: Report, pool: list[int], rule: str, keys: Mapping[str, dict], carried_credit: float | None) -> int:
    def when(i: int) -> float:
        o = rep.attempts[i].order
        return o if not math.isnan(o) else (-rep.attempts[i].line if rep.layout == CANVAS else rep.attempts[i].line)
    if rule == "best":
        from exgen.grading.judge import grade_key
        def total(i: int) -> float:
            a = rep.attempts[i]
            key = keys[a.variant]  # type: ignore[index]
            ans = dict(zip([q["id"] for q in key["questions"]], a.answers))
            return sum(v.score for v in grade_key(key, ans, carried_credit=carried_credit))
        return max(pool, key=lambda i: (total(i), when(i)))
    return max(pool, key=when) if rule == "latest" else min(pool, key=when)


def _submissions(path: str, rep: Report, keep: list[int], who: list[str], keys: Mapping[str, dict],
                 header: list[str]) -> Submissions:
    """One wide row per kept attempt: its answers to the questions of its variant, in order
    (variants of a graph exam ask different questions: `qids` is their union)."""
    from exgen.grading.table import factorize
    qids = list(dict.fromkeys(q["id"] for k in keys.values() for q in k["questions"]))
    at = {q: i for i, q in enumerate(qids)}
    att = [rep.attempts[i] for i in keep]
    ids = [[q["id"] for q in keys[a.variant]["questions"]] for a in att]  # type: ignore[index]
    counts = np.array([len(x) for x in ids], dtype=np.intp)
    texts = [(a.answers + [""] * len(x))[:len(x)] for a, x in zip(att, ids)]
    flat = [t for row in texts for t in row]
    ans, uniq = factorize(flat) if flat else (np.zeros(0, dtype=np.intp), [])
    sid, sids = factorize([who[i] for i in keep]) if keep else (np.zeros(0, dtype=np.intp), [])
    n = len(att)
    lines = np.array([a.line for a in att], dtype=np.int64)
    qidx = np.array([at[q] for x in ids for q in x], dtype=np.intp)
    sub = Submissions(path, "wide", list(header), np.repeat(lines, counts),
                      np.repeat(np.asarray(sid, dtype=np.intp), counts), list(sids), qidx, list(qids),
                      np.asarray(ans, dtype=np.intp), list(uniq))
    order = np.array([a.order for a in att], dtype=float)
    column = rep.column
    if column and n and np.isnan(order).all():
        column = ""
    if not column:  # no attempt column: the report's own order (Canvas: newest first)
        order = -lines.astype(float) if rep.layout == CANVAS else lines.astype(float)
        column = "row order (newest first)" if rep.layout == CANVAS else ""
    finished = np.repeat(np.array([a.finished for a in att], dtype=bool), counts)
    sub.attempts = Attempts(column, np.repeat(order, counts), np.repeat(np.arange(n, dtype=np.int64), counts),
                            finished if not finished.all() else None)
    return sub


def no_variant_error(path: str | Path, layout: str) -> SubmissionError:
    how = ("download the Responses report with 'Question text' or 'Right answer' ticked" if layout == MOODLE
           else "the question columns name no exgen variant")
    return SubmissionError(f"{path}: a {layout}, but no row names a variant of the answer keys in --keys: {how} "
                           "(the quiz must come from `exgen export` of that variants folder)")
