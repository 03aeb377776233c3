"""Feed-forward ReLU networks on any acyclic graph (docs/mathematics.md §1, G1, G3).

A :class:`GraphNetwork` has

* **input** vertices (no bias, no incoming edge),
* **hidden** vertices (ReLU units),
* **output** vertices (affine sinks: no outgoing edge),
* weighted **edges** ``u -> v`` of a directed acyclic graph, in a fixed order (the order of the file), which may skip
  layers, join hidden vertices directly to outputs or inputs directly to outputs,
* for every non-input vertex a **bias** that is either a parameter (a Fraction, possibly 0) or absent (``None``).

Conventions, stated once:

* Vertex order: ``inputs`` then ``nodes`` (hidden and output vertices in the order they were given).  Biases are
  listed in this order.
* Topological order: the smallest-index-first topological sort of the vertex order (Kahn's algorithm with a heap), so
  a layered network's hidden vertices come layer by layer, neuron by neuron.  Activation patterns are flat tuples of
  signs, one per hidden vertex, in this order (:attr:`GraphNetwork.hidden_order`).
* Canonical parameter order: the edge weights in edge order, then the *present* biases in vertex order.
  ``D = #edges + #present biases``; ``N_h = #hidden vertices``.  Parameter names: ``w_{u}_{v}`` and ``b_{v}``.
* The layered :class:`~exactrelu.core.network.Network` is the special case:
  :func:`~exactrelu.core.graph_layered.to_graph` names the vertices ``x1..xd``, ``h{l}_{i}``, ``y{j}`` and
  :func:`~exactrelu.core.graph_layered.to_layered` converts back where the graph is layered (complete bipartite
  consecutive layers, every bias present), otherwise it says why.

Every number is a :class:`fractions.Fraction`; no float ever enters a decision.

Examples
--------
>>> g = GraphNetwork.from_edges(inputs=["x1", "x2"], outputs=["y"],
...     nodes=[("h1", "1/2"), ("h2", None), ("y", 0)],
...     edges=[("x1", "h1", 3), ("x2", "h1", -1), ("h1", "h2", 2), ("x1", "h2", "1/3"), ("h2", "y", 1)])
>>> g
GraphNetwork(inputs=2, hidden=2, outputs=1, edges=5, D=7, skip edges=1, biases absent: h2)
>>> g([1, 0])
(Fraction(22, 3),)
>>> g.pattern([1, 0]), g.hidden_order
((1, 1), ('h1', 'h2'))
>>> g.num_parameters, g.num_hidden
(7, 2)
>>> g.parameter_names()
('w_x1_h1', 'w_x2_h1', 'w_h1_h2', 'w_x1_h2', 'w_h2_y', 'b_h1', 'b_y')
>>> print(g)
GraphNetwork(inputs=2, hidden=2, outputs=1, edges=5, D=7, skip edges=1, biases absent: h2)
  inputs:  x1 x2
  outputs: y
  hidden (topological): h1 h2
  h1 = relu(3*x1 + -1*x2 + 1/2)
  h2 = relu(2*h1 + 1/3*x1)
  y = 1*h2 + 0
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import FormatError, ShapeError
from exactrelu.core.rational import as_rational, format_rational, rational_point

__all__ = ["Edge", "GraphNetwork", "GraphPattern", "StructureWarning"]

GraphPattern = tuple[int, ...]

_ZERO = Fraction(0)


class StructureWarning(UserWarning):
    """A graph network is valid but has vertices that cannot influence the output or are never reached."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A weighted edge ``source -> target``."""

    source: str
    target: str
    weight: Fraction

    def __repr__(self) -> str:
        return f"Edge({self.source} -> {self.target}: {format_rational(self.weight)})"


