"""Seeded random graph networks and named families: layered with skip edges, chains, residual MLPs, DenseNet-style.

Vertex ids follow the layered convention (``x1..xd``, ``h{l}_{i}``, ``y{j}``) so that a family member without skip
edges *is* the graph of the layered network.  Entries are ``p/q`` with ``|p| <= max_num`` and ``1 <= q <= max_den``
(never 0).

* :func:`random_graph_network`: layers of the given widths, consecutive layers fully connected, and every *skip edge*
  (from layer ``i`` to layer ``j >= i + 2``; layer 0 = inputs, last = outputs) present with probability ``density``
  or as chosen by ``skip``: ``"none"``, ``"all"`` (DenseNet-style) or a list of layer pairs ``[(i, j), ...]`` fully
  connected;
* :func:`chain_network`: ``x -> h1 -> ... -> hn -> y`` plus the given skip edges (docs/mathematics.md G3);
* :func:`residual_network`: ``r_k(s) = s + relu(W_k s + b_k)`` blocks of width ``d`` on the residual stream, then an
  affine read-out.  A graph has no linear vertices, so the stream ``s_k = x + h_1 + ... + h_k`` is expanded: block
  ``k`` and the read-out receive one edge from every earlier stream term, all carrying the same weight ``W_k[i][j]``
  (the *function* of the residual MLP; its tied weights are independent parameters of the graph).

>>> g = random_graph_network((2, 3, 3, 1), seed=1, skip="all", bias=False)
>>> g.num_edges, g.num_parameters, g.num_hidden
(29, 29, 6)
>>> chain_network(2, skips=[("x", "h2")]).edge_list()
(('x', 'h1'), ('h1', 'h2'), ('h2', 'y'), ('x', 'h2'))
>>> r = residual_network(2, blocks=2, outputs=1, seed=0)
>>> r.num_hidden, r.num_edges
(4, 18)
"""

from __future__ import annotations

import random as _random
from collections.abc import Sequence
from fractions import Fraction

from exactrelu.core.errors import ShapeError
from exactrelu.core.graph import Edge, GraphNetwork
from exactrelu.core.random import random_rational

__all__ = ["random_graph_network", "chain_network", "residual_network", "FAMILIES"]

FAMILIES = ("mlp", "chain", "residual", "dense")


def _names(arch: Sequence[int]) -> list[list[str]]:
    L = len(arch) - 2
    names = [[f"x{j + 1}" for j in range(arch[0])]]
    names += [[f"h{l}_{i + 1}" for i in range(arch[l])] for l in range(1, L + 1)]
    names.append([f"y{j + 1}" for j in range(arch[-1])])
    return names


def random_graph_network(architecture: Sequence[int], seed: int = 0, *, density: Fraction | float = 0.5,
                         skip: str | Sequence[tuple[int, int]] | None = None, bias: bool | float = True,
                         max_num: int = 5, max_den: int = 4) -> GraphNetwork:
    """Layered widths with fully connected consecutive layers plus skip edges (module docstring).

    ``bias``: True (every bias), False (none) or a probability per non-input vertex.
    """
    arch = tuple(int(a) for a in architecture)
    if len(arch) < 2 or any(a < 1 for a in arch):
        raise ShapeError(f"architecture {arch} needs >= 2 positive entries (d, ..., m)")
    dens = Fraction(density) if not isinstance(density, Fraction) else density
    if not 0 <= dens <= 1:
        raise ShapeError(f"density must be in [0, 1], got {density}")
    rng = _random.Random(seed)
    names = _names(arch)
    n = len(names)
    pairs: set[tuple[int, int]]
    if skip is None:
        pairs = set()
    elif skip == "none":
        pairs = set()
    elif skip == "all":
        pairs = {(i, j) for i in range(n) for j in range(i + 2, n)}
    elif isinstance(skip, str):
        raise ShapeError(f"skip pattern {skip!r}: expected 'none', 'all' or layer pairs like 0-2,1-3")
    else:
        pairs = set()
        for i, j in skip:
            if not (0 <= i and i + 2 <= j < n):
                raise ShapeError(f"skip pair {i}-{j}: need 0 <= i, i + 2 <= j <= {n - 1} (layer 0 = inputs)")
            pairs.add((i, j))
    edges = []
    for j in range(1, n):
        for v in names[j]:
            for i in range(j):
                if i == j - 1 or (i, j) in pairs:
                    chosen = [(u, True) for u in names[i]]
                elif skip is None:
                    chosen = [(u, rng.random() < dens) for u in names[i]]
                else:
                    chosen = []
                edges += [Edge(u, v, random_rational(rng, max_num, max_den)) for u, keep in chosen if keep]
    nodes = [v for layer in names[1:] for v in layer]
    biases = []
    for _ in nodes:
        has = bias if isinstance(bias, bool) else rng.random() < bias
        biases.append(random_rational(rng, max_num, max_den) if has else None)
    return GraphNetwork(tuple(names[0]), tuple(nodes), tuple(names[-1]), tuple(edges), tuple(biases))


