"""The layered :class:`~exactrelu.core.network.Network` as a special :class:`~exactrelu.core.graph.GraphNetwork`.

:func:`to_graph` names the vertices ``x1..xd``, ``h{l}_{i}`` (layer ``l``, neuron ``i``, 1-based) and ``y{j}``, lists
the edges layer by layer in the row-major order of each weight matrix and keeps every bias; :func:`to_layered`
converts back where the graph is layered — consecutive layers fully connected, no skip edge, every output at the last
depth, every bias present — and otherwise says why not (:func:`layered_obstruction`).  ``to_layered(to_graph(net))
== net`` for every network.

Examples
--------
>>> from exactrelu import examples
>>> g = to_graph(examples.relu_of_sum())
>>> g.hidden_order, to_layered(g) == examples.relu_of_sum()
(('h1_1', 'h1_2', 'h2_1'), True)
>>> h = g.with_weights(biases={"h2_1": None})
>>> print(layered_obstruction(h))
hidden vertex h2_1 has no bias (a layered Network has every bias)
>>> to_layered(h, absent_bias_as_zero=True) == examples.relu_of_sum()  # relu_of_sum's b2 is -1, not 0
False
"""

from __future__ import annotations

from fractions import Fraction

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.graph import Edge, GraphNetwork
from exactrelu.core.network import Layer, Network

__all__ = ["to_graph", "to_layered", "as_graph", "is_layered", "layered_obstruction", "layered_layers",
           "layered_parameter_permutation"]

_ZERO = Fraction(0)


def to_graph(net: Network) -> GraphNetwork:
    """The graph form of a layered network (vertex ids ``x1..xd``, ``h{l}_{i}``, ``y{j}``; every bias present)."""
    names: list[list[str]] = [[f"x{j + 1}" for j in range(net.input_dim)]]
    for l in range(1, net.depth + 1):
        names.append([f"h{l}_{i + 1}" for i in range(net.layers[l - 1].n_out)])
    names.append([f"y{j + 1}" for j in range(net.output_dim)])
    edges = []
    nodes: list[str] = []
    biases: list[Fraction | None] = []
    for l, layer in enumerate(net.layers):
        for i, row in enumerate(layer.weights):
            for j, w in enumerate(row):
                edges.append(Edge(names[l][j], names[l + 1][i], w))
        nodes.extend(names[l + 1])
        biases.extend(layer.biases)
    return GraphNetwork(tuple(names[0]), tuple(nodes), tuple(names[-1]), tuple(edges), tuple(biases))


def as_graph(net: Network | GraphNetwork) -> GraphNetwork:
    """The graph form of either kind of network (a :class:`GraphNetwork` is returned unchanged)."""
    if isinstance(net, GraphNetwork):
        return net
    if isinstance(net, Network):
        return to_graph(net)
    raise TypeError(f"expected a Network or GraphNetwork, got {type(net).__name__}")


def _layering(g: GraphNetwork, need_biases: bool) -> tuple[list[list[str]], str | None]:
    depth = g.depths()
    for v in g.nodes:
        if not g.in_edges(v):
            return [], f"{g.kind(v)} vertex {v} has no incoming edge"
    for e in g.edges:
        if depth[e.target] != depth[e.source] + 1:
            return [], (f"edge {e.source} -> {e.target} skips from depth {depth[e.source]} to depth "
                        f"{depth[e.target]} ({e.target} is at depth {depth[e.target]})")
    top = max(depth.values())
    layers: list[list[str]] = [[] for _ in range(top + 1)]
    layers[0] = list(g.inputs)
    outs = set(g.outputs)
    for v in g.nodes:
        if depth[v] == top and v not in outs:
            return [], f"hidden vertex {v} is at the last depth {top} (it reaches no output)"
        if depth[v] < top and v in outs:
            return [], f"output {v} is at depth {depth[v]}, not at the last depth {top}"
        if v not in outs:
            layers[depth[v]].append(v)
    layers[top] = list(g.outputs)
    present = set(g.edge_list())
    for l in range(1, top + 1):
        for v in layers[l]:
            for u in layers[l - 1]:
                if (u, v) not in present:
                    return [], f"edge {u} -> {v} is missing (consecutive layers must be fully connected)"
    if need_biases:
        for v in g.nodes:
            if g.bias(v) is None:
                return [], f"{g.kind(v)} vertex {v} has no bias (a layered Network has every bias)"
    return layers, None


def layered_obstruction(g: GraphNetwork, *, need_biases: bool = True) -> str | None:
    """``None`` if ``g`` is a layered network (with every bias present, unless ``need_biases=False``), else why not."""
    return _layering(g, need_biases)[1]


def is_layered(g: GraphNetwork, *, need_biases: bool = True) -> bool:
    """True when :func:`to_layered` converts ``g`` losslessly."""
    return _layering(g, need_biases)[1] is None


def layered_layers(g: GraphNetwork) -> tuple[tuple[str, ...], ...]:
    """The vertex ids layer by layer (inputs, hidden layers, outputs) of a layered graph (biases may be absent)."""
    layers, why = _layering(g, False)
    if why is not None:
        raise NotApplicableError(f"not a layered network: {why}")
    return tuple(tuple(layer) for layer in layers)


def to_layered(g: GraphNetwork, *, absent_bias_as_zero: bool = False) -> Network:
    """The layered :class:`~exactrelu.core.network.Network` of a layered graph (neurons of a layer in node order,
    outputs in output order).

    With ``absent_bias_as_zero=True`` an absent bias becomes a bias 0: the same *function*, but not the same
    parameter space (``D`` grows), so use it only for function-level questions (regions, equivalence, eval).
    Raises :class:`~exactrelu.core.errors.NotApplicableError` saying why a graph is not layered.
    """
    layers, why = _layering(g, not absent_bias_as_zero)
    if why is not None:
        raise NotApplicableError(f"not a layered network: {why}")
    w = {(e.source, e.target): e.weight for e in g.edges}
    built = []
    for l in range(1, len(layers)):
        W = tuple(tuple(w[(u, v)] for u in layers[l - 1]) for v in layers[l])
        b = tuple(g.bias(v) or _ZERO for v in layers[l])
        built.append(Layer(W, b))
    return Network(tuple(built))


def layered_parameter_permutation(g: GraphNetwork) -> tuple[int, ...]:
    """For a layered graph: ``perm`` with ``g.parameters()[perm[k]] == to_layered(g).parameters()[k]``."""
    layers, why = _layering(g, True)
    if why is not None:
        raise NotApplicableError(f"not a layered network: {why}")
    pos = {(e.source, e.target): k for k, e in enumerate(g.edges)}
    bpos = {}
    j = len(g.edges)
    for v, b in zip(g.nodes, g.biases):
        if b is not None:
            bpos[v] = j
            j += 1
    perm: list[int] = []
    for l in range(1, len(layers)):
        perm += [pos[(u, v)] for v in layers[l] for u in layers[l - 1]]
        perm += [bpos[v] for v in layers[l]]
    return tuple(perm)
