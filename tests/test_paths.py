"""Properties of the chain-rule paths and of one SGD step (hypothesis)."""
import math

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from exgen.core import solve as engine

from exgen.core import spec as spec_mod
from exgen.core.functions import ACTIVATIONS, LOSSES, PROBABILISTIC_LOSSES
from exgen.core.paths import parameters, paths_for

from conftest import random_spec


@st.composite
def specs(draw, max_batch=3):
    n_layers = draw(st.integers(1, 3))
    layers = [draw(st.integers(1, 3)) for _ in range(n_layers + 1)]
    hidden = [draw(st.sampled_from(["sigmoid", "tanh", "relu", "linear"])) for _ in range(n_layers - 1)]
    loss = draw(st.sampled_from(sorted(LOSSES)))
    outs = ["sigmoid", "softmax"] if loss in PROBABILISTIC_LOSSES else sorted(ACTIVATIONS)
    if layers[-1] < 2:
        outs = [o for o in outs if o != "softmax"]
    out = draw(st.sampled_from(outs))
    batch = draw(st.sampled_from([None, 2, max_batch]))
    seed = draw(st.integers(0, 2**32 - 1))
    d = random_spec(np.random.default_rng(seed), layers, hidden + [out], loss,
                    draw(st.booleans()), batch, lr=1e-4)
    return spec_mod.from_dict(d)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_path_products_sum_to_the_gradient(spec):
    sol = engine.solve(spec)
    B = spec.x.shape[0]
    for kind, idx in parameters(sol):
        total = sum(p.product for b in range(B) for p in paths_for(sol, kind, idx, b)) / B
        grad = sol.bwd.grad_w[idx[0]][idx[1:]] if kind == "weights" else sol.bwd.grad_b[idx[0]][idx[1]]
        assert math.isclose(total, grad, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=100, deadline=None)
@given(specs())
def test_every_route_is_listed(spec):
    """One path per neuron of each later layer, and through a softmax layer one per output too."""
    sol = engine.solve(spec)
    softmax = spec.activations[-1] == "softmax"
    for kind, idx in parameters(sol):
        later = spec.layers[idx[0] + 2:]
        expected = math.prod(later) * (spec.layers[-1] if softmax else 1)
        ps = paths_for(sol, kind, idx)
        assert len(ps) == expected
        # a path has 2 factors per layer crossed plus the loss factor: dL/dh, (dh/dz, dz/dh)..., dz/dparam
        assert all(len(p.factors) == 2 * (spec.n_layers - idx[0]) + 1 for p in ps)


@settings(max_examples=100, deadline=None)
@given(specs())
def test_a_small_step_lowers_the_loss(spec):
    sol = engine.solve(spec)
    gnorm2 = sum((g ** 2).sum() for g in sol.bwd.grad_w) + (
        sum((g ** 2).sum() for g in sol.bwd.grad_b) if spec.biases is not None else 0)
    if gnorm2 < 1e-10:
        return  # nothing to descend
    small = spec_mod.from_dict({**spec.to_dict(), "learning_rate": 1e-3 / (1 + math.sqrt(gnorm2))})
    s2 = engine.solve(small)
    assert s2.loss_after < s2.loss
