"""The weighted breakpoint complex B_θ (docs/mathematics.md §1, A3): a functional invariant, with a canonical comparable
form.

Construction from C_θ (docs/mathematics.md A3):

1. every facet σ of C_θ gets its jump ``J_σ = ω_σ n_σ^T`` (:mod:`exactrelu.geometry.faces`);
2. keep the facets with ``J_σ != 0`` — their union is the non-linearity locus N_f;
3. merge two kept facets across an interior ridge τ when they lie in the same hyperplane, carry the same ``ω`` and
   are the only kept facets in star(τ) (N_f is a flat fold near τ) — the merged groups are the **facets** of B_θ;
4. the **regions** of B_θ are the linear regions (components of "adjacent cells with equal affine map").

The **ridges** of B_θ are the ridges of C_θ having a kept facet in their star, except the merge points of step 3;
pieces of ridges in the same affine hull, with the same star and sharing a point are merged (d >= 3).
**Vertices** are the 0-dimensional cells: the facets when d = 1, the ridges when d = 2, and when d = 3 the end
points of the ridges together with the points where two ridges meet (``None`` for d >= 4).

Canonical form: :class:`BreakpointComplex` holds only function-determined data, sorted: for each facet its hyperplane
``(t, n)`` (first nonzero of ``n`` is +1), its weight ``ω`` and its point set; for each ridge the canonical polyhedron
of its (merged) hull; the sorted multiset of the affine maps of the regions.  ``==`` compares these, so equivalent
networks (trivial symmetries, neuron splitting, any other reparametrisation) give equal breakpoint complexes.

The point set of a facet: in d = 1, 2 a facet of B_θ is a point, segment, ray or line, and its canonical polyhedron
is exact.  In d >= 3 a facet can be non-convex, so it is described exactly by an arrangement: its **boundary flats**
(the affine hulls of the ridges of C_θ in it that are not merged, written canonically as hyperplanes inside the
facet's hyperplane H) and the **cells** — sign vectors of the cells of the arrangement of those flats in H that the
facet covers.  The boundary of the facet lies in the flats, so every cell is either inside the facet or disjoint from
its relative interior: the pair (flats, cells) determines the set and depends only on it.  (``polyhedron`` then
holds the convex hull, for pictures; it is not compared.)  Ridges are described by their hulls: exactly their point
sets for d <= 3, where a merged ridge is a connected piece of a line.  ``==`` is exact in every dimension all the
same: the facets are compared as exact sets with their weights, and the ridges are a function of those (the points
of the locus where it is not one flat sheet), so equal facets give equal ridge descriptions.

Examples
--------
>>> from exactrelu import examples
>>> from exactrelu.geometry.regions import regions
>>> B = breakpoint_complex(regions(examples.relu_of_sum()))
>>> (B.num_regions, len(B.facets), len(B.ridges), len(B.vertices))
(4, 5, 2, 2)
>>> [(" ".join(map(str, f.hyperplane)), " ".join(map(str, f.omega))) for f in B.facets]
[('-1 0 1', '1'), ('-1 1 0', '1'), ('-1 1 1', '1'), ('0 0 1', '1'), ('0 1 0', '1')]
>>> [tuple(map(str, p)) for p in B.vertices]
[('0', '1'), ('1', '0')]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import PolyhedralComputationError
from exactrelu.engines import cddlib as _cdd
from exactrelu.geometry.faces import faces, jumps, vertex_keys
from exactrelu.geometry.kernel import int_point, int_row
from exactrelu.geometry.polyhedra import Polyhedron, Row, normalize_equality, rref_equalities

__all__ = ["BreakpointFacet", "BreakpointComplex", "breakpoint_complex"]

Matrix = tuple[tuple[Fraction, ...], ...]


@dataclass(frozen=True, slots=True, order=True)
class BreakpointFacet:
    """A facet of B_θ: ``hyperplane`` ``(t, n1..nd)`` (the set ``t + n·x = 0``), weight ``omega`` (the jump
    ``ω n^T`` from the side ``t + n·x < 0`` to ``> 0``), and ``polyhedron`` (canonical: its closure for d <= 2, its
    convex hull for d >= 3).  For d >= 3, ``flats`` are the boundary flats ``g = 0`` inside the hyperplane and
    ``cells`` the sign vectors of ``g`` on the arrangement cells the facet covers (module docstring)."""

    hyperplane: Row
    omega: tuple[Fraction, ...]
    _polyhedron: Any = field(compare=False, repr=False)
    key: tuple[Any, ...] = field(repr=False, default=())
    flats: tuple[Row, ...] = field(compare=False, default=())
    cells: tuple[tuple[int, ...], ...] = field(compare=False, default=())
    members: tuple[int, ...] = field(compare=False, default=(), repr=False)  # indices into faces.jumps(C)

    @property
    def polyhedron(self) -> Polyhedron:
        """The canonical closure (d <= 2) or convex hull (d >= 3, computed on first access)."""
        p = self._polyhedron
        if not isinstance(p, Polyhedron):
            p = p()
            object.__setattr__(self, "_polyhedron", p)
        return p

    @property
    def jump(self) -> Matrix:
        return tuple(tuple(w * n for n in self.hyperplane[1:]) for w in self.omega)


def _poly_key(P: Polyhedron) -> tuple[Any, ...]:
    return (P.inequalities, P.equalities)


@dataclass(frozen=True)
class BreakpointComplex:
    """The canonical form of B_θ (module docstring).  Equal iff the facets (hyperplane, weight, set), the ridges and
    the multiset of region maps are equal."""

    dimension: int
    facets: tuple[BreakpointFacet, ...]
    ridges: tuple[Polyhedron, ...]
    region_maps: tuple[tuple[Matrix, tuple[Fraction, ...]], ...]
    pieces: tuple[tuple[int, ...], ...] = field(compare=False, repr=False, default=())
    points3: tuple[tuple[Fraction, ...], ...] = field(compare=False, repr=False, default=())  # the vertices, d = 3

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BreakpointComplex):
            return NotImplemented
        return self.canonical() == other.canonical()

    def __hash__(self) -> int:
        return hash(self.canonical())

    def canonical(self) -> tuple[Any, ...]:
        """The comparable key: plain sorted tuples of exact rationals."""
        return (self.dimension, tuple(f.key for f in self.facets),
                tuple(_poly_key(r) for r in self.ridges), self.region_maps)

    @property
    def num_regions(self) -> int:
        return len(self.region_maps)

    @property
    def vertices(self) -> tuple[tuple[Fraction, ...], ...] | None:
        """The 0-dimensional cells of B_θ (d = 1: the facets; d = 2: the ridges; None for d >= 3)."""
        if self.dimension == 1:
            cells = [f.polyhedron for f in self.facets]
        elif self.dimension == 2:
            cells = list(self.ridges)
        elif self.dimension == 3:
            return self.points3
        else:
            return None
        pts = []
        for P in cells:
            p = P.interior_point()
            assert p is not None
            pts.append(p)
        return tuple(sorted(pts))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able exact data (rationals as strings)."""
        def rows(P: Polyhedron) -> dict[str, Any]:
            return {"inequalities": [[str(v) for v in r] for r in P.inequalities],
                    "equalities": [[str(v) for v in r] for r in P.equalities]}

        verts = self.vertices
        return {
            "dimension": self.dimension,
            "regions": len(self.region_maps),
            "facets": [{"hyperplane": [str(v) for v in f.hyperplane], "omega": [str(v) for v in f.omega],
                        "polyhedron": rows(f.polyhedron),
                        **({"flats": [[str(v) for v in g] for g in f.flats], "cells": [list(c) for c in f.cells]}
                           if self.dimension >= 3 else {})} for f in self.facets],
            "ridges": [rows(r) for r in self.ridges],
            "vertices": None if verts is None else [[str(v) for v in p] for p in verts],
            "region_maps": [{"A": [[str(v) for v in r] for r in A], "c": [str(v) for v in c]}
                            for A, c in self.region_maps],
        }


