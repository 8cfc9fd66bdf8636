"""The exgen command line: parse, call the library, print. No math here.

The app, its one-line errors and `solve` live here; exgen/cli/__init__.py imports the other command modules.
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any, Callable, Iterator, Optional

import typer
from typer.core import TyperGroup, TyperOption

try:  # typer >= 0.25 vendors click
    from typer._click import exceptions as _cx
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - older typer on top of click
    from click import exceptions as _cx  # type: ignore[import-not-found,no-redef]
    from click.globals import get_current_context  # type: ignore[import-not-found,no-redef]

from exgen.core import examples
from exgen.errors import ExgenError, UsageError
from exgen.textio import PathError, input_dir, input_file, output_dir, output_file  # noqa: F401 (the commands' checks)
from exgen.core.notation import LETTERS, WEIGHT_STYLES, Notation

# exceptions that carry their own meaning through user_errors(): exits, aborts, usage errors
_PASS_THROUGH = tuple({typer.Exit, typer.Abort, _cx.ClickException,
                       getattr(_cx, "Exit", typer.Exit), getattr(_cx, "Abort", typer.Abort)})


def debug() -> bool:
    """EXGEN_DEBUG=1: re-raise unexpected exceptions (a traceback, for developers)."""
    return os.environ.get("EXGEN_DEBUG", "") not in ("", "0")


def _one_line(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _line(text: str) -> str:
    """A message on one line (a typed error never spans lines)."""
    return " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text


def internal_error_message(e: BaseException, source: Any = None) -> str:
    """`[<file>: ]internal error: <Type>: <message>; please report this` (one line)."""
    where = f"{source}: " if source else ""
    msg = _one_line(str(e))
    return f"{where}internal error: {type(e).__name__}{': ' + msg if msg else ''}; please report this"


class InternalError(ExgenError):
    """An unexpected exception while reading a known file, reported as one line naming the file."""


@contextlib.contextmanager
def reading(source: Any) -> Iterator[None]:
    """Name `source` in the error line if an unexpected exception escapes (typed errors pass)."""
    try:
        yield
    except (ExgenError, OSError, KeyboardInterrupt) + _PASS_THROUGH:
        raise
    except Exception as e:
        if debug():
            raise
        raise InternalError(internal_error_message(e, source)) from e


def echo(message: Any = None, nl: bool = True, err: bool = False) -> None:
    """typer.echo for text that may hold input: control characters and bidi overrides from a
    file never reach the terminal (see exgen.escape.term_text)."""
    from exgen.escape import term_text
    typer.echo(term_text(message), nl=nl, err=err)  # the one direct call


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush into a closed pipe is silent."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _error_exit(message: str, code: int = 1) -> None:
    echo(f"Error: {_one_line(message, 2000)}", err=True)
    sys.exit(code)


class ExgenGroup(TyperGroup):
    """The root command: every failure, usage errors too, is one line `Error: ...` on stderr, exit 1."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
        except _cx.ClickException as e:
            if type(e).__name__ == "NoArgsIsHelpError":  # `exgen` alone: the help (printed already by rich)
                text = e.format_message()
                if text.strip():
                    echo(text)
                code = 0
                if not standalone_mode:
                    return code
                sys.exit(code)
            ctx = getattr(e, "ctx", None)
            path = ctx.command_path if ctx is not None else (prog_name or "exgen")
            message = e.format_message()
            if isinstance(e, _cx.UsageError):
                message = f"{message} (see: {path} --help)"
            if not standalone_mode:
                raise
            _error_exit(message)
        except (typer.Abort, getattr(_cx, "Abort", typer.Abort)):
            if not standalone_mode:
                raise
            _error_exit("aborted")
        except Exception as e:  # last line of defence: no traceback, whatever happened
            if debug() or not standalone_mode:
                raise
            _error_exit(internal_error_message(e))
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=ExgenGroup,
    name="exgen",
    help="Backpropagation exercises: generate, solve exactly, typeset and grade.\n\n"
         "Start with:  exgen demo  (an exam, generated and graded)  or  exgen practice",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_option_type = getattr(TyperOption, "display_type_rich", None)
if _option_type is not None:  # a typer that prints a type beside each option: none beside a flag
    def _no_flag_type(self: TyperOption, ctx: Any, _of: Any = _option_type) -> Any:  # `--json`, not `--json <bool>`
        return None if getattr(self, "is_flag", False) else _of(self, ctx)
    TyperOption.display_type_rich = _no_flag_type  # type: ignore[method-assign]


