"""Canonical data K(f), orientation sets, minimal width and canonical form of shallow networks (docs/mathematics.md
B1-B4)."""

import itertools
import random
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactrelu import Network, examples, permute, random_network, rescale
from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.theory.equality.shallow import (
    CanonicalData,
    canonical_data,
    canonical_form,
    minimal_width,
    minimal_width_case,
    valid_orientation_sets,
)


def one_layer(rows, biases, out, b2=None):
    """A (d, n, m) network from hidden rows/biases and output rows."""
    m = len(out)
    return Network.from_lists([(rows, biases), (out, b2 if b2 is not None else [0] * m)])


def reference_data(net: Network) -> CanonicalData:
    """docs/mathematics.md B1 transcribed literally with Fractions (slow path): per neuron a = W1_i / first, t = b1_i /
    first."""
    hid, out = net.layers
    d, m = net.input_dim, net.output_dim
    jumps: dict = {}
    A = [[F(0)] * d for _ in range(m)]
    beta = list(out.biases)
    for i in range(hid.n_out):
        c = [row[i] for row in out.weights]
        w, b = hid.weights[i], hid.biases[i]
        if all(v == 0 for v in c):
            continue
        if all(v == 0 for v in w):
            beta = [s + cj * max(b, 0) for s, cj in zip(beta, c)]
            continue
        first = next(v for v in w if v)
        lam, o = abs(first), (1 if first > 0 else -1)
        a = tuple(v / first for v in w)
        t = b / first
        C = jumps.setdefault((a, t), [F(0)] * m)
        for r in range(m):
            C[r] += lam * c[r]
        if o < 0:
            for r in range(m):
                for q in range(d):
                    A[r][q] -= lam * c[r] * a[q]
                beta[r] -= lam * c[r] * t
    hyps = tuple(sorted((a, t, tuple(C)) for (a, t), C in jumps.items() if any(C)))
    return CanonicalData(hyps, tuple(map(tuple, A)), tuple(beta), d, m)


shallow_archs = st.sampled_from([(1, 3, 1), (2, 3, 1), (2, 4, 2), (3, 5, 1), (1, 6, 2)])
pts = st.lists(st.fractions(min_value=-6, max_value=6, max_denominator=5), min_size=3, max_size=3)


@given(shallow_archs, st.integers(0, 10**6), st.booleans(), pts)
def test_fast_canonical_data_equals_literal_reference_and_evaluates_f(arch, seed, zeros, xs) -> None:
    net = random_network(arch, seed=seed, max_num=2, max_den=2, nonzero=not zeros)
    data = canonical_data(net)
    assert data == reference_data(net)
    x = xs[: arch[0]]
    assert data(x) == net(x)


def test_b4_minimal_width_table() -> None:
    relu = one_layer([[1]], [0], [[1]])
    absx = examples.absolute_value()
    relu_plus_x = examples.relu_plus_identity()
    ident = one_layer([[1], [-1]], [0, 0], [[1, -1]])  # x = relu(x) - relu(-x)
    steps = examples.relu_minus_shifted_relu()
    relu_x1_plus_x2 = one_layer([[1, 0], [0, 1], [0, -1]], [0, 0, 0], [[1, 1, -1]])
    assert [minimal_width(n) for n in (relu, absx, relu_plus_x, ident, steps, relu_x1_plus_x2)] == [1, 2, 2, 2, 2, 3]
    assert [minimal_width_case(n)[1]["case"] for n in (relu, absx, relu_plus_x, ident, steps, relu_x1_plus_x2)] == [
        "k", "k+1", "k+1", "k+2", "k", "k+2"]


def test_closed_forms_of_named_examples() -> None:
    absx = canonical_data(examples.absolute_value())
    assert absx.hyperplanes == (((F(1),), F(0), (F(2),)),) and absx.linear == ((F(-1),),)
    ident = canonical_data(one_layer([[1], [-1]], [0, 0], [[1, -1]]))
    assert ident.hyperplanes == () and ident.linear == ((F(1),),) and ident.constant == (F(0),)
    rps = canonical_data(examples.relu_plus_identity())
    assert rps.hyperplanes == (((F(1),), F(0), (F(1),)),) and rps.linear == ((F(1),),)
    # relu(x) - relu(x-1): A_R = 0, C = (1, -1): S = {} and S = {both} (docs/mathematics.md B3 oracle)
    steps = canonical_data(examples.relu_minus_shifted_relu())
    assert [(h[1], h[2]) for h in steps.hyperplanes] == [(F(-1), (F(-1),)), (F(0), (F(1),))]
    assert valid_orientation_sets(steps) == [frozenset(), frozenset({0, 1})]


def test_three_kinks_orientation_sets_match_math_b3() -> None:
    data = canonical_data(examples.three_kinks())
    kinks = [-h[1] for h in data.hyperplanes]  # a = 1, t = -kink
    assert sorted(kinks) == [0, 1, 2] and data.linear == ((F(-1),),)
    jumps = {-h[1]: h[2][0] for h in data.hyperplanes}
    assert jumps == {0: 1, 1: -1, 2: 1}
    found = {frozenset(kinks[j] for j in S) for S in valid_orientation_sets(data)}
    assert found == {frozenset({0}), frozenset({2}), frozenset({0, 1, 2})}  # 3 sets -> 18 = 3*3! components


