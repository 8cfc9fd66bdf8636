"""`exgen page`: one self-contained HTML file (no network: style, script, drawing and math inline)
with the exercises of one source, written atomically. A file there is replaced only if exgen
wrote it (its marker meta tag) or with `force`."""
from __future__ import annotations

import functools
import hashlib
import json
import sys
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from exgen.errors import ExgenError, OutputExistsError
from exgen.grading.slips import DIAGNOSES
from exgen.page.data import exercise_view
from exgen.page.sources import PageExercise
from exgen.grading.export import EXPORT_VERSION, shape_rule
from exgen.student.selfcheck import SHAPE_INVALID, VERDICT_TEXT
from exgen.textio import write_atomic

PAGE_VERSION = 1
MARKER = f'<meta name="generator" content="exgen page {PAGE_VERSION}">'
MARKER_PREFIX = b'<meta name="generator" content="exgen page '
ASSETS = ("page.html.j2", "page.css", "page.js")


@dataclass
class PageResult:
    path: Path
    page_id: str
    exercises: list[PageExercise]  # each with its answer key (`.key`, `.key_id`)
    size: int  # bytes written

    def __repr__(self) -> str:  # a summary: each exercise holds its network, solution and key
        return (f"PageResult(path={str(self.path)!r}, page_id={self.page_id!r}, exercises={len(self.exercises)}, "
                f"size={self.size})")


def _asset(name: str) -> str:
    f = resources.files("exgen.page") / "assets" / name
    if not f.is_file():
        raise ExgenError(f"exgen's page assets are missing from this installation ({name}); reinstall exgen")
    return f.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def digit_zeros() -> list[int]:
    """The code points of the non-ASCII Unicode digits zero (each starts a run 0..9): answers typed
    with them (full-width, Arabic-Indic, ...) are numbers to `parse_answer`, so to the page too."""
    return [cp for cp in range(128, sys.maxunicode + 1)
            if unicodedata.category(chr(cp)) == "Nd" and unicodedata.decimal(chr(cp)) == 0]


def _script_json(obj: Any) -> str:
    """JSON safe inside a <script> element (no `</script>`, no `<!--`)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c").replace(
        ">", "\\u003e").replace("&", "\\u0026")


def written_by_exgen(path: Path) -> bool:
    """Whether the file at `path` is a page exgen wrote (its marker in the first 4 kB)."""
    try:
        with open(path, "rb") as fh:
            return MARKER_PREFIX in fh.read(4096)
    except OSError:
        return False


def check_target(out: Path, force: bool) -> None:
    if out.is_dir():
        raise OutputExistsError(f"{out}: is a directory; give the page's file name, e.g. {out / 'practice.html'}")
    if (out.exists() or out.is_symlink()) and not force and not written_by_exgen(out):
        raise OutputExistsError(f"{out}: already exists and is not a page exgen wrote; pass --force to replace it")


def render(exercises: list[PageExercise], title: str) -> tuple[str, str]:
    """(the page's HTML, its page id)."""
    page_id = hashlib.sha256(("/".join(ex.key_id for ex in exercises)).encode()).hexdigest()[:12]
    views, data = [], []
    for i, ex in enumerate(exercises):
        v, d = exercise_view(ex, i)
        views.append(v)
        data.append(d)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(css=_asset("page.css"), js=_asset("page.js"))
    payload = {"version": PAGE_VERSION, "acceptance_version": EXPORT_VERSION, "page": page_id, "exercises": data, "diagnoses": DIAGNOSES,
               "verdicts": {**VERDICT_TEXT, "invalid_shape": SHAPE_INVALID}, "digit_zeros": digit_zeros(),
               "shape_rule": shape_rule()}
    html = env.from_string(_asset("page.html.j2")).render(
        title=title, page_id=page_id, marker=Markup(MARKER), exercises=views,
        data=Markup(_script_json(payload)))
    return html, page_id


def write_page(exercises: list[PageExercise], out: str | Path, *, title: str | None = None,
               force: bool = False) -> PageResult:
    """Write the page of `exercises` to `out` (atomically); see the module docstring."""
    out = Path(out)
    check_target(out, force)
    html, page_id = render(exercises, title or (exercises[0].title if len(exercises) == 1 else "Backpropagation practice"))
    data = html.encode("utf-8")
    try:
        write_atomic(out, data)
    except OSError as e:
        raise ExgenError(f"{out}: cannot write the page ({e.strerror or e.__class__.__name__})") from None
    return PageResult(out, page_id, exercises, len(data))
