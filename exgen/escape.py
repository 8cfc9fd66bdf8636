"""Text from inputs (answers, ids, titles) made safe for each output format, one function each:

  CSV       safe_cell / safe_cells   formula injection neutralised (cells a spreadsheet opens)
  HTML      html_text                 & < > " ' as entities
  Markdown  md_text                   inline text or a table cell: no HTML, no table breaks

CSV (answers.csv, issues.csv, grades*.csv, submissions.csv, sample submissions):

The rule (OWASP's): a text cell that starts with `=`, `+`, `-`, `@`, a tab or a CR and is not a
number gets a leading `'`, so Excel/LibreOffice/Sheets show it as text instead of evaluating it
(`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(...)`). "A number" is what exgen grades as a number
(`exgen.grading.numbers.parse_answer`: `-0.5`, `+3`, `-1e-3`, `-3/8`, `-0,5`): such a cell holds
only digits, signs, `.`, `,`, `e`, `/` and spaces, which a spreadsheet can at most do arithmetic on.
"""
from __future__ import annotations

import html
import re
from collections.abc import Sequence

DANGEROUS = frozenset("=+-@\t\r")


def _is_number(s: str) -> bool:
    from exgen.grading.numbers import OK, parse_answer
    return parse_answer(s)[1] == OK


def safe_cell(s):
    """The cell as it may be written: `'` + s if s is text that starts with a dangerous character
    and is not a number; s itself otherwise (non-strings, e.g. ints, unchanged)."""
    if isinstance(s, str) and s[:1] in DANGEROUS and not _is_number(s):
        return "'" + s
    return s


def safe_cells(cells: Sequence, numbers=None) -> list:
    """safe_cell of each cell; the input itself (a list) when no cell changes.
    `numbers`: optional boolean array, True where the cell is already known to be a number in
    safe_cell's sense (e.g. grading's parse status): those cells are not looked at again."""
    if numbers is not None:
        import numpy as np
        todo = np.flatnonzero(~np.asarray(numbers, dtype=bool)).tolist()
    else:
        todo = [i for i, s in enumerate(cells) if isinstance(s, str) and s[:1] in DANGEROUS]
    out = cells if isinstance(cells, list) else list(cells)
    copied = False
    for i in todo:
        c = safe_cell(cells[i])
        if c is not cells[i]:
            if not copied:
                out, copied = list(out), True
            out[i] = c
    return out


def html_text(s) -> str:
    """Text (or a number) for HTML element content or a quoted attribute."""
    return html.escape(str(s), quote=True)


_MD = re.compile(r"([\\`*_\[\]|])")
_NEWLINES = re.compile(r"\r\n?|\n|[\x00-\x08\x0b-\x1f\x7f]")


def md_text(s) -> str:
    """Text (or a number) for Markdown inline content, table cells included: `&`, `<`, `>` as
    HTML entities (no raw HTML such as <script>), Markdown punctuation that could make a link,
    emphasis or code (`\\ ` * _ [ ]`) and the table separator `|` backslash-escaped, line breaks
    and other control characters as spaces (a cell stays on its row)."""
    s = str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD.sub(r"\\\1", _NEWLINES.sub(" ", s))


def md_fence(lines: list[str]) -> str:
    """A code fence longer than any run of backticks in `lines` (the block cannot be closed early)."""
    longest = max((len(m) for line in lines for m in re.findall("`+", line)), default=0)
    return "`" * max(3, longest + 1)


# C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidirectional overrides and
# isolates (which reorder what a terminal shows: "Trojan Source")
_TERM_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def term_text(s):
    """Text for a terminal: escape sequences (`ESC ]0;...`, `ESC [2J`), carriage returns, other
    control characters and bidi overrides from an input are shown as `\\u001b`-style escapes
    instead of acting on the terminal. Inside a JSON string such an escape means the same
    character, so JSON output stays valid and unchanged in meaning. Non-strings are returned as is."""
    if not isinstance(s, str) or not _TERM_UNSAFE.search(s):
        return s
    return _TERM_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", s)
