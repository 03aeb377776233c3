"""Exact polyhedra: every answer cross-checked against closed forms or an independent exact LP (Fourier-Motzkin)."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from exactrelu.core.errors import EmptyRegionError, NotExactError, ShapeError
from exactrelu.geometry.polyhedra import Box, Orthant, Polyhedron, normalize_inequality


def _fm_max_slack(rows, d):
    """Independent exact LP by Fourier-Motzkin elimination: max t s.t. b + a.x >= t, t <= 1; < 0 iff empty.

    (sympy's simplex was used here first; its pivoting depends on hash randomisation and on some seeds it ran for
    minutes.)  Constraints are ``c.x + t <= e``: ``t - a.x <= b`` and ``t <= 1``; eliminating x one coordinate at a
    time keeps a positive coefficient on t, so the end result is a list of ``alpha t <= beta`` with alpha > 0."""
    if any(not any(r[1:]) and r[0] < 0 for r in rows):
        return F(-1)  # a row 'b >= 0' with b < 0: empty
    rows = [r for r in rows if any(r[1:])]  # 'b >= 0' with b >= 0 holds everywhere and does not cut the dimension
    cons = [([-a for a in r[1:]], F(1), r[0]) for r in rows] + [([F(0)] * d, F(1), F(1))]
    for k in range(d):
        pos = [c for c in cons if c[0][k] > 0]
        neg = [c for c in cons if c[0][k] < 0]
        new = [c for c in cons if c[0][k] == 0]
        for cp in pos:
            for cn in neg:
                lp, ln = -cn[0][k], cp[0][k]  # positive multipliers cancelling x_k
                new.append(([lp * u + ln * v for u, v in zip(cp[0], cn[0])], lp * cp[1] + ln * cn[1],
                            lp * cp[2] + ln * cn[2]))
        cons = new
    return min(e / a for _, a, e in cons)


def test_triangle_closed_forms() -> None:
    P = Polyhedron([(0, 1, 0), (0, 0, 1), (1, -1, -1), (5, -1, 0)])  # last row redundant
    assert P.dimension == 2 and not P.is_empty and P.bounded
    assert P.interior_point() == (F(1, 3), F(1, 3))
    canon = P.irredundant()
    assert len(canon.inequalities) == 3 and canon.equalities == ()
    v, r = P.vertices_and_rays()
    assert sorted(v) == [(0, 0), (0, 1), (1, 0)] and r == []
    assert P.contains((F(1, 2), F(1, 2))) and not P.contains((F(2, 3), F(1, 2)))
    assert not P.strictly_satisfies((0, F(1, 2)))


def test_implicit_equalities_and_relative_interior() -> None:
    # x >= 0, y >= 0, x - y >= 0, y - x >= 0, x + y <= 2: the segment from (0,0) to (1,1)
    P = Polyhedron([(0, 1, 0), (0, 0, 1), (0, 1, -1), (0, -1, 1), (2, -1, -1)])
    assert P.dimension == 1
    assert P.affine_hull() == ((0, 1, -1),)
    x = P.interior_point()
    assert x is not None and x[0] == x[1] and 0 < x[0] < 1
    assert P.irredundant() == Polyhedron([(0, 1, 0), (2, -1, -1)], [(0, 1, -1)]).irredundant()


def test_empty_and_lower_dimensional() -> None:
    E = Polyhedron([(-1, 1), (-1, -1)])  # x >= 1 and x <= -1
    assert E.is_empty and E.dimension == -1 and E.interior_point() is None
    assert E.generators() == ([], [], [])
    with pytest.raises(EmptyRegionError):
        E.affine_hull()
    pt = Polyhedron([(0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)])
    assert pt.dimension == 0 and pt.interior_point() == (0, 0)


def test_whole_space_and_lines() -> None:
    R2 = Polyhedron.whole_space(2)
    assert R2.dimension == 2 and not R2.bounded and R2.interior_point() is not None
    half = Polyhedron([(1, 1, 0)])  # x >= -1: contains the line direction (0, 1)
    v, r, lines = half.generators()
    assert lines and all(l[0] == 0 for l in lines)
    _, rays = half.vertices_and_rays()
    assert (F(0), F(1)) in [tuple(c / abs(rr[1]) for c in rr) for rr in rays if rr[1]]


def test_box_orthant_and_errors() -> None:
    B = Box(-1, 1, 2)
    assert B.dimension == 2 and B.bounded and len(B.irredundant().inequalities) == 4
    assert sorted(B.vertices_and_rays()[0]) == [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    assert Box([0, 0], [1, 2]).contains((1, 2))
    O3 = Orthant(3)
    assert O3.dimension == 3 and not O3.bounded and O3.interior_point() is not None
    assert all(v > 0 for v in O3.interior_point())
    with pytest.raises(ShapeError):
        Box(1, 1, 2)
    with pytest.raises(ShapeError):
        Box(0, 1)
    with pytest.raises(ShapeError):
        Polyhedron([(0, 1), (0, 1, 2)])
    with pytest.raises(ShapeError):
        Polyhedron([])
    with pytest.raises(NotExactError):
        Polyhedron([(0.5, 1)])
    with pytest.raises(ShapeError):
        B.intersect(Orthant(3))
    with pytest.raises(ShapeError):
        B.contains((1,))


def test_normalisation() -> None:
    assert normalize_inequality((F(3), F(0), F(-6))) == (F(1, 2), 0, -1)
    assert normalize_inequality((F(-2), F(0))) == (-1, 0)


@given(st.integers(min_value=0, max_value=10_000))
def test_random_polytopes_against_sympy_and_vertices(seed: int) -> None:
    rng = random.Random(seed)
    d = rng.choice([1, 2, 3])
    rows = [tuple(F(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(d + 1)) for _ in range(rng.randint(1, 6))]
    P = Polyhedron(rows)
    ref = _fm_max_slack([tuple(map(F, r)) for r in rows], d)
    # emptiness and full-dimensionality agree with an independent exact LP
    assert P.is_empty == (ref < 0)
    assert (P.dimension == d) == (ref > 0)
    if P.is_empty:
        return
    x = P.interior_point()
    assert P.contains(x)
    canon = P.irredundant()
    assert canon.irredundant() == canon and canon.dimension == P.dimension
    if P.dimension == d:
        assert canon.strictly_satisfies(x)
    # every vertex is in P and makes rank-d many rows tight (brute force)
    verts, rays, lines = P.generators()
    for vtx in verts:
        assert P.contains(vtx)
    if not lines:
        for vtx in verts:
            tight = [r[1:] for r in rows if r[0] + sum(a * v for a, v in zip(r[1:], vtx)) == 0]
            assert _rank(tight) == d
    # brute force on a grid: points of P are exactly the points satisfying the canonical form
    for g in itertools.product([F(k, 2) for k in range(-6, 7)], repeat=d):
        assert P.contains(g) == canon.contains(g)


def _rank(vectors):
    M = sp.Matrix([[sp.Rational(v.numerator, v.denominator) for v in r] for r in vectors]) if vectors else None
    return 0 if M is None else M.rank()


def test_cone_apex_is_a_vertex() -> None:
    """cdd omits the apex of a homogeneous system; the adapter restores it."""
    assert Orthant(2).vertices_and_rays()[0] == [(0, 0)]
    assert Polyhedron([(0, -1, 0), (0, 0, -1)]).generators()[0] == [(0, 0)]
