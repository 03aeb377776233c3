"""Generic bottleneck fibers (docs/mathematics.md §2.D, §7 row 4) and local fiber dimensions (docs/mathematics.md E1).

For a generic bottleneck θ = (d, n1, n2, m), n1 <= d, with every second-layer neuron alive on the orthant:
S~(θ) has n1! n2! 2^{|K_j|} components of dimension n1 + n2 + [H_j invisible] = D - dim_fun(θ); every component's
parametrisation satisfies its system, its samples realise f_θ (exact equivalence) and the T_j x G_j families are
certified for all t >= t_min; the closure point T_j(t_min) lies in S(θ) outside the listed (generic) components and
Fiber.contains finds it by the exact fallback.  A case where no network satisfies the hypotheses fails.
Oracles: T_1 example dimension 4 (4 components), W2 = (1, 1) dimension 3.
For any generic θ (other depths) the local dimension D - rank J equals D - dim_fun(θ) and has N_h scaling directions.
"""

from __future__ import annotations

import random
from itertools import combinations
from math import factorial

from exactrelu import examples, random_network
from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.dimension.genericity import is_generic
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.bottleneck import (
    bottleneck_fiber,
    bottleneck_structure,
    certify_family,
    local_fiber,
    translate,
)

THEOREM = ("Generic bottleneck fiber (docs/mathematics.md §2.D): n1! n2! 2^|K_j| components of dimension "
           "n1 + n2 + [invisible] = D - dim_fun, all inside S(θ); local dimension = D - dim_fun at generic θ (E1)")

ORACLES = {"invisible_translation": (4, 4), "visible_bottleneck": (3, 2)}


def cases() -> list[tuple[str, object, int]]:
    out: list[tuple[str, object, int]] = [("example", name, 0) for name in ORACLES]
    out += [("random", a, s) for a in [(2, 2, 1, 1), (2, 2, 2, 1), (3, 2, 2, 1), (2, 1, 2, 1), (3, 3, 1, 1),
                                       (2, 2, 1, 2)] for s in range(4)]
    out += [("invisible", a, s) for a in [(2, 2, 1, 1), (3, 3, 1, 1), (2, 2, 2, 1), (3, 2, 2, 2)] for s in range(3)]
    out += [("local", a, s) for a in [(1, 2, 2, 2, 1), (2, 2, 2, 2, 1), (2, 3, 2, 1)] for s in range(3)]
    return out


def _invisible(arch: tuple[int, ...], seed: int) -> Network:
    d, n1, n2, m = arch
    for s in range(seed, seed + 50_000, 1000):
        rng = random.Random(s)

        def q(lo: int, hi: int, rng: random.Random = rng) -> object:
            from fractions import Fraction

            while True:
                v = Fraction(rng.randint(lo, hi), rng.randint(1, 3))
                if v:
                    return v

        W2 = [[q(1, 4)] + [q(-4, -1) for _ in range(n1 - 1)] for _ in range(n2)]
        net = Network.from_lists([([[q(-4, 4) for _ in range(d)] for _ in range(n1)], [q(-3, 3) for _ in range(n1)]),
                                  (W2, [q(-4, -1) for _ in range(n2)]),
                                  ([[q(-4, 4) for _ in range(n2)] for _ in range(m)], [q(-2, 2) for _ in range(m)])])
        if is_generic(net):
            return net
    raise AssertionError(f"no generic invisible network for {arch}")


def _covered(arch: tuple[int, ...], seed: int) -> Network | None:
    for s in range(seed, seed + 40_000, 1000):
        net = random_network(arch, seed=s, max_num=4, max_den=3)
        try:
            st = bottleneck_structure(net)
        except NotApplicableError:
            continue
        if all(k == "alive" for k in st.second_layer) and is_generic(net):
            return net
    return None


def check(case: tuple[str, object, int]) -> str:
    kind, what, seed = case
    if kind == "local":
        net = next((n for n in (random_network(what, seed=s) for s in range(seed, seed + 20_000, 1000))  # type: ignore[arg-type]
                    if is_generic(n)), None)
        assert net is not None, "no generic network in the seed range: the case checks nothing"
        L = local_fiber(net)
        fd = functional_dimension(net)
        assert fd.exact and L.dimension == net.num_parameters - fd.rank
        assert len(L.local.scaling) == net.num_hidden and L.components is None
        return f"local dimension {L.dimension}"
    if kind == "example":
        net = examples.catalogue()[what]  # type: ignore[index]
    elif kind == "invisible":
        net = _invisible(what, seed)  # type: ignore[arg-type]
    else:
        found = _covered(what, seed)  # type: ignore[arg-type]
        assert found is not None, "no covered generic network in the seed range: the case checks nothing"
        net = found
    st = bottleneck_structure(net)
    fib = bottleneck_fiber(net)
    assert fib.components is not None
    _, n1, n2, _ = net.architecture
    inv = st.invisible is not None
    assert fib.dimension == n1 + n2 + int(inv)
    assert len(fib.components) == factorial(n1) * factorial(n2) * 2 ** len(st.flippable)
    fd = functional_dimension(net)
    assert fd.exact and fib.dimension == net.num_parameters - fd.rank
    if kind == "example":
        assert (fib.dimension, len(fib.components)) == ORACLES[what]  # type: ignore[index]
    if inv:
        for r in range(len(st.flippable) + 1):
            for K in combinations(st.flippable, r):
                assert certify_family(net, K), f"family M_{K} not certified"
    rng = random.Random(seed)
    for k in sorted({0, len(fib.components) - 1, rng.randrange(len(fib.components))}):
        eta = Network.from_parameters(net.architecture, fib.components[k].sample(seed + k))
        assert fib.component_of(eta) == k and equivalent(net, eta, method="common-refinement"), f"component {k}"
    if inv:  # the closure point t = t_min is in S(θ) but in no (generic) component: decided by the exact fallback
        end = translate(net, st.t_min)
        assert fib.component_of(end) is None and fib.contains(end) and not fib.complete
        assert not fib.contains(translate(net, st.t_min - 1, check=False))
    return f"dim {fib.dimension}, {len(fib.components)} components"
