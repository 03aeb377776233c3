"""Region enumeration speed: exact ``regions()`` (walk and split) vs a float64 numpy + scipy ``linprog`` implementation
of the same layer-by-layer splitting, measured in the same run on the same seeded networks (issue 3).

Figures: regions, seconds, regions/s, exact cdd calls per region (LPs + canonicalisations + double descriptions) and
floating-point proposals per region (d >= 3; certified exactly), the ratio exact / float64, the ratio to the 100
regions/s the issue quotes for relucent, and the memory the complex keeps per region on a small and a large network
(linear in the number of regions means a flat figure).  ``--peers`` runs the optional ``relucent`` package on the
same networks (``make bench-peers`` installs it; skipped with the reason when it cannot be imported or its Gurobi
licence refuses the model size).
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from exactrelu import random_network
from exactrelu.engines import cddlib as _cdd
from exactrelu.geometry.regions import regions

ARCHS = [(2, 16, 16, 1), (2, 64, 1), (4, 12, 12, 1), (3, 10, 10, 10, 1)]
#: The float64 run stops after max(this, 2 x the exact walk time) seconds (capped at 900 s).
FLOAT_BUDGET = float(os.environ.get("EXACTRELU_BENCH_FLOAT_BUDGET", "150"))
#: The issue's measured rate of the peer package relucent (70-100 regions/s); the target is 10x its upper end.
RELUCENT_QUOTED = 100.0
#: --peers runs relucent (benchmarks/peer_relucent.py) on networks up to this many regions
RELUCENT_MAX = int(os.environ.get("EXACTRELU_BENCH_RELUCENT_MAX_REGIONS", "10000"))


def _slack_lp(A: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray] | None:
    """max t s.t. b + A x >= t, t <= 1 (scipy HiGHS, float64); returns (t, x) or None if t <= 1e-9."""
    from scipy.optimize import linprog

    n, d = A.shape
    c = np.zeros(d + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-A, np.ones((n, 1))]) if n else np.zeros((0, d + 1))
    res = linprog(c, A_ub=A_ub, b_ub=b if n else None, bounds=[(None, None)] * d + [(None, 1.0)], method="highs")
    if res.status != 0 or -res.fun <= 1e-9:
        return None
    return -res.fun, res.x[:d]


def float_split(net: Any, deadline: float) -> tuple[int, int, bool]:
    """The same splitting enumeration in float64; returns (regions, LPs, finished before the deadline)."""
    layers = [(np.array([[float(v) for v in r] for r in L.weights]), np.array([float(v) for v in L.biases]))
              for L in net.layers]
    d = net.input_dim
    cells = [(np.zeros((0, d)), np.zeros(0), np.zeros(d), np.eye(d), np.zeros(d))]  # A, b, point, post M, post v
    lps = 0
    for W, bias in layers[:-1]:
        new = []
        for A, b, p, M, v in cells:
            Z, z0 = W @ M, W @ v + bias
            sub = [(A, b, p, [])]
            for i in range(len(z0)):
                nxt = []
                for A2, b2, p2, s in sub:
                    val = Z[i] @ p2 + z0[i]
                    sg = 1 if val > 0 else -1
                    other_A, other_b = -sg * Z[i], -sg * z0[i]
                    res = _slack_lp(np.vstack([A2, other_A]), np.append(b2, other_b))
                    lps += 1
                    if res is None:
                        nxt.append((A2, b2, p2, s + [sg]))
                    else:
                        nxt.append((np.vstack([A2, sg * Z[i]]), np.append(b2, sg * z0[i]), p2, s + [sg]))
                        nxt.append((np.vstack([A2, other_A]), np.append(b2, other_b), res[1], s + [-sg]))
                    if time.perf_counter() > deadline:
                        return 0, lps, False
                sub = nxt
            for A2, b2, p2, s in sub:
                mask = np.array(s) > 0
                new.append((A2, b2, p2, Z * mask[:, None], z0 * mask))
        cells = new
    return len(cells), lps, True


def _exact(net: Any, method: str) -> tuple[int, float, int, dict[str, int]]:
    """(regions, seconds, exact cdd calls, per-kind call counts including the float proposals)."""
    before = dict(_cdd.STATS)
    t0 = time.perf_counter()
    C = regions(net, method=method)
    dt = time.perf_counter() - t0
    diff = {k: _cdd.STATS[k] - before[k] for k in before}
    exact = diff["lp"] + diff["canonicalize"] + diff["dd"]
    return len(C.regions), dt, exact, diff


def retained_bytes_per_region(arch: tuple[int, ...]) -> tuple[int, float]:
    """(regions, bytes kept alive by the complex per region), measured with tracemalloc (a separate, slower run)."""
    import gc
    import tracemalloc

    net = random_network(arch, seed=0)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    C = regions(net)
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return len(C.regions), kept / len(C.regions)


def main(peers: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for arch in ARCHS:
        net = random_network(arch, seed=0)
        n, t_walk, calls, kinds = _exact(net, "walk")
        row: dict[str, Any] = {"regions": n, "walk_seconds": round(t_walk, 3),
                               "walk_regions_per_s": round(n / t_walk, 1),
                               "exact_cdd_calls_per_region": round(calls / n, 2),
                               "float_proposals_per_region": round(kinds["float_dd"] / n, 2),
                               "vs_relucent_quoted_100_per_s": round(n / t_walk / RELUCENT_QUOTED, 1)}
        n2, t_split, calls2, _ = _exact(net, "split")
        assert n2 == n
        row.update({"split_seconds": round(t_split, 3), "split_regions_per_s": round(n / t_split, 1),
                    "split_cdd_calls_per_region": round(calls2 / n, 2)})
        budget = min(max(FLOAT_BUDGET, 2 * t_walk), 900.0)
        t0 = time.perf_counter()
        nf, lps, done = float_split(net, t0 + budget)
        tf = time.perf_counter() - t0
        if done:
            assert nf == n, (nf, n)  # float64 found the same number of regions here
            row.update({"float64_seconds": round(tf, 3), "float64_regions_per_s": round(nf / tf, 1),
                        "float64_lps_per_region": round(lps / nf, 2), "walk_vs_float64": round(tf / t_walk, 2)})
        else:  # did not finish within the budget: the exact walk is at least budget / t_walk times faster
            row.update({"float64_seconds": f"> {round(tf, 1)} (stopped)", "float64_regions_per_s": None,
                        "walk_vs_float64": f">= {round(tf / t_walk, 2)}"})
        if peers:  # relucent on the nearest float64 network (these have entries such as 1/3)
            from benchmarks import peer_relucent

            rl = (peer_relucent.count_regions(net, allow_rounding=True) if n <= RELUCENT_MAX else
                  {"skipped": f"{n} regions > EXACTRELU_BENCH_RELUCENT_MAX_REGIONS={RELUCENT_MAX}"})
            row["relucent"] = rl
            if "regions" in rl:
                row["walk_vs_relucent_wall"] = round(rl["seconds"] / t_walk, 1)
            print(f"{arch}: relucent {rl}", flush=True)
        out[str(arch)] = row
        print(f"{arch}: {n} regions; exact walk {row['walk_regions_per_s']}/s ({row['exact_cdd_calls_per_region']} "
              f"exact cdd calls + {row['float_proposals_per_region']} float proposals /region; "
              f"{row['vs_relucent_quoted_100_per_s']}x relucent's quoted 100/s), exact split "
              f"{row['split_regions_per_s']}/s; float64 scipy {row['float64_seconds']} s; "
              f"walk/float64 = {row['walk_vs_float64']}x", flush=True)
    mem = {}
    for arch in [(3, 6, 6, 1), (3, 10, 10, 10, 1)]:
        n, per = retained_bytes_per_region(arch)
        mem[str(arch)] = {"regions": n, "bytes_per_region": round(per)}
        print(f"memory {arch}: {n} regions, {per / 1024:.1f} KiB kept per region (tracemalloc)", flush=True)
    out["memory"] = mem
    return out


if __name__ == "__main__":
    main()
