"""The dimension of a shallow pattern variety (docs/mathematics.md H3).

For one hidden layer (n0, n1, n2) and patterns A_1, ..., A_k, group the hidden neurons into classes with the same
membership across the blocks; a class of size s contributes Y_c = W2[:, c] W1[c, :] of rank <= s and
M_i = Σ_{c ⊆ A_i} Y_c.  Then dim <= Σ_c dim Det_{<=s_c}(n2 x n0), with equality when the blocks x classes incidence
matrix has full column rank.  Each case is one architecture with n0, n1, n2 <= 4: every set of two patterns (and of
three when n1 <= 3) up to relabelling the neurons and reordering the blocks, without and with biases (with biases the
augmented input (x, 1), the output bias adding n2 and a column of ones to the incidence matrix).  For each the
package's two-sided certificate must close (lower = upper), the formula must bound the dimension, and equal it when
the incidence has full column rank.
"""

from __future__ import annotations

import itertools

from exactrelu.theory.varieties import pattern_sets, pattern_variety
from exactrelu.theory.varieties.dimension import block_formula

THEOREM = ("shallow pattern varieties: dim <= Σ_c dim Det_{<=s_c}, = when the incidence has full column rank; "
           "dimension proved from both sides (docs/mathematics.md H3)")


def cases() -> list[tuple[int, int, int]]:
    return sorted(itertools.product(range(1, 5), repeat=3), key=lambda a: (sum(a), a))


def check(arch: tuple[int, int, int]) -> str:
    count = exact = 0
    for k in (2, 3) if arch[1] <= 3 else (2,):
        for pats in pattern_sets(arch, k):
            for bias in (False, True):
                V = pattern_variety(arch, pats, bias)
                bf = block_formula(arch, V.patterns, bias)
                assert V.proved, f"{V!r}: bounds {V.lower_bound} < {V.upper_bound} ({V.bounds.upper_by})"
                assert V.dimension <= bf.value, f"{V!r} exceeds the block formula {bf.value}"
                if bf.exact:
                    exact += 1
                    assert V.dimension == bf.value, f"{V!r}: block formula {bf.value} with full-rank incidence"
                assert 0 <= V.defect and V.dimension <= V.ambient
                count += 1
    return f"{count} pattern sets, {exact} with full-rank incidence (formula exact), all proved"
