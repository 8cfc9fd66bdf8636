"""No distractor of any question is accepted (issue 11, acceptance version 2): over generated exams
of every activation, loss, with and without biases, in several notations, every value a classic slip
gives, exactly and as written with the decimals asked, is never correct. Where practical the values
are computed here by hand from the key's own numbers (its spec and its other answers): the unchanged
parameter, w + eta*g, the loss before the step, the sign flip, a path left out (the gradient minus a
path's product), the factor 2 of the squared error, and for a sigmoid output with half_sse the
output weight's gradient with z(1-z) for h(1-h) and with z for h (an independent forward pass); the
other slips are the engine's slip runs (their definition: exgen.core.engine)."""
import numpy as np
import pytest

from exgen.core.engine import SLIPS, Nets, run
from exgen.grading.judge import CORRECT
from grading_helpers import config_keys, given_param, judge_sheets

VARIANTS = [
    {},  # the default config: sigmoid, half_sse, biases
    {"biases": False, "notation": {"letters": "a/h", "weights": "flat"}},
    {"activations": ["tanh", "linear"], "loss": "sse"},
    {"activations": ["relu", "sigmoid"], "loss": "bce", "notation": {"letters": "z/a", "weights": "super"}},
    {"activations": ["sigmoid", "softmax"], "loss": "cross_entropy", "learning_rate": 0.1},
    {"activations": ["tanh", "tanh"], "loss": "mse", "biases": False, "learning_rate": 1.0},
    {"activations": ["relu", "linear"], "loss": "mse", "notation": {"letters": "z/h", "weights": "numbered"}},
    {"layers": [2, 3, 2], "activations": ["relu", "softmax"], "loss": "cross_entropy", "biases": False},
    {"layers": [3, 2, 2], "activations": ["linear", "sigmoid"], "loss": "half_sse", "biases": False},
]
UNIT = 1e-4  # the last decimal asked (answer_decimals 4)
SECOND_ORDER = {"updated_in_backward"}  # eta*g times a gradient: may be within a unit (then it is the answer)


def _keys(over: dict, n: int) -> list[dict]:
    return config_keys(over, n, 31)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _hand(key: dict) -> dict[str, list[tuple[str, float]]]:
    """Question id -> (slip, value) pairs computed here from the key's numbers."""
    s = key["spec"]
    by_ref = {q["ref"]: q for q in key["questions"]}
    eta = float(s["learning_rate"])
    out: dict[str, list[tuple[str, float]]] = {q["id"]: [("sign_flip", -q["answer"])] for q in key["questions"]}
    paths = [q for q in key["questions"] if q["ref"].startswith("/paths/")]
    multi = "/gradients/weights/0/0/0"
    for q in key["questions"]:
        ref, a, lst = q["ref"], q["answer"], out[q["id"]]
        if s["loss"] in ("half_sse", "sse") and ref not in ("/loss_after",) and not ref.startswith("/updated/"):
            lst.append(("sse_factor", a * (2 if s["loss"] == "half_sse" else 0.5)))  # loss, gradients, paths
        if ref.startswith("/updated/"):
            w, g = given_param(key, ref), by_ref[ref.replace("/updated/", "/gradients/")]["answer"]
            lst += [("update_not_applied", w), ("update_wrong_sign", w + eta * g), ("update_no_eta", w - g)]
            if ref == "/updated/weights/0/0/0" and len(paths) >= 2:
                lst += [("missing_path", w - eta * (g - p["answer"])) for p in paths]
        if ref == multi and len(paths) >= 2:
            lst += [("missing_path", a - p["answer"]) for p in paths]
        if ref == "/loss_after":
            lst.append(("update_not_applied", by_ref["/loss"]["answer"]))
    if s["activations"] == ["sigmoid", "sigmoid"] and s["loss"] == "half_sse":  # an independent forward pass
        x, y = np.array(s["x"], float), np.array(s["y"], float)
        W = [np.array(w, float) for w in s["weights"]]
        b = [np.array(v, float) for v in s["biases"]] if s.get("biases") else [np.zeros(len(w)) for w in W]
        z1 = W[0] @ x + b[0]
        h1 = _sigmoid(z1)
        z2 = W[1] @ h1 + b[1]
        h2 = _sigmoid(z2)
        ref = f"/gradients/weights/{len(W) - 1}/0/0"
        if ref in by_ref:
            e = h2[0] - y[0]
            out[by_ref[ref]["id"]] += [("h_z_swapped", e * z2[0] * (1 - z2[0]) * h1[0]),
                                       ("z_for_h", e * h2[0] * (1 - h2[0]) * z1[0])]
            assert e * h2[0] * (1 - h2[0]) * h1[0] == pytest.approx(by_ref[ref]["answer"], rel=1e-9)  # the pass is right
    return out


