"""Issue 3, d >= 3: the certified simple-cell fast path (:mod:`exactrelu.geometry.simplecell`) builds regions EQUAL to
the
exact double description path.

The exact path is forced with the private switch ``exactrelu.geometry.construct._FAST_ND = False``; complexes are
compared with
``==`` (network, domain and every Region field).  ``simple_cell`` may decline (None), never be wrong: it is also
tested on hand-made polyhedra with known vertices, and on doctored floating-point proposals.
"""

from __future__ import annotations

import importlib
import random
from fractions import Fraction as F
from math import gcd

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import exactrelu.engines.cddlib as C
import exactrelu.geometry.simplecell as SC
from exactrelu import Network, random_network
from exactrelu.geometry.polyhedra import Box, Orthant, Polyhedron
from exactrelu.geometry.regions import regions

R = importlib.import_module("exactrelu.geometry.construct")


def _both(net: Network, domain: Polyhedron | None = None, method: str = "walk") -> tuple[object, object, int, int]:
    """(fast complex, exact complex, simple_cell calls, simple_cell declines)."""
    calls = [0, 0]
    orig = SC.simple_cell

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        out = orig(*args, **kwargs)
        calls[1] += out is None
        return out

    SC.simple_cell = counted
    try:
        fast = regions(net, domain, method=method)
    finally:
        SC.simple_cell = orig
    R._FAST_ND = False
    try:
        exact = regions(net, domain, method=method)
    finally:
        R._FAST_ND = True
    return fast, exact, calls[0], calls[1]


# ---------------------------------------------------------------------------------------------- random networks
ARCHS = [(3, 4, 1), (3, 5, 3, 1), (4, 6, 1), (3, 3, 3, 3, 2), (4, 4, 4, 2)]
RANDOM = [(arch, s, deg) for arch in ARCHS for s in range(4) for deg in (False, True)]


@pytest.mark.parametrize(("arch", "seed", "degenerate"), RANDOM)
def test_random_networks_equal_exact_path(arch: tuple[int, ...], seed: int, degenerate: bool) -> None:
    kw = {"max_num": 3, "max_den": 2} if degenerate else {}
    fast, exact, calls, declined = _both(random_network(arch, seed=seed, **kw))
    assert fast == exact
    assert calls == len(fast.regions) > 0 and declined <= calls


# measured: every region of these generic one-hidden-layer nets is certified by the fast path (0 declines)
SIMPLE_GENERIC = [((4, 6, 1), s) for s in range(4)] + [((3, 8, 1), s) for s in (0, 1, 3)] + \
                 [((3, 4, 1), s) for s in (1, 2, 3)]


@pytest.mark.parametrize(("arch", "seed"), SIMPLE_GENERIC)
def test_fast_path_is_taken(arch: tuple[int, ...], seed: int) -> None:
    fast, exact, calls, declined = _both(random_network(arch, seed=seed))
    assert fast == exact and calls == len(fast.regions) and declined == 0


# measured declines / calls over seeds 0..3 (generic entries): 0/316, 7/142, 0/314 (non-simple vertices: the exact
# path); the bounds leave a margin.
DEEP_BOUND = {(3, 5, 3, 1): F(1, 20), (3, 3, 3, 3, 2): F(1, 10), (4, 4, 4, 2): F(1, 20)}


@pytest.mark.parametrize("arch", sorted(DEEP_BOUND))
def test_deep_generic_decline_fraction(arch: tuple[int, ...]) -> None:
    calls = declined = 0
    for s in range(4):
        fast, exact, c, dcl = _both(random_network(arch, seed=s))
        assert fast == exact
        calls, declined = calls + c, declined + dcl
    assert calls > 0 and F(declined, calls) <= DEEP_BOUND[arch]


@pytest.mark.parametrize(("arch", "seed"), [((3, 5, 3, 1), 0), ((4, 6, 1), 1), ((3, 3, 3, 3, 2), 2), ((4, 4, 4, 2), 3),
                                            ((3, 4, 2, 1), 5)])
