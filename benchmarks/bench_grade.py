"""Benchmark (not a test): grade 1,000,000 answer rows and compare with pandas.read_csv.

40,000 students x 25 questions, long format. Keys are generated programmatically: 50 distinct
random 4-5-6 sigmoid networks (25 questions each), shared round-robin by the students (student i
gets key i % 50), so key preparation is cached per key object. Answers: ~80% exact, ~5% rounded
to 4 decimals, ~10% wrong (sign slips, factor-2 slips, no-eta updates, random), ~2% invalid,
~3% empty.

Three timings on the same file, in one process, each the best of --repeat runs:
  pandas.read_csv   pd.read_csv(path), default options (the yardstick);
  core              read + judge (all verdicts, error carried forward, diagnoses), in memory;
  end-to-end        core + writing GRADES_DIR as `exgen grade --no-feedback --no-report` does
                    (answers.csv, grades.csv, grades_canvas.csv, issues.csv, summary.txt), plus the
                    summary text. Not included: loading 40,000 key files (the keys are in memory)
                    and Python/pandas start-up.

With --distinct-keys every student has their own key, as in a real class: the keys are made
programmatically (random networks of the same shape, answers computed vectorised), written as
<student_id>.json files to a temporary keys directory and loaded with the real key loader. Key
loading (JSON files to dicts) is timed separately; core and end-to-end then include preparing
40,000 distinct keys (parsing specs, expected and hand-rounded values, slip tables).

    python benchmarks/bench_grade.py [--students 40000] [--repeat 3] [--distinct-keys]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exgen.core import solve as engine

from exgen import answer_key as questions

from exgen.core import solution  # noqa: E402
from exgen.core import engine as core  # noqa: E402
from exgen.grading.grade import grade_submissions  # noqa: E402
from exgen.grading.keys import Prepared, load_keys  # noqa: E402
from exgen.grading.read import read_submissions  # noqa: E402
from exgen.grading.outputs import summary, write_all  # noqa: E402
from exgen.core.notation import Notation  # noqa: E402
from exgen.core.spec import from_dict  # noqa: E402

ASKED = [{"type": t} for t in questions.QUESTION_TYPES]


def make_key(rng, sid):
    d = {"layers": [4, 5, 6], "activations": ["sigmoid", "sigmoid"], "loss": "half_sse", "learning_rate": 0.5,
         "x": np.round(rng.uniform(-1, 1, 4), 2).tolist(), "y": np.round(rng.uniform(0, 1, 6), 2).tolist(),
         "weights": [np.round(rng.uniform(-1, 1, (5, 4)), 1).tolist(), np.round(rng.uniform(-1, 1, (6, 5)), 1).tolist()],
         "biases": [np.round(rng.uniform(-1, 1, 5), 1).tolist(), np.round(rng.uniform(-1, 1, 6), 1).tolist()]}
    spec = from_dict(d)
    qs = questions.build_questions(spec, solution.to_dict(engine.solve(spec)), Notation(), ASKED)
    return questions.answer_key("bench", sid, 0, spec, qs)


def distinct_keys(rng, template, sids):
    """One key per student: `template`'s questions on a random network of its shape each, with
    the answers computed for all networks at once (the batched engine, no hooks)."""
    n, spec = len(sids), template["spec"]
    W = [np.round(rng.uniform(-1, 1, (n, *np.shape(w))), 1) for w in spec["weights"]]
    b = [np.round(rng.uniform(-1, 1, (n, len(v))), 1) for v in spec["biases"]]
    x = np.round(rng.uniform(-1, 1, (n, 1, len(spec["x"]))), 2)
    y = np.round(rng.uniform(0, 1, (n, 1, len(spec["y"]))), 2)
    net = core.Nets(tuple(spec["layers"]), tuple(spec["activations"]), spec["loss"], False, x, y, W, b,
                       np.full(n, float(spec["learning_rate"])))
    answers = core.run(net).values([q["ref"] for q in template["questions"]]).tolist()
    keys = {}
    for i, sid in enumerate(sids):
        s = dict(spec, x=x[i, 0].tolist(), y=y[i, 0].tolist(), weights=[w[i].tolist() for w in W],
                 biases=[v[i].tolist() for v in b])
        qs = [dict(q, answer=a) for q, a in zip(template["questions"], answers[i])]
        keys[sid] = dict(template, student_id=sid, spec=s, questions=qs)
    return keys


def prepare(keys_of):
    prep = Prepared()
    prep.add(list(keys_of.values()))
    for g in prep.groups:
        g.slip_table()
    return prep


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
    ap.add_argument("--distinct-keys", action="store_true", help="every student their own key, loaded from files")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    distinct = [make_key(rng, f"k{i}") for i in range(args.keys)]
    assert all(len(k["questions"]) == 25 for k in distinct)
    sids = [f"st{i:06d}" for i in range(args.students)]
    if args.distinct_keys:
        keys_of = distinct_keys(rng, distinct[0], sids)
    else:
        keys_of = {sid: distinct[i % args.keys] for i, sid in enumerate(sids)}
    known = {q["id"] for q in distinct[0]["questions"]}
    import pandas as pd
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "submissions.csv"
        write_submissions(path, keys_of, rng)
        t_load = None
        if args.distinct_keys:
            kdir = Path(tmp) / "answer_keys"
            kdir.mkdir()
            for sid, k in keys_of.items():
                (kdir / f"{sid}.json").write_text(json.dumps(k), encoding="utf-8")
            del keys_of
            t_load, m_load, keys_of = best(lambda: load_keys(kdir), args.repeat)
            t_prep, m_prep, _ = best(lambda: prepare(keys_of), args.repeat)

        def core():
            return grade_submissions(read_submissions(path, known_qids=known), keys_of)

        def end_to_end():
            res = core()
            write_all(res, Path(tmp) / "grades", exam="bench", force=True, feedback=False, report=False)
            return res, summary(res)

        t_pandas, m_pandas, df = best(lambda: pd.read_csv(path), args.repeat)
        t_core, m_core, _ = best(core, args.repeat)
        t_e2e, m_e2e, (res, _) = best(end_to_end, args.repeat)
        size = sum(f.stat().st_size for f in (Path(tmp) / "grades").iterdir()) / 1e6
    c = res.counts()
    n_keys = len({id(k) for k in keys_of.values()})
    print(f"rows: {len(df):,}  students: {len(res.students):,}  distinct keys: {n_keys:,}")
    print("verdicts: " + ", ".join(f"{k} {v:,}" for k, v in c.items()))
    print(f"times: best of {args.repeat} (median)")
    print(f"  pandas.read_csv: {t_pandas:.3f} s ({m_pandas:.3f})")
    if t_load is not None:
        print(f"  loading the key files (load_keys): {t_load:.3f} s ({m_load:.3f})  ratio {t_load / t_pandas:.2f}x")
        print(f"  preparing the keys (values, hand-rounded values, slip tables; part of core): {t_prep:.3f} s ({m_prep:.3f})")
    print(f"  core (read + judge): {t_core:.3f} s ({m_core:.3f})  ratio {t_core / t_pandas:.2f}x")
    print(f"  end-to-end (+ writing {size:.0f} MB of outputs, no feedback/report): {t_e2e:.3f} s ({m_e2e:.3f})"
          f"  ratio {t_e2e / t_pandas:.2f}x  (target <= 3x)")


if __name__ == "__main__":
    main()
