"""The engine against independent references: central finite differences of the loss."""
import zlib

import numpy as np
import pytest

from exgen.core import solve as engine

from exgen.core import spec as spec_mod
from exgen.core.functions import ACTIVATIONS

from conftest import random_spec, valid_combos


def fd_gradients(d, eps=1e-6):
    """Central finite differences of the batch-mean loss for every weight and bias."""
    def loss(dd):
        return engine.loss_of(spec_mod.from_dict(dd))
    gw = []
    for l, W in enumerate(d["weights"]):
        G = np.zeros((len(W), len(W[0])))
        for j in range(len(W)):
            for k in range(len(W[0])):
                plus = {**d, "weights": [np.array(w, float) for w in d["weights"]]}
                minus = {**d, "weights": [np.array(w, float) for w in d["weights"]]}
                plus["weights"][l][j, k] += eps
                minus["weights"][l][j, k] -= eps
                plus["weights"] = [w.tolist() for w in plus["weights"]]
                minus["weights"] = [w.tolist() for w in minus["weights"]]
                G[j, k] = (loss(plus) - loss(minus)) / (2 * eps)
        gw.append(G)
    gb = None
    if d["biases"] is not None:
        gb = []
        for l, b in enumerate(d["biases"]):
            g = np.zeros(len(b))
            for j in range(len(b)):
                bp = [list(v) for v in d["biases"]]
                bm = [list(v) for v in d["biases"]]
                bp[l][j] += eps
                bm[l][j] -= eps
                g[j] = (loss({**d, "biases": bp}) - loss({**d, "biases": bm})) / (2 * eps)
            gb.append(g)
    return gw, gb


def away_from_relu_kink(d):
    s = spec_mod.from_dict(d)
    fwd = engine.forward(s)
    return all(np.abs(z).min() > 1e-3 for z, a in zip(fwd.z, s.activations) if a == "relu")


@pytest.mark.parametrize("hidden,output,loss", valid_combos())
@pytest.mark.parametrize("biases", [True, False])
@pytest.mark.parametrize("batch", [None, 3])
def test_gradients_match_finite_differences(hidden, output, loss, biases, batch):
    rng = np.random.default_rng(zlib.crc32(repr((hidden, output, loss, biases, batch)).encode()))
    for _ in range(20):
        d = random_spec(rng, [3, 4, 3, 2] if output == "softmax" else [3, 4, 2],
                        [hidden] * (2 if output == "softmax" else 1) + [output], loss, biases, batch)
        if away_from_relu_kink(d):
            break
    sol = engine.solve(spec_mod.from_dict(d))
    gw, gb = fd_gradients(d)
    for ours, ref in zip(sol.bwd.grad_w, gw):
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-7)
    if biases:
        for ours, ref in zip(sol.bwd.grad_b, gb):
            np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-7)
    else:
        assert sol.updated_b is None


def test_sgd_step_is_w_minus_eta_g():
    rng = np.random.default_rng(7)
    d = random_spec(rng, [2, 3, 2], ["tanh", "sigmoid"], "mse", lr=0.3)
    sol = engine.solve(spec_mod.from_dict(d))
    gw, gb = fd_gradients(d)
    for W, G, new in zip(d["weights"], gw, sol.updated_w):
        np.testing.assert_allclose(new, np.array(W) - 0.3 * G, atol=1e-7)
    for b, g, new in zip(d["biases"], gb, sol.updated_b):
        np.testing.assert_allclose(new, np.array(b) - 0.3 * g, atol=1e-7)
    # the loss after the step is the loss of the updated network
    after = {**d, "weights": [w.tolist() for w in sol.updated_w], "biases": [b.tolist() for b in sol.updated_b]}
    assert sol.loss_after == pytest.approx(engine.loss_of(spec_mod.from_dict(after)), rel=1e-12)


def test_batch_loss_and_gradient_are_means_over_samples():
    rng = np.random.default_rng(3)
    d = random_spec(rng, [2, 2, 1], ["sigmoid", "linear"], "half_sse", batch=4)
    sol = engine.solve(spec_mod.from_dict(d))
    singles = [engine.solve(spec_mod.from_dict({**d, "x": x, "y": y})) for x, y in zip(d["x"], d["y"])]
    assert sol.loss == pytest.approx(np.mean([s.loss for s in singles]))
    for l in range(2):
        np.testing.assert_allclose(sol.bwd.grad_w[l], np.mean([s.bwd.grad_w[l] for s in singles], axis=0))


def test_softmax_jacobian_against_finite_differences():
    z = np.array([[0.3, -1.2, 2.0]])
    act = ACTIVATIONS["softmax"]
    J = act.jacobian(z, act.f(z))[0]
    eps = 1e-6
    for i in range(3):
        dz = np.zeros_like(z)
        dz[0, i] = eps
        col = (act.f(z + dz) - act.f(z - dz))[0] / (2 * eps)
        np.testing.assert_allclose(J[:, i], col, atol=1e-9)
