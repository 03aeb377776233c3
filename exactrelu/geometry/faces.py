"""Faces of C_θ with their ternary sign sequences, jumps ``J_σ = ω_σ n_σ^T`` and the balancing check
(docs/mathematics.md §1).

* A **face** of the complex is a face of the closure of some region.  C_θ is a polyhedral complex, so every face is a
  cell, identified by its ternary sign sequence (Masden) together with the set of domain inequalities tight on it;
  ``faces(C, k)`` lists the k-dimensional ones with a relative-interior point, the canonical closed polyhedron and the
  regions in its star.  The faces of one region are found top-down: the facets of a face ``G`` (tight set ``T``) are
  the non-empty ``G ∩ {row_i = 0}`` of dimension ``dim G - 1`` (one exact canonicalisation + LP each).
* **Jumps.**  For a facet σ between regions, the normal ``n_σ`` is normalised so that its first nonzero coordinate
  is ``+1`` and the hyperplane is ``{t + n·x = 0}``; ``P+`` is the region on the side ``t + n·x > 0``.  Then
  ``J_σ = A_{P+} - A_{P-} = ω_σ n_σ^T`` with ``ω_σ`` rational (docs/mathematics.md §1); the factorisation is verified
  exactly.
* **Balancing** at an interior ridge τ: the regions of star(τ) and the facets between them form one cycle; walking
  it, ``Σ ε_i ω_{σ_i} n_{σ_i}^T = 0`` where ``ε_i = +1`` when the walk crosses σ_i from ``P-`` to ``P+``.

Examples
--------
>>> from exactrelu import examples
>>> from exactrelu.geometry.regions import regions
>>> C = regions(examples.relu_of_sum())
>>> [len(faces(C, k)) for k in (0, 1, 2)]
[3, 9, 7]
>>> J = [j for j in jumps(C) if j.omega != (0,)]
>>> sorted((j.normal, j.offset, j.omega) for j in J)[0]
((Fraction(0, 1), Fraction(1, 1)), Fraction(-1, 1), (Fraction(1, 1),))
>>> check_balancing(C)
3
>>> is_supertransversal(C)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import PolyhedralComputationError
from exactrelu.core.network import Pattern
from exactrelu.engines.flintlib import rank as _rank
from exactrelu.geometry.kernel import IntNet, combine, int_point, int_row, normalize_ray
from exactrelu.geometry.polyhedra import Polyhedron, Row, canonical_form

__all__ = ["Face", "Jump", "faces", "face_lattice", "vertex_keys", "jumps", "check_balancing", "is_supertransversal",
           "supertransversality_failures", "first_layer_visibility"]

_ZERO = Fraction(0)


def _val(row: Row, x: tuple[Fraction, ...]) -> Fraction:
    return sum((a * v for a, v in zip(row[1:], x, strict=True)), row[0])


class _Closure:
    """A deferred canonical closed polyhedron of a face ``G`` (a set of generators, as a bit mask) of a region with
    facet rows ``canon`` and their generator masks: the equalities are the facet rows containing ``G``, the facets of
    ``G`` are its intersections with the other facet rows that have dimension ``dim G - 1``; both are known exactly
    from the incidences, so the canonical form needs no LP (:func:`exactrelu.geometry.polyhedra.canonical_form`)."""

    __slots__ = ("canon", "fmasks", "G", "vmask", "simple", "d", "eq", "value")

    def __init__(self, canon: tuple[Row, ...], fmasks: list[int], G: int, vmask: int, simple: bool, d: int) -> None:
        self.canon, self.fmasks, self.G, self.vmask, self.simple, self.d = canon, fmasks, G, vmask, simple, d
        self.eq = tuple(canon[i] for i, fm in enumerate(fmasks) if fm & G == G)
        self.value: Polyhedron | None = None

    def _dim(self, H: int) -> int:
        T = [self.canon[i][1:] for i, fm in enumerate(self.fmasks) if fm & H == H]
        return self.d - (len(T) if self.simple else _rank(T))

    def get(self) -> Polyhedron:
        if self.value is None:
            G, dim_g = self.G, self._dim(self.G)
            facets = []
            for r, fm in zip(self.canon, self.fmasks, strict=True):
                H = G & fm
                if H != G and H & self.vmask and self._dim(H) == dim_g - 1:
                    facets.append(r)
            ineq, eq = canonical_form(facets, self.eq)
            self.value = Polyhedron(tuple(ineq), tuple(eq), ambient_dim=self.d)
        return self.value


@dataclass(frozen=True, slots=True, eq=False)
class Face:
    """A cell of C_θ: ``dimension``, ternary ``sign_sequence``, tight domain rows ``boundary`` (indices into the
    canonical domain description), a relative-interior ``point``, the closed ``polyhedron`` (canonical; computed on
    first access) and the ``regions`` (indices) in its star."""

    dimension: int
    sign_sequence: Pattern
    boundary: tuple[int, ...]
    point: tuple[Fraction, ...]
    _polyhedron: Any = field(repr=False)
    regions: tuple[int, ...]

    @property
    def polyhedron(self) -> Polyhedron:
        p = self._polyhedron
        return p.get() if isinstance(p, _Closure) else p

    def affine_rows(self) -> tuple[Row, ...]:
        """Equality rows whose common zero set is the affine hull of the face (not canonicalised)."""
        p = self._polyhedron
        return p.eq if isinstance(p, _Closure) else p.affine_hull()

    def _key(self) -> tuple[Any, ...]:
        return (self.dimension, self.sign_sequence, self.boundary, self.point, self.polyhedron, self.regions)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Face):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def zeros(self) -> int:
        """Number of bent hyperplanes containing the face."""
        return sum(s == 0 for layer in self.sign_sequence for s in layer)


@dataclass(frozen=True, slots=True)
class Jump:
    """The jump across one facet: hyperplane ``offset + normal·x = 0`` (first nonzero of ``normal`` is +1),
    ``regions = (P-, P+)``, ``omega`` with ``J = A_{P+} - A_{P-} = omega normal^T``, and the facet's ``neurons``."""

    regions: tuple[int, int]
    normal: tuple[Fraction, ...]
    offset: Fraction
    omega: tuple[Fraction, ...]
    point: tuple[Fraction, ...]
    neurons: tuple[tuple[int, int], ...]

    @property
    def hyperplane(self) -> Row:
        return (self.offset, *self.normal)

    @property
    def matrix(self) -> tuple[tuple[Fraction, ...], ...]:
        return tuple(tuple(w * n for n in self.normal) for w in self.omega)


