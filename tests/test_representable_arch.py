"""Representability by a given architecture (docs/mathematics.md F1-F4).

Oracles: the B4 table (closed values); an independent 1-d brute force (kinks, jumps and slopes read off exact
evaluations, every subset of jumps tried) for the minimal width of random (1, n, 1) networks; the per-coordinate B4
width as a lower bound for vector outputs; hand-derived width-1 chain functions (hinge, clamp) and every (1,1,1,1)
network of a small integer grid; the region bound against enumerated regions.
"""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction

import pytest

from exactrelu import Network, equivalent, examples, random_network, regions
from exactrelu.core.errors import ShapeError
from exactrelu.theory.equality.architectures import region_bound, representable_by
from exactrelu.theory.equality.shallow import canonical_data, minimal_width
from exactrelu.theory.equality.shallow_width import minimal_width_any, network_of_width, width_one_chain

one = Network.from_lists
B4_TABLE = [  # (f, minimal width) of docs/mathematics.md B4
    (one([([[1]], [0]), ([[1]], [0])]), 1),                                        # relu(x)
    (examples.absolute_value(), 2),                                                # |x|
    (examples.relu_plus_identity(), 2),                                            # relu(x) + x
    (one([([[1], [-1]], [0, 0]), ([[1, -1]], [0])]), 2),                           # x
    (examples.relu_minus_shifted_relu(), 2),                                       # relu(x) - relu(x - 1)
    (one([([[1, 0], [0, 1], [0, -1]], [0, 0, 0]), ([[1, 1, -1]], [0])]), 3),       # relu(x1) + x2
]


@pytest.mark.parametrize("i", range(len(B4_TABLE)))
def test_b4_table(i):
    f, w = B4_TABLE[i]
    d = f.input_dim
    if w > 1:
        no = representable_by(f, (d, w - 1, 1))
        assert no.answer is False and no.obstruction["minimal_width"] == w
    yes = representable_by(f, (d, w, 1))
    assert yes.answer is True and yes.witness.architecture == (d, w, 1)
    assert equivalent(f, yes.witness)  # re-checked here, independently of the stored equivalence
    assert representable_by(f, (d, w + 2, 1)).answer is True


def _independent_width_1d(net: Network) -> int:
    """Minimal width of a (1, n, 1) function from exact evaluations only (no canonical data)."""
    (W1, b1), (W2, b2) = [(lay.weights, lay.biases) for lay in net.layers]
    f = lambda x: net([x])[0]  # noqa: E731
    cands = sorted({-b / w[0] for w, b in zip(W1, b1) if w[0]})
    eps = Fraction(1, 10 ** 6) if not cands else min([Fraction(1)] + [b - a for a, b in zip(cands, cands[1:])]) / 4
    slope = lambda x: (f(x + eps / 8) - f(x)) / (eps / 8)  # noqa: E731  (exact: f affine on [x, x + eps/8])
    pts = [cands[0] - 1] + [t + eps for t in cands] if cands else [Fraction(0)]
    slopes = [slope(p) for p in pts]
    jumps = [b - a for a, b in zip(slopes, slopes[1:]) if b != a]
    left = slopes[0]
    k = len(jumps)
    if any(sum(S) == -left for r in range(k + 1) for S in itertools.combinations(jumps, r)):
        return max(k, 1)
    return k + 1 if k else 2


@pytest.mark.parametrize("n", [2, 3, 4])
def test_minimal_width_against_1d_brute_force(n):
    for seed in range(12):
        net = random_network((1, n, 1), seed=seed, max_num=2, max_den=1, nonzero=False)
        w = _independent_width_1d(net)
        assert representable_by(net, (1, w, 1)).answer is True, seed
        if w > 1:
            r = representable_by(net, (1, w - 1, 1))
            assert r.answer is False, (seed, r)
        assert w <= max(n, 1)


@pytest.mark.parametrize("seed", range(8))
def test_vector_output_width(seed):
    net = random_network((2, 3, 2), seed=seed, max_num=1, max_den=1, nonzero=False)
    data = canonical_data(net)
    w, _how = minimal_width_any(data)
    assert w <= 3  # the network itself has width 3 (all its neurons kept or dropped)
    lower = max(minimal_width(Network((net.layers[0], type(net.layers[1])((net.layers[1].weights[r],),
                                                                          (net.layers[1].biases[r],)))))
                for r in range(2))
    assert w >= lower
    cand = network_of_width(data)
    assert cand.num_hidden == max(w, 1) and equivalent(net, cand)


def test_vector_identity_needs_two_pairs():
    ident = one([([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0]), ([[1, -1, 0, 0], [0, 0, 1, -1]], [0, 0])])
    assert representable_by(ident, (2, 3, 2)).answer is False
    assert representable_by(ident, (2, 4, 2)).answer is True
    # one doubled hyperplane carries the linear part of (relu(x), x): 2 neurons
    f = one([([[1], [-1]], [0, 0]), ([[1, 0], [1, -1]], [0, 0])])
    assert minimal_width_any(canonical_data(f))[0] == 2 and representable_by(f, (1, 1, 2)).answer is False


