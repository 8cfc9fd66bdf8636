"""Shape questions (answer-key version 2, exgen.kinds.shape): a small path of their own beside the
vectorised judging of numbers. A shape is written `4x3`, `4×3`, `4 x 3` or `(4, 3)`; anything
else is invalid (not wrong). It is correct only if it is exactly the key's shape; a wrong shape
that is the key's transposed is diagnosed. Nothing depends on a shape question, so error carried
forward never reaches one.
"""
from __future__ import annotations

import re

import numpy as np

from exgen.answer_key import is_shape_ref
from exgen.core import engine, shapes
from exgen.core.refs import parse

TRANSPOSED = "transposed_shape"
# The one definition of a written shape: FORM with {s} a space (what Python's `\s` matches, SPACE)
# and {d} a decimal digit (Python's `\d`: any Unicode Nd digit), each size at most MAX_DIGITS
# digits. `rule_data()` hands the same rule to a program without exgen (the self-check page).
FORM = r"{s}*(?:\({s}*({d}+){s}*,{s}*({d}+){s}*\)|({d}+){s}*[x×]{s}*({d}+)){s}*"
SPACE = "".join(chr(c) for c in range(0x3001) if re.fullmatch(r"\s", chr(c)))  # none above U+3000
MAX_DIGITS = 6
_SHAPE = re.compile(FORM.format(s=r"\s", d=r"\d"))


def rule_data() -> dict:
    """The accepted forms as data: `form` (a regular expression with {s} and {d} to fill in),
    `space` (the characters {s} stands for), `max_digits`, and the diagnosis of the transposed
    shape. {d} is a decimal digit of any script (a reader maps them to 0-9 first)."""
    return {"form": FORM, "space": SPACE, "max_digits": MAX_DIGITS, "transposed": TRANSPOSED}


def parse_shape(text: str | None) -> tuple[int, int] | None:
    """(rows, cols) of a written shape, or None if it is not one of the accepted forms."""
    if text is None:
        return None
    m = _SHAPE.fullmatch(str(text))
    if not m:
        return None
    r, c = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return (int(r), int(c)) if len(r) <= MAX_DIGITS and len(c) <= MAX_DIGITS else None


def columns(refs: list[str]) -> list[int]:
    """The positions of the shape questions among a group's refs."""
    return [q for q, r in enumerate(refs) if is_shape_ref(r)]


def key_shapes(keys: list[dict], cols: list[int]) -> list[list[tuple[int, int] | None]]:
    """The keys' shape answers (K, len(cols)); None where one is not a valid shape."""
    return [[parse_shape(k["questions"][q]["answer"]) if isinstance(k["questions"][q]["answer"], str) else None
             for q in cols] for k in keys]


def prepare(g, answers: list) -> list:
    """A group's flat answers (K*Q) with NaN at its shape questions, for the vectorised judging of
    numbers; sets g.shape_answers. ValueError if a key's shape answer is not a shape."""
    Q, cols = len(g.qids), set(g.shape_cols)
    g.shape_answers = key_shapes(g.keys, g.shape_cols)
    if any(None in row for row in g.shape_answers):
        raise ValueError('a shape answer is not a shape such as "4x3"')
    return [np.nan if i % Q in cols else a for i, a in enumerate(answers)]


def mismatch(g, ok: np.ndarray) -> tuple[int, int, float | str, float | str] | None:
    """The first (key, question, key's shape, shape recomputed from its spec) that differ; marks
    the shape questions in `ok` (the numbers' check, (K, Q)) as checked here."""
    ok[:, g.shape_cols] = True
    want = recomputed(g.net, g.refs, g.shape_cols)
    for k, row in enumerate(g.shape_answers):
        for i, (got, w) in enumerate(zip(row, want)):
            if got != w:
                return k, g.shape_cols[i], shapes.text(got), shapes.text(w)
    return None


def recomputed(net: engine.Nets, refs: list[str], cols: list[int]) -> list[tuple[int, int]]:
    """The shapes at the shape refs, from the engine run on the keys' networks (one shape for the
    whole group: the keys of a group have one architecture and batch size)."""
    res = engine.run(net)
    out = []
    for q in cols:
        r = parse(refs[q], net.L)
        out.append(shapes.of_result(res, r.layer, shapes.CONVENTIONS[r.index[0]])[shapes.NAMES[r.index[1]]])
    return out


def judge(g, kidx: np.ndarray, raw: list[list[str | None]], judged) -> None:
    """Overwrite the judged arrays (exgen.grading.judge.Judged) at the group's shape questions:
    `raw[s][i]` is student s's text for the i-th shape question (g.shape_cols), None if absent."""
    from exgen.grading.judge import CORRECT, INVALID_V, MISSING_V, WRONG
    from exgen.grading.numbers import parse_answer, MISSING
    if not g.shape_cols:
        return
    code = judged.codes.index(TRANSPOSED) if TRANSPOSED in judged.codes else len(judged.codes)
    if code == len(judged.codes):
        judged.codes.append(TRANSPOSED)
    for i, q in enumerate(g.shape_cols):
        for s, k in enumerate(kidx):
            text, want = raw[s][i], g.shape_answers[int(k)][i]
            got = parse_shape(text)
            if got is None:
                v = MISSING_V if parse_answer(text)[1] == MISSING else INVALID_V
            else:
                v = CORRECT if got == want else WRONG
            judged.verdict[s, q] = v
            judged.score[s, q] = judged.points[s, q] if v == CORRECT else 0.0
            judged.carried[s, q] = np.nan
            judged.diagnosis[s, q] = code if (v == WRONG and got == want[::-1]) else -1
