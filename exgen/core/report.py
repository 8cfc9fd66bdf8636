"""A readable, aligned text report of a solution (`exgen solve` without --json)."""
from __future__ import annotations

import numpy as np

from exgen.core.solve import Solution
from exgen.core.notation import Notation, count, plain
from exgen.core.paths import check_count, ordered_parameters, paths_for


def fmt(v: float, digits: int = 6) -> str:
    return f"{v:.{digits}g}" if v != 0 else "0"


def _table(rows: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    width = max((len(a) for a, _ in rows), default=0)
    return [f"{indent}{a.ljust(width)}  {b}" for a, b in rows]


def text_report(sol: Solution, nt: Notation, show_paths: bool = True) -> str:
    spec = sol.spec
    if show_paths:  # before any work: the paths grow as the product of the layer widths
        check_count(spec, hint="pass --no-paths to solve it without listing them")
    out: list[str] = []
    title = spec.name or "network"
    out.append(f"{title}: layers {'-'.join(map(str, spec.layers))}, activations {', '.join(spec.activations)}, "
               f"loss {spec.loss}, learning rate {fmt(spec.learning_rate)}")
    if spec.description:
        out.append(spec.description)
    B = spec.x.shape[0]
    for b in range(B):
        tag = f" (sample {b + 1} of {B})" if spec.batched else ""
        out.append(f"\nForward pass{tag}")
        rows = [(plain(nt.h(0, k)), fmt(v)) for k, v in enumerate(spec.x[b])]
        for l in range(spec.n_layers):
            for j in range(spec.layers[l + 1]):
                rows.append((plain(nt.z(l + 1, j)), fmt(sol.fwd.z[l][b, j])))
                rows.append((plain(nt.h(l + 1, j)), fmt(sol.fwd.h[l + 1][b, j])))
        rows += [(f"y_{k + 1}", fmt(v)) for k, v in enumerate(spec.y[b])]
        out += _table(rows)
    out.append(f"\nLoss ({spec.loss}{', mean over the batch' if spec.batched else ''}): {fmt(sol.loss)}")

    out.append("\nGradients and updated parameters (new = old - eta * dL/dparam)")
    rows = [("param", f"{'dL/dparam':>12}   {'old':>10}   {'new':>12}")]
    for kind, idx in ordered_parameters(sol, nt):
        old, g, new = sol.old_grad_new(kind, idx)
        rows.append((plain(nt.param(kind, idx)), f"{fmt(g):>12}   {fmt(old):>10}   {fmt(new):>12}"))
    out += _table(rows)
    out.append(f"\nLoss after one SGD step: {fmt(sol.loss_after)}")

    if show_paths:
        out.append("\nChain-rule paths (factors from the loss back to the parameter)")
        for b in range(B):
            for kind, idx in ordered_parameters(sol, nt):
                ps = paths_for(sol, kind, idx, b, nt)
                tag = f" [sample {b + 1}]" if spec.batched else ""
                total = float(np.sum([p.product for p in ps]))
                out.append(f"  {plain(nt.param(kind, idx))}{tag}: {count(len(ps), 'path')}, sum {fmt(total)}")
                for p in ps:
                    out.append("    " + " * ".join(fmt(f.value, 4) for f in p.factors) + f" = {fmt(p.product)}")
    return "\n".join(out) + "\n"
