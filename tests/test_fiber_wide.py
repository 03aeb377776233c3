"""Shallow fibers on R^d beyond the minimal width: type families (docs/mathematics.md B6).

Oracles: an independent piecewise-linear key (:mod:`proofs_checks.pl1d`, no package algorithm) grouping every network
of an integer grid into its exact fiber, :func:`equivalent` on sampled members, the exact rank of each family's
parametrisation Jacobian, and the symbolic proof :meth:`Fiber.verify`.
"""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest
import sympy as sp

from exactrelu import Network
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.fiber import fiber
from exactrelu.theory.fibers.shallow import shallow_fiber
from proofs_checks.pl1d import grid, key

TWO_ZERO = Network.from_lists([([[1], [2], [1]], [0, 1, 1]), ([[1, 0, 0]], [0])])      # relu(x) + two zero neurons


def _param_rank(comp) -> int:
    vals = {s: F(1) if s.is_positive else (comp.free_point or {}).get(s, F(0)) + F(1, 7) for s in comp.free_symbols}
    par = sp.Matrix([comp.parametrization[s] for s in comp.symbols])
    return par.jacobian(list(comp.free_symbols)).xreplace(vals).rank()


def test_two_extra_neurons_is_complete_and_matches_grid_brute_force() -> None:
    """relu(x) in (1,3,1): every grid network computing relu(x) lies in a listed family; others are rejected."""
    fib = shallow_fiber(TWO_ZERO)
    assert fib.complete and fib.contains(TWO_ZERO)
    n, m = 3, 1
    target = key(TWO_ZERO.parameters(), n, m, None, None)
    members, others = [], []
    for p in grid(n, m, (-1, 0, 1), (-1, 0, 1), (0, 1)):
        (members if key(p, n, m, None, None) == target else others).append(p)
    assert len(members) > 50
    rng = random.Random(0)
    for p in rng.sample(members, 12):   # the full sweep is proofs_checks/check_shallow_fiber_wide.py
        ans = fib.membership(p)
        assert ans.member and ans.method == "component", p
    for p in rng.sample(others, 6):
        assert not fib.membership(p).member, p


def test_families_and_dimensions() -> None:
    fib = shallow_fiber(TWO_ZERO)
    dims = {tuple(sorted(c.origin["types"])): c.dimension for c in fib.components}
    # two zero neurons: λ + 2 free rows (d + 1 = 2 each); a zero-sum group: λ, its row, μ, one free jump
    assert dims[("H1+", "zero", "zero")] == 1 + 2 + 2
    assert dims[("G1", "G1", "H1+")] == 1 + 2 + 1 + 1
    assert dims[("H1+", "H1+", "H1+")] == 3 + 2           # three neurons splitting the jump
    assert fib.dimension == 5
    for c in fib.components[::9]:
        assert _param_rank(c) == c.dimension, c.origin


def test_samples_are_equivalent_and_verified() -> None:
    fib = shallow_fiber(TWO_ZERO)
    for q, c in enumerate(fib.components):
        eta = Network.from_parameters(TWO_ZERO.architecture, c.sample(q))
        assert bool(equivalent(TWO_ZERO, eta)), c.origin
    assert fib.verify(list(range(0, len(fib.components), 5))).ok


def test_vector_output_width_k_plus_2_now_listed() -> None:
    """f = relu(x2) e1 + x1 (1, 2) needs a canceling pair in (2,3,2) (minimal width k + 2 with vector output)."""
    net = Network.from_lists([([[0, 1], [1, 0], [-1, 0]], [0, 0, 0]), ([[1, 1, -1], [0, 2, -2]], [0, 0])])
    fib = fiber(net)
    assert fib.kind == "shallow" and fib.complete and fib.contains(net)
    assert all("canceling_pair" in c.origin for c in fib.components)
    assert fib.verify().ok
    eta = Network.from_parameters(net.architecture, fib.sample(seed=1))
    assert bool(equivalent(net, eta))


def test_two_canceling_pairs_fall_back_to_the_local_description() -> None:
    """x ↦ (x1, x2) in (2,4,2) needs two canceling pairs: not enumerated, so fiber() says local (never a stub)."""
    net = Network.from_lists([([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0]),
                              ([[1, -1, 0, 0], [0, 0, 1, -1]], [0, 0])])
    fib = fiber(net)
    assert fib.kind == "local" and any("canceling pairs" in note for note in fib.notes)


def test_three_extra_neurons_is_marked_incomplete_and_falls_back_to_equivalence() -> None:
    """relu(x) in (1,4,1): η = -relu(x) + 2 relu(-x) + 2 relu(x+1) - 2 relu(-x-1) - 2 (an opposite pair on x = 0
    beside a canceling pair) is in no family: the listing is incomplete and membership uses equivalence."""
    net = Network.from_lists([([[1], [1], [2], [-1]], [0, 1, 1, 2]), ([[1, 0, 0, 0]], [0])])
    fib = shallow_fiber(net)
    assert not fib.complete
    eta = Network.from_lists([([[1], [-1], [1], [-1]], [0, 0, 1, -1]), ([[-1, 2, 2, -2]], [-2])])
    assert bool(equivalent(net, eta))
    ans = fib.membership(eta)
    assert ans.member and ans.method == "equivalence"


def test_two_d_network_with_a_dead_and_a_split_neuron() -> None:
    net = Network.from_lists([([[1, -1], [2, -2], [0, 0], [1, 1]], [0, 0, -1, 1]), ([[1, 1, 5, -1]], [0])])
    fib = shallow_fiber(net)
    assert fib.complete and fib.contains(net)
    for q in range(0, len(fib.components), max(1, len(fib.components) // 6)):
        eta = Network.from_parameters(net.architecture, fib.sample(seed=q, component=q))
        assert bool(equivalent(net, eta))


@pytest.mark.parametrize("seed", range(3))
def test_membership_of_perturbations_agrees_with_equivalence(seed: int) -> None:
    fib = shallow_fiber(TWO_ZERO)
    rng = random.Random(seed)
    pt = list(fib.sample(seed=seed))
    pt[rng.randrange(len(pt))] += F(rng.choice([-1, 1]), 3)
    eta = Network.from_parameters(TWO_ZERO.architecture, pt)
    assert fib.contains(eta) == bool(equivalent(TWO_ZERO, eta))