@contextlib.contextmanager
def user_errors(source: Any = None) -> Iterator[None]:
    """Turn library errors into one line `Error: ...` and exit 1 (never a traceback).

    Typed errors keep their message; anything unexpected is one line `Error: [<source>: ]internal
    error: <Type>: <message>; please report this` (EXGEN_DEBUG=1 re-raises it). Exits, aborts and
    usage errors pass through (the root command prints usage errors as one line)."""
    try:
        yield
    except _PASS_THROUGH:
        raise
    except UsageError as e:  # the library's policy: an argument out of range, or two that conflict
        ctx = get_current_context(silent=True)
        path = ctx.command_path if ctx is not None else "exgen"
        echo(f"Error: {_line(str(e))} (see: {path} --help)", err=True)
        raise typer.Exit(1) from None
    except ExgenError as e:
        echo(f"Error: {_line(str(e))}", err=True)
        raise typer.Exit(1) from None
    except BrokenPipeError:  # the reader went away (`exgen solve --json | head`): stop quietly
        _quiet_stdout()
        raise typer.Exit(1) from None
    except OSError as e:  # a file that cannot be read or written: name it, no traceback
        where = f"{e.filename}: " if e.filename else ""
        echo(f"Error: {where}{_line(e.strerror or e.__class__.__name__)}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        echo("Error: interrupted", err=True)
        raise typer.Exit(130) from None
    except Exception as e:  # noqa: BLE001 - the last line of defence
        if debug():
            raise
        echo(f"Error: {internal_error_message(e, source)}", err=True)
        raise typer.Exit(1) from None




def notation_for(spec, letters: Optional[str], weights: Optional[str]) -> Notation:
    base = examples.notation_of(spec)
    return Notation.make(letters or base.letters, weights or base.weights, spec.layers)


def load_spec(spec_file: Optional[Path], example: Optional[str]):
    """The spec from a file or a built-in example (exactly one of them)."""
    from exgen.core import spec as spec_mod
    if (spec_file is None) == (example is None):
        raise typer.BadParameter("give a SPEC file or --example NAME (one of them)")
    return examples.load(example, graphs=True) if example is not None else spec_mod.load(spec_file)  # type: ignore[arg-type]


def network_spec(spec_file: Optional[Path], example: Optional[str], graph_text: Callable[[], Optional[str]]):
    """The network spec of SPEC or --example; None, after printing graph_text(), when they name a
    computational graph (graph_text gives None for a network)."""
    input_file(spec_file)
    graph = graph_text()
    if graph is not None:
        echo(graph, nl=False)
        return None
    return load_spec(spec_file, example)


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
    spec_file: Annotated[Optional[Path], typer.Argument(metavar="SPEC", help="Network or graph spec, .json or .yaml.", show_default=False)] = None,
    example: Annotated[Optional[str], typer.Option("--example", "-e", help="Solve a built-in example instead of a file.")] = None,
    list_examples: Annotated[bool, typer.Option("--list-examples", help="List the built-in examples and exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full solution object as JSON.")] = False,
    no_paths: Annotated[bool, typer.Option("--no-paths", help="Leave the chain-rule paths out (of the text report; of --json: no \"paths\" key).")] = False,
    letters: LettersOpt = None,
    weights: WeightsOpt = None,
) -> None:
    """Solve a network or a computational graph exactly: every value, gradient and SGD step.

    A network: forward values, loss, gradients, chain-rule paths, one SGD step. A computational-graph
    spec (graph: or expression:): its forward values and its upstream, local and downstream gradients.

    Examples:

      exgen solve --example seed002-3-2-2

      exgen solve --example seed002-graph-sigmoid

      exgen solve my_net.yaml --json > solution.json
    """
    with user_errors(spec_file):
        _check_choice(letters, LETTERS, "--letters")
        _check_choice(weights, WEIGHT_STYLES, "--weights")
        if list_examples:
            for name in examples.names():
                s = examples.load(name)
                echo(f"{name:24}  {'-'.join(map(str, s.layers)):8} {'/'.join(s.activations):16} {s.loss:14} "
                           f"{s.description.split(': ')[0]}")
            from exgen.graph.cli import list_examples as list_graphs
            echo(list_graphs(), nl=False)
            return
        from exgen.core.solve import solve as solve_spec
        from exgen.core.report import text_report
        from exgen.core.solution import dumps, to_dict
        from exgen.graph.cli import solve_text
        spec = network_spec(spec_file, example, lambda: solve_text(spec_file, example, as_json))
        if spec is None:  # a graph spec or example: its solution is printed
            return
        nt = notation_for(spec, letters, weights)
        sol = solve_spec(spec)
        echo(dumps(to_dict(sol, nt, not no_paths)) if as_json else text_report(sol, nt, not no_paths), nl=False)


def main() -> None:  # pragma: no cover - console entry
    app()