@dataclass(frozen=True)
class GraphNetwork:
    """An immutable ReLU network on a directed acyclic graph (docs/mathematics.md §1).

    Build it with :meth:`from_edges`, :func:`~exactrelu.core.graph_layered.to_graph` (from a layered network),
    :meth:`from_parameters` or :func:`exactrelu.load` of a version-2 file.  Construction validates the graph and raises
    :class:`~exactrelu.core.errors.FormatError` naming the place (a cycle names its vertices).

    Attributes
    ----------
    inputs : tuple of str
        Input vertex ids; their order is the order of the coordinates of ``x``.
    nodes : tuple of str
        Hidden and output vertex ids in the given order (the vertex order after the inputs).
    outputs : tuple of str
        Output vertex ids; their order is the order of the coordinates of ``f(x)``.
    edges : tuple of Edge
        The weighted edges in the given (file) order.
    biases : tuple of (Fraction or None)
        One per entry of ``nodes``: the bias parameter, or ``None`` when the vertex has no bias.
    """

    inputs: tuple[str, ...]
    nodes: tuple[str, ...]
    outputs: tuple[str, ...]
    edges: tuple[Edge, ...]
    biases: tuple[Fraction | None, ...]
    _topo: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _incoming: dict[str, tuple[tuple[str, Fraction], ...]] = field(init=False, repr=False, compare=False)
    _bias_of: dict[str, Fraction | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.biases) != len(self.nodes):
            raise ShapeError(f"{len(self.nodes)} nodes but {len(self.biases)} biases")
        if not self.inputs:
            raise FormatError("inputs: a graph network needs at least one input")
        if not self.outputs:
            raise FormatError("outputs: a graph network needs at least one output")
        seen: dict[str, str] = {}
        for where, ids in (("inputs", self.inputs), ("nodes", self.nodes)):
            for i, v in enumerate(ids):
                if not isinstance(v, str) or not v:
                    raise FormatError(f"{where}[{i}]: a vertex id must be a non-empty string, got {v!r}")
                if v in seen:
                    raise FormatError(f"{where}[{i}]: duplicate id {v!r} (already in {seen[v]})")
                seen[v] = f"{where}[{i}]"
        node_set = set(self.nodes)
        out_seen: set[str] = set()
        for i, v in enumerate(self.outputs):
            if v in out_seen:
                raise FormatError(f"outputs[{i}]: duplicate output {v!r}")
            out_seen.add(v)
            if v not in node_set:
                if v in seen:
                    raise FormatError(f"outputs[{i}]: {v!r} is an input, not a node")
                raise FormatError(f"outputs[{i}]: unknown id {v!r} (every output must be listed in nodes)")
        inputs = set(self.inputs)
        incoming: dict[str, list[tuple[str, Fraction]]] = {v: [] for v in self.nodes}
        pairs: dict[tuple[str, str], int] = {}
        for k, e in enumerate(self.edges):
            if not isinstance(e, Edge):
                raise FormatError(f"edges[{k}]: expected an Edge, got {type(e).__name__}")
            for end, v in (("from", e.source), ("to", e.target)):
                if v not in seen:
                    raise FormatError(f"edges[{k}].{end}: unknown id {v!r}")
            if e.target in inputs:
                raise FormatError(f"edges[{k}]: edge {e.source} -> {e.target} into input {e.target!r} "
                                  "(inputs have no incoming edges)")
            if e.source in out_seen:
                raise FormatError(f"edges[{k}]: edge {e.source} -> {e.target} out of output {e.source!r} "
                                  "(outputs are sinks)")
            if (e.source, e.target) in pairs:
                raise FormatError(f"edges[{k}]: duplicate edge {e.source} -> {e.target} "
                                  f"(first at edges[{pairs[(e.source, e.target)]}])")
            pairs[(e.source, e.target)] = k
            incoming[e.target].append((e.source, e.weight))
        object.__setattr__(self, "_incoming", {v: tuple(lst) for v, lst in incoming.items()})
        object.__setattr__(self, "_bias_of", dict(zip(self.nodes, self.biases)))
        object.__setattr__(self, "_topo", self._topological_sort())

    def _topological_sort(self) -> tuple[str, ...]:
        index = {v: i for i, v in enumerate(self.vertices)}
        indeg = {v: 0 for v in self.vertices}
        succ: dict[str, list[str]] = {v: [] for v in self.vertices}
        for e in self.edges:
            indeg[e.target] += 1
            succ[e.source].append(e.target)
        heap = [index[v] for v in self.vertices if indeg[v] == 0]
        heapq.heapify(heap)
        order: list[str] = []
        while heap:
            v = self.vertices[heapq.heappop(heap)]
            order.append(v)
            for w in succ[v]:
                indeg[w] -= 1
                if indeg[w] == 0:
                    heapq.heappush(heap, index[w])
        if len(order) < len(self.vertices):
            left = {v for v in self.vertices if indeg[v] > 0}
            raise FormatError(f"edges: cycle {' -> '.join(_find_cycle(left, succ, index))}")
        return tuple(order)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_edges(cls, inputs: Iterable[str], outputs: Iterable[str], nodes: Iterable[Any],
                   edges: Iterable[Any], *, allow_float: bool = False) -> GraphNetwork:
        """Build from plain data.

        ``nodes`` holds ids (no bias), ``(id, bias)`` pairs (``bias=None``: absent) or ``{"id": ..., "bias": ...}``
        objects; ``edges`` holds ``(from, to, weight)`` triples or :class:`Edge` objects.  Entries are ints,
        Fractions or ``"p/q"`` strings (floats only with ``allow_float=True``, converted exactly).
        """
        ids: list[str] = []
        biases: list[Fraction | None] = []
        for i, n in enumerate(nodes):
            if isinstance(n, str):
                v, b = n, None
            elif isinstance(n, Mapping):
                v, b = n.get("id"), n.get("bias")
            else:
                try:
                    v, b = n
                except (TypeError, ValueError):
                    raise FormatError(f"nodes[{i}]: expected an id, an (id, bias) pair or an object") from None
            ids.append(v)
            biases.append(None if b is None else _entry(b, allow_float, f"nodes[{i}].bias"))
        built: list[Edge] = []
        for k, e in enumerate(edges):
            if isinstance(e, Edge):
                built.append(e)
                continue
            try:
                u, v, w = e
            except (TypeError, ValueError):
                raise FormatError(f"edges[{k}]: expected a (from, to, weight) triple") from None
            built.append(Edge(u, v, _entry(w, allow_float, f"edges[{k}].weight")))
        return cls(tuple(inputs), tuple(ids), tuple(outputs), tuple(built), tuple(biases))

    def from_parameters(self, vector: Sequence[object]) -> GraphNetwork:
        """The same graph with the flat parameter vector ``vector`` (canonical order) in place of θ.

        >>> g = GraphNetwork.from_edges(["x"], ["y"], [("h", 0), "y"], [("x", "h", 1), ("h", "y", 1)])
        >>> g.from_parameters([2, 3, -1]).parameters()
        (Fraction(2, 1), Fraction(3, 1), Fraction(-1, 1))
        """
        vec = [as_rational(v) for v in vector]
        if len(vec) != self.num_parameters:
            raise ShapeError(f"graph network has {self.num_parameters} parameters, got {len(vec)}")
        m = len(self.edges)
        edges = tuple(Edge(e.source, e.target, vec[k]) for k, e in enumerate(self.edges))
        it = iter(vec[m:])
        biases = tuple(None if b is None else next(it) for b in self.biases)
        return GraphNetwork(self.inputs, self.nodes, self.outputs, edges, biases)

    # ------------------------------------------------------------------ structure
    @property
    def vertices(self) -> tuple[str, ...]:
        """All vertex ids in vertex order: inputs, then nodes."""
        return self.inputs + self.nodes

    @property
    def hidden(self) -> tuple[str, ...]:
        """Hidden (ReLU) vertex ids in node order."""
        outs = set(self.outputs)
        return tuple(v for v in self.nodes if v not in outs)

    @property
    def topological_order(self) -> tuple[str, ...]:
        """Every vertex, smallest-index-first topological order (inputs of in-degree 0 first by index)."""
        return self._topo

    @property
    def hidden_order(self) -> tuple[str, ...]:
        """Hidden vertices in topological order: the order of the signs of an activation pattern."""
        hid = set(self.hidden)
        return tuple(v for v in self._topo if v in hid)

    @property
    def input_dim(self) -> int:
        return len(self.inputs)

    @property
    def output_dim(self) -> int:
        return len(self.outputs)

    @property
    def num_hidden(self) -> int:
        """N_h, the number of hidden vertices."""
        return len(self.nodes) - len(self.outputs)

    @property
    def num_edges(self) -> int:
        return len(self.edges)

    @property
    def num_parameters(self) -> int:
        """D = #edges + #present biases."""
        return len(self.edges) + sum(b is not None for b in self.biases)

    def kind(self, v: str) -> str:
        """``"input"``, ``"hidden"`` or ``"output"``."""
        if v in self.inputs:
            return "input"
        if v in self.outputs:
            return "output"
        if v in self._bias_of:
            return "hidden"
        raise KeyError(v)

    def bias(self, v: str) -> Fraction | None:
        """The bias of a non-input vertex (``None``: absent)."""
        return self._bias_of[v]

    def has_bias(self, v: str) -> bool:
        return self._bias_of.get(v) is not None

    def in_edges(self, v: str) -> tuple[int, ...]:
        """Indices (into :attr:`edges`) of the edges into ``v``."""
        return tuple(k for k, e in enumerate(self.edges) if e.target == v)

    def out_edges(self, v: str) -> tuple[int, ...]:
        """Indices (into :attr:`edges`) of the edges out of ``v``."""
        return tuple(k for k, e in enumerate(self.edges) if e.source == v)

    def edge_index(self, source: str, target: str) -> int:
        """Index of the edge ``source -> target`` (``KeyError`` if absent)."""
        for k, e in enumerate(self.edges):
            if e.source == source and e.target == target:
                return k
        raise KeyError(f"{source} -> {target}")

    def edge_list(self) -> tuple[tuple[str, str], ...]:
        """``(from, to)`` pairs in edge (file) order."""
        return tuple((e.source, e.target) for e in self.edges)

    def incidence_matrix(self) -> tuple[tuple[int, ...], ...]:
        """Signed vertex-edge incidence matrix: row per vertex (vertex order), column per edge (edge order),
        ``+1`` at the head (target), ``-1`` at the tail (source).

        >>> GraphNetwork.from_edges(["x"], ["y"], ["h", "y"], [("x", "h", 1), ("h", "y", 1)]).incidence_matrix()
        ((-1, 0), (1, -1), (0, 1))
        """
        index = {v: i for i, v in enumerate(self.vertices)}
        rows = [[0] * len(self.edges) for _ in self.vertices]
        for k, e in enumerate(self.edges):
            rows[index[e.source]][k] -= 1
            rows[index[e.target]][k] += 1
        return tuple(tuple(r) for r in rows)

    def balance_matrix(self) -> tuple[tuple[int, ...], ...]:
        """The matrix ``B`` of the balance laws (docs/mathematics.md G1): one row per hidden vertex (node order),
        one column per parameter (canonical order); ``+1`` for an incoming edge or the vertex's own bias, ``-1`` for
        an outgoing edge, so that ``B (θ∘θ)`` is the vector of ``Σ in² + b² − Σ out²``.

        >>> GraphNetwork.from_edges(["x"], ["y"], [("h", 0), "y"], [("x", "h", 1), ("h", "y", 1)]).balance_matrix()
        ((1, -1, 1),)
        """
        m = len(self.edges)
        col = {}
        j = m
        for v, b in zip(self.nodes, self.biases):
            if b is not None:
                col[v] = j
                j += 1
        rows = []
        for v in self.hidden:
            r = [0] * self.num_parameters
            for k, e in enumerate(self.edges):
                if e.target == v:
                    r[k] += 1
                if e.source == v:
                    r[k] -= 1
            if v in col:
                r[col[v]] = 1
            rows.append(tuple(r))
        return tuple(rows)

    def depths(self) -> dict[str, int]:
        """Longest-path depth of every vertex (inputs and vertices without incoming edges at depth 0)."""
        depth: dict[str, int] = {}
        for v in self._topo:
            preds = self._incoming.get(v, ())
            depth[v] = 1 + max((depth[u] for u, _ in preds), default=-1) if preds else 0
        return depth

    def unreachable_vertices(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``(no_path_from_input, no_path_to_output)``: hidden vertices that no input reaches, and hidden vertices
        from which no output is reachable (allowed; docs/mathematics.md G3 studies them)."""
        succ: dict[str, list[str]] = {v: [] for v in self.vertices}
        pred: dict[str, list[str]] = {v: [] for v in self.vertices}
        for e in self.edges:
            succ[e.source].append(e.target)
            pred[e.target].append(e.source)
        fwd = _reach(self.inputs, succ)
        bwd = _reach(self.outputs, pred)
        hid = self.hidden
        return tuple(v for v in hid if v not in fwd), tuple(v for v in hid if v not in bwd)

    # ------------------------------------------------------------------ parameters
    def parameters(self) -> tuple[Fraction, ...]:
        """The flat parameter vector θ: edge weights in edge order, then the present biases in vertex order."""
        return tuple(e.weight for e in self.edges) + tuple(b for b in self.biases if b is not None)

    def parameter_names(self) -> tuple[str, ...]:
        """Names in canonical order: ``w_{from}_{to}`` then ``b_{id}``; if two such names coincide (ids with
        underscores), every edge is named ``w[{from}->{to}]`` and every bias ``b[{id}]`` instead."""
        names = [f"w_{e.source}_{e.target}" for e in self.edges]
        names += [f"b_{v}" for v, b in zip(self.nodes, self.biases) if b is not None]
        if len(set(names)) < len(names):
            names = [f"w[{e.source}->{e.target}]" for e in self.edges]
            names += [f"b[{v}]" for v, b in zip(self.nodes, self.biases) if b is not None]
        return tuple(names)

    def parameter_index(self) -> tuple[tuple[str, str, str], ...]:
        """What each parameter is: ``("edge", from, to)`` or ``("bias", id, "")`` in canonical order."""
        out = [("edge", e.source, e.target) for e in self.edges]
        out += [("bias", v, "") for v, b in zip(self.nodes, self.biases) if b is not None]
        return tuple(out)

    # ------------------------------------------------------------------ evaluation
    def _check_input(self, x: Sequence[object]) -> tuple[Fraction, ...]:
        return rational_point(x, self.input_dim)

    def preactivations(self, x: Sequence[object]) -> dict[str, Fraction]:
        """Pre-activation ``z_v(x)`` of every non-input vertex (for outputs: the output value)."""
        xs = self._check_input(x)
        act: dict[str, Fraction] = dict(zip(self.inputs, xs))
        z: dict[str, Fraction] = {}
        outs = set(self.outputs)
        for v in self._topo:
            if v in act:
                continue
            b = self._bias_of[v]
            s = sum((w * act[u] for u, w in self._incoming[v]), b if b is not None else _ZERO)
            z[v] = s
            act[v] = s if v in outs or s > 0 else _ZERO
        return z

    def __call__(self, x: Sequence[object]) -> tuple[Fraction, ...]:
        """Exact output ``f(x)`` at one point."""
        z = self.preactivations(x)
        return tuple(z[v] for v in self.outputs)

    def evaluate(self, points: Iterable[Sequence[object]]) -> tuple[tuple[Fraction, ...], ...]:
        return tuple(self(p) for p in points)

    def pattern(self, x: Sequence[object]) -> GraphPattern:
        """Ternary signs of the hidden pre-activations at ``x`` in :attr:`hidden_order`."""
        z = self.preactivations(x)
        return tuple((z[v] > 0) - (z[v] < 0) for v in self.hidden_order)

    def affine_forms(self, pattern: Sequence[int]) -> dict[str, tuple[tuple[Fraction, ...], Fraction]]:
        """For every non-input vertex, its pre-activation ``z_v(x) = a·x + c`` on the cell of ``pattern``
        (signs in :attr:`hidden_order`; entries > 0 mean active)."""
        order = self.hidden_order
        if len(pattern) != len(order):
            raise ShapeError(f"pattern has {len(pattern)} entries, network has {len(order)} hidden vertices")
        on = {v: pattern[i] > 0 for i, v in enumerate(order)}
        d = self.input_dim
        zero_row = (_ZERO,) * d
        val: dict[str, tuple[tuple[Fraction, ...], Fraction]] = {
            v: (tuple(Fraction(int(i == j)) for j in range(d)), _ZERO) for i, v in enumerate(self.inputs)}
        forms: dict[str, tuple[tuple[Fraction, ...], Fraction]] = {}
        for v in self._topo:
            if v in val:
                continue
            b = self._bias_of[v]
            a = [_ZERO] * d
            c = b if b is not None else _ZERO
            for u, w in self._incoming[v]:
                au, cu = val[u]
                if cu or any(au):
                    for j in range(d):
                        a[j] += w * au[j]
                    c += w * cu
            forms[v] = (tuple(a), c)
            if v in on and not on[v]:
                val[v] = (zero_row, _ZERO)
            else:
                val[v] = forms[v]
        return forms

    def affine_map(self, pattern: Sequence[int]) -> tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...]]:
        """The exact ``(A, c)`` with ``f(x) = A x + c`` on the cell of ``pattern`` (signs in :attr:`hidden_order`).

        >>> g = GraphNetwork.from_edges(["x"], ["y"], [("h", 0), "y"], [("x", "h", 1), ("h", "y", 1), ("x", "y", 1)])
        >>> g.affine_map((1,)), g.affine_map((0,))
        ((((Fraction(2, 1),),), (Fraction(0, 1),)), (((Fraction(1, 1),),), (Fraction(0, 1),)))
        """
        forms = self.affine_forms(pattern)
        return tuple(forms[v][0] for v in self.outputs), tuple(forms[v][1] for v in self.outputs)

    # ------------------------------------------------------------------ conversion and display
    def with_weights(self, weights: Mapping[tuple[str, str], object] | None = None,
                     biases: Mapping[str, object | None] | None = None) -> GraphNetwork:
        """A copy with some edge weights ``{(from, to): w}`` and biases ``{id: b or None}`` replaced."""
        weights = dict(weights or {})
        biases = dict(biases or {})
        for key in weights:
            self.edge_index(*key)
        edges = tuple(Edge(e.source, e.target, as_rational(weights[(e.source, e.target)]))
                      if (e.source, e.target) in weights else e for e in self.edges)
        bs = tuple((None if biases[v] is None else as_rational(biases[v])) if v in biases else b
                   for v, b in zip(self.nodes, self.biases))
        return GraphNetwork(self.inputs, self.nodes, self.outputs, edges, bs)

    def summary(self) -> str:
        """A multi-line human-readable description: vertices, biases and edges."""
        lines = [repr(self), f"  inputs:  {' '.join(self.inputs)}", f"  outputs: {' '.join(self.outputs)}",
                 f"  hidden (topological): {' '.join(self.hidden_order) or '-'}"]
        for v in self.nodes:
            b = self._bias_of[v]
            ins = " + ".join(f"{format_rational(w)}*{u}" for u, w in self._incoming[v]) or "0"
            bias = "" if b is None else f" + {format_rational(b)}"
            op = "" if v in self.outputs else "relu"
            lines.append(f"  {v} = {op}({ins}{bias})" if op else f"  {v} = {ins}{bias}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        extra = []
        depth = self.depths()
        skips = sum(1 for e in self.edges if depth[e.target] > depth[e.source] + 1)
        if skips:
            extra.append(f"skip edges={skips}")
        absent = [v for v, b in zip(self.nodes, self.biases) if b is None]
        if absent:
            shown = ", ".join(absent[:4]) + (", ..." if len(absent) > 4 else "")
            extra.append(f"biases absent: {shown}")
        tail = "".join(f", {x}" for x in extra)
        return (f"GraphNetwork(inputs={self.input_dim}, hidden={self.num_hidden}, outputs={self.output_dim}, "
                f"edges={self.num_edges}, D={self.num_parameters}{tail})")


def _entry(value: object, allow_float: bool, where: str) -> Fraction:
    try:
        return as_rational(value, allow_float=allow_float)
    except (FormatError, TypeError) as exc:
        raise type(exc)(f"{where}: {exc}") from None


def _reach(starts: Iterable[str], nbrs: Mapping[str, list[str]]) -> set[str]:
    seen = set(starts)
    stack = list(seen)
    while stack:
        v = stack.pop()
        for w in nbrs[v]:
            if w not in seen:
                seen.add(w)
                stack.append(w)
    return seen


def _find_cycle(left: set[str], succ: Mapping[str, list[str]], index: Mapping[str, int]) -> list[str]:
    """A directed cycle inside ``left`` (every vertex there has a predecessor in ``left``), closed: [a, b, ..., a]."""
    import networkx as nx

    G = nx.DiGraph()
    G.add_nodes_from(sorted(left, key=index.__getitem__))
    G.add_edges_from((u, w) for u in left for w in succ[u] if w in left)
    cyc = nx.find_cycle(G)
    return [u for u, _ in cyc] + [cyc[0][0]]
