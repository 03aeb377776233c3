"""docs/mathematics.md D5: the polynomial-time bottleneck equivalence agrees with the common refinement (A4).

Pairs of three-layer bottleneck networks ``(d, n1, n2, 1)``, ``n1 <= d``, each decided twice: by ``equivalent`` (the
bottleneck path: first layers matched up to the T_j / G_j action and a trivial symmetry, second layers compared on
the orthant by their hyperplane jumps; or the row-space reduction) and by the common refinement on ``R^d``.  Kinds:

* ``tg-equal``: a planted invisible ``H_1`` (every second-layer neuron attached to it), ``b = π·λ·M_K·T_1(t)(a)``
  with ``K`` the flippable set (made nonempty by proportional columns of ``W2``);
* ``tg-perturbed``: the same with one second-layer bias moved by ``1/1000``;
* ``tg-too-far``: ``T_1(t)`` with ``t`` below ``t_min`` (outside the fiber; usually a "no");
* ``orthant-rewrite``: a generic ``a`` and ``b`` = ``a`` plus a second-layer neuron dead on the orthant and a
  canceling linear pair ``relu(y_1 + 1) - relu(y_1) - 1`` (equal, not a trivial symmetry);
* ``rowspace``: ``b``'s first layer an invertible mix of ``a``'s (same row space, not alignable);
* ``random``: two independent random networks (row spaces differ);
* ``degenerate``: a rank-deficient ``W1`` (pre-check fails, the common refinement decides).
"""

from __future__ import annotations

import random
from fractions import Fraction

from exactrelu import Network, equivalent, permute, random_network, rescale
from exactrelu.geometry.certificate import check_certificate
from exactrelu.theory.equality.bottleneck import check_bottleneck_evidence
from exactrelu.theory.fibers.structure import bottleneck_structure, flip, translate

THEOREM = "bottleneck equivalence (docs/mathematics.md D5) agrees with the common refinement (A4)"
KINDS = ("tg-equal", "tg-perturbed", "tg-too-far", "orthant-rewrite", "rowspace", "random", "degenerate")
ARCHS = ((3, 2, 2, 1), (4, 3, 3, 1), (3, 3, 1, 1), (4, 2, 3, 1), (5, 3, 2, 1))


def cases() -> list[tuple[str, tuple[int, ...], int]]:
    return [(k, ARCHS[s % len(ARCHS)], s) for k in KINDS for s in range(40)]


def _q(rng: random.Random, lo: int, hi: int) -> Fraction:
    return Fraction(rng.randint(lo, hi), rng.randint(1, 3))


def planted_invisible(arch: tuple[int, ...], seed: int) -> Network:
    """A bottleneck network whose ``H_1`` is invisible (docs/mathematics.md D3), with proportional ``W2`` columns
    ``1`` and ``2`` (so that ``G_1`` is nontrivial, D4) when ``n1 >= 2``."""
    rng = random.Random(seed)
    net = random_network(arch, seed=seed)
    L1, _, L3 = net.layers
    n1, n2 = arch[1], arch[2]
    c = -_q(rng, 1, 3)
    W2 = []
    for _ in range(n2):
        a0 = _q(rng, 1, 5)
        row = [a0] + [-_q(rng, 0, 4) for _ in range(n1 - 1)]
        if n1 >= 2:
            row[1] = c * a0
        W2.append(row)
    b2 = [-_q(rng, 0, 4) for _ in range(n2)]
    return Network.from_lists([L1, (W2, b2), L3])


def make_pair(kind: str, arch: tuple[int, ...], seed: int) -> tuple[Network, Network]:
    rng = random.Random(seed)
    n1 = arch[1]
    if kind.startswith("tg"):
        a = planted_invisible(arch, seed)
        st = bottleneck_structure(a)
        assert st.invisible == 0 and st.t_min is not None
        if kind == "tg-too-far":
            return a, translate(a, st.t_min - 1 - _q(rng, 0, 3), check=False)
        b = translate(a, st.t_min + _q(rng, 0, 6))
        if st.flippable:
            b = flip(b, st.flippable[: rng.randint(1, len(st.flippable))])
        perm = list(range(n1))
        rng.shuffle(perm)
        b = rescale(permute(b, 1, perm), 1, [_q(rng, 1, 6) for _ in range(n1)])
        if kind == "tg-perturbed":
            L2 = b.layers[1]
            b = b.with_layer(1, L2.weights, [L2.biases[0] + Fraction(1, 1000), *L2.biases[1:]])
        return a, b
    a = random_network(arch, seed=seed)
    if kind == "orthant-rewrite":
        L1, L2, L3 = a.layers
        c = _q(rng, 1, 4)
        dead = [-_q(rng, 0, 3) for _ in range(n1)]
        unit = [Fraction(int(k == 0)) for k in range(n1)]
        W2 = [*L2.weights, dead, unit, unit]
        b2 = [*L2.biases, -_q(rng, 0, 3), Fraction(1), Fraction(0)]
        W3 = [[*L3.weights[0], _q(rng, -4, 4), c, -c]]
        return a, Network.from_lists([L1, (W2, b2), (W3, [L3.biases[0] - c])])
    if kind == "rowspace":
        L1 = a.layers[0]
        while True:
            M = [[_q(rng, -2, 2) for _ in range(n1)] for _ in range(n1)]
            from exactrelu.engines.flintlib import rank

            if rank(M) == n1:
                break
        W1 = [[sum((M[i][k] * L1.weights[k][c] for k in range(n1)), Fraction(0)) for c in range(arch[0])]
              for i in range(n1)]
        return a, a.with_layer(0, W1, [_q(rng, -3, 3) for _ in range(n1)])
    if kind == "random":
        return a, random_network(arch, seed=seed + 1000)
    if kind == "degenerate":
        L1 = a.layers[0]
        W1 = [L1.weights[0], *L1.weights[:-1]] if n1 >= 2 else [[0] * arch[0]]
        return a, a.with_layer(0, W1, L1.biases)
    raise ValueError(kind)


def check(case: tuple[str, tuple[int, ...], int]) -> str:
    kind, arch, seed = case
    a, b = make_pair(kind, arch, seed)
    fast = equivalent(a, b)
    slow = equivalent(a, b, method="common-refinement")
    assert bool(fast) == bool(slow), (kind, arch, seed, fast, slow)
    if kind.startswith("tg-") and kind != "tg-too-far" or kind == "orthant-rewrite":
        assert bool(fast) == (kind != "tg-perturbed")
    if kind == "degenerate":
        assert fast.method in ("common-refinement", "normal-form")
    else:
        assert fast.method == "bottleneck", fast
    if fast:
        if fast.method == "bottleneck":
            assert check_bottleneck_evidence(a, b, fast.evidence)
        assert check_certificate(slow.certificate)["valid"]
    else:
        for res in (fast, slow):
            w = res.witness
            assert w is not None and a(w.x) == w.a and b(w.x) == w.b and w.a != w.b
    return f"{kind}: {'equal' if fast else 'not equal'} ({fast.notes[-1][:40]}...)"
