"""Do two networks on DAGs compute the same function?  (docs/mathematics.md A2, §1)

:func:`graph_equivalent` accepts layered :class:`~exactrelu.core.network.Network` s and
:class:`~exactrelu.core.graph.GraphNetwork` s in any mix and returns the package's
:class:`~exactrelu.theory.equality.equivalence.Equivalence`:

* both layered (absent biases read as 0, which is the same function): the layered :func:`equivalent` with its fast
  paths (normal form, canonical data, bottleneck) and certificates;
* the same graph structure and related by a trivial symmetry (a vertex permutation that is a graph automorphism, and
  positive rescalings): method ``"trivial-symmetry"``, the symmetry as evidence (re-checkable:
  ``symmetry.apply(a) == b``);
* otherwise the **common refinement**: the *difference network* ``a − b`` (both graphs on the shared inputs, each
  output vertex of ``b`` merged into ``a``'s with negated incoming weights and bias) is enumerated region by region
  (:func:`exactrelu.geometry.graph_regions.graph_regions`).  Equal iff its affine map is 0 on every region; otherwise
  an exact witness ``x`` in the interior of a region where the difference is not 0, checked by evaluating both
  networks.

Examples
--------
>>> from exactrelu.core.graph import GraphNetwork
>>> skip = GraphNetwork.from_edges(["x"], ["y"], [("h", 0), "y"], [("x", "h", 1), ("h", "y", 1), ("x", "y", 1)])
>>> mlp = GraphNetwork.from_edges(["x"], ["y"], [("p", 0), ("n", 0), "y"],
...     [("x", "p", 1), ("x", "n", -1), ("p", "y", 2), ("n", "y", -1)])    # relu(x) + x = 2 relu(x) - relu(-x)
>>> graph_equivalent(skip, mlp)
Equivalence(equivalent=True, method='common-refinement', regions=2, evidence: difference_is_zero_on_every_region)
>>> res = graph_equivalent(skip, mlp.with_weights({("n", "y"): 1}))
>>> res.equivalent, res.witness.x, res.witness.a, res.witness.b
(False, (Fraction(-1, 1),), (Fraction(-1, 1),), (Fraction(1, 1),))
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING

from exactrelu.core.errors import ShapeError
from exactrelu.core.graph import Edge, GraphNetwork
from exactrelu.core.graph_layered import as_graph, is_layered, to_layered
from exactrelu.core.graph_symmetry import graph_related_by_trivial_symmetry, same_structure
from exactrelu.core.network import Network
from exactrelu.geometry.graph_regions import GraphRegion, graph_regions
from exactrelu.theory.equality.equivalence import Equivalence, Witness, equivalent

if TYPE_CHECKING:
    from exactrelu.geometry.polyhedra import Polyhedron

__all__ = ["graph_equivalent", "difference_network", "function_form"]

_ZERO = Fraction(0)


def function_form(net: Network | GraphNetwork) -> Network | GraphNetwork:
    """The fastest exact form of the *function*: a layered Network when the graph is layered (absent biases as 0),
    else the graph itself."""
    if isinstance(net, GraphNetwork) and is_layered(net, need_biases=False):
        return to_layered(net, absent_bias_as_zero=True)
    return net


def difference_network(a: Network | GraphNetwork, b: Network | GraphNetwork) -> GraphNetwork:
    """A graph network computing ``f_a − f_b`` (inputs of ``a``; hidden vertices of ``b`` renamed ``b:…``)."""
    ga, gb = as_graph(a), as_graph(b)
    if ga.input_dim != gb.input_dim:
        raise ShapeError(f"input dimensions differ: {ga.input_dim} vs {gb.input_dim}")
    if ga.output_dim != gb.output_dim:
        raise ShapeError(f"output dimensions differ: {ga.output_dim} vs {gb.output_dim}")
    taken = set(ga.vertices)
    ren: dict[str, str] = dict(zip(gb.inputs, ga.inputs))
    ren.update(zip(gb.outputs, ga.outputs))
    for v in gb.hidden:
        new = f"b:{v}"
        while new in taken:
            new = "b:" + new
        ren[v] = new
        taken.add(new)
    outs_b = set(gb.outputs)
    weights: dict[tuple[str, str], Fraction] = {}
    order: list[tuple[str, str]] = []
    for e in ga.edges:
        weights[(e.source, e.target)] = e.weight
        order.append((e.source, e.target))
    for e in gb.edges:
        key = (ren[e.source], ren[e.target])
        w = -e.weight if e.target in outs_b else e.weight
        if key not in weights:
            weights[key] = _ZERO
            order.append(key)
        weights[key] += w
    biases = []
    for v in ga.nodes:
        biases.append(ga.bias(v))
    nodes = list(ga.nodes)
    for v in gb.nodes:
        if v in outs_b:
            y = ren[v]
            i = nodes.index(y)
            bb = gb.bias(v)
            if bb is not None:
                biases[i] = (biases[i] or _ZERO) - bb
        else:
            nodes.append(ren[v])
            biases.append(gb.bias(v))
    edges = tuple(Edge(u, v, weights[(u, v)]) for u, v in order)
    return GraphNetwork(ga.inputs, tuple(nodes), ga.outputs, edges, tuple(biases))


def _witness(r: GraphRegion) -> tuple[Fraction, ...]:
    """A point of the open region where ``A x + c != 0`` (the region's interior point, or a step from it)."""
    p = r.point
    vals = [sum((a * v for a, v in zip(row, p)), c) for row, c in zip(r.A, r.c)]
    if any(vals):
        return p
    k = next(i for i, row in enumerate(r.A) if any(row))
    direction = r.A[k]
    # largest safe step: every inequality stays strictly positive at p + t·direction
    t = Fraction(1)
    for row in r.inequalities:
        slack = row[0] + sum((a * v for a, v in zip(row[1:], p)), _ZERO)
        rate = sum((a * v for a, v in zip(row[1:], direction)), _ZERO)
        if rate < 0:
            t = min(t, slack / (-rate) / 2)
    return tuple(v + t * w for v, w in zip(p, direction))


def graph_equivalent(a: Network | GraphNetwork, b: Network | GraphNetwork, domain: Polyhedron | None = None, *,
                     max_regions: int | None = None,
                     progress: Callable[[int], None] | None = None) -> Equivalence:
    """Exact equality of the functions of two networks (layered or graphs) on ``domain`` (``R^d`` by default)."""
    fa, fb = function_form(a), function_form(b)
    if isinstance(fa, Network) and isinstance(fb, Network):
        return equivalent(fa, fb, domain, max_regions=max_regions, progress=progress)
    ga, gb = as_graph(a), as_graph(b)
    notes = []
    if same_structure(ga, gb):
        sym = graph_related_by_trivial_symmetry(ga, gb)
        if sym is not None:
            return Equivalence(True, "trivial-symmetry", evidence={"symmetry": str(sym)}, domain=domain,
                               notes=("b = symmetry(a): a graph automorphism and positive rescalings",))
        notes.append("same structure but not related by a trivial symmetry: common refinement")
    diff = difference_network(ga, gb)
    C = graph_regions(diff, domain, max_regions=max_regions or 100_000, progress=progress)
    for r in C.regions:
        if any(any(row) for row in r.A) or any(r.c):
            x = _witness(r)
            ya, yb = ga(x), gb(x)
            assert ya != yb, "the witness must separate the two networks"
            return Equivalence(False, "common-refinement", witness=Witness(x, ya, yb), regions=len(C.regions),
                               notes=tuple(notes), domain=domain)
    return Equivalence(True, "common-refinement", regions=len(C.regions), notes=tuple(notes), domain=domain,
                       evidence={"difference_is_zero_on_every_region": len(C.regions)})
