"""A designed sample submission for the demo (`exgen demo`, `grade_demo`): deterministic, and
showing every verdict. Students take three profiles in turn (sorted ids, shifted by `seed`):

  model    every answer right, written with 4 decimals as a student would;
  carried  the first question wrong, the questions of its group that build on it and the next
           question that builds on those answered from the wrong value (carried), a gradient
           with a sign slip (wrong, diagnosis sign_flip), the rest right;
  slips    an answer that is not a number (invalid), the loss and the last question left empty
           (missing), a gradient missing a chain-rule path, an update with the wrong sign and one
           without the learning rate (wrong, each with its diagnosis), the rest right.

Every planned slip is checked with `grade_key`; a slip that the key's numbers do not show (e.g.
a net without several paths, a computational graph's) falls back to a sign slip, so any answer
keys work. A shape question (answer "4x3", grading.shapes) is answered with the key's shape, its
slip is the shape transposed (where that differs), a wrong one a row too many.
"""
from __future__ import annotations

import csv
from pathlib import Path

from exgen.answer_key import is_shape_ref
from exgen.escape import safe_cells
from exgen.grading.shapes import parse_shape
from exgen.kinds import read as read_ref
from exgen.grading.judge import grade_key

PROFILES = ("model", "carried", "slips")
NOT_A_NUMBER = "sigma(0.4)"
PROBE = "12345"  # an answer far off, to learn what grading would carry forward


def _text(v: float) -> str:
    return f"{v:.4f}"


def _verdict(key: dict, answers: dict[str, str], qid: str):
    return next(v for v in grade_key(key, answers) if v.question_id == qid)


def _shape(q: dict) -> tuple[int, int] | None:
    """The key's shape of a shape question (None: a number question)."""
    return parse_shape(q["answer"]) if is_shape_ref(str(q["ref"])) else None


def _right(key: dict, answers: dict[str, str], q: dict) -> str:
    """The answer as a student writes it (4 decimals), or more digits if 4 are not accepted."""
    if (s := _shape(q)) is not None:
        return f"{s[0]}x{s[1]}"
    for text in (_text(q["answer"]), f"{q['answer']:.6g}", repr(float(q["answer"]))):
        if _verdict(key, {**answers, q["id"]: text}, q["id"]).verdict == "correct":
            return text
    return repr(float(q["answer"]))


def _carried(key: dict, answers: dict[str, str], q: dict) -> str | None:
    """An answer right given the student's earlier (wrong) answers, or None if there is none."""
    if _shape(q) is not None:
        return None  # nothing carries into a shape
    c = _verdict(key, {**answers, q["id"]: PROBE}, q["id"]).carried_expected
    if c is None:
        return None
    for text in (_text(c), f"{c:.6g}", repr(c)):
        if _verdict(key, {**answers, q["id"]: text}, q["id"]).verdict == "carried":
            return text
    return None


def _slip_candidates(key: dict, q: dict) -> list[tuple[float, str]]:
    """(value, diagnosis code) pairs a slip would give for q: its kind's (exgen.kinds), then a
    sign slip."""
    try:
        unit, ref = read_ref(q["ref"], max(len(key["spec"].get("layers", [])) - 1, 1))  # a graph has none
        out = unit.demo_slips(key, q, ref)
    except (KeyError, ValueError):
        out = []
    return out + [(-float(q["answer"]), "sign_flip")]


def _slip(key: dict, answers: dict[str, str], q: dict, prefer: tuple[str, ...],
          used: set[str] | None = None) -> str | None:
    """A wrong answer that grading diagnoses: a code in `prefer` if a slip gives it, else a code
    not in `used` (not shown yet), else a sign slip. Adds the code to `used`."""
    if (s := _shape(q)) is not None:  # grading.shapes: the transposed shape is its one slip
        return f"{s[1]}x{s[0]}" if s[0] != s[1] else None
    found: dict[str, str] = {}
    meant: list[str] = []  # codes diagnosed as the slip that made them
    for value, code in _slip_candidates(key, q):
        for text in (_text(value), f"{value:.6g}"):
            v = _verdict(key, {**answers, q["id"]: text}, q["id"])
            if v.verdict == "wrong" and v.diagnosis:
                found.setdefault(v.diagnosis, text)
                if v.diagnosis == code:
                    meant.append(code)
                break
    used = set() if used is None else used
    order = [c for c in prefer if c in meant] + meant + list(found)
    for code in [c for c in order if c not in used and c != "sign_flip"] + ["sign_flip"]:
        if code in found:
            used.add(code)
            return found[code]
    return None


def _wrong(key: dict, answers: dict[str, str], q: dict) -> str:
    """A plainly wrong answer (an arithmetic slip; a shape: a row too many)."""
    if (s := _shape(q)) is not None:
        return f"{s[0] + 1}x{s[1]}"
    a = float(q["answer"])
    for f in (1.25, 0.8, 1.5):
        text = _text(a * f + 0.05)
        if _verdict(key, {**answers, q["id"]: text}, q["id"]).verdict == "wrong":
            return text
    return _text(a + 1)


def student_answers(key: dict, profile: str) -> dict[str, str]:
    """The answers (question id -> text) of one sample student of `profile`."""
    qs = key["questions"]
    answers: dict[str, str] = {}
    if profile == "carried":
        first = qs[0]["id"]
        group = first.rstrip("abcdefghijklmnopqrstuvwxyz")
        off = {first}
        grads = [q["id"] for q in qs if q.get("kind") == "gradients"]
        carried_next = False
        for q in qs:
            qid, text = q["id"], None
            if qid == first:
                text = _wrong(key, answers, q)
            elif set(q.get("depends_on", [])) & off and (qid.startswith(group) or not carried_next):
                text = _carried(key, answers, q)
                if text is not None:
                    off.add(qid)
                    carried_next = carried_next or not qid.startswith(group)
            elif grads and qid == grads[0]:
                text = _slip(key, answers, q, ())
            answers[qid] = text if text is not None else _right(key, answers, q)
        return answers
    if profile == "slips":
        loss = next((q["id"] for q in qs if q.get("kind") == "loss"), None)
        grads = [q["id"] for q in qs if q.get("kind") == "gradients"]
        updates = [q["id"] for q in qs if q.get("kind") == "update"]
        used: set[str] = set()
        for i, q in enumerate(qs):
            qid, text = q["id"], None
            if i == 1:
                text = NOT_A_NUMBER
            elif qid == loss or (i == len(qs) - 1 and i > 1):
                text = ""
            elif qid in grads[1:2]:
                text = _slip(key, answers, q, ("missing_path",), used)
            elif qid in updates[:1]:
                text = _slip(key, answers, q, ("update_wrong_sign",), used)
            elif qid in updates[1:2]:
                text = _slip(key, answers, q, ("update_no_eta",), used)
            answers[qid] = text if text is not None else _right(key, answers, q)
        return answers
    for q in qs:
        answers[q["id"]] = _right(key, answers, q)
    return answers


def sample_submission(keys: dict[str, dict], path: str | Path, seed: int = 0) -> Path:
    """Write the long-form sample submissions CSV for `keys` (student id -> key)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["student_id", "question_id", "answer"])
        for i, sid in enumerate(sorted(keys)):
            answers = student_answers(keys[sid], PROFILES[(i + seed) % len(PROFILES)])
            for q in keys[sid]["questions"]:
                w.writerow(safe_cells([sid, q["id"], answers[q["id"]]]))
    return Path(path)
