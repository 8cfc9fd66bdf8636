"""Per-student feedback: each question's verdict, the expected value, and for a wrong answer the
diagnosis and the worked step that shows the right way."""
from __future__ import annotations

from ..engine import solve
from ..examples import notation_of
from ..functions import ACTIVATIONS
from ..notation import plain
from ..solution import resolve_pointer, to_dict
from ..spec import from_dict
from .judge import Verdict


def fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.6g}" if v != 0 else "0"


class Worked:
    """Worked steps for one key (the exact solution is computed once)."""

    def __init__(self, key: dict):
        self.spec = from_dict(key["spec"], "answer key")
        self.nt = notation_of(self.spec)
        self.sol = to_dict(solve(self.spec), self.nt)

    def step(self, q: dict) -> str:
        t = q["ref"].split("/")[1:]
        spec, nt, sol = self.spec, self.nt, self.sol
        try:
            if t[0] == "forward" and not spec.batched:
                l, j = int(t[1]), int(t[-1])
                prev = spec.x[0] if l == 0 else sol["forward"][l - 1]["h"]
                terms = [f"{fmt(spec.weights[l][j][k])}·{fmt(prev[k])}" for k in range(spec.layers[l])]
                if spec.biases is not None:
                    terms.append(fmt(spec.biases[l][j]))
                z, h = sol["forward"][l]["z"][j], sol["forward"][l]["h"][j]
                return (f"{plain(nt.z(l + 1, j))} = {' + '.join(terms)} = {fmt(z)}; "
                        f"{plain(nt.h(l + 1, j))} = {spec.activations[l]}({fmt(z)}) = {fmt(h)}")
            if t[0] in ("loss", "loss_after"):
                out = sol["output"] if t[0] == "loss" else "the outputs after the update"
                return f"L = {spec.loss} of outputs {out} against targets {spec.y.tolist()} = {fmt(float(q['answer']))}"
            if t[0] == "gradients":
                idx = tuple(int(v) for v in t[2:])
                entries = [e for e in sol["paths"] if e["param"] == t[1] and tuple(e["index"]) == idx]
                parts = []
                for e in entries:
                    parts += ["(" + " × ".join(fmt(f["value"]) for f in p["factors"]) + ")" for p in e["paths"]]
                mean = " (mean over the samples)" if spec.batched else ""
                sym = plain(nt.d("L", nt.param(t[1], idx)))
                return f"{sym} = sum over the chain-rule paths{mean}: {' + '.join(parts)} = {fmt(float(q['answer']))}"
            if t[0] == "paths":
                p = sol["paths"][int(t[1])]["paths"][int(t[3])]
                return " × ".join(f"{plain(f['symbol'])} = {fmt(f['value'])}" for f in p["factors"]) + \
                    f"; product {fmt(p['product'])}"
            if t[0] == "updated":
                idx = tuple(int(v) for v in t[2:])
                old = resolve_pointer({"w": [w.tolist() for w in spec.weights],
                                       "b": None if spec.biases is None else [b.tolist() for b in spec.biases]},
                                      "/" + ("w" if t[1] == "weights" else "b") + "/" + "/".join(t[2:]))
                g = resolve_pointer(sol, "/gradients/" + "/".join(t[1:]))
                return (f"{plain(nt.param(t[1], idx))}' = {plain(nt.param(t[1], idx))} - η·∂L/∂ = "
                        f"{fmt(old)} - {fmt(spec.learning_rate)}·({fmt(g)}) = {fmt(float(q['answer']))}")
        except (KeyError, IndexError, ValueError, TypeError):
            pass
        return f"the exact value is {fmt(float(q['answer']))}"


def derivative_note(spec) -> str:
    acts = sorted(set(spec.activations))
    return "; ".join(f"{a}: dh/dz = {plain(ACTIVATIONS[a].dlatex)}" for a in acts)


def student_markdown(student_id: str, key: dict, verdicts: list[Verdict], worked: Worked,
                     carried_credit: float) -> str:
    total = sum(v.score for v in verdicts)
    maximum = sum(v.points for v in verdicts)
    pct = 100 * total / maximum if maximum else 0.0
    out = [f"# Feedback for {student_id}", "",
           f"Exam: {key.get('exam', '')}  ",
           f"Score: **{total:g} / {maximum:g}** ({pct:.1f}%)", "",
           "| Question | Your answer | Expected | Verdict | Score |", "|---|---|---|---|---|"]
    for v in verdicts:
        out.append(f"| {v.question_id} | {'' if v.answer is None else v.answer.strip()} | {fmt(v.expected)} | "
                   f"{v.verdict} | {v.score:g} / {v.points:g} |")
    qs = {q["id"]: q for q in key["questions"]}
    notes = []
    for v in verdicts:
        if v.verdict == "correct":
            continue
        q = qs[v.question_id]
        notes += ["", f"## {v.question_id}: {q.get('text', '')}", ""]
        if v.verdict == "carried":
            notes.append(f"Wrong against the exact value, but right given your own earlier answers "
                         f"(that gives {fmt(v.carried_expected)}): error carried forward, "
                         f"{carried_credit:g} of the points.")
        elif v.verdict == "wrong":
            notes.append(f"Your answer {fmt(v.value)} is not within the tolerance of {fmt(v.expected)}.")
            if v.diagnosis:
                notes.append(f"Likely slip (`{v.diagnosis}`): {v.explanation}")
        elif v.verdict == "invalid":
            notes.append(f"Your answer {v.answer!r} could not be read as a number (not graded).")
        else:
            notes.append("No answer was given.")
        notes.append(f"Worked step: {worked.step(q)}")
    return "\n".join(out + notes) + "\n"
