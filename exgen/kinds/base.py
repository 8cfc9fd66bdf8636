"""The question-kind protocol and its registry.

A question kind (forward value, loss, gradient, path product, update, loss after) is one unit, a
subclass of `Kind` in its own module of this package: which questions it asks and their text, the
refs it answers (parsed once into a `core.refs.Ref`), its dependencies, its LaTeX worked step, its
plain-text hints and worked step, and its slips. Renderers and grading look the unit up by the
parsed ref (`kinds.unit`) and never branch on a kind. A new kind is one new module, registered
with `@register(name, title, arrays, ref_pattern)`. Every number comes from the engine (its Solution, or the solution JSON).
"""
from __future__ import annotations

import string
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator, TypeVar

import numpy as np

from exgen.core.refs import Ref
from exgen.core.shapes import text as shape_text
from exgen.core.solve import Solution
from exgen.core.notation import Notation, plain
from exgen.core.solution import resolve_pointer
from exgen.core.spec import Spec
from exgen.exam.worked import Fmt


@dataclass
class Question:
    id: str
    kind: str  # one of QUESTION_TYPES (the kinds' names)
    text: str  # plain text, for terminals and CSV
    latex: str  # the same question as LaTeX (math mode pieces inside $...$)
    ref: str  # RFC 6901 pointer into the solution object
    answer: float | str  # a number, or a shape "4x3" (key version 2, exgen.core.shapes)
    tolerance: dict[str, Any]
    points: float
    depends_on: list[str] = field(default_factory=list)
    symbol: str = ""  # LaTeX symbol of the asked quantity
    expression: str = ""  # a shape question's vectorised expression (e.g. dL/dW = Xᵀ·δ / n)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if not self.expression:
            del d["expression"]  # numeric questions: the version 1 fields only
        return d


def ptr(*parts: Any) -> str:
    """A JSON pointer from its parts."""
    return "/" + "/".join(str(p) for p in parts)


def sample_ref(spec: Spec, array: str, l: int, j: int, b: int = 0, name: str = "") -> str:
    """The ref of a per-sample quantity (array "forward" with name "h" or "z", or "deltas") of
    neuron j of layer l+1: with the sample index b for a mini-batch."""
    parts = (array, l, name) if name else (array, l)
    return ptr(*parts, b, j) if spec.batched else ptr(*parts, j)


def gradient_params(spec: Spec) -> list[tuple[str, tuple[int, ...]]]:
    """Parameters whose gradients an exam asks for: an output-layer weight, a weight with
    several paths (first layer, if there is a hidden layer), and a bias if the net has them."""
    L = spec.n_layers
    chosen: list[tuple[str, tuple[int, ...]]] = [("weights", (L - 1, 0, 0))]
    if L > 1:
        chosen.append(("weights", (0, 0, 0)))
    elif spec.layers[0] > 1:
        chosen.append(("weights", (0, 0, 1)))
    if spec.biases is not None:
        chosen.append(("biases", (0, 0)))
    return chosen


def _ids(group: int) -> Iterator[str]:
    for letter in string.ascii_lowercase:
        yield f"{group}{letter}"
    raise ValueError("more than 26 questions in one group")


