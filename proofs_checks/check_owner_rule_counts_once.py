"""The owner rule (docs/mathematics.md A2, counting beyond one process): however the pattern tree is cut into pieces,
every region is counted once.

For random, trained-style and degenerate networks (zero entries allowed: neurons with identically zero forms) and
several task budgets (one region per task up to one task), the multiset of patterns reached piece by piece, by the
splitting DFS and by walks restricted to pieces, equals the set of patterns of ``regions()`` (an adjacency walk over
the whole complex, a different algorithm): no pattern missing, none twice.
"""

from __future__ import annotations

from collections import Counter

from exactrelu.core.random import random_network, trained_style_network
from exactrelu.geometry.kernel import IntNet
from exactrelu.geometry.pieces import ROOT, layered_pattern, run_piece
from exactrelu.geometry.regions import regions

THEOREM = ("Each region of C_θ is owned by exactly one piece, the one whose sign prefix its pattern extends "
           "(docs/mathematics.md A2)")

ARCHS = [(1, 4, 4, 1), (2, 4, 3, 1), (2, 3, 3, 3, 1), (3, 4, 4, 1), (4, 3, 3, 1), (5, 3, 2, 1)]


def cases() -> list[tuple[str, tuple[int, ...], int]]:
    return [(kind, a, s) for a in ARCHS for kind in ("random", "degenerate", "trained") for s in range(2)]


def _net(kind: str, arch: tuple[int, ...], seed: int):  # noqa: ANN202
    if kind == "trained":
        return trained_style_network(arch, seed=seed)
    if kind == "degenerate":
        return random_network(arch, seed=seed, max_num=1, max_den=1, nonzero=False)
    return random_network(arch, seed=seed)


def check(case: tuple[str, tuple[int, ...], int]) -> str:
    kind, arch, seed = case
    net = _net(kind, arch, seed)
    ref = Counter(r.pattern for r in regions(net, method="walk").regions)
    inet = IntNet(net)
    for method, budgets in (("split", (1, 5, 10**9)), ("walk", (1, 3, 10**9))):
        for budget in budgets:
            todo, got = [ROOT], Counter()
            while todo:
                res = run_piece(inet, [], todo.pop(), budget, rows=True, method=method)
                got.update(layered_pattern(inet, row[0]) for row in res.rows)
                todo += res.sub
            assert got == ref, (method, budget, len(got), len(ref))
    return f"{len(ref)} regions"
