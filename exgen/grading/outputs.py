"""Outputs of `exgen grade`: answers.csv, grades.csv (generic and Canvas), issues.csv,
feedback/<student>.md and a self-contained report.html. Written atomically, deterministically."""
from __future__ import annotations

import base64
import functools
import csv
import io
from collections import Counter
from pathlib import Path

import numpy as np

from exgen.core.notation import count
from exgen.escape import html_text as h, safe_cells
from exgen.outdir import OutputDir
from exgen.grading.csvout import question_order, write_answers, write_grades  # noqa: F401
from exgen.grading.feedback import Worked, student_markdown
from exgen.grading.grade import GradeResult
from exgen.grading.read import no_gc
from exgen.grading.slips import DIAGNOSES


def _csv(path: Path, header: list, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(safe_cells(header))
        w.writerows(safe_cells(r) for r in rows)


def write_issues(res: GradeResult, path: Path) -> None:
    _csv(path, ["line", "kind", "student_id", "question_id", "message"],
         ([i.line or "", i.kind, i.student_id, i.question_id, i.message] for i in res.issues))


WORKED_KEPT = 256  # keys whose worked solution is kept for the next student (shared keys reuse it)


def write_feedback(res: GradeResult, out: Path) -> None:
    out.mkdir()

    @functools.lru_cache(maxsize=WORKED_KEPT)  # one key per student would keep a solution per student
    def worked_at(gi: int, row: int) -> Worked:  # the worked solution of the key at (group, key row)
        return Worked(res.groups[gi].group.keys[row])

    used: set[str] = set()
    for s in res.students:
        gi, row = res.key_at(s)
        key, worked = res.groups[gi].group.keys[row], worked_at(gi, row)
        safe = feedback_name(s, used)
        (out / f"{safe}.md").write_text(student_markdown(s, key, res.verdicts(s), worked, res.carried_credit),
                                        encoding="utf-8")


def feedback_name(student_id: str, used: set[str]) -> str:
    """The file name (without .md) of a student's feedback: letters, digits and -_.@ of the id,
    others as _, at most 100 characters, never starting with "."; a name another student already
    has (ids that differ only in the replaced characters, or in case) gets "~2", "~3", ..."""
    import hashlib
    safe = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in student_id)[:100] or "_"
    if safe.startswith("."):
        safe = "_" + safe[1:]
    if len(student_id) > 100:
        safe = safe[:90] + "~" + hashlib.sha1(student_id.encode("utf-8", "replace")).hexdigest()[:8]
    name, n = safe, 1
    while name.lower() in used:
        n += 1
        name = f"{safe}~{n}"
    used.add(name.lower())
    return name


def question_stats(res: GradeResult) -> list[dict]:
    """Per question id: n, mean score fraction, correct rate, most frequent diagnoses."""
    acc: dict[str, dict] = {}
    for gr in res.groups:
        j = gr.judged
        for q, qid in enumerate(gr.group.qids):
            a = acc.setdefault(qid, {"n": 0, "score": 0.0, "points": 0.0, "correct": 0, "diag": Counter()})
            a["n"] += j.verdict.shape[0]
            a["score"] += float(j.score[:, q].sum())
            a["points"] += float(j.points[:, q].sum())
            a["correct"] += int((j.verdict[:, q] == 0).sum())
            d = j.diagnosis[:, q]
            for c, n in enumerate(np.bincount(d[d >= 0], minlength=len(j.codes))):
                a["diag"][j.codes[c]] += int(n)  # several columns can share a code (missing_path)
    return [{"question_id": q, "n": a["n"], "mean": a["score"] / a["points"] if a["points"] else 0.0,
             "correct_rate": a["correct"] / a["n"] if a["n"] else 0.0,
             "diagnoses": sorted(((c, n) for c, n in a["diag"].items() if n), key=lambda kv: (-kv[1], kv[0]))[:3]}
            for q, a in ((q, acc[q]) for q in question_order(res))]


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def report_html(res: GradeResult, exam: str) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    stats = question_stats(res)
    pcts = percents(res)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(pcts, bins=np.linspace(0, 100, 21).tolist(), color="#4472c4", edgecolor="white")
    ax.set_xlabel("score (%)")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title("Score distribution")
    fig.tight_layout()
    hist = _png(fig)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(max(6, 0.35 * len(stats)), 3))
    x = np.arange(len(stats))
    ax.bar(x - 0.2, [s["mean"] for s in stats], 0.4, label="mean score (fraction of the points)")
    ax.bar(x + 0.2, [s["correct_rate"] for s in stats], 0.4, label="correct rate")
    # literal text, not mathtext: a "$" in a question id must not be parsed (or fail to parse) as TeX
    ax.set_xticks(x, [s["question_id"].replace("$", r"\$") for s in stats], rotation=90 if len(stats) > 20 else 0)
    ax.set_ylim(0, 1)
    ax.set_xlabel("question")
    ax.set_ylabel("fraction")
    ax.set_title("Per question", pad=22)  # above the legend
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    fig.tight_layout()
    bars = _png(fig)
    plt.close(fig)
    counts = res.counts()
    rows = "".join(
        f"<tr><td>{h(s['question_id'])}</td><td>{s['mean']:.3f}</td><td>{s['correct_rate']:.3f}</td>"
        f"<td>{h(', '.join(f'{c} ({n})' for c, n in s['diagnoses']) or '-')}</td></tr>" for s in stats)
    issues = "".join(f"<tr><td>{i.line or ''}</td><td>{h(i.kind)}</td><td>{h(i.student_id)}</td>"
                     f"<td>{h(i.question_id)}</td><td>{h(i.message)}</td></tr>"
                     for i in res.issues[:200])
    issues = (f"<table><tr><th>line</th><th>kind</th><th>student</th><th>question</th><th>message</th></tr>{issues}</table>"
              if issues else "<p>None: every row matched a student with a key and a known question.</p>")
    seen = sorted({c for s in stats for c, _ in s["diagnoses"]})
    glossary = "".join(f"<tr><td>{h(c)}</td><td>{h(DIAGNOSES.get(c, ''))}</td></tr>" for c in seen)
    glossary = (f"<h2>Misconception codes</h2><table><tr><th>code</th><th>what it means</th></tr>{glossary}</table>"
                if seen else "")
    mean = float(np.mean(pcts)) if len(pcts) else 0.0
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Grades: {h(exam)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 8px}}</style></head><body>
<h1>Grades: {h(exam)}</h1>
<p>{len(pcts)} students, mean {mean:.1f}%. Answers: {h(', '.join(f'{k} {v}' for k, v in counts.items()))}.</p>
<img alt="score histogram" src="data:image/png;base64,{hist}">
<img alt="per-question scores" src="data:image/png;base64,{bars}">
<h2>Per question</h2>
<table><tr><th>question</th><th>mean score (fraction of the points)</th><th>correct rate</th><th>most frequent misconceptions</th></tr>{rows}</table>
{glossary}
<h2>Issues ({len(res.issues)})</h2>
{issues}
</body></html>
"""


def percents(res: GradeResult) -> np.ndarray:
    """Every student's score in percent (0 where the maximum is 0), in `res.students` order."""
    tot, mx = res.all_totals()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mx != 0, 100 * tot / mx, 0.0)


