"""Pattern and output varieties (docs/mathematics.md H1-H3): the H3 table, equations against the parametrisation,
the functional-dimension engine, and an independent brute-force Jacobian rank over Q for deep networks."""

import itertools
import random
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu import Network, random_network
from exactrelu.core.errors import FormatError, ShapeError
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.varieties import (
    conjecture_evidence,
    output_variety,
    pattern_sets,
    pattern_variety,
    realizable,
    to_latex,
    to_macaulay2,
    to_sage,
)
from exactrelu.theory.varieties.dimension import block_formula, dimension_bounds
from exactrelu.theory.varieties.patterns import canonical_patterns, normalize_patterns
from exactrelu.theory.varieties.variety import block_matrices

# docs/mathematics.md H3 oracle table: (architecture, patterns, dim, naive count or None, ambient)
H3_TABLE = [
    ((2, 2, 2), ["12", "1"], 6, 6, 8),
    ((2, 3, 1), ["1", "2", "12"], 4, None, 6),
    ((2, 3, 1), ["12", "23", "13"], 6, None, 6),
    ((3, 3, 3), ["12", "23"], 15, None, 18),
    ((3, 3, 3), ["123", "1"], 13, 15, 18),
    ((2, 2, 2), ["12", "1", "2"], 6, None, 12),
    ((3, 2, 3), ["12", "1", "2"], 10, None, 27),
    ((3, 4, 3), ["1234", "12", "34"], 16, 20, 27),
    ((4, 4, 4), ["12", "34"], 24, 28, 32),
    ((4, 4, 4), ["123", "234"], 26, 28, 32),
]


@pytest.mark.parametrize("arch, pats, dim, naive, ambient", H3_TABLE)
def test_h3_table(arch: tuple[int, ...], pats: list[str], dim: int, naive: int | None, ambient: int) -> None:
    V = pattern_variety(arch, pats)
    assert (V.dimension, V.proved, V.ambient) == (dim, True, ambient)
    assert V.lower_bound == V.upper_bound == dim
    if naive is not None:
        assert V.expected_dimension == naive
    assert V.defect == V.expected_dimension - dim
    if V.defect and any(len(p[0]) >= 2 for p in V.patterns):
        assert V.reason is not None
    d = V.to_dict()
    assert set(d) == {"dimension", "lower_bound", "upper_bound", "proved", "expected_dimension", "ambient", "defect",
                      "reason", "equations"} and d["equations"] is None


def test_defect_reason_names_the_gl_symmetry() -> None:
    V = pattern_variety((4, 4, 4), ["12", "34"])
    assert V.defect == 4 and V.reason.count("GL_2") == 2
    assert pattern_variety((2, 2, 2), ["12", "1"]).reason is None
    assert "active in no block" in pattern_variety((2, 3, 1), ["1", "2", "12"]).reason


