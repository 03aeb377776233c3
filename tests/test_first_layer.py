"""First layer from the function (docs/mathematics.md D7) and the parallel-facet lemma (D2).

Oracles: closed forms (relu(relu(x1) + relu(x2) - 1)), the parameters themselves (θ's own first layer and
orientations, the LP visibility test of D1 — a different algorithm from the ridge stars), exact equivalence
(``equivalent``) for the pairs that must get the same answer, and hand-built counterexamples for D2.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from exactrelu import examples, first_layer, parallel_facet_failures, save
from exactrelu.cli import app
from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.core.random import random_network, trained_style_network
from exactrelu.core.symmetry import random_trivial_symmetry, rescale
from exactrelu.theory.dimension.genericity import is_generic
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.first_layer import hyperplane_str
from exactrelu.theory.fibers.structure import flip, translate, visible_first_layer


def _eqs(rec) -> list[str]:
    return sorted(hyperplane_str(h.hyperplane) for h in rec.hyperplanes)


def test_relu_of_sum_closed_form() -> None:
    # f = relu(relu(x1) + relu(x2) - 1): first layer x1 = 0, x2 = 0 (both active on the positive side), bent sheet
    # x1 = 1 (x2 < 0), x1 + x2 = 1 (triangle side), x2 = 1 (x1 < 0); two ridges with three facets each
    rec = first_layer(examples.relu_of_sum())
    assert _eqs(rec) == ["x1 = 0", "x2 = 0"]
    assert all(h.orientation == 1 and h.evidence == "bend3" for h in rec.hyperplanes)
    assert sorted(hyperplane_str(g) for g in rec.second_layer) == ["x1 + x2 - 1 = 0", "x1 - 1 = 0", "x2 - 1 = 0"]
    assert rec.stars == {"bend3": 2} and not rec.undetermined
    assert [r["status"] for r in rec.theta["neurons"]] == ["recovered", "recovered"]
    assert "x1 = 0 (bend3): active on > 0" in str(rec) and "FirstLayerReconstruction(d=2" in repr(rec)


def test_planted_invisible_hyperplane_and_its_symmetries() -> None:
    # docs/mathematics.md D3: H_1 invisible; T_1(t) and the flip M_2 (D4) keep f, so they must give the same answer
    net = examples.invisible_translation()
    rec = first_layer(net)
    assert [r["status"] for r in rec.theta["neurons"]] == ["invisible", "recovered"]
    assert visible_first_layer(net, method="cells") == (False, True)
    others = [translate(net, F(7, 3)), translate(net, F(-1)), flip(net, [1]), flip(translate(net, 5), [1])]
    for eta in others:
        assert equivalent(net, eta)
        assert first_layer(eta).function_key() == rec.function_key()
    # the flip reverses the orientation of neuron 2 without changing f: the function cannot fix it, and it is not
    # claimed
    o = [r["orientation"] for r in (rec.theta["neurons"][1], first_layer(flip(net, [1])).theta["neurons"][1])]
    assert o[0] == -o[1]
    assert rec.hyperplanes[0].orientation is None


def _invisible(arch: tuple[int, ...], seed: int) -> Network:
    """A random bottleneck with H_1 planted invisible: W2_i1 > 0, W2_ik < 0 (k > 1), b2_i < 0."""
    rng = random.Random(seed)
    d, n1, n2, m = arch

    def q(lo: int, hi: int) -> F:
        v = F(0)
        while not v:
            v = F(rng.randint(lo, hi), rng.randint(1, 3))
        return v

    W1 = [[q(-4, 4) for _ in range(d)] for _ in range(n1)]
    b1 = [q(-3, 3) for _ in range(n1)]
    W2 = [[q(1, 4)] + [q(-4, -1) for _ in range(n1 - 1)] for _ in range(n2)]
    b2 = [q(-4, -1) for _ in range(n2)]
    W3 = [[q(-4, 4) for _ in range(n2)] for _ in range(m)]
    return Network.from_lists([(W1, b1), (W2, b2), (W3, [q(-2, 2) for _ in range(m)])])


@pytest.mark.parametrize(("arch", "seed"), [((2, 2, 2, 1), 0), ((3, 2, 2, 1), 1), ((3, 3, 2, 1), 2)])
def test_planted_invisible_random(arch: tuple[int, ...], seed: int) -> None:
    net = next(n for s in range(seed, seed + 200) if is_generic(n := _invisible(arch, s)))
    rec = first_layer(net)
    status = [r["status"] for r in rec.theta["neurons"]]
    assert status[0] == "invisible"
    assert status[1:] == ["recovered"] * (arch[1] - 1)
    eta = translate(net, F(3))
    assert equivalent(net, eta) and first_layer(eta).function_key() == rec.function_key()


@pytest.mark.parametrize(("arch", "seed"), [((2, 2, 2, 1), 3), ((2, 2, 3, 1), 5), ((3, 2, 2, 1), 0),
                                            ((2, 3, 2, 1), 4), ((3, 2, 2, 2), 7)])
def test_random_against_d1_and_orientation(arch: tuple[int, ...], seed: int) -> None:
    net = random_network(arch, seed)
    assert is_generic(net).generic
    rec = first_layer(net)
    vis = visible_first_layer(net, method="cells")           # LP oracle on the parameters
    for row, v in zip(rec.theta["neurons"], vis, strict=True):
        assert (row["status"] in ("recovered", "undetermined")) == v, (row, v)
        assert row.get("orientation_agrees") in (None, True)
    assert not rec.theta["not_in_theta"]
    g = random_trivial_symmetry(net, seed).apply(net)
    assert first_layer(g).function_key() == rec.function_key()


def test_orientation_is_claimed_and_right() -> None:
    claimed = 0
    for seed in range(6):
        net = random_network((2, 2, 2, 1), seed)
        if not is_generic(net).generic:
            continue
        rec = first_layer(net)
        for row in rec.theta["neurons"]:
            assert row.get("orientation_agrees") in (None, True)
            claimed += row.get("orientation_agrees") is True
    assert claimed >= 4


@pytest.mark.parametrize("d", [1, 2])
def test_parallel_kinks_are_undetermined(d: int) -> None:
    # relu(u - 1) with u = x1 (+ 2 x2): first-layer kink at u = 1 in `a`, second-layer kink in `b` (H at u = 0 is
    # invisible); both generic, the same function: the answer must be the same and say "undetermined"
    w = [[1]] if d == 1 else [[1, 2]]
    a = Network.from_lists([(w, [-1]), ([[1]], [1]), ([[1]], [-1])])
    b = Network.from_lists([(w, [0]), ([[1]], [-1]), ([[1]], [0])])
    assert is_generic(a).generic and is_generic(b).generic and equivalent(a, b)
    ra, rb = first_layer(a), first_layer(b)
    assert ra.function_key() == rb.function_key()
    assert not ra.hyperplanes and len(ra.undetermined) == 1
    assert ra.theta["neurons"][0]["status"] == "undetermined" and rb.theta["neurons"][0]["status"] == "invisible"


def test_full_hyperplanes_of_a_linear_block() -> None:
    # always-active second layer: f is shallow, both first-layer lines are whole kink lines crossing each other
    # no sheet at all, so the orientation comes from the one quadrant where f is constant (every neuron inactive)
    net = examples.linear_block()
    rec = first_layer(net)
    assert [h.evidence for h in rec.hyperplanes] == ["full", "full"]
    assert [r["status"] for r in rec.theta["neurons"]] == ["recovered", "recovered"]
    assert [r["orientation_agrees"] for r in rec.theta["neurons"]] == [True, True]
    p = rec.hyperplanes[0].orientation_point
    assert p is not None and net.affine_map(net.pattern(p))[0] == ((0, 0),)
    assert all(h.orientation * (h.hyperplane[0] + sum(a * x for a, x in zip(h.hyperplane[1:], p))) < 0
               for h in rec.hyperplanes)


def test_dead_second_layer_sees_nothing() -> None:
    rec = first_layer(examples.dead_second_layer())
    assert not rec.hyperplanes and not rec.second_layer and not rec.undetermined
    assert [r["status"] for r in rec.theta["neurons"]] == ["invisible", "invisible"]


def test_trained_style_and_power_of_two_scaling() -> None:
    net = trained_style_network((2, 2, 2, 1), 3, max_exp=40)
    rec = first_layer(net)
    eta = rescale(rescale(net, 1, [F(1, 2**30), F(2**20)]), 2, [F(2**35), F(3, 2**12)])
    assert first_layer(eta).function_key() == rec.function_key()


@pytest.mark.parametrize(("arch", "seed", "trained"), [((4, 2, 2, 1), 0, False), ((5, 3, 2, 1), 1, False),
                                                     ((3, 2, 2, 1), 1, True), ((3, 2, 2, 1), 2, True)])
def test_higher_dimensions_and_trained_magnitudes(arch: tuple[int, ...], seed: int, trained: bool) -> None:
    # d = 4, 5; trained-style entries k / 2^e (e <= 40) with magnitudes 1e-30 .. 1e30 (these seeds are generic)
    net = trained_style_network(arch, seed, max_exp=40, max_magnitude=30) if trained else random_network(arch, seed)
    rec = first_layer(net)
    assert [(r["status"], r["d1_visible"], r["orientation_agrees"]) for r in rec.theta["neurons"]] == \
        [("recovered", True, True)] * arch[1]
    g = random_trivial_symmetry(net, seed).apply(net)
    assert first_layer(g, compare=False).function_key() == rec.function_key()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), sym=st.integers(0, 10_000))
def test_property_trivial_symmetry_same_answer(seed: int, sym: int) -> None:
    net = random_network((2, 2, 2, 1), seed, max_num=3, max_den=2)
    g = random_trivial_symmetry(net, sym).apply(net)
    assert first_layer(g, compare=False).function_key() == first_layer(net, compare=False).function_key()


def test_not_applicable() -> None:
    with pytest.raises(NotApplicableError, match="two hidden layers"):
        first_layer(examples.three_kinks())
    with pytest.raises(NotApplicableError):
        parallel_facet_failures(examples.three_kinks())


# ------------------------------------------------------------------------------------------------ D2
def test_parallel_facet_lemma_holds_on_generic_bottlenecks() -> None:
    assert parallel_facet_failures(examples.relu_of_sum()) == ()
    for seed in range(4):
        net = random_network((3, 2, 2, 1), seed)
        if is_generic(net).generic:
            assert parallel_facet_failures(net) == ()


def test_parallel_facet_lemma_counterexamples() -> None:
    # n1 > d, generic in the sense of §1: in the region S1 = {1, 2} the sheet x1 + x2 = 1 is parallel to H_3
    ce = Network.from_lists([([[1, 0], [0, 1], [1, 1]], [0, 0, -10]), ([[1, 1, 1]], [-1]), ([[1]], [0])])
    assert is_generic(ce).generic
    fails = parallel_facet_failures(ce)
    assert [(f.S1, f.i, f.parallel) for f in fails] == [((0, 1), 2, True)]
    # a zero second-layer weight (not generic): in S1 = {1, 2} the sheet only sees neuron 1
    z = Network.from_lists([([[1, 0], [0, 1]], [0, 0]), ([[1, 0]], [-1]), ([[1]], [0])])
    assert not is_generic(z).generic
    assert {(f.S1, f.i) for f in parallel_facet_failures(z)} == {((0, 1), 0)}


# ------------------------------------------------------------------------------------------------ CLI
runner = CliRunner()


def test_cli_json_text_and_errors(tmp_path: Path) -> None:
    p = tmp_path / "t1.json"
    save(examples.invisible_translation(), p)
    r = runner.invoke(app, ["first-layer", str(p), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [h["equation"] for h in data["hyperplanes"]] == ["x1 - 3*x2 + 4/7 = 0"]
    assert data["generic_only"] is True and data["theta"]["neurons"][0]["status"] == "invisible"
    r = runner.invoke(app, ["first-layer", str(p)])
    assert r.exit_code == 0 and "invisible" in r.stdout and "bend3" in r.stdout
    r = runner.invoke(app, ["first-layer", str(p), "--no-compare", "--json"])
    assert json.loads(r.stdout)["theta"] is None
    q = tmp_path / "shallow.json"
    save(examples.three_kinks(), q)
    r = runner.invoke(app, ["first-layer", str(q)])
    assert r.exit_code == 2
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and str(q) in err[0] and "two hidden layers" in err[0]
