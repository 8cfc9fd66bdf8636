"""How symbols are printed. A display setting only: it never changes a number.

Layers are numbered 1..L (0 is the input); neurons and inputs are numbered from 1 on screen.
Weight styles: "paren" w^{(l)}_{jk}, "super" w^{l}_{jk}, "flat" w_{ljk} (seed 000),
"numbered" w_1..w_n edge by edge (seed 002: inputs in order, each input's edges in target order).
"""
from __future__ import annotations

from dataclasses import dataclass

WEIGHT_STYLES = ("paren", "super", "flat", "numbered")
LETTERS = {"z/h": ("z", "h"), "a/h": ("a", "h"), "z/a": ("z", "a")}


@dataclass(frozen=True)
class Notation:
    pre: str = "z"  # pre-activation letter
    post: str = "h"  # activation letter
    weights: str = "paren"
    layers: tuple[int, ...] = ()  # the network's sizes, needed for "numbered"

    @classmethod
    def make(cls, letters: str = "z/h", weights: str = "paren", layers=()) -> "Notation":
        pre, post = LETTERS[letters]
        return cls(pre, post, weights, tuple(layers))

    @property
    def letters(self) -> str:
        """The letters preset of this notation: "z/h", "a/h" or "z/a"."""
        return next(k for k, v in LETTERS.items() if v == (self.pre, self.post))

    def _sup(self, letter: str, l: int, idx: str) -> str:
        if self.weights == "super":
            return f"{letter}^{{{l}}}_{{{idx}}}"
        if self.weights == "flat":
            return f"{letter}_{{{l},{idx}}}" if "," in idx else f"{letter}_{{{l}{idx}}}"
        return f"{letter}^{{({l})}}_{{{idx}}}"

    def z(self, l: int, j: int) -> str:
        """Pre-activation of neuron j (0-based) of layer l (1-based)."""
        return self._sup(self.pre, l, str(j + 1))

    def h(self, l: int, j: int) -> str:
        """Activation of neuron j of layer l; layer 0 is the input x."""
        return f"x_{{{j + 1}}}" if l == 0 else self._sup(self.post, l, str(j + 1))

    def edge_number(self, l: int, j: int, k: int) -> int:
        """1-based number of the edge into neuron j of layer l+1 from neuron k of layer l."""
        before = sum(self.layers[i] * self.layers[i + 1] for i in range(l))
        return before + k * self.layers[l + 1] + j + 1

    def bias_number(self, l: int, j: int) -> int:
        return sum(self.layers[1:l + 1]) + j + 1

    def w(self, l: int, j: int, k: int) -> str:
        """Weight index l (0-based weight layer) to neuron j from neuron k."""
        if self.weights == "numbered":
            return f"w_{{{self.edge_number(l, j, k)}}}"
        # 10 neurons or more: w_{1,11} and w_{11,1} (written together, both would be w_{111})
        return self._sup("w", l + 1, f"{j + 1}{k + 1}" if j < 9 and k < 9 else f"{j + 1},{k + 1}")

    def b(self, l: int, j: int) -> str:
        if self.weights == "numbered":
            return f"b_{{{self.bias_number(l, j)}}}"
        return self._sup("b", l + 1, str(j + 1))

    def param(self, kind: str, index: tuple[int, ...]) -> str:
        return self.w(*index) if kind == "weights" else self.b(*index)

    @staticmethod
    def d(num: str, den: str) -> str:
        return rf"\frac{{\partial {num}}}{{\partial {den}}}"


DEFAULT = Notation()


def plain(latex: str) -> str:
    """A terminal-friendly rendering of one of our LaTeX symbols: w^{(2)}_{11} -> w^(2)_11."""
    out = latex.replace(r"\frac{\partial ", "∂").replace("}{\\partial ", "/∂")
    out = out.replace("{(", "(").replace(")}", ")").replace("{", "").replace("}", "")
    return out.replace(r"\hat ", "^").replace("\\", "")


def validate(n, fld: str, fail, aliases: dict[str, str] | None = None) -> dict[str, str]:
    """A notation mapping {letters, weights} from a spec or config, checked field by field
    (`fail(field, problem)` makes the format's error); `aliases` map other spellings of weights."""
    from exgen.fields import choice, mapping
    mapping(n, fld, fail, ("letters", "weights"),
            "{letters: z/h|a/h|z/a, weights: paren|super|flat|numbered}")
    letters = choice(n.get("letters", "z/h"), LETTERS, f"{fld}.letters", fail)
    weights = n.get("weights", "paren")
    if aliases and isinstance(weights, str):
        weights = aliases.get(weights, weights)
    return {"letters": letters, "weights": choice(weights, WEIGHT_STYLES, f"{fld}.weights", fail)}


def count(n: int, noun: str) -> str:
    """'1 path', '2 paths': a number and its noun (plural with -s)."""
    return f"{n} {noun}" + ("" if n == 1 else "s")
