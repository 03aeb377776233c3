"""docs/mathematics.md F2-F4: representability by a given architecture.

* ("width", n, seed): for a seeded (1, n, 1) network the minimal width w from an independent brute force (kinks and
  jumps from exact evaluations, every subset of jumps, docs/mathematics.md B4) gives yes for (1, w, 1) with a checked
  witness and no for (1, w - 1, 1);
* ("vector", seed): (2, 3, 2) networks: the F2 width lies between the widest per-output B4 width and 3, and the built
  network computes f;
* ("grid", w1, b1): every (1,1,1,1) network of the grid {-1, 0, 1, 2}^6 with these first-layer entries is a width-1
  chain function (F3) and its rebuilt chain computes the same function;
* ("prefix", arch, seed): seeded integer networks of (1,1,2,1), (1,1,3,1), (1,1,1,2,1) and (2,1,2,1) are recognised
  as members of their own architecture (a wrong "no" of the F3 width-1-prefix criterion would show), with a witness
  checked by ``equivalent``.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

from exactrelu import Network, equivalent, random_network
from exactrelu.theory.equality.architectures import representable_by
from exactrelu.theory.equality.representable import is_shallow_representable
from exactrelu.theory.equality.shallow import canonical_data, minimal_width
from exactrelu.theory.equality.shallow_width import (
    minimal_width_any,
    network_of_width,
    width_one_chain,
    width_one_chain_network,
)

THEOREM = "minimal widths (B4, F2), width-1 chain functions (F3) and representability answers (F4)"
VALS = (-1, 0, 1, 2)


def cases() -> list[tuple[Any, ...]]:
    return ([("width", n, s) for n in (2, 3, 4, 5) for s in range(15)] + [("vector", s) for s in range(20)]
            + [("prefix", arch, s) for s in range(25) for arch in PREFIX_ARCHS]
            + [("grid", w1, b1) for w1 in VALS for b1 in VALS])


PREFIX_ARCHS = ((1, 1, 2, 1), (1, 1, 3, 1), (1, 1, 1, 2, 1), (2, 1, 2, 1))


def _width_1d(net: Network) -> int:
    f = lambda x: net([x])[0]  # noqa: E731
    W1, b1 = net.layers[0].weights, net.layers[0].biases
    cands = sorted({-b / w[0] for w, b in zip(W1, b1) if w[0]})
    eps = min([Fraction(1)] + [b - a for a, b in zip(cands, cands[1:])]) / 4
    slope = lambda x: (f(x + eps / 8) - f(x)) / (eps / 8)  # noqa: E731
    pts = [cands[0] - 1] + [t + eps for t in cands] if cands else [Fraction(0)]
    slopes = [slope(p) for p in pts]
    jumps = [b - a for a, b in zip(slopes, slopes[1:]) if b != a]
    k = len(jumps)
    if any(sum(S) == -slopes[0] for r in range(k + 1) for S in itertools.combinations(jumps, r)):
        return max(k, 1)
    return k + 1 if k else 2


def check(case: tuple[Any, ...]) -> str:
    if case[0] == "width":
        _, n, seed = case
        net = random_network((1, n, 1), seed=seed, max_num=2, max_den=1, nonzero=False)
        w = _width_1d(net)
        yes = representable_by(net, (1, w, 1))
        assert yes.answer is True and equivalent(net, yes.witness)
        if w > 1:
            assert representable_by(net, (1, w - 1, 1)).answer is False
        return f"minimal width {w}"
    if case[0] == "vector":
        net = random_network((2, 3, 2), seed=case[1], max_num=1, max_den=1, nonzero=False)
        data = canonical_data(net)
        w = minimal_width_any(data)[0]
        hid, out = net.layers
        per = [minimal_width(Network((hid, type(out)((out.weights[r],), (out.biases[r],))))) for r in range(2)]
        assert max(per) <= w <= 3, (per, w)
        assert equivalent(net, network_of_width(data))
        return f"width {w}, per output {per}"
    if case[0] == "prefix":
        _, arch, seed = case
        net = random_network(arch, seed=seed, max_num=2, max_den=1, nonzero=False)
        r = representable_by(net, arch)
        assert r.answer is True and equivalent(net, r.witness), r
        return f"{r.criterion}: {r.reason[:60]}"
    _, w1, b1 = case
    count = 0
    for w2, b2, w3, b3 in itertools.product(VALS, repeat=4):
        net = Network.from_lists([([[w1]], [b1]), ([[w2]], [b2]), ([[w3]], [b3])])
        shallow = is_shallow_representable(net)
        assert shallow
        data = canonical_data(shallow.network)
        ok, why, _ = width_one_chain(data)
        assert ok, (net.to_lists(), why)
        assert equivalent(net, width_one_chain_network(data, 2))
        count += 1
    return f"{count} chain networks"
