"""Fiber tangent spaces, hidden-symmetry mechanisms and the shallow global answer (docs/mathematics.md §1, E3-E4, B3,
§6)."""

from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu import Network, examples, random_network
from exactrelu.engines.flintlib import rank_reference
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.dimension.identifiability import fiber_tangent_space, identifiability, zero_subset_sum
from exactrelu.theory.dimension.jacobian import batch_jacobian, scaling_generators
from exactrelu.theory.dimension.mechanisms import flip
from exactrelu.theory.equality.shallow import canonical_data


def _dot(u, v) -> F:
    return sum((a * b for a, b in zip(u, v)), F(0))


@given(st.sampled_from([(1, 2, 1), (2, 2, 1), (2, 2, 2, 1), (1, 1, 1, 1), (2, 1, 2, 1)]), st.integers(0, 10**5))
@settings(max_examples=15)
def test_tangent_space_is_the_exact_kernel(arch, seed) -> None:
    net = random_network(arch, seed=seed)
    T = fiber_tangent_space(net)
    fd = functional_dimension(net)
    rows = batch_jacobian(net, fd.points)
    assert T.dimension == net.num_parameters - fd.rank == len(T.basis)
    assert rank_reference(list(T.basis)) == T.dimension
    assert all(_dot(r, v) == 0 for r in rows for v in T.basis)
    assert len(T.scaling) == net.num_hidden and T.local


def test_invisible_translation_tangent_contains_the_T1_generator() -> None:
    """docs/mathematics.md D3: the generator e_{b1_1} - Σ_{W2_1i > 0} W2_1i e_{b2_i} is a hidden direction (§7 row
    4)."""
    net = examples.invisible_translation()
    T = fiber_tangent_space(net)
    assert (T.dimension, len(T.scaling), len(T.hidden)) == (4, 3, 1)
    names = net.parameter_names()
    gen = tuple(F(1) if n == "b1_1" else F(-1) if n == "b2_1" else F(0) for n in names)
    assert rank_reference(list(T.basis) + [gen]) == 4      # in the span
    assert rank_reference(list(T.scaling) + [gen]) == 4    # and not a scaling


def test_generic_shallow_is_identifiable() -> None:
    for seed in range(4):
        net = random_network((2, 3, 1), seed=seed)
        r = identifiability(net)
        prods = [[net.layers[1].weights[0][i] * w for w in net.layers[0].weights[i]] for i in range(3)]
        if zero_subset_sum(prods) is None:
            assert r.globally_identifiable is True and r.locally_identifiable
            assert r.fiber_dimension == 3 and r.mechanisms == ()


def test_orientation_flip_of_relu_minus_shifted_relu() -> None:
    """docs/mathematics.md B3, §7 row 7: S = {1, 2} flips; the flipped network is the explicit second point of
    docs/mathematics.md."""
    r = identifiability(examples.relu_minus_shifted_relu())
    assert r.globally_identifiable is False and r.locally_identifiable
    (m,) = r.mechanisms
    assert m.kind == "orientation flip" and m.neurons == ((1, 1), (1, 2))
    assert m.evidence["same_function"] is True and m.evidence["trivially_related"] is False
    eta = flip(examples.relu_minus_shifted_relu(), {0, 1})
    assert eta == Network.from_lists([([[-1], [-1]], [0, 1]), ([[1, -1]], [1])])


def test_three_kinks_flip_and_zero_subset_sum_oracle() -> None:
    r = identifiability(examples.three_kinks())
    assert r.shallow_conditions["iii_witness"] == [2, 3] and r.globally_identifiable is False
    assert zero_subset_sum([[3], [5], [-8], [1]]) == frozenset({0, 1, 2})
    assert zero_subset_sum([[1], [2], [4], [8]]) is None
    assert zero_subset_sum([[0], [7]]) == frozenset({0})
    # brute force agrees on small random instances (docs/mathematics.md §7 row 14)
    import itertools
    import random

    rng = random.Random(0)
    for _ in range(30):
        vals = [[F(rng.randint(-6, 6))] for _ in range(rng.randint(1, 7))]
        brute = any(sum(vals[i][0] for i in S) == 0 for k in range(1, len(vals) + 1)
                    for S in itertools.combinations(range(len(vals)), k))
        found = zero_subset_sum(vals)
        assert (found is not None) == brute
        if found is not None:
            assert found and sum(vals[i][0] for i in found) == 0


