"""Trivial symmetries preserve the function (docs/mathematics.md §1, [L]).

For every hidden layer, a permutation P and positive diagonal Λ acting by W^(l) <- PΛW^(l), b^(l) <- PΛb^(l),
W^(l+1) <- W^(l+1)Λ^{-1}P^T leave f_θ unchanged.  Checked exactly at random rational points.
"""

from __future__ import annotations

import random
import zlib
from fractions import Fraction

from exactrelu import examples, permute, random_network, rescale
from exactrelu.core.random import random_rational

THEOREM = "Trivial symmetries (permutations, positive rescalings) preserve f_θ (docs/mathematics.md §1)"

ARCHS = [(1, 1, 1), (1, 3, 1), (2, 2, 1), (2, 3, 2), (2, 2, 2, 1), (3, 2, 3, 2), (2, 3, 3, 3, 1), (1, 1, 1, 1, 1)]


def cases() -> list[tuple[str, object, int]]:
    out: list[tuple[str, object, int]] = [("random", a, s) for a in ARCHS for s in range(6)]
    out += [("example", name, 0) for name in examples.catalogue()]
    return out


def _net(case: tuple[str, object, int]):  # noqa: ANN202
    kind, what, seed = case
    return random_network(what, seed=seed) if kind == "random" else examples.catalogue()[what]


def check(case: tuple[str, object, int]) -> str:
    net = _net(case)
    rng = random.Random(zlib.crc32(repr(case).encode()))
    other = net
    for l in range(1, net.depth + 1):
        n = net.layers[l - 1].n_out
        perm = list(range(n))
        rng.shuffle(perm)
        factors = [Fraction(rng.randint(1, 9), rng.randint(1, 9)) for _ in range(n)]
        other = permute(rescale(other, l, factors), l, perm)
    for _ in range(20):
        x = [random_rational(rng, 7, 5, nonzero=False) for _ in range(net.input_dim)]
        assert net(x) == other(x), f"f differs at {x}"
    return "20 points"
