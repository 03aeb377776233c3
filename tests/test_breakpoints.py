"""Faces, jumps, balancing and the breakpoint complex B_θ: docs/mathematics.md A3 oracle, Euler characteristic, an
independent
cell enumeration, and invariance of B_θ under trivial symmetries and neuron splitting."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import pytest

from exactrelu import Network, examples, random_network
from exactrelu.core.symmetry import random_trivial_symmetry, split_neuron
from exactrelu.geometry.faces import jumps
from exactrelu.geometry.polyhedra import Box
from exactrelu.geometry.regions import regions
from exactrelu.theory.dimension.genericity import cells as independent_cells


def test_relu_of_sum_breakpoint_oracle() -> None:
    """docs/mathematics.md A3 / §7 row 12."""
    C = regions(examples.relu_of_sum())
    B = C.breakpoint_complex()
    assert B.num_regions == 4 and len(B.facets) == 5 and B.vertices == ((0, 1), (1, 0))
    # the five facets: segment x1+x2=1, rays x1=1 (x2<0), x2=0 (x1>1), x2=1 (x1<0), x1=0 (x2>1)
    hyps = sorted(f.hyperplane for f in B.facets)
    assert hyps == sorted([(-1, 1, 1), (-1, 1, 0), (0, 0, 1), (-1, 0, 1), (0, 1, 0)])
    seg = next(f for f in B.facets if f.hyperplane == (-1, 1, 1))
    assert seg.polyhedron.bounded and sorted(seg.polyhedron.vertices_and_rays()[0]) == [(0, 1), (1, 0)]
    for f in B.facets:
        if f.hyperplane != (-1, 1, 1):
            assert not f.polyhedron.bounded
    # jumps at the vertex (1, 0): (1,1) across the segment, (1,0) across x1 = 1, (0,1) across x2 = 0
    at = {f.hyperplane: f.jump for f in B.facets if f.polyhedron.contains((1, 0))}
    assert at == {(-1, 1, 1): ((1, 1),), (-1, 1, 0): ((1, 0),), (0, 0, 1): ((0, 1),)}
    # each vertex has 3 facets in its star
    for v in B.vertices:
        assert sum(f.polyhedron.contains(v) for f in B.facets) == 3
    # the facet at (1,0) not next to a region where f is constant lies on the first-layer line x2 = 0
    zero = [lr for lr in C.linear_regions() if lr.affine_map == (((0, 0),), (0,))][0]
    zero_polys = [C.regions[k].polyhedron for k in zero.regions]
    not_next = [h for h, _ in at.items() if not any(
        P.intersect(next(f.polyhedron for f in B.facets if f.hyperplane == h)).dimension == 1 for P in zero_polys)]
    assert not_next == [(0, 0, 1)]
    assert C.check_balancing() == 3
    assert C.first_layer_visibility() == {0: True, 1: True}


def test_jumps_match_evaluation_on_both_sides() -> None:
    net = random_network((2, 3, 2, 2), seed=5, max_num=3, max_den=2)
    C = regions(net)
    for j in C.jumps():
        # brute force: gradients from exact evaluation at the regions' interior points (affine maps checked there)
        Am, Ap = (C.regions[k] for k in j.regions)
        assert net.affine_map(net.pattern(Ap.interior_point)) == Ap.affine_map
        Jm = [[p - m for p, m in zip(rp, rm)] for rp, rm in zip(Ap.affine_map[0], Am.affine_map[0])]
        assert [list(r) for r in j.matrix] == Jm
        assert next(v for v in j.normal if v) == 1
        # P+ is on the positive side of the hyperplane
        assert j.offset + sum(n * x for n, x in zip(j.normal, Ap.interior_point)) > 0


@pytest.mark.parametrize("arch", [(2, 3, 1), (2, 3, 3, 2), (2, 2, 2, 2, 1), (3, 3, 2, 1), (3, 4, 1)])
def test_balancing_random(arch: tuple[int, ...]) -> None:
    for seed in range(2):
        C = regions(random_network(arch, seed=seed, max_num=3, max_den=2))
        assert C.check_balancing() == len([t for t in C.faces(C.dim - 2) if not t.boundary])


def _through_one_point(d: int, n: int, seed: int) -> Network:
    """A degenerate arrangement: ``n > d`` first-layer hyperplanes through the origin (entries in {-1, 0, 1}), so more
    than ``d`` facets meet at the vertex of every pointed region; an output layer with weights in {-1, 1, 2}."""
    rng = random.Random(seed)
    W = [[rng.randint(-1, 1) for _ in range(d)] for _ in range(n)]
    for w in W:
        if not any(w):
            w[0] = 1
    return Network.from_lists([(W, [0] * n), ([[rng.choice([-1, 1, 2]) for _ in range(n)]], [0])])


#: (4, 4, 2, 1) network with 22 activation regions where more than d facets meet at a vertex: the face lattice used to
#: raise KeyError (a face first reached across a drop of two dimensions had no key yet)
_KEYERROR_NET = Network.from_lists([
    ([[0, -1, 0, 0], [1, 0, -1, 0], [-1, 1, -1, 1], [0, 0, 0, -1]], [-1, 0, 0, 0]),
    ([[1, 1, 1, 0], [0, -1, 1, 1]], [0, 0]), ([[1, 1]], [0])])

_DEGENERATE = {"keyerror_d4": _KEYERROR_NET, "point_d4": _through_one_point(4, 5, 2),
               "point_d5": _through_one_point(5, 6, 2)}


@pytest.mark.parametrize("name", sorted(_DEGENERATE))
def test_balancing_and_breakpoints_degenerate(name: str) -> None:
    """Balancing at every interior ridge and B_θ (built from the face lattice) on d = 4, 5 arrangements with more
    than d facets through a vertex; B_θ is invariant under a positive rescaling of the hidden neurons."""
    net = _DEGENERATE[name]
    C = regions(net)
    assert C.check_balancing() == len([t for t in C.faces(C.dim - 2) if not t.boundary])
    other = random_trivial_symmetry(net, random.Random(1), max_factor=5).apply(net)
    assert C.breakpoint_complex() == regions(other).breakpoint_complex()


@pytest.mark.parametrize("arch,seed", [((2, 3, 1), 0), ((2, 2, 2, 1), 3), ((1, 2, 2, 1), 1), ((3, 2, 2, 1), 0),
                                       ((2, 3, 2, 1), 7), *((name, None) for name in _DEGENERATE)])
def test_faces_match_independent_enumeration_and_euler(arch: tuple[int, ...] | str, seed: int | None) -> None:
    """Faces of every dimension == the independent cell enumeration of :mod:`exactrelu.genericity`, and the Euler
    characteristic; including d = 4, 5 arrangements with more than d hyperplanes through a point."""
    net = _DEGENERATE[arch] if isinstance(arch, str) else random_network(arch, seed=seed, max_num=3, max_den=2)
    C = regions(net)
    d = net.input_dim
    ref = independent_cells(net)
    for k in range(d + 1):
        mine = sorted(f.sign_sequence for f in C.faces(k))
        theirs = sorted(c.pattern for c in ref if c.dimension == k)
        assert mine == theirs, k
        for f in C.faces(k):
            assert f.polyhedron.dimension == k and net.pattern(f.point) == f.sign_sequence
    # compactly supported Euler characteristic of R^d: sum (-1)^k f_k = (-1)^d
    assert sum((-1) ** k * len(C.faces(k)) for k in range(d + 1)) == (-1) ** d


def test_euler_on_a_box_and_lattice() -> None:
    C = regions(examples.relu_of_sum(), Box(-2, 2, 2))
    assert sum((-1) ** k * len(C.faces(k)) for k in range(3)) == 1
    g = C.face_lattice()
    assert all(g.nodes[a]["dimension"] == g.nodes[b]["dimension"] + 1 for a, b in g.edges)
    # in 2-D every edge (1-face) has exactly 2 vertices
    assert all(g.out_degree(n) == 2 for n in g.nodes if g.nodes[n]["dimension"] == 1)


def test_supertransversality() -> None:
    conc = Network.from_lists([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[1, 1, 1]], [0])])
    C = regions(conc)
    assert not C.is_supertransversal()
    from exactrelu.geometry.faces import supertransversality_failures

    bad = supertransversality_failures(C)
    assert [(f.dimension, f.zeros) for f in bad] == [(0, 3)]
    from exactrelu.theory.dimension.genericity import is_generic

    for seed in range(4):
        net = random_network((2, 2, 2, 1), seed=seed, max_num=3, max_den=2)
        assert regions(net).is_supertransversal() == is_generic(net).supertransversal


def test_visibility_examples() -> None:
    assert regions(examples.invisible_translation()).first_layer_visibility() == {0: False, 1: True}
    assert regions(examples.visible_bottleneck()).first_layer_visibility() == {0: True, 1: True}
    assert regions(examples.dead_second_layer()).first_layer_visibility() == {0: False, 1: False}
    # canceling pair relu(x) - relu(-x) = x: invisible, and B_θ has no facet
    cancel = Network.from_lists([([[1], [-1]], [0, 0]), ([[1, -1]], [0])])
    C = regions(cancel)
    assert C.first_layer_visibility() == {0: False, 1: False}
    assert len(C.breakpoint_complex().facets) == 0 and C.breakpoint_complex().num_regions == 1


@pytest.mark.parametrize("arch", [(1, 3, 1), (2, 3, 1), (2, 2, 2, 1), (2, 3, 2, 2), (3, 2, 2, 1)])
def test_breakpoint_invariant_under_trivial_symmetries(arch: tuple[int, ...]) -> None:
    for seed in range(2):
        net = random_network(arch, seed=seed, max_num=3, max_den=2)
        rng = random.Random(seed)
        other = random_trivial_symmetry(net, rng, max_factor=7).apply(net)
        Ba, Bb = regions(net).breakpoint_complex(), regions(other).breakpoint_complex()
        assert Ba == Bb and hash(Ba) == hash(Bb)


@pytest.mark.parametrize("arch,layer", [((2, 3, 1), 1), ((2, 2, 2, 1), 1), ((2, 2, 2, 1), 2), ((1, 2, 3, 1), 2)])
def test_breakpoint_invariant_under_neuron_splitting(arch: tuple[int, ...], layer: int) -> None:
    net = random_network(arch, seed=11, max_num=3, max_den=2)
    other = split_neuron(net, layer, 0, (F(2), F(1, 3)), F(1, 4))
    for x in [(F(k, 3),) * net.input_dim for k in range(-6, 7)]:
        assert net(x) == other(x)
    assert regions(net).breakpoint_complex() == regions(other).breakpoint_complex()


def test_breakpoint_distinguishes_functions() -> None:
    a = examples.relu_of_sum()
    b = Network.from_lists([([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [-1]), ([[2]], [0])])  # 2 f
    assert regions(a).breakpoint_complex() != regions(b).breakpoint_complex()
    c = Network.from_lists([([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [-1]), ([[1]], [1])])  # f + 1
    assert regions(a).breakpoint_complex() != regions(c).breakpoint_complex()
    d1 = regions(examples.three_kinks()).breakpoint_complex()
    assert len(d1.facets) == 3 and d1.vertices == ((0,), (1,), (2,)) and d1.ridges == ()
    assert [f.omega for f in d1.facets] == [(1,), (-1,), (1,)]


# ---------------------------------------------------------------------------------------------- d >= 3: exact facets
def _points_on(h: tuple[F, ...], grid: list[F]) -> list[tuple[F, ...]]:
    """Rational points of the hyperplane h = 0: solve for its pivot coordinate over a grid of the others."""
    d = len(h) - 1
    p = next(k for k in range(d) if h[k + 1])
    pts = []
    for rest in itertools.product(grid, repeat=d - 1):
        x = list(rest[:p]) + [F(0)] + list(rest[p:])
        x[p] = -(h[0] + sum(h[k + 1] * x[k] for k in range(d) if k != p)) / h[p + 1]
        pts.append(tuple(x))
    return pts


def _cells_vs_membership(net: Network) -> tuple[int, int]:
    """Every grid point of a facet's hyperplane off the flats: its sign vector is a listed cell iff the point lies in
    one of the facet's pieces of C_θ.  Returns (points checked, points in the hull of the facet but not in it)."""
    C = regions(net)
    B = C.breakpoint_complex()
    js = jumps(C)
    grid = [F(k, 2) for k in range(-7, 8)]
    checked = outside_but_in_hull = 0
    for f in B.facets:
        pieces = [C.regions[js[k].regions[0]].polyhedron.intersect(C.regions[js[k].regions[1]].polyhedron)
                  for k in f.members]
        for x in _points_on(f.hyperplane, grid):
            signs = tuple((v > 0) - (v < 0) for v in (g[0] + sum(a * c for a, c in zip(g[1:], x)) for g in f.flats))
            if 0 in signs:
                continue
            inside = any(P.contains(x) for P in pieces)
            assert (signs in f.cells) == inside, (f.hyperplane, x)
            checked += 1
            outside_but_in_hull += (not inside) and f.polyhedron.contains(x)
    return checked, outside_but_in_hull


