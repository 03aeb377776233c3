"""The learning space: the invariant set H_G(c) of gradient flow, its components and singularities
(docs/mathematics.md G3, G4).

Gradient flow of any loss ``ℓ(f_θ(X), Y)`` keeps every balance ``c_v(θ)`` constant (G1), so it stays in

    H_G(c) = {θ : B(θ∘θ) = c},        the preimage under squaring of the flow polyhedron  P(c) = {x ≥ 0 : Bx = c}.

* **Forced edges** ``Z = {e : min_{x∈P(c)} x_e > 0}``, one exact LP per edge.  Each forced edge comes with a
  Hoffman-type certificate: a set ``S`` of hidden vertices, closed under successors in ``G − e`` with no edge to an
  output and ``Σ_S c < 0`` (then ``x_e ≥ −Σ_S c``), or closed under predecessors in ``G − e`` with no edge from a
  source and ``Σ_S c > 0`` (then ``x_e ≥ Σ_S c``).  :func:`check_forcing` re-verifies one by counting.
* **Components**: H_G(c) has exactly ``2^{|Z|}`` connected components, indexed by the signs of θ on Z (G3).
* **Betti numbers** for one hidden layer: a product of quadrics; vertex ``v`` with ``p`` parameters in and ``q``
  out contributes ``S^{p−1}`` (c_v > 0), ``S^{q−1}`` (c_v < 0) or a point (c_v = 0), so the Poincaré polynomial is
  ``Π (1 + t^{dim})``.  Deeper graphs: not computed (None).
* **Singularities** (G4): θ is singular iff the support graph ``{e : θ_e ≠ 0}`` has a connected component made only
  of hidden vertices (a cut-off sub-network, prunable without changing f).  H_G(c) has singular points iff some
  nonempty set S of hidden vertices has ``Σ_S c = 0`` and ``P(c) ∩ {x_e = 0 on the edges between S and the rest}``
  is nonempty; the set and an exact point of P(c) are the evidence.

>>> from exactrelu.theory.dynamics.balance import ParameterGraph
>>> from exactrelu import Network
>>> chain = ParameterGraph.from_network(Network.from_lists([([[1]], [0]), ([[1]], [0]), ([[1]], [0])]),
...                                     biases=False)
>>> inv = invariant_set(chain, c=[1, 1])
>>> inv.components, [str(e) for e in inv.forced_edges]
(4, ['x1 -> h1_1', 'h1_1 -> h2_1'])
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError, ShapeError
from exactrelu.engines import cddlib
from exactrelu.theory.dynamics.balance import CONSTANT, ParameterGraph

__all__ = ["Forcing", "InvariantSet", "Singularity", "check_forcing", "invariant_set", "singular_components",
           "MAX_SINGULAR_SEARCH"]

#: Largest number of hidden vertices for the exhaustive search of zero-sum vertex sets (2^N subsets).
MAX_SINGULAR_SEARCH = 16


@dataclass(frozen=True)
class Forcing:
    """Why edge ``edge`` (index into the graph's edges) is forced: ``x_e ≥ bound > 0`` on P(c), by the vertex set
    ``vertices`` of kind ``"successor"`` (Σ_S c < 0) or ``"predecessor"`` (Σ_S c > 0)."""

    edge: int
    vertices: tuple[str, ...]
    kind: str
    bound: Fraction
    minimum: Fraction

    def to_dict(self, g: ParameterGraph) -> dict[str, Any]:
        e = g.edges[self.edge]
        return {"edge": [e.tail, e.head], "parameter": e.name, "vertices": list(self.vertices), "kind": self.kind,
                "bound": str(self.bound), "minimum": str(self.minimum)}


@dataclass(frozen=True)
class Singularity:
    """A nonempty set of hidden vertices with Σ c = 0 and a point of P(c) vanishing on its boundary edges."""

    vertices: tuple[str, ...]
    point: tuple[Fraction, ...]


@dataclass(frozen=True)
class InvariantSet:
    """H_G(c) for one parameter graph and one balance vector c (docs/mathematics.md G3, G4)."""

    graph: ParameterGraph
    c: tuple[Fraction, ...]
    empty: bool
    forced: tuple[Forcing, ...]
    bottlenecks: tuple[str, ...]
    component_of_theta: tuple[int, ...] | None
    singular: Singularity | None
    singular_searched: bool
    theta_singular: tuple[tuple[str, ...], ...] | None
    betti: tuple[int, ...] | None
    witness: tuple[Fraction, ...] | None = field(repr=False, default=None)
    flips: dict[int, tuple[Fraction, ...]] = field(repr=False, default_factory=dict)

    def check(self) -> bool:
        """Independent re-verification by counting and exact arithmetic only: every forced edge's Hoffman set
        proves ``x_e > 0`` on P(c) (:func:`check_forcing`), and every other edge has a point of P(c) with ``x_e = 0``
        (so the sign of θ_e can be flipped inside H_G(c)); hence exactly ``2^{|Z|}`` components."""
        g = self.graph
        if self.empty:
            return self.witness is None
        forced = {f.edge for f in self.forced}
        for f in self.forced:
            if check_forcing(g, self.c, f.edge, f.vertices, f.kind) is None:
                return False
        for e in range(len(g.edges)):
            if e in forced:
                continue
            w = self.flips.get(e)
            if w is None or w[e] != 0 or any(x < 0 for x in w):
                return False
            B = g.incidence()
            if any(sum((b * x for b, x in zip(row, w, strict=True)), Fraction(0)) != cv
                   for row, cv in zip(B, self.c, strict=True)):
                return False
        return True

    @property
    def forced_edges(self) -> tuple[str, ...]:
        return tuple(f"{self.graph.edges[f.edge].tail} -> {self.graph.edges[f.edge].head}" for f in self.forced)

    @property
    def components(self) -> int:
        return 0 if self.empty else 2 ** len(self.forced)

    @property
    def singular_points(self) -> bool | None:
        """True (with :attr:`singular` as evidence), False (exhaustive search), None (not searched: too large)."""
        if self.empty:
            return False
        if self.singular is not None:
            return True
        return False if self.singular_searched else None

    def bottleneck_forcing(self) -> dict[str, list[list[str]]]:
        """For each bottleneck vertex (in- or out-degree 1), the forced edges at it (only these can be forced)."""
        g = self.graph
        out: dict[str, list[list[str]]] = {}
        for v in self.bottlenecks:
            edges = [[g.edges[f.edge].tail, g.edges[f.edge].head] for f in self.forced
                     if v in (g.edges[f.edge].tail, g.edges[f.edge].head)]
            if edges:
                out[v] = edges
        return out

    def to_dict(self) -> dict[str, Any]:
        g = self.graph
        return {
            "components": self.components,
            "forced_edges": [[g.edges[f.edge].tail, g.edges[f.edge].head] for f in self.forced],
            "component_of_theta": list(self.component_of_theta) if self.component_of_theta is not None else None,
            "singular_points": self.singular_points,
            "theta_singular": self.theta_singular is not None and len(self.theta_singular) > 0,
            "betti": list(self.betti) if self.betti is not None else None,
            "c": {v: str(x) for v, x in zip(g.hidden, self.c, strict=True)},
            "empty": self.empty,
            "certificates": [f.to_dict(g) for f in self.forced],
            "bottleneck_vertices": list(self.bottlenecks),
            "bottleneck_forcing": self.bottleneck_forcing(),
            "singular_evidence": (None if self.singular is None else
                                  {"vertices": list(self.singular.vertices),
                                   "point": [str(x) for x in self.singular.point]}),
            "cut_off_components": ([list(s) for s in self.theta_singular] if self.theta_singular is not None
                                   else None),
        }

    def __str__(self) -> str:
        lines = [f"H_G(c): {self.components} connected component(s)" + (" (empty: P(c) has no point)"
                                                                         if self.empty else "")]
        for f in self.forced:
            e = self.graph.edges[f.edge]
            side = "Σ c < 0 (successor-closed)" if f.kind == "successor" else "Σ c > 0 (predecessor-closed)"
            S = ", ".join(f.vertices)
            lines.append(f"  forced {e.tail} -> {e.head} ({e.name}): x_e >= {f.bound} by S = {{{S}}}, {side}")
        if self.component_of_theta is not None:
            lines.append(f"  θ lies in the component with signs {list(self.component_of_theta)} on the forced edges")
        lines.append(f"  Betti numbers {list(self.betti)} (one hidden layer: product of quadrics)"
                     if self.betti is not None else "  Betti numbers: not computed (known for one hidden layer only)")
        sp = self.singular_points
        lines.append("  singular points: " + ({True: f"yes, e.g. cutting off {{{', '.join(self.singular.vertices)}}}"
                                                if self.singular else "yes", False: "none",
                                                None: "not searched (too many hidden vertices)"}[sp]))
        if self.theta_singular:
            lines.append(f"  θ itself is singular: cut-off vertices {[list(s) for s in self.theta_singular]}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"InvariantSet(components={self.components}, forced={list(self.forced_edges)}, "
                f"singular_points={self.singular_points})")


# ---------------------------------------------------------------------------------------------------------------- LPs
def _polyhedron_rows(g: ParameterGraph, c: Sequence[Fraction], zero: set[int]) -> tuple[list[list[Fraction]],
                                                                                          list[list[Fraction]]]:
    """Rows (cdd convention) of P(c) ∩ {x_e = 0 : e ∈ zero}: x ≥ 0 and Bx = c."""
    E = len(g.edges)
    B = g.incidence()
    ineq = [[Fraction(0)] + [Fraction(int(k == e)) for k in range(E)] for e in range(E)]
    eq = [[-c[i]] + [Fraction(b) for b in B[i]] for i in range(len(g.hidden))]
    eq += [[Fraction(0)] + [Fraction(int(k == e)) for k in range(E)] for e in sorted(zero)]
    return ineq, eq


def _feasible_point(g: ParameterGraph, c: Sequence[Fraction], zero: set[int] = frozenset()
                    ) -> tuple[Fraction, ...] | None:
    ineq, eq = _polyhedron_rows(g, c, set(zero))
    status, _, x = cddlib.lp_max(ineq, eq, [0] * (len(g.edges) + 1), len(g.edges))
    return tuple(x) if status == "optimal" and x is not None else None


def _minimum(g: ParameterGraph, c: Sequence[Fraction], e: int) -> Fraction:
    ineq, eq = _polyhedron_rows(g, c, set())
    obj = [Fraction(0)] * (len(g.edges) + 1)
    obj[1 + e] = Fraction(-1)
    status, value, _ = cddlib.lp_max(ineq, eq, obj, len(g.edges))
    if status != "optimal" or value is None:  # pragma: no cover - x_e >= 0 bounds the LP on a nonempty P(c)
        raise NotApplicableError(f"LP for edge {g.edges[e].name} ended {status}")
    return -value


def _certificate(g: ParameterGraph, c: Sequence[Fraction], e: int) -> tuple[tuple[str, ...], str]:
    """A Hoffman set for edge e from the Farkas LP min c·y over {y : y_head − y_tail ≥ 0 on every edge ≠ e (hidden
    ends only), −1 ≤ y ≤ 1}, then a level set of y (the cone's extreme rays are indicator vectors of closed sets)."""
    H = len(g.hidden)
    row = {v: i for i, v in enumerate(g.hidden)}
    ineq: list[list[Fraction]] = []
    for k, ed in enumerate(g.edges):
        if k == e:
            continue
        r = [Fraction(0)] * (H + 1)
        if ed.head in row:
            r[1 + row[ed.head]] += 1
        if ed.tail in row:
            r[1 + row[ed.tail]] -= 1
        if any(r):
            ineq.append(r)
    for i in range(H):
        ineq.append([Fraction(1)] + [Fraction(-int(j == i)) for j in range(H)])
        ineq.append([Fraction(1)] + [Fraction(int(j == i)) for j in range(H)])
    status, _, y = cddlib.lp_max(ineq, [], [Fraction(0)] + [-x for x in c], H)
    if status != "optimal" or y is None:  # pragma: no cover
        raise NotApplicableError(f"Farkas LP for edge {g.edges[e].name} ended {status}")
    levels = sorted(set(y))
    for t in levels:
        if t >= 0:
            S = tuple(v for v, yv in zip(g.hidden, y, strict=True) if yv > t)
            if S and check_forcing(g, c, e, S, "successor") is not None:
                return S, "successor"
        else:
            S = tuple(v for v, yv in zip(g.hidden, y, strict=True) if yv < t)
            if S and check_forcing(g, c, e, S, "predecessor") is not None:
                return S, "predecessor"
    for t in levels:  # level sets {y >= t} / {y <= t} as well (ties at the threshold)
        for kind, S in (("successor", tuple(v for v, yv in zip(g.hidden, y, strict=True) if yv >= t and yv > 0)),
                        ("predecessor", tuple(v for v, yv in zip(g.hidden, y, strict=True) if yv <= t and yv < 0))):
            if S and check_forcing(g, c, e, S, kind) is not None:
                return S, kind
    raise NotApplicableError(f"no Hoffman certificate found for edge {g.edges[e].name}")  # pragma: no cover


def check_forcing(g: ParameterGraph, c: Sequence[Fraction], e: int, vertices: Sequence[str], kind: str
                  ) -> Fraction | None:
    """Independent check of a forcing certificate; returns the proved lower bound on ``x_e`` (> 0), else None.

    ``kind="successor"``: every edge ≠ e leaving a vertex of S ends in S (so no edge to an output), e leaves S,
    and Σ_S c < 0; summing the balance equations over S gives ``x_e = Σ_in x − Σ_S c ≥ −Σ_S c``.
    ``kind="predecessor"``: every edge ≠ e entering S starts in S (no source edge), e enters S, Σ_S c > 0.
    """
    S = set(vertices)
    if not S or not S <= set(g.hidden):
        return None
    idx = {v: i for i, v in enumerate(g.hidden)}
    total = sum((c[idx[v]] for v in S), Fraction(0))
    ed = g.edges[e]
    for k, other in enumerate(g.edges):
        if k == e:
            continue
        if kind == "successor" and other.tail in S and other.head not in S:
            return None
        if kind == "predecessor" and other.head in S and other.tail not in S:
            return None
    if kind == "successor" and ed.tail in S and ed.head not in S and total < 0:
        return -total
    if kind == "predecessor" and ed.head in S and ed.tail not in S and total > 0:
        return total
    return None


# ---------------------------------------------------------------------------------------------------- structure
def _bottlenecks(g: ParameterGraph) -> tuple[str, ...]:
    return tuple(v for v in g.hidden if len(g.in_edges(v)) == 1 or len(g.out_edges(v)) == 1)


def singular_components(g: ParameterGraph, values: Sequence[Fraction] | None = None) -> tuple[tuple[str, ...], ...]:
    """Connected components of the support graph {e : θ_e ≠ 0} (undirected, constant source included) made only of
    hidden vertices: empty iff θ is a smooth point of its invariant set (docs/mathematics.md G4)."""
    import networkx as nx

    vals = g.values if values is None else tuple(values)
    G = nx.Graph()
    G.add_nodes_from(list(g.inputs) + list(g.hidden) + list(g.outputs) + [CONSTANT])
    G.add_edges_from((e.tail, e.head) for e, v in zip(g.edges, vals, strict=True) if v != 0)
    hidden = set(g.hidden)
    order = {v: i for i, v in enumerate(g.hidden)}
    comps = [tuple(sorted(comp, key=order.__getitem__)) for comp in nx.connected_components(G) if comp <= hidden]
    return tuple(sorted(comps, key=lambda s: order[s[0]]))


def _betti(g: ParameterGraph, c: Sequence[Fraction]) -> tuple[int, ...] | None:
    """Betti numbers of H_G(c) for one hidden layer (product of quadrics), None otherwise."""
    if not g.is_layered_shallow():
        return None
    poly = {0: 1}
    for v, cv in zip(g.hidden, c, strict=True):
        p, q = len(g.in_edges(v)), len(g.out_edges(v))
        if cv > 0:
            dim = p - 1
        elif cv < 0:
            dim = q - 1
        else:
            continue
        if dim < 0:
            return ()
        new: dict[int, int] = {}
        for k, a in poly.items():
            new[k] = new.get(k, 0) + a
            new[k + dim] = new.get(k + dim, 0) + a
        poly = new
    top = max(poly)
    return tuple(poly.get(k, 0) for k in range(top + 1))


def _singular_search(g: ParameterGraph, c: Sequence[Fraction]) -> tuple[Singularity | None, bool]:
    H = len(g.hidden)
    if H > MAX_SINGULAR_SEARCH:
        return None, False
    for size in range(1, H + 1):
        for S in itertools.combinations(range(H), size):
            if sum((c[i] for i in S), Fraction(0)) != 0:
                continue
            names = {g.hidden[i] for i in S}
            boundary = {k for k, e in enumerate(g.edges) if (e.tail in names) != (e.head in names)}
            x = _feasible_point(g, c, boundary)
            if x is not None:
                return Singularity(tuple(g.hidden[i] for i in S), x), True
    return None, True


# ------------------------------------------------------------------------------------------------------- entry
def invariant_set(graph: ParameterGraph, c: Mapping[str, object] | Sequence[object] | None = None
                  ) -> InvariantSet:
    """The invariant set H_G(c) (default ``c = c(θ)``): forced edges with certificates, the number of connected
    components ``2^{|Z|}``, θ's component, bottleneck vertices, Betti numbers (one hidden layer), singularities.

    Raises :class:`~exactrelu.core.errors.ShapeError` for a malformed ``c``.
    """
    if not isinstance(graph, ParameterGraph):
        raise ShapeError("invariant_set expects a ParameterGraph (ParameterGraph.from_network / from_graph)")
    g = graph
    cv = g.balance_values(c)
    own = c is None or cv == g.balance()
    witness = tuple(x ** 2 for x in g.values) if own else _feasible_point(g, cv)
    if witness is None:
        return InvariantSet(g, cv, True, (), _bottlenecks(g), None, None, True, None, None, None)
    forced = []
    flips: dict[int, tuple[Fraction, ...]] = {}
    for e in range(len(g.edges)):
        if witness[e] == 0:
            flips[e] = witness  # a point of P(c) with x_e = 0: not forced
            continue
        m = _minimum(g, cv, e)
        if m > 0:
            S, kind = _certificate(g, cv, e)
            bound = check_forcing(g, cv, e, S, kind)
            assert bound is not None and bound <= m
            forced.append(Forcing(e, S, kind, bound, m))
        else:
            point = _feasible_point(g, cv, {e})
            assert point is not None
            flips[e] = point
    comp = tuple(1 if g.values[f.edge] > 0 else -1 for f in forced) if own else None
    singular, searched = _singular_search(g, cv)
    theta_sing = singular_components(g) if own else None
    return InvariantSet(g, cv, False, tuple(forced), _bottlenecks(g), comp, singular, searched, theta_sing,
                        _betti(g, cv), witness, flips)
