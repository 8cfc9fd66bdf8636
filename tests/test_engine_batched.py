"""The batched engine read at solution refs (as grading reads it) agrees with the solution object
(`solve`, with the chain-rule paths of exgen.core.paths) on every value a key can ask for, and the
networks stacked along its network axis are computed independently."""
import math

from hypothesis import HealthCheck, given, settings

from exgen.core import solve as engine

from exgen.core import solution
from exgen.core import Nets, run

from test_paths import specs


def numeric_refs(sol: dict):
    """Every (ref, value) a key could point at: forward z/h, loss, gradients, updates, path products."""
    def walk(node, ref):
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, f"{ref}/{i}")
        elif isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, f"{ref}/{k}")
        elif isinstance(node, float):
            yield ref, node
    for top in ("forward", "gradients", "updated"):
        yield from walk(sol[top], f"/{top}")
    yield "/loss", sol["loss"]
    yield "/loss_after", sol["loss_after"]
    for i, entry in enumerate(sol["paths"]):
        for p, path in enumerate(entry["paths"]):
            yield f"/paths/{i}/paths/{p}/product", path["product"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_engine_at_every_ref_equals_the_solution(spec):
    sol = solution.to_dict(engine.solve(spec))
    calc = run(Nets.of([spec.to_dict()]))
    refs = list(numeric_refs(sol))
    assert refs
    for ref, value in refs:
        got = float(calc.value(ref)[0])
        assert math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-12), ref


@settings(max_examples=30, deadline=None)
@given(specs())
def test_engine_stacks_networks_independently(spec):
    """Two copies stacked give the same values as one (no cross-talk along the N axis)."""
    one = run(Nets.of([spec.to_dict()]))
    two = run(Nets.of([spec.to_dict(), spec.to_dict()]))
    for ref, _ in numeric_refs(solution.to_dict(engine.solve(spec))):
        a, b = one.value(ref), two.value(ref)
        assert math.isclose(float(a[0]), float(b[1]), rel_tol=1e-12, abs_tol=1e-15), ref
