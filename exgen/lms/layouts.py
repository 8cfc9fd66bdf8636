"""Which LMS or form wrote a submissions file, from its header: a small registry the grading
reader asks (exgen.grading.read), and the `--map` lines it proposes when a mapping is needed."""
from __future__ import annotations

from exgen.lms import blackboard, canvas, forms, moodle

MOODLE = "Moodle Responses report"
CANVAS = "Canvas Student Analysis report"
VARIANT_LAYOUTS = (MOODLE, CANVAS)  # graded without --map: the variant is found in each response


def detect(header: list[str]) -> str | None:
    """The layout's name, or None for a plain exgen CSV (long or wide)."""
    h = [c.lstrip("\ufeff") for c in header]
    if moodle.matches(h):
        return MOODLE
    if canvas.matches(h):
        return CANVAS
    if blackboard.matches(h):
        return blackboard.NAME + " test results"
    if forms.is_microsoft(h):
        return forms.MICROSOFT
    if forms.is_google(h):
        return forms.GOOGLE
    return None


def answer_columns(header: list[str], layout: str | None) -> list[str]:
    if layout == forms.GOOGLE:
        return forms.question_columns(header, forms.GOOGLE_META)
    if layout == forms.MICROSOFT:
        return forms.question_columns(header, forms.MICROSOFT_META)
    if layout and layout.startswith(blackboard.NAME):
        return blackboard.question_columns(header)
    if layout == MOODLE:
        return [c for c in header if moodle.RESPONSE_RE.match(c.strip())]
    return []


def propose_map(header: list[str], qids: list[str]) -> str:
    """The `--map` lines that map the layout's answer columns, in order, onto the question ids
    (a proposal to check: the columns' order is the form's); "" if there is nothing to propose."""
    layout = detect(header)
    cols = answer_columns(header, layout)
    if not cols or not qids:
        return ""
    pairs = list(zip(cols, qids))
    lines = " ".join(f"--map {_q(c.strip() + '=' + q)}" for c, q in pairs)
    extra = f" ({len(cols) - len(qids)} more answer columns than questions)" if len(cols) > len(qids) else ""
    return f"; this looks like a {layout}: map its answer columns in order{extra}: {lines}"


def _q(s: str) -> str:
    import shlex
    return shlex.quote(s)
