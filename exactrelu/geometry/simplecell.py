"""Exact vertices, extreme rays and facets of a *simple* pointed polyhedron, certified from a floating-point proposal.

This is the fast path of region construction in input dimension ``d >= 3`` (docs/mathematics.md A2; issue 3).
Floating-point cdd proposes the generators and their incidences; nothing float is trusted.  The exact work is:

1. every proposed vertex is recomputed exactly as the unique solution of its ``d`` tight rows (integer maximal
   minors, so ``x = X / D`` with integers), every proposed ray as the kernel of ``d - 1`` independent rows among
   its tight linear parts.  A vertex already computed by another cell of the complex is reused when its tight rows
   are the same up to sign, or, found by the sign sequence of the vertex, after checking exactly that its ``d``
   rows vanish there and that their linear parts are independent (a float determinant with a rigorous error bound
   settles the clear cases, :func:`independent`, the exact integer determinant the others);
2. every row is evaluated at every generator with a *filtered* sign test: a float64 product with a rigorous error
   bound settles the signs far from zero, the rest is evaluated in exact integers.  Each vertex must be tight on
   exactly its ``d`` rows and strictly inside every other one (a *simple* vertex); each ray tight on exactly its
   proposed rows (their linear parts have rank ``d - 1``) and strictly positive on the others;
3. edge closure: dropping one of the ``d`` tight rows of a simple vertex ``v`` leaves a line through ``v`` that meets
   the polyhedron in an edge; its other end must be another listed vertex (tight on the remaining ``d - 1`` rows) or
   the edge must be unbounded along a listed ray (tight on at least those rows) — and exactly one of them.

Certificate (why this is a proof).  Step 1–2 show that every listed vertex is a vertex of ``P`` (``d`` independent
tight rows, feasible) and every listed ray an extreme ray of its recession cone.  On the line of step 3 the polyhedron
is a segment or a half-line starting at ``v``; a listed vertex on the line is therefore its other end point, and a
listed ray along it shows it is unbounded.  So the listed vertices are closed under taking neighbours in the graph of
``P``, which is connected for a pointed polyhedron: they are *all* the vertices.  Every extreme ray of a pointed
polyhedron is the direction of an unbounded edge at some vertex, so the listed rays are all the extreme rays, and
``P = conv(V) + cone(R)``.  At a simple vertex each tight row contains ``d - 1`` independent edge directions, hence is
a facet; every face of a pointed polyhedron contains a vertex, so the facets are exactly the rows tight at some
vertex and every other row is redundant.

Rows and generators of any size go to floats as ``2^-e · row`` (an exact power-of-two scaling per row, then one
rounding, :func:`exactrelu.engines.cddlib.pow2_scaled`), so trained networks with 2^40 denominators and huge integer
rows take this path too; the filter's error bound covers that rounding.

Anything else — a float failure, lines, a degenerate (non-simple) vertex, a failed
sign or closure test — returns None, and the caller uses the exact double description instead.  So the answer never
depends on a float; only the speed does.

>>> square = [(1, 1, 0, 0), (1, -1, 0, 0), (1, 0, 1, 0), (1, 0, -1, 0), (0, 0, 0, 1)]  # |x|, |y| <= 1, z >= 0
>>> cell = simple_cell(square, 3, {})
>>> sorted((D, X) for D, X, _ in cell.vertices)
[(1, (-1, -1, 0)), (1, (-1, 1, 0)), (1, (1, -1, 0)), (1, (1, 1, 0))]
>>> [Y for Y, _ in cell.rays], cell.facets
([(0, 0, 1)], (0, 1, 2, 3, 4))
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from itertools import combinations, permutations
from math import gcd

import numpy as np

from exactrelu.engines import cddlib as _cdd

__all__ = ["SimpleCell", "simple_cell", "kernel_vector", "det", "independent"]

_U = 2.0 ** -53  # unit roundoff of float64
#: The float sign filter's error bound is 2 (d + 4) u relative to ``|A| @ |H|^T`` (d + 1 products summed:
#: γ_{d+1}; each entry of a row and of a generator rounded once after an exact power-of-two scaling: 2u more; doubled
#: as a margin for the rounding of the bound itself), plus an absolute term for entries scaled below the normal range.
_ABS = 2.0 ** -900


@dataclass(frozen=True, slots=True)
class SimpleCell:
    """The exact generators of a simple pointed polyhedron given by integer rows ``(b, a1, ..., ad)``.

    ``vertices``: ``(D, X, T)`` with the vertex ``X / D`` (``D > 0``) and ``T`` the indices of its ``d`` tight rows;
    ``rays``: ``(Y, T)`` with ``T`` the rows whose linear part vanishes on ``Y`` (at least ``d - 1``);
    ``facets``: sorted indices of the facet rows (every other row is redundant).
    """

    vertices: tuple[tuple[int, tuple[int, ...], frozenset[int]], ...]
    rays: tuple[tuple[tuple[int, ...], frozenset[int]], ...]
    facets: tuple[int, ...]


_PLANS: dict[int, list[list[tuple[tuple[int, int, int], ...]]]] = {}


def _plan(k: int) -> list[list[tuple[tuple[int, int, int], ...]]]:
    """Laplace expansion plan for the maximal minors of a ``k x (k+1)`` matrix, bottom row first: level ``j`` lists,
    for each column subset of size ``j + 1`` (in ``combinations`` order), the terms ``(column, sign, index of the
    complementary subset in level j - 1)``."""
    plan = _PLANS.get(k)
    if plan is None:
        n = k + 1
        plan = []
        prev = {(c,): c for c in range(n)}
        for size in range(2, k + 1):
            subsets = list(combinations(range(n), size))
            level = []
            for cols in subsets:
                level.append(tuple((c, 1 if t % 2 == 0 else -1, prev[cols[:t] + cols[t + 1:]])
                                   for t, c in enumerate(cols)))
            plan.append(level)
            prev = {cols: i for i, cols in enumerate(subsets)}
        _PLANS[k] = plan
    return plan


def kernel_vector(M: Sequence[Sequence[int]]) -> tuple[int, ...]:
    """A generator of the kernel of a ``k x (k+1)`` integer matrix of rank ``k``: the signed maximal minors
    ``h_c = (-1)^c det(M without column c)``, divided by their gcd (all zero when the rank is smaller).

    >>> kernel_vector([[1, 2, 3], [4, 5, 6]])
    (-1, 2, -1)
    >>> kernel_vector([[1, 0, 0, 5], [0, 1, 0, 6], [0, 0, 1, 7]])
    (5, 6, 7, -1)
    """
    k = len(M)
    vals = list(M[k - 1])
    for j, level in enumerate(_plan(k)):
        row = M[k - 2 - j]
        nxt = []
        for terms in level:
            s = 0
            for c, sg, sub in terms:
                v = row[c]
                if v:
                    w = vals[sub]
                    if w:
                        s = s + v * w if sg > 0 else s - v * w
            nxt.append(s)
        vals = nxt
    # vals[i] = det of M on the i-th k-subset in combinations order, i.e. without column k - i
    n = k + 1
    h = [vals[k - c] if c % 2 == 0 else -vals[k - c] for c in range(n)]
    g = 0
    for v in h:
        g = gcd(g, v)
    if g > 1:
        h = [v // g for v in h]
    return tuple(h)


def _hval(r: Sequence[int], vertex: tuple[int, Sequence[int]]) -> int:
    """``D (b + a·x)`` at the vertex ``x = X / D`` (exact; unrolled for d = 3, 4)."""
    D, X = vertex
    if len(X) == 4:
        return r[0] * D + r[1] * X[0] + r[2] * X[1] + r[3] * X[2] + r[4] * X[3]
    if len(X) == 3:
        return r[0] * D + r[1] * X[0] + r[2] * X[1] + r[3] * X[2]
    return r[0] * D + sum(a * x for a, x in zip(r[1:], X))


def det(M: Sequence[Sequence[int]]) -> int:
    """The determinant of a square integer matrix (fraction-free Bareiss elimination; explicit for sizes <= 3).

    >>> det([[2, 0, 1], [1, 3, 2], [1, 1, 2]]), det([[1, 2], [2, 4]])
    (6, 0)
    >>> det([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 2, 1], [0, 0, 1, 1]])
    -1
    """
    n = len(M)
    if n == 3:
        (a, b, c), (e, f, g), (h, i, j) = M
        return a * (f * j - g * i) - b * (e * j - g * h) + c * (e * i - f * h)
    if n == 2:
        return M[0][0] * M[1][1] - M[0][1] * M[1][0]
    if n == 1:
        return M[0][0]
    A = [list(r) for r in M]
    sign, prev = 1, 1
    for k in range(n - 1):
        if A[k][k] == 0:
            p = next((i for i in range(k + 1, n) if A[i][k]), None)
            if p is None:
                return 0
            A[k], A[p] = A[p], A[k]
            sign = -sign
        akk, rk = A[k][k], A[k]
        for i in range(k + 1, n):
            ri, aik = A[i], A[i][k]
            for j in range(k + 1, n):
                ri[j] = (akk * ri[j] - aik * rk[j]) // prev
        prev = akk
    return sign * A[n - 1][n - 1]


_PERMS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _perms(d: int) -> tuple[np.ndarray, np.ndarray]:
    """All permutations of ``range(d)`` as an index array ``(d!, d)`` and their signs."""
    hit = _PERMS.get(d)
    if hit is None:
        P = np.array(list(permutations(range(d))), dtype=np.intp)
        inv = [sum(p[i] > p[j] for i in range(d) for j in range(i + 1, d)) for p in P.tolist()]
        hit = _PERMS[d] = (P, np.array([-1.0 if k % 2 else 1.0 for k in inv]))
    return hit


def independent(rows: Sequence[tuple[int, ...]], A: np.ndarray, Ts: Sequence[Sequence[int]]) -> bool:
    """Whether, for every ``T`` in ``Ts``, the linear parts of the ``d`` integer rows ``T`` are independent (exact).

    ``A`` holds the rows as :func:`exactrelu.engines.cddlib.pow2_scaled` floats (positive multiples, so every
    determinant keeps its sign).  A float Leibniz expansion settles the determinants far from zero: each of the ``d!``
    terms is a product of ``d`` entries, each rounded once, so the computed sum is within
    ``(2d + d!) u · Σ|terms|`` of the exact determinant of the scaled rows (doubled as a margin, plus an absolute term
    for entries below the normal range).  Undecided ones take the exact integer determinant :func:`det`.

    >>> rows = [(0, 1, 0, 0), (0, 0, 1, 0), (0, 1, 1, 0), (0, 0, 0, 1)]
    >>> A = np.array(rows, dtype=float)
    >>> independent(rows, A, [(0, 1, 3)]), independent(rows, A, [(0, 1, 3), (0, 1, 2)])
    (True, False)
    """
    if not Ts:
        return True
    d = len(Ts[0])
    undecided: Sequence[Sequence[int]] = Ts
    if 2 <= d <= 6:
        P, sg = _perms(d)
        M = A[np.array(Ts, dtype=np.intp)][:, :, 1:]  # (n, d, d)
        terms = M[:, np.arange(d), P].prod(axis=2)  # (n, d!): M[t, i, P[k, i]] multiplied over i
        val = np.abs(terms @ sg)
        bound = np.abs(terms).sum(axis=1) * (2 * (2 * d + len(P)) * _U) + _ABS
        undecided = [Ts[k] for k in np.flatnonzero(~(val > bound))]
    return all(det([rows[i][1:] for i in T]) for T in undecided)


def _vertex(rows: Sequence[tuple[int, ...]], T: Sequence[int], cache: dict,
            vertex_key: Callable[[Sequence[int]], Hashable] | None, row_ids: Sequence[int] | None,
            pending: list[Sequence[int]]) -> tuple[int, tuple[int, ...]] | None:
    """The exact vertex ``X / D`` (``D > 0``) where the rows ``T`` vanish, or None when they are dependent.

    A vertex computed from the same rows up to sign (same ``row_ids``, or equal rows) is returned as it is.  A vertex
    found in the cache under ``vertex_key(T)`` is returned only when the rows ``T`` vanish at it; ``T`` is
    then appended to ``pending``, and the caller must check that their linear parts are independent (a nonzero
    ``d x d`` determinant, :func:`independent`): both are what makes it the vertex cut out by ``T``.
    """
    rkey = tuple(sorted(rows[i] for i in T) if row_ids is None else sorted(row_ids[i] for i in T))
    hit = cache.get(rkey)
    if hit is not None:  # computed from these very rows
        return hit
    if vertex_key is not None:
        key = vertex_key(T)
        hit = cache.get(key)
        if hit is not None:
            for i in T:
                if _hval(rows[i], hit):
                    break
            else:
                pending.append(T)
                return hit
    h = kernel_vector([rows[i] for i in T])
    if h[0] == 0:
        return None
    if h[0] < 0:
        h = tuple(-v for v in h)
    hit = cache[rkey] = (h[0], h[1:])
    if vertex_key is not None:
        cache[key] = hit
    return hit


def _ray(rows: Sequence[tuple[int, ...]], T: Sequence[int], d: int, cache: dict) -> tuple[int, ...] | None:
    """The direction cut out by the linear parts of the rows ``T`` (rank ``d - 1`` needed), up to sign."""
    lin = sorted({rows[i][1:] for i in T})
    for sub in combinations(lin, d - 1):
        key = ("ray",) + sub
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = kernel_vector(sub)
        if any(hit):
            return hit
    return None


def simple_cell(rows: Sequence[tuple[int, ...]], d: int, cache: dict,
                vertex_key: Callable[[Sequence[int]], Hashable] | None = None,
                row_ids: Sequence[int] | None = None, scaled: np.ndarray | None = None) -> SimpleCell | None:
    """The certified generators and facets of ``{x : b + a·x >= 0 for every row}`` (module docstring), or None.

    ``rows``: distinct primitive integer rows (no two positive multiples of each other), each with ``a != 0``.
    ``cache``: a dict shared between calls, so that cells of one complex reuse the vertices they share; vertices are
    keyed by their tight rows, or by ``vertex_key(T)`` (``T`` the sorted indices of the tight rows) when given — for
    instance the ternary sign sequence of the vertex, which the cells around it share although their rows differ.  A
    vertex found under ``vertex_key`` is used only after checking exactly that the rows ``T`` vanish at it and that
    their linear parts are independent, as for a vertex computed afresh.  ``row_ids``: optional integers naming the
    rows up to sign (equal ids = rows equal or opposite, across calls sharing ``cache``); a vertex computed afresh is
    also cached under the ids of its tight rows, and found there again without any check (same rows up to sign, same
    vertex).  Without ``row_ids`` the rows themselves are that key.  ``scaled``: optionally ``pow2_scaled(rows)``
    computed by the caller (for instance row by row, once per distinct row); each row must be a power of two times the
    exact row, rounded once, since the sign filter's error bound relies on it.
    """
    m = len(rows)
    if m < d or d < 2:
        return None
    A = _cdd.pow2_scaled(rows) if scaled is None else scaled  # row i times 2^-e_i (exact), then rounded
    proposal = _cdd.float_generators(A)
    if proposal is None:
        return None
    kinds, incidence = proposal
    if not any(kinds) and all(r[0] == 0 for r in rows):  # a cone: cdd omits its apex, the origin
        kinds, incidence = [True, *kinds], [set(range(m)), *incidence]
    # generators keyed by the bit mask of their tight rows; idx[mask] = the sorted tight row indices
    verts: dict[int, tuple[int, tuple[int, ...]]] = {}
    rays: dict[int, tuple[int, ...]] = {}
    idx: dict[int, list[int]] = {}
    pending: list[Sequence[int]] = []  # cached vertices whose tight rows still need an independence check
    for is_vertex, inc in zip(kinds, incidence):
        T = sorted(i for i in inc if i < m)
        mask = 0
        for i in T:
            mask |= 1 << i
        if is_vertex:
            if len(T) != d:
                return None
            if mask not in verts:
                v = _vertex(rows, T, cache, vertex_key, row_ids, pending)
                if v is None:
                    return None
                verts[mask] = v
                idx[mask] = T
        elif mask not in rays:
            if len(T) < d - 1:
                return None
            y = _ray(rows, T, d, cache)
            if y is None:
                return None
            rays[mask] = y
            idx[mask] = T
    if not verts or not independent(rows, A, pending):
        return None
    vT = list(verts)
    rT = list(rays)
    nv, ng = len(vT), len(vT) + len(rT)
    gens = [(D, *X) for D, X in verts.values()] + [(0, *Y) for Y in rays.values()]
    H = _cdd.pow2_scaled(gens)  # positive scalings: every sign of row . generator is kept
    S = A @ H.T
    tol = (np.abs(A) @ np.abs(H).T) * (2 * (d + 4) * _U) + _ABS
    if not np.isfinite(tol).all():
        return None
    tight = np.zeros(S.shape, dtype=bool)
    ti, tc = [], []
    for c, mask in enumerate(vT + rT):
        T = idx[mask]
        ti += T
        tc += [c] * len(T)
    tight[ti, tc] = True
    # orient the rays: the sign of any certain non-tight entry
    for c in range(nv, ng):
        col = S[:, c]
        sure = np.flatnonzero((np.abs(col) > tol[:, c]) & ~tight[:, c])
        if sure.size == 0:
            return None
        if col[sure[0]] < 0:
            S[:, c] = -col
            mask = rT[c - nv]
            rays[mask] = tuple(-v for v in rays[mask])
            gens[c] = (0, *rays[mask])
    free = ~tight
    if (S[free] < -tol[free]).any():
        return None
    for i, c in np.argwhere((S <= tol) & free):
        if sum(a * b for a, b in zip(rows[i], gens[c])) <= 0:
            return None
    for c in range(nv, ng):  # rows of a ray's tight set beyond the d - 1 that defined it: exactly 0?
        h = gens[c]
        for i in idx[rT[c - nv]]:
            if sum(a * b for a, b in zip(rows[i], h)) != 0:
                return None
    if len(set(gens[nv:])) != len(rT):
        return None
    # edge closure: every edge key (d - 1 tight rows of a vertex) has exactly one other end
    ends: dict[int, int] = {}
    for mask in vT:
        for i in idx[mask]:
            key = mask ^ (1 << i)
            ends[key] = ends.get(key, 0) + 1
    for mask in rT:
        for key in ends:
            if key & mask == key:
                ends[key] += 1
    if any(k != 2 for k in ends.values()):
        return None
    union = 0
    for mask in vT:
        union |= mask
    facets = tuple(i for i in range(m) if union >> i & 1)
    return SimpleCell(tuple((D, X, frozenset(idx[mask])) for mask, (D, X) in verts.items()),
                      tuple((Y, frozenset(idx[mask])) for mask, Y in rays.items()), facets)
