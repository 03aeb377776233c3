"""The canonical complex C_θ: docs/mathematics.md oracles, two enumerations agree, brute-force grid and adjacency
cross-checks."""

from __future__ import annotations

import itertools
from fractions import Fraction as F
from math import comb

import pytest

from exactrelu import Network, examples, random_network
from exactrelu.core.errors import EmptyRegionError, RegionLimitError, ShapeError
from exactrelu.geometry.polyhedra import Box, Orthant, Polyhedron
from exactrelu.geometry.regions import regions


def _generic_arrangement(net: Network) -> bool:
    """Independent brute-force genericity of the first-layer arrangement (shallow nets): every <= d rows of W1 are
    linearly independent and no d+1 hyperplanes meet (sympy determinants)."""
    import sympy as sp

    d = net.input_dim
    rows = [(b, *w) for w, b in zip(net.layers[0].weights, net.layers[0].biases)]
    for k in range(1, min(d, len(rows)) + 1):
        for sub in itertools.combinations(rows, k):
            if sp.Matrix([[sp.Rational(str(v)) for v in r[1:]] for r in sub]).rank() < k:
                return False
    for sub in itertools.combinations(rows, d + 1):
        if sp.Matrix([[sp.Rational(str(v)) for v in r] for r in sub]).det() == 0:
            return False
    return True


def test_relu_of_sum_oracle() -> None:
    """docs/mathematics.md A3 / §7 row 12: 7 regions, 1 bounded, 4 linear regions; the exact pieces."""
    C = regions(examples.relu_of_sum())
    assert len(C.regions) == 7
    assert sum(r.bounded for r in C.regions) == 1
    tri = next(r for r in C.regions if r.bounded)
    assert tri.pattern == ((1, 1), (-1,))
    assert sorted(tri.polyhedron.vertices_and_rays()[0]) == [(0, 0), (0, 1), (1, 0)]
    assert len(C.linear_regions()) == 4
    zero_maps = [lr for lr in C.linear_regions() if lr.affine_map == (((0, 0),), (0,))]
    assert len(zero_maps) == 1 and len(zero_maps[0].regions) == 4
    assert C.adjacency_graph().number_of_edges() == 9
    assert C.dead_neurons() == {} and C.always_active_neurons() == {}


@pytest.mark.parametrize("arch", [(1, 3, 1), (1, 5, 2), (2, 2, 1), (2, 3, 1), (2, 4, 1), (2, 5, 1), (3, 4, 1)])
def test_zaslavsky_generic_shallow(arch: tuple[int, ...]) -> None:
    """docs/mathematics.md A2 oracle / §7 row 13: a generic (d, n) arrangement has sum_{i<=d} C(n, i) regions."""
    d, n = arch[0], arch[1]
    checked = 0
    for seed in range(6):
        net = random_network(arch, seed=seed)
        if not _generic_arrangement(net):
            continue
        checked += 1
        assert len(regions(net).regions) == sum(comb(n, i) for i in range(d + 1))
    assert checked >= 3


ARCHS = [(1, 2, 1), (1, 3, 2, 1), (2, 3, 1), (2, 2, 2, 1), (2, 3, 3, 2), (3, 3, 1), (3, 2, 2, 1), (2, 2, 2, 2, 1)]


@pytest.mark.parametrize("arch", ARCHS)
def test_split_and_walk_agree(arch: tuple[int, ...]) -> None:
    for seed in range(3):
        net = random_network(arch, seed=seed, max_num=3, max_den=2)
        a = regions(net, method="split")
        b = regions(net, method="walk")
        assert a == b
        assert len({r.pattern for r in a.regions}) == len(a.regions)


@pytest.mark.parametrize("name", sorted(examples.catalogue()))
def test_examples_split_walk_and_grid(name: str) -> None:
    net = examples.catalogue()[name]
    C = regions(net, method="split")
    assert C == regions(net, method="walk")
    _grid_check(C)


def _grid_check(C, lo: int = -3, hi: int = 3, den: int = 2) -> None:
    """Brute force: every grid point lies in the closure of >= 1 region; if it is strictly inside one region it is in
    no other, and exact evaluation matches that region's pattern (off facets) and affine map (everywhere)."""
    net = C.net
    grid = [F(k, den) for k in range(lo * den, hi * den + 1)]
    for x in itertools.product(grid, repeat=net.input_dim):
        if C.domain is not None and not C.domain.contains(x):
            continue
        closed = [r for r in C.regions if r.polyhedron.contains(x)]
        assert closed, f"{x} is in no region"
        y = net(x)
        for r in closed:
            A, c = r.affine_map
            assert tuple(sum((a * v for a, v in zip(row, x)), ci) for row, ci in zip(A, c)) == y
        strict = [r for r in C.regions if r.polyhedron.strictly_satisfies(x)]
        assert len(strict) <= 1
        if strict:
            assert len(closed) == 1
            pat = net.pattern(x)
            assert all(s == t or (s == 0 and t <= 0) for ps, pt in zip(strict[0].pattern, pat)
                       for s, t in zip(ps, pt))


