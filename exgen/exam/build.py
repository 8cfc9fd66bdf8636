"""`exgen generate`: roster -> per-student networks -> sheets, keys (.tex, .pdf), JSON keys, CSV.

Output layout (DIR):
  sheets/<id>.tex|.pdf   keys/<id>.tex|.pdf   answer_keys/<id>.json   submissions.csv   exam.json
  print/sheets.pdf   print/keys.pdf   (every student in roster order, each from an odd page)
The folder is written whole through `exgen.outdir.OutputDir`: staged, then committed.
"""
from __future__ import annotations

import csv
import io
import json
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from exgen.exam.config import ExamConfig
from exgen.escape import safe_cells
from exgen.limits import check_jobs
from exgen.exam.students import Written, write, write_student, write_students
from exgen.roster import Student, read_roster
from exgen.outdir import OutputDir


def write_index(cfg: ExamConfig, out: Path, names: list[str]) -> list[Path]:
    """The exam-wide key index `out/.exam-keys.npz` of the keys `out/answer_keys/<names>` (network
    exams; written after the keys, so newer than each): grading reads it instead of the JSON keys
    while they match it (exgen.grading.keyindex). The keys are read back from their files, not
    held in memory. Returns the files written."""
    from exgen.grading.indexwrite import index_bytes
    from exgen.grading.keyindex import INDEX
    if not names or cfg.kind == "graph":
        return []
    keys = out / "answer_keys"
    write(out / INDEX, index_bytes(names, lambda name: (keys / name).read_bytes(), cfg.name))
    return [out / INDEX]


