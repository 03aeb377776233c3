"""Exact functional equivalence (docs/mathematics.md A4, B2, D5, F1): every witness is re-evaluated, every fast path is
cross-checked against the common refinement, every certificate is re-checked."""

import copy
import random
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactrelu import Network, examples, permute, random_network, rescale
from exactrelu.core import symmetry as symmetry
from exactrelu.core.errors import CertificateError, NotApplicableError, ShapeError
from exactrelu.core.io import network_to_dict
from exactrelu.geometry.certificate import check_certificate
from exactrelu.geometry.polyhedra import Box
from exactrelu.theory.equality.equivalence import (
    Equivalence,
    common_refinement_network,
    equivalent,
)
from exactrelu.theory.equality.representable import is_shallow_representable


def check_witness(res: Equivalence, a: Network, b: Network, domain=None) -> None:
    assert not res and res.witness is not None and res.certificate is None
    x = res.witness.x
    assert a(x) == res.witness.a and b(x) == res.witness.b and res.witness.a != res.witness.b
    if domain is not None:
        assert domain.contains(x)


def check_certificate_shape(res: Equivalence, a: Network, b: Network) -> None:
    """Re-verify the certificate's claims that need no LP: interior points satisfy the inequalities strictly, the
    stated patterns are the networks' patterns there, and both networks' maps equal the stated common map."""
    assert res and res.certificate is not None
    cert = res.certificate
    assert cert["format"] == "exactrelu-certificate" and cert["kind"] == "equivalence" and cert["version"] == 1
    assert len(cert["regions"]) == res.regions >= 1
    for reg in cert["regions"]:
        x = tuple(F(v) for v in reg["interior_point"])
        for row in reg["inequalities"]:
            assert F(row[0]) + sum(F(c) * v for c, v in zip(row[1:], x)) > 0
        pa, pb = (tuple(tuple(s) for s in p) for p in reg["patterns"])
        assert a.pattern(x) == pa and b.pattern(x) == pb
        A = tuple(tuple(F(v) for v in r) for r in reg["affine_map"]["A"])
        c = tuple(F(v) for v in reg["affine_map"]["c"])
        assert a.affine_map(pa) == (A, c) == b.affine_map(pb)
    assert check_certificate(cert)["valid"]  # the independent LP checker (developer "geometry")


shallow_archs = st.sampled_from([(1, 3, 1), (2, 3, 1), (2, 4, 2), (1, 5, 1)])


def split_neuron(net: Network, layer: int, i: int, lam1: F, lam2: F, part: F) -> Network:
    return symmetry.split_neuron(net, layer, i, (lam1, lam2), part)


def perturb(net: Network, layer: int, what: str, eps: F = F(1, 10**12)) -> Network:
    L = net.layers[layer]
    if what == "weight":
        W = [list(r) for r in L.weights]
        W[0][0] += eps
        return net.with_layer(layer, W, L.biases)
    return net.with_layer(layer, L.weights, [L.biases[0] + eps, *L.biases[1:]])


@given(shallow_archs, st.integers(0, 10**6), st.sampled_from(["perm", "split", "weight", "bias", "out"]))
def test_canonical_data_fast_path_agrees_with_common_refinement(arch, seed, change) -> None:
    a = random_network(arch, seed=seed, max_num=3, max_den=2)
    rng = random.Random(seed)
    if change == "perm":
        b = rescale(permute(a, 1, list(reversed(range(arch[1])))), 1, [F(rng.randint(1, 7), 3)] * arch[1])
    elif change == "split":
        b = split_neuron(a, 1, 0, F(2), F(1, 3), F(rng.randint(-2, 2), 3))
    elif change == "out":
        b = perturb(a, 1, "weight", F(1, 7))
    else:
        b = perturb(a, 0, change, F(1, 7))
    fast = equivalent(a, b, method="canonical-data")
    slow = equivalent(a, b, method="common-refinement")
    assert bool(fast) == bool(slow) == (change in ("perm", "split"))
    if slow:
        check_certificate_shape(slow, a, b)
    else:
        check_witness(fast, a, b)
        check_witness(slow, a, b)