def _random_theta(arch: tuple[int, ...], rng: random.Random) -> list[F]:
    D = sum(arch[l] * (arch[l - 1] + 1) for l in range(1, len(arch)))
    return [F(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(D)]


def _values(V, blocks) -> dict:  # noqa: ANN001
    return {s: sp.Rational(v.numerator, v.denominator)
            for A, B in zip(V.ambient_symbols(), blocks) for s, v in zip(A, [x for r in B for x in r])}


EQUATION_CASES = [((3, 3, 3), ["123", "1"], False), ((2, 2, 2), ["12", "1", "2"], False),
                  ((3, 2, 3), ["12", "1"], True),
                  ((2, 2, 2, 2), ["12/12", "1/2"], False), ((2, 2, 2, 2), ["12/12", "1/2"], True),
                  ((4, 4, 4), ["12", "34"], False), ((3, 3, 2), ["12", "23", "13"], False)]


@pytest.mark.parametrize("arch, pats, bias", EQUATION_CASES)
def test_equations_vanish_on_parametrised_points_and_not_elsewhere(arch: tuple[int, ...], pats: list[str],
                                                                  bias: bool) -> None:
    V = pattern_variety(arch, pats, bias)
    eqs = V.equations()
    assert eqs, "every case here has a rank constraint"
    rng = random.Random(1)
    for _ in range(3):
        net = Network.from_parameters(arch, _random_theta(arch, rng))
        blocks = block_matrices(net, V.patterns, bias)  # affine maps of the network: a second code path
        vals = _values(V, blocks)
        assert all(e.xreplace(vals) == 0 for e in eqs)
        # the sympy parametrisation agrees with the network's affine maps
        sub = {s: sp.Rational(v.numerator, v.denominator) for s, v in
               zip([sp.Symbol(n, real=True) for n in net_names(arch)], net.parameters())}
        assert [M.xreplace(sub).tolist() for M in V.parametrisation()] == [
            [[sp.Rational(v.numerator, v.denominator) for v in r] for r in B] for B in blocks]
    m, n = V.shape
    ambient = [[[F(rng.randint(-50, 50), rng.randint(1, 7)) for _ in range(n)] for _ in range(m)] for _ in pats]
    vals = _values(V, ambient)
    assert all(e.xreplace(vals) != 0 for e in eqs)


def net_names(arch: tuple[int, ...]) -> list[str]:
    from exactrelu.core.network import parameter_names

    return list(parameter_names(arch))


def test_functional_dimension_agrees_where_both_apply() -> None:
    """dim_fun(θ) is the rank at θ of the Jacobian of θ -> (A_R, c_R)_R: the pattern variety with biases of the
    region patterns of θ, at θ.  At random θ both are the generic rank."""
    for arch in [(2, 3, 1), (2, 2, 2), (1, 2, 2, 1), (2, 2, 2, 1)]:
        for seed in range(3):
            net = random_network(arch, seed=seed)
            r = functional_dimension(net)
            pats = sorted({tuple(frozenset(j for j, v in enumerate(layer) if v > 0) for layer in net.pattern(p))
                           for p in r.points}, key=str)
            V = pattern_variety(arch, pats, bias=True)
            assert V.proved and V.dimension == r.rank, (arch, seed)


def _brute_force_rank(arch: tuple[int, ...], pats: list[list[set[int]]], rng: random.Random) -> int:
    """Independent reference: sympy products of symbolic matrices, sympy Jacobian, exact rank at a random point."""
    Ws, syms = [], []
    for l in range(1, len(arch)):
        W = sp.Matrix(arch[l], arch[l - 1], lambda i, j, l=l: sp.Symbol(f"w{l}_{i}_{j}"))
        Ws.append(W)
        syms += list(W)
    entries = []
    for p in pats:
        M = Ws[0]
        for l, s in enumerate(p):
            M = Ws[l + 1] * sp.diag(*[1 if j + 1 in s else 0 for j in range(arch[l + 1])]) * M
        entries += list(M)
    J = sp.Matrix(entries).jacobian(syms)
    point = {s: sp.Rational(rng.randint(-30, 30) or 1, rng.randint(1, 4)) for s in syms}
    return J.xreplace(point).rank()


@pytest.mark.parametrize("arch, pats", [
    ((2, 2, 2, 2), [[{1, 2}, {1, 2}], [{1}, {2}]]),
    ((2, 3, 2, 1), [[{1, 2}, {1}], [{2, 3}, {1, 2}], [{1, 3}, {2}]]),
    ((3, 2, 2, 2), [[{1}, {1, 2}], [{1, 2}, {2}]]),
    ((2, 2, 2, 2, 2), [[{1, 2}, {1}, {1, 2}], [{2}, {1, 2}, {2}]]),
])
def test_deep_dimension_against_brute_force_jacobian(arch: tuple[int, ...], pats: list) -> None:
    V = pattern_variety(arch, pats)
    ref = max(_brute_force_rank(arch, pats, random.Random(s)) for s in range(2))
    assert V.lower_bound == ref and V.lower_bound <= V.upper_bound


def test_all_deep_bias_pairs_consistent_regression() -> None:
    """Regression: with biases, a weight downstream of an active neuron is used even when an earlier layer is
    empty (the old usage rule made the symmetry bound smaller than the certified lower bound and raised)."""
    for ps in pattern_sets((2, 2, 2, 2), 2)[:40]:
        b = dimension_bounds((2, 2, 2, 2), ps, True)
        assert b.lower <= b.upper


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6))
def test_dimension_invariant_under_relabelling(seed: int) -> None:
    rng = random.Random(seed)
    arch = (rng.randint(1, 3), 3, rng.randint(1, 3))
    pats = [frozenset(j for j in range(3) if rng.random() < 0.6) for _ in range(rng.randint(1, 3))]
    perm = list(range(3))
    rng.shuffle(perm)
    moved = [(frozenset(perm[j] for j in p),) for p in pats]
    rng.shuffle(moved)
    a = pattern_variety(arch, [(p,) for p in pats])
    b = pattern_variety(arch, moved)
    assert (a.dimension, a.upper_bound) == (b.dimension, b.upper_bound)
    assert canonical_patterns(arch, a.patterns) == canonical_patterns(arch, b.patterns)