def test_split_equals_walk(arch: tuple[int, ...], seed: int) -> None:
    for kw in ({}, {"max_num": 3, "max_den": 2}):
        net = random_network(arch, seed=seed, **kw)
        walk, exact_walk, _, _ = _both(net, method="walk")
        split, exact_split, calls, _ = _both(net, method="split")
        assert walk == split == exact_walk == exact_split and calls > 0


# ---------------------------------------------------------------------------------------------- domains
DOMAINS3 = [Box(-1, 1, 3), Box([F(-1, 3), 0, F(1, 2)], [2, F(1, 2), 3]), Orthant(3),
            Polyhedron([(1, -1, -1, -1), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1)])]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("degenerate", [False, True])
def test_random_networks_on_domains(seed: int, degenerate: bool) -> None:
    kw = {"max_num": 3, "max_den": 2} if degenerate else {}
    net = random_network((3, 4, 3, 2), seed=100 + seed, **kw)
    total = [0, 0]
    for dom in DOMAINS3:
        fast, exact, calls, declined = _both(net, dom)
        assert fast == exact and calls == len(fast.regions) > 0
        total = [total[0] + calls, total[1] + declined]
    assert total[1] < total[0]  # the fast path is taken somewhere (degenerate nets: domain corners on neurons)


def test_domain_in_four_dimensions() -> None:
    net = random_network((4, 5, 2), seed=11, max_num=3, max_den=2)
    for dom in (Box(-1, 1, 4), Box([F(-1, 2), 0, -1, F(1, 3)], [1, F(3, 2), 0, 2]), Orthant(4)):
        fast, exact, calls, _ = _both(net, dom)
        assert fast == exact and calls == len(fast.regions) > 0


# ---------------------------------------------------------------------------------------------- degenerate networks
def _net(W1: list[list[int]], b1: list[int], out: int = 1) -> Network:
    return Network.from_lists([(W1, b1), ([[out + i for i in range(len(W1))]], [0])])


def test_four_generic_planes_through_a_point() -> None:
    """x, y, z, x + y + z through 0: a central generic arrangement of 4 planes has 4*3 + 2 = 14 cones (8 with 3 facets,
    6 with 4).  Every cell is a cone (all rows homogeneous: float cdd lists no vertex, and the apex is tight on all
    4 rows anyway), so every cell declines to the exact path."""
    net = _net([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [0, 0, 0, 0])
    fast, exact, calls, declined = _both(net)
    assert fast == exact and len(fast.regions) == 14 and calls == declined == 14
    assert sorted(len(r.facets) for r in fast.regions) == [3] * 8 + [4] * 6
    assert all(not r.bounded for r in fast.regions)
    assert fast == _both(net, method="split")[1]


def test_planes_through_a_common_line() -> None:
    """x, y, x + y, x - y all contain the z-axis: 8 wedges, each with a line (every cell declines)."""
    net = _net([[1, 0, 0], [0, 1, 0], [1, 1, 0], [1, -1, 0]], [0, 0, 0, 0])
    fast, exact, calls, declined = _both(net)
    assert fast == exact and len(fast.regions) == 8 and calls == declined == 8


def test_three_planes_through_a_line_and_one_across() -> None:
    """x, y, x + y share the z-axis (6 wedges), z = 1 cuts each of them: 12 regions; on a box, still 12.  Every cell
    has the z-axis as an edge, where the third (redundant) plane is tight too: each vertex there has 4 tight rows and
    every cell declines.  Shifted to x + y = 1 the three lines are in general position (7 regions in the plane, all
    meeting the square): 2 * 7 = 14 simple cells on the box, all certified by the fast path."""
    net = _net([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]], [0, 0, 0, -1])
    fast, exact, _, _ = _both(net)
    assert fast == exact and len(fast.regions) == 12
    fast, exact, calls, declined = _both(net, Box(-2, 2, 3))
    assert fast == exact and len(fast.regions) == calls == declined == 12
    net = _net([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]], [0, 0, -1, -1])
    fast, exact, calls, declined = _both(net, Box(-2, 2, 3))
    assert fast == exact and len(fast.regions) == calls == 14 and declined == 0