@pytest.mark.parametrize("seed", range(4))
def test_deep_permutation_rescaling_is_equal_by_normal_form_and_by_certificate(seed) -> None:
    a = random_network((2, 3, 2, 1), seed=seed)
    b = rescale(permute(rescale(permute(a, 1, (2, 0, 1)), 1, (2, F(1, 3), 5)), 2, (1, 0)), 2, (F(7, 2), 1))
    res = equivalent(a, b)
    assert res and res.method == "normal-form" and res.evidence["trivial_symmetry"]["perms"]
    check_certificate_shape(equivalent(a, b, certificate=True), a, b)


@pytest.mark.parametrize("seed", range(4))
def test_neuron_splitting_in_a_deep_network_is_equal_with_other_width(seed) -> None:
    a = random_network((2, 2, 2, 1), seed=seed)
    b = split_neuron(split_neuron(a, 1, 1, F(3), F(1, 2), F(1, 4)), 2, 0, F(1, 5), F(2), F(-1))
    assert b.architecture == (2, 3, 3, 1)
    res = equivalent(a, b)
    assert res.method == "common-refinement"
    check_certificate_shape(res, a, b)


def test_dead_neuron_with_changed_outgoing_weights_is_equal() -> None:
    # layer-2 neuron 2 has nonpositive weights on relu outputs and a negative bias: dead on all of R^2
    base = [([[1, -2], [F(1, 2), 1]], [0, 1]), ([[1, 1], [-1, -3]], [F(-1, 2), -1]), ([[2, 5]], [1])]
    a = Network.from_lists(base)
    b = Network.from_lists(base[:2] + [([[2, -17]], [1])])
    assert equivalent(a, b).method == "bottleneck" and equivalent(a, b)
    check_certificate_shape(equivalent(a, b, certificate=True), a, b)
    c = Network.from_lists(base[:1] + [([[1, 1], [-1, 0]], [F(-1, 2), 1])] + [([[2, -17]], [1])])  # alive now
    check_witness(equivalent(a, c), a, c)


def test_different_depths_one_function() -> None:
    shallow = random_network((2, 3, 1), seed=5)
    hid, out = shallow.layers
    n = hid.n_out
    eye = [[int(i == j) for j in range(n)] for i in range(n)]
    # relu(a) = a for a = relu(z) >= 0 (degenerate: z = 0 on open sets) and relu(a + 1) - 1 = a (never zero)
    deep0 = Network.from_lists([(hid.weights, hid.biases), (eye, [0] * n), (out.weights, out.biases)])
    shifted_bias = [b - sum(out.weights[0]) for b in out.biases]
    deep1 = Network.from_lists([(hid.weights, hid.biases), (eye, [1] * n), (eye, [0] * n),
                                (out.weights, shifted_bias)])
    for deep in (deep0, deep1):
        res = equivalent(shallow, deep)
        assert res.method == "common-refinement"
        check_certificate_shape(res, shallow, deep)
    check_certificate_shape(equivalent(deep0, deep1), deep0, deep1)
    check_witness(equivalent(shallow, perturb(deep1, 1, "bias")), shallow, perturb(deep1, 1, "bias"))


def test_canceling_pairs_written_several_ways() -> None:
    x1 = Network.from_lists([([[1, 0], [-1, 0]], [0, 0]), ([[1, -1]], [0])])          # relu(x1) - relu(-x1)
    scaled = Network.from_lists([([[2, 0], [-3, 0]], [0, 0]), ([[F(1, 2), F(-1, 3)]], [0])])
    shifted = Network.from_lists([([[1, 0], [-1, 0]], [1, -1]), ([[1, -1]], [-1])])  # relu(x1+1) - relu(-x1-1) - 1
    affine = Network.from_lists([([[1, 0]], [0])])                                   # no hidden layer at all
    deep = Network.from_lists([([[1, 0], [-1, 0]], [0, 0]), ([[1, -1], [-1, 1]], [0, 0]), ([[1, -1]], [0])])
    nets = [x1, scaled, shifted, affine, deep]
    for a in nets:
        for b in nets:
            res = equivalent(a, b)
            assert res, (a, b)
    check_certificate_shape(equivalent(x1, deep), x1, deep)
    check_certificate_shape(equivalent(affine, shifted, certificate=True), affine, shifted)
    off = Network.from_lists([([[1, 0], [-1, 0]], [0, 0]), ([[1, -1]], [F(1, 10**12)])])
    check_witness(equivalent(off, deep), off, deep)


