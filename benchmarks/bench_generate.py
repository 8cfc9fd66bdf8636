"""Benchmark (not a test): 200 students, sheet + key PDFs each.

Compares `exgen.exam.build.generate_exam` (combined documents, one lualatex run per core, split with
pypdf, and the print files) with compiling each .tex one by one with latexmk -lualatex, timed on a
sample and extrapolated.

    python benchmarks/bench_generate.py [--students 200] [--sample 10]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exgen.exam import config  # noqa: E402
from exgen.exam.build import generate_exam  # noqa: E402
from exgen.roster import count_roster  # noqa: E402
from exgen.exam.pdf import check_tex, compile_one  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--sample", type=int, default=10, help="documents compiled one by one with latexmk")
    args = ap.parse_args()
    check_tex(need_latexmk=True)
    cfg = config.load(config.demo_path())
    students = count_roster(args.students)
    with tempfile.TemporaryDirectory(prefix="exgen-bench-") as tmp:
        out = Path(tmp) / "exam"
        t0 = time.perf_counter()
        generate_exam(cfg, students, out, pdf=True)
        fast = time.perf_counter() - t0
        n_docs = 2 * len(students)
        assert len(list(out.glob("sheets/*.pdf")) + list(out.glob("keys/*.pdf"))) == n_docs
        assert (out / "print" / "sheets.pdf").is_file() and (out / "print" / "keys.pdf").is_file()

        one = Path(tmp) / "one"
        one.mkdir()
        sample = sorted(out.glob("sheets/*.tex"))[: args.sample // 2] + sorted(out.glob("keys/*.tex"))[: args.sample // 2]
        t0 = time.perf_counter()
        for i, tex in enumerate(sample):
            dst = one / f"{i}-{tex.parent.name}-{tex.name}"
            shutil.copy(tex, dst)
            compile_one(dst)
        per_doc = (time.perf_counter() - t0) / len(sample)
    slow = per_doc * n_docs
    print(f"{len(students)} students, {n_docs} PDFs, {os.cpu_count()} cores")
    print(f"exgen generate (batched, parallel):  {fast:8.1f} s   (includes networks, .tex, JSON keys)")
    print(f"latexmk one by one (extrapolated):   {slow:8.1f} s   ({per_doc:.2f} s/doc over {len(sample)} docs)")
    print(f"speed-up: {slow / fast:.1f}x")


if __name__ == "__main__":
    main()
