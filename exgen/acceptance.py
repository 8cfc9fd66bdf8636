"""The acceptance policy: the written rule for precision an answer key records (`acceptance`).

A key written by this exgen carries, beside its questions,
  "acceptance": {"version": 2, "decimals": 4, "tolerance": {"kind": "abs", "value": 5e-05},
                 "hand_roundings": [3, 4, -4], "carried_credit": 0.5,
                 "fewer_decimals": "as_written", "fewer_decimals_credit": 0.0,
                 "distractors": "slips"}
so that `grade`, `check` and any export apply the same rule from the key alone:
  decimals               the decimals the sheet asks for;
  tolerance              the exam's default tolerance (each question's own `tolerance` governs it);
                         by default absolute, half a unit of the last decimal asked (DEFAULT_TOLERANCE);
  hand_roundings         the decimals a hand computation may carry (-4: chopped to 4) whose results,
                         as computed or as written, are accepted;
  carried_credit         the fraction of the points for an answer right given the student's own
                         earlier (wrong) answers;
  fewer_decimals         "as_written": an answer with fewer decimals than asked is judged as the
                         number written: correct where today's windows accept it or where it is the
                         right value rounded to the decimals it has (half a unit of its last decimal,
                         whatever the size of the value), then diagnosed `too_few_decimals`;
  fewer_decimals_credit  the fraction of the points such an answer gets (0: none, the answer is
                         wrong, diagnosed `too_few_decimals`);
  distractors            (version 2) "slips": no window contains a distractor, i.e. the value before
                         the step, the step uphill, or any value the diagnosis table computes for the
                         question (grading.distract). Each window is exactly the tolerance around its
                         centre (the exact value, each hand-rounded value), cut back short of them.
Version 1 keys (no `distractors`: only the value before the step and the step uphill are
distractors; the windows also accept the exact and hand values rounded or chopped to each hand
rounding's decimals as written) and keys without the field (earlier releases, LEGACY) are graded
exactly as before.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from exgen.errors import UsageError

ACCEPTANCE_VERSION = 2
READ_VERSIONS = (1, 2)
HAND_ROUNDINGS = (3, 4, -4)  # decimals the hand computation carries (seeds 002, 003); -4: chopped to 4
FEWER_DECIMALS = ("as_written",)
TOO_FEW = "too_few_decimals"
FIELDS_V1 = ("version", "decimals", "tolerance", "hand_roundings", "carried_credit", "fewer_decimals",
             "fewer_decimals_credit")
FIELDS = FIELDS_V1 + ("distractors",)
DISTRACTORS = ("slips",)  # version 2; version 1 keys: "step" (the value before it, the step uphill)
CARRIED_CREDIT = 0.5  # the default share of the points for an answer carried forward


@dataclass(frozen=True)
class Policy:
    decimals: int | None = None  # None: not stated (a key of an earlier release)
    roundings: tuple[int, ...] = HAND_ROUNDINGS
    carried_credit: float = 0.5
    fewer_decimals: str | None = None  # None: no rule for fewer decimals (as before)
    fewer_credit: float = 1.0
    distractors: str = "step"  # "slips": every slip value is a distractor too (version 2)

    @property
    def strict(self) -> bool:
        """Version 2: every slip a distractor, windows only the tolerance around their centres,
        an answer with fewer decimals judged by the fewer-decimals rule alone."""
        return self.distractors == "slips"


LEGACY = Policy()


def default_tolerance(decimals: int) -> dict[str, Any]:
    """The default window: absolute, half a unit of the last decimal asked."""
    return {"kind": "abs", "value": 0.5 * 10.0 ** -decimals}


def acceptance(decimals: int, tolerance: dict, carried_credit: float = CARRIED_CREDIT,
               fewer_decimals_credit: float = 0.0) -> dict[str, Any]:
    """The key's `acceptance` field for an exam asking `decimals` decimals."""
    return {"version": ACCEPTANCE_VERSION, "decimals": decimals, "tolerance": dict(tolerance),
            "hand_roundings": list(HAND_ROUNDINGS), "carried_credit": carried_credit,
            "fewer_decimals": "as_written", "fewer_decimals_credit": fewer_decimals_credit,
            "distractors": "slips"}


def policy_of(key: dict) -> Policy:
    """The key's policy (validated by `check_acceptance`); LEGACY for a key without one."""
    a = key.get("acceptance")
    if a is None:
        return LEGACY
    return Policy(a["decimals"], tuple(a["hand_roundings"]), float(a["carried_credit"]), a["fewer_decimals"],
                  float(a["fewer_decimals_credit"]), a.get("distractors", "step"))


def _fraction(v: Any) -> bool:
    return type(v) in (int, float) and math.isfinite(v) and 0 <= v <= 1


def check_carried_credit(value: Any) -> None:
    """A `carried_credit` argument of grading or checking: None (the keys' policy's) or a number
    from 0 to 1; anything else is a UsageError."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                              or not 0 <= value <= 1):
        raise UsageError(f"--carried-credit: must be between 0 and 1, got {value!r}")


def acceptance_problem(a: Any) -> tuple[str, str] | None:
    """(field, problem) if `a` is not a valid acceptance field, else None."""
    if not isinstance(a, dict):
        return "acceptance", f"expected an object with {', '.join(FIELDS)}"
    v = a.get("version")
    if type(v) is not int or v not in READ_VERSIONS:
        return "acceptance.version", f"this exgen reads acceptance policies of versions {READ_VERSIONS[0]} to {READ_VERSIONS[-1]}"
    want = FIELDS_V1 if v == 1 else FIELDS
    if set(a) != set(want):
        return "acceptance", f"expected an object with {', '.join(want)}"
    if type(a["decimals"]) is not int or not 1 <= a["decimals"] <= 8:
        return "acceptance.decimals", "expected a whole number from 1 to 8"
    t = a["tolerance"]
    if not (isinstance(t, dict) and set(t) == {"kind", "value"} and t["kind"] in ("abs", "rel", "sig")
            and type(t["value"]) in (int, float) and math.isfinite(t["value"]) and t["value"] > 0):
        return "acceptance.tolerance", "expected {kind: abs|rel|sig, value: a positive number}"
    r = a["hand_roundings"]
    if not (isinstance(r, list) and r and all(type(d) is int and 1 <= abs(d) <= 8 for d in r)):
        return "acceptance.hand_roundings", "expected a non-empty list of decimals (1..8, negative: chopped)"
    if not _fraction(a["carried_credit"]):
        return "acceptance.carried_credit", "expected a number from 0 to 1"
    if a["fewer_decimals"] not in FEWER_DECIMALS:
        return "acceptance.fewer_decimals", f"expected one of {', '.join(FEWER_DECIMALS)}"
    if not _fraction(a["fewer_decimals_credit"]):
        return "acceptance.fewer_decimals_credit", "expected a number from 0 to 1"
    if v >= 2 and a["distractors"] not in DISTRACTORS:
        return "acceptance.distractors", f"expected one of {', '.join(DISTRACTORS)}"
    return None


def rule_sentence(decimals: int, fewer_credit: float) -> str:
    """The precision rule as the sheet prints it (one sentence)."""
    gets = "full marks" if fewer_credit >= 1 else "no marks" if fewer_credit <= 0 else f"{fewer_credit:g} of the points"
    return (f"Give each answer rounded to {decimals} decimals; an answer with fewer decimals is judged "
            f"as the number written, and the exact answer rounded to fewer decimals gets {gets}.")
