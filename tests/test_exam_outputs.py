"""`exgen generate` / `exgen demo` outputs (without TeX): files, keys, CSV, overwrite protection."""
import csv
import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from exgen.cli.main import app
from exgen.cli.exam import run_demo
from exgen.core.solve import loss_of
from exgen.core.solution import resolve_pointer
from exgen.core.spec import from_dict

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _gen(tmp_path, *extra):
    cfg = tmp_path / "exam.yaml"
    if not cfg.exists():
        assert runner.invoke(app, ["init-config", str(cfg)]).exit_code == 0
    return runner.invoke(app, ["generate", str(cfg), "--out", str(tmp_path / "out"), "--no-pdf", *extra])


def test_generate_count_writes_every_output(tmp_path):
    r = _gen(tmp_path, "--count", "3")
    assert r.exit_code == 0, r.output
    out = tmp_path / "out"
    ids = ["s001", "s002", "s003"]
    for sid in ids:
        for rel in (f"sheets/{sid}.tex", f"keys/{sid}.tex", f"answer_keys/{sid}.json"):
            assert (out / rel).is_file(), rel
    key = json.loads((out / "answer_keys/s001.json").read_text(encoding="utf-8"))
    assert {"exam", "student_id", "seed", "spec", "questions"} <= set(key)
    qids = [q["id"] for q in key["questions"]]
    with open(out / "submissions.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["student_id", *qids]
    assert [r[0] for r in rows[1:]] == ids and all(set(r[1:]) == {""} for r in rows[1:])
    assert not list(out.rglob("*.tmp"))  # atomic writes leave nothing behind


def test_keys_agree_with_exgen_solve_on_the_printed_spec(tmp_path):
    assert _gen(tmp_path, "--count", "4").exit_code == 0
    for path in sorted((tmp_path / "out/answer_keys").glob("*.json")):
        key = json.loads(path.read_text(encoding="utf-8"))
        spec_file = tmp_path / "spec.json"
        spec_file.write_text(json.dumps(key["spec"]), encoding="utf-8")
        r = runner.invoke(app, ["solve", str(spec_file), "--json"])
        assert r.exit_code == 0, r.output
        sol = json.loads(r.output)
        earlier = set()
        for q in key["questions"]:
            assert resolve_pointer(sol, q["ref"]) == q["answer"], q["id"]
            assert set(q["depends_on"]) <= earlier  # dependencies are asked before
            earlier.add(q["id"])


def test_gradient_answers_match_finite_differences_of_the_printed_spec(tmp_path):
    assert _gen(tmp_path, "--count", "2").exit_code == 0
    key = json.loads((tmp_path / "out/answer_keys/s002.json").read_text(encoding="utf-8"))
    base = key["spec"]
    for q in key["questions"]:
        if q["kind"] != "gradients":
            continue
        parts = q["ref"].split("/")[2:]  # weights|biases, l, j[, k]
        eps, losses = 1e-6, []
        for sign in (1, -1):
            d = json.loads(json.dumps(base))
            node = d[parts[0]]
            for p in parts[1:-1]:
                node = node[int(p)]
            node[int(parts[-1])] += sign * eps
            losses.append(loss_of(from_dict(d)))
        assert np.isclose((losses[0] - losses[1]) / (2 * eps), q["answer"], rtol=1e-5, atol=1e-9)


def test_existing_exam_is_not_overwritten_without_force(tmp_path):
    assert _gen(tmp_path, "--count", "2").exit_code == 0
    before = (tmp_path / "out/answer_keys/s001.json").read_bytes()
    r = _gen(tmp_path, "--count", "2")
    assert r.exit_code == 1 and "--force" in r.output and r.output.startswith("Error: ")
    (tmp_path / "exam.yaml").write_text((tmp_path / "exam.yaml").read_text().replace("seed: 2024", "seed: 9"))
    assert _gen(tmp_path, "--count", "2", "--force").exit_code == 0
    assert (tmp_path / "out/answer_keys/s001.json").read_bytes() != before


def test_roster_and_count_are_exclusive(tmp_path):
    r = _gen(tmp_path)
    assert r.exit_code == 1 and r.output.startswith("Error: ") and "--roster" in r.output, r.output
    assert len(r.output.strip().splitlines()) == 1, r.output


def test_regenerating_gives_byte_identical_keys(tmp_path):
    assert _gen(tmp_path, "--count", "3").exit_code == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert _gen(tmp_path, "--count", "3", "--force").exit_code == 0
    second = {p.name: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert first == second


def test_committed_demo_answer_keys_are_regenerated(tmp_path):
    res = run_demo(tmp_path / "demo", pdf=False, progress=False)
    assert res.students == 3
    committed = sorted((ROOT / "answer_keys").glob("*.json"))
    fresh = sorted((tmp_path / "demo/answer_keys").glob("*.json"))
    assert [p.name for p in committed] == [p.name for p in fresh]
    for a, b in zip(committed, fresh):
        # the same keys, field for field; a float may differ in its last bit between NumPy builds
        # (SIMD kernels sum in another order), so floats compare to 1e-12 relative
        _same(json.loads(a.read_text(encoding="utf-8")), json.loads(b.read_text(encoding="utf-8")), a.name)


def _same(a, b, where):
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), where
        assert abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1e-300), f"{where}: {a!r} != {b!r}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}/{i}")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def test_exam_commands_are_documented_with_an_example():
    for cmd in ("init-config", "generate", "demo"):
        r = runner.invoke(app, [cmd, "--help"])
        assert r.exit_code == 0 and "Example" in r.output, cmd
    text = (ROOT / "docs/generate.md").read_text(encoding="utf-8")
    assert all(f"exgen {c}" in text for c in ("init-config", "generate", "demo"))


def test_missing_roster_is_a_one_line_error(tmp_path):
    r = _gen(tmp_path, "--roster", str(tmp_path / "none.csv"))
    assert r.exit_code == 1 and r.output.startswith("Error: ") and "none.csv: no such file" in r.output


def test_generate_says_one_line_in_a_log_and_counts_a_single_student(tmp_path):
    """Not a terminal (CliRunner, a pipe, a log): no progress bar, not even its empty line; and
    'for 1 student', not 'for 1 students'."""
    r = _gen(tmp_path, "--count", "1")
    assert r.exit_code == 0, r.output
    assert r.output == f"Wrote sheets, keys (.tex only), answer keys and submissions.csv for 1 student to {tmp_path / 'out'}\n"
