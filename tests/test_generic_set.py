"""The identifiable Zariski-open set of (d, n, m) as polynomial conditions (docs/mathematics.md B3, B5).

Oracles: closed-form counts; the package's identifiability (exact fiber / B3 test, a different code path from the
sympy evaluation) at random points; planted degenerate networks, each with the condition it must break; the exact
shallow fiber (valid orientation sets of K(f)) on seeded small-integer networks: inside U the fiber is the trivial
orbit (n! components of dimension n), and a violation of (i), of (ii) with the same orientation, or of (iii)
alone makes it larger.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
import sympy as sp

from exactrelu import Network, examples, identifiability, random_network
from exactrelu.core.errors import ShapeError, SizeLimitError
from exactrelu.theory.dimension.generic_set import condition_counts, generic_conditions
from exactrelu.theory.fibers.shallow import shallow_fiber


@pytest.mark.parametrize("arch", [(1, 1, 1), (1, 2, 1), (2, 3, 1), (3, 2, 2), (1, 4, 3)])
def test_counts_closed_form(arch):
    d, n, m = arch
    G = generic_conditions(arch)
    kinds = [c.kind for c in G.conditions]
    assert kinds.count("i") == 2 * n
    assert kinds.count("ii") == n * (n - 1) // 2
    assert kinds.count("iii") == 2 ** n - n - 1
    gens = sum(len(c.generators) for c in G.conditions)
    assert gens == n * (d + m) + math.comb(n, 2) * math.comb(d + 1, 2) + (2 ** n - n - 1) * m * d
    assert condition_counts(arch)["generators"] == gens
    names = {s.name for s in G.symbols}
    assert all(s.name in names for c in G.conditions for g in c.generators for s in g.free_symbols)
    if d + m + n <= 4:
        assert G.degree() == sp.Poly(sp.expand(G.polynomial()), *G.symbols).total_degree()


def test_generators_are_the_stated_polynomials():
    G = generic_conditions((2, 2, 1))
    W = {s.name: s for s in G.symbols}
    minors = set(G.by_kind("ii")[0].generators)
    r1 = [W["W1_1_1"], W["W1_1_2"], W["b1_1"]]
    r2 = [W["W1_2_1"], W["W1_2_2"], W["b1_2"]]
    assert minors == {sp.expand(r1[p] * r2[q] - r1[q] * r2[p]) for p, q in ((0, 1), (0, 2), (1, 2))}
    (iii,) = G.by_kind("iii")
    assert iii.generators == (W["W2_1_1"] * W["W1_1_1"] + W["W2_1_2"] * W["W1_2_1"],
                              W["W2_1_1"] * W["W1_1_2"] + W["W2_1_2"] * W["W1_2_2"])


@pytest.mark.parametrize("arch,seed", [((1, 2, 1), 0), ((2, 3, 1), 1), ((1, 3, 2), 2), ((2, 2, 2), 3)])
def test_random_points_are_in_U_and_identifiable(arch, seed):
    G = generic_conditions(arch)
    net = random_network(arch, seed=seed)
    assert G.contains(net) and net in G
    assert identifiability(net).globally_identifiable is True
    # the single polynomial P with U = {P != 0} does not vanish there
    values = {s: sp.Rational(v.numerator, v.denominator) for s, v in zip(G.symbols, net.parameters())}
    assert G.polynomial().xreplace(values) != 0


def _net(W1, b1, W2, b2):
    return Network.from_lists([(W1, b1), (W2, b2)])


PLANTED = {
    # name: (network, a kind it must violate, identifiable?)
    "zero incoming row": (_net([[0, 0], [1, 2]], [1, 0], [[1, 1]], [0]), "i", False),
    "dead neuron": (_net([[0, 0], [1, 2]], [-1, 0], [[3, 1]], [0]), "i", False),
    "zero outgoing column": (_net([[1, 0], [1, 2]], [1, 0], [[0, 1]], [0]), "i", False),
    "duplicate hyperplane": (_net([[1, 1], [2, 2]], [1, 2], [[1, 1]], [0]), "ii", False),
    "canceling pair": (_net([[1, -1], [-1, 1]], [1, -1], [[1, -1]], [0]), "ii", False),
    "zero subset sum": (examples.relu_minus_shifted_relu(), "iii", False),
    "zero subset sum in R^2": (_net([[1, 0], [0, 1], [1, 1]], [0, 1, 2], [[1, 1, -1]], [0]), "iii", False),
    "opposite pair (identifiable)": (examples.relu_plus_identity(), "ii", True),
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_non_generic_points_violate_a_condition(name):
    net, kind, ident = PLANTED[name]
    G = generic_conditions(net.architecture)
    bad = G.violations(net)
    assert kind in {c.kind for c in bad}, (name, [c.label for c in bad])
    assert not G.contains(net)
    # the conditions are sufficient, not necessary pointwise: relu(x) + x is identifiable outside U
    assert identifiability(net).globally_identifiable is ident


def test_exact_fiber_agrees_on_small_integer_networks():
    """Brute force over seeded (1,3,1) / (1,2,1) / (2,2,1) networks with entries in {-2..2}: U gives the trivial
    orbit; a violation of (i), of (ii) with the same orientation, or of (iii) alone gives a larger fiber."""
    seen = {"in U": 0, "outside": 0}
    for arch in ((1, 2, 1), (1, 3, 1), (2, 2, 1)):
        G = generic_conditions(arch)
        n = arch[1]
        for seed in range(40):
            net = random_network(arch, seed=seed, max_num=2, max_den=1, nonzero=False)
            bad = G.violations(net)
            try:
                F = shallow_fiber(net)
            except Exception:  # noqa: BLE001 - fibers of some degenerate points are not built; skip them
                continue
            dims = sorted(c.dimension for c in F.components)
            orbit = dims == [n] * math.factorial(n)
            if not bad:
                assert orbit, (arch, seed, dims)
                seen["in U"] += 1
                continue
            rows = [tuple(net.layers[0].weights[i]) + (net.layers[0].biases[i],) for i in range(n)]
            kinds = {c.kind for c in bad}
            same_pair = any(c.kind == "ii" and _ratio(rows[c.neurons[0] - 1], rows[c.neurons[1] - 1]) > 0
                            for c in bad)
            # V(iii) minus V(i) and V(ii) is non-identifiable (a flip); with an opposite pair the flip can be trivial
            if "i" in kinds or same_pair or kinds == {"iii"}:
                assert not orbit, (arch, seed, [c.label for c in bad], dims)
                seen["outside"] += 1
    assert seen["in U"] >= 10 and seen["outside"] >= 30, seen


def _ratio(u, v):
    p = next((i for i, x in enumerate(u) if x), None)
    if p is None:  # a zero row: (i) fails anyway
        return Fraction(0)
    return Fraction(v[p]) / Fraction(u[p])


def test_serialisation_and_rendering():
    G = generic_conditions((1, 2, 1))
    data = json.loads(json.dumps(G.to_dict()))
    assert data["parameters"] == ["W1_1_1", "W1_2_1", "b1_1", "b1_2", "W2_1_1", "W2_1_2", "b2_1"]
    assert data["conditions"][-1]["generators"] == ["W1_1_1*W2_1_1 + W1_2_1*W2_1_2"]
    assert data["inequalities"] == [] and "largest Zariski-open" in data["theorem"]
    assert r"W^{(1)}_{1,1}" in G.latex()
    assert "(iii) T = {1, 2}" in str(G) and "GenericSet" in repr(G)


def test_bad_input():
    with pytest.raises(ShapeError):
        generic_conditions((2, 3, 3, 1))
    with pytest.raises(SizeLimitError):
        generic_conditions((2, 30, 1))
    with pytest.raises(ShapeError):
        generic_conditions((1, 2, 1)).violations(random_network((2, 2, 1)))
