"""Pattern-variety dimensions of every pattern pair of (4,4,4) (docs/mathematics.md H3), against a dense sympy baseline.

The package path (:func:`exactrelu.pattern_variety`): for each of the 16 x 16 = 256 ordered pairs of subsets of the 4
hidden neurons, the certified dimension (modular Jacobian rank at random integer weights as the lower bound; block
formula, symmetry count and tangent bound of the rank constraints as upper bounds) — and the same for the 22 pairs up
to relabelling and swapping.

Baseline, in the same run on the 22 representatives: the textbook computation with sympy — the parametrisation as
products of symbolic matrices, ``Matrix.jacobian``, substitution of random integers and ``Matrix.rank`` — which
gives one rank at one point (a lower bound without a certificate); its time per pair is extrapolated to the 256 pairs.
"""

from __future__ import annotations

import itertools
import random
import time

import sympy as sp

from exactrelu import pattern_variety
from exactrelu.theory.varieties import pattern_sets

ARCH = (4, 4, 4)


def _sympy_rank(arch: tuple[int, int, int], pats: tuple, seed: int) -> int:
    W1 = sp.Matrix(arch[1], arch[0], lambda i, j: sp.Symbol(f"a{i}_{j}"))
    W2 = sp.Matrix(arch[2], arch[1], lambda i, j: sp.Symbol(f"b{i}_{j}"))
    syms = list(W1) + list(W2)
    entries = []
    for (A,) in pats:
        entries += list(W2 * sp.diag(*[1 if j in A else 0 for j in range(arch[1])]) * W1)
    J = sp.Matrix(entries).jacobian(syms)
    rng = random.Random(seed)
    return J.xreplace({s: sp.Integer(rng.randint(-2**20, 2**20) or 1) for s in syms}).rank()


def main(peers: bool = False) -> dict:
    subsets = [frozenset(s) for r in range(ARCH[1] + 1) for s in itertools.combinations(range(ARCH[1]), r)]
    t0 = time.perf_counter()
    all_pairs = [pattern_variety(ARCH, [(a,), (b,)]) for a in subsets for b in subsets]
    t_all = time.perf_counter() - t0
    reps = pattern_sets(ARCH, 2)
    t0 = time.perf_counter()
    rep_vars = [pattern_variety(ARCH, ps) for ps in reps]
    t_reps = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = [_sympy_rank(ARCH, ps, 0) for ps in reps]
    t_base = time.perf_counter() - t0
    assert all(v.proved for v in all_pairs + rep_vars)
    assert base == [v.dimension for v in rep_vars], "the sympy baseline disagrees with the certified dimension"
    dims = sorted({v.dimension for v in all_pairs})
    defects = sum(1 for v in all_pairs if v.defect)
    per_base = t_base / len(reps)
    print(f"{'(4,4,4) pattern pairs':>24} {'pairs':>6} {'proved':>6} {'seconds':>8} {'ms/pair':>8}")
    print(f"{'exactrelu, all ordered':>24} {len(all_pairs):>6} {len(all_pairs):>6} {t_all:>8.2f} "
          f"{1000 * t_all / len(all_pairs):>8.1f}")
    print(f"{'exactrelu, up to symmetry':>24} {len(reps):>6} {len(reps):>6} {t_reps:>8.2f} "
          f"{1000 * t_reps / len(reps):>8.1f}")
    print(f"{'sympy Jacobian + rank':>24} {len(reps):>6} {'-':>6} {t_base:>8.2f} {1000 * per_base:>8.1f}"
          f"   (no certificate; ~{per_base * len(all_pairs):.0f} s for all 256 pairs)")
    print(f"dimensions met: {dims}; pairs with a defect: {defects} of {len(all_pairs)}; "
          f"speed-up per pair vs sympy: {per_base / (t_all / len(all_pairs)):.0f}x")
    return {"architecture": list(ARCH), "pairs": len(all_pairs), "all_pairs_s": round(t_all, 3),
            "representatives": len(reps), "representatives_s": round(t_reps, 3), "sympy_baseline_s": round(t_base, 3),
            "sympy_extrapolated_all_pairs_s": round(per_base * len(all_pairs), 1), "all_proved": True,
            "dimensions": dims, "pairs_with_defect": defects}


if __name__ == "__main__":
    main()
