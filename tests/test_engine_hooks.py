"""The engine's grading hooks against an independent reference (hand_reference: the same hand
computation neuron by neuron with Python floats): intermediates rounded or chopped, a student's
own earlier values substituted (error carried forward), and each classic slip applied."""
import math

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from exgen.core import SLIPS, Nets, run

from hand_reference import hand
from test_paths import specs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.sampled_from([None, *SLIPS]), st.sampled_from([None, 3, 4, -4]), st.integers(0, 2**32 - 1),
       st.sampled_from([1e-4, 0.5, 2.0]))
def test_engine_hooks_equal_the_hand_computation(spec, slip, decimals, seed, lr):
    d = {**spec.to_dict(), "learning_rate": lr}
    plain = hand(d)
    rng = np.random.default_rng(seed)
    fed = [r for r in plain if r.split("/")[1] in ("forward", "gradients", "updated") and rng.random() < 0.25]
    overrides = {r: float(rng.uniform(0.05, 0.95)) for r in fed}  # a student's own values
    with np.errstate(divide="ignore", invalid="ignore"):  # a 3-decimal output of 1.000 has a log(0) loss: inf on both sides
        ref = hand(d, decimals, slip, overrides)
        res = run(Nets.of([d, d]), decimals=decimals, slip=slip,
                  overrides={r: np.array([v, math.nan]) for r, v in overrides.items()})  # net 2: no overrides
        ref2 = hand(d, decimals, slip)
    for r, want in ref.items():
        got = res.value(r)
        for g, w in ((got[0], want), (got[1], ref2[r])):
            assert math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(g) and math.isnan(w)), (r, g, w)


def test_rounding_and_chopping_are_what_a_student_writes():
    d = {"layers": [1, 1], "activations": ["linear"], "loss": "half_sse", "learning_rate": 1.0,
         "x": [1.0], "y": [0.0], "weights": [[[0.58686]]], "biases": None}
    nets = Nets.of([d])
    assert run(nets, decimals=4).value("/forward/0/z/0")[0] == 0.5869
    assert run(nets, decimals=-4).value("/forward/0/z/0")[0] == 0.5868  # seed 002 chops
    assert run(nets, decimals=3).value("/output/0")[0] == 0.587
