"""Exact polygons and intervals: the region construction for input dimension 1 and 2 (integer half-plane
intersection, no cdd, no float deciding; docs/mathematics.md A2).  Each answer is certified independently of the
algorithm (see :func:`irredundant_2d`); None sends the caller to the general exact path.

>>> canon, (V, R, L), _ = irredundant_2d([[1, 1, 0], [1, -1, 0], [1, 0, 1], [1, 0, -1]])
>>> sorted((int(x), int(y)) for x, y in V), R, L
([(-1, -1), (-1, 1), (1, -1), (1, 1)], [], [])
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from fractions import Fraction
from functools import cmp_to_key
from math import atan2, tau
from typing import Any

from exactrelu.geometry.kernel import int_point, int_row, normalize_ray
from exactrelu.geometry.polyhedra import Row

__all__ = ["irredundant_2d", "irredundant_1d"]


def _angle_cmp(u: tuple[int, int], v: tuple[int, int]) -> int:
    """Exact comparison of the angles of two nonzero integer vectors in ``[0, 2π)``."""
    hu = 0 if (u[1] > 0 or (u[1] == 0 and u[0] > 0)) else 1
    hv = 0 if (v[1] > 0 or (v[1] == 0 and v[0] > 0)) else 1
    if hu != hv:
        return hu - hv
    c = u[0] * v[1] - u[1] * v[0]
    return -1 if c > 0 else (1 if c < 0 else 0)


def _angle_proposal(h: tuple[int, ...]) -> float:
    """A float proposal of the angle of the direction ``(a2, -a1)`` of the row ``h = (b, a1, a2, ...)`` in ``[0, 2π)``,
    for any size of integers: too large for a float, both are scaled by the same power of two first (int / int
    division is correctly rounded and cannot overflow), so a 401-digit coefficient is as good as a small one."""
    try:
        return atan2(-h[1], h[2]) % tau
    except OverflowError:
        y, x = -h[1], h[2]
        s = 1 << (max(abs(y).bit_length(), abs(x).bit_length()) - 1000)
        return atan2(y / s, x / s) % tau


def _meet(r: Sequence[int], s: Sequence[int]) -> tuple[int, int, int] | None:
    """The intersection ``(X, Y, D)``, ``D > 0``, of the lines ``r = 0`` and ``s = 0`` (None when parallel)."""
    det = r[1] * s[2] - r[2] * s[1]
    if det == 0:
        return None
    X = r[2] * s[0] - r[0] * s[2]
    Y = r[0] * s[1] - r[1] * s[0]
    return (X, Y, det) if det > 0 else (-X, -Y, -det)


def _hval(r: Sequence[int], p: tuple[int, int, int]) -> int:
    return r[0] * p[2] + r[1] * p[0] + r[2] * p[1]


def irredundant_2d(rows: list[Any]
                    ) -> tuple[list[Row], tuple[list[Row], list[Row], list[Row]], list[tuple[int, int, int]]] | None:
    """Exact half-plane intersection in the plane (integer arithmetic, no cdd, no float): the canonical facet rows and
    the vertices and rays of a full-dimensional pointed polygon, or None (then the general path decides).

    The rows (all with ``a != 0``) are reduced to one tightest row per primitive normal direction, a bounding box that
    strictly contains every vertex is added, and the angle-sorted deque algorithm keeps the boundary.  The result is
    then *certified* independently of the algorithm: every input row is ``>= 0`` at every vertex and on every ray,
    every kept row contains a 1-dimensional face of ``Q = conv(V) + cone(R)``, each vertex lies on two non-parallel kept
    rows, and the kept rows are exactly as many as the edges of ``Q``; hence ``Q`` is the polygon and the kept rows its
    facets.  Polygons with lines (strips, half-planes) return None.  The third item: the canonical rows as integers
    (positive multiples).
    """
    ints = []
    bmax, amax = 1, 1
    for r in rows:
        ir = r if type(r) is list and type(r[0]) is int and type(r[1]) is int and type(r[2]) is int else int_row(r)
        ints.append(ir)
        b, a1, a2 = ir
        if not a1 and not a2:
            return None
        if b > bmax or -b > bmax:
            bmax = abs(b)
        if a1 > amax or -a1 > amax or a2 > amax or -a2 > amax:
            amax = max(abs(a1), abs(a2))
    M = 2 * bmax * amax + 1  # |coordinates| of any intersection of two input lines are <= 2 bmax amax
    # (b, a1, a2, original?, half); the half-plane lies on the left of its direction (a2, -a1), whose angle is in
    # [0, π) for half 0 and in [π, 2π) for half 1
    hs = [(r[0], r[1], r[2], True, 0 if (r[1] < 0 or (r[1] == 0 and r[2] > 0)) else 1) for r in ints]
    hs += [(M, -1, 0, False, 0), (M, 0, 1, False, 0), (M, 1, 0, False, 1), (M, 0, -1, False, 1)]
    hs.sort(key=_angle_proposal)  # a float proposal of the angle order ...
    for i in range(len(hs) - 1):  # ... checked exactly (ties = equal directions are allowed)
        h, k = hs[i], hs[i + 1]
        if h[4] > k[4] or (h[4] == k[4] and h[1] * k[2] - h[2] * k[1] < 0):
            hs.sort(key=cmp_to_key(lambda h, k: _angle_cmp((h[2], -h[1]), (k[2], -k[1]))))
            break
    dq: deque[tuple[int, int, int, bool, int]] = deque()
    pq: deque[tuple[int, int, int]] = deque()  # pq[j] = the meet of dq[j] and dq[j + 1]
    for h in hs:
        b, a1, a2, _, half = h
        while pq:
            X, Y, D = pq[-1]
            if b * D + a1 * X + a2 * Y > 0:
                break
            dq.pop()
            pq.pop()
        while pq:
            X, Y, D = pq[0]
            if b * D + a1 * X + a2 * Y > 0:
                break
            dq.popleft()
            pq.popleft()
        if dq:
            t = dq[-1]
            if t[1] * a2 - t[2] * a1 == 0:
                if t[4] != half:
                    return None  # opposite directions next to each other: empty or degenerate
                j = 1 if a1 else 2  # same direction: keep the tighter row
                if b * abs(t[j]) >= t[0] * abs(h[j]):
                    continue
                dq.pop()
                if pq:
                    pq.pop()
            if dq:
                p = _meet(dq[-1], h)
                if p is None:
                    return None
                pq.append(p)
        dq.append(h)
    while len(dq) > 2:
        if _hval(dq[0], pq[-1]) > 0:
            break
        dq.pop()
        pq.pop()
    while len(dq) > 2:
        if _hval(dq[-1], pq[0]) > 0:
            break
        dq.popleft()
        pq.popleft()
    k = len(dq)
    if k < 3:
        return None
    hl = list(dq)
    pts = []
    for i in range(k):
        p = _meet(hl[i], hl[(i + 1) % k])
        if p is None:
            return None
        pts.append(p)  # pts[i] ends the edge of hl[i] and starts the edge of hl[i + 1]
    kept: list[tuple[int, int, int]] = []
    verts: list[tuple[int, int, int]] = []
    rays: list[tuple[int, int]] = []
    for i in range(k):
        b, a1, a2, orig, _ = hl[i]
        if not orig:
            continue
        dirn = (a2, -a1)
        kept.append(hl[i][:3])
        prev_box, next_box = not hl[i - 1][3], not hl[(i + 1) % k][3]
        if prev_box and next_box:
            return None  # a whole line on the boundary: the polygon has lines
        if next_box:
            rays.append(dirn)
        else:
            verts.append(pts[i])
        if prev_box:
            rays.append((-dirn[0], -dirn[1]))
        elif pts[i - 1][0] * pts[i][2] == pts[i][0] * pts[i - 1][2] and \
                pts[i - 1][1] * pts[i][2] == pts[i][1] * pts[i - 1][2]:
            return None  # zero-length edge: the row is not a facet
    if not verts:
        return None
    V = [(Fraction(X, D), Fraction(Y, D)) for X, Y, D in verts]
    if len(set(V)) != len(V):
        return None
    R = sorted({normalize_ray(tuple(Fraction(c) for c in y)) for y in rays})
    if len(R) > 2 or (len(R) == 2 and R[0][0] * R[1][1] - R[0][1] * R[1][0] == 0):
        return None
    if len(kept) != len(V) + (1 if R else 0):
        return None
    IR = [int_point(y)[1] for y in R]
    for b, a1, a2 in ints:
        for X, Y, D in verts:
            if b * D + a1 * X + a2 * Y < 0:
                return None
        for y1, y2 in IR:
            if a1 * y1 + a2 * y2 < 0:
                return None
    normal = {}
    for r in kept:  # normalize_inequality, computed from the integers
        p = abs(r[1]) or abs(r[2])
        normal[(Fraction(r[0], p), Fraction(r[1], p), Fraction(r[2], p))] = r
    canon = sorted(normal)
    return canon, (V, R, []), [normal[r] for r in canon]



def irredundant_1d(rows: list[Any]
                    ) -> tuple[list[Row], tuple[list[Row], list[Row], list[Row]], list[tuple[int, int]]] | None:
    """d = 1: the interval ``{x : b + a x >= 0}`` by exact comparisons (same output as :func:`irredundant_2d`)."""
    lo: Fraction | None = None
    hi: Fraction | None = None
    for r in rows:
        b, a = Fraction(r[0]), Fraction(r[1])
        if not a:
            return None
        t = -b / a
        if a > 0:
            lo = t if lo is None or t > lo else lo
        else:
            hi = t if hi is None or t < hi else hi
    if lo is not None and hi is not None and lo >= hi:
        return None  # empty or a point: the general path raises
    canon: list[Row] = []
    V: list[Row] = []
    R: list[Row] = []
    if lo is not None:
        canon.append((-lo, Fraction(1)))
        V.append((lo,))
    else:
        R.append((Fraction(-1),))
    if hi is not None:
        canon.append((hi, Fraction(-1)))
        V.append((hi,))
    else:
        R.append((Fraction(1),))
    canon.sort()
    return canon, (V, R, []), [int_row(r) for r in canon]
