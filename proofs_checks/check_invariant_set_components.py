"""H_G(c) has exactly 2^|Z| connected components (docs/mathematics.md G3), checked by two algorithms.

For random graphs (layered with and without biases, chains with skip edges) and random balance vectors c, the
forced edges Z found by one exact LP per edge equal those found by enumerating the vertices of P(c) (exact double
description), every forced edge carries a Hoffman set that re-verifies by counting, every other edge has a point of
P(c) where it vanishes (so its sign can flip inside H_G(c)), and for one hidden layer b0 of the product of quadrics
equals 2^|Z|.
"""

from __future__ import annotations

import random
from fractions import Fraction

from exactrelu import Network
from exactrelu.engines import cddlib
from exactrelu.theory.dynamics import Edge, ParameterGraph, invariant_set

THEOREM = "H_G(c) has 2^|Z| components, Z = forced edges of the flow polyhedron (docs/mathematics.md G3)"


def _graph(kind: str, seed: int) -> ParameterGraph:
    arch = {"shallow": (2, 3, 1), "shallow2": (1, 3, 2), "deep": (1, 2, 2, 1), "chain": (1, 1, 1, 1)}[kind]
    layers = [([[1] * arch[l - 1] for _ in range(arch[l])], [0] * arch[l]) for l in range(1, len(arch))]
    g = ParameterGraph.from_network(Network.from_lists(layers), biases=kind.startswith("shallow"))
    if kind == "chain" and seed % 2:
        g = ParameterGraph(g.inputs, g.hidden, g.outputs, g.edges + (Edge("x1", "h2_1", "S", Fraction(1)),))
    return g


def cases() -> list[tuple[str, int]]:
    return [(k, s) for k in ("shallow", "shallow2", "deep", "chain") for s in range(6)]


def check(case: tuple[str, int]) -> str:
    kind, seed = case
    g = _graph(kind, seed)
    rng = random.Random(seed)
    c = [Fraction(rng.randint(-3, 3), rng.randint(1, 2)) for _ in g.hidden]
    inv = invariant_set(g, c)
    assert inv.check()
    if inv.empty:
        return "P(c) empty"
    E = len(g.edges)
    ineq = [[0] + [int(k == j) for k in range(E)] for j in range(E)]
    eq = [[-cv] + row for cv, row in zip(inv.c, g.incidence(), strict=True)]
    verts, _, _ = cddlib.generators(ineq, eq, E)
    by_vertices = {e for e in range(E) if min(v[e] for v in verts) > 0}
    assert by_vertices == {f.edge for f in inv.forced}
    if inv.betti is not None and inv.betti:
        assert inv.betti[0] == inv.components
    return f"{inv.components} components"
