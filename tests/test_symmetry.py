"""Trivial symmetries and the normal form (docs/mathematics.md §1), as hypothesis properties."""

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactrelu import (
    Network,
    examples,
    normal_form,
    permute,
    random_network,
    related_by_trivial_symmetry,
    rescale,
)
from exactrelu.core.errors import ShapeError

archs = st.sampled_from([(1, 2, 1), (2, 3, 1), (2, 2, 2), (3, 3, 2, 1), (2, 2, 2, 2, 1), (1, 1, 1, 1)])
positive = st.fractions(min_value=F(1, 30), max_value=50, max_denominator=30)
points = st.lists(st.fractions(min_value=-9, max_value=9, max_denominator=7), min_size=3, max_size=3)


@st.composite
def net_and_symmetry(draw: st.DrawFn) -> tuple[Network, Network]:
    arch = draw(archs)
    net = random_network(arch, seed=draw(st.integers(0, 10**6)))
    other = net
    for l in range(1, net.depth + 1):
        n = arch[l]
        perm = draw(st.permutations(range(n)))
        factors = draw(st.lists(positive, min_size=n, max_size=n))
        other = permute(rescale(other, l, factors), l, perm)
    return net, other


@given(net_and_symmetry(), points)
def test_trivial_symmetry_never_changes_the_function(pair: tuple[Network, Network], xs: list[F]) -> None:
    net, other = pair
    for k in range(3):
        x = [xs[(i + k) % 3] for i in range(net.input_dim)]
        assert net(x) == other(x)


@given(net_and_symmetry())
def test_normal_form_is_invariant_and_relation_is_recovered(pair: tuple[Network, Network]) -> None:
    net, other = pair
    assert normal_form(net) == normal_form(other)
    assert normal_form(normal_form(net)) == normal_form(net)
    g = related_by_trivial_symmetry(net, other)
    assert g is not None and g.apply(net) == other


@given(archs, st.integers(0, 10**6), st.integers(0, 10**6), st.sampled_from([1, -1]))
def test_normal_form_separates_tiny_perturbations(arch: tuple[int, ...], seed: int, k: int, sign: int) -> None:
    net = random_network(arch, seed=seed)
    theta = list(net.parameters())
    theta[k % len(theta)] += sign * F(1, 10**12)
    other = Network.from_parameters(arch, theta)
    assert normal_form(other) != normal_form(net)
    assert related_by_trivial_symmetry(net, other) is None


def test_normal_form_normalisation_and_order() -> None:
    net = Network.from_lists([([[4, -2], [1, 1]], [2, 3]), ([[1, 2]], [0])])
    nf = normal_form(net)
    # row (4,-2,2) scaled by 1/4 -> (1, -1/2, 1/2); row (1,1,3) scaled by 1/3 -> (1/3, 1/3, 1); sorted lexicographically
    assert nf.layers[0].weights == ((F(1, 3), F(1, 3)), (F(1), F(-1, 2)))
    assert nf.layers[0].biases == (F(1), F(1, 2))
    assert nf.layers[1].weights == ((F(6), F(4)),)


def test_duplicate_neurons_ties_are_resolved_canonically() -> None:
    # two identical first-layer neurons with different outgoing weights into a 2-neuron second layer
    a = Network.from_lists([([[1], [1]], [0, 0]), ([[1, 2], [3, 5]], [1, -1]), ([[1, 1]], [0])])
    b = permute(a, 1, (1, 0))
    c = permute(b, 2, (1, 0))
    assert normal_form(a) == normal_form(b) == normal_form(c)
    assert related_by_trivial_symmetry(a, c).apply(a) == c


def test_zero_neurons_are_normalised_by_outgoing_weights() -> None:
    a = Network.from_lists([([[0], [1]], [0, 0]), ([[5, 1]], [0])])
    b = rescale(a, 1, [F(1, 5), 1])
    assert b.layers[1].weights[0][0] == 25
    assert normal_form(a) == normal_form(b)
    assert normal_form(a).layers[1].weights[0] in ((F(1), F(1)),)


def test_symmetry_argument_errors() -> None:
    net = examples.relu_of_sum()
    with pytest.raises(ShapeError, match="not a permutation"):
        permute(net, 1, (0, 0))
    with pytest.raises(ShapeError, match="hidden layer index"):
        permute(net, 3, (0,))
    with pytest.raises(ValueError, match="positive"):
        rescale(net, 1, (1, -1))
    assert related_by_trivial_symmetry(net, random_network((2, 3, 1), seed=0)) is None
