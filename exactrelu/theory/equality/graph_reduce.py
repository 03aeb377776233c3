"""Remove what a network on a DAG does not use, keeping its function (docs/mathematics.md §3, B4).

Repeated until nothing changes:

* **zero edges**: an edge of weight 0 contributes nothing;
* **invisible vertices**: a hidden vertex with no path to an output;
* **constant vertices**: a hidden vertex with no incoming edge computes ``relu(b)``; that constant is added to the
  bias of each successor (a successor without a bias parameter gets one when the constant is not 0) and the vertex
  goes;
* **dead vertices**: a hidden vertex whose pre-activation is ``<= 0`` on every activation region of the domain
  (exact region enumeration, :func:`exactrelu.geometry.graph_regions.graph_regions`) outputs 0 there.

The reduced network computes the same function on the domain (on ``R^d`` without ``--box``); the tests re-check it
with :func:`~exactrelu.theory.equality.graph_equivalence.graph_equivalent`.  Always-active (linear) vertices are kept
and reported: bypassing them would add skip edges.

Examples
--------
>>> from exactrelu.core.graph import GraphNetwork
>>> g = GraphNetwork.from_edges(["x"], ["y"], [("h", 0), ("dead", -1), ("c", 2), ("lost", 0), "y"],
...     [("x", "h", 1), ("h", "y", 1), ("h", "dead", -1), ("dead", "y", 5), ("c", "y", 3), ("x", "lost", 1),
...      ("x", "y", 0)])
>>> r = graph_reduce(g)
>>> r.network.summary().splitlines()[-2:]
['  h = relu(1*x + 0)', '  y = 1*h + 6']
>>> [(v, why) for v, why in r.removed_vertices]
[('lost', 'invisible'), ('c', 'constant relu(2) = 2'), ('dead', 'dead (z <= 0 on every region)')]
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from exactrelu.core.graph import Edge, GraphNetwork
from exactrelu.core.graph_io import graph_to_dict
from exactrelu.core.rational import format_rational
from exactrelu.geometry.graph_regions import graph_regions

if TYPE_CHECKING:
    from exactrelu.geometry.polyhedra import Polyhedron

__all__ = ["GraphReduction", "graph_reduce"]

_ZERO = Fraction(0)


@dataclass(frozen=True)
class GraphReduction:
    """The reduced network and what was removed, with the reason for each vertex and edge."""

    original: GraphNetwork
    network: GraphNetwork
    removed_vertices: tuple[tuple[str, str], ...]
    removed_edges: tuple[tuple[str, str, str], ...]
    always_active: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "graph", "hidden_before": self.original.num_hidden, "hidden_after": self.network.num_hidden,
                "parameters_before": self.original.num_parameters, "parameters_after": self.network.num_parameters,
                "removed_vertices": [{"vertex": v, "reason": r} for v, r in self.removed_vertices],
                "removed_edges": [{"from": u, "to": v, "reason": r} for u, v, r in self.removed_edges],
                "always_active": list(self.always_active), "network": graph_to_dict(self.network)}

    def __repr__(self) -> str:
        return (f"GraphReduction(hidden {self.original.num_hidden} -> {self.network.num_hidden}, "
                f"D {self.original.num_parameters} -> {self.network.num_parameters})")


def _without(g: GraphNetwork, vertices: set[str], edges: set[tuple[str, str]],
             add_bias: dict[str, Fraction] | None = None) -> GraphNetwork:
    add_bias = add_bias or {}
    keep_edges = tuple(e for e in g.edges if e.source not in vertices and e.target not in vertices
                       and (e.source, e.target) not in edges)
    nodes, biases = [], []
    for v, b in zip(g.nodes, g.biases):
        if v in vertices:
            continue
        if v in add_bias and add_bias[v] != 0:
            b = (b or _ZERO) + add_bias[v]
        nodes.append(v)
        biases.append(b)
    return GraphNetwork(g.inputs, tuple(nodes), g.outputs, tuple(Edge(e.source, e.target, e.weight)
                                                                   for e in keep_edges), tuple(biases))


def graph_reduce(g: GraphNetwork, domain: Polyhedron | None = None, *, max_regions: int = 100_000) -> GraphReduction:
    """Remove zero edges and invisible, constant and dead hidden vertices (module docstring), keeping the function."""
    removed_v: list[tuple[str, str]] = []
    removed_e: list[tuple[str, str, str]] = []
    h = g
    checked_dead = False
    while True:
        zero = {(e.source, e.target) for e in h.edges if e.weight == 0}
        if zero:
            removed_e.extend((u, v, "weight 0") for u, v in h.edge_list() if (u, v) in zero)
            h = _without(h, set(), zero)
            continue
        _, no_out = h.unreachable_vertices()
        if no_out:
            removed_v.extend((v, "invisible") for v in no_out)
            h = _without(h, set(no_out), set())
            continue
        const = [v for v in h.hidden_order if not h.in_edges(v)]
        if const:
            v = const[0]
            val = max(h.bias(v) or _ZERO, _ZERO)
            add = {h.edges[k].target: h.edges[k].weight * val for k in h.out_edges(v)}
            removed_v.append((v, f"constant relu({format_rational(h.bias(v) or _ZERO)}) = {format_rational(val)}"))
            h = _without(h, {v}, set(), add)
            continue
        if checked_dead:
            break
        checked_dead = True
        C = graph_regions(h, domain, max_regions=max_regions)
        order = h.hidden_order
        dead = {v for i, v in enumerate(order) if all(r.pattern[i] <= 0 for r in C.regions)}
        if dead:
            removed_v.extend((v, "dead (z <= 0 on every region)") for v in order if v in dead)
            h = _without(h, dead, set())
            checked_dead = False
            continue
    C = graph_regions(h, domain, max_regions=max_regions)
    order = h.hidden_order
    active = tuple(v for i, v in enumerate(order) if all(r.pattern[i] > 0 for r in C.regions))
    return GraphReduction(g, h, tuple(removed_v), tuple(removed_e), active)
