"""The exercise in the terminal: the network drawn as layers of neurons, its weights, biases,
inputs and targets as rich tables, and the questions. Only given numbers are shown here."""
from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from exgen.escape import term_text
from exgen.student.explain import p
from exgen.core.functions import LOSSES
from exgen.student.practice import Practice
from exgen.core.report import fmt


def console() -> Console:
    return Console(highlight=False, markup=False)


def _layer_name(spec, l: int) -> str:
    if l == 0:
        return "input"
    kind = "output" if l == spec.n_layers else "hidden"
    return f"{kind} ({spec.activations[l - 1]})"


def network_table(ex: Practice) -> Table:
    """The network in text: one column per layer, one row per neuron, edges as arrows."""
    spec, nt = ex.spec, ex.nt
    t = Table(box=box.SIMPLE, title="Network (every neuron is connected to every neuron of the next layer)")
    for l in range(len(spec.layers)):
        t.add_column(f"layer {l}: {_layer_name(spec, l)}", justify="center")
        if l < spec.n_layers:
            t.add_column("", justify="center")
    for r in range(max(spec.layers)):
        row = []
        for l, size in enumerate(spec.layers):
            cell = ""
            if r < size:
                cell = f"({p(nt.h(l, r))})"
                if l == 0 and not spec.batched:
                    cell = f"({p(nt.h(0, r))} = {fmt(spec.x[0, r])})"
                if l == spec.n_layers and not spec.batched:
                    cell += f"  y_{r + 1} = {fmt(spec.y[0, r])}"
            row.append(cell)
            if l < spec.n_layers:
                row.append("──▶" if r < min(size, spec.layers[l + 1]) or r == 0 else "")
        t.add_row(*row)
    return t


def weight_tables(ex: Practice) -> list[Table]:
    """One table per layer of weights: rows are the neurons fed, columns the neurons feeding them."""
    spec, nt = ex.spec, ex.nt
    out = []
    for l in range(spec.n_layers):
        t = Table(box=box.ROUNDED, title=f"Weights into layer {l + 1}" + (" and biases" if spec.biases is not None else ""))
        t.add_column("to \\ from")
        for k in range(spec.layers[l]):
            t.add_column(p(nt.h(l, k)), justify="right")
        if spec.biases is not None:
            t.add_column("bias", justify="right")
        for j in range(spec.layers[l + 1]):
            cells = [f"{p(nt.w(l, j, k))} = {fmt(spec.weights[l][j, k])}" for k in range(spec.layers[l])]
            if spec.biases is not None:
                cells.append(f"{p(nt.b(l, j))} = {fmt(spec.biases[l][j])}")
            t.add_row(p(nt.z(l + 1, j)), *cells)
        out.append(t)
    return out


def batch_table(ex: Practice) -> Table:
    spec, nt = ex.spec, ex.nt
    t = Table(box=box.ROUNDED, title=f"Mini-batch of {spec.x.shape[0]} samples")
    t.add_column("sample")
    for k in range(spec.layers[0]):
        t.add_column(p(nt.h(0, k)), justify="right")
    for k in range(spec.layers[-1]):
        t.add_column(f"y_{k + 1}", justify="right")
    for b in range(spec.x.shape[0]):
        t.add_row(str(b + 1), *[fmt(v) for v in spec.x[b]], *[fmt(v) for v in spec.y[b]])
    return t


def questions_table(ex: Practice) -> Table:
    t = Table(box=box.SIMPLE, title="Questions")
    t.add_column("id")
    t.add_column("compute")
    t.add_column("points", justify="right")
    for q in ex.questions:
        t.add_row(q["id"], q["text"], fmt(float(q["points"])))
    return t


def show_exercise(ex: Practice, con: Console | None = None) -> None:
    con = con or console()
    spec = ex.spec
    con.print(term_text(ex.title), style="bold")  # input text: no escape sequence reaches the terminal
    if spec.description:
        con.print(term_text(spec.description))
    if ex.seed is not None:
        con.print(term_text(f"Seed {ex.seed}: redo this exercise with  {ex.redo()}"), soft_wrap=True)  # one line to copy
    if ex.nt is None:  # a computational graph (exgen.graph.practice)
        from exgen.graph.practice import describe
        for line in describe(ex):
            con.print(term_text(line))
        con.print(questions_table(ex))
        return
    con.print(network_table(ex))
    if spec.batched:
        con.print(batch_table(ex))
    for t in weight_tables(ex):
        con.print(t)
    mean = ", the mean over the samples" if spec.batched else ""
    ln = " (log is the natural logarithm)" if "log" in LOSSES[spec.loss].text else ""
    con.print(f"Loss: L = {LOSSES[spec.loss].text}{mean}{ln}.   Learning rate η = {fmt(spec.learning_rate)}.")
    con.print(questions_table(ex))