def test_concurrent_four_dimensional() -> None:
    """Five hyperplanes through 0 in R^4, the fifth x1 + x2 + x3 + x4: generic central arrangement of 5 hyperplanes
    in R^4 has 2 * (C(4,0) + C(4,1) + C(4,2) + C(4,3)) = 30 regions."""
    net = _net([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 1, 1, 1]], [0] * 5)
    fast, exact, calls, declined = _both(net)
    assert fast == exact and len(fast.regions) == 30 and calls == declined == 30  # all cones: exact path


def test_deep_degenerate() -> None:
    """Duplicate and concurrent neurons, a second layer through the same point."""
    net = Network.from_lists([([[1, 0, 0], [0, 1, 0], [0, 0, 1], [2, 0, 0], [1, 1, 1]], [0, 0, 0, 0, 0]),
                              ([[1, -1, 1, 0, 1], [-1, 1, 1, 1, 0]], [0, 0]), ([[1, 1]], [0])])
    for dom in (None, Box(-2, 2, 3)):
        fast, exact, calls, _ = _both(net, dom)
        assert fast == exact and calls > 0
        assert fast == _both(net, dom, method="split")[1]


# ---------------------------------------------------------------------------------------------- simple_cell by hand
CUBE = [(1, 1, 0, 0), (1, -1, 0, 0), (1, 0, 1, 0), (1, 0, -1, 0), (1, 0, 0, 1), (1, 0, 0, -1)]  # |x|, |y|, |z| <= 1


def _cube_tight(X: tuple[int, ...]) -> frozenset[int]:
    return frozenset(2 * k + (X[k] > 0) for k in range(3))


def test_cube() -> None:
    cell = SC.simple_cell(CUBE, 3, {})
    assert cell is not None and cell.rays == () and cell.facets == (0, 1, 2, 3, 4, 5)
    corners = sorted((D, X) for D, X, _ in cell.vertices)
    assert corners == [(1, (a, b, c)) for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)]
    assert all(T == _cube_tight(X) for _, X, T in cell.vertices)


def test_cube_with_redundant_row() -> None:
    rows = [*CUBE[:3], (5, 1, 1, 1), *CUBE[3:]]  # x + y + z >= -5 is redundant, at index 3
    cell = SC.simple_cell(rows, 3, {})
    assert cell is not None and cell.facets == (0, 1, 2, 4, 5, 6) and len(cell.vertices) == 8
    assert all(3 not in T for _, _, T in cell.vertices)


def test_rational_simplex_in_r4() -> None:
    """x >= 0, 2 x1 + 3 x2 + 5 x3 + 7 x4 <= 1: vertices 0 and e_k / c_k."""
    rows = [(0, 1, 0, 0, 0), (0, 0, 1, 0, 0), (0, 0, 0, 1, 0), (0, 0, 0, 0, 1), (1, -2, -3, -5, -7)]
    cell = SC.simple_cell(rows, 4, {})
    assert cell is not None and cell.rays == () and cell.facets == (0, 1, 2, 3, 4)
    got = {T: (D, X) for D, X, T in cell.vertices}
    want = {frozenset({0, 1, 2, 3}): (1, (0, 0, 0, 0)), frozenset({1, 2, 3, 4}): (2, (1, 0, 0, 0)),
            frozenset({0, 2, 3, 4}): (3, (0, 1, 0, 0)), frozenset({0, 1, 3, 4}): (5, (0, 0, 1, 0)),
            frozenset({0, 1, 2, 4}): (7, (0, 0, 0, 1))}
    assert got == want
    assert all(F(r[0]) + sum(F(a * x, D) for a, x in zip(r[1:], X)) == 0 for D, X, T in cell.vertices for r in
               (rows[i] for i in T))


PRISM = [(1, 1, 0, 0), (1, -1, 0, 0), (1, 0, 1, 0), (1, 0, -1, 0), (0, 0, 0, 1)]  # |x|, |y| <= 1, z >= 0


def test_prism() -> None:
    cell = SC.simple_cell(PRISM, 3, {})
    assert cell is not None and cell.facets == (0, 1, 2, 3, 4)
    assert sorted((D, X) for D, X, _ in cell.vertices) == [(1, (a, b, 0)) for a in (-1, 1) for b in (-1, 1)]
    assert all(T == frozenset({(X[0] > 0), 2 + (X[1] > 0), 4}) for _, X, T in cell.vertices)
    assert cell.rays == (((0, 0, 1), frozenset({0, 1, 2, 3})),)


