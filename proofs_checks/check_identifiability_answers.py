"""Identifiability answers only what is proved (docs/mathematics.md E3, E4, B3; §7 row 9).

On small networks with degenerate entries (zeros, repeated and opposite rows, dead neurons), depth 1 and 2: every
"not identifiable" carries a witness η with f_η = f_θ, re-checked here by the exact equivalence test and on a grid of
rational points, and no permutation/rescaling maps θ to η; every "identifiable" of a one-hidden-layer θ is confirmed
by the exact fiber (every component a piece of the trivial orbit, or B3 (i)-(iii)); "locally identifiable" is implied
by "identifiable".  Each case is a block of seeds.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from exactrelu import Network, equivalent, related_by_trivial_symmetry
from exactrelu.theory.dimension.identifiability import identifiability

THEOREM = "identifiability: False only with a checked witness, True only when proved (docs/mathematics.md E3, E4, B3)"

ARCHS = [(1, 2, 1), (1, 3, 1), (2, 2, 1), (1, 2, 1, 1), (1, 1, 2, 1), (2, 2, 1, 1)]
VALUES = [-2, -1, 0, 1, 2, Fraction(1, 2)]


def cases() -> list[tuple[int, int]]:
    return [(start, 10) for start in range(0, 120, 10)]


def _net(rng: random.Random) -> Network:
    arch = rng.choice(ARCHS)
    return Network.from_lists([([[rng.choice(VALUES) for _ in range(arch[l - 1])] for _ in range(arch[l])],
                                [rng.choice(VALUES) for _ in range(arch[l])]) for l in range(1, len(arch))])


def check(case: tuple[int, int]) -> str:
    start, count = case
    answers = {True: 0, False: 0, None: 0}
    for seed in range(start, start + count):
        net = _net(random.Random(seed))
        r = identifiability(net)
        answers[r.globally_identifiable] += 1
        if r.globally_identifiable is False:
            eta = r.witness
            assert eta is not None, f"seed {seed}: False without a witness"
            assert bool(equivalent(net, eta)), f"seed {seed}: the witness computes another function"
            grid = itertools.product([Fraction(k, 4) for k in range(-12, 13)], repeat=net.input_dim)
            assert all(net(p) == eta(p) for p in grid), f"seed {seed}: the witness differs on the grid"
            assert related_by_trivial_symmetry(net, eta) is None, f"seed {seed}: the witness is a trivial symmetry"
        else:
            assert r.witness is None
        if r.globally_identifiable is True:
            assert r.locally_identifiable is True
            if net.depth == 1:
                assert ("B3" in r.reason) or ("exact fiber" in r.reason), r.reason
        if r.globally_identifiable is None:
            assert r.reason
    return f"answers {answers}"
