"""Grade a whole class: submissions (long form) x keys -> verdict matrices, plus the issues found
on the way (unknown students or questions, duplicates, missing submissions), by file line."""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from exgen.grading.choose import choose
from exgen.grading.judge import VERDICTS, Judged, Verdict, judge_group, verdicts_of
from exgen.grading import shapes
from exgen.grading.keys import Group, Prepared
from exgen.grading.numbers import MISSING, parse_many
from exgen.grading.read import Issue, Submissions, no_gc


@dataclass
class GroupResult:
    group: Group
    students: list[str]  # sorted
    acode: np.ndarray  # (S, Q) code into texts of the answer, -1 where there is none
    texts: list[str]  # distinct answer texts
    vals: np.ndarray  # (S, Q)
    judged: Judged
    kidx: np.ndarray  # (S,) each student's key within the group
    tstatus: np.ndarray | None = None  # parse status (numbers.OK, ...) of each distinct text

    def __repr__(self) -> str:
        return f"GroupResult(students={len(self.students)}, questions={len(self.group.qids)}, keys={len(self.group.keys)})"

    def raw(self, s: int) -> list[str | None]:
        """Student s's answers as typed, None where there is none."""
        return [self.texts[c] if c >= 0 else None for c in self.acode[s]]


@dataclass
class GradeResult:
    groups: list[GroupResult]
    issues: list[Issue]
    carried_credit: float
    students: list[str]  # every student with a key, sorted
    order: tuple[np.ndarray, np.ndarray]  # (group, row) of every student, in `students` order
    attempts: str = ""  # which rule chose among repeated attempts, and how many it superseded
    notes: list[str] = field(default_factory=list)  # summary lines: the LMS layout, what the gradebooks miss

    def __repr__(self) -> str:
        """A summary, not the arrays (a class of 40,000 students prints in one line)."""
        questions = len({q for gr in self.groups for q in gr.group.qids})
        return (f"GradeResult(students={len(self.students)}, questions={questions}, groups={len(self.groups)}, "
                f"counts={self.counts()}, issues={len(self.issues)}, carried_credit={self.carried_credit})")

    @functools.cached_property
    def where(self) -> dict[str, tuple[int, int]]:
        """student -> (group, row), made when first asked for (a student's verdicts, key, totals)."""
        return dict(zip(self.students, zip(self.order[0].tolist(), self.order[1].tolist())))

    def all_totals(self) -> tuple[np.ndarray, np.ndarray]:
        """(total, maximum) of every student, in `students` order (as `totals`); copies of the
        arrays summed once (grades.csv, the gradebooks and the summary each ask)."""
        tot, mx = self._all_totals
        return tot.copy(), mx.copy()

    @functools.cached_property
    def _all_totals(self) -> tuple[np.ndarray, np.ndarray]:
        gi, r = self.order
        tot, mx = np.zeros(len(gi)), np.zeros(len(gi))
        for g, gr in enumerate(self.groups):
            m = gi == g
            tot[m] = gr.judged.score.sum(axis=1)[r[m]]
            mx[m] = gr.judged.points.sum(axis=1)[r[m]]
        return tot, mx

    def verdicts(self, student_id: str) -> list[Verdict]:
        gi, s = self.where[student_id]
        gr = self.groups[gi]
        return verdicts_of(gr.group.qids, gr.raw(s), gr.vals[s], gr.judged, s)

    def key(self, student_id: str) -> dict:
        gi, row = self.key_at(student_id)
        return self.groups[gi].group.keys[row]

    def key_at(self, student_id: str) -> tuple[int, int]:
        """Where the student's key is: (group, its row in the group's keys)."""
        gi, s = self.where[student_id]
        return gi, int(self.groups[gi].kidx[s])

    def totals(self, student_id: str) -> tuple[float, float]:
        gi, s = self.where[student_id]
        j = self.groups[gi].judged
        return float(j.score[s].sum()), float(j.points[s].sum())

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(VERDICTS, 0)
        for gr in self.groups:
            for v, name in enumerate(VERDICTS):  # a compare per verdict: 3x a bincount of the int8 codes
                out[name] += int(np.count_nonzero(gr.judged.verdict == v))
        return out


