"""Identically zero pre-activations (docs/mathematics.md §3): where θ ↦ f_θ(x) is or is not differentiable, and what
functional_dimension reports there.  Oracles: closed forms by hand, and the brute-force definition (every one-sided
piece's gradient, from the dual-number reference with the pattern imposed)."""

import itertools
import json
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu import Network, save
from exactrelu.theory.dimension.fdim import batch_functional_dimension, functional_dimension
from exactrelu.theory.dimension.jacobian import (
    bent_neurons,
    nondifferentiable_neurons,
    parameter_jacobian,
    parameter_jacobian_reference,
    region_sign_vector,
)
from proofs_checks.fdim_oracle import gauss_rank

# f = 0·relu(0·x + 0) + 2 relu(x + 1): neuron 1 vanishes identically, but W2_1 = 0
ZERO_UNUSED = Network.from_lists([([[0], [1]], [0, 1]), ([[0, 2]], [0])])
# f = relu(relu(-x)): for x > 0 the second neuron's pre-activation is 0·... + 0 ≡ 0 and reaches the output
RELU_RELU = Network.from_lists([([[-1]], [0]), ([[1]], [0]), ([[1]], [0])])


def _hand_rows_zero_unused(x: F) -> tuple[F, ...]:
    """∇θ f at x, by hand.  Order W1_1_1, W1_2_1, b1_1, b1_2, W2_1_1, W2_1_2, b2_1.  The term W2_1' relu(W1_1' x +
    b1_1') is a product of two quantities vanishing at θ, so its gradient is 0; 2 relu(W1_2' x + b1_2') has gradient
    (2x, 2) on (W1_2, b1_2) and x + 1 on W2_1_2 for x > -1, and is 0 for x < -1."""
    if x > -1:
        return (F(0), 2 * x, F(0), F(2), F(0), x + 1, F(1))
    return (F(0),) * 6 + (F(1),)


def test_vanishing_neuron_that_does_not_reach_the_output_keeps_every_region() -> None:
    """Regression (the old code dropped every point and reported rank 0, certified_by 'empty', exact)."""
    r = functional_dimension(ZERO_UNUSED)
    hand = gauss_rank([_hand_rows_zero_unused(F(x)) for x in (-3, -2, 0, 1, 5)])
    assert hand == 3
    assert (r.rank, r.exact, r.method, r.nondifferentiable) == (hand, True, "regions", ())
    assert len(r.vanishing) == 2 and all(v.neurons == ((1, 1),) for v in r.vanishing)
    for x in (-3, 0, 1):
        assert parameter_jacobian(ZERO_UNUSED, [x]) == (_hand_rows_zero_unused(F(x)),)
    b = batch_functional_dimension(ZERO_UNUSED, [[-2], [0], [1]])
    assert b.rank == 3 and b.nondifferentiable == ()
    s = functional_dimension(ZERO_UNUSED, method="sampling")
    assert s.rank == 3 and s.nondifferentiable == ()


def test_relu_of_relu_of_minus_x_reports_the_region_instead_of_a_number() -> None:
    """Regression: relu(relu(-x)).  For x > 0, f_θ'(x) = W3' relu(b2' + W2' relu(W1' x + b1')) + b3' with the inner
    relu 0 near θ, so f = relu(b2') + b3': one-sided derivatives 1 and 0 in b2.  For x < 0 everything is active:
    f = W3 (W2 (W1 x + b1) + b2) + b3, gradients of A = W3 W2 W1 and c = W3 W2 b1 + W3 b2 + b3 at θ."""
    r = functional_dimension(RELU_RELU)
    assert r.rank is None and not r.exact and r.functional_dimension is None
    (nd,) = r.nondifferentiable
    assert nd.neurons == ((2, 1),) and nd.sign_vector == ((-1,), (0,)) and nd.point[0] > 0
    # order W1, b1, W2, b2, W3, b3; θ = (-1, 0, 1, 0, 1, 0)
    grad_A = [F(1), F(0), F(-1), F(0), F(-1), F(0)]
    grad_c = [F(0), F(1), F(0), F(1), F(0), F(1)]
    assert r.differentiable_rank == gauss_rank([grad_A, grad_c]) == 2
    # the two one-sided pieces at x = 1 differ exactly in the b2 column (brute force, dual numbers)
    on = parameter_jacobian_reference(RELU_RELU, [1], pattern=((-1,), (1,)))
    off = parameter_jacobian_reference(RELU_RELU, [1], pattern=((-1,), (-1,)))
    assert [k for k in range(6) if on[0][k] != off[0][k]] == [3]
    doc = r.to_dict()
    assert doc["functional_dimension"] is None and doc["nondifferentiable"][0]["neurons"] == [[2, 1]]
    assert "not defined" in str(r) and "(2,1)" in str(r)
    s = functional_dimension(RELU_RELU, method="sampling", seed=1)
    assert s.rank is None and s.nondifferentiable[0].neurons == ((2, 1),)


