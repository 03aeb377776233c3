"""The two enumerations of C_θ agree and are exact (docs/mathematics.md A2).

Layer-by-layer splitting with exact LP pruning and the adjacency-graph walk return identical complexes; every region
is certified by the independent checker (interior points, constant patterns, affine maps, disjointness, cover), and
the adjacency graph equals the one from exact shared-facet LPs on all pairs of regions.
"""

from __future__ import annotations

import itertools

from exactrelu import Box, examples, random_network
from exactrelu.geometry.certificate import check_certificate, complex_certificate
from exactrelu.geometry.regions import regions

THEOREM = ("Split and walk enumerations of C_θ coincide; certificates verify; adjacency = shared facets "
           "(docs/mathematics.md A2)")

ARCHS = [(1, 4, 1), (2, 3, 1), (2, 4, 3, 1), (2, 3, 3, 2), (3, 3, 2, 1), (2, 2, 2, 2, 1), (3, 4, 1), (4, 3, 2, 1)]


def cases() -> list[tuple[str, object, int, bool]]:
    out: list[tuple[str, object, int, bool]] = [("random", a, s, box) for a in ARCHS for s in range(3)
                                                for box in (False, True)]
    out += [("example", name, 0, False) for name in examples.catalogue()]
    return out


def check(case: tuple[str, object, int, bool]) -> str:
    kind, what, seed, box = case
    net = random_network(what, seed=seed, max_num=3, max_den=2) if kind == "random" else examples.catalogue()[what]
    dom = Box(-2, 2, net.input_dim) if box else None
    walk = regions(net, dom, method="walk")
    assert regions(net, dom, method="split") == walk
    assert check_certificate(complex_certificate(walk))["valid"]
    g = walk.adjacency_graph()
    d = walk.dim
    if len(walk.regions) <= 60:
        for i, j in itertools.combinations(range(len(walk.regions)), 2):
            shared = walk.regions[i].polyhedron.intersect(walk.regions[j].polyhedron)
            assert g.has_edge(i, j) == (shared.dimension == d - 1)
    return f"{len(walk.regions)} regions"
