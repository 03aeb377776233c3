"""Shallow fibers beyond the minimal width by type families (docs/mathematics.md B6), against grid brute force.

Every network of small integer grids of one-input architectures is grouped into its exact fiber by the independent
piecewise-linear oracle of :mod:`proofs_checks.pl1d`.  For θ whose width exceeds the minimal one by at least two
(so the package uses the type families):

* when n <= k + 2 the listing says ``complete`` and **every** grid network with f_η = f_θ satisfies the system of a
  listed family (the completeness statement of B6);
* when n >= k + 3 it says incomplete and every grid member is still accepted (by a family or by the exact
  equivalence fallback);
* grid networks with another function are rejected;
* a sampled point of every family computes f_θ (oracle key equal).
"""

from __future__ import annotations

import functools
import random
from collections import defaultdict
from fractions import Fraction

from exactrelu import Network
from exactrelu.core.errors import NotApplicableError
from exactrelu.theory.equality.shallow import canonical_data
from exactrelu.theory.fibers.shallow import shallow_fiber

from .pl1d import grid, key

THEOREM = ("Type families of shallow fibers (docs/mathematics.md B6): their union is S(θ) when n <= k + 2 (checked "
           "against every member of integer grids), every family point realises f_θ, non-members are rejected")

GRIDS = {
    (1, 2, 1): ((-2, -1, 0, 1, 2), (-2, -1, 0, 1, 2), (-1, 0, 1)),
    (1, 3, 1): ((-1, 0, 1), (-1, 0, 1), (0, 1)),
    (1, 3, 2): ((-1, 0, 1), (0, 1), (0,)),
}
THETAS_PER_CASE = 4
MEMBERS_PER_THETA = 60


def cases() -> list[tuple[tuple[int, int, int], int]]:
    return [(arch, chunk) for arch in GRIDS for chunk in range(3)]


@functools.cache
def _classes(arch: tuple[int, int, int]) -> dict[tuple, list[tuple[Fraction, ...]]]:
    _, n, m = arch
    out: dict[tuple, list[tuple[Fraction, ...]]] = defaultdict(list)
    for p in grid(n, m, *GRIDS[arch]):
        out[key(p, n, m, None, None)].append(p)
    return dict(out)


def check(case: tuple[tuple[int, int, int], int]) -> str:
    arch, chunk = case
    _, n, m = arch
    classes = _classes(arch)
    rng = random.Random(f"wide{arch}{chunk}")
    wide = []
    for kk, members in sorted(classes.items(), key=repr):
        k = canonical_data(Network.from_parameters(arch, members[0])).num_hyperplanes
        if n - k >= 2:
            wide.append((kk, k))
    picked = rng.sample(wide, min(len(wide), 3 * THETAS_PER_CASE))
    all_keys = sorted(classes, key=repr)
    checked = complete = refused = fallback = 0
    for kk, k in picked:
        if checked == THETAS_PER_CASE:
            break
        theta = Network.from_parameters(arch, classes[kk][0])
        try:
            fib = shallow_fiber(theta)
        except NotApplicableError:
            refused += 1   # e.g. two canceling pairs needed: documented as not enumerated
            continue
        checked += 1
        assert fib.complete == (n <= k + 2), (fib.complete, n, k)
        complete += fib.complete
        members = classes[kk]
        for p in rng.sample(members, min(len(members), MEMBERS_PER_THETA)):
            ans = fib.membership(p)
            assert ans.member, f"θ={classes[kk][0]}: member {p} rejected ({ans.method})"
            if fib.complete:
                assert ans.method == "component", f"θ={classes[kk][0]}: complete listing misses {p}"
            else:
                fallback += ans.method == "equivalence"
        for other in rng.sample(all_keys, 10):
            if other != kk:
                assert not fib.membership(classes[other][0]).member
        for q, comp in enumerate(fib.components):
            if q % max(1, len(fib.components) // 12) == 0:
                assert key(comp.sample(q), n, m, None, None) == kk, comp.origin
    assert checked, f"every picked θ was refused ({refused})"
    return (f"{checked} fibers ({complete} complete), {refused} refused, {fallback} members decided by the "
            "equivalence fallback")
