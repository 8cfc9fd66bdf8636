"""Self-check: a thin adapter over grading (`exgen.grading.grade_key`), answer parsing
(CSV or `id=value` pairs), and the rows `exgen check` prints, each with a hint.

Verdicts, carried credit (error carried forward) and diagnosis codes are grading's.
"""
from __future__ import annotations

from collections.abc import Mapping

import csv
import io
from pathlib import Path
from typing import Any

from exgen.acceptance import check_carried_credit
from exgen.errors import InputFileError
from exgen.answer_key import read_key_file, validate_key
from exgen.textio import csv_rows, read_utf8
from exgen.grading import DIAGNOSES, Verdict, grade_key as _grade_key
from exgen.grading.read import INVALID_SUFFIX
from exgen.grading.table import delimiter

__all__ = ["DIAGNOSES", "VERDICT_TEXT", "Verdict", "check_rows", "check_unknown", "checked_key", "explanation", "grade",
           "load_key", "parse_answers"]


VERDICT_TEXT = {"correct": "correct", "carried": "correct given your earlier numbers", "wrong": "wrong",
                "invalid": "not a number (not graded)", "missing": "no answer"}
SHAPE_INVALID = "not a shape such as 4x3 (not graded)"  # a shape question's invalid answer (grading.shapes)


def grade(key: dict, answers: Mapping[str, str | None], carried_credit: float | None = None) -> list[Verdict]:
    """Grade answers against a key through the grading contract (`carried_credit`: None for the
    key's policy, else from 0 to 1)."""
    check_carried_credit(carried_credit)
    return _grade_key(key, answers, carried_credit=carried_credit)


def explanation(v: Verdict) -> str | None:
    """The one-sentence explanation of a verdict's diagnosis, if any."""
    return v.explanation or (DIAGNOSES.get(v.diagnosis) if v.diagnosis else None)


def load_key(path: Path) -> dict:
    """An answer key (`answer_keys/<id>.json`), checked field by field as `exgen grade` does."""
    p = Path(path)
    return checked_key(read_key_file(p), str(p))


def checked_key(key: Any, source: str = "answer key") -> dict:
    """An answer key already read (a dict), checked as `load_key` checks a file: field by field,
    its spec, and its answers recomputed from the spec (InputFileError or SpecError naming `source`)."""
    validate_key(key, source)  # the same checks as `exgen grade`
    from exgen.core.spec import from_dict
    from exgen.graph.spec import from_dict as graph_spec, is_graph
    (graph_spec if is_graph(key["spec"]) else from_dict)(key["spec"], f"{source} (spec)")  # a bad spec: SpecError naming the key and field
    from exgen.grading.keys import Prepared
    Prepared().add([key], [source])  # answers recomputed from the spec: a changed answer names the question
    return key


def parse_answers(items: list[str], ids: list[str] | None = None) -> dict[str, str]:
    """Answers from a CSV file (`question_id,answer`, header optional, `,` or `;`) or from
    `id=value` pairs (several arguments, or one argument with comma-separated pairs). With `ids`
    (the key's question ids), a CSV row naming another id is an error naming the file and line."""
    if len(items) == 1 and "=" not in items[0]:
        p = Path(items[0])
        return _parse_csv(read_utf8(p, "answers", " (give a CSV file or id=value pairs)"), str(p), ids)
    out: dict[str, str] = {}
    for item in items:
        for pair in (item.split(",") if item.count("=") > 1 else [item]):
            if "=" not in pair:
                raise InputFileError(f"expected id=value, got {pair!r}")
            qid, val = pair.split("=", 1)
            qid = qid.strip()
            if qid in out:
                raise InputFileError(f"question {qid!r} answered twice ({qid}={out[qid]} and {pair.strip()}); "
                                     "give each question once")
            out[qid] = val.strip()
    return out