def _domain_rows(C: Any) -> list[Row]:
    return list(C.domain.irredundant().inequalities) if C.domain is not None else []


def _all_faces(C: Any) -> dict[tuple[Pattern, tuple[int, ...]], dict[str, Any]]:
    if "faces" in C._cache:
        return C._cache["faces"]
    dom = _domain_rows(C)
    table: dict[tuple[Pattern, tuple[int, ...]], dict[str, Any]] = {}
    # a complex may bring its own forms on cells (graph networks: exactrelu.geometry.graph_complex)
    inet = C.int_net() if hasattr(C, "int_net") else IntNet(C.net)
    idom = [int_row(r) for r in dom]
    for k, reg in enumerate(C.regions):
        gens = reg.generators
        if gens is None:
            V, R, L = reg.polyhedron.generators()
            if not L:
                gens = ([int_point(v) for v in V], [int_point(normalize_ray(y)) for y in R])
        if gens is None:
            _region_faces_lp(C, k, reg, dom, table)
        else:
            _region_faces(C, k, reg, gens, inet, idom, table)
    C._cache["faces"] = table
    return table


def _region_faces(C: Any, k: int, reg: Any, gens: tuple[list[Any], list[Any]], inet: Any, idom: list[list[int]],
                  table: dict[tuple[Pattern, tuple[int, ...]], dict[str, Any]]) -> None:
    """The faces of a pointed region from its exact generators: every face is the set of generators on which some
    facet rows vanish (an intersection of facets containing a vertex); its dimension is ``d`` minus the rank of those
    rows; a neuron or domain row vanishes on the relative interior iff it vanishes at all the face's generators (it is
    ``>= 0`` on the region), which gives the sign sequence and the tight domain rows without evaluating anything."""
    d = C.dim
    V, R = gens
    nv = len(V)
    vmask = (1 << nv) - 1
    allg = [(D, X, True) for D, X in V] + [(D, Y, False) for D, Y in R]

    def mask_of(r: Sequence[int]) -> int:
        m = 0
        b, a = r[0], r[1:]
        for bit, (D, X, is_v) in enumerate(allg):
            if (b * D if is_v else 0) + sum(u * x for u, x in zip(a, X, strict=True)) == 0:
                m |= 1 << bit
        return m

    canon = reg.polyhedron.inequalities
    fmasks = [mask_of(int_row(r)) for r in canon]
    forms, _ = inet.forms(reg.pattern)
    nmasks = [[(-1 if not any(r) else mask_of(r)) for r in layer] for layer in forms]  # -1: identically zero
    dmasks = [mask_of(r) for r in idom]
    simple = all(sum(1 for fm in fmasks if fm >> bit & 1) == d for bit in range(nv))
    full = (1 << len(allg)) - 1
    dims = {full: d}
    keys: dict[int, tuple[Pattern, tuple[int, ...]]] = {}

    def key_of(G: int) -> tuple[Pattern, tuple[int, ...]]:
        key = keys.get(G)
        if key is None:
            sig = tuple(tuple(0 if (m & G) == G else s for m, s in zip(ml, sl, strict=True))
                        for ml, sl in zip(nmasks, reg.pattern, strict=True))
            bnd = tuple(j for j, m in enumerate(dmasks) if m & G == G)
            key = keys[G] = (sig, bnd)
        return key

    region_key = (reg.pattern, ())
    e = table.setdefault(region_key, {"dim": d, "point": reg.interior_point, "poly": reg.polyhedron,
                                      "regions": set(), "children": set()})
    e["regions"].add(k)
    keys[full] = region_key
    # Level by level (dimension d, d - 1, ..., 1): every face of dimension k - 1 is a facet of some face of
    # dimension k, so each level is complete (with its table entries) before its faces are expanded.  A face may
    # also be met first as ``F ∩ facet`` of a face F two or more dimensions higher (more than d facets through a
    # vertex); such a meeting is not a lattice edge and only caches the dimension.
    level = [full]
    for dim_f in range(d, 0, -1):
        nxt: list[int] = []
        for F in level:
            fkey = keys[F]
            for G in {F & fm for fm in fmasks if F & fm != F and F & fm & vmask}:
                dim_g = dims.get(G)
                if dim_g is None:
                    T = [i for i, fm in enumerate(fmasks) if fm & G == G]
                    dim_g = dims[G] = d - (len(T) if simple else _rank([canon[i][1:] for i in T]))
                if dim_g != dim_f - 1:
                    continue
                if G not in keys:
                    nxt.append(G)
                ckey = key_of(G)
                entry = table.get(ckey)
                if entry is None:
                    Vg = [(D, X) for bit, (D, X) in enumerate(V) if G >> bit & 1]
                    Rg = [(D, Y) for bit, (D, Y) in enumerate(R, start=nv) if G >> bit & 1]
                    poly = _Closure(canon, fmasks, G, vmask, simple, d)
                    entry = table[ckey] = {"dim": dim_g, "point": combine(Vg, Rg, d), "poly": poly,
                                           "regions": set(), "children": set()}
                entry["regions"].add(k)
                table[fkey]["children"].add(ckey)
        level = nxt


