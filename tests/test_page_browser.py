"""The self-check page in a real browser (headless Chromium from the system, driven by Playwright):
its verdicts and diagnoses equal `exgen check --json` (exgen.student.selfcheck.check_rows, what
the command prints) for many answers per question whose dependencies are right; a wrong
dependency says which answer to fix first; Enter checks; Reveal shows the worked step; answers
survive a reload; nothing overflows a 375-px phone. Skipped, with the reason, without Chromium
or Playwright (nothing is downloaded)."""
from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exgen.cli import app
from exgen.grading.export import acceptance_data
from exgen.page.sources import gather
from exgen.page.write import write_page
from exgen.student.selfcheck import check_rows

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("no system Chromium (apt-get install chromium)", allow_module_level=True)

DEMO = Path(__file__).resolve().parents[1] / "exgen" / "exam" / "configs" / "demo.yaml"


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM)
        except Exception as e:  # noqa: BLE001 - a Chromium that cannot start here
            pytest.skip(f"Chromium does not start: {e}")
        yield b
        b.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Pages of three sources: a preset (no acceptance policy), an exam config (the precision
    rule with fewer decimals), and an answer key written by `exgen generate`."""
    d = tmp_path_factory.mktemp("pages")
    out = {"preset": write_page(gather(preset="aksoy-2-2-1", count=3, seed=11), d / "preset.html"),
           "config": write_page(gather(config=DEMO, count=1, seed=5), d / "config.html")}
    r = CliRunner().invoke(app, ["generate", str(DEMO), "--count", "1", "--no-pdf", "--out", str(d / "exam")])
    assert r.exit_code == 0, r.output
    key = d / "exam" / "answer_keys" / "s001.json"
    r = CliRunner().invoke(app, ["page", "--key", str(key), "--out", str(d / "key.html")])
    assert r.exit_code == 0, r.output
    out["key"] = gather(key=key)  # type: ignore[assignment]
    out["key_path"] = key  # type: ignore[assignment]
    out["key_page"] = d / "key.html"  # type: ignore[assignment]
    return out


def _open(browser, path: Path, width: int = 1280, scheme: str = "light"):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: errors.append(f"network request {r.url}") if not r.url.startswith(("file:", "data:", "about:")) else None)
    page.goto(path.as_uri())
    return ctx, page, errors


def _levels(questions: list[dict]) -> dict[str, int]:
    lv: dict[str, int] = {}
    for q in questions:
        lv[q["id"]] = 1 + max((lv[d] for d in q.get("depends_on", [])), default=-1)
    return lv


def _candidates(q: dict, acc: dict, rng: random.Random) -> list[str]:
    """Answers a student may type: exact, hand-rounded, chopped, fewer decimals, each slip, nearby
    values, window edges, invalid text, blank, decimal comma, unicode minus, fractions."""
    E = float(q["answer"])
    out = [repr(E), f"{E:.3f}", f"{E:.4f}", f"{E:.2f}", f"{E:.1f}", f"{E:.0f}", str(math.trunc(E * 1e4) / 1e4),
           str(math.trunc(E * 1e3) / 1e3), f"{E:.4f}".replace(".", ","), f"{E:.3f}".replace("-", "\u2212"),
           "\u2212" + f"{abs(E):.4f}", f"{-E:.4f}", f" {E:.4f} ", f"{E:.4e}", "abc", "", "-", "1/3", "-3/8", "2/0",
           "1,2,3", "0.5.1", "n/a", "1e400", "0", "1_0", "\uff10.\uff15", "\u0660,\u0665", "\u00a0" + f"{E:.4f}",
           f"{E:.4f}".translate(str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"))]
    for _, c, r in acc["slips"]:
        out += [f"{c:.4f}", repr(c), f"{c:.3f}"]
    for c, r, dec, _ in acc["windows"]:
        out += [f"{c:.4f}", repr(c)]
        if dec is None:  # a plain window's edges, just inside and just outside
            out += [repr(c + 0.99 * r), repr(c - 1.01 * r)]
    for _ in range(12):
        v = E + rng.gauss(0, 0.02 * abs(E) + 2e-3)
        out.append(f"{v:.{rng.choice([1, 2, 3, 4, 5])}f}")
    return list(dict.fromkeys(out))


def _run(page, index: int, answers: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    """Type `answers` into exercise `index` (in the page's script), check, read the verdicts."""
    return page.evaluate("""([i, answers]) => {
        const sec = document.querySelector(`section[data-exercise="${i}"]`);
        sec.querySelectorAll('input[data-question]').forEach(inp => { inp.value = answers[inp.dataset.question] ?? ''; });
        sec.querySelector('[data-action=check]').click();
        const out = {};
        sec.querySelectorAll('[data-verdict-for]').forEach(el => {
            out[el.dataset.verdictFor] = [el.dataset.verdict, el.dataset.diagnosis, el.querySelector('.vtext').textContent]; });
        return out; }""", [index, answers])


def shape_candidates(shape: list[int]) -> list[str]:
    r, c = shape
    return [f"{r}x{c}", f"{r}×{c}", f"{r} x {c}", f"({r}, {c})", f"({r},{c})", f" ( {r} , {c} ) ", f"{c}x{r}",
            f"({c}, {r})", f"{r}X{c}", f"{r}*{c}", f"{r} by {c}", "", "-", "n/a", "abc", f"{r}x{c}x1", f"{r}x",
            f"({r} {c})", f"[{r}, {c}]", f"{r + 1}x{c}", f"0{r}x{c}", f"{r}\u00a0x\u2003{c}", f"\u0660{r}x{c}",
            f"{r}x{c}".translate(str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")),
            f"1234567x{c}", f"{r}.0x{c}", f"{r},{c}", "1/3", f"{r}x{c}\n", f"{r}\u00d7 {c}"]


def compare(page, index: int, key: dict, seed: int) -> tuple[int, set[str]]:
    """Every question, every candidate answer, with its dependencies right: page == check.
    Returns (answers compared, the diagnoses seen)."""
    rng = random.Random(seed)
    qs, acc = key["questions"], acceptance_data(key)
    lv = _levels(qs)
    exact = {q["id"]: (q["answer"] if a.get("shape") else repr(float(q["answer"]))) for q, a in zip(qs, acc)}
    cands = {q["id"]: shape_candidates(a["shape"]) if a.get("shape") else _candidates(q, a, rng) for q, a in zip(qs, acc)}
    compared, seen = 0, set()
    for level in sorted(set(lv.values())):
        at = [q["id"] for q in qs if lv[q["id"]] == level]
        for r in range(max(len(cands[q]) for q in at)):
            answers = {q: exact[q] for q in exact if lv[q] < level}
            for q in at:
                answers[q] = cands[q][r % len(cands[q])]
            got = _run(page, index, answers)
            rows, _, _ = check_rows(key, answers)
            for row in rows:
                if row["question_id"] not in at:
                    continue
                want = (row["verdict"], row["diagnosis"] or "")
                assert tuple(got[row["question_id"]][:2]) == want, (row["question_id"], answers[row["question_id"]], got, want)
                if row["verdict"] == "invalid":  # the same sentence: "not a shape such as 4x3" at a shape
                    assert got[row["question_id"]][2].lower() == row["verdict_text"].lower()
                seen.add(want[1])
                compared += 1
    return compared, seen


@pytest.mark.parametrize("source", ["preset", "config"])
def test_verdicts_equal_check(browser, pages, source):
    res = pages[source]
    ctx, page, errors = _open(browser, res.path)
    compared = 0
    for i, ex in enumerate(res.exercises):
        assert page.get_attribute(f'section[data-exercise="{i}"]', "data-key") == ex.key_id
        compared += compare(page, i, ex.key, seed=i)[0]
    assert compared > 300
    assert errors == []
    ctx.close()


def test_key_page_equals_check_command(browser, pages):
    """The page of an answer key against the `exgen check --json` command itself."""
    ctx, page, errors = _open(browser, pages["key_page"])
    key = json.loads(Path(pages["key_path"]).read_text())
    qs = key["questions"]
    answers = {q["id"]: f"{float(q['answer']):.4f}" for q in qs}
    first = qs[0]
    answers[first["id"]] = "abc"  # invalid, and its dependants: dependencies not numeric, judged alone
    answers[qs[1]["id"]] = ""
    answers[qs[2]["id"]] = f"{-float(qs[2]['answer']):.4f}".replace(".", ",")  # the sign slip, decimal comma
    answers[qs[3]["id"]] = f"{float(qs[3]['answer']):.2f}"  # fewer decimals
    got = _run(page, 0, answers)
    r = CliRunner().invoke(app, ["check", *[f"{q}={a}" for q, a in answers.items() if "," not in a],
                                 "--key", str(pages["key_path"]), "--json"] + [f"{qs[2]['id']}={answers[qs[2]['id']]}"])
    assert r.exit_code == 0, r.output
    want = {row["question_id"]: (row["verdict"], row["diagnosis"] or "") for row in json.loads(r.output)}
    assert {q: tuple(v[:2]) for q, v in got.items()} == want
    assert {v[0] for v in got.values()} >= {"correct", "wrong", "invalid", "missing"}
    assert want[qs[2]["id"]] == ("wrong", "sign_flip")
    assert errors == []
    ctx.close()


def test_wrong_dependency_says_fix_first(browser, pages):
    res = pages["preset"]
    key = res.exercises[0].key
    qs = key["questions"]
    dep = next(q for q in qs if q.get("depends_on"))
    first = dep["depends_on"][0]
    ctx, page, _ = _open(browser, res.path)
    answers = {q["id"]: repr(float(q["answer"])) for q in qs}
    answers[first] = "0.123"
    answers[dep["id"]] = "0.456"
    got = _run(page, 0, answers)
    assert got[first][0] == "wrong"
    assert got[dep["id"]][0] == "wrong" and f"Fix {first} first" in got[dep["id"]][2]
    ctx.close()


def test_keyboard_reveal_reload_switch(browser, pages):
    res = pages["preset"]
    q0 = res.exercises[0].key["questions"][0]
    ctx, page, errors = _open(browser, res.path)
    box = page.locator('section[data-exercise="0"] input[data-question="%s"]' % q0["id"])
    box.focus()
    page.keyboard.type(f"{float(q0['answer']):.4f}".replace(".", ","))
    page.keyboard.press("Enter")  # Enter checks
    v = page.locator('section[data-exercise="0"] [data-verdict-for="%s"]' % q0["id"])
    assert v.get_attribute("data-verdict") == "correct"
    assert page.get_attribute(f'section[data-exercise="0"] label[for="{box.get_attribute("id")}"]', "for")  # a label
    step = page.locator('section[data-exercise="0"] .step').first
    assert step.is_hidden()
    page.click('section[data-exercise="0"] [data-action=reveal][data-question="%s"]' % q0["id"])
    assert step.is_visible() and f"{float(q0['answer']):.4f}" in step.inner_text().replace("\u2212", "-")
    assert page.locator("math").count() > 0
    page.click("[data-action=next]")
    assert page.locator('section[data-exercise="1"]').is_visible()
    assert page.locator('section[data-exercise="0"]').is_hidden()
    page.click("[data-action=prev]")
    page.reload()
    assert box.input_value() == f"{float(q0['answer']):.4f}".replace(".", ",")  # kept across a reload
    assert v.get_attribute("data-verdict") == "correct"
    assert errors == []
    ctx.close()


@pytest.mark.parametrize("width,scheme", [(375, "light"), (375, "dark"), (1280, "light"), (1280, "dark")])
def test_no_overflow_and_screenshots(browser, pages, width, scheme, tmp_path):
    shots = Path(__import__("os").environ.get("EXGEN_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    res = pages["config"]
    ctx, page, errors = _open(browser, res.path, width, scheme)
    qs = res.exercises[0].key["questions"]
    _run(page, 0, {q["id"]: t for q, t in zip(qs, ["0.5", "abc", "", f"{float(qs[3]['answer']):.4f}"])})
    for b in page.locator('section[data-exercise="0"] [data-action=reveal]').all()[:3]:
        b.click()
    page.screenshot(path=str(shots / f"page-{width}-{scheme}.png"), full_page=True)
    sw, vw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sw <= vw
    assert errors == []
    ctx.close()

