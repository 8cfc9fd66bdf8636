"""`exgen page`: the offline self-check page. Parsing and printing only (exgen.api.write_page)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from exgen.cli.main import app, echo, user_errors


@app.command()
def page(
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write, e.g. practice.html.", show_default=False)],
    preset: Annotated[Optional[str], typer.Option("--preset", help="Fresh exercises of a practice preset (exgen practice --list); the default source is aksoy-2-2-1.")] = None,
    example: Annotated[Optional[str], typer.Option("--example", "-e", help="One textbook example, exactly as printed.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="An exam config: fresh networks drawn as exgen generate draws them, graded by its precision rule.")] = None,
    key: Annotated[Optional[Path], typer.Option("--key", "-k", help="The exercise of an answer key (answer_keys/<id>.json).")] = None,
    count: Annotated[Optional[int], typer.Option("--count", "-n", help="How many exercises (--preset or --config; default 1).")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Draws the exercises' seeds (default: a fresh one, printed).")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="The page's title.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a file at --out that exgen did not write.")] = False,
) -> None:
    """Write one self-contained HTML page for students: exercises with instant verdicts, hints and worked steps.

    Works offline from disk, on a phone too: the verdicts and diagnoses are those of exgen check (computed now, judged in the browser), answers are kept across a reload. Give one source: --preset (default aksoy-2-2-1), --example, --config or --key.

    Examples:

      exgen page --preset aksoy-2-2-1 --count 5 --out practice.html

      exgen page --config exam.yaml --count 3 --seed 7 --out exam-practice.html

      exgen page --preset graph --count 3 --out graphs.html   (computational graphs; also graph-seed002, graph-sigmoid)

      exgen page --key exam1/answer_keys/s001.json --out s001.html
    """
    with user_errors():
        from exgen import api
        from exgen.student.practice import new_seed
        fresh = seed is None and example is None and key is None
        used = new_seed() if fresh else seed
        res = api.write_page(out, preset=preset, example=example, config=config, key=key, count=count,
                             seed=used, title=title, force=force)
        n = len(res.exercises)
        echo(f"Wrote {res.path} ({n} exercise{'s' if n != 1 else ''}, {res.size / 1024:.0f} kB)")
        if fresh:
            echo(f"Seed {used}: the same page again with  --seed {used}")
