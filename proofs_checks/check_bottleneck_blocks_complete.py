"""Bottleneck fibers with dead or always-active second-layer neurons (docs/mathematics.md §2.D, §2.C, §3).

For a generic bottleneck θ = (d, n1, n2, m), n1 <= d, with some second-layer neurons dead (W2_i <= 0, b2_i <= 0) or
linear (W2_i >= 0, b2_i >= 0) on the orthant: every listed component lies in S(θ) (its parametrisation satisfies
its system, its samples realise f_θ by exact equivalence), the top dimension equals the local fiber dimension
D - rank J, and the brute-force probe (points near every component and on random rational lines through θ, decided
by exact equivalence) finds no member outside the listed components.  A case where no network satisfies the
hypotheses fails.
"""

from __future__ import annotations

import random
from fractions import Fraction

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.engines.sympylib import is_zero_identically
from exactrelu.theory.dimension.genericity import is_generic
from exactrelu.theory.dimension.tangent import fiber_tangent_space
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.bottleneck import bottleneck_fiber, bottleneck_structure
from exactrelu.theory.fibers.probe import probe_completeness

THEOREM = ("Bottleneck fibers with dead / linear second-layer neurons (docs/mathematics.md §2.D, §2.C): listed "
           "components ⊆ S(θ), top dimension = D - rank J, and no probed member of S(θ) outside the listing")

# (architecture, second-layer kinds, invisible first-layer hyperplane)
SHAPES = [((2, 2, 2, 1), ("alive", "dead"), False), ((2, 2, 2, 1), ("alive", "dead"), True),
          ((2, 2, 2, 1), ("alive", "linear"), False), ((3, 2, 2, 1), ("alive", "dead"), False),
          ((2, 2, 3, 1), ("alive", "alive", "dead"), False), ((2, 2, 3, 1), ("alive", "dead", "dead"), True),
          ((2, 1, 2, 1), ("alive", "dead"), False), ((2, 2, 2, 2), ("alive", "dead"), False),
          ((2, 2, 3, 1), ("alive", "alive", "linear"), False), ((3, 3, 2, 1), ("alive", "dead"), True)]


def cases() -> list[tuple[int, int]]:
    return [(k, s) for k in range(len(SHAPES)) for s in range(3)]


def _q(rng: random.Random, lo: int, hi: int) -> Fraction:
    while True:
        v = Fraction(rng.randint(lo, hi), rng.randint(1, 3))
        if v:
            return v


def planted(arch: tuple[int, ...], kinds: tuple[str, ...], invisible: bool, seed: int) -> Network | None:
    """A seeded generic bottleneck with the given second-layer kinds (and H_1 invisible if asked)."""
    d, n1, n2, m = arch
    for s in range(seed, seed + 60_000, 1000):
        rng = random.Random(s)
        W2, b2 = [], []
        for kind in kinds:
            if kind == "dead":
                W2.append([_q(rng, -4, -1) for _ in range(n1)])
                b2.append(_q(rng, -4, -1))
            elif kind == "linear":
                W2.append([_q(rng, 1, 4) for _ in range(n1)])
                b2.append(_q(rng, 1, 4))
            elif invisible:
                W2.append([_q(rng, 1, 4)] + [_q(rng, -4, -1) for _ in range(n1 - 1)])
                b2.append(_q(rng, -4, -1))
            else:
                W2.append([_q(rng, -4, 4) for _ in range(n1)])
                b2.append(_q(rng, -4, 4))
        net = Network.from_lists([([[_q(rng, -4, 4) for _ in range(d)] for _ in range(n1)],
                                   [_q(rng, -3, 3) for _ in range(n1)]), (W2, b2),
                                  ([[_q(rng, -4, 4) for _ in range(n2)] for _ in range(m)],
                                   [_q(rng, -2, 2) for _ in range(m)])])
        try:
            st = bottleneck_structure(net)
        except NotApplicableError:
            continue
        if st.second_layer != kinds or (st.invisible is not None) != invisible:
            continue
        if is_generic(net):
            return net
    return None


def check(case: tuple[int, int]) -> str:
    k, seed = case
    arch, kinds, invisible = SHAPES[k]
    net = planted(arch, kinds, invisible, seed)
    assert net is not None, "no generic network with these second-layer kinds in the seed range: checks nothing"
    try:
        fib = bottleneck_fiber(net)
    except NotApplicableError as exc:
        if "rank A_S" in str(exc):  # docs/mathematics.md §2.C case 4 (rank-deficient V_S): not listed, say so
            return f"{arch} {kinds}: orthant blocks not available ({exc})"
        raise
    assert fib.components is not None and fib.complete is False
    assert fib.dimension == fiber_tangent_space(net).dimension, "top dimension != local dimension D - rank J"
    rng = random.Random(seed)
    for c in sorted({0, len(fib.components) - 1, rng.randrange(len(fib.components))}):
        comp = fib.components[c]
        sub = {s: comp.parametrization[s] for s in comp.symbols}
        assert all(is_zero_identically(e.xreplace(sub)) for e in comp.equalities), f"component {c}: system"
        eta = Network.from_parameters(net.architecture, comp.sample(seed + c))
        assert fib.component_of(eta) is not None and equivalent(net, eta, method="common-refinement"), c
    p = probe_completeness(fib, seed=seed, lines=3, near=1)
    assert p.ok, f"members outside the listing: {p.to_dict()['outside'][:2]}, wrong: {p.to_dict()['wrong'][:2]}"
    assert p.members > 0, "the probe met no member: it checks nothing"
    return f"{arch} {kinds}: dim {fib.dimension}, {len(fib.components)} components, probe {p.members}/{p.tested}"