@dataclass
class Asker:
    """The questions asked so far, for one network: units add theirs group by group and read the
    earlier ones for their dependencies."""
    spec: Spec
    solution: dict[str, Any]  # the solve --json object of spec
    nt: Notation
    tolerance: dict[str, Any]
    convention: str = "row"  # the matrix form the shapes questions use (exgen.core.shapes)
    questions: list[Question] = field(default_factory=list)
    by_ref: dict[str, str] = field(default_factory=dict)  # ref -> id of its latest question
    _group: Iterator[str] = field(default=iter(()), init=False, repr=False)
    _kind: str = field(default="", init=False, repr=False)
    _points: float = field(default=1.0, init=False, repr=False)

    def start(self, group: int, kind: str, points: float) -> None:
        self._group, self._kind, self._points = _ids(group), kind, float(points)

    def add(self, text: str, latex: str, ref: str, deps: list[str], symbol: str, expression: str = "") -> str:
        qid = next(self._group)
        value = resolve_pointer(self.solution, ref)
        answer = shape_text(value) if isinstance(value, list) else float(value)
        self.questions.append(Question(qid, self._kind, plain(text), latex, ref, answer, dict(self.tolerance),
                                       self._points, list(deps), symbol, expression))
        self.by_ref[ref] = qid
        return qid

    def params(self) -> list[tuple[str, tuple[int, ...], str]]:
        """The parameters an exam asks about (gradient_params), each with its LaTeX symbol."""
        return [(pk, idx, self.nt.param(pk, idx)) for pk, idx in gradient_params(self.spec)]

    def ids_of(self, kind: str) -> list[str]:
        """Ids of the questions of `kind` asked so far."""
        return [q.id for q in self.questions if q.kind == kind]

    def ids_at(self, refs: list[str]) -> list[str]:
        """Ids of the latest questions asked at `refs` (those asked so far), in order."""
        return [self.by_ref[r] for r in refs if r in self.by_ref]


class Kind:
    """One question kind. Subclasses set the class attributes and override what they ask."""
    name: str = ""  # the config's question type
    family: str = "network"  # the exercises it asks about: "network", or "graph" (exgen.graph)
    title: str = ""  # the group's title on sheets and keys
    arrays: tuple[str, ...] = ()  # the Ref.array values of its refs
    ref_pattern: str = ""  # its refs as a regular expression, after the leading "/"

    def ask(self, a: Asker) -> None:
        """Add this kind's questions (one config group) to `a`."""
        raise NotImplementedError

    def answer_latex(self, q: Question, answer: str) -> str:
        """The answer line of the worked key."""
        return f"{q.symbol} = {answer}"

    def shown(self, q: Question, f: Fmt) -> str:
        """The answer as the key prints it (LaTeX)."""
        return f.ans(float(q.answer))

    def steps(self, ref: Ref, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
        """The worked step as display-math lines (each its own paragraph; TeX breaks them at operators)."""
        raise NotImplementedError

    def hints(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        """Plain-text hints, the gentlest first; none holds a computed number."""
        raise NotImplementedError

    def worked_text(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        """The step worked out in plain text, with every number (reveals the answer)."""
        raise NotImplementedError

    def posthoc_slips(self, ref: Ref, net: Any, exact: Any,
                      paths_of: dict) -> tuple[np.ndarray | None, list[np.ndarray]]:
        """Slips computed from the exact engine results, for every key (K,): the transposed-index
        value (or None), and the value with each chain-rule path left out (empty: none)."""
        return None, []

    def unchanged(self, ref: Ref, net: Any, exact: Any) -> np.ndarray | None:
        """The value before the step, for every key (K,): what a student who does not apply the
        step writes (a distractor no acceptance window may contain); None: the kind has none."""
        return None

    def unchanged_given(self, ref: Ref, sol: Solution) -> float | None:
        """The same for one network, from its Solution (the generator's filters)."""
        return None

    def demo_slips(self, key: dict[str, Any], q: dict[str, Any], ref: Ref) -> list[tuple[float, str]]:
        """(value, diagnosis code) pairs that a slip gives for q, from the key's numbers alone
        (the demo's sample submission); a sign slip is always added after these."""
        return []


KINDS: dict[str, Kind] = {}
K = TypeVar("K", bound=Kind)
_BY_ARRAY: dict[str, Kind] = {}


def register(name: str, title: str, arrays: tuple[str, ...],
             ref_pattern: str | None = None) -> Callable[[type[K]], type[K]]:
    """A kind's registration, with its identity: its config question type, its group's title,
    the Ref.array values of its refs and their pattern (None: the class's own `ref_pattern`)."""
    def add(cls: type[K]) -> type[K]:
        cls.name, cls.title, cls.arrays = name, title, arrays
        if ref_pattern is not None:
            cls.ref_pattern = ref_pattern
        unit = cls()
        KINDS[unit.name] = unit
        for a in unit.arrays:
            _BY_ARRAY[a] = unit
        return cls
    return add


def unit(ref: Ref) -> Kind:
    """The unit of a parsed ref."""
    return _BY_ARRAY[ref.array]
