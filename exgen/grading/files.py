"""Submission files as text or rows: encodings (BOMs, UTF-16, charset-normalizer), CSV with any
common separator, .xlsx; `read_columns` gives a Table (fast path for clean text, exact otherwise)."""
from __future__ import annotations

import contextlib
import csv
import io
import itertools
from pathlib import Path

from exgen import limits
from exgen.errors import InputFileError
from exgen.grading.table import Table, delimiter, fast_table, from_rows


class SubmissionError(InputFileError):
    """A submissions file cannot be read, or its columns do not fit the mapping."""


def decode(data: bytes, name: str) -> str:
    """Bytes -> text: BOMs, UTF-8, then charset-normalizer (cp1252, UTF-16 without BOM, ...)."""
    return decode_utf8(data, name)[0]


def utf8_of(data: bytes, name: str) -> tuple[bytes, str | None]:
    """The file's UTF-8 bytes (its own bytes when it is ASCII or UTF-8), checked as `decode_utf8`
    checks them, and its text if it had to be decoded (an ASCII file is not: its bytes are its text)."""
    if data.isascii() and b"\x00" not in data:  # not UTF-16 (whose ASCII has NULs), no BOM
        _check(data[:4096].decode("ascii"), name)
        return data, None
    text, utf8 = decode_utf8(data, name)
    return utf8, text


def decode_utf8(data: bytes, name: str) -> tuple[str, bytes]:
    """The text, and its UTF-8 bytes (the file's own bytes when it is UTF-8)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), data[3:]
        except UnicodeDecodeError:
            text = data[3:].decode("utf-8", errors="replace")
            return text, text.encode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _check(data.decode("utf-16", errors="replace"), name)
        return text, text.encode("utf-8")
    utf16 = _utf16_without_bom(data)
    if utf16:
        text = _check(data.decode(utf16, errors="replace"), name)
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


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for text saved as UTF-16 without a BOM: an even length and a
    NUL at (nearly) every odd (LE) or even (BE) position of the first 4 KB (ASCII-range text),
    none at the other ones."""
    head = data[:4096]
    if len(data) % 2 or len(head) < 4:
        return None
    n = len(head) // 2
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd >= 0.7 * n and even == 0:
        return "utf-16-le"
    if even >= 0.7 * n and odd == 0:
        return "utf-16-be"
    return None


def _check(text: str, name: str) -> str:
    if "\x00" in text or sum(not (c.isprintable() or c in "\r\n\t") for c in text[:4096]) > 8:
        raise SubmissionError(f"{name}: cannot be read: looks like a binary file, not CSV or .xlsx")
    return text


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
    text, utf8 = decode_utf8(data, str(p))
    _check_text_size(utf8, p)
    return csv_text_rows(text, p)


def _check_text_size(utf8: bytes, p: Path, ends=None) -> None:
    """Limits before parsing: lines, the longest line, the cells of the header line.
    ends: the positions of the line feeds, if known."""
    import numpy as np
    buf = np.frombuffer(utf8, dtype=np.uint8)
    if ends is None:
        ends = np.flatnonzero(buf == 10)
    rows = len(ends) + (not utf8.endswith(b"\n")) - 1
    limits.check("rows", rows, limits.MAX_TABLE_ROWS, str(p), hint="split the file")
    if len(ends):
        gaps = np.empty(len(ends), dtype=np.int64)  # (f,) each line's length with its line feed
        gaps[0] = ends[0] + 1
        np.subtract(ends[1:], ends[:-1], out=gaps[1:])
        line = int(np.argmax(gaps))  # the first longest
        longest, last = int(gaps[line]), len(utf8) - int(ends[-1]) - 1
        line = line + 1 if longest >= last else len(ends) + 1
        longest = max(longest, last)
    else:
        longest, line = len(utf8), 1
    limits.check("characters in a line", longest, limits.MAX_LINE_CHARS, str(p), f"line {line}")
    if longest < limits.MAX_TABLE_COLUMNS:  # a line of n characters has at most n + 1 cells: none can be too wide
        return
    first = utf8[: utf8.find(b"\n")] if b"\n" in utf8 else utf8
    sep = delimiter(first.decode("utf-8", errors="replace")).encode()
    starts = np.concatenate(([0], ends + 1))
    starts = starts[starts < len(utf8)]  # each line's first byte (its "\n" is its last)
    seps = np.flatnonzero(buf == sep[0])  # where the separators are; per line: how many lie between its bounds
    per_line = np.diff(np.searchsorted(seps, np.append(starts, len(utf8))))
    if len(per_line) and per_line.max() > 0:  # separators per line (quoted ones too: an upper bound of the cells)
        line = int(np.argmax(per_line))
        limits.check("columns", int(per_line[line]) + 1, limits.MAX_TABLE_COLUMNS, str(p), f"line {line + 1}")


