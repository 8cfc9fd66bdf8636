"""The roster: who the students are, for `generate` (one exam each) and `grade` (whose answers).

One reader for both: a CSV (UTF-8, a BOM is fine; `,` `;` tab or `|` separated) or an .xlsx with a
`student_id` column (also spelled "student id" or "sid"), optionally `name`; every other column
(name, e-mail, LMS id, login) is an alias that identifies the same student in an LMS export.
Errors name the file and the line."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from exgen import limits
from exgen.errors import InputFileError, UsageError
from exgen.textio import read_utf8

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
ID_COLUMNS = ("student_id", "student id", "sid")
# names Windows keeps for devices, whatever the case and the extension: "CON.json" cannot be created there
RESERVED = frozenset(["CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))])


@dataclass(frozen=True)
class Student:
    id: str  # names the student's files: letters, digits, '.', '_', '-'
    name: str  # as printed on the sheet
    aliases: tuple[str, ...] = ()  # the other columns' values (name, e-mail, LMS id, login)
    fields: tuple[tuple[str, str], ...] = ()  # (header in lower case, value) of every other column: LMS write-back


def _rows(p: Path) -> tuple[list[list[str]], list[int]]:
    """The roster's rows and their line numbers."""
    from exgen.grading.files import csv_text_rows, is_xlsx, read_table
    from exgen.textio import input_file
    input_file(p)
    if is_xlsx(p):
        return read_table(p)
    # as grade reads a CSV: a malformed or huge field, or a quote never closed, is one error naming the line
    return csv_text_rows(read_utf8(p, "roster"), p)


def read_roster(path: str | Path) -> list[Student]:
    """The students of a roster file, in its order (see the module's docstring)."""
    p = Path(path)
    rows, lines = _rows(p)
    body = [(r, n) for r, n in zip(rows, lines) if any(c.strip() for c in r)]
    if not body:
        raise InputFileError(f"{p}: no students (the file is empty)")
    header = [h.strip().lstrip("\ufeff").lower() for h in body[0][0]]
    idc = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    if idc is None:
        raise InputFileError(f"{p}: line {body[0][1]}: no 'student_id' column "
                             f"(found: {', '.join(header) or 'nothing'})")
    namec = header.index("name") if "name" in header else None
    students: list[Student] = []
    seen: dict[str, tuple[int, str]] = {}  # lower-case id -> (line, id as written)
    for row, line in body[1:]:
        cell = [c.strip() for c in row] + [""] * (len(header) - len(row))
        sid = cell[idc]
        if not sid:
            raise InputFileError(f"{p}: line {line}: field 'student_id' is empty")
        limits.check("characters in a student_id", len(sid), limits.MAX_ID_CHARS, str(p), f"line {line}")
        limits.check("students on the roster", len(students) + 1, limits.MAX_STUDENTS, str(p), f"line {line}")
        if not ID_RE.match(sid):
            raise InputFileError(f"{p}: line {line}: field 'student_id': {sid!r} may only hold letters, "
                                 "digits, '.', '_' and '-' (it names files)")
        if sid.split(".", 1)[0].upper() in RESERVED:
            raise InputFileError(f"{p}: line {line}: field 'student_id': {sid!r} is a device name on Windows "
                                 f"(CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension): {sid}.json cannot "
                                 "be created there; change the id")
        first = seen.get(sid.lower())  # A1.json and a1.json are one file on Windows and macOS
        if first is not None:
            was = "" if first[1] == sid else (f" as {first[1]!r}: ids name files, and upper and lower case "
                                              "are one on Windows and macOS")
            raise InputFileError(f"{p}: line {line}: duplicate student_id {sid!r} (first on line {first[0]}{was})")
        seen[sid.lower()] = (line, sid)
        name = sid if namec is None else cell[namec]
        if not name:
            raise InputFileError(f"{p}: line {line}: field 'name' is empty for student {sid!r}")
        aliases = tuple(v for i, v in enumerate(cell) if i != idc and v)
        fields = tuple((h, v) for i, (h, v) in enumerate(zip(header, cell)) if i != idc and v)
        students.append(Student(sid, name, aliases, fields))
    if not students:
        raise InputFileError(f"{p}: no students (the file has a header only)")
    return students


def count_roster(n: int) -> list[Student]:
    """n anonymous students s001, s002, ... (1 <= n <= limits.MAX_STUDENTS)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= limits.MAX_STUDENTS:
        raise UsageError(f"--count: expected a whole number of students from 1 to {limits.MAX_STUDENTS}, "
                         f"got {n!r}")
    width = max(3, len(str(n)))
    return [Student(f"s{i:0{width}d}", f"s{i:0{width}d}") for i in range(1, n + 1)]


def variant_roster(n: int) -> list[Student]:
    """n variant exercises v001, v002, ... (1 <= n <= limits.MAX_VARIANTS), for an LMS to hand out
    at random: each has the files of a student (sheet, key, answer key)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= limits.MAX_VARIANTS:
        raise UsageError(f"--variants: expected a whole number of variants from 1 to {limits.MAX_VARIANTS}, "
                         f"got {n!r}")
    width = max(3, len(str(n)))
    return [Student(f"v{i:0{width}d}", f"Variant v{i:0{width}d}") for i in range(1, n + 1)]


def alias_map(students: list[Student]) -> dict[str, str]:
    """Each alias (lower case) -> the student id, for matching an LMS export's rows. An alias that
    is another student's id, or that several students share (a section, a common name), names
    no one: a student's own id always finds them, never another student."""
    ids = {s.id.lower(): s.id for s in students}
    out: dict[str, str] = {}
    shared: set[str] = set()
    for s in students:
        for a in {a.lower() for a in s.aliases}:
            if ids.get(a, s.id) != s.id:
                continue
            if out.setdefault(a, s.id) != s.id:
                shared.add(a)
    for a in shared:
        del out[a]
    return out
