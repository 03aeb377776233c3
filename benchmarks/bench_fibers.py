"""Fiber of a generic (2, 6, 1) network: 720 components (docs/mathematics.md B3) in under 5 s, including the sympy proof
of one.

Time split: enumeration (canonical data + valid orientation sets), construction (720 sympy systems with their
parametrisations), verification (one component, region by region, sympy), membership of θ.  Baseline measured in the
same run: the same algorithm in float64 numpy (orientation sets by floating subset sums with a tolerance, the 720
component points as arrays, "verification" by comparing outputs at random inputs) — fast, but it decides nothing.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from exactrelu import random_network
from exactrelu.theory.equality.shallow import canonical_data
from exactrelu.theory.fibers.shallow import roles_of, shallow_fiber


def _float_baseline(net, reps: int = 1) -> dict[str, float]:
    hid, out = net.layers
    W1 = np.array([[float(v) for v in r] for r in hid.weights])
    b1 = np.array([float(v) for v in hid.biases])
    W2 = np.array([[float(v) for v in r] for r in out.weights])
    b2 = np.array([float(v) for v in out.biases])
    t0 = time.perf_counter()
    lam = np.abs(W1[:, 0])
    o = np.sign(W1[:, 0])
    a = W1 / (o * lam)[:, None]
    t = b1 / (o * lam)
    C = W2 * lam[None, :]
    A_R = -(C[:, o < 0] @ a[o < 0]).reshape(-1)
    n = len(b1)
    sets = [S for r in range(n + 1) for S in itertools.combinations(range(n), r)
            if np.allclose(A_R + sum((np.outer(C[:, j], a[j]).reshape(-1) for j in S), np.zeros_like(A_R)), 0)]
    t1 = time.perf_counter()
    beta = b2 + W2[:, o < 0] @ b1[o < 0]
    points = []
    for S in sets:
        oS = np.array([-1.0 if j in S else 1.0 for j in range(n)])
        b2S = beta + sum((C[:, j] * t[j] for j in S), np.zeros_like(b2))
        for perm in itertools.permutations(range(n)):
            p = list(perm)
            points.append((oS[p, None] * a[p], oS[p] * t[p], C[:, p], b2S))
    t2 = time.perf_counter()
    X = np.random.default_rng(0).standard_normal((64, W1.shape[1])) * 3
    f = np.maximum(X @ W1.T + b1, 0) @ W2.T + b2
    Wa, ba, Wb, bb = points[0]
    g = np.maximum(X @ Wa.T + ba, 0) @ Wb.T + bb
    ok = bool(np.allclose(f, g))
    t3 = time.perf_counter()
    return {"enumeration": t1 - t0, "construction": t2 - t1, "verification": t3 - t2, "components": len(points),
            "float_check": ok}


def main(peers: bool = False) -> dict:
    net = random_network((2, 6, 1), seed=0)
    t0 = time.perf_counter()
    data = canonical_data(net)
    roles = roles_of(data, 6)
    t1 = time.perf_counter()
    fib = shallow_fiber(net)
    t2 = time.perf_counter()
    ver = fib.verify(0)
    t3 = time.perf_counter()
    member = fib.contains(net)
    t4 = time.perf_counter()
    exact = {"enumeration": t1 - t0, "construction": t2 - t1 - (t1 - t0), "verification": t3 - t2,
             "membership": t4 - t3, "total": t4 - t0}
    assert len(fib.components) == math.factorial(6) * len(roles) == 720 and ver.ok and member
    base = _float_baseline(net)
    base_total = base["enumeration"] + base["construction"] + base["verification"]
    print(f"generic (2,6,1): {len(fib.components)} components of dimension {fib.dimension}, "
          f"{ver.checks[0]['regions']} regions in the verification")
    for key in ("enumeration", "construction", "verification", "membership", "total"):
        ref = base.get(key, base_total if key == "total" else None)
        ratio = f"  ({exact[key] / ref:8.2f}x float64 numpy)" if ref else ""
        print(f"  {key:13s} exact {1000 * exact[key]:9.1f} ms{ratio}")
    print(f"  float64 baseline total {base_total:.4f} s ({base['components']} component points, "
          f"sampled-output check {'passed' if base['float_check'] else 'failed'}; decides nothing exactly)")
    print(f"  target < 5 s: {'met' if exact['total'] < 5 else 'MISSED'}")
    return {"exact_seconds": exact, "float64_seconds": {k: base[k] for k in ("enumeration", "construction",
                                                                             "verification")},
            "components": len(fib.components), "ratio_total": exact["total"] / base_total,
            "target_met": exact["total"] < 5}


if __name__ == "__main__":
    main()
