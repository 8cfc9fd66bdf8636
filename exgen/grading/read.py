"""Reading submissions as they really arrive: CSV (any common encoding and separator) or .xlsx,
long (student_id, question_id, answer) or wide (one column per question), with LMS columns
mapped onto question ids and LMS identities mapped onto student ids through a roster.
"""
from __future__ import annotations

import contextlib
import csv
import gc
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from exgen.load import check_size, parse_document
from exgen.grading.files import SubmissionError, decode, read_columns, read_table  # noqa: F401
from exgen.grading.attempts import Attempts, read_attempts
from exgen.grading.columns import cols, column, question_columns
from exgen.grading.table import Table, delimiter, factorize, recode

ID_COLUMNS = ("student_id", "student id", "studentid", "sid", "sis_id", "sis user id", "id number",
              "email", "email address", "e-mail", "username", "login", "user", "id")
QUESTION_COLUMNS = ("question_id", "question id", "question")
ANSWER_COLUMNS = ("answer", "response", "value")


@dataclass
class Issue:
    line: int | None  # file line (1 = header), None if not tied to a line
    kind: str  # unknown_student, unknown_question, duplicate, no_submission, no_id, extra_fields, ignored_column
    student_id: str
    question_id: str
    message: str


@dataclass
class Submissions:
    """Answers in long form, one entry per answer, as codes into distinct texts."""
    path: str
    layout: str  # "long" or "wide"
    columns: list[str]
    lines: np.ndarray  # (n,) file line of each answer
    sid: np.ndarray  # (n,) codes into sids
    sids: list[str]  # distinct student ids (stripped, roster applied)
    qid: np.ndarray  # (n,) codes into qids
    qids: list[str]
    ans: np.ndarray  # (n,) codes into texts
    texts: list[str]  # distinct answer texts, as typed
    issues: list[Issue] = field(default_factory=list)
    attempts: Attempts | None = None  # the column that orders a student's attempts, if any
    lms_layout: str | None = None  # the LMS or form that wrote the file (exgen.lms.layouts), if known

    @property
    def student_ids(self) -> list[str]:
        return [self.sids[i] for i in self.sid]

    @property
    def question_ids(self) -> list[str]:
        return [self.qids[i] for i in self.qid]

    @property
    def answers(self) -> list[str]:
        return [self.texts[i] for i in self.ans]


@contextlib.contextmanager
def no_gc():
    """Pause the cyclic garbage collector while building millions of small lists (2x faster)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _find(header: list[str], names) -> int | None:
    low = [h.strip().lower() for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    return None


def read_submissions(path: str | Path, *, known_qids: set[str], id_column: str | None = None,
                     mapping: dict[str, str] | None = None, roster: dict[str, str] | None = None,
                     sheet: str | None = None, table: Table | None = None) -> Submissions:
    """Read a submissions file into long form (one entry per answer, with its file line).
    table: the file's cells if already read (`read_columns(path, sheet)`)."""
    with no_gc():
        return _read_submissions(path, known_qids, id_column, mapping, roster, sheet, table)


def _read_submissions(path, known_qids, id_column, mapping, roster, sheet, table: Table | None) -> Submissions:
    if table is None:
        table = read_columns(path, sheet, () if mapping else ANSWER_COLUMNS)  # (answers parsed as read)
    t = table.without_blank_rows()  # blank lines are skipped in every layout
    name, header = str(path), t.header
    from exgen.lms.layouts import detect
    layout = detect(header)
    if id_column:
        idc = column(header, id_column)
        if idc is None:
            raise SubmissionError(f"{name}: no column {id_column!r} (--id-column); columns are: {cols(header)}")
    else:
        idc = _find(header, ID_COLUMNS)
        if idc is None:
            raise SubmissionError(f"{name}: no student id column (tried {', '.join(ID_COLUMNS)}); "
                                  f"columns are: {cols(header)}; name one with --id-column")
    qc, ac = _find(header, QUESTION_COLUMNS), _find(header, ANSWER_COLUMNS)
    roster = {k.strip().lower(): v for k, v in (roster or {}).items()}

    def on_roster(s: str) -> str:
        s = s.strip()
        return roster.get(s.lower(), s)

    ident = on_roster if roster else str.strip

    over = t.overflow_rows()
    if qc is not None and ac is not None and not mapping:
        sid, sids = recode(*t.column(idc), ident)
        qid, qids = recode(*t.column(qc), str.strip)
        ans, texts = t.column(ac)
        sub = Submissions(name, "long", header, t.lines, sid, sids, qid, qids, ans, texts, lms_layout=layout)
        _attempts(sub, t, {idc, qc, ac}, 1)
        return _overflowing(sub, t, over, np.flatnonzero(over))
    qcols, ignored = question_columns(name, header, known_qids, mapping)
    _one_column_each(name, header, qcols)
    sub = _wide(t, name, idc, qcols, ident)
    sub.lms_layout = layout
    sub.issues += [Issue(1, "ignored_column", "", "", note) for note in ignored]
    m = len(qcols)
    _attempts(sub, t, {idc} | {i for i, _ in qcols}, m)
    return _overflowing(sub, t, np.repeat(over, m), np.flatnonzero(over))


