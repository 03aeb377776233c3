"""Certificates: valid ones pass the independent checker, every kind of tampering is rejected with the named check."""

from __future__ import annotations

import copy
import json
from fractions import Fraction as F

import pytest

from exactrelu import Network, examples, permute, random_network, rescale
from exactrelu.core.errors import CertificateError
from exactrelu.core.io import network_to_dict
from exactrelu.geometry.certificate import check_certificate, complex_certificate, write_certificate
from exactrelu.geometry.polyhedra import Box, Orthant
from exactrelu.geometry.regions import regions


@pytest.mark.parametrize("arch,seed", [((2, 3, 1), 0), ((2, 2, 2, 1), 1), ((1, 3, 2), 2), ((3, 2, 2, 1), 3)])
def test_valid_certificates_pass(arch: tuple[int, ...], seed: int) -> None:
    C = regions(random_network(arch, seed=seed, max_num=3, max_den=2))
    summary = check_certificate(complex_certificate(C))
    assert summary["valid"] and summary["regions"] == len(C.regions) and summary["lps"] > 0


@pytest.mark.parametrize("arch,seed", [((3, 4, 3, 1), 0), ((4, 5, 1), 2)])
def test_certified_fast_path_complexes_pass_the_independent_checker(arch: tuple[int, ...], seed: int) -> None:
    """Generic d >= 3 networks: regions built from a certified floating-point proposal (exactrelu.geometry.simplecell)
    are
    re-verified by the independent checker, which uses only exact LPs and evaluation."""
    C = regions(random_network(arch, seed=seed))
    summary = check_certificate(complex_certificate(C))
    assert summary["valid"] and summary["regions"] == len(C.regions) > 20


def test_domains_and_degenerate() -> None:
    for dom in (Box(-1, 1, 2), Orthant(2)):
        assert check_certificate(complex_certificate(regions(examples.relu_of_sum(), dom)))["valid"]
    zero = Network.from_lists([([[1]], [0]), ([[0], [1]], [0, -1]), ([[1, 1]], [0])])  # identically-zero neuron
    assert check_certificate(complex_certificate(regions(zero)))["valid"]


def test_file_roundtrip(tmp_path) -> None:
    path = tmp_path / "cert.json"
    write_certificate(regions(examples.relu_of_sum()), path)
    assert check_certificate(path)["regions"] == 7
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CertificateError, match="not JSON"):
        check_certificate(bad)
    with pytest.raises(CertificateError, match="cannot read"):
        check_certificate(tmp_path / "missing.json")


def _doc():
    return complex_certificate(regions(random_network((2, 3, 2, 1), seed=4, max_num=3, max_den=2)))


def _expect(doc, match: str) -> None:
    with pytest.raises(CertificateError, match=match):
        check_certificate(doc)


def test_tampered_affine_map_entry_rejected() -> None:
    doc = _doc()
    A = doc["regions"][1]["affine_map"]["A"]
    A[0][0] = str(F(A[0][0]) + F(1, 7))
    _expect(doc, r"region 1: stated affine map differs .*A\[0\]\[0\]")


def test_tampering_of_each_kind_rejected() -> None:
    base = _doc()
    # a pattern entry flipped
    doc = copy.deepcopy(base)
    pat = doc["regions"][0]["patterns"][0]
    pat[0][0] = -pat[0][0]
    _expect(doc, "region 0")
    # a region dropped: the cover fails
    doc = copy.deepcopy(base)
    del doc["regions"][2]
    _expect(doc, "not matched")
    # a region duplicated: the interiors overlap
    doc = copy.deepcopy(base)
    doc["regions"].append(copy.deepcopy(doc["regions"][0]))
    _expect(doc, "overlap")
    # an inequality dropped: the pattern is no longer constant on the (larger) region
    doc = copy.deepcopy(base)
    big = max(range(len(doc["regions"])), key=lambda k: len(doc["regions"][k]["inequalities"]))
    doc["regions"][big]["inequalities"].pop(0)
    _expect(doc, f"region {big}")
    # interior point moved outside
    doc = copy.deepcopy(base)
    doc["regions"][0]["interior_point"] = ["1000", "1000"]
    _expect(doc, "interior point")
    # format problems
    for key, value, match in [("format", "x", "not an"), ("kind", "other", "unknown"), ("regions", [], "non-empty"),
                              ("networks", [], "needs")]:
        doc = copy.deepcopy(base)
        doc[key] = value
        _expect(doc, match)
    doc = copy.deepcopy(base)
    doc["regions"][0]["inequalities"][0][0] = 0.5
    _expect(doc, "exact rational")
    doc = copy.deepcopy(base)
    doc["regions"][0]["interior_point"] = ["1/0", "0"]
    _expect(doc, "not a rational")


def test_region_outside_domain_rejected() -> None:
    doc = complex_certificate(regions(examples.relu_of_sum(), Box(-1, 1, 2)))
    doc["domain"]["inequalities"][0] = ["0", "1", "0"]  # shrink the domain to x1 >= 0
    _expect(doc, "domain")


def _equivalence_doc(a: Network, b: Network, perm_b: list[int] | None = None) -> dict:
    """An equivalence certificate built by hand from the complex of a (b is a relabelled copy of a)."""
    C = regions(a)
    doc = complex_certificate(C)
    doc["kind"] = "equivalence"
    doc["networks"].append(network_to_dict(b))
    for r, reg in zip(doc["regions"], C.regions):
        p2 = [list(x) for x in reg.pattern]
        if perm_b is not None:
            p2[0] = [reg.pattern[0][perm_b.index(i)] for i in range(len(perm_b))]
        r["patterns"].append(p2)
    return doc


def test_equivalence_certificates() -> None:
    a = random_network((2, 3, 1), seed=2)
    perm = [2, 0, 1]
    b = rescale(permute(a, 1, perm), 1, [F(2), F(1, 3), F(5)])
    # permute(net, 1, perm): new neuron k is old neuron perm[k]
    doc = _equivalence_doc(a, b, [perm.index(i) for i in range(3)])
    doc2 = _equivalence_doc(a, b, perm)
    ok = []
    for d_ in (doc, doc2):
        try:
            ok.append(check_certificate(d_)["kind"] == "equivalence")
        except CertificateError:
            ok.append(False)
    assert ok.count(True) == 1  # exactly one of the two relabellings is the right one
    good = doc if ok[0] else doc2
    other = Network.from_lists([(list(map(list, L.weights)), list(L.biases)) for L in b.layers[:-1]]
                               + [([list(b.layers[-1].weights[0])], [b.layers[-1].biases[0] + 1])])
    bad = json.loads(json.dumps(good))
    bad["networks"][1] = network_to_dict(other)
    _expect(bad, "stated affine map differs from network 1")
