"""Bottleneck fibers (docs/mathematics.md §2.D) and local fiber descriptions: exact oracles and brute-force
cross-checks."""

from __future__ import annotations

import random
from dataclasses import replace
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu import examples, permute, random_network, rescale
from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.engines.flintlib import rank
from exactrelu.engines.sympylib import evaluate
from exactrelu.theory.dimension.genericity import is_generic
from exactrelu.theory.dimension.identifiability import fiber_tangent_space
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.bottleneck import (
    bottleneck_fiber,
    bottleneck_structure,
    certify_family,
    flip,
    local_fiber,
    translate,
    visible_first_layer,
)
from exactrelu.theory.fibers.fiber import fiber


def _same(a: Network, b: Network) -> bool:
    return bool(equivalent(a, b, method="common-refinement"))


def invisible_network(arch: tuple[int, ...], seed: int, same_ratio: bool = True) -> Network:
    """Generic bottleneck with H_1 invisible: W2_i1 > 0, W2_ik < 0, b2 < 0 (rows proportional off 1 if same_ratio)."""
    for s in range(seed, seed + 50_000, 1000):
        rng = random.Random(s)
        d, n1, n2, m = arch

        def q(lo: int, hi: int, rng: random.Random = rng) -> F:
            while True:
                v = F(rng.randint(lo, hi), rng.randint(1, 3))
                if v:
                    return v

        ratios = [q(-3, -1) for _ in range(n1)]
        W2, b2 = [], []
        for _ in range(n2):
            w0 = q(1, 4)
            W2.append([w0] + [w0 * ratios[k] if same_ratio else q(-4, -1) for k in range(1, n1)])
            b2.append(q(-4, -1))
        net = Network.from_lists([([[q(-4, 4) for _ in range(d)] for _ in range(n1)], [q(-3, 3) for _ in range(n1)]),
                                  (W2, b2), ([[q(-4, 4) for _ in range(n2)] for _ in range(m)],
                                             [q(-2, 2) for _ in range(m)])])
        if is_generic(net):
            return net
    raise AssertionError("no generic network with an invisible hyperplane found")


def covered_network(arch: tuple[int, ...], seed: int) -> Network:
    """A seeded random generic bottleneck whose second-layer neurons are all alive on the orthant."""
    s = seed
    while True:
        net = random_network(arch, seed=s, max_num=4, max_den=3)
        try:
            stc = bottleneck_structure(net)
        except NotApplicableError:
            s += 1000
            continue
        if all(k == "alive" for k in stc.second_layer) and is_generic(net):
            return net
        s += 1000


# ------------------------------------------------------------------------------------------------ docs/mathematics.md
# oracles
def test_t1_example_oracle() -> None:
    net = examples.invisible_translation()
    st_ = bottleneck_structure(net)
    assert st_.visible == (False, True) and st_.invisible == 0 and st_.t_min == F(-1) and st_.flippable == (1,)
    Fb = bottleneck_fiber(net)
    # docs/mathematics.md §7 row 4: fiber dimension 4 = 3 scalings + 1 translation; D - dim_fun = 11 - 7
    assert Fb.kind == "bottleneck" and Fb.dimension == 4
    assert len(Fb.components) == 2 * 1 * 2                      # n1! n2! 2^{|K_j|}
    assert all(c.dimension == 4 for c in Fb.components)
    assert fiber_tangent_space(net).dimension == 4
    assert Fb.to_dict()["components"] == 4 and Fb.to_dict()["dimension"] == 4


def test_visible_example_oracle() -> None:
    net = examples.visible_bottleneck()
    Fb = bottleneck_fiber(net)
    # W2 = (1, 1): both hyperplanes visible, fiber dimension 3 = D - dim_fun = 11 - 8, no T_j, no G_j
    assert bottleneck_structure(net).visible == (True, True)
    assert Fb.dimension == 3 and len(Fb.components) == 2
    assert fiber_tangent_space(net).dimension == 3


# ------------------------------------------------------------------------------------------------ visibility (D1)
@settings(max_examples=10, deadline=None)
@given(arch=st.sampled_from([(2, 2, 1, 1), (2, 2, 2, 1), (3, 2, 2, 1), (2, 1, 2, 1), (3, 3, 1, 2)]),
       seed=st.integers(0, 10_000))
def test_visibility_sign_test_matches_lp_over_cells(arch: tuple[int, ...], seed: int) -> None:
    net = random_network(arch, seed=seed, max_num=3, max_den=2)
    try:
        fast = visible_first_layer(net, method="orthant")
    except NotApplicableError:
        return
    assert fast == visible_first_layer(net, method="cells")


def test_visibility_cells_on_invisible_examples() -> None:
    for seed in range(3):
        net = invisible_network((2, 2, 2, 1), seed, same_ratio=False)
        assert visible_first_layer(net, method="cells") == (False, True) == bottleneck_structure(net).visible


