"""answers.csv and grades.csv, built column by column (the LMS gradebooks: exgen.lms.writeback).

Every distinct cell text is formatted once (a verdict with its score, an answer as typed, a
student id) and gathered with numpy; the file is joined a chunk of lines at a time. When few
lines differ in more than the student (shared keys), each distinct rest of line is made once;
otherwise each chunk's pieces are joined into a %-format ("%" doubled in them) whose "%.12g"
fields take the chunk's expected values: one C-level pass formats the floats and makes the text.
The bytes are those of `csv.writer` after `exgen.escape.safe_cell` (exgen.grading.csvcells).
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from exgen.core.shapes import text as shape_text
from exgen.acceptance import TOO_FEW
from exgen.escape import DANGEROUS, safe_cell
from exgen.grading.csvcells import (QUOTED, SPECIAL, cell, cell_rows, factorize, field, fields, float_texts,  # noqa: F401 (field: tests)
                                 header_line, chunks_of, write_chunks)
from exgen.grading.grade import GradeResult, GroupResult
from exgen.grading.judge import CARRIED, CORRECT, VERDICTS
from exgen.grading.numbers import OK

ANSWER_COLUMNS = ["student_id", "question_id", "answer", "expected", "verdict", "score", "points",
                  "diagnosis", "carried_expected"]


def _answer_cells(gr: GroupResult) -> tuple[np.ndarray, np.ndarray]:
    """cell() of each answer text, stripped (object array; one more, "", last, for acode -1), and
    the same with each "%" doubled (for a %-format; the same array when there is none).
    Only texts that are not numbers can need neutralising; quoting is looked for in all of them
    at once."""
    st = list(map(str.strip, gr.texts))
    todo = (range(len(st)) if gr.tstatus is None else np.flatnonzero(gr.tstatus != OK).tolist())
    for i in todo:
        if st[i][:1] in DANGEROUS:
            st[i] = safe_cell(st[i])
    joined = "".join(st)
    if any(c in joined for c in QUOTED):
        ends = np.cumsum(np.fromiter(map(len, st), dtype=np.int64, count=len(st)))
        for i in np.unique(np.searchsorted(ends, [m.start() for m in SPECIAL.finditer(joined)], side="right")).tolist():
            st[i] = field(st[i])
    cells = np.fromiter(itertools.chain(st, ("",)), dtype=object, count=len(st) + 1)
    if "%" not in joined:
        return cells, cells
    return cells, np.array([c.replace("%", "%%") for c in cells.tolist()], dtype=object)


DEDUP = 4.0  # middles joined once each when the keys and the distinct middles are <= 1/DEDUP of the lines


def _expected(gr: GroupResult, k: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The expected value of each answer (k, q) (index arrays of one shape): (values, texts),
    the float written "%.12g", and an object array with the texts of the values written as text
    (a shape question's key as written, e.g. 4x3; "" for NaN), None elsewhere (texts: None when
    there are none)."""
    g = gr.group
    S, Q = gr.acode.shape
    ex = g.expected  # (K, Q)
    if not (k.shape == (S, 1) and q.shape == (1, Q) and ex.shape[0] == S and np.array_equal(gr.kidx, np.arange(S))):
        ex = ex[k, q]
    nan = np.isnan(ex)
    if not (g.shape_cols or nan.any()):
        return ex, None
    texts = np.full(ex.shape, None, dtype=object)
    texts[nan] = ""
    if g.shape_cols:  # shape questions (grading.shapes)
        shapes = np.array([[shape_text(a) for a in row] for row in g.shape_answers], dtype=object)  # (K, n)
        col = {c: i for i, c in enumerate(g.shape_cols)}
        kk, qq = np.broadcast_arrays(k, q)
        at = np.isin(qq, g.shape_cols)
        texts[at] = shapes[kk[at], [col[c] for c in qq[at].tolist()]]
    return ex, texts