@given(shallow_archs, st.integers(0, 10**6))
def test_meet_in_the_middle_equals_brute_force_orientation_search(arch, seed) -> None:
    # force solutions to exist sometimes: A_R = -(sum over a random subset) by construction
    net = random_network(arch, seed=seed, max_num=2, max_den=1)
    data = canonical_data(net)
    rng = random.Random(seed)
    k = data.num_hyperplanes
    chosen = [j for j in range(k) if rng.random() < 0.5]
    A = [[-sum((data.hyperplanes[j][2][r] * data.hyperplanes[j][0][q] for j in chosen), F(0))
          for q in range(data.input_dim)] for r in range(data.output_dim)]
    for cand in (data, CanonicalData(data.hyperplanes, tuple(map(tuple, A)), data.constant, data.input_dim,
                                     data.output_dim)):
        brute = []
        for size in range(k + 1):
            for S in itertools.combinations(range(k), size):
                M = [[cand.linear[r][q] + sum((cand.hyperplanes[j][2][r] * cand.hyperplanes[j][0][q] for j in S),
                                               F(0)) for q in range(cand.input_dim)] for r in range(cand.output_dim)]
                if all(v == 0 for row in M for v in row):
                    brute.append(frozenset(S))
        assert valid_orientation_sets(cand) == brute
    assert frozenset(chosen) in valid_orientation_sets(CanonicalData(
        data.hyperplanes, tuple(map(tuple, A)), data.constant, data.input_dim, data.output_dim))


def _split_neurons(net: Network, rng: random.Random) -> Network:
    """Replace every neuron by two scaled copies whose outgoing weights add up (equal function, wider)."""
    hid, out = net.layers
    rows, biases, cols = [], [], []
    for i in range(hid.n_out):
        lam1, lam2 = F(rng.randint(1, 5), rng.randint(1, 3)), F(rng.randint(1, 5), rng.randint(1, 3))
        c = [row[i] for row in out.weights]
        part = F(rng.randint(-3, 3), 2)
        rows += [[lam1 * v for v in hid.weights[i]], [lam2 * v for v in hid.weights[i]]]
        biases += [lam1 * hid.biases[i], lam2 * hid.biases[i]]
        cols += [[part * v / lam1 for v in c], [(1 - part) * v / lam2 for v in c]]
    W2 = [[col[r] for col in cols] for r in range(net.output_dim)]
    return Network.from_lists([(rows, biases), (W2, list(out.biases))])


def _with_noise_neurons(net: Network) -> Network:
    """Add an invisible neuron, a dead constant neuron, a live constant neuron (its relu(2) taken off the output
    bias) and a canceling pair on z = u.x + 1/3: the result is net + z."""
    hid, out = net.layers
    d = net.input_dim
    u = [F(q + 2, 3) for q in range(d)]
    rows = [list(r) for r in hid.weights] + [u, [0] * d, [0] * d, u, [-v for v in u]]
    biases = list(hid.biases) + [5, -3, 2, F(1, 3), F(-1, 3)]
    W2 = [list(row) + [0, 7, 1, 1, -1] for row in out.weights]  # the pair adds relu(z) - relu(-z) = z
    b2 = [b - 2 for b in out.biases]
    return Network.from_lists([(rows, biases), (W2, b2)]), u


@given(shallow_archs, st.integers(0, 10**6), st.integers(0, 10**6))
def test_equal_functions_have_equal_data(arch, seed, seed2) -> None:
    net = random_network(arch, seed=seed)
    rng = random.Random(seed2)
    n = arch[1]
    perm = list(range(n))
    rng.shuffle(perm)
    other = permute(rescale(net, 1, [F(rng.randint(1, 9), rng.randint(1, 9)) for _ in range(n)]), 1, perm)
    assert canonical_data(other) == canonical_data(net)
    assert canonical_data(_split_neurons(net, rng)) == canonical_data(net)
    noisy, u = _with_noise_neurons(net)
    data, ndata = canonical_data(net), canonical_data(noisy)
    # noisy = net + (u.x + 1/3) (canceling pair) : same hyperplanes and jumps, linear part + u, constant + 1/3
    assert ndata.hyperplanes == data.hyperplanes
    assert ndata.linear == tuple(tuple(v + uq for v, uq in zip(row, u)) for row in data.linear)
    assert ndata.constant == tuple(c + F(1, 3) for c in data.constant)


@given(shallow_archs, st.integers(0, 10**6), st.sampled_from(["weight", "bias", "out"]))
def test_tiny_perturbation_changes_data(arch, seed, where) -> None:
    net = random_network(arch, seed=seed)
    hid, out = net.layers
    eps = F(1, 10**12)
    if where == "weight":
        W = [list(r) for r in hid.weights]
        W[0][0] += eps
        other = Network.from_lists([(W, hid.biases), (out.weights, out.biases)])
    elif where == "bias":
        other = Network.from_lists([(hid.weights, [hid.biases[0] + eps, *hid.biases[1:]]), (out.weights, out.biases)])
    else:
        W2 = [list(r) for r in out.weights]
        W2[0][0] += eps
        other = Network.from_lists([(hid.weights, hid.biases), (W2, out.biases)])
    assert canonical_data(other) != canonical_data(net)


