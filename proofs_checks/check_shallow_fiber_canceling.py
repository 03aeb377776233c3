"""Minimal width k+2 (docs/mathematics.md B4 case 3): the canceling-pair fiber, counted in closed form for d = 2, m = 1.

If neither k nor k+1 neurons realise f (scalar output), a minimal network has k+2 neurons and its fiber is the union
of (derived here, [D]):
* for every S ⊆ [k]: a canceling pair on a free hyperplane G with normal ∝ r_S = A_R + Σ_{j∈S} C_j a_j^T and a free
  offset t_G — (k+2)! components of dimension k+3;
* for every pair {j0, j1} with independent normals and S ⊆ [k]∖{j0, j1} with r_S ∈ span(a_j0, a_j1) (always, in
  d = 2): two opposite pairs — (k+2)! components of dimension k+2.
So in d = 2 with pairwise independent normals there are (2^k + C(k,2) 2^(k-2)) (k+2)! components, the fiber has
dimension k+3, and this equals D - dim_fun(θ) (the local dimension).  Samples are exact equivalents.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from exactrelu import Network
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.equality.shallow import canonical_data, canonical_form, minimal_width
from exactrelu.theory.fibers.shallow import shallow_fiber

THEOREM = ("Minimal width k+2 in d = 2 (docs/mathematics.md B4 case 3): (2^k + C(k,2) 2^(k-2)) (k+2)! components, "
           "dimension k+3 = D - dim_fun")


def cases() -> list[tuple[int, int]]:
    return [(k, s) for k in (0, 1, 2, 3) for s in range(3)]


def _net(k: int, seed: int) -> Network:
    rng = random.Random(1000 * k + seed)
    q = lambda: Fraction(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 3))  # noqa: E731
    while True:
        rows = [[q(), q()] for _ in range(k)] + [[q(), q()], [0, 0]]
        rows[-1] = [-v for v in rows[-2]]
        biases = [q() for _ in range(k)] + [0, 0]
        net = Network.from_lists([(rows, biases), ([[q() for _ in range(k)] + [1, -1]], [q()])])
        data = canonical_data(net)
        normals = [a for a, _t, _C in data.hyperplanes]
        independent = all(a[0] * b[1] != a[1] * b[0] for i, a in enumerate(normals) for b in normals[i + 1:])
        if data.num_hyperplanes == k and independent and minimal_width(net) == k + 2:
            return canonical_form(net)


def check(case: tuple[int, int]) -> str:
    k, seed = case
    net = _net(k, seed)
    assert net.architecture == (2, k + 2, 1)
    fib = shallow_fiber(net)
    role_sets = 2 ** k + (math.comb(k, 2) * 2 ** (k - 2) if k >= 2 else 0)
    assert len(fib.components) == role_sets * math.factorial(k + 2), len(fib.components)
    assert fib.dimension == k + 3
    fd = functional_dimension(net)
    assert fd.exact and fib.dimension == net.num_parameters - fd.rank
    assert fib.contains(net)
    for j in sorted({0, len(fib.components) // 2, len(fib.components) - 1}):
        eta = Network.from_parameters(net.architecture, fib.components[j].sample(seed + j))
        assert bool(equivalent(net, eta))
    assert fib.verify(len(fib.components) - 1).ok
    return f"{len(fib.components)} components of dim {fib.dimension}"
