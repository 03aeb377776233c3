"""Conservation laws and the learning space (docs/mathematics.md G1-G4, D6): oracles from the reference's tables,
symbolic proofs that must fail on wrong laws, and second algorithms (vertex enumeration of P(c), sampling)."""

from __future__ import annotations

import json
import random
from fractions import Fraction as F

import pytest
from typer.testing import CliRunner

from exactrelu import Network, examples, random_network, save
from exactrelu.cli import app
from exactrelu.engines import cddlib
from exactrelu.theory.dynamics import (
    ConservationLaw,
    Edge,
    ParameterGraph,
    check_forcing,
    conservation_laws,
    count_conservation_laws,
    invariant_set,
    singular_components,
)
from exactrelu.theory.dynamics.flow import drift_table, euler_steps, squared_loss_gradient
from exactrelu.theory.dynamics.laws import prove_law

runner = CliRunner()


def layered(arch, bias=True, seed=None):
    if seed is None:
        layers = [([[1] * arch[l - 1] for _ in range(arch[l])], [0] * arch[l]) for l in range(1, len(arch))]
        net = Network.from_lists(layers)
    else:
        net = random_network(arch, seed=seed)
        if not bias:
            net = Network.from_lists([(layer.weights, [0] * len(layer.biases)) for layer in net.layers])
    return net


def graph(arch, bias=True, seed=None):
    return ParameterGraph.from_network(layered(arch, bias, seed), biases=bias)


def chain_with_skip():
    g = graph((1, 1, 1, 1), bias=False)
    return ParameterGraph(g.inputs, g.hidden, g.outputs, g.edges + (Edge("x1", "h2_1", "S", F(1)),))


# ------------------------------------------------------------------------------------------ invariant sets (G3)
G3_TABLE = [
    (lambda: graph((2, 3, 1)), [1, -1, -2], 4, (4, 0, 4)),
    (lambda: graph((2, 3, 2)), [1, -1, -2], 1, (1, 2, 2, 2, 1)),
    (lambda: graph((1, 2, 1), bias=False), [1, -1], 4, (4,)),
    (lambda: graph((1, 1, 1, 1), bias=False), [1, 1], 4, None),
    (lambda: graph((1, 1, 1, 1), bias=False), [1, -3], 4, None),
    (lambda: graph((1, 1, 1, 1), bias=False), [-1, 2], 4, None),
    (lambda: graph((1, 1, 1, 1), bias=False), [0, 0], 1, None),
    (chain_with_skip, [1, 1], 2, None),
    (chain_with_skip, [-1, -1], 4, None),
]


@pytest.mark.parametrize("make,c,components,betti", G3_TABLE)
def test_invariant_set_components_match_the_reference_table(make, c, components, betti):
    inv = invariant_set(make(), c)
    assert inv.components == components
    assert inv.betti == betti
    assert inv.check()
    if betti is not None:  # shallow: b0 from the product of quadrics equals 2^|Z| from the LPs (two algorithms)
        assert betti[0] == inv.components


def _vertex_minimum(g, c, e):
    """Second algorithm: min x_e over the vertices of P(c) from an exact double description (P(c) ⊆ R^E_{>=0} is
    pointed, and x_e >= 0 is bounded below, so the minimum is attained at a vertex)."""
    E = len(g.edges)
    ineq = [[0] + [int(k == j) for k in range(E)] for j in range(E)]
    eq = [[-cv] + row for cv, row in zip(c, g.incidence(), strict=True)]
    verts, _, lines = cddlib.generators(ineq, eq, E)
    assert not lines
    return min(v[e] for v in verts)


@pytest.mark.parametrize("make,c,components,betti", G3_TABLE)
def test_forced_edges_agree_with_vertex_enumeration(make, c, components, betti):
    g = make()
    inv = invariant_set(g, c)
    forced = {f.edge for f in inv.forced}
    for e in range(len(g.edges)):
        assert (_vertex_minimum(g, inv.c, e) > 0) == (e in forced)


def test_chain_with_zero_balance_is_singular_with_evidence():
    g = graph((1, 1, 1, 1), bias=False)
    inv = invariant_set(g, [0, 0])
    assert inv.singular_points is True and inv.singular is not None
    S = set(inv.singular.vertices)
    x = inv.singular.point
    for k, e in enumerate(g.edges):  # the boundary of S carries no flow
        if (e.tail in S) != (e.head in S):
            assert x[k] == 0
    assert invariant_set(g, [1, 1]).singular_points is False


def test_hoffman_certificate_checker_rejects_wrong_sets():
    g = graph((1, 1, 1, 1), bias=False)
    c = [F(1), F(1)]
    inv = invariant_set(g, c)
    f = inv.forced[0]
    assert check_forcing(g, c, f.edge, f.vertices, f.kind) == f.bound > 0
    other = "predecessor" if f.kind == "successor" else "successor"
    assert check_forcing(g, c, f.edge, f.vertices, other) is None
    assert check_forcing(g, [F(-1), F(1)], f.edge, f.vertices, f.kind) is None or f.kind == "successor"


