"""Trivial symmetries of graph networks and the normal form of an orbit (docs/mathematics.md §1, G1).

The structure ``S`` of a :class:`~exactrelu.core.graph.GraphNetwork` is its DAG together with which vertices carry a
bias.  Two kinds of parameter changes leave the function unchanged:

* **rescaling** a hidden vertex ``v`` by ``λ > 0``: its incoming edges and bias are multiplied by ``λ``, its outgoing
  edges divided by ``λ`` (``relu(λ z) = λ relu(z)``);
* **permuting** hidden vertices by an automorphism ``σ`` of ``S`` that fixes every input and output: the weight of
  edge ``σu -> σv`` becomes the old weight of ``u -> v`` and the bias of ``σv`` the old bias of ``v``.  The graph,
  its vertex ids and its edge order stay the same; only the numbers move.

**Normal form.** (1) In topological order, scale every hidden vertex so that the largest absolute value among its
incoming weights and bias is 1 (a vertex whose incoming weights and bias are all 0 gets its outgoing weights
normalised instead).  This choice does not depend on any ordering, so it commutes with automorphisms.  (2) Among all
automorphisms of ``S``, take the one making the parameter vector (canonical order) lexicographically smallest.  A
layered structure (biases present or absent layer by layer) uses the layered normal form of
:func:`exactrelu.core.symmetry.normal_form` instead, whose tie search is polynomial in practice.  Two networks of the
same structure differ by a trivial symmetry iff their normal forms are equal.

Examples
--------
>>> from exactrelu.core.graph import GraphNetwork
>>> g = GraphNetwork.from_edges(["x"], ["y"], [("a", 1), ("b", -1), "y"],
...     [("x", "a", 2), ("x", "b", 1), ("a", "y", 3), ("b", "y", -1), ("x", "y", 1)])
>>> [str(s) for s in structure_automorphisms(g)]
['{}', '{a->b, b->a}']
>>> h = GraphSymmetry(permutation=(("a", "b"), ("b", "a")), scales=(("a", Fraction(5)),)).apply(g)
>>> all(h([x]) == g([x]) for x in (-2, 0, Fraction(1, 3), 4))
True
>>> graph_normal_form(h) == graph_normal_form(g)
True
>>> graph_related_by_trivial_symmetry(g, h).apply(g) == h
True
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from exactrelu.core.errors import NotApplicableError, ShapeError
from exactrelu.core.graph import Edge, GraphNetwork
from exactrelu.core.graph_layered import layered_layers, layered_obstruction, to_layered
from exactrelu.core.rational import as_rational, format_rational
from exactrelu.core.symmetry import normal_form

__all__ = ["Automorphism", "GraphSymmetry", "rescale_vertices", "permute_vertices", "structure_automorphisms",
           "random_graph_symmetry", "graph_normal_form", "graph_related_by_trivial_symmetry", "same_structure",
           "MAX_AUTOMORPHISMS"]

#: Largest automorphism group enumerated by the general (non-layered) normal form.
MAX_AUTOMORPHISMS = 50_000


@dataclass(frozen=True)
class Automorphism:
    """A permutation of hidden vertices (only the moved ones are listed), an automorphism of the structure."""

    moves: tuple[tuple[str, str], ...]

    def __call__(self, v: str) -> str:
        return dict(self.moves).get(v, v)

    def __str__(self) -> str:
        return "{" + ", ".join(f"{u}->{v}" for u, v in self.moves) + "}"


def same_structure(a: GraphNetwork, b: GraphNetwork) -> bool:
    """Same inputs and outputs (in order), same hidden vertices, same edge set and same vertices with a bias."""
    return (a.inputs == b.inputs and a.outputs == b.outputs and set(a.nodes) == set(b.nodes)
            and set(a.edge_list()) == set(b.edge_list())
            and {v for v in a.nodes if a.has_bias(v)} == {v for v in b.nodes if b.has_bias(v)})


def rescale_vertices(g: GraphNetwork, scales: Mapping[str, object]) -> GraphNetwork:
    """Rescale hidden vertices: ``v`` by ``λ_v > 0`` (incoming and bias × λ_v, outgoing ÷ λ_v)."""
    lam: dict[str, Fraction] = {}
    for v, s in scales.items():
        if g.kind(v) != "hidden":
            raise ShapeError(f"only hidden vertices can be rescaled; {v} is an {g.kind(v)}")
        q = as_rational(s)
        if q <= 0:
            raise ShapeError(f"rescaling factor of {v} must be positive, got {format_rational(q)}")
        lam[v] = q
    one = Fraction(1)
    edges = tuple(Edge(e.source, e.target, e.weight * lam.get(e.target, one) / lam.get(e.source, one))
                  for e in g.edges)
    biases = tuple(None if b is None else b * lam.get(v, one) for v, b in zip(g.nodes, g.biases))
    return GraphNetwork(g.inputs, g.nodes, g.outputs, edges, biases)


def permute_vertices(g: GraphNetwork, sigma: Mapping[str, str] | Automorphism) -> GraphNetwork:
    """Move the numbers of ``g`` along an automorphism ``σ`` of its structure (inputs and outputs fixed)."""
    moves = dict(sigma.moves) if isinstance(sigma, Automorphism) else dict(sigma)
    s = {v: moves.get(v, v) for v in g.vertices}
    hidden = set(g.hidden)
    for u, v in moves.items():
        if u not in hidden or v not in hidden:
            raise ShapeError(f"a permutation moves hidden vertices only, not {u} -> {v}")
    if sorted(s.values()) != sorted(g.vertices):
        raise ShapeError("the vertex map is not a permutation")
    w = {(e.source, e.target): e.weight for e in g.edges}
    pairs = set(w)
    if {(s[u], s[v]) for u, v in pairs} != pairs:
        raise ShapeError("the permutation is not an automorphism of the graph")
    if any(g.has_bias(v) != g.has_bias(s[v]) for v in g.nodes):
        raise ShapeError("the permutation maps a vertex with a bias to one without")
    inv = {b: a for a, b in s.items()}
    edges = tuple(Edge(e.source, e.target, w[(inv[e.source], inv[e.target])]) for e in g.edges)
    biases = tuple(g.bias(inv[v]) for v in g.nodes)
    return GraphNetwork(g.inputs, g.nodes, g.outputs, edges, biases)


@dataclass(frozen=True)
class GraphSymmetry:
    """A trivial symmetry: first the permutation (pairs ``old -> new``), then the rescalings of the new vertices."""

    permutation: tuple[tuple[str, str], ...] = ()
    scales: tuple[tuple[str, Fraction], ...] = ()

    def apply(self, g: GraphNetwork) -> GraphNetwork:
        h = permute_vertices(g, dict(self.permutation)) if self.permutation else g
        return rescale_vertices(h, dict(self.scales)) if self.scales else h

    def __str__(self) -> str:
        perm = ", ".join(f"{u}->{v}" for u, v in self.permutation) or "identity"
        sc = ", ".join(f"{v}:{format_rational(s)}" for v, s in self.scales) or "none"
        return f"permutation {perm}; scales {sc}"


def structure_automorphisms(g: GraphNetwork, *, limit: int | None = None) -> Iterator[Automorphism]:
    """The automorphisms of ``g``'s structure fixing every input and output (networkx VF2), identity first."""
    import networkx as nx
    from networkx.algorithms.isomorphism import DiGraphMatcher

    G = nx.DiGraph()
    for v in g.vertices:
        kind = g.kind(v)
        G.add_node(v, label=("hidden", g.has_bias(v)) if kind == "hidden" else (kind, v))
    G.add_edges_from(g.edge_list())
    yield Automorphism(())
    count = 1
    matcher = DiGraphMatcher(G, G, node_match=lambda a, b: a["label"] == b["label"])
    for m in matcher.isomorphisms_iter():
        moves = tuple((u, v) for u, v in m.items() if u != v)
        if not moves:
            continue
        count += 1
        if limit is not None and count > limit:
            raise NotApplicableError(f"the graph has more than {limit} automorphisms; the general normal form "
                                     "enumerates them all")
        yield Automorphism(tuple(sorted(moves)))


