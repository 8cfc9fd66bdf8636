"""The batched engine with its hooks (rounding, overrides, slips, upto) against grading.handcalc,
the implementation it replaces: the same numbers, to the bit, on random networks."""
import json

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from exgen import engine, solution
from exgen.core import engine as core, stage
from exgen.grading import handcalc

from test_handcalc import numeric_refs
from test_paths import specs


def _vary(d, seed):
    rng = np.random.default_rng(seed)
    out = json.loads(json.dumps(d))
    out["weights"] = [np.round(rng.uniform(-1, 1, np.shape(w)), 2).tolist() for w in d["weights"]]
    if d.get("biases") is not None:
        out["biases"] = [np.round(rng.uniform(-1, 1, np.shape(b)), 2).tolist() for b in d["biases"]]
    out["x"] = np.round(rng.uniform(-1, 1, np.shape(d["x"])), 2).tolist()
    return out


def _same(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


@settings(max_examples=int(__import__("os").environ.get("EXGEN_EXAMPLES", 300)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.sampled_from([None, *core.SLIPS]), st.sampled_from([None, 2, 3, 4, -4]),
       st.integers(0, 2**32 - 1), st.sampled_from([handcalc.FORWARD, handcalc.LOSS, handcalc.BACKWARD,
                                                     handcalc.UPDATE, handcalc.ALL]))
def test_engine_with_hooks_equals_handcalc(spec, slip, rnd, seed, upto):
    d = spec.to_dict()
    dicts = [d, _vary(d, seed), _vary(d, seed + 1)]
    refs = [r for r, _ in numeric_refs(solution.to_dict(engine.solve(spec)))]
    rng = np.random.default_rng(seed)
    feed = [r for r in refs if r.split("/")[1] in ("forward", "output", "gradients", "updated")]
    chosen = [r for r in feed if rng.random() < 0.3]
    ov = {}
    for r in chosen:
        v = rng.uniform(-1, 1, 3)
        v[rng.random(3) < 0.3] = np.nan
        ov[r] = v
    overrides = ov if rng.random() < 0.5 else None
    old = handcalc.solve(handcalc.stack(dicts), rnd=rnd, overrides=overrides, slip=slip, upto=upto)
    new = core.run(core.Nets.of(dicts), decimals=rnd, overrides=overrides, slip=slip, upto=upto)
    if upto == handcalc.ALL:
        assert _same(old.values(refs), new.values(refs))
    for ref in refs:
        if stage(ref) > upto or (upto == handcalc.UPDATE and ref == "/loss_after"):
            continue
        try:
            a = old.value(ref)
        except KeyError:
            a = None
        if a is None:
            continue
        assert _same(a, new.value(ref)), (ref, a, new.value(ref))
