"""Benchmark (not a test): the engine on many networks at once against one network at a time.

Random 3-3-2 sigmoid networks with biases, half_sse loss, one sample each. Solving a network is
everything a student computes: forward pass, loss, gradients, one SGD step, the loss after it.

  batched  exgen.core.engine.run on all --networks networks in one call (best of --repeat);
  loop     the same engine called once per network, on the first --loop networks (best of
           --repeat), extrapolated to networks/s.
Both in one process and run, float64. The batched results are checked against the loop's.

    python benchmarks/bench_engine.py [--networks 1000000] [--loop 2000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exgen.core.engine import Nets, run  # noqa: E402


def random_nets(n: int, seed: int = 0) -> Nets:
    rng = np.random.default_rng(seed)
    return Nets((3, 3, 2), ("sigmoid", "sigmoid"), "half_sse", False,
                x=rng.uniform(-1, 1, (n, 1, 3)),  # (N, B=1, 3)
                y=rng.uniform(0, 1, (n, 1, 2)),  # (N, 1, 2)
                W=[rng.uniform(-1, 1, (n, 3, 3)), rng.uniform(-1, 1, (n, 2, 3))],  # (N, 3, 3), (N, 2, 3)
                b=[rng.uniform(-1, 1, (n, 3)), rng.uniform(-1, 1, (n, 2))],  # (N, 3), (N, 2)
                eta=np.full(n, 0.5))  # (N,)


def best(f, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        out = None
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--networks", type=int, default=1_000_000)
    ap.add_argument("--loop", type=int, default=2000, help="networks solved one at a time")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    nets = random_nets(args.networks)
    t_batch, res = best(lambda: run(nets), args.repeat)
    n_loop = min(args.loop, args.networks)
    one = [nets.take(slice(i, i + 1)) for i in range(n_loop)]
    t_loop, singles = best(lambda: [run(net) for net in one], args.repeat)
    for name in ("loss", "loss_after"):
        got = np.concatenate([getattr(s, name) for s in singles])
        assert np.allclose(got, getattr(res, name)[:n_loop], rtol=1e-12, atol=0), name
    for l in range(2):
        got = np.concatenate([s.uw[l] for s in singles])
        assert np.allclose(got, res.uw[l][:n_loop], rtol=1e-12, atol=1e-15)
    rate, rate_loop = args.networks / t_batch, n_loop / t_loop
    print(f"3-3-2 sigmoid networks with biases, half_sse, float64; best of {args.repeat}")
    print(f"  batched: {args.networks:,} networks in one call: {t_batch:.3f} s = {rate:,.0f} networks/s"
          f"  (target >= 1,000,000)")
    print(f"  loop:    {n_loop:,} networks one at a time:  {t_loop:.3f} s = {rate_loop:,.0f} networks/s")
    print(f"  ratio batched / loop: {rate / rate_loop:,.0f}x  (target >= 50x)")


if __name__ == "__main__":
    main()
