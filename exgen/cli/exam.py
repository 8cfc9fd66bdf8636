"""CLI commands for exams: init-config, generate, demo. Thin: parse, call exgen.exam.build, print."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from exgen.cli.main import app, echo, output_dir, output_file, user_errors
from exgen.limits import MAX_JOBS

DEMO_OUT = Path("exgen-demo")


def _report(res) -> None:
    for w in res.warnings:
        echo(f"Warning: {w}", err=True)
    what = ("sheets, keys (.tex and .pdf; print/sheets.pdf and print/keys.pdf to print)" if res.pdf
            else "sheets, keys (.tex only)")
    who = ("variant" if getattr(res, "variants", False) else "student") + ("" if res.students == 1 else "s")
    echo(f"Wrote {what}, answer keys and submissions.csv for {res.students} {who} to {res.out}")


@app.command("init-config")
def init_config(
    path: Annotated[Path, typer.Argument(help="Where to write the config ('-' for stdout).")] = Path("exam.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented default exam config to edit.

    Example:

      exgen init-config exam.yaml
    """
    with user_errors():
        from exgen.exam.config import DEFAULT_YAML
        from exgen.errors import OutputExistsError
        from exgen.textio import write_atomic
        if str(path) == "-":
            echo(DEFAULT_YAML, nl=False)
            return
        output_file(path, "the config")
        if path.exists() and not force:
            raise OutputExistsError(f"{path}: already exists; pass --force to overwrite it")
        write_atomic(path, DEFAULT_YAML)
        echo(f"Wrote {path}")


@app.command()
def generate(
    config: Annotated[Path, typer.Argument(help="Exam config (YAML); see `exgen init-config`.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The exam folder: new or empty, or an exam exgen wrote (replaced only with --force). A folder holding other files is refused.")],
    roster: Annotated[Optional[Path], typer.Option("--roster", help="CSV or .xlsx with a student_id column and optionally name.")] = None,
    count: Annotated[Optional[int], typer.Option("--count", help="Make N students s001, s002, ... instead of a roster.")] = None,
    variants: Annotated[Optional[int], typer.Option("--variants", help="Make N variant exercises v001, v002, ... (same files as students) for an LMS quiz that hands one out at random; then `exgen export moodle|canvas`.")] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Write .tex files only (no TeX needed).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace the exam exgen wrote in --out: exactly its files (students no longer on the roster go too); nothing else is touched.")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help=f"Parallel processes: for the networks and files of a large class, and lualatex runs (1 to {MAX_JOBS}; default: all cores).")] = None,
) -> None:
    """Generate one personal exam per student: sheets, worked keys, JSON keys, submissions CSV.

    Examples:

      exgen generate exam.yaml --roster roster.csv --out exam1

      exgen generate exam.yaml --count 30 --out exam1 --no-pdf

      exgen generate exam.yaml --variants 40 --out quiz1 --no-pdf
    """
    with user_errors(config):
        from exgen.api import generate_exam
        _report(generate_exam(config, out, roster=roster, count=count, pdf=not no_pdf, force=force, jobs=jobs,
                              progress=True, variants=variants))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="The demo folder: new or empty, or a demo exgen wrote (replaced only with --force).")] = DEMO_OUT,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Write .tex files only (no TeX needed).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a demo exgen wrote in --out (exactly its files).")] = False,
) -> None:
    """The whole job in one command: a 3-student demo exam, and a sample submission graded.

    Writes problem sheets, worked keys (.tex and .pdf), JSON answer keys, a sample submission and its grades (grades.csv, feedback, report.html); then prints what to open and what to try next.

    Example:

      exgen demo --out /tmp/exgen-demo
    """
    with user_errors():
        output_dir(out)
        res = run_demo(out, pdf=not no_pdf, force=force)
        for w in res.warnings:
            echo(f"Warning: {w}", err=True)
        echo(demo_text(res), nl=False)


def run_demo(out: Path, pdf: bool = True, force: bool = False, progress: bool = True):
    """See exgen.exam.build.run_demo."""
    from exgen.exam.build import run_demo as run
    return run(out, pdf=pdf, force=force, progress=progress)


def demo_text(res) -> str:
    """What `exgen demo` made, what to open and what to try next."""
    import shlex
    d = str(res.out).rstrip("/") + "/"
    key = res.first_key
    sid = key["student_id"]
    ext = "pdf" if res.pdf else "tex"
    kind = ".tex and .pdf" if res.pdf else ".tex; run without --no-pdf for PDFs"
    q = lambda p: shlex.quote(str(p))  # noqa: E731
    rows = [(f"{d}sheets/", f"problem sheets, one per student ({kind})"),
            (f"{d}keys/", f"answer keys with worked solutions ({kind})"),
            (f"{d}answer_keys/", "JSON answer keys, for grading and self-check"),
            (f"{d}submissions.csv", "a blank submissions form, one row per student"),
            (f"{d}sample_submissions.csv", "sample answers: right, carried, slips, not a number, empty"),
            (f"{d}grades/", "grades.csv, answers.csv (verdict, diagnosis), feedback/<id>.md, report.html")]
    w = max(len(a) for a, _ in rows) + 2
    lines = [f"Made the demo exam \"{key.get('exam', '')}\" for {res.students} students in {d}", ""]
    lines += [f"  {a:{w}}{b}" for a, b in rows]
    lines += ["", "Graded the sample answers:"]
    lines += [f"  {line}" for line in res.grading_summary.splitlines()]
    opens = [(f"{d}sheets/{sid}.{ext}", f"{sid}'s problem sheet"),
             (f"{d}keys/{sid}.{ext}", "its worked solution"),
             (f"{d}grades/report.html", "the class report: scores, per-question statistics, misconceptions"),
             (f"{d}grades/feedback/", "what each student gets back: verdicts, diagnoses, worked steps")]
    w = max(len(a) for a, _ in opens) + 2
    lines += ["", "Open:"] + [f"  {a:{w}}{b}" for a, b in opens]
    qs = key["questions"]
    pairs = []
    if qs:
        pairs.append(f"{qs[0]['id']}={qs[0]['answer']:.4f}")
    if len(qs) > 1:
        pairs.append(f"{qs[1]['id']}={-qs[1]['answer']:.4f}")
    keys_dir = res.out / "answer_keys"
    lines += ["", "Try next:",
              f"  exgen check {' '.join(pairs)} --key {q(keys_dir / (sid + '.json'))}",
              "      check answers against a key: verdicts, diagnoses and hints",
              f"  exgen grade {q(res.sample)} --keys {q(keys_dir)} --out {q(res.grades_dir)} --force",
              "      grade a submissions CSV (long or wide, LMS exports) again",
              "  exgen practice",
              "      a fresh exercise in the terminal, question by question, with hints",
              "  exgen init-config exam.yaml  then  exgen generate exam.yaml --count 30 --out exam1",
              "      your own exam"]
    return "\n".join(lines) + "\n"
