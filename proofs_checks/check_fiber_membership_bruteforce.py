"""Fiber membership against brute force on integer grids (docs/mathematics.md §1, B3, B4, §2.C).

Every network of a small integer grid of one-input architectures is grouped into its exact fiber by an independent
oracle (:mod:`proofs_checks.pl1d`: kinks, values and end slopes computed by hand, no package algorithm).  For
seeded θ of the grid, on R, on the half-line [0, ∞) and on the box [-1, 1]:

* every grid η with f_η = f_θ on the domain is a member (``Fiber.membership``), found in a listed component
  whenever the fiber says it is ``complete``;
* grid η with another function are not members;
* a sampled point of every listed component computes f_θ (oracle key equal);
* the equivalence fallback (used when the listing is not complete) agrees with the oracle.

A θ for which the package refuses a description (``NotApplicableError``) is counted as refused, never as passed;
each case must check at least one fiber.
"""

from __future__ import annotations

import functools
import random
from collections import defaultdict
from fractions import Fraction

from exactrelu import Network
from exactrelu.core.errors import NotApplicableError
from exactrelu.geometry.polyhedra import Box
from exactrelu.theory.fibers.fiber import fiber

from .pl1d import grid, key

THEOREM = ("Fiber membership is exact (docs/mathematics.md §1, B3/B4, §2.C): on integer grids of (1,n,m) networks, "
           "η ∈ S(θ) iff f_η = f_θ by an independent piecewise-linear oracle; complete listings contain every member")

GRIDS = {
    (1, 2, 1): ((-2, -1, 0, 1, 2), (-2, -1, 1, 2), (-1, 0, 1)),
    (1, 3, 1): ((-2, -1, 1, 2), (-1, 1), (0, 1)),
    (1, 2, 2): ((-1, 0, 1, 2), (-1, 0, 1), (0, 1)),
}
DOMAINS = {"R": (None, None), "orthant": (Fraction(0), None), "box": (Fraction(-1), Fraction(1))}
THETAS_PER_CASE = 6
#: θ whose fiber on a domain has members outside the listed pieces (two opposite neurons replace a linear one):
#: relu(x-1) + relu(x+1) - 1 = 2 relu(x-1) - relu(1-x) + 1 on [0, ∞) and on [-1, 1]
PLANTED = {(1, 2, 1): (1, 1, -1, 1, 1, 1, -1)}
MEMBERS_PER_THETA = 40
OUTSIDERS_PER_THETA = 12


def cases() -> list[tuple[tuple[int, int, int], str, int]]:
    return [(arch, dom, chunk) for arch in GRIDS for dom in DOMAINS for chunk in range(4)]


@functools.cache
def _classes(arch: tuple[int, int, int], dom: str) -> dict[tuple, list[tuple[Fraction, ...]]]:
    _, n, m = arch
    lo, hi = DOMAINS[dom]
    out: dict[tuple, list[tuple[Fraction, ...]]] = defaultdict(list)
    for p in grid(n, m, *GRIDS[arch]):
        out[key(p, n, m, lo, hi)].append(p)
    return dict(out)


def _candidate(p: tuple[Fraction, ...], n: int, m: int) -> bool:
    """Cheap filter: every neuron has nonzero input and output weights (the fiber code refuses most others)."""
    w1, w2 = p[:n], p[2 * n:2 * n + m * n]
    return all(w1) and all(any(w2[r * n + i] for r in range(m)) for i in range(n))


def _domain(dom: str) -> object:
    return None if dom == "R" else "orthant" if dom == "orthant" else Box(-1, 1, 1)


def check(case: tuple[tuple[int, int, int], str, int]) -> str:
    arch, dom, chunk = case
    _, n, m = arch
    lo, hi = DOMAINS[dom]
    classes = _classes(arch, dom)
    keys = sorted((k for k, v in classes.items() if _candidate(v[0], n, m)), key=repr)
    rng = random.Random(f"{arch}{dom}{chunk}")
    big = [k for k in keys if len(classes[k]) > 1]  # classes with several grid members test membership hardest
    picked = [(k, classes[k][0]) for k in rng.sample(big, min(len(big), 3 * THETAS_PER_CASE))
              + rng.sample(keys, min(len(keys), THETAS_PER_CASE))]
    if chunk == 0 and arch in PLANTED:
        planted = tuple(Fraction(v) for v in PLANTED[arch])
        picked.insert(0, (key(planted, n, m, lo, hi), planted))
    all_keys = sorted(classes, key=repr)
    checked = refused = fallback = 0
    for kk, tp in picked:
        if checked == THETAS_PER_CASE:
            break
        theta = Network.from_parameters(arch, tp)
        try:
            fib = fiber(theta, _domain(dom))
        except NotApplicableError:
            refused += 1
            continue
        checked += 1
        members = classes[kk]
        for p in [*members[:3], *rng.sample(members, min(len(members), MEMBERS_PER_THETA))]:
            ans = fib.membership(p)
            assert ans.member, f"θ={tp} on {dom}: member {p} rejected ({ans.method})"
            if fib.complete:
                assert ans.method == "component", f"θ={tp} on {dom}: complete listing misses {p}"
            elif ans.method == "equivalence":
                fallback += 1
        for other in rng.sample(all_keys, OUTSIDERS_PER_THETA):
            if other == kk:
                continue
            p = classes[other][0]
            ans = fib.membership(p)
            assert not ans.member, f"θ={tp} on {dom}: non-member {p} accepted ({ans.method})"
        for q, comp in enumerate((fib.components or ())[:6]):
            pt = comp.sample(q)
            assert key(pt, n, m, lo, hi) == kk, f"θ={tp} on {dom}: sample of component {q} is not in S(θ)"
    assert checked, f"every picked θ was refused ({refused})"
    return f"{checked} fibers checked ({refused} refused, {fallback} members decided by the equivalence fallback)"
