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

from ..errors import InputFileError

ID_COLUMNS = ("student_id", "student id", "studentid", "sid", "sis_id", "sis user id", "id number",
              "email", "email address", "e-mail", "username", "login", "user", "id")
QUESTION_COLUMNS = ("question_id", "question id", "question")
ANSWER_COLUMNS = ("answer", "response", "value")


class SubmissionError(InputFileError):
    """A submissions file cannot be read, or its columns do not fit the mapping."""


@dataclass
class Issue:
    line: int | None  # file line (1 = header), None if not tied to a line
    kind: str  # unknown_student, unknown_question, duplicate, no_submission, no_id
    student_id: str
    question_id: str
    message: str


@dataclass
class Submissions:
    path: str
    layout: str  # "long" or "wide"
    columns: list[str]
    lines: list[int] = field(default_factory=list)
    student_ids: list[str] = field(default_factory=list)
    question_ids: list[str] = field(default_factory=list)
    answers: list[str | None] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def decode(data: bytes, name: str) -> str:
    """Bytes -> text: BOMs, UTF-8, then charset-normalizer (cp1252, UTF-16 without BOM, ...)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
        if best is None:
            raise SubmissionError(f"{name}: cannot be read: not a text file (no encoding fits)") from None
        text = str(best)
    if "\x00" in text or sum(not (c.isprintable() or c in "\r\n\t") for c in text[:4096]) > 8:
        raise SubmissionError(f"{name}: cannot be read: looks like a binary file, not CSV or .xlsx")
    return text


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


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in ("\t", ";", ",", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() else repr(v)
    return str(v)


def read_table(path: str | Path, sheet: str | None = None) -> tuple[list[list[str]], list[int]]:
    """All rows as lists of strings, with their file line numbers (1-based)."""
    p = Path(path)
    if not p.is_file():
        raise SubmissionError(f"{p}: no such file" if not p.exists() else f"{p}: not a file")
    data = p.read_bytes()
    if p.suffix.lower() in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04"):
        import openpyxl
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            ws = wb[sheet] if sheet else wb.worksheets[0]
        except KeyError:
            raise SubmissionError(f"{p}: no sheet {sheet!r}; sheets: {', '.join(wb.sheetnames)}") from None
        except Exception as e:  # zipfile/openpyxl raise many kinds
            raise SubmissionError(f"{p}: cannot be read as .xlsx ({e.__class__.__name__})") from None
        rows = [[_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
        return rows, list(range(1, len(rows) + 1))
    text = decode(data, str(p))
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        rows = list(reader)
        if text.count("\n") + (not text.endswith("\n")) == len(rows):  # no quoted line breaks
            return rows, list(range(1, len(rows) + 1))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
        rows, lines, prev = [], [], 0
        for r in reader:
            rows.append(r)
            lines.append(prev + 1)
            prev = reader.line_num
        return rows, lines
    except csv.Error as e:
        raise SubmissionError(f"{p}: cannot be parsed as CSV ({e})") from None


def _find(header: list[str], names) -> int | None:
    low = [h.strip().lower() for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    return None


def _column(header: list[str], name: str) -> int | None:
    """A column by exact header, case-insensitive, or Canvas-style "<name>: question text"."""
    low = [h.strip().lower() for h in header]
    n = name.strip().lower()
    if n in low:
        return low.index(n)
    for i, h in enumerate(low):
        if h.startswith(n + ":"):
            return i
    return None


def _cols(header: list[str]) -> str:
    return ", ".join(repr(h) for h in header)


def read_submissions(path: str | Path, *, known_qids: set[str], id_column: str | None = None,
                     mapping: dict[str, str] | None = None, roster: dict[str, str] | None = None,
                     sheet: str | None = None) -> Submissions:
    """Read a submissions file into long form (one entry per answer, with its file line)."""
    with no_gc():
        return _read_submissions(path, known_qids, id_column, mapping, roster, sheet)


def _read_submissions(path, known_qids, id_column, mapping, roster, sheet) -> Submissions:
    rows, lines = read_table(path, sheet)
    name = str(path)
    start = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if start is None:
        raise SubmissionError(f"{name}: cannot be read: the file is empty")
    header = [h.strip().lstrip("\ufeff") for h in rows[start]]
    if id_column:
        idc = _column(header, id_column)
        if idc is None:
            raise SubmissionError(f"{name}: no column {id_column!r} (--id-column); columns are: {_cols(header)}")
    else:
        idc = _find(header, ID_COLUMNS)
        if idc is None:
            raise SubmissionError(f"{name}: no student id column (tried {', '.join(ID_COLUMNS)}); "
                                  f"columns are: {_cols(header)}; name one with --id-column")
    qc, ac = _find(header, QUESTION_COLUMNS), _find(header, ANSWER_COLUMNS)
    roster = {k.strip().lower(): v for k, v in (roster or {}).items()}
    body = rows[start + 1:]
    body_lines = lines[start + 1:]
    if qc is not None and ac is not None and not mapping:
        sub = Submissions(name, "long", header)
        width = max(idc, qc, ac) + 1
        if min(map(len, body), default=width) < width:
            body = [r + [""] * (width - len(r)) for r in body]
        keep = [i for i, r in enumerate(body) if r and (len(r) > 1 or r[0].strip())]
        if len(keep) != len(body):
            body, body_lines = [body[i] for i in keep], [body_lines[i] for i in keep]
        sub.lines = body_lines
        sids = [r[idc].strip() for r in body]
        sub.student_ids = [roster.get(s.lower(), s) for s in sids] if roster else sids
        sub.question_ids = [r[qc].strip() for r in body]
        sub.answers = [r[ac] for r in body]
        return sub
    sub = Submissions(name, "wide", header)
    if mapping:
        qcols = []
        for col, qid in mapping.items():
            i = _column(header, col)
            if i is None:
                raise SubmissionError(f"{name}: the column mapping names {col!r}, which is not a column; "
                                      f"columns are: {_cols(header)}")
            qcols.append((i, qid))
    else:
        qcols = [(i, h) for i, h in enumerate(header) if h in known_qids]
        qcols += [(i, h.split(":", 1)[0].strip()) for i, h in enumerate(header)
                  if h not in known_qids and ":" in h and h.split(":", 1)[0].strip() in known_qids]
        if not qcols:
            raise SubmissionError(f"{name}: no question columns: no column is named like a question id "
                                  f"({', '.join(sorted(known_qids)[:6])}, ...) and no --map was given; "
                                  f"columns are: {_cols(header)}")
    for r, line in zip(body, body_lines):
        if not any(c.strip() for c in r):
            continue
        sid = r[idc].strip() if idc < len(r) else ""
        sid = roster.get(sid.lower(), sid) if roster else sid
        for i, qid in qcols:
            sub.lines.append(line)
            sub.student_ids.append(sid)
            sub.question_ids.append(qid)
            sub.answers.append(r[i] if i < len(r) else "")
    return sub


def read_roster(path: str | Path) -> dict[str, str]:
    """A roster CSV/.xlsx with a student_id column: every other column's value (e-mail,
    LMS id, login) maps to that student id."""
    rows, _ = read_table(path)
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise SubmissionError(f"{path}: the roster is empty")
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    idc = _find(header, ("student_id", "student id", "sid"))
    if idc is None:
        raise SubmissionError(f"{path}: the roster needs a student_id column; columns are: {_cols(header)}")
    out: dict[str, str] = {}
    for r in rows[1:]:
        sid = r[idc].strip() if idc < len(r) else ""
        for i, v in enumerate(r):
            if i != idc and v.strip() and sid:
                out[v.strip().lower()] = sid
    return out


def read_mapping(spec: list[str] | None, path: str | Path | None) -> dict[str, str] | None:
    """Column -> question id, from "COLUMN=QID" items and/or a file of COLUMN,QID lines
    (or `COLUMN: QID` YAML)."""
    out: dict[str, str] = {}
    if path:
        p = Path(path)
        if not p.is_file():
            raise SubmissionError(f"{p}: no such mapping file")
        text = decode(p.read_bytes(), str(p))
        if p.suffix.lower() in (".yaml", ".yml"):
            import yaml
            data = yaml.safe_load(text) or {}
            if not isinstance(data, dict):
                raise SubmissionError(f"{p}: expected COLUMN: QUESTION_ID lines")
            out.update({str(k): str(v) for k, v in data.items()})
        else:
            for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text.split("\n", 1)[0])):
                if len(row) >= 2 and row[0].strip() and row[0].strip().lower() != "column":
                    out[row[0].strip()] = row[1].strip()
    for item in spec or []:
        col, sep, qid = item.rpartition("=")
        if not sep or not col.strip() or not qid.strip():
            raise SubmissionError(f"--map {item!r}: expected COLUMN=QUESTION_ID")
        out[col.strip()] = qid.strip()
    return out or None
