"""The engine on graph networks: regions, equivalence, reduction, functional dimension, symmetries, random families.

Oracles: the layered engine on the graph form of every example (a second algorithm), a brute-force enumeration of all
sign patterns with an exact feasibility test (written here, independently of the region splitting), grids of
rational points, hand-computed chains (docs/mathematics.md G3) and closed forms.
"""

import itertools
import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from exactrelu import examples, random_network, save
from exactrelu.cli import app
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.graph_layered import to_graph
from exactrelu.core.graph_random import chain_network, random_graph_network, residual_network
from exactrelu.core.graph_symmetry import (
    GraphSymmetry,
    graph_normal_form,
    graph_related_by_trivial_symmetry,
    random_graph_symmetry,
    structure_automorphisms,
)
from exactrelu.geometry.graph_regions import graph_regions
from exactrelu.geometry.polyhedra import Box, Polyhedron
from exactrelu.geometry.regions import regions
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.dimension.graph_jacobian import graph_functional_dimension
from exactrelu.theory.equality.graph_equivalence import difference_network, graph_equivalent
from exactrelu.theory.equality.graph_reduce import graph_reduce

runner = CliRunner()


def relu(v: F) -> F:
    return v if v > 0 else F(0)


def grid(d: int, pts=(-3, F(-5, 4), F(-1, 3), 0, F(1, 2), F(7, 5), 3)) -> list[tuple[F, ...]]:
    return [tuple(F(v) for v in p) for p in itertools.product(pts, repeat=d)]


# ----------------------------------------------------------------------------- every layered network as a graph
@pytest.mark.parametrize("name", sorted(examples.catalogue()))
def test_graph_regions_equal_layered_regions(name: str) -> None:
    net = examples.catalogue()[name]
    C, G = regions(net), graph_regions(to_graph(net))
    assert sorted(tuple(s for layer in r.pattern for s in layer) for r in C.regions) == [r.pattern for r in G.regions]
    assert len(C.linear_regions()) == len(G.linear_regions())
    for r in G.regions:  # the affine map of each region agrees with the layered one at its interior point
        assert net(r.point) == tuple(sum((a * v for a, v in zip(row, r.point)), c) for row, c in zip(r.A, r.c))


@pytest.mark.parametrize("name", sorted(examples.catalogue()))
def test_graph_functional_dimension_equals_layered(name: str) -> None:
    net = examples.catalogue()[name]
    a, b = graph_functional_dimension(to_graph(net)), functional_dimension(net)
    assert (a.rank, a.differentiable_rank, a.upper_bound) == (b.rank, b.differentiable_rank, b.upper_bound)


def test_random_layered_graph_forms_agree_and_are_equivalent() -> None:
    for seed in range(3):
        net = random_network((2, 3, 2, 1), seed=seed)
        g = to_graph(net)
        assert len(graph_regions(g).regions) == len(regions(net).regions)
        assert graph_functional_dimension(g).rank == functional_dimension(net).rank
        assert graph_equivalent(g, net)


# ------------------------------------------------------------- brute force: all patterns, exact feasibility
def _brute_force_patterns(g: GraphNetwork, box: tuple[F, F] | None = None) -> set[tuple[int, ...]]:
    """All ±1 patterns whose open cell is non-empty: forms by gated evaluation at d+1 points, then an exact
    dimension test of the closed cell (independent of the region-splitting code)."""
    d = g.input_dim
    order = g.hidden_order
    found = set()
    for signs in itertools.product((1, -1), repeat=len(order)):
        on = dict(zip(order, signs))

        def z_all(x: tuple[F, ...], on: dict[str, int] = on) -> dict[str, F]:
            val = dict(zip(g.inputs, x))
            z = {}
            for v in g.topological_order:
                if v in val:
                    continue
                z[v] = sum((e.weight * val[e.source] for e in g.edges if e.target == v), g.bias(v) or F(0))
                val[v] = z[v] if (v not in on or on[v] > 0) else F(0)
            return z

        base = z_all((F(0),) * d)
        units = [z_all(tuple(F(int(i == j)) for j in range(d))) for i in range(d)]
        rows = []
        for v in order:
            form = (base[v],) + tuple(u[v] - base[v] for u in units)
            if not any(form[1:]):
                if form[0] * on[v] <= 0:
                    break
                continue
            rows.append(tuple(on[v] * t for t in form))
        else:
            if box is not None:
                rows += list(Box(box[0], box[1], d).inequalities)
            if not rows or Polyhedron(tuple(rows), (), ambient_dim=d).dimension == d:
                found.add(signs)
    return found


