"""Grading graph keys: a group of answer keys whose graphs have one shape (gates, operands,
constants, output) and one question list, their values computed together (K graphs, exgen.graph.solve
vectorised), with the hooks exgen.grading.judge uses for networks: hand-rounded values, a student's
own values substituted (error carried forward), and the slips' values (diagnosis).

`GraphGroup` is an exgen.grading.keys.Group whose `net` is a `GraphNets`; it overrides the parts
that run the network engine (stack, run, values, compute, slip_columns). A graph has no value
"before a step", so no distractor cuts its windows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from exgen.grading.keys import Group
from exgen.graph import slips
from exgen.graph.solve import Run, run
from exgen.graph.spec import GraphSpec, from_dict, is_graph


@dataclass
class GraphNets:
    """K graphs of one shape: the shape (a parsed spec) and each input's values (K,)."""
    spec: GraphSpec
    inputs: dict[str, np.ndarray]

    def take(self, idx: np.ndarray) -> "GraphNets":
        return GraphNets(self.spec, {k: v[idx] for k, v in self.inputs.items()})


def signature(d: dict) -> tuple:
    """The shape of a graph spec dict: its gates, operands, constants and output, not its input
    values (KeyError/TypeError if malformed)."""
    g = d["graph"] if "graph" in d else d
    return ("graph", json.dumps({k: v for k, v in g.items() if k != "inputs"}, sort_keys=True),
            tuple(g["inputs"]))


def parse(d: dict, source: str) -> GraphSpec:
    return from_dict(d, source)


class GraphGroup(Group):
    """Graph keys of one shape and one question list (see the module doc)."""

    def stack(self) -> GraphNets:  # type: ignore[override]
        like: GraphSpec = self.like  # type: ignore[assignment]
        specs = [from_dict(k["spec"], "answer key") for k in self.keys]  # every key's graph, validated
        for s in specs:
            if [(n.op, n.args, n.c) for n in s.nodes] != [(n.op, n.args, n.c) for n in like.nodes] \
                    or list(s.inputs) != list(like.inputs):
                raise ValueError("graphs of different shapes")
        return GraphNets(like, {x: np.array([s.inputs[x] for s in specs]) for x in like.inputs})

    def run(self, net: Any, **kw: Any) -> Run:  # type: ignore[override]
        kw.pop("upto", None)
        return run(net.spec, net.inputs, kw.get("decimals"), kw.get("overrides"), kw.get("slip"))

    def compute(self) -> None:
        K, Q = self.expected.shape
        self.before = np.full((K, Q), np.nan)
        self.distract = np.full((K, Q, 0), np.nan)
        self.windows()

    def values(self, **kw: Any) -> np.ndarray:
        return self.run(self.net, **kw).values_at(self.refs)

    def slip_columns(self) -> tuple[list[str], list[np.ndarray]]:
        if self._slips is None:
            codes, cols = [], []
            for code, how in slips.PASSES:
                codes.append(code)
                cols.append(self.values(slip=how))
            codes.append("sign_flip")
            cols.append(np.where(self.expected != 0, -self.expected, np.nan))
            self._slips = (codes, cols)
        return self._slips


__all__ = ["GraphGroup", "GraphNets", "is_graph", "parse", "signature"]
