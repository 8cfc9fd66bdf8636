"""The default precision rule of new exams (acceptance version 2): an absolute window of half a unit
of the last decimal asked, equally far answers judged alike, fewer decimals judged as written; the
exam config's carried_credit; keys of earlier releases graded as before."""
import copy
import json
from pathlib import Path

import pytest

from exgen.acceptance import TOO_FEW, policy_of
from exgen.answer_key import answer_key
from exgen.errors import ConfigError
from exgen.exam.config import from_dict, key_acceptance, precision_rule
from exgen.exam.draw import make_exercises
from exgen.grading import grade_key

ROOT = Path(__file__).resolve().parent.parent
DEMO = ["ada01", "noether03", "obrien02"]


def _key(name: str, v1: bool = False) -> dict:
    folder = ROOT / ("tests/keys_v1" if v1 else "answer_keys")
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def _one(key, qid, text, **kw):
    return next(v for v in grade_key(key, {qid: text}, **kw) if v.question_id == qid)


def test_new_configs_default_to_half_a_unit_of_the_last_decimal():
    for d in (2, 4, 6):
        cfg = from_dict({"answer_decimals": d})
        assert cfg.tolerance == {"kind": "abs", "value": pytest.approx(0.5 * 10.0 ** -d)}
        acc = key_acceptance(cfg)
        assert acc["tolerance"] == cfg.tolerance and acc["distractors"] == "slips" and acc["version"] == 2
    # a relative tolerance is the instructor's explicit choice, recorded as such
    cfg = from_dict({"tolerance": {"kind": "rel", "value": 0.01}})
    assert key_acceptance(cfg)["tolerance"] == {"kind": "rel", "value": 0.01}
    # the demo keys (regenerated with `exgen demo`) record the default
    for name in DEMO:
        key = _key(name)
        assert key["acceptance"]["tolerance"] == {"kind": "abs", "value": 5e-05}
        assert all(q["tolerance"] == {"kind": "abs", "value": 5e-05} for q in key["questions"])


@pytest.mark.parametrize("name", DEMO)
def test_equally_far_answers_get_the_same_verdict(name):
    key = _key(name)
    key["acceptance"]["hand_roundings"] = [8]  # no hand-rounded centres: the exact value's window alone
    for q in key["questions"]:
        e = q["answer"]
        for delta in (0.2e-4, 0.45e-4, 0.55e-4, 0.9e-4, 4e-4, 0.004, 0.04):
            up, down = _one(key, q["id"], repr(e + delta)), _one(key, q["id"], repr(e - delta))
            assert up.verdict == down.verdict, (q["id"], e, delta, up.verdict, down.verdict)
            assert up.verdict == ("correct" if delta < 0.5e-4 else "wrong"), (q["id"], e, delta)


def test_the_issue_examples_are_judged_alike():
    # 0.81 for 0.806 and 0.19 for 0.194 (4 decimals asked): the same distance, the same verdict,
    # whatever the size of the value; -0.007 for -0.00741 too: fewer decimals, judged as written
    seen = 0
    for name in DEMO:
        key = _key(name)
        for q in key["questions"]:
            e = q["answer"]
            for d in (2, 3):
                a = round(e, d)
                if a == 0 or abs(a - e) <= 0.5e-4:
                    continue
                got = _one(key, q["id"], f"{a:.{d}f}")
                assert (got.verdict, got.score) == ("wrong", 0.0), (name, q["id"], e, a)
                seen += got.diagnosis == TOO_FEW
    assert seen >= 20
    key = _key("obrien02")  # 4a = -0.0069043...: -0.007 is 1.4% off (the old 1% window said no,
    q = next(q for q in key["questions"] if q["id"] == "4a")  # its 3-decimal rounding said yes)
    assert q["answer"] == pytest.approx(-0.0069043, abs=1e-7)
    assert (_one(key, "4a", "-0.007").verdict, _one(key, "4a", "-0.007").diagnosis) == ("wrong", TOO_FEW)
    assert _one(_key("obrien02", v1=True), "4a", "-0.007").verdict == "correct"  # the earlier release's rule
    assert _one(key, "4a", "-0.0069").verdict == "correct"


def test_partial_credit_for_fewer_decimals_is_the_instructors_choice():
    cfg = from_dict({"seed": 5, "fewer_decimals_credit": 0.5})
    ex = make_exercises(cfg, ["s1"])[0]
    key = answer_key(cfg.name, "s1", cfg.seed, ex.spec, ex.questions, key_acceptance(cfg))
    q = next(q for q in key["questions"] if abs(round(q["answer"], 2) - q["answer"]) > 1e-4 and round(q["answer"], 2))
    got = _one(key, q["id"], repr(round(q["answer"], 2)))
    assert (got.verdict, got.diagnosis, got.score) == ("correct", TOO_FEW, 0.5 * got.points)
    assert "0.5 of the points" in precision_rule(cfg)
    assert "no marks" in precision_rule(from_dict({}))


