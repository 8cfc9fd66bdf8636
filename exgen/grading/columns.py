"""The question columns of a wide submissions file: the columns `--map` names, and the other
columns named like a question id (`1a`) or Canvas-style `1a: question text`, with or without
--map (a column and a mapping onto one question: refused by exgen.grading.read._one_column_each).
Headers are matched case-insensitively, as `--map` matches them, unless two question ids differ
only in case: then such a header must be the id exactly, and a header that matches them only by
case is ignored and said so."""
from __future__ import annotations

from exgen.grading.files import SubmissionError


def column(header: list[str], name: str) -> int | None:
    """A column by exact header, case-insensitive, or Canvas-style "<name>: question text"."""
    low = [h.strip().lower() for h in header]
    n = name.strip().lower()
    if n in low:
        return low.index(n)
    for i, h in enumerate(low):
        if h.startswith(n + ":"):
            return i
    return None


def cols(header: list[str]) -> str:
    return ", ".join(repr(h) for h in header)


def question_columns(name: str, header: list[str], known_qids: set[str],
                     mapping: dict[str, str] | None) -> tuple[list[tuple[int, str]], list[str]]:
    """(column, question id) of each question column, the mapped ones first, and what was
    ignored (one sentence per ignored column, for an issue on the header line)."""
    qcols: list[tuple[int, str]] = []
    for col, q in (mapping or {}).items():
        i = column(header, col)
        if i is None:
            raise SubmissionError(f"{name}: the column mapping names {col!r}, which is not a column; "
                                  f"columns are: {cols(header)}")
        if q not in known_qids:  # a typo: every answer of the column an unknown question, graded missing
            raise SubmissionError(f"{name}: the column mapping maps {col!r} to {q!r}, which no answer key "
                                  f"asks; questions are: {', '.join(sorted(known_qids))}")
        qcols.append((i, q))
    mapped = {i for i, _ in qcols}
    by_low: dict[str, list[str]] = {}
    for q in sorted(known_qids):
        by_low.setdefault(q.lower(), []).append(q)
    found: dict[int, str] = {}
    ignored: dict[int, list[str]] = {}  # column -> the ids it matches only by case
    for prefix in (False, True):  # whole headers first, then Canvas's "<id>: text"
        for i, h in enumerate(header):
            if i in mapped or i in found:
                continue
            text = h.split(":", 1)[0].strip() if prefix else h.strip()
            if prefix and ":" not in h:
                continue
            if text in known_qids:
                found[i] = text
                continue
            same = by_low.get(text.lower(), [])
            if len(same) == 1:
                found[i] = same[0]
            elif same:
                ignored.setdefault(i, same)
    qcols += list(found.items())
    notes = [f"column {header[i]!r} is not graded: it matches questions {' and '.join(map(repr, ids))} only by "
             "case, and question ids that differ only in case are matched exactly; rename the column or map "
             "it with --map" for i, ids in ignored.items() if i not in found]
    if not qcols:
        from exgen.lms.layouts import propose_map
        raise SubmissionError(f"{name}: no question columns: no column is named like a question id "
                              f"({', '.join(sorted(known_qids)[:6])}, ...) and no --map was given; "
                              f"columns are: {cols(header)}" + "".join(f"; {n}" for n in notes)
                              + propose_map(header, sorted(known_qids)))
    return qcols, notes
