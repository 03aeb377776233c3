"""Orthant / box fibers of θ with zero, dead or duplicate neurons on the domain (docs/mathematics.md §2.C).

Oracles: :func:`equivalent` on the domain for sampled family points and for perturbed points (membership must agree),
the exact rank of each family's parametrisation Jacobian, and the symbolic proof :meth:`Fiber.verify`.
"""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest
import sympy as sp

from exactrelu import Network
from exactrelu.geometry.polyhedra import Box, Orthant
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.fiber import fiber

DEAD = Network.from_lists([([[-1, -1], [1, -1]], [-1, 0]), ([[1, 1]], [0])])              # neuron 1 dead on R^2_+
DUP = Network.from_lists([([[1, -1], [2, -2], [1, 1]], [0, 0, 1]), ([[1, 1, 2]], [0])])   # neurons 1, 2 on x1 = x2
ZERO = Network.from_lists([([[1, -1], [3, 1], [1, 1]], [0, 2, 1]), ([[1, 0, 2]], [0])])   # neuron 2 has W2 = 0
CASES = [(DEAD, "orthant"), (DUP, "orthant"), (ZERO, Box(-1, 1, 2)), (DUP, Box(-1, 1, 2))]


def _dom(dom):
    return Orthant(2) if dom == "orthant" else dom


def _param_rank(comp) -> int:
    vals = {s: F(1) if s.is_positive else (comp.free_point or {}).get(s, F(0)) + F(1, 7) for s in comp.free_symbols}
    par = sp.Matrix([comp.parametrization[s] for s in comp.symbols])
    return par.jacobian(list(comp.free_symbols)).xreplace(vals).rank()


@pytest.mark.parametrize("net, dom", CASES)
def test_families_contain_theta_and_sample_equivalent_points(net: Network, dom) -> None:
    fib = fiber(net, dom)
    assert fib.contains(net) and not fib.complete
    assert any(c.origin.get("theta_orbit") for c in fib.components)
    for q, c in enumerate(fib.components):
        if q % 3 == 0:
            eta = Network.from_parameters(net.architecture, c.sample(q))
            assert bool(equivalent(net, eta, _dom(dom))), c.origin
    assert fib.verify(list(range(0, len(fib.components), 4))).ok


def test_dimensions_by_type_and_jacobian_rank() -> None:
    fib = fiber(DEAD, "orthant")
    d, m = 2, 1
    core = fiber(Network.from_lists([([[1, -1]], [0]), ([[1]], [0])]), "orthant").dimension
    dims = {tuple(sorted(c.origin["extra_neurons"].values())): c.dimension for c in fib.components}
    assert dims[("dead",)] == core + d + 1 + m and dims[("zero",)] == core + d + 1
    assert dims[("duplicate on H_1",)] == core + 1 + m
    for c in fib.components:
        assert _param_rank(c) == c.dimension, c.origin


@pytest.mark.parametrize("seed", range(4))
def test_membership_of_perturbed_points_agrees_with_equivalence(seed: int) -> None:
    net, dom = CASES[seed % len(CASES)]
    fib = fiber(net, dom)
    rng = random.Random(seed)
    pt = list(fib.sample(seed=seed))
    pt[rng.randrange(len(pt))] += F(rng.choice([-1, 1]), 5)
    eta = Network.from_parameters(net.architecture, pt)
    assert fib.contains(eta) == bool(equivalent(net, eta, _dom(dom)))


def test_a_member_outside_every_family_is_decided_by_equivalence() -> None:
    """The dead neuron replaced by a constant one (relu(1) = 1, b2 = -1): no family lists it, yet it is a member."""
    fib = fiber(DEAD, "orthant")
    eta = Network.from_lists([([[0, 0], [1, -1]], [1, 0]), ([[1, 1]], [-1])])
    assert bool(equivalent(DEAD, eta, Orthant(2))) and fib.component_of(eta) is None
    ans = fib.membership(eta)
    assert ans.member and ans.method == "equivalence"
