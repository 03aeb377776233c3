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


# ----------------------------------------------------------------------- faces and B_θ of graph complexes
def layered_with_carries(g: GraphNetwork):  # type: ignore[no-untyped-def]
    """A layered network computing the same function as ``g`` (written here, independently of the engine): every
    input is carried as relu(x), relu(-x) and every hidden value h >= 0 as relu(h) through the later layers."""
    from exactrelu import Network

    depth = g.depths()
    hid = list(g.hidden_order)
    lev = {v: max(1, depth[v]) for v in hid}
    L = max(lev.values(), default=0)
    d = g.input_dim
    prev: list[tuple[str, str]] = [("in", x) for x in g.inputs]  # what each unit of the previous layer holds
    layers = []

    def weights_into(v: str, units: list[tuple[str, str]], first: bool) -> list[F]:
        row = [F(0)] * len(units)
        for k in g.in_edges(v):
            e = g.edges[k]
            if e.source in g.inputs:
                if first:
                    row[units.index(("in", e.source))] += e.weight
                else:
                    row[units.index(("+", e.source))] += e.weight
                    row[units.index(("-", e.source))] -= e.weight
            else:
                row[units.index(("h", e.source))] += e.weight
        return row

    for layer in range(1, L + 1):
        units = [(s, x) for x in g.inputs for s in ("+", "-")] + [("h", v) for v in hid if lev[v] < layer]
        units += [("h", v) for v in hid if lev[v] == layer]
        W, b = [], []
        for kind, name in units:
            if kind in "+-":
                sgn = 1 if kind == "+" else -1
                src = ("in", name) if layer == 1 else (kind, name)
                row = [F(0)] * len(prev)
                row[prev.index(src)] = F(sgn) if layer == 1 else F(1)
                W.append(row)
                b.append(F(0))
            elif lev[name] < layer:
                row = [F(0)] * len(prev)
                row[prev.index(("h", name))] = F(1)
                W.append(row)
                b.append(F(0))
            else:
                W.append(weights_into(name, prev, layer == 1))
                b.append(g.bias(name) or F(0))
        layers.append((W, b))
        prev = units
    W = [weights_into(y, prev, L == 0) for y in g.outputs]
    layers.append((W, [g.bias(y) or F(0) for y in g.outputs]))
    net = Network.from_lists(layers)
    assert net.input_dim == d
    return net


def brute_force_cells(g: GraphNetwork) -> set[tuple[tuple[int, ...], int]]:
    """Every non-empty ternary sign set {x : sign z_v(x) = σ_v} with its dimension: all 3^N sequences, forms by
    gated evaluation in topological order, one exact slack LP each (never the complex code)."""
    import itertools

    from exactrelu.engines.cddlib import slack_point

    d = g.input_dim
    order = g.hidden_order
    out = set()
    for sigma in itertools.product((-1, 0, 1), repeat=len(order)):
        on = {v: s for v, s in zip(order, sigma)}
        post = {x: tuple(F(int(j == i + 1)) for j in range(d + 1)) for i, x in enumerate(g.inputs)}
        strict, eq, ok = [], [], True
        for v in g.topological_order:
            if v in post or v not in on:
                continue
            z = [g.bias(v) or F(0)] + [F(0)] * d
            for k in g.in_edges(v):
                e = g.edges[k]
                if e.source in post:
                    z = [a + e.weight * c for a, c in zip(z, post[e.source])]
            s = on[v]
            if not any(z[1:]):
                ok = ok and ((z[0] > 0) - (z[0] < 0)) == s
            elif s == 0:
                eq.append(tuple(z))
            else:
                strict.append(tuple(s * c for c in z))
            if s > 0:
                post[v] = tuple(z)
        if not ok or slack_point(strict, eq, d) is None:
            continue
        out.add((sigma, d - (rank([list(r[1:]) for r in eq]) if eq else 0)))
    return out