def _region_faces_lp(C: Any, k: int, reg: Any, dom: list[Row],
                     table: dict[tuple[Pattern, tuple[int, ...]], dict[str, Any]]) -> None:
    """The faces of a region with lines, top-down with one exact LP per candidate (the general method)."""
    d = C.dim
    rows = list(reg.polyhedron.inequalities)
    key = (reg.pattern, ())
    table.setdefault(key, {"dim": d, "point": reg.interior_point, "poly": reg.polyhedron, "regions": set(),
                           "children": set()})["regions"].add(k)
    frontier: dict[frozenset[int], tuple[int, tuple[Pattern, tuple[int, ...]]]] = {frozenset(): (d, key)}
    done: set[frozenset[int]] = set()
    while frontier:
        T, (dim, fkey) = frontier.popitem()
        done.add(T)
        if dim == 0:
            continue
        for i in range(len(rows)):
            if i in T:
                continue
            eq = [rows[j] for j in sorted(T | {i})]
            ineq = [rows[j] for j in range(len(rows)) if j not in T and j != i]
            P = Polyhedron(tuple(ineq), tuple(eq), ambient_dim=d)
            q = P.interior_point()
            if q is None:
                continue
            T2 = frozenset(j for j in range(len(rows)) if _val(rows[j], q) == 0)
            dim2 = d - _rank([rows[j][1:] for j in T2])
            if dim2 != dim - 1:
                continue
            sig = C.net.pattern(q)
            bnd = tuple(j for j, r in enumerate(dom) if _val(r, q) == 0)
            ckey = (sig, bnd)
            entry = table.get(ckey)
            if entry is None:
                poly = Polyhedron(tuple(rows[j] for j in range(len(rows)) if j not in T2),
                                  tuple(rows[j] for j in sorted(T2)), ambient_dim=d).irredundant()
                entry = table[ckey] = {"dim": dim2, "point": q, "poly": poly, "regions": set(),
                                       "children": set()}
            entry["regions"].add(k)
            table[fkey]["children"].add(ckey)
            if T2 not in done and T2 not in frontier:
                frontier[T2] = (dim2, ckey)


