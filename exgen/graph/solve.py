"""Forward and backward passes of a graph, vectorised over K graphs of one shape (the keys of a
grading group; K = 1 for `exgen solve`).

Forward: each gate's value from its operands (exgen.graph.ops). Backward: the output's gradient is
1; going back, each gate passes upstream × local to each operand, and a name used by several gates
(or twice by one) gets the SUM of what each use passes back. Hooks, as the network engine has them:
`decimals` rounds every intermediate as a student carrying that many decimals does; `overrides`
substitutes a student's own values at refs (error carried forward); `slip` applies a classic slip
everywhere (diagnosis).

Refs (JSON pointers into the solution object):
  /nodes/<i>/value   /nodes/<i>/local/<operand>   /nodes/<i>/grad   /gradients/<input>
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from exgen.core.refs import values_at
from exgen.errors import SpecError
from exgen.graph.ops import GATES, gate_text
from exgen.graph.spec import GraphSpec

VERSION = 1
# slips applied inside the passes (exgen.graph.slips names and explains them)
SLIPS = ("chain_rule_not_applied", "mul_own_input", "add_scaled", "max_both", "uses_not_summed_first",
         "uses_not_summed_last")
REF_RE = re.compile(r"^/(?:nodes/(\d+)/(value|grad|local/([A-Za-z][A-Za-z0-9_]*))|gradients/([A-Za-z][A-Za-z0-9_]*))$")


@dataclass
class Run:
    spec: GraphSpec
    values: dict[str, np.ndarray]  # every input and node: (K,)
    local: list[list[np.ndarray]]  # node i, operand slot s: d node / d operand, (K,)
    grads: dict[str, np.ndarray]  # d output / d name, every input and node: (K,)
    down: list[list[np.ndarray]] = field(default_factory=list)  # node i, slot s: upstream × local, (K,)

    def local_of(self, i: int, name: str) -> np.ndarray:
        """d node_i / d name: the sum over the slots `name` fills (x * x: both)."""
        n = self.spec.nodes[i]
        return sum((self.local[i][s] for s, a in enumerate(n.args) if a == name), np.zeros_like(self.local[i][0]))

    def value(self, ref: str) -> np.ndarray:
        """The (K,) values at a ref; KeyError if the graph has no such quantity."""
        m = REF_RE.match(ref)
        if not m:
            raise KeyError(ref)
        if m.group(4):
            if m.group(4) not in self.spec.inputs:
                raise KeyError(ref)
            return self.grads[m.group(4)]
        i = int(m.group(1))
        if i >= len(self.spec.nodes):
            raise KeyError(ref)
        node = self.spec.nodes[i]
        if m.group(2) == "value":
            return self.values[node.id]
        if m.group(2) == "grad":
            return self.grads[node.id]
        if m.group(3) not in node.args:
            raise KeyError(ref)
        return self.local_of(i, m.group(3))

    def values_at(self, refs: list[str]) -> np.ndarray:
        """(K, Q): the values at refs, NaN where the graph has none."""
        return values_at(self.value, next(iter(self.values.values())).shape[0], refs)


def _round(a: np.ndarray, d: int | None) -> np.ndarray:
    return a if d is None else np.round(a, d)


def run(spec: GraphSpec, inputs: dict[str, np.ndarray] | None = None, decimals: int | None = None,
        overrides: dict[str, np.ndarray] | None = None, slip: str | None = None) -> Run:
    """Both passes for the graphs of `spec`'s shape with input values `inputs` (name -> (K,);
    default: the spec's own, K = 1). NaN and inf are left in place (see `solve`)."""
    vals = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in
            (inputs or {k: np.array([x]) for k, x in spec.inputs.items()}).items()}
    ov = overrides or {}
    local: list[list[np.ndarray]] = []
    with np.errstate(all="ignore"):
        for i, n in enumerate(spec.nodes):
            g = GATES[n.op]
            ops = [vals[a] for a in n.args]
            v = _round(g.f(ops, n.c), decimals)
            vals[n.id] = ov.get(f"/nodes/{i}/value", v)
            loc = [_round(x, decimals) for x in g.local(ops, vals[n.id], n.c)]
            if slip == "mul_own_input" and n.op == "mul":
                loc = [ops[0] * 1.0, ops[1] * 1.0]
            elif slip == "add_scaled" and n.op in ("add", "sub"):
                loc = [x * 0.5 for x in loc]
            elif slip == "max_both" and n.op == "max":
                loc = [np.ones_like(x) for x in loc]
            for name in dict.fromkeys(n.args):
                r = f"/nodes/{i}/local/{name}"
                if r in ov:
                    slots = [s for s, a in enumerate(n.args) if a == name]
                    loc[slots[0]] = ov[r]
                    for s in slots[1:]:
                        loc[s] = np.zeros_like(ov[r])
            local.append(loc)
        K = vals[spec.output].shape[0]
        grads: dict[str, np.ndarray] = {spec.output: np.ones(K)}
        downs: list[list[np.ndarray]] = [[] for _ in spec.nodes]
        for i in range(len(spec.nodes) - 1, -1, -1):
            n = spec.nodes[i]
            up = grads.get(n.id, np.zeros(K))
            up = grads[n.id] = ov.get(f"/nodes/{i}/grad", up)
            for s, a in enumerate(n.args):
                down = local[i][s] if slip == "chain_rule_not_applied" else _round(up * local[i][s], decimals)
                downs[i].append(down)
                if a not in grads:
                    grads[a] = down
                elif slip == "uses_not_summed_first":
                    pass
                elif slip == "uses_not_summed_last":
                    grads[a] = down
                else:
                    grads[a] = _round(grads[a] + down, decimals)
        for k in spec.inputs:
            grads[k] = ov.get(f"/gradients/{k}", grads.get(k, np.zeros(K)))
    return Run(spec, vals, local, grads, downs)