def test_shifted_prism_rational_vertices() -> None:
    """2x >= -1, 3x <= 2, y >= -1, y <= 1, 2z >= 1 + x: vertices with denominators 2, 3, 4, 6."""
    rows = [(1, 2, 0, 0), (2, -3, 0, 0), (1, 0, 1, 0), (1, 0, -1, 0), (-1, -1, 0, 2)]
    cell = SC.simple_cell(rows, 3, {})
    assert cell is not None
    pts = sorted(tuple(F(x, D) for x in X) for D, X, _ in cell.vertices)
    want = sorted((F(-1, 2), y, F(1, 4)) for y in (-1, 1)) + sorted((F(2, 3), y, F(5, 6)) for y in (-1, 1))
    assert pts == sorted(want)
    assert all(D > 0 and gcd(D, *X) == 1 for D, X, _ in cell.vertices)
    assert [Y for Y, _ in cell.rays] == [(0, 0, 1)]


def test_square_pyramid_declines() -> None:
    rows = [(1, -1, 0, -1), (1, 1, 0, -1), (1, 0, -1, -1), (1, 0, 1, -1), (0, 0, 0, 1)]  # apex (0, 0, 1): 4 rows
    assert SC.simple_cell(rows, 3, {}) is None


def test_cone_and_lines_decline() -> None:
    assert SC.simple_cell([(0, 1, 0, 0), (0, 0, 1, 0)], 3, {}) is None  # a wedge: contains the z-axis
    # the orthant: float cdd treats homogeneous rows as a cone and omits the apex; simple_cell adds it back
    cell = SC.simple_cell([(0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1)], 3, {})
    assert cell is not None and cell.vertices == ((1, (0, 0, 0), frozenset({0, 1, 2})),) and cell.facets == (0, 1, 2)
    assert sorted(cell.rays) == [((0, 0, 1), frozenset({0, 1})), ((0, 1, 0), frozenset({0, 2})),
                                 ((1, 0, 0), frozenset({1, 2}))]
    cell = SC.simple_cell([(1, 1, 0, 0), (1, 0, 1, 0), (1, 0, 0, 1)], 3, {})  # the orthant moved to (-1, -1, -1)
    assert cell is not None and cell.vertices == ((1, (-1, -1, -1), frozenset({0, 1, 2})),) and cell.facets == (0, 1, 2)
    assert sorted(cell.rays) == [((0, 0, 1), frozenset({0, 1})), ((0, 1, 0), frozenset({0, 2})),
                                 ((1, 0, 0), frozenset({1, 2}))]
    assert SC.simple_cell([(1, 1, 0, 0)], 3, {}) is None  # fewer than d rows


def test_poisoned_vertex_cache() -> None:
    """A vertex_key that collides for every vertex, with a wrong vertex pre-stored: the exact check rejects it."""
    cache: dict = {"k": (1, (7, 7, 7))}
    cell = SC.simple_cell(CUBE, 3, cache, vertex_key=lambda T: "k")
    assert cell == SC.simple_cell(CUBE, 3, {})
    assert all(T == _cube_tight(X) and D == 1 for D, X, T in cell.vertices)


# ---------------------------------------------------------------------------------------------- doctored proposals
def _cube_proposal() -> tuple[list[bool], list[set[int]]]:
    corners = [(a, b, c) for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)]
    return [True] * 8, [set(_cube_tight(X)) for X in corners]


def _with_proposal(monkeypatch: pytest.MonkeyPatch, rows: list[tuple[int, ...]], d: int, proposal: object) -> object:
    monkeypatch.setattr(C, "float_generators", lambda _rows: proposal)
    return SC.simple_cell(rows, d, {})


