"""Bottleneck equivalence (docs/mathematics.md D0/D3/D4/D5): T_j / G_j matching, orthant jump comparison, row-space
reduction; every answer cross-checked by the common refinement on R^d (a second algorithm) or by evaluation."""

from fractions import Fraction as F

import pytest

from exactrelu import Network, equivalent, examples
from exactrelu.theory.equality.bottleneck import (
    bottleneck_reduction,
    check_bottleneck_evidence,
    orthant_shallow_difference,
)
from exactrelu.theory.fibers.structure import bottleneck_structure, flip, translate
from proofs_checks.check_bottleneck_equivalence import check, make_pair


def test_paper_example_translation_and_flip_take_the_fast_path() -> None:
    a = examples.invisible_translation()            # docs/mathematics.md D3 oracle (2,2,1,1)
    b = flip(translate(a, 5), [1])
    res = equivalent(a, b)
    assert res and res.method == "bottleneck" and res.regions is None       # no region enumeration
    assert res.evidence["symmetries"][0] == {"network": "b", "flip": [1]}
    assert check_bottleneck_evidence(a, b, res.evidence)
    assert equivalent(a, b, method="common-refinement")


def test_translation_below_t_min_is_caught_with_a_witness() -> None:
    a = examples.invisible_translation()
    st = bottleneck_structure(a)
    b = translate(a, st.t_min - 3, check=False)
    res, slow = equivalent(a, b), equivalent(a, b, method="common-refinement")
    assert not res and not slow and res.method == "bottleneck"
    w = res.witness
    assert a(w.x) == w.a != w.b == b(w.x)


def test_orthant_difference_by_hand() -> None:
    # g_a(y) = relu(y1 - y2) ; g_b(y) = relu(y1 - y2) + relu(-y1 - 1) (dead on the orthant): equal on the orthant
    ga = Network.from_lists([([[1, -1]], [0]), ([[1]], [0])])
    gb = Network.from_lists([([[1, -1], [-1, 0]], [0, -1]), ([[1, 5]], [0])])
    assert orthant_shallow_difference(ga, gb)[0]
    # relu(y1 + 1) = y1 + 1 on the orthant, but relu(y1 - 1) is not affine there
    gc = Network.from_lists([([[1, 0], [1, -1]], [1, 0]), ([[1, 1]], [-1])])    # relu(y1+1) + relu(y1-y2) - 1 = y1 + ..
    assert not orthant_shallow_difference(ga, gc)[0]                             # differs by the affine y1
    gd = Network.from_lists([([[1, 0], [1, -1]], [-1, 0]), ([[1, 1]], [0])])
    eq, data = orthant_shallow_difference(ga, gd)
    assert not eq and data["hyperplane"] == [1, 0, -1]


def test_reduction_modes() -> None:
    a = examples.invisible_translation()
    assert bottleneck_reduction(a, a).mode == "aligned"
    assert bottleneck_reduction(a, flip(a, [1])).mode == "matched"
    other = Network.from_lists([([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [0]), ([[1]], [0])])
    assert bottleneck_reduction(a, other).mode == "matched"   # W1 invertible 2x2: the same row space R^2
    deg = Network.from_lists([([[1, 0], [2, 0]], [0, 1]), ([[1, 1]], [0]), ([[1]], [0])])
    assert "rank" in bottleneck_reduction(a, deg)


@pytest.mark.parametrize("kind", ["tg-equal", "tg-perturbed", "tg-too-far", "orthant-rewrite", "rowspace", "random",
                                  "degenerate"])
def test_sweep_slice_agrees_with_the_common_refinement(kind) -> None:
    for arch, seed in (((3, 2, 2, 1), 0), ((3, 3, 1, 1), 2)):
        check((kind, arch, seed))


def test_bottleneck_sizes_from_the_benchmark_are_fast() -> None:
    import time

    a, b = make_pair("tg-equal", (8, 3, 8, 1), 1)
    equivalent(a, b)
    t0 = time.perf_counter()
    res = equivalent(a, b)
    assert res and res.method == "bottleneck" and time.perf_counter() - t0 < 2   # ~0.02 s; generous on a loaded CI
    c = b.with_layer(2, b.layers[2].weights, [b.layers[2].biases[0] + F(1, 10**9)])
    r2 = equivalent(a, c)
    assert not r2 and r2.method == "bottleneck" and a(r2.witness.x) != c(r2.witness.x)
