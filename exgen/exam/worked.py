r"""Worked solutions as LaTeX: number formatting, a chain-rule path's lines, the legend of local
derivatives. Each question kind's worked step is its unit's `steps` (exgen.kinds), built from the
engine's numbers (never typed by hand) as display-math lines, each typeset as its own paragraph
that TeX breaks after `=`, `+` or `\cdot` where it is too long for the page (no `&`, no `\\`,
and no `\left...\right`, which could not break). Given numbers print with `decimals` digits,
computed values with `answer_decimals`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from exgen.core.solve import Solution
from exgen.core.functions import ACTIVATIONS, LOSSES
from exgen.core.notation import Notation


@dataclass(frozen=True)
class Fmt:
    decimals: int
    answer_decimals: int

    def given(self, v: float) -> str:
        return f"{v:.{self.decimals}f}"

    def ans(self, v: float) -> str:
        """An answer as printed in the key (and as the filters require it to be non-zero)."""
        return f"{v:.{self.answer_decimals}f}"

    def val(self, v: float) -> str:
        """An intermediate value: answer_decimals digits, or 4 significant digits if smaller."""
        if v == 0 or abs(v) >= 0.5 * 10.0 ** -self.answer_decimals:
            return self.ans(v)
        mant, exp = f"{v:.3e}".split("e")
        return rf"{mant} \times 10^{{{int(exp)}}}"

    @staticmethod
    def par(s: str) -> str:
        """Parenthesize a negative number or a product term for use as a factor."""
        return f"({s})" if s.startswith("-") or "times" in s else s


def path_lines(path: dict[str, Any], f: Fmt, label: str, result: str | None = None) -> list[str]:
    """The chain of partial derivatives of one path, then its factor values and their product
    (`result`: the product as printed, by default an intermediate value)."""
    chain = r" \cdot ".join(fc["symbol"] for fc in path["factors"])
    vals = r" \cdot ".join(f.par(f.val(fc["value"])) for fc in path["factors"])
    return [f"{label} = {chain}", f"{{}} = {vals} = {result or f.val(path['product'])}"]


def legend(sol: Solution, nt: Notation) -> str:
    """The local derivatives used in the chains, as a sentence of LaTeX."""
    spec = sol.spec
    parts = [rf"$\frac{{\partial L}}{{\partial \hat y_k}} = {LOSSES[spec.loss].dlatex}$"]
    def letters(tex: str) -> str:  # the functions module writes z and h; use the exam's letters
        tex = re.sub(r"(?<![A-Za-z\\])h(?![A-Za-z])", nt.post, tex)
        return re.sub(r"(?<![A-Za-z\\])z(?![A-Za-z])", nt.pre, tex)
    for act in dict.fromkeys(spec.activations):
        a = ACTIVATIONS[act]
        parts.append(f"{act}: ${nt.post} = {letters(a.latex)}$, "
                     f"$\\frac{{\\partial {nt.post}}}{{\\partial {nt.pre}}} = {letters(a.dlatex)}$")
    parts.append(rf"$\frac{{\partial {nt.pre}}}{{\partial w}}$ is the input of the weight, "
                 rf"$\frac{{\partial {nt.pre}}}{{\partial {nt.post}}}$ the weight")
    return "; ".join(parts)


def fmt_array(a: np.ndarray, f: Fmt) -> list[str]:
    return [f.given(v) for v in np.ravel(a)]