def test_carried_credit_from_the_config():
    cfg = from_dict({"seed": 5, "carried_credit": 0.25})
    ex = make_exercises(cfg, ["s1"])[0]
    key = answer_key(cfg.name, "s1", cfg.seed, ex.spec, ex.questions, key_acceptance(cfg))
    assert key["acceptance"]["carried_credit"] == 0.25 and policy_of(key).carried_credit == 0.25
    by_ref = {q["ref"]: q for q in key["questions"]}
    g, upd = by_ref["/gradients/weights/1/0/0"], by_ref["/updated/weights/1/0/0"]
    w = key["spec"]["weights"][1][0][0]
    wrong_g = g["answer"] + 0.05  # a wrong gradient, and the update computed from it by hand
    answers = {g["id"]: repr(wrong_g), upd["id"]: repr(w - key["spec"]["learning_rate"] * wrong_g)}
    got = {v.question_id: v for v in grade_key(key, answers)}
    assert got[upd["id"]].verdict == "carried" and got[upd["id"]].score == 0.25 * got[upd["id"]].points
    # grade --carried-credit still overrides the key's
    got = {v.question_id: v for v in grade_key(key, answers, carried_credit=1.0)}
    assert got[upd["id"]].score == got[upd["id"]].points
    assert from_dict({}).carried_credit == 0.5  # the default


@pytest.mark.parametrize("bad", [1.5, -0.1, "half", True, None, [0.5]])
def test_carried_credit_is_validated(bad):
    with pytest.raises(ConfigError, match=r"exam.yaml: key 'carried_credit': expected a share of the points from 0 to 1"):
        from_dict({"carried_credit": bad}, "exam.yaml")


@pytest.mark.parametrize("name", DEMO)
def test_keys_of_earlier_releases_grade_as_before(name):
    """Version-1 keys (rel 1%, the exact and hand values rounded to 3 decimals as written accepted,
    full credit for fewer decimals) and keys without the field (1% and the same roundings)."""
    v1 = _key(name, v1=True)
    legacy = copy.deepcopy(v1)
    del legacy["acceptance"]
    for q in v1["questions"]:
        e = q["answer"]
        if not (q["ref"].startswith("/updated/") or q["ref"] == "/loss_after"):  # (their windows stop short of the step)
            for key in (v1, legacy):
                assert _one(key, q["id"], repr(e * 1.009)).verdict == "correct"  # inside 1%: the old window
        got = _one(v1, q["id"], f"{round(e, 3):.3f}")  # 3 decimals as written: accepted as before
        if abs(round(e, 3) - e) > 0.5e-4 and round(e, 3) != 0:
            assert got.verdict == "correct" and got.score == got.points, (name, q["id"])


def test_practice_keys_record_the_default_policy():
    from exgen.core.notation import Notation
    from exgen.student.practice import from_example, from_preset, PRESETS
    nt_for = lambda spec: Notation.make("z/h", "paren", spec.layers)  # noqa: E731
    for p in (from_preset(next(iter(PRESETS)), 3, nt_for), from_example("seed002-2-2-1", nt_for)):
        acc = p.key["acceptance"]
        assert acc["version"] == 2 and acc["distractors"] == "slips" and acc["decimals"] == 4
        assert acc["tolerance"] == {"kind": "abs", "value": 5e-05}
        assert all(q["tolerance"] == acc["tolerance"] for q in p.key["questions"])
        # the right answers with the 4 decimals asked are correct by it
        got = grade_key(p.key, {q["id"]: f"{q['answer']:.4f}" for q in p.key["questions"]})
        assert all(v.verdict == "correct" for v in got), [(v.question_id, v.verdict) for v in got]


@pytest.mark.parametrize("name", DEMO)
def test_fewer_decimals_get_no_marks_through_error_carried_forward(name):
    """Every answer the exact value rounded to 3 decimals, asked 4: the sheet says these get no
    marks. The first ones did (wrong, too_few_decimals), but the answers depending on them were
    'carried' at half the points, through the 3-decimal hand rounding of the recomputed value:
    more credit for the same rounding one step later."""
    key = _key(name)
    D = key["acceptance"]["decimals"]
    texts = {q["id"]: f"{q['answer']:.{D - 1}f}" for q in key["questions"]}
    got = {v.question_id: v for v in grade_key(key, texts)}
    coarse = 0
    for q in key["questions"]:
        v, a = got[q["id"]], float(texts[q["id"]])
        if abs(a - q["answer"]) <= 0.5 * 10.0 ** -D:  # 0.0590 written 0.059: the value asked for
            assert v.verdict == "correct", (q["id"], v)
            continue
        if v.carried_expected is not None and abs(a - v.carried_expected) <= 0.5 * 10.0 ** -D:
            assert v.verdict == "carried", (q["id"], v)  # w - eta*g of 3-decimal numbers: -0.294 exactly
            continue
        coarse += 1
        assert (v.verdict, v.score) == ("wrong", 0.0), (q["id"], texts[q["id"]], v)
    assert coarse >= 5
    # the value carried at the decimals asked is still carried: an answer as the student computed it
    first = key["questions"][0]
    later = next(q for q in key["questions"] if first["id"] in q["depends_on"])
    slip = {first["id"]: f"{first['answer'] + 0.1:.{D}f}"}
    carried = next(v for v in grade_key(key, {**slip, later["id"]: "0"}) if v.question_id == later["id"]).carried_expected
    ok = next(v for v in grade_key(key, {**slip, later["id"]: f"{carried:.{D}f}"}) if v.question_id == later["id"])
    assert ok.verdict == "carried", ok
