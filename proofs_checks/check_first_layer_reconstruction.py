"""The first layer recovered from the function (docs/mathematics.md D7), checked against the parameters.

For generic θ of architecture (d, n1, n2, m), d >= 2, the hyperplanes that ``first_layer`` certifies from the ridges
of B_θ are first-layer hyperplanes of θ; every D1-visible first-layer hyperplane of θ (LP test on the parameters) is
recovered, or reported undetermined when every kink of f is parallel to it; every orientation claimed is θ's; and the
answer is the same for a random trivial symmetry of θ and, when H_j is invisible, for T_j(t) and the flips M_K of G_j
(each checked equivalent by the common refinement first).
"""

from __future__ import annotations

import random
from fractions import Fraction as F

from exactrelu.core.network import Network
from exactrelu.core.random import random_network
from exactrelu.core.symmetry import random_trivial_symmetry
from exactrelu.theory.dimension.genericity import is_generic
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.first_layer import first_layer
from exactrelu.theory.fibers.structure import bottleneck_structure, flip, translate, visible_first_layer

THEOREM = ("first layer from f (docs/mathematics.md D7): for generic θ the recovered hyperplanes are θ's D1-visible "
           "ones (undetermined only when all kinks are parallel), claimed orientations are θ's, and equivalent "
           "parameters (trivial symmetries, T_j, G_j) get the same answer")

ARCHS = [(2, 2, 1, 1), (2, 2, 2, 1), (2, 2, 3, 1), (3, 2, 2, 1), (2, 3, 2, 1), (3, 3, 2, 1), (3, 2, 2, 2),
         (2, 1, 2, 1), (3, 3, 1, 1)]


def _planted(arch: tuple[int, ...], seed: int) -> Network:
    """H_1 invisible: W2_i1 > 0, W2_ik < 0 for k > 1, b2_i < 0 (with n2 = 1 the flips M_K of G_1 apply)."""
    rng = random.Random(seed)
    d, n1, n2, m = arch

    def q(lo: int, hi: int) -> F:
        v = F(0)
        while not v:
            v = F(rng.randint(lo, hi), rng.randint(1, 3))
        return v

    W1 = [[q(-4, 4) for _ in range(d)] for _ in range(n1)]
    W2 = [[q(1, 4)] + [q(-4, -1) for _ in range(n1 - 1)] for _ in range(n2)]
    return Network.from_lists([(W1, [q(-3, 3) for _ in range(n1)]), (W2, [q(-4, -1) for _ in range(n2)]),
                               ([[q(-4, 4) for _ in range(n2)] for _ in range(m)], [q(-2, 2) for _ in range(m)])])


def cases() -> list[tuple[str, tuple[int, ...], int]]:
    out = [("random", (2, 2, 2, 1), 0), ("planted", (2, 2, 1, 1), 0)]
    out += [("random", a, s) for a in ARCHS for s in range(1, 9)]
    out += [("planted", a, s) for a in [(2, 2, 1, 1), (3, 3, 1, 1), (2, 2, 2, 1), (3, 2, 2, 1)] for s in range(1, 6)]
    return out


def check(case: tuple[str, tuple[int, ...], int]) -> str:
    kind, arch, seed = case
    net = random_network(arch, seed) if kind == "random" else _planted(arch, seed)
    if not is_generic(net).generic:
        return "not generic: skipped"
    rec = first_layer(net)
    vis = visible_first_layer(net, method="cells")
    parallel = all(h[1:] == rec.undetermined[0][1:] for h in rec.undetermined) if rec.undetermined else True
    for row, v in zip(rec.theta["neurons"], vis, strict=True):
        if v:
            assert row["status"] == "recovered" or (row["status"] == "undetermined" and parallel), row
        else:
            assert row["status"] in ("invisible", "zero"), row
        assert row.get("orientation_agrees") in (None, True), row
    assert not rec.theta["not_in_theta"], rec.theta["not_in_theta"]
    key = rec.function_key()
    others = [random_trivial_symmetry(net, seed).apply(net)]
    if kind == "planted":
        st = bottleneck_structure(net)
        if st.invisible is not None and st.t_min is not None:
            others.append(translate(net, max(st.t_min, F(0)) + F(5, 3)))
            if st.flippable:
                others.append(flip(net, st.flippable[:1]))
    for eta in others:
        assert equivalent(net, eta, method="common-refinement")
        assert first_layer(eta, compare=False).function_key() == key
    claimed = sum(h.orientation is not None for h in rec.hyperplanes)
    return (f"{len(rec.hyperplanes)} recovered ({claimed} oriented), {len(rec.undetermined)} undetermined, "
            f"{len(others)} equivalent parameters")
