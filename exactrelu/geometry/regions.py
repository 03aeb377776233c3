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
from typing import Any

from exactrelu.core.errors import EmptyRegionError, RegionLimitError, ShapeError
from exactrelu.core.network import Network, Pattern
from exactrelu.core.rational import as_rational
from exactrelu.engines import cddlib as _cdd
from exactrelu.geometry.cells import Facet, LinearRegion, Neuron, Region
from exactrelu.geometry.construct import build_region, domain_rows
from exactrelu.geometry.kernel import IntNet, int_point, isign
from exactrelu.geometry.polyhedra import Polyhedron, Row

__all__ = ["Region", "Facet", "PolyhedralComplex", "LinearRegion", "regions", "neuron_forms", "summary", "face_counts",
           "DEFAULT_MAX_REGIONS"]

DEFAULT_MAX_REGIONS = 100_000


def neuron_forms(net: Network, pattern: Pattern) -> list[list[Row]]:
    """For each hidden layer, the rows ``(v_i, M_i)`` with ``z^(l)_i(x) = v_i + M_i·x`` on the cell of ``pattern``.

    Only the patterns of earlier layers are used for layer ``l`` (docs/mathematics.md §1).

    >>> from exactrelu import examples
    >>> neuron_forms(examples.relu_of_sum(), ((1, -1), (1,)))[1]
    [(Fraction(-1, 1), Fraction(1, 1), Fraction(0, 1))]
    """
    inet = IntNet(net)
    forms, _ = inet.forms(pattern)
    return [[tuple(Fraction(v, inet.scales[l]) for v in r) for r in rows] for l, rows in enumerate(forms)]


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
    def neuron_form(self, pattern: Pattern, neuron: Neuron) -> Row:
        """The row ``(v, M)`` with ``z_neuron(x) = v + M·x`` on the cell of ``pattern`` (exact)."""
        l, i = neuron
        return neuron_forms(self.net, pattern)[l][i]

    def _extreme(self, neuron: Neuron, sense: int) -> tuple[int, Fraction] | None:
        """Over all regions, the largest (``sense=+1``) or smallest (``-1``) value of ``z_neuron`` on the closed
        region, with the region attaining it; None when unbounded."""
        l, i = neuron
        best: tuple[int, Fraction] | None = None
        d = self.dim
        for k, r in enumerate(self.regions):
            form = self.neuron_form(r.pattern, neuron)
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

    def network_dict(self) -> dict[str, Any]:
        """The network as a JSON document (:func:`exactrelu.core.io.network_to_dict`)."""
        from exactrelu.core.io import network_to_dict

        return network_to_dict(self.net)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able export of the complex, every number an exact string."""

        def rows(rs: Sequence[Row]) -> list[list[str]]:
            return [[str(v) for v in r] for r in rs]

        return {
            "format": "exactrelu-complex", "version": 1,
            "network": self.network_dict(),
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


# ---------------------------------------------------------------------- enumeration
def _check_limit(count: int, max_regions: int) -> None:
    if count > max_regions:
        raise RegionLimitError(f"the complex has more than max_regions={max_regions} regions; raise the bound")


def _split_patterns(inet: IntNet, dom_rows: list[Row], max_regions: int,
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
                    D, X = int_point(cp)
                    sg = isign(r, D, X)
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


def _first_pattern(inet: IntNet, dom_rows: list[Row]) -> Pattern:
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
            D, X = int_point(p)
            sg = isign(r, D, X)
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


def _walk(inet: IntNet, dom_rows: list[Row], max_regions: int,
          progress: Callable[[int], None] | None) -> dict[Pattern, Region]:
    first = _first_pattern(inet, dom_rows)
    found: dict[Pattern, Region] = {}
    queue = deque([first])
    seen = {first}
    while queue:
        pat = queue.popleft()
        reg = build_region(inet, dom_rows, pat)
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
    dom_rows = domain_rows(net, domain)
    inet = IntNet(net)
    # The enumeration allocates millions of small acyclic objects; the cyclic garbage collector would rescan the
    # growing heap again and again (measured: 20-35% of the time).  It is paused meanwhile and restored after.
    paused = gc.isenabled()
    gc.disable()
    try:
        if method == "split":
            pats = _split_patterns(inet, dom_rows, max_regions, progress)
            regs = [build_region(inet, dom_rows, p) for p in sorted(pats)]
        else:
            found = _walk(inet, dom_rows, max_regions, progress)
            regs = [found[p] for p in sorted(found)]
    finally:
        if paused:
            if not gc.get_freeze_count():
                # the young generation now holds every object of the enumeration: moved to the oldest generation in
                # O(1) instead of being scanned by the next young collections (still collected by full collections)
                gc.freeze()
                gc.unfreeze()
            gc.enable()
    return PolyhedralComplex(net, domain, tuple(regs))


# ---------------------------------------------------------------------- summaries (CLI and report)
def _neurons(d: dict[Neuron, tuple[int, Fraction]]) -> list[dict[str, Any]]:
    return [{"layer": l + 1, "neuron": i + 1, "region": k, "extreme_value": str(v)} for (l, i), (k, v) in d.items()]


def summary(C: PolyhedralComplex, *, faces: bool = False, breakpoints: bool = False) -> dict[str, Any]:
    """The counts printed by ``exactrelu regions`` (JSON-able; neurons 1-based here).

    The counts of the regions themselves (activation, linear and bounded regions, facets, interior facets, dead and
    always-active neurons, first-layer visibility) come with the enumeration.  ``faces=True`` adds what needs the face
    lattice (vertices, balanced ridges, supertransversality) and ``breakpoints=True`` the breakpoint complex B_θ;
    their keys are always present and None when not computed.

    >>> from exactrelu import examples
    >>> s = summary(regions(examples.relu_of_sum()))
    >>> s["activation_regions"], s["linear_regions"], s["facets"], s["breakpoint_facets"], s["vertices"]
    (7, 4, 9, None, None)
    >>> s = summary(regions(examples.relu_of_sum()), faces=True, breakpoints=True)
    >>> s["vertices"], s["breakpoint_facets"], s["breakpoint_vertices"]
    (3, 5, 2)
    """
    interior = C.adjacency_graph().number_of_edges()
    info: dict[str, Any] = {
        "architecture": list(C.net.architecture),
        "domain": "R^d" if C.domain is None else "polyhedron",
        "activation_regions": len(C.regions),
        "linear_regions": len(C.linear_regions()),
        "bounded_regions": sum(r.bounded for r in C.regions),
        "vertices": None,
        # a facet of C_θ is a facet of each region it bounds: once per adjacency edge, once on the domain boundary
        "facets": interior + sum(f.neighbor is None for r in C.regions for f in r.facets),
        "interior_facets": interior,
        "ridges_balanced": None,
        "breakpoint_regions": None,
        "breakpoint_facets": None,
        "breakpoint_ridges": None,
        "breakpoint_vertices": None,
        "dead_neurons": _neurons(C.dead_neurons()),
        "always_active_neurons": _neurons(C.always_active_neurons()),
        "first_layer_visible": {str(i + 1): v for i, v in C.first_layer_visibility().items()},
        "supertransversal": None,
    }
    return info | face_counts(C, faces=faces, breakpoints=breakpoints)


def face_counts(C: PolyhedralComplex, *, faces: bool = False, breakpoints: bool = False) -> dict[str, Any]:
    """The summary keys that need the face lattice (``faces``) or B_θ (``breakpoints``), for layered and graph
    complexes alike; keys not asked for are absent (the summaries list them as None)."""
    out: dict[str, Any] = {}
    if faces:
        out.update(vertices=len(C.faces(0)), ridges_balanced=C.check_balancing(),
                   supertransversal=C.is_supertransversal())
    if breakpoints:
        B = C.breakpoint_complex()
        verts = B.vertices
        out.update(breakpoint_regions=B.num_regions, breakpoint_facets=len(B.facets), breakpoint_ridges=len(B.ridges),
                   breakpoint_vertices=None if verts is None else len(verts))
    return out
