"""Loss after: the loss after one SGD step of every parameter (ref /loss_after). Depends on the
updates asked."""
from __future__ import annotations

from typing import Any

from exgen.student import explain as ex
from exgen.core.refs import Ref
from exgen.core.solve import Solution
from exgen.core.notation import Notation
from exgen.exam.worked import Fmt
from exgen.kinds.base import Asker, Kind, register
from exgen.kinds.loss import loss_steps

TEXT = "the loss after the SGD step (all parameters updated)"


@register("loss_after", "Loss after the step", ("loss_after",), "loss_after")
class LossAfter(Kind):
    def ask(self, a: Asker) -> None:
        a.add(TEXT, TEXT, "/loss_after", a.ids_of("update"), "L'")

    def steps(self, ref: Ref, sol: Solution, sol_json: dict[str, Any], nt: Notation, f: Fmt) -> list[str]:
        return loss_steps(sol, nt, f, after=True)

    def hints(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        eta = ex.fmt(sol.spec.learning_rate)
        return ["Update every weight and bias with one SGD step (new = old - η·gradient), then do the "
                "forward pass again with the new values and compute the loss.",
                f"η = {eta}; every parameter moves, not only the ones asked about, and the inputs and targets stay the same."]

    def unchanged(self, ref: Ref, net: Any, exact: Any) -> Any:
        return exact.loss  # the loss before the step

    def unchanged_given(self, ref: Ref, sol: Solution) -> float | None:
        return sol.loss

    def worked_text(self, ref: Ref, sol: Solution, nt: Notation) -> list[str]:
        return ex.loss_after_lines(sol, nt)
