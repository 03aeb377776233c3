"""Genericity (docs/mathematics.md §1, G3 App. B.2): cells of C_θ, supertransversality, maximal-rank masked products."""

from __future__ import annotations

from fractions import Fraction as F
from itertools import combinations, product
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu import examples, random_network
from exactrelu.core.errors import RegionLimitError
from exactrelu.core.network import Network
from exactrelu.engines.flintlib import rank_reference
from exactrelu.geometry.polyhedra import Polyhedron
from exactrelu.theory.dimension.genericity import cells, is_generic, masked_product

SMALL = [(1, 3, 1), (2, 2, 1), (2, 3, 1), (2, 2, 1, 1), (2, 2, 2, 1), (2, 3, 2, 1), (3, 2, 2, 1), (1, 2, 2, 1)]


def _brute_cells(net: Network) -> set[tuple[tuple[int, ...], ...]]:
    """Slow path: try every ternary sign sequence in {-1,0,1}^{N_h}; keep those whose open cell is non-empty."""
    d = net.input_dim
    widths = net.hidden_widths
    found = set()
    for flat in product((-1, 0, 1), repeat=sum(widths)):
        pattern, pos = [], 0
        for w in widths:
            pattern.append(tuple(flat[pos:pos + w]))
            pos += w
        A = [[F(int(i == j)) for j in range(d)] for i in range(d)]
        c = [F(0)] * d
        strict, eqs = [], []
        for l, layer in enumerate(net.layers[:-1]):
            rows = []
            for w, b in zip(layer.weights, layer.biases):
                rows.append((sum((w[k] * c[k] for k in range(len(w))), b),)
                            + tuple(sum((w[k] * A[k][j] for k in range(len(w))), F(0)) for j in range(d)))
            for s, r in zip(pattern[l], rows):
                if s == 0:
                    eqs.append(r)
                else:
                    strict.append(tuple(s * v for v in r))
            A = [list(r[1:]) if pattern[l][i] > 0 else [F(0)] * d for i, r in enumerate(rows)]
            c = [r[0] if pattern[l][i] > 0 else F(0) for i, r in enumerate(rows)]
        p = Polyhedron(tuple(strict), tuple(eqs), ambient_dim=d).interior_point()
        if p is not None and all(sum((a * v for a, v in zip(r[1:], p)), r[0]) > 0 for r in strict):
            found.add(tuple(pattern))
    return found


def _brute_rank_failures(net: Network) -> set[tuple[int, tuple[tuple[int, ...], ...]]]:
    arch = net.architecture
    out = set()
    for ell in range(1, len(arch)):
        choices = [[c for k in range(arch[i] + 1) for c in combinations(range(arch[i]), k)] for i in range(1, ell)]
        for sets in product(*choices):
            expected = min([arch[0], arch[ell]] + [len(s) for s in sets])
            if rank_reference(masked_product(net, sets)) < expected:
                out.add((ell, tuple(tuple(i + 1 for i in s) for s in sets)))
    return out


def test_relu_of_sum_regions_oracle() -> None:
    # docs/mathematics.md §7 row 12: C_θ of relu(relu(x1) + relu(x2) - 1) has 7 regions
    assert len(cells(examples.relu_of_sum(), faces=False)) == 7


@pytest.mark.parametrize("arch", [(1, 4, 1), (2, 3, 1), (2, 4, 1), (3, 4, 1)])
def test_generic_shallow_region_count_zaslavsky(arch: tuple[int, ...]) -> None:
    # docs/mathematics.md §7 row 13: a shallow (d, n) net in general position has sum_{i<=d} C(n, i) regions.
    #  G3-generic allows
    # parallel hyperplanes, so general position also asks every d rows of W1 to be independent.
    checked = 0
    for seed in range(6):
        net = random_network(arch, seed=seed)
        d, n = arch[0], arch[1]
        W1 = net.layers[0].weights
        if not is_generic(net) or any(rank_reference([W1[i] for i in rows]) < d for rows in combinations(range(n), d)):
            continue
        checked += 1
        assert len(cells(net, faces=False)) == sum(comb(n, i) for i in range(d + 1))
    assert checked >= 2


@settings(max_examples=12, deadline=None)
@given(arch=st.sampled_from(SMALL), seed=st.integers(0, 10_000))
def test_cells_euler_characteristic_and_points(arch: tuple[int, ...], seed: int) -> None:
    """The relatively open cells partition R^d: sum (-1)^dim = chi_c(R^d) = (-1)^d; each point has its pattern."""
    net = random_network(arch, seed=seed, max_num=3, max_den=2)
    cs = cells(net)
    assert sum((-1) ** c.dimension for c in cs) == (-1) ** net.input_dim
    for c in cs:
        assert net.pattern(c.point) == c.pattern
    assert len({c.pattern for c in cs}) == len(cs)


