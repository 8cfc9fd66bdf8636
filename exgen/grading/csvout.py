"""answers.csv and grades.csv, built column by column (the LMS gradebooks: exgen.lms.writeback).

Every distinct cell text is formatted once (a verdict with its score, an answer as typed, a
student id) and gathered with numpy; the file is joined a chunk of lines at a time. When few
lines differ in more than the student (shared keys), each distinct rest of line is made once;
otherwise (distinct keys) the lines are made as byte records (exgen.grading.csvrecords: no
Python object per line; the expected values' "%.12g" as the key index stores it, if it does).
The bytes are those of `csv.writer` after `exgen.escape.safe_cell` (exgen.grading.csvcells).
"""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from exgen.core.shapes import text as shape_text
from exgen.acceptance import TOO_FEW
from exgen.grading.csvcells import (answer_cells, cell, cell_rows, factorize, field, fields, float_texts,  # noqa: F401 (field: tests)
                                 header_line, chunks_of, write_chunks)
from exgen.grading.csvrecords import Lines, Pool
from exgen.grading.grade import GradeResult, GroupResult
from exgen.grading.judge import CARRIED, CORRECT, VERDICTS
from exgen.grading.numbers import OK

ANSWER_COLUMNS = ["student_id", "question_id", "answer", "expected", "verdict", "score", "points",
                  "diagnosis", "carried_expected"]


def _answer_texts(gr: GroupResult) -> tuple[list[str], tuple[bytes, np.ndarray] | None]:
    """The cells of the answer texts, stripped, with one more, "", last (for acode -1), and
    those cells' bytes for the byte records (csvcells.answer_cells; numbers are not neutralised).
    The one pass over the texts for both ways of writing lines: _answer_cells (shared keys) and
    the byte records' pool (distinct keys)."""
    return answer_cells(gr.texts, None if gr.tstatus is None else gr.tstatus == OK)


def _answer_cells(texts: list[str]) -> np.ndarray:
    """_answer_texts' cells as an object array (m + 1,) (shared keys index it with acode)."""
    return np.fromiter(texts, dtype=object, count=len(texts))


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


def _middle(gr: GroupResult, ans: np.ndarray, s: np.ndarray,
            q: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple, np.ndarray]:
    """At the answers (s, q) (index arrays of one shape): "question_id,", "answer", the expected
    values (_expected) and "verdict,score,points,diagnosis,", each an object array of that shape."""
    qcells = np.array([cell(x) + "," for x in gr.group.qids], dtype=object)
    inv, rests = _rests(gr, s, q)
    return (np.broadcast_to(qcells[q], inv.shape), ans[gr.acode[s, q]], _expected(gr, gr.kidx[s], q),
            np.array(rests + [""], dtype=object)[inv])