@pytest.mark.parametrize("arch,seed", [((2, 3, 1), 1), ((2, 2, 2, 1), 4), ((2, 3, 2, 2), 2), ((1, 3, 3, 1), 0)])
def test_grid_random(arch: tuple[int, ...], seed: int) -> None:
    _grid_check(regions(random_network(arch, seed=seed, max_num=3, max_den=2)))


@pytest.mark.parametrize("arch,seed", [((3, 4, 3, 1), 0), ((3, 3, 3, 2), 3)])
def test_grid_random_3d_fast_path(arch: tuple[int, ...], seed: int) -> None:
    """d = 3 with generic entries (regions certified from a float proposal) against exact evaluation on a grid."""
    _grid_check(regions(random_network(arch, seed=seed)), lo=-2, hi=2, den=2)


@pytest.mark.parametrize("arch,seed,generic", [((2, 3, 1), 0, False), ((2, 2, 2, 1), 1, False),
                                               ((2, 3, 3, 1), 5, False), ((3, 3, 2, 1), 2, False),
                                               ((3, 4, 3, 1), 0, True), ((4, 5, 1), 1, True)])
def test_adjacency_matches_shared_facet_lps(arch: tuple[int, ...], seed: int, generic: bool) -> None:
    """Adjacency exactly right: an edge iff the closures meet in a (d-1)-dimensional set (exact LPs).  Generic
    entries in d >= 3 exercise the certified floating-point proposal (exactrelu.geometry.simplecell)."""
    kw = {} if generic else {"max_num": 3, "max_den": 2}
    C = regions(random_network(arch, seed=seed, **kw))
    g = C.adjacency_graph()
    d = C.dim
    for i, j in itertools.combinations(range(len(C.regions)), 2):
        shared = C.regions[i].polyhedron.intersect(C.regions[j].polyhedron)
        assert g.has_edge(i, j) == (shared.dimension == d - 1), (i, j)


def test_degenerate_concurrent_parallel_zero_rows_dead() -> None:
    # three concurrent lines through 0: 6 regions (not 7)
    conc = Network.from_lists([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[1, 1, 1]], [0])])
    assert len(regions(conc).regions) == 6
    # three parallel lines: 4 regions
    par = Network.from_lists([([[1, 1], [2, 2], [1, 1]], [0, -1, -3]), ([[1, -1, 1]], [0])])
    assert len(regions(par).regions) == 4
    # a zero row (constant neuron) and a coincident pair: 2 regions, constant neuron always active or dead
    zero = Network.from_lists([([[0, 0], [1, 2], [2, 4]], [1, 0, 0]), ([[1, 1, 1]], [0])])
    C = regions(zero)
    assert len(C.regions) == 2 and C.always_active_neurons() == {(0, 0): (0, F(1))}
    zneg = Network.from_lists([([[0, 0], [1, 2]], [-2, 0]), ([[1, 1]], [0])])
    assert regions(zneg).dead_neurons() == {(0, 0): (0, F(-2))}
    # dead second layer (docs/mathematics.md D3): 4 first-layer regions, neuron (1, 0) dead with max z = -1 at the
    # origin cell
    D = regions(examples.dead_second_layer())
    assert len(D.regions) == 4 and list(D.dead_neurons()) == [(1, 0)] and D.dead_neurons()[(1, 0)][1] == -1


def test_identically_zero_neuron_gets_sign_zero() -> None:
    # layer 2 neuron 0 is fed by relu(-x^2...)... simpler: layer 1 = relu(x) only, layer 2 = relu(0*h + 0) = 0
    net = Network.from_lists([([[1]], [0]), ([[0], [1]], [0, -1]), ([[1, 1]], [0])])
    C = regions(net)
    assert [r.pattern for r in C.regions] == [((-1,), (0, -1)), ((1,), (0, -1)), ((1,), (0, 1))]
    assert C == regions(net, method="split")
    assert (1, 0) in C.dead_neurons()


def test_d1_and_multi_output() -> None:
    C = regions(examples.three_kinks())
    assert len(C.regions) == 4 and [r.bounded for r in C.regions].count(True) == 2
    net = random_network((1, 3, 3), seed=3)
    C = regions(net)
    assert all(len(r.affine_map[0]) == 3 for r in C.regions)
    _grid_check(C)


