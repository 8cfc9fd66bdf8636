"""LaTeX -> PDF: TeX detection, one document with latexmk, and the fast batch path.

The batch path puts many parts (sheets and keys) into one document per core, runs pdflatex once
on each in parallel, and splits the result into one PDF per part with pypdf. Each part begins
with a PDF destination `exgen-part-<n>` (see templates/document.tex.j2), which gives its first page.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from exgen.errors import TexError
from exgen.exam.render import render_document

APT_HINT = ("apt-get install -y --no-install-recommends texlive-latex-base "
            "texlive-latex-recommended texlive-pictures latexmk")


def missing_tex(need_latexmk: bool = False) -> list[str]:
    """The TeX programs that are not installed: pdflatex (and latexmk)."""
    return [p for p in ("pdflatex", "latexmk")[: 2 if need_latexmk else 1] if shutil.which(p) is None]


def check_tex(need_latexmk: bool = False) -> None:
    """Raise TexError at once if pdflatex (or latexmk) is not installed."""
    missing = missing_tex(need_latexmk)
    if missing:
        raise TexError(f"{' and '.join(missing)} not found: install TeX with `{APT_HINT}`, "
                       "or pass --no-pdf to write .tex files only")


def log_excerpt(log: str, context: int = 6) -> str:
    """The error lines of a TeX log: from the first line starting with '!' on."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!"):
            return "\n".join("  " + s for s in lines[i:i + context])
    return "\n".join("  " + s for s in lines[-context:])


def compile_one(tex: Path, timeout: float = 120) -> Path:
    """Compile one .tex file with latexmk next to it; returns the .pdf path."""
    check_tex(need_latexmk=True)
    tex = Path(tex)
    r = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-silent",
                        tex.name], cwd=tex.parent, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        log = tex.with_suffix(".log")
        text = log.read_text(errors="replace") if log.exists() else r.stdout + r.stderr
        raise TexError(f"LaTeX failed on {tex}:\n{log_excerpt(text)}")
    subprocess.run(["latexmk", "-c", tex.name], cwd=tex.parent, capture_output=True)
    return tex.with_suffix(".pdf")


@dataclass
class Part:
    label: str  # who and what, for error messages: "key of student s001"
    footer: str  # plain text printed at the foot of each page
    body: str  # LaTeX body from render.render_body


def _run_pdflatex(workdir: Path, name: str, parts: list[Part], timeout: float,
                  on_part: Callable[[], None] | None = None) -> None:
    """pdflatex once on a combined document; reports each part as TeX reaches it."""
    proc = subprocess.Popen(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                             f"{name}.tex"], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, errors="replace")
    out = []
    for line in proc.stdout:  # type: ignore[union-attr]
        out.append(line)
        if on_part and line.startswith("exgen-part: "):
            on_part()
    if proc.wait(timeout=timeout) == 0:
        return
    log = (workdir / f"{name}.log").read_text(errors="replace") if (workdir / f"{name}.log").exists() else "".join(out)
    err = log.find("\n!")
    marks = [int(m) for m in re.findall(r"exgen-part: (\d+)", log[: err if err >= 0 else len(log)])]
    who = parts[marks[-1]].label if marks else "a document"
    raise TexError(f"LaTeX failed on the {who}:\n{log_excerpt(log)}")


def split_pages(pdf: Path, n_parts: int) -> list[bytes]:
    """One PDF per part, from the exgen-part-<n> destinations of a combined document."""
    from pypdf import PdfReader, PdfWriter
    reader = PdfReader(str(pdf))
    dests = reader.named_destinations
    starts: list[int] = []
    for i in range(n_parts):
        page = reader.get_destination_page_number(dests[f"exgen-part-{i}"])
        if page is None:
            raise TexError(f"{pdf}: part {i} of the batch has no page (its destination is missing)")
        starts.append(page)
    ends = starts[1:] + [len(reader.pages)]
    out = []
    for a, b in zip(starts, ends):
        w = PdfWriter()
        for p in range(a, b):
            w.add_page(reader.pages[p])
        buf = io.BytesIO()
        w.write(buf)
        out.append(buf.getvalue())
    return out


def compile_batch(parts: list[Part], jobs: int | None = None, timeout: float = 1800,
                  on_part: Callable[[], None] | None = None) -> list[bytes]:
    """PDF bytes of every part, in order: one combined document per job, compiled in parallel."""
    check_tex()
    if not parts:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(parts)))
    size = -(-len(parts) // jobs)
    chunks = [parts[i:i + size] for i in range(0, len(parts), size)]
    with tempfile.TemporaryDirectory(prefix="exgen-tex-") as tmp:
        work = Path(tmp)

        def run(i: int) -> list[bytes]:
            chunk = chunks[i]
            (work / f"chunk{i}.tex").write_text(render_document([(p.footer, p.body) for p in chunk]),
                                                encoding="utf-8")
            _run_pdflatex(work, f"chunk{i}", chunk, timeout, on_part)
            if splitters is None:
                return split_pages(work / f"chunk{i}.pdf", len(chunk))
            return splitters.submit(split_pages, work / f"chunk{i}.pdf", len(chunk)).result()

        # pdflatex runs in threads (they wait on a subprocess); pypdf splits in processes (CPU-bound)
        splitters = None if len(chunks) == 1 else ProcessPoolExecutor(
            len(chunks), mp_context=multiprocessing.get_context("spawn"))
        try:
            with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
                results = list(pool.map(run, range(len(chunks))))
        finally:
            if splitters is not None:
                splitters.shutdown()
    return [pdf for chunk in results for pdf in chunk]
