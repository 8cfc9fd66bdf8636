"""Built-in example specs: every worked network example of the seed lecture notes."""
from __future__ import annotations

import json
from importlib import resources

from exgen.errors import SpecError
from exgen.core.notation import Notation
from exgen.core.spec import Spec, from_dict


def _dir(package: str):
    return resources.files(package) / "examples"


def names(package: str = "exgen.core") -> list[str]:
    """The examples bundled with `package` (its examples/*.json; exgen.graph has its own)."""
    return sorted(p.name[:-5] for p in _dir(package).iterdir() if p.name.endswith(".json"))


def load_dict(name: str, package: str = "exgen.core", what: str = "example", graphs: bool = False) -> dict:
    """The JSON of a bundled example; SpecError naming the valid ones if there is none (with
    `graphs`, for a caller that takes the graph examples too, those of exgen.graph as well)."""
    if name not in names(package):
        valid = names(package) + (names("exgen.graph") if graphs else [])
        raise SpecError(None, f"unknown {what} {name!r}; valid: {', '.join(valid)}")
    return json.loads((_dir(package) / f"{name}.json").read_text(encoding="utf-8"))


def load(name: str, graphs: bool = False) -> Spec:
    """A network example; `graphs`: the caller takes graph examples too (an unknown name's error lists them)."""
    return from_dict(load_dict(name, graphs=graphs), f"example {name}")


def notation_of(spec: Spec) -> Notation:
    """The notation a spec asks for (its optional "notation" field), else the default."""
    n = spec.extra.get("notation") or {}
    return Notation.make(n.get("letters", "z/h"), n.get("weights", "paren"), spec.layers)
