"""Bottleneck fibers with dead or always-active second-layer neurons (docs/mathematics.md §2.D, §2.C, §3).

Oracles: the local fiber dimension D - rank J of the exact Jacobian (a second algorithm), exact equivalence of
component samples by the common refinement, hand-built members (a dead neuron moved inside its dead cone, a planted
duplicate neuron that the listing does not contain) and the brute-force completeness probe.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.engines.sympylib import is_zero_identically
from exactrelu.theory.dimension.tangent import fiber_tangent_space
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.bottleneck import bottleneck_fiber, bottleneck_structure
from exactrelu.theory.fibers.probe import neuron_blocks, probe_completeness

W1 = [[2, F(1, 3)], [F(-1, 2), F(3, 2)]]
B1 = [F(1, 5), F(-2, 7)]


def net_of(W2: list[list[object]], b2: list[object], W3: list[list[object]], b3: object = F(1, 2)) -> Network:
    return Network.from_lists([(W1, B1), (W2, b2), (W3, [b3])])


ALIVE_DEAD = net_of([[1, 1], [-1, F(-1, 2)]], [-1, -2], [[3, 2]])
INVISIBLE_DEAD = net_of([[1, -1], [-1, F(-1, 2)]], [-1, -2], [[3, 2]])
ALIVE_LINEAR = net_of([[1, 1], [1, F(1, 2)]], [-1, 2], [[3, 2]])


def _same(a: Network, b: Network) -> bool:
    return bool(equivalent(a, b, method="common-refinement"))


@pytest.mark.parametrize("net,kinds,count,dims", [
    (ALIVE_DEAD, ("alive", "dead"), 2 * 2 * 2, {7, 6}),          # n1! x positions x {dead, silent}
    (INVISIBLE_DEAD, ("alive", "dead"), 4 * 2 * 2, {8, 7}),      # (n1! 2^|K_j|) x positions x {dead, silent}
    (ALIVE_LINEAR, ("alive", "linear"), 2 * 4, {5}),             # n1! x orthant pieces (S, labelling)
])
def test_components_lie_in_the_fiber_and_have_the_local_dimension(net: Network, kinds: tuple[str, ...], count: int,
                                                                 dims: set[int]) -> None:
    assert bottleneck_structure(net).second_layer == kinds
    Fb = bottleneck_fiber(net)
    assert Fb.kind == "bottleneck" and Fb.complete is False and len(Fb.components) == count
    assert {c.dimension for c in Fb.components} == dims
    # the top dimension is the local fiber dimension D - rank J (exact Jacobian over every region)
    assert Fb.dimension == fiber_tangent_space(net).dimension
    assert Fb.component_of(net) is not None
    for k, comp in enumerate(Fb.components):
        assert comp.contains(comp.point)
        sub = {s: comp.parametrization[s] for s in comp.symbols}
        assert all(is_zero_identically(e.xreplace(sub)) for e in comp.equalities)
        eta = Network.from_parameters(net.architecture, comp.sample(seed=k))
        assert _same(net, eta)


@pytest.mark.parametrize("net", [ALIVE_DEAD, INVISIBLE_DEAD, ALIVE_LINEAR])
def test_verify_proves_every_component(net: Network) -> None:
    v = bottleneck_fiber(net).verify()
    assert v.ok and not v.failures
    assert all(c.get("orthant_verified") or c.get("family_certified") for c in v.checks)


def test_dead_neuron_moves_inside_its_cone_only() -> None:
    Fb = bottleneck_fiber(ALIVE_DEAD)
    inside = net_of([[1, 1], [-5, -F(1, 3)]], [-1, 0], [[3, -7]])           # still dead on the orthant, W3 free
    assert _same(ALIVE_DEAD, inside) and Fb.component_of(inside) is not None
    silent = net_of([[1, 1], [4, -3]], [-1, 9], [[3, 0]])                   # alive but silenced
    assert _same(ALIVE_DEAD, silent) and Fb.component_of(silent) is not None
    woken = net_of([[1, 1], [F(1, 4), F(-1, 2)]], [-1, -2], [[3, 2]])      # W2_21 > 0: the neuron wakes up
    assert not _same(ALIVE_DEAD, woken) and Fb.component_of(woken) is None
    assert not Fb.contains(woken)


def test_planted_duplicate_is_a_member_outside_the_listing() -> None:
    # 3 relu(h1 + h2 - 1) = 1 relu(h1 + h2 - 1) + 1 relu(2 h1 + 2 h2 - 2): the spare neuron duplicates neuron 1
    Fb = bottleneck_fiber(ALIVE_DEAD)
    dup = net_of([[1, 1], [2, 2]], [-1, -2], [[1, 1]])
    assert _same(ALIVE_DEAD, dup)
    assert Fb.component_of(dup) is None
    mem = Fb.membership(dup)
    assert mem.member and mem.method == "equivalence"
    assert any("duplicate" in n for n in Fb.notes)


@pytest.mark.parametrize("net", [ALIVE_DEAD, INVISIBLE_DEAD, ALIVE_LINEAR])
def test_probe_finds_only_listed_members(net: Network) -> None:
    p = probe_completeness(bottleneck_fiber(net), seed=2, lines=2, near=1)
    assert p.ok and p.members >= 4 and p.in_components == p.members and p.tested > p.members


def test_probe_reports_a_member_outside_an_incomplete_listing() -> None:
    # drop the dead blocks from the listing: the kernel line along the dead neuron's outgoing weight meets members
    # (dead neuron, W3 changed) that only the dropped components contain, and the probe must report them
    from dataclasses import replace

    Fb = bottleneck_fiber(ALIVE_DEAD)
    silent_only = replace(Fb, components=tuple(c for c in Fb.components
                                               if "dead" not in c.origin["spare_neurons"].values()))
    p = probe_completeness(silent_only, seed=0, lines=0, near=0)
    assert not p.ok and p.outside and all(Fb.component_of(q) is not None for q in p.outside)


def test_neuron_blocks_cover_every_parameter_of_a_hidden_neuron() -> None:
    blocks = neuron_blocks((2, 2, 2, 1))
    assert len(blocks) == 4 and blocks[0] == [0, 1, 4, 6, 8] and blocks[3] == [8, 9, 11, 13]


def test_scope() -> None:
    with pytest.raises(NotApplicableError, match="f is constant"):
        bottleneck_fiber(net_of([[-1, -1], [-1, F(-1, 2)]], [-1, -2], [[3, 2]]))      # constant f
