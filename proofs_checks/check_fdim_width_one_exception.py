"""The GM bound fails for several width-1 layers with d = 1 (docs/mathematics.md E2 counterexample, §3; §7 row 2).

For (1,1,1,1,1): D = 8, N_h = 3, the bound D - N_h = 5, but every θ has dim_fun(θ) <= 4 and the maximum 4 is
attained: the realised functions are plateau-ramp-plateau or hinges (at most 2 kinks and 2 levels).  Each case is a
block of 25 seeded random θ (and some with larger entries); the first block must attain 4.
"""

from __future__ import annotations

from exactrelu import random_network
from exactrelu.theory.dimension.fdim import functional_dimension, upper_bound

THEOREM = "(1,1,1,1,1): dim_fun(θ) <= 4 < 5 = D - N_h for all θ, and 4 is attained (docs/mathematics.md E2, §7 row 2)"

ARCH = (1, 1, 1, 1, 1)


def cases() -> list[tuple[int, int, int]]:
    return [(start, 25, 5) for start in range(0, 200, 25)] + [(1000 + s, 25, 9) for s in range(0, 100, 25)]


def check(case: tuple[int, int, int]) -> str:
    start, count, size = case
    ranks = []
    for seed in range(start, start + count):
        net = random_network(ARCH, seed=seed, max_num=size, max_den=size - 1)
        r = functional_dimension(net)
        if r.rank is None:  # a region without Jacobian in θ (identically zero pre-activation): nothing to check
            assert r.nondifferentiable and r.differentiable_rank <= 4
            continue
        assert upper_bound(net) == 5 and r.exact
        assert r.rank <= 4, f"seed {seed}: dim_fun {r.rank} > 4"
        ranks.append(r.rank)
    if start == 0:
        assert max(ranks) == 4
    return f"ranks {sorted(set(ranks))}"
