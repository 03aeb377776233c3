"""Fiber membership never answers "no" for a member: incomplete listings fall back to an exact equivalence test.

Regression tests for fibers on an orthant or a box with non-generic θ (an opposite pair of neurons can replace a
linear one) and for the bottleneck fiber, whose components are only the generic part S~(θ).
"""

from __future__ import annotations

import json
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from exactrelu import Network, examples, save
from exactrelu.cli import app
from exactrelu.geometry.polyhedra import Box, Orthant
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.bottleneck import bottleneck_structure, translate
from exactrelu.theory.fibers.fiber import fiber

runner = CliRunner()

# relu(x1+x2-1) + 2 relu(x1+x2+1)  and  3 relu(z) - 2 relu(-z) + 4 with z = x1+x2-1: equal on the orthant
THETA = Network.from_lists([([[1, 1], [1, 1]], [-1, 1]), ([[1, 2]], [0])])
ETA = Network.from_lists([([[1, 1], [-1, -1]], [-1, 1]), ([[3, -2]], [4])])


def test_orthant_fiber_of_a_non_generic_theta_is_marked_incomplete_and_contains_the_member() -> None:
    assert bool(equivalent(THETA, ETA, Orthant(2)))
    fib = fiber(THETA, "orthant")
    assert fib.complete is False and any("NOT complete" in n for n in fib.notes)
    assert fib.component_of(ETA) is None                     # not in a listed piece ...
    ans = fib.membership(ETA)
    assert ans.member and ans.method == "equivalence"        # ... but decided exactly
    assert fib.contains(ETA)
    assert json.loads(fib.to_json())["complete"] is False
    off = Network.from_lists([([[1, 1], [-1, -1]], [-1, 1]), ([[3, -2]], [5])])
    ans = fib.membership(off)
    assert not ans.member and ans.equivalence.witness is not None
    x = ans.equivalence.witness.x
    assert all(v >= 0 for v in x) and THETA(x) != off(x)


def test_box_fiber_falls_back_too() -> None:
    theta = Network.from_lists([([[1], [1]], [F(-1, 2), 2]), ([[1, 1]], [0])])   # relu(x-1/2) + (x+2) on [-1,1]
    eta = Network.from_lists([([[1], [-1]], [F(-1, 2), F(1, 2)]), ([[2, -1]], [F(5, 2)])])
    box = Box(-1, 1, 1)
    assert bool(equivalent(theta, eta, box)) and not bool(equivalent(theta, eta))
    fib = fiber(theta, box)
    assert fib.complete is False and fib.contains(eta)


def test_generic_orthant_fiber_is_complete() -> None:
    net = Network.from_lists([([[1, -1], [1, 1]], [0, 1]), ([[1, 2]], [0])])    # a_1 = (1,-1) not ∝ A = (2,2)
    fib = fiber(net, "orthant")
    assert fib.complete is True
    assert fib.membership(net).method == "component"
    other = Network.from_lists([([[1, -1], [1, 1]], [0, 1]), ([[1, 3]], [0])])
    ans = fib.membership(other)
    assert not ans.member and ans.method == "complete listing"


def test_bottleneck_closure_point_is_a_member() -> None:
    net = examples.invisible_translation()
    t_min = bottleneck_structure(net).t_min
    eta = translate(net, t_min)
    assert bool(equivalent(net, eta))
    fib = fiber(net)
    assert fib.kind == "bottleneck" and fib.complete is False
    assert fib.component_of(eta) is None
    ans = fib.membership(eta)
    assert ans.member and ans.method == "equivalence"
    assert fib.contains(translate(net, t_min + 3))         # in a component
    assert not fib.contains(translate(net, t_min - 1, check=False))


def test_shallow_fiber_on_r_d_is_complete() -> None:
    fib = fiber(examples.three_kinks())
    assert fib.complete is True
    assert json.loads(fib.to_json())["complete"] is True


