"""B_θ is a functional invariant (docs/mathematics.md §1 key property, A3): equal under trivial symmetries and neuron
splitting.

Trivial symmetries (permutations and positive rescalings of hidden neurons) and splitting a hidden neuron into two
positively scaled copies whose outgoing weights add up to the original one do not change f_θ, so the canonical
breakpoint complex (facets with their hyperplanes, weights and closures, ridges, region maps) must be identical.
Also: adding 1 to the output bias changes it.
"""

from __future__ import annotations

import random
import zlib
from fractions import Fraction

from exactrelu import Network, random_network
from exactrelu.core.symmetry import random_trivial_symmetry, split_neuron
from exactrelu.geometry.regions import regions

THEOREM = "B_θ with weights is invariant under trivial symmetries and neuron splitting (docs/mathematics.md §1, A3)"

ARCHS = [(1, 3, 1), (1, 3, 2, 1), (2, 3, 1), (2, 2, 2, 1), (2, 3, 2, 2), (3, 2, 2, 1), (2, 2, 2, 2, 1)]


def cases() -> list[tuple[tuple[int, ...], int]]:
    return [(a, s) for a in ARCHS for s in range(4)]





def check(case: tuple[tuple[int, ...], int]) -> str:
    arch, seed = case
    net = random_network(arch, seed=seed, max_num=3, max_den=2)
    rng = random.Random(zlib.crc32(repr(case).encode()))
    B = regions(net).breakpoint_complex()
    other = random_trivial_symmetry(net, rng).apply(net)
    assert regions(other).breakpoint_complex() == B
    layer = rng.randint(1, net.depth)
    split = split_neuron(net, layer, rng.randrange(net.layers[layer - 1].n_out),
                   (Fraction(rng.randint(1, 5), rng.randint(1, 5)), Fraction(rng.randint(1, 5), rng.randint(1, 5))),
                   Fraction(rng.randint(1, 4), 5))
    assert regions(split).breakpoint_complex() == B
    last = net.layers[-1]
    shifted = Network.from_lists([(L.weights, L.biases) for L in net.layers[:-1]]
                                 + [(last.weights, [c + 1 for c in last.biases])])
    assert regions(shifted).breakpoint_complex() != B
    return f"{len(B.facets)} facets, {B.num_regions} regions"