def _judge(g: Group, kidx: np.ndarray, V: np.ndarray, ST: np.ndarray, carried_credit: float | None,
           A: np.ndarray, texts: list[str]) -> Judged:
    """judge_group, then the group's shape questions on their own path (grading.shapes); A: each
    answer's code into `texts`, -1 where there is none."""
    j = judge_group(g, kidx, V, ST, carried_credit)
    if g.shape_cols:
        raw = [[texts[c] if c >= 0 else None for c in A[s, g.shape_cols]] for s in range(len(kidx))]
        shapes.judge(g, kidx, raw, j)
    return j


def grade_submissions(sub: Submissions, keys: Mapping[str, dict], *, carried_credit: float | None = None,
                      prepared: Prepared | None = None, attempt: str = "latest") -> GradeResult:
    """Judge every answer of `sub` against the key of its student (`keys[student_id]`); of a
    student's repeated attempts the one `attempt` picks counts (latest, first, best).
    `carried_credit`: None for the keys' acceptance policy (exgen.acceptance; 0.5 without one)."""
    with no_gc():
        return _grade(sub, keys, carried_credit, prepared, attempt)


def _key_positions(prep: Prepared, keys: Mapping[str, dict], names: list[str]) -> np.ndarray:
    """(group, k) of the key of each student in `names`, looked up once per distinct key."""
    ids = np.fromiter(map(id, map(keys.__getitem__, names)), dtype=np.uint64, count=len(names))
    uniq, inv = np.unique(ids, return_inverse=True)
    pos = np.array([prep.key_pos[int(i)] for i in uniq.tolist()], dtype=np.int64).reshape(-1, 2)
    return pos[inv.reshape(-1)]


def _codes_of(U: list[str], names: list[str]) -> np.ndarray:
    """Position of each of `names` in U (the last one, if U repeats it), -1 where it is not."""
    import pandas as pd
    index = pd.Index(U, dtype=object)
    if index.is_unique:
        return index.get_indexer(pd.Index(names, dtype=object)).astype(np.int64)
    sid_code = dict(zip(U, range(len(U))))
    return np.array([sid_code.get(s, -1) for s in names], dtype=np.int64)


