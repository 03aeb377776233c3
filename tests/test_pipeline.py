"""A real pipeline: train with PyTorch on scikit-learn's make_moons, export to ONNX, import exactly, prune on the
data's box, prove the pruned network equal there, and go back to floats without changing anything decided."""

from __future__ import annotations

import warnings
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch not installable here (pip install 'exactrelu[torch]'; CI does)")
pytest.importorskip("onnx", reason="onnx not installable here (pip install 'exactrelu[interop]'; CI does)")
datasets = pytest.importorskip("sklearn.datasets", reason="scikit-learn not installable here (exactrelu[interop])")

from exactrelu import Box, equivalent, from_onnx, from_torch, reduce, regions, to_torch  # noqa: E402
from exactrelu.geometry.certificate import check_certificate  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[torch.nn.Module, Path, np.ndarray]:
    torch.set_num_threads(1)
    X, y = datasets.make_moons(n_samples=100, noise=0.1, random_state=0)
    X = 2 * (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0)) - 1  # data box = [-1, 1]^2
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)[:, None]
    torch.manual_seed(2)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4), torch.nn.ReLU(),
                                torch.nn.Linear(4, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.03)
    for _ in range(150):
        opt.zero_grad()
        torch.nn.functional.binary_cross_entropy_with_logits(model(Xt), yt).backward()
        opt.step()
    path = tmp_path_factory.mktemp("pipeline") / "moons.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (Xt[:1],), str(path), dynamo=False, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    return model, path, X


def test_onnx_import_is_the_trained_float32_network_bit_for_bit(trained: tuple) -> None:
    model, path, X = trained
    net = from_onnx(path)
    assert net == from_torch(model)
    params = [F(*v.as_integer_ratio()) for p in (model[0], model[2], model[4])
              for v in p.weight.detach().double().reshape(-1).tolist() + p.bias.detach().double().tolist()]
    assert list(net.parameters()) == params
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime not installed")
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    y32 = sess.run(None, {"x": X.astype(np.float32)})[0][:, 0]
    for x, v in zip(X.astype(np.float32).tolist(), y32.tolist()):
        exact = net([F(t) for t in x])[0]  # the float32 input, exactly
        assert abs(float(exact) - v) <= 1e-4 * (1 + abs(v))  # onnxruntime's float32 arithmetic vs the exact value


def test_pruning_on_the_data_box_is_proved_and_agrees_at_every_data_point(trained: tuple) -> None:
    _, path, X = trained
    net = from_onnx(path)
    box = Box(-1, 1, 2)
    red = reduce(net, box)
    assert red.network.num_hidden <= net.num_hidden
    eq = equivalent(net, red.network, box, certificate=True)
    assert eq and check_certificate(eq.certificate)["valid"]
    for x in X.tolist():  # a second, brute-force check: exact outputs at every data point
        q = [F(t) for t in x]
        assert red.network(q) == net(q)


def test_float_round_trip_changes_nothing_decided(trained: tuple) -> None:
    _, path, _ = trained
    net = from_onnx(path)
    back, rounding = to_torch(net)
    assert rounding.exact and rounding.max_abs_error == 0
    again = from_torch(back)
    assert again == net
    assert len(regions(again, Box(-1, 1, 2)).regions) == len(regions(net, Box(-1, 1, 2)).regions)
