"""Orthant / box fibers whose linear block factors a rank-deficient A_S (docs/mathematics.md §2.C, Thm 6 case 4).

Oracles independent of the construction: the local fiber dimension D - rank J_{F_X}(θ) from the exact parameter
Jacobian at points of the domain (:func:`batch_functional_dimension`), the exact rank of the Jacobian of each
component's parametrisation and of its equations at a sampled point, the count m² + m + d of Thm 6 case 4, and
:func:`equivalent` on sampled members.
"""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest
import sympy as sp

from exactrelu import Network
from exactrelu.core.errors import NotApplicableError
from exactrelu.geometry.polyhedra import Box, Orthant
from exactrelu.theory.dimension.fdim import batch_functional_dimension
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.domains import region_data
from exactrelu.theory.fibers.orthant import orthant_fiber


def _jacobian_ranks(comp, seed: int = 0) -> tuple[int, int]:
    """(rank of d parametrisation / d free symbols, D - rank of d equalities / d parameters) at a sampled point."""
    rng = random.Random(seed)
    while True:
        vals = {s: (comp.free_point or {}).get(s, F(0)) + F(rng.randint(-3, 3), 7) if not s.is_positive
                else F(rng.randint(1, 5), 2) for s in comp.free_symbols}
        if all(sp.sympify(e).xreplace(vals) != 0 for e in comp.free_strict):
            break
    syms = comp.symbols
    par = sp.Matrix([comp.parametrization[s] for s in syms])
    Jp = par.jacobian(list(comp.free_symbols)).xreplace(vals)
    pt = dict(zip(syms, comp.at(vals)))
    Je = sp.Matrix(list(comp.equalities)).jacobian(list(syms)).xreplace(pt)
    return Jp.rank(), len(syms) - Je.rank()


def _local_dimension(net: Network, d: int, seed: int = 0) -> int:
    """D - rank of the exact Jacobian of θ -> (f_θ(x))_x over points of the open orthant: random ones at many scales
    and a neighbourhood of one point of every region of θ (a region without points would lower the rank)."""
    rng = random.Random(seed)
    pts = [[F(2) ** rng.randint(-4, 6) * F(rng.randint(1, 9), 9) for _ in range(d)] for _ in range(10 * (d + 1))]
    for _pattern, x0 in region_data(net, "orthant"):
        pts += [[v + F(rng.randint(-1, 1), 1000) for v in x0] for _ in range(2 * (d + 1))]
    res = batch_functional_dimension(net, pts)   # points on a bent hyperplane are left out of the rank
    return len(net.parameters()) - res.differentiable_rank


# Thm 6 case 4: r = m + 1 <= d linear neurons (nonnegative rows and biases), k visible neurons
CASE4 = [
    Network.from_lists([([[1, F(2, 3)], [F(1, 2), F(5, 4)]], [1, F(3, 2)]), ([[3, -2]], [F(1, 2)])]),       # d2 k0 m1
    Network.from_lists([([[1, -1, 2], [1, 2, F(1, 3)], [F(3, 2), 1, 1]], [F(1, 2), 1, 2]),                 # d3 k1 m1
                        ([[2, -1, F(3, 4)]], [0])]),
    Network.from_lists([([[1, 2, 0], [F(1, 2), 1, 3], [2, F(1, 3), 1]], [1, 2, F(1, 2)]),                  # d3 k0 m2
                        ([[1, -2, 1], [F(3, 2), 1, -1]], [0, 1])]),
]


@pytest.mark.parametrize("net", CASE4)
def test_thm6_case4_dimension_m2_plus_m_plus_d(net: Network) -> None:
    d, n, m = net.architecture
    fib = orthant_fiber(net)
    k = n - (m + 1)
    assert fib.contains(net) and not fib.complete
    for comp in fib.components:
        assert comp.origin["linear_block"] == "rows" and comp.origin["rank_A_S"] == m
        # Thm 6 case 4: dim V_S = m² + m + d modulo the r = m + 1 scalings; plus k visible scalings
        assert comp.dimension == k + (m * m + m + d) + (m + 1)
    assert fib.dimension == _local_dimension(net, d)                   # independent: D - rank J_{F_X}(θ)
    comp = fib.components[0]
    assert _jacobian_ranks(comp) == (comp.dimension, comp.dimension)
    # every S has a non-empty V_S (Thm 6 case 4: "for all S")
    assert len({tuple(c.origin["orientation_set"]) for c in fib.components}) == 2 ** k


@pytest.mark.parametrize("net", CASE4[:2])
def test_thm6_case4_members_are_equivalent_and_verified(net: Network) -> None:
    d = net.input_dim
    fib = orthant_fiber(net)
    for j in range(min(len(fib.components), 3)):
        for seed in range(2):
            eta = Network.from_parameters(net.architecture, fib.sample(seed=seed, component=j))
            assert bool(equivalent(net, eta, Orthant(d)))
    assert fib.verify(0).ok


def test_rank_equal_to_d_below_m_cols_mode() -> None:
    """d = 1 < m = 2 < r = 2 linear neurons on the half-line: W1_L has forced rank d (``"cols"`` block)."""
    net = Network.from_lists([([[1], [2]], [1, 3]), ([[1, 2], [3, -1]], [0, 0])])
    fib = orthant_fiber(net)
    comp = fib.components[0]
    assert comp.origin["linear_block"] == "cols"
    assert comp.dimension == 1 * 2 + (2 - 1) * 2 + 2 == _local_dimension(net, 1)
    assert _jacobian_ranks(comp) == (comp.dimension, comp.dimension)
    eta = Network.from_parameters(net.architecture, fib.sample(seed=1))
    assert bool(equivalent(net, eta, Orthant(1)))


def test_box_domain_case4() -> None:
    """On a box there are no rays: any rows are admissible, V_S ≠ ∅ for every S; members are box-equivalent."""
    net = Network.from_lists([([[1, -1], [1, 2], [2, 1]], [0, 5, 5]), ([[1, 2, -1]], [0])])
    box = Box(-1, 1, 2)
    fib = orthant_fiber(net, box)
    assert fib.kind == "polyhedral" and not fib.complete
    assert {c.origin["linear_block"] for c in fib.components} == {"rows"}
    assert fib.dimension == 1 + (1 + 1 + 2) + 2
    eta = Network.from_parameters(net.architecture, fib.sample(seed=2, component=len(fib.components) - 1))
    assert bool(equivalent(net, eta, box))
    assert fib.contains(net)


def test_uncovered_degenerate_block_is_refused() -> None:
    """rank A_S = 1 < min(m, d) = 2 with r = 2 linear neurons: neither factor has forced rank — refused."""
    net = Network.from_lists([([[1, 2], [2, 1]], [1, 1]), ([[1, 1], [2, 2]], [0, 0])])
    with pytest.raises(NotApplicableError):
        orthant_fiber(net)
