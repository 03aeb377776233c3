"""Graph networks that are not layered: batch functional dimension at points, refusals with reasons, export to
torch/ONNX, faces and B_θ of graph complexes, global identifiability answers.

Oracles: exact one-sided difference quotients of the network (θ -> f_θ(x) is affine in each single parameter on a
region, so ``(f(θ + ε e_k) - f(θ)) / ε`` is the exact partial derivative when the pattern does not change), the
layered engine on the layered twin of every layered graph, brute force over rational grids with exact LP
feasibility, and re-import of exported files.
"""

import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exactrelu import examples, save
from exactrelu.cli import app
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.graph_layered import to_graph
from exactrelu.core.graph_random import random_graph_network, residual_network
from exactrelu.engines.flintlib import rank
from exactrelu.theory.dimension.fdim import batch_functional_dimension
from exactrelu.theory.dimension.graph_jacobian import graph_batch_functional_dimension, graph_point_jacobian

runner = CliRunner()

POINTS_1D = [[F(-3)], [F(-1, 3)], [F(1, 2)], [F(7, 5)], [F(3)], [F(-5, 4)]]
POINTS_2D = [[F(a), F(b)] for a in (-3, F(-1, 3), F(1, 2), F(7, 5), 3) for b in (F(-5, 4), F(2, 7), 2)]


def skip_nets() -> list[GraphNetwork]:
    """Graph networks that are not layered (skip edges, residual blocks, absent biases)."""
    return [random_graph_network((2, 3, 2, 1), seed=4, skip="all"),
            random_graph_network((2, 2, 2, 2), seed=1, skip=[(0, 2)], bias=F(1, 2)),
            residual_network(2, blocks=2, seed=3),
            GraphNetwork.from_edges(["x"], ["y"], [("h1", F(1, 3)), ("h2", -1), ("h3", F(1, 2)), ("y", 2)],
                                    [("x", "h1", 1), ("h1", "h2", -2), ("h2", "h3", F(1, 2)), ("h3", "y", 3),
                                     ("x", "h2", 1), ("h1", "y", -1)])]


def difference_jacobian(g: GraphNetwork, x: list[F]) -> list[list[F]] | None:
    """∂f_θ(x)/∂θ by exact difference quotients; None when a pattern changes within ±ε (x too near a kink)."""
    theta = list(g.parameters())
    eps = F(1, 10**9)
    base, pat = g(x), g.pattern(x)
    cols = []
    for k in range(len(theta)):
        plus = g.from_parameters(theta[:k] + [theta[k] + eps] + theta[k + 1:])
        minus = g.from_parameters(theta[:k] + [theta[k] - eps] + theta[k + 1:])
        if plus.pattern(x) != pat or minus.pattern(x) != pat:
            return None
        up, down = plus(x), minus(x)
        col = [(u - b) / eps for u, b in zip(up, base)]
        assert col == [(b - w) / eps for b, w in zip(base, down)]  # affine in θ_k: both sides agree exactly
        cols.append(col)
    return [list(r) for r in zip(*cols)]


# ------------------------------------------------------------------------------------ fdim --points on graphs
@pytest.mark.parametrize("idx", range(4))
def test_point_jacobian_equals_difference_quotients(idx: int) -> None:
    g = skip_nets()[idx]
    pts = POINTS_2D if g.input_dim == 2 else POINTS_1D
    checked = 0
    for x in pts:
        ref = difference_jacobian(g, x)
        if ref is None:
            continue
        J, bad = graph_point_jacobian(g, x)
        assert bad == () and J == ref
        checked += 1
    assert checked >= len(pts) // 2
    r = graph_batch_functional_dimension(g, pts)
    rows = [row for x in pts if (ref := difference_jacobian(g, x)) is not None for row in ref]
    if r.rank is not None and len(r.nondifferentiable) == 0 and checked == len(pts):
        assert r.rank == rank(rows)
    assert r.differentiable_rank <= r.upper_bound


@pytest.mark.parametrize("name", ["relu_of_sum", "three_kinks", "chain_shifted", "dead_second_layer"])
def test_batch_fdim_of_layered_twin(name: str) -> None:
    """The layered graph form gives the layered engine's batch answer (rank, differentiability) at every point set."""
    net = examples.catalogue()[name]
    pts = POINTS_2D if net.input_dim == 2 else POINTS_1D
    pts = pts + [[F(0)] * net.input_dim]
    a, b = graph_batch_functional_dimension(to_graph(net), pts), batch_functional_dimension(net, pts)
    assert (a.rank, a.differentiable_rank) == (b.rank, b.differentiable_rank)
    assert len(a.nondifferentiable) == len(b.nondifferentiable)


