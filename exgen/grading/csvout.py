"""answers.csv and grades.csv, built column by column (the LMS gradebooks: exgen.lms.writeback).

Every distinct cell text is formatted once (a key's expected value, a verdict with its score, an
answer as typed) and gathered with numpy; the file is one join. The bytes are those of
`csv.writer` (minimal quoting, "\\n" line ends), after `exgen.escape.safe_cell` has neutralised
every text cell a spreadsheet would evaluate as a formula.
"""
from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from exgen.core.shapes import text as shape_text
from exgen.acceptance import TOO_FEW
from exgen.manifest import hashed
from exgen.escape import DANGEROUS, safe_cell, safe_cells
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


_QUOTED = _quoted()
_SPECIAL = re.compile("[" + re.escape(_QUOTED) + "]")


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


_STARTS = tuple("\x00" + c for c in sorted(DANGEROUS))


def fields(texts: list[str]) -> list[str]:
    """cell() of each text; the list itself when none needs neutralising or quoting. Texts are
    looked at one by one (safe_cells) only when one of them may start with a dangerous character
    (substring searches in all of them joined by NULs; a NUL inside a text can only make it look;
    neutralising adds no character that needs quoting)."""
    joined = "\x00" + "\x00".join(texts)
    if any(d in joined for d in _STARTS):
        texts = safe_cells(texts)
    return [field(t) for t in texts] if any(c in joined for c in _QUOTED) else texts


def _float_texts(values: np.ndarray, end: str, start: str = "") -> np.ndarray:
    """start + num(v) + end of each float (NaN: start + end), as an object array of values'
    shape; one %-format over all of them (C speed; the same text as f"{v:.12g}")."""
    flat = np.ascontiguousarray(values, dtype=np.float64).ravel()
    out = np.empty(flat.size, dtype=object)
    if flat.size:
        out[:] = ((start.replace("%", "%%") + "%.12g" + end.replace("%", "%%") + "\x00") * flat.size
                  % tuple(flat.tolist())).split("\x00")[:-1]
        nan = np.isnan(flat)
        if nan.any():
            out[nan] = start + end
    return out.reshape(np.shape(values))


def _answer_cells(gr: GroupResult) -> np.ndarray:
    """cell() of each answer text, stripped (object array; one more, "", last, for acode -1).
    Only texts that are not numbers can need neutralising; quoting is looked for in all of them
    at once."""
    st = list(map(str.strip, gr.texts))
    todo = (range(len(st)) if gr.tstatus is None else np.flatnonzero(gr.tstatus != OK).tolist())
    for i in todo:
        if st[i][:1] in DANGEROUS:
            st[i] = safe_cell(st[i])
    joined = "".join(st)
    if any(c in joined for c in _QUOTED):
        ends = np.cumsum(np.fromiter(map(len, st), dtype=np.int64, count=len(st)))
        for i in np.unique(np.searchsorted(ends, [m.start() for m in _SPECIAL.finditer(joined)], side="right")).tolist():
            st[i] = field(st[i])
    return np.fromiter(itertools.chain(st, ("",)), dtype=object, count=len(st) + 1)


DEDUP = 4.0  # middles joined once each when the keys and the distinct middles are <= 1/DEDUP of the lines


