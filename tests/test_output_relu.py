"""An output ReLU imported exactly as a hidden layer + identity output layer (docs/mathematics.md §1).

Expected values come from closed forms (region counts of small arrangements), from ``max(0, net(x))`` computed on
the network without the ReLU, and from importing the same weights without it (a second import path).
"""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from exactrelu import Network, ends_with_output_relu, examples, load, load_network, regions, with_output_relu
from exactrelu.cli import app
from exactrelu.core.errors import FormatError

runner = CliRunner()


def _dyadic(draw: st.DrawFn) -> F:
    return F(draw(st.integers(-(2**20), 2**20)), 2 ** draw(st.integers(0, 40)))


@st.composite
def nets_and_points(draw: st.DrawFn) -> tuple[Network, list[F]]:
    """Trained-style networks (entries k/2^e, e <= 40) of depth 1..3 and width 1..3, and a dyadic input."""
    widths = draw(st.lists(st.integers(1, 3), min_size=2, max_size=4))
    layers = [([[_dyadic(draw) for _ in range(a)] for _ in range(b)], [_dyadic(draw) for _ in range(b)])
              for a, b in zip(widths, widths[1:])]
    return Network.from_lists(layers), [_dyadic(draw) for _ in range(widths[0])]


@settings(max_examples=60, deadline=None)
@given(nets_and_points())
def test_the_function_is_relu_of_the_network_exactly(case: tuple[Network, list[F]]) -> None:
    net, x = case
    g = with_output_relu(net)
    assert g.architecture == net.architecture + (net.output_dim,)
    assert g(x) == tuple(max(F(0), v) for v in net(x))
    assert g.pattern(x)[:-1] == net.pattern(x)  # the hidden signs are unchanged; the output sign is appended
    assert ends_with_output_relu(g)
    assert g.num_parameters == net.num_parameters + net.output_dim ** 2 + net.output_dim


def test_regions_count_the_output_sign_closed_forms() -> None:
    # relu(x) - 1 on R: 2 regions (x < 0, x > 0); with the output ReLU the output sign splits x > 0 at x = 1: 3
    net = Network.from_lists([([[1]], [0]), ([[1]], [-1])])
    assert len(regions(net).regions) == 2 and len(regions(with_output_relu(net)).regions) == 3
    # relu(x1) + relu(x2) - 1 on R^2: 4 quadrants; the output is positive somewhere in 3 of them (x1 + x2 > 1,
    # x1 > 1, x2 > 1) and each of those is cut once: 4 + 3 = 7, the documented count of examples.relu_of_sum
    inner = Network(examples.relu_of_sum().layers[:-1])
    assert len(regions(inner).regions) == 4
    assert with_output_relu(inner) == examples.relu_of_sum()
    assert len(regions(with_output_relu(inner)).regions) == 7


def test_recognition_needs_the_identity_with_bias_zero() -> None:
    base = [([[1, 0], [0, 1]], [0, 0])]
    assert ends_with_output_relu(Network.from_lists(base + [([[1, 0], [0, 1]], [0, 0])]))
    assert not ends_with_output_relu(Network.from_lists(base + [([[1, 0], [0, 1]], [0, F(1, 2)])]))
    assert not ends_with_output_relu(Network.from_lists(base + [([[0, 1], [1, 0]], [0, 0])]))
    assert not ends_with_output_relu(Network.from_lists(base + [([[1, 0]], [0])]))
    assert not ends_with_output_relu(Network.from_lists([([[1]], [0])]))  # no hidden layer: affine
    assert not ends_with_output_relu("not a network")


def _weights(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"fc0.weight": rng.standard_normal((5, 3)).astype(np.float32),
            "fc0.bias": rng.standard_normal(5).astype(np.float32),
            "fc1.weight": rng.standard_normal((2, 5)).astype(np.float32),
            "fc1.bias": rng.standard_normal(2).astype(np.float32)}