def test_theta_singular_when_a_neuron_is_cut_off():
    net = Network.from_lists([([[1], [0]], [1, 0]), ([[1, 0]], [0])])  # h1_2 has no nonzero edge at all
    g = ParameterGraph.from_network(net)
    assert singular_components(g) == (("h1_2",),)
    assert invariant_set(g).to_dict()["theta_singular"] is True
    assert singular_components(ParameterGraph.from_network(examples.relu_of_sum())) == ()


def test_component_of_theta_and_sampled_points_of_every_component():
    g = graph((2, 3, 1), seed=3)
    inv = invariant_set(g)
    assert inv.component_of_theta == tuple(1 if g.values[f.edge] > 0 else -1 for f in inv.forced)
    # H_G(c) is invariant under flipping the sign of any coordinate: every sign pattern on Z is met
    rng = random.Random(0)
    seen = set()
    for _ in range(64):
        signs = [rng.choice((-1, 1)) for _ in g.edges]
        theta = [s * v for s, v in zip(signs, g.values, strict=True)]
        assert g.balance(theta) == inv.c
        seen.add(tuple(1 if theta[f.edge] > 0 else -1 for f in inv.forced))
    assert len(seen) == inv.components


# ------------------------------------------------------------------------------------------ laws (G1, D6)
def test_balance_laws_are_proved_and_a_wrong_law_is_refuted():
    laws = conservation_laws(examples.invisible_translation())
    assert [law.vertex for law in laws.laws] == ["h1_1", "h1_2", "h2_1"]
    assert laws.verify()
    g = laws.graph
    assert prove_law(g, laws.laws[0])
    # the off-diagonal quantity of two first-layer neurons is conserved only while both are active: without that
    # condition the identity must fail (the proof is not vacuous)
    pair = ConservationLaw("h1_1,h1_2", "block", laws.laws[0].polynomial, laws.laws[0].value)
    assert not prove_law(g, pair)
    assert prove_law(g, ConservationLaw("h1_1,h1_2", "block", pair.polynomial, pair.value, ("h1_1", "h1_2")))


def test_block_law_of_a_linear_block():
    laws = conservation_laws(examples.linear_block())
    block = [law for law in laws.laws if law.kind == "block"]
    assert [law.vertex for law in block] == ["h2_1,h2_2"]
    assert str(block[0].polynomial) == "W2_1_1*W2_2_1 + W2_1_2*W2_2_2 - W3_1_1*W3_1_2 + b2_1*b2_2"
    assert laws.verify()


@pytest.mark.parametrize("name,count,lie", [("invisible_translation", 3, 8), ("visible_bottleneck", 3, 8),
                                            ("linear_block", 5, 10), ("dead_second_layer", 10, 1)])
def test_law_counts_match_the_reference(name, count, lie):
    res = count_conservation_laws(getattr(examples, name)())
    assert (res.count, res.lie_dimension) == (count, lie)
    assert res.lower_bound <= res.count <= res.upper_bound


def test_mgp_example_2_2_5_3_without_bias():
    net = layered((2, 2, 5, 3), bias=False, seed=2)  # every hidden neuron active somewhere
    res = count_conservation_laws(net, biases=False, generators="paths")
    assert (res.parameters, res.count, res.balance_laws) == (29, 7, 7)
    dead = layered((2, 2, 5, 3), bias=False, seed=1)  # h2_3 is never active: its 5 parameters are free
    assert count_conservation_laws(dead, biases=False, generators="paths").count == 11


def test_law_count_cross_checked_with_the_functional_dimension():
    """The Lie trace contains the functional tangent space (rank of the Jacobian of all region maps, computed by
    the separate functional-dimension engine), so count <= D - dim_fun; balance laws give count >= N_h."""
    from exactrelu import functional_dimension

    for seed in range(3):
        net = random_network((2, 2, 1), seed=seed)
        res = count_conservation_laws(net)
        fd = functional_dimension(net)
        assert res.count is not None and net.num_hidden <= res.count <= net.num_parameters - fd.rank
        assert res.lie_dimension >= fd.rank


# ------------------------------------------------------------------------------------------ flow
def test_euler_step_drift_is_exactly_quadratic_in_h():
    g = ParameterGraph.from_network(examples.linear_block())
    X, Y = [[1, 2], [-1, 1], [2, -3]], [[1], [0], [2]]
    grad = squared_loss_gradient(g, X, Y)
    for h in (F(1, 4), F(1, 8), F(1, 16)):
        step = euler_steps(g, X, Y, h, 1)[1]
        for v, (a, b) in enumerate(zip(step.balance(), g.balance(), strict=True)):
            vertex = g.hidden[v]
            q2 = (sum((grad[k] ** 2 for k in g.in_edges(vertex)), F(0))
                  - sum((grad[k] ** 2 for k in g.out_edges(vertex)), F(0)))
            assert a - b == h ** 2 * q2  # exactly h^2 Q2(grad): the first-order term vanishes (the law)
    rows = drift_table(g, X, Y, h="1/16", steps=3)
    ratios = [r["max_drift"] / r["h"] ** 2 for r in rows]
    assert all(r > 0 for r in ratios) and abs(ratios[-1] - ratios[-2]) < abs(ratios[1] - ratios[0]) + ratios[0]


