"""Benchmark (not a test): grade 1,000,000 answer rows and compare with pandas.read_csv.

40,000 students x 25 questions, long format. Keys are generated programmatically: 50 distinct
random 4-5-6 sigmoid networks (25 questions each), shared round-robin by the students (student i
gets key i % 50), so key preparation is cached per key object. Answers: ~80% exact, ~5% rounded
to 4 decimals, ~10% wrong (sign slips, factor-2 slips, no-eta updates, random), ~2% invalid,
~3% empty.

Three timings on the same file, in one process, each the best of --repeat runs:
  pandas.read_csv   pd.read_csv(path), default options (the yardstick);
  core              read + judge (all verdicts, error carried forward, diagnoses), in memory;
  end-to-end        core + writing a new GRADES_DIR as `exgen grade --no-feedback --no-report` does
                    (answers.csv, grades.csv, grades_canvas.csv, issues.csv, summary.txt), plus the
                    summary text. Not included: loading 40,000 key files (the keys are in memory)
                    and Python/pandas start-up.

With --distinct-keys (a real class) every student has their own key, made as `exgen generate`
makes them: a 4-5-6 sigmoid exam config (25 questions), one network per student
(`exgen.exam.build.generate_exam`, no PDFs): the JSON keys and the exam-wide key index, once per
run into a temporary exam folder (or into DIR/exam with --key-cache DIR, kept and
reused across runs; its index rewritten from the JSON keys if of an older version). Then, besides pandas.read_csv:
  JSON keys         load_keys + Prepared.add: the keys read and validated from their files
                    (what grading does without the index, e.g. for keys of an earlier release);
  index             load_prepared: the keys from .exam-keys.npz (checked against the JSON files);
  core              read + judge, keys in memory;
  steps             index + core + writing the outputs, each step timed on its own, one after
                    the other;
  end-to-end        `grade_files(submissions, keys, out, feedback=False, report=False)`, the one
                    library call of `exgen grade --no-feedback --no-report`: the keys loaded (while
                    the submissions' cells are read in a second thread), read, judged, the grades
                    folder written. The figure to compare with pandas.

    python benchmarks/bench_grade.py [--students 40000] [--repeat 3] [--distinct-keys [--key-cache DIR]]
"""
from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exgen import answer_key as questions  # noqa: E402
from exgen.core import solution  # noqa: E402
from exgen.core import solve as engine  # noqa: E402
from exgen.grading.grade import grade_submissions  # noqa: E402
from exgen.grading.keyindex import load_prepared  # noqa: E402
from exgen.grading.keys import Prepared, load_keys  # noqa: E402
from exgen.grading.read import read_submissions  # noqa: E402
from exgen.grading.outputs import summary, write_all  # noqa: E402
from exgen.core.notation import Notation  # noqa: E402
from exgen.core.spec import from_dict  # noqa: E402

# the six kinds of the 25-question exam this benchmark has always graded (QUESTION_TYPES has grown since)
ASKED = [{"type": t} for t in ("forward", "loss", "gradients", "paths", "update", "loss_after")]


def make_key(rng, sid):
    d = {"layers": [4, 5, 6], "activations": ["sigmoid", "sigmoid"], "loss": "half_sse", "learning_rate": 0.5,
         "x": np.round(rng.uniform(-1, 1, 4), 2).tolist(), "y": np.round(rng.uniform(0, 1, 6), 2).tolist(),
         "weights": [np.round(rng.uniform(-1, 1, (5, 4)), 1).tolist(), np.round(rng.uniform(-1, 1, (6, 5)), 1).tolist()],
         "biases": [np.round(rng.uniform(-1, 1, 5), 1).tolist(), np.round(rng.uniform(-1, 1, 6), 1).tolist()]}
    spec = from_dict(d)
    qs = questions.build_questions(spec, solution.to_dict(engine.solve(spec)), Notation(), ASKED)
    return questions.answer_key("bench", sid, 0, spec, qs)


