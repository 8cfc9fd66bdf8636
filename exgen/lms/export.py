"""`exgen export moodle|canvas DIR --out FILE`: a variants folder as an LMS quiz file, written
atomically; a file exgen did not write is never overwritten (without `force`)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from exgen.errors import OutputExistsError, UsageError

FORMATS = ("moodle", "canvas")


def written_by_exgen(path: Path, fmt: str) -> bool:
    """Does the file at `path` carry exgen's mark (the XML comment, or the zip's exgen.txt)?"""
    from exgen.lms import canvas, moodle
    try:
        if fmt == "moodle":
            with open(path, "rb") as f:
                return moodle.MARK.encode() in f.read(400)
        with zipfile.ZipFile(path) as z:
            return canvas.MARK in z.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def export_quiz(fmt: str, folder: str | Path, out: str | Path, *, force: bool = False) -> tuple[Path, int]:
    """Write the quiz of the variants folder `folder` as `fmt` (moodle: Moodle XML; canvas: a QTI
    zip) to `out`. Returns (out, number of variants)."""
    from exgen.lms import canvas, moodle
    from exgen.lms.quiz import load_quiz
    from exgen.textio import input_dir, output_file, write_atomic
    if fmt not in FORMATS:
        raise UsageError(f"export: the format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    input_dir(folder)
    out = Path(out)
    output_file(out, f"the {fmt} quiz")
    if out.exists() and not force and not written_by_exgen(out, fmt):
        raise OutputExistsError(f"{out}: already exists and exgen did not write it; pass --force to overwrite it")
    quiz = load_quiz(folder)
    if Path(folder).resolve() in out.resolve().parents:  # a file exgen's manifest of the folder does not list
        raise OutputExistsError(f"{out}: lies inside the variants folder {folder} (the input of this run; a file there "
                                "would stop `exgen generate --force` from replacing the folder); choose another --out")
    data = moodle.export_xml(quiz).encode("utf-8") if fmt == "moodle" else canvas.export_zip(quiz)
    write_atomic(out, data)
    return out, len(quiz.variants)
