"""Exact network model: construction, evaluation, patterns, affine maps, parameters (docs/mathematics.md §1, A1)."""

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactrelu import Network, examples, num_parameters, parameter_names, random_network
from exactrelu.core.errors import FormatError, NotExactError, ShapeError

archs = st.sampled_from([(1, 1, 1), (1, 3, 1), (2, 2, 1), (2, 3, 2), (3, 2, 2, 1), (2, 2, 2, 2, 1), (1, 1, 1, 1, 1)])
rationals = st.fractions(min_value=-20, max_value=20, max_denominator=12)


def test_hand_computed_values() -> None:
    net = examples.relu_of_sum()  # relu(relu(x1) + relu(x2) - 1)
    assert net([0, 0]) == (F(0),)
    assert net([F(1, 2), F(1, 3)]) == (F(0),)
    assert net([F(3, 4), F(2, 3)]) == (F(5, 12),)
    assert net([5, -7]) == (F(4),)
    assert net(["-1/2", "7/3"]) == (F(4, 3),)
    t = examples.invisible_translation()
    # z1 = (2 + 1/3 + 1/5, -1/2 + 3/2 - 2/7) at x=(1,1); a = relu; z2 = a1 - a2 - 1; f = 3 relu(z2) + 1/2
    z1 = (F(2) + F(1, 3) + F(1, 5), F(-1, 2) + F(3, 2) - F(2, 7))
    z2 = z1[0] - z1[1] - 1
    assert t([1, 1]) == (3 * max(z2, F(0)) + F(1, 2),)
    assert t.preactivations([1, 1])[0] == z1


def test_pattern_is_ternary_and_zero_on_hyperplanes() -> None:
    net = examples.relu_of_sum()
    assert net.pattern([1, 0]) == ((1, 0), (0,))
    assert net.pattern([-1, 3]) == ((-1, 1), (1,))
    assert net.pattern([F(1, 2), F(1, 2)]) == ((1, 1), (0,))


def test_affine_map_matches_evaluation_on_cells() -> None:
    for seed in range(10):
        net = random_network((2, 3, 3, 2), seed=seed)
        for k in range(10):
            x = [F(k - 4, 3), F(7 - 2 * k, 5)]
            A, c = net.affine_map(net.pattern(x))
            y = tuple(sum((a * v for a, v in zip(row, x)), ci) for row, ci in zip(A, c))
            assert y == net(x)


def test_shape_properties() -> None:
    net = random_network((3, 4, 2, 5), seed=1)
    assert net.architecture == (3, 4, 2, 5)
    assert net.num_parameters == 4 * 4 + 2 * 5 + 5 * 3 == num_parameters((3, 4, 2, 5))
    assert net.num_hidden == 6 and net.depth == 2
    assert len(net.parameters()) == net.num_parameters == len(parameter_names(net.architecture))


@given(archs, st.integers(0, 10**6))
def test_parameters_round_trip(arch: tuple[int, ...], seed: int) -> None:
    net = random_network(arch, seed=seed)
    assert Network.from_parameters(arch, net.parameters()) == net


def test_parameter_order_is_canonical() -> None:
    net = Network.from_lists([([[1, 2], [3, 4]], [5, 6]), ([[7, 8]], [9])])
    assert net.parameters() == tuple(F(v) for v in range(1, 10))
    assert parameter_names((2, 2, 1))[:6] == ("W1_1_1", "W1_1_2", "W1_2_1", "W1_2_2", "b1_1", "b1_2")


def test_construction_errors() -> None:
    with pytest.raises(ShapeError, match="ragged"):
        Network.from_lists([([[1, 2], [3]], [0, 0])])
    with pytest.raises(ShapeError, match=r"layers\[1\] expects 3 inputs but layers\[0\] has 2 outputs"):
        Network.from_lists([([[1], [2]], [0, 0]), ([[1, 2, 3]], [0])])
    with pytest.raises(ShapeError, match="empty"):
        Network.from_lists([])
    with pytest.raises(NotExactError, match="float 0.5"):
        Network.from_lists([([[0.5]], [0])])
    with pytest.raises(FormatError, match="zero denominator"):
        Network.from_lists([([["1/0"]], [0])])
    with pytest.raises(FormatError, match="not a rational"):
        Network.from_lists([([["abc"]], [0])])
    with pytest.raises(ShapeError, match="expects 2 inputs, got 3"):
        examples.relu_of_sum()([1, 2, 3])
    with pytest.raises(ShapeError):
        Network.from_parameters((1, 1, 1), [1, 2, 3])


def test_from_floats_is_exact_never_rounded() -> None:
    import numpy as np

    W = np.array([[0.1, -0.3], [1e-12, 2.5]])
    net = Network.from_floats([(W, np.array([0.2, 0.0])), (np.array([[1.0, -1.0]]), np.array([0.7]))])
    assert net.layers[0].weights[0][0] == F(0.1) != F(1, 10)
    assert float(net.layers[0].weights[1][0]) == 1e-12
    x = [F(3), F(-2)]
    # exact value equals the float computation's real-number value (not rounded): check against Fraction arithmetic
    z = [F(0.1) * 3 + F(-0.3) * -2 + F(0.2), F(1e-12) * 3 + F(2.5) * -2]
    assert net(x) == (max(z[0], 0) - max(z[1], 0) + F(0.7),)


def test_huge_integers_and_long_fractions() -> None:
    big = 10**400
    net = Network.from_lists([([[str(big)]], [f"1/{big}"]), ([[f"{big + 1}/{big}"]], [-1])])
    y = net([1])[0]
    assert y == (F(big) + F(1, big)) * F(big + 1, big) - 1
    assert Network.from_json(net.to_json()) == net


@given(archs, st.integers(0, 10**6), st.lists(rationals, min_size=3, max_size=3))
def test_evaluate_matches_call(arch: tuple[int, ...], seed: int, xs: list[F]) -> None:
    net = random_network(arch, seed=seed)
    pts = [[xs[(i + k) % 3] for i in range(arch[0])] for k in range(3)]
    assert net.evaluate(pts) == tuple(net(p) for p in pts)
