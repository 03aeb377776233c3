"""docs/mathematics.md §3: reduce() removes dead, invisible, constant, duplicate and always-active redundancy exactly.

For seeded random sparse networks of several depths, on R^d and on a box: the reduced network never has more
neurons, and it computes the same function on the domain — certified region by region and re-checked by the
independent certificate checker, and compared by the common refinement.
"""

from __future__ import annotations

from exactrelu import equivalent, random_network, reduce
from exactrelu.geometry.certificate import check_certificate
from exactrelu.geometry.polyhedra import Box

THEOREM = "reduce(net) is equivalent to net on the domain and never larger (docs/mathematics.md §3)"

ARCHS = [(1, 3, 1), (2, 3, 1), (2, 2, 2, 1), (1, 2, 3, 1), (2, 3, 2, 1), (2, 2, 2, 2, 1)]


def cases() -> list[tuple[tuple[int, ...], int, bool]]:
    return [(a, s, box) for a in ARCHS for s in range(5) for box in (False, True)]


def check(case: tuple[tuple[int, ...], int, bool]) -> str:
    arch, seed, box = case
    net = random_network(arch, seed=seed, max_num=2, max_den=2, nonzero=seed % 2 == 0)
    domain = Box(-1, 1, arch[0]) if box else None
    r = reduce(net, domain)
    assert r.network.num_hidden <= net.num_hidden
    assert r.equivalence and check_certificate(r.certificate)["valid"]
    assert equivalent(net, r.network, domain, method="common-refinement")
    return f"{net.architecture} -> {r.network.architecture}"
