"""Shallow fibers on R^d (docs/mathematics.md B3/B4, §7 rows 6-9) and on the orthant (§2.C): oracles and cross-checks.

Every membership claim is cross-checked against the independent equivalence test
(`exactrelu.theory.equality.equivalence`), and
counts against closed forms (n!, the docs/mathematics.md §7 numbers, brute-force subset enumeration written here).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu import Network, examples, random_network
from exactrelu.core.errors import NotApplicableError
from exactrelu.geometry.polyhedra import Orthant
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.equality.shallow import canonical_data
from exactrelu.theory.fibers.shallow import orthant_fiber, shallow_fiber


def _brute_force_trivial_only(net: Network) -> bool:
    """docs/mathematics.md B3 (iii) by brute force: no nonempty S with sum_{i in S} W2_i W1_i = 0 (plus (i), (ii))."""
    hid, out = net.layers
    n, d, m = hid.n_out, hid.n_in, out.n_out
    prods = [[out.weights[r][i] * hid.weights[i][c] for r in range(m) for c in range(d)] for i in range(n)]
    for size in range(1, n + 1):
        for S in itertools.combinations(range(n), size):
            if all(sum(prods[i][q] for i in S) == 0 for q in range(m * d)):
                return False
    rows = [(*hid.weights[i], hid.biases[i]) for i in range(n)]
    for i, j in itertools.combinations(range(n), 2):  # (ii) pairwise non-proportional
        k = next(q for q, v in enumerate(rows[i]) if v)
        if rows[j][k] and all(rows[i][q] * rows[j][k] == rows[j][q] * rows[i][k] for q in range(d + 1)):
            return False
    return True


def _with_lambda(comp, index: int, value: F) -> tuple[F, ...]:
    """The component's parametrisation with every lambda = 1 except lambda_index = value (may be <= 0)."""
    vals = {s: F(1) for s in comp.free_symbols}
    vals[comp.free_symbols[index]] = value
    from exactrelu.engines import sympylib as S

    return tuple(S.evaluate(comp.parametrization[s], vals) for s in comp.symbols)


# ------------------------------------------------------------------ docs/mathematics.md §7 oracles
def test_row7_relu_minus_shifted_relu() -> None:
    net = examples.relu_minus_shifted_relu()
    fib = shallow_fiber(net)
    assert len(fib.components) == 4 and fib.dimension == 2
    assert {c.dimension for c in fib.components} == {2}
    orbits = {tuple(c.origin["orientation_set"]) for c in fib.components}
    assert orbits == {(), (1, 2)}                      # two H_2-orbits (S = ∅ and S = {1,2})
    # docs/mathematics.md B3's explicit second point: W1 = (-1,-1), b1 = (0,1), W2 = (1,-1), b2 = 1
    other = Network.from_lists([([[-1], [-1]], [0, 1]), ([[1, -1]], [1])])
    assert [other([x]) for x in range(-2, 4)] == [net([x]) for x in range(-2, 4)]
    k = fib.component_of(other)
    assert k is not None and fib.components[k].origin["theta_orbit"] is False
    assert fib.components[fib.component_of(net)].origin["theta_orbit"] is True


def test_row8_three_kinks() -> None:
    fib = shallow_fiber(examples.three_kinks())
    assert len(fib.components) == 18 and fib.dimension == 3
    sets = sorted({tuple(c.origin["orientation_set"]) for c in fib.components})
    assert sets == [(1,), (1, 2, 3), (3,)]             # docs/mathematics.md B3: S = {1}, {3}, {1,2,3}
    assert fib.contains(examples.three_kinks())


def test_row9_relu_plus_identity() -> None:
    fib = shallow_fiber(examples.relu_plus_identity())
    assert len(fib.components) == 2 and fib.dimension == 2
    # docs/mathematics.md B4: both neurons on x = 0, opposite orientations, output weights 2/λ1 and -1/λ2
    for comp in fib.components:
        plus = comp.origin["orientations"].index(1)
        minus = 1 - plus
        pt = _with_lambda(comp, plus, F(3))
        net = Network.from_parameters((1, 2, 1), pt)
        assert net.layers[0].biases == (0, 0)
        assert net.layers[1].weights[0][plus] == F(2, 3) and net.layers[1].weights[0][minus] == -1
        assert net.layers[0].weights[plus][0] == 3 and net.layers[0].weights[minus][0] == -1


