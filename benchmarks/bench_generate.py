"""Benchmark (not a test) of `exgen generate`, two ways.

PDFs (default): 200 students, sheet + key PDFs each. Compares `exgen.exam.build.generate_exam`
(combined documents, one lualatex run per core, split with pypdf, and the print files) with
compiling each .tex one by one with latexmk -lualatex, timed on a sample and extrapolated.

    python benchmarks/bench_generate.py [--students 200] [--sample 10]

A large class (--no-pdf): `exgen generate CONFIG --roster ROSTER --no-pdf` for --students students
(the class of issue 10: a 4-5-6 sigmoid network, 25 questions), run as a fresh process from this
source tree and, with --against DIR, from another one (e.g. /work/main) on the same roster; for
each: wall time, CPU time (user + system, its worker processes included) per student, peak RSS
(from wait4: of the largest of its processes; --jobs 1 for one process), both extrapolated to
40,000 students (linear in the students for time; for memory, the growth between --students and
a class half as large), and whether the two exam folders are the same bytes, file by file
(.exam-keys.npz and the manifest included).

    python benchmarks/bench_generate.py --no-pdf --students 2000 [--jobs 1] [--against /work/main] [--keep DIR]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIG = """name: bench
seed: 2024
layers: [4, 5, 6]
activations: [sigmoid, sigmoid]
loss: half_sse
"""
CLASS = 40_000  # the class to extrapolate to


def pdf_benchmark(args: argparse.Namespace) -> None:
    from exgen.exam import config
    from exgen.exam.build import generate_exam
    from exgen.exam.pdf import check_tex, compile_one
    from exgen.roster import count_roster
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


def run_generate(src: Path, cfg: Path, roster: Path, out: Path, jobs: int | None) -> dict[str, float]:
    """`exgen generate` from the source tree `src` as a child process: wall and CPU seconds (its
    worker processes included), peak RSS (MB; of the largest of its processes)."""
    code = f"import sys; sys.path.insert(0, {str(src)!r}); from exgen.cli import app; app()"
    cmd = [sys.executable, "-c", code, "generate", str(cfg), "--roster", str(roster), "--no-pdf", "--out", str(out)]
    cmd += ["--jobs", str(jobs)] if jobs else []
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(proc.pid, 0)  # this child's own resource usage (getrusage would mix children)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"exgen generate from {src} failed:\n{err}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss": ru.ru_maxrss / 1024}


def digest(folder: Path) -> dict[str, str]:
    """Every file below `folder` (relative path -> SHA-256)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def class_benchmark(args: argparse.Namespace) -> None:
    n = args.students
    trees = [("this tree", ROOT)] + ([("against", Path(args.against).resolve())] if args.against else [])
    with tempfile.TemporaryDirectory(prefix="exgen-bench-") as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        cfg = work / "bench.yaml"
        cfg.write_text(CONFIG)
        rosters = {}
        for size in (n // 2, n):
            rosters[size] = work / f"roster{size}.csv"
            rosters[size].write_text("student_id,name\n" + "".join(f"st{i:06d},Student {i}\n" for i in range(size)))
        print(f"exgen generate --no-pdf, 4-5-6 sigmoid (25 questions), {os.cpu_count()} cores; "
              f"extrapolated to {CLASS:,} students")
        print(f"{'source':<11} {'students':>8} {'wall s':>8} {'CPU s':>8} {'CPU ms/st':>9} {'peak MB':>8} "
              f"{'MB/1000 st':>10} {f'{CLASS:,}: CPU min':>15} {'peak GB':>8}")
        outs = {}
        for name, src in trees:
            got = {}
            for size in (n // 2, n):
                out = work / f"exam-{name.replace(' ', '-')}-{size}"
                shutil.rmtree(out, ignore_errors=True)
                got[size] = run_generate(src, cfg, rosters[size], out, args.jobs)
                outs[name, size] = out
            r, half = got[n], got[n // 2]
            per_st = (r["rss"] - half["rss"]) / (n - n // 2)  # MB per student: the growth
            print(f"{name:<11} {n:>8} {r['wall']:>8.1f} {r['cpu']:>8.1f} {r['cpu'] / n * 1e3:>9.2f} {r['rss']:>8.0f} "
                  f"{per_st * 1000:>10.1f} {r['cpu'] / n * CLASS / 60:>15.1f} "
                  f"{(r['rss'] + per_st * (CLASS - n)) / 1024:>8.2f}")
        if args.against:
            a, b = digest(outs["this tree", n]), digest(outs["against", n])
            diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
            print(f"exam folders: {len(a)} and {len(b)} files; " +
                  ("the same bytes" if not diff else f"{len(diff)} differ: {', '.join(diff[:5])}"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=None, help="default 200 (PDFs), 2000 (--no-pdf)")
    ap.add_argument("--sample", type=int, default=10, help="documents compiled one by one with latexmk")
    ap.add_argument("--no-pdf", action="store_true", help="a large class, .tex and keys only (see above)")
    ap.add_argument("--against", help="another exgen source tree to run on the same class (e.g. /work/main)")
    ap.add_argument("--jobs", type=int, help="--jobs of exgen generate (default: all cores); 1 for one process")
    ap.add_argument("--keep", help="write the configs and exams here (kept) instead of a temporary folder")
    args = ap.parse_args()
    if args.no_pdf:
        args.students = args.students or 2000
        class_benchmark(args)
    else:
        args.students = args.students or 200
        pdf_benchmark(args)


if __name__ == "__main__":
    main()
