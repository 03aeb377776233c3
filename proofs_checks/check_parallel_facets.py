"""The parallel-facet lemma (docs/mathematics.md D2) and a counterexample search.

Statement checked: for θ generic with n1 <= d, a second-layer facet of C_θ lying in the first-layer region P is
parallel to the first-layer hyperplane H_i iff S_1(P) = {i}.  The search also runs on networks with small integer
entries, zeros included, and with n1 > d, and reports the failures it finds there (expected: zero second-layer
weights, and n1 > d where W1's rows are dependent; both are recorded in docs/mathematics.md D2).
"""

from __future__ import annotations

import random
from fractions import Fraction as F

from exactrelu.core.network import Network
from exactrelu.core.random import random_network
from exactrelu.theory.dimension.genericity import is_generic
from exactrelu.theory.fibers.first_layer import parallel_facet_failures

THEOREM = ("parallel facets (docs/mathematics.md D2): for generic θ with n1 <= d a second-layer facet in the "
           "first-layer region P is parallel to H_i iff S_1(P) = {i}; failures outside (zeros, n1 > d) are reported")


def _small(arch: tuple[int, ...], seed: int) -> Network:
    rng = random.Random(seed)
    vals = [F(v) for v in (-2, -1, 0, 1, 2)]
    layers = []
    for k in range(1, len(arch)):
        W = [[rng.choice(vals) for _ in range(arch[k - 1])] for _ in range(arch[k])]
        layers.append((W, [rng.choice(vals) for _ in range(arch[k])]))
    return Network.from_lists(layers)


def cases() -> list[tuple[str, tuple[int, ...], int]]:
    out = [("random", (2, 2, 2, 1), 0), ("small", (2, 3, 1, 1), 0)]
    out += [("random", a, s) for a in [(2, 2, 1, 1), (2, 2, 3, 1), (3, 2, 2, 1), (3, 3, 2, 1), (3, 2, 2, 2)]
            for s in range(8)]
    out += [("small", a, s) for a in [(2, 2, 1, 1), (2, 2, 2, 1), (2, 3, 1, 1), (2, 3, 2, 1), (3, 2, 2, 1)]
            for s in range(1, 7)]
    return out


def check(case: tuple[str, tuple[int, ...], int]) -> str:
    kind, arch, seed = case
    nets = [random_network(arch, seed)] if kind == "random" else [_small(arch, 100 * seed + k) for k in range(15)]
    found: dict[str, int] = {}
    for net in nets:
        if net.depth != 2:
            continue
        fails = parallel_facet_failures(net)
        generic = is_generic(net).generic
        bottleneck = arch[1] <= arch[0]
        if generic and bottleneck:
            assert not fails, f"D2 fails on a generic bottleneck: {fails[0]} for {net.layers}"
        if fails:
            zero = any(w == 0 for row in net.layers[1].weights for w in row)
            parts = [t for t, on in (("n1 > d", not bottleneck), ("generic", generic), ("zero W2", zero)) if on]
            label = ", ".join(parts) or "other"
            found[label] = found.get(label, 0) + 1
    return "no failure" if not found else "failures: " + ", ".join(f"{k}: {v}" for k, v in sorted(found.items()))
