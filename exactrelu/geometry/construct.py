"""Building one region of C_θ exactly from its activation pattern (docs/mathematics.md A2): its canonical facet rows,
exact generators, a relative-interior point of each facet and the pattern across it.

Three routes, each exact: the integer polygon/interval of :mod:`exactrelu.geometry.planar` (d <= 2), a float double
description certified exactly by :mod:`exactrelu.geometry.simplecell` (d >= 3, simple cells), and the exact cdd
path (everything else, and the reference the tests compare against through the switches ``_FAST_2D``/``_FAST_ND``).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from exactrelu.core.errors import EmptyRegionError, PolyhedralComputationError, ShapeError
from exactrelu.core.network import Network, Pattern
from exactrelu.engines import cddlib as _cdd
from exactrelu.engines.flintlib import rank as _rank
from exactrelu.geometry import planar
from exactrelu.geometry import simplecell as _simplecell
from exactrelu.geometry.cells import Facet, Neuron, Region
from exactrelu.geometry.kernel import (
    Average,
    IntNet,
    combine,
    int_point,
    int_row,
    isign,
    normalize_ray,
    sorted_canonical,
)
from exactrelu.geometry.polyhedra import Polyhedron, Row, normalize_inequality

__all__ = ["build_region", "domain_rows"]

_ZERO = Fraction(0)


def _val(row: Sequence[Fraction], x: Sequence[Fraction]) -> Fraction:
    return sum((a * v for a, v in zip(row[1:], x, strict=True)), row[0])


# ---------------------------------------------------------------------- building one region from its pattern
def domain_rows(net: Network, domain: Polyhedron | None) -> list[Row]:
    if domain is None:
        return []
    if domain.ambient_dim != net.input_dim:
        raise ShapeError(f"domain lives in dimension {domain.ambient_dim}, network input dimension is {net.input_dim}")
    canon = domain.irredundant()
    if canon.equalities or domain.is_empty:
        raise EmptyRegionError("the domain must be a full-dimensional polyhedron")
    return list(canon.inequalities)


def _lin(row: Sequence[Any], y: Sequence[Fraction]) -> Fraction:
    return sum((a * v for a, v in zip(row[1:], y, strict=True)), _ZERO)


def _irredundant(rows: list[Any], d: int, pattern: Pattern
                 ) -> tuple[list[Row], tuple[list[Row], list[Row], list[Row]]]:
    """Canonical irredundant rows of the full-dimensional polyhedron ``rows`` and its exact generators.

    A floating-point cdd pass proposes the facet rows (speed only); the proposal is accepted only after an exact
    proof that every dropped row is implied: it is ``>= 0`` at every exact vertex, ``>= 0`` on every exact ray and
    ``0`` on every line of the polyhedron of the kept rows (exact double description).  The facets are then the kept
    rows whose tight generators have affine rank ``d - 1``.  Otherwise everything is redone exactly (exact
    canonicalisation, then the double description).
    """
    if not rows:
        lines = [tuple(Fraction(int(i == k)) for i in range(d)) for k in range(d)]
        return [], ([(_ZERO,) * d], [], lines)
    cand = _cdd.float_candidates(rows) if len(rows) > d + 1 else None
    if cand is not None:
        # exact double description of the proposed rows; the dropped rows must be implied (>= 0 on every generator),
        # the cell full-dimensional (generators of affine rank d), and the facets are the proposed rows whose tight
        # generators have affine rank d - 1 (the face they cut has dimension d - 1)
        sub = [rows[i] for i in cand]
        V, R, L = _cdd.generators(sub, [], d)
        keep = set(cand)
        dropped = [rows[i] for i in range(len(rows)) if i not in keep]
        IV = [int_point(v) for v in V]
        IR = [int_point(y)[1] for y in R]
        IL = [int_point(y)[1] for y in L]
        if V and all(_implied(int_row(r), IV, IR, IL) for r in dropped):
            gens = [[D, *X] for D, X in IV] + [[0, *Y] for Y in IR] + [[0, *Y] for Y in IL]
            if _rank(gens) == d + 1:
                facets = []
                for r in sub:
                    ir = int_row(r)
                    tight = [g for g in gens if sum(a * x for a, x in zip(ir, g, strict=True)) == 0]
                    if len(tight) >= d and _rank(tight) == d:
                        facets.append(r)
                return sorted({normalize_inequality(r) for r in facets}), (V, R, L)
    ineq, eq, _ = _cdd.canonicalize(rows, [])
    if eq:
        raise EmptyRegionError(f"pattern {pattern} gives a lower-dimensional cell")
    canon = sorted({normalize_inequality(r) for r in ineq})
    return canon, _cdd.generators(canon, [], d)


def _implied(r: list[int], IV: list[tuple[int, list[int]]], IR: list[list[int]], IL: list[list[int]]) -> bool:
    """Exact: ``r >= 0`` at every point, on every ray, and ``r``'s linear part vanishes on every line."""
    a = r[1:]
    for D, X in IV:
        if r[0] * D + sum(u * v for u, v in zip(a, X, strict=True)) < 0:
            return False
    for Y in IR:
        if sum(u * v for u, v in zip(a, Y, strict=True)) < 0:
            return False
    return all(sum(u * v for u, v in zip(a, Y, strict=True)) == 0 for Y in IL)


