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

from ..errors import InputFileError
from .table import Table, delimiter, factorize, fast_table, from_rows, recode

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

    @property
    def student_ids(self) -> list[str]:
        return [self.sids[i] for i in self.sid]

    @property
    def question_ids(self) -> list[str]:
        return [self.qids[i] for i in self.qid]

    @property
    def answers(self) -> list[str]:
        return [self.texts[i] for i in self.ans]


def decode(data: bytes, name: str) -> str:
    """Bytes -> text: BOMs, UTF-8, then charset-normalizer (cp1252, UTF-16 without BOM, ...)."""
    return decode_utf8(data, name)[0]


def decode_utf8(data: bytes, name: str) -> tuple[str, bytes]:
    """The text, and its UTF-8 bytes (the file's own bytes when it is UTF-8)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), data[3:]
        except UnicodeDecodeError:
            text = data[3:].decode("utf-8", errors="replace")
            return text, text.encode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
        return text, text.encode("utf-8")
    try:
        return _check(data.decode("utf-8"), name), data
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
        if best is None:
            raise SubmissionError(f"{name}: cannot be read: not a text file (no encoding fits)") from None
        text = _check(str(best), name)
        return text, text.encode("utf-8")


def _check(text: str, name: str) -> str:
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


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() else repr(v)
    return str(v)


def read_table(path: str | Path, sheet: str | None = None) -> tuple[list[list[str]], list[int]]:
    """All rows as lists of strings, with their file line numbers (1-based)."""
    p, data = _load(path)
    if _is_xlsx(p, data):
        return _xlsx_rows(p, data, sheet)
    return _csv_rows(decode(data, str(p)), p)


def read_columns(path: str | Path, sheet: str | None = None) -> Table:
    """The file as a Table (fast path for clean delimited text, exact path otherwise)."""
    p, data = _load(path)
    if _is_xlsx(p, data):
        table = from_rows(*_xlsx_rows(p, data, sheet))
    else:
        text, utf8 = decode_utf8(data, str(p))
        table = fast_table(text, utf8) or from_rows(*_csv_rows(text, p))
    if table is None:
        raise SubmissionError(f"{p}: cannot be read: the file is empty")
    return table


def _load(path) -> tuple[Path, bytes]:
    p = Path(path)
    if not p.is_file():
        raise SubmissionError(f"{p}: no such file" if not p.exists() else f"{p}: not a file")
    return p, p.read_bytes()


def _is_xlsx(p: Path, data: bytes) -> bool:
    return p.suffix.lower() in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04")


def _xlsx_rows(p: Path, data: bytes, sheet: str | None) -> tuple[list[list[str]], list[int]]:
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


def _csv_rows(text: str, p: Path) -> tuple[list[list[str]], list[int]]:
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(first))
    try:
        rows = list(reader)
        if text.count("\n") + (not text.endswith("\n")) == len(rows):  # no quoted line breaks
            return rows, list(range(1, len(rows) + 1))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(first))
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
    t = read_columns(path, sheet)
    name, header = str(path), t.header
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

    def ident(s: str) -> str:
        s = s.strip()
        return roster.get(s.lower(), s) if roster else s

    if qc is not None and ac is not None and not mapping:
        sid, sids = recode(*t.column(idc), ident)
        qid, qids = recode(*t.column(qc), str.strip)
        ans, texts = t.column(ac)
        return Submissions(name, "long", header, t.lines, sid, sids, qid, qids, ans, texts)
    if mapping:
        qcols = []
        for col, q in mapping.items():
            i = _column(header, col)
            if i is None:
                raise SubmissionError(f"{name}: the column mapping names {col!r}, which is not a column; "
                                      f"columns are: {_cols(header)}")
            qcols.append((i, q))
    else:
        qcols = [(i, h) for i, h in enumerate(header) if h in known_qids]
        qcols += [(i, h.split(":", 1)[0].strip()) for i, h in enumerate(header)
                  if h not in known_qids and ":" in h and h.split(":", 1)[0].strip() in known_qids]
        if not qcols:
            raise SubmissionError(f"{name}: no question columns: no column is named like a question id "
                                  f"({', '.join(sorted(known_qids)[:6])}, ...) and no --map was given; "
                                  f"columns are: {_cols(header)}")
    return _wide(t, name, idc, qcols, ident)


def _wide(t: Table, name: str, idc: int, qcols: list[tuple[int, str]], ident) -> Submissions:
    """One answer per (non-blank row, question column), row by row."""
    keep = np.flatnonzero(~t.blank_rows())
    m = len(qcols)
    sid, sids = recode(*t.column(idc), ident)
    texts: list[str] = []
    ans = np.empty((len(keep), m), dtype=np.intp)
    for c, (i, _) in enumerate(qcols):
        codes, col_texts = t.column(i)
        ans[:, c] = codes[keep] + len(texts)
        texts += col_texts
    ans, texts = recode(ans.ravel(), texts, str)
    qid, qids = factorize([q for _, q in qcols])
    return Submissions(name, "wide", t.header, np.repeat(t.lines[keep], m), np.repeat(sid[keep], m), sids,
                       np.tile(qid, len(keep)), qids, ans, texts)


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
            for row in csv.reader(io.StringIO(text), delimiter=delimiter(text.split("\n", 1)[0])):
                if len(row) >= 2 and row[0].strip() and row[0].strip().lower() != "column":
                    out[row[0].strip()] = row[1].strip()
    for item in spec or []:
        col, sep, qid = item.rpartition("=")
        if not sep or not col.strip() or not qid.strip():
            raise SubmissionError(f"--map {item!r}: expected COLUMN=QUESTION_ID")
        out[col.strip()] = qid.strip()
    return out or None