def random_graph_symmetry(g: GraphNetwork, rng: random.Random | int, *, max_factor: int = 9) -> GraphSymmetry:
    """A random permutation (uniform among the first 200 automorphisms found) and random factors ``p/q``."""
    r = rng if isinstance(rng, random.Random) else random.Random(rng)
    autos = []
    for a in structure_automorphisms(g):
        autos.append(a)
        if len(autos) >= 200:
            break
    perm = r.choice(autos).moves
    scales = tuple((v, Fraction(r.randint(1, max_factor), r.randint(1, max_factor))) for v in g.hidden)
    return GraphSymmetry(perm, scales)


def _normalise(g: GraphNetwork) -> tuple[GraphNetwork, dict[str, Fraction]]:
    """Scale hidden vertices to the normal scale; returns the scaled network and the factors used.

    A hidden vertex is *silent* when its bias is 0 or absent and every edge into it from an input or a non-silent
    vertex has weight 0 (decided in topological order): it computes 0 whatever its scale.  Non-silent vertices are
    scaled in topological order so that the max-abs of their bias and of their incoming weights from non-silent
    vertices is 1; then silent vertices, in reverse topological order, so that the max-abs of their outgoing weights
    is 1 (their successors are final by then).  No step depends on an ordering of ties, so the result is the same on
    the whole orbit.
    """
    silent: set[str] = set()
    for v in g.hidden_order:
        if not g.bias(v) and all(g.edges[k].weight == 0 or g.edges[k].source in silent for k in g.in_edges(v)):
            silent.add(v)
    scales: dict[str, Fraction] = {}
    h = g
    for v in g.hidden_order:
        if v in silent:
            continue
        inc = [abs(h.edges[k].weight) for k in h.in_edges(v) if h.edges[k].source not in silent]
        inc.append(abs(h.bias(v) or 0))
        lam = 1 / max(inc)
        if lam != 1:
            h = rescale_vertices(h, {v: lam})
        scales[v] = lam
    for v in reversed(g.hidden_order):
        if v not in silent:
            continue
        out = max((abs(h.edges[k].weight) for k in h.out_edges(v)), default=Fraction(0))
        if out == 0:
            continue
        if out != 1:
            h = rescale_vertices(h, {v: out})  # outgoing ÷ out: max-abs 1
        scales[v] = out
    return h, scales


