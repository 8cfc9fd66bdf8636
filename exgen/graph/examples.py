"""Built-in graph examples: the two graphs of seed 002 and one of exgen's own (a node used twice,
a max gate, a relu). `exgen solve --example NAME` solves them beside the network examples."""
from __future__ import annotations

import json
from importlib import resources

from exgen.errors import SpecError
from exgen.graph.spec import GraphSpec, from_dict


def _dir():
    return resources.files("exgen.graph") / "examples"


def names() -> list[str]:
    return sorted(p.name[:-5] for p in _dir().iterdir() if p.name.endswith(".json"))


def load(name: str) -> GraphSpec:
    if name not in names():
        raise SpecError(None, f"unknown graph example {name!r}; valid: {', '.join(names())}")
    d = json.loads((_dir() / f"{name}.json").read_text(encoding="utf-8"))
    return from_dict(d, f"example {name}")
