"""Global identifiability beyond one hidden layer (docs/mathematics.md E4, D1, D3, §2.D).

(a) (1,1,1,1) networks with small entries: every answer agrees with an exhaustive grid of parameters (7^6 points,
floats propose, exact equivalence and the trivial-symmetry test decide): "yes" only if no grid member lies outside
the trivial orbit, "no" only with a witness re-checked by the common refinement.  (b) random generic bottlenecks
(d, n1, n2, m): every "yes" (the G3 Thm 2 theorem with exactly checked hypotheses) has dim_fun = D - N_h and the
completeness probe meets no member of S(θ) outside the trivial-orbit components; every "no" carries a checked
witness.  A case whose networks never give the answer it is meant to test fails.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import numpy as np

from exactrelu import Network, random_network, related_by_trivial_symmetry
from exactrelu.theory.dimension.identifiability import identifiability
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.bottleneck import bottleneck_fiber
from exactrelu.theory.fibers.probe import probe_completeness

THEOREM = ("identifiability beyond one hidden layer: yes only by a theorem with exactly checked hypotheses, no only "
           "with a checked witness (docs/mathematics.md E4, D1, D3)")

GRID = [Fraction(v) for v in (-2, -1, Fraction(-1, 2), 0, Fraction(1, 2), 1, 2)]
VALUES = [Fraction(v) for v in (-2, -1, Fraction(-1, 2), Fraction(1, 2), 1, 2)]


def cases() -> list[tuple[str, object, int]]:
    return ([("grid", (1, 1, 1, 1), s) for s in range(0, 40, 8)]
            + [("bottleneck", a, s) for a in [(2, 2, 1, 1), (2, 2, 2, 1), (3, 2, 2, 1), (3, 3, 2, 1), (2, 2, 2, 2)]
               for s in range(3)])


def _grid_outside(net: Network) -> bool:
    """Some grid parameter realises f_θ and is not a trivial symmetry of θ."""
    xs = np.array([-3, -1.5, -0.75, -0.25, 0, 0.125, 0.3, 0.5, 0.7, 1, 1.25, 1.5, 2, 3.5, 5])
    target = np.array([float(net([Fraction(x)])[0]) for x in xs])
    g = np.array([float(v) for v in GRID])
    P = np.array(list(itertools.product(range(len(GRID)), repeat=6)))
    w1, b1, w2, b2, w3, b3 = (g[P[:, k]][:, None] for k in range(6))
    vals = w3 * np.maximum(w2 * np.maximum(w1 * xs[None, :] + b1, 0) + b2, 0) + b3
    for row in P[np.all(np.abs(vals - target[None, :]) < 1e-9, axis=1)]:
        p = [GRID[k] for k in row]
        eta = Network.from_lists([([[p[0]]], [p[1]]), ([[p[2]]], [p[3]]), ([[p[4]]], [p[5]])])
        if related_by_trivial_symmetry(net, eta) is None and equivalent(net, eta, method="common-refinement"):
            return True
    return False


def _check_no(net: Network, r: object) -> None:
    assert r.witness is not None and equivalent(net, r.witness, method="common-refinement")  # type: ignore[attr-defined]
    assert related_by_trivial_symmetry(net, r.witness) is None  # type: ignore[attr-defined]


def check(case: tuple[str, object, int]) -> str:
    kind, arch, start = case
    answers = {True: 0, False: 0, None: 0}
    if kind == "grid":
        for seed in range(start, start + 8):
            rng = random.Random(seed)
            net = Network.from_lists([([[rng.choice(VALUES)]], [rng.choice(VALUES)]) for _ in range(3)])
            r = identifiability(net)
            answers[r.globally_identifiable] += 1
            outside = _grid_outside(net)
            if r.globally_identifiable is True:
                assert not outside, f"seed {seed}: 'yes' but the grid has a member outside the trivial orbit"
            if r.globally_identifiable is False:
                _check_no(net, r)
        return f"answers {answers}"
    yes = 0
    for seed in range(start * 100, start * 100 + 40):
        net = random_network(arch, seed=seed, max_num=4, max_den=3)  # type: ignore[arg-type]
        r = identifiability(net)
        answers[r.globally_identifiable] += 1
        if r.globally_identifiable is False:
            _check_no(net, r)
        if r.globally_identifiable is True:
            assert r.decided_by["by"] == "theorem" and all(r.decided_by["hypotheses"].values())
            assert r.functional_dimension == net.num_parameters - net.num_hidden
            if yes < 2:
                p = probe_completeness(bottleneck_fiber(net), seed=seed, lines=3, near=1)
                assert p.ok and p.members > 0, p
            yes += 1
        if answers[True] >= 3 and answers[False] >= 1:
            break
    assert answers[True] > 0, f"no 'yes' among the seeds: the case checks nothing ({answers})"
    return f"answers {answers}"
