"""The normal form is a complete invariant of the trivial orbit (docs/mathematics.md §1).

normal_form(a) == normal_form(b) iff b = g·a for some g in G_A: equal on random group elements (and the recovered g
maps a to b), different after a tiny rational perturbation of one parameter.
"""

from __future__ import annotations

import random
from fractions import Fraction

from exactrelu import Network, normal_form, random_network, related_by_trivial_symmetry
from exactrelu.core.symmetry import random_trivial_symmetry

THEOREM = ("normal_form is a complete invariant of the orbit under permutations and positive rescalings "
           "(docs/mathematics.md §1)")

ARCHS = [(1, 2, 1), (2, 3, 1), (2, 2, 2), (2, 3, 2, 1), (3, 2, 2, 2), (1, 2, 2, 2, 1)]


def cases() -> list[tuple[tuple[int, ...], int]]:
    return [(a, s) for a in ARCHS for s in range(8)]


def check(case: tuple[tuple[int, ...], int]) -> str:
    arch, seed = case
    net = random_network(arch, seed=seed)
    rng = random.Random(seed)
    other = random_trivial_symmetry(net, rng, max_factor=7).apply(net)
    assert normal_form(net) == normal_form(other)
    g = related_by_trivial_symmetry(net, other)
    assert g is not None and g.apply(net) == other
    theta = list(net.parameters())
    k = rng.randrange(len(theta))
    theta[k] += Fraction(1, 10**12)
    perturbed = Network.from_parameters(arch, theta)
    assert normal_form(perturbed) != normal_form(net)
    assert related_by_trivial_symmetry(net, perturbed) is None
    return f"perturbed parameter {k}"
