"""`exgen grade`: grade collected answers against the per-student answer keys."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli import app, user_errors


@app.command()
def grade(
    submissions: Annotated[Path, typer.Argument(metavar="SUBMISSIONS", help="Answers: .csv (long or wide, any common encoding/separator) or .xlsx.", show_default=False)],
    keys: Annotated[Path, typer.Option("--keys", help="Directory of answer keys (<student_id>.json).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Output directory GRADES_DIR (must not exist unless --force).", show_default=False)],
    id_column: Annotated[Optional[str], typer.Option("--id-column", help="Column holding the student identity (default: student_id, email, ...).")] = None,
    map_: Annotated[Optional[list[str]], typer.Option("--map", help="Column to question id, COLUMN=QID (repeatable), e.g. 'Response 1=1a'.")] = None,
    map_file: Annotated[Optional[Path], typer.Option("--map-file", help="File of COLUMN,QID lines (or a YAML mapping).")] = None,
    roster: Annotated[Optional[Path], typer.Option("--roster", help="CSV with student_id and e-mail/LMS id columns, to map LMS identities to student ids.")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Worksheet of an .xlsx file (default: the first).")] = None,
    carried_credit: Annotated[float, typer.Option("--carried-credit", help="Fraction of the points for an answer right given the student's own earlier (wrong) values.")] = 0.5,
    no_feedback: Annotated[bool, typer.Option("--no-feedback", help="Skip the per-student feedback files.")] = False,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip report.html (charts; slow for very large classes).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing GRADES_DIR.")] = False,
) -> None:
    """Grade submissions: tolerance, rounding-aware, error carried forward, slip diagnosis.

    Writes answers.csv, grades.csv, grades_canvas.csv, issues.csv, feedback/<id>.md (unless
    --no-feedback) and report.html (unless --no-report) into GRADES_DIR, and prints a summary.

    Example:

      exgen grade answers.csv --keys exam/answer_keys --out exam/grades

      exgen grade moodle.csv --keys k --out g --id-column "Email address" --roster roster.csv --map "Response 1=1a" --map "Response 2=1b"
    """
    if not 0 <= carried_credit <= 1:
        raise typer.BadParameter("must be between 0 and 1", param_hint="--carried-credit")
    from .grading.run import grade_files
    with user_errors():
        _, text = grade_files(submissions, keys, out, id_column=id_column, mapping=map_, mapping_file=map_file,
                              roster=roster, sheet=sheet, carried_credit=carried_credit, force=force,
                              feedback=not no_feedback, report=not no_report)
        typer.echo(text)
