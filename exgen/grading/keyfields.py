"""Answer keys checked as arrays: the fields `answer_key.validate_key` checks, for a whole group
of keys at once (exgen.grading.keys), accepting exactly the keys it accepts."""
from __future__ import annotations

import numpy as np

from exgen.answer_key import KEY_VERSIONS, TOLERANCE_KINDS

_NUM = {int, float}
_TOL_NAMES = frozenset(TOLERANCE_KINDS)
_NO_DEPS: list = []


def _finite(values: list, low: float, strict: bool = False) -> np.ndarray | None:
    """The values as floats if every one is a finite JSON number (no bool) >= low (> low if
    strict); None otherwise."""
    if not set(map(type, values)) <= _NUM:
        return None
    try:
        a = np.array(values, dtype=float)
    except OverflowError:  # an integer beyond float range
        return None
    ok = np.isfinite(a).all() and ((a > low).all() if strict else (a >= low).all())
    return a if ok else None


def fields_ok(keys: list[dict], flat: list[dict], answers: list, points: list, tol: list) -> bool:
    """Array checks of the fields `questions.validate_key` checks per key, for keys whose question
    ids, refs and depends_on equal those of a validated key; False if any may fail."""
    if not (set(map(type, tol)) <= {dict} and set(map(len, tol)) == {2}):
        return False
    kinds, values = [t["kind"] for t in tol], [t["value"] for t in tol]  # KeyError: not kind and value
    if not set(map(type, kinds)) <= {str} or not set(kinds) <= _TOL_NAMES:
        return False
    if _finite(answers, -np.inf) is None or _finite(points, 0.0) is None:
        return False
    tv = _finite(values, 0.0, strict=True)
    if tv is None:
        return False
    if "sig" in kinds:
        sig = tv[np.array(kinds, dtype=object) == "sig"]
        if not (sig == np.floor(sig)).all():
            return False
    if not set(type(q.get("depends_on", _NO_DEPS)) for q in flat) <= {list}:
        return False
    if not set(type(k["spec"]) for k in keys) <= {dict}:
        return False
    top = [k.get("version", 1) for k in keys]
    if not set(map(type, top)) <= {int} or not set(top) <= set(KEY_VERSIONS):
        return False
    sids = [k["student_id"] for k in keys if "student_id" in k]
    if not set(map(type, sids)) <= {str} or not all(s.strip() for s in sids):
        return False
    return set(type(k.get("exam", "")) for k in keys) <= {str}
