"""Activation regions of a ReLU network on any DAG, by exact region splitting (docs/mathematics.md A2).

The hidden vertices are visited in the network's fixed topological order (``GraphNetwork.hidden_order``).  A cell is
a partial sign pattern together with the open polyhedron where the vertices visited so far have those strict signs.
On a cell every visited vertex is affine in ``x``, so the next vertex's pre-activation ``z_v`` is an exact affine form
``c + a·x``; the cell splits into ``{z_v > 0}`` and ``{z_v < 0}``, and a side is kept iff it has an interior point,
decided by the exact slack-maximising LP (cddlib, GMP).  The side holding the cell's own interior point needs no LP.
A form that is constant on the cell gives sign ``+1``/``-1`` (or ``0`` when it vanishes identically) without a split.

The result lists each activation region (full-dimensional cell of the canonical complex) with its pattern, its
inequalities, an exact interior point and the affine map of the network on it.  Linear regions are the connected
components (through common facets) of the unions of regions with the same affine map.

Layered networks are better served by :func:`exactrelu.geometry.regions.regions` (certificates, faces, B_θ): the
command line converts layered graphs to that path; this module handles every other DAG.

Examples
--------
>>> from exactrelu.core.graph import GraphNetwork
>>> g = GraphNetwork.from_edges(["x"], ["y"], [("a", 0), ("b", -1), "y"],
...     [("x", "a", 1), ("a", "b", 1), ("x", "b", 1), ("b", "y", 1), ("x", "y", 1)])
>>> C = graph_regions(g)
>>> [r.pattern for r in C.regions]
[(-1, -1), (1, -1), (1, 1)]
>>> [str(r.point[0]) for r in C.regions]
['-1', '1/3', '1']
>>> len(C.linear_regions())
2
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import RegionLimitError, ShapeError
from exactrelu.core.graph import GraphNetwork, GraphPattern
from exactrelu.core.rational import as_rational, format_rational
from exactrelu.engines.cddlib import slack_point
from exactrelu.geometry.polyhedra import Polyhedron, Row

__all__ = ["GraphRegion", "GraphComplex", "graph_regions", "graph_regions_summary"]

_ZERO = Fraction(0)
Form = tuple[Fraction, ...]  # (c, a1, ..., ad): c + a·x


@dataclass(frozen=True)
class GraphRegion:
    """One activation region: its pattern (signs in ``hidden_order``), inequalities ``b + a·x >= 0`` (the closure),
    an exact interior point, and ``f(x) = A x + c`` on it."""

    pattern: GraphPattern
    inequalities: tuple[Row, ...]
    point: tuple[Fraction, ...]
    A: tuple[tuple[Fraction, ...], ...]
    c: tuple[Fraction, ...]

    def contains(self, x: Sequence[object]) -> bool:
        """Whether ``x`` lies in the closed region."""
        xs = tuple(as_rational(v) for v in x)
        return all(r[0] + sum((a * v for a, v in zip(r[1:], xs)), _ZERO) >= 0 for r in self.inequalities)

    @property
    def polyhedron(self) -> Polyhedron:
        return Polyhedron(self.inequalities, (), ambient_dim=len(self.point))

    def __repr__(self) -> str:
        return f"GraphRegion(pattern={self.pattern}, point=({', '.join(map(format_rational, self.point))}))"


@dataclass(frozen=True)
class GraphComplex:
    """The activation regions of a graph network on a domain (``R^d`` unless ``domain`` rows are given)."""

    network: GraphNetwork
    regions: tuple[GraphRegion, ...]
    domain: tuple[Row, ...] = ()

    @property
    def dim(self) -> int:
        return self.network.input_dim

    def region_of(self, x: Sequence[object]) -> GraphRegion:
        """The region whose closure holds ``x`` (the first one in pattern order when ``x`` is on a boundary)."""
        for r in self.regions:
            if r.contains(x):
                return r
        raise ShapeError("the point lies outside the domain")

    def linear_regions(self) -> tuple[tuple[GraphRegion, ...], ...]:
        """Groups of regions forming one linear region: same affine map and connected through common facets
        (two closures meeting in dimension ``d - 1``, an exact LP)."""
        import networkx as nx

        by_map: dict[Any, list[int]] = {}
        for i, r in enumerate(self.regions):
            by_map.setdefault((r.A, r.c), []).append(i)
        out: list[tuple[GraphRegion, ...]] = []
        d = self.dim
        for idx in by_map.values():
            G = nx.Graph()
            G.add_nodes_from(idx)
            for pos, i in enumerate(idx):
                for j in idx[pos + 1:]:
                    P = Polyhedron(self.regions[i].inequalities + self.regions[j].inequalities, (), ambient_dim=d)
                    if P.dimension == d - 1:
                        G.add_edge(i, j)
            for comp in nx.connected_components(G):
                out.append(tuple(self.regions[i] for i in sorted(comp)))
        return tuple(sorted(out, key=lambda grp: grp[0].pattern))

    def to_dict(self) -> dict[str, Any]:
        """Exact JSON data: every region's pattern, inequalities, interior point and affine map."""
        f = format_rational
        return {"hidden_order": list(self.network.hidden_order),
                "regions": [{"pattern": list(r.pattern), "point": [f(v) for v in r.point],
                             "inequalities": [[f(v) for v in row] for row in r.inequalities],
                             "A": [[f(v) for v in row] for row in r.A], "c": [f(v) for v in r.c]}
                            for r in self.regions]}

    def __repr__(self) -> str:
        return f"GraphComplex(d={self.dim}, regions={len(self.regions)}, hidden vertices={self.network.num_hidden})"


