"""The canonical complex C_θ of a network on any DAG with facets, faces, jumps and B_θ (docs/mathematics.md §1, A2, A3).

:func:`exactrelu.geometry.graph_regions.graph_regions` finds the activation regions of a graph network; this module
turns them into a :class:`GraphPolyhedralComplex`, a :class:`~exactrelu.geometry.regions.PolyhedralComplex` whose
regions carry canonical facet rows, exact generators and, for each facet, a relative-interior point and the pattern
across.  The face lattice, the jumps, the balancing check, supertransversality and the breakpoint complex B_θ of
:mod:`exactrelu.geometry.faces` and :mod:`exactrelu.geometry.breakpoints` then apply unchanged: they need per region
only the inequalities, the generators, an interior point, the affine map and the pre-activation forms of the cell.

Convention: the graph is seen as one "layer" of width 1 per hidden vertex, in
:attr:`~exactrelu.core.graph.GraphNetwork.hidden_order`, so a pattern is ``((s_1,), (s_2,), ...)`` and the neuron
``(k, 0)`` is the k-th hidden vertex.  This is exact, not an approximation: the pre-activation of the k-th vertex on
a cell depends only on the signs of the vertices before it (a topological order), which is all the layered
machinery assumes of a layer.  The pattern across a facet is found vertex by vertex as in
:mod:`exactrelu.geometry.regions`: a vertex with ``z(q) != 0`` keeps its sign, a vertex with ``z(q) = 0`` takes the
sign of ``∇z·n`` (``n`` the outward normal), both computed with the new signs of the earlier vertices.

Examples
--------
>>> from exactrelu.core.graph import GraphNetwork
>>> g = GraphNetwork.from_edges(["x1", "x2"], ["y"], [("h", 0), ("y", 0)],
...     [("x1", "h", 1), ("x2", "h", 1), ("h", "y", 1), ("x1", "y", 1)])
>>> C = graph_complex(g)
>>> len(C.regions), [len(C.faces(k)) for k in (0, 1, 2)]
(2, [0, 1, 2])
>>> B = C.breakpoint_complex()
>>> B.num_regions, [(" ".join(map(str, f.hyperplane)), " ".join(map(str, f.omega))) for f in B.facets]
(2, [('0 1 1', '1')])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any

from exactrelu.core.errors import EmptyRegionError, PolyhedralComputationError, ShapeError
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.network import Pattern
from exactrelu.engines import cddlib as _cdd
from exactrelu.geometry.cells import Facet, Neuron, Region
from exactrelu.geometry.graph_regions import GraphComplex, graph_regions
from exactrelu.geometry.kernel import Matrix, Vector, combine, int_point, normalize_ray
from exactrelu.geometry.polyhedra import Polyhedron, Row, normalize_inequality
from exactrelu.geometry.regions import PolyhedralComplex, face_counts

__all__ = ["VertexLayers", "GraphForms", "GraphPolyhedralComplex", "graph_complex", "graph_complex_summary"]

_ZERO = Fraction(0)
Form = tuple[Fraction, ...]


def _val(row: Sequence[Fraction], x: Sequence[Fraction]) -> Fraction:
    return sum((a * v for a, v in zip(row[1:], x, strict=True)), row[0])


def _sign(v: Fraction) -> int:
    return (v > 0) - (v < 0)


@dataclass(frozen=True)
class VertexLayers:
    """A graph network seen by the layered machinery: one width-1 layer per hidden vertex (``hidden_order``)."""

    graph: GraphNetwork

    @property
    def input_dim(self) -> int:
        return self.graph.input_dim

    @property
    def output_dim(self) -> int:
        return self.graph.output_dim

    @property
    def depth(self) -> int:
        return self.graph.num_hidden

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        return (1,) * self.graph.num_hidden

    @property
    def architecture(self) -> tuple[int, ...]:
        return (self.input_dim, *self.hidden_widths, self.output_dim)

    def pattern(self, x: Sequence[object]) -> Pattern:
        """The ternary sign sequence at ``x``, one 1-tuple per hidden vertex."""
        return tuple((s,) for s in self.graph.pattern(x))

    def __call__(self, x: Sequence[object]) -> tuple[Fraction, ...]:
        return self.graph(x)


class GraphForms:
    """Exact affine forms of a graph network on cells (the duck type of :class:`~exactrelu.geometry.kernel.IntNet`
    that faces use): ``forms(pattern)`` gives, per hidden vertex, ``[row]`` with ``row`` a positive integer multiple
    of ``(c, a)`` where ``z_v = c + a·x`` on the cell, and the output rows."""

    def __init__(self, g: GraphNetwork) -> None:
        self.g = g
        self.d = g.input_dim
        self.depth = g.num_hidden
        self.order = g.hidden_order
        self.offsets = list(range(self.depth))
        self.incoming = {v: [(g.edges[k].source, g.edges[k].weight) for k in g.in_edges(v)] for v in g.nodes}
        self.units: dict[str, Form] = {
            v: tuple(Fraction(int(j == i + 1)) for j in range(self.d + 1)) for i, v in enumerate(g.inputs)}
        self._cache: dict[Pattern, tuple[list[Form], list[Form]]] = {}

    def form(self, v: str, post: dict[str, Form]) -> Form:
        """``z_v`` from the post-activation forms of its predecessors (absent = 0)."""
        acc = [self.g.bias(v) or _ZERO] + [_ZERO] * self.d
        for u, w in self.incoming[v]:
            fu = post.get(u)
            if fu is not None:
                for j in range(self.d + 1):
                    acc[j] += w * fu[j]
        return tuple(acc)

    def exact(self, pattern: Pattern) -> tuple[list[Form], list[Form]]:
        """The exact forms ``z_v`` (hidden vertices, in order) and ``f_j`` (outputs) on the cell of ``pattern``."""
        hit = self._cache.get(pattern)
        if hit is None:
            post = dict(self.units)
            hidden = []
            for v, (s,) in zip(self.order, pattern, strict=True):
                z = self.form(v, post)
                hidden.append(z)
                if s > 0:
                    post[v] = z
            outs = [self.form(y, post) for y in self.g.outputs]
            hit = self._cache[pattern] = (hidden, outs)
        return hit

    @staticmethod
    def _integral(row: Form) -> list[int]:
        den = lcm(*(v.denominator for v in row))
        return [int(v * den) for v in row]

    def forms(self, pattern: Pattern) -> tuple[list[list[list[int]]], list[list[int]]]:
        hidden, outs = self.exact(pattern)
        return [[self._integral(z)] for z in hidden], [self._integral(f) for f in outs]

    def affine_map(self, pattern: Pattern) -> tuple[Matrix, Vector]:
        _, outs = self.exact(pattern)
        return tuple(tuple(f[1:]) for f in outs), tuple(f[0] for f in outs)


def _across(gf: GraphForms, row: Row, q: tuple[Fraction, ...], on_boundary: bool) -> Facet:
    """The facet of a region in ``row`` through its relative-interior point ``q`` (module docstring)."""
    a = row[1:]
    post = dict(gf.units)
    zeros: list[Neuron] = []
    signs: list[tuple[int]] = []
    neighbor: list[tuple[int]] = []
    for k, v in enumerate(gf.order):
        z = gf.form(v, post)
        t = _sign(_val(z, q))
        s = t
        if t == 0:
            zeros.append((k, 0))
            grad = -sum((m * x for m, x in zip(z[1:], a, strict=True)), _ZERO)  # gradient . outward normal
            if grad:
                s = _sign(grad)
            elif any(z[1:]):  # pragma: no cover - excluded by the argument of exactrelu.geometry.regions
                raise PolyhedralComputationError(f"vertex {v} crosses the facet {row} transversally")
        signs.append((t,))
        neighbor.append((s,))
        if s > 0:
            post[v] = z
    return Facet(row, q, tuple(zeros), None if on_boundary else tuple(neighbor), tuple(signs))


def _build(gf: GraphForms, dom_rows: Sequence[Row], pattern: Pattern) -> Region:
    """One region of C_θ from its pattern: exact canonical rows (cdd), exact generators, facets."""
    d = gf.d
    hidden, _ = gf.exact(pattern)
    rows: list[Row] = list(dom_rows)
    for (s,), z in zip(pattern, hidden, strict=True):
        if s == 0:
            if any(z):
                raise PolyhedralComputationError(f"pattern {pattern}: sign 0 for a form that is not identically 0")
            continue
        if any(z[1:]):
            rows.append(tuple(s * v for v in z))
        elif s * z[0] <= 0:
            raise EmptyRegionError(f"pattern {pattern} is empty")
    if rows:
        ineq, eq, _ = _cdd.canonicalize(rows, [])
        if eq:
            raise EmptyRegionError(f"pattern {pattern} gives a lower-dimensional cell")
        canon = sorted({normalize_inequality(r) for r in ineq})
    else:
        canon = []
    V, R, L = _cdd.generators(canon, [], d)
    R = [normalize_ray(y) for y in R]
    IV = [int_point(v) for v in V]
    IR = [int_point(y) for y in R]
    point = combine(IV, IR, d)
    if not all(_val(r, point) > 0 for r in canon):
        raise EmptyRegionError(f"pattern {pattern} has an empty interior")
    facets = []
    for r in canon:
        Vr = [p for p, v in zip(IV, V, strict=True) if _val(r, v) == 0]
        Rr = [p for p, y in zip(IR, R, strict=True) if sum((c * t for c, t in zip(r[1:], y, strict=True)), _ZERO) == 0]
        q = combine(Vr, Rr, d)
        facets.append(_across(gf, r, q, any(_val(dr, q) == 0 for dr in dom_rows)))
    gens = None if L else (IV, IR)
    poly = Polyhedron(tuple(canon), (), ambient_dim=d)
    return Region(pattern, poly, point, gf.affine_map(pattern), not R and not L, tuple(facets), gens)


@dataclass(frozen=True, eq=False)
class GraphPolyhedralComplex(PolyhedralComplex):
    """C_θ of a graph network: ``net`` is a :class:`VertexLayers` view (``net.graph`` is the network); regions,
    adjacency, linear regions, faces, jumps, balancing, supertransversality and B_θ as for layered networks."""

    def __repr__(self) -> str:
        return f"GraphPolyhedralComplex({len(self.regions)} regions, {self.net.depth} hidden vertices)"

    @property
    def graph(self) -> GraphNetwork:
        return self.net.graph

    @property
    def cells(self) -> GraphComplex:
        """The same regions as a :class:`~exactrelu.geometry.graph_regions.GraphComplex` (flat patterns; plots)."""
        if "cells" not in self._cache:
            self._cache["cells"] = graph_regions(self.graph, self.domain, max_regions=max(1, len(self.regions)))
        return self._cache["cells"]

    def int_net(self) -> GraphForms:
        """The forms on cells used by :mod:`exactrelu.geometry.faces` (shared, cached)."""
        if "int_net" not in self._cache:
            self._cache["int_net"] = GraphForms(self.graph)
        return self._cache["int_net"]

    def neuron_form(self, pattern: Pattern, neuron: Neuron) -> Row:
        """The exact pre-activation ``(c, a)`` of the hidden vertex ``neuron = (k, 0)`` on the cell of ``pattern``."""
        return self.int_net().exact(pattern)[0][neuron[0]]

    def first_layer_visibility(self) -> dict[int, bool]:
        """For each hidden vertex fed by inputs only (its bent hyperplane is a whole hyperplane) with a nonzero
        weight: whether some facet in that hyperplane carries a nonzero jump (docs/mathematics.md D1)."""
        g = self.graph
        inputs = set(g.inputs)
        js = self.jumps()
        out = {}
        for k, v in enumerate(g.hidden_order):
            if any(g.edges[e].source not in inputs for e in g.in_edges(v)):
                continue
            z = self.int_net().form(v, dict(self.int_net().units))
            if not any(z[1:]):
                continue
            first = next(t for t in z[1:] if t)
            hyp = tuple(t / first for t in z)
            out[k] = any(j.hyperplane == hyp and any(j.omega) for j in js)
        return out

    def network_dict(self) -> dict[str, Any]:
        """The network as a version-2 document (:func:`exactrelu.core.graph_io.graph_to_dict`)."""
        from exactrelu.core.graph_io import graph_to_dict

        return graph_to_dict(self.graph)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able export as for layered networks, with the patterns flat (one sign per vertex of ``hidden_order``)
        and the network as a version-2 document."""
        out = super().to_dict()
        out["hidden_order"] = list(self.graph.hidden_order)
        for r in out["regions"]:
            r["pattern"] = [s for (s,) in r["pattern"]]
        return out


