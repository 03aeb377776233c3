"""Graph networks (file format version 2): the model, strict reading, layered conversion, the CLI contract."""

import copy
import itertools
import json
import warnings
from fractions import Fraction as F
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exactrelu import examples, load, random_network, save
from exactrelu.cli import app
from exactrelu.core.errors import FormatError, NotApplicableError, NotExactError
from exactrelu.core.graph import Edge, GraphNetwork, StructureWarning
from exactrelu.core.graph_io import graph_from_dict, graph_to_dict
from exactrelu.core.graph_layered import (
    as_graph,
    is_layered,
    layered_obstruction,
    layered_parameter_permutation,
    to_graph,
    to_layered,
)

runner = CliRunner()

ISSUE_DOC = {
    "format": "exactrelu-network", "version": 2,
    "inputs": ["x1", "x2"],
    "outputs": ["y"],
    "nodes": [{"id": "h1", "bias": "1/2"}, {"id": "h2"}, {"id": "y", "bias": "0"}],
    "edges": [{"from": "x1", "to": "h1", "weight": "3"},
              {"from": "x2", "to": "h1", "weight": "-1"},
              {"from": "h1", "to": "h2", "weight": "2"},
              {"from": "x1", "to": "h2", "weight": "1/3"},
              {"from": "h2", "to": "y", "weight": "1"}],
}


def relu(v: F) -> F:
    return v if v > 0 else F(0)


def issue_f(x1: F, x2: F) -> F:
    """The issue's example written out by hand."""
    h1 = relu(3 * x1 - x2 + F(1, 2))
    h2 = relu(2 * h1 + F(1, 3) * x1)
    return h2


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def grid(d: int, pts=(-2, F(-1, 3), 0, F(1, 2), F(7, 5))) -> list[tuple[F, ...]]:
    return [tuple(F(v) for v in p) for p in itertools.product(pts, repeat=d)]


# ---------------------------------------------------------------------------------------------------------- the model
def test_issue_example_evaluates_as_written() -> None:
    g = graph_from_dict(ISSUE_DOC)
    assert g.num_parameters == 7 and g.num_hidden == 2  # 5 edges + biases of h1 and y (h2 has none)
    assert g.hidden_order == ("h1", "h2")
    for x in grid(2):
        assert g(x) == (issue_f(*x),)
    assert g.parameter_names() == ("w_x1_h1", "w_x2_h1", "w_h1_h2", "w_x1_h2", "w_h2_y", "b_h1", "b_y")
    assert g.parameters() == (3, -1, 2, F(1, 3), 1, F(1, 2), 0)


def test_affine_map_agrees_with_evaluation_on_every_pattern_seen() -> None:
    g = graph_from_dict(ISSUE_DOC)
    for x in grid(2):
        A, c = g.affine_map(g.pattern(x))
        assert tuple(sum((a * v for a, v in zip(row, x)), ci) for row, ci in zip(A, c)) == g(x)


def test_parameters_round_trip_and_incidence() -> None:
    g = graph_from_dict(ISSUE_DOC)
    assert g.from_parameters(g.parameters()) == g
    B = g.incidence_matrix()
    assert [sum(col) for col in zip(*B)] == [0] * g.num_edges  # every column: one +1, one -1
    assert g.vertices == ("x1", "x2", "h1", "h2", "y")
    # balance matrix: hidden rows, +1 in / own bias, -1 out
    assert g.balance_matrix() == ((1, 1, -1, 0, 0, 1, 0), (0, 0, 1, 1, -1, 0, 0))


def test_topological_order_is_fixed_and_smallest_index_first() -> None:
    # nodes listed against the topological order: h2 depends on h1 but is listed first
    g = GraphNetwork.from_edges(["x"], ["y"], ["h2", "h1", "h3", "y"],
                                [("h1", "h2", 1), ("x", "h1", 1), ("x", "h3", 1), ("h2", "y", 1), ("h3", "y", 1)])
    assert g.hidden == ("h2", "h1", "h3")
    assert g.hidden_order == ("h1", "h2", "h3")
    assert g.topological_order == ("x", "h1", "h2", "h3", "y")


@pytest.mark.parametrize("name", sorted(examples.catalogue()))
def test_every_example_through_its_graph_form(name: str) -> None:
    net = examples.catalogue()[name]
    g = to_graph(net)
    assert is_layered(g) and to_layered(g) == net
    assert g.num_parameters == net.num_parameters and g.num_hidden == net.num_hidden
    perm = layered_parameter_permutation(g)
    assert tuple(g.parameters()[k] for k in perm) == net.parameters()
    for x in grid(net.input_dim, (-2, F(-1, 3), 0, F(1, 2), F(7, 5)))[:60]:
        assert g(x) == net(x)
        assert g.pattern(x) == tuple(s for layer in net.pattern(x) for s in layer)
        assert g.affine_map(g.pattern(x)) == net.affine_map(net.pattern(x))
    assert graph_from_dict(graph_to_dict(g)) == g


