"""One hidden layer on the orthant: K_S = {p_S} × V_S and the dimension of V_S (docs/mathematics.md §2.C, G3 Prop. 5 /
Thm 6).

With k visible neurons and r = n - k linear neurons (W1 >= 0, b1 >= 0) and rank A_S = r:
1. r < min(d, m): V_S ≠ ∅ only for S = S_θ;
2. r = d <= m: V_S ≠ ∅ for every S;
3. r = m < d: V_S ≠ ∅ iff the cone of the columns of A_S is pointed — for m = 1: iff the nonzero entries of the row
   A_S all have one sign (checked here independently of the LP used by the package);
4. r = m + 1 <= d (rank A_S = m < r): V_S ≠ ∅ for every S, and every piece has dimension k + (m² + m + d) + r
   (Thm 6 case 4: m² + m + d modulo the r scalings), equal to D - rank J_{F_X}(θ) computed independently from the
   exact parameter Jacobian at points of the orthant;
and every non-empty piece of cases 1-3 has dimension k + r² + r (= r² modulo the n scalings, Thm 6).  Sampled points
of every piece are exactly equivalent to θ on the orthant.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from exactrelu import Network
from exactrelu.core.errors import NotApplicableError
from exactrelu.engines.flintlib import rank
from exactrelu.geometry.polyhedra import Orthant
from exactrelu.theory.dimension.fdim import batch_functional_dimension
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.equality.shallow import canonical_data
from exactrelu.theory.fibers.domains import region_data
from exactrelu.theory.fibers.shallow import orthant_fiber

THEOREM = ("Orthant fibers (docs/mathematics.md §2.C, G3 Thm 6 cases 1-4): which V_S are non-empty, and dim K_S = k + "
           "r^2 + r (cases 1-3), k + m^2 + m + d + r (case 4, r = m + 1 <= d)")

#: (case, d, k, r, m)
SHAPES = [(1, 3, 1, 1, 3), (1, 2, 2, 1, 2), (2, 1, 1, 1, 1), (2, 1, 2, 1, 2), (2, 2, 1, 2, 2), (3, 2, 2, 1, 1),
          (3, 3, 1, 1, 1), (3, 3, 1, 2, 2), (4, 2, 0, 2, 1), (4, 2, 1, 2, 1), (4, 3, 1, 2, 1), (4, 3, 1, 3, 2),
          (4, 4, 0, 3, 2)]


def cases() -> list[tuple[tuple[int, ...], int]]:
    return [(shape, s) for shape in SHAPES for s in range(4)]


def _q(rng: random.Random, lo: int = 1) -> Fraction:
    return Fraction(rng.randint(lo, 5), rng.randint(1, 3))


def _net(shape: tuple[int, ...], seed: int) -> Network:
    _case, d, k, r, m = shape
    rng = random.Random(hash((shape, seed)) & 0xFFFF)
    rows, biases = [], []
    for _ in range(k):  # visible: mixed signs (meets the open orthant) or all positive with a negative bias
        w = [_q(rng) * rng.choice([-1, 1]) for _ in range(d)]
        if d == 1 or all(v > 0 for v in w) or all(v < 0 for v in w):
            w[0] = abs(w[0])
            b = -_q(rng) if all(v > 0 for v in w) else _q(rng) * rng.choice([-1, 1])
        else:
            b = _q(rng) * rng.choice([-1, 1])
        rows.append(w)
        biases.append(b)
    for _ in range(r):  # linear: nonnegative weights and bias
        rows.append([_q(rng) for _ in range(d)])
        biases.append(_q(rng))
    W2 = [[_q(rng) * rng.choice([-1, 1]) for _ in range(k + r)] for _ in range(m)]
    return Network.from_lists([(rows, biases), (W2, [_q(rng) for _ in range(m)])])


def _all_A_S(net: Network, k: int, r: int) -> dict[tuple[int, ...], list[list[Fraction]]]:
    """A_S = A_R(visible) + W2_lin W1_lin + sum_{j in S} C_j a_j^T for every S (1-based tuples)."""
    hid, out = net.layers
    d, m = hid.n_in, out.n_out
    sub = canonical_data(Network.from_lists([(hid.weights[:k], hid.biases[:k]),
                                            ([row[:k] for row in out.weights], [0] * m)]))
    base = [[sub.linear[i][c] + sum((out.weights[i][k + q] * hid.weights[k + q][c] for q in range(r)), Fraction(0))
             for c in range(d)] for i in range(m)]
    res = {}
    for size in range(k + 1):
        for S in itertools.combinations(range(k), size):
            res[tuple(j + 1 for j in S)] = [[base[i][c] + sum((sub.hyperplanes[j][2][i] * sub.hyperplanes[j][0][c]
                                                               for j in S), Fraction(0)) for c in range(d)]
                                            for i in range(m)]
    return res


def check(case: tuple[tuple[int, ...], int]) -> str:
    shape, seed = case
    kind, d, k, r, m = shape
    net = _net(shape, seed)
    try:
        fib = orthant_fiber(net)
    except NotApplicableError:
        # only allowed for non-generic θ: some A_S (computed independently here) has rank below r
        assert min(rank([list(row) for row in A]) for A in _all_A_S(net, k, r).values()) < r
        return "non-generic θ (rank-deficient A_S): refused, as documented"
    assert fib.contains(net)
    sets = sorted({tuple(c.origin["orientation_set"]) for c in fib.components})
    if kind == 4:
        assert all(c.dimension == k + m * m + m + d + r for c in fib.components) and not fib.complete
        assert len(sets) == 2 ** k, sets
        rng = random.Random(seed)
        # random points at many scales plus a neighbourhood of one interior point of every region of θ in the
        # orthant (a region without points would lower the rank)
        pts = [[Fraction(2) ** rng.randint(-4, 6) * Fraction(rng.randint(1, 9), 9) for _ in range(d)]
               for _ in range(20 * (d + 1))]
        for _pattern, x0 in region_data(net, "orthant"):
            pts += [[v + Fraction(rng.randint(-1, 1), 1000) for v in x0] for _ in range(2 * (d + 1))]
        res = batch_functional_dimension(net, pts)  # points on a bent hyperplane are left out of the rank
        local = len(net.parameters()) - res.differentiable_rank
        assert fib.dimension == local, (fib.dimension, local)
    else:
        assert all(c.dimension == k + r * r + r for c in fib.components)
    if kind == 1:
        assert len(sets) == 1, sets
    elif kind == 2:
        assert len(sets) == 2 ** k, sets
    elif kind == 3 and m == 1:
        expect = []
        for S, A in _all_A_S(net, k, r).items():
            nz = [v for v in A[0] if v]
            if nz and (all(v > 0 for v in nz) or all(v < 0 for v in nz)):
                expect.append(S)
        assert sets == sorted(expect), (sets, expect)
    per = len(fib.components) // len(sets)
    for j in (0, per, len(fib.components) - 1):
        j = min(j, len(fib.components) - 1)
        eta = Network.from_parameters(net.architecture, fib.sample(seed=seed + j, component=j))
        assert bool(equivalent(net, eta, Orthant(d)))
    return f"{len(sets)} orientation sets, {len(fib.components)} pieces of dim {fib.dimension}"