@given(shallow_archs, st.integers(0, 10**6), st.booleans(), pts)
def test_canonical_form_is_minimal_equivalent_and_invariant(arch, seed, zeros, xs) -> None:
    net = random_network(arch, seed=seed, max_num=2, max_den=2, nonzero=not zeros)
    try:
        width = minimal_width(net)
    except NotApplicableError:
        assert net.output_dim > 1
        return
    cf = canonical_form(net)
    assert canonical_data(cf) == canonical_data(net)
    assert cf.architecture[1] == max(width, 1)
    assert canonical_form(cf) == cf
    rng = random.Random(seed)
    perm = list(range(arch[1]))
    rng.shuffle(perm)
    assert canonical_form(permute(net, 1, perm)) == cf
    x = xs[: arch[0]]
    assert cf(x) == net(x)


def test_canonical_form_of_b4_examples_has_minimal_width() -> None:
    for net, width in [(examples.absolute_value(), 2), (examples.relu_plus_identity(), 2),
                       (one_layer([[1], [-1]], [0, 0], [[1, -1]]), 2),
                       (one_layer([[1, 0], [0, 1], [0, -1]], [0, 0, 0], [[1, 1, -1]]), 3),
                       (examples.three_kinks(), 3)]:
        cf = canonical_form(net)
        assert cf.architecture[1] == width
        assert canonical_data(cf) == canonical_data(net)


def test_vector_output_k_plus_one_and_unsupported_k_plus_two() -> None:
    # |x| on both outputs: k = 1, C = (2, 2), A_R = (-1, -1)^T: rows are multiples of a = 1 -> k+1 = 2
    net = one_layer([[1], [-1]], [0, 0], [[1, 1], [1, 1]])
    assert minimal_width(net) == 2 and canonical_data(canonical_form(net)) == canonical_data(net)
    # relu(x1) on output 1 and x2 on output 2 with x1 linear on output 1: needs a rank-2 linear part, not handled
    hard = one_layer([[1, 0], [0, 1], [0, -1], [-1, 0]], [0, 0, 0, 0], [[1, 0, 0, -1], [0, 1, -1, 0]])
    with pytest.raises(NotApplicableError):
        minimal_width(hard)


def test_zero_subset_sum_hard_case_meet_in_the_middle() -> None:
    """docs/mathematics.md §7 row 14: for d = m = 1 the orientation search is zero-subset-sum on the jumps."""
    numbers = [F(v) for v in (3, 34, 4, 12, 5, 2, 27, 9, 41, 7, 16, 23)]
    target = 3 + 4 + 12 + 2  # a subset summing to 21
    rows = [[1]] * len(numbers)
    net = one_layer(rows, [-j for j in range(len(numbers))], [numbers], [0])
    # add the linear part -21 x through a canceling pair: relu(x+100) - relu(-x-100) = x + 100
    hid, out = net.layers
    net = Network.from_lists([(list(map(list, hid.weights)) + [[1], [-1]], list(hid.biases) + [100, -100]),
                              ([list(out.weights[0]) + [-target, target]], [0])])
    data = canonical_data(net)
    assert data.linear == ((F(-target),),)
    sets = valid_orientation_sets(data)
    jumps = [h[2][0] for h in data.hyperplanes]
    brute = [S for size in range(len(jumps) + 1) for S in itertools.combinations(range(len(jumps)), size)
             if sum(jumps[j] for j in S) == target]
    assert sorted(sorted(S) for S in sets) == sorted(list(S) for S in brute) and len(brute) > 1
    assert minimal_width(net) == len(numbers)


def test_too_many_hyperplanes_and_deep_networks_are_refused() -> None:
    n = 50
    net = one_layer([[1]] * n, list(range(n)), [[1] * n], [0])
    with pytest.raises(RegionLimitError):
        valid_orientation_sets(net)
    with pytest.raises(NotApplicableError):
        canonical_data(examples.relu_of_sum())


def test_depth_zero_and_zero_function() -> None:
    affine = Network.from_lists([([[2, 3]], [1])])
    assert canonical_data(affine).linear == ((F(2), F(3)),) and minimal_width(affine) == 2
    zero = one_layer([[1]], [0], [[0]])
    assert minimal_width(zero) == 0
    cf = canonical_form(zero)
    assert cf([F(5)]) == (F(0),) and canonical_data(cf) == canonical_data(zero)
    data = canonical_data(random_network((2, 3, 2), seed=1))
    assert CanonicalData(**{k: getattr(data, k) for k in ("hyperplanes", "linear", "constant", "input_dim",
                                                          "output_dim")}) == data
    assert data.to_dict()["hyperplanes"][0]["a"][0] == "1"
