"""Chain-rule paths from a parameter to the loss, factor by factor.

A path from w^(l)_{jk} (or b^(l)_j) visits one neuron per later layer, n_l = j, n_{l+1}, ..., n_L,
and ends at an output m. For an elementwise output layer m = n_L; through a softmax layer
z_i reaches the loss through every output h_m, so each m is its own path. Factors, from the loss
back to the parameter:

    dL/dh^(L)_m * dh^(L)_m/dz^(L)_{n_L} * dz^(L)_{n_L}/dh^(L-1)_{n_{L-1}} * ... * dh^(l)_j/dz^(l)_j * dz^(l)_j/dw

The products of a parameter's paths sum to its gradient for that sample.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from exgen import limits
from exgen.core.refs import parameters as _parameters
from exgen.core.solve import Solution
from exgen.core.functions import ACTIVATIONS
from exgen.core.notation import DEFAULT, Notation
from exgen.core.spec import Spec


@dataclass
class Factor:
    symbol: str
    value: float


@dataclass
class Path:
    factors: list[Factor]

    @property
    def product(self) -> float:
        p = 1.0
        for f in self.factors:
            p *= f.value
        return p


def parameters(sol: Solution):
    """Every parameter as (kind, index): weights (l, j, k), then biases (l, j), layer by layer."""
    return _parameters(sol.spec.layers, sol.spec.biases is not None)


def ordered_parameters(sol: Solution, nt: Notation):
    """Parameters in the order their names print: w1, w2, ... for numbered notation."""
    params = list(parameters(sol))
    if nt.weights != "numbered":
        return params
    return sorted(params, key=lambda p: (p[0] == "biases", nt.edge_number(*p[1]) if p[0] == "weights"
                                         else nt.bias_number(*p[1])))


def count(spec: Spec, param: tuple[str, tuple[int, ...]] | None = None) -> int:
    """The number of chain-rule paths that listing would make, computed without listing them:
    of every parameter (or of `param` only), for every sample."""
    softmax = not ACTIVATIONS[spec.activations[-1]].elementwise
    if param is None:
        per_sample = limits.network_paths(spec.layers, softmax, spec.biases is not None)
    else:
        per_sample = limits.parameter_paths(spec.layers, param[1][0], softmax)
    return per_sample * spec.x.shape[0]


def check_count(spec: Spec, param: tuple[str, tuple[int, ...]] | None = None, hint: str = "") -> None:
    """Refuse to list more than limits.MAX_PATHS paths, before listing any (they grow as the
    product of the layer widths)."""
    what = "chain-rule paths to list" + ("" if param is None else " for this parameter")
    limits.check(what, count(spec, param), limits.MAX_PATHS, spec.source or None, None, hint)


def routes(spec: Spec, l: int, j: int) -> list[tuple[tuple[int, ...], int]]:
    """The routes of the paths from a parameter of weight layer `l` feeding neuron `j` of layer
    l+1, in the order `paths_for` lists them: (neurons, m), neurons[i - l] the neuron of layer
    i+1 (i = l..L-1, 0-based), m the output h^(L)_m the path leaves by (= neurons[-1] unless the
    output layer is a softmax)."""
    L = spec.n_layers
    later = [range(spec.layers[i + 1]) for i in range(l + 1, L)]  # neurons of layers l+2..L
    softmax_out = not ACTIVATIONS[spec.activations[-1]].elementwise
    return [((j, *route), m) for route in itertools.product(*later)
            for m in (range(spec.layers[-1]) if softmax_out else ((j, *route)[-1],))]


def route_names(spec: Spec, nt: Notation, l: int, j: int, n: int) -> list[str]:
    """The neurons that tell path `n` of a parameter of weight layer `l` (feeding neuron j of
    layer l+1) from its other paths, as LaTeX symbols: h of each later layer, and for a softmax
    output z^(L) of the neuron the path enters and h^(L) of the output it leaves by."""
    neurons, m = routes(spec, l, j)[n]
    L = spec.n_layers
    names = [nt.h(i + 1, neurons[i - l]) for i in range(l + 1, L)]
    if not ACTIVATIONS[spec.activations[-1]].elementwise:
        names[-1:] = [nt.z(L, neurons[-1]), nt.h(L, m)]
    return names


def paths_for(sol: Solution, kind: str, index: tuple[int, ...], sample: int = 0,
              nt: Notation = DEFAULT) -> list[Path]:
    """All chain-rule paths of one parameter for one sample."""
    spec, fwd, L = sol.spec, sol.fwd, sol.spec.n_layers
    l, j = index[0], index[1]  # the parameter feeds neuron j of layer l+1 (1-based layer l+1)
    h = [hl[sample] for hl in fwd.h]  # h[l]: (n_l,)
    J = [ACTIVATIONS[a].jacobian(fwd.z[i][sample:sample + 1], fwd.h[i + 1][sample:sample + 1])[0]
         for i, a in enumerate(spec.activations)]  # J[i]: (n, n) dh_m/dz_i of layer i+1
    dL_dout = sol.bwd.dL_dout[sample]  # (n_L,)

    if kind == "weights":
        k = index[2]
        local = Factor(nt.d(nt.z(l + 1, j), nt.w(l, j, k)), float(h[l][k]))
    else:
        local = Factor(nt.d(nt.z(l + 1, j), nt.b(l, j)), 1.0)

    paths = []
    for neurons, m in routes(spec, l, j):
        out = neurons[-1]
        factors = [Factor(nt.d("L", nt.h(L, m)), float(dL_dout[m])),
                   Factor(nt.d(nt.h(L, m), nt.z(L, out)), float(J[L - 1][m, out]))]
        for i in range(L - 1, l, -1):  # layer i+1 back to layer i
            to, frm = neurons[i - l], neurons[i - l - 1]
            factors.append(Factor(nt.d(nt.z(i + 1, to), nt.h(i, frm)), float(spec.weights[i][to, frm])))
            factors.append(Factor(nt.d(nt.h(i, frm), nt.z(i, frm)), float(J[i - 1][frm, frm])))
        factors.append(local)
        paths.append(Path(factors))
    return paths