def test_correct_proposal_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    kinds, inc = _cube_proposal()
    got = _with_proposal(monkeypatch, CUBE, 3, (kinds[::-1], inc[::-1]))
    monkeypatch.undo()
    assert got is not None and sorted(got.vertices) == sorted(SC.simple_cell(CUBE, 3, {}).vertices)
    # the prism by hand: the ray listed with the hyperplane at infinity (index 5), as cdd does
    prism = ([True] * 4 + [False], [{0, 2, 4}, {0, 3, 4}, {1, 2, 4}, {1, 3, 4}, {0, 1, 2, 3, 5}])
    cell = _with_proposal(monkeypatch, PRISM, 3, prism)
    assert cell is not None and cell.rays == (((0, 0, 1), frozenset({0, 1, 2, 3})),) and cell.facets == (0, 1, 2, 3, 4)


def _doctored() -> dict[str, tuple[list[tuple[int, ...]], object]]:
    rows7 = [*CUBE, (5, 1, 1, 1)]
    k, inc = _cube_proposal()
    out: dict[str, tuple[list[tuple[int, ...]], object]] = {
        "none": (CUBE, None),
        "drop_vertex": (CUBE, (k[1:], inc[1:])),
        "bogus_dependent_vertex": (CUBE, ([*k, True], [*inc, {0, 1, 2}])),
        "bogus_infeasible_vertex": (rows7, ([*k, True], [*inc, {0, 2, 6}])),  # (-1, -1, -3): violates z >= -1
        "wrong_incidence_dependent": (CUBE, (k, [{0, 1, 2}, *inc[1:]])),
        "wrong_incidence_infeasible": (rows7, (k, [{0, 2, 6}, *inc[1:]])),
        "vertex_listed_twice": (CUBE, (k, [inc[1], inc[1], *inc[2:]])),  # the first vertex is missing
        "vertex_as_ray": (CUBE, ([False, *k[1:]], inc)),
        "size_2_vertex": (CUBE, (k, [{0, 2}, *inc[1:]])),
        "size_4_vertex": (rows7, (k, [inc[0] | {6}, *inc[1:]])),
        "bogus_ray": (CUBE, ([*k, False], [*inc, {0, 2, 6}])),
        "ray_as_vertex": (PRISM, ([True] * 5, [{0, 2, 4}, {0, 3, 4}, {1, 2, 4}, {1, 3, 4}, {0, 1, 2, 3, 5}])),
        "ray_missing": (PRISM, ([True] * 4, [{0, 2, 4}, {0, 3, 4}, {1, 2, 4}, {1, 3, 4}])),
        "ray_wrong_tight": (PRISM, ([True] * 4 + [False], [{0, 2, 4}, {0, 3, 4}, {1, 2, 4}, {1, 3, 4}, {0, 2, 4, 5}])),
        "ray_twice": (PRISM, ([True] * 4 + [False] * 2,
                              [{0, 2, 4}, {0, 3, 4}, {1, 2, 4}, {1, 3, 4}, {0, 1, 2, 3, 5}, {0, 1, 5}])),
        "no_vertex": (PRISM, ([False], [{0, 1, 2, 3, 5}])),
    }
    return out


