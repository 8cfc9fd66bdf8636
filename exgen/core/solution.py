"""The solution object (`exgen solve --json`): a stable, documented JSON contract.

{"spec", "forward": [{"z", "h"}] per non-input layer, "output", "loss",
 "deltas": [dL/dz per non-input layer (per sample, without the 1/n of the batch mean)],
 "shapes": {"row"|"column": [per weight layer {"X", "W", "b", "Z", "dZ", "dW", "db": [rows, cols]}]}
 (the matrix form over the batch, exgen.core.shapes),
 "gradients": {"weights", "biases"}, "updated": {"weights", "biases"}, "loss_after",
 "paths": [{"param", "index", "paths": [{"factors": [{"symbol", "value"}], "product"}]}]}
For a mini-batch, z and h hold one vector per sample and each paths entry has a "sample" key.
"""
from __future__ import annotations

import itertools
import json
from typing import Any

from exgen.core.solve import Solution, solve
from exgen.core.notation import DEFAULT, Notation
from exgen.core.paths import check_count, parameters, paths_for
from exgen.core.shapes import solution_shapes
from exgen.core.spec import Spec

SOLUTION_VERSION = 1


def to_dict(sol: Solution, nt: Notation = DEFAULT, with_paths: bool = True,
            first_params: int | None = None) -> dict[str, Any]:
    """The solution object. Without paths (`with_paths=False`), the "paths" key is left out; with
    them, a network with more than limits.MAX_PATHS paths is refused (LimitError) before listing.
    `first_params=N` lists the paths of the first N entries only (a prefix of the full list, so
    JSON pointers into it are those of the full object; exgen.exam.draw filters draws with it)."""
    spec = sol.spec
    vec = (lambda a: a.tolist()) if spec.batched else (lambda a: a[0].tolist())
    paths: list[dict[str, Any]] = []
    if with_paths and first_params is None:
        check_count(spec, hint="pass --no-paths to solve it without listing them")
    entries = ((b, kind, index) for b in range(spec.x.shape[0] if with_paths else 0)
               for kind, index in parameters(sol))
    for b, kind, index in itertools.islice(entries, first_params):
        entry: dict[str, Any] = {"param": kind, "index": list(index)}
        if spec.batched:
            entry["sample"] = b
        entry["paths"] = [{"factors": [{"symbol": f.symbol, "value": f.value} for f in p.factors],
                           "product": p.product} for p in paths_for(sol, kind, index, b, nt)]
        paths.append(entry)
    out = {
        "version": SOLUTION_VERSION,
        "spec": spec.to_dict(),
        "forward": [{"z": vec(z), "h": vec(h)} for z, h in zip(sol.fwd.z, sol.fwd.h[1:])],
        "output": vec(sol.fwd.output),
        "loss": sol.loss,
        "deltas": [vec(d) for d in sol.bwd.deltas],
        "gradients": {"weights": [g.tolist() for g in sol.bwd.grad_w],
                      "biases": None if spec.biases is None else [g.tolist() for g in sol.bwd.grad_b]},
        "updated": {"weights": [w.tolist() for w in sol.updated_w],
                    "biases": None if sol.updated_b is None else [b.tolist() for b in sol.updated_b]},
        "loss_after": sol.loss_after,
        "shapes": solution_shapes(sol),
        "paths": paths,
    }
    if not with_paths:
        del out["paths"]
    return out


def solve_json(spec: Spec, nt: Notation = DEFAULT) -> dict[str, Any]:
    return to_dict(solve(spec), nt)


def resolve_pointer(doc: Any, pointer: str) -> Any:
    """RFC 6901 JSON pointer lookup ("/gradients/weights/1/0/1")."""
    if pointer == "":
        return doc
    if not pointer.startswith("/"):
        raise KeyError(f"JSON pointer must start with '/': {pointer!r}")
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    return doc


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, allow_nan=False) + "\n"
