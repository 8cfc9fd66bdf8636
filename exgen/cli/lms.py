"""`exgen export moodle|canvas DIR --out FILE`: a variants folder as an LMS quiz (docs/lms.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exgen.cli.main import app, echo, user_errors


@app.command()
def export(
    fmt: Annotated[str, typer.Argument(metavar="moodle|canvas", help="moodle: a Moodle XML question bank (Cloze); canvas: a QTI 1.2 .zip for Canvas Classic Quizzes.", show_default=False)],
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="The variants folder of `exgen generate CONFIG --variants N --out DIR`.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="The quiz file to write (quiz.xml or quiz.zip); a file exgen did not write is refused without --force.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out even if exgen did not write it.")] = False,
) -> None:
    """Export a variants folder as an LMS quiz: each student gets one variant at random.

    Then collect the answers in the LMS, download its report (Moodle: Responses; Canvas: Student Analysis) and run `exgen grade REPORT --keys DIR/answer_keys --out GRADES` (no --map needed).

    Examples:

      exgen generate exam.yaml --variants 40 --out quiz1 --no-pdf

      exgen export moodle quiz1 --out quiz1.xml

      exgen export canvas quiz1 --out quiz1.zip
    """
    with user_errors():
        from exgen.lms.export import export_quiz
        path, n = export_quiz(fmt.strip().lower(), folder, out, force=force)
        echo(f"Wrote {path} ({n} variants, {'Moodle XML' if fmt.strip().lower() == 'moodle' else 'Canvas QTI 1.2'}).")