@pytest.mark.parametrize("seed, arch, skip", [
    (0, (2, 3, 2, 1), "all"), (1, (2, 2, 2, 1), None), (2, (1, 2, 2, 2, 1), "all"), (3, (2, 3, 3, 1), None),
])
def test_skip_network_region_count_brute_force(seed: int, arch: tuple[int, ...], skip: str | None) -> None:
    g = random_graph_network(arch, seed, skip=skip)
    assert not g.edge_list() == to_graph(random_network(arch, seed)).edge_list()  # has skip edges
    patterns = {r.pattern for r in graph_regions(g).regions}
    assert patterns == _brute_force_patterns(g)
    # every pattern seen on a grid of rational points (no vanishing coordinate) is one of the regions
    seen = {g.pattern(x) for x in grid(g.input_dim)}
    assert {p for p in seen if 0 not in p} <= patterns


def test_skip_network_regions_on_a_box() -> None:
    g = random_graph_network((2, 3, 2, 1), 5, skip="all")
    C = graph_regions(g, Box(-1, 1, 2))
    assert {r.pattern for r in C.regions} == _brute_force_patterns(g, (F(-1), F(1)))
    assert all(-1 <= c <= 1 for r in C.regions for c in r.point)


# ------------------------------------------------------------------------------- docs/mathematics.md G3 chains
def test_chain_with_and_without_skip_edge() -> None:
    chain = chain_network(2)  # x -> h1 -> h2 -> y, no biases: f = relu(x)
    skip = chain_network(2, weights=[2, 1, 1], skips=[("x", "h2")], skip_weights=[-1])
    assert chain.num_parameters == 3 and skip.num_parameters == 4
    for (x,) in grid(1):
        assert chain([x]) == (relu(x),)
        assert skip([x]) == (relu(relu(2 * x) - x),)  # = x for x > 0, -x for x < 0: |x|
        assert skip([x]) == (abs(x),)
    assert [r.pattern for r in graph_regions(chain).regions] == [(-1, 0), (1, 1)]
    assert [r.pattern for r in graph_regions(skip).regions] == [(-1, 1), (1, 1)]
    # fdim: the chain is w1 w2 w3 relu(x) (1 direction); with the skip edge two slopes are free
    c, s = graph_functional_dimension(chain), graph_functional_dimension(skip)
    assert (c.rank, c.upper_bound) == (1, 1)
    assert (s.rank, s.upper_bound) == (2, 2)
    # |x| is computed by the layered absolute_value network: the same function
    assert graph_equivalent(skip, examples.absolute_value())
    assert not graph_equivalent(chain, examples.absolute_value())


def test_bias_free_balance_matrix_of_the_g3_chain() -> None:
    g = chain_network(2, skips=[("x", "h2")])
    assert g.balance_matrix() == ((1, -1, 0, 0), (0, 1, -1, 1))
    assert g.parameter_names() == ("w_x_h1", "w_h1_h2", "w_h2_y", "w_x_h2")


# ------------------------------------------------------------------------------------------------- equivalence
def test_difference_network_and_witness() -> None:
    a = random_graph_network((2, 2, 2, 1), 7, skip="all")
    b = a.with_weights({("h1_1", "y1"): a.edges[a.edge_index("h1_1", "y1")].weight + 1})
    diff = difference_network(a, b)
    for x in grid(2)[:20]:
        assert diff(x) == tuple(p - q for p, q in zip(a(x), b(x)))
    res = graph_equivalent(a, b)
    assert not res and res.witness is not None
    assert a(res.witness.x) == res.witness.a != res.witness.b == b(res.witness.x)


