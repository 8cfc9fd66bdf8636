"""LaTeX -> PDF: TeX detection, one document with latexmk, and the fast batch path.

The engine is LuaLaTeX (fontspec: any student's name prints as written, see
templates/document.tex.j2). The batch path puts many parts (sheets and keys) into one document per
core, runs lualatex once on each in parallel, and splits the result into one PDF per part with
pypdf. Each part begins with a PDF destination `exgen-part-<n>`, which gives its first page. A
character that no installed font has is reported as a warning naming the part and the character.
"""
from __future__ import annotations

import functools
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

TEX_PACKAGES = ("texlive-latex-base texlive-latex-recommended texlive-pictures texlive-luatex latexmk "
                "fonts-cmu fonts-noto-cjk")
APT_HINT = f"apt-get install -y --no-install-recommends {TEX_PACKAGES}"
ENGINE = "lualatex"
# TeX's log lines are wrapped at 79 characters unless told otherwise
_TEX_ENV = {"max_print_line": "100000", "error_line": "254", "half_error_line": "238"}


def missing_tex(need_latexmk: bool = False) -> list[str]:
    """What of TeX is not installed: lualatex (and latexmk), luaotfload (texlive-luatex)."""
    missing = [p for p in (ENGINE, "latexmk")[: 2 if need_latexmk else 1] if shutil.which(p) is None]
    if not missing and _kpsewhich("luaotfload.sty") is None:
        missing.append("luaotfload (texlive-luatex)")
    return missing


@functools.lru_cache(maxsize=None)
def _kpsewhich(name: str) -> str | None:
    """Where TeX finds a file, or None (also when kpsewhich is not installed)."""
    if shutil.which("kpsewhich") is None:
        return None
    try:
        r = subprocess.run(["kpsewhich", name], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() or None


def check_tex(need_latexmk: bool = False) -> None:
    """Raise TexError at once if lualatex (or latexmk) is not installed."""
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
    r = subprocess.run(["latexmk", "-lualatex", "-interaction=nonstopmode", "-halt-on-error", "-silent",
                        tex.name], cwd=tex.parent, capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **_TEX_ENV})
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
    student: str = ""  # the student as named in warnings: "student s001 (Ada Lovelace)"

    @property
    def who(self) -> str:
        return self.student or self.label


_LOST = re.compile(r"^Missing character: There is no (.+?) \((U\+[0-9A-F]+)\) in font", re.M)


def lost_characters(log: str, parts: list[Part]) -> list[str]:
    """Warnings for the characters no font had, from a TeX log: the part (the last
    `exgen-part: n` mark before it) and the character, each once per student."""
    out: dict[tuple[str, str], str] = {}
    marks = [(m.start(), int(m.group(1))) for m in re.finditer(r"^exgen-part: (\d+)", log, re.M)]
    for m in _LOST.finditer(log):
        before = [n for pos, n in marks if pos < m.start()]
        who = parts[before[-1]].who if before else "a document"
        ch, code = m.group(1), m.group(2)
        out.setdefault((who, code), f"{who}: no installed font has the character {ch!r} ({code}); "
                                    "it is left out of the PDF (install a font that has it, e.g. fonts-noto)")
    return list(out.values())


def _run_tex(workdir: Path, name: str, parts: list[Part], timeout: float,
             on_part: Callable[[], None] | None = None) -> tuple[list[str], str]:
    """lualatex once on a combined document; reports each part as TeX reaches it. Returns the
    warnings about characters that no font has, and the log."""
    proc = subprocess.Popen([ENGINE, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                             f"{name}.tex"], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, errors="replace",
                            env={**os.environ, **_TEX_ENV})
    out = []
    for line in proc.stdout:  # type: ignore[union-attr]
        out.append(line)
        if on_part and line.startswith("exgen-part: "):
            on_part()
    code = proc.wait(timeout=timeout)
    log = (workdir / f"{name}.log").read_text(errors="replace") if (workdir / f"{name}.log").exists() else "".join(out)
    if code == 0:
        return lost_characters(log, parts), log
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


def _update_font_names() -> None:
    """luaotfload's font-name database, built (about 20 s, once per machine) before TeX runs in
    parallel, so that they do not all build it at once; a no-op (0.1 s) when it is up to date."""
    if shutil.which("luaotfload-tool"):
        subprocess.run(["luaotfload-tool", "--update", "--quiet"], capture_output=True, timeout=600)


def compile_batch(parts: list[Part], jobs: int | None = None, timeout: float = 1800,
                  on_part: Callable[[], None] | None = None,
                  warnings: list[str] | None = None, logs: list[str] | None = None) -> list[bytes]:
    """PDF bytes of every part, in order: one combined document per job, compiled in parallel.
    Characters that no installed font has are appended to `warnings` (one line each), the TeX
    log of each combined document to `logs`."""
    check_tex()
    if not parts:
        return []
    _update_font_names()
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(parts)))
    size = -(-len(parts) // jobs)
    chunks = [parts[i:i + size] for i in range(0, len(parts), size)]
    with tempfile.TemporaryDirectory(prefix="exgen-tex-") as tmp:
        work = Path(tmp)

        def run(i: int) -> list[bytes]:
            chunk = chunks[i]
            (work / f"chunk{i}.tex").write_text(render_document([(p.footer, p.body) for p in chunk]),
                                                encoding="utf-8")
            lost[i], texlogs[i] = _run_tex(work, f"chunk{i}", chunk, timeout, on_part)
            if splitters is None:
                return split_pages(work / f"chunk{i}.pdf", len(chunk))
            return splitters.submit(split_pages, work / f"chunk{i}.pdf", len(chunk)).result()

        lost: list[list[str]] = [[] for _ in chunks]
        texlogs = [""] * len(chunks)

        # lualatex runs in threads (they wait on a subprocess); pypdf splits in processes (CPU-bound)
        splitters = None if len(chunks) == 1 else ProcessPoolExecutor(
            len(chunks), mp_context=multiprocessing.get_context("spawn"))
        try:
            with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
                results = list(pool.map(run, range(len(chunks))))
        finally:
            if splitters is not None:
                splitters.shutdown()
    if warnings is not None:
        warnings.extend(dict.fromkeys(w for chunk_lost in lost for w in chunk_lost))
    if logs is not None:
        logs.extend(texlogs)
    return [pdf for chunk in results for pdf in chunk]


def print_bundle(pdfs: list[bytes]) -> tuple[bytes, int]:
    """One file to print from per-student PDFs, in order: each starts on an odd page (a blank
    page follows a PDF with an odd page count), so duplex printing never puts two students on
    one sheet of paper. Returns the PDF bytes and its page count."""
    from pypdf import PdfReader, PdfWriter
    w = PdfWriter()
    for data in pdfs:
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            w.add_page(page)
        if len(reader.pages) % 2:
            box = reader.pages[-1].mediabox
            w.add_blank_page(width=box.width, height=box.height)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue(), len(w.pages)
