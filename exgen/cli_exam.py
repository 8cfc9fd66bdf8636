"""CLI commands for exams: init-config, generate, demo. Thin: parse, call exgen.exam, print."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli import app, user_errors

DEMO_OUT = Path("exgen-demo")


def _report(res) -> None:
    what = "sheets, keys (.tex and .pdf)" if res.pdf else "sheets, keys (.tex only)"
    typer.echo(f"Wrote {what}, answer keys and submissions.csv for {res.students} students to {res.out}")


@app.command("init-config")
def init_config(
    path: Annotated[Path, typer.Argument(help="Where to write the config ('-' for stdout).")] = Path("exam.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented default exam config to edit.

    Example:

      exgen init-config exam.yaml
    """
    from .config import DEFAULT_YAML
    from .errors import OutputExistsError
    from .exam import write_atomic
    with user_errors():
        if str(path) == "-":
            typer.echo(DEFAULT_YAML, nl=False)
            return
        if path.exists() and not force:
            raise OutputExistsError(f"{path}: already exists; pass --force to overwrite it")
        write_atomic(path, DEFAULT_YAML)
        typer.echo(f"Wrote {path}")


@app.command()
def generate(
    config: Annotated[Path, typer.Argument(help="Exam config (YAML); see `exgen init-config`.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")],
    roster: Annotated[Optional[Path], typer.Option("--roster", help="CSV with a student_id column and optionally name.")] = None,
    count: Annotated[Optional[int], typer.Option("--count", min=1, max=10000, help="Make N students s001, s002, ... instead of a roster.")] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Write .tex files only (no TeX needed).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an exam already in --out.")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Parallel pdflatex runs (default: all cores).")] = None,
) -> None:
    """Generate one personal exam per student: sheets, worked keys, JSON keys, submissions CSV.

    Examples:

      exgen generate exam.yaml --roster roster.csv --out exam1

      exgen generate exam.yaml --count 30 --out exam1 --no-pdf
    """
    from . import config as config_mod
    from . import exam
    from .pdf import check_tex
    if (roster is None) == (count is None):
        raise typer.BadParameter("give --roster FILE or --count N (one of them)")
    with user_errors():
        if not no_pdf:
            check_tex()  # say so at once, before any work
        cfg = config_mod.load(config)
        students = exam.read_roster(roster) if roster else exam.count_roster(count)
        res = exam.generate_exam(cfg, students, out, pdf=not no_pdf, force=force, jobs=jobs,
                                 progress=exam.make_progress())
        _report(res)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = DEMO_OUT,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Write .tex files only (no TeX needed).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an exam already in --out.")] = False,
) -> None:
    """Generate the bundled 3-student demo exam (sheets, keys, PDFs) from a built-in config.

    Example:

      exgen demo --out /tmp/exgen-demo
    """
    with user_errors():
        res = run_demo(out, pdf=not no_pdf, force=force)
        _report(res)


def run_demo(out: Path, pdf: bool = True, force: bool = False, progress: bool = True):
    """The demo's steps, one per line so later steps (grading) can be added here."""
    from . import config as config_mod
    from . import exam
    from .pdf import check_tex
    if pdf:
        check_tex()
    cfg = config_mod.load(config_mod.demo_path())
    students = exam.read_roster(config_mod.demo_path().with_name("demo_roster.csv"))
    return exam.generate_exam(cfg, students, out, pdf=pdf, force=force,
                              progress=exam.make_progress() if progress else None)