def _middle(gr: GroupResult, cc: float, ans: np.ndarray, s: np.ndarray, q: np.ndarray,
            pct: bool = False) -> tuple[np.ndarray, np.ndarray, tuple, np.ndarray]:
    """At the answers (s, q) (index arrays of one shape): "question_id,", "answer", the expected
    values (_expected) and "verdict,score,points,diagnosis,\n", each an object array of that
    shape; pct: with each "%" doubled (for a %-format)."""
    j, g = gr.judged, gr.group
    qcells = np.array([_pct(cell(x) + ",", pct) for x in g.qids], dtype=object)
    k = gr.kidx[s]
    pinv, puniq = factorize(np.ascontiguousarray(g.points, dtype=np.float64).view(np.int64))
    V, D = len(VERDICTS), len(j.codes) + 1
    code = (pinv.reshape(g.points.shape)[k, q] * V + j.verdict[s, q]) * D + (j.diagnosis[s, q] + 1)
    inv, uniq = factorize(code)
    rests = []
    for c in uniq.tolist():
        c, d = divmod(c, D)
        pi, v = divmod(c, V)
        p = float(puniq[pi:pi + 1].view(np.float64)[0])
        few = d and j.codes[d - 1] == TOO_FEW  # the keys' policy (exgen.acceptance), as judge_group scored
        score = (j.fewer_credit * p if few else p) if v == CORRECT else j.carried_credit * p if v == CARRIED else 0.0
        rests.append(_pct(f"{VERDICTS[v]},{score:g},{p:g},{j.codes[d - 1] if d else ''},\n", pct))
    return (np.broadcast_to(qcells[q], code.shape), ans[gr.acode[s, q]], _expected(gr, k, q),
            np.array(rests + [""], dtype=object)[inv].reshape(code.shape))


def _pct(s: str, double: bool) -> str:
    return s.replace("%", "%%") if double else s


def _pieces(gr: GroupResult, cc: float, cells: dict) -> tuple[list, int, list | None, np.ndarray | None]:
    """The group's answers.csv lines as (pieces, n, floats, at): n pieces per line, in line order.
    When few lines differ in more than the student: "student_id" and the rest of the line
    (",question_id,answer,expected,verdict,...,carried\n"), each distinct rest made once (_shared), and
    floats, at None. Else 5 pieces: "student_id,", "question_id,", "answer", ",%.12g," (or
    ",text," for an expected value written as text) and "verdict,...,carried\n", every "%" in
    them doubled: lines a..b-1 are their join %-formatted with floats[at[a]:at[b]], the expected
    values. The carried value, where ECF applied, ends the last piece."""
    j, g = gr.judged, gr.group
    S, Q = gr.acode.shape
    key = id(gr.texts)
    if key not in cells:  # shared by the groups
        cells[key] = _answer_cells(gr)
    ans, ans_pct = cells[key]
    ids = fields(gr.students)
    K = g.expected.shape[0]
    if DEDUP and DEDUP * K <= S and (shared := _shared(gr, cc, ans, ids)) is not None:
        sids, rests, inv = shared
        out = np.empty((S, Q, 2), dtype=object)  # (a little faster than _interleave for 2 pieces)
        out[:, :, 0] = sids[:, None]
        out[:, :, 1] = rests[inv]
        return out.reshape(-1).tolist(), 2, None, None
    qc, a, (ex, texts), r = _middle(gr, cc, ans_pct, np.arange(S)[:, None], np.arange(Q)[None, :], pct=True)
    isnum = np.ones(S * Q, dtype=bool)
    exp: list | np.ndarray = [",%.12g,"] * (S * Q)  # (S*Q,)
    if texts is not None:
        t = np.flatnonzero(texts.reshape(-1) != None)  # noqa: E711
        exp = np.array(exp, dtype=object)
        exp[t] = ["," + x.replace("%", "%%") + "," for x in texts.reshape(-1)[t].tolist()]
        isnum[t] = False
    at = np.concatenate([[0], np.cumsum(isnum)])  # (S*Q+1,) line -> its first float
    sids = np.array([_pct(s + ",", True) for s in ids], dtype=object)  # (S,)
    return (_interleave([sids, qc[0].tolist() * S if S else [], a, exp, _carried(r.reshape(-1), j.carried)], S, Q), 5,
            ex.reshape(-1)[isnum].tolist(), at)