def _parse_csv(text: str, source: str, ids: list[str] | None = None) -> dict[str, str]:
    # the separator as `exgen grade` finds it, from the first line: `1a;0,25` is `;` with a decimal comma
    delim = delimiter(next((ln for ln in text.splitlines() if ln.strip()), ""))
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    numbered = [(reader.line_num, r) for r in csv_rows(reader, source) if any(c.strip() for c in r)]
    rows, nums = [r for _, r in numbered], [n for n, _ in numbered]  # nums: each row's file line
    if not rows:
        raise InputFileError(f"{source}: empty answers file")
    head = [c.strip().lower() for c in rows[0]]
    qcol, acol, width = 0, 1, 2
    if "question_id" in head and "answer" in head:
        qcol, acol, width = head.index("question_id"), head.index("answer"), len(head)
        rows, nums = rows[1:], nums[1:]
    out: dict[str, str] = {}
    line: dict[str, int] = {}
    for i, r in zip(nums, rows):
        if len(r) <= max(qcol, acol):
            raise InputFileError(f"{source}: line {i}: expected question_id{delim}answer, got {delim.join(r)!r}")
        qid = r[qcol].strip()
        if ids is not None and qid not in ids:
            raise InputFileError(f"{source}: line {i}: {_unknown(qid, ids)}")
        if qid in out:
            raise InputFileError(f"{source}: line {i}: question {qid!r} answered again (also on line {line[qid]}); "
                                 "give each question once")
        extra = [c.strip() for c in r[width:] if c.strip()]  # an unquoted decimal comma: 1a,0,25
        # such an answer is invalid (not graded), as `exgen grade` has it, never the cell before the comma
        out[qid] = f"{r[acol].strip()}|{'|'.join(extra)}{INVALID_SUFFIX}" if extra else r[acol].strip()
        line[qid] = i
    return out


def check_unknown(key: dict, answers: dict[str, str]) -> None:
    ids = [q["id"] for q in key["questions"]]
    unknown = [a for a in answers if a not in ids]
    if unknown:
        raise InputFileError(_unknown(unknown[0], ids))


def _unknown(qid: str, ids: list[str]) -> str:
    return f"unknown question id {qid!r}; the key has {', '.join(ids)}"


def check_rows(key: dict, answers: dict[str, str], reveal: bool = False,
               carried_credit: float | None = None) -> tuple[list[dict[str, Any]], float, float]:
    """One row per question: verdict, diagnosis code and explanation, a hint unless correct, and
    the expected answer only with `reveal`. Returns (rows, score, total points)."""
    from exgen.core.solve import solve
    from exgen.core.examples import notation_of
    from exgen.student.hints import hints
    from exgen.core.spec import from_dict
    from exgen.answer_key import is_shape_ref
    from exgen.graph.spec import is_graph
    sol: Any
    nt: Any
    if is_graph(key["spec"]):  # a computational graph (exgen.graph, exgen.kinds.graph)
        from exgen.graph.solve import solve as solve_graph
        from exgen.graph.spec import from_dict as graph_spec
        sol, nt = solve_graph(graph_spec(key["spec"], "answer key")), None
    else:
        spec = from_dict(key["spec"], "answer key")
        nt = notation_of(spec)
        sol = solve(spec)
    qs = {q["id"]: q for q in key["questions"]}
    rows: list[dict[str, Any]] = []
    for v in grade(key, answers, carried_credit):
        hint = None
        if v.verdict != "correct":
            hint = next(iter(hints(sol, nt, qs[v.question_id])), None)
        q = qs[v.question_id]
        shaped = is_shape_ref(str(q["ref"]))  # a shape answer "4x3" (grading.shapes)
        text = SHAPE_INVALID if shaped and v.verdict == "invalid" else VERDICT_TEXT[v.verdict]
        rows.append({"question_id": v.question_id, "verdict": v.verdict, "verdict_text": text,
                     "answer": v.answer, "score": v.score, "points": v.points,
                     "diagnosis": v.diagnosis, "explanation": explanation(v), "hint": hint,
                     "expected": (q["answer"] if shaped else float(v.expected)) if reveal else None})
    return rows, sum(r["score"] for r in rows), sum(r["points"] for r in rows)