def test_domains_box_orthant() -> None:
    net = examples.relu_of_sum()
    B = regions(net, Box(F(1, 2), 2, 2))  # x1, x2 in [1/2, 2]: only T' and the part of T near the origin corner
    pats = sorted(r.pattern for r in B.regions)
    assert pats == [((1, 1), (1,))]
    B2 = regions(net, Box(-1, 1, 2))
    assert len(B2.regions) == 5 and all(r.bounded for r in B2.regions)  # x1 = 1, x2 = 1 lie on the boundary
    assert B2 == regions(net, Box(-1, 1, 2), method="split")
    _grid_check(B2, -1, 1, 4)
    O = regions(net, Orthant(2))
    assert len(O.regions) == 2
    assert sum(f.neighbor is None for r in O.regions for f in r.facets) == 4
    with pytest.raises(EmptyRegionError):
        regions(net, Polyhedron([(0, 1, 0), (0, -1, 0)]))
    with pytest.raises(ShapeError):
        regions(net, Box(0, 1, 3))


def test_max_regions_and_bad_input() -> None:
    net = random_network((2, 6, 1), seed=1)
    for method in ("split", "walk"):
        with pytest.raises(RegionLimitError):
            regions(net, max_regions=5, method=method)
    with pytest.raises(ValueError):
        regions(net, method="nope")
    with pytest.raises(ShapeError):
        regions("not a network")  # type: ignore[arg-type]


def test_region_points_and_progress() -> None:
    net = random_network((3, 3, 2, 1), seed=2)
    seen: list[int] = []
    C = regions(net, progress=seen.append)
    assert seen and seen[-1] == len(C.regions)
    for r in C.regions:
        pts = r.affine_basis_points()
        assert len(pts) == 4 and all(r.polyhedron.strictly_satisfies(p) for p in pts)
        diffs = [[a - b for a, b in zip(p, pts[0])] for p in pts[1:]]
        import sympy as sp

        assert sp.Matrix([[sp.Rational(str(v)) for v in row] for row in diffs]).rank() == 3
        assert C.region_of(r.interior_point) is r
        assert net.affine_map(net.pattern(r.interior_point)) == r.affine_map
    with pytest.raises(EmptyRegionError):
        C.region_of(C.regions[0].facets[0].point)


def test_report_section(tmp_path) -> None:
    from exactrelu.cli.report_regions import regions_section

    sec = regions_section(examples.relu_of_sum(), tmp_path)
    assert sec.key == "regions" and sec.data["activation_regions"] == 7 and sec.data["breakpoint_regions"] == 4
    assert (tmp_path / "regions.png").read_bytes()[:4] == b"\x89PNG" and "**7**" in sec.markdown


@pytest.mark.parametrize("bad", ["drop_facets", "none", "all"])
def test_float_filter_is_only_a_proposal(monkeypatch, bad: str) -> None:
    """A wrong floating-point proposal of facet rows never changes the exact result."""
    from exactrelu.engines import cddlib as _cdd

    net = random_network((2, 3, 3, 1), seed=6, max_num=3, max_den=2)
    ref = regions(net, method="split")
    real = _cdd.float_candidates

    def wrong(rows):  # noqa: ANN001, ANN202
        got = real(rows)
        if bad == "drop_facets":
            return got[1:] if got else got
        return None if bad == "none" else list(range(len(rows)))

    monkeypatch.setattr(_cdd, "float_candidates", wrong)
    assert regions(net, method="walk") == ref


def test_bent_hyperplanes_and_export() -> None:
    import json

    C = regions(examples.relu_of_sum())
    bent = C.bent_hyperplanes()
    # x1 = 0 bounds every region except {x1 > 1, x2 < 0}; the layer-2 bent line bounds all but the quadrant x < 0
    q3 = C.region_of((-1, -1)).pattern
    a1 = C.region_of((2, -1)).pattern
    assert sorted(C.regions[k].pattern for k in bent[(0, 0)]) == sorted(r.pattern for r in C.regions if r.pattern != a1)
    assert q3 not in [C.regions[k].pattern for k in bent[(1, 0)]] and len(bent[(1, 0)]) == 6
    assert sorted(C.regions[k].pattern[1][0] for k in bent[(1, 0)]) == [-1, -1, -1, 1, 1, 1]
    doc = json.loads(json.dumps(C.to_dict()))
    assert doc["format"] == "exactrelu-complex" and len(doc["regions"]) == 7
    tri = next(r for r in doc["regions"] if r["bounded"])
    assert tri["pattern"] == [[1, 1], [-1]]
    assert sorted(tri["neighbors"]) == tri["neighbors"] and len(tri["neighbors"]) == 3
