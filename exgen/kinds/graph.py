"""Computational-graph question kinds (exgen.graph): a node's forward value, a gate's local
gradient, a downstream gradient d output / d name. `family = "graph"`: a graph exam asks these
(exgen.graph.config.QUESTION_TYPES), a network exam never does. Their `sol` is the graph's
`exgen.graph.solve.Run` (one graph, K = 1) and the spec a `GraphSpec`; every number comes from it.
"""
from __future__ import annotations

from typing import Any

from exgen.core.report import fmt
from exgen.graph.ops import GATES, gate_text, local_formula, symbol
from exgen.graph.refs import GraphRef
from exgen.graph.spec import GraphSpec
from exgen.kinds.base import Asker, Kind, Question, register


def _n(v: float) -> str:
    s = fmt(float(v))
    return f"({s})" if s.startswith("-") else s


def _d(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {symbol(top)}}}{{\partial {symbol(bottom)}}}"


def _value_ids(a: Asker, spec: GraphSpec, names: list[str]) -> list[str]:
    idx = spec.index
    return a.ids_at([f"/nodes/{idx[x]}/value" for x in dict.fromkeys(names) if x in idx])


def _num(sol: Any, name: str, f: Any, given: bool) -> str:
    v = float(sol.values[name][0])
    return f.par(f.given(v) if given else f.val(v))


class GraphKind(Kind):
    family = "graph"

    def answer_latex(self, q: Question, answer: str) -> str:
        return f"{q.symbol} = {answer}"

    def ask(self, a: Asker) -> None:
        self.ask_graph(a, a.spec)  # type: ignore[arg-type]

    def ask_graph(self, a: Asker, spec: GraphSpec) -> None:
        """Add the kind's questions on the graph `spec` (its `ask`): by default gate by gate."""
        for i, n in enumerate(spec.nodes):
            self.ask_gate(a, spec, i, n)

    def ask_gate(self, a: Asker, spec: GraphSpec, i: int, n: Any) -> None:
        """Add the kind's questions on gate i, `n` (a per-gate kind's `ask`)."""
        raise NotImplementedError


@register("node_value", "Forward pass: the value of each gate", ("gvalue",), r"nodes/\d+/value")
class NodeValue(GraphKind):
    def ask_gate(self, a: Asker, spec: GraphSpec, i: int, n: Any) -> None:
        s = symbol(n.id)
        a.add(f"the value of {n.id} = {gate_text(n.op, n.args, n.c)}",
              f"the value of ${s} = {gate_text(n.op, [symbol(x) for x in n.args], n.c, latex=True)}$",
              f"/nodes/{i}/value", _value_ids(a, spec, n.args), s)

    def steps(self, ref: GraphRef, sol: Any, sol_json: dict[str, Any], nt: Any, f: Any) -> list[str]:  # type: ignore[override]
        spec: GraphSpec = sol.spec
        n = spec.nodes[ref.layer]
        nums = [_num(sol, x, f, x in spec.inputs) for x in n.args]
        parts = [symbol(n.id), gate_text(n.op, [symbol(x) for x in n.args], n.c, latex=True),
                 gate_text(n.op, nums, n.c, latex=True), f.ans(float(sol.values[n.id][0]))]
        return [" = ".join(dict.fromkeys(parts))]  # -s3 = -1.0000 = -1.0000: once

    def hints(self, ref: GraphRef, sol: Any, nt: Any) -> list[str]:  # type: ignore[override]
        spec: GraphSpec = sol.spec
        n = spec.nodes[ref.layer]
        given = [f"{x} = {fmt(spec.inputs[x])}" for x in n.args if x in spec.inputs]
        mine = [x for x in n.args if x not in spec.inputs]
        return [f"The forward pass: apply the {GATES[n.op].title.split(':')[0]} to the values of its operands.",
                f"{n.id} = {gate_text(n.op, n.args, n.c)}" + (f", with {', '.join(given)}" if given else "")
                + (f" and your value{'s' * (len(mine) > 1)} of {', '.join(dict.fromkeys(mine))}" if mine else "") + "."]

    def worked_text(self, ref: GraphRef, sol: Any, nt: Any) -> list[str]:  # type: ignore[override]
        n = sol.spec.nodes[ref.layer]
        nums = [_n(sol.values[x][0]) for x in n.args]
        return [f"{n.id} = {gate_text(n.op, n.args, n.c)} = {gate_text(n.op, nums, n.c)} = {fmt(sol.values[n.id][0])}"]


@register("local_gradient", "Local gradients of the gates", ("glocal",),
          r"nodes/\d+/local/[A-Za-z][A-Za-z0-9_]*")