def test_absolute_value_pair_case() -> None:
    fib = shallow_fiber(examples.absolute_value())      # k = 1, width k+1: (k+1)! k 2^(k-1) = 2 components
    assert len(fib.components) == 2 and fib.dimension == 2
    assert all(c.origin["case"] == "k+1" for c in fib.components)


@pytest.mark.parametrize("arch", [(1, 2, 1), (2, 2, 1), (2, 3, 1), (1, 3, 2), (3, 3, 2), (2, 4, 1)])
def test_row6_generic_shallow(arch: tuple[int, ...]) -> None:
    """Generic (d,n,m) minimal θ: n! components of dimension n; only the θ-orbit (identifiable)."""
    checked = 0
    for seed in range(12):
        net = random_network(arch, seed=seed)
        if not _brute_force_trivial_only(net):
            continue
        checked += 1
        fib = shallow_fiber(net)
        n = arch[1]
        assert len(fib.components) == math.factorial(n)
        assert fib.dimension == n and all(c.dimension == n for c in fib.components)
        assert all(c.origin["theta_orbit"] for c in fib.components)
        # every labelling of neurons onto the hyperplanes appears exactly once
        assert sorted(tuple(c.origin["permutation"]) for c in fib.components) == sorted(
            itertools.permutations(range(1, n + 1)))
    assert checked >= 3


def test_local_dimension_is_D_minus_functional_dimension() -> None:
    """At generic θ the fiber dimension equals D - dim_fun (docs/mathematics.md B3 oracle, E1)."""
    for arch, seed in [((1, 2, 1), 0), ((2, 2, 1), 1), ((2, 3, 1), 2), ((1, 3, 2), 3)]:
        net = random_network(arch, seed=seed)
        assert _brute_force_trivial_only(net)
        fd = functional_dimension(net)
        assert fd.exact
        assert shallow_fiber(net).dimension == net.num_parameters - fd.rank


# ------------------------------------------------------------------ samples, pushes, verification
def _check_component_samples(net: Network, fib, seeds=range(2), domain=None) -> None:
    for k, comp in enumerate(fib.components):
        for seed in seeds:
            pt = comp.sample(seed)
            eta = Network.from_parameters(net.architecture, pt)
            assert comp.contains(pt) and fib.component_of(pt) == k
            assert bool(equivalent(net, eta, domain))
        # push one scaling just across its inequality (lambda_i -> -1/7): leaves the fiber
        pos = [i for i, s in enumerate(comp.free_symbols) if s.is_positive]
        pushed = _with_lambda(comp, pos[k % len(pos)], F(-1, 7))
        assert not fib.contains(pushed)
        assert not bool(equivalent(net, Network.from_parameters(net.architecture, pushed), domain))


@pytest.mark.parametrize("name", ["relu_minus_shifted_relu", "three_kinks", "relu_plus_identity",
                                  "absolute_value"])
def test_examples_samples_equivalent_and_pushes_not(name: str) -> None:
    net = examples.catalogue()[name]
    fib = shallow_fiber(net)
    _check_component_samples(net, fib)
    v = fib.verify()
    assert v.ok and len(v.checks) == len(fib.components) and not v.failures
    assert all(c["proof"] and c["regions"] == canonical_data(net).num_hyperplanes + 1 for c in v.checks)


@settings(max_examples=8)
@given(arch=st.sampled_from([(1, 2, 1), (2, 2, 1), (2, 3, 1), (1, 2, 2), (2, 2, 2)]),
       seed=st.integers(0, 10_000))
def test_random_fibers_cross_checked_by_equivalence(arch: tuple[int, ...], seed: int) -> None:
    net = random_network(arch, seed=seed)
    try:
        fib = shallow_fiber(net)
    except NotApplicableError:
        # non-minimal θ: then canonical data has fewer hyperplanes than neurons and no width-n role set
        assert canonical_data(net).num_hyperplanes < arch[1]
        return
    assert fib.contains(net)
    _check_component_samples(net, fib, seeds=[seed])
    assert fib.verify(seed % len(fib.components)).ok


