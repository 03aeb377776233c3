"""Exact parameter Jacobians (docs/mathematics.md §1, E1): backprop vs dual numbers vs sympy, pattern Jacobians vs
points."""

import random
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from exactrelu import Network, examples, random_network
from exactrelu.core.errors import NotApplicableError, ShapeError
from exactrelu.core.random import random_rational
from exactrelu.theory.dimension.jacobian import (
    batch_jacobian,
    bent_neurons,
    parameter_jacobian,
    parameter_jacobian_reference,
    pattern_jacobian,
    scaling_generators,
)

archs = st.sampled_from([(1, 1, 1), (1, 2, 1), (2, 3, 1), (2, 2, 2), (3, 2, 2, 1), (2, 2, 2, 2, 1), (1, 1, 1, 1, 2)])
coords = st.fractions(min_value=-5, max_value=5, max_denominator=9)


@given(archs, st.integers(0, 10**6), st.lists(coords, min_size=3, max_size=3))
def test_backprop_equals_dual_number_reference(arch, seed, xs) -> None:
    net = random_network(arch, seed=seed)
    x = xs[: arch[0]]
    if bent_neurons(net, x):
        with pytest.raises(NotApplicableError):
            parameter_jacobian(net, x)
        return
    J = parameter_jacobian(net, x)
    assert J == parameter_jacobian_reference(net, x)
    assert len(J) == net.output_dim and all(len(r) == net.num_parameters for r in J)


@given(archs, st.integers(0, 10**6), st.lists(coords, min_size=3, max_size=3))
def test_point_jacobian_is_affine_combination_of_pattern_jacobian(arch, seed, xs) -> None:
    net = random_network(arch, seed=seed)
    x = xs[: arch[0]]
    if bent_neurons(net, x):
        return
    d = net.input_dim
    P = pattern_jacobian(net, net.pattern(x))
    J = parameter_jacobian(net, x)
    for k in range(net.output_dim):
        rows = P[k * (d + 1):(k + 1) * (d + 1)]
        combo = tuple(sum((x[j] * rows[j][q] for j in range(d)), rows[d][q]) for q in range(net.num_parameters))
        assert combo == J[k]


def test_jacobian_matches_sympy_differentiation_of_the_region_affine_map() -> None:
    """∇_θ f at x equals sympy's derivative of the symbolic affine map of x's region (docs/mathematics.md E1)."""
    net = examples.invisible_translation()
    x = (F(1, 3), F(-2, 5))
    pattern = net.pattern(x)
    syms = sp.symbols(" ".join(net.parameter_names()), real=True)
    theta = dict(zip(syms, [sp.Rational(v.numerator, v.denominator) for v in net.parameters()]))
    arch = net.architecture
    pos, a = 0, [sp.Rational(v.numerator, v.denominator) for v in x]
    for l in range(1, len(arch)):
        n_in, n_out = arch[l - 1], arch[l]
        z = [syms[pos + n_out * n_in + i] + sum(syms[pos + i * n_in + j] * a[j] for j in range(n_in))
             for i in range(n_out)]
        pos += n_out * (n_in + 1)
        a = [zi if l == len(arch) - 1 or pattern[l - 1][i] > 0 else 0 for i, zi in enumerate(z)]
    grad = [sp.diff(a[0], s).subs(theta) for s in syms]
    assert [F(int(g.p), int(g.q)) for g in grad] == list(parameter_jacobian(net, x)[0])


def test_closed_form_shallow_jacobian() -> None:
    # f = 3 relu(2x - 1) + 1 at x = 1: d/dW1 = W2 x = 3, d/db1 = W2 = 3, d/dW2 = relu(1) = 1, d/db2 = 1
    net = Network.from_lists([([[2]], [-1]), ([[3]], [1])])
    assert parameter_jacobian(net, [1]) == ((F(3), F(3), F(1), F(1)),)
    # inactive neuron: only the output bias moves f
    assert parameter_jacobian(net, [0]) == ((F(0), F(0), F(0), F(1)),)


def test_points_on_bent_hyperplanes_are_reported() -> None:
    net = examples.relu_of_sum()
    assert bent_neurons(net, [1, 0]) == ((1, 2), (2, 1))
    assert bent_neurons(net, [2, 3]) == ()
    with pytest.raises(NotApplicableError, match=r"\(2, 1\)"):
        parameter_jacobian(net, [1, 0])
    with pytest.raises(ShapeError):
        parameter_jacobian(net, [1])


def test_scaling_generators_are_in_every_kernel() -> None:
    rng = random.Random(4)
    for arch in [(2, 3, 1), (2, 2, 2, 1), (1, 1, 1, 1, 1), (3, 2, 3, 2)]:
        net = random_network(arch, seed=rng.randint(0, 999))
        gens = scaling_generators(net)
        assert len(gens) == net.num_hidden
        for _ in range(5):
            x = [random_rational(rng, 7, 5) for _ in range(net.input_dim)]
            if bent_neurons(net, x):
                continue
            for row in parameter_jacobian(net, x):
                assert all(sum(a * b for a, b in zip(row, g)) == 0 for g in gens)


def test_batch_jacobian_stacks_rows() -> None:
    net = examples.linear_block()
    pts = [[1, 1], [F(-1, 2), 3]]
    assert batch_jacobian(net, pts) == parameter_jacobian(net, pts[0]) + parameter_jacobian(net, pts[1])


def test_scaling_generator_skips_all_zero_neuron() -> None:
    net = Network.from_lists([([[0], [1]], [0, 1]), ([[0, 2]], [0])])
    assert len(scaling_generators(net)) == 1