@pytest.mark.parametrize("name", sorted(_doctored()))
def test_doctored_proposal_declined(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    rows, proposal = _doctored()[name]
    assert _with_proposal(monkeypatch, rows, 3, proposal) is None


def test_cached_vertex_on_dependent_rows_declined(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: on a vertex-cache hit the tight rows must be independent too, not only vanish at the point.

    Rows x >= 0, y >= 0, x + y >= 0, z >= 0 (a 3-dimensional polyhedron).  The doctored proposal lists the point
    (0, 0, 5), where the dependent rows x, y, x + y vanish, as a vertex and the z-axis as a ray; with that point
    pre-stored in the cache under its key, every other check passes and the cell would be certified as a half-line
    with z >= 0 redundant.  Computed afresh, the dependent rows have no unique vertex, so the proposal is declined.
    """
    rows = [(0, 1, 0, 0), (0, 0, 1, 0), (0, 1, 1, 0), (0, 0, 0, 1)]
    proposal = ([True, False], [{0, 1, 2}, {0, 1, 2, 4}])
    monkeypatch.setattr(C, "float_generators", lambda _rows: proposal)
    assert SC.simple_cell(rows, 3, {}) is None
    assert SC.simple_cell(rows, 3, {"key": (1, (0, 0, 5))}, vertex_key=lambda T: "key") is None


@given(st.lists(st.lists(st.integers(-5, 5), min_size=5, max_size=5), min_size=5, max_size=5),
       st.integers(1, 5))
def test_det_equals_sympy(M: list[list[int]], n: int) -> None:
    sub = [r[:n] for r in M[:n]]
    assert SC.det(sub) == sympy.Matrix(sub).det()


def test_wrong_rows_in_prism_proposal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proposal that is correct for the prism, used on the prism cut by z <= 1: the top vertices are missing."""
    rows = [*PRISM, (1, 0, 0, -1)]
    prism = ([True] * 4 + [False], [{0, 2, 4}, {0, 3, 4}, {1, 2, 4}, {1, 3, 4}, {0, 1, 2, 3, 6}])
    assert _with_proposal(monkeypatch, rows, 3, prism) is None


# ---------------------------------------------------------------------------------------------- kernel_vector
@st.composite
def _matrices(draw: st.DrawFn) -> list[list[int]]:
    k = draw(st.integers(1, 5))
    entries = st.integers(-3, 3) if draw(st.booleans()) else st.integers(-10**6, 10**6)
    M = [[draw(entries) for _ in range(k + 1)] for _ in range(k)]
    if k > 1 and draw(st.booleans()):  # force a rank drop: one row a combination of two others
        i, j = draw(st.integers(0, k - 1)), draw(st.integers(0, k - 1))
        a, b = draw(st.integers(-2, 2)), draw(st.integers(-2, 2))
        t = draw(st.integers(0, k - 1))
        M[t] = [a * x + b * y for x, y in zip(M[i], M[j])] if t not in (i, j) else [0] * (k + 1)
    return M


@given(_matrices())
def test_kernel_vector(M: list[list[int]]) -> None:
    k = len(M)
    h = SC.kernel_vector(M)
    assert len(h) == k + 1 and all(isinstance(v, int) for v in h)
    assert all(sum(a * x for a, x in zip(row, h)) == 0 for row in M)
    rank = sympy.Matrix(M).rank()
    assert any(h) == (rank == k)
    if any(h):
        assert gcd(*h) == 1
        ns = sympy.Matrix(M).nullspace()
        assert len(ns) == 1 and sympy.Matrix([list(h), list(ns[0])]).rank() == 1


def test_kernel_vector_random_rank_deficient() -> None:
    rng = random.Random(5)
    for _ in range(200):
        k = rng.randint(2, 5)
        M = [[rng.randint(-4, 4) for _ in range(k + 1)] for _ in range(k - 1)]
        w = [rng.randint(-2, 2) for _ in M]
        M.append([sum(a * r[c] for a, r in zip(w, M)) for c in range(k + 1)])
        rng.shuffle(M)
        assert SC.kernel_vector(M) == (0,) * (k + 1)


def test_identically_zero_neuron_on_a_box_facet() -> None:
    """Regression: a pattern with an identically-zero neuron (sign 0) has that neuron vanishing on every facet, also
    on facets of the domain alone; the fast path must list it there (found by proofs_checks)."""
    net = random_network((3, 3, 3, 3, 1), seed=1)
    fast, exact, calls, _ = _both(net, Box(-2, 2, 3))
    assert fast == exact and calls > 0
    zero = [r for r in fast.regions if any(0 in layer for layer in r.pattern)]
    assert zero and all(f.neurons for r in zero for f in r.facets)


@settings(max_examples=25)
@given(seed=st.integers(0, 10**6), arch=st.sampled_from([(3, 3, 1), (3, 2, 2, 1), (4, 3, 1), (3, 3, 2, 2)]),
       degenerate=st.booleans(), box=st.booleans())
def test_fast_path_equals_exact_path_property(seed: int, arch: tuple[int, ...], degenerate: bool, box: bool) -> None:
    """Property: on any seeded rational network (generic or with small integer entries, on R^d or a box) the
    certified fast path and the exact path build equal complexes."""
    kw = {"max_num": 2, "max_den": 1} if degenerate else {}
    net = random_network(arch, seed=seed, **kw)
    fast, exact, calls, _ = _both(net, Box(-1, 1, arch[0]) if box else None)
    assert fast == exact and calls == len(fast.regions)