def test_block_formula_is_exact_when_the_incidence_has_full_column_rank() -> None:
    for arch in [(2, 3, 2), (3, 3, 2), (2, 4, 3)]:
        for ps in pattern_sets(arch, 2):
            bf = block_formula(arch, ps, False)
            V = pattern_variety(arch, ps)
            assert V.dimension <= bf.value
            if bf.exact:
                assert V.dimension == bf.value


def test_patterns_parsing() -> None:
    assert normalize_patterns((2, 3, 2, 1), ["13/-", [[1], [2]]]) == (
        (frozenset({0, 2}), frozenset()), (frozenset({0}), frozenset({1})))
    assert normalize_patterns((2, 12, 1), ["1,10,12"]) == ((frozenset({0, 9, 11}),),)
    for bad in (["4"], ["1/2"], ["x"], []):
        with pytest.raises(FormatError):
            normalize_patterns((2, 3, 1), bad)
    with pytest.raises(ShapeError):
        pattern_variety((2, 2), ["1"])


# ------------------------------------------------------------------ membership and realizability
def _dyadic(rng: random.Random) -> F:
    return F(rng.choice([-1, 1]) * rng.randint(1, 2**20), 2 ** rng.randint(0, 40)) * F(10) ** rng.randint(-30, 30)


@pytest.mark.parametrize("arch, pats, bias", [((3, 3, 3), ["123", "1"], False), ((2, 2, 3), ["12", "1", "-"], True),
                                              ((3, 4, 3), ["1234", "12", "34"], False)])
def test_contains_yes_with_witness_on_trained_style_weights(arch: tuple[int, ...], pats: list[str],
                                                           bias: bool) -> None:
    V = pattern_variety(arch, pats, bias)
    rng = random.Random(5)
    D = sum(arch[l] * (arch[l - 1] + 1) for l in range(1, len(arch)))
    net = Network.from_parameters(arch, [_dyadic(rng) for _ in range(D)])
    blocks = block_matrices(net, V.patterns, bias)
    ans = V.contains(blocks)
    assert ans.answer is True and ans.witness is not None
    assert block_matrices(ans.witness, V.patterns, bias) == blocks  # the witness reproduces the blocks exactly


def test_contains_undecided_is_never_false() -> None:
    V = pattern_variety((2, 3, 2), ["12", "23"], bias=True)  # 3 classes + the output bias, 2 blocks
    blocks = block_matrices(random_network((2, 3, 2), seed=1), V.patterns, True)
    assert V.contains(blocks).answer is None


