"""Answer keys: the per-key work grading does once (a directory of them: exgen.grading.keydir).

Keys whose networks have the same shape and whose questions have the same ids, refs and
dependencies form a *group*: their values are computed together, vectorised over the keys.
Work is cached per key object, so many students sharing one key cost one key's work.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from exgen.acceptance import HAND_ROUNDINGS, LEGACY, Policy, policy_of
from exgen.core import engine
from exgen.errors import ExgenError, InputFileError
from exgen.answer_key import DEFAULT_TOLERANCE, validate_key
from exgen.core.spec import from_dict
from exgen.grading import distract, shapes
from exgen.grading.keydir import Keys, load_keys  # noqa: F401  (their home is keydir; imported from here too)
from exgen.grading.keyfields import fields_ok
from exgen.grading.sliptable import SlipTable
from exgen.grading.stack import dict_signature, stack_dicts
from exgen.grading.numbers import threshold

TOL_KINDS = {"abs": 0, "rel": 1, "sig": 2}
ROUNDINGS = HAND_ROUNDINGS  # of a key without an acceptance policy (exgen.acceptance)
KEY_RTOL, KEY_ATOL = 1e-9, 1e-12  # a key's answer vs its spec recomputed (exgen writes full precision)


@dataclass
class Group(SlipTable):
    """Keys of one shape and one question list, with their values computed together; their
    slip table: grading.sliptable."""
    qids: list[str]
    refs: list[str]
    kinds: list[str]
    deps: list[list[int]]  # local indices of depends_on
    keys: list[dict] = field(default_factory=list)
    like: object = None  # the parsed spec of the group's first key (the others are not parsed)
    policy: Policy = LEGACY  # the keys' acceptance policy (one per group: it is part of the signature)
    # set by finish() (or by the key index): the stacked networks and the question arrays
    net: engine.Nets = field(init=False)
    expected: np.ndarray = field(init=False)  # (K, Q)
    expected_text: np.ndarray | None = None  # (K, Q) bytes: "%.12g" of expected, as the key index stores it (answers.csv)
    tkind: np.ndarray = field(init=False)  # (K, Q) int
    tval: np.ndarray = field(init=False)  # (K, Q)
    points: np.ndarray = field(init=False)  # (K, Q)
    threshold: np.ndarray = field(init=False)  # (K, Q) largest |answer - expected| within tolerance
    rounded: dict[int, np.ndarray] = field(default_factory=dict)  # d -> (K, Q)
    _thr_rounded: dict[int, np.ndarray] | None = field(default=None, init=False)  # d -> threshold of rounded[d]
    before: np.ndarray = field(init=False)  # (K, Q) the value before the step (NaN: none)
    distract: np.ndarray | None = field(init=False)  # (K, Q, M) values no window may contain (grading.distract);
    # column 0 the value before the step, 1 the step uphill, then the slip values (strict policy);
    # None when the cuts came from the key index: then computed where asked (distract_at)
    gaps: list[np.ndarray] = field(default_factory=list)  # the windows' cut at exact, *rounded (K, Q)
    exact: engine.Result | None = None  # the engine run on the keys' networks (no hooks), once for all uses
    _slips: tuple | None = None  # the slip table (grading.sliptable), made on first use
    _compact: tuple | None = None  # ... or as the key index keeps it
    shape_answers: list = field(default_factory=list)  # (K, S) (rows, cols) of the shape questions
    shape_cols: list[int] = field(init=False)  # the shape questions: judged by grading.shapes

    def __post_init__(self) -> None:
        self.shape_cols = shapes.columns(self.refs)

    @property
    def qindex(self) -> dict[str, int]:
        return {q: i for i, q in enumerate(self.qids)}

    def finish(self, checked: bool = False) -> bool:
        """Compute the group's values. First the question fields of every key are checked as
        arrays, accepting exactly what `questions.validate_key` accepts (ids, refs and
        depends_on are those of the group's first key, which was validated in full); False,
        nothing computed, if a check fails (`checked`: the keys were validated one by one)."""
        shape = (len(self.keys), len(self.qids))
        try:
            flat = [q for k in self.keys for q in k["questions"]]  # one pass over all keys' questions
            answers = [q["answer"] for q in flat]
            if self.shape_cols:  # shapes are judged on their own path (grading.shapes): NaN here
                answers = shapes.prepare(self, answers)
            points = [q.get("points", 1) for q in flat]
            tol = [q.get("tolerance", DEFAULT_TOLERANCE) for q in flat]
            numbers = [a for a in answers if a == a] if self.shape_cols else answers  # without the NaN
            if not checked and not fields_ok(self.keys, flat, numbers, points, tol):
                return False
            self.expected = np.array(answers, dtype=float).reshape(shape)
            self.points = np.array(points, dtype=float).reshape(shape)
            self.tkind = np.array([TOL_KINDS[t["kind"]] for t in tol], dtype=np.int64).reshape(shape)
            self.tval = np.array([t["value"] for t in tol], dtype=float).reshape(shape)
        except (KeyError, TypeError, AttributeError, ValueError, OverflowError):
            if checked:
                raise
            return False
        self.net = self.stack()
        self.compute()
        return True

    def stack(self) -> engine.Nets:  # a graph group stacks its graphs (exgen.graph.grading)
        return stack_dicts([k["spec"] for k in self.keys], self.like)

    def run(self, net, **kw) -> engine.Result:  # judge's error carried forward; a graph group's: the graph solver
        return engine.run(net, **kw)

    def compute(self) -> None:
        self.compute_with(None)

    def compute_with(self, stored: dict[str, np.ndarray] | None) -> None:
        """Thresholds and hand-rounded values, from the arrays (net, expected, tkind, tval); every
        window is cut back short of the distractors (grading.distract): the value before the step
        and the step uphill, and, by a version-2 policy, every slip value (slip_columns).
        `stored`: the hand-rounded values "rounded" (R, K, Q) and the cuts "gaps" (1 + R, K, Q)
        as the key index keeps them (grading.keyindex): not recomputed, and the distractors
        then computed only where asked (distract_at). The exact run is made either way."""
        self.exact = engine.run(self.net)
        self.before = distract.unchanged(self.net, self.refs, self.exact)
        if stored is None:
            self.distract = self._distractors(self.before, self.expected, self.refs,
                                              self.slip_columns()[1] if self.policy.strict else [])
            self.windows()
        else:
            self.distract = None
            self.rounded = dict(zip(self.policy.roundings, stored["rounded"]))
            self.gaps = list(stored["gaps"])
            self._thresholds()

    def windows(self) -> None:
        """The tolerance thresholds of the exact and of each hand-rounded value, every one cut
        back short of the distractors (set before: self.distract)."""
        dis = self.distract
        assert dis is not None
        self.gaps = [distract.gap(self.expected, dis)]
        for d in self.policy.roundings:
            self.rounded[d] = self.values(decimals=d)
            self.gaps.append(distract.gap(self.rounded[d], dis))
        self._thresholds()

    def _thresholds(self) -> None:
        self.threshold = np.fmin(threshold(self.expected, self.tkind, self.tval), self.gaps[0])
        self._thr_rounded = None  # made when asked for (judging needs few: thresholds_at)

    @property
    def thr_rounded(self) -> dict[int, np.ndarray]:
        """d -> (K, Q) the tolerance threshold of rounded[d], cut short of the distractors."""
        if self._thr_rounded is None:
            self._thr_rounded = {d: np.fmin(threshold(self.rounded[d], self.tkind, self.tval), c)
                                 for d, c in zip(self.policy.roundings, self.gaps[1:])}
        return self._thr_rounded

    def thresholds_at(self, k: np.ndarray, q: np.ndarray, rounded: list[np.ndarray] | None = None,
                      cuts: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """threshold and each thr_rounded[d] at the (key, question) pairs (k, q), (n,) each;
        `rounded`, `cuts`: rounded[d] and gaps[1:] there, in the policy's order, if at hand."""
        if self._thr_rounded is not None:
            return [self.threshold[k, q]] + [t[k, q] for t in self._thr_rounded.values()]
        tk, tv = self.tkind[k, q], self.tval[k, q]
        rounded = [self.rounded[d][k, q] for d in self.policy.roundings] if rounded is None else rounded
        cuts = [c[k, q] for c in self.gaps[1:]] if cuts is None else cuts
        return [self.threshold[k, q]] + [np.fmin(threshold(r, tk, tv), c) for r, c in zip(rounded, cuts)]

    def _distractors(self, before, expected, refs: list[str], slip_values: list) -> np.ndarray:
        dis = distract.distractors(before, expected, refs)
        if self.policy.strict:  # every value the diagnosis table computes is a distractor too
            dis = distract.with_slips(dis, slip_values, expected, self.policy.decimals)
        return dis

    def distract_at(self, k: np.ndarray, q: np.ndarray | int) -> np.ndarray:
        """The distractors (n, M) at the (key, question) pairs (k, q): those of `distract` (q: one
        question for all, or one each); for one question without the slips that have no value there."""
        one = np.ndim(q) == 0
        cols = np.flatnonzero(self.present()[:, q]) if one and self.policy.strict else None
        if self.distract is not None:
            if cols is None:
                return self.distract[k, q]
            C, M = len(self.present()), self.distract.shape[2]  # before, uphill, C slip values[, C as written]
            if M == 2 + C:
                return self.distract[k, q][:, np.r_[0, 1, 2 + cols]]
            if M == 2 + 2 * C:
                return self.distract[k, q][:, np.r_[0, 1, 2 + cols, 2 + C + cols]]
            return self.distract[k, q]
        values = list(self.slip_values_at(k, q, cols)[1].T) if self.policy.strict else []
        refs = [self.refs[q]] if one else [self.refs[i] for i in q.tolist()]  # type: ignore[index, union-attr]
        return self._distractors(self.before[k, q], self.expected[k, q], refs, values)

    def values(self, **kw) -> np.ndarray:
        """The (K, Q) values at the group's refs, the engine run with kw (decimals, slip); without
        kw the exact values, from the one exact run (self.exact). A graph group's: the graph solver's."""
        if kw:
            return self.run(self.net, **kw).values(self.refs)
        if self.exact is None:
            self.exact = engine.run(self.net)
        return self.exact.values(self.refs)

    def mismatch(self) -> tuple[int, int, float | str, float | str] | None:
        """The first (key k, question q, key's answer, value recomputed from the spec) where a
        key's answer is not its spec's value (1e-9 relative), vectorised over the group; None if
        every answer matches."""
        exact = self.values()
        with np.errstate(invalid="ignore", over="ignore"):
            ok = np.abs(self.expected - exact) <= KEY_RTOL * np.abs(exact) + KEY_ATOL
        bad = shapes.mismatch(self, ok) if self.shape_cols else None
        if bad is not None:
            return bad
        if ok.all():
            return None
        k, q = (int(i) for i in np.argwhere(~ok)[0])
        return k, q, float(self.expected[k, q]), float(exact[k, q])


def _graph(d):
    """exgen.graph.grading for a computational graph's spec (its signature, parser, group), else None."""
    if isinstance(d, dict) and ("graph" in d or "expression" in d):
        from exgen.graph import grading
        return grading
    return None


class Prepared:
    """Groups of keys, and where each key lives: key_pos[id(key)] = (group number, k)."""

    def __init__(self) -> None:
        self.groups: list[Group] = []
        self.key_pos: dict[int, tuple[int, int]] = {}
        self._by_sig: dict[tuple, int] = {}
        self._hold: list[dict] = []  # keep keys alive so id() stays unique
        self._source: dict[int, str] = {}  # id(key) -> its file, when known

    def source(self, key) -> str:
        """The key's file, or "answer key of <student id>"."""
        src = self._source.get(id(key))
        if src:
            return src
        sid = key.get("student_id", "?") if isinstance(key, dict) else "?"
        return f"answer key of {sid if isinstance(sid, str) else '?'}"

    def add(self, keys: list, sources: list[str] | None = None) -> None:
        """Group and prepare `keys` (those not added before); `sources`: the file of each key,
        named in errors. Every key is validated (questions.validate_key; the spec in full for
        the first key of a shape, as arrays for the others) before anything is computed."""
        if sources is not None:
            self._source.update(zip(map(id, keys), sources))
        for key in keys:
            if id(key) in self.key_pos:
                continue
            try:
                qs = key["questions"]
                acc = key.get("acceptance")
                gm = _graph(key["spec"])
                sig = ((gm.signature if gm else dict_signature)(key["spec"]),
                       tuple((q["id"], q["ref"], tuple(q.get("depends_on", []))) for q in qs),
                       None if acc is None else json.dumps(acc, sort_keys=True))
                gi = self._by_sig.get(sig)
            except (KeyError, TypeError, AttributeError) as e:
                validate_key(key, self.source(key))  # names the field, if a key field is what is wrong
                self._check(key)  # names the spec field, if the spec is what is wrong
                raise InputFileError(f"{self.source(key)}: malformed ({e})") from None
            if gi is None:
                validate_key(key, self.source(key))  # the first key of a shape is validated in full
                like = self._check(key)
                qids = [q["id"] for q in qs]
                pos = {q: i for i, q in enumerate(qids)}
                gi = self._by_sig[sig] = len(self.groups)
                self.groups.append((gm.GraphGroup if gm else Group)(qids, [q["ref"] for q in qs], [q.get("kind", "") for q in qs],
                                         [[pos[d] for d in q.get("depends_on", []) if d in pos] for q in qs],
                                         like=like, policy=policy_of(key)))
            g = self.groups[gi]
            self.key_pos[id(key)] = (gi, len(g.keys))
            g.keys.append(key)
            self._hold.append(key)
        for g in self.groups:
            if not hasattr(g, "expected") or len(g.keys) != g.expected.shape[0]:  # not computed yet, or grown
                g._slips = g._compact = None
                try:
                    if not g.finish():
                        for key in g.keys:  # name the bad key and field
                            validate_key(key, self.source(key))
                        g.finish(checked=True)
                except ValueError as e:  # a key's numbers do not fit its shape: say which and where
                    for key in g.keys:
                        self._check(key)
                    raise InputFileError(f"answer keys of one shape cannot be stacked: {e}") from None
                bad = g.mismatch()
                if bad is not None:
                    k, q, answer, exact = bad
                    raise InputFileError(f"{self.source(g.keys[k])}: question {g.qids[q]!r}: the key's answer "
                                         f"{answer!r} is not the value of its spec ({exact!r}); the key was "
                                         "edited or damaged: regenerate it with exgen") from None

    def _check(self, key: dict):
        """The key's spec, validated in full; InputFileError naming the key and the field if not valid."""
        try:
            gm = _graph(key["spec"])
            return gm.parse(key["spec"], "spec") if gm else from_dict(key["spec"])
        except (KeyError, TypeError) as e:
            raise InputFileError(f"{self.source(key)}: malformed ({e})") from None
        except ExgenError as e:
            raise InputFileError(f"{self.source(key)}: {e}") from None
