"""The seed lecture notes' printed numbers, at the seeds' own rounding.

Each check names its source: file and line in ../shared/seeds/. Where a seed is wrong (see the
seeds' README, "Known slips"), the test pins the correct value and says why.
"""
import numpy as np
import pytest

from exgen.core import solve as engine

from exgen.core import examples
from exgen.core.paths import paths_for


def solved(name):
    return engine.solve(examples.load(name))


# Forward values: the seeds truncate or round every intermediate and carry it on, so a printed
# value may be off by up to 2.5 units in its last place.

# ---- 002_3f0eb775ca5e4e6a.txt: 2-2-1 sigmoid net, E = 1/2 (y_t - y)^2, eta = 0.7 -----------------
# w1: x1->a, w2: x1->b, w3: x2->a, w4: x2->b, w5: h_a->y, w6: h_b->y (lines 428-436)
W1 = {"w1": (0, 0, 0), "w2": (0, 1, 0), "w3": (0, 0, 1), "w4": (0, 1, 1), "w5": (1, 0, 0), "w6": (1, 0, 1)}


def test_seed002_221_forward():
    s = solved("seed002-2-2-1")
    z1, h1, z2, h2 = s.fwd.z[0][0], s.fwd.h[1][0], s.fwd.z[1][0], s.fwd.h[2][0]
    assert z1[0] == pytest.approx(0.351, abs=5e-4)  # line 428
    assert h1[0] == pytest.approx(0.5868, abs=1e-4)  # line 430 (truncated, one unit in the last place)
    assert z1[1] == pytest.approx(0.361, abs=5e-4)  # line 432
    assert h1[1] == pytest.approx(0.5892, abs=2.5e-4)  # line 434
    assert z2[0] == pytest.approx(0.4708, abs=2.5e-4)  # line 436
    assert h2[0] == pytest.approx(0.6155, abs=2.5e-4)  # line 438 (the slide rounds z_c first)
    assert s.loss == pytest.approx(0.0739, abs=2.5e-4)  # line 443


@pytest.mark.parametrize("name,printed,line", [
    ("w5", -0.0533, 488), ("w6", -0.0535, 550), ("w1", -0.0010, 581),
    ("w3", -0.0036, 618), ("w2", -0.0030, 653), ("w4", -0.0108, 690)])
def test_seed002_221_gradients(name, printed, line):
    g = solved("seed002-2-2-1").bwd.grad_w
    l, j, k = W1[name]
    # the slides round every factor to 4 decimals; their last digit may differ by one
    assert g[l][j, k] == pytest.approx(printed, abs=1.5e-4), f"002 line {line}"


@pytest.mark.parametrize("name,printed,line", [
    ("w1", 0.1007, 711), ("w2", 0.5021, 713), ("w3", 0.4025, 715),
    ("w4", 0.3075, 717), ("w5", 0.2373, 720), ("w6", 0.6374, 722)])
def test_seed002_221_updates(name, printed, line):
    s = solved("seed002-2-2-1")
    l, j, k = W1[name]
    assert s.updated_w[l][j, k] == pytest.approx(printed, abs=1.5e-4), f"002 line {line}"


def test_seed002_221_numbered_notation_matches_the_slides():
    nt = examples.notation_of(examples.load("seed002-2-2-1"))
    for name, (l, j, k) in W1.items():
        assert nt.w(l, j, k) == "w_{%s}" % name[1:]


# ---- 002: 3-2-2 sigmoid net with biases, eta = 0.01 (lines 778-999) ---------------------------
def test_seed002_322_forward_and_loss():
    s = solved("seed002-3-2-2")
    h1, z2, h2 = s.fwd.h[1][0], s.fwd.z[1][0], s.fwd.h[2][0]
    assert h1 == pytest.approx([0.9866, 0.9950], abs=2.5e-4)  # lines 778, 782
    assert z2 == pytest.approx([2.086, 1.388], abs=1e-3)  # lines 784, 788 (1.3888 printed as 1.388)
    assert h2 == pytest.approx([0.8895, 0.8002], abs=2.5e-4)  # lines 786, 791
    assert s.loss == pytest.approx(0.5930, abs=5e-4)  # line 797 (slide rounds y first: exact 0.59324)
    assert s.loss_after == pytest.approx(0.5924, abs=5e-4)  # line 999
    assert s.loss_after < s.loss


@pytest.mark.parametrize("param,printed,line", [
    (("w", 1, 0, 0), 0.0764, 905), (("w", 1, 1, 0), 0.1182, 915), (("w", 1, 0, 1), 0.0771, 926),
    (("w", 1, 1, 1), 0.1192, 907), (("b", 1, 0), 0.0775, 909), (("b", 1, 1), 0.1198, 919)])
def test_seed002_322_output_layer_gradients(param, printed, line):
    """The output-layer gradients w7..w10, b3, b4 on the slide are right."""
    s = solved("seed002-3-2-2")
    g = s.bwd.grad_w[param[1]][param[2:]] if param[0] == "w" else s.bwd.grad_b[param[1]][param[2]]
    assert g == pytest.approx(printed, abs=1.5e-4), f"002 line {line}"


