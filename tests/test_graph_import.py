"""Exact import of models with skip connections, concatenation and bias-free layers as graph networks.

Expected values are computed here directly from the model's weights (each float converted with ``Fraction``), by the
formula the model implements, never through the graph builder.
"""

import itertools
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from exactrelu.cli import app
from exactrelu.core.errors import NotApplicableError
from exactrelu.core.graph import GraphNetwork

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from exactrelu.engines.onnx_graph import graph_from_onnx  # noqa: E402
from exactrelu.engines.torch_graph import graph_from_torch  # noqa: E402
from exactrelu.engines.torchlib import from_torch  # noqa: E402

POINTS = [tuple(F(v) for v in p) for p in itertools.product((-2, F(-1, 3), 0, F(3, 4), 2), repeat=2)]


def relu(v: F) -> F:
    return v if v > 0 else F(0)


def exact_linear(lin, x):  # type: ignore[no-untyped-def]
    W = [[F(float(w)) for w in row] for row in lin.weight.detach().tolist()]
    b = [F(float(v)) for v in lin.bias.detach().tolist()] if lin.bias is not None else [F(0)] * len(W)
    return [sum((w * v for w, v in zip(row, x)), bi) for row, bi in zip(W, b)]


class Residual(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.b1, self.b2, self.out = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)

    def forward(self, x):  # type: ignore[no-untyped-def]
        x = x + torch.relu(self.b1(x))
        x = x + self.b2(x).relu()
        return self.out(x)


class Dense(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b, self.out = torch.nn.Linear(2, 3), torch.nn.Linear(5, 2, bias=False), torch.nn.Linear(7, 1)

    def forward(self, x):  # type: ignore[no-untyped-def]
        z = torch.cat([x, torch.relu(self.a(x))], dim=1)
        return self.out(torch.cat([z, torch.nn.functional.relu(self.b(z))], dim=-1))


def test_residual_blocks_traced_exactly() -> None:
    torch.manual_seed(0)
    m = Residual()
    g = from_torch(m, graph=True)
    assert isinstance(g, GraphNetwork) and g.num_hidden == 4
    for x in POINTS:
        s = list(x)
        s = [a + relu(v) for a, v in zip(s, exact_linear(m.b1, s))]
        s = [a + relu(v) for a, v in zip(s, exact_linear(m.b2, s))]
        assert g(x) == tuple(exact_linear(m.out, s))
    with pytest.raises(NotApplicableError, match="graph=True"):
        from_torch(m)


def test_concatenation_and_bias_free_layer() -> None:
    torch.manual_seed(1)
    m = Dense()
    g = graph_from_torch(m)
    assert [v for v, b in zip(g.nodes, g.biases) if b is None] == ["h4", "h5"]  # the bias-free Linear(5, 2)
    assert g.num_parameters == 2 * 3 + 3 + 5 * 2 + 7 + 1  # the model's own parameter count: no tied weights here
    assert g.num_parameters == sum(p.numel() for p in m.parameters())
    for x in POINTS:
        z = list(x) + [relu(v) for v in exact_linear(m.a, x)]
        k = [relu(v) for v in exact_linear(m.b, z)]
        assert g(x) == tuple(exact_linear(m.out, z + k))


def test_unsupported_operation_is_named() -> None:
    class Bad(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = torch.nn.Linear(2, 2)

        def forward(self, x):  # type: ignore[no-untyped-def]
            return torch.tanh(self.a(x))

    with pytest.raises(NotApplicableError, match="tanh"):
        graph_from_torch(Bad())


def _onnx_residual() -> tuple[object, np.ndarray, np.ndarray, np.ndarray]:
    W = np.array([[1.0, -1.0], [0.5, 2.0]])
    b = np.array([0.25, -1.0])
    V = np.array([[1.0], [-3.0]])
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["z"], transB=1), helper.make_node("Relu", ["z"], ["h"]),
             helper.make_node("Add", ["x", "h"], ["s"]), helper.make_node("MatMul", ["s", "V"], ["y"])]
    graph = helper.make_graph(nodes, "res", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [1, 2])],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, [1, 1])],
                              [numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b"),
                               numpy_helper.from_array(V, "V")])
    return helper.make_model(graph), W, b, V


def test_onnx_add_of_two_branches(tmp_path: Path) -> None:
    model, W, b, V = _onnx_residual()
    g = graph_from_onnx(model)
    for x in POINTS:
        h = [relu(sum((F(w) * v for w, v in zip(row, x)), F(bi))) for row, bi in zip(W, b)]
        s = [a + c for a, c in zip(x, h)]
        assert g(x) == (sum((F(v[0]) * t for v, t in zip(V, s)), F(0)),)
    assert g.bias("y1") is None  # MatMul without Add: no output bias parameter
    # every command reads such a file: the chain importer refuses, the graph importer takes over
    p = tmp_path / "res.onnx"
    onnx.save(model, str(p))
    r = CliRunner().invoke(app, ["regions", str(p), "--json"])
    assert r.exit_code == 0, r.stderr
    r = CliRunner().invoke(app, ["info", str(p)])
    assert r.exit_code == 0 and "graph network" in r.stdout