# ---------------------------------------------------------------------- exact 2-D special case (issue 3)
#: Private switch: False forces the general cdd path for d = 1, 2 (the reference the tests compare against).
_FAST_2D = True
#: Private switch: False forces the general cdd path for d >= 3 (no :mod:`exactrelu.geometry.simplecell` fast path).
_FAST_ND = True


def build_region(inet: IntNet, dom_rows: list[Row], pattern: Pattern) -> Region:
    d = inet.d
    forms, out_rows = inet.forms(pattern)
    for l, layer_forms in enumerate(forms):
        for i, r in enumerate(layer_forms):
            s = pattern[l][i]
            if s == 0:
                if any(r):
                    raise PolyhedralComputationError(f"pattern sign 0 for neuron {(l, i)} that is not identically 0")
            elif s * r[0] <= 0 and not any(r[1:]):
                raise EmptyRegionError(f"pattern {pattern} is empty (neuron {(l, i)} is constant)")
    if _FAST_ND and d >= 3:
        reg = _build_region_nd(inet, dom_rows, pattern, forms, out_rows)
        if reg is not None:
            return reg
    rows: list[Any] = list(dom_rows)
    for l, layer_forms in enumerate(forms):
        for i, r in enumerate(layer_forms):
            s = pattern[l][i]
            if s and any(r[1:]):
                rows.append([s * v for v in r])
    fast = None
    if _FAST_2D and rows and d <= 2:
        fast = planar.irredundant_2d(rows) if d == 2 else planar.irredundant_1d(rows)
    if fast is not None:
        canon, (V, R, L), icanon = fast
    else:
        canon, (V, R, L) = _irredundant(rows, d, pattern)
        R = [normalize_ray(y) for y in R]
        icanon = [int_row(r) for r in canon]
    poly = Polyhedron(tuple(canon), (), ambient_dim=d)
    if not V:
        raise EmptyRegionError(f"pattern {pattern} is empty")
    IV = [int_point(v) for v in V]
    IR = [int_point(y) for y in R]
    point = combine(IV, IR, d)
    PD, PX = int_point(point)
    if not all(isign(r, PD, PX) > 0 for r in icanon):
        raise EmptyRegionError(f"pattern {pattern} has an empty interior")
    bounded = not R and not L
    facets = []
    for r, ir in zip(canon, icanon, strict=True):
        Vr = [(D, X) for D, X in IV if ir[0] * D + sum(u * x for u, x in zip(ir[1:], X, strict=True)) == 0]
        Rr = [(D, Y) for D, Y in IR if sum(u * x for u, x in zip(ir[1:], Y, strict=True)) == 0]
        if not Vr:  # pragma: no cover - every face of a polyhedron with these generators has a point
            raise PolyhedralComputationError(f"facet {r} of pattern {pattern} has no generator point")
        facets.append(_facet(inet, forms, pattern, dom_rows, r, combine(Vr, Rr, d)))
    gens = None if L else (IV, IR)
    return Region(pattern, poly, point, inet.affine_map(out_rows), bounded, tuple(facets), gens)


