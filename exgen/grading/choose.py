"""Which of a student's attempts counts: by the attempt column (`exgen.grading.attempts`) with the
rule latest, first or best (highest total score), or, without such a column, by row order.
Vectorised; nothing is done when no (student, question) repeats."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from exgen.grading.read import Issue, Submissions

Scorer = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (entries, attempt of each) -> total per attempt


def _last_row(sub: Submissions, vidx: np.ndarray, issues: list[Issue]) -> np.ndarray:
    """Rows that count: the last row of each (student, question); earlier ones are issues."""
    nq = max(len(sub.qids), 1)
    every = len(vidx) == len(sub.sid)  # (vidx: sorted rows) every row: no gather
    flat = (sub.sid if every else sub.sid[vidx]) * nq + (sub.qid if every else sub.qid[vidx])
    if not len(flat) or np.bincount(flat).max() <= 1:
        return vidx
    uniq, inv = np.unique(flat, return_inverse=True)
    last = np.full(len(uniq), -1, dtype=np.int64)
    np.maximum.at(last, inv, vidx)
    for i in vidx[vidx != last[inv]]:
        w = last[inv[np.searchsorted(vidx, i)]]
        issues.append(Issue(int(sub.lines[i]), "duplicate", sub.sids[sub.sid[i]], sub.qids[sub.qid[i]],
                            f"superseded by the answer on line {sub.lines[w]} (the last one counts)"))
    return np.sort(last)


def _attempt_ids(sub: Submissions, v: np.ndarray, key: np.ndarray) -> np.ndarray:
    """One id per attempt: a row in the wide layout; (student, attempt value) in the long one."""
    att = sub.attempts
    assert att is not None
    if sub.layout == "wide":
        return np.unique(att.row[v], return_inverse=True)[1].reshape(-1)
    bad = np.isnan(key)
    cols = np.stack([sub.sid[v].astype(float), bad, np.where(bad, att.row[v], key)])
    return np.unique(cols, axis=1, return_inverse=True)[1].reshape(-1)


def choose(sub: Submissions, vidx: np.ndarray, issues: list[Issue], rule: str,
           scorer: Scorer) -> tuple[np.ndarray, str]:
    """The answers (indices into `sub`, sorted) that count among `vidx`, and the summary line
    saying which rule chose and how many attempts it superseded ("" when nothing was chosen)."""
    att = sub.attempts
    if att is None and rule == "latest":
        n0 = len(issues)
        won = _last_row(sub, vidx, issues)
        n = len({i.line for i in issues[n0:]})
        return won, (f"Attempts: row order chose (no attempt or timestamp column; the last row counts); "
                     f"{n} superseded row{'s' * (n != 1)}." if n else "")
    v = vidx
    if att is not None and att.finished is not None:
        done = att.finished[v]
        for line in np.unique(sub.lines[v[~done]]).tolist():
            i = v[~done][np.searchsorted(sub.lines[v[~done]], line)]
            issues.append(Issue(int(line), "unfinished_attempt", sub.sids[sub.sid[i]], "",
                                "State is not Finished: only finished attempts count"))
        v = v[done]
    nq = max(len(sub.qids), 1)
    flat = sub.sid[v] * nq + sub.qid[v]
    if att is None or not att.column:
        how, key = "row order", sub.lines[v].astype(float)  # no column: the row's place decides
        if sub.layout == "long" and rule == "best":
            rule = "latest"  # one answer per row: no attempt has a total
    else:
        how, key = f"{rule} by {att.column!r}", att.key[v]
    if not len(flat) or np.bincount(flat).max() <= 1:
        return v, (f"Attempts: {how}; 0 superseded." if att is not None and att.column else "")
    valid = ~np.isnan(key)  # a malformed time or number loses to any well-formed one
    rank = np.where(valid, key if rule != "first" else -key, 0.0)
    score = np.zeros(len(v))
    if rule == "best":
        ids = _attempt_ids(sub, v, key) if att is not None else np.unique(sub.lines[v], return_inverse=True)[1]
        score = scorer(v, ids)[ids]
        how = f"best (highest total; ties: latest) by {att.column!r}" if att is not None and att.column \
            else "best row (highest total; ties: the last)"
    order = np.lexsort((sub.lines[v], rank, score, valid, flat))
    fs = flat[order]
    last = np.r_[fs[1:] != fs[:-1], True]
    won = v[order[last]]
    grp_winner = np.repeat(won, np.diff(np.r_[0, np.flatnonzero(last) + 1]))  # winner of each sorted entry
    lost, by = v[order[~last]], grp_winner[~last]
    lines, first = np.unique(sub.lines[lost], return_index=True)
    kind = "superseded_attempt" if att is not None and att.column else "duplicate"
    for line, i, w in zip(lines.tolist(), lost[first].tolist(), by[first].tolist()):
        issues.append(Issue(int(line), kind, sub.sids[sub.sid[i]],
                            sub.qids[sub.qid[i]] if sub.layout == "long" else "",
                            f"superseded by the attempt on line {sub.lines[w]} ({how} counts)"))
    n = len(lines)
    return np.sort(won), f"Attempts: {how}; {n} superseded attempt row{'s' * (n != 1)}."