@pytest.mark.parametrize("layer,what", [(0, "weight"), (0, "bias"), (1, "weight"), (1, "bias"), (2, "weight")])
def test_tiny_perturbations_are_detected_with_verified_witness(layer, what) -> None:
    a = random_network((2, 3, 2, 1), seed=11)
    b = perturb(a, layer, what)
    check_witness(equivalent(a, b), a, b)
    s = random_network((3, 4, 1), seed=3)
    t = perturb(s, min(layer, 1), what)
    check_witness(equivalent(s, t), s, t)


def test_kink_moved_far_from_the_origin() -> None:
    far = 10**9
    a = Network.from_lists([([[1], [1]], [0, -far]), ([[1, -1]], [0])])        # relu(x) - relu(x - 10^9)
    b = Network.from_lists([([[1], [1]], [0, -far - 1]), ([[1, -1]], [0])])    # kink moved by 1
    for method in ("canonical-data", "common-refinement"):
        res = equivalent(a, b, method=method)
        check_witness(res, a, b)
        assert res.witness.x[0] > far
    c = Network.from_lists([([[1, 0], [1, 1]], [0, -far]), ([[1, -1]], [0])])
    d = Network.from_lists([([[1, 0]], [0]), ([[1]], [0])])
    check_witness(equivalent(c, d), c, d)
    check_witness(equivalent(c, d, method="common-refinement"), c, d)


def test_box_domain_equal_on_box_only_and_witness_inside() -> None:
    a = Network.from_lists([([[1], [1]], [0, -5]), ([[1, -1]], [0])])   # relu(x) - relu(x - 5)
    b = Network.from_lists([([[1]], [0]), ([[1]], [0])])                 # relu(x)
    box = Box(-3, 3, 1)
    res = equivalent(a, b, box)
    assert res and res.method == "canonical-data" or res.certificate is not None
    res = equivalent(a, b, box, certificate=True)
    check_certificate_shape(res, a, b)
    assert res.certificate["domain"]["inequalities"]
    check_witness(equivalent(a, b), a, b)
    big = Box(-3, 7, 1)
    res = equivalent(a, b, big)
    check_witness(res, a, b, big)
    deep = random_network((2, 2, 2, 1), seed=1)
    res = equivalent(deep, perturb(deep, 0, "bias", F(1, 3)), Box(-1, 1, 2))
    if not res:
        check_witness(res, deep, perturb(deep, 0, "bias", F(1, 3)), Box(-1, 1, 2))


@pytest.mark.parametrize("seed", range(3))
def test_bottleneck_fast_path_agrees_with_common_refinement(seed) -> None:
    a = random_network((3, 2, 2, 1), seed=seed)
    b = permute(rescale(a, 1, (F(1, 2), 3)), 1, (1, 0))
    b = split_neuron(b, 2, 1, F(2), F(3), F(1, 3))   # other width in layer 2: no normal-form shortcut
    fast = equivalent(a, b)
    assert fast.method == "bottleneck" and fast
    check_certificate_shape(equivalent(a, b, method="common-refinement"), a, b)
    c = perturb(b, 1, "bias", F(1, 10**6))
    fast, slow = equivalent(a, c), equivalent(a, c, method="common-refinement")
    assert fast.method == "bottleneck"
    assert bool(fast) == bool(slow)
    if not fast:
        check_witness(fast, a, c)
        check_witness(slow, a, c)
    wide = random_network((2, 3, 2, 1), seed=seed)
    res = equivalent(wide, split_neuron(wide, 2, 0, F(1), F(1), F(1, 2)))
    assert res.method == "common-refinement" and any("bottleneck" in n for n in res.notes)
    with pytest.raises(NotApplicableError):
        equivalent(wide, wide, method="bottleneck")


def test_common_refinement_network_keeps_every_preactivation() -> None:
    a, b = examples.relu_of_sum(), examples.invisible_translation()
    comb = common_refinement_network(a, b)
    for x in [(F(1, 3), F(-2)), (F(5), F(7, 2)), (F(-1), F(1, 9))]:
        za, zb, zc = a.preactivations(x), b.preactivations(x), comb.preactivations(x)
        for l in range(2):
            assert zc[l] == za[l] + zb[l]