def _shared(gr: GroupResult, cc: float, ans: np.ndarray, ids: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The lines of a group whose lines mostly differ only in the student (shared keys), as
    (sids, rests, inv): the student_id cell of each student (S,), each distinct rest of line
    (",question_id,answer,expected,verdict,...,carried\n") once (U,) and the rest of each line as
    an index into rests (S, Q); None when more than 1/DEDUP of the lines have rests of their own.
    ans: _answer_cells (no "%" doubled). A line with a carried value (ECF) is its line's rest with
    that value in place of the "\n"; each distinct pair made once."""
    j, g = gr.judged, gr.group
    S, Q = gr.acode.shape
    KQ, V, D = g.expected.size, len(VERDICTS), len(j.codes) + 1
    code = (((gr.acode + 1) * KQ + gr.kidx[:, None] * Q + np.arange(Q)) * V + j.verdict) * D + (j.diagnosis + 1)
    inv, uniq = factorize(code, few=True)  # (S*Q,)
    if DEDUP * len(uniq) > S * Q:
        return None
    first = np.empty(len(uniq), dtype=np.int64)
    first[inv[::-1]] = np.arange(S * Q - 1, -1, -1)  # the first answer with each rest of line
    qc, a, (ex, texts), r = _middle(gr, cc, ans, first // Q, first % Q)
    e = ex.astype(object) if texts is None else np.where(texts == None, ex, texts)  # noqa: E711
    rests = [(",%s%s,%s,%s" if isinstance(x, str) else ",%s%s,%.12g,%s") % y
             for x, y in zip(e.tolist(), zip(qc.tolist(), a.tolist(), e.tolist(), r.tolist()))]
    carried = j.carried.reshape(-1)  # (S*Q,)
    at = np.flatnonzero(~np.isnan(carried))
    if len(at):  # each distinct (rest, carried value) once: the value's bits (-0.0 is not 0.0)
        cinv, cuniq = factorize(carried[at].view(np.int64))
        pinv, pairs = factorize(inv[at] * len(cuniq) + cinv)
        values = float_texts(cuniq.view(np.float64), "\n")[pairs % len(cuniq)].tolist()
        rests += [rests[i][:-1] + v for i, v in zip((pairs // len(cuniq)).tolist(), values)]
        inv[at] = len(uniq) + pinv
    return np.array(ids, dtype=object), np.array(rests, dtype=object), inv.reshape(S, Q)


def _carried(last: np.ndarray, carried: np.ndarray) -> np.ndarray:
    """The lines' last pieces (S*Q,), a new object array, with each line's carried value (NaN: none)
    in place of its final "\n" (ECF applied: the value ends the line)."""
    at = np.flatnonzero(~np.isnan(carried.reshape(-1)))
    if len(at):
        last[at] = [r[:-1] + c for r, c in zip(last[at].tolist(), float_texts(carried.reshape(-1)[at], "\n").tolist())]
    return last


def _interleave(cols: list, S: int, Q: int) -> list:
    """The lines' pieces in order: piece 0 of line (s, q) from cols[0] (S,) (the student's), piece
    i from cols[i] (a list of S*Q, or an array of S*Q or (S, Q)); one list slice assignment per piece."""
    n = len(cols)
    flat: list = [None] * (S * Q * n)
    flat[0::n] = np.repeat(cols[0], Q).tolist()
    for i, c in enumerate(cols[1:], 1):
        flat[i::n] = c if isinstance(c, list) else np.ravel(c).tolist()
    return flat


def _lines(flat: list, n: int, floats: list | None, at: np.ndarray | None, a: int, b: int) -> str:
    """Lines a..b-1 as written, from _pieces' (pieces, n, floats, at)."""
    text = "".join(flat[a * n:b * n])
    return text if floats is None or at is None else text % tuple(floats[at[a]:at[b]])


