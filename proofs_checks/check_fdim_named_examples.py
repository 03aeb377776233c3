"""Functional dimension of the named (1,1,1,1) and (2,2,1,1) examples (docs/mathematics.md D3, D6; §7 rows 3-5).

* (1,1,1,1): relu(1 - relu(x)) has dim_fun 4; relu(relu(x) - 1) and relu(relu(x) + 1) have 3.
* (2,2,1,1): the T_1 example has dim_fun 7 and fiber dimension 4; W2 = (1,1): 8 and 3; W2 = (-1,-1), b2 = 1: 8;
  the dead second layer: 1.  (2,2,2,1) linear block: dim_fun 7, fiber dimension 8.
Each case is one example transformed by a seeded random trivial symmetry (permutations and positive rescalings),
which must not change any of these numbers; the tangent space is checked to contain the scaling generators.
"""

from __future__ import annotations

import random

from exactrelu import examples
from exactrelu.core.symmetry import random_trivial_symmetry
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.dimension.identifiability import fiber_tangent_space

THEOREM = ("dim_fun of the (1,1,1,1) and (2,2,1,1) examples: 4,3,3 and 7/4, 8/3, 8, 1 (docs/mathematics.md D3, §7 rows "
           "3-5)")

EXPECTED = {  # name: (dim_fun, fiber dimension)
    "chain_ramp_down": (4, 2), "chain_shifted": (3, 3), "chain_lifted": (3, 3),
    "invisible_translation": (7, 4), "visible_bottleneck": (8, 3), "bottleneck_positive": (8, 3),
    "dead_second_layer": (1, 10), "linear_block": (7, 8),
}


def cases() -> list[tuple[str, int]]:
    return [(name, seed) for name in EXPECTED for seed in range(6)]


def check(case: tuple[str, int]) -> str:
    name, seed = case
    net = examples.catalogue()[name]
    rng = random.Random(seed)
    if seed:
        net = random_trivial_symmetry(net, rng).apply(net)
    fd = functional_dimension(net)
    T = fiber_tangent_space(net)
    assert (fd.rank, T.dimension) == EXPECTED[name], f"got {(fd.rank, T.dimension)}"
    assert fd.exact and fd.certified_by == ("modular" if fd.rank == fd.upper_bound else "rational")
    assert len(T.scaling) == net.num_hidden
    return f"dim_fun {fd.rank}, fiber {T.dimension}"