def _build_region_nd(inet: IntNet, dom_rows: list[Row], pattern: Pattern, forms: list[list[list[int]]],
                     out_rows: list[list[int]]) -> Region | None:
    """The region of ``pattern`` for ``d >= 3`` through :func:`exactrelu.geometry.simplecell.simple_cell` (a float
    proposal
    certified exactly), or None when the cell is not simple (then the exact double description decides).

    Equal rows are merged first (primitive integer rows); a facet's neurons are the sources of its row.  When every
    neuron of a facet is in one layer and no pattern entry is 0, the pattern across is the pattern with those neurons
    flipped: their forms are the facet row up to a positive factor times their sign, and every other neuron keeps a
    nonzero value on the facet, the same on both sides (the changed forms differ by multiples of forms vanishing
    there).  Otherwise :func:`_facet` evaluates the neighbour exactly.
    """
    d = inet.d
    index: dict[tuple[int, ...], int] = {}
    prim: list[tuple[int, ...]] = []
    sources: list[list[Neuron]] = []
    boundary: list[bool] = []
    ids: list[int] = []  # each row's name up to sign, shared by the cells of the complex
    pieces: list[Any] = []  # the rows' pow2_scaled float images, in blocks

    def add(key: tuple[int, ...], src: Neuron | None, name: int) -> bool:
        k = index.get(key)
        new = k is None
        if new:
            k = index[key] = len(prim)
            prim.append(key)
            sources.append([])
            boundary.append(False)
            ids.append(name)
        if src is None:
            boundary[k] = True
        else:
            sources[k].append(src)
        return new

    if dom_rows:
        dprim, dnames, dfloats = inet.named_domain(dom_rows)
        sel = [k for k, pr in enumerate(dprim) if pr is not None and add(pr, None, dnames[k])]
        pieces.append(dfloats[sel])
    has_zero = False
    for l, layer_forms in enumerate(forms):
        lprim, lnames, lfloats = inet.named_layer(l, pattern, layer_forms)
        sel, sgn = [], []
        for i, pr in enumerate(lprim):
            s = pattern[l][i]
            if s == 0:
                has_zero = True
            elif pr is not None and add(pr if s > 0 else tuple(-v for v in pr), (l, i), lnames[i]):
                sel.append(i)
                sgn.append(s)
        if sel:
            pieces.append(lfloats[sel] * np.array(sgn, dtype=float)[:, None])  # the sign flips are exact
    flat = [s for layer in pattern for s in layer]
    offsets = inet.offsets

    def vertex_key(T: Sequence[int]) -> tuple[Any, ...]:
        """The ternary sign sequence at the vertex (its cell of C_θ) and its tight domain rows."""
        z = list(flat)
        dom = []
        for k in T:
            for l, i in sources[k]:
                z[offsets[l] + i] = 0
            if boundary[k]:
                dom.append(prim[k])
        return (tuple(z), tuple(sorted(dom)))

    scaled = np.concatenate(pieces) if pieces else None  # = pow2_scaled(prim)
    cell = _simplecell.simple_cell(prim, d, inet.vertex_cache, vertex_key, ids, scaled)
    if cell is None:
        return None
    canon_k = sorted_canonical(inet, [(prim[k], k) for k in cell.facets])
    canon = [r for r, _ in canon_k]
    V = []
    on: dict[int, tuple[list[tuple[int, Sequence[int]]], list[tuple[int, Sequence[int]]]]] = {
        k: ([], []) for k in cell.facets}
    for D, X, T in cell.vertices:
        V.append((D, X))
        for k in T:
            on[k][0].append((D, X))
    R = []
    for Y, T in cell.rays:
        y = (abs(next(v for v in Y if v)), Y)
        R.append(y)
        for k in T:
            if k in on:
                on[k][1].append(y)
    point = Average(V, R, d)
    facets = []
    for row, k in canon_k:
        q: Any = Average(*on[k], d)
        srcs = sources[k]  # sorted: added layer by layer
        if has_zero or not srcs or srcs[0][0] != srcs[-1][0]:
            if has_zero or srcs or not boundary[k]:
                facets.append(_facet(inet, forms, pattern, dom_rows, row, combine(*on[k], d)))
            else:  # a facet of the domain only, no neuron vanishes on it
                facets.append(Facet(row, q, (), None, pattern))
            continue
        l0 = srcs[0][0]
        old = pattern[l0]
        layer = list(old)
        for _, i in srcs:
            layer[i] = 0
        sign_seq = pattern[:l0] + (tuple(layer),) + pattern[l0 + 1:]
        if boundary[k]:
            neighbor = None
        else:
            for _, i in srcs:
                layer[i] = -old[i]
            neighbor = pattern[:l0] + (tuple(layer),) + pattern[l0 + 1:]
        facets.append(Facet(row, q, tuple(srcs), neighbor, sign_seq))
    poly = Polyhedron._trusted(tuple(canon), d)
    return Region(pattern, poly, point, inet.affine_map(out_rows), not R, tuple(facets), (V, R))


