"""The self-check page of the new exercise kinds (issue 15) in a real browser (headless Chromium,
Playwright; skipped with the reason without them): a computational graph (a textbook example, a
graph exam config and a graph answer key), a mini-batch exam and a matrix-form exam with shape
questions. Every verdict and diagnosis equals `exgen check` (exgen.student.selfcheck.check_rows;
for the key, the `exgen check --json` command itself). Shape answers are typed in every accepted
form (grading/shapes.py: `4x3`, `4×3`, `4 x 3`, `(4, 3)`) and in many that are not."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exam_helpers import GRAPH_CONFIG

from exgen.cli import app
from exgen.page.sources import gather
from exgen.page.write import write_page
from exgen.student.selfcheck import check_rows
import test_page_browser as tpb
from test_page_browser import _open, _run, compare

browser = tpb.browser  # the module's Chromium fixture

CONFIGS = Path(__file__).resolve().parents[1] / "exgen" / "exam" / "configs"
GRAPH = GRAPH_CONFIG


@pytest.fixture(scope="module")
def kind_pages(tmp_path_factory):
    d = tmp_path_factory.mktemp("kinds")
    (d / "graph.yaml").write_text(GRAPH)
    return {"graph-example": write_page(gather(example="seed002-graph-fxyz"), d / "ge.html"),
            "graph-config": write_page(gather(config=d / "graph.yaml", count=1, seed=3), d / "gc.html"),
            "batch": write_page(gather(config=CONFIGS / "minibatch.yaml", count=1, seed=2), d / "b.html"),
            "matrix": write_page(gather(config=CONFIGS / "matrix.yaml", count=1, seed=4), d / "m.html"),
            "dir": d}


@pytest.mark.parametrize("source", ["graph-example", "graph-config", "batch", "matrix"])
def test_kind_verdicts_equal_check(browser, kind_pages, source):
    res = kind_pages[source]
    ctx, page, errors = _open(browser, res.path)
    ex = res.exercises[0]
    compared, seen = compare(page, 0, ex.key, seed=1)
    assert compared > 100
    if source == "matrix":
        assert "transposed_shape" in seen
    if source.startswith("graph"):
        assert page.locator("svg.graph circle.node").count() == len(ex.spec.nodes)
        assert page.locator("table.gates tbody tr").count() == len(ex.spec.nodes)
    if source == "batch":  # the samples table: one row a sample
        assert page.locator("table.data tbody tr").count() == len(ex.key["spec"]["x"])
    page.locator("[data-action=reveal]").first.click()
    assert page.locator(".step").first.is_visible() and page.locator(".step math").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert errors == []
    ctx.close()
    ctx, page, errors = _open(browser, res.path, width=375)  # a phone: nothing overflows sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    ctx.close()


def _key_page(d: Path, config: Path, name: str) -> tuple[Path, dict]:
    """`exgen generate CONFIG --count 1` into d/name, and `exgen page --key` of its key written to
    d/name.html: the key's path and the key."""
    r = CliRunner().invoke(app, ["generate", str(config), "--count", "1", "--no-pdf", "--out", str(d / name)])
    assert r.exit_code == 0, r.output
    key_path = d / name / "answer_keys" / "s001.json"
    r = CliRunner().invoke(app, ["page", "--key", str(key_path), "--out", str(d / f"{name}.html")])
    assert r.exit_code == 0, r.output
    return key_path, json.loads(key_path.read_text())


def _check_json(key_path: Path, answers: dict[str, str]) -> dict[str, tuple[str, str]]:
    """`exgen check Q=A ... --key KEY --json` itself (answers with a "," after the options):
    {question id: (verdict, diagnosis or "")}."""
    args = [f"{q}={a}" for q, a in answers.items() if "," not in a] + ["--key", str(key_path), "--json"]
    r = CliRunner().invoke(app, ["check", *args, *[f"{q}={a}" for q, a in answers.items() if "," in a]])
    assert r.exit_code == 0, r.output
    return {row["question_id"]: (row["verdict"], row["diagnosis"] or "") for row in json.loads(r.output)}


def test_graph_key_page_equals_check_command(browser, kind_pages):
    d = kind_pages["dir"]
    key_path, key = _key_page(d, d / "graph.yaml", "exam")
    qs = key["questions"]
    answers = {q["id"]: f"{float(q['answer']):.3f}" for q in qs}
    answers[qs[0]["id"]] = "abc"
    answers[qs[1]["id"]] = ""
    answers[qs[-1]["id"]] = f"{-float(qs[-1]['answer']):.3f}"
    ctx, page, errors = _open(browser, d / "exam.html")
    got = _run(page, 0, answers)
    want = _check_json(key_path, answers)
    assert {q: tuple(v[:2]) for q, v in got.items()} == want
    assert errors == []
    ctx.close()


def test_matrix_key_page_equals_check_command(browser, kind_pages):
    """Shape answers through `exgen check --json` itself: every accepted form, the transposed
    shape, an invalid one and a blank, beside numbers."""
    d = kind_pages["dir"]
    key_path, key = _key_page(d, CONFIGS / "matrix.yaml", "mexam")
    shapes = [q for q in key["questions"] if str(q["ref"]).startswith("/shapes/")]
    answers = {q["id"]: f"{float(q['answer']):.4f}" for q in key["questions"] if q not in shapes}
    forms = ["{r}x{c}", "{r}×{c}", "{r} x {c}", "({r}, {c})", "{c}x{r}", "{r}X{c}", ""]
    for q, form in zip(shapes, forms):
        rr, cc = q["answer"].split("x")
        answers[q["id"]] = form.format(r=rr, c=cc)
    ctx, page, errors = _open(browser, d / "mexam.html")
    got = _run(page, 0, answers)
    want = _check_json(key_path, answers)
    assert {q: tuple(v[:2]) for q, v in got.items()} == want
    assert {w[0] for q, w in want.items() if q in {s["id"] for s in shapes}} >= {"correct", "invalid", "missing"}
    texts = {row["question_id"]: row["verdict_text"] for row in check_rows(key, answers)[0]}
    assert all(got[q][2].lower() == texts[q].lower() for q in got if want[q][0] == "invalid")
    assert errors == []
    ctx.close()
