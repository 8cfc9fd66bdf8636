"""Graph refs (JSON pointers into the graph solution object) parsed once, as exgen.core.refs does
for networks: a `GraphRef` is a core Ref (array, layer = the node's position) with the operand or
input name.

    /nodes/<i>/value          gvalue   node i's forward value
    /nodes/<i>/local/<name>   glocal   d node_i / d name (its local gradient)
    /nodes/<i>/grad           ggrad    d output / d node_i (its downstream gradient)
    /gradients/<name>         ginput   d output / d input
"""
from __future__ import annotations

from dataclasses import dataclass

from exgen.core.refs import Ref
from exgen.graph.solve import REF_RE

ARRAYS = ("gvalue", "glocal", "ggrad", "ginput")


@dataclass(frozen=True)
class GraphRef(Ref):
    name: str = ""  # the operand of a local gradient, the input of an input's gradient


def parse(ref: str) -> GraphRef:
    """The GraphRef of a graph ref; KeyError if it is not one."""
    m = REF_RE.match(ref)
    if not m:
        raise KeyError(ref)
    if m.group(4):
        return GraphRef("ginput", -1, (), m.group(4))
    i = int(m.group(1))
    if m.group(2) == "value":
        return GraphRef("gvalue", i, ())
    if m.group(2) == "grad":
        return GraphRef("ggrad", i, ())
    return GraphRef("glocal", i, (), m.group(3))


def text(r: GraphRef) -> str:
    """The ref of a parsed GraphRef."""
    return {"gvalue": f"/nodes/{r.layer}/value", "ggrad": f"/nodes/{r.layer}/grad",
            "glocal": f"/nodes/{r.layer}/local/{r.name}", "ginput": f"/gradients/{r.name}"}[r.array]
