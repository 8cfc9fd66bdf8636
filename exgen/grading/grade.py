"""Grade a whole class: submissions (long form) x keys -> verdict matrices, plus the issues found
on the way (unknown students or questions, duplicates, missing submissions), by file line."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .judge import VERDICTS, Judged, Verdict, judge_group, verdicts_of
from .keys import Group, Prepared
from .numbers import MISSING, parse_many
from .read import Issue, Submissions, no_gc


@dataclass
class GroupResult:
    group: Group
    students: list[str]  # sorted
    raw: np.ndarray  # (S, Q) object: the answer text or None
    vals: np.ndarray  # (S, Q)
    judged: Judged
    kidx: np.ndarray  # (S,) each student's key within the group


@dataclass
class GradeResult:
    groups: list[GroupResult]
    issues: list[Issue]
    carried_credit: float
    where: dict[str, tuple[int, int]] = field(default_factory=dict)  # student -> (group, row)

    @property
    def students(self) -> list[str]:
        return sorted(self.where)

    def verdicts(self, student_id: str) -> list[Verdict]:
        gi, s = self.where[student_id]
        gr = self.groups[gi]
        return verdicts_of(gr.group.qids, list(gr.raw[s]), gr.vals[s], gr.judged, s)

    def key(self, student_id: str) -> dict:
        gi, s = self.where[student_id]
        gr = self.groups[gi]
        return gr.group.keys[gr.kidx[s]]

    def totals(self, student_id: str) -> tuple[float, float]:
        gi, s = self.where[student_id]
        j = self.groups[gi].judged
        return float(j.score[s].sum()), float(j.points[s].sum())

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(VERDICTS, 0)
        for gr in self.groups:
            for v, n in zip(*np.unique(gr.judged.verdict, return_counts=True)):
                out[VERDICTS[v]] += int(n)
        return out


def _codes(items: list[str]) -> tuple[np.ndarray, dict[str, int]]:
    table = {k: i for i, k in enumerate(dict.fromkeys(items))}
    return np.fromiter(map(table.__getitem__, items), dtype=np.int64, count=len(items)), table


def grade_submissions(sub: Submissions, keys: dict[str, dict], *, carried_credit: float = 0.5,
                      prepared: Prepared | None = None) -> GradeResult:
    """Judge every answer of `sub` against the key of its student (`keys[student_id]`)."""
    with no_gc():
        return _grade(sub, keys, carried_credit, prepared)


def _grade(sub: Submissions, keys: dict[str, dict], carried_credit: float, prepared: Prepared | None) -> GradeResult:
    prep = prepared or Prepared()
    prep.add(list(keys.values()))
    issues: list[Issue] = []
    n = len(sub.answers)
    sc, scode = _codes(sub.student_ids)
    qc, qcode = _codes(sub.question_ids)
    U = list(scode)
    G = len(prep.groups)
    stu_group = np.array([prep.key_pos[id(keys[s])][0] if s in keys else -1 for s in U] or [0], dtype=np.int64)
    qmaps = np.full((max(G, 1), max(len(qcode), 1)), -1, dtype=np.int64)
    for gi, g in enumerate(prep.groups):
        for qid, i in g.qindex.items():
            if qid in qcode:
                qmaps[gi, qcode[qid]] = i
    rg = stu_group[sc] if n else np.zeros(0, dtype=np.int64)
    lq = np.where(rg >= 0, qmaps[np.maximum(rg, 0), qc], -1) if n else rg
    for i in np.flatnonzero(rg < 0):
        s = sub.student_ids[i]
        issues.append(Issue(sub.lines[i], "no_id" if not s else "unknown_student", s, sub.question_ids[i],
                            "row without a student id" if not s else f"no answer key for student {s!r}; row ignored"))
    for i in np.flatnonzero((rg >= 0) & (lq < 0)):
        issues.append(Issue(sub.lines[i], "unknown_question", sub.student_ids[i], sub.question_ids[i],
                            f"the key of {sub.student_ids[i]} has no question {sub.question_ids[i]!r}; answer ignored"))
    vidx = np.flatnonzero(lq >= 0)
    flat = sc[vidx] * max(len(qcode), 1) + qc[vidx]
    uniq, inv = np.unique(flat, return_inverse=True)
    last = np.full(len(uniq), -1, dtype=np.int64)
    np.maximum.at(last, inv, vidx)  # the last row of each (student, question) counts
    for i in vidx[vidx != last[inv]]:
        w = last[inv[np.searchsorted(vidx, i)]]
        issues.append(Issue(sub.lines[i], "duplicate", sub.student_ids[i], sub.question_ids[i],
                            f"superseded by the answer on line {sub.lines[w]} (the last one counts)"))
    winners = np.sort(last)
    texts = [sub.answers[i] for i in winners]
    vals, status = parse_many(["" if t is None else t for t in texts])

    groups: list[GroupResult] = []
    where: dict[str, tuple[int, int]] = {}
    stu_row = np.full(max(len(U), 1), -1, dtype=np.int64)
    submitted = set(U)
    for gi, g in enumerate(prep.groups):
        sids = sorted(s for s in keys if prep.key_pos[id(keys[s])][0] == gi)
        if not sids:
            continue
        for r, s in enumerate(sids):
            where[s] = (len(groups), r)
            if s in scode:
                stu_row[scode[s]] = r
            if s not in submitted:
                issues.append(Issue(None, "no_submission", s, "", "has an answer key but no submission; graded as missing"))
        S, Q = len(sids), len(g.qids)
        V, ST = np.full((S, Q), np.nan), np.full((S, Q), MISSING, dtype=np.int8)
        raw = np.full((S, Q), None, dtype=object)
        m = rg[winners] == gi
        rows, cols = stu_row[sc[winners[m]]], lq[winners[m]]
        V[rows, cols], ST[rows, cols] = vals[m], status[m]
        raw[rows, cols] = np.array(texts, dtype=object)[m] if len(texts) else []
        kidx = np.array([prep.key_pos[id(keys[s])][1] for s in sids], dtype=np.int64)
        groups.append(GroupResult(g, sids, raw, V, judge_group(g, kidx, V, ST, carried_credit), kidx))
    issues.sort(key=lambda x: (x.line is None, x.line or 0, x.student_id, x.question_id))
    return GradeResult(groups, issues, carried_credit, where)