def test_contains_with_repeated_patterns_decides() -> None:
    V = pattern_variety((2, 2, 3), ["12", "1", "-", "12"], bias=True)  # a repeated row of [P | 1]: decided on 3
    net = random_network((2, 2, 3), seed=2)
    blocks = list(block_matrices(net, V.patterns, True))
    ans = V.contains(blocks)
    assert ans.answer is True and ans.witness is not None
    assert block_matrices(ans.witness, V.patterns, True) == tuple(blocks)
    blocks[2] = [[v + 1 for v in r] for r in blocks[2]]
    assert V.contains(blocks).answer is False


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10**6))
def test_equations_vanish_property(seed: int) -> None:
    rng = random.Random(seed)
    L = rng.choice([1, 1, 2])
    arch = tuple(rng.randint(1, 3) for _ in range(L + 2))
    pats = [tuple(frozenset(j for j in range(arch[l + 1]) if rng.random() < 0.6) for l in range(L))
            for _ in range(rng.randint(1, 3))]
    bias = rng.random() < 0.5
    V = pattern_variety(arch, pats, bias)
    assert V.lower_bound <= V.upper_bound and V.defect >= 0
    eqs = V.equations()
    net = Network.from_parameters(arch, _random_theta(arch, rng))
    blocks = block_matrices(net, V.patterns, bias)
    assert all(e.xreplace(_values(V, blocks)) == 0 for e in eqs)
    assert V.contains(blocks).answer is not False  # a parametrised point is never rejected


def test_contains_no_with_violated_minor() -> None:
    V = pattern_variety((3, 3, 3), ["123", "1"])
    I3 = [[int(i == j) for j in range(3)] for i in range(3)]
    ans = V.contains([I3, I3])
    assert ans.answer is False and str(ans.constraint) == "rank M2 <= 1"
    rows, cols, value = ans.minor
    assert len(rows) == len(cols) == 2 and value != 0
    # rank-one M2 but M1 - M2 of rank 3 > t = 2
    ans = V.contains([[[2, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 0, 0], [0, 0, 0]]])
    assert ans.answer is False and str(ans.constraint) == "rank (M1 - M2) <= 2"
    ans = V.contains([[[2, 0, 0], [0, 1, 0], [0, 0, 1]], [[0, 0, 0], [0, 0, 0], [0, 0, 1]]])
    assert ans.answer is True
    ans = V.contains([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[0, 0, 0], [0, 1, 0], [0, 0, 0]]])
    assert ans.answer is True  # M1 - M2 = diag(1, 0, 1) has rank 2
    ans = V.contains([[[1, 0, 0], [0, 2, 0], [0, 0, 1]], [[0, 0, 0], [0, 1, 0], [0, 0, 0]]])
    assert ans.answer is False and "M1 - M2" in str(ans.constraint)
    with pytest.raises(ShapeError):
        V.contains([I3])


def test_contains_linear_relation_and_tiny_deep_case() -> None:
    V = pattern_variety((2, 2, 2), ["12", "1", "2"])
    assert any(c.bound == 0 for c in V.rank_constraints())  # M1 - M2 - M3 = 0
    ans = V.contains([[[1, 0], [0, 1]], [[1, 0], [0, 0]], [[0, 0], [0, 2]]])
    assert ans.answer is False
    W = pattern_variety((1, 1, 1, 1), ["1/1", "-/-"])
    assert W.contains([[[3]], [[0]]]).answer is True   # decided through the implicit ideal (tiny case)
    assert W.contains([[[3]], [[1]]]).answer is False


