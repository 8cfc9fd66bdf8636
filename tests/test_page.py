"""`exgen page` without a browser: the file (self-contained, escaped, atomic, never over a file
exgen did not write), its sources and bounds, the MathML converter, and the exported acceptance
data read by an independent interpreter of its documented format against `grade_key`."""
from __future__ import annotations

import math
import random
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exgen.cli import app
from exgen.grading.export import acceptance_data
from exgen.grading.judge import grade_key
from exgen.grading.numbers import parse_answer
from exgen.page import mathml
from exgen.page.sources import gather
from exgen.page.write import written_by_exgen

DEMO = Path(__file__).resolve().parents[1] / "exgen" / "exam" / "configs" / "demo.yaml"
run = CliRunner().invoke


def _at_most(a: float, d: int | None) -> bool:
    """Written with at most d decimals, by the format's words: a * 10^d is a whole number (1e-6)."""
    return d is None or abs(a * 10 ** d - round(a * 10 ** d)) < 1e-6


def _interpret(q: dict, text: str) -> tuple[str, str]:
    """The documented format (grading/export.py) read independently of the page's script."""
    v, st = parse_answer(text)
    if v is None:
        return ("missing" if st == 1 else "invalid"), ""
    def hit(ws):
        return any(abs(v - c) <= r and _at_most(v, dec) and not (nz and v == 0) for c, r, dec, nz in ws)
    ok, f = hit(q["windows"]), q["fewer"]
    if f and _at_most(v, f["dec"]) and abs(v - f["c"]) > f["r"]:
        if f["strict"]:  # judged by the fewer-decimals rule alone
            ok = False
            if hit(f["windows"]):
                return ("correct" if f["credit"] > 0 else "wrong"), "too_few_decimals"
        elif ok or hit(f["windows"]):
            return "correct", "too_few_decimals"
    if ok:
        return "correct", ""
    return "wrong", next((code for code, c, r in q["slips"] if abs(v - c) <= r), "")


@pytest.mark.parametrize("source", [dict(preset="aksoy-3-2-2", seed=4), dict(config=DEMO, seed=9)])
def test_exported_acceptance_gives_the_judges_verdicts(source):
    ex = gather(count=1, **source)[0]
    key, data = ex.key, acceptance_data(ex.key)
    rng = random.Random(0)
    exact = {q["id"]: repr(q["expected"]) for q in data}
    n = 0
    for q in data:
        E = q["expected"]
        texts = [f"{E:.{d}f}" for d in range(5)] + [str(math.trunc(E * 1e4) / 1e4), "x", "", f"{-E:.4f}"]
        texts += [f"{s[1]:.4f}" for s in q["slips"]] + [repr(w[0]) for w in q["windows"]]
        texts += [f"{E + rng.gauss(0, 0.01 * abs(E) + 1e-3):.{rng.choice([2, 3, 4])}f}" for _ in range(10)]
        for t in texts:
            v = next(v for v in grade_key(key, dict(exact, **{q["id"]: t})) if v.question_id == q["id"])
            assert _interpret(q, t) == (v.verdict, v.diagnosis or ""), (q["id"], t)
            n += 1
    assert n > 200
    assert all(q["fewer"] for q in data)  # the key's precision rule is exported (practice keys state one too)


def test_page_file_is_self_contained_and_escaped(tmp_path):
    out = tmp_path / "p.html"
    r = run(app, ["page", "--preset", "aksoy-2-2-1", "--count", "2", "--seed", "3", "--out", str(out),
                  "--title", "<script>alert(1)</script> & co"])
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)  # nothing fetched
    assert "<link" not in html and "@import" not in html and "url(http" not in html
    assert html.count("<script") == 2  # the data and the inline script
    assert html.count('data-action="check"') == 2 and html.count("data-exercise=") == 2
    assert written_by_exgen(out)


