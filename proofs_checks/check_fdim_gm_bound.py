"""The functional dimension of an architecture is D - N_h (MATH.md §1, E2; §7 row 1).

dim_fun(θ) <= D - N_h for every θ (the scaling orbit is in the kernel of the Jacobian), and for every architecture
of the E2 table the maximum over random rational θ equals D - N_h (GM's theorem where d >= 2 and all hidden widths
are >= 2 [P:GM]; verified here by exact ranks for the width-1 cases too).  Each case is one architecture: 40 seeded
random θ, exact functional dimension over all activation regions, cross-checked against the pattern Jacobians.
"""

from __future__ import annotations

from exactrelu import random_network
from exactrelu.engines.flintlib import rank
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.dimension.jacobian import pattern_jacobian

THEOREM = "max over θ of dim_fun(θ) = D - N_h on the E2 table, and dim_fun <= D - N_h always (MATH.md E2, §7 row 1)"

E2_TABLE = {
    (1, 1, 1): 3, (1, 2, 1): 5, (1, 3, 1): 7, (2, 1, 1): 4, (3, 1, 1): 5, (2, 2, 1): 7, (2, 3, 1): 10,
    (3, 2, 1): 9, (3, 3, 1): 13, (2, 2, 2): 10, (2, 2, 2, 1): 11, (2, 2, 1, 1): 8, (1, 1, 1, 1): 4,
    (1, 2, 1, 1): 6, (1, 1, 2, 1): 6, (2, 1, 1, 1): 5, (1, 2, 2, 1): 9, (2, 1, 2, 1): 7, (1, 1, 1, 2): 6,
    (2, 1, 1, 2): 7, (1, 1, 2, 1, 1): 7, (2, 2, 2, 2, 1): 15,
}
SEEDS = 40


def cases() -> list[tuple[int, ...]]:
    return sorted(E2_TABLE)


def check(arch: tuple[int, ...]) -> str:
    D = sum(arch[i] * (arch[i - 1] + 1) for i in range(1, len(arch)))
    bound = D - sum(arch[1:-1])
    assert E2_TABLE[arch] == bound
    ranks = []
    for seed in range(SEEDS):
        net = random_network(arch, seed=seed)
        r = functional_dimension(net)
        assert r.exact and r.method == "regions"
        assert r.rank <= bound, f"seed {seed}: rank {r.rank} exceeds D - N_h = {bound}"
        if seed < 5:  # E1: the same rank from the Jacobians of θ -> (A_R, c_R) of the region patterns
            patterns = {net.pattern(p) for p in r.points}
            rows = [row for s in patterns for row in pattern_jacobian(net, s)]
            assert rank(rows) == r.rank
        ranks.append(r.rank)
    assert max(ranks) == E2_TABLE[arch], f"max {max(ranks)} != {E2_TABLE[arch]}"
    return f"max {max(ranks)} over {SEEDS} θ; distribution {sorted(set(ranks))}"
