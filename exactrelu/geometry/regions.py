"""The canonical polyhedral complex C_θ of a ReLU network: activation regions, facets, adjacency (docs/mathematics.md
§1, A2).

Conventions:

* Rows ``(b, a1, ..., ad)`` mean ``b + a·x >= 0`` (see :mod:`exactrelu.geometry.polyhedra`).
* A **region** is a full-dimensional cell of C_θ (inside the domain, ``R^d`` by default).  Its ``pattern`` has one
  tuple per hidden layer with entries ``+1`` (active: ``z > 0`` on the open region) or ``-1`` (``z < 0``); the
  entry is ``0`` only in the degenerate case where the pre-activation vanishes *identically* on the region (e.g. a
  neuron fed by a dead layer with bias 0).  Neurons are addressed as ``(l, i)``: ``pattern[l][i]``, both 0-based.
* A pattern determines its region (the set with a fixed ternary sign sequence is convex), so regions are sorted and
  compared by pattern; every other field is computed deterministically from the pattern, so the two enumeration
  algorithms (``method="split"``, the reference of docs/mathematics.md A2, and ``method="walk"``, an adjacency-graph
  walk) return *equal* complexes.
* The facet of a region ``P`` with row ``r`` (irredundant, normalised so the first nonzero ``a_k`` is ``±1``) carries a
  relative-interior point ``q``, the neurons whose pre-activation vanishes on it, and the pattern of the region across
  it (``None`` on the domain boundary).  The pattern across is exact: layer by layer, a neuron with ``z(q) != 0`` keeps
  its sign and a neuron with ``z(q) = 0`` takes the sign of ``∇z·n`` for the outward normal ``n`` (its affine form on
  the other side vanishes on the whole facet, so its gradient is a multiple of ``n``, or it is identically 0).

Examples
--------
>>> from exactrelu import examples
>>> C = regions(examples.relu_of_sum())
>>> len(C.regions), sum(r.bounded for r in C.regions)
(7, 1)
>>> C.region_of((Fraction(1, 4), Fraction(1, 4))).pattern
((1, 1), (-1,))
>>> C.adjacency_graph().number_of_edges()
9
>>> len(C.linear_regions())
4
>>> regions(examples.relu_of_sum(), method="walk") == C
True
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cmp_to_key
from math import atan2, gcd, tau
from typing import Any

from exactrelu.core.errors import (
    EmptyRegionError,
    NotApplicableError,
    PolyhedralComputationError,
    RegionLimitError,
    ShapeError,
)
from exactrelu.core.network import Network, Pattern
from exactrelu.core.rational import as_rational
from exactrelu.engines import cddlib as _cdd
from exactrelu.engines.flintlib import rank as _rank
from exactrelu.geometry import simplecell as _simplecell
from exactrelu.geometry.polyhedra import Polyhedron, Row, normalize_inequality

__all__ = ["Region", "Facet", "PolyhedralComplex", "LinearRegion", "regions", "neuron_forms", "summary",
           "regions_section", "DEFAULT_MAX_REGIONS"]

DEFAULT_MAX_REGIONS = 100_000
_ZERO = Fraction(0)
Neuron = tuple[int, int]
Matrix = tuple[tuple[Fraction, ...], ...]
Vector = tuple[Fraction, ...]


def _sign(v: Fraction) -> int:
    return (v > 0) - (v < 0)


def _dot(row: Sequence[Fraction], x: Sequence[Fraction]) -> Fraction:
    return sum((a * v for a, v in zip(row, x, strict=True)), _ZERO)


def _val(row: Sequence[Fraction], x: Sequence[Fraction]) -> Fraction:
    return sum((a * v for a, v in zip(row[1:], x, strict=True)), row[0])


class _IntNet:
    """Integer-scaled copy of a network for fast exact forms: layer ``l`` is multiplied by ``den_l > 0`` (the lcm of
    its denominators), so every pre-activation form of layer ``l`` is an integer row ``(v, M)`` equal to
    ``S_l · z`` with ``S_l = den_1 ··· den_l > 0`` — the same signs, and cdd accepts integer rows."""

    __slots__ = ("d", "W", "b", "scales", "depth", "_rows", "_prim", "vertex_cache", "offsets", "canonical")

    def __init__(self, net: Network) -> None:
        self.d = net.input_dim
        self.depth = net.depth
        self.W: list[list[list[int]]] = []
        self.b: list[list[int]] = []
        self.scales: list[int] = []
        self._rows: dict[tuple[int, Pattern], list[list[int]]] = {}  # (l, pattern[:l]) -> hidden rows (read-only)
        self._prim: dict[tuple[int, Pattern], list[tuple[int, ...] | None]] = {}
        self.vertex_cache: dict = {}  # exact vertices by tight rows, shared by the cells of one complex
        self.canonical: dict[tuple[int, ...], tuple[Row, tuple[float, ...]]] = {}  # see _sorted_canonical
        self.offsets = [sum(net.hidden_widths[:l]) for l in range(net.depth)]  # flat index of neuron (l, 0)
        S = 1
        for layer in net.layers:
            den = 1
            for v in [x for row in layer.weights for x in row] + list(layer.biases):
                den = den * v.denominator // gcd(den, v.denominator)
            self.W.append([[int(v * den) for v in row] for row in layer.weights])
            self.b.append([int(v * den) * S for v in layer.biases])
            S *= den
            self.scales.append(S)

    def start(self) -> list[list[int] | None]:
        d = self.d
        return [[0] + [int(i == j) for j in range(d)] for i in range(d)]

    def pre(self, l: int, post: list[list[int] | None]) -> list[list[int]]:
        """Integer pre-activation rows of layer ``l`` from the post-activation rows of layer ``l - 1`` (None = 0)."""
        width = self.d + 1
        out = []
        active = [(k, r) for k, r in enumerate(post) if r is not None]
        for wrow, bi in zip(self.W[l], self.b[l], strict=True):
            acc = [bi] + [0] * self.d
            for k, r in active:
                w = wrow[k]
                if w:
                    for j in range(width):
                        acc[j] += w * r[j]
            out.append(acc)
        return out

    @staticmethod
    def post(rows: list[list[int]], signs: Sequence[int]) -> list[list[int] | None]:
        return [r if s > 0 else None for r, s in zip(rows, signs, strict=True)]

    def forms(self, pattern: Pattern) -> tuple[list[list[list[int]]], list[list[int]]]:
        """Integer rows of every hidden layer under ``pattern`` and of the output layer."""
        post = self.start()
        out = []
        cache = self._rows
        for l in range(self.depth):
            key = (l, tuple(pattern[:l]))  # the rows of layer l depend only on the earlier layers' patterns
            rows = cache.get(key)
            if rows is None:
                rows = cache[key] = self.pre(l, post)
            out.append(rows)
            post = self.post(rows, pattern[l])
        return out, self.pre(self.depth, post)

    def primitive(self, l: int, pattern: Pattern, rows: list[list[int]]) -> list[tuple[int, ...] | None]:
        """The rows of layer ``l`` (given, as returned by :meth:`forms`) divided by their gcd, None for a row with
        zero linear part; cached like the rows."""
        key = (l, tuple(pattern[:l]))
        out = self._prim.get(key)
        if out is None:
            out = self._prim[key] = [_primitive_or_none(r) for r in rows]
        return out

    def affine_map(self, out_rows: list[list[int]]) -> tuple[Matrix, Vector]:
        S = self.scales[-1]
        return (tuple(tuple(Fraction(v, S) for v in r[1:]) for r in out_rows),
                tuple(Fraction(r[0], S) for r in out_rows))


def _sorted_canonical(inet: _IntNet, rows: list[tuple[tuple[int, ...], int]]) -> list[tuple[Row, int]]:
    """``(normalize_inequality(row), tag)`` sorted by the normalised row, for primitive integer rows.

    The normalised rows (and float images of them) are cached on ``inet``; the sort uses the floats, which are
    monotone images of the exact entries, and is then checked exactly pair by pair (an exact sort if it fails)."""
    cache = inet.canonical
    items = []
    for r, tag in rows:
        hit = cache.get(r)
        if hit is None:
            piv = abs(next(v for v in r[1:] if v))
            try:
                approx = tuple(v / piv for v in r)
            except OverflowError:
                approx = ()  # ties everything: the exact check below sorts exactly
            hit = cache[r] = (tuple(Fraction(v, piv) for v in r), approx)
        items.append((hit[1], hit[0], tag))
    items.sort(key=lambda t: t[0])
    out = [(c, tag) for _, c, tag in items]
    for (a, _), (b, _) in zip(out, out[1:]):
        if not a < b:  # (equal rows cannot occur: the rows are distinct)
            out.sort(key=lambda t: t[0])
            break
    return out


def _primitive_or_none(r: Sequence[int]) -> tuple[int, ...] | None:
    """The integer row divided by the gcd of its entries; None when its linear part is zero."""
    if not any(r[1:]):
        return None
    g = gcd(*r)
    return tuple(v // g for v in r) if g > 1 else tuple(r)


def _int_point(x: Sequence[Fraction]) -> tuple[int, list[int]]:
    """``x = X / D`` with integers (D > 0)."""
    D = 1
    for v in x:
        q = v.denominator
        if q != 1:
            D = D * q // gcd(D, q)
    if D == 1:
        return 1, [v.numerator for v in x]
    return D, [v.numerator * (D // v.denominator) for v in x]


def _isign(row: Sequence[int], D: int, X: Sequence[int]) -> int:
    if len(X) == 2:
        v = row[0] * D + row[1] * X[0] + row[2] * X[1]
        return (v > 0) - (v < 0)
    v = row[0] * D + sum(a * b for a, b in zip(row[1:], X, strict=True))
    return (v > 0) - (v < 0)


def neuron_forms(net: Network, pattern: Pattern) -> list[list[Row]]:
    """For each hidden layer, the rows ``(v_i, M_i)`` with ``z^(l)_i(x) = v_i + M_i·x`` on the cell of ``pattern``.

    Only the patterns of earlier layers are used for layer ``l`` (docs/mathematics.md §1).

    >>> from exactrelu import examples
    >>> neuron_forms(examples.relu_of_sum(), ((1, -1), (1,)))[1]
    [(Fraction(-1, 1), Fraction(1, 1), Fraction(0, 1))]
    """
    inet = _IntNet(net)
    forms, _ = inet.forms(pattern)
    return [[tuple(Fraction(v, inet.scales[l]) for v in r) for r in rows] for l, rows in enumerate(forms)]


class _Average:
    """A deferred :func:`_combine` (the average of integer points plus the sum of integer rays)."""

    __slots__ = ("V", "R", "d")

    def __init__(self, V: list[tuple[int, Sequence[int]]], R: list[tuple[int, Sequence[int]]], d: int) -> None:
        self.V, self.R, self.d = V, R, d


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Facet:
    """A facet of a region: ``row`` vanishes on it (``b + a·x >= 0`` on the region), ``point`` is in its relative
    interior (the average of the facet's vertices plus the sum of its rays), ``neurons`` are the ``(l, i)`` whose
    pre-activation vanishes on it, ``neighbor`` is the pattern of the region across (``None`` when the facet lies on the
    domain boundary), ``sign_sequence`` its ternary sign sequence.  (``point`` is computed on first access.)
    """

    row: Row
    _point: Any
    neurons: tuple[Neuron, ...]
    neighbor: Pattern | None
    sign_sequence: Pattern

    @property
    def point(self) -> tuple[Fraction, ...]:
        p = self._point
        if type(p) is _Average:
            p = _combine(p.V, p.R, p.d)
            object.__setattr__(self, "_point", p)
        return p

    def _key(self) -> tuple[Any, ...]:
        return (self.row, self.point, self.neurons, self.neighbor, self.sign_sequence)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Facet):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Facet(row={self.row!r}, point={self.point!r}, neurons={self.neurons!r}, "
                f"neighbor={self.neighbor!r}, sign_sequence={self.sign_sequence!r})")


@dataclass(frozen=True, slots=True)
class Region:
    """An activation region (full-dimensional cell of C_θ) with everything exact.

    ``polyhedron`` is the canonical irredundant closure, ``interior_point`` a rational point of the open region,
    ``affine_map = (A, c)`` with ``f(x) = A x + c`` on it, ``bounded`` whether it is bounded, ``facets`` its facets.
    """

    pattern: Pattern
    polyhedron: Polyhedron
    interior_point: tuple[Fraction, ...]
    affine_map: tuple[Matrix, Vector]
    bounded: bool
    facets: tuple[Facet, ...]
    #: exact generators kept from the construction, as integer pairs: vertices ``(D, X)`` = ``X / D`` and rays
    #: ``(D, Y)`` (the normalised ray ``Y / D``), or None when the polyhedron has lines (internal: faces use them)
    generators: Any = field(default=None, compare=False, repr=False)

    def affine_basis_points(self) -> tuple[tuple[Fraction, ...], ...]:
        """``d + 1`` affinely independent rational points in the open region: the interior point ``p`` and
        ``p + δ e_k`` with ``δ = s / (2 (1 + max |a_ik|))``, ``s`` the smallest slack of ``p``.

        >>> from exactrelu import examples
        >>> R = regions(examples.relu_of_sum()).regions[0]
        >>> pts = R.affine_basis_points()
        >>> len(pts), all(R.polyhedron.strictly_satisfies(p) for p in pts)
        (3, True)
        """
        p = self.interior_point
        d = len(p)
        rows = self.polyhedron.inequalities
        if rows:
            s = min(_val(r, p) for r in rows)
            amax = max(abs(a) for r in rows for a in r[1:])
        else:
            s, amax = Fraction(1), _ZERO
        delta = s / (2 * (1 + amax))
        pts = [p]
        for k in range(d):
            pts.append(tuple(v + delta if j == k else v for j, v in enumerate(p)))
        return tuple(pts)

    def contains(self, x: Sequence[object]) -> bool:
        """Whether ``x`` lies in the closed region."""
        return self.polyhedron.contains(x)


@dataclass(frozen=True, slots=True)
class LinearRegion:
    """A connected component of the domain minus the non-linearity locus: region indices and the common map."""

    regions: tuple[int, ...]
    affine_map: tuple[Matrix, Vector]


@dataclass(frozen=True)
class PolyhedralComplex:
    """The canonical complex C_θ on ``domain`` (``None`` = ``R^d``): its regions sorted by pattern.

    Lower-dimensional structure (faces, jumps, breakpoint complex) is computed on demand; see the methods.
    """

    net: Network
    domain: Polyhedron | None
    regions: tuple[Region, ...]
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PolyhedralComplex):
            return NotImplemented
        return self.net == other.net and self.domain == other.domain and self.regions == other.regions

    def __hash__(self) -> int:
        return hash((self.net, self.domain, self.regions))

    def __repr__(self) -> str:
        return f"PolyhedralComplex({len(self.regions)} regions, architecture={self.net.architecture})"

    @property
    def dim(self) -> int:
        return self.net.input_dim

    def index(self) -> dict[Pattern, int]:
        """Pattern -> region index."""
        if "index" not in self._cache:
            self._cache["index"] = {r.pattern: k for k, r in enumerate(self.regions)}
        return self._cache["index"]

    def region_of(self, x: Sequence[object]) -> Region:
        """The region whose open cell contains ``x`` (raises EmptyRegionError when ``x`` is on a facet or outside)."""
        xs = tuple(as_rational(v) for v in x)
        if len(xs) != self.dim:
            raise ShapeError(f"point has {len(xs)} coordinates, the complex lives in dimension {self.dim}")
        k = self.index().get(self.net.pattern(xs))
        if k is not None and self.regions[k].polyhedron.strictly_satisfies(xs):
            return self.regions[k]
        for r in self.regions:  # degenerate patterns (identically-zero neurons) or points off the domain
            if r.polyhedron.strictly_satisfies(xs):
                return r
        raise EmptyRegionError(f"({', '.join(map(str, xs))}) lies on a facet of the complex or outside the domain")

    # ------------------------------------------------------------------ graphs
    def adjacency_graph(self) -> Any:
        """The networkx Graph on region indices, with an edge for each facet shared by two regions.

        Node attribute ``pattern``; edge attributes ``row`` (the facet row of the lower-index region), ``point``
        (relative interior point) and ``neurons``.
        """
        import networkx as nx

        g = nx.Graph()
        idx = self.index()
        for k, r in enumerate(self.regions):
            g.add_node(k, pattern=r.pattern)
        for k, r in enumerate(self.regions):
            for f in r.facets:
                if f.neighbor is None:
                    continue
                j = idx[f.neighbor]
                if j > k:
                    g.add_edge(k, j, row=f.row, point=f.point, neurons=f.neurons)
        return g

    def linear_regions(self) -> tuple[LinearRegion, ...]:
        """Connected components of the graph "adjacent regions with equal affine map" (docs/mathematics.md A3 step 4).

        These are the regions of the breakpoint complex B_θ: components of the domain minus the non-linearity locus.
        """
        if "linear" not in self._cache:
            parent = list(range(len(self.regions)))

            def find(a: int) -> int:
                while parent[a] != a:
                    parent[a] = parent[parent[a]]
                    a = parent[a]
                return a

            for k, j, _ in self.adjacency_graph().edges(data=True):
                if self.regions[k].affine_map == self.regions[j].affine_map:
                    parent[find(k)] = find(j)
            groups: dict[int, list[int]] = {}
            for k in range(len(self.regions)):
                groups.setdefault(find(k), []).append(k)
            out = sorted(tuple(g) for g in groups.values())
            self._cache["linear"] = tuple(LinearRegion(g, self.regions[g[0]].affine_map) for g in out)
        return self._cache["linear"]

    # ------------------------------------------------------------------ neurons
    def _extreme(self, neuron: Neuron, sense: int) -> tuple[int, Fraction] | None:
        """Over all regions, the largest (``sense=+1``) or smallest (``-1``) value of ``z_neuron`` on the closed
        region, with the region attaining it; None when unbounded."""
        l, i = neuron
        best: tuple[int, Fraction] | None = None
        d = self.dim
        for k, r in enumerate(self.regions):
            form = neuron_forms(self.net, r.pattern)[l][i]
            obj = tuple(sense * v for v in form)
            status, value, _ = _cdd.lp_max(r.polyhedron.inequalities, (), obj, d)
            if status != "optimal" or value is None:
                return None
            value = sense * value
            if best is None or sense * value > sense * best[1]:
                best = (k, value)
        return best

    def dead_neurons(self) -> dict[Neuron, tuple[int, Fraction]]:
        """Neurons ``(l, i)`` never active on the domain (``z <= 0`` everywhere), each with its proof: the region
        where ``z`` attains its maximum over the domain, and that maximum (``<= 0``; an exact LP per region).

        >>> from exactrelu import examples
        >>> regions(examples.dead_second_layer()).dead_neurons()
        {(1, 0): (0, Fraction(-1, 1))}
        """
        if "dead" not in self._cache:
            out = {}
            for l, width in enumerate(self.net.hidden_widths):
                for i in range(width):
                    if all(r.pattern[l][i] <= 0 for r in self.regions):
                        ext = self._extreme((l, i), +1)
                        assert ext is not None and ext[1] <= 0
                        out[(l, i)] = ext
            self._cache["dead"] = out
        return self._cache["dead"]

    def always_active_neurons(self) -> dict[Neuron, tuple[int, Fraction]]:
        """Neurons ``(l, i)`` with ``z > 0`` on every open region (active on the whole domain), each with the region
        where ``z`` attains its minimum over the domain and that minimum (``>= 0``)."""
        if "active" not in self._cache:
            out = {}
            for l, width in enumerate(self.net.hidden_widths):
                for i in range(width):
                    if all(r.pattern[l][i] > 0 for r in self.regions):
                        ext = self._extreme((l, i), -1)
                        assert ext is not None and ext[1] >= 0
                        out[(l, i)] = ext
            self._cache["active"] = out
        return self._cache["active"]

    # ------------------------------------------------------------------ faces, jumps, B_θ
    # (exactrelu.geometry.faces/breakpoints)
    def faces(self, k: int) -> tuple[Any, ...]:
        """The k-dimensional faces (:class:`exactrelu.geometry.faces.Face`) with their ternary sign sequences."""
        from exactrelu.geometry.faces import faces

        return faces(self, k)

    def face_lattice(self) -> Any:
        """The face lattice as a networkx DiGraph (see :func:`exactrelu.geometry.faces.face_lattice`)."""
        from exactrelu.geometry.faces import face_lattice

        return face_lattice(self)

    def jumps(self) -> tuple[Any, ...]:
        """The jump ``J_σ = ω_σ n_σ^T`` of every interior facet (:class:`exactrelu.geometry.faces.Jump`)."""
        from exactrelu.geometry.faces import jumps

        return jumps(self)

    def check_balancing(self) -> int:
        """Verify balancing at every interior ridge; returns the number of ridges (raises if it fails)."""
        from exactrelu.geometry.faces import check_balancing

        return check_balancing(self)

    def is_supertransversal(self) -> bool:
        """Every interior face of codimension k lies in exactly k bent hyperplanes (docs/mathematics.md §1)."""
        from exactrelu.geometry.faces import is_supertransversal

        return is_supertransversal(self)

    def first_layer_visibility(self) -> dict[int, bool]:
        """First-layer neuron -> whether its hyperplane carries a nonzero jump somewhere (visible, docs/mathematics.md
        D1)."""
        from exactrelu.geometry.faces import first_layer_visibility

        return first_layer_visibility(self)

    def breakpoint_complex(self) -> Any:
        """The weighted breakpoint complex B_θ in canonical form
        (:class:`exactrelu.geometry.breakpoints.BreakpointComplex`)."""
        from exactrelu.geometry.breakpoints import breakpoint_complex

        return breakpoint_complex(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able export of the complex, every number an exact string."""
        from exactrelu.core.io import network_to_dict

        def rows(rs: Sequence[Row]) -> list[list[str]]:
            return [[str(v) for v in r] for r in rs]

        return {
            "format": "exactrelu-complex", "version": 1,
            "network": network_to_dict(self.net),
            "domain": None if self.domain is None else {"inequalities": rows(self.domain.inequalities),
                                                        "equalities": rows(self.domain.equalities)},
            "regions": [{
                "pattern": [list(p) for p in r.pattern],
                "inequalities": rows(r.polyhedron.inequalities),
                "interior_point": [str(v) for v in r.interior_point],
                "bounded": r.bounded,
                "affine_map": {"A": rows(r.affine_map[0]), "c": [str(v) for v in r.affine_map[1]]},
                "neighbors": sorted(self.index()[f.neighbor] for f in r.facets if f.neighbor is not None),
            } for r in self.regions],
        }

    def bent_hyperplanes(self) -> dict[Neuron, tuple[int, ...]]:
        """For each neuron ``(l, i)``: the regions its bent hyperplane ``{z = 0}`` bounds (via a facet)."""
        out: dict[Neuron, set[int]] = {(l, i): set() for l, w in enumerate(self.net.hidden_widths) for i in range(w)}
        for k, r in enumerate(self.regions):
            for f in r.facets:
                for n in f.neurons:
                    out[n].add(k)
        return {n: tuple(sorted(s)) for n, s in out.items()}


# ---------------------------------------------------------------------- building one region from its pattern
def _domain_rows(net: Network, domain: Polyhedron | None) -> list[Row]:
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
        IV = [_int_point(v) for v in V]
        IR = [_int_point(y)[1] for y in R]
        IL = [_int_point(y)[1] for y in L]
        if V and all(_implied(_int_row(r), IV, IR, IL) for r in dropped):
            gens = [[D, *X] for D, X in IV] + [[0, *Y] for Y in IR] + [[0, *Y] for Y in IL]
            if _rank(gens) == d + 1:
                facets = []
                for r in sub:
                    ir = _int_row(r)
                    tight = [g for g in gens if sum(a * x for a, x in zip(ir, g, strict=True)) == 0]
                    if len(tight) >= d and _rank(tight) == d:
                        facets.append(r)
                return sorted({normalize_inequality(r) for r in facets}), (V, R, L)
    ineq, eq, _ = _cdd.canonicalize(rows, [])
    if eq:
        raise EmptyRegionError(f"pattern {pattern} gives a lower-dimensional cell")
    canon = sorted({normalize_inequality(r) for r in ineq})
    return canon, _cdd.generators(canon, [], d)


def _int_row(r: Sequence[Any]) -> list[int]:
    if all(type(v) is int for v in r):
        return list(r)
    return _int_point([Fraction(v) for v in r])[1]


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


def _normalize_ray(y: Sequence[Fraction]) -> Row:
    """A ray scaled by a positive factor so that its first nonzero coordinate is ``±1`` (canonical direction)."""
    piv = abs(next(v for v in y if v))
    return tuple(Fraction(v) / piv for v in y)


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
    for any size of integers: both are scaled by the same power of two first (int / int division is correctly
    rounded and cannot overflow), so a 401-digit coefficient is as good as a small one."""
    y, x = -h[1], h[2]
    e = max(abs(y).bit_length(), abs(x).bit_length()) - 1000
    if e > 0:
        s = 1 << e
        return atan2(y / s, x / s) % tau
    return atan2(y, x) % tau


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


def _irredundant_2d(rows: list[Any]
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
        ir = r if type(r) is list and type(r[0]) is int and type(r[1]) is int and type(r[2]) is int else _int_row(r)
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
    R = sorted({_normalize_ray(tuple(Fraction(c) for c in y)) for y in rays})
    if len(R) > 2 or (len(R) == 2 and R[0][0] * R[1][1] - R[0][1] * R[1][0] == 0):
        return None
    if len(kept) != len(V) + (1 if R else 0):
        return None
    IR = [_int_point(y)[1] for y in R]
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



def _irredundant_1d(rows: list[Any]
                    ) -> tuple[list[Row], tuple[list[Row], list[Row], list[Row]], list[tuple[int, int]]] | None:
    """d = 1: the interval ``{x : b + a x >= 0}`` by exact comparisons (same output as :func:`_irredundant_2d`)."""
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
    return canon, (V, R, []), [_int_row(r) for r in canon]

def _build_region(inet: _IntNet, dom_rows: list[Row], pattern: Pattern) -> Region:
    d = inet.d
    forms, out_rows = inet.forms(pattern)
    rows: list[Any] = list(dom_rows)
    for l, layer_forms in enumerate(forms):
        for i, r in enumerate(layer_forms):
            s = pattern[l][i]
            if s == 0:
                if any(r):
                    raise PolyhedralComputationError(f"pattern sign 0 for neuron {(l, i)} that is not identically 0")
                continue
            if any(r[1:]):
                rows.append([s * v for v in r])
            elif s * r[0] <= 0:
                raise EmptyRegionError(f"pattern {pattern} is empty (neuron {(l, i)} is constant)")
    fast = None
    if _FAST_2D and rows and d <= 2:
        fast = _irredundant_2d(rows) if d == 2 else _irredundant_1d(rows)
    elif _FAST_ND and d >= 3:
        reg = _build_region_nd(inet, dom_rows, pattern, forms, out_rows)
        if reg is not None:
            return reg
    if fast is not None:
        canon, (V, R, L), icanon = fast
    else:
        canon, (V, R, L) = _irredundant(rows, d, pattern)
        R = [_normalize_ray(y) for y in R]
        icanon = [_int_row(r) for r in canon]
    poly = Polyhedron(tuple(canon), (), ambient_dim=d)
    if not V:
        raise EmptyRegionError(f"pattern {pattern} is empty")
    IV = [_int_point(v) for v in V]
    IR = [_int_point(y) for y in R]
    point = _combine(IV, IR, d)
    PD, PX = _int_point(point)
    if not all(_isign(r, PD, PX) > 0 for r in icanon):
        raise EmptyRegionError(f"pattern {pattern} has an empty interior")
    bounded = not R and not L
    facets = []
    for r, ir in zip(canon, icanon, strict=True):
        Vr = [(D, X) for D, X in IV if ir[0] * D + sum(u * x for u, x in zip(ir[1:], X, strict=True)) == 0]
        Rr = [(D, Y) for D, Y in IR if sum(u * x for u, x in zip(ir[1:], Y, strict=True)) == 0]
        if not Vr:  # pragma: no cover - every face of a polyhedron with these generators has a point
            raise PolyhedralComputationError(f"facet {r} of pattern {pattern} has no generator point")
        facets.append(_facet(inet, forms, pattern, dom_rows, r, _combine(Vr, Rr, d)))
    gens = None if L else (IV, IR)
    return Region(pattern, poly, point, inet.affine_map(out_rows), bounded, tuple(facets), gens)


def _build_region_nd(inet: _IntNet, dom_rows: list[Row], pattern: Pattern, forms: list[list[list[int]]],
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

    def add(key: tuple[int, ...], src: Neuron | None) -> None:
        k = index.get(key)
        if k is None:
            k = index[key] = len(prim)
            prim.append(key)
            sources.append([])
            boundary.append(False)
        if src is None:
            boundary[k] = True
        else:
            sources[k].append(src)

    for r in dom_rows:
        pr = _primitive_or_none(_int_row(r))
        if pr is not None:
            add(pr, None)
    has_zero = False
    for l, layer_forms in enumerate(forms):
        for i, pr in enumerate(inet.primitive(l, pattern, layer_forms)):
            s = pattern[l][i]
            if s == 0:
                has_zero = True
            elif pr is not None:
                add(pr if s > 0 else tuple(-v for v in pr), (l, i))
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

    cell = _simplecell.simple_cell(prim, d, inet.vertex_cache, vertex_key)
    if cell is None:
        return None
    canon_k = _sorted_canonical(inet, [(prim[k], k) for k in cell.facets])
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
    point = _combine(V, R, d)
    facets = []
    for row, k in canon_k:
        q: Any = _Average(*on[k], d)
        srcs = sources[k]  # sorted: added layer by layer
        if has_zero or not srcs or srcs[0][0] != srcs[-1][0]:
            if has_zero or srcs or not boundary[k]:
                facets.append(_facet(inet, forms, pattern, dom_rows, row, _combine(*on[k], d)))
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


def _combine(V: list[tuple[int, Sequence[int]]], R: list[tuple[int, Sequence[int]]], d: int) -> tuple[Fraction, ...]:
    """The average of the points plus the sum of the rays, given as integer pairs ``(D, X)`` = ``X / D``: a point of
    the relative interior of conv(V) + cone(R)."""
    n = len(V)
    L = 1
    for D, _ in V + R:
        if D != 1:
            L = L * D // gcd(L, D)
    total = [0] * d
    for idx, (D, X) in enumerate(V + R):
        f = (L // D) * (1 if idx < n else n)
        for k in range(d):
            total[k] += f * X[k]
    den = L * n
    return tuple(Fraction(t, den) for t in total)


def _facet(inet: _IntNet, forms: list[list[list[int]]], pattern: Pattern, dom_rows: list[Row], row: Row,
           q: tuple[Fraction, ...]) -> Facet:
    """The facet of the region ``pattern`` in ``row`` through its relative-interior point ``q``: the neighbour's
    pattern layer by layer (module docstring); forms of later layers are updated only where a sign changed."""
    on_boundary = any(_val(r, q) == 0 for r in dom_rows)
    D, X = _int_point(q)
    _, A = _int_point(row[1:])  # a positive multiple of the normal a (points into the region)
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
            t_layer = [_isign(r, D, X) for r in rows]
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


# ---------------------------------------------------------------------- enumeration
def _check_limit(count: int, max_regions: int) -> None:
    if count > max_regions:
        raise RegionLimitError(f"the complex has more than max_regions={max_regions} regions; raise the bound")


def _split_patterns(inet: _IntNet, dom_rows: list[Row], max_regions: int,
                    progress: Callable[[int], None] | None) -> list[Pattern]:
    """docs/mathematics.md A2: split cells neuron by neuron, one exact LP per (cell, neuron) unless the sign test
    settles it."""
    d = inet.d
    start = _cdd.slack_point(dom_rows, [], d)
    if start is None:
        raise EmptyRegionError("the domain has an empty interior")
    # a cell: (rows, interior point, pattern so far, post-activation rows of the last processed layer)
    cells: list[tuple[list[Any], tuple[Fraction, ...], list[tuple[int, ...]], list[list[int] | None]]] = [
        (list(dom_rows), start[0], [], inet.start())]
    for l in range(inet.depth):
        new_cells = []
        for rows, p, pat, post in cells:
            forms = inet.pre(l, post)
            sub: list[tuple[list[Any], tuple[Fraction, ...], list[int]]] = [(rows, p, [])]
            for r in forms:
                nxt = []
                neg = [-x for x in r]
                for crows, cp, cs in sub:
                    if not any(r[1:]):
                        nxt.append((crows, cp, cs + [(r[0] > 0) - (r[0] < 0)]))
                        continue
                    D, X = _int_point(cp)
                    sg = _isign(r, D, X)
                    if sg != 0:
                        other = neg if sg > 0 else r
                        res = _cdd.slack_point(crows + [other], [], d)
                        if res is None:
                            nxt.append((crows, cp, cs + [sg]))
                        else:
                            same = r if sg > 0 else neg
                            nxt.append((crows + [same], cp, cs + [sg]))
                            nxt.append((crows + [other], res[0], cs + [-sg]))
                    else:
                        for sgn, rr in ((1, r), (-1, neg)):
                            res = _cdd.slack_point(crows + [rr], [], d)
                            if res is not None:  # always, since the hyperplane meets the open cell
                                nxt.append((crows + [rr], res[0], cs + [sgn]))
                sub = nxt
                _check_limit(len(new_cells) + len(sub) + len(cells), max_regions + len(cells))
            for crows, cp, cs in sub:
                new_cells.append((crows, cp, pat + [tuple(cs)], inet.post(forms, cs)))
            _check_limit(len(new_cells), max_regions)
            if progress is not None:
                progress(len(new_cells))
        cells = new_cells
    return [tuple(pat) for _, _, pat, _ in cells]


def _first_pattern(inet: _IntNet, dom_rows: list[Row]) -> Pattern:
    """One region's pattern: follow one nonempty side at every neuron (at most 1 LP per neuron)."""
    d = inet.d
    start = _cdd.slack_point(dom_rows, [], d)
    if start is None:
        raise EmptyRegionError("the domain has an empty interior")
    rows: list[Any] = list(dom_rows)
    p = start[0]
    pat: list[tuple[int, ...]] = []
    post = inet.start()
    for l in range(inet.depth):
        forms = inet.pre(l, post)
        s_layer = []
        for r in forms:
            if not any(r[1:]):
                s_layer.append((r[0] > 0) - (r[0] < 0))
                continue
            D, X = _int_point(p)
            sg = _isign(r, D, X)
            if sg == 0:
                res = _cdd.slack_point(rows + [r], [], d)
                assert res is not None
                p = res[0]
                sg = 1
            rows.append([sg * x for x in r])
            s_layer.append(sg)
        pat.append(tuple(s_layer))
        post = inet.post(forms, s_layer)
    return tuple(pat)


def _walk(inet: _IntNet, dom_rows: list[Row], max_regions: int,
          progress: Callable[[int], None] | None) -> dict[Pattern, Region]:
    first = _first_pattern(inet, dom_rows)
    found: dict[Pattern, Region] = {}
    queue = deque([first])
    seen = {first}
    while queue:
        pat = queue.popleft()
        reg = _build_region(inet, dom_rows, pat)
        found[pat] = reg
        if progress is not None:
            progress(len(found))
        for f in reg.facets:
            if f.neighbor is not None and f.neighbor not in seen:
                seen.add(f.neighbor)
                _check_limit(len(seen), max_regions)
                queue.append(f.neighbor)
    return found


def regions(net: Network, domain: Polyhedron | None = None, *, max_regions: int = DEFAULT_MAX_REGIONS,
            method: str = "auto", progress: Callable[[int], None] | None = None) -> PolyhedralComplex:
    """The canonical polyhedral complex C_θ of ``net`` on ``domain`` (``R^d`` when None), exactly (docs/mathematics.md
    A2).

    Parameters
    ----------
    net : the network.
    domain : a full-dimensional :class:`~exactrelu.geometry.polyhedra.Polyhedron` (e.g. ``Box``, ``Orthant``) or None.
    max_regions : raise :class:`~exactrelu.core.errors.RegionLimitError` as soon as more regions are found.
    method : ``"split"`` — layer-by-layer splitting with exact LP pruning (the reference): for each cell and neuron,
        the sign of the neuron's affine form at the cell's interior point tells one side; one slack LP decides whether
        the other side meets the open cell.  ``"walk"`` — start from one region and cross every facet (the pattern
        across is computed exactly, see the module docstring); connectedness of the domain makes it complete.
        ``"auto"`` = ``"walk"``.  Both return equal complexes.  Each region's facets and generators come from an
        exact integer half-plane intersection (d <= 2) or from a floating-point double description certified exactly
        (:mod:`exactrelu.geometry.simplecell`, d >= 3), with the exact cdd path for cells that are not simple.
    progress : called with the number of regions found so far (used by the CLI progress bar).

    Returns
    -------
    PolyhedralComplex with regions sorted by pattern.

    Raises
    ------
    RegionLimitError, EmptyRegionError (lower-dimensional or empty domain), ShapeError.
    """
    if not isinstance(net, Network):
        raise ShapeError("regions() needs an exactrelu Network")
    if method not in ("auto", "split", "walk"):
        raise ValueError(f"unknown method {method!r}; choose 'auto', 'split' or 'walk'")
    if max_regions < 1:
        raise RegionLimitError("max_regions must be >= 1")
    dom_rows = _domain_rows(net, domain)
    inet = _IntNet(net)
    # The enumeration allocates millions of small acyclic objects; the cyclic garbage collector would rescan the
    # growing heap again and again (measured: 20-35% of the time).  It is paused meanwhile and restored after.
    paused = gc.isenabled()
    gc.disable()
    try:
        if method == "split":
            pats = _split_patterns(inet, dom_rows, max_regions, progress)
            regs = [_build_region(inet, dom_rows, p) for p in sorted(pats)]
        else:
            found = _walk(inet, dom_rows, max_regions, progress)
            regs = [found[p] for p in sorted(found)]
    finally:
        if paused:
            gc.enable()
    return PolyhedralComplex(net, domain, tuple(regs))


# ---------------------------------------------------------------------- summaries (CLI and report)
def _neurons(d: dict[Neuron, tuple[int, Fraction]]) -> list[dict[str, Any]]:
    return [{"layer": l + 1, "neuron": i + 1, "region": k, "extreme_value": str(v)} for (l, i), (k, v) in d.items()]


def summary(C: PolyhedralComplex) -> dict[str, Any]:
    """The counts printed by ``exactrelu regions`` (JSON-able; neurons 1-based here).

    >>> from exactrelu import examples
    >>> s = summary(regions(examples.relu_of_sum()))
    >>> s["activation_regions"], s["linear_regions"], s["breakpoint_facets"], s["breakpoint_vertices"]
    (7, 4, 5, 2)
    """
    d = C.dim
    B = C.breakpoint_complex()
    verts = B.vertices
    return {
        "architecture": list(C.net.architecture),
        "domain": "R^d" if C.domain is None else "polyhedron",
        "activation_regions": len(C.regions),
        "linear_regions": len(C.linear_regions()),
        "bounded_regions": sum(r.bounded for r in C.regions),
        "vertices": len(C.faces(0)),
        "facets": len(C.faces(d - 1)),
        "interior_facets": C.adjacency_graph().number_of_edges(),
        "ridges_balanced": C.check_balancing(),
        "breakpoint_regions": B.num_regions,
        "breakpoint_facets": len(B.facets),
        "breakpoint_ridges": len(B.ridges),
        "breakpoint_vertices": None if verts is None else len(verts),
        "dead_neurons": _neurons(C.dead_neurons()),
        "always_active_neurons": _neurons(C.always_active_neurons()),
        "first_layer_visible": {str(i + 1): v for i, v in C.first_layer_visibility().items()},
        "supertransversal": C.is_supertransversal(),
    }


def regions_section(net: Network, outdir: Any) -> Any:
    """Report section: counts of C_θ and B_θ, the jumps of B_θ, and a PNG of the complex (d = 1, 2)."""
    from pathlib import Path

    from exactrelu.cli.report import ReportSection
    from exactrelu.geometry.certificate import check_certificate, complex_certificate

    C = regions(net, max_regions=5000)
    info = summary(C)
    B = C.breakpoint_complex()
    lines = [f"C_θ has **{info['activation_regions']}** activation regions ({info['bounded_regions']} bounded), "
             f"{info['facets']} facets and {info['vertices']} vertices; balancing holds at all "
             f"{info['ridges_balanced']} ridges.  They merge into **{info['linear_regions']}** linear regions.",
             "",
             f"The breakpoint complex B_θ (a function invariant) has {info['breakpoint_regions']} regions, "
             f"{info['breakpoint_facets']} facets and {info['breakpoint_vertices']} vertices.  "
             f"Supertransversal: {'yes' if info['supertransversal'] else 'no'}.  First-layer hyperplanes visible: "
             + ", ".join(f"{k}: {'yes' if v else 'no'}" for k, v in info["first_layer_visible"].items()) + ".",
             "", "| B_θ facet: hyperplane t + n·x = 0 | weight ω |", "| --- | --- |"]
    for f in B.facets:
        hyp = " + ".join([str(f.hyperplane[0])] + [f"{v}·x{k + 1}" for k, v in enumerate(f.hyperplane[1:]) if v])
        lines.append(f"| {hyp} = 0 | {', '.join(map(str, f.omega))} |")
    dead = ", ".join(f"({n['layer']},{n['neuron']}) max z = {n['extreme_value']}" for n in info["dead_neurons"])
    lines += ["", f"Dead neurons: {dead or 'none'}."]
    cert = complex_certificate(C)
    check = check_certificate(cert)
    lines += [f"A region-by-region certificate was re-verified independently ({check['lps']} exact LPs)."]
    files: list[str] = []
    if net.input_dim <= 2:
        from exactrelu.geometry.plotting import plot

        png = Path(outdir) / "regions.png"
        try:
            plot(C, png, color_by="map")
        except NotApplicableError as exc:  # coordinates beyond what a float picture can show
            lines += ["", f"No picture: {exc}."]
        else:
            files.append(str(png))
            lines += ["", "![C_θ coloured by linear region, B_θ in black with its weights](regions.png)"]
    return ReportSection("regions", "Regions and the breakpoint complex", "\n".join(lines),
                         {**info, "breakpoint_complex": B.to_dict(), "certificate_lps": check["lps"]}, tuple(files))
