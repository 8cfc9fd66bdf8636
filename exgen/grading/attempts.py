"""Attempts: the column that orders a student's rows (Canvas `attempt`, Moodle `Started on`,
Forms `Timestamp`/`Start time`/`Completion time`) and Moodle's `State`, read from a table once per
distinct text. Which attempt counts is chosen in `exgen.grading.choose`."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from exgen.grading.table import Table

ATTEMPT_RULES = ("latest", "first", "best")
NUMBER_COLUMNS = ("attempt", "attempt number", "attempt #")
TIME_COLUMNS = ("started on", "timestamp", "completion time", "start time", "completed", "submitted")
STATE_COLUMNS = ("state",)


@dataclass
class Attempts:
    """Per answer (entry of `Submissions`): the key that orders attempts and the row it came from."""
    column: str  # the header of the ordering column
    key: np.ndarray  # (n,) float: attempt number or POSIX time; NaN where malformed
    row: np.ndarray  # (n,) table row of the answer: one attempt per row in the wide layout
    finished: np.ndarray | None = None  # (n,) bool: State is Finished (only with a State column)


def _number(t: str) -> float:
    try:
        v = float(t.strip())
    except ValueError:
        return math.nan
    return v if math.isfinite(v) else math.nan


def _time(t: str) -> float:
    import pandas as pd
    t = t.strip()
    if not t or t == "-":
        return math.nan
    try:
        d = pd.Timestamp(t)
        if d is pd.NaT:
            return math.nan
        return float((d if d.tzinfo else d.tz_localize("UTC")).timestamp())
    except (ValueError, OverflowError, TypeError):
        return math.nan


def _find(header: list[str], names: tuple[str, ...], skip: set[int]) -> int | None:
    low = [h.strip().lower() for h in header]
    for n in names:
        for i, h in enumerate(low):
            if h == n and i not in skip:
                return i
    return None


def read_attempts(t: Table, skip: set[int], per_row: int) -> tuple[Attempts | None, np.ndarray]:
    """The attempt column of table `t` (not one of the columns in `skip`), expanded to its answers
    (`per_row` answers per row, row by row), and the rows whose value is malformed."""
    j = _find(t.header, NUMBER_COLUMNS, skip)
    parse = _number
    if j is None:
        j, parse = _find(t.header, TIME_COLUMNS, skip), _time
    s = _find(t.header, STATE_COLUMNS, skip)
    if j is None and s is None:
        return None, np.zeros(0, dtype=np.int64)
    n = len(t.lines)
    rows = np.repeat(np.arange(n, dtype=np.int64), per_row)
    if j is not None:
        codes, texts = t.column(j)
        row_key = np.array([parse(x) for x in texts], dtype=float)[codes] if texts else np.zeros(n)
        column = t.header[j]
    else:  # a State column alone: row order decides among the finished attempts
        row_key, column = t.lines.astype(float), ""
    bad = np.flatnonzero(np.isnan(row_key))
    finished = None
    if s is not None:
        codes, texts = t.column(s)
        finished = np.array([x.strip().lower() == "finished" for x in texts], dtype=bool)[codes][rows]
    return Attempts(column, row_key[rows], rows, finished), bad