def test_membership_agrees_with_equivalence_on_perturbations() -> None:
    net = random_network((2, 2, 1), seed=5)
    fib = shallow_fiber(net)
    theta = net.parameters()
    for q in range(len(theta)):
        for delta in (F(1, 3), F(-2, 5)):
            pt = list(theta)
            pt[q] += delta
            eta = Network.from_parameters(net.architecture, pt)
            assert fib.contains(pt) == bool(equivalent(net, eta))


def test_orientation_flip_is_outside_the_orbit() -> None:
    """d = m = 1 zero subset sum (docs/mathematics.md B3 remark, §7 row 14): W2_i W1_i = (1, 2, -3)."""
    net = Network.from_lists([([[1], [2], [-1]], [0, -1, -2]), ([[1, 1, 3]], [0])])
    fib = shallow_fiber(net)
    sets = {tuple(c.origin["orientation_set"]) for c in fib.components}
    assert len(sets) == 2 and len(fib.components) == 2 * 6
    flipped = [c for c in fib.components if not c.origin["theta_orbit"]]
    assert len(flipped) == 6
    eta = Network.from_parameters(net.architecture, flipped[0].point)
    assert bool(equivalent(net, eta))


ONE_EXTRA = {
    "zero": Network.from_lists([([[1], [2]], [0, 1]), ([[1, 0]], [0])]),         # relu(x) + a zero neuron
    "dead": Network.from_lists([([[1], [0]], [0, -1]), ([[1, 5]], [0])]),        # relu(x) + a dead constant neuron
    "duplicate": Network.from_lists([([[1], [2]], [0, 0]), ([[1, 1]], [0])]),    # 3 relu(x) split over two neurons
    "constant_2d": Network.from_lists([([[1, 2], [3, -1], [0, 0]], [1, 0, 2]), ([[1, -1, 3], [2, 1, 1]], [0, 1])]),
}


@pytest.mark.parametrize("name", sorted(ONE_EXTRA))
def test_one_extra_neuron(name: str) -> None:
    """Width k+1 although k neurons suffice: one connected component per valid S, the union of the pieces
    'extra zero / dead / constant neuron' and 'two neurons split one jump'; dimension k + 1 + max(d, m)."""
    net = ONE_EXTRA[name]
    d, n, m = net.architecture
    data = canonical_data(net)
    k = data.num_hyperplanes
    assert n == k + 1
    fib = shallow_fiber(net)
    big = [c for c in fib.components if c.pieces]
    assert len(big) == len({tuple(c.origin["orientation_set"]) for c in big}) >= 1
    assert fib.dimension == k + 1 + max(d, m)
    assert all(len(c.pieces) == 3 * math.factorial(n) + k * math.comb(n, 2) * math.factorial(k - 1) for c in big)
    assert fib.contains(net)
    # D - dim_fun bounds the dimension of the pieces through θ; it is attained where the Jacobian rank is locally
    # constant (zero or active constant neuron), not at a dead constant neuron or a split duplicate (there the
    # kernel has first-order directions that are not fiber directions: moving W1_e off 0, splitting the kink)
    fd = functional_dimension(net)
    here = max(p.dimension for c in big for p in c.pieces if p.contains(net))
    assert fd.exact and here <= net.num_parameters - fd.rank
    assert (here == net.num_parameters - fd.rank) == (name in ("zero", "constant_2d"))
    for c in big:
        for q, piece in enumerate(c.pieces):
            pt = piece.sample(q)
            assert c.contains(pt) and bool(equivalent(net, Network.from_parameters(net.architecture, pt)))
    res = fib.verify()
    assert res.ok and len(res.checks) == sum(max(len(c.pieces), 1) for c in fib.components)


def test_one_extra_neuron_memberships_agree_with_equivalence() -> None:
    net = ONE_EXTRA["zero"]
    fib = shallow_fiber(net)
    theta = list(net.parameters())
    for q in range(len(theta)):
        for delta in (F(1, 3), F(-2, 5), F(7)):
            pt = list(theta)
            pt[q] += delta
            eta = Network.from_parameters(net.architecture, pt)
            assert fib.contains(pt) == bool(equivalent(net, eta)), (q, delta)


