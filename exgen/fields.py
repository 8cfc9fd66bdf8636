"""Typed field checks shared by spec and config validation.

Each check takes the value, the field name and `fail(field, problem) -> Exception` (the format's
own error: SpecError, ConfigError), so that any wrong type (a list where a name belongs, a bool
where a number does, a mapping, a date, a deep structure) is one line naming the field, and never
a TypeError from hashing, comparing or printing it.
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable, Iterable

Fail = Callable[[str, str], Exception]


def describe(v: Any) -> str:
    """A short, safe description of a value for an error message."""
    if v is None or isinstance(v, (bool, int, float, str)):
        text = json.dumps(v, allow_nan=True) if not isinstance(v, int) or isinstance(v, bool) else str(v)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(v, list):
        return f"a list of {len(v)}"
    if isinstance(v, dict):
        return "a mapping" if v else "an empty mapping"
    return f"a {type(v).__name__}"


def listing(names: list[str], limit: int = 3) -> str:
    """Names for an error message: the first `limit` of them, then "and N more"."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v: Any) -> bool:
    """A finite int or float (not a bool); an int too large for a float is not a number."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def choice(v: Any, choices: Iterable[str], fld: str, fail: Fail, what: str = "") -> str:
    """A name from `choices` (v must be a string)."""
    choices = list(choices)
    if not isinstance(v, str) or v not in choices:
        raise fail(fld, f"{what + ' ' if what else ''}{describe(v)} is not one of {', '.join(choices)}")
    return v


def names(v: Any, n: int, choices: Iterable[str], fld: str, fail: Fail) -> list[str]:
    """One name, or a list of n names, from `choices` (e.g. activations)."""
    choices = list(choices)
    if isinstance(v, str):
        v = [v] * n
    if not isinstance(v, list) or len(v) != n:
        raise fail(fld, f"expected {n} name(s) (one per non-input layer) or one name, got {describe(v)}")
    return [choice(a, choices, f"{fld}[{i}]", fail) for i, a in enumerate(v)]


def mapping(v: Any, fld: str, fail: Fail, allowed: Iterable[str], expected: str) -> dict:
    """A mapping whose keys are all in `allowed`."""
    allowed = list(allowed)
    if not isinstance(v, dict):
        raise fail(fld, f"expected {expected}, got {describe(v)}")
    bad = sorted((k for k in v if k not in allowed), key=str)
    if bad:
        raise fail(f"{fld}.{bad[0]}", f"unknown key; valid: {', '.join(allowed)}")
    return v
