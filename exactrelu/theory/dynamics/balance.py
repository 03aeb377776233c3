"""The parameter graph of a network and its balance (rescaling) quantities (docs/mathematics.md G1, G3).

Every parameter is an edge of a directed graph: a weight is the edge ``u -> v`` of the network's DAG, and a bias of
vertex ``v`` is an edge ``1 -> v`` from one constant source vertex ``"1"`` (biases are edges from a constant input).
The *balance* of a hidden vertex ``v`` is

    c_v(θ) = Σ_{edges into v} θ_e² − Σ_{edges out of v} θ_e²,

that is ``(B (θ∘θ))_v`` for the hidden-vertices × edges incidence matrix ``B`` (+1 for an edge into ``v``, −1 for an
edge out of ``v``).  Layered networks get the vertex ids ``x1..xd`` (inputs), ``h{l}_{i}`` (hidden neuron ``i`` of
hidden layer ``l``, 1-based) and ``y{j}`` (outputs); their parameters keep the names and the canonical order of
:func:`exactrelu.core.network.parameter_names`.

>>> from exactrelu import examples
>>> g = ParameterGraph.from_network(examples.relu_of_sum())
>>> g.hidden, g.num_parameters
(('h1_1', 'h1_2', 'h2_1'), 11)
>>> [str(v) for v in g.balance()]
['0', '0', '2']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import ShapeError
from exactrelu.core.network import Network
from exactrelu.core.rational import as_rational

__all__ = ["CONSTANT", "Edge", "ParameterGraph"]

#: The id of the constant source vertex whose out-edges are the biases.
CONSTANT = "1"


@dataclass(frozen=True, slots=True)
class Edge:
    """One parameter as an edge ``tail -> head`` (``tail == CONSTANT`` for a bias), with its name and value."""

    tail: str
    head: str
    name: str
    value: Fraction

    @property
    def is_bias(self) -> bool:
        return self.tail == CONSTANT


@dataclass(frozen=True)
class ParameterGraph:
    """A feed-forward network as the graph of its parameters (docs/mathematics.md G3).

    ``inputs``, ``hidden`` (in a topological order) and ``outputs`` are vertex ids; ``edges`` lists every parameter
    once, in the network's canonical parameter order.
    """

    inputs: tuple[str, ...]
    hidden: tuple[str, ...]
    outputs: tuple[str, ...]
    edges: tuple[Edge, ...]

    def __post_init__(self) -> None:
        ids = list(self.inputs) + list(self.hidden) + list(self.outputs)
        if len(set(ids)) != len(ids) or CONSTANT in ids:
            raise ShapeError(f"vertex ids must be distinct and differ from {CONSTANT!r}")
        known = set(ids) | {CONSTANT}
        for e in self.edges:
            if e.tail not in known or e.head not in known:
                raise ShapeError(f"edge {e.name}: unknown vertex in {e.tail} -> {e.head}")
            if e.head in self.inputs or e.head == CONSTANT or e.tail in self.outputs:
                raise ShapeError(f"edge {e.name}: {e.tail} -> {e.head} enters a source or leaves an output")

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_network(cls, net: Network, *, biases: bool = True) -> ParameterGraph:
        """The graph of a layered network; ``biases=False`` drops every bias parameter (a bias-free network; the
        biases of ``net`` must then be zero)."""
        arch = net.architecture
        ids = [[f"x{j + 1}" for j in range(arch[0])]]
        for l in range(1, len(arch) - 1):
            ids.append([f"h{l}_{i + 1}" for i in range(arch[l])])
        ids.append([f"y{j + 1}" for j in range(arch[-1])])
        edges: list[Edge] = []
        for l, layer in enumerate(net.layers, start=1):
            for i, row in enumerate(layer.weights):
                for j, w in enumerate(row):
                    edges.append(Edge(ids[l - 1][j], ids[l][i], f"W{l}_{i + 1}_{j + 1}", w))
            for i, b in enumerate(layer.biases):
                if biases:
                    edges.append(Edge(CONSTANT, ids[l][i], f"b{l}_{i + 1}", b))
                elif b != 0:
                    raise ShapeError(f"biases=False but b{l}_{i + 1} = {b} is not zero")
        hidden = tuple(v for layer_ids in ids[1:-1] for v in layer_ids)
        return cls(tuple(ids[0]), hidden, tuple(ids[-1]), tuple(edges))

    @classmethod
    def from_graph(cls, graph: Any) -> ParameterGraph:
        """The parameter graph of a :class:`~exactrelu.core.graph.GraphNetwork`: its edges in file order, then its
        present biases in vertex order (its canonical parameter order and names)."""
        names = graph.parameter_names()
        edges = [Edge(e.source, e.target, names[k], e.weight) for k, e in enumerate(graph.edges)]
        k = len(edges)
        for v, b in zip(graph.nodes, graph.biases, strict=True):
            if b is not None:
                edges.append(Edge(CONSTANT, v, names[k], b))
                k += 1
        return cls(tuple(graph.inputs), tuple(graph.hidden_order), tuple(graph.outputs), tuple(edges))

    def with_values(self, values: Sequence[object]) -> ParameterGraph:
        """The same graph with another parameter vector (canonical order)."""
        if len(values) != len(self.edges):
            raise ShapeError(f"{len(self.edges)} parameters expected, got {len(values)}")
        return ParameterGraph(self.inputs, self.hidden, self.outputs,
                              tuple(Edge(e.tail, e.head, e.name, as_rational(v)) for e, v in zip(self.edges, values,
                                                                                                   strict=True)))

    # ------------------------------------------------------------------ structure
    @property
    def num_parameters(self) -> int:
        return len(self.edges)

    @property
    def values(self) -> tuple[Fraction, ...]:
        return tuple(e.value for e in self.edges)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.edges)

    def incidence(self) -> list[list[int]]:
        """The hidden-vertices × edges incidence matrix B (+1 into the vertex, −1 out of it)."""
        row = {v: i for i, v in enumerate(self.hidden)}
        B = [[0] * len(self.edges) for _ in self.hidden]
        for k, e in enumerate(self.edges):
            if e.head in row:
                B[row[e.head]][k] += 1
            if e.tail in row:
                B[row[e.tail]][k] -= 1
        return B

    def in_edges(self, v: str) -> list[int]:
        return [k for k, e in enumerate(self.edges) if e.head == v]

    def out_edges(self, v: str) -> list[int]:
        return [k for k, e in enumerate(self.edges) if e.tail == v]

    def balance(self, values: Sequence[Fraction] | None = None) -> tuple[Fraction, ...]:
        """``c(θ) = B (θ∘θ)``, one value per hidden vertex (in ``hidden`` order)."""
        vals = self.values if values is None else tuple(as_rational(v) for v in values)
        return tuple(sum((vals[k] ** 2 for k in self.in_edges(v)), Fraction(0))
                     - sum((vals[k] ** 2 for k in self.out_edges(v)), Fraction(0)) for v in self.hidden)

    def is_layered_shallow(self) -> bool:
        """True when every hidden vertex is fed only by sources and feeds only outputs (one hidden layer)."""
        hid = set(self.hidden)
        return all(not (e.tail in hid and e.head in hid) for e in self.edges)

    def balance_values(self, c: Mapping[str, object] | Sequence[object] | None) -> tuple[Fraction, ...]:
        """Normalise a user's ``c`` (None = c(θ); a sequence in ``hidden`` order; or a mapping id -> value)."""
        if c is None:
            return self.balance()
        if isinstance(c, Mapping):
            unknown = set(c) - set(self.hidden)
            if unknown:
                raise ShapeError(f"c names unknown hidden vertices: {sorted(unknown)}")
            missing = [v for v in self.hidden if v not in c]
            if missing:
                raise ShapeError(f"c misses the hidden vertices {missing}")
            return tuple(as_rational(c[v]) for v in self.hidden)
        vals = tuple(as_rational(x) for x in c)
        if len(vals) != len(self.hidden):
            raise ShapeError(f"c needs {len(self.hidden)} values (one per hidden vertex), got {len(vals)}")
        return vals

    def __repr__(self) -> str:
        return (f"ParameterGraph(inputs={len(self.inputs)}, hidden={len(self.hidden)}, outputs={len(self.outputs)}, "
                f"parameters={len(self.edges)})")
