"""Each student's files of a network exam, written as their exercise is found: the sheet and key
(.tex) and the JSON key, chunk by chunk of the students in the order of their seeds
(exgen.exam.search), in `jobs` worker processes for a large class.

A worker searches a chunk, writes the files of each student whose exercise it found and returns
their fingerprints. This process then settles the students in the order of their seeds, as
`search.exercises` does: a student whose network clashes with an earlier one's (or whom the
search left alone) gets make_exercise's network and their files are written again, here. So the
files are those of drawing every student one by one, whatever `jobs`; only a chunk's exercises
are in memory at a time in each process.
"""
from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from typing import Any, Callable, Iterator

from exgen.answer_key import answer_key
from exgen.exam import search
from exgen.exam.config import ExamConfig, key_acceptance
from exgen.exam.draw import Exercise, fingerprint, make_exercise
from exgen.exam.render import render_body, render_document
from exgen.roster import Student

Written = tuple[str, list[str], dict[str, Any]]  # (student id, question ids, PDF parts by "sheet"/"key")


def write_students(cfg: ExamConfig, students: list[Student], out: Path, *, pdf: bool, jobs: int | None = None,
                   progress: Callable[[], None] | None = None) -> Iterator[Written]:
    """Write every student's files into `out`; yields what each wrote, in the order of the student
    seeds. `jobs`: worker processes (default: all cores; 1: none)."""
    by_id = {st.id: st for st in students}
    tasks = [(cfg, [by_id[s] for s in chunk], out, pdf, os.getpid())
             for chunk in search.chunks(cfg, [st.id for st in students])]
    jobs = min(jobs or os.cpu_count() or 1, len(tasks))
    seen: set = set()
    pool = multiprocessing.get_context().Pool(jobs) if jobs > 1 else None
    try:
        for done in (pool.imap(_chunk, tasks) if pool else map(_chunk, tasks)):
            for sid, fp, written in done:
                if fp is None or written is None or fp in seen:  # the rare case: drawn one by one, written again
                    ex = make_exercise(cfg, sid, seen)
                    fp, written = fingerprint(ex.spec), write_student(cfg, ex, by_id[sid], out, pdf)
                seen.add(fp)
                if progress:
                    progress()
                yield written
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _chunk(task: tuple[ExamConfig, list[Student], Path, bool, int]) -> list[tuple[str, bytes | None, Written | None]]:
    """A chunk's students searched, and the files of those found written: (id, fingerprint, written).
    A worker whose parent is gone (killed) stops before writing into its staging folder."""
    cfg, students, out, pdf, parent = task
    got = search.found(cfg, [st.id for st in students])
    done: list[tuple[str, bytes | None, Written | None]] = []
    for st, ex in zip(students, got):
        if os.getppid() != parent and os.getpid() != parent:
            raise SystemExit(1)
        done.append((st.id, None, None) if ex is None else (st.id, fingerprint(ex.spec), write_student(cfg, ex, st, out, pdf)))
    return done


def write_student(cfg: ExamConfig, ex: Any, st: Student, out: Path, pdf: bool, render: Callable = render_body) -> Written:
    """The student's sheet and key (.tex) and JSON key (of a network or graph exercise `ex`); the
    PDF parts of the sheet and key with `pdf`."""
    from exgen.exam.pdf import Part
    parts: dict[str, Any] = {}
    for kind, folder in (("sheet", "sheets"), ("key", "keys")):
        body = render(kind, ex, cfg, st)
        footer = f"{cfg.name} - {st.id}" + (" - answer key" if kind == "key" else "")
        write(out / folder / f"{st.id}.tex", render_document([(footer, body)]))
        if pdf:
            who = f"student {st.id}" + (f" ({st.name})" if st.name != st.id else "")
            parts[kind] = Part(f"{kind} of student {st.id}", footer, body, who)
    write(out / "answer_keys" / f"{st.id}.json", key_json(cfg, ex, st))
    return st.id, [q.id for q in ex.questions], parts


def key_json(cfg: ExamConfig, ex: Exercise, student: Student) -> str:
    key = answer_key(cfg.name, ex.student_id, cfg.seed, ex.spec, ex.questions, key_acceptance(cfg))
    key["student_name"] = student.name
    key["student_seed"] = ex.student_seed
    return json.dumps(key, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, data: str | bytes) -> None:
    """A file in a staging folder (the folder is committed whole, so no temp file is needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