def _rests(gr: GroupResult, s: np.ndarray | None = None, q: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """At the answers (s, q) (index arrays of one shape; None: all of them, (S, Q)): the code of
    each one's "verdict,score,points,diagnosis," (that shape), and these texts."""
    j, g = gr.judged, gr.group
    pinv, puniq = factorize(np.ascontiguousarray(g.points, dtype=np.float64).view(np.int64))
    pinv = pinv.reshape(g.points.shape)  # (K, Q)
    V, D = len(VERDICTS), len(j.codes) + 1
    if s is None or q is None:  # every answer: rows of the arrays, not an element at a time
        own = len(pinv) == len(gr.kidx) and np.array_equal(gr.kidx, np.arange(len(pinv)))  # student s has key s
        code = ((pinv if own else pinv[gr.kidx]) * V + j.verdict) * D + (j.diagnosis + 1)  # (S, Q)
    else:
        code = (pinv[gr.kidx[s], q] * V + j.verdict[s, q]) * D + (j.diagnosis[s, q] + 1)
    inv, uniq = factorize(code)
    rests = []
    for c in uniq.tolist():
        c, d = divmod(c, D)
        pi, v = divmod(c, V)
        p = float(puniq[pi:pi + 1].view(np.float64)[0])
        few = d and j.codes[d - 1] == TOO_FEW  # the keys' policy (exgen.acceptance), as judge_group scored
        score = (j.fewer_credit * p if few else p) if v == CORRECT else j.carried_credit * p if v == CARRIED else 0.0
        rests.append(f"{VERDICTS[v]},{score:g},{p:g},{j.codes[d - 1] if d else ''},")
    return inv.reshape(code.shape), rests


def _shared_of(gr: GroupResult, cells: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """_shared of the group when its keys are shared (each used by DEDUP students or more) and
    few lines differ in more than the student; else None (its lines: _distinct)."""
    if not (DEDUP and DEDUP * gr.group.expected.shape[0] <= gr.acode.shape[0]):
        return None
    return _shared(gr, _cells(gr, cells), fields(gr.students))


def _texts(gr: GroupResult, cells: dict) -> tuple[list[str], tuple[bytes, np.ndarray] | None]:
    """_answer_texts of the group's texts (shared by the groups: made once, kept in `cells`)."""
    if (id(gr.texts), "texts") not in cells:
        cells[id(gr.texts), "texts"] = _answer_texts(gr)
    return cells[id(gr.texts), "texts"]


def _cells(gr: GroupResult, cells: dict) -> np.ndarray:
    """_answer_cells of the group's texts (made once, kept in `cells`)."""
    if (id(gr.texts), "cells") not in cells:
        cells[id(gr.texts), "cells"] = _answer_cells(_texts(gr, cells)[0])
    return cells[id(gr.texts), "cells"]


def _distinct(gr: GroupResult, cells: dict) -> Lines:
    """The group's answers.csv lines as byte records (grading.csvrecords), when lines differ in
    more than the student (distinct keys: _shared_of gives None). The answers' cells and their
    records (a Pool, from their bytes) are made in a second thread while this one makes the rests
    of line (most of the first is NumPy, which releases the GIL); Lines waits for them last."""
    g, j = gr.group, gr.judged
    S, Q = gr.acode.shape
    q = np.arange(Q)[None, :]
    with ThreadPoolExecutor(1) as pool:
        if (id(gr.texts), "pool") not in cells:  # the answers' cells and records made while the rest is
            cells[id(gr.texts), "pool"] = pool.submit(lambda: Pool(*_texts(gr, cells)))  # (mostly NumPy: no GIL)
        rcode, rests = _rests(gr)
        ex, texts = _expected(gr, gr.kidx[:, None], q)
        return Lines(fields(gr.students), [cell(x) for x in g.qids], cells[id(gr.texts), "pool"], gr.acode, rests,
                     rcode, np.broadcast_to(ex, (S, Q)), texts, j.carried, gr.kidx, g.expected_text)


def _shared(gr: GroupResult, ans: np.ndarray, ids: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
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
    some = np.empty(len(uniq), dtype=np.int64)
    some[inv] = np.arange(S * Q)  # an answer with each rest of line (its code says all the rest holds)
    qc, a, (ex, texts), r = _middle(gr, ans, some // Q, some % Q)
    e = ex.astype(object) if texts is None else np.where(texts == None, ex, texts)  # noqa: E711
    core = np.array([(",%s%s,%s,%s" if isinstance(x, str) else ",%s%s,%.12g,%s") % y  # (U,) without the "\n"
                     for x, y in zip(e.tolist(), zip(qc.tolist(), a.tolist(), e.tolist(), r.tolist()))], dtype=object)
    rests = core + "\n"  # (U,) (object arrays: str + str in a C loop)
    carried = j.carried.reshape(-1)  # (S*Q,)
    at = np.flatnonzero(~np.isnan(carried))
    if len(at):  # each distinct (rest, carried value) once: the value's bits (-0.0 is not 0.0)
        cinv, cuniq = factorize(carried[at].view(np.int64))
        pinv, pairs = factorize(inv[at] * len(cuniq) + cinv)
        values = float_texts(cuniq.view(np.float64), "\n")[pairs % len(cuniq)]  # (P,)
        rests = np.concatenate([rests, core[pairs // len(cuniq)] + values])
        inv[at] = len(uniq) + pinv
    return np.array(ids, dtype=object), rests, inv.reshape(S, Q)


def write_answers(res: GradeResult, path: Path) -> None:
    cells: dict = {}
    per: list = []  # each group's lines: _shared's (sids, rests, inv), or byte records (_distinct)
    for gr in res.groups:
        shared = _shared_of(gr, cells)
        per.append(_distinct(gr, cells) if shared is None else shared)
    if len(per) == 1:  # the students' lines in order, a chunk at a time
        p = per[0]
        chunks = p.blocks(0, CHUNK) if isinstance(p, Lines) else _shared_chunks(p[0], p[1], p[2])
    else:  # groups of different lengths: each student's lines, then taken in order
        blocks = []
        for p, gr in zip(per, res.groups):
            Q = gr.acode.shape[1]
            blocks.append([""] * len(gr.students) if not Q else [t.decode("utf-8") for t in p.blocks(Q, CHUNK)] if isinstance(p, Lines)
                          else _student_lines(p[0], p[1], p[2]))
        gi, r = res.order
        flat = [blocks[g][i] for g, i in zip(gi.tolist(), r.tolist())]
        chunks = ("".join(flat[i:i + 256]) for i in range(0, len(flat), 256))
    write_chunks(path, header_line(ANSWER_COLUMNS), chunks)


CHUNK = 1 << 14  # lines of answers.csv made at a time


def _shared_chunks(sids: np.ndarray, rests: np.ndarray, inv: np.ndarray) -> Iterator[str]:
    """The lines of _shared's (sids, rests, inv), a chunk of students at a time, joined; one
    buffer for every chunk (its pieces stay in cache)."""
    S, Q = inv.shape
    step = max(1, CHUNK // max(Q, 1))
    buf = np.empty((min(step, S), Q, 2), dtype=object)
    for a in range(0, S, step):
        out = buf[:min(a + step, S) - a]  # students a..: student_id, rest of line
        out[:, :, 0] = sids[a:a + step, None]
        out[:, :, 1] = rests[inv[a:a + step]]
        yield "".join(out.reshape(-1).tolist())


def _student_lines(sids: np.ndarray, rests: np.ndarray, inv: np.ndarray) -> list[str]:
    """Each student's lines of _shared's (sids, rests, inv), joined (S,)."""
    S, Q = inv.shape
    out = np.empty((S, Q, 2), dtype=object)
    out[:, :, 0] = sids[:, None]
    out[:, :, 1] = rests[inv]
    flat = out.reshape(-1).tolist()
    return ["".join(flat[a:a + 2 * Q]) for a in range(0, len(flat), 2 * Q)]


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
    pieces = np.concatenate([(np.array(fields(res.students), dtype=object) + ",").reshape(S, 1),
                             lead, cell_rows(score, "{:g}", has)], axis=1)  # (S, 3 + blocks)
    write_chunks(out / "grades.csv", header_line(["student_id", "total", "maximum", "percent"] + qids),
                 chunks_of(pieces.ravel().tolist()))
    # the LMS gradebooks (grades_canvas.csv, ...): exgen.lms.writeback, from outputs.write_outputs


