"""Zaslavsky / Buck count (docs/mathematics.md A2 oracle, §7 row 13, [L]).

A generic arrangement of n affine hyperplanes in R^d has sum_{i<=d} C(n, i) regions, so a generic shallow (d, n, m)
network has that many activation regions.  Genericity of each random network is decided independently by exact
determinants (every <= d normals independent, no d+1 hyperplanes concurrent); a non-generic draw is replaced by the
next generic seed (a skipped case would count as passed without checking anything); both enumerations are counted.
"""

from __future__ import annotations

import itertools
from math import comb

import sympy as sp

from exactrelu import random_network
from exactrelu.geometry.regions import regions

THEOREM = ("A generic shallow (d, n) network has sum_{i<=d} C(n, i) activation regions "
           "(docs/mathematics.md A2, Zaslavsky)")

ARCHS = [(1, 4, 1), (1, 7, 2), (2, 3, 1), (2, 5, 1), (2, 7, 2), (3, 4, 1), (3, 6, 1), (4, 5, 1)]


def cases() -> list[tuple[tuple[int, ...], int]]:
    return [(a, s) for a in ARCHS for s in range(5)]


def _generic_network(arch: tuple[int, ...], seed: int):  # noqa: ANN202
    """The first network of the seeds ``seed, seed + 1000, ...`` whose arrangement is generic (never a skip)."""
    for s in range(seed, seed + 50_000, 1000):
        net = random_network(arch, seed=s)
        if _generic(net):
            return net
    raise AssertionError(f"no generic {arch} network in the seed range: the case checks nothing")


def _generic(net) -> bool:  # noqa: ANN001
    d = net.input_dim
    rows = [[sp.Rational(str(b))] + [sp.Rational(str(v)) for v in w]
            for w, b in zip(net.layers[0].weights, net.layers[0].biases)]
    for k in range(1, min(d, len(rows)) + 1):
        for sub in itertools.combinations(rows, k):
            if sp.Matrix([r[1:] for r in sub]).rank() < k:
                return False
    return all(sp.Matrix(list(sub)).det() != 0 for sub in itertools.combinations(rows, d + 1))


def check(case: tuple[tuple[int, ...], int]) -> str:
    arch, seed = case
    net = _generic_network(arch, seed)
    d, n = arch[0], arch[1]
    expected = sum(comb(n, i) for i in range(d + 1))
    walk = regions(net, method="walk")
    assert len(walk.regions) == expected, (len(walk.regions), expected)
    assert regions(net, method="split") == walk
    return f"{expected} regions"