# ------------------------------------------------------------------------------------------ CLI
def test_cli_laws_and_invariant_set_json_keys(tmp_path):
    path = tmp_path / "lb.json"
    save(examples.linear_block(), path)
    res = runner.invoke(app, ["laws", str(path), "--json", "--count"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {"laws", "count", "balance_laws", "lie_dimension", "parameters"} <= set(data)
    assert (data["count"], data["balance_laws"], data["lie_dimension"], data["parameters"]) == (5, 4, 10, 15)
    assert data["laws"][0]["vertex"] == "h1_1" and "polynomial" in data["laws"][0]
    res = runner.invoke(app, ["invariant-set", str(path), "--json"])
    data = json.loads(res.stdout)
    assert {"components", "forced_edges", "component_of_theta", "singular_points", "theta_singular",
            "betti"} <= set(data)
    assert data["components"] == 2 and data["forced_edges"] == [["h2_1", "y1"]]
    res = runner.invoke(app, ["invariant-set", str(path), "--c", "1,2"])
    assert res.exit_code == 2 and "4 values" in res.output


# ------------------------------------------------------------------------------------------ graph networks
def test_graph_networks_chain_with_skip_and_bias_free_counts(tmp_path):
    """The G3 chain as a version-2 graph file: with the skip edge x1 -> h2 and c = (1, 1) the invariant set has 2
    components, without it 4; and a layered network through its graph form gives the same laws and counts."""
    from exactrelu.core.graph import GraphNetwork
    from exactrelu.core.graph_layered import to_graph

    def chain(skip):
        edges = [("x1", "h1", 1), ("h1", "h2", 1), ("h2", "y", 1)] + ([("x1", "h2", 1)] if skip else [])
        return GraphNetwork.from_edges(inputs=["x1"], outputs=["y"], nodes=[("h1", None), ("h2", None), ("y", None)],
                                       edges=edges)

    for skip, comps in ((False, 4), (True, 2)):
        g = chain(skip)
        pg = ParameterGraph.from_graph(g)
        assert pg.num_parameters == g.num_parameters
        assert invariant_set(pg, [1, 1]).components == comps
        laws = conservation_laws(g)
        assert laws.verify() and laws.balance_laws == 2
    net = examples.linear_block()
    via_graph = count_conservation_laws(to_graph(net))
    assert (via_graph.count, via_graph.lie_dimension) == (5, 10)
    assert [str(law.value) for law in conservation_laws(to_graph(net)).laws] == \
        [str(law.value) for law in conservation_laws(net).laws]
    save(chain(True), tmp_path / "chain.json")
    res = runner.invoke(app, ["invariant-set", str(tmp_path / "chain.json"), "--c", "1,1", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["components"] == 2


def test_bias_free_2_2_5_3_has_29_parameters_as_a_graph():
    from exactrelu.core.graph import GraphNetwork

    net = layered((2, 2, 5, 3), bias=False, seed=2)
    pg = ParameterGraph.from_network(net, biases=False)
    g = GraphNetwork.from_edges(inputs=list(pg.inputs), outputs=list(pg.outputs),
                                nodes=[(v, None) for v in list(pg.hidden) + list(pg.outputs)],
                                edges=[(e.tail, e.head, e.value) for e in pg.edges])
    assert g.num_parameters == 29
    assert count_conservation_laws(g, generators="paths").count == 7


def test_pytorch_training_drifts_only_by_the_exact_step_term():
    """A float64 PyTorch SGD run: each step changes every balance law by h²·Q₂(grad) (the exact discrete term,
    computed here from the step's gradient); what is left is rounding only."""
    torch = pytest.importorskip("torch", reason="PyTorch is an optional dependency (CI installs it)")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)).double()
    X = torch.randn(16, 2, dtype=torch.float64)
    Y = torch.randn(16, 1, dtype=torch.float64)
    h = 1e-2

    def balances():
        W1, b1, W2 = model[0].weight, model[0].bias, model[2].weight
        return (W1 ** 2).sum(1) + b1 ** 2 - (W2 ** 2).sum(0)

    worst = 0.0
    for _ in range(20):
        before = balances().detach().clone()
        model.zero_grad()
        loss = 0.5 * ((model(X) - Y) ** 2).sum()
        loss.backward()
        g1, gb1, g2 = model[0].weight.grad, model[0].bias.grad, model[2].weight.grad
        expected = h ** 2 * ((g1 ** 2).sum(1) + gb1 ** 2 - (g2 ** 2).sum(0))
        with torch.no_grad():
            for p in model.parameters():
                p -= h * p.grad
        residual = (balances() - before - expected).abs().max().item()
        worst = max(worst, residual)
    assert worst < 1e-12