def read_columns(path: str | Path, sheet: str | None = None, answers=()) -> Table:
    """The file as a Table (fast path for clean delimited text, exact path otherwise). answers:
    the header names of the answer columns, whose texts are parsed while read (numbers.Parsed:
    in the reading thread, beside the key loading)."""
    p, data = _load(path)
    if _is_xlsx(p, data):
        table = from_rows(*_xlsx_rows(p, data, sheet), answers)
    elif sheet is not None:
        raise SubmissionError(f"{p}: --sheet {sheet!r} is for .xlsx workbooks; this file is text (CSV)")
    else:
        utf8, text = utf8_of(data, str(p))
        table = fast_table(utf8, lambda ends: _check_text_size(utf8, p, ends), answers)
        if table is None:
            _check_text_size(utf8, p)
            table = from_rows(*csv_text_rows(utf8.decode("utf-8") if text is None else text, p), answers)
    if table is None:
        raise SubmissionError(f"{p}: cannot be read: the file is empty")
    return table


def _load(path) -> tuple[Path, bytes]:
    p = Path(path)
    if not p.is_file():
        raise SubmissionError(f"{p}: no such file" if not p.exists() else f"{p}: not a file")
    limits.check("bytes", p.stat().st_size, limits.MAX_TABLE_BYTES, str(p), hint="split the file")
    return p, p.read_bytes()


def is_xlsx(path: str | Path) -> bool:
    """Is the file an .xlsx workbook (by its name, or a zip's magic bytes)?"""
    p = Path(path)
    with open(p, "rb") as f:
        return _is_xlsx(p, f.read(4))


def _is_xlsx(p: Path, data: bytes) -> bool:
    return p.suffix.lower() in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04")


def _xlsx_rows(p: Path, data: bytes, sheet: str | None) -> tuple[list[list[str]], list[int]]:
    import zipfile
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        names = [i.filename for i in infos]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SubmissionError(f"{p}: cannot be read as .xlsx: not a valid spreadsheet (a damaged or "
                              "partial download?); save it again as .xlsx or CSV") from None
    if "xl/workbook.xml" not in names:
        inside = [n for n in names if not n.endswith("/")]
        csvs = [n for n in inside if n.lower().endswith((".csv", ".tsv", ".txt"))]
        shown = ", ".join(inside[:3]) + (", ..." if len(inside) > 3 else "")
        raise SubmissionError(f"{p}: is a .zip archive ({len(inside)} file{'s' * (len(inside) != 1)}: {shown}), "
                              "not a spreadsheet: unzip it and grade the "
                              + (f"CSV inside ({csvs[0]})" if csvs else "submissions file inside"))
    # a zip bomb: bounded by the sizes the archive declares (zipfile never inflates past them)
    limits.check("bytes uncompressed", sum(i.file_size for i in infos), limits.MAX_XLSX_BYTES, str(p))
    import openpyxl
    wb = None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows: list[list[str]] = []
        for r in ws.iter_rows(values_only=True):
            limits.check("rows", len(rows), limits.MAX_TABLE_ROWS, str(p), hint="split the file")
            limits.check("columns", len(r), limits.MAX_TABLE_COLUMNS, str(p), f"row {len(rows) + 1}")
            rows.append([_cell(v) for v in r])
    except KeyError:
        sheets = ", ".join(wb.sheetnames) if wb is not None else "none readable"
        raise SubmissionError(f"{p}: no sheet {sheet!r}; sheets: {sheets}") from None
    except IndexError:
        raise SubmissionError(f"{p}: the workbook has no worksheet") from None
    except limits.LimitError:
        raise
    except Exception as e:  # zipfile/openpyxl/XML parsers raise many kinds
        raise SubmissionError(f"{p}: cannot be read as .xlsx ({e.__class__.__name__})") from None
    return rows, list(range(1, len(rows) + 1))


