"""One neuron more than needed (docs/mathematics.md §3 dead / zero neurons, B3): the fiber's connected components.

Derived here [D]: if k neurons realise f and θ has k+1, every η in S(θ) has k genuine neurons oriented by a valid
orientation set S plus a zero, dead or constant neuron, or two same-oriented neurons splitting one jump — or it is an
opposite-pair network (case k+1 of docs/mathematics.md B4).  For each valid S these pieces form one connected component
of dimension k + 1 + max(d, m).  Checked on seeded random θ built as "a minimal network + one extra neuron": the number
of big components equals the number of valid S (brute force over all subsets here), every piece's samples are exact
equivalents, permuted and rescaled copies of θ are members, and moving the extra neuron keeps membership iff it keeps
the function (exact equivalence).
"""

from __future__ import annotations

import itertools
import random
import zlib
from fractions import Fraction

from exactrelu import Network, permute, rescale
from exactrelu.core.random import random_network
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.equality.shallow import canonical_data
from exactrelu.theory.fibers.shallow import shallow_fiber

THEOREM = ("One extra neuron: one connected component per valid S (zero / dead / constant / split duplicate pieces), "
           "dimension k + 1 + max(d, m)")

KINDS = ["zero", "dead", "constant", "duplicate"]


def cases() -> list[tuple[tuple[int, ...], str, int]]:
    return [(arch, kind, s) for arch in [(1, 2, 1), (2, 2, 1), (2, 3, 1), (1, 3, 2)] for kind in KINDS
            for s in range(2)]


def _with_extra(base: Network, kind: str, rng: random.Random) -> Network:
    hid, out = base.layers
    W1 = [list(r) for r in hid.weights]
    b1 = list(hid.biases)
    W2 = [list(r) for r in out.weights]
    d = base.input_dim
    q = lambda: Fraction(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 3))  # noqa: E731
    if kind == "duplicate":  # split neuron 0 into two positive multiples
        W1.append([2 * v for v in W1[0]])
        b1.append(2 * b1[0])
        for row in W2:
            row[0], extra = row[0] / 2, row[0] / 4
            row.append(extra)
    else:
        W1.append([q() for _ in range(d)] if kind == "zero" else [Fraction(0)] * d)
        b1.append(q() if kind == "zero" else (-abs(q()) if kind == "dead" else abs(q())))
        for row in W2:
            row.append(Fraction(0) if kind == "zero" else q())
    return Network.from_lists([(W1, b1), (W2, list(out.biases))])


def _valid_sets(net: Network) -> int:
    data = canonical_data(net)
    H = data.hyperplanes
    count = 0
    for r in range(len(H) + 1):
        for S in itertools.combinations(range(len(H)), r):
            if all(data.linear[i][c] + sum((H[j][2][i] * H[j][0][c] for j in S), Fraction(0)) == 0
                   for i in range(data.output_dim) for c in range(data.input_dim)):
                count += 1
    return count


def check(case: tuple[tuple[int, ...], str, int]) -> str:
    arch, kind, seed = case
    rng = random.Random(zlib.crc32(repr(case).encode()))
    net = _with_extra(random_network(arch, seed=seed), kind, rng)
    d, n, m = net.architecture
    fib = shallow_fiber(net)
    big = [c for c in fib.components if c.pieces]
    assert len(big) == _valid_sets(net) >= 1
    k = canonical_data(net).num_hyperplanes
    assert k == n - 1 and fib.dimension == k + 1 + max(d, m)
    assert fib.contains(net)
    perm = list(range(n))
    rng.shuffle(perm)
    other = permute(rescale(net, 1, [Fraction(rng.randint(1, 5), rng.randint(1, 5)) for _ in range(n)]), 1, perm)
    assert fib.contains(other)
    for c in big:
        for q in sorted({0, len(c.pieces) // 2, len(c.pieces) - 1}):
            eta = Network.from_parameters(net.architecture, c.pieces[q].sample(seed + q))
            assert bool(equivalent(net, eta))
    theta = list(net.parameters())
    for _ in range(6):  # random moves of single parameters: membership agrees with the exact equivalence test
        pt = list(theta)
        pt[rng.randrange(len(pt))] += Fraction(rng.randint(-3, 3), rng.randint(1, 3))
        assert fib.contains(pt) == bool(equivalent(net, Network.from_parameters(net.architecture, pt)))
    return f"{len(big)} big component(s), {len(fib.components)} in all, dim {fib.dimension}"