def chain_network(n: int, *, weights: Sequence[object] | None = None, skips: Sequence[tuple[str, str]] = (),
                  skip_weights: Sequence[object] | None = None, bias: bool = False) -> GraphNetwork:
    """The chain ``x -> h1 -> ... -> hn -> y`` (weights 1 unless given) plus skip edges such as ``("x", "h2")``;
    biases 0 when ``bias`` else absent."""
    if n < 0:
        raise ShapeError("a chain needs n >= 0 hidden vertices")
    ids = ["x"] + [f"h{i + 1}" for i in range(n)] + ["y"]
    ws = list(weights) if weights is not None else [1] * (n + 1)
    if len(ws) != n + 1:
        raise ShapeError(f"a chain with {n} hidden vertices has {n + 1} edges, got {len(ws)} weights")
    sws = list(skip_weights) if skip_weights is not None else [1] * len(skips)
    edges = [(ids[i], ids[i + 1], ws[i]) for i in range(n + 1)]
    edges += [(u, v, w) for (u, v), w in zip(skips, sws, strict=True)]
    nodes = [(v, 0 if bias else None) for v in ids[1:]]
    return GraphNetwork.from_edges(["x"], ["y"], nodes, edges)


def residual_network(d: int, *, blocks: int, outputs: int = 1, seed: int = 0, bias: bool = True,
                     max_num: int = 5, max_den: int = 4) -> GraphNetwork:
    """``y = A s_K + c`` with ``s_0 = x``, ``s_k = s_{k-1} + relu(W_k s_{k-1} + b_k)`` (module docstring)."""
    if d < 1 or blocks < 0 or outputs < 1:
        raise ShapeError("need d >= 1, blocks >= 0, outputs >= 1")
    rng = _random.Random(seed)
    stream = [[f"x{j + 1}" for j in range(d)]]
    edges: list[Edge] = []
    nodes: list[str] = []
    biases: list[Fraction | None] = []

    def read(targets: list[str]) -> None:
        W = [[random_rational(rng, max_num, max_den) for _ in range(d)] for _ in targets]
        for i, v in enumerate(targets):
            for term in stream:
                edges.extend(Edge(term[j], v, W[i][j]) for j in range(d))
            nodes.append(v)
            biases.append(random_rational(rng, max_num, max_den) if bias else None)

    for k in range(1, blocks + 1):
        block = [f"h{k}_{i + 1}" for i in range(d)]
        read(block)
        stream.append(block)
    read([f"y{j + 1}" for j in range(outputs)])
    return GraphNetwork(tuple(stream[0]), tuple(nodes), tuple(f"y{j + 1}" for j in range(outputs)), tuple(edges),
                        tuple(biases))
