"""Misconception diagnosis: recompute each answer with a classic slip applied, and name the slip
whose value explains a wrong answer.

`DIAGNOSES` is ordered by priority: when several slips give the same number, the first wins.
"""
from __future__ import annotations

import numpy as np

from exgen.acceptance import TOO_FEW
from exgen.core import parameters
from exgen.core.engine import SLIPS, Nets, Result, run
from exgen.grading import distract
from exgen.grading.distract import unchanged
from exgen.graph.slips import DIAGNOSES as GRAPH_DIAGNOSES
from exgen.kinds import read as read_ref

NOT_APPLIED = "update_not_applied"
DIAGNOSES: dict[str, str] = {
    NOT_APPLIED: "This is the value before the step: the update was not applied (the new value is the old one minus eta times the gradient; the loss after the step needs the updated parameters).",
    "sign_flip": "The value has the right size but the wrong sign.",
    "softmax_elementwise": "Softmax was differentiated as if it were elementwise, dropping the cross terms dh_m/dz_i (m != i) and the paths through the other outputs.",
    "missing_path": "One chain-rule path was left out: this weight reaches the loss along several paths and their products must be summed.",
    "sigma_for_derivative": "The activation sigma(z) was used where its derivative sigma'(z) = sigma(z)(1 - sigma(z)) belongs.",
    "z_for_h": "The pre-activation z of the previous layer was used where its activation h belongs (dz/dw is the input h, not z).",
    "h_z_swapped": "h and z were swapped in the derivative: sigma'(z) was computed as z(1 - z) instead of h(1 - h).",
    "derivative_dropped": "The activation derivative dh/dz was dropped from the chain rule.",
    "transposed_weight": "The weight indices were transposed: this is the value for w_kj, not w_jk.",
    "update_wrong_sign": "The update went uphill: w + eta*g instead of w - eta*g.",
    "update_no_eta": "The learning rate was left out of the update: w - g instead of w - eta*g.",
    "updated_in_backward": "Already-updated weights were used in the backward pass; the gradients must all use the old weights.",
    "sse_factor": "The factor 2 of the squared error is off: 1/2 sum (y - yhat)^2 and sum (y - yhat)^2 differ by a factor 2 in the loss and its gradient.",
    "batch_sum": "The gradient (or loss) was summed over the mini-batch instead of averaged.",
    "first_sample": "Only one sample was used: this is the first sample's gradient (or loss), not the mean over the mini-batch.",
    "transposed_shape": "The shape is transposed (rows and columns swapped): check which convention the exam uses, z = xW + b with one row per sample, or z = Wx + b with one column per sample.",
    TOO_FEW: "The right value, rounded to fewer decimals than asked: judged by the exam's precision rule (it gives the share of the points written on the sheet, none by default).",
}

_SOLVER = [c for c in DIAGNOSES if c in SLIPS]  # applied inside the engine
DIAGNOSES.update(GRAPH_DIAGNOSES)  # computational graphs' slips (exgen.graph.slips)


def candidates(net: Nets, refs: list[str], expected: np.ndarray,
               paths_of: dict, before: np.ndarray | None = None,
               exact: Result | None = None) -> tuple[list[str], list[np.ndarray]]:
    """Slip values for every key and question: codes (C,) and each code's values (K, Q), NaN = n/a.

    `paths_of[(kind, index)]` is the entry number in the solution's "paths" list (sample 0);
    `before`: the value before the step (K, Q), NaN where none (grading.distract.unchanged);
    `exact`: run(net), if already at hand."""
    K, Q = expected.shape
    exact = run(net) if exact is None else exact
    if before is None:
        before = unchanged(net, refs, exact)
    cols: list[tuple[str, np.ndarray]] = [(NOT_APPLIED, before),
                                          ("sign_flip", np.where(expected != 0, -expected, np.nan))]
    for code in _SOLVER:
        if code in ("batch_sum", "first_sample") and net.x.shape[1] == 1:
            continue
        with np.errstate(all="ignore"):  # a slip may leave a log's domain: NaN, never matched
            cols.append((code, run(net, slip=code).values(refs)))
    # post-hoc slips, each question kind's own (exgen.kinds): a missing path, transposed indices
    miss: list[np.ndarray] = []
    trans = np.full((K, Q), np.nan)
    for q, ref in enumerate(refs):
        try:
            unit, r = read_ref(ref, net.L)
        except KeyError:
            continue
        t, missing = unit.posthoc_slips(r, net, exact, paths_of)
        if t is not None:
            trans[:, q] = t
        while len(miss) < len(missing):
            miss.append(np.full((K, Q), np.nan))
        if len(missing) >= 2:  # a single path cannot be left out
            for m, v in zip(miss, missing):
                m[:, q] = v
    cols += [("missing_path", m) for m in miss]
    cols.append(("transposed_weight", trans))
    order = list(DIAGNOSES)
    cols.sort(key=lambda cv: order.index(cv[0]))  # stable: keeps several missing_path columns
    return [c for c, _ in cols], [v for _, v in cols]


def path_entries(net: Nets) -> dict:
    """(kind, index) -> entry number in the solution's "paths" list, for sample 0."""
    return {p: i for i, p in enumerate(parameters(net.layers, net.b is not None))}


SECOND_ORDER = ("updated_in_backward",)  # slips whose effect is a product of two small changes (eta*g times a gradient)


def all_distractors(net: Nets, refs: list[str], expected: np.ndarray, decimals: int | None = None,
                    first_order: bool = False) -> np.ndarray:
    """(K, Q, M): every distractor of every question (grading.distract, version-2 policy): the
    value before the step, the step uphill and each slip's value (those that cannot be told from
    the answer at `decimals` left out); `first_order`: without the SECOND_ORDER slips."""
    before = unchanged(net, refs, run(net))
    dis = distract.distractors(before, expected, refs)
    codes, cols = candidates(net, refs, expected, path_entries(net), before)
    if first_order:
        cols = [c for code, c in zip(codes, cols) if code not in SECOND_ORDER]
    return distract.with_slips(dis, cols, expected, decimals)