def test_shallow_representability() -> None:
    r = is_shallow_representable(examples.relu_of_sum())   # docs/mathematics.md §7 row 12: not shallow
    assert not r and r.facet is not None and ("bent" in r.reason or "jump" in r.reason)
    assert not is_shallow_representable(examples.invisible_translation())  # docs/mathematics.md D3: f is not shallow
    for net in (examples.chain("ramp_down"), examples.chain("shifted"), examples.chain("lifted")):
        r = is_shallow_representable(net)  # d = 1: every CPWL function is shallow
        assert r and r.network.depth == 1
        check_certificate_shape(r.equivalence, net, r.network)
    shallow = random_network((2, 3, 1), seed=2)
    hid, out = shallow.layers
    deep = Network.from_lists([(hid.weights, hid.biases), ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, 1, 1]),
                               (out.weights, [out.biases[0] - sum(out.weights[0])])])
    r = is_shallow_representable(deep)
    assert r and equivalent(r.network, shallow)


def test_bad_input() -> None:
    with pytest.raises(ShapeError):
        equivalent(examples.relu_of_sum(), examples.absolute_value())
    with pytest.raises(ShapeError):
        equivalent(examples.absolute_value(), examples.absolute_value(), Box(0, 1, 2))
    with pytest.raises(ValueError):
        equivalent(examples.absolute_value(), examples.absolute_value(), method="magic")
    with pytest.raises(NotApplicableError):
        equivalent(examples.relu_of_sum(), examples.invisible_translation(), method="canonical-data")
    with pytest.raises(NotApplicableError):
        equivalent(examples.relu_of_sum(), examples.invisible_translation(), method="normal-form")


def test_tampered_certificates_are_rejected() -> None:
    a = random_network((2, 3, 1), seed=4)
    b = split_neuron(a, 1, 2, F(2), F(1, 2), F(1, 3))
    cert = equivalent(a, b, certificate=True).certificate
    assert check_certificate(cert)["valid"]
    bad = copy.deepcopy(cert)
    bad["regions"][0]["affine_map"]["A"][0][0] = str(F(bad["regions"][0]["affine_map"]["A"][0][0]) + 1)
    with pytest.raises(CertificateError):
        check_certificate(bad)
    bad = copy.deepcopy(cert)
    bad["regions"][-1]["affine_map"]["c"][0] = str(F(bad["regions"][-1]["affine_map"]["c"][0]) + F(1, 10**12))
    with pytest.raises(CertificateError):
        check_certificate(bad)
    bad = copy.deepcopy(cert)
    del bad["regions"][1]  # the cover fails
    with pytest.raises(CertificateError):
        check_certificate(bad)
    bad = copy.deepcopy(cert)
    bad["networks"][1] = network_to_dict(perturb(b, 1, "bias"))  # a different network B
    with pytest.raises(CertificateError):
        check_certificate(bad)


def test_report_section(tmp_path) -> None:
    from exactrelu.cli.sections import equivalence_section

    net = examples.demo_network()
    sec = equivalence_section(net, tmp_path)
    assert sec.key == "equivalence" and sec.data["permuted"]["equivalent"] is True
    assert sec.data["reduced"]["to"] == list(net.architecture)
    w = sec.data["perturbed"]["witness"]
    assert sec.data["perturbed"]["equivalent"] is False and [F(v) for v in w["a"]] == list(net([F(v) for v in w["x"]]))
    assert check_certificate(tmp_path / "equivalence-certificate.json")["valid"]


@given(st.sampled_from([(2, 3, 1), (3, 4, 2, 1), (1, 2, 2, 2, 2)]), st.integers(0, 10**6),
       st.lists(st.fractions(min_value=-5, max_value=5, max_denominator=4), min_size=3, max_size=3))
def test_sparse_exact_evaluation_equals_forward_pass(arch, seed, xs) -> None:
    from exactrelu.theory.equality.equivalence import evaluate_exact

    net = random_network(arch, seed=seed, nonzero=False)
    x = tuple(xs[: arch[0]])
    assert evaluate_exact(net, x) == net(x)


def test_witness_is_sparse_when_two_kinks_meet_at_the_first_candidate() -> None:
    # perturbing a non-pivot weight gives two hyperplanes through the same point of the x_1 axis
    a = random_network((4, 5, 2), seed=8)
    W = [list(r) for r in a.layers[0].weights]
    W[2][3] += F(1, 10**12)
    b = a.with_layer(0, W, a.layers[0].biases)
    res = equivalent(a, b)
    check_witness(res, a, b)
    assert sum(1 for v in res.witness.x if v) <= 2