def test_one_extra_neuron_with_flips_and_pairs() -> None:
    """three kinks (3 valid S) plus a zero neuron: 3 big components, and the width-4 opposite-pair networks."""
    net = Network.from_lists([([[-1], [1], [1], [3]], [0, -1, -2, 1]), ([[1, -1, 1, 0]], [0])])
    fib = shallow_fiber(net)
    big = [c for c in fib.components if c.pieces]
    pairs = [c for c in fib.components if not c.pieces]
    assert len(big) == 3 and fib.dimension == 3 + 1 + 1
    assert len(pairs) % math.factorial(4) == 0 and all(c.dimension == 4 for c in pairs)
    eta = Network.from_parameters(net.architecture, pairs[0].sample(1))
    assert bool(equivalent(net, eta)) and not any(c.contains(eta) for c in big)


def test_non_minimal_widths_beyond_one_extra_are_type_families() -> None:
    two_zero = Network.from_lists([([[1], [2], [1]], [0, 1, 1]), ([[1, 0, 0]], [0])])
    fib = shallow_fiber(two_zero)          # docs/mathematics.md B6 (tests/test_fiber_wide.py)
    assert fib.complete and all(c.origin["case"] == "wide" for c in fib.components)
    with pytest.raises(NotApplicableError):
        shallow_fiber(examples.relu_of_sum())


# ------------------------------------------------------------------ orthant (docs/mathematics.md §2.C)
def test_orthant_visible_and_linear() -> None:
    net = Network.from_lists([([[1, -1], [1, 1]], [0, 1]), ([[1, 2]], [0])])   # relu(x1-x2) + 2 relu(x1+x2+1)
    fib = orthant_fiber(net)
    # k = 1 visible, r = 1 linear; both S = ∅ and S = {1} factor through one nonnegative row: 2 S x 2!/1! labellings
    assert len(fib.components) == 4 and fib.dimension == 1 + 1 + 1
    assert fib.contains(net) and fib.kind == "orthant"
    _check_component_samples(net, fib, seeds=[0], domain=Orthant(2))
    assert fib.verify().ok
    # on R^d the same θ is minimal with k = 2 hyperplanes and only the θ-orbit: the orthant fiber is larger
    assert shallow_fiber(net).dimension == 2


def test_orthant_two_linear_neurons_thm6_case3() -> None:
    """r = m = 2 < d = 3 (Thm 6 case 3): dim V_S = r^2 modulo scaling, so each piece has dim k + r^2 + r."""
    net = Network.from_lists([([[1, 2, 0], [0, 1, 1], [1, -1, 0]], [1, 2, 0]), ([[1, 2, 1], [3, -1, 2]], [0, 1])])
    fib = orthant_fiber(net)
    assert fib.dimension == 1 + 4 + 2
    assert {c.origin["det_sign"] for c in fib.components} == {1, -1}
    assert fib.contains(net)
    for k in (0, len(fib.components) - 1):
        eta = Network.from_parameters(net.architecture, fib.sample(seed=k, component=k))
        assert bool(equivalent(net, eta, Orthant(3)))
    assert fib.verify(0).ok


def test_orthant_refuses_dead_and_describes_rank_deficient() -> None:
    dead = Network.from_lists([([[-1, -1], [1, -1]], [-1, 0]), ([[1, 1]], [0])])
    with pytest.raises(NotApplicableError):
        orthant_fiber(dead)
    # r = 2 = m + 1 linear neurons (Thm 6 case 4): described since, never claimed complete
    case4 = Network.from_lists([([[1, F(2, 3)], [F(1, 2), F(5, 4)]], [1, F(3, 2)]), ([[3, -2]], [F(1, 2)])])
    fib = orthant_fiber(case4)
    assert fib.dimension == 6 and not fib.complete