def test_realizable_yes_no_and_undecided() -> None:
    arch, pats = (2, 2, 2), ["12", "1"]
    X = [[[1, 0, 2], [0, 1, 1]], [[1, 3], [2, -1]]]
    net = random_network(arch, seed=3)
    Ms = block_matrices(net, normalize_patterns(arch, pats), False)
    Y = [[[sum(M[r][t] * Xi[t][p] for t in range(2)) for p in range(len(Xi[0]))] for r in range(2)]
         for M, Xi in zip(Ms, X)]
    ans = realizable(Y, X, arch, pats)
    assert ans.answer is True and "patterns_hold_on_data" in ans.extra
    Mw = block_matrices(ans.witness, normalize_patterns(arch, pats), False)
    assert Mw == Ms
    Y_bad = [Y[0], [[1, 0], [0, 1]]]  # M_2 X_2 of rank 2 impossible with one neuron
    bad = realizable(Y_bad, X, arch, pats)
    assert bad.answer is False and bad.minor is not None and bad.minor[2] != 0
    Xd = [[[1, 2], [2, 4]], [[1], [1]]]  # rank-deficient data
    Yd = [[[1, 3], [0, 1]], [[1], [2]]]
    assert realizable(Yd, Xd, arch, pats).answer is False  # Y_1 not of the form M X_1
    Yd = [[[1, 2], [3, 6]], [[1], [2]]]
    assert realizable(Yd, Xd, arch, pats).answer is None


def test_output_variety_dimension_and_equations() -> None:
    arch, pats = (3, 3, 3), ["123", "1"]
    X_full = [[[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1]], [[1, 2, 0], [0, 1, 1], [1, 0, 1]]]
    O = output_variety(arch, X_full, pats)
    assert O.proved and O.dimension == 13 and O.ambient == 21
    X_thin = [[[1], [0], [0]], [[1], [1], [1]]]
    O2 = output_variety(arch, X_thin, pats)
    assert O2.proved and O2.dimension == 6  # Y_1 = M_1 x is any vector, Y_2 = M_2 x too: 3 + 3
    eqs = O.equations()
    rng = random.Random(2)
    for _ in range(2):
        net = Network.from_parameters(arch, _random_theta(arch, rng))
        Ms = block_matrices(net, O.pattern_variety.patterns, False)
        Ys = [[[sum(M[r][t] * Xi[t][p] for t in range(3)) for p in range(len(Xi[0]))] for r in range(3)]
              for M, Xi in zip(Ms, O.data)]
        vals = {s: sp.Rational(v.numerator, v.denominator) for A, B in zip(O.ambient_symbols(), Ys)
                for s, v in zip(A, [x for r in B for x in r])}
        assert all(sp.simplify(e.xreplace(vals)) == 0 for e in eqs)
    Yr = [[[F(rng.randint(-40, 40), rng.randint(1, 6)) for _ in range(len(Xi[0]))] for _ in range(3)] for Xi in X_full]
    vals = {s: sp.Rational(v.numerator, v.denominator) for A, B in zip(O.ambient_symbols(), Yr)
            for s, v in zip(A, [x for r in B for x in r])}
    assert all(sp.simplify(e.xreplace(vals)) != 0 for e in eqs)  # a random ambient point violates each of them
    assert set(O.to_dict()) == set(pattern_variety(arch, pats).to_dict())


def test_conjecture_evidence_tiny_case_and_exports() -> None:
    V = pattern_variety((2, 2, 2), ["12", "1"])
    ev = conjecture_evidence(V)
    assert ev.verdict == "supports" and ev.ideal_equal is True and ev.in_conjecture_setting
    assert "supports" in str(ev)
    m2 = to_macaulay2(V)
    assert "R = QQ[M1x1x1" in m2 and "P = ker phi" in m2 and "I = ideal(" in m2
    assert "phi = R.hom(" in to_sage(V)
    assert r"\operatorname{rank} M_{2} &\le 1" in to_latex(V)
    assert repr(V).startswith("PatternVariety((2, 2, 2), patterns {1,2} {1}; dim=6")
    assert "dimension 6 (proved)" in str(V)


def test_pattern_sets_count() -> None:
    # pairs of subsets of 4 neurons up to relabelling and swap: 35 splits (both, first, second, none), 9 symmetric
    assert len(pattern_sets((4, 4, 4), 2)) == (35 + 9) // 2
    assert len(list(itertools.product(range(16), repeat=2))) == 256