def _reader(text: str, sep: str, strict: bool):
    return csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=strict)


def csv_text_rows(text: str, p: Path) -> tuple[list[list[str]], list[int]]:
    """The rows and the line each starts on. A quote never closed (the csv module in strict mode
    reaches the end of the file inside a quoted cell) is an error naming the line it opened on;
    a quoted cell with text after its closing quote ('"0.5"x') is read as the csv module reads
    it when not strict ("0.5x")."""
    sep = delimiter(text.split("\n", 1)[0])
    try:
        return _rows(text, p, sep, True)
    except _TextAfterQuote:
        rows, lines = _rows(text, p, sep, False)
        with contextlib.suppress(_TextAfterQuote):  # the last row: a quote never closed?
            _rows(_from_line(text, lines[-1]), p, sep, True, lines[-1] - 1)
        return rows, lines


class _TextAfterQuote(Exception):
    pass


def _from_line(text: str, line: int) -> str:
    """The text from line `line` (1-based; lines as the csv module counts them: \n, \r\n, \r)."""
    return "".join(itertools.islice(io.StringIO(text, newline=""), line - 1, None))


def _rows(text: str, p: Path, sep: str, strict: bool, before: int = 0) -> tuple[list[list[str]], list[int]]:
    """The rows of the text and their lines (+ before: the text starts after that many lines)."""
    reader = _reader(text, sep, strict)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        rows = list(reader)
        if text.count("\n") + (not text.endswith("\n")) == len(rows):  # no quoted line breaks
            return rows, list(range(before + 1, before + len(rows) + 1))
        reader, rows, prev = _reader(text, sep, strict), [], 0
        for r in reader:
            rows.append(r)
            lines.append(before + prev + 1)
            prev = reader.line_num
        return rows, lines
    except csv.Error as e:  # the line the reader stopped on (a cell over the field size limit)
        if "end of data" in str(e):
            raise SubmissionError(f"{p}: line {_quote_line(text, sep, before)}: a quote opens a cell and is "
                                  "never closed (the rest of the file would be that one cell); close the "
                                  "quote or remove it") from None
        if "expected after" in str(e):
            raise _TextAfterQuote from None
        raise SubmissionError(f"{p}: line {before + reader.line_num}: cannot be parsed as CSV ({e})") from None


def _quote_line(text: str, sep: str, before: int) -> int:
    """The line of the quote never closed (+ before)."""
    reader, prev = _reader(text, sep, True), 0
    with contextlib.suppress(csv.Error):
        for _ in reader:
            prev = reader.line_num  # the last line of the last row read whole
    tail = _from_line(text, prev + 1)  # the row of the quote, to the end of the file
    cell = list(_reader(tail, sep, False))[-1][-1]  # from after the quote to the end of the file
    breaks = cell.count("\n") + cell.count("\r") - cell.count("\r\n")
    last = prev + sum(1 for _ in io.StringIO(tail, newline=""))  # the file's last line
    return before + last - breaks + cell.endswith(("\n", "\r"))