def graph_nets_for_faces() -> list[GraphNetwork]:
    return [random_graph_network((2, 2, 2, 1), seed=4, skip="all"),
            random_graph_network((2, 2, 2, 2), seed=1, skip=[(0, 2)], bias=F(1, 2)),
            residual_network(2, blocks=2, seed=3),
            GraphNetwork.from_edges(["x1", "x2"], ["y"], [("a", 0), ("b", 0), "c", ("y", 0)],
                                    [("x1", "a", 1), ("x2", "a", 1), ("x1", "b", 1), ("x2", "b", -1),
                                     ("a", "c", 1), ("x1", "c", -1), ("c", "y", 1), ("b", "y", 2), ("x2", "y", 1)])]


@pytest.mark.parametrize("idx", range(4))
def test_graph_faces_against_brute_force_sign_sets(idx: int) -> None:
    from exactrelu.geometry.graph_complex import graph_complex

    g = graph_nets_for_faces()[idx]
    C = graph_complex(g)
    got = {(tuple(s for (s,) in f.sign_sequence), f.dimension) for k in range(3) for f in C.faces(k)}
    assert got == brute_force_cells(g)
    counts = [len(C.faces(k)) for k in range(3)]
    assert counts[0] - counts[1] + counts[2] == 1  # Euler characteristic (compact support) of R^2
    C.check_balancing()  # the jumps around every interior vertex sum to 0 (raises otherwise)
    for f in C.faces(1):  # each edge's point has the stated sign sequence, as evaluated by the network
        assert tuple((s,) for s in g.pattern(f.point)) == f.sign_sequence


@pytest.mark.parametrize("idx", range(4))
def test_graph_breakpoint_complex_equals_that_of_a_layered_network_with_the_same_function(idx: int) -> None:
    from exactrelu.geometry.graph_complex import graph_complex
    from exactrelu.geometry.regions import regions

    g = graph_nets_for_faces()[idx]
    net = layered_with_carries(g)
    for x in [[F(a), F(b)] for a in (-2, F(1, 3), 3) for b in (F(-7, 5), 0, 2)]:
        assert net(x) == g(x)
    B, B2 = graph_complex(g).breakpoint_complex(), regions(net).breakpoint_complex()
    assert B == B2 and B.num_regions == len(graph_complex(g).linear_regions())


@pytest.mark.parametrize("name", ["relu_of_sum", "three_kinks", "dead_second_layer", "chain_shifted"])
def test_layered_twin_gives_identical_faces_and_breakpoints(name: str) -> None:
    from exactrelu.geometry.graph_complex import graph_complex, graph_complex_summary
    from exactrelu.geometry.regions import regions, summary

    net = examples.catalogue()[name]
    C, G = regions(net), graph_complex(to_graph(net))
    assert [tuple(s for layer in r.pattern for s in layer) for r in C.regions] == \
        [tuple(s for (s,) in r.pattern) for r in G.regions]
    assert [r.polyhedron for r in C.regions] == [r.polyhedron for r in G.regions]
    for k in range(net.input_dim + 1):
        a = sorted((tuple(s for layer in f.sign_sequence for s in layer), f.boundary, f.polyhedron, f.regions)
                   for f in C.faces(k))
        b = sorted((tuple(s for (s,) in f.sign_sequence), f.boundary, f.polyhedron, f.regions) for f in G.faces(k))
        assert a == b
    assert C.breakpoint_complex() == G.breakpoint_complex()
    s1, s2 = summary(C, faces=True, breakpoints=True), graph_complex_summary(G, faces=True, breakpoints=True)
    for key in ("activation_regions", "linear_regions", "bounded_regions", "vertices", "facets", "interior_facets",
                "ridges_balanced", "breakpoint_regions", "breakpoint_facets", "breakpoint_ridges",
                "breakpoint_vertices", "supertransversal"):
        assert s1[key] == s2[key], key
    assert len(s1["dead_neurons"]) == len(s2["dead_vertices"])