# ------------------------------------------------------------------ minimal width k+2 (docs/mathematics.md B4 case 3)
@pytest.mark.parametrize("net, count, dim", [
    (Network.from_lists([([[1, 0], [0, 1], [0, -1]], [0, 0, 0]), ([[1, 1, -1]], [0])]), 2 * 6, 4),   # relu(x1)+x2
    (Network.from_lists([([[1], [-1]], [0, 0]), ([[1, -1]], [0])]), 2, 3),                            # x
])
def test_canceling_pair_on_a_free_hyperplane(net: Network, count: int, dim: int) -> None:
    fib = shallow_fiber(net)
    assert len(fib.components) == count and fib.dimension == dim
    assert all(c.origin["case"] == "k+2" and len(c.origin["canceling_pair"]) == 2 for c in fib.components)
    fd = functional_dimension(net)                                  # the local dimension at θ is D - dim_fun
    assert fd.exact and fib.dimension == net.num_parameters - fd.rank
    _check_component_samples(net, fib, seeds=[0, 1])
    res = fib.verify()
    assert res.ok and all(c["canceling_pair_identity"] for c in res.checks)
    # the free offset t_G really is free: move it far away, stay in the same component, same function
    comp = fib.components[0]
    vals = {s: F(1) for s in comp.free_symbols}
    vals[comp.free_symbols[-1]] = F(-37, 3)
    far = comp.at(vals)
    assert comp.contains(far) and bool(equivalent(net, Network.from_parameters(net.architecture, far)))


def test_two_opposite_pairs_k_plus_2() -> None:
    """k = 2 hyperplanes with independent normals in R^2 and a linear part outside every single span: besides the
    free canceling pairs, two opposite pairs on H1 and H2 carry the linear part."""
    # relu(x1) + relu(x2) + (x1 + x2) ... written minimally needs k+2 = 4 neurons
    net = Network.from_lists([([[1, 0], [0, 1], [1, 1], [-1, -1]], [0, 0, 5, -5]), ([[1, 1, 1, -1]], [-5])])
    data = canonical_data(net)
    assert data.num_hyperplanes == 2
    fib = shallow_fiber(net)
    kinds = {c.origin["kind"] for c in fib.components}
    assert kinds == {"canceling pair on a free hyperplane", "two opposite pairs"}
    assert len(fib.components) % math.factorial(4) == 0
    assert {c.dimension for c in fib.components} == {4, 5} and fib.dimension == 5
    two = [c for c in fib.components if c.origin["kind"] == "two opposite pairs"]
    eta = Network.from_parameters(net.architecture, two[0].sample(3))
    assert bool(equivalent(net, eta)) and fib.verify(fib.components.index(two[0])).ok
    free = next(c for c in fib.components if c.origin["kind"] != "two opposite pairs")
    assert bool(equivalent(net, Network.from_parameters(net.architecture, free.sample(5))))


# ------------------------------------------------------------------ a bounded polyhedral domain
def test_box_domain_linear_neuron_both_signs() -> None:
    """On a box (no rays) a linear neuron's row may point anywhere in row(A_S): both signs of det G occur."""
    from exactrelu import Box

    net = Network.from_lists([([[1, -1], [1, 1]], [0, 1]), ([[1, 2]], [0])])
    box = Box(0, 3, 2)
    fib = shallow_fiber_on(net, box)
    assert fib.kind == "polyhedral" and fib.dimension == 3
    assert len(fib.components) == 2 * 2 * 2                       # S in {∅, {1}} x labellings x sign of det G
    assert sorted(c.origin["det_sign"] for c in fib.components) == [-1] * 4 + [1] * 4
    for k, comp in enumerate(fib.components):
        eta = Network.from_parameters(net.architecture, comp.sample(k))
        assert fib.component_of(eta) == k and bool(equivalent(net, eta, box))
        lin = comp.origin["linear_neurons"][0] - 1
        row = eta.layers[0].weights[lin]
        assert (row[0] > 0) == (comp.origin["det_sign"] > 0)
    assert fib.verify().ok
    # on the box the hyperplane x1 - x2 = 0 is visible, x1 + x2 + 1 = 0 misses it; on a larger box both are visible
    big = shallow_fiber_on(net, Box(-2, 2, 2))
    assert big.dimension == 2 and len(big.components) == 2 and big.contains(net)


def shallow_fiber_on(net: Network, domain):  # noqa: ANN201 - helper
    from exactrelu.theory.fibers.fiber import fiber

    return fiber(net, domain)