def check_face_lattice(C: Any) -> int:
    """Cross-check: the face lattice from exact generators (what :func:`faces` uses) equals the reference built
    top-down with one exact LP per candidate face — same cells, dimensions, stars, children and canonical polyhedra.
    Returns the number of cells; raises :class:`~exactrelu.core.errors.PolyhedralComputationError` naming a mismatch."""
    table = _all_faces(C)
    ref: dict[tuple[Pattern, tuple[int, ...]], dict[str, Any]] = {}
    dom = _domain_rows(C)
    for k, reg in enumerate(C.regions):
        _region_faces_lp(C, k, reg, dom, ref)
    if table.keys() != ref.keys():
        raise PolyhedralComputationError(f"cells differ: {sorted(table.keys() ^ ref.keys())[:3]}")
    for key, e in table.items():
        r = ref[key]
        poly = e["poly"].get() if isinstance(e["poly"], _Closure) else e["poly"]
        if (e["dim"], e["regions"], e["children"], poly) != (r["dim"], r["regions"], r["children"], r["poly"]):
            raise PolyhedralComputationError(f"cell {key} differs from the LP reference")
        if C.net.pattern(e["point"]) != key[0] or not poly.contains(e["point"]):
            raise PolyhedralComputationError(f"the point of cell {key} is not in its relative interior")
    return len(table)


def vertex_keys(C: Any, key: tuple[Pattern, tuple[int, ...]]) -> frozenset[tuple[Pattern, tuple[int, ...]]]:
    """The keys ``(sign_sequence, boundary)`` of the vertices (0-dimensional cells) of C_θ in the closed face ``key``
    (through the face lattice).  Two closed faces meet iff they share a vertex, when the regions are pointed."""
    table = _all_faces(C)
    memo = C._cache.setdefault("vertex_keys", {})
    out = memo.get(key)
    if out is None:
        e = table[key]
        if e["dim"] == 0:
            out = frozenset((key,))
        else:
            out = frozenset().union(*(vertex_keys(C, c) for c in e["children"]))
        memo[key] = out
    return out


def faces(C: Any, k: int) -> tuple[Face, ...]:
    """The k-dimensional faces of the complex ``C`` (``k = d`` gives the regions), sorted by sign sequence."""
    out = []
    for (sig, bnd), e in _all_faces(C).items():
        if e["dim"] == k:
            out.append(Face(k, sig, bnd, e["point"], e["poly"], tuple(sorted(e["regions"]))))
    return tuple(sorted(out, key=lambda f: (f.sign_sequence, f.boundary)))


def face_lattice(C: Any) -> Any:
    """The face lattice as a networkx DiGraph: nodes ``(sign_sequence, boundary)`` with attribute ``dimension``,
    an edge ``G -> F`` when ``F`` is a facet of ``G``."""
    import networkx as nx

    g = nx.DiGraph()
    table = _all_faces(C)
    for key, e in table.items():
        g.add_node(key, dimension=e["dim"])
    for key, e in table.items():
        for child in e["children"]:
            g.add_edge(key, child)
    return g