def _grade(sub: Submissions, keys: Mapping[str, dict], carried_credit: float | None, prepared: Prepared | None,
           attempt: str = "latest") -> GradeResult:
    indexed = getattr(keys, "prepared", None)  # keyindex.IndexedKeys: grouped already, sorted ids
    prep = indexed or prepared or Prepared()
    if indexed is None:
        prep.add(list(keys.values()))
    issues: list[Issue] = list(sub.issues)  # found while reading (rows with too many fields)
    sc, qc, U = sub.sid, sub.qid, sub.sids
    G = len(prep.groups)
    if indexed is not None:
        names, kpos = list(keys.sids), keys.pos  # type: ignore[attr-defined]
    else:
        names = sorted(keys)  # every student with a key
        kpos = _key_positions(prep, keys, names)
    code_of = _codes_of(U, names)  # -1: no submission
    has = code_of >= 0
    stu_group = np.full(max(len(U), 1), -1, dtype=np.int64)
    stu_group[code_of[has]] = kpos[has, 0]
    qmaps = np.full((G + 1, max(len(sub.qids), 1)), -1, dtype=np.int64)  # the last row (group -1): none
    qcode = {q: i for i, q in enumerate(sub.qids)}
    for gi, g in enumerate(prep.groups):
        for qid, i in g.qindex.items():
            if qid in qcode:
                qmaps[gi, qcode[qid]] = i
    rg = stu_group[sc]  # (n,) each row's group, -1: none
    lq = qmaps[rg, qc]  # (n,) its question's place in the group's, -1: none
    unknown = np.flatnonzero(rg < 0)
    alike = _alike(names) if unknown.size else {}
    changed: dict[str, str] = {}  # unknown id -> the key id it may have been before a spreadsheet
    for i in unknown:
        s, q = U[sc[i]], sub.qids[qc[i]]
        hint = ""
        if s and _fold(s) in alike:
            changed[s] = alike[_fold(s)]
            hint = f" (there is a key of {changed[s]!r}: ids are compared exactly, and a spreadsheet may " \
                "drop leading zeros or change case)"
        issues.append(Issue(int(sub.lines[i]), "no_id" if not s else "unknown_student", s, q,
                            "row without a student id" if not s else f"no answer key for student {s!r}{hint}; row ignored"))
    for i in np.flatnonzero((rg >= 0) & (lq < 0)):
        s, q = U[sc[i]], sub.qids[qc[i]]
        issues.append(Issue(int(sub.lines[i]), "unknown_question", s, q,
                            f"the key of {s} has no question {q!r}; answer ignored"))
    tvals, tstatus = parse_many(sub.texts)  # each distinct text once
    stu_k = np.full(max(len(U), 1), -1, dtype=np.int64)
    stu_k[code_of[has]] = kpos[has, 1]
    tv, ts = np.append(tvals, np.nan), np.append(tstatus, MISSING).astype(np.int8)  # [-1]: no answer

    def totals(e: np.ndarray, att: np.ndarray) -> np.ndarray:
        """Total score of each attempt (answers `e`, attempt ids `att`): for attempt="best"."""
        out = np.zeros(int(att.max()) + 1 if len(att) else 0)
        for gi, g in enumerate(prep.groups):
            m = rg[e] == gi
            if not m.any():
                continue
            ua, ai = np.unique(att[m], return_inverse=True)
            A = np.full((len(ua), len(g.qids)), -1, dtype=np.intp)
            A[ai, lq[e[m]]] = sub.ans[e[m]]
            kk = np.zeros(len(ua), dtype=np.int64)
            kk[ai] = stu_k[sc[e[m]]]
            out[ua] = _judge(g, kk, tv[A], ts[A], carried_credit, A, sub.texts).score.sum(axis=1)
        return out

    winners, note = choose(sub, np.flatnonzero(lq >= 0), issues, attempt, totals)
    every = len(winners) == len(sc)  # (winners: sorted, distinct) every row counts: no gathers
    # (n,) of each answer that counts: its code into sub.texts, student and question
    codes, sw, lw = (sub.ans, sc, lq) if every else (sub.ans[winners], sc[winners], lq[winners])
    rw = (rg if every else rg[winners]) if G > 1 else None  # ... and its group (one group: every answer is in it)

    groups: list[GroupResult] = []
    stu_row = np.full(max(len(U), 1), -1, dtype=np.int64)
    order = (np.zeros(len(names), dtype=np.int64), np.zeros(len(names), dtype=np.int64))
    for gi, g in enumerate(prep.groups):
        members = np.flatnonzero(kpos[:, 0] == gi)  # sorted by student id
        if not len(members):
            continue
        sids = [names[i] for i in members]
        order[0][members], order[1][members] = len(groups), np.arange(len(members))
        issues += [Issue(None, "no_submission", names[i], "", "has an answer key but no submission; graded as missing")
                   for i in members[code_of[members] < 0]]
        sub_m = members[code_of[members] >= 0]
        stu_row[code_of[sub_m]] = np.flatnonzero(code_of[members] >= 0)
        S, Q = len(sids), len(g.qids)
        A = np.full((S, Q), -1, dtype=np.intp)  # (S, Q) code of each answer into sub.texts
        m = slice(None) if rw is None else rw == gi
        A.reshape(-1)[stu_row[sw[m]] * Q + lw[m]] = codes[m]
        V = tv[A]  # (S, Q)
        kidx = kpos[members, 1]
        groups.append(GroupResult(g, sids, A, sub.texts, V, _judge(g, kidx, V, ts[A], carried_credit, A, sub.texts),
                                  kidx, tstatus))
    issues.sort(key=lambda x: (x.line is None, x.line or 0, x.student_id, x.question_id))
    cc = carried_credit if carried_credit is not None else \
        groups[0].judged.carried_credit if groups else 0.5  # the keys' policy (one per exam)
    notes = [_changed_note(changed)] if changed else []
    return GradeResult(groups, issues, cc, names, order, note, notes)


def _changed_note(changed: dict[str, str]) -> str:
    s, k = next(iter(changed.items()))
    n = len(changed)
    return (f"Ids: {n} unknown student id{'s' * (n != 1)} {'are' if n != 1 else 'is'} a key's id but for leading "
            f"zeros or case (e.g. {s!r} for {k!r}): a spreadsheet may have changed {'them' if n != 1 else 'it'}; "
            "ids are compared exactly: fix them in the file (see issues.csv).")


def _fold(sid: str) -> str:
    """An id as a spreadsheet may have changed it: lower case, a number without leading zeros."""
    return (sid.lstrip("0") or "0") if sid.isdigit() else sid.lower()


def _alike(names) -> dict[str, str]:
    """The key ids by their folded form (_fold), for the hint of an unknown student."""
    return {_fold(n): n for n in names}