class LocalGradient(GraphKind):
    def ask_gate(self, a: Asker, spec: GraphSpec, i: int, n: Any) -> None:
        for x in dict.fromkeys(n.args):
            s = _d(n.id, x)
            a.add(f"the local gradient d{n.id}/d{x}", f"the local gradient ${s}$", f"/nodes/{i}/local/{x}",
                  _value_ids(a, spec, [*n.args, n.id]), s)

    def _formula(self, sol: Any, i: int, name: str, latex: bool, values: bool, f: Any = None) -> str:
        n = sol.spec.nodes[i]
        def show(x: str) -> str:
            if not x or not values:
                return symbol(x) if latex else x
            v = float(sol.values[x][0])
            return f.par(f.given(v) if x in sol.spec.inputs else f.val(v)) if latex else _n(v)
        a_, b_ = (n.args + [""])[:2]
        terms = [local_formula(n.op, s, show(a_), show(b_), n.c, show(n.id), latex=latex)
                 for s, a in enumerate(n.args) if a == name]
        return " + ".join(terms)

    def steps(self, ref: GraphRef, sol: Any, sol_json: dict[str, Any], nt: Any, f: Any) -> list[str]:  # type: ignore[override]
        i, x = ref.layer, ref.name
        v = float(sol.local_of(i, x)[0])
        sym, gen = self._formula(sol, i, x, True, False), self._formula(sol, i, x, True, True, f)
        ans = f.ans(v)
        gen = ans if gen == f.par(ans) else gen  # a local that is one operand's value: (-3.000) is the answer
        return [" = ".join(dict.fromkeys([_d(sol.spec.nodes[i].id, x), sym, gen, ans]))]  # q = 0.881 = 0.881: once

    def hints(self, ref: GraphRef, sol: Any, nt: Any) -> list[str]:  # type: ignore[override]
        n = sol.spec.nodes[ref.layer]
        return [f"The local gradient of the {GATES[n.op].title} with respect to its operand {ref.name}; "
                "no upstream gradient in it.",
                f"d{n.id}/d{ref.name} = {self._formula(sol, ref.layer, ref.name, False, False)}, "
                "at the values of the forward pass."]

    def worked_text(self, ref: GraphRef, sol: Any, nt: Any) -> list[str]:  # type: ignore[override]
        n = sol.spec.nodes[ref.layer]
        parts = [self._formula(sol, ref.layer, ref.name, False, False), self._formula(sol, ref.layer, ref.name, False, True),
                 fmt(sol.local_of(ref.layer, ref.name)[0])]
        return [f"d{n.id}/d{ref.name} = " + " = ".join(dict.fromkeys(p.strip("()") if p.startswith("(") and
                                                                      p.count("(") == 1 else p for p in parts))]


@register("downstream_gradient", "Backward pass: downstream gradients", ("ggrad", "ginput"),
          r"nodes/\d+/grad|gradients/[A-Za-z][A-Za-z0-9_]*")
class DownstreamGradient(GraphKind):
    def ask_graph(self, a: Asker, spec: GraphSpec) -> None:
        out = spec.output
        order = [(n.id, f"/nodes/{i}/grad") for i, n in reversed(list(enumerate(spec.nodes))) if n.id != out]
        order += [(x, f"/gradients/{x}") for x in spec.inputs]
        for name, ref in order:
            deps: list[str] = []
            for i, _ in spec.uses(name):
                n = spec.nodes[i]
                deps += a.ids_at([f"/nodes/{i}/grad"] if n.id != out else [])
                local = a.ids_at([f"/nodes/{i}/local/{name}"])
                deps += local or _value_ids(a, spec, [*n.args, n.id])
            s = _d(out, name)
            a.add(f"the gradient d{out}/d{name}", f"the gradient ${s}$", ref, list(dict.fromkeys(deps)), s)

    @staticmethod
    def _uses(ref: GraphRef, sol: Any) -> tuple[GraphSpec, str, str, list[int]]:
        """The graph, the name asked about, the output, and the gates that use the name."""
        spec: GraphSpec = sol.spec
        name = ref.name if ref.array == "ginput" else spec.nodes[ref.layer].id
        return spec, name, spec.output, list(dict.fromkeys(i for i, _ in spec.uses(name)))

    def steps(self, ref: GraphRef, sol: Any, sol_json: dict[str, Any], nt: Any, f: Any) -> list[str]:  # type: ignore[override]
        spec, name, out, uses = self._uses(ref, sol)
        sym = " + ".join(f"{_d(out, spec.nodes[i].id)}\\,{_d(spec.nodes[i].id, name)}" for i in uses)
        nums = " + ".join(f"{f.par(f.val(float(sol.grads[spec.nodes[i].id][0])))} \\cdot "
                          f"{f.par(f.val(float(sol.local_of(i, name)[0])))}" for i in uses)
        lines = [f"{_d(out, name)} = {sym} = {nums} = {f.ans(float(sol.grads[name][0]))}"]
        if len(uses) > 1:
            lines.append(rf"\text{{(${symbol(name)}$ feeds {len(uses)} gates: the gradients of its uses are summed)}}")
        return lines

    def hints(self, ref: GraphRef, sol: Any, nt: Any) -> list[str]:  # type: ignore[override]
        spec, name, out, at = self._uses(ref, sol)
        uses = [spec.nodes[i].id for i in at]
        chain = " + ".join(f"d{out}/d{g} · d{g}/d{name}" for g in uses)
        h = ["Chain rule: downstream gradient = upstream gradient × local gradient.",
             f"d{out}/d{name} = {chain}, with your upstream gradient{'s' * (len(uses) > 1)} and local gradients."]
        if len(uses) > 1:
            h.append(f"{name} is used by {len(uses)} gates ({', '.join(uses)}): add up what each use passes back.")
        return h

    def worked_text(self, ref: GraphRef, sol: Any, nt: Any) -> list[str]:  # type: ignore[override]
        spec, name, out, uses = self._uses(ref, sol)
        chain = " + ".join(f"d{out}/d{spec.nodes[i].id} · d{spec.nodes[i].id}/d{name}" for i in uses)
        nums = " + ".join(f"{_n(sol.grads[spec.nodes[i].id][0])}·{_n(sol.local_of(i, name)[0])}" for i in uses)
        line = f"d{out}/d{name} = {chain} = {nums} = {fmt(sol.grads[name][0])}"
        return [line + (f" (the sum over the {len(uses)} uses of {name})" if len(uses) > 1 else "")]