def submissions_csv(student_ids: list[str], question_ids: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(safe_cells(["student_id", *question_ids]))
    for sid in student_ids:
        w.writerow(safe_cells([sid, *[""] * len(question_ids)]))
    return buf.getvalue()


@dataclass
class Result:
    out: Path
    students: int
    files: list[Path] = field(default_factory=list)
    pdf: bool = True
    warnings: list[str] = field(default_factory=list)  # e.g. a character no installed font has
    variants: bool = False  # the "students" are variant exercises v001, ... for an LMS

    def __repr__(self) -> str:  # a summary: `files` lists 3 or more files a student
        return (f"{type(self).__name__}(out={str(self.out)!r}, students={self.students}, files={len(self.files)}, "
                f"pdf={self.pdf}, warnings={len(self.warnings)}, variants={self.variants}{self._more()})")

    def _more(self) -> str:
        return ""


def generate_exam(cfg: ExamConfig, students: list[Student], out: str | Path, *, pdf: bool = True,
                  force: bool = False, jobs: int | None = None, progress: Any = None,
                  inputs: dict[str, str | Path | None] | None = None, variants: bool = False) -> Result:
    """Write the whole exam into `out`. `progress` is a rich Progress (or None for silence).

    `out` is an exgen output folder (see `exgen.outdir`): new, empty, or an exam exgen wrote
    (replaced only with `force`); `inputs` (option -> path) are refused as output folders."""
    from exgen.exam import pdf as pdf_mod
    check_jobs(jobs)
    if pdf:
        pdf_mod.check_tex()  # at once, before any work
    with OutputDir(out, "exam", force=force, inputs=inputs) as stage:
        res = write_exam(cfg, students, stage, pdf=pdf, jobs=jobs, progress=progress, variants=variants)
    out = Path(out)
    res.out, res.files = out, [out / p.relative_to(stage) for p in res.files]
    return res


def write_exam(cfg: ExamConfig, students: list[Student], out: Path, *, pdf: bool = True,
               jobs: int | None = None, progress: Any = None, variants: bool = False) -> Result:
    """The exam's files, written into the (staging) folder `out`; `variants`: the "students" are
    variant exercises v001, ... for an LMS (exam.json says so; `exgen export` reads them).

    Streamed: each student's sheet, key and JSON key are written as their exercise is made (in
    the order of the student seeds, in `jobs` processes: exgen.exam.students) and the exercise
    dropped; only the PDF parts (with `pdf`) are kept until the end, to be compiled in roster order."""
    from exgen.exam import pdf as pdf_mod
    ctx = progress if progress is not None else nullcontext()
    with ctx:
        task = progress.add_task("networks", total=len(students)) if progress else None
        step = (lambda: progress.advance(task)) if progress else None
        ids = [s.id for s in students]
        written: Iterable[Written]
        if cfg.kind == "graph":  # computational-graph exercises (exgen.graph)
            from exgen.graph.draw import make_exercises as make_graphs
            from exgen.graph.render import render_body as render
            written = (write_student(cfg, ex, st, out, pdf, render)
                       for st, ex in zip(students, make_graphs(cfg, ids, step)))
        else:
            written = write_students(cfg, students, out, pdf=pdf, jobs=jobs, progress=step)
        res = Result(out, len(students), pdf=pdf, variants=variants)
        parts: dict[tuple[str, str], Any] = {}
        qids: list[str] = []
        for sid, questions, made in written:
            parts.update({(sid, kind): part for kind, part in made.items()})
            if sid == ids[0]:
                qids = questions
        res.files += [out / folder / f"{i}.tex" for i in ids for folder in ("sheets", "keys")]
        res.files += [out / "answer_keys" / f"{i}.json" for i in ids]
        res.files += write_index(cfg, out, [f"{i}.json" for i in dict.fromkeys(ids)])
        write(out / "submissions.csv", submissions_csv(ids, qids))
        info: dict[str, Any] = {"exam": cfg.name, "seed": cfg.seed, "students": ids}
        if variants:
            info["variants"] = True
        write(out / "exam.json", json.dumps(info, indent=2) + "\n")
        res.files += [out / "submissions.csv", out / "exam.json"]
        if pdf:
            order = [(i, kind) for i in ids for kind in ("sheet", "key")]  # parts alternate sheet, key
            paths = [out / ("sheets" if kind == "sheet" else "keys") / f"{i}.pdf" for i, kind in order]
            task = progress.add_task("PDF", total=len(order)) if progress else None
            step = (lambda: progress.advance(task)) if progress else None
            pdfs = pdf_mod.compile_batch([parts[k] for k in order], jobs, on_part=step, warnings=res.warnings)
            for path, data in zip(paths, pdfs):
                write(path, data)
                res.files.append(path)
            # one file to print per kind (roster order)
            for name, first in (("sheets", 0), ("keys", 1)):
                bundle, _ = pdf_mod.print_bundle(pdfs[first::2])
                path = out / "print" / f"{name}.pdf"
                write(path, bundle)
                res.files.append(path)
    return res




def make_progress():
    """A rich progress bar on stderr; none where stderr is not a terminal (a log file or a pipe
    would keep only an empty line of it)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    con = Console(stderr=True)
    return Progress(TextColumn("{task.description:9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=con, transient=True, disable=not con.is_terminal)


@dataclass(kw_only=True)
class DemoResult(Result):
    """`exgen demo`: the exam it generated (a Result), and the grading of its sample submission."""
    grades: Any  # exgen.grading.grade.GradeResult
    grading_summary: str  # grading's summary (counts of verdicts, mean and median score)
    sample: Path  # the sample submissions CSV
    grades_dir: Path
    first_key: dict  # the first student's answer key (for the "try next" commands)

    __repr__ = Result.__repr__

    def _more(self) -> str:
        return f", grades={self.grades!r}, grades_dir={str(self.grades_dir)!r}"


def run_demo(out: str | Path, pdf: bool = True, force: bool = False, progress: bool = True) -> DemoResult:
    """The bundled 3-student demo: generate the exam from the built-in config and roster into
    `out`, then grade a sample submission (every verdict shows) into `out/grades`."""
    from exgen.exam import config as config_mod
    from exgen.grading.keys import load_keys
    from exgen.grading.run import grade_files, sample_submission
    from exgen.exam.pdf import check_tex
    out = Path(out)
    if pdf:
        check_tex()
    cfg = config_mod.load(config_mod.demo_path())
    students = read_roster(config_mod.demo_path().with_name("demo_roster.csv"))
    progress_bar = make_progress() if progress else None
    with OutputDir(out, "exam", force=force) as stage:
        res = write_exam(cfg, students, stage, pdf=pdf, progress=progress_bar)
        sample_submission(load_keys(stage / "answer_keys"), stage / "sample_submissions.csv")
    res.out = out
    grades, text = grade_files(out / "sample_submissions.csv", out / "answer_keys", out / "grades", force=force)
    # the demo roster has no LMS ids: the write-back notes (which LMS columns are missing) are noise here
    summary = "\n".join(line for line in text.splitlines() if not line.startswith(("Wrote ", "Write-back:")))
    first = json.loads((out / "answer_keys" / f"{students[0].id}.json").read_text(encoding="utf-8"))
    return DemoResult(**vars(res), grades=grades, grading_summary=summary, sample=out / "sample_submissions.csv",
                      grades_dir=out / "grades", first_key=first)