def _facet(inet: IntNet, forms: list[list[list[int]]], pattern: Pattern, dom_rows: list[Row], row: Row,
           q: tuple[Fraction, ...]) -> Facet:
    """The facet of the region ``pattern`` in ``row`` through its relative-interior point ``q``: the neighbour's
    pattern layer by layer (module docstring); forms of later layers are updated only where a sign changed."""
    on_boundary = any(_val(r, q) == 0 for r in dom_rows)
    D, X = int_point(q)
    _, A = int_point(row[1:])  # a positive multiple of the normal a (points into the region)
    neighbor: list[tuple[int, ...]] = []
    signs: list[tuple[int, ...]] = []
    zeros: list[Neuron] = []
    rows = forms[0]
    width = inet.d + 1
    d2 = width == 3
    X0, X1 = (X[0], X[1]) if d2 else (0, 0)
    for l in range(inet.depth):
        if d2:
            t_layer = [(v > 0) - (v < 0) for v in [r[0] * D + r[1] * X0 + r[2] * X1 for r in rows]]
        else:
            t_layer = [isign(r, D, X) for r in rows]
        s_layer = list(t_layer)
        for i, sg in enumerate(t_layer):
            if sg:
                continue
            r = rows[i]
            zeros.append((l, i))
            g = -sum(m * a for m, a in zip(r[1:], A, strict=True))  # gradient . outward normal
            if g:
                s_layer[i] = (g > 0) - (g < 0)
            elif any(r[1:]):  # pragma: no cover - excluded by the argument in the module docstring
                raise PolyhedralComputationError(f"neuron {(l, i)} crosses the facet {row} transversally")
        neighbor.append(tuple(s_layer))
        signs.append(tuple(t_layer))
        if l + 1 == inet.depth:
            break
        deltas = []
        for k, r in enumerate(rows):
            old = forms[l][k] if pattern[l][k] > 0 else None
            new = r if s_layer[k] > 0 else None
            if old is new or (old is not None and new is not None and old == new):
                continue
            deltas.append((k, [(new[j] if new is not None else 0) - (old[j] if old is not None else 0)
                               for j in range(width)]))
        base = forms[l + 1]
        if not deltas:
            rows = base
            continue
        W = inet.W[l + 1]
        rows = []
        for i, b in enumerate(base):
            acc = list(b)
            for k, delta in deltas:
                w = W[i][k]
                if w:
                    for j in range(width):
                        acc[j] += w * delta[j]
            rows.append(acc)
    return Facet(row, q, tuple(zeros), None if on_boundary else tuple(neighbor), tuple(signs))