def test_cli_json_reports_completeness(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "theta.json"
    save(THETA, path)
    res = runner.invoke(app, ["fiber", str(path), "--orthant", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["complete"] is False


# ------------------------------------------------------------------ readable output
def test_reprs_are_short_and_readable() -> None:
    from exactrelu.theory.equality.shallow import canonical_data

    local = fiber(examples.linear_block())
    for obj in (local, local.local, fiber(examples.three_kinks()), fiber(examples.three_kinks()).components[0],
                equivalent(examples.three_kinks(), examples.three_kinks(), certificate=True),
                equivalent(examples.three_kinks(), examples.relu_plus_identity()),
                canonical_data(examples.three_kinks()), fiber(examples.three_kinks()).verify(0)):
        text = repr(obj)
        assert len(text) < 400 and "Fraction(" not in text, text
        assert "Fraction(" not in str(obj)
    assert "2*W1_1_1 + 1/3*W1_1_2" in str(local.local)            # a scaling direction over parameter names
    assert str(canonical_data(examples.three_kinks())) == "f(x) = relu(x1 - 2) - relu(x1 - 1) + relu(x1) - x1"


def test_cli_local_fiber_is_readable_and_verify_says_why_not(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "lb.json"
    save(examples.linear_block(), path)
    res = runner.invoke(app, ["fiber", str(path), "--verify"])
    assert res.exit_code == 0, res.output
    assert "LocalFiber(" not in res.stdout and "Fraction(" not in res.stdout
    assert "--verify does not apply" in res.stdout and "hidden-symmetry directions" in res.stdout
    doc = json.loads(runner.invoke(app, ["fiber", str(path), "--verify", "--json"]).stdout)
    assert doc["verification"]["ok"] is None and "does not apply" in doc["verification"]["reason"]


def test_cli_canonical_prints_math(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "k3.json"
    save(examples.three_kinks(), path)
    out = runner.invoke(app, ["canonical", str(path)]).stdout
    assert "f(x) = relu(x1 - 2) - relu(x1 - 1) + relu(x1) - x1" in out
    assert "+ -" not in out and "['" not in out
    deep = tmp_path / "ros.json"
    save(examples.relu_of_sum(), deep)
    out = runner.invoke(app, ["shallow", str(deep)]).stdout
    assert "['" not in out and "+ -" not in out


# ------------------------------------------------------------------ properties on trained-style (dyadic) inputs
_dyadic = st.builds(lambda k, e: F(k, 2 ** e), st.integers(-2**12, 2**12).filter(bool), st.integers(0, 40))
_positive = st.builds(lambda k, e: F(k, 2 ** e), st.integers(1, 2**12), st.integers(0, 40))


@settings(max_examples=15, deadline=None)
@given(u=_dyadic, s=_dyadic, c=_positive, e=_positive, b=_dyadic)
def test_planted_opposite_pair_is_a_member_on_the_half_line(u, s, c, e, b) -> None:  # noqa: ANN001
    # θ = u relu(x - c) + s relu(x + e) + b; on [0, ∞) s relu(x + e) = s relu(x - c) - s relu(c - x) + s (c + e)
    from hypothesis import assume

    assume(u + s != 0)                                 # else rank A_S < r for S = {1}: refused, not this property
    theta = Network.from_lists([([[1], [1]], [-c, e]), ([[u, s]], [b])])
    eta = Network.from_lists([([[1], [-1]], [-c, c]), ([[u + s, -s]], [b + s * (c + e)])])
    fib = fiber(theta, "orthant")
    assert fib.complete is False                       # d = 1: a_1 always lies in the row space of A_S
    assert fib.contains(eta)
    off = Network.from_lists([([[1], [-1]], [-c, c]), ([[u + s, -s]], [b + s * (c + e) + F(1, 2**40)])])
    ans = fib.membership(off)
    assert not ans.member and ans.equivalence.witness is not None


@settings(max_examples=15, deadline=None)
@given(w=st.lists(_dyadic, min_size=2, max_size=2), t=st.lists(_dyadic, min_size=2, max_size=2),
       v=st.lists(_dyadic, min_size=2, max_size=2), lam=st.lists(_positive, min_size=2, max_size=2))
def test_rescaled_permuted_copy_is_in_a_listed_component(w, t, v, lam) -> None:  # noqa: ANN001
    from hypothesis import assume

    from exactrelu import permute, rescale

    assume(w[0] * t[1] != w[1] * t[0])                 # two distinct hyperplanes
    theta = Network.from_lists([([[w[0]], [w[1]]], t), ([v], [0])])
    eta = rescale(permute(theta, 1, (1, 0)), 1, lam)
    fib = fiber(theta)
    assert fib.complete is True
    ans = fib.membership(eta)
    assert ans.member and ans.method == "component"
    moved = Network.from_parameters(theta.architecture, [*eta.parameters()[:-1], eta.parameters()[-1] + 1])
    assert not fib.contains(moved)