def test_cli_fdim_json_reports_nondifferentiable_regions(tmp_path) -> None:
    from typer.testing import CliRunner

    from exactrelu.cli import app

    save(RELU_RELU, tmp_path / "n.json")
    res = CliRunner().invoke(app, ["fdim", str(tmp_path / "n.json"), "--json"])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["functional_dimension"] is None and doc["differentiable"] is False
    assert doc["nondifferentiable"][0]["sign_vector"] == [[-1], [0]]
    res = CliRunner().invoke(app, ["fdim", str(tmp_path / "n.json")])
    assert res.exit_code == 0 and "not defined" in res.stdout and "(2,1)" in res.stdout


def _pieces(net: Network, x):
    """Gradients of every polynomial piece at x: each vanishing neuron imposed active or inactive (brute force)."""
    sv = net.pattern(x)
    zero = [(l, i) for l, s in enumerate(sv) for i, v in enumerate(s) if v == 0]
    out = []
    for choice in itertools.product((1, -1), repeat=len(zero)):
        pat = [list(s) for s in sv]
        for (l, i), c in zip(zero, choice):
            pat[l][i] = c
        out.append(parameter_jacobian_reference(net, x, pattern=tuple(tuple(s) for s in pat)))
    return out


small = st.integers(-1, 1)


@st.composite
def degenerate_nets(draw):
    """Entries in {-1, 0, 1} (many zeros, zero biases, dead neurons): vanishing pre-activations are common."""
    arch = draw(st.sampled_from([(1, 2, 1), (1, 1, 1, 1), (2, 2, 1), (1, 2, 2, 1), (2, 2, 2, 1), (1, 1, 2, 2)]))
    layers = []
    for l in range(1, len(arch)):
        W = [[draw(small) for _ in range(arch[l - 1])] for _ in range(arch[l])]
        b = [draw(small) for _ in range(arch[l])]
        layers.append((W, b))
    return Network.from_lists(layers)


@given(degenerate_nets(), st.lists(st.integers(-2, 2), min_size=2, max_size=2))
@settings(max_examples=150, deadline=None)
def test_differentiability_criterion_equals_the_brute_force_definition(net, xs) -> None:
    """θ ↦ f_θ(x) is differentiable at θ iff every piece has the same gradient (each piece is met on an open cone of
    directions).  The criterion (one backward pass) must agree with the 2^k pieces, and the Jacobian, when it
    exists, must be their common gradient."""
    x = [F(v) for v in xs[: net.input_dim]]
    pieces = _pieces(net, x)
    same = all(p == pieces[0] for p in pieces)
    assert (nondifferentiable_neurons(net, x) == ()) == same
    if same:
        assert parameter_jacobian(net, x) == pieces[0]
    assert set(nondifferentiable_neurons(net, x)) <= set(bent_neurons(net, x))


@given(degenerate_nets())
@settings(max_examples=40, deadline=None)
def test_every_region_is_used_or_reported(net) -> None:
    """No region is dropped silently: each region either gives rows or is listed, and the rank is a number iff none
    is listed."""
    from exactrelu.geometry.regions import regions

    r = functional_dimension(net)
    listed = {p.sign_vector for p in r.nondifferentiable}
    cx = regions(net)
    for R in cx.regions:
        assert region_sign_vector(net, R.interior_point) == R.pattern
        has = nondifferentiable_neurons(net, R.interior_point) != ()
        assert has == (R.pattern in listed)
    assert (r.rank is None) == bool(listed)
    assert r.exact == (r.rank is not None)


@given(degenerate_nets())
@settings(max_examples=60, deadline=None)
def test_upper_bound_equals_the_rank_of_all_scaling_generators(net) -> None:
    """The fast count (private bias coordinates) equals the pure-Fraction rank of every scaling generator."""
    from exactrelu.engines.flintlib import rank_reference
    from exactrelu.theory.dimension.fdim import upper_bound
    from exactrelu.theory.dimension.jacobian import scaling_generators

    gens = scaling_generators(net)
    assert upper_bound(net) == net.num_parameters - (rank_reference(list(gens)) if gens else 0)