@pytest.mark.parametrize(("arch", "seed"), [((3, 3, 1), 0), ((3, 3, 2, 1), 1), ((3, 2, 3, 1), 2), ((3, 3, 3, 1), 4)])
def test_cells_describe_the_facets_exactly(arch: tuple[int, ...], seed: int) -> None:
    checked, _ = _cells_vs_membership(random_network(arch, seed=seed, max_num=3, max_den=2))
    assert checked > 100


def test_non_convex_facet_is_not_its_hull() -> None:
    """relu(z + a(x, y)) with a = min(relu(-x), relu(-y)) (= relu(-x) - relu(relu(-x) - relu(-y))): a = 0 exactly on
    the L-shaped set {x >= 0 or y >= 0}, so the fold of the output neuron lies in the plane z = 0 over that L and bends
    down to z = -a over the open quadrant x, y < 0.  The facet of B_θ in z = 0 is the L: its hull is the whole plane,
    its flats are x = 0 and y = 0, and it covers three of the four quadrants."""
    net = Network.from_lists([([[-1, 0, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], [0, 0, 0, 0]),
                              ([[1, -1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], [0, 0, 0, 0]),
                              ([[-1, 1, 1, -1]], [0]), ([[1]], [0])])
    for x, y, z in [(1, 2, 3), (-1, -2, 3), (-3, -1, -F(1, 2)), (2, -5, -1)]:
        assert net((x, y, z)) == (max(0, z + min(max(0, -x), max(0, -y))),)
    B = regions(net).breakpoint_complex()
    (flat_z,) = [f for f in B.facets if f.hyperplane == (0, 0, 0, 1)]
    assert flat_z.flats == ((0, 0, 1, 0), (0, 1, 0, 0)) or sorted(flat_z.flats) == [(0, 0, 1, 0), (0, 1, 0, 0)]
    assert sorted(flat_z.cells) == [(-1, 1), (1, -1), (1, 1)]  # signs of (y, x) or (x, y): three quadrants
    assert flat_z.polyhedron.contains((-1, -1, 0))  # the hull would wrongly contain the missing quadrant
    checked, outside_but_in_hull = _cells_vs_membership(net)
    assert checked > 100 and outside_but_in_hull > 0


def test_three_dimensional_vertices() -> None:
    """relu(x) + relu(y) + relu(z): the three coordinate planes cross along the axes, so each is cut into 4 quadrant
    facets (2 flats, 1 cell each); the three axes are the ridges, and the origin, where they cross, the one vertex."""
    net = Network.from_lists([([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0]), ([[1, 1, 1]], [0])])
    B = regions(net).breakpoint_complex()
    assert len(B.facets) == 12 and all(len(f.flats) == 2 and len(f.cells) == 1 for f in B.facets)
    assert sorted(f.cells[0] for f in B.facets if f.hyperplane == (0, 1, 0, 0)) == [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    assert len(B.ridges) == 3 and B.vertices == ((0, 0, 0),)
    d = B.to_dict()
    assert d["vertices"] == [["0", "0", "0"]] and d["facets"][0]["cells"] == [list(B.facets[0].cells[0])]


@pytest.mark.parametrize("arch", [(3, 3, 2, 1), (3, 2, 2, 2)])
def test_breakpoint_invariant_3d(arch: tuple[int, ...]) -> None:
    net = random_network(arch, seed=5, max_num=3, max_den=2)
    other = random_trivial_symmetry(net, random.Random(5), max_factor=7).apply(net)
    split = split_neuron(net, 1, 0, (F(3), F(1, 2)), F(2, 5))
    B = regions(net).breakpoint_complex()
    assert B == regions(other).breakpoint_complex() == regions(split).breakpoint_complex()


# ---------------------------------------------------------------------------------------------- face lattice paths
@pytest.mark.parametrize(("arch", "seed", "generic"), [((2, 3, 2, 1), 1, False), ((3, 3, 2, 1), 2, False),
                                                       ((3, 4, 3, 1), 0, True), ((4, 5, 1), 1, True),
                                                       ((3, 3, 3, 1), 7, False), ("keyerror_d4", None, False),
                                                       ("point_d4", 0, False),
                                                       pytest.param("point_d5", 0, False, marks=pytest.mark.slow)])
def test_face_lattice_from_generators_equals_lp_reference(arch: tuple[int, ...] | str, seed: int | None,
                                                          generic: bool) -> None:
    """The face lattice built from each region's exact generators and incidences (no LP) equals the reference built
    top-down with one exact LP per candidate face: same cells, dimensions, stars, children and canonical polyhedra
    (and each relative-interior point of the fast table lies in the relative interior of its cell).  The named
    cases are d = 4, 5 arrangements with more than d facets through a vertex."""
    from exactrelu.geometry.faces import _all_faces, check_face_lattice

    kw = {} if generic else {"max_num": 3, "max_den": 2}
    if arch == "keyerror_d4":
        net = _KEYERROR_NET
    elif isinstance(arch, str):
        net = _through_one_point(int(arch[-1]), int(arch[-1]) + 1, seed)
    else:
        net = random_network(arch, seed=seed, **kw)
    C = regions(net)
    assert check_face_lattice(C) == len(_all_faces(C)) > len(C.regions)


def test_face_lattice_check_detects_a_corrupted_table() -> None:
    from exactrelu.core.errors import PolyhedralComputationError
    from exactrelu.geometry.faces import _all_faces, check_face_lattice

    C = regions(random_network((3, 3, 1), seed=2))
    table = _all_faces(C)
    key = next(k for k, e in table.items() if e["dim"] == 1)
    table[key]["regions"].add(max(table[key]["regions"]) + 1)  # claim one more region in the star
    with pytest.raises(PolyhedralComputationError, match="differs from the LP reference"):
        check_face_lattice(C)