def test_weight_files_say_it_with_output_relu(tmp_path: Path) -> None:
    path = tmp_path / "w.npz"
    np.savez(path, **_weights())
    plain = load_network(path)
    g = load_network(path, output_relu=True)
    assert plain.architecture == (3, 5, 2) and g == with_output_relu(plain)
    assert load_network(path, output_relu=True, architecture=(3, 5, 2)) == g  # the model's own shapes
    js = tmp_path / "net.json"
    code = runner.invoke(app, ["import", str(path), "--output-relu", "-o", str(js), "--json"])
    assert code.exit_code == 0, code.output
    doc = json.loads(code.stdout)
    assert doc["output_relu"] is True and doc["architecture"] == [3, 5, 2, 2] and doc["parameters"] == 32 + 6
    assert load(js) == g
    r = runner.invoke(app, ["import", str(path), "--output-relu", "-o", str(tmp_path / "n2.json")])
    assert r.exit_code == 0 and "output ReLU: imported as hidden layer 2 (width 2)" in r.stdout
    r = runner.invoke(app, ["info", str(js), "--json"])
    assert json.loads(r.stdout)["output_relu"] is True
    r = runner.invoke(app, ["info", str(js)])
    assert "ReLU (output ReLU)" in r.stdout and "identity (output)" in r.stdout and "ends with a ReLU" in r.stdout
    r = runner.invoke(app, ["info", str(path), "--json"])  # the plain weight file: no output ReLU
    assert json.loads(r.stdout)["output_relu"] is False
    r = runner.invoke(app, ["import", str(js), "--output-relu", "-o", str(tmp_path / "n3.json")])
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1 and "--output-relu" in r.stderr
    with pytest.raises(FormatError, match="not to exactrelu JSON"):
        load_network(js, output_relu=True)


def test_torch_modules_and_state_dicts(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch not installable here (pip install 'exactrelu[torch]')")
    from exactrelu import from_torch

    torch.manual_seed(3)
    body = [torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)]
    with_relu = torch.nn.Sequential(*body, torch.nn.ReLU(), torch.nn.Flatten())
    without = torch.nn.Sequential(*body)
    g = from_torch(with_relu)
    assert g == with_output_relu(from_torch(without)) and g.architecture == (3, 4, 2, 2)
    assert from_torch(without.state_dict(), output_relu=True) == g
    assert from_torch(with_relu, architecture=(3, 4, 2)) == g
    with pytest.raises(FormatError, match="ends with a Linear"):
        from_torch(without, output_relu=True)
    # a checkpoint {"state_dict": ..., "widths": [...]} (relucent's fixture layout) reads with or without torch
    import io

    from exactrelu.engines.formats import read_torch_state_dict

    buf = io.BytesIO()
    torch.save({"state_dict": without.double().state_dict(), "widths": [3, 4, 2]}, buf)
    path = tmp_path / "ckpt.pt"
    path.write_bytes(buf.getvalue())
    assert set(read_torch_state_dict(path)) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert load_network(path, output_relu=True) == from_torch(torch.nn.Sequential(*body, torch.nn.ReLU()))
    x = torch.tensor([[0.5, -0.25, 3.0]], dtype=torch.float64)
    exact = g([F(1, 2), F(-1, 4), F(3)])
    y = with_relu.double()(x)[0].tolist()
    assert all(abs(float(e) - a) <= 1e-12 * (1 + abs(a)) for e, a in zip(exact, y))


def test_onnx_graph_ending_with_relu(tmp_path: Path) -> None:
    pytest.importorskip("onnx", reason="onnx not installable here (pip install 'exactrelu[onnx]')")
    from onnx import TensorProto, helper, numpy_helper

    from exactrelu import from_onnx

    w = _weights(1)
    nodes = [helper.make_node("Gemm", ["x", "W0", "b0"], ["z0"], name="l0", transB=1),
             helper.make_node("Relu", ["z0"], ["a0"], name="r0"),
             helper.make_node("Gemm", ["a0", "W1", "b1"], ["z1"], name="l1", transB=1),
             helper.make_node("Relu", ["z1"], ["y"], name="r1")]
    inits = [numpy_helper.from_array(w[k], n) for k, n in (("fc0.weight", "W0"), ("fc0.bias", "b0"),
                                                             ("fc1.weight", "W1"), ("fc1.bias", "b1"))]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    expected = with_output_relu(Network.from_floats([(w["fc0.weight"], w["fc0.bias"]),
                                                      (w["fc1.weight"], w["fc1.bias"])]))
    assert from_onnx(model) == expected
    path = tmp_path / "m.onnx"
    path.write_bytes(model.SerializeToString())
    assert load_network(path) == expected == load_network(path, output_relu=True)