def test_flip_preserves_the_function_on_random_flippable_nets() -> None:
    # build (1,3,1) nets with W2_1 W1_1 + W2_2 W1_2 = 0
    for s in range(5):
        net = random_network((1, 3, 1), seed=s)
        W1 = [list(r) for r in net.layers[0].weights]
        W2 = [list(net.layers[1].weights[0])]
        W2[0][1] = -W2[0][0] * W1[0][0] / W1[1][0]
        net = Network.from_lists([(W1, net.layers[0].biases), (W2, net.layers[1].biases)])
        eta = flip(net, {0, 1})
        assert canonical_data(eta) == canonical_data(net)
        r = identifiability(net)
        assert r.globally_identifiable is False
        assert any(m.kind == "orientation flip" for m in r.mechanisms)


def test_mechanisms_on_named_examples() -> None:
    kinds = {name: sorted({m.kind for m in identifiability(net).mechanisms})
             for name, net in examples.catalogue().items()}
    assert kinds["invisible_translation"] == ["invisible hyperplane"]
    assert kinds["chain_shifted"] == ["invisible hyperplane"]
    assert kinds["dead_second_layer"] == ["dead neuron", "invisible hyperplane"]
    assert kinds["linear_block"] == ["always-active neuron"]
    assert kinds["chain_lifted"] == ["always-active neuron"]
    assert kinds["visible_bottleneck"] == [] and kinds["relu_of_sum"] == []
    assert kinds["absolute_value"] == ["non-transversality"]


def test_dead_second_layer_report() -> None:
    r = identifiability(examples.dead_second_layer())
    assert (r.functional_dimension, r.kernel_dimension, r.fiber_dimension, r.hidden_neurons) == (1, 10, None, 3)
    assert r.globally_identifiable is False and not r.locally_identifiable
    dead = [m for m in r.mechanisms if m.kind == "dead neuron"]
    assert dead[0].neurons == ((2, 1),) and dead[0].evidence["max_preactivation"] == "-1"


def test_canceling_pair_and_zero_weights() -> None:
    # relu(x - 1) - relu(x - 1) + relu(x): the first two cancel on the hyperplane x = 1
    net = Network.from_lists([([[1], [2], [1]], [-1, -2, 0]), ([[2, -1, 1]], [0])])
    r = identifiability(net)
    assert r.globally_identifiable is False
    assert [m.neurons for m in r.mechanisms if m.kind == "canceling pair"] == [((1, 1), (1, 2))]
    net0 = Network.from_lists([([[1], [1]], [0, -1]), ([[1, 0]], [0])])
    r0 = identifiability(net0)
    assert r0.globally_identifiable is False and r0.shallow_conditions["i_violations"] == [2]
    assert [m.neurons for m in r0.mechanisms if m.kind == "zero weights"] == [((1, 2),)]


def test_scaling_directions_are_the_generators() -> None:
    net = examples.visible_bottleneck()
    T = fiber_tangent_space(net)
    assert T.scaling == scaling_generators(net) and T.hidden == ()
    d = identifiability(net).to_dict()
    assert d["locally_identifiable"] is True and d["tangent"]["dimension"] == 3


