"""Keys for grading tests, built with questions.py from built-in examples or small specs."""
from exgen.core import solve as engine
from exgen.core import examples
from exgen import answer_key as questions
from exgen.core import solution
from exgen.core.spec import from_dict
from exgen.kinds import DEFAULT_TYPES

ALL = [{"type": t} for t in DEFAULT_TYPES]  # the kinds of a single-sample exam


def key_for(spec, sid="s1", tol=None, asked=None):
    sol = solution.to_dict(engine.solve(spec))
    qs = questions.build_questions(spec, sol, examples.notation_of(spec), asked or ALL, tol)
    return questions.answer_key("test", sid, 0, spec, qs)


def example_key(name, sid="s1", tol=None, asked=None):
    return key_for(examples.load(name), sid, tol, asked)


def spec_key(d, sid="s1", tol=None, asked=None):
    return key_for(from_dict(d), sid, tol, asked)


def exact_answers(key, fmt="{:.10g}"):
    return {q["id"]: fmt.format(q["answer"]) for q in key["questions"]}


def config_keys(over: dict, n: int, seed: int, policy: bool = True) -> list[dict]:
    """The keys of n students of an exam config (the defaults with `over`), drawn as `generate`
    draws them; `policy`: the keys record the config's acceptance policy (else none, as keys of
    an earlier release)."""
    from exgen.answer_key import answer_key
    from exgen.exam.config import from_dict as config, key_acceptance
    from exgen.exam.draw import make_exercises
    cfg = config({"seed": seed, **over})
    acc = key_acceptance(cfg) if policy else None
    return [answer_key(cfg.name, e.student_id, cfg.seed, e.spec, e.questions, acc)
            for e in make_exercises(cfg, [f"s{i:03d}" for i in range(n)])]


def given_param(key: dict, ref: str) -> float:
    """The given parameter of an update or gradient ref /<...>/<weights|biases>/l/j[/k], read from
    the key's spec."""
    parts = ref.split("/")[2:]
    node = key["spec"][parts[0]]
    for i in parts[1:]:
        node = node[int(i)]
    return float(node)


def judge_sheets(keys: list[dict], sheets: list[dict]) -> list[dict[str, int]]:
    """Verdict codes (grading.judge) of one answer sheet per key (question id -> a number, or its
    text), the keys judged in their prepared groups as `exgen grade` judges them."""
    import numpy as np

    from exgen.grading.judge import judge_group
    from exgen.grading.keys import Prepared
    from exgen.grading.numbers import OK
    prep = Prepared()
    prep.add(keys)
    out: list[dict[str, int]] = [{} for _ in keys]
    for gi, g in enumerate(prep.groups):
        rows = [i for i, k in enumerate(keys) if prep.key_pos[id(k)][0] == gi]
        vals = np.full((len(rows), len(g.qids)), np.nan)
        status = np.full(vals.shape, 1, dtype=np.int8)  # missing
        for r, i in enumerate(rows):
            for qi, qid in enumerate(g.qids):
                if qid in sheets[i]:
                    vals[r, qi], status[r, qi] = float(sheets[i][qid]), OK
        kidx = np.array([prep.key_pos[id(keys[i])][1] for i in rows])
        j = judge_group(g, kidx, vals, status)
        for r, i in enumerate(rows):
            out[i] = {qid: int(j.verdict[r, qi]) for qi, qid in enumerate(g.qids) if qid in sheets[i]}
    return out
