"""Fiber / Component objects: exact membership, sampling, simplify, verify, exports, the sympy adapter and the CLI."""

from __future__ import annotations

import json
import re
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from exactrelu import Network, examples, parameter_names, random_network, save
from exactrelu.cli import app
from exactrelu.core.errors import NotApplicableError, NotExactError, ShapeError
from exactrelu.engines import sympylib as S
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.fibers.fiber import Fiber, fiber

runner = CliRunner()


# ------------------------------------------------------------------ sympy adapter
def test_parameter_symbols_follow_canonical_names() -> None:
    for arch in [(1, 2, 1), (2, 3, 2), (2, 2, 1, 1)]:
        syms = S.parameter_symbols(arch)
        assert tuple(str(s) for s in syms) == parameter_names(arch)
        assert all(s.is_real for s in syms)
        assert S.parameter_symbols(list(arch)) is syms        # interned per architecture


@given(st.fractions(max_denominator=10**6))
def test_rational_round_trip(q: F) -> None:
    assert S.from_sympy(S.to_sympy(q)) == q
    assert S.to_sympy(q) == sp.Rational(q.numerator, q.denominator)


def test_adapter_refuses_inexact() -> None:
    with pytest.raises(NotExactError):
        S.from_sympy(sp.sqrt(2))
    with pytest.raises(NotExactError):
        S.to_sympy(0.5)  # type: ignore[arg-type]
    x = S.parameter_symbols((1, 1, 1))[0]
    with pytest.raises(NotExactError):
        S.evaluate(x + 1, {})


# ------------------------------------------------------------------ Fiber API
def test_dispatch_and_basic_api() -> None:
    net = examples.three_kinks()
    fib = fiber(net)
    assert isinstance(fib, Fiber) and fib.kind == "shallow" and fib.domain is None
    assert fib.symbols == S.parameter_symbols((1, 3, 1))
    k = fib.component_of(net)
    assert fib.components[k].origin["theta_orbit"] is True
    assert fib.sample(seed=4) == fib.sample(seed=4)                 # reproducible
    assert fib.sample(seed=1, component=5) != fib.sample(seed=2, component=5)
    eta = fib.sample_network(seed=7)
    assert bool(equivalent(net, eta)) and fib.contains(eta)
    with pytest.raises(ShapeError):
        fib.contains(random_network((1, 2, 1), seed=0))
    with pytest.raises(ShapeError):
        fib.contains([1, 2, 3])
    with pytest.raises(ShapeError):
        fib.sample(component=18)


def test_satisfied_names_the_failed_condition() -> None:
    fib = fiber(examples.relu_minus_shifted_relu())
    comp = fib.components[0]
    pt = list(comp.point)
    pt[-1] += 1                                                      # b2 off by one: only the b2 equality fails
    assert comp.satisfied(pt) == {"equalities": [len(comp.equalities) - 1], "strict": [], "nonstrict": []}
    assert not comp.contains(pt)
    neg = [-v for v in comp.point]                                  # flips every orientation inequality
    assert comp.satisfied(neg)["strict"] == [0, 1]


def test_simplify_keeps_the_sets() -> None:
    net = random_network((2, 3, 1), seed=3)
    fib = fiber(net)
    simple = fib.simplify()
    assert len(simple.components) == len(fib.components)
    for k in (0, 3, 5):
        a, b = fib.components[k], simple.components[k]
        for seed in range(3):
            pt = a.sample(seed)
            assert b.contains(pt)
        assert not b.contains([-v for v in a.point])
        # equalities are primitive integer polynomials with positive leading coefficient
        for e in b.equalities:
            poly = sp.Poly(e, *sorted(e.free_symbols, key=str))
            assert poly.LC() > 0 and all(c.is_Integer for c in poly.coeffs())


def test_verify_records_what_was_checked() -> None:
    net = random_network((2, 3, 1), seed=11)
    fib = fiber(net)
    v = fib.verify([0, 4])
    assert v.ok and [c["component"] for c in v.checks] == [0, 4]
    for c in v.checks:
        assert c["proof"] is True and c["rows_in_theta_arrangement"] is True
        assert c["regions"] == 7                                   # generic (2,3): 1 + 3 + 3 regions
        assert c["affine_identities"] == 7 * (2 + 1)               # slope (m x d) and offset per region
        assert c["system_identities"] == len(fib.components[c["component"]].equalities)
        assert len(c["patterns"]) == 7


