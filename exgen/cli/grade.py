"""`exgen grade`: grade collected answers against the per-student answer keys."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from exgen.cli.main import app, echo, user_errors


@app.command()
def grade(
    submissions: Annotated[Path, typer.Argument(metavar="SUBMISSIONS", help="The collected answers: a .csv file (long or wide, any common encoding and separator) or an .xlsx file.", show_default=False)],
    keys: Annotated[Path, typer.Option("--keys", help="The directory of answer keys, one <student_id>.json per student.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="The grades folder GRADES_DIR: new or empty, or grades exgen wrote (replaced only with --force); never an input's folder such as the exam's.", show_default=False)],
    id_column: Annotated[Optional[str], typer.Option("--id-column", help="The column holding the student identity (default: the first of student_id, sid, email, username, id, ...).")] = None,
    map_: Annotated[Optional[list[str]], typer.Option("--map", help="Maps a column to a question id as COLUMN=QID, like 'Response 1=1a' (repeatable).")] = None,
    map_file: Annotated[Optional[Path], typer.Option("--map-file", help="A file of COLUMN,QID lines (or a YAML mapping) that maps columns to question ids.")] = None,
    roster: Annotated[Optional[Path], typer.Option("--roster", help="A roster (CSV or .xlsx) with a student_id column whose other columns (e-mail, LMS id, login) identify the same student.")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="The worksheet of an .xlsx file to read (default: the first).")] = None,
    carried_credit: Annotated[Optional[float], typer.Option("--carried-credit", help="The fraction of the points given for an answer that is right given the student's own earlier (wrong) answers (default: the answer keys' acceptance policy, 0.5 without one).", show_default=False)] = None,
    no_feedback: Annotated[bool, typer.Option("--no-feedback", help="Skip the per-student feedback files (feedback/<student_id>.md).")] = False,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip report.html, whose charts are slow for very large classes.")] = False,
    attempt: Annotated[str, typer.Option("--attempt", help="Which of a student's several attempts counts: latest, first (by the attempt number or timestamp column: Canvas 'attempt', Moodle 'Started on', Forms 'Timestamp'; row order without one) or best (the highest total score).")] = "latest",
    canvas_assignment_id: Annotated[Optional[str], typer.Option("--canvas-assignment-id", help="The Canvas assignment id: grades_canvas.csv's column becomes 'Title (id)' and fills that assignment on import (without it Canvas adds a new one).")] = None,
    blackboard_column_id: Annotated[Optional[str], typer.Option("--blackboard-column-id", help="The Blackboard Grade Center column id for grades_blackboard.csv (without it Blackboard adds a new column).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the grades exgen wrote in GRADES_DIR (exactly its files).")] = False,
) -> None:
    """Grade submissions against each student's answer key: tolerance, rounding-aware, error carried forward, slip diagnosis.

    Writes answers.csv, grades.csv, grades_canvas.csv, grades_moodle.csv, grades_blackboard.csv, issues.csv, feedback/<student_id>.md (unless --no-feedback) and report.html (unless --no-report) into GRADES_DIR, and prints a summary.

    Examples:

      A quiz of `exgen export moodle|canvas`: its Moodle Responses or Canvas Student Analysis report, each answer graded against its variant's key (no --map):
      exgen grade responses.csv --keys quiz1/answer_keys --out grades

      The gradebooks with the roster's LMS columns and the Canvas assignment id:
      exgen grade c.csv --keys k --out g --roster r.csv --canvas-assignment-id 47

      Plain export (student_id, question_id, answer; or a column per question):
      exgen grade answers.csv --keys exam/answer_keys --out exam/grades

      Canvas Student Analysis (question columns "1a: ..." are found by their id):
      exgen grade canvas.csv --keys keys --out grades --id-column sis_id

      Moodle Responses, columns mapped to question ids (or --map-file map.csv):
      exgen grade moodle.csv --keys keys --out grades --map "Response 1=1a"

      Canvas all-attempts report, each student's best attempt counts (default: latest):
      exgen grade canvas.csv --keys keys --out grades --attempt best

      E-mail or LMS logins mapped to student ids through a roster CSV:
      exgen grade forms.xlsx --keys keys --out grades --roster roster.csv
    """
    with user_errors():
        from exgen.grading.run import grade_files
        _, text = grade_files(submissions, keys, out, id_column=id_column, mapping=map_, mapping_file=map_file,
                              roster=roster, sheet=sheet, carried_credit=carried_credit, force=force,
                              feedback=not no_feedback, report=not no_report, attempt=attempt,
                              canvas_assignment_id=canvas_assignment_id, blackboard_column_id=blackboard_column_id)
        echo(text)
