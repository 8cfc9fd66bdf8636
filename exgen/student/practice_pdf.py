"""The bridge from practice to the exam generator: a fresh network from an exam config, and the
exercise as a PDF sheet through the exam's renderer. Imported only for --config / --pdf (TeX is
needed for --pdf only)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from exgen.exam import config

from exgen.exam import draw as generate

from exgen.exam import pdf

from exgen.exam import render
from exgen.errors import OutputExistsError, TexError
from exgen.student.practice import PRACTICE_ID, Practice, PracticeError
from exgen.textio import write_atomic
from exgen.answer_key import answer_key
from exgen.roster import Student


def from_config(path: Path, seed: int, letters: str | None, weights: str | None) -> Practice:
    """A fresh network drawn as `exgen generate` would for a student, with `seed` as the exam seed."""
    cfg = config.load(path)
    if cfg.kind == "graph":  # a computational graph (exgen.graph.practice)
        from exgen.graph.practice import from_config as graph_from_config
        return graph_from_config(cfg, seed, path)
    cfg.seed = seed
    if letters or weights:
        cfg.notation = {"letters": letters or cfg.notation["letters"], "weights": weights or cfg.notation["weights"]}
    gex = generate.make_exercise(cfg, PRACTICE_ID)
    spec = gex.spec
    spec.name = f"{cfg.name} (seed {seed})"
    spec.extra["notation"] = dict(cfg.notation)
    key = answer_key(cfg.name, PRACTICE_ID, seed, spec, gex.questions, config.key_acceptance(cfg))
    kinds = tuple(q["type"] for q in cfg.questions)
    return Practice(spec.name, gex, key, None, seed, kinds, redo_args=f"--config {path} --seed {seed}",
                    exam_config=cfg)


def _config_for(ex: Practice):
    """The exam config that describes a practice exercise (for the sheet template)."""
    if ex.exam_config is not None:
        return ex.exam_config
    s, nt = ex.spec, ex.nt
    letters = nt.letters
    return config.ExamConfig(name=f"Practice: {ex.title}", seed=ex.seed or 0, layers=list(s.layers),
                             activations=list(s.activations), loss=s.loss, biases=s.biases is not None,
                             learning_rate=s.learning_rate, decimals=2, answer_decimals=4,
                             questions=[{"type": k, "points": 1} for k in ex.kinds],
                             notation={"letters": letters, "weights": nt.weights}, source="practice")


def write_pdf(ex: Practice, out: Path, force: bool = False) -> Path:
    """The problem sheet of `ex` as a PDF at `out` (TeX needed); an existing file is replaced
    only with `force`."""
    out = Path(out)
    if out.exists() and (not force or not out.is_file()):
        raise OutputExistsError(f"{out}: already exists; pass --force to replace it" if out.is_file()
                                else f"{out}: exists and is not a file")
    missing = pdf.missing_tex(need_latexmk=True)
    if missing:
        raise TexError(f"--pdf needs TeX ({' and '.join(missing)} not found): install it with `{pdf.APT_HINT}`; "
                       "the exercise itself works in the terminal without TeX")
    cfg = _config_for(ex)
    if cfg.kind == "graph":
        from exgen.graph.render import render_body as render_graph
        body = render_graph("sheet", ex.exercise, cfg, Student(PRACTICE_ID, "Practice"))  # type: ignore[arg-type]
    else:
        body = render.render_body("sheet", ex.exercise, cfg, Student(PRACTICE_ID, "Practice"))
    footer = f"{ex.title} \u2013 redo: {ex.redo()}"  # an en dash as such: hyphens print as typed
    with tempfile.TemporaryDirectory() as d:
        tex = Path(d) / "practice.tex"
        tex.write_text(render.render_document([(footer, body)]), encoding="utf-8")
        made = pdf.compile_one(tex)
        try:
            write_atomic(out, made.read_bytes())
        except OSError as e:
            raise PracticeError(f"{out}: cannot write the PDF ({e.strerror or e.__class__.__name__})") from None
    return out