def _hull(polys: list[Polyhedron], d: int) -> Polyhedron:
    pts, rays, lines = [], [], []
    for P in polys:
        v, r, l = P.generators()
        pts += v
        rays += r
        lines += l
    ineq, eq = _cdd.hull(pts, rays, lines, d)
    return Polyhedron(tuple(ineq), tuple(eq), ambient_dim=d).irredundant()


def _in_plane(h: Row, flat: tuple[Row, ...]) -> Row | None:
    """The canonical equation ``g`` of a flat of codimension 1 inside the hyperplane ``h = 0`` (``h``'s first nonzero
    normal coordinate is 1): ``g`` vanishes at that coordinate, its first nonzero normal coordinate is 1, and
    ``{h = 0, g = 0}`` is the flat.  None when the flat is the whole hyperplane."""
    p = next(k for k, v in enumerate(h[1:], start=1) if v)
    for r in flat:
        g = [a - r[p] * b for a, b in zip(r, h, strict=True)]
        piv = next((v for v in g[1:] if v), None)
        if piv is not None:
            return tuple(Fraction(v) / piv for v in g)
    return None


def _cell_signs(P: Polyhedron, gs: list[Row], gens: tuple[list[Any], list[Any]] | None = None
                ) -> set[tuple[int, ...]]:
    """Sign vectors of ``gs`` on the cells of their arrangement that meet the relative interior of ``P`` (which lies
    in no ``g = 0``).  ``gens``: the integer generators ``(D, X)`` / ``(D, Y)`` of ``P`` when known (else from cdd).
    A ``g`` that takes both signs on the generators splits ``P``; otherwise its sign on the relative interior is the
    sign of any nonzero value (all have one sign, and not all vanish since ``P`` is not in the flat)."""
    if gens is None:
        V, R, L = P.generators()
        gens = ([int_point(v) for v in V], [int_point(y) for y in R])
    else:
        L = []
    signs = []
    for g in gs:
        ig = int_row(g)
        vals = [ig[0] * D + sum(a * x for a, x in zip(ig[1:], X, strict=True)) for D, X in gens[0]]
        vals += [sum(a * y for a, y in zip(ig[1:], Y, strict=True)) for _, Y in gens[1]]
        pos, neg = any(v > 0 for v in vals), any(v < 0 for v in vals)
        if (pos and neg) or any(sum(a * y for a, y in zip(g[1:], l, strict=True)) for l in L):
            out: set[tuple[int, ...]] = set()
            for side in (g, tuple(-v for v in g)):
                Q = P.intersect(Polyhedron((side,), ambient_dim=P.ambient_dim))
                if Q.dimension == P.dimension:
                    out |= _cell_signs(Q, gs)
            return out
        if not pos and not neg:  # pragma: no cover - P is not inside a flat
            raise PolyhedralComputationError("a facet piece lies in a boundary flat")
        signs.append(1 if pos else -1)
    return {tuple(signs)}