def test_cli_identify(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from exactrelu import save
    from exactrelu.cli import app

    save(examples.relu_minus_shifted_relu(), tmp_path / "n.json")
    res = CliRunner().invoke(app, ["identify", str(tmp_path / "n.json"), "--json"])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["globally_identifiable"] is False and doc["fiber_dimension"] == 2 and doc["witness"] is not None
    assert [m["kind"] for m in doc["mechanisms"]] == ["orientation flip"]
    res = CliRunner().invoke(app, ["identify", str(tmp_path / "n.json")])
    assert res.exit_code == 0 and "orientation flip" in res.stdout
    (tmp_path / "bad.json").write_text("{")
    res = CliRunner().invoke(app, ["identify", str(tmp_path / "bad.json")])
    assert res.exit_code == 2 and res.stderr.startswith("exactrelu: error:")


def test_large_network_tangent_space_is_the_scaling_space() -> None:
    net = random_network((130, 12, 10), seed=1)
    T = fiber_tangent_space(net)
    assert T.dimension == 12 and len(T.scaling) == 12 and T.hidden == ()
    assert T.rank == net.num_parameters - 12


# ---------------------------------------------------------------------- only what is proved (regressions)
def test_relu_plus_identity_agrees_with_the_exact_fiber() -> None:
    """Regression: relu(x) + x = 2 relu(x) - relu(-x) in (1,2,1).  The old report said "not locally identifiable,
    fiber dimension 3" from the Jacobian kernel.  The exact fiber (docs/mathematics.md §7 row 9, computed by the fibers
    module)
    has 2 components of dimension 2: the trivial orbit (2 scalings, 2 permutations)."""
    from exactrelu.theory.fibers.fiber import fiber

    net = examples.relu_plus_identity()
    r = identifiability(net)
    F_ = fiber(net)
    assert (len(F_.components), F_.dimension) == (2, 2)
    assert r.kernel_dimension == 3                              # first order only
    assert (r.locally_identifiable, r.globally_identifiable, r.fiber_dimension) == (True, True, F_.dimension)
    assert r.witness is None
    assert identifiability(examples.absolute_value()).globally_identifiable is True


def _brute_equal(a, b, d) -> bool:
    """f_a = f_b on a grid of rational points (a necessary condition, independent of `equivalent`)."""
    import itertools

    pts = itertools.product([F(k, 3) for k in range(-12, 13)], repeat=d)
    return all(a(p) == b(p) for p in pts)


@st.composite
def small_nets(draw):
    arch = draw(st.sampled_from([(1, 2, 1), (1, 3, 1), (2, 2, 1), (1, 2, 1, 1), (1, 1, 2, 1), (2, 2, 1, 1)]))
    vals = st.sampled_from([-2, -1, 0, 1, 2, F(1, 2)])
    return Network.from_lists([([[draw(vals) for _ in range(arch[l - 1])] for _ in range(arch[l])],
                                [draw(vals) for _ in range(arch[l])]) for l in range(1, len(arch))])


@given(small_nets())
@settings(max_examples=40, deadline=None)
def test_false_always_comes_with_a_checked_witness(net) -> None:
    """A "no" is proved: a second parameter with the same function (exact `equivalent`, and a grid of points) that
    no permutation/rescaling maps θ to.  A rank deficit alone never gives False (docs/mathematics.md E4)."""
    from exactrelu import equivalent, related_by_trivial_symmetry

    r = identifiability(net)
    if r.globally_identifiable is False:
        assert r.witness is not None and r.witness.architecture == net.architecture
        assert bool(equivalent(net, r.witness)) and _brute_equal(net, r.witness, net.input_dim)
        assert related_by_trivial_symmetry(net, r.witness) is None
    else:
        assert r.witness is None
    if r.globally_identifiable is True:
        assert r.locally_identifiable is True
    if r.locally_identifiable is True:
        assert r.fiber_dimension == len(r.tangent.scaling)
    assert r.globally_identifiable is not None or r.reason


def test_deep_rank_deficit_without_witness_is_undecided() -> None:
    """Regression: (1,1,2,1) with a Jacobian rank deficit and no mechanism; the old code answered
    globally_identifiable=False from the rank alone.  Now: None with the reason, or False only with a witness."""
    net = Network.from_lists([([[1]], [0]), ([[-2], [1]], [2, 0]), ([[1, 1]], [0])])
    r = identifiability(net)
    assert r.tangent.rank < r.upper_bound
    assert r.globally_identifiable is None and "no second parameter" in r.reason
    assert r.locally_identifiable is None and r.witness is None


def test_repr_and_str_are_short() -> None:
    r = identifiability(examples.dead_second_layer())
    assert len(repr(r)) < 400 and "witness=True" in repr(r)
    assert "globally identifiable: no" in str(r) and "witness" in str(r)
    T = fiber_tangent_space(examples.invisible_translation())
    assert len(repr(T)) < 200 and "hidden: " in str(T)
    fd = functional_dimension(random_network((2, 4, 4, 1), seed=0))
    assert len(repr(fd)) < 250 and "Fraction" not in repr(fd)
    assert str(fd).startswith("dim_fun = ")