@pytest.mark.parametrize("L", [2, 3])
def test_width_one_chains_hand_examples(L):
    arch = (1,) + (1,) * L + (1,)
    hinge = one([([[2]], [1]), ([[-3]], [5])])                        # 5 - 3 relu(2x + 1)
    clamp = examples.relu_minus_shifted_relu()                         # 0, ramp, 1
    reversed_hinge = one([([[-1]], [2]), ([[1]], [0])])                # relu(2 - x)
    for f in (hinge, clamp, reversed_hinge, one([([[0]], [0]), ([[0]], [7])])):
        r = representable_by(f, arch)
        assert r.answer is True and r.witness.architecture == arch and equivalent(f, r.witness)
    for f in (examples.absolute_value(), examples.relu_plus_identity(), examples.three_kinks(),
              one([([[1], [-1]], [0, 0]), ([[1, -1]], [0])])):
        r = representable_by(f, arch)
        assert r.answer is False and r.criterion == "F3"
    # in R^2: a clamp of x1 + x2 yes, two non-parallel kinks no
    clamp2 = one([([[1, 1], [1, 1]], [0, -1]), ([[2, -2]], [3])])
    assert representable_by(clamp2, (2, 1, 1, 1)).answer is True
    cross = one([([[1, 0], [0, 1]], [0, 0]), ([[1, -1]], [0])])
    assert representable_by(cross, (2, 1, 1, 1)).answer is False


def test_small_1111_networks_are_chain_functions():
    """(1,1,1,1) networks drawn from the grid {-1, 0, 1, 2}^6 pass the F3 test (the whole grid: make proofs)."""
    from exactrelu.theory.equality.representable import is_shallow_representable

    rng = random.Random(0)
    grid = list(itertools.product((-1, 0, 1, 2), repeat=6))
    for w1, b1, w2, b2, w3, b3 in rng.sample(grid, 60):
        net = one([([[w1]], [b1]), ([[w2]], [b2]), ([[w3]], [b3])])
        shallow = is_shallow_representable(net)
        assert shallow
        ok, why, _ = width_one_chain(canonical_data(shallow.network))
        assert ok, (net.to_lists(), why)


def test_deeper_targets_embedding_and_obstructions():
    f = random_network((2, 3, 1), seed=4)
    r = representable_by(f, (2, 3, 2, 1))  # 3 >= 2m: the output is carried as relu(y), relu(-y)
    assert r.answer is True and r.witness.architecture == (2, 3, 2, 1) and r.criterion == "embedding"
    assert equivalent(f, r.witness)
    deep = random_network((2, 2, 2, 1), seed=0)
    assert representable_by(deep, (2, 3, 3, 1)).answer is True
    # rank obstruction: (x1, x2) -> (relu(x1), relu(x2)) through a width-1 layer
    g = one([([[1, 0], [0, 1]], [0, 0]), ([[1, 0], [0, 1]], [0, 0])])
    r = representable_by(g, (2, 4, 1, 2))
    assert r.answer is False and r.obstruction["kind"] == "rank"
    # region-count obstruction: 16 affine pieces, (2, 2, 1, 1) has at most 4 * 2 = 8 regions
    h = random_network((2, 5, 1), seed=1)
    r = representable_by(h, (2, 2, 1, 1))
    assert r.answer is False and r.obstruction["kind"] == "region count"
    assert r.obstruction["affine_pieces"] == len(regions(h).regions) == 16 and r.obstruction["region_bound"] == 8
    # a width-1 first layer: the kinks of f would all be parallel (F3)
    r = representable_by(random_network((2, 3, 1), seed=1), (2, 1, 2, 1))
    assert r.answer is False and r.criterion == "F3"
    # the relu_of_sum function is computed by (2, 2, 1, 1) itself; not by a shallow net
    assert representable_by(examples.relu_of_sum(), (2, 2, 1, 1)).answer is True
    assert representable_by(examples.relu_of_sum(), (2, 9, 1)).answer is False
    assert representable_by(examples.relu_of_sum(), (2, 1)).answer is False


def test_undecided_is_said():
    r = representable_by(random_network((2, 2, 2, 1), seed=0), (2, 3, 1, 1))   # deep f, narrower deep target
    assert r.answer is None and not r
    assert str(r).startswith("undecided: no criterion") and len(r.checked) == 4
    assert r.to_dict()["answer"] is None and r.witness is None and r.obstruction is None


@pytest.mark.parametrize("arch", [(2, 3, 1), (1, 3, 2, 1), (2, 2, 2, 1), (2, 3, 1, 1)])
def test_region_bound_holds(arch):
    for seed in range(3):
        assert len(regions(random_network(arch, seed=seed)).regions) <= region_bound(arch)


def test_shape_errors():
    with pytest.raises(ShapeError):
        representable_by(examples.absolute_value(), (2, 2, 1))
    with pytest.raises(ShapeError):
        representable_by(examples.absolute_value(), (1, 0, 1))