def test_nondifferentiable_point_and_robust_zero() -> None:
    # y = relu(x) + x: at x = 0 the kink of h reaches y -> not differentiable; with a robust zero it is.
    g = GraphNetwork.from_edges(["x"], ["y"], [("h", 0), ("y", 0)], [("x", "h", 1), ("h", "y", 1), ("x", "y", 1)])
    assert graph_point_jacobian(g, [0])[1] == ("h",)
    r = graph_batch_functional_dimension(g, [[0], [1]])
    assert r.rank is None and r.differentiable_rank == 1 and r.nondifferentiable == (((0,), ("h",)),)
    # h2 has no bias and is fed only by a vertex that is off at x: its zero is robust, f stays differentiable
    g2 = GraphNetwork.from_edges(["x"], ["y"], [("h1", -1), "h2", ("y", 0)],
                                 [("x", "h1", 1), ("h1", "h2", 1), ("h2", "y", 1), ("x", "y", 1)])
    J, bad = graph_point_jacobian(g2, [F(1, 2)])
    assert bad == () and J == difference_jacobian_robust(g2, [F(1, 2)])


def difference_jacobian_robust(g: GraphNetwork, x: list[F]) -> list[list[F]]:
    theta = list(g.parameters())
    eps = F(1, 10**9)
    base = g(x)
    cols = []
    for k in range(len(theta)):
        plus = g.from_parameters(theta[:k] + [theta[k] + eps] + theta[k + 1:])
        minus = g.from_parameters(theta[:k] + [theta[k] - eps] + theta[k + 1:])
        col = [(u - b) / eps for u, b in zip(plus(x), base)]
        assert col == [(b - w) / eps for b, w in zip(base, minus(x))]
        cols.append(col)
    return [list(r) for r in zip(*cols)]


def test_cli_fdim_points_on_a_graph(tmp_path: Path) -> None:
    g = skip_nets()[0]
    p, pts = tmp_path / "g.json", tmp_path / "pts.json"
    save(g, p)
    pts.write_text(json.dumps([[str(v) for v in x] for x in POINTS_2D]))
    out = runner.invoke(app, ["fdim", str(p), "--points", str(pts), "--json"])
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["method"] == "points" and data["rank"] == graph_batch_functional_dimension(g, POINTS_2D).rank
    out = runner.invoke(app, ["fdim", str(p), "--points", str(pts)])
    assert out.exit_code == 0 and "batch dim_fun" in out.stdout


# -------------------------------------------------------------------- layered-only commands: refusal with reason
@pytest.mark.parametrize("cmd", ["fiber", "generic", "bottleneck", "canonical", "shallow"])
def test_layered_only_commands_refuse_graphs_with_a_reason(cmd: str, tmp_path: Path) -> None:
    from exactrelu.cli._common import LAYERED_ONLY

    p = tmp_path / "skip.json"
    save(skip_nets()[0], p)
    out = runner.invoke(app, [cmd, str(p)])
    assert out.exit_code == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and str(p) in lines[0] and LAYERED_ONLY[cmd] in lines[0] and "not layered" in lines[0]
    assert "Traceback" not in out.output


@pytest.mark.parametrize("cmd,net", [("fiber", "relu_of_sum"), ("generic", "relu_of_sum"),
                                     ("canonical", "three_kinks"), ("shallow", "three_kinks")])
def test_layered_only_commands_accept_layered_graph_files(cmd: str, net: str, tmp_path: Path) -> None:
    """A version-2 file whose graph is layered is converted and gives the version-1 answer."""
    v1, v2 = tmp_path / "v1.json", tmp_path / "v2.json"
    save(examples.catalogue()[net], v1)
    save(to_graph(examples.catalogue()[net]), v2)
    a, b = runner.invoke(app, [cmd, str(v1), "--json"]), runner.invoke(app, [cmd, str(v2), "--json"])
    assert a.exit_code == b.exit_code and a.exit_code in (0, 1) and a.stdout == b.stdout