def solve(spec: GraphSpec) -> Run:
    """The exact passes of one graph; SpecError naming the first node whose value or gradient is
    not a finite number (log of a negative number, division by zero, overflow)."""
    r = run(spec)
    for n in spec.nodes:  # the forward pass first: the first value that overflows
        if not np.isfinite(r.values[n.id][0]):
            raise SpecError(None, f"node {n.id} = {gate_text(n.op, n.args, n.c)}: the value is not a finite number "
                                  f"(operands {', '.join(f'{a} = {r.values[a][0]:g}' for a in n.args)})", spec.source or None)
    for i in range(len(spec.nodes) - 1, -1, -1):  # then the backward pass, from the output
        n = spec.nodes[i]
        if not all(np.isfinite(x[0]) for x in r.local[i]) or not np.isfinite(r.grads[n.id][0]):
            raise SpecError(None, f"node {n.id} = {gate_text(n.op, n.args, n.c)}: its gradient is not a finite number",
                            spec.source or None)
    return r


def to_json(r: Run, k: int = 0) -> dict[str, Any]:
    """The solution object (`exgen solve graph.yaml --json`, version 1) of graph k of a run."""
    spec = r.spec
    nodes = []
    for i, n in enumerate(spec.nodes):
        d: dict[str, Any] = {"id": n.id, "op": n.op, "inputs": list(n.args)}
        if GATES[n.op].has_const:
            d["const"] = n.c
        d.update(value=float(r.values[n.id][k]),
                 local={a: float(r.local_of(i, a)[k]) for a in dict.fromkeys(n.args)},
                 grad=float(r.grads[n.id][k]))
        nodes.append(d)
    return {"version": VERSION, "graph": spec.to_dict()["graph"], "output": spec.output, "nodes": nodes,
            "gradients": {x: float(r.grads[x][k]) for x in spec.inputs}}
