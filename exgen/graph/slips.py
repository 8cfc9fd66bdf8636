"""The slips students make on computational graphs (seed 002's "patterns in gradient flow"):
their codes, the one-sentence explanation grading prints, and which of exgen.graph.solve's slip
passes gives each. A diagnosis names the slip whose value explains a wrong answer."""
from __future__ import annotations

DIAGNOSES: dict[str, str] = {
    "chain_rule_not_applied": "The local gradient was given where the downstream gradient belongs: the chain rule multiplies it by the upstream gradient (downstream = upstream × local).",
    "mul_own_input": "A multiply gate's gradient was taken from the operand itself: each operand of a * b gets the OTHER one (d(ab)/da = b, the gradient switcher).",
    "add_scaled": "The add gate scaled the gradient (split it between its operands): an add gate passes the upstream gradient unchanged to each operand (the gradient distributor).",
    "max_both": "The max gate routed the gradient to both operands: only the larger operand gets it, the other gets 0 (the gradient router).",
    "uses_not_summed": "This name feeds several gates and only one use's gradient was kept: the gradients of all its uses add up.",
}

# (code, the slip pass of exgen.graph.solve.run that gives it), in priority order: the first wins
PASSES: list[tuple[str, str]] = [("chain_rule_not_applied", "chain_rule_not_applied"), ("mul_own_input", "mul_own_input"),
                                 ("add_scaled", "add_scaled"), ("max_both", "max_both"),
                                 ("uses_not_summed", "uses_not_summed_first"), ("uses_not_summed", "uses_not_summed_last")]
