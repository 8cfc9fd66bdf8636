"""Answer keys: loading a directory of them, and the per-key work grading does once.

Keys whose networks have the same shape and whose questions have the same ids, refs and
dependencies form a *group*: their values are computed together, vectorised over the keys.
Work is cached per key object, so many students sharing one key cost one key's work.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core import engine, parameters
from ..errors import ExgenError, InputFileError
from ..spec import from_dict
from . import slips
from .read import no_gc
from .stack import dict_signature, stack_dicts
from .numbers import threshold

TOL_KINDS = {"abs": 0, "rel": 1, "sig": 2}
ROUNDINGS = (3, 4, -4)  # decimals the hand computation carries (seeds 002, 003); -4: chopped to 4


def load_keys(directory: str | Path) -> dict[str, dict]:
    """All `<student_id>.json` keys of a directory, by student id."""
    d = Path(directory)
    if d.is_file():
        raise InputFileError(f"{d}: is a file; --keys wants the directory of answer keys "
                             f"(<student_id>.json, one per student), e.g. {d.parent}")
    if not d.is_dir():
        raise InputFileError(f"{d}: no such directory of answer keys")
    keys: dict[str, dict] = {}
    with no_gc():  # millions of small objects: the cyclic collector would rescan them again and again
        for p in sorted(d.glob("*.json")):
            try:
                key = json.loads(p.read_bytes().removeprefix(b"\xef\xbb\xbf"))
            except (UnicodeDecodeError, json.JSONDecodeError, OSError) as e:
                raise InputFileError(f"{p}: not a readable answer key ({e.__class__.__name__})") from None
            if not isinstance(key, dict) or "questions" not in key or "spec" not in key:
                raise InputFileError(f"{p}: not an answer key (needs 'spec' and 'questions')")
            keys[str(key.get("student_id", p.stem))] = key
    if not keys:
        raise InputFileError(f"{d}: no answer keys (*.json) found")
    return keys


@dataclass
class Group:
    """Keys of one shape and one question list, with their values computed together."""
    qids: list[str]
    refs: list[str]
    kinds: list[str]
    deps: list[list[int]]  # local indices of depends_on
    keys: list[dict] = field(default_factory=list)
    like: object = None  # the parsed spec of the group's first key (the others are not parsed)
    net: engine.Nets | None = None
    expected: np.ndarray | None = None  # (K, Q)
    tkind: np.ndarray | None = None  # (K, Q) int
    tval: np.ndarray | None = None  # (K, Q)
    points: np.ndarray | None = None  # (K, Q)
    threshold: np.ndarray | None = None  # (K, Q) largest |answer - expected| within tolerance
    rounded: dict[int, np.ndarray] = field(default_factory=dict)  # d -> (K, Q)
    thr_rounded: dict[int, np.ndarray] = field(default_factory=dict)  # d -> threshold of rounded[d]
    _slips: tuple | None = None

    @property
    def qindex(self) -> dict[str, int]:
        return {q: i for i, q in enumerate(self.qids)}

    def finish(self) -> None:
        shape = (len(self.keys), len(self.qids))
        flat = [q for k in self.keys for q in k["questions"]]  # one pass over all keys' questions
        tol = [q.get("tolerance", {}) for q in flat]
        self.expected = np.array([q["answer"] for q in flat], dtype=float).reshape(shape)
        self.tkind = np.array([TOL_KINDS.get(t.get("kind", "rel"), 1) for t in tol], dtype=np.int64).reshape(shape)
        self.tval = np.array([t.get("value", 0.01) for t in tol], dtype=float).reshape(shape)
        self.points = np.array([q.get("points", 1) for q in flat], dtype=float).reshape(shape)
        self.threshold = threshold(self.expected, self.tkind, self.tval)
        self.net = stack_dicts([k["spec"] for k in self.keys], self.like)
        for d in ROUNDINGS:
            self.rounded[d] = engine.run(self.net, decimals=d).values(self.refs)
            self.thr_rounded[d] = threshold(self.rounded[d], self.tkind, self.tval)

    def slip_table(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Slip codes (C,), their values (K, Q, C), the values' tolerance thresholds, and
        whether a slip changes the answer at all (outside the tolerance of the exact value);
        computed on first use."""
        if self._slips is None:
            codes, table = slips.candidates(self.net, self.refs, self.expected, path_entries(self.net))
            tk, tv = self.tkind[..., None], self.tval[..., None]
            with np.errstate(invalid="ignore", over="ignore"):
                usable = ~(np.abs(table - self.expected[..., None]) <= self.threshold[..., None])
            self._slips = codes, table, threshold(table, tk, tv), usable
        return self._slips


def path_entries(net: engine.Nets) -> dict:
    """(kind, index) -> entry number in the solution's "paths" list, for sample 0."""
    return {p: i for i, p in enumerate(parameters(net.layers, net.b is not None))}


class Prepared:
    """Groups of keys, and where each key lives: key_pos[id(key)] = (group number, k)."""

    def __init__(self) -> None:
        self.groups: list[Group] = []
        self.key_pos: dict[int, tuple[int, int]] = {}
        self._by_sig: dict[tuple, int] = {}
        self._hold: list[dict] = []  # keep keys alive so id() stays unique

    def add(self, keys: list[dict]) -> None:
        for key in keys:
            if id(key) in self.key_pos:
                continue
            try:
                qs = key["questions"]
                sig = (dict_signature(key["spec"]),
                       tuple((q["id"], q["ref"], tuple(q.get("depends_on", []))) for q in qs))
                gi = self._by_sig.get(sig)
            except (KeyError, TypeError, AttributeError) as e:
                _check(key)  # names the spec field, if the spec is what is wrong
                raise InputFileError(f"answer key of {key.get('student_id', '?')}: malformed ({e})") from None
            if gi is None:
                like = _check(key)  # the first key of a shape is validated in full
                qids = [q["id"] for q in qs]
                pos = {q: i for i, q in enumerate(qids)}
                gi = self._by_sig[sig] = len(self.groups)
                self.groups.append(Group(qids, [q["ref"] for q in qs], [q.get("kind", "") for q in qs],
                                         [[pos[d] for d in q.get("depends_on", []) if d in pos] for q in qs],
                                         like=like))
            g = self.groups[gi]
            self.key_pos[id(key)] = (gi, len(g.keys))
            g.keys.append(key)
            self._hold.append(key)
        for g in self.groups:
            if g.expected is None or len(g.keys) != g.expected.shape[0]:
                g._slips = None
                try:
                    g.finish()
                except ValueError as e:  # a key's numbers do not fit its shape: say which and where
                    for key in g.keys:
                        _check(key)
                    raise InputFileError(f"answer keys of one shape cannot be stacked: {e}") from None


def _check(key: dict):
    """The key's spec, validated in full; InputFileError naming the key and the field if not valid."""
    try:
        return from_dict(key["spec"], "answer key")
    except (KeyError, TypeError) as e:
        raise InputFileError(f"answer key of {key.get('student_id', '?')}: malformed ({e})") from None
    except ExgenError as e:
        raise InputFileError(f"answer key of {key.get('student_id', '?')}: {e}") from None