def test_verify_detects_a_wrong_component() -> None:
    from dataclasses import replace

    fib = fiber(examples.relu_minus_shifted_relu())
    comp = fib.components[0]
    b2 = comp.symbols[-1]
    bad_par = dict(comp.parametrization)
    bad_par[b2] = bad_par[b2] + 1                                  # shifts the output: not in the fiber
    bad = replace(comp, parametrization=bad_par)
    res = replace(fib, components=(bad,)).verify(0)
    assert not res.ok and any("offset" in f for f in res.failures) and any("b2_1" in f for f in res.failures)


def test_local_fiber_has_no_components() -> None:
    net = examples.relu_of_sum()
    local = Fiber(net, "local", 4, None, local={"dimension": 4})
    for call in (lambda: local.sample(), local.to_sympy, local.to_macaulay2, lambda: local.component_of(net)):
        with pytest.raises(NotApplicableError):
            call()
    doc = json.loads(local.to_json())
    assert doc["components"] is None and doc["dimension"] == 4 and doc["local"] == {"dimension": 4}
    assert doc["complete"] is False


def test_local_fiber_membership_is_an_exact_equivalence_test() -> None:
    net = examples.relu_of_sum()
    local = Fiber(net, "local", 4, None, local={"dimension": 4})
    ans = local.membership(net)
    assert ans.member and ans.method == "equivalence" and local.contains(net)
    other = Network.from_parameters(net.architecture, [v + 1 for v in net.parameters()])
    ans = local.membership(other)
    assert not ans.member and ans.equivalence.witness is not None


# ------------------------------------------------------------------ exports
def test_to_sympy_is_true_exactly_on_the_fiber() -> None:
    net = examples.relu_minus_shifted_relu()
    fib = fiber(net)
    formula = fib.to_sympy()
    sub = dict(zip(fib.symbols, (S.to_sympy(v) for v in net.parameters())))
    assert formula.xreplace(sub) is sp.true
    wrong = dict(sub)
    wrong[fib.symbols[-1]] += 1
    assert formula.xreplace(wrong) is sp.false


def test_json_is_exact_and_complete() -> None:
    fib = fiber(examples.three_kinks())
    doc = json.loads(fib.to_json())
    assert doc["format"] == "exactrelu-fiber" and doc["version"] == 1
    assert doc["dimension"] == 3 and doc["components"] == 18 and len(doc["component_systems"]) == 18
    assert doc["symbols"] == list(parameter_names((1, 3, 1)))
    first = doc["component_systems"][0]
    assert [F(v) for v in first["point"]] == list(fib.components[0].point)
    # the strings parse back to the same polynomials
    loc = {str(s): s for s in fib.symbols}
    assert [sp.sympify(e, locals=loc) for e in first["equalities"]] == list(fib.components[0].equalities)
    par = {sp.Symbol(k, real=True): v for k, v in first["parametrization"].items()}
    assert len(par) == 10 and set(first["free_symbols"]) == {"lambda_1", "lambda_2", "lambda_3"}
    assert not re.search(r"\d\.\d|e-\d", json.dumps(doc["component_systems"]))   # no float anywhere


def test_latex_macaulay2_sage() -> None:
    fib = fiber(examples.relu_plus_identity())
    tex = fib.to_latex()
    assert tex.count(r"\left\{") == 2 and "W^{(1)}_{1,1}" in tex and r"\dim = 2" in tex
    m2 = fib.to_macaulay2()
    ring = re.search(r"R = QQ\[(.*)\];", m2).group(1)
    assert ring.split(", ") == [n.replace("_", "x") for n in parameter_names((1, 2, 1))]
    assert m2.count("ideal(") == 2 and "W1x1x1*W2x1x1 - 2" in m2
    sage = fib.to_sage()
    assert "PolynomialRing(QQ" in sage and sage.count("components.append") == 2 and "**" not in sage
    big = fiber(random_network((2, 4, 1), seed=2))
    assert "more components" in big.to_latex(max_components=3)