def _engine_slips(keys: list[dict]) -> list[dict[str, list[tuple[str, float]]]]:
    """The engine's slip runs (the diagnosis table's own definition of each slip), per key."""
    net = Nets.of([k["spec"] for k in keys])
    refs = [q["ref"] for q in keys[0]["questions"]]
    out: list[dict[str, list[tuple[str, float]]]] = [{q["id"]: [] for q in k["questions"]} for k in keys]
    for slip in SLIPS:
        with np.errstate(all="ignore"):
            v = run(net, slip=slip).values(refs)
        for i, k in enumerate(keys):
            for qi, q in enumerate(k["questions"]):
                if not np.isnan(v[i, qi]):
                    out[i][q["id"]].append((slip, float(v[i, qi])))
    return out


@pytest.mark.parametrize("over", VARIANTS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default")
def test_no_slip_value_is_accepted(over):
    keys = _keys(over, 20)
    answers = [{q["id"]: q["answer"] for q in k["questions"]} for k in keys]
    hand, eng = [_hand(k) for k in keys], _engine_slips(keys)
    cands = [{q: h[q] + e[q] for q in h} for h, e in zip(hand, eng)]
    # one sheet per (position m in each question's list, form): the right answers elsewhere
    width = max(len(v) for c in cands for v in c.values())
    checked = 0
    for m in range(width):
        for form in ("exact", "written"):
            sheets, slip_of = [], []
            for a, c in zip(answers, cands):
                sheet, names = {}, {}
                for q, vs in c.items():
                    if len(vs) > m:
                        slip, v = vs[m]
                        v = round(v, 4) if form == "written" else v
                        if not np.isfinite(v) or abs(vs[m][1] - a[q]) <= 1e-9 * abs(a[q]) + 1e-12:
                            continue  # not a number, or a slip that changes nothing for this network
                        sheet[q], names[q] = v, slip
                sheets.append(sheet)
                slip_of.append(names)
            verdicts = judge_sheets(keys, sheets)
            for i, v in enumerate(verdicts):
                for q, t in v.items():
                    checked += 1
                    if t != CORRECT:
                        continue
                    slip = slip_of[i][q]
                    # only a second-order slip within a unit of the answer (the same number at the
                    # precision asked), as computed or as written, may be: it is no distractor
                    # (grading.distract.invisible), and may be what a hand computation gives
                    near = min(abs(cands[i][q][m][1] - answers[i][q]), abs(sheets[i][q] - answers[i][q]))
                    assert slip in SECOND_ORDER and near < UNIT, \
                        (keys[i]["student_id"], q, slip, form, sheets[i][q], answers[i][q])
    assert checked > 100
    # the generator's filter: every first-order distractor is the answer itself or 5 units away
    for a, c in zip(answers, cands):
        for q, vs in c.items():
            for slip, v in vs:
                d = abs(v - a[q])
                if slip not in SECOND_ORDER and np.isfinite(v) and d > 1e-9 * abs(a[q]) + 1e-12:
                    assert d >= 5 * UNIT - 1e-12, (q, slip, v, a[q])
    # and the right answers, exactly and with the 4 decimals asked, are correct
    for form in (lambda v: v, lambda v: round(v, 4)):
        verdicts = judge_sheets(keys, [{q: form(v) for q, v in a.items()} for a in answers])
        assert all(t == CORRECT for v in verdicts for t in v.values())