def jumps(C: Any) -> tuple[Jump, ...]:
    """One :class:`Jump` per interior facet of ``C`` (the edges of the adjacency graph), verified rank one."""
    if "jumps" in C._cache:
        return C._cache["jumps"]
    out = []
    for i, j, data in sorted(C.adjacency_graph().edges(data=True)):
        row = data["row"]  # b + a.x >= 0 on region min(i, j)
        lo, hi = min(i, j), max(i, j)
        a = row[1:]
        first = next(v for v in a if v)
        if first > 0:
            normal, offset, plus, minus = tuple(v / first for v in a), row[0] / first, lo, hi
        else:
            normal, offset, plus, minus = tuple(v / first for v in a), row[0] / first, hi, lo
        k0 = next(t for t, v in enumerate(normal) if v)
        Ap, Am = C.regions[plus].affine_map[0], C.regions[minus].affine_map[0]
        J = [[p - m for p, m in zip(rp, rm, strict=True)] for rp, rm in zip(Ap, Am, strict=True)]
        omega = tuple(r[k0] for r in J)
        if any(J[r][c] != omega[r] * normal[c] for r in range(len(J)) for c in range(len(normal))):
            raise PolyhedralComputationError(f"jump across facet {row} is not rank one with normal {normal}")
        out.append(Jump((minus, plus), normal, offset, omega, data["point"], data["neurons"]))
    C._cache["jumps"] = tuple(out)
    return C._cache["jumps"]


def check_balancing(C: Any) -> int:
    """Verify the balancing condition at every interior ridge (docs/mathematics.md §1); returns the number of ridges
    checked.

    Raises :class:`~exactrelu.core.errors.PolyhedralComputationError` naming the ridge if the star of a ridge is not a
    cycle or the signed sum of the jumps is not 0 (a consistency check of the whole engine).
    """
    d = C.dim
    if d < 2:
        return 0
    by_pair = {j.regions if j.regions[0] < j.regions[1] else j.regions[::-1]: j for j in jumps(C)}
    neighbours: dict[int, list[int]] = {}
    for a, b in by_pair:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    checked = 0
    for tau in faces(C, d - 2):
        if tau.boundary:
            continue
        star = set(tau.regions)
        adj: dict[int, list[int]] = {k: [] for k in star}
        for a in star:
            for b in neighbours.get(a, ()):
                if a < b and b in star:
                    adj[a].append(b)
                    adj[b].append(a)
        if any(len(v) != 2 for v in adj.values()):
            raise PolyhedralComputationError(f"star of the ridge at {tau.point} is not a cycle: {adj}")
        start = min(star)
        prev, cur = None, start
        total = [[_ZERO] * d for _ in range(C.net.output_dim)]
        steps = 0
        while True:
            nxt = adj[cur][0] if adj[cur][0] != prev else adj[cur][1]
            j = by_pair[(min(cur, nxt), max(cur, nxt))]
            eps = 1 if j.regions == (cur, nxt) else -1
            for r, w in enumerate(j.omega):
                for c, n in enumerate(j.normal):
                    total[r][c] += eps * w * n
            prev, cur = cur, nxt
            steps += 1
            if cur == start:
                break
        if steps != len(star):
            raise PolyhedralComputationError(f"star of the ridge at {tau.point} is not a single cycle")
        if any(v for row in total for v in row):
            raise PolyhedralComputationError(f"balancing fails at the ridge through {tau.point}: sum {total}")
        checked += 1
    return checked


def supertransversality_failures(C: Any) -> tuple[Face, ...]:
    """Faces in the interior of the domain whose number of bent hyperplanes (zeros of the sign sequence) differs
    from their codimension (faces on the domain boundary are not examined)."""
    d = C.dim
    return tuple(f for k in range(d + 1) for f in faces(C, k) if not f.boundary and f.zeros != d - k)


def is_supertransversal(C: Any) -> bool:
    """docs/mathematics.md §1 genericity (1): every face of codimension k lies in exactly k bent hyperplanes."""
    return not supertransversality_failures(C)


def first_layer_visibility(C: Any) -> dict[int, bool]:
    """For each first-layer neuron with ``W1_i != 0``: whether its hyperplane is *visible* (some facet in it carries
    a nonzero jump, i.e. it is part of the non-linearity locus, docs/mathematics.md D1) — on the domain of ``C``."""
    net = C.net
    out = {}
    js = jumps(C)
    for i, (w, b) in enumerate(zip(net.layers[0].weights, net.layers[0].biases, strict=True)):
        if not any(w):
            continue
        first = next(v for v in w if v)
        hyp = (b / first, *(v / first for v in w))
        out[i] = any(j.hyperplane == hyp and any(j.omega) for j in js)
    return out
