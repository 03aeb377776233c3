"""docs/mathematics.md A4 / D5 / F1: every fast path of equivalent() agrees with the common refinement.

Seeded random deep networks with (a) a trivial-symmetry copy (normal-form path), (b) a bottleneck (d, n1, n2, 1),
n1 <= d, copy with permuted/rescaled first layer and a split second-layer neuron (bottleneck path, docs/mathematics.md
D0/D5), (c) the same with a small perturbation; and F1: a shallow network written with an extra always-active layer is
recognised as shallow (with a certified one-hidden-layer network), relu(relu(x1) + relu(x2) - 1) is not.
"""

from __future__ import annotations

import random
from fractions import Fraction

from exactrelu import Network, equivalent, examples, is_shallow_representable, permute, random_network, rescale
from exactrelu.geometry.certificate import check_certificate

THEOREM = "fast paths (normal form, bottleneck reduction, shallow representability) agree with docs/mathematics.md A4"


def cases() -> list[tuple[str, int]]:
    return [(k, s) for k in ("symmetry", "bottleneck", "bottleneck-perturbed", "shallow") for s in range(6)]


def _split2(net: Network, rng: random.Random) -> Network:
    L1, L2, L3 = net.layers
    lam, part = Fraction(rng.randint(1, 4), 3), Fraction(rng.randint(-2, 3), 3)
    rows = list(L2.weights) + [tuple(lam * v for v in L2.weights[0])]
    biases = list(L2.biases) + [lam * L2.biases[0]]
    W3 = [tuple([part * r[0], *r[1:], (1 - part) * r[0] / lam]) for r in L3.weights]
    return Network.from_lists([L1, (rows, biases), (W3, L3.biases)])


def check(case: tuple[str, int]) -> str:
    kind, seed = case
    rng = random.Random(seed)
    if kind == "shallow":
        net = random_network((2, 3, 1), seed=seed)
        hid, out = net.layers
        deep = Network.from_lists([hid, ([[int(i == j) for j in range(3)] for i in range(3)], [1, 1, 1]),
                                   (out.weights, [out.biases[0] - sum(out.weights[0])])])
        r = is_shallow_representable(deep)
        assert r and r.network.depth == 1 and check_certificate(r.equivalence.certificate)["valid"]
        assert not is_shallow_representable(examples.relu_of_sum())
        return "shallow recognised"
    if kind == "symmetry":
        a = random_network((2, 3, 2, 1), seed=seed)
        b = rescale(permute(a, 2, (1, 0)), 1, [Fraction(rng.randint(1, 5), 2) for _ in range(3)])
        fast, slow = equivalent(a, b), equivalent(a, b, method="common-refinement")
        assert fast.method == "normal-form" and fast and slow and check_certificate(slow.certificate)["valid"]
        return f"{slow.regions} regions"
    a = random_network((3, 2, 2, 1), seed=seed)
    b = _split2(permute(rescale(a, 1, (Fraction(1, 3), 2)), 1, (1, 0)), rng)
    if kind == "bottleneck-perturbed":
        b = b.with_layer(2, b.layers[2].weights, [b.layers[2].biases[0] + Fraction(1, 10**9)])
    fast, slow = equivalent(a, b), equivalent(a, b, method="common-refinement")
    assert fast.method == "bottleneck" and bool(fast) == bool(slow) == (kind == "bottleneck")
    if slow:
        assert check_certificate(slow.certificate)["valid"]
    else:
        for res in (fast, slow):
            w = res.witness
            assert w is not None and a(w.x) == w.a and b(w.x) == w.b and w.a != w.b
    return f"{slow.regions} regions"
