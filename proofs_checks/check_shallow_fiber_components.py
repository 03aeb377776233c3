"""Shallow fibers on R^d (docs/mathematics.md B3, §7 rows 6-9; P:R + D).

For θ of minimal width n = k on R^d: S(θ) = ⊔_{S valid} H_n · p_S, i.e. (#valid S) · n! components of dimension n,
the number of valid S counted from θ's raw parameters (subsets S with Σ_{i∈S} W2_{:,i} W1_i = 0), not from the
components;
for generic θ (B3 (i)-(iii), checked here by brute force over all subsets) exactly n! components, all in the
H_n-orbit of θ, and the fiber dimension equals D - dim_fun(θ).  Named examples: relu(x) - relu(x-1) has 4
components of dimension 2 (two H_2-orbits), the (1,3,1) three-kinks example 18 of dimension 3, relu(x) + x in (1,2,1)
2 of dimension 2.  On every case, sampled points of every component realise f_θ (exact equivalence test), and pushing
one scaling across 0 leaves the fiber.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from exactrelu import Network, examples, random_network
from exactrelu.engines import sympylib as S
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.shallow import shallow_fiber

THEOREM = ("Shallow fiber on R^d (docs/mathematics.md B3, §7 rows 6-9): (#valid S)·n! components of dim n; "
           "generic θ: n!, dim = D - dim_fun; relu(x)-relu(x-1): 4, three kinks: 18, relu(x)+x: 2")

ARCHS = [(1, 2, 1), (1, 3, 1), (2, 2, 1), (2, 3, 1), (1, 2, 2), (2, 3, 2), (3, 3, 1), (2, 4, 1)]
NAMED = {"relu_minus_shifted_relu": (4, 2), "three_kinks": (18, 3), "relu_plus_identity": (2, 2),
         "absolute_value": (2, 2)}


def cases() -> list[tuple[str, object, int]]:
    out: list[tuple[str, object, int]] = [("example", name, 0) for name in NAMED]
    out += [("random", a, s) for a in ARCHS for s in range(5)]
    return out


def _generic(net: Network) -> bool:
    hid, out = net.layers
    n, d, m = hid.n_out, hid.n_in, out.n_out
    prods = [[out.weights[r][i] * hid.weights[i][c] for r in range(m) for c in range(d)] for i in range(n)]
    for size in range(1, n + 1):
        for sub in itertools.combinations(range(n), size):
            if all(sum(prods[i][q] for i in sub) == 0 for q in range(m * d)):
                return False
    rows = [(*hid.weights[i], hid.biases[i]) for i in range(n)]
    for i, j in itertools.combinations(range(n), 2):
        if all(rows[i][a] * rows[j][b] == rows[i][b] * rows[j][a] for a in range(d + 1) for b in range(d + 1)):
            return False
    return True


def _distinct_neurons(net: Network) -> bool:
    """Every neuron has nonzero input and output weights and its own hyperplane (no two rows (W1_i, b1_i)
    proportional, with either sign): then the width is the number k of breakpoint hyperplanes."""
    hid, out = net.layers
    d = hid.n_in
    rows = [(*hid.weights[i], hid.biases[i]) for i in range(hid.n_out)]
    if any(not any(hid.weights[i]) or not any(r[i] for r in out.weights) for i in range(hid.n_out)):
        return False
    return not any(all(rows[i][a] * rows[j][b] == rows[i][b] * rows[j][a] for a in range(d + 1) for b in range(d + 1))
                   for i, j in itertools.combinations(range(len(rows)), 2))


def _expected_components(net: Network) -> int:
    """Closed form from θ's raw parameters (no canonical data): flipping the neurons of a set S keeps f iff
    Σ_{i∈S} W2_{:,i} W1_i = 0 (relu(z) = relu(-z) + z); each such S gives n! labellings."""
    hid, out = net.layers
    n, d, m = hid.n_out, hid.n_in, out.n_out
    prods = [[out.weights[r][i] * hid.weights[i][c] for r in range(m) for c in range(d)] for i in range(n)]
    valid = sum(1 for size in range(n + 1) for sub in itertools.combinations(range(n), size)
                if all(sum((prods[i][q] for i in sub), Fraction(0)) == 0 for q in range(m * d)))
    return valid * math.factorial(n)


def _network(arch: tuple[int, ...], seed: int) -> Network:
    for s in range(seed, seed + 50_000, 1000):
        net = random_network(arch, seed=s)
        if _distinct_neurons(net):
            return net
    raise AssertionError(f"no {arch} network with distinct neurons in the seed range: the case checks nothing")


def check(case: tuple[str, object, int]) -> str:
    kind, what, seed = case
    net = examples.catalogue()[what] if kind == "example" else _network(what, seed)
    fib = shallow_fiber(net)
    n = net.architecture[1]
    if kind == "example":
        count, dim = NAMED[what]
        assert (len(fib.components), fib.dimension) == (count, dim), (len(fib.components), fib.dimension)
    else:
        expected = _expected_components(net)
        assert len(fib.components) == expected, (len(fib.components), expected)
        assert all(c.dimension == n for c in fib.components)
        if _generic(net):
            assert len(fib.components) == math.factorial(n)
            fd = functional_dimension(net)
            assert fd.exact and fib.dimension == net.num_parameters - fd.rank
    assert fib.contains(net)
    for k in sorted({0, len(fib.components) // 2, len(fib.components) - 1}):
        comp = fib.components[k]
        eta = Network.from_parameters(net.architecture, comp.sample(seed + k))
        assert bool(equivalent(net, eta)), f"sample of component {k} is not equivalent"
        vals = {s: Fraction(1) for s in comp.free_symbols}
        vals[comp.free_symbols[k % n]] = Fraction(-1, 5)
        pushed = tuple(S.evaluate(comp.parametrization[s], vals) for s in comp.symbols)
        assert not fib.contains(pushed)
        assert not bool(equivalent(net, Network.from_parameters(net.architecture, pushed)))
    assert fib.verify(0).ok
    return f"{len(fib.components)} components of dim {fib.dimension}"