def test_residual_block_equals_its_formula() -> None:
    r = residual_network(1, blocks=1, outputs=1, seed=4)
    w, b = r.edges[r.edge_index("x1", "h1_1")].weight, r.bias("h1_1")
    a1, a2 = r.edges[r.edge_index("x1", "y1")].weight, r.edges[r.edge_index("h1_1", "y1")].weight
    assert a1 == a2  # tied: the read-out of the stream x + relu(w x + b)
    for (x,) in grid(1):
        assert r([x]) == (a1 * (x + relu(w * x + b)) + r.bias("y1"),)


# -------------------------------------------------------------------------------------- symmetries (property)
@st.composite
def graph_and_symmetry(draw):  # type: ignore[no-untyped-def]
    d = draw(st.integers(1, 2))
    widths = draw(st.lists(st.integers(1, 2), min_size=1, max_size=2))
    arch = (d, *widths, draw(st.integers(1, 2)))
    g = random_graph_network(arch, draw(st.integers(0, 10_000)), density=F(draw(st.integers(0, 4)), 4),
                             bias=draw(st.sampled_from([True, False, 0.5])))
    return g, random_graph_symmetry(g, draw(st.integers(0, 10_000)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph_and_symmetry())
def test_random_trivial_symmetry_never_changes_the_function(case) -> None:  # type: ignore[no-untyped-def]
    g, sym = case
    h = sym.apply(g)
    for x in grid(g.input_dim, (-2, F(-1, 3), F(1, 2), 3)):
        assert h(x) == g(x)
    res = graph_equivalent(g, h)
    assert res, res
    assert graph_normal_form(g) == graph_normal_form(h)
    found = graph_related_by_trivial_symmetry(g, h)
    assert found is not None and found.apply(g) == h


def test_symmetry_of_a_non_layered_graph_and_a_non_symmetry() -> None:
    g = GraphNetwork.from_edges(["x"], ["y"], [("a", 1), ("b", -1), ("c", 2), "y"],
                                [("x", "a", 2), ("x", "b", 1), ("a", "c", 1), ("b", "c", 3), ("c", "y", 1),
                                 ("x", "y", 1), ("a", "y", 1), ("b", "y", -2)])
    assert len(list(structure_automorphisms(g))) == 2  # identity and a <-> b
    h = GraphSymmetry((("a", "b"), ("b", "a")), (("c", F(3)), ("a", F(1, 7)))).apply(g)
    assert graph_equivalent(g, h).method == "trivial-symmetry"
    assert graph_normal_form(g) == graph_normal_form(h)
    other = g.with_weights({("x", "y"): 2})
    assert graph_related_by_trivial_symmetry(g, other) is None
    assert not graph_equivalent(g, other)


# ----------------------------------------------------------------------------------------------------- reduce
def test_reduce_keeps_the_function() -> None:
    base = random_graph_network((2, 3, 2, 1), 3, skip="all")
    extra = GraphNetwork(base.inputs, base.nodes[:-1] + ("dead", "konst", "lost") + base.nodes[-1:],
                         base.outputs,
                         base.edges + tuple(GraphNetwork.from_edges(
                             ["x1", "x2"], ["y1"], [("dead", -1), ("konst", 3), ("lost", 0), "y1"],
                             [("x1", "dead", 0), ("dead", "y1", 4), ("konst", "y1", F(1, 2)),
                              ("x2", "lost", 1)]).edges),
                         base.biases[:-1] + (F(-1), F(3), F(0)) + base.biases[-1:])
    r = graph_reduce(extra)
    assert r.network.num_hidden <= base.num_hidden
    assert {v for v, _ in r.removed_vertices} >= {"dead", "konst", "lost"}
    assert graph_equivalent(r.network, extra)


# --------------------------------------------------------------------------------------------------------- CLI
def test_cli_commands_accept_graphs(tmp_path: Path) -> None:
    p = tmp_path / "g.json"
    code = runner.invoke(app, ["random", "2,2,2,1", "--graph", "--skip", "all", "--seed", "3", "-o", str(p)]).exit_code
    assert code == 0 and json.loads(p.read_text())["version"] == 2
    out = runner.invoke(app, ["regions", str(p), "--json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["activation_regions"] >= 1
    out = runner.invoke(app, ["fdim", str(p), "--json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["kind"] == "graph"
    out = runner.invoke(app, ["identify", str(p), "--json"])
    assert out.exit_code == 0 and "locally_identifiable" in json.loads(out.stdout)
    nf = tmp_path / "nf.json"
    assert runner.invoke(app, ["normal-form", str(p), "-o", str(nf)]).exit_code == 0
    out = runner.invoke(app, ["equiv", str(p), str(nf), "--json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["equivalent"] is True
    red = tmp_path / "red.json"
    assert runner.invoke(app, ["reduce", str(p), "-o", str(red)]).exit_code == 0
    assert runner.invoke(app, ["equiv", str(p), str(red)]).exit_code == 0
    q = tmp_path / "layered.json"
    save(examples.relu_of_sum(), q)
    out = runner.invoke(app, ["equiv", str(p), str(q)])
    assert out.exit_code == 1 and "NOT equivalent" in out.stdout
    for fam, arch in (("residual", "2,2,2,1"), ("dense", "1,2,2,1"), ("chain", "1,1,1,1")):
        out = runner.invoke(app, ["random", arch, "--graph", "--family", fam, "--json"])
        assert out.exit_code == 0, out.stderr
    out = runner.invoke(app, ["random", "2,3,1", "--graph", "--family", "residual"])
    assert out.exit_code == 2 and "hidden widths must equal" in out.stderr


@pytest.mark.parametrize("name", ["relu_of_sum", "three_kinks", "dead_second_layer", "chain_shifted"])
def test_cli_same_answers_for_v1_and_v2_files(name: str, tmp_path: Path) -> None:
    net = examples.catalogue()[name]
    v1, v2 = tmp_path / "v1.json", tmp_path / "v2.json"
    save(net, v1)
    save(to_graph(net), v2)
    for cmd in (["regions", "--json"], ["fdim", "--json"], ["identify", "--json"]):
        a = runner.invoke(app, [cmd[0], str(v1), *cmd[1:]])
        b = runner.invoke(app, [cmd[0], str(v2), *cmd[1:]])
        assert a.exit_code == b.exit_code == 0 and a.stdout == b.stdout, cmd
    assert runner.invoke(app, ["equiv", str(v1), str(v2)]).exit_code == 0


def test_bias_free_layered_file_counts_only_its_parameters(tmp_path: Path) -> None:
    """docs/mathematics.md G1: [2,2,5,3] without biases has D = 29; fdim and identify use the graph's parameters."""
    g = to_graph(random_network((2, 2, 5, 3), seed=2))
    free = GraphNetwork(g.inputs, g.nodes, g.outputs, g.edges, (None,) * len(g.nodes))
    p = tmp_path / "free.json"
    save(free, p)
    out = runner.invoke(app, ["fdim", str(p), "--json"])
    data = json.loads(out.stdout)
    assert out.exit_code == 0 and data["parameters"] == 29 and data["hidden_vertices"] == 7
    assert data["rank"] <= data["upper_bound"] <= 29 - 7 + 7  # bound D - s(θ), s(θ) <= N_h
    out = runner.invoke(app, ["regions", str(p), "--json"])  # the function: the layered engine with biases 0
    assert out.exit_code == 0 and json.loads(out.stdout)["activation_regions"] == len(graph_regions(free).regions)
    nf = graph_normal_form(free)
    assert all(b is None for b in nf.biases) and graph_equivalent(nf, free)