def _value(form: Form, x: Sequence[Fraction]) -> Fraction:
    return sum((a * v for a, v in zip(form[1:], x)), form[0])


def graph_regions(g: GraphNetwork, domain: Polyhedron | None = None, *, max_regions: int = 100_000,
                  progress: Callable[[int], None] | None = None) -> GraphComplex:
    """Every activation region of ``g`` (inside ``domain``), by exact region splitting in topological order."""
    d = g.input_dim
    dom_rows: tuple[Row, ...] = ()
    if domain is not None:
        if domain.ambient_dim != d:
            raise ShapeError(f"domain has dimension {domain.ambient_dim}, network has {d} inputs")
        if domain.equalities:
            raise ShapeError("the domain must be full-dimensional (no equality rows)")
        dom_rows = domain.inequalities
    start = slack_point(list(dom_rows), [], d) if dom_rows else ((_ZERO,) * d, Fraction(1))
    if start is None:
        raise ShapeError("the domain has no interior point")
    unit = [tuple(Fraction(int(i == j)) for j in range(d + 1)) for i in range(1, d + 1)]
    inputs = dict(zip(g.inputs, unit))
    order = g.hidden_order
    outs = set(g.outputs)
    # a cell: (signs so far, inequality rows, interior point, post-activation forms of visited vertices)
    cells: list[tuple[tuple[int, ...], tuple[Row, ...], tuple[Fraction, ...], dict[str, Form]]] = [
        ((), dom_rows, start[0], dict(inputs))]
    zero_form: Form = (_ZERO,) * (d + 1)
    incoming = {v: [(g.edges[k].source, g.edges[k].weight) for k in g.in_edges(v)] for v in g.nodes}

    def form_of(v: str, post: dict[str, Form]) -> Form:
        b = g.bias(v) or _ZERO
        acc = [b] + [_ZERO] * d
        for u, w in incoming[v]:
            fu = post[u]
            if fu is not zero_form:
                for j in range(d + 1):
                    acc[j] += w * fu[j]
        return tuple(acc)

    for v in order:
        nxt = []
        for signs, rows, point, post in cells:
            z = form_of(v, post)
            if not any(z[1:]):
                s = (z[0] > 0) - (z[0] < 0)
                nxt.append((signs + (s,), rows, point, {**post, v: z if s > 0 else zero_form}))
                continue
            here = _value(z, point)
            for s in (1, -1):
                row = tuple(s * t for t in z)
                new_rows = rows + (row,)
                if here * s > 0:
                    p = point
                else:
                    res = slack_point(list(new_rows), [], d)
                    if res is None:
                        continue
                    p = res[0]
                nxt.append((signs + (s,), new_rows, p, {**post, v: z if s > 0 else zero_form}))
        cells = nxt
        if len(cells) > max_regions:
            raise RegionLimitError(f"more than {max_regions} cells after splitting on vertex {v}")
        if progress is not None:
            progress(len(cells))
    regions = []
    for signs, rows, point, post in cells:
        A = []
        c = []
        for y in g.outputs:
            z = form_of(y, post) if y in outs else zero_form
            c.append(z[0])
            A.append(tuple(z[1:]))
        regions.append(GraphRegion(signs, rows, point, tuple(A), tuple(c)))
    regions.sort(key=lambda r: r.pattern)
    return GraphComplex(g, tuple(regions), dom_rows)


def graph_regions_summary(C: GraphComplex) -> dict[str, Any]:
    """Counts for reports and ``--json``: activation regions, linear regions, bounded regions, hidden order."""
    bounded = sum(1 for r in C.regions if r.polyhedron.bounded)
    never_on = [v for i, v in enumerate(C.network.hidden_order) if all(r.pattern[i] <= 0 for r in C.regions)]
    always_on = [v for i, v in enumerate(C.network.hidden_order) if all(r.pattern[i] > 0 for r in C.regions)]
    return {"kind": "graph", "hidden_order": list(C.network.hidden_order), "activation_regions": len(C.regions),
            "bounded_regions": bounded, "linear_regions": len(C.linear_regions()),
            "dead_vertices": never_on, "always_active_vertices": always_on}
