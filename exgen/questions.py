"""Which quantities an exam asks for: ids, text, JSON-pointer refs, points, tolerances, dependencies.

This module is the contract between generation (which prints the questions and writes the answer
key) and grading (which judges answers and recomputes along `depends_on` for error carried forward).

Question types, in the order the config lists them (group n gets ids na, nb, ...):
  forward     h of every neuron of every non-input layer       ref /forward/<l>/h/<j>
  loss        the loss                                          ref /loss
  gradients   dL/dparam for a few chosen parameters              ref /gradients/weights/<l>/<j>/<k>
  paths       each chain-rule path product of a multi-path weight ref /paths/<i>/paths/<p>/product
  update      the parameters of `gradients` after one SGD step   ref /updated/weights/<l>/<j>/<k>
  loss_after  the loss after that step                           ref /loss_after
"""
from __future__ import annotations

import string
from dataclasses import asdict, dataclass, field
from typing import Any

from .notation import Notation, plain
from .solution import resolve_pointer
from .spec import Spec

QUESTION_TYPES = ("forward", "loss", "gradients", "paths", "update", "loss_after")
KEY_VERSION = 1
DEFAULT_TOLERANCE = {"kind": "rel", "value": 0.01}
TOLERANCE_KINDS = ("abs", "rel", "sig")


@dataclass
class Question:
    id: str
    kind: str  # one of QUESTION_TYPES
    text: str  # plain text, for terminals and CSV
    latex: str  # the same question as LaTeX (math mode pieces inside $...$)
    ref: str  # RFC 6901 pointer into the solution object
    answer: float
    tolerance: dict[str, Any]
    points: float
    depends_on: list[str] = field(default_factory=list)
    symbol: str = ""  # LaTeX symbol of the asked quantity

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def gradient_params(spec: Spec) -> list[tuple[str, tuple[int, ...]]]:
    """Parameters whose gradients an exam asks for: an output-layer weight, a weight with
    several paths (first layer, if there is a hidden layer), and a bias if the net has them."""
    L = spec.n_layers
    chosen: list[tuple[str, tuple[int, ...]]] = [("weights", (L - 1, 0, 0))]
    if L > 1:
        chosen.append(("weights", (0, 0, 0)))
    elif spec.layers[0] > 1:
        chosen.append(("weights", (0, 0, 1)))
    if spec.biases is not None:
        chosen.append(("biases", (0, 0)))
    return chosen


def _ids(group: int):
    for letter in string.ascii_lowercase:
        yield f"{group}{letter}"
    raise ValueError("more than 26 questions in one group")


def _ptr(*parts: Any) -> str:
    return "/" + "/".join(str(p) for p in parts)


def build_questions(spec: Spec, solution: dict[str, Any], nt: Notation, asked: list[dict[str, Any]],
                    tolerance: dict[str, Any] | None = None) -> list[Question]:
    """The exam's questions for one network. `asked` is the config's list of
    {"type": ..., "points": ...}; `solution` is the solve --json object of `spec`."""
    tol = dict(tolerance or DEFAULT_TOLERANCE)
    qs: list[Question] = []
    by_ref: dict[str, str] = {}  # ref -> question id, for depends_on
    forward_ids: list[str] = []
    grad_ids: dict[tuple, str] = {}
    update_ids: list[str] = []
    L = spec.n_layers
    params = gradient_params(spec)

    def add(ids, kind, text, latex, ref, points, deps, symbol):
        qid = next(ids)
        qs.append(Question(qid, kind, plain(text), latex, ref, float(resolve_pointer(solution, ref)),
                           dict(tol), float(points), list(deps), symbol))
        by_ref[ref] = qid
        return qid

    for g, item in enumerate(asked, start=1):
        kind, pts = item["type"], item.get("points", 1)
        ids = _ids(g)
        if kind == "forward":
            prev: list[str] = []
            for l in range(L):
                layer = []
                for j in range(spec.layers[l + 1]):
                    sym = nt.h(l + 1, j)
                    layer.append(add(ids, kind, f"the activation {sym}", f"the activation ${sym}$",
                                     _ptr("forward", l, "h", j), pts, prev, sym))
                forward_ids += layer
                prev = layer
        elif kind == "loss":
            out = [by_ref[_ptr("forward", L - 1, "h", j)] for j in range(spec.layers[-1])
                   if _ptr("forward", L - 1, "h", j) in by_ref]
            add(ids, kind, "the loss L", "the loss $L$", "/loss", pts, out, "L")
        elif kind == "gradients":
            for pk, idx in params:
                sym = nt.param(pk, idx)
                d = nt.d("L", sym)
                grad_ids[(pk, idx)] = add(ids, kind, f"the gradient dL/d{sym}", f"the gradient ${d}$",
                                          _ptr("gradients", pk, *idx), pts, forward_ids, d)
        elif kind == "paths":
            multi = [(pk, idx) for pk, idx in params if pk == "weights" and idx[0] < L - 1]
            for pk, idx in multi[:1]:
                i = next(n for n, e in enumerate(solution["paths"])
                         if e["param"] == pk and e["index"] == list(idx) and e.get("sample", 0) == 0)
                for p in range(len(solution["paths"][i]["paths"])):
                    sym = nt.param(pk, idx)
                    add(ids, kind, f"the product along path {p + 1} from {sym} to L",
                        f"the product of the factors along path {p + 1} from ${sym}$ to $L$",
                        _ptr("paths", i, "paths", p, "product"), pts, forward_ids, sym)
        elif kind == "update":
            for pk, idx in params:
                sym = nt.param(pk, idx)
                deps = [grad_ids[(pk, idx)]] if (pk, idx) in grad_ids else []
                update_ids.append(add(ids, kind, f"the new value of {sym} after one SGD step",
                                      f"the new value of ${sym}$ after one SGD step",
                                      _ptr("updated", pk, *idx), pts, deps, sym))
        elif kind == "loss_after":
            add(ids, kind, "the loss after the SGD step (all parameters updated)",
                "the loss after the SGD step (all parameters updated)", "/loss_after", pts, update_ids,
                "L'")
        else:
            raise ValueError(f"unknown question type {kind!r}; valid: {', '.join(QUESTION_TYPES)}")
    return qs


def answer_key(exam: str, student_id: str, seed: int, spec: Spec, questions: list[Question]) -> dict[str, Any]:
    """The per-student answer key (`answer_keys/<student_id>.json`)."""
    return {"version": KEY_VERSION, "exam": exam, "student_id": student_id, "seed": seed,
            "spec": spec.to_dict(), "questions": [q.to_dict() for q in questions]}
