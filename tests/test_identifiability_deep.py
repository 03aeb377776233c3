"""Global identifiability beyond one hidden layer (docs/mathematics.md E4, D1, D3, §2.C, §2.D).

Independent oracles: exhaustive grids of (1,1,1,1) parameters (floats only propose, exact equivalence and the
trivial-symmetry test decide), the docs/mathematics.md D3 values (dim_fun 8 = D - N_h for the visible examples,
7 for the T_1 example), and a re-check of every witness by the common refinement.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu import examples, random_network
from exactrelu.core.network import Network
from exactrelu.core.symmetry import related_by_trivial_symmetry
from exactrelu.theory.dimension.deep import bottleneck_identifiability
from exactrelu.theory.dimension.identifiability import identifiability
from exactrelu.theory.equality.equivalence import equivalent

GRID = [F(-2), F(-1), F(-1, 2), F(0), F(1, 2), F(1), F(2)]


def grid_members(net: Network) -> Iterator[Network]:
    """Every (1,1,1,1) parameter on GRID^6 with the function of ``net`` (float filter, exact decision)."""
    xs = np.array([-3, -1.5, -0.75, -0.25, 0, 0.125, 0.3, 0.5, 0.7, 1, 1.25, 1.5, 2, 3.5])
    target = np.array([float(net([F(x)])[0]) for x in xs])
    g = np.array([float(v) for v in GRID])
    P = np.array(list(itertools.product(range(len(GRID)), repeat=6)))
    w1, b1, w2, b2, w3, b3 = (g[P[:, k]][:, None] for k in range(6))
    vals = w3 * np.maximum(w2 * np.maximum(w1 * xs[None, :] + b1, 0) + b2, 0) + b3
    hits = P[np.all(np.abs(vals - target[None, :]) < 1e-9, axis=1)]
    for row in hits:
        w1_, b1_, w2_, b2_, w3_, b3_ = (GRID[k] for k in row)
        eta = Network.from_lists([([[w1_]], [b1_]), ([[w2_]], [b2_]), ([[w3_]], [b3_])])
        if equivalent(net, eta, method="common-refinement"):
            yield eta


def test_chain_ramp_down_is_not_identifiable_as_the_exhaustive_grid_shows() -> None:
    # relu(1 - relu(x)) is generic and dim_fun = 4 = D - N_h, yet the two kinks can swap layers: the grid finds
    # members outside the trivial orbit, so the answer must be "no" with a witness (never "yes": n1 = 1)
    net = examples.chain("ramp_down")
    assert any(related_by_trivial_symmetry(net, eta) is None for eta in grid_members(net))
    r = identifiability(net)
    assert r.locally_identifiable is True and r.globally_identifiable is False
    assert "swap layers" in r.decided_by["found_by"]
    assert equivalent(net, r.witness, method="common-refinement")
    assert related_by_trivial_symmetry(net, r.witness) is None
    assert bottleneck_identifiability(net)[0] is None          # n1 = 1: the theorem is silent


def test_chain_lifted_grid_and_answer_agree() -> None:
    net = examples.chain("lifted")                  # relu(relu(x) + 1) = relu(x) + 1: a linear neuron
    r = identifiability(net)
    assert r.globally_identifiable is False
    assert any(related_by_trivial_symmetry(net, eta) is None for eta in grid_members(net))


def test_chain_shifted_no_agrees_with_exhaustive_grid() -> None:
    net = examples.chain("shifted")                 # relu(relu(x) - 1): T_1 translation, dim_fun 3
    r = identifiability(net)
    assert r.globally_identifiable is False and r.decided_by["by"] == "witness"
    assert "T_1 translation" in r.decided_by["found_by"]
    assert equivalent(net, r.witness, method="common-refinement")
    assert related_by_trivial_symmetry(net, r.witness) is None
    assert any(related_by_trivial_symmetry(net, eta) is None for eta in grid_members(net))


@pytest.mark.parametrize("name,answer,by", [
    ("visible_bottleneck", True, "theorem"),        # D3: dim_fun 8 = D - N_h
    ("bottleneck_positive", True, "theorem"),       # D3: dim_fun 8
    ("invisible_translation", False, "witness"),    # D3: dim_fun 7, T_1
    ("dead_second_layer", False, "witness"),        # D3: dim_fun 1
    ("linear_block", False, "witness"),             # D6: linear block, dim_fun 7
])
def test_d3_examples(name: str, answer: bool, by: str) -> None:
    net = getattr(examples, name)()
    r = identifiability(net)
    assert r.globally_identifiable is answer and r.decided_by["by"] == by
    if answer:
        assert r.functional_dimension == net.num_parameters - net.num_hidden == 8   # necessary condition (E3)
        assert r.locally_identifiable is True and r.fiber_dimension == net.num_hidden
    else:
        assert equivalent(net, r.witness, method="common-refinement")
        assert related_by_trivial_symmetry(net, r.witness) is None
    assert r.to_dict()["decided_by"]["by"] == by


def test_translation_witness_on_a_deeper_network() -> None:
    # the T_1 example with one more layer: T_1 on the first two layers keeps every a^(2), so f is unchanged
    base = examples.invisible_translation()
    deep = Network.from_lists([(base.layers[0].weights, base.layers[0].biases),
                               (base.layers[1].weights, base.layers[1].biases),
                               (base.layers[2].weights, base.layers[2].biases), ([[2]], [F(-1, 3)])])
    r = identifiability(deep)
    assert r.globally_identifiable is False and "T_1 translation" in r.decided_by["found_by"]
    assert equivalent(deep, r.witness, method="common-refinement")
    assert related_by_trivial_symmetry(deep, r.witness) is None


def test_theorem_hypotheses_fail_honestly() -> None:
    # n1 > d: the theorem is silent, never "yes"
    ok, why, ev = bottleneck_identifiability(random_network((1, 2, 2, 1), seed=0))
    assert ok is None and "n1 <= d" in why and ev["hypotheses"][ev["failed"]] is False
    # non-generic: two parallel first-layer rows
    net = Network.from_lists([([[1, 0], [2, 0]], [0, 1]), ([[1, -1]], [F(-1, 2)]), ([[1]], [0])])
    assert bottleneck_identifiability(net)[0] is not True
    # deeper networks: no "yes" without a theorem
    r = identifiability(random_network((2, 2, 2, 2, 1), seed=5))
    assert r.globally_identifiable is not True


@settings(max_examples=6, deadline=None)
@given(arch=st.sampled_from([(2, 2, 1, 1), (2, 2, 2, 1), (3, 2, 2, 1), (2, 1, 2, 1)]), seed=st.integers(0, 500))
def test_answers_are_consistent_with_independent_checks(arch: tuple[int, ...], seed: int) -> None:
    net = random_network(arch, seed=seed, max_num=4, max_den=3)
    r = identifiability(net)
    if r.globally_identifiable is True:
        # necessary: full functional dimension; and the kernel lines through θ meet no non-trivial member
        assert r.functional_dimension == net.num_parameters - net.num_hidden
        theta = net.parameters()
        for v in r.tangent.hidden:
            eta = Network.from_parameters(arch, [a + F(1, 3) * b for a, b in zip(theta, v)])
            assert not equivalent(net, eta) or related_by_trivial_symmetry(net, eta) is not None
    elif r.globally_identifiable is False:
        assert equivalent(net, r.witness, method="common-refinement")
        assert related_by_trivial_symmetry(net, r.witness) is None
    else:
        assert r.decided_by["by"] is None and r.reason