def _facet_generators(C: Any, hyperplane: Row, region: int) -> tuple[list[Any], list[Any]] | None:
    """Integer generators ``(D, X)`` / ``(D, Y)`` of the region lying on the hyperplane (None: no stored generators)."""
    gens = C.regions[region].generators
    if gens is None:
        return None
    h = int_row(hyperplane)
    V = [(D, X) for D, X in gens[0] if h[0] * D + sum(a * x for a, x in zip(h[1:], X, strict=True)) == 0]
    R = [(D, Y) for D, Y in gens[1] if sum(a * y for a, y in zip(h[1:], Y, strict=True)) == 0]
    return V, R


def breakpoint_complex(C: Any) -> BreakpointComplex:
    """B_θ of the complex ``C`` (docs/mathematics.md A3) in canonical form; see the module docstring."""
    if "breakpoint" in C._cache:
        return C._cache["breakpoint"]
    d = C.dim
    js = jumps(C)
    kept = [k for k, j in enumerate(js) if any(j.omega)]
    adj: dict[int, list[tuple[int, int]]] = {}
    for k, j in enumerate(js):
        a, b = j.regions
        adj.setdefault(a, []).append((b, k))
        adj.setdefault(b, []).append((a, k))
    parent = {k: k for k in kept}

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    ridge_pieces: list[tuple[Any, tuple[Any, ...]]] = []  # (face of C_θ, signature)
    edges: list[tuple[Any, list[int]]] = []  # the ridges not merged, with the kept facets around them
    if d >= 2:
        for tau in faces(C, d - 2):
            star = set(tau.regions)
            around = sorted({k for a in star for b, k in adj.get(a, ()) if b in star})
            kept_here = [k for k in around if any(js[k].omega)]
            if not kept_here:
                continue
            if not tau.boundary and len(kept_here) == 2:
                a, b = (js[k] for k in kept_here)
                if a.hyperplane == b.hyperplane and a.omega == b.omega:
                    parent[find(kept_here[0])] = find(kept_here[1])
                    continue
            signature = tuple(sorted((js[k].hyperplane, js[k].omega) for k in kept_here))
            ridge_pieces.append((tau, signature))
            if d >= 3:
                edges.append((tau, kept_here))
    groups: dict[int, list[int]] = {}
    for k in kept:
        groups.setdefault(find(k), []).append(k)
    facet_polys = {}
    for k in kept:
        i0, i1 = js[k].regions
        facet_polys[k] = C.regions[i0].polyhedron.intersect(C.regions[i1].polyhedron)
    flats_of: dict[int, set[Row]] = {}
    hull_of: dict[int, tuple[Row, ...]] = {}  # id(face) -> canonical equalities of its affine hull (d >= 3)

    def affine_hull(tau: Any) -> tuple[Row, ...]:
        h = hull_of.get(id(tau))
        if h is None:
            eqs, _ = rref_equalities(tau.affine_rows())
            h = hull_of[id(tau)] = tuple(normalize_equality(e) for e in eqs)
        return h

    in_plane: dict[tuple[Row, tuple[Row, ...]], Row | None] = {}
    for tau, around in edges:
        roots = {find(k) for k in around}
        hull_rows = affine_hull(tau)
        for r in roots:
            key = (js[r].hyperplane, hull_rows)
            if key not in in_plane:
                in_plane[key] = _in_plane(js[r].hyperplane, hull_rows)
            g = in_plane[key]
            if g is not None:
                flats_of.setdefault(r, set()).add(g)
    bfacets = []
    for root, members in groups.items():
        j = js[members[0]]
        polys = [facet_polys[k] for k in members]
        if d >= 3:
            gs = sorted(flats_of.get(root, ()))
            cells: set[tuple[int, ...]] = set()
            for k in members:
                cells |= _cell_signs(facet_polys[k], gs, _facet_generators(C, js[k].hyperplane, js[k].regions[0]))
            cell_key = tuple(sorted(cells))
            bfacets.append(BreakpointFacet(j.hyperplane, j.omega, lambda polys=polys: _hull(polys, d),
                                           (j.hyperplane, j.omega, tuple(gs), cell_key), tuple(gs), cell_key,
                                           tuple(sorted(members))))
        else:
            hull = _hull(polys, d)
            bfacets.append(BreakpointFacet(j.hyperplane, j.omega, hull, (j.hyperplane, j.omega, _poly_key(hull)),
                                           members=tuple(sorted(members))))
    bfacets.sort(key=lambda f: f.key)
    # merge ridge pieces (d >= 3): same signature, same affine hull, sharing a point
    ridges: list[Polyhedron] = []
    if ridge_pieces:
        buckets: dict[tuple[Any, ...], list[int]] = {}
        for a, (tau, sig) in enumerate(ridge_pieces):
            if d >= 3:
                hkey: tuple[Any, ...] = (sig, affine_hull(tau))
            else:
                hkey = (a,)
            buckets.setdefault(hkey, []).append(a)
        par = list(range(len(ridge_pieces)))

        def rfind(a: int) -> int:
            while par[a] != a:
                par[a] = par[par[a]]
                a = par[a]
            return a

        for members in buckets.values():
            polys = [ridge_pieces[a][0].polyhedron for a in members]
            at: dict[Any, int] = {}  # a vertex of C_θ -> a piece containing it
            lonely = []  # pieces without a vertex (the complex has lines): exact intersection tests
            for x, a in enumerate(members):
                tau = ridge_pieces[a][0]
                vs = vertex_keys(C, (tau.sign_sequence, tau.boundary))
                if not vs:
                    lonely.append(x)
                for v in vs:
                    if v in at:
                        par[rfind(a)] = rfind(at[v])
                    else:
                        at[v] = a
            for x in lonely:
                for y in range(len(members)):
                    if y != x and not polys[x].intersect(polys[y]).is_empty:
                        par[rfind(members[x])] = rfind(members[y])
            rg: dict[int, list[int]] = {}
            for x, a in enumerate(members):
                rg.setdefault(rfind(a), []).append(x)
            ridges += [_hull([polys[x] for x in g], d) if len(g) > 1 else polys[g[0]] for g in rg.values()]
        ridges.sort(key=_poly_key)
    maps = tuple(sorted(lr.affine_map for lr in C.linear_regions()))
    points3: tuple[tuple[Fraction, ...], ...] = ()
    if d == 3 and ridge_pieces:
        # a merged ridge is a path of edges of C_θ on one line: its end points are the vertices of C_θ in exactly
        # one of its edges; ridges cross or meet only at vertices of C_θ (cells of a complex meet in faces)
        count: dict[Any, dict[int, int]] = {}
        for a, (tau, _) in enumerate(ridge_pieces):
            for v in vertex_keys(C, (tau.sign_sequence, tau.boundary)):
                per = count.setdefault(v, {})
                per[rfind(a)] = per.get(rfind(a), 0) + 1
        where = {(f.sign_sequence, f.boundary): f.point for f in faces(C, 0)}
        points3 = tuple(sorted(where[v] for v, per in count.items() if len(per) >= 2 or 1 in per.values()))
    out = BreakpointComplex(d, tuple(bfacets), tuple(ridges), maps,
                            tuple(tuple(sorted(m)) for m in groups.values()), points3)
    C._cache["breakpoint"] = out
    return out