def test_page_output_rules(tmp_path):
    mine = tmp_path / "mine.html"
    assert run(app, ["page", "--example", "seed002-2-2-1", "--out", str(mine)]).exit_code == 0
    assert run(app, ["page", "--example", "seed002-2-2-1", "--out", str(mine)]).exit_code == 0  # its own: replaced
    other = tmp_path / "notes.html"
    other.write_text("<p>my notes</p>")
    r = run(app, ["page", "--example", "seed002-2-2-1", "--out", str(other)])
    assert r.exit_code == 1 and "--force" in r.output and other.read_text() == "<p>my notes</p>"
    assert run(app, ["page", "--example", "seed002-2-2-1", "--out", str(other), "--force"]).exit_code == 0
    assert written_by_exgen(other)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left
    r = run(app, ["page", "--preset", "aksoy-2-2-1", "--count", "51", "--out", str(tmp_path / "x.html")])
    assert r.exit_code == 1 and "the limit is 50" in r.output and not (tmp_path / "x.html").exists()
    r = run(app, ["page", "--preset", "aksoy-2-2-1", "--example", "seed002-2-2-1", "--out", str(tmp_path / "x.html")])
    assert r.exit_code == 1 and "one source" in r.output
    r = run(app, ["page", "--example", "nope", "--out", str(tmp_path / "x.html")])
    assert r.exit_code == 1 and r.output.startswith("Error:")
    r = run(app, ["page", "--example", "seed002-2-2-1", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "directory" in r.output


def test_same_seed_same_exercises():
    a = [e.key_id for e in gather(preset="upgrad-linear-out", count=3, seed=8)]
    assert a == [e.key_id for e in gather(preset="upgrad-linear-out", count=3, seed=8)] and len(set(a)) == 3


def test_the_docs_name_the_source_a_page_without_one_gets():
    # docs/page.md said "Give one source", but `exgen page --out x.html` wrote the default preset's page
    from exgen.student.practice import DEFAULT_PRESET
    none = [e.key_id for e in gather(seed=4, count=2)]
    assert none == [e.key_id for e in gather(preset=DEFAULT_PRESET, seed=4, count=2)]
    assert none != [e.key_id for e in gather(preset="aksoy-3-2-2", seed=4, count=2)]
    root = Path(__file__).resolve().parent.parent
    line = next(t for t in (root / "docs/page.md").read_text(encoding="utf-8").splitlines() if "Give one source" in t)
    assert f"none: `--preset {DEFAULT_PRESET}`" in line, line
    r = CliRunner().invoke(app, ["page", "--help"], terminal_width=200)
    assert f"default {DEFAULT_PRESET}" in r.output or f"default source is {DEFAULT_PRESET}" in r.output, r.output


def test_mathml_covers_every_formula_of_the_kinds():
    """Every worked step of every preset converts without an unknown macro; structure spot checks."""
    from exgen.exam.worked import Fmt
    from exgen.kinds import read
    mathml.UNKNOWN.clear()
    for preset in ("aksoy-3-2-2", "onefourth-softmax", "single-neuron-bce", "upgrad-linear-out"):
        ex = gather(preset=preset, seed=1)[0]
        for q in ex.key["questions"]:
            unit, ref = read(q["ref"], ex.spec.n_layers)
            for line in unit.steps(ref, ex.sol, ex.sol_json, ex.nt, Fmt(1, 4)):
                mathml.display(line)
            mathml.inline(q["latex"])
    assert mathml.UNKNOWN == set()
    m = mathml.math(r"\frac{\partial L}{\partial w^{(1)}_{12}} = -0.25 \cdot (-1.5)")
    assert "<mfrac>" in m and "<msubsup><mi>w</mi><mn>12</mn>" in m
    assert m.count("<mn>\u22120.25</mn>") == 1 and "<mn>\u22121.5</mn>" in m  # negative numbers, not subtractions
    assert "&lt;b&gt;" in mathml.inline("<b> $x$") and "<b>" not in mathml.math(r"\text{<b>}")


def test_twenty_exercise_page_sizes(tmp_path):
    from exgen.page.write import write_page
    res = write_page(gather(preset="aksoy-3-2-2", count=20, seed=1), tmp_path / "p.html")
    assert res.size < 2_000_000 and res.path.read_text().count("data-exercise=") == 20


def test_a_hostile_key_reaches_the_page_escaped(tmp_path):
    """Every text of a key (exam name, student id, question ids, text and LaTeX) is escaped."""
    import json
    r = run(app, ["generate", str(DEMO), "--count", "1", "--no-pdf", "--out", str(tmp_path / "exam")])
    assert r.exit_code == 0, r.output
    k = json.loads((tmp_path / "exam" / "answer_keys" / "s001.json").read_text())
    k["exam"], k["student_id"] = "<script>alert(1)</script>", "<img src=x onerror=alert(2)>"
    k["questions"][0]["latex"] = r"the <b>x</b> $\text{<i>y</i>} \evil{<svg onload=alert(3)>} h_{<u>}$"
    k["questions"][1]["text"] = "</script><script>alert(4)</script>"
    del k["questions"][1]["latex"]
    old, new = k["questions"][0]["id"], '1a"><script>alert(5)</script>'
    for q in k["questions"]:
        q["id"] = new if q["id"] == old else q["id"]
        q["depends_on"] = [new if d == old else d for d in q.get("depends_on", [])]
    (tmp_path / "evil.json").write_text(json.dumps(k))
    r = run(app, ["page", "--key", str(tmp_path / "evil.json"), "--out", str(tmp_path / "evil.html")])
    assert r.exit_code == 0, r.output
    html = (tmp_path / "evil.html").read_text()
    for raw in ("<script>alert", "<img src", "<b>x", "<i>y", "<svg onload", "<u>"):
        assert raw not in html, raw
    assert html.count("<script") == 2


def test_the_page_says_which_version_of_the_acceptance_data_it_embeds(tmp_path):
    """docs/page.md (and the README) name the version of the embedded acceptance data; the page
    must carry it, so that a script reading a page knows which format it reads."""
    import json
    doc = (Path(__file__).resolve().parents[1] / "docs" / "page.md").read_text(encoding="utf-8")
    stated = int(re.search(r"`exgen\.grading\.export\.EXPORT_VERSION`, now (\d+)", doc).group(1))
    out = tmp_path / "p.html"
    assert run(app, ["page", "--preset", "aksoy-2-2-1", "--count", "1", "--out", str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="exgen-data">(.*?)</script>', html, re.S).group(1))
    assert data["acceptance_version"] == stated
    assert {"windows", "fewer", "slips", "depends_on"} <= set(data["exercises"][0]["questions"][0])


@pytest.mark.parametrize("bad", [{"count": 2.5}, {"count": True}, {"count": "3"}, {"seed": "7"}, {"seed": 1.5},
                                 {"seed": -1}, {"count": 0}])
def test_write_page_refuses_a_count_or_seed_that_is_no_whole_number(tmp_path, bad):
    # write_page(count=2.5) or seed="7" raised a bare TypeError from NumPy (not an ExgenError)
    import exgen
    with pytest.raises(exgen.UsageError, match="--count" if "count" in bad else "--seed"):
        exgen.write_page(tmp_path / "p.html", preset="aksoy-2-2-1", **bad)
    assert not (tmp_path / "p.html").exists()
