"""Built-in graph examples: the two graphs of seed 002 and one of exgen's own (a node used twice,
a max gate, a relu). `exgen solve --example NAME` solves them beside the network examples."""
from __future__ import annotations

from exgen.core import examples as bundled
from exgen.graph.spec import GraphSpec, from_dict

PACKAGE = "exgen.graph"


def names() -> list[str]:
    return bundled.names(PACKAGE)


def load(name: str) -> GraphSpec:
    return from_dict(bundled.load_dict(name, PACKAGE, "graph example"), f"example {name}")