def test_random_layered_round_trip_and_reordered_edges_still_layered() -> None:
    net = random_network((3, 4, 2, 2), seed=11)
    g = to_graph(net)
    # the same graph with edges and nodes listed in another order is still the same layered network
    shuffled = GraphNetwork(g.inputs, tuple(reversed(g.nodes[:6])) + g.nodes[6:], g.outputs,
                            tuple(reversed(g.edges)), tuple(reversed(g.biases[:6])) + g.biases[6:])
    assert is_layered(shuffled)
    back = to_layered(shuffled)
    for x in grid(3, (-1, F(1, 2), 2)):
        assert back(x) == net(x)


def test_bias_free_layered_parameter_count_math_g1() -> None:
    """docs/mathematics.md G1 (docs/mathematics.md G1): [2,2,5,3] without biases has D = 2*2 + 2*5 + 5*3 = 29."""
    g = to_graph(random_network((2, 2, 5, 3), seed=1))
    free = GraphNetwork(g.inputs, g.nodes, g.outputs, g.edges, (None,) * len(g.nodes))
    assert free.num_parameters == 29 and free.num_hidden == 7
    assert "no bias" in layered_obstruction(free)
    with pytest.raises(NotApplicableError, match="not a layered network: .* has no bias"):
        to_layered(free)
    zero = to_layered(free, absent_bias_as_zero=True)
    assert zero.num_parameters == 29 + 10
    for x in grid(2):
        assert zero(x) == free(x)


@pytest.mark.parametrize("edges, reason", [
    ([("x", "h", 1), ("h", "y", 1), ("x", "y", 1)], "skips"),
    ([("x", "h", 1), ("h", "y", 1), ("x", "g", 1)], "no path|last depth|missing"),
])
def test_not_layered_reasons(edges: list, reason: str) -> None:
    nodes = ["h", "y"] + (["g"] if any(e[1] == "g" for e in edges) else [])
    g = GraphNetwork.from_edges(["x"], ["y"], [(v, 0) for v in nodes], edges)
    assert not is_layered(g)
    with pytest.raises(NotApplicableError, match=reason):
        to_layered(g)


def test_constant_output_and_input_to_output_edges() -> None:
    g = GraphNetwork.from_edges(["x"], ["y", "z"], [("h", 0), ("y", 1), ("z", "-2/3")],
                                [("x", "h", 1), ("h", "y", 1), ("x", "y", -1)])
    assert g([F(5)]) == (F(1), F(-2, 3)) and g([F(-5)]) == (F(6), F(-2, 3))
    assert "no incoming edge" in layered_obstruction(g)


# ------------------------------------------------------------------------------------------------ strict reading
def _bad(mutate) -> dict:
    doc = copy.deepcopy(ISSUE_DOC)
    mutate(doc)
    return doc


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["edges"].append({"from": "h2", "to": "h1", "weight": "1"}), r"cycle (h1 -> h2 -> h1|h2 -> h1 -> h2)"),
    (lambda d: d["edges"].append({"from": "h1", "to": "h1", "weight": "1"}), r"cycle h1 -> h1"),
    (lambda d: d["edges"].append({"from": "h1", "to": "x2", "weight": "1"}), r"edges\[5\]: .*into input 'x2'"),
    (lambda d: d["edges"].append({"from": "y", "to": "h2", "weight": "1"}), r"edges\[5\]: .*out of output 'y'"),
    (lambda d: d["edges"].append({"from": "h9", "to": "y", "weight": "1"}), r"edges\[5\]\.from: unknown id 'h9'"),
    (lambda d: d["edges"].append({"from": "x1", "to": "h1", "weight": "5"}),
     r"edges\[5\]: duplicate edge x1 -> h1 \(first at edges\[0\]\)"),
    (lambda d: d["nodes"].append({"id": "h1"}), r"nodes\[3\]: duplicate id 'h1'"),
    (lambda d: d["nodes"].append({"id": "x1"}), r"nodes\[3\]: duplicate id 'x1'"),
    (lambda d: d["outputs"].append("z"), r"outputs\[1\]: unknown id 'z'"),
    (lambda d: d["outputs"].append("x1"), r"outputs\[1\]: 'x1' is an input"),
    (lambda d: d["nodes"][0].update(bias=None), r"nodes\[0\]\.bias: null"),
    (lambda d: d["nodes"][0].update(b="1"), r"nodes\[0\]: unknown key 'b'"),
    (lambda d: d["edges"][0].pop("weight"), r"edges\[0\]: missing 'weight'"),
    (lambda d: d["edges"][1].update(weight="1/0"), r"edges\[1\]\.weight: zero denominator"),
    (lambda d: d.update(layers=[]), r"unknown key 'layers'"),
    (lambda d: d.pop("edges"), r"missing 'edges' list"),
    (lambda d: d.update(outputs=[]), r"at least one output"),
])
def test_bad_v2_input_names_the_place(mutate, message: str, tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(_bad(mutate)))
    with pytest.raises(FormatError, match=message):
        load(p)
    code, out, err = run("info", str(p))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(p) in lines[0] and "Traceback" not in err


