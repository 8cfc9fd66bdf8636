"""Check (not a test, not timed): `exgen grade` of two source trees writes the same bytes.

For speed work on grading: every output `exgen grade` writes (answers.csv, grades*.csv,
issues.csv, summary.txt, feedback/, report.html) must stay byte for byte what it was. This script
generates two exams once (the demo config and the 4-5-6 benchmark config, --count students each,
`exgen generate --no-pdf`), writes several submissions files for them (exact, rounded, slipped,
wrong, invalid and empty answers as bench_grade.py writes them; decimal commas and fractions;
a quoted file for the exact CSV path; the wide layout; an unknown student and a duplicate row),
and grades each with the CLI of each tree (keys with and without the exam-wide key index), then
compares the output folders file by file.

    python benchmarks/compare_grade_outputs.py --base /work/main --work . [--count 300] [--dir /tmp/cmp] [--reuse-base]
"""
from __future__ import annotations

import argparse
import csv
import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

BENCH_CONFIG = """name: bench
seed: 2024
layers: [4, 5, 6]
activations: [sigmoid, sigmoid]
loss: half_sse
"""


def exgen(tree: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(tree))
    return subprocess.run([sys.executable, "-c", "from exgen.cli import app; app()", *args],
                          env=env, capture_output=True, text=True)


def make_exams(tree: Path, root: Path, count: int) -> list[Path]:
    exams = []
    demo = tree / "exgen" / "exam" / "configs" / "demo.yaml"
    (root / "bench.yaml").write_text(BENCH_CONFIG)
    for name, cfg in (("demo", demo), ("bench", root / "bench.yaml")):
        out = root / f"exam_{name}"
        if not (out / "answer_keys").is_dir():
            r = exgen(tree, "generate", str(cfg), "--count", str(count), "--out", str(out), "--no-pdf")
            if r.returncode:
                sys.exit(f"generate failed: {r.stdout}{r.stderr}")
        exams.append(out)
    return exams


def submissions(exam: Path, rng) -> dict[str, Path]:
    import bench_grade
    keys = {p.stem: json.loads(p.read_text()) for p in sorted((exam / "answer_keys").glob("*.json"))}
    out: dict[str, Path] = {}
    p = exam.parent / f"{exam.name}_long.csv"
    bench_grade.write_submissions(p, keys, rng)
    out["long"] = p
    rows = list(csv.reader(p.open()))
    # decimal commas, fractions, unicode minus, an unknown student, a duplicate row (semicolons: the comma is decimal)
    alt = [rows[0]]
    for i, r in enumerate(rows[1:]):
        a = r[2]
        if i % 7 == 0:
            a = a.replace(".", ",")
        elif i % 11 == 0 and a.startswith("-"):
            a = "\u2212" + a[1:]
        elif i % 13 == 0:
            a = "1/8"
        alt.append([r[0], r[1], a])
    alt.append(["nobody", rows[1][1], "0.5"])
    alt.append(rows[2])
    p = exam.parent / f"{exam.name}_alt.csv"
    p.write_text("".join(";".join(r) + "\n" for r in alt), encoding="utf-8")
    out["alt"] = p
    p = exam.parent / f"{exam.name}_quoted.csv"  # quotes: the exact (csv module) path
    with p.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerows(rows[: len(rows) // 2] + [[rows[5][0], rows[5][1], "=1+2"], [rows[6][0], rows[6][1], "0.1,5"]])
    out["quoted"] = p
    qids = list(dict.fromkeys(r[1] for r in rows[1:]))
    by: dict[str, dict[str, str]] = {}
    for r in rows[1:]:
        by.setdefault(r[0], {})[r[1]] = r[2]
    p = exam.parent / f"{exam.name}_wide.csv"
    with p.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", *qids])
        w.writerows([s, *(by[s].get(q, "") for q in qids)] for s in list(by)[: len(by) - 3])
    out["wide"] = p
    return out


def grade_all(tree: Path, root: Path, exams: list[Path], subs: dict, tag: str) -> Path:
    top = root / tag
    shutil.rmtree(top, ignore_errors=True)
    top.mkdir()
    for exam in exams:
        keydirs = {"index": exam / "answer_keys"}
        plain = root / f"{exam.name}_plain" / "answer_keys"  # the same keys, no index beside them
        if not plain.is_dir():
            shutil.copytree(exam / "answer_keys", plain)
        keydirs["json"] = plain
        for sname, sp in subs[exam.name].items():
            for kname, kd in keydirs.items():
                for extra in ((), ("--carried-credit", "0.25", "--no-report")):
                    if kname == "json" and extra:
                        continue
                    out = top / f"{exam.name}-{sname}-{kname}{'-cc' if extra else ''}"
                    r = exgen(tree, "grade", str(sp), "--keys", str(kd), "--out", str(out), *extra)
                    (top / f"{out.name}.log").write_text(f"{r.returncode}\n{r.stdout}{r.stderr}".replace(str(top), "OUT"))
    return top


def compare(a: Path, b: Path) -> list[str]:
    diffs = []
    fa = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    fb = sorted(str(p.relative_to(b)) for p in b.rglob("*") if p.is_file())
    if fa != fb:
        diffs.append(f"file lists differ: {sorted(set(fa) ^ set(fb))[:10]}")
    for rel in sorted(set(fa) & set(fb)):
        if not filecmp.cmp(a / rel, b / rel, shallow=False):
            diffs.append(rel)
    return diffs, len(fa)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", type=Path, required=True, help="the source tree before the change")
    ap.add_argument("--work", type=Path, default=Path(__file__).resolve().parents[1], help="the tree after it")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/exgen-compare"))
    ap.add_argument("--reuse-base", action="store_true", help="keep the base outputs of an earlier run in --dir")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    exams = make_exams(args.base, args.dir, args.count)
    rng = np.random.default_rng(7)
    subs = {e.name: submissions(e, rng) for e in exams}
    a = args.dir / "base"
    if not (args.reuse_base and a.is_dir()):
        a = grade_all(args.base.resolve(), args.dir, exams, subs, "base")
    b = grade_all(args.work.resolve(), args.dir, exams, subs, "work")
    diffs, n = compare(a, b)
    print(f"{n} files compared; {len(diffs)} differ" + "".join(f"\n  {d}" for d in diffs[:30]))
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