# ------------------------------------------------------------------ regions --faces/--breakpoints/--certificate
def test_cli_regions_all_and_certificate_on_a_graph(tmp_path: Path) -> None:
    from exactrelu.core.errors import CertificateError
    from exactrelu.geometry.certificate import check_certificate
    from exactrelu.geometry.graph_complex import graph_complex

    g = graph_nets_for_faces()[0]
    p, cert, exp = tmp_path / "g.json", tmp_path / "cert.json", tmp_path / "cx.json"
    save(g, p)
    out = runner.invoke(app, ["regions", str(p), "--all", "--json", "--certificate", str(cert), "--export", str(exp)])
    assert out.exit_code == 0, out.stderr
    info = json.loads(out.stdout)
    C = graph_complex(g)
    B = layered_regions_breakpoints(g)
    assert info["vertices"] == len(C.faces(0)) and info["breakpoint_regions"] == B.num_regions
    assert info["breakpoint_facets"] == len(B.facets) and info["linear_regions"] == B.num_regions
    out = runner.invoke(app, ["check-certificate", str(cert), "--json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["regions"] == len(C.regions)
    doc = json.loads(cert.read_text())
    assert doc["networks"][0]["version"] == 2
    assert json.loads(exp.read_text())["regions"][0]["pattern"] == [s for (s,) in C.regions[0].pattern]
    # the checker re-derives every sign: a flipped sign or a dropped region is caught
    bad = json.loads(cert.read_text())
    bad["regions"][0]["patterns"][0][0] *= -1
    with pytest.raises(CertificateError):
        check_certificate(bad)
    bad = json.loads(cert.read_text())
    del bad["regions"][1]
    with pytest.raises(CertificateError, match="not matched|cover"):
        check_certificate(bad)
    out = runner.invoke(app, ["regions", str(p)])
    assert out.exit_code == 0 and "not computed (--faces)" in out.stdout


def layered_regions_breakpoints(g: GraphNetwork):  # type: ignore[no-untyped-def]
    from exactrelu.geometry.regions import regions

    return regions(layered_with_carries(g)).breakpoint_complex()


# ----------------------------------------------------------------------------- export to torch / ONNX
def dyadic(g: GraphNetwork, den: int = 64) -> GraphNetwork:
    """The same graph with every parameter rounded to a multiple of 1/den (float64 entries, so exports are exact);
    zero weights are kept as edges of weight 0 (they are parameters too)."""
    return g.from_parameters([F(round(t * den), den) for t in g.parameters()])


def export_nets() -> list[GraphNetwork]:
    free = random_graph_network((2, 3, 2, 2), seed=5, skip="all", bias=False)
    zero = GraphNetwork.from_edges(["x1", "x2"], ["y1", "y2"], [("a", F(1, 2)), "b", ("y1", 0), "y2"],
                                   [("x1", "a", 0), ("x2", "a", 3), ("a", "b", F(-1, 4)), ("x1", "b", 1),
                                    ("b", "y1", 2), ("x2", "y1", F(5, 8)), ("a", "y2", 1), ("x1", "y2", -1)])
    return [dyadic(g) for g in skip_nets()] + [dyadic(free), zero]


def same_graph_up_to_names(g: GraphNetwork, h: GraphNetwork) -> bool:
    """Equal inputs/outputs count, and the same edges (with weights) and biases after renaming h's vertices: its
    hidden vertices are created in g's topological order, its outputs in g's output order."""
    names = dict(zip(h.inputs, g.inputs)) | dict(zip(h.outputs, g.outputs))
    names |= dict(zip([v for v in h.topological_order if v in set(h.hidden)],
                      [v for v in g.topological_order if v in set(g.hidden)]))
    edges_g = sorted((e.source, e.target, e.weight) for e in g.edges)
    edges_h = sorted((names[e.source], names[e.target], e.weight) for e in h.edges)
    return edges_g == edges_h and {v: g.bias(v) for v in g.nodes} == {names[v]: h.bias(v) for v in h.nodes}


@pytest.mark.parametrize("idx", range(6))
def test_onnx_export_round_trips_exactly(idx: int, tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    from exactrelu.engines.graph_export import graph_to_onnx
    from exactrelu.engines.onnx_graph import graph_from_onnx

    g = export_nets()[idx]
    path = tmp_path / "g.onnx"
    _, rounding = graph_to_onnx(g, path)
    assert rounding.exact
    h = graph_from_onnx(str(path))
    assert same_graph_up_to_names(g, h)
    for x in (POINTS_2D if g.input_dim == 2 else POINTS_1D)[:6]:
        assert h(x) == g(x)


@pytest.mark.parametrize("idx", range(6))
def test_torch_export_round_trips_exactly(idx: int) -> None:
    torch = pytest.importorskip("torch")
    from exactrelu.engines.graph_export import graph_to_torch
    from exactrelu.engines.torch_graph import graph_from_torch

    g = export_nets()[idx]
    model, rounding = graph_to_torch(g)
    assert rounding.exact
    h = graph_from_torch(model, input_dim=g.input_dim)
    assert same_graph_up_to_names(g, h)
    pts = [x for x in (POINTS_2D if g.input_dim == 2 else POINTS_1D) if all(v.denominator in (1, 2, 4) for v in x)]
    Y = model(torch.tensor([[float(v) for v in x] for x in pts], dtype=torch.float64))
    for x, y in zip(pts, Y.tolist()):  # dyadic inputs and weights: float64 evaluation is exact here
        assert [F(v) for v in y] == list(g(x))


def test_onnx_export_rounding_and_refusals(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    g = skip_nets()[0]  # thirds and fifths: not float64
    src, out = tmp_path / "g.json", tmp_path / "g.onnx"
    save(g, src)
    res = runner.invoke(app, ["export", str(src), "-o", str(out), "--json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["kind"] == "graph" and data["rounding"]["exact"] is False
    assert runner.invoke(app, ["info", str(out), "--json"]).exit_code == 0
    res = runner.invoke(app, ["export", str(src), "-o", str(tmp_path / "g.npz")])
    assert res.exit_code == 2 and "cannot be written as .npz" in res.stderr and len(res.stderr.splitlines()) == 1
    const = GraphNetwork.from_edges(["x"], ["y"], [("c", 1), ("y", 0)], [("c", "y", 1), ("x", "y", 1)])
    save(const, src)
    res = runner.invoke(app, ["export", str(src), "-o", str(out)])
    assert res.exit_code == 2 and "no incoming edge" in res.stderr


# ------------------------------------------------------------------------------ global identifiability
def agree_on_grid(g: GraphNetwork, h: GraphNetwork) -> bool:
    pts = [[F(a), F(b)] for a in (-3, F(-2, 3), F(1, 7), 2) for b in (F(-5, 2), 0, F(3, 4), 4)]
    pts = pts if g.input_dim == 2 else [[F(v)] for v in (-3, F(-2, 3), F(-1, 7), 0, F(1, 7), F(1, 2), 2, 9)]
    return all(g(x) == h(x) for x in pts)


def witness_cases() -> list[tuple[GraphNetwork, str, bool]]:
    dead = GraphNetwork.from_edges(["x"], ["y"], [("a", 0), ("v", -1), ("y", 0)],
                                   [("x", "a", 1), ("a", "v", -1), ("v", "y", 2), ("a", "y", 1)])
    invisible = GraphNetwork.from_edges(["x"], ["y"], [("a", 1), ("v", -1), ("y", 0)],
                                        [("x", "a", 1), ("a", "v", 2), ("v", "y", 0), ("a", "y", 1)])
    active = GraphNetwork.from_edges(["x"], ["y"], [("a", 0), ("v", 1), ("y", 0)],
                                     [("x", "a", 1), ("a", "v", 1), ("v", "y", 2), ("x", "y", 1)])
    return [(skip_nets()[0], "orientation flip through skip edges", False),
            (residual_network(2, blocks=2, seed=3), "orientation flip through skip edges", False),
            (dead, "dead vertex", True), (invisible, "invisible vertex", True),
            (active, "always-active vertex (bias shift)", False)]


@pytest.mark.parametrize("idx", range(5))
def test_global_non_identifiability_witnesses(idx: int, tmp_path: Path) -> None:
    from exactrelu.core.graph_symmetry import graph_related_by_trivial_symmetry
    from exactrelu.theory.dimension.graph_identify import graph_global_identifiability

    g, mech, line = witness_cases()[idx]
    r = graph_global_identifiability(g)
    assert r.globally_identifiable is False and r.mechanism == mech and r.line == line
    eta = r.witness
    assert eta is not None and agree_on_grid(g, eta) and graph_related_by_trivial_symmetry(g, eta) is None
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    save(g, a)
    save(eta, b)
    assert runner.invoke(app, ["equiv", str(a), str(b)]).exit_code == 0
    out = runner.invoke(app, ["identify", str(a), "--json"])
    data = json.loads(out.stdout)
    assert out.exit_code == 0 and data["globally_identifiable"] is False
    assert (data["locally_identifiable"] is False) == line
    assert GraphNetwork.from_parameters(g, [F(v) for v in eta.parameters()]) == eta


def test_global_identifiability_undecided_says_why() -> None:
    from exactrelu.theory.dimension.graph_identify import graph_global_identifiability

    g = GraphNetwork.from_edges(["x"], ["y"], [("a", 0), ("c", -1), "y"],
                                [("x", "a", 1), ("a", "c", 1), ("a", "y", 1), ("c", "y", 3)])
    r = graph_global_identifiability(g)
    assert r.globally_identifiable is None and "no global identifiability theorem" in r.reason


@pytest.mark.parametrize("name", ["relu_of_sum", "three_kinks", "dead_second_layer", "chain_shifted",
                                  "relu_minus_shifted_relu"])
def test_global_answers_agree_with_the_layered_twin(name: str) -> None:
    """A "no" on the graph form of a layered network is a "no" for the layered engine too (never a contradiction)."""
    from exactrelu.theory.dimension.graph_identify import graph_global_identifiability
    from exactrelu.theory.dimension.identifiability import identifiability

    net = examples.catalogue()[name]
    a, b = graph_global_identifiability(to_graph(net)), identifiability(net)
    assert a.globally_identifiable in (None, False)
    if a.globally_identifiable is False:
        assert b.globally_identifiable is False and agree_on_grid(to_graph(net), a.witness)


@pytest.mark.parametrize("name", ["relu_of_sum", "three_kinks", "chain_shifted"])
def test_graph_export_of_the_layered_twin(name: str, tmp_path: Path) -> None:
    """The graph export of a layered network's graph form imports back to the same layered network, and computes
    what the layered export computes."""
    pytest.importorskip("onnx")
    from exactrelu.core.graph_layered import to_layered
    from exactrelu.engines.graph_export import graph_to_onnx
    from exactrelu.engines.onnx_graph import graph_from_onnx
    from exactrelu.engines.onnxlib import from_onnx, to_onnx

    g = dyadic(to_graph(examples.catalogue()[name]))
    net = to_layered(g)
    graph_to_onnx(g, tmp_path / "g.onnx")
    to_onnx(net, tmp_path / "n.onnx")
    h = graph_from_onnx(str(tmp_path / "g.onnx"))
    assert same_graph_up_to_names(g, h)
    assert from_onnx(str(tmp_path / "n.onnx")) == net
    for x in (POINTS_2D if net.input_dim == 2 else POINTS_1D):
        assert h(x) == net(x)


def test_graph_complex_on_a_box_domain() -> None:
    """On a box: the faces of the layered twin (with their boundary rows), the Euler characteristic of a closed
    polytope (1) and an independently checked certificate."""
    from exactrelu.geometry.certificate import check_certificate, complex_certificate
    from exactrelu.geometry.graph_complex import graph_complex
    from exactrelu.geometry.polyhedra import Box
    from exactrelu.geometry.regions import regions

    dom = Box(F(-1), F(2), 2)
    net = examples.relu_of_sum()
    C, G = regions(net, dom), graph_complex(to_graph(net), dom)
    for k in range(3):
        assert sorted((tuple(s for layer in f.sign_sequence for s in layer), f.boundary, f.polyhedron)
                      for f in C.faces(k)) == \
            sorted((tuple(s for (s,) in f.sign_sequence), f.boundary, f.polyhedron) for f in G.faces(k))
    assert C.breakpoint_complex() == G.breakpoint_complex()
    G = graph_complex(graph_nets_for_faces()[0], dom)
    counts = [len(G.faces(k)) for k in range(3)]
    assert counts[0] - counts[1] + counts[2] == 1
    assert check_certificate(complex_certificate(G))["regions"] == len(G.regions)