# ------------------------------------------------------------------ CLI
def test_cli_json(tmp_path) -> None:
    p = tmp_path / "net.json"
    save(examples.relu_minus_shifted_relu(), p)
    res = runner.invoke(app, ["fiber", str(p), "--json", "--sample", "3", "--verify"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["dimension"] == 2 and doc["components"] == 4 and doc["verification"]["ok"] is True
    net = examples.relu_minus_shifted_relu()
    for s in doc["samples"]:
        eta = Network.from_parameters((1, 2, 1), [F(v) for v in s["point"]])
        assert bool(equivalent(net, eta))
    res = runner.invoke(app, ["fiber", str(p), "--json", "--component", "2", "--latex"])
    doc = json.loads(res.stdout)
    assert doc["component"] == 2 and len(doc["component_systems"]) == 1 and doc["latex"].startswith(r"\left\{")


def test_cli_text_and_orthant(tmp_path) -> None:
    p = tmp_path / "net.json"
    save(Network.from_lists([([[1, -1], [1, 1]], [0, 1]), ([[1, 2]], [0])]), p)
    res = runner.invoke(app, ["fiber", str(p), "--orthant"])
    assert res.exit_code == 0 and "dimension 3, 4 components" in res.stdout and ">= 0" in res.stdout
    res = runner.invoke(app, ["fiber", str(p)])
    assert res.exit_code == 0 and "2 components" in res.stdout and "W1_1_1*W2_1_1 - 1 = 0" in res.stdout
    res = runner.invoke(app, ["fiber", str(p), "--box", "0", "3", "--json"])
    doc = json.loads(res.stdout)
    assert doc["kind"] == "polyhedral" and doc["components"] == 8
    assert doc["domain"]["inequalities"][1] == ["3", "-1", "0"]


def test_cli_bad_input(tmp_path) -> None:
    p = tmp_path / "net.json"
    save(examples.relu_minus_shifted_relu(), p)
    for args in (["fiber", str(p), "--component", "9"], ["fiber", str(tmp_path / "missing.json")],
                 ["fiber", str(p), "--box", "1", "0"], ["fiber", str(p), "--box", "0", "x"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2
        assert len(res.stderr.strip().splitlines()) == 1 and "error" in res.stderr


# ------------------------------------------------------------------ dispatcher on deeper networks
def test_dispatch_bottleneck_and_local() -> None:
    """docs/mathematics.md §7 row 4: T_1 example fiber dimension 4, W2 = (1, 1) dimension 3; others get the local
    description."""
    t1 = fiber(examples.invisible_translation())
    assert t1.kind == "bottleneck" and t1.dimension == 4
    res = t1.verify(0)
    assert res.ok and res.checks[0]["family_certified"] is True
    vis = fiber(examples.visible_bottleneck())
    assert vis.kind == "bottleneck" and vis.dimension == 3
    res = vis.verify()
    assert res.ok and all(c["proof"] and c["pattern_constancy"].startswith("pre-activations") for c in res.checks)
    loc = fiber(examples.linear_block())  # docs/mathematics.md D6: fiber dimension 8, local only
    assert loc.kind == "local" and loc.components is None and loc.dimension == 8
    doc = json.loads(loc.to_json())
    assert doc["components"] is None and doc["dimension"] == 8 and doc["local"]["dimension"] == 8
    with pytest.raises(NotApplicableError):
        fiber(examples.linear_block(), "orthant")


def test_cli_local_fiber_json(tmp_path) -> None:
    p = tmp_path / "net.json"
    save(examples.linear_block(), p)
    res = runner.invoke(app, ["fiber", str(p), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["components"] is None and doc["dimension"] == 8 and doc["kind"] == "local"
    res = runner.invoke(app, ["fiber", str(p)])
    assert res.exit_code == 0 and "local description only" in res.stdout


def test_report_section(tmp_path) -> None:
    from exactrelu.cli.report import write_report

    path = write_report(examples.three_kinks(), tmp_path, only=["fiber"])
    data = json.loads((tmp_path / "report.json").read_text())["sections"]["fiber"]
    assert data["kind"] == "shallow" and data["dimension"] == 3 and data["components"] == 18
    assert data["verified_component_1"] is True and set(data["files"]) == {"fiber.json", "fiber.tex"}
    assert json.loads((tmp_path / "fiber.json").read_text())["components"] == 18
    assert r"\left\{" in path.read_text() and "more components" in (tmp_path / "fiber.tex").read_text()


def test_cli_union_component(tmp_path) -> None:
    p = tmp_path / "net.json"
    save(Network.from_lists([([[1], [2]], [0, 1]), ([[1, 0]], [0])]), p)     # relu(x) plus a zero neuron
    res = runner.invoke(app, ["fiber", str(p)])
    assert res.exit_code == 0 and "the union of 7 pieces" in res.stdout and "4 more pieces" in res.stdout
    res = runner.invoke(app, ["fiber", str(p), "--component", "1"])
    assert res.stdout.count("piece ") >= 7
    doc = json.loads(runner.invoke(app, ["fiber", str(p), "--json"]).stdout)
    assert doc["components"] == 1 and doc["dimension"] == 3 and len(doc["component_systems"][0]["pieces"]) == 7