def test_cli(tmp_path):
    from typer.testing import CliRunner

    from exactrelu import load, save
    from exactrelu.cli import app

    def run(*args):
        r = CliRunner().invoke(app, [str(a) for a in args])
        return r.exit_code, r.stdout, r.stderr

    p = tmp_path / "abs.json"
    save(examples.absolute_value(), p)
    code, out, _ = run("representable", p, "--arch", "1,1,1")
    assert code == 1 and out.startswith("no:")
    w = tmp_path / "w.json"
    code, out, _ = run("representable", p, "--arch", "1,2,1", "--json", "-o", w)
    assert code == 0 and json.loads(out)["answer"] is True and equivalent(load(w), examples.absolute_value())
    code, _, err = run("representable", p, "--arch", "2,2,1")
    assert code == 2 and len(err.strip().splitlines()) == 1
    q = tmp_path / "deep.json"
    save(random_network((2, 2, 2, 1), seed=0), q)
    code, out, _ = run("representable", q, "--arch", "2,1,3,1", "--json")
    assert code == {True: 0, False: 1, None: 4}[json.loads(out)["answer"]]
    code, out, _ = run("generic-set", "1,2,1", "--json")
    assert code == 0 and len(json.loads(out)["conditions"]) == 6
    code, _, err = run("generic-set", "1,40,1")
    assert code == 2 and "generator polynomials" in err
    code, out, _ = run("generic-set", "1,40,1", "--counts")
    assert code == 0 and "iii: 1099511627735" in out


def test_width_one_prefix_examples():
    tent = one([([[1], [1], [1]], [0, -1, -2]), ([[1, -2, 1]], [0])])          # 0, up, down, 0
    bump = one([([[1], [1], [1], [1]], [0, -1, -2, -3]), ([[1, -1, -1, 1]], [0])])  # 0, up, flat, down, 0
    expected = {(tent, (1, 1, 2, 1)): True, (tent, (1, 1, 1, 2, 1)): True, (tent, (1, 1, 1, 1)): False,
                (bump, (1, 1, 2, 1)): False, (bump, (1, 1, 3, 1)): True,      # a hinge cut: 3 kinks left
                (bump, (1, 1, 1, 2, 1)): True,                                 # a clamp cut: 2 neurons
                (examples.three_kinks(), (1, 1, 2, 1)): True,                 # constant on the right, 1 - 1 = 0
                (examples.absolute_value(), (1, 1, 9, 1)): False,             # not constant on either side
                (examples.relu_of_sum(), (2, 1, 9, 1)): False}                # not shallow
    for (f, arch), ans in expected.items():
        r = representable_by(f, arch)
        assert r.answer is ans, (arch, r)
        if ans:
            assert r.witness.architecture == arch and equivalent(f, r.witness)
    r = representable_by(bump, (1, 1, 1, 2, 2, 1))
    assert r.answer is True and r.criterion == "embedding"


def test_width_one_prefix_never_refuses_a_member():
    """Networks of (1,1,2,1) and (1,1,1,2,1) drawn from an integer grid are recognised (a wrong "no" would show)."""
    rng = random.Random(1)
    for arch in ((1, 1, 2, 1), (1, 1, 1, 2, 1)):
        for _ in range(25):
            vals = [rng.choice((-2, -1, 0, 1, 2)) for _ in range(sum(b * (a + 1) for a, b in zip(arch, arch[1:])))]
            net = Network.from_parameters(arch, vals)
            r = representable_by(net, arch)
            assert r.answer is True, (net.to_lists(), r)


@pytest.mark.parametrize("seed", range(24))
def test_width_one_prefix_agrees_with_the_chain_criterion(seed):
    """n = 1 after the width-1 prefix is a chain: the prefix formula and the chain criterion (F3) must agree."""
    from exactrelu.theory.equality.shallow_width import width_one_first_layer

    rng = random.Random(seed)
    k = rng.randint(1, 3) if seed % 3 else 2
    ts = sorted(rng.sample(range(-3, 4), k))
    jumps = [rng.choice((-2, -1, 1, 2)) for _ in ts]
    lin = rng.choice((0, 0, -jumps[0], -sum(jumps)))
    rows = [[1]] * k + [[1], [-1]]
    f = one([(rows, [-t for t in ts] + [0, 0]), ([jumps + [lin, -lin]], [0])])
    data = canonical_data(f)
    chain = width_one_chain(data)[0]
    for prefix in (1, 2):  # (d, 1^prefix, 1, m) is the chain with prefix + 1 >= 2 width-1 layers
        need = width_one_first_layer(data, prefix)[0]
        assert (need is not None and need <= 1) == chain, (prefix, ts, jumps, lin)


def test_wide_scalar_network_uses_b4_beyond_the_vector_search():
    net = random_network((1, 16, 1), seed=3)
    w = minimal_width(net)
    assert w > 11  # above MAX_WIDTH_SEARCH of the vector search
    r = representable_by(net, (1, w, 1))
    assert r.answer is True and equivalent(net, r.witness)
    assert representable_by(net, (1, w - 1, 1)).answer is False