def _one_column_each(name: str, header: list[str], qcols: list[tuple[int, str]]) -> None:
    """Refuse two columns that hold one question (a copied column, two --map lines onto one id):
    which one is the answer is not ours to guess."""
    first: dict[str, int] = {}
    for i, q in qcols:
        if q in first:
            raise SubmissionError(f"{name}: line 1: columns {first[q] + 1} ({header[first[q]]!r}) and {i + 1} "
                                  f"({header[i]!r}) both hold question {q!r}; keep one of them (or fix --map)")
        first[q] = i


def _wide(t: Table, name: str, idc: int, qcols: list[tuple[int, str]], ident) -> Submissions:
    """One answer per (row, question column), row by row."""
    n, m = len(t.lines), len(qcols)
    sid, sids = recode(*t.column(idc), ident)
    texts: list[str] = []
    ans = np.empty((n, m), dtype=np.intp)
    for c, (i, _) in enumerate(qcols):
        codes, col_texts = t.column(i)
        ans[:, c] = codes + len(texts)
        texts += col_texts
    ans, texts = recode(ans.ravel(), texts, str)
    qid, qids = factorize([q for _, q in qcols])
    return Submissions(name, "wide", t.header, np.repeat(t.lines, m), np.repeat(sid, m), sids,
                       np.tile(qid, n), qids, ans, texts)


def _attempts(sub: Submissions, t: Table, skip: set[int], per_row: int) -> None:
    """The attempt column (if any) of each answer; a malformed value is an issue on its line."""
    sub.attempts, bad = read_attempts(t, skip, per_row)
    if sub.attempts is None:
        return
    col = sub.attempts.column
    for r in bad.tolist():
        a = r * per_row
        raw = t.column(t.header.index(col))
        sub.issues.append(Issue(int(t.lines[r]), "bad_attempt", sub.sids[sub.sid[a]], "",
                                f"{col!r} is {raw[1][raw[0][r]].strip()!r}, not an attempt number or time: "
                                "this attempt counts only if the student has no other"))


INVALID_SUFFIX = " (too many fields)"


def _overflowing(sub: Submissions, t: Table, mask: np.ndarray, rows: np.ndarray) -> Submissions:
    """Answers of rows with more fields than the header (`mask`: per answer) become invalid, with
    the row's extra cells shown ("0|4717 (too many fields)"), and each such row is an issue."""
    if not len(rows):
        return sub
    texts, ans = list(sub.texts), sub.ans.copy()
    where = np.flatnonzero(mask)
    per_row = len(where) // len(rows)
    width = t.named_width()
    for n, r in enumerate(rows.tolist()):
        extra = "|".join(t.extra_cells(r))
        for a in where[n * per_row:(n + 1) * per_row].tolist():
            texts.append(f"{texts[ans[a]].strip()}|{extra}{INVALID_SUFFIX}")
            ans[a] = len(texts) - 1
        a0 = where[n * per_row]
        sub.issues.append(Issue(int(t.lines[r]), "extra_fields", sub.sids[sub.sid[a0]],
                                sub.qids[sub.qid[a0]] if sub.layout == "long" else "",
                                f"the row has more fields than the header's {width} (extra: {extra}): an unquoted "
                                "decimal comma or separator inside a cell? Its answers are not graded (invalid); "
                                "quote the cell or fix the row"))
    sub.ans, sub.texts = ans, texts
    return sub


def read_mapping(spec: list[str] | None, path: str | Path | None) -> dict[str, str] | None:
    """Column -> question id, from "COLUMN=QID" items and/or a file of COLUMN,QID lines
    (or `COLUMN: QID` YAML)."""
    out: dict[str, str] = {}
    if path:
        p = Path(path)
        if not p.is_file():
            raise SubmissionError(f"{p}: no such mapping file")
        check_size(p)
        text = decode(p.read_bytes(), str(p))
        if p.suffix.lower() in (".yaml", ".yml"):
            data = parse_document(text, "yaml", str(p)) or {}
            if not isinstance(data, dict):
                raise SubmissionError(f"{p}: expected COLUMN: QUESTION_ID lines")
            out.update({str(k): str(v) for k, v in data.items()})
        else:
            for row in csv.reader(io.StringIO(text), delimiter=delimiter(text.split("\n", 1)[0])):
                if len(row) >= 2 and row[0].strip() and row[0].strip().lower() != "column":
                    out[row[0].strip()] = row[1].strip()
    for item in spec or []:
        col, sep, qid = item.rpartition("=")
        if not sep or not col.strip() or not qid.strip():
            raise SubmissionError(f"--map {item!r}: expected COLUMN=QUESTION_ID")
        out[col.strip()] = qid.strip()
    return out or None