def write_answers(res: GradeResult, path: Path) -> None:
    cells: dict = {}
    shared = _shared_chunks(res) if len(res.groups) == 1 else None
    per = [] if shared is not None else [_pieces(gr, res.carried_credit, cells) for gr in res.groups]
    if shared is not None:
        chunks = shared
    elif len(per) == 1:  # the students' lines in order, a chunk at a time
        flat, n, floats, at = per[0]
        L = len(flat) // n
        chunks = (_lines(flat, n, floats, at, a, min(a + CHUNK, L)) for a in range(0, L, CHUNK))
    else:  # groups of different lengths: each student's lines, then taken in order
        blocks = []
        for (f, n, floats, at), gr in zip(per, res.groups):
            Q = gr.acode.shape[1]
            blocks.append([_lines(f, n, floats, at, a, a + Q) for a in range(0, len(f) // n, Q)] if Q
                          else [""] * len(gr.students))
        gi, r = res.order
        flat = [blocks[g][i] for g, i in zip(gi.tolist(), r.tolist())]
        chunks = ("".join(flat[i:i + 256]) for i in range(0, len(flat), 256))
    write_chunks(path, header_line(ANSWER_COLUMNS), chunks)


CHUNK = 1 << 14  # lines of answers.csv made at a time


def _shared_chunks(res: GradeResult) -> Iterator[str] | None:
    """answers.csv's lines of one group with shared keys (_shared), a chunk of students at a time
    (the pieces of a chunk only: they stay in cache); None when _pieces' other way is the one."""
    gr = res.groups[0]
    S, Q = gr.acode.shape
    if not (DEDUP and Q and DEDUP * gr.group.expected.shape[0] <= S):
        return None
    shared = _shared(gr, res.carried_credit, _answer_cells(gr)[0], fields(gr.students))
    if shared is None:
        return None
    sids, rests, inv = shared
    step = max(1, CHUNK // Q)
    buf = np.empty((min(step, S), Q, 2), dtype=object)  # one buffer for every chunk (no fresh pages each time)

    def chunk(a: int, b: int) -> str:
        out = buf[:b - a]  # students a..b-1: student_id, rest of line
        out[:, :, 0] = sids[a:b, None]
        out[:, :, 1] = rests[inv[a:b]]
        return "".join(out.reshape(-1).tolist())
    return (chunk(a, min(a + step, S)) for a in range(0, S, step))


def question_order(res: GradeResult) -> list[str]:
    seen: dict[str, None] = {}
    for gr in res.groups:
        for q in gr.group.qids:
            seen.setdefault(q, None)
    return list(seen)


def write_grades(res: GradeResult, out: Path, exam: str) -> None:
    """grades.csv: a line per student: id, total, maximum, percent and the score of each question
    ("" where the student's key has none); the totals and the scores in blocks of a few cells,
    each distinct block formatted once (csvcells.cell_rows)."""
    qids = question_order(res)
    col = {q: i for i, q in enumerate(qids)}
    tot, mx = res.all_totals()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(mx != 0, 100 * tot / mx, 0.0)
    S, Q = len(res.students), len(qids)
    gi, r = res.order
    has: np.ndarray | None = None  # (S, Q) where a student has a score: everywhere with one group
    if len(res.groups) == 1:  # (its questions are qids, in order)
        j = res.groups[0].judged
        score = j.score if np.array_equal(r, np.arange(len(j.score))) else j.score[r]  # (S, Q)
    else:
        score, has = np.zeros((S, Q)), np.zeros((S, Q), dtype=bool)
        for g, gr in enumerate(res.groups):
            at = np.ix_(np.flatnonzero(gi == g), np.array([col[q] for q in gr.group.qids], dtype=np.int64))
            score[at], has[at] = gr.judged.score[r[at[0][:, 0]]], True
    lead = np.concatenate([cell_rows(np.stack([tot, mx], axis=1), "{:g}", end=","),
                           cell_rows(pct[:, None], "{:.2f}", end="," if Q else "\n")], axis=1)  # (S, 2)
    pieces = np.concatenate([np.array([s + "," for s in fields(res.students)], dtype=object).reshape(S, 1),
                             lead, cell_rows(score, "{:g}", has)], axis=1)  # (S, 3 + blocks)
    write_chunks(out / "grades.csv", header_line(["student_id", "total", "maximum", "percent"] + qids),
                 chunks_of(pieces.ravel().tolist()))
    # the LMS gradebooks (grades_canvas.csv, ...): exgen.lms.writeback, from outputs.write_outputs