def summary(res: GradeResult) -> str:
    pcts = percents(res)
    c = res.counts()
    lines = [f"Graded {count(len(pcts), 'student')}, {count(sum(c.values()), 'answer')}: "
             + ", ".join(f"{v} {k}" for k, v in c.items()) + ".",
             f"Mean score {np.mean(pcts) if len(pcts) else 0:.1f}%, median {np.median(pcts) if len(pcts) else 0:.1f}%."]
    if res.attempts:
        lines.append(res.attempts)
    lines += res.notes
    if res.issues:
        lines.append(f"Issues: {issue_summary(res.issues)} (see issues.csv).")
    return "\n".join(lines)


ISSUE_NAMES = {"duplicate": ("duplicate row", "duplicate rows"),
               "superseded_attempt": ("superseded attempt", "superseded attempts"),
               "unfinished_attempt": ("unfinished attempt", "unfinished attempts"),
               "bad_attempt": ("malformed attempt time or number", "malformed attempt times or numbers"),
               "no_id": ("row without a student id", "rows without a student id"),
               "extra_fields": ("row with more fields than the header", "rows with more fields than the header"),
               "ignored_column": ("ignored column", "ignored columns"),
               "no_submission": ("student without a submission", "students without a submission"),
               "unknown_question": ("row with an unknown question", "rows with unknown questions"),
               "unknown_student": ("row of an unknown student", "rows of unknown students")}


def issue_summary(issues: list, shown: int = 5) -> str:
    """One count per (file line, kind) -- a wide row of an unknown student is one issue however
    many answers it holds -- with the first few lines, e.g. "1 row of an unknown student (line 3)"."""
    where: dict[str, list] = {}
    for i in issues:
        where.setdefault(i.kind, []).append(i.line if i.line is not None else (i.student_id, i.question_id))
    out = []
    for kind, seen in sorted(where.items()):
        seen = list(dict.fromkeys(seen))  # one per line (per student for issues without a line)
        one, many = ISSUE_NAMES.get(kind, (kind, kind))
        lines = sorted(x for x in seen if isinstance(x, int))
        at = ""
        if lines:
            listed = ", ".join(map(str, lines[:shown])) + (", ..." if len(lines) > shown else "")
            at = f" (line{'s' if len(lines) > 1 else ''} {listed})"
        out.append(f"{len(seen)} {one if len(seen) == 1 else many}{at}")
    return ", ".join(out)


def write_all(res: GradeResult, out: str | Path, *, exam: str = "", force: bool = False,
              feedback: bool = True, report: bool = True) -> Path:
    """Write every output into the grades folder `out` (an exgen output folder: new, empty, or
    grades exgen wrote, replaced only with `force`; see `exgen.outdir`)."""
    with OutputDir(out, "grades", force=force) as stage:
        write_outputs(res, stage, exam=exam, feedback=feedback, report=report)
    return Path(out)


def write_outputs(res: GradeResult, out: Path, *, exam: str = "", feedback: bool = True,
                  report: bool = True, lms: dict | None = None) -> None:
    """Every grading output, written into the (staging) folder `out`; `lms`: the LMS identities
    and ids for the gradebooks (exgen.lms.writeback.write_gradebooks's keywords)."""
    from exgen.lms.writeback import write_gradebooks
    with no_gc():  # millions of short-lived strings and lists: nothing for the collector to find
        write_answers(res, out / "answers.csv")
        write_grades(res, out, exam)
        res.notes = [n for n in res.notes if not n.startswith("Write-back:")] + \
            write_gradebooks(res, out, exam, **(lms or {}))
        write_issues(res, out / "issues.csv")
        if feedback:
            write_feedback(res, out / "feedback")
        if report:
            (out / "report.html").write_text(report_html(res, exam), encoding="utf-8")
        (out / "summary.txt").write_text(summary(res) + "\n", encoding="utf-8")