def _middle(gr: GroupResult, cc: float, ans: np.ndarray, s: np.ndarray, q: np.ndarray) -> list[np.ndarray]:
    """At the answers (s, q) (index arrays of one shape): "question_id,", "answer", ",expected,"
    and "verdict,score,points,diagnosis,\n", each an object array of that shape."""
    j, g = gr.judged, gr.group
    S, Q = gr.acode.shape
    qcells = np.array([cell(x) + "," for x in g.qids], dtype=object)
    exp = _float_texts(g.expected, ",", ",")  # (K, Q)
    if g.shape_cols:  # shape questions (grading.shapes): the key's shape as written, e.g. 4x3
        exp = np.array(exp, dtype=object)
        exp[:, g.shape_cols] = [["," + shape_text(a) + "," for a in row] for row in g.shape_answers]
    k = gr.kidx[s]
    full = s.shape == (S, 1) and q.shape == (1, Q)
    identity = full and exp.shape[0] == S and np.array_equal(gr.kidx, np.arange(S))
    pinv, puniq = _factorize(np.ascontiguousarray(g.points, dtype=np.float64).view(np.int64))
    V, D = len(VERDICTS), len(j.codes) + 1
    code = (pinv.reshape(g.points.shape)[k, q] * V + j.verdict[s, q]) * D + (j.diagnosis[s, q] + 1)
    inv, uniq = _factorize(code)
    rests = []
    for c in uniq.tolist():
        c, d = divmod(c, D)
        pi, v = divmod(c, V)
        p = float(puniq[pi:pi + 1].view(np.float64)[0])
        few = d and j.codes[d - 1] == TOO_FEW  # the keys' policy (exgen.acceptance), as judge_group scored
        score = (j.fewer_credit * p if few else p) if v == CORRECT else j.carried_credit * p if v == CARRIED else 0.0
        rests.append(f"{VERDICTS[v]},{score:g},{p:g},{j.codes[d - 1] if d else ''},\n")
    return [np.broadcast_to(qcells[q], code.shape), ans[gr.acode[s, q]], exp if identity else exp[k, q],
            np.array(rests + [""], dtype=object)[inv].reshape(code.shape)]


