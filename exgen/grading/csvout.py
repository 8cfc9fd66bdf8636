"""answers.csv, grades.csv and grades_canvas.csv, built column by column.

Every distinct cell text is formatted once (a key's expected value, a verdict with its score, an
answer as typed) and gathered with numpy; the file is one join. The bytes are those of
`csv.writer` (minimal quoting, "\\n" line ends), after `exgen.escape.safe_cell` has neutralised
every text cell a spreadsheet would evaluate as a formula.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from exgen.escape import safe_cell, safe_cells
from exgen.grading.grade import GradeResult, GroupResult
from exgen.grading.judge import CARRIED, CORRECT, VERDICTS
from exgen.grading.numbers import OK

ANSWER_COLUMNS = ["student_id", "question_id", "answer", "expected", "verdict", "score", "points",
                  "diagnosis", "carried_expected"]


def _quoted() -> str:
    """The characters that make csv.writer quote a field (this Python's rules)."""
    out = ""
    for c in ',"\r\n':
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([c, ""])
        out += c if buf.getvalue().startswith('"') else ""
    return out


_SPECIAL = re.compile("[" + re.escape(_quoted()) + "]")


def field(s: str) -> str:
    """One text cell as csv.writer writes it (QUOTE_MINIMAL)."""
    return '"' + s.replace('"', '""') + '"' if _SPECIAL.search(s) else s


def cell(s: str) -> str:
    """A text cell as written: neutralised (safe_cell), then quoted if needed (field)."""
    return field(safe_cell(s))


def num(v: float) -> str:
    return "" if v is None or v != v else f"{float(v):.12g}"


def _line(cells: list[str]) -> str:
    return ",".join(cell(c) for c in cells) + "\n"


def _factorize(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd
    inv, uniq = pd.factorize(codes.ravel())
    return inv, uniq


def formatted(values: np.ndarray, fmt: str) -> np.ndarray:
    """Each float formatted with `fmt` (e.g. "{:g}"), each distinct value once. Object array."""
    inv, uniq = _factorize(np.ascontiguousarray(values, dtype=np.float64).view(np.int64))
    texts = np.array([fmt.format(v) for v in uniq.view(np.float64).tolist()] + [""], dtype=object)
    return texts[inv].reshape(np.shape(values))


def _blocks(gr: GroupResult, cc: float, stripped: dict) -> list[tuple[str, list[str]]]:
    """The group's answers.csv lines, per student: "student_id," and the rest of each line, the
    rest formatted once per distinct (answer text, key, question, verdict, diagnosis)."""
    j, g = gr.judged, gr.group
    S, Q = gr.acode.shape
    KQ, V, D = g.expected.size, len(VERDICTS), len(j.codes) + 1
    key = id(gr.texts)
    if key not in stripped:  # shared by the groups
        st = stripped[key] = [field(t.strip()) for t in gr.texts] + [""]
        # only texts that are not numbers (grading's parse status; few distinct ones) can need neutralising
        todo = (range(len(gr.texts)) if gr.tstatus is None else np.flatnonzero(gr.tstatus != OK).tolist())
        for i in todo:
            st[i] = cell(gr.texts[i].strip())
    texts, qids = stripped[key], [cell(q) for q in g.qids]
    code = ((((gr.acode + 1) * KQ + gr.kidx[:, None] * Q + np.arange(Q)) * V + j.verdict) * D + (j.diagnosis + 1))
    inv, uniq = _factorize(code)
    exp_txt: dict[int, str] = {}
    rest_txt: dict[tuple, str] = {}
    lines = []
    for c in uniq.tolist():
        c, d = divmod(c, D)
        c, v = divmod(c, V)
        a, kq = divmod(c, KQ)
        e = exp_txt.get(kq)
        if e is None:
            e = exp_txt[kq] = num(g.expected.flat[kq])
        p = g.points.flat[kq]
        rest = rest_txt.get((p, v, d))
        if rest is None:
            score = p if v == CORRECT else cc * p if v == CARRIED else 0.0
            rest = rest_txt[(p, v, d)] = f"{VERDICTS[v]},{score:g},{p:g},{j.codes[d - 1] if d else ''},"
        lines.append(f"{qids[kq % Q]},{texts[a - 1]},{e},{rest}\n")
    rows = np.array(lines, dtype=object)[inv]  # (S Q,)
    at = np.flatnonzero(~np.isnan(j.carried).ravel())  # ECF applied: its value ends the line
    if len(at):
        rest = formatted(j.carried.ravel()[at], "{:.12g}").tolist()
        rows[at] = [d[:-1] + r + "\n" for d, r in zip(rows[at].tolist(), rest)]
    return list(zip([s + "," for s in fields(gr.students)], rows.reshape(S, Q).tolist()))


def fields(texts: list[str]) -> list[str]:
    """cell() of each text; the list itself when none needs neutralising or quoting."""
    texts = safe_cells(texts)
    return [field(t) for t in texts] if _SPECIAL.search("".join(texts)) else texts


def _in_order(res: GradeResult, per_group: list[list]) -> list:
    """Items of per-group lists (one per student of the group), in `res.students` order."""
    if len(per_group) == 1:
        return per_group[0]
    gi, r = res.order
    return [per_group[g][i] for g, i in zip(gi.tolist(), r.tolist())]


def write_answers(res: GradeResult, path: Path) -> None:
    stripped: dict = {}
    blocks = _in_order(res, [_blocks(gr, res.carried_credit, stripped) for gr in res.groups])
    # "s," + "s,".join(rests) is student s's lines, as each rest ends with "\n" ("" if none)
    _write(path, _line(ANSWER_COLUMNS), ("".join([p + p.join(r) if r else "" for p, r in blocks[i:i + 256]])
                                         for i in range(0, len(blocks), 256)))


def question_order(res: GradeResult) -> list[str]:
    seen: dict[str, None] = {}
    for gr in res.groups:
        for q in gr.group.qids:
            seen.setdefault(q, None)
    return list(seen)


def write_grades(res: GradeResult, out: Path, exam: str) -> None:
    qids = question_order(res)
    col = {q: i for i, q in enumerate(qids)}
    students = res.students
    tot, mx = res.all_totals()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(mx != 0, 100 * tot / mx, 0.0)
    ids = fields(students)
    grid = np.full((len(students), 4 + len(qids)), ",", dtype=object)  # cells end with their separator
    grid[:, 0] = [s + "," for s in ids]
    grid[:, 1], grid[:, 2], grid[:, 3] = formatted(tot, "{:g},"), formatted(mx, "{:g},"), formatted(pct, "{:.2f},")
    gi, r = res.order
    for g, gr in enumerate(res.groups):
        m = np.flatnonzero(gi == g)
        cols = 4 + np.array([col[q] for q in gr.group.qids])
        cells = formatted(gr.judged.score, "{:g},")[r[m]]
        if len(m) == len(students) and np.array_equal(cols, np.arange(4, grid.shape[1])):
            grid[:, 4:] = cells
        else:
            grid[m[:, None], cols[None, :]] = cells
    grid[:, -1] = [c[:-1] + "\n" for c in grid[:, -1].tolist()]
    _write(out / "grades.csv", _line(["student_id", "total", "maximum", "percent"] + qids), _joined(grid.ravel().tolist()))
    title = exam or "exgen exam"
    head = (_line(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title])
            + _line(["Points Possible", "", "", "", "", f"{(mx.max() if len(mx) else 0):g}"]))
    _write(out / "grades_canvas.csv", head, _joined([f"{s},,{s},,,{t[:-1]}\n" for s, t in zip(ids, grid[:, 1].tolist())]))


def _joined(parts: list[str], n: int = 1 << 14) -> Iterator[str]:
    """The concatenation of `parts`, a few thousand at a time."""
    return ("".join(parts[i:i + n]) for i in range(0, len(parts), n))


def _write(path: Path, head: str, chunks: Iterable[str]) -> None:
    """head and the chunks, UTF-8. Written chunk by chunk: the same bytes as one join, but the
    buffers stay small and in cache (2-3x faster than joining and encoding 50 MB at once)."""
    with open(path, "wb") as f:
        f.write(head.encode("utf-8"))
        for c in chunks:
            f.write(c.encode("utf-8"))