# ------------------------------------------------------------------------------------------------ T_j and G_j
@pytest.mark.parametrize("arch,seed", [((2, 2, 1, 1), 0), ((2, 2, 1, 1), 1), ((3, 3, 1, 1), 0), ((2, 2, 2, 1), 2)])
def test_translation_and_flips_preserve_f(arch: tuple[int, ...], seed: int) -> None:
    net = invisible_network(arch, seed, same_ratio=arch[2] == 1)
    st_ = bottleneck_structure(net)
    assert st_.t_min is not None and st_.t_min < 0
    for t in (st_.t_min, st_.t_min / 3, F(5, 2)):
        assert _same(net, translate(net, t))
    for k in st_.flippable:
        assert _same(net, flip(net, [k]))
    assert _same(net, flip(net, st_.flippable))
    # just below the half-line the translation changes f (an exact witness exists)
    eta = translate(net, st_.t_min - F(1, 7), check=False)
    r = equivalent(net, eta, method="common-refinement")
    assert not r and net(r.witness.x) != eta(r.witness.x)
    with pytest.raises(NotApplicableError):
        translate(net, st_.t_min - 1)


def test_proportional_columns_are_not_generic() -> None:
    # n2 >= 2: a k in K_j makes columns j, k of W2 proportional, so W2 D_{j,k} W1 has rank 1 < 2 (module docstring)
    for seed in range(3):
        net = invisible_network((2, 2, 2, 1), seed, same_ratio=False)
        W2 = [list(r) for r in net.layers[1].weights]
        W2[1][1] = W2[1][0] * W2[0][1] / W2[0][0]
        bad = Network.from_lists([(net.layers[0].weights, net.layers[0].biases), (W2, net.layers[1].biases),
                                  (net.layers[2].weights, net.layers[2].biases)])
        assert bottleneck_structure(bad).flippable == (1,)
        rep = is_generic(bad)
        assert not rep.maximal_rank and (2, ((1, 2),)) in {(f.layer, f.index_sets) for f in rep.rank_failures}


def test_g_j_empty_when_ratios_differ() -> None:
    net = invisible_network((2, 2, 2, 1), 0, same_ratio=False)
    st_ = bottleneck_structure(net)
    W2 = net.layers[1].weights
    assert W2[0][1] / W2[0][0] != W2[1][1] / W2[1][0]
    assert st_.flippable == ()
    with pytest.raises(NotApplicableError):
        flip(net, [1])


def test_certify_family_is_exact_and_not_vacuous(monkeypatch: pytest.MonkeyPatch) -> None:
    net = examples.invisible_translation()
    assert certify_family(net) and certify_family(net, [1])
    import exactrelu.theory.fibers.structure as structure

    real = structure.bottleneck_structure
    monkeypatch.setattr(structure, "bottleneck_structure", lambda n: replace(real(n), t_min=real(n).t_min - 1))
    assert not certify_family(net) and not certify_family(net, [1])


# ------------------------------------------------------------------------------------------------ components
def _free_values(comp, value_of):  # noqa: ANN001, ANN202
    return {s: value_of(s) for s in comp.free_symbols}


def test_components_parametrisation_system_and_membership() -> None:
    net = examples.invisible_translation()
    Fb = bottleneck_fiber(net)
    assert Fb.contains(net) and Fb.component_of(net) == 0
    for k, comp in enumerate(Fb.components):
        sub = {s: comp.parametrization[s] for s in comp.symbols}
        for e in comp.equalities:                              # the system holds identically on the parametrisation
            assert sp.cancel(sp.together(e.xreplace(sub))) == 0, (k, e)
        assert comp.contains(comp.point)
        # dimension = rank of the parametrisation's Jacobian at a point (exact)
        J = [[sp.diff(comp.parametrization[s], v) for v in comp.free_symbols] for s in comp.symbols]
        vals = _free_values(comp, lambda s: F(2) if s.name.startswith("s_") else F(3, 2))
        M = [[evaluate(x, vals) for x in row] for row in J]
        assert rank(M) == comp.dimension == 4
        for seed in range(2):
            eta = Network.from_parameters(net.architecture, comp.sample(seed))
            assert Fb.component_of(eta) == k and _same(net, eta)
        # pushed across each inequality of the free domain: not in the component, not in the fiber
        for bad in comp.free_symbols:
            vals = _free_values(comp, lambda s, bad=bad: (F(-1, 4) if s == bad else
                                                          (F(2) if s.name.startswith("s_") else F(1))))
            eta = Network.from_parameters(net.architecture, comp.at(vals))
            assert not Fb.contains(eta)
            assert not _same(net, eta), (k, bad)


def test_fiber_contains_trivial_and_hidden_images() -> None:
    net = examples.invisible_translation()
    Fb = bottleneck_fiber(net)
    moved = rescale(permute(flip(translate(net, 3), [1]), 1, (1, 0)), 1, (F(2), F(1, 3)))
    assert _same(net, moved) and Fb.contains(moved)
    assert not Fb.contains(examples.visible_bottleneck())