@pytest.mark.parametrize("arch", [(1, 3, 1), (2, 2, 1, 1), (2, 3, 1), (1, 2, 2, 1)])
def test_cells_match_brute_force_sign_sequences(arch: tuple[int, ...]) -> None:
    for seed in range(2):
        net = random_network(arch, seed=seed, max_num=3, max_den=2)
        assert {c.pattern for c in cells(net)} == _brute_cells(net)
    net = Network.from_lists([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[1, 1, 1]], [0])])
    assert {c.pattern for c in cells(net)} == _brute_cells(net)


@settings(max_examples=15, deadline=None)
@given(arch=st.sampled_from(SMALL), seed=st.integers(0, 10_000))
def test_maximal_rank_fast_path_matches_reference(arch: tuple[int, ...], seed: int) -> None:
    net = random_network(arch, seed=seed, max_num=2, max_den=2)
    rep = is_generic(net, max_failures=10 ** 6)
    assert {(f.layer, f.index_sets) for f in rep.rank_failures} == _brute_rank_failures(net)
    assert rep.maximal_rank == (not rep.rank_failures)


@settings(max_examples=12, deadline=None)
@given(arch=st.sampled_from(SMALL), seed=st.integers(0, 10_000))
def test_supertransversality_is_cell_codimension_count(arch: tuple[int, ...], seed: int) -> None:
    net = random_network(arch, seed=seed, max_num=2, max_den=2)
    rep = is_generic(net, max_failures=10 ** 6)
    bad = {c.pattern for c in cells(net) if c.zeros != net.input_dim - c.dimension}
    assert {f.pattern for f in rep.transversality_failures} == bad
    assert rep.supertransversal == (not bad)
    for f in rep.transversality_failures:
        assert net.pattern(f.point) == f.pattern


def test_named_examples() -> None:
    for name in ("invisible_translation", "visible_bottleneck", "bottleneck_positive"):
        rep = is_generic(examples.catalogue()[name])
        assert rep.generic and rep.supertransversal and rep.maximal_rank, name
    # three lines through the origin: the vertex lies in 3 bent hyperplanes (codimension 2)
    three = Network.from_lists([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[1, 1, 1]], [0])])
    rep = is_generic(three)
    assert not rep.supertransversal and rep.maximal_rank and not rep
    assert [(f.pattern, f.dimension, f.zeros) for f in rep.transversality_failures] == [(((0, 0, 0),), 0, 3)]
    # parallel first-layer rows: rank 1 < 2 for W1, and two parallel hyperplanes: supertransversal in d = 2
    par = Network.from_lists([([[1, 0], [2, 0]], [0, 1]), ([[1, 1]], [0])])
    rep = is_generic(par)
    assert rep.supertransversal and not rep.maximal_rank
    assert (1, ()) in {(f.layer, f.index_sets) for f in rep.rank_failures}
    # a zero output column: W3 D_{1} W2 ... vanishes
    zero_out = Network.from_lists([([[1, 2], [3, -1]], [1, 1]), ([[1, -1], [2, 1]], [-1, 1]), ([[0, 1]], [0])])
    rep = is_generic(zero_out)
    assert any(f.layer == 3 and f.index_sets[-1] == (1,) for f in rep.rank_failures)


def test_coincident_second_layer_breaks_supertransversality() -> None:
    # two identical second-layer neurons: every facet of one lies in two bent hyperplanes
    net = Network.from_lists([([[1, 0], [0, 1]], [F(1, 3), F(-1, 2)]), ([[1, 1], [1, 1]], [-1, -1]),
                              ([[1, 2]], [0])])
    rep = is_generic(net)
    assert not rep.supertransversal
    assert all(f.zeros > net.input_dim - f.dimension for f in rep.transversality_failures)


def test_limits_raise() -> None:
    with pytest.raises(RegionLimitError):
        is_generic(random_network((2, 3, 2, 1), seed=0), max_index_sets=5)
    with pytest.raises(RegionLimitError):
        cells(random_network((2, 3, 2, 1), seed=0), max_cells=3)


def test_report_to_dict_is_exact_strings() -> None:
    three = Network.from_lists([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[1, 1, 1]], [0])])
    data = is_generic(three).to_dict()
    assert data["generic"] is False and data["transversality_failures"][0]["point"] == ["0", "0"]
    assert data["transversality_failures"][0]["zeros"] == 3
