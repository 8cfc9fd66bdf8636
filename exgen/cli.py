"""The exgen command line: parse, call the library, print. No math here.

Commands register on `app` from this module and from the cli_* modules imported at the end.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer

from . import examples
from .errors import ExgenError
from .notation import LETTERS, WEIGHT_STYLES, Notation

app = typer.Typer(
    name="exgen",
    help="Backpropagation exercises: generate, solve exactly, typeset and grade.\n\n"
         "Start with:  exgen demo  (an exam, generated and graded)  or  exgen practice",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn library errors into one line `Error: ...` and exit 1 (never a traceback)."""
    try:
        yield
    except ExgenError as e:
        typer.echo(f"Error: {e}", err=True)
        raise typer.Exit(1) from None
    except OSError as e:  # a file that cannot be read or written: name it, no traceback
        where = f"{e.filename}: " if e.filename else ""
        typer.echo(f"Error: {where}{e.strerror or e.__class__.__name__}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("Error: interrupted", err=True)
        raise typer.Exit(130) from None


def notation_for(spec, letters: Optional[str], weights: Optional[str]) -> Notation:
    base = examples.notation_of(spec)
    return Notation.make(letters or base.letters, weights or base.weights, spec.layers)


def load_spec(spec_file: Optional[Path], example: Optional[str]):
    """The spec from a file or a built-in example (exactly one of them)."""
    from . import spec as spec_mod
    if (spec_file is None) == (example is None):
        raise typer.BadParameter("give a SPEC file or --example NAME (one of them)")
    return examples.load(example) if example else spec_mod.load(spec_file)


def _check_choice(value: Optional[str], choices, name: str) -> Optional[str]:
    if value is not None and value not in choices:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(choices)}", param_hint=name)
    return value


@app.callback()
def _root() -> None:
    """Backpropagation exercises: generate, solve exactly, typeset and grade."""


LettersOpt = Annotated[Optional[str], typer.Option("--letters", help="Pre/post-activation letters: z/h, a/h or z/a. Display only.")]
WeightsOpt = Annotated[Optional[str], typer.Option("--weights", help="Weight names: paren (w^(l)_jk), super (w^l_jk), flat (w_ljk) or numbered (w1..wn). Display only.")]


@app.command()
def solve(
    spec_file: Annotated[Optional[Path], typer.Argument(metavar="SPEC", help="Network spec, .json or .yaml.", show_default=False)] = None,
    example: Annotated[Optional[str], typer.Option("--example", "-e", help="Solve a built-in example instead of a file.")] = None,
    list_examples: Annotated[bool, typer.Option("--list-examples", help="List the built-in examples and exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full solution object as JSON.")] = False,
    no_paths: Annotated[bool, typer.Option("--no-paths", help="Leave the chain-rule paths out (of the text report; of --json: no \"paths\" key).")] = False,
    letters: LettersOpt = None,
    weights: WeightsOpt = None,
) -> None:
    """Solve a network exactly: forward values, loss, gradients, chain-rule paths, one SGD step.

    Examples:

      exgen solve --example seed002-3-2-2

      exgen solve my_net.yaml --json > solution.json
    """
    _check_choice(letters, LETTERS, "--letters")
    _check_choice(weights, WEIGHT_STYLES, "--weights")
    if list_examples:
        for name in examples.names():
            s = examples.load(name)
            typer.echo(f"{name:24}  {'-'.join(map(str, s.layers)):8} {'/'.join(s.activations):16} {s.loss:14} "
                       f"{s.description.split(': ')[0]}")
        return
    from .engine import solve as solve_spec
    from .report import text_report
    from .solution import dumps, to_dict
    with user_errors():
        spec = load_spec(spec_file, example)
        nt = notation_for(spec, letters, weights)
        sol = solve_spec(spec)
        typer.echo(dumps(to_dict(sol, nt, not no_paths)) if as_json else text_report(sol, nt, not no_paths), nl=False)


def main() -> None:  # pragma: no cover - console entry
    app()


# the command modules register themselves on `app`
from . import cli_exam, cli_grade, cli_student  # noqa: E402,F401