def _layered_by_layer_biases(g: GraphNetwork) -> bool:
    if layered_obstruction(g, need_biases=False) is not None:
        return False
    return all(len({g.has_bias(v) for v in layer}) == 1 for layer in layered_layers(g)[1:])


def graph_normal_form(g: GraphNetwork) -> GraphNetwork:
    """The unique representative of ``g``'s orbit under trivial symmetries (same graph, ids and edge order)."""
    if _layered_by_layer_biases(g):
        layers = layered_layers(g)
        nf = normal_form(to_layered(g, absent_bias_as_zero=True))
        w: dict[tuple[str, str], Fraction] = {}
        bias: dict[str, Fraction] = {}
        for l, layer in enumerate(nf.layers):
            for i, row in enumerate(layer.weights):
                v = layers[l + 1][i]
                bias[v] = layer.biases[i]
                for j, x in enumerate(row):
                    w[(layers[l][j], v)] = x
        edges = tuple(Edge(e.source, e.target, w[(e.source, e.target)]) for e in g.edges)
        biases = tuple(None if b is None else bias[v] for v, b in zip(g.nodes, g.biases))
        return GraphNetwork(g.inputs, g.nodes, g.outputs, edges, biases)
    h, _ = _normalise(g)
    best = h
    key = h.parameters()
    for a in structure_automorphisms(g, limit=MAX_AUTOMORPHISMS):
        if a.moves:
            c = permute_vertices(h, a)
            if c.parameters() < key:
                best, key = c, c.parameters()
    return best


def graph_related_by_trivial_symmetry(a: GraphNetwork, b: GraphNetwork) -> GraphSymmetry | None:
    """A :class:`GraphSymmetry` ``s`` with ``s.apply(a) == b`` (evidence), or ``None`` when there is none."""
    if not same_structure(a, b):
        return None
    # b's lists may be in another order: rebuild b on a's lists
    bw = {(e.source, e.target): e.weight for e in b.edges}
    b = GraphNetwork(a.inputs, a.nodes, a.outputs, tuple(Edge(e.source, e.target, bw[(e.source, e.target)])
                                                          for e in a.edges), tuple(b.bias(v) for v in a.nodes))
    hb, sb = _normalise(b)
    for auto in structure_automorphisms(a, limit=MAX_AUTOMORPHISMS):
        c = permute_vertices(a, auto) if auto.moves else a
        hc, sc = _normalise(c)
        if hc == hb:
            one = Fraction(1)
            scales = tuple((v, sc.get(v, one) / sb.get(v, one)) for v in a.hidden_order
                           if sc.get(v, one) != sb.get(v, one))
            sym = GraphSymmetry(auto.moves, scales)
            if sym.apply(a) == b:
                return sym
    return None
