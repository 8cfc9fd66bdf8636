"""Per-student feedback: each question's verdict, the expected value, and for an answer that is
not correct the diagnosis and the worked step (`exgen.student.hints.worked_step`, the step students see
with `s` in `exgen practice`), in the key's notation."""
from __future__ import annotations

from typing import Any

from exgen.answer_key import is_shape_ref
from exgen.core.solve import solve
from exgen.escape import md_fence, md_text
from exgen.core.examples import notation_of
from exgen.student.hints import worked_step
from exgen.core.report import fmt as _fmt
from exgen.core.spec import from_dict
from exgen.grading.judge import Verdict


def fmt(v: float | None) -> str:
    return "-" if v is None else _fmt(v)


class Worked:
    """Worked steps for one key, in its notation (the exact solution is computed once)."""

    def __init__(self, key: dict):
        from exgen.graph.spec import from_dict as graph_spec, is_graph
        self.sol: Any
        self.nt: Any
        if is_graph(key["spec"]):  # a computational graph: its solver's Run (exgen.kinds.graph reads it)
            from exgen.graph.solve import solve as solve_graph
            self.sol, self.nt = solve_graph(graph_spec(key["spec"], "answer key")), None
            return
        self.spec = from_dict(key["spec"], "answer key")
        self.nt = notation_of(self.spec)
        self.sol = solve(self.spec)  # the steps are written from it (not from the solution object:
        # listing every chain-rule path for it was 60% of the feedback's time)

    def step(self, q: dict) -> list[str]:
        """The worked step of question q, as lines."""
        try:
            return worked_step(self.sol, self.nt, q)
        except (KeyError, IndexError, ValueError, TypeError):  # a ref with no worked step
            return [f"the exact value is {fmt(float(q['answer']))}"]


def student_markdown(student_id: str, key: dict, verdicts: list[Verdict], worked: Worked,
                     carried_credit: float) -> str:
    total = sum(v.score for v in verdicts)
    maximum = sum(v.points for v in verdicts)
    pct = 100 * total / maximum if maximum else 0.0
    out = [f"# Feedback for {md_text(student_id)}", "",
           f"Exam: {md_text(key.get('exam', ''))}  ",
           f"Score: **{total:g} / {maximum:g}** ({pct:.1f}%)", "",
           "| Question | Your answer | Expected | Verdict | Score |", "|---|---|---|---|---|"]
    qs = {q["id"]: q for q in key["questions"]}
    shaped = {qid for qid, q in qs.items() if is_shape_ref(str(q.get("ref", "")))}  # answers such as 4x3
    decimals = (key.get("acceptance") or {}).get("decimals")  # the expected values as the sheet asks them
    for v in verdicts:
        exp = (md_text(str(qs[v.question_id]["answer"])) if v.question_id in shaped
               else f"{v.expected:.{decimals}f}" if isinstance(decimals, int) else fmt(v.expected))
        out.append(f"| {md_text(v.question_id)} | {'' if v.answer is None else md_text(v.answer.strip())} | {exp} | "
                   f"{v.verdict} | {v.score:g} / {v.points:g} |")
    notes = []
    for v in verdicts:
        if v.verdict == "correct":
            continue
        q = qs[v.question_id]
        notes += ["", f"## {md_text(v.question_id)}: {md_text(q.get('text', ''))}", ""]
        if v.verdict == "carried":
            notes.append(f"Wrong against the exact value, but right given your own earlier answers "
                         f"(that gives {fmt(v.carried_expected)}): error carried forward, "
                         f"{carried_credit:g} of the points.")
        elif v.verdict == "wrong" and v.question_id in shaped:
            notes.append(f"Your shape {md_text(str(v.answer).strip())} is not {md_text(str(q['answer']))} (rows x columns).")
            if v.diagnosis:
                notes.append(f"Likely slip (`{v.diagnosis}`): {v.explanation}")
        elif v.verdict == "wrong":
            notes.append(f"Your answer {fmt(v.value)} is not within the tolerance of {fmt(v.expected)}.")
            if v.diagnosis:
                notes.append(f"Likely slip (`{v.diagnosis}`): {v.explanation}")
        elif v.verdict == "invalid":
            what = "a shape (write it as 4x3, 4 x 3 or (4, 3))" if v.question_id in shaped else "a number"
            notes.append(f"Your answer {md_text(repr(v.answer))} could not be read as {what} (not graded).")
        else:
            notes.append("No answer was given.")
        step = worked.step(q)
        fence = md_fence(step)
        notes += ["", "Worked step:", "", fence + "text", *step, fence]
    return "\n".join(out + notes) + "\n"
