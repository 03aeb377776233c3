"""The discrete group G_j of docs/mathematics.md D4, derived by exact brute force (exactrelu.theory.fibers.bottleneck
docstring).

Setting: a generic bottleneck θ of architecture (d, n1, n2, m), n1 <= d, whose first-layer hyperplane H_j is
invisible (every alive second-layer neuron i has W2_ij > 0, W2_ik <= 0 for k != j, b2_i <= 0).  Candidates η: negate
the first-layer neurons of a set F ⊆ [n1], replace neuron j by u_j + Σ_{k != j} c_k u_k + e with c_k from a grid
(0, ±1/2, ±1, ±2 and the ratios W2_ik / W2_ij; 0, ±1 and the ratios when n1 = 3), keep W2, W3, b3 and set
b2_i -= W2_ij e for the attached i.  Exact equivalence (common refinement) holds **exactly** when j ∉ F, F ⊆ K_j,
c_k = W2_ik / W2_ij for k ∈ F, c_k = 0 for k ∉ F, and e >= t_min = max_i b2_i / W2_ij; i.e.
G_j = <M_k : k ∈ K_j> ≅ (Z/2)^{|K_j|} composed with the T_j half-line (K_j = [n1] minus j when n2 = 1; K_j is
empty for generic θ with n2 >= 2).
"""

from __future__ import annotations

import random
from fractions import Fraction as F
from itertools import combinations, product

from exactrelu import examples
from exactrelu.core.network import Network
from exactrelu.theory.dimension.genericity import is_generic
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.bottleneck import bottleneck_structure

THEOREM = ("G_j (docs/mathematics.md D4) = <M_k : k in K_j> = (Z/2)^{|K_j|}: exactly these orientation changes with "
           "the tilt "
           "c_k = W2_ik / W2_ij (and the T_j half-line e >= t_min) preserve f_θ, found by exact brute force")


def invisible_network(arch: tuple[int, ...], seed: int, same_ratio: bool) -> Network:
    """A random bottleneck with H_1 invisible (j = 0): W2_i1 > 0, W2_ik < 0, b2_i < 0 (``same_ratio``: rows ∝ off 1)."""
    rng = random.Random(seed)
    d, n1, n2, m = arch

    def q(lo: int, hi: int) -> F:
        while True:
            v = F(rng.randint(lo, hi), rng.randint(1, 3))
            if v:
                return v

    W1 = [[q(-4, 4) for _ in range(d)] for _ in range(n1)]
    b1 = [q(-3, 3) for _ in range(n1)]
    ratios = [q(-3, -1) for _ in range(n1)]
    W2, b2 = [], []
    for _ in range(n2):
        w0 = q(1, 4)
        W2.append([w0] + [w0 * ratios[k] if same_ratio else q(-4, -1) for k in range(1, n1)])
        b2.append(q(-4, -1))
    W3 = [[q(-4, 4) for _ in range(n2)] for _ in range(m)]
    b3 = [q(-2, 2) for _ in range(m)]
    return Network.from_lists([(W1, b1), (W2, b2), (W3, b3)])


def cases() -> list[tuple[str, tuple[int, ...], int, bool]]:
    out = [("example", (2, 2, 1, 1), 0, True)]
    out += [("random", (2, 2, 1, 1), s, True) for s in range(3)]
    out += [("random", (3, 3, 1, 1), 0, True)]
    # n2 = 2 with proportional columns is never generic (W2 D_{j,k} W1 has rank 1), so only different ratios here
    out += [("random", (2, 2, 2, 1), s, False) for s in range(2)]
    return out


def _net(case: tuple[str, tuple[int, ...], int, bool]) -> Network:
    kind, arch, seed, same = case
    if kind == "example":
        return examples.invisible_translation()
    for s in range(seed, seed + 50_000, 1000):
        net = invisible_network(arch, s, same)
        if is_generic(net):
            return net
    raise AssertionError(f"no generic network found for {case}")


def _candidate(net: Network, j: int, Fset: tuple[int, ...], c: dict[int, F], e: F) -> Network:
    W1 = [list(r) for r in net.layers[0].weights]
    b1 = list(net.layers[0].biases)
    W2 = [list(r) for r in net.layers[1].weights]
    b2 = list(net.layers[1].biases)
    W1[j] = [a + sum((c[k] * W1[k][col] for k in c), F(0)) for col, a in enumerate(W1[j])]
    b1[j] = b1[j] + sum((c[k] * b1[k] for k in c), F(0)) + e
    for k in Fset:
        W1[k] = [-v for v in W1[k]]
        b1[k] = -b1[k]
    b2 = [b - row[j] * e if row[j] > 0 else b for row, b in zip(W2, b2)]
    W3, b3 = net.layers[2].weights, net.layers[2].biases
    return Network.from_lists([(W1, b1), (W2, b2), (W3, b3)])


def check(case: tuple[str, tuple[int, ...], int, bool]) -> str:
    net = _net(case)
    st = bottleneck_structure(net)
    assert st.invisible is not None and st.t_min is not None
    j, n1 = st.invisible, net.architecture[1]
    W2 = net.layers[1].weights
    alive = st.alive
    others = [k for k in range(n1) if k != j]
    base = {F(0), F(1, 2), F(-1, 2), F(1), F(-1), F(2), F(-2)} if n1 <= 2 else {F(0), F(1), F(-1)}
    grids = {k: sorted(base | {W2[i][k] / W2[i][j] for i in alive}) for k in others}
    es = [F(0), st.t_min / 2, F(1), st.t_min - F(1, 2)] if n1 <= 2 else [F(0), st.t_min - F(1, 2)]
    subsets = [S for r in range(n1 + 1) for S in combinations(range(n1), r)]
    found, predicted, tried = set(), set(), 0
    for Fset in subsets:
        for cs in product(*(grids[k] for k in others)):
            c = dict(zip(others, cs))
            for e in es:
                tried += 1
                key = (Fset, tuple(sorted(c.items())), e)
                ok_pred = (j not in Fset and all(k in st.flippable for k in Fset)
                           and all(c[k] == (st.ratios[k] if k in Fset else 0) for k in others) and e >= st.t_min)
                if ok_pred:
                    predicted.add(key)
                if equivalent(net, _candidate(net, j, Fset, c, e), method="common-refinement"):
                    found.add(key)
    assert found == predicted, (f"brute force differs: found-only {sorted(found - predicted)[:3]}, "
                                f"predicted-only {sorted(predicted - found)[:3]}")
    return f"{tried} candidates, {len(found)} in the fiber, |K_j| = {len(st.flippable)}"