def test_seed002_322_hidden_gradient_slip_is_corrected():
    """Line 816 prints dE/dw1 = 0.0012, but its own two paths give
    0.7895*0.0982*0.7*0.0132*1.0 + 0.7502*0.1598*0.8*0.0132*1.0 = 0.00198 (seeds README, known slips)."""
    s = solved("seed002-3-2-2")
    slide_formula = 0.7895 * 0.0982 * 0.7 * 0.0132 * 1.0 + 0.7502 * 0.1598 * 0.8 * 0.0132 * 1.0
    assert s.bwd.grad_w[0][0, 0] == pytest.approx(slide_formula, rel=5e-3)
    assert s.bwd.grad_w[0][0, 0] != pytest.approx(0.0012, abs=2e-4)
    ps = paths_for(s, "weights", (0, 0, 0))
    assert len(ps) == 2  # through y1 and through y2 (line 816)
    assert [p.product for p in ps] == pytest.approx([0.7895 * 0.0982 * 0.7 * 0.0132, 0.7502 * 0.1598 * 0.8 * 0.0132], rel=5e-3)


# ---- 003_4a16a72bbe6aa4e4.txt: 2-2-1, sigmoid hidden, linear output, eta = 0.2 ----------------
@pytest.mark.parametrize("param,grad,new,line", [
    (("w", 1, 0, 0), 0.5663, 0.1867, 140), (("w", 1, 0, 1), 0.4961, 0.1008, 157), (("b", 1, 0), 1.17, 0.166, 173),
    (("w", 0, 0, 0), -0.028, 0.2056, 213), (("w", 0, 0, 1), -0.058, 0.1616, 227), (("b", 0, 0), 0.088, 0.0824, 240),
    (("w", 0, 1, 0), -0.018, 0.5036, 292), (("w", 0, 1, 1), -0.038, 0.6076, 294), (("b", 0, 1), 0.057, 0.2386, 296)])
def test_seed003_gradients_and_updates(param, grad, new, line):
    s = solved("seed003-2-2-1-linear")
    if param[0] == "w":
        g, n = s.bwd.grad_w[param[1]][param[2:]], s.updated_w[param[1]][param[2:]]
    else:
        g, n = s.bwd.grad_b[param[1]][param[2]], s.updated_b[param[1]][param[2]]
    # the notes round to 3 decimals (h = 0.484, 0.424, output 0.63)
    assert g == pytest.approx(grad, abs=2e-3), f"003 line {line}"
    assert n == pytest.approx(new, abs=5e-4), f"003 line {line}"


def test_seed003_forward():
    s = solved("seed003-2-2-1-linear")
    assert s.fwd.h[1][0] == pytest.approx([0.484, 0.424], abs=5e-4)  # lines 138, 155
    assert s.fwd.h[2][0, 0] == pytest.approx(0.63, abs=5e-3)  # line 112
    assert s.bwd.dL_dout[0, 0] == pytest.approx(1.17, abs=5e-3)  # line 130


# ---- 000_2cd8fe6da2b2ec30.txt: 4-4-2 sigmoid/softmax, squared error, eta = 1 ------------------
def test_seed000_forward():
    s = solved("seed000-4-4-2-softmax")
    assert s.fwd.z[0][0] == pytest.approx([2.9, 1.4, 2.1, 2.3], abs=1e-9)  # "a1 = W1 x" (no bias added)
    assert s.fwd.h[1][0] == pytest.approx([0.95, 0.80, 0.89, 0.91], abs=5e-3)  # h1 = sigmoid(a1)
    assert s.fwd.h[2][0] == pytest.approx([0.77, 0.23], abs=5e-3)  # yhat = softmax(a2), W2 filled in


def test_seed000_softmax_slip_is_corrected():
    """The notes keep one path per output for dL/dw212 = -0.46 * 0.1771 * 0.8 = -0.065 (3.d of
    "Partial Derivatives w.r.t. a"). yhat_2 depends on a_21 too, so a second path through yhat_2
    exists, and with squared error it doubles the gradient (seeds README, known slips)."""
    s = solved("seed000-4-4-2-softmax")
    ps = paths_for(s, "weights", (1, 0, 1))
    assert len(ps) == 2
    through_y1, through_y2 = ps
    y1 = s.fwd.h[2][0, 0]
    h12 = s.fwd.h[1][0, 1]
    assert through_y1.product == pytest.approx(-2 * (1 - y1) * y1 * (1 - y1) * h12)  # the notes' single path
    assert through_y1.product == pytest.approx(-0.065, abs=3e-3)
    assert through_y2.product == pytest.approx(through_y1.product)  # the dropped path is as large
    assert s.bwd.grad_w[1][0, 1] == pytest.approx(2 * through_y1.product)
    assert s.updated_w[1][0, 1] == pytest.approx(0.8 - 1.0 * s.bwd.grad_w[1][0, 1])


# ---- 001_c670dfeef01873bc.txt: one sigmoid neuron with binary cross-entropy -------------------
def test_seed001_bce_neuron_gradient_is_a_minus_y_times_x():
    """dJ/dw = (a - y) x^T and dJ/db = a - y ("Bwd" derivation)."""
    spec = examples.load("seed001-neuron-bce")
    s = engine.solve(spec)
    a, y, x = s.fwd.output[0, 0], spec.y[0, 0], spec.x[0]
    np.testing.assert_allclose(s.bwd.grad_w[0][0], (a - y) * x)
    assert s.bwd.grad_b[0][0] == pytest.approx(a - y)


def test_seed001_minibatch_uses_the_mean_gradient():
    """w' = w - alpha (1/n) sum_i (a_i - y_i) x_i^T ("When you have many points")."""
    spec = examples.load("seed001-minibatch")
    s = engine.solve(spec)
    a, y, X = s.fwd.output[:, 0], spec.y[:, 0], spec.x
    mean_g = ((a - y)[:, None] * X).mean(axis=0)
    np.testing.assert_allclose(s.updated_w[0][0], spec.weights[0][0] - spec.learning_rate * mean_g)
    assert s.updated_b[0][0] == pytest.approx(spec.biases[0][0] - spec.learning_rate * (a - y).mean())
