"""ONNX import/export: exact entries (compared as Fractions), Gemm attributes applied exactly, refusals named."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="onnx not installable here (pip install 'exactrelu[onnx]'; CI does)")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from exactrelu import Network, examples, from_onnx, random_network, to_onnx  # noqa: E402
from exactrelu.core.errors import NotApplicableError  # noqa: E402


def _model(nodes: list, inits: list, d: int, m: int, out: str = "y") -> onnx.ModelProto:
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, d])],
                          [helper.make_tensor_value_info(out, TensorProto.FLOAT, [None, m])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def _f32(a: list) -> np.ndarray:
    return np.array(a, dtype=np.float32)


def test_gemm_trans_b_alpha_beta_are_applied_exactly() -> None:
    W = _f32([[0.1, -2.0], [3.5, 0.25], [1e-30, 7.0]])  # shape (n_in=3, n_out=2): transB = 0
    C = _f32([0.3, -1.0])
    nodes = [helper.make_node("Gemm", ["x", "W", "C"], ["y"], name="g0", alpha=0.1, beta=3.0)]
    net = from_onnx(_model(nodes, [numpy_helper.from_array(W, "W"), numpy_helper.from_array(C, "C")], 3, 2))
    alpha = F(float(np.float32(0.1)))  # attributes are float32 in ONNX
    assert net.layers[0].weights == tuple(tuple(alpha * F(float(W[j, i])) for j in range(3)) for i in range(2))
    assert net.layers[0].biases == tuple(3 * F(float(c)) for c in C)
    nodes = [helper.make_node("Gemm", ["x", "W", "C"], ["y"], name="g0", transB=1)]
    net_t = from_onnx(_model(nodes, [numpy_helper.from_array(W.T.copy(), "W"), numpy_helper.from_array(C, "C")],
                             3, 2))
    assert net_t.layers[0].weights == tuple(tuple(F(float(W[j, i])) for j in range(3)) for i in range(2))


def test_matmul_add_relu_flatten_identity_chain() -> None:
    rng = np.random.default_rng(0)
    W1, b1 = rng.standard_normal((2, 4)).astype(np.float32), rng.standard_normal(4).astype(np.float32)
    W2, b2 = rng.standard_normal((4, 1)).astype(np.float32), rng.standard_normal(1).astype(np.float32)
    nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flat", axis=1),
             helper.make_node("MatMul", ["f", "W1"], ["m1"], name="mm1"),
             helper.make_node("Add", ["b1", "m1"], ["z1"], name="add1"),
             helper.make_node("Relu", ["z1"], ["a1"], name="relu1"),
             helper.make_node("Identity", ["a1"], ["i1"], name="id"),
             helper.make_node("Constant", [], ["W2"], name="c", value=numpy_helper.from_array(W2)),
             helper.make_node("MatMul", ["i1", "W2"], ["m2"], name="mm2"),
             helper.make_node("Add", ["m2", "b2"], ["y"], name="add2")]
    inits = [numpy_helper.from_array(a, n) for a, n in ((W1, "W1"), (b1, "b1"), (b2, "b2"))]
    net = from_onnx(_model(nodes, inits, 2, 1))
    expected = [F(float(v)) for v in W1.T.ravel()] + [F(float(v)) for v in b1] + \
        [F(float(v)) for v in W2.T.ravel()] + [F(float(v)) for v in b2]
    assert list(net.parameters()) == expected


def test_other_ops_and_bias_free_are_refused_by_name() -> None:
    W = numpy_helper.from_array(_f32([[1.0, 2.0]]), "W")
    nodes = [helper.make_node("Sigmoid", ["x"], ["s"], name="squash"),
             helper.make_node("MatMul", ["s", "W"], ["y"], name="mm")]
    with pytest.raises(NotApplicableError, match=r"node 'squash' \(Sigmoid\)"):
        from_onnx(_model(nodes, [W], 1, 2))
    nodes = [helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")]
    with pytest.raises(NotApplicableError, match=r"'mm' \(MatMul\) has no bias.*D differs"):
        from_onnx(_model(nodes, [W], 1, 2))
    assert from_onnx(_model(nodes, [W], 1, 2), bias_free="zero").layers[0].biases == (0, 0)


def test_export_import_round_trip_is_exact_on_dyadic_networks_and_reports_rounding_otherwise() -> None:
    net = random_network((3, 4, 2), seed=5, max_num=9, max_den=8)  # denominators 1..8: some not dyadic
    model, rounding = to_onnx(net)
    back = from_onnx(model)
    assert back.architecture == net.architecture
    assert all(F(float(q)) == r for q, r in zip(net.parameters(), back.parameters()))
    assert rounding.exact == (back == net)
    assert rounding.max_abs_error == max(abs(q - r) for q, r in zip(net.parameters(), back.parameters()))
    dyadic = Network.from_lists([([[F(3, 8), -2], [F(1, 1024), 5]], [0, F(-7, 4)]), ([[1, F(1, 2)]], [F(1, 16)])])
    model, rounding = to_onnx(dyadic)
    assert rounding.exact and from_onnx(model) == dyadic
    assert from_onnx(to_onnx(examples.relu_of_sum())[0]) == examples.relu_of_sum()


def test_onnxruntime_runs_the_export_and_agrees_with_the_exact_network() -> None:
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime not installed")
    net = Network.from_lists([([[F(3, 8), -2], [F(1, 1024), 5]], [0, F(-7, 4)]), ([[1, F(1, 2)]], [F(1, 16)])])
    model, _ = to_onnx(net)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    xs = [[F(1, 2), F(1, 4)], [F(-3), F(1)], [F(0), F(1, 2)]]
    y = sess.run(None, {"input": np.array([[float(v) for v in x] for x in xs])})[0]
    for x, row in zip(xs, y):  # small dyadic inputs: float64 arithmetic is exact here
        assert [F(float(v)) for v in row] == list(net(x))