def _pieces(gr: GroupResult, cc: float, cells: dict) -> tuple[list[str], int]:
    """The group's answers.csv lines as one list of n pieces per line, in line order: "student_id,"
    and the rest of the line ("question_id,answer,expected,verdict,score,points,diagnosis,carried\n",
    in 4 pieces, the carried value where ECF applied); or, when few lines differ in more than the
    student, "student_id," and the rest of the line, each distinct rest joined once."""
    j, g = gr.judged, gr.group
    S, Q = gr.acode.shape
    key = id(gr.texts)
    if key not in cells:  # shared by the groups
        cells[key] = _answer_cells(gr)
    ans = cells[key]
    sids = np.array([s + "," for s in fields(gr.students)], dtype=object)  # (S,)
    K = g.expected.shape[0]
    if DEDUP and DEDUP * K <= S:  # shared keys: lines that differ only in the student are likely
        KQ, V, D = g.expected.size, len(VERDICTS), len(j.codes) + 1
        code = (((gr.acode + 1) * KQ + gr.kidx[:, None] * Q + np.arange(Q)) * V + j.verdict) * D + (j.diagnosis + 1)
        inv, uniq = _factorize(code)  # (S*Q,)
        if DEDUP * len(uniq) <= S * Q:
            first = np.empty(len(uniq), dtype=np.int64)
            first[inv[::-1]] = np.arange(S * Q - 1, -1, -1)  # the first answer with each rest of line
            parts = _middle(gr, cc, ans, first // Q, first % Q)
            rest = np.array(["".join(t) for t in zip(*(p.tolist() for p in parts))], dtype=object)
            return _interleave([sids, _carried(rest[inv], j.carried)], S, Q), 2
    mid = _middle(gr, cc, ans, np.arange(S)[:, None], np.arange(Q)[None, :])
    return _interleave([sids, *mid[:3], _carried(mid[3].reshape(-1), j.carried)], S, Q), 5


def _carried(last: np.ndarray, carried: np.ndarray) -> np.ndarray:
    """The lines' last pieces (S*Q,), a new object array, with each line's carried value (NaN: none)
    in place of its final "\n" (ECF applied: the value ends the line)."""
    at = np.flatnonzero(~np.isnan(carried.reshape(-1)))
    if len(at):
        last[at] = [r[:-1] + c for r, c in zip(last[at].tolist(), _float_texts(carried.reshape(-1)[at], "\n").tolist())]
    return last


def _interleave(cols: list[np.ndarray], S: int, Q: int) -> list[str]:
    """The lines' pieces in order: piece 0 of line (s, q) from cols[0] (S,) (the student's), piece
    i from cols[i] (S*Q or (S, Q)); one list slice assignment per piece."""
    n = len(cols)
    flat: list = [None] * (S * Q * n)
    flat[0::n] = np.repeat(cols[0], Q).tolist()
    for i, c in enumerate(cols[1:], 1):
        flat[i::n] = np.ravel(c).tolist()
    return flat


def write_answers(res: GradeResult, path: Path) -> None:
    cells: dict = {}
    per = [_pieces(gr, res.carried_credit, cells) for gr in res.groups]
    if len(per) == 1:  # the students' lines in order: one join per chunk of pieces
        flat, n = per[0][0], per[0][1] << 14
    else:  # groups of different lengths: each student's lines joined, then taken in order
        blocks = []
        for (f, k), gr in zip(per, res.groups):
            m = k * gr.acode.shape[1]  # pieces per student
            blocks.append(["".join(f[i:i + m]) for i in range(0, len(f), m)])
        gi, r = res.order
        flat = [blocks[g][i] for g, i in zip(gi.tolist(), r.tolist())]
        n = 256
    _write(path, _line(ANSWER_COLUMNS), ("".join(flat[i:i + n]) for i in range(0, len(flat), n)))


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
    S, C = len(students), 4 + len(qids)
    gi, r = res.order
    whole = len(res.groups) == 1 and len(qids) > 0 and [col[q] for q in res.groups[0].group.qids] == list(range(len(qids)))
    # cells end with their separator; a student without a question's score gets an empty cell
    grid = np.empty((S, C), dtype=object) if whole else np.full((S, C), ",", dtype=object)
    grid[:, 0] = [s + "," for s in ids]
    grid[:, 1], grid[:, 2], grid[:, 3] = formatted(tot, "{:g},"), formatted(mx, "{:g},"), formatted(pct, "{:.2f},")
    for g, gr in enumerate(res.groups):
        m = np.flatnonzero(gi == g)
        rows = r[m]
        score = gr.judged.score if np.array_equal(rows, np.arange(len(gr.judged.score))) else gr.judged.score[rows]
        if whole:  # every student, every column: the last one ends the line
            grid[:, 4:-1] = formatted(score[:, :-1], "{:g},")
            grid[:, -1] = formatted(score[:, -1], "{:g}\n")
        else:
            grid[m[:, None], (4 + np.array([col[q] for q in gr.group.qids]))[None, :]] = formatted(score, "{:g},")
    if not whole:
        grid[:, -1] = [c[:-1] + "\n" for c in grid[:, -1].tolist()]
    _write(out / "grades.csv", _line(["student_id", "total", "maximum", "percent"] + qids), _joined(grid.ravel().tolist()))
    # the LMS gradebooks (grades_canvas.csv, ...): exgen.lms.writeback, from outputs.write_outputs


def _joined(parts: list[str], n: int = 1 << 14) -> Iterator[str]:
    """The concatenation of `parts`, a few thousand at a time."""
    return ("".join(parts[i:i + n]) for i in range(0, len(parts), n))


def _write(path: Path, head: str, chunks: Iterable[str]) -> None:
    """head and the chunks, UTF-8. Written chunk by chunk: the same bytes as one join, but the
    buffers stay small and in cache (2-3x faster than joining and encoding 50 MB at once).
    Hashed on the way, for the output folder's manifest (exgen.manifest): not read back.
    From the second chunk on, hashing and writing run in one worker thread (both release the
    GIL) while this thread makes the next chunk; chunks are written in order, one at a time."""
    h = hashlib.sha256()
    with open(path, "wb") as f:
        def put(b: bytes) -> None:
            h.update(b)
            f.write(b)
        it = iter(chunks)
        put(head.encode("utf-8"))
        first = next(it, None)
        if first is not None:
            with ThreadPoolExecutor(1) as pool:
                job = pool.submit(put, first.encode("utf-8"))
                for c in it:
                    b = c.encode("utf-8")
                    job.result()
                    job = pool.submit(put, b)
                job.result()
    hashed(path, h.hexdigest())
