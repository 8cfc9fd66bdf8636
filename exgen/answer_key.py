"""Which quantities an exam asks for, and the answer-key format: ids, text, JSON-pointer refs,
points, tolerances, dependencies.

This module is the contract between generation (which prints the questions and writes the answer
key) and grading (which judges answers and recomputes along `depends_on` for error carried forward).
Each question kind is a unit in `exgen.kinds` (which questions, their text, refs and dependencies);
in the order the config lists them (group n gets ids na, nb, ...):
  forward     h of every neuron of every non-input layer       ref /forward/<l>/h/<j>
  loss        the loss                                          ref /loss
  gradients   dL/dparam for a few chosen parameters              ref /gradients/weights/<l>/<j>/<k>
  paths       each chain-rule path product of a multi-path weight ref /paths/<i>/paths/<p>/product
  update      the parameters of `gradients` after one SGD step   ref /updated/weights/<l>/<j>/<k>
  loss_after  the loss after that step                           ref /loss_after
and of a computational graph (`kind: graph`, exgen/kinds/graph.py; the key's spec is the graph):
  node_value  every gate's value                                 ref /nodes/<i>/value
  local_gradient  d gate / d operand, every gate and operand     ref /nodes/<i>/local/<operand>
  downstream_gradient  d output / d name, gates and inputs       ref /nodes/<i>/grad, /gradients/<input>
  deltas      delta = dl/dz of every neuron, sample by sample     ref /deltas/<l>[/<b>]/<j>
  shapes      the shapes of X, W, b, Z, dL/dZ, dL/dW, dL/db       ref /shapes/<row|column>/<l>/<name>
(a mini-batch's forward refs carry the sample: /forward/<l>/h/<b>/<j>).

Key versions: 1 (every answer a number); 2 adds shape questions, whose `answer` is the shape as a
string "<rows>x<cols>" (e.g. "4x3") and which carry `expression`, the vectorised formula (e.g.
"dL/dW = Xᵀ·δ / n"). exgen writes version 1 for a key without shape questions, so that keys of
number questions stay readable by earlier releases; it reads both.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from exgen.acceptance import acceptance_problem
from exgen.errors import InputFileError
from exgen.kinds import DEFAULT_TOLERANCE, QUESTION_TYPES, REF_RE, Question, build_questions, gradient_params
from exgen.core.spec import Spec

__all__ = ["DEFAULT_TOLERANCE", "KEY_VERSION", "QUESTION_TYPES", "REF_RE", "TOLERANCE_KINDS", "Question",
           "answer_key", "build_questions", "gradient_params", "read_key_file", "validate_key"]

KEY_VERSION = 2  # the newest; a key without shape answers is written as version 1
KEY_VERSIONS = (1, 2)  # read by this exgen
SHAPE_RE = re.compile(r"[1-9][0-9]{0,5}x[1-9][0-9]{0,5}")  # a shape answer in a key: "4x3"
TOLERANCE_KINDS = ("abs", "rel", "sig")


def answer_key(exam: str, student_id: str, seed: int, spec: Spec, questions: list[Question],
               acceptance: dict[str, Any] | None = None) -> dict[str, Any]:
    """The per-student answer key (`answer_keys/<student_id>.json`); `acceptance`: the precision
    rule it is graded by (exgen.acceptance), recorded after the questions if given."""
    shaped = any(isinstance(q.answer, str) for q in questions)  # shape answers need version 2
    key = {"version": KEY_VERSION if shaped else 1, "exam": exam, "student_id": student_id, "seed": seed,
           "spec": spec.to_dict(), "questions": [q.to_dict() for q in questions]}
    if acceptance is not None:
        key["acceptance"] = acceptance
    return key


# ---- answer keys as read back: one validator for `exgen grade` and `exgen check` ---------------

def _shown(v: Any) -> str:
    """A value as it appears in the JSON file (short)."""
    import json
    try:
        s = json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError):
        s = repr(v)
    return s if len(s) <= 40 else s[:37] + "..."


def is_number(v: Any) -> bool:
    """A finite JSON number (not a boolean) within float range."""
    import math
    import sys
    if type(v) is int:
        return abs(v) <= sys.float_info.max
    return type(v) is float and math.isfinite(v)


def key_error(source: str, field: str | None, problem: str):
    from exgen.errors import InputFileError
    return InputFileError(f"{source}: {problem}" if field is None else f"{source}: field '{field}': {problem}")


def validate_key(key: Any, source: str) -> None:
    """Check an answer key (`answer_keys/<student_id>.json`, format version 1 or 2) field by field.

    Required: `spec` (a mapping; the network itself is checked by the spec parser) and
    `questions`, a non-empty list of objects with `id` (a non-empty string, unique), `ref` (a JSON
    pointer string) and `answer` (a finite number; a shape "4x3" at a /shapes/ ref, version 2). Optional: `points` (a number >= 0, default 1),
    `tolerance` ({kind: abs|rel|sig, value: a positive number, a whole one for sig}; default
    rel 0.01), `depends_on` (a list of ids of earlier questions), and at the top `student_id`
    (a non-empty string), `exam` (a string), `version` (1 or 2), `acceptance` (the precision rule,
    exgen.acceptance). Other fields (text, latex, symbol,
    kind, seed, student_name, ...) are not checked. Raises InputFileError naming `source` and
    the field, e.g. "k.json: field 'questions[3].points': expected a number >= 0, got null".

    Grading checks large groups of keys with array checks that accept exactly the keys this
    function accepts, and calls it to name the bad key (exgen.grading.keys)."""
    if not isinstance(key, dict):
        raise key_error(source, None, f"not an answer key: expected a JSON object with 'spec' and 'questions', "
                                      f"got {_shown(key)}")
    for f in ("spec", "questions"):
        if f not in key:
            raise key_error(source, None, f"not an answer key: no field '{f}' (an answer key has 'spec' and 'questions')")
    if "version" in key and (type(key["version"]) is not int or key["version"] not in KEY_VERSIONS):
        raise key_error(source, "version", f"this exgen reads answer keys of versions 1 and {KEY_VERSION}, "
                                           f"got {_shown(key['version'])}")
    if "student_id" in key and not (isinstance(key["student_id"], str) and key["student_id"].strip()):
        raise key_error(source, "student_id", f"expected a non-empty string, got {_shown(key['student_id'])}")
    if "exam" in key and not isinstance(key["exam"], str):
        raise key_error(source, "exam", f"expected a string (the exam name), got {_shown(key['exam'])}")
    if "acceptance" in key:
        bad = acceptance_problem(key["acceptance"])
        if bad is not None:
            raise key_error(source, bad[0], f"{bad[1]}, got {_shown(key['acceptance'])}")
    if not isinstance(key["spec"], dict):
        raise key_error(source, "spec", f"expected a mapping (the network spec), got {_shown(key['spec'])}")
    qs = key["questions"]
    if not isinstance(qs, list) or not qs:
        raise key_error(source, "questions", f"expected a non-empty list of questions, got {_shown(qs)}")
    seen: set[str] = set()
    for i, q in enumerate(qs):
        at = f"questions[{i}]"
        if not isinstance(q, dict):
            raise key_error(source, at, f"expected an object with id, ref and answer, got {_shown(q)}")
        for f in ("id", "ref", "answer"):
            if f not in q:
                raise key_error(source, f"{at}.{f}", "missing (a question has id, ref and answer)")
        qid = q["id"]
        if not isinstance(qid, str) or not qid.strip():
            raise key_error(source, f"{at}.id", f"expected a question id such as '1a', got {_shown(qid)}")
        if qid in seen:
            raise key_error(source, f"{at}.id", f"duplicate question id {_shown(qid)}")
        if not isinstance(q["ref"], str) or not REF_RE.match(q["ref"]):
            raise key_error(source, f"{at}.ref", "expected a pointer to a quantity, such as '/loss' or "
                            f"'/gradients/weights/0/1/0', got {_shown(q['ref'])}")
        if is_shape_ref(q["ref"]):
            if key.get("version", 1) < 2:
                raise key_error(source, f"{at}.ref", "a shape question needs an answer key of version 2")
            if not isinstance(q["answer"], str) or not SHAPE_RE.fullmatch(q["answer"]):
                raise key_error(source, f"{at}.answer", f"expected a shape such as \"4x3\", got {_shown(q['answer'])}")
        elif not is_number(q["answer"]):
            raise key_error(source, f"{at}.answer", f"expected a number, got {_shown(q['answer'])}")
        if "points" in q and not (is_number(q["points"]) and q["points"] >= 0):
            raise key_error(source, f"{at}.points", f"expected a number >= 0, got {_shown(q['points'])}")
        if "tolerance" in q:
            t = q["tolerance"]
            if not isinstance(t, dict) or set(t) != {"kind", "value"}:
                raise key_error(source, f"{at}.tolerance", f"expected {{kind: abs|rel|sig, value: number}}, got {_shown(t)}")
            if t["kind"] not in TOLERANCE_KINDS:
                raise key_error(source, f"{at}.tolerance.kind", f"expected one of {', '.join(TOLERANCE_KINDS)}, "
                                                                f"got {_shown(t['kind'])}")
            v = t["value"]
            if not is_number(v) or v <= 0 or (t["kind"] == "sig" and v != int(v)):
                raise key_error(source, f"{at}.tolerance.value", "expected a positive number (a whole number of "
                                                                 f"digits for sig), got {_shown(v)}")
        deps = q.get("depends_on", [])
        if not isinstance(deps, list):
            raise key_error(source, f"{at}.depends_on", f"expected a list of question ids, got {_shown(deps)}")
        for n, d in enumerate(deps):
            if not isinstance(d, str) or d not in seen:
                raise key_error(source, f"{at}.depends_on[{n}]", f"expected the id of an earlier question, got {_shown(d)}")
        seen.add(qid)


def is_shape_ref(ref: str) -> bool:
    """Whether a question's ref asks for a shape (exgen.core.shapes), not a number."""
    return ref.startswith("/shapes/")


def read_key_file(path: str | Path) -> Any:
    """The parsed JSON of an answer key file, within exgen.limits (a BOM is fine); not yet
    validated (`validate_key`). Errors name the file."""
    from exgen.load import check_size, parse_json
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: {'not a file' if p.exists() else 'no such key file'}")
    try:
        check_size(p)
        return parse_json(p.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8"), str(p))
    except (UnicodeDecodeError, OSError) as e:
        raise InputFileError(f"{p}: not a readable answer key ({e.__class__.__name__})") from None