def test_float_weights_need_allow_float(tmp_path: Path) -> None:
    p = tmp_path / "f.json"
    p.write_text(json.dumps(ISSUE_DOC).replace('"1/3"', "0.25"))
    with pytest.raises(NotExactError, match=r"edges\[3\]\.weight: float 0.25"):
        load(p)
    assert load(p, allow_float=True).edges[3].weight == F(1, 4)


def test_unreachable_hidden_vertices_are_warned_not_refused(tmp_path: Path) -> None:
    doc = _bad(lambda d: (d["nodes"].append({"id": "lonely", "bias": "1"}),
                          d["nodes"].append({"id": "sink"}),
                          d["edges"].append({"from": "lonely", "to": "y", "weight": "1"}),
                          d["edges"].append({"from": "h1", "to": "sink", "weight": "1"})))
    p = tmp_path / "w.json"
    p.write_text(json.dumps(doc))
    with pytest.warns(StructureWarning, match="no path from an input: lonely.*no path to an output: sink"):
        g = load(p)
    assert g([0, 0]) == (F(1, 1) + issue_f(F(0), F(0)),)  # relu(1) = 1 flows into y
    code, out, err = run("info", str(p), "--json")
    assert code == 0 and "warning" in err and "lonely" in err
    data = json.loads(out)
    assert data["unreachable_from_inputs"] == ["lonely"] and data["not_reaching_outputs"] == ["sink"]


def test_files_round_trip_exactly(tmp_path: Path) -> None:
    p = tmp_path / "g.json"
    p.write_text(json.dumps(ISSUE_DOC))
    g = load(p)
    q = tmp_path / "g2.json"
    save(g, q)
    assert json.loads(q.read_text()) == ISSUE_DOC
    assert load(q) == g
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert graph_from_dict(graph_to_dict(g)) == g


# ------------------------------------------------------------------------------------------------------------ CLI
def test_convert_both_ways(tmp_path: Path) -> None:
    v1 = tmp_path / "net.json"
    save(examples.relu_of_sum(), v1)
    v2 = tmp_path / "net2.json"
    code, out, _ = run("convert", str(v1), "-o", str(v2))
    assert code == 0 and json.loads(v2.read_text())["version"] == 2
    assert load(v2) == to_graph(examples.relu_of_sum())
    back = tmp_path / "back.json"
    code, _, _ = run("convert", str(v2), "-o", str(back), "--version", "1")
    assert code == 0 and back.read_text() == v1.read_text()
    # a graph that is not layered: exit 2 and the reason
    g = tmp_path / "skip.json"
    g.write_text(json.dumps(ISSUE_DOC))
    code, _, err = run("convert", str(g), "-o", str(tmp_path / "no.json"), "--version", "1")
    assert code == 2 and "not layered" in err and "x1 -> h2 skips" in err
    assert not (tmp_path / "no.json").exists()


def test_info_eval_on_graph(tmp_path: Path) -> None:
    p = tmp_path / "g.json"
    p.write_text(json.dumps(ISSUE_DOC))
    code, out, _ = run("info", str(p))
    assert code == 0 and "D = 7" in out and "N_h = 2" in out and "not layered" in out
    code, out, _ = run("eval", str(p), "1", "0", "--json")
    data = json.loads(out)
    assert code == 0 and data["output"] == [str(issue_f(F(1), F(0)))] and data["pattern"] == [1, 1]
    assert data["hidden_order"] == ["h1", "h2"]


def test_layered_v2_file_works_in_layered_commands(tmp_path: Path) -> None:
    p = tmp_path / "g.json"
    save(to_graph(examples.relu_of_sum()), p)
    q = tmp_path / "n.json"
    save(examples.relu_of_sum(), q)
    a, b = run("regions", str(p), "--json"), run("regions", str(q), "--json")
    assert a[0] == 0 and a[1] == b[1]


def test_as_graph_and_edge_repr() -> None:
    net = examples.absolute_value()
    assert as_graph(net) == to_graph(net) and as_graph(as_graph(net)) == to_graph(net)
    assert repr(Edge("a", "b", F(-1, 2))) == "Edge(a -> b: -1/2)"
    assert "skip edges=1" in repr(graph_from_dict(ISSUE_DOC))