def graph_complex(g: GraphNetwork, domain: Polyhedron | None = None, *, max_regions: int = 100_000,
                  progress: Callable[[int], None] | None = None) -> GraphPolyhedralComplex:
    """C_θ of a graph network with facets, generators and everything the face lattice and B_θ need.

    The regions are those of :func:`~exactrelu.geometry.graph_regions.graph_regions` (exact splitting in topological
    order); each is then described canonically by exact double description (cddlib, GMP).
    """
    if not isinstance(g, GraphNetwork):
        raise ShapeError("graph_complex() needs a GraphNetwork")
    dom_rows: list[Row] = []
    if domain is not None:
        canon = domain.irredundant()
        if canon.equalities:
            raise EmptyRegionError("the domain must be a full-dimensional polyhedron")
        dom_rows = list(canon.inequalities)
    found = graph_regions(g, domain, max_regions=max_regions, progress=progress)
    gf = GraphForms(g)
    regs = [_build(gf, dom_rows, tuple((s,) for s in r.pattern)) for r in found.regions]
    regs.sort(key=lambda r: r.pattern)
    C = GraphPolyhedralComplex(VertexLayers(g), domain, tuple(regs))
    C._cache["int_net"] = gf
    C._cache["cells"] = found
    return C


def graph_complex_summary(C: GraphPolyhedralComplex, *, faces: bool = False, breakpoints: bool = False
                          ) -> dict[str, Any]:
    """The counts of ``exactrelu regions`` for a graph network (vertices by name; keys as for layered networks, None
    when not computed)."""
    order = C.graph.hidden_order
    interior = C.adjacency_graph().number_of_edges()
    info: dict[str, Any] = {
        "kind": "graph", "hidden_order": list(order),
        "domain": "R^d" if C.domain is None else "polyhedron",
        "activation_regions": len(C.regions), "linear_regions": len(C.linear_regions()),
        "bounded_regions": sum(r.bounded for r in C.regions), "vertices": None,
        "facets": interior + sum(f.neighbor is None for r in C.regions for f in r.facets),
        "interior_facets": interior, "ridges_balanced": None,
        "breakpoint_regions": None, "breakpoint_facets": None, "breakpoint_ridges": None, "breakpoint_vertices": None,
        "dead_vertices": [order[k] for k, _ in C.dead_neurons()],
        "always_active_vertices": [order[k] for k, _ in C.always_active_neurons()],
        "supertransversal": None,
    }
    return info | face_counts(C, faces=faces, breakpoints=breakpoints)
