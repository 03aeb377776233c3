"""reduce(): dead / invisible / constant / duplicate / always-active neurons, with certificates (docs/mathematics.md
§3)."""

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactrelu import Network, examples, random_network
from exactrelu.geometry.certificate import check_certificate
from exactrelu.geometry.polyhedra import Box
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.equality.reduce import reduce
from exactrelu.theory.equality.shallow import canonical_data, minimal_width


def check_reduction(r, net, domain=None) -> None:
    """The certificate's regions re-verified without LPs, plus an independent equality check by the general method."""
    assert r.equivalence and r.certificate["kind"] == "equivalence"
    for reg in r.certificate["regions"]:
        x = tuple(F(v) for v in reg["interior_point"])
        assert net(x) == r.network(x)
        for row in reg["inequalities"]:
            assert F(row[0]) + sum(F(c) * v for c, v in zip(row[1:], x)) > 0
    assert check_certificate(r.certificate)["valid"]
    assert equivalent(net, r.network, domain, method="common-refinement")
    assert r.network.num_hidden <= net.num_hidden


def test_named_examples() -> None:
    r = reduce(examples.dead_second_layer())
    assert r.network.depth == 0 and r.network.layers[0].biases == (F(1, 2),)
    check_reduction(r, examples.dead_second_layer())
    r = reduce(examples.linear_block())
    assert r.network.architecture == (2, 2, 1)
    check_reduction(r, examples.linear_block())
    for net in examples.catalogue().values():
        check_reduction(reduce(net), net)
    # three_kinks is minimal (3 hyperplanes, a valid orientation set): nothing to remove
    assert reduce(examples.three_kinks()).network.num_hidden == 3


def with_redundancy(net: Network) -> Network:
    """Add to hidden layer 1: a duplicate of neuron 0 (scaled by 3, outgoing weights split), a constant neuron, an
    invisible neuron; to the last hidden layer: a dead neuron (nonpositive weights, negative bias)."""
    layers = [[[list(r) for r in L.weights], list(L.biases)] for L in net.layers]
    W1, b1 = layers[0]
    W2 = layers[1][0]
    W1 += [[3 * v for v in W1[0]], [0] * net.input_dim, [F(1, 2)] * net.input_dim]
    b1 += [3 * b1[0], F(7, 3), 1]
    for row in W2:
        c = row[0]
        row[0] = c / 2
        row += [c / 6, F(2), F(0)]
    if net.depth >= 2:
        WL, bL = layers[net.depth - 1]
        WL.append([-abs(v) - 1 for v in WL[0]])
        bL.append(F(-1))
        for row in layers[net.depth][0]:
            row.append(F(5))
    # compensate the constant neuron relu(7/3) * 2 in the next layer's bias
    layers[1][1] = [b - F(14, 3) for b in layers[1][1]]
    return Network.from_lists([tuple(L) for L in layers])


@pytest.mark.parametrize("arch,seed", [((2, 3, 1), 0), ((2, 3, 2, 1), 1), ((1, 2, 3, 1), 2), ((2, 2, 2, 2, 1), 3)])
def test_injected_redundancy_is_removed(arch, seed) -> None:
    net = random_network(arch, seed=seed)
    big = with_redundancy(net)
    assert equivalent(net, big, method="common-refinement")
    r = reduce(big)
    check_reduction(r, big)
    assert r.network.num_hidden <= reduce(net).network.num_hidden
    assert any("duplicate" in s for s in r.steps) and any("constant" in s for s in r.steps)


@given(st.sampled_from([(1, 3, 1), (2, 3, 1), (2, 2, 2, 1), (1, 2, 2, 1), (2, 3, 2)]), st.integers(0, 10**6))
def test_reduce_preserves_the_function_on_random_sparse_networks(arch, seed) -> None:
    net = random_network(arch, seed=seed, max_num=2, max_den=2, nonzero=False)
    r = reduce(net)
    check_reduction(r, net)
    if net.depth == 1 and net.output_dim == 1:
        width = minimal_width(net)
        assert (r.network.depth, r.network.num_hidden) in ((1, max(width, 1)), (0, 0) if width == 0 else (1, width))


def test_box_pruning_of_neurons_that_never_fire() -> None:
    # relu(x) - relu(x-5) + 3 relu(-x-4)
    net = Network.from_lists([([[1], [1], [-1]], [0, -5, -4]), ([[1, -1, 3]], [0])])
    box = Box(-3, 3, 1)
    r = reduce(net, box)
    assert r.network.num_hidden == 1
    check_reduction(r, net, box)
    assert not equivalent(net, r.network)  # outside the box they differ
    full = reduce(net)
    assert full.network.num_hidden == 3 and canonical_data(full.network) == canonical_data(net)


def test_cheap_interval_test_without_regions() -> None:
    net = examples.dead_second_layer()
    r = reduce(net, exact=False, certify=False)
    assert r.equivalence is None and r.network.depth == 0 and r.network([1, 1]) == net([1, 1])  # z <= -1: dead
    bounded = Network.from_lists([([[1, 0], [0, 1]], [0, 0]), ([[-1, -1], [1, 1]], [-1, 3]), ([[4, 1]], [0])])
    r = reduce(bounded, Box(-1, 1, 2), exact=False)
    # on [-1,1]^2: neuron (2,1) has z <= -1 (dead); neuron (2,2) has z >= 3 (always active, folded)
    assert any("dead" in s for s in r.steps)
    check_reduction(r, bounded, Box(-1, 1, 2))
    assert r.network.depth == 1


def test_linear_dependency_folding_of_always_active_neurons() -> None:
    # hidden layer 2 on the orthant image: three always-active neurons, the third = neuron1 + 2 neuron2 + 1
    net = Network.from_lists([([[1, 2], [-1, 1]], [0, 1]),
                              ([[1, 0], [0, 1], [1, 2], [-1, 1]], [1, 2, 6, 0]),
                              ([[1, 2, 3, 1]], [0])])
    r = reduce(net)
    check_reduction(r, net)
    assert r.network.num_hidden < net.num_hidden
