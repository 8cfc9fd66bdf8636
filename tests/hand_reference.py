"""An independent reference for the engine's hooks: one network computed the way a student does it
on paper, neuron by neuron with Python floats (no NumPy), rounding what they write down, using
their own earlier values where given, and making one classic slip if asked.

hand(d, decimals, slip, overrides) -> {solution ref: value} for forward values, loss, gradients,
updates and loss after (not path products). `d` is a spec dict.
"""
import math


def _rounder(decimals):
    if decimals is None:
        return lambda v: v
    if decimals < 0:  # chop to -decimals places (a nudge of 1e-9 forgives float noise like 0.58689999...)
        f = 10.0 ** -decimals
        return lambda v: math.trunc(v * f + math.copysign(1e-9, v) * (v != 0)) / f if math.isfinite(v) else v
    f = 10.0 ** decimals  # halves to even on the scaled value, as np.round does (0.0745 -> 0.074)
    return lambda v: round(v * f) / f if math.isfinite(v) else v


def _act(name, z):
    if name == "sigmoid":
        return [1 / (1 + math.exp(-v)) for v in z]
    if name == "tanh":
        return [math.tanh(v) for v in z]
    if name == "relu":
        return [max(v, 0.0) for v in z]
    if name == "linear":
        return list(z)
    e = [math.exp(v - max(z)) for v in z]  # softmax
    return [v / sum(e) for v in e]


def _log(v):
    return math.log(v) if v > 0 else (-math.inf if v == 0 else math.nan)  # as on a calculator with infinities


def _div(a, b):
    return a / b if b != 0 else (math.copysign(math.inf, a) if a != 0 else math.nan)


def _loss(name, p, y):
    K = len(p)
    if name == "half_sse":
        return 0.5 * sum((a - b) ** 2 for a, b in zip(y, p)), [b - a for a, b in zip(y, p)]
    if name == "sse":
        return sum((a - b) ** 2 for a, b in zip(y, p)), [2 * (b - a) for a, b in zip(y, p)]
    if name == "mse":
        return sum((a - b) ** 2 for a, b in zip(y, p)) / K, [2 * (b - a) / K for a, b in zip(y, p)]
    if name == "bce":
        return (-sum(a * _log(b) + (1 - a) * _log(1 - b) for a, b in zip(y, p)),
                [_div(b - a, b * (1 - b)) for a, b in zip(y, p)])
    return -sum(a * _log(b) for a, b in zip(y, p)), [_div(-a, b) for a, b in zip(y, p)]  # cross_entropy


def _jacobian(act, z, h, slip, rd):
    """J[m][i] = dh_m/dz_i of one layer for one sample, as the student writes it."""
    n = len(z)
    if slip == "derivative_dropped":
        diag = [1.0] * n
    elif act == "sigmoid" and slip == "sigma_for_derivative":
        diag = [rd(v) for v in h]
    elif act == "sigmoid" and slip == "h_z_swapped":
        diag = [rd(v * (1 - v)) for v in z]
    elif act == "softmax" and slip != "softmax_elementwise":
        return [[rd(h[m] * ((m == i) - h[i])) for i in range(n)] for m in range(n)]
    else:
        diag = [rd({"sigmoid": h[i] * (1 - h[i]), "softmax": h[i] * (1 - h[i]), "tanh": 1 - h[i] ** 2,
                    "relu": float(z[i] > 0), "linear": 1.0}[act]) for i in range(n)]
    return [[diag[i] if m == i else 0.0 for i in range(n)] for m in range(n)]


def hand(d, decimals=None, slip=None, overrides=None):
    rd, ov, out = _rounder(decimals), overrides or {}, {}
    batched = isinstance(d["x"][0], list)
    X, Y = (d["x"], d["y"]) if batched else ([d["x"]], [d["y"]])
    B, L, acts, eta = len(X), len(d["layers"]) - 1, d["activations"], d["learning_rate"]
    W0, b0 = d["weights"], d["biases"]

    def put(ref, v):
        """Write v down, or the student's own value for it if they gave one."""
        u = ov.get(ref, math.nan)
        out[ref] = v if math.isnan(u) else u
        return out[ref]

    def fref(l, arr, s, j):
        return f"/forward/{l}/{arr}/{s}/{j}" if batched else f"/forward/{l}/{arr}/{j}"

    def forward(W, b, write):
        zs, hs = [], []  # per sample: z[l][j], h[l][j] with h[0] = x
        for s in range(B):
            h, z = [list(X[s])], []
            for l in range(L):
                zl = [rd(sum(h[l][k] * W[l][j][k] for k in range(len(h[l]))) + (b[l][j] if b else 0.0))
                      for j in range(len(W[l]))]
                zl = [put(fref(l, "z", s, j), v) for j, v in enumerate(zl)] if write else zl
                hl = [rd(v) for v in _act(acts[l], zl)]
                hl = [put(fref(l, "h", s, j), v) for j, v in enumerate(hl)] if write else hl
                z.append(zl)
                h.append(hl)
            zs.append(z)
            hs.append(h)
        return zs, hs

    over_batch = {"batch_sum": lambda vs: sum(vs), "first_sample": lambda vs: vs[0]}.get(
        slip, lambda vs: sum(vs) / len(vs))
    loss = {"half_sse": "sse", "sse": "half_sse"}.get(d["loss"], d["loss"]) if slip == "sse_factor" else d["loss"]
    zs, hs = forward(W0, b0, True)
    per = [_loss(loss, hs[s][L], Y[s]) for s in range(B)]
    out["/loss"] = rd(over_batch([p[0] for p in per]))
    up = [[rd(v) for v in p[1]] for p in per]  # per sample dE/dh of the current layer
    gw, gb = [None] * L, [None] * L
    for l in reversed(range(L)):
        n, n_in = len(W0[l]), len(W0[l][0])
        delta = []
        for s in range(B):
            J = _jacobian(acts[l], zs[s][l], hs[s][l + 1], slip, rd)
            delta.append([rd(sum(up[s][m] * J[m][i] for m in range(n))) for i in range(n)])
        inp = [zs[s][l - 1] if slip == "z_for_h" and l > 0 else hs[s][l] for s in range(B)]
        gw[l] = [[put(f"/gradients/weights/{l}/{j}/{k}", rd(over_batch([delta[s][j] * inp[s][k] for s in range(B)])))
                  for k in range(n_in)] for j in range(n)]
        gb[l] = [put(f"/gradients/biases/{l}/{j}", rd(over_batch([delta[s][j] for s in range(B)])))
                 if b0 else None for j in range(n)]
        Wb = [[W0[l][j][k] - eta * gw[l][j][k] if slip == "updated_in_backward" else W0[l][j][k]
               for k in range(n_in)] for j in range(n)]
        up = [[rd(sum(delta[s][j] * Wb[j][k] for j in range(n))) for k in range(n_in)] for s in range(B)]
    step = (1.0 if slip == "update_no_eta" else eta) * (-1.0 if slip == "update_wrong_sign" else 1.0)
    uw = [[[put(f"/updated/weights/{l}/{j}/{k}", rd(W0[l][j][k] - step * gw[l][j][k]))
            for k in range(len(W0[l][0]))] for j in range(len(W0[l]))] for l in range(L)]
    ub = [[put(f"/updated/biases/{l}/{j}", rd(b0[l][j] - step * gb[l][j])) for j in range(len(b0[l]))]
          for l in range(L)] if b0 else None
    _, hs_after = forward(uw, ub, False)
    out["/loss_after"] = rd(sum(_loss(d["loss"], hs_after[s][L], Y[s])[0] for s in range(B)) / B)
    return out
