"""The k+1 case of docs/mathematics.md B4 in d = 1 (docs/mathematics.md B4, [D, unverified] count).

If no orientation set makes the slope at -∞ vanish (minimal width k+1), the fiber of a minimal (1, k+1, 1) network
has dimension k+1 and (k+1)! · k · 2^(k-1) components (choice of the pair hyperplane j0, orientations of the other
neurons, labellings).  Checked on seeded random functions with k kinks: the network is built with the canonical
form (a pair on H_{j0}), the components are enumerated exactly, and sampled points are exact equivalents.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from exactrelu import Network
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.equality.shallow import canonical_form, minimal_width, valid_orientation_sets
from exactrelu.theory.fibers.shallow import shallow_fiber

THEOREM = ("d = 1, minimal width k+1 (docs/mathematics.md B4 case 2): fiber dimension k+1 and (k+1)!·k·2^(k-1) "
           "components")


def cases() -> list[tuple[int, int]]:
    return [(k, s) for k in (1, 2, 3, 4) for s in range(4)]


def _function(k: int, seed: int) -> Network:
    """relu-sum with k kinks whose slope at -inf is not a subset sum of the jumps (so minimal width is k+1)."""
    rng = random.Random(seed * 31 + k)
    while True:
        kinks = sorted(rng.sample(range(-9, 10), k))
        jumps = [Fraction(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 3)) for _ in range(k)]
        slope = Fraction(rng.randint(-7, 7), rng.randint(1, 4))
        # f(x) = sum_j C_j relu(x - t_j) + slope * x, slope written with a canceling pair relu(x) - relu(-x)
        net = Network.from_lists([([[1]] * k + [[1], [-1]], [-t for t in kinks] + [0, 0]),
                                  ([jumps + [slope, -slope]], [0])])
        if not valid_orientation_sets(net) and minimal_width(net) == k + 1:
            return canonical_form(net)


def check(case: tuple[int, int]) -> str:
    k, seed = case
    net = _function(k, seed)
    assert net.architecture == (1, k + 1, 1)
    fib = shallow_fiber(net)
    assert fib.dimension == k + 1
    assert len(fib.components) == math.factorial(k + 1) * k * 2 ** (k - 1), len(fib.components)
    assert fib.contains(net)
    for j in (0, len(fib.components) - 1):
        eta = Network.from_parameters(net.architecture, fib.components[j].sample(seed))
        assert bool(equivalent(net, eta))
    return f"{len(fib.components)} components"
