"""What an LMS question shows beside its parts, for each exercise kind (issue 15), and the texts
an LMS accepts for a shape answer.

given_rows: (name, value) of everything the student is given: a network's inputs, targets
(sample by sample for a mini-batch), parameters and learning rate; a computational graph's
inputs and its gates in evaluation order (exgen.graph: the gate as text, e.g. "q = x + y").
shape_texts: the written forms of a shape that an LMS compares as text (Moodle SHORTANSWER_C,
Canvas blanks), each one that grading.shapes.parse_shape (the one definition) reads as the shape:
an LMS matches a listed text only, so other spellings that exgen accepts (more spaces) get their
verdict when `exgen grade` regrades the LMS report.
"""
from __future__ import annotations

from exgen.grading.shapes import parse_shape


def shape_texts(shape: tuple[int, int]) -> list[str]:
    r, c = shape
    forms = [f"{r}x{c}", f"{r}×{c}", f"{r} x {c}", f"{r} × {c}", f"({r}, {c})", f"({r},{c})"]
    return [t for t in forms if parse_shape(t) == (r, c)]


def given_rows(key: dict) -> list[tuple[str, str]]:
    from exgen.graph.spec import from_dict as graph_spec, is_graph
    from exgen.lms.quiz import network_rows, number
    if not is_graph(key["spec"]):
        return network_rows(key)
    from exgen.graph.ops import gate_text
    spec = graph_spec(key["spec"], "answer key")
    rows = [(x, number(float(v))) for x, v in spec.inputs.items()]
    rows += [(f"gate {n.id}", f"{n.id} = {gate_text(n.op, n.args, n.c)}") for n in spec.nodes]
    rows.append(("output", spec.output))
    return rows
