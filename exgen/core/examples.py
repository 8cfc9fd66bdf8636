"""Built-in example specs: every worked network example of the seed lecture notes."""
from __future__ import annotations

import json
from importlib import resources

from exgen.errors import SpecError
from exgen.core.notation import Notation
from exgen.core.spec import Spec, from_dict


def _dir():
    return resources.files("exgen.core") / "examples"


def names() -> list[str]:
    return sorted(p.name[:-5] for p in _dir().iterdir() if p.name.endswith(".json"))


def load_dict(name: str) -> dict:
    if name not in names():
        raise SpecError(None, f"unknown example {name!r}; valid: {', '.join(names())}")
    return json.loads((_dir() / f"{name}.json").read_text(encoding="utf-8"))


def load(name: str) -> Spec:
    return from_dict(load_dict(name), f"example {name}")


def notation_of(spec: Spec) -> Notation:
    """The notation a spec asks for (its optional "notation" field), else the default."""
    n = spec.extra.get("notation") or {}
    return Notation.make(n.get("letters", "z/h"), n.get("weights", "paren"), spec.layers)