@pytest.mark.parametrize("arch", [(2, 2, 1, 1), (2, 2, 2, 1), (3, 2, 2, 1), (2, 1, 2, 1)])
def test_dimension_equals_local_dimension_on_random_covered(arch: tuple[int, ...]) -> None:
    for seed in range(2):
        net = covered_network(arch, seed)
        Fb = bottleneck_fiber(net)
        assert Fb.dimension == fiber_tangent_space(net).dimension
        comp = Fb.components[-1]
        eta = Network.from_parameters(arch, comp.sample(seed))
        assert Fb.contains(eta) and _same(net, eta)


def test_invisible_random_dimension_and_samples() -> None:
    for arch, seed in (((2, 2, 2, 1), 0), ((3, 3, 1, 1), 1)):
        net = invisible_network(arch, seed, same_ratio=arch[2] == 1)
        Fb = bottleneck_fiber(net)
        assert Fb.dimension == fiber_tangent_space(net).dimension == arch[1] + arch[2] + 1
        for k in (0, len(Fb.components) - 1):
            eta = Network.from_parameters(arch, Fb.components[k].sample(k))
            assert Fb.contains(eta) and _same(net, eta)


# ------------------------------------------------------------------------------------------------ scope and local
def test_not_applicable_cases() -> None:
    with pytest.raises(NotApplicableError):
        bottleneck_fiber(random_network((1, 2, 1, 1), seed=0))           # n1 > d
    with pytest.raises(NotApplicableError):
        bottleneck_fiber(random_network((2, 3, 1), seed=0))              # one hidden layer
    with pytest.raises(NotApplicableError, match="dead or linear"):
        bottleneck_fiber(examples.linear_block())
    with pytest.raises(NotApplicableError, match="not generic"):      # coincident second-layer neurons
        bottleneck_fiber(Network.from_lists([([[1, 0], [0, 1]], [F(1, 3), F(-1, 2)]), ([[1, -1], [1, -1]], [-1, -1]),
                                             ([[1, 2]], [0])]))


def test_local_fiber_linear_block_and_dead_layer() -> None:
    L = local_fiber(examples.linear_block())
    # docs/mathematics.md D6: (2,2,2,1) linear block, dim_fun 7, fiber dimension 8 = D - dim_fun = 15 - 7
    assert L.kind == "local" and L.components is None and L.dimension == 8
    assert L.local.functional_dimension == 7 and len(L.local.scaling) == 4 and len(L.local.hidden) == 4
    assert "always-active neuron" in {m["kind"] for m in L.local.mechanisms}
    dead = local_fiber(examples.dead_second_layer())
    assert dead.dimension == 11 - 1 and "dead neuron" in {m["kind"] for m in dead.local.mechanisms}
    with pytest.raises(NotApplicableError):
        dead.sample()
    assert dead.to_dict()["components"] is None


def test_dispatcher_uses_bottleneck_then_local() -> None:
    assert fiber(examples.invisible_translation()).kind == "bottleneck"
    assert fiber(examples.linear_block()).kind == "local"
    deep = fiber(random_network((1, 2, 2, 2, 1), seed=3))
    assert deep.kind == "local" and deep.components is None
    assert deep.dimension == fiber_tangent_space(random_network((1, 2, 2, 2, 1), seed=3)).dimension


def test_report_section(tmp_path) -> None:  # noqa: ANN001
    from exactrelu.cli.sections import bottleneck_section

    sec = bottleneck_section(examples.invisible_translation(), tmp_path)
    assert sec.data["dimension"] == 4 and sec.data["components"] == 4
    assert [c["equivalent"] for c in sec.data["certified_families"]] == [True, True]
    assert sec.data["genericity"]["generic"] is True and "$$" in sec.markdown
    loc = bottleneck_section(examples.linear_block(), tmp_path)
    assert loc.data["local"]["dimension"] == 8


def test_verify_bottleneck_proves_components_and_catches_a_wrong_one() -> None:
    from exactrelu.theory.fibers.bottleneck import verify_bottleneck

    fib = bottleneck_fiber(examples.invisible_translation())
    v = verify_bottleneck(fib)
    assert v.ok and [c["family_certified"] for c in v.checks] == [True] * 4
    assert all(c["system_identities"] == len(fib.components[c["component"]].equalities) for c in v.checks)
    vis = verify_bottleneck(bottleneck_fiber(examples.visible_bottleneck()))
    assert vis.ok and vis.checks[0]["family_certified"] is None
    # a component whose system does not match its parametrisation is rejected
    comp = fib.components[0]
    broken = replace(comp, equalities=comp.equalities[:-1] + (comp.equalities[-1] + 1,))
    bad = replace(fib, components=(broken,) + fib.components[1:])
    out = verify_bottleneck(bad, 0)
    assert not out.ok and "fails on the parametrisation" in out.failures[0]
