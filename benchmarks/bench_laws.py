"""Law counts of 50 random ReLU networks (depth 2-4, widths 2-9, with and without biases) on Dask.

Reproduces the kind of sweep of the Conservation_laws study of Marcotte, Gribonval and Peyré (SageMath, reported at
1 h 53 min on 64 cores for 50 networks) on this machine: each network's independent local laws are counted exactly
(``count_conservation_laws(generators="paths")``: the MGP generators, certified when the evaluated Lie trace meets
the proved laws), one Dask task per network on a LocalCluster (or ``BENCH_SCHEDULER=tcp://...``).  Printed: the
total wall time, each network's time against D, how many counts were certified, and how many equal N_h (MGP: for
ReLU MLPs where every neuron is active somewhere, the count is N_h).  Baseline in the same run: the same counts
serially in this process for the first 10 networks (the Dask speed-up).
"""

from __future__ import annotations

import os
import random
import time
from typing import Any


def networks(n: int = 50, seed: int = 0) -> list[tuple[tuple[int, ...], int, bool]]:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        depth = rng.randint(2, 4)
        widths = tuple(rng.randint(2, 9) if depth == 2 else rng.randint(2, 5) for _ in range(depth))
        out.append(((2, *widths, 1), k, k % 2 == 0))
    return out


def count_one(spec: tuple[tuple[int, ...], int, bool]) -> dict[str, Any]:
    from exactrelu import Network, random_network
    from exactrelu.theory.dynamics import count_conservation_laws

    arch, seed, bias = spec
    net = random_network(arch, seed=seed)
    if not bias:
        net = Network.from_lists([(layer.weights, [0] * len(layer.biases)) for layer in net.layers])
    t0 = time.perf_counter()
    res = count_conservation_laws(net, biases=bias, generators="paths", max_seconds=120)
    return {"arch": arch, "bias": bias, "D": res.parameters, "N_h": net.num_hidden, "count": res.count,
            "certified_by": res.certified_by, "seconds": time.perf_counter() - t0}


def main(peers: bool = False) -> dict[str, Any]:
    from dask.distributed import Client, LocalCluster

    specs = networks()
    addr = os.environ.get("BENCH_SCHEDULER")
    t0 = time.perf_counter()
    if addr:
        client, cluster = Client(addr), None
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        rows = client.gather(client.map(count_one, specs, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    wall = time.perf_counter() - t0
    t1 = time.perf_counter()
    serial = [count_one(s) for s in specs[:10]]
    serial_wall = time.perf_counter() - t1
    dask_first10 = sum(r["seconds"] for r in rows[:10])
    print(f"{'architecture':<22} {'bias':>5} {'D':>5} {'N_h':>4} {'laws':>5} {'seconds':>8}  certified by")
    for r in rows:
        print(f"{str(r['arch']):<22} {str(r['bias']):>5} {r['D']:>5} {r['N_h']:>4} {str(r['count']):>5} "
              f"{r['seconds']:>8.2f}  {r['certified_by']}")
    certified = sum(r["count"] is not None for r in rows)
    equal = sum(r["count"] == r["N_h"] for r in rows)
    print(f"50 networks on Dask (2 workers): {wall:.1f} s wall (target < 600 s); {certified}/50 counts certified; "
          f"{equal}/50 equal N_h; serial baseline on the first 10: {serial_wall:.1f} s (their Dask task time "
          f"{dask_first10:.1f} s)")
    assert all(a["count"] == b["count"] for a, b in zip(rows[:10], serial, strict=True))
    return {"wall_seconds": wall, "certified": certified, "equal_N_h": equal, "rows": rows,
            "serial_first10_seconds": serial_wall}


if __name__ == "__main__":
    main()
