"""Path product: the product of the factors along one chain-rule path of a weight with several
paths (ref /paths/<i>/paths/<p>/product, entry i of the solution's "paths" list). Depends on the
forward values asked."""
from __future__ import annotations

from typing import Any

from exgen.student import explain as ex
from exgen.core.paths import route_names
from exgen.core.refs import Ref, path_entry
from exgen.core.solve import Solution
from exgen.core.notation import Notation
from exgen.exam.worked import Fmt, path_lines
from exgen.kinds.base import Asker, Kind, Question, gradient_params, ptr, register
from exgen.kinds.gradient import chains, factor_notes

p = ex.p


def target(ref: Ref, sol: Solution) -> tuple[int, str, tuple[int, ...], int]:
    """(sample, param kind, param index, path number) of a path ref."""
    b, kind, index = path_entry(ref.layer, sol.spec.layers, sol.spec.biases is not None)
    return b, kind, index, ref.index[0]


@register("paths", "Chain-rule paths", ("path",), r"paths/\d+/paths/\d+/product")
class PathProduct(Kind):
    def ask(self, a: Asker) -> None:
        L, paths = a.spec.n_layers, a.solution["paths"]
        multi = [(pk, idx) for pk, idx in gradient_params(a.spec) if pk == "weights" and idx[0] < L - 1]
        for pk, idx in multi[:1]:
            i = next(n for n, e in enumerate(paths)
                     if e["param"] == pk and e["index"] == list(idx) and e.get("sample", 0) == 0)
            for n in range(len(paths[i]["paths"])):
                sym = a.nt.param(pk, idx)
                via = route_names(a.spec, a.nt, idx[0], idx[1], n)
                a.add(f"the product along the path through {' and '.join(via)} from {sym} to L",
                      f"the product of the factors along the path through {' and '.join(f'${v}$' for v in via)} "
                      f"from ${sym}$ to $L$",
                      ptr("paths", i, "paths", n, "product"), a.ids_of("forward"), sym)

    def answer_latex(self, q: Question, answer: str) -> str:
        return answer

    def steps(self, ref: Ref, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
        n = ref.index[0]
        return path_lines(sol_json["paths"][ref.layer]["paths"][n], f, rf"\text{{path {n + 1}}}")

    def hints(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        b, param, index, n = target(ref, sol)
        ps, chain = chains(sol, nt, param, index, b)
        name = p(nt.param(param, index))
        via = " and ".join(p(v) for v in route_names(sol.spec, nt, index[0], index[1], n))
        return [f"The path from {name} to L through {via} is the product {chain[n]}; "
                f"multiply these {len(ps[n].factors)} factors.",
                factor_notes(sol, nt, param, index)]

    def worked_text(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        b, param, index, n = target(ref, sol)
        return ex.path_lines(sol, nt, param, index, b, only=n)