CONFIG = """name: bench
seed: 2024
layers: [4, 5, 6]
activations: [sigmoid, sigmoid]
loss: half_sse
"""


def generated_keys(folder: Path, n: int) -> Path:
    """An exam folder `folder/exam` with n students' keys written by `exgen generate`'s library
    call (answer_keys/*.json and .exam-keys.npz, no PDFs), made once: reused for the same n."""
    from exgen.exam import config
    from exgen.exam.build import generate_exam
    from exgen.roster import Student
    done, exam = folder / "bench-students.txt", folder / "exam"
    if done.is_file() and done.read_text() == str(n) and exam.is_dir():
        _current_index(exam)
        return exam / "answer_keys"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exam.yaml").write_text(CONFIG)
    cfg = config.load(folder / "exam.yaml")
    students = [Student(f"st{i:06d}", f"Student {i}") for i in range(n)]
    t0 = time.perf_counter()
    print(f"generating {n:,} keys as exgen generate does (once) ...", file=sys.stderr, flush=True)
    generate_exam(cfg, students, exam, pdf=False, force=True)
    done.write_text(str(n))
    print(f"  ... {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    return exam / "answer_keys"


def _current_index(folder: Path) -> None:
    """A cached exam folder's key index rewritten from its JSON keys if it is of another version
    than this exgen writes (seconds; regenerating the keys takes minutes)."""
    import json
    from exgen.grading.indexwrite import index_bytes
    from exgen.grading.keyindex import INDEX, VERSION
    with np.load(folder / INDEX, allow_pickle=False) as z:
        if json.loads(z["meta"].tobytes().decode("utf-8")).get("version") == VERSION:
            return
    print(f"rewriting {folder / INDEX} as version {VERSION} ...", file=sys.stderr, flush=True)
    keys = folder / "answer_keys"
    names = [p.name for p in keys.glob("*.json")]
    (folder / INDEX).write_bytes(index_bytes(names, lambda name: (keys / name).read_bytes(), "bench"))


def prepare_json(kdir):
    """The keys read and validated from their JSON files (no index)."""
    keys = load_keys(kdir)
    prep = Prepared()
    prep.add(list(keys.values()), [keys.sources[s] for s in keys])
    for g in prep.groups:
        g.slip_columns()
    return keys


def write_submissions(path, keys_of, rng):
    students = list(keys_of)
    with open(path, "w", encoding="utf-8") as f:
        f.write("student_id,question_id,answer\n")
        for sid in students:
            u = rng.random(25)
            for q, r in zip(keys_of[sid]["questions"], u):
                a = q["answer"]
                if r < 0.80:
                    t = f"{a:.8g}"
                elif r < 0.85:
                    t = f"{a:.4f}"
                elif r < 0.88:
                    t = f"{-a:.6g}"
                elif r < 0.91:
                    t = f"{2 * a:.6g}"
                elif r < 0.95:
                    t = f"{a * 1.37 + 0.011:.6g}"
                elif r < 0.97:
                    t = "abc"
                else:
                    t = ""
                f.write(f"{sid},{q['id']},{t}\n")


def best(f, repeat):
    times, out = [], None
    for _ in range(repeat):
        out = None  # the previous result is not kept alive while timing the next run
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times)), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=40000)
    ap.add_argument("--keys", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--distinct-keys", action="store_true",
                    help="a real class: every student their own generated key, loaded from the exam folder")
    ap.add_argument("--key-cache", type=Path, help="with --distinct-keys: the exam folder to make (once) and reuse")
    args = ap.parse_args()
    import pandas as pd
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "submissions.csv"
        t_json = t_index = None
        if args.distinct_keys:
            kdir = generated_keys(args.key_cache or Path(tmp) / "exam", args.students)
            t_json, m_json, keys_of = best(lambda: prepare_json(kdir), 1)
            keys_of = dict(keys_of)
            write_submissions(path, keys_of, rng)
            known = {q["id"] for q in next(iter(keys_of.values()))["questions"]}
            del keys_of
            t_index, m_index, (keys_of, prep) = best(lambda: load_prepared(kdir), args.repeat)
            for g in prep.groups:
                g.slip_columns()
        else:
            distinct = [make_key(rng, f"k{i}") for i in range(args.keys)]
            assert all(len(k["questions"]) == 25 for k in distinct)
            sids = [f"st{i:06d}" for i in range(args.students)]
            keys_of = {sid: distinct[i % args.keys] for i, sid in enumerate(sids)}
            known = {q["id"] for q in distinct[0]["questions"]}
            write_submissions(path, keys_of, rng)
            prep = None

        def core():
            return grade_submissions(read_submissions(path, known_qids=known), keys_of, prepared=prep)

        runs = itertools.count()

        def end_to_end():
            if args.distinct_keys:  # the keys from disk, as `exgen grade` loads them
                keys, p = load_prepared(kdir)
            else:
                keys, p = keys_of, None
            res = grade_submissions(read_submissions(path, known_qids=known), keys, prepared=p)
            out = Path(tmp) / f"grades{next(runs)}"  # a new folder each run, as a first `exgen grade` writes
            write_all(res, out, exam="bench", feedback=False, report=False)
            return res, summary(res)

        def grade_command():  # exgen grade --no-feedback --no-report, as one library call
            from exgen.grading.run import grade_files
            return grade_files(path, kdir, Path(tmp) / f"grades{next(runs)}", feedback=False, report=False)

        t_pandas, m_pandas, df = best(lambda: pd.read_csv(path), args.repeat)
        t_core, m_core, _ = best(core, args.repeat)
        t_steps = m_steps = None
        if args.distinct_keys:
            t_steps, m_steps, _ = best(end_to_end, args.repeat)
            end_to_end = grade_command
        t_e2e, m_e2e, (res, _) = best(end_to_end, args.repeat)
        t_pandas2, m_pandas2, df = best(lambda: pd.read_csv(path), args.repeat)  # the yardstick, again
        t_pandas = min(t_pandas, t_pandas2)
        size = sum(f.stat().st_size for f in (Path(tmp) / "grades0").iterdir()) / 1e6
    c = res.counts()
    print(f"rows: {len(df):,}  students: {len(res.students):,}  "
          f"keys: {'one per student, generated' if args.distinct_keys else f'{args.keys} shared round-robin'}")
    print("verdicts: " + ", ".join(f"{k} {v:,}" for k, v in c.items()))
    print(f"times: best of {args.repeat} (median); ratios to pandas.read_csv")
    print(f"  pandas.read_csv: {t_pandas:.3f} s")
    if t_json is not None:
        print(f"  keys from the JSON files (load_keys + Prepared.add, once): {t_json:.3f} s  ratio {t_json / t_pandas:.2f}x")
        print(f"  keys from the index (load_prepared): {t_index:.3f} s ({m_index:.3f})  ratio {t_index / t_pandas:.2f}x")
    print(f"  core (read + judge): {t_core:.3f} s ({m_core:.3f})  ratio {t_core / t_pandas:.2f}x")
    if t_steps is not None:
        print(f"  steps one after the other (index + core + writing the outputs): {t_steps:.3f} s ({m_steps:.3f})  "
              f"ratio {t_steps / t_pandas:.2f}x")
    target = 3 if args.distinct_keys else 2
    how = "grade_files: loading the keys + reading + judging + " if args.distinct_keys else "core + "
    print(f"  end-to-end ({how}writing {size:.0f} MB of outputs, "
          f"no feedback/report): {t_e2e:.3f} s ({m_e2e:.3f})  ratio {t_e2e / t_pandas:.2f}x  (target <= {target}x)")


if __name__ == "__main__":
    main()
