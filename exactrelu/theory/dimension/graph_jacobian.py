"""Jacobians, functional dimension and first-order identifiability of networks on DAGs (docs/mathematics.md §1, E1).

Parameters are the edge weights and the *present* biases, in the canonical order of
:meth:`~exactrelu.core.graph.GraphNetwork.parameters`.  On an activation region ``R`` (signs ``s`` in
``hidden_order``) the network is ``f(x) = A_R x + c_R``, and the entries of ``(A_R, c_R)`` are polynomials in θ:
sums over input→output paths through active vertices.  Their derivatives are exact closed forms:

* for the edge ``u -> v``: ``∂(A_R, c_R)/∂θ_uv = G_v ⊗ F_u``, where ``F_u = (c, a)`` is the affine form of ``u``'s
  output on ``R`` (``x_k`` for an input, 0 for an inactive vertex) and ``G_v ∈ R^m`` is ``∂f/∂z_v`` (``e_j`` for
  output ``j``; 0 for an inactive hidden vertex; ``Σ_{v->w} θ_vw G_w`` for an active one);
* for the bias of ``v``: ``G_v ⊗ (1, 0, …, 0)``.

``dim_fun(θ)`` is the rank of all regions' Jacobians stacked (every region enumerated exactly by
:func:`exactrelu.geometry.graph_regions.graph_regions`).  A region where a hidden vertex's pre-activation vanishes
identically (sign 0) while the vertex would influence the output (``Σ_{v->w} θ_vw G_w ≠ 0``) makes ``θ -> f_θ``
non-differentiable there, unless the vanishing is robust (no bias, and every predecessor computes 0 for all θ nearby:
possible only without biases); such regions are listed and ``rank`` is ``None``, as for layered networks.

**Upper bound.**  Rescaling hidden vertex ``v`` moves θ along ``t_v = (+θ_e on edges into v and on b_v, −θ_e on
edges out of v)``, a kernel vector of every Jacobian.  So ``dim_fun ≤ D − s(θ)`` with ``s(θ) = rank [t_v]_v`` (the
rank of the balance matrix times ``diag(θ)``, docs/mathematics.md G4).  ``s(θ) = N_h`` (every hidden vertex has
its own scaling orbit) except that each connected component of the support graph ``{e : θ_e ≠ 0}`` (biases as
edges from a constant vertex) made only of hidden vertices lowers it by one: the ``t_v`` of its vertices sum to 0
(a hidden vertex whose incident parameters are all 0 is such a component, with ``t_v = 0``).  The bound reported is
``D − s(θ)``, always exact.

Examples
--------
>>> from exactrelu.core.graph import GraphNetwork
>>> skip = GraphNetwork.from_edges(["x"], ["y"], [("h", 0), ("y", 0)], [("x", "h", 1), ("h", "y", 1), ("x", "y", 1)])
>>> r = graph_functional_dimension(skip)
>>> r.rank, r.parameters, r.upper_bound, r.regions
(4, 5, 4, 2)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from exactrelu.core.graph import GraphNetwork, GraphPattern
from exactrelu.core.rational import as_rational, format_rational
from exactrelu.engines.flintlib import nullspace, rank
from exactrelu.geometry.graph_regions import graph_regions

if TYPE_CHECKING:
    from exactrelu.geometry.polyhedra import Polyhedron

__all__ = ["graph_region_jacobian", "scaling_tangents", "GraphFunctionalDimension", "graph_functional_dimension",
           "graph_batch_functional_dimension", "graph_point_jacobian", "GraphIdentifiability",
           "graph_identifiability"]

_ZERO = Fraction(0)


def _forward(g: GraphNetwork, pattern: GraphPattern) -> dict[str, tuple[Fraction, ...]]:
    """Post-activation affine form ``(c, a1..ad)`` of every vertex on the cell of ``pattern`` (outputs: pre)."""
    d = g.input_dim
    on = dict(zip(g.hidden_order, pattern))
    F: dict[str, tuple[Fraction, ...]] = {v: tuple(Fraction(int(j == i + 1)) for j in range(d + 1))
                                          for i, v in enumerate(g.inputs)}
    zero = (_ZERO,) * (d + 1)
    for v in g.topological_order:
        if v in F:
            continue
        acc = [g.bias(v) or _ZERO] + [_ZERO] * d
        for k in g.in_edges(v):
            e = g.edges[k]
            fu = F[e.source]
            for j in range(d + 1):
                acc[j] += e.weight * fu[j]
        F[v] = zero if v in on and on[v] <= 0 else tuple(acc)
    return F


def _backward(g: GraphNetwork, pattern: GraphPattern) -> tuple[dict[str, tuple[Fraction, ...]],
                                                                dict[str, tuple[Fraction, ...]]]:
    """``(G, H)``: ``G_v = ∂f/∂z_v`` on the cell; ``H_v = Σ_{v->w} θ_vw G_w`` (what ``G_v`` would be if active)."""
    m = g.output_dim
    on = dict(zip(g.hidden_order, pattern))
    G: dict[str, tuple[Fraction, ...]] = {y: tuple(Fraction(int(i == j)) for i in range(m))
                                          for j, y in enumerate(g.outputs)}
    H: dict[str, tuple[Fraction, ...]] = {}
    for v in reversed(g.topological_order):
        if v in G:
            continue
        acc = [_ZERO] * m
        for k in g.out_edges(v):
            e = g.edges[k]
            gw = G[e.target]
            for i in range(m):
                acc[i] += e.weight * gw[i]
        H[v] = tuple(acc)
        G[v] = tuple(acc) if (v not in on or on[v] > 0) else (_ZERO,) * m
    return G, H


def graph_region_jacobian(g: GraphNetwork, pattern: GraphPattern) -> list[list[Fraction]]:
    """The Jacobian of ``θ -> (A_R, c_R)`` on the region of ``pattern``: one row per entry (output ``i``, column
    ``j`` of ``(c | A)``), one column per parameter (canonical order)."""
    F = _forward(g, pattern)
    G, _ = _backward(g, pattern)
    m, d = g.output_dim, g.input_dim
    cols: list[list[Fraction]] = []
    for e in g.edges:
        gv, fu = G[e.target], F[e.source]
        cols.append([gv[i] * fu[j] for i in range(m) for j in range(d + 1)])
    for v, b in zip(g.nodes, g.biases):
        if b is not None:
            gv = G[v]
            cols.append([gv[i] if j == 0 else _ZERO for i in range(m) for j in range(d + 1)])
    return [list(r) for r in zip(*cols)] if cols else []


def scaling_tangents(g: GraphNetwork) -> list[list[Fraction]]:
    """The rescaling direction ``t_v`` of every hidden vertex (node order), as parameter vectors."""
    theta = g.parameters()
    B = g.balance_matrix()
    return [[Fraction(s) * t for s, t in zip(row, theta)] for row in B]


def _nondifferentiable(g: GraphNetwork, pattern: GraphPattern) -> list[str]:
    """Hidden vertices with sign 0 whose vanishing breaks under a small change of θ and that reach the output.

    A vertex's pre-activation that vanishes identically on the region stays 0 for every θ nearby when the vertex has
    no bias and each of its predecessors computes 0 robustly (an inactive vertex, or a robust-zero one); otherwise
    (*fragile*) a small change of θ can switch it on, and if it then reaches the output (``H_v != 0``) the map
    ``θ -> f_θ`` is not differentiable at θ on that region.
    """
    F = _forward(g, pattern)
    _, H = _backward(g, pattern)
    sign = dict(zip(g.hidden_order, pattern))
    fragile: set[str] = set()
    for v in g.hidden_order:
        if sign[v] != 0:
            continue
        if g.has_bias(v):
            fragile.add(v)
            continue
        for k in g.in_edges(v):
            u = g.edges[k].source
            if u in fragile or (sign.get(u, 1) != 0 and any(F[u])):
                fragile.add(v)
                break
    return [v for v in g.hidden_order if v in fragile and any(H[v])]


@dataclass(frozen=True)
class GraphFunctionalDimension:
    """``rank`` (None when θ -> f_θ is not differentiable on some region), the bound ``D − s(θ)`` and evidence."""

    rank: int | None
    differentiable_rank: int
    parameters: int
    hidden_vertices: int
    scaling_rank: int
    regions: int
    nondifferentiable: tuple[tuple[GraphPattern, tuple[str, ...]], ...] = ()
    notes: tuple[str, ...] = field(default=())
    #: ``"regions"`` (every activation region) or ``"points"`` (the batch ``J_{F_X}`` of the given points; then
    #: ``regions`` counts the points and the patterns in ``nondifferentiable`` are those of the points)
    method: str = "regions"

    @property
    def upper_bound(self) -> int:
        return self.parameters - self.scaling_rank

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "graph", "rank": self.rank, "differentiable_rank": self.differentiable_rank,
                "parameters": self.parameters, "hidden_vertices": self.hidden_vertices,
                "scaling_rank": self.scaling_rank, "upper_bound": self.upper_bound, "regions": self.regions,
                "method": self.method, "exact": self.method == "regions" or self.rank == self.upper_bound,
                "certified_by": "rational",
                "nondifferentiable": [{"pattern": list(p), "vertices": list(vs)} for p, vs in self.nondifferentiable],
                "notes": list(self.notes)}

    def __repr__(self) -> str:
        what = "regions" if self.method == "regions" else "points"
        return (f"GraphFunctionalDimension(rank={self.rank}, D={self.parameters}, bound={self.upper_bound}, "
                f"{what}={self.regions})")


def graph_functional_dimension(g: GraphNetwork, domain: Polyhedron | None = None, *,
                               max_regions: int = 100_000) -> GraphFunctionalDimension:
    """Exact ``dim_fun(θ)`` of a graph network: rank of the stacked region Jacobians over every activation region."""
    C = graph_regions(g, domain, max_regions=max_regions)
    rows: list[list[Fraction]] = []
    bad = []
    for r in C.regions:
        nd = _nondifferentiable(g, r.pattern)
        if nd:
            bad.append((r.pattern, tuple(nd)))
            continue
        rows.extend(graph_region_jacobian(g, r.pattern))
    rk = rank(rows) if rows else 0
    s = rank(scaling_tangents(g)) if g.num_hidden else 0
    notes = []
    if s < g.num_hidden:
        notes.append(f"only {s} independent rescaling directions for {g.num_hidden} hidden vertices: the support "
                     "graph has a component made only of hidden vertices (docs/mathematics.md G4)")
    return GraphFunctionalDimension(None if bad else rk, rk, g.num_parameters, g.num_hidden, s, len(C.regions),
                                    tuple(bad), tuple(notes))


def graph_point_jacobian(g: GraphNetwork, x: Sequence[object]) -> tuple[list[list[Fraction]], tuple[str, ...]]:
    """The Jacobian of ``θ -> f_θ(x)`` at one input point (one row per output, one column per parameter), and the
    hidden vertices that make it not exist (empty when it exists).

    With ``h_u(x)`` the value of vertex ``u`` (``x_k`` for an input), ``∂f(x)/∂θ_uv = G_v h_u(x)`` and
    ``∂f(x)/∂b_v = G_v`` (module docstring, with vertices whose ``z_v(x) = 0`` counted inactive).  A vertex with
    ``z_v(x) = 0`` breaks differentiability when it reaches the output (``H_v ≠ 0``) and its zero is *fragile*: it
    has a bias, or a predecessor with a nonzero value at ``x``, or a fragile predecessor (a robust zero stays 0 for
    every θ nearby, so it changes nothing).

    >>> g = GraphNetwork.from_edges(["x"], ["y"], [("h", 0), ("y", 0)], [("x", "h", 1), ("h", "y", 1), ("x", "y", 1)])
    >>> J, bad = graph_point_jacobian(g, [2])
    >>> [str(v) for v in J[0]], bad
    (['2', '2', '2', '1', '1'], ())
    >>> graph_point_jacobian(g, [0])[1]
    ('h',)
    """
    z = g.preactivations(x)
    xs = tuple(as_rational(v) for v in x)
    pattern = tuple((z[v] > 0) - (z[v] < 0) for v in g.hidden_order)
    G, H = _backward(g, pattern)
    value: dict[str, Fraction] = dict(zip(g.inputs, xs))
    outs = set(g.outputs)
    for v in g.topological_order:
        if v not in value:
            value[v] = z[v] if v in outs or z[v] > 0 else _ZERO
    fragile: set[str] = set()
    for v in g.hidden_order:
        if z[v] == 0 and (g.has_bias(v) or any(
                value[g.edges[k].source] != 0 or g.edges[k].source in fragile for k in g.in_edges(v))):
            fragile.add(v)
    bad = tuple(v for v in g.hidden_order if v in fragile and any(H[v]))
    m = g.output_dim
    cols = [[G[e.target][i] * value[e.source] for i in range(m)] for e in g.edges]
    cols += [list(G[v]) for v, b in zip(g.nodes, g.biases) if b is not None]
    return [list(r) for r in zip(*cols)] if cols else [[] for _ in range(m)], bad


def graph_batch_functional_dimension(g: GraphNetwork, points: Iterable[Sequence[object]]
                                     ) -> GraphFunctionalDimension:
    """The batch functional dimension ``rank J_{F_X}(θ)`` of a graph network on the points ``X``
    (docs/mathematics.md §1, E3): the Jacobians of :func:`graph_point_jacobian` stacked, exact rational rank.

    A point where ``θ -> f_θ(x)`` is not differentiable is listed with its pattern and vertices, and ``rank`` is then
    None (``differentiable_rank`` is the rank over the other points).

    >>> g = GraphNetwork.from_edges(["x"], ["y"], [("h", 0), ("y", 0)], [("x", "h", 1), ("h", "y", 1), ("x", "y", 1)])
    >>> r = graph_batch_functional_dimension(g, [[1], [2], [-1], [-2]])
    >>> r.rank, r.upper_bound, r.method
    (4, 4, 'points')
    """
    rows: list[list[Fraction]] = []
    bad = []
    count = 0
    for x in points:
        count += 1
        J, nd = graph_point_jacobian(g, x)
        if nd:
            bad.append((g.pattern(x), nd))
            continue
        rows.extend(J)
    rk = rank(rows) if rows and rows[0] else 0
    s = rank(scaling_tangents(g)) if g.num_hidden else 0
    notes = ["rank of the Jacobian of θ -> (f_θ(x))_{x in X} on the given points: a lower bound of dim_fun, equal "
             "to it when it reaches the bound D - s(θ)"]
    return GraphFunctionalDimension(None if bad else rk, rk, g.num_parameters, g.num_hidden, s, count, tuple(bad),
                                    tuple(notes), method="points")


@dataclass(frozen=True)
class GraphIdentifiability:
    """First-order local identifiability of a graph network up to rescalings (and the kernel that decides it)."""

    locally_identifiable: bool | None
    reason: str
    dimension: GraphFunctionalDimension
    kernel: tuple[tuple[Fraction, ...], ...]

    @property
    def kernel_dimension(self) -> int:
        return len(self.kernel)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "graph", "locally_identifiable": self.locally_identifiable, "reason": self.reason,
                "functional_dimension": self.dimension.rank, "upper_bound": self.dimension.upper_bound,
                "kernel_dimension": self.kernel_dimension, "scaling_dimension": self.dimension.scaling_rank,
                "kernel": [[format_rational(v) for v in k] for k in self.kernel],
                "dimension": self.dimension.to_dict()}

    def __repr__(self) -> str:
        return (f"GraphIdentifiability(locally_identifiable={self.locally_identifiable}, "
                f"kernel={self.kernel_dimension}, scaling={self.dimension.scaling_rank})")


def graph_identifiability(g: GraphNetwork, domain: Polyhedron | None = None, *,
                          max_regions: int = 100_000) -> GraphIdentifiability:
    """Is θ locally identifiable up to positive rescalings?  Yes when the Jacobian kernel is exactly the rescaling
    directions (constant rank ``D − s(θ)`` nearby, so the fiber is locally the rescaling orbit); undecided when the
    kernel is larger (a first-order test cannot say no) or when ``θ -> f_θ`` is not differentiable."""
    r = graph_functional_dimension(g, domain, max_regions=max_regions)
    C = graph_regions(g, domain, max_regions=max_regions)
    rows: list[list[Fraction]] = []
    for reg in C.regions:
        if not _nondifferentiable(g, reg.pattern):
            rows.extend(graph_region_jacobian(g, reg.pattern))
    ker = tuple(nullspace(rows)) if rows else tuple(
        tuple(Fraction(int(i == j)) for j in range(g.num_parameters)) for i in range(g.num_parameters))
    if r.rank is None:
        return GraphIdentifiability(None, "θ -> f_θ is not differentiable on some region (a vertex with an "
                                    "identically vanishing pre-activation reaches the output)", r, ker)
    if r.rank == r.upper_bound:
        return GraphIdentifiability(True, f"the Jacobian kernel ({len(ker)}) is spanned by the rescalings "
                                    f"(rank {r.rank} = D − s(θ) = {r.upper_bound}, constant nearby)", r, ker)
    return GraphIdentifiability(None, f"the Jacobian kernel ({len(ker)}) is larger than the rescaling directions "
                                f"({r.scaling_rank}); a first-order test does not decide", r, ker)
