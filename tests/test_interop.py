"""PyTorch import: exact on the converted rationals, and equal to torch's own float output within float error."""

from fractions import Fraction as F

import pytest

torch = pytest.importorskip("torch", reason="install with: pip install torch==2.13.0 (.ci/run does)")

from exactrelu import from_torch  # noqa: E402
from exactrelu.core.errors import NotApplicableError  # noqa: E402


def _model(seed: int) -> "torch.nn.Sequential":
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 4), torch.nn.ReLU(),
                               torch.nn.Linear(4, 2))


def test_weights_are_converted_bit_exactly() -> None:
    model = _model(0)
    net = from_torch(model)
    assert net.architecture == (3, 5, 4, 2)
    w = model[0].weight.detach().double()
    assert all(net.layers[0].weights[i][j] == F(float(w[i, j])) for i in range(5) for j in range(3))
    assert all(float(v) == float(model[2].bias.detach()[i]) for i, v in enumerate(net.layers[1].biases))


def test_outputs_match_torch_within_float_error_and_float64_exactly_on_small_inputs() -> None:
    for seed in range(3):
        model = _model(seed)
        net = from_torch(model)
        model64 = model.double()
        for k in range(10):
            x = [F(k - 5, 4), F(3 - k, 8), F(k, 16)]
            exact = net(x)
            y32 = _model(seed)(torch.tensor([[float(v) for v in x]], dtype=torch.float32))[0]
            y64 = model64(torch.tensor([[float(v) for v in x]], dtype=torch.float64))[0]
            for e, a, b in zip(exact, y32.tolist(), y64.tolist()):
                assert abs(float(e) - a) <= 1e-5 * (1 + abs(float(e)))
                assert abs(float(e) - b) <= 1e-12 * (1 + abs(float(e)))


def test_unsupported_models_are_refused() -> None:
    with pytest.raises(NotApplicableError, match="Tanh"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1)))
    with pytest.raises(NotApplicableError, match="last layer is affine"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()))
    net = from_torch(torch.nn.Sequential(torch.nn.Linear(2, 1, bias=False)))
    assert net.layers[0].biases == (F(0),)
