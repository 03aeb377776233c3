"""PyTorch import/export: every entry compared exactly with an independent decoding of the IEEE bits."""

from __future__ import annotations

import warnings
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu.core.errors import NotApplicableError, ShapeError
from exactrelu.engines.arrays import exact_fractions, float64_rounding

torch = pytest.importorskip("torch", reason="PyTorch not installable here (pip install 'exactrelu[torch]'; CI does)")

from exactrelu import Network, from_torch, to_torch  # noqa: E402


def _bits_to_fraction(bits: int, exp_bits: int, man_bits: int) -> F:
    """The value of an IEEE binary float from its bit pattern (the textbook formula, no float arithmetic)."""
    sign = -1 if bits >> (exp_bits + man_bits) else 1
    e = (bits >> man_bits) & ((1 << exp_bits) - 1)
    m = bits & ((1 << man_bits) - 1)
    bias = (1 << (exp_bits - 1)) - 1
    assert e != (1 << exp_bits) - 1, "inf/nan"
    if e == 0:  # subnormal
        return sign * F(m, 1 << (man_bits + bias - 1))
    return sign * F((1 << man_bits) + m) * F(2) ** (e - bias - man_bits)


FORMATS = {torch.float64: (11, 52, torch.int64), torch.float32: (8, 23, torch.int32),
           torch.float16: (5, 10, torch.int16), torch.bfloat16: (8, 7, torch.int16)}


def _reference(t: torch.Tensor) -> list[F]:
    exp_bits, man_bits, int_type = FORMATS[t.dtype]
    width = 1 + exp_bits + man_bits
    raw = t.detach().contiguous().view(int_type).reshape(-1).tolist()
    return [_bits_to_fraction(b & ((1 << width) - 1), exp_bits, man_bits) for b in raw]


def _trained_style(shape: tuple[int, int], seed: int, dtype: torch.dtype) -> torch.Tensor:
    """k / 2^e with e up to 40, magnitudes 1e-30..1e30 (where the dtype has them), zeros, subnormals, signs."""
    rng = np.random.default_rng(seed)
    k = rng.integers(-(2**20), 2**20, size=shape).astype(np.float64)
    e = rng.integers(0, 41, size=shape)
    x = k / 2.0**e
    x *= 10.0 ** rng.integers(-30, 31, size=shape) * (rng.random(shape) < 0.3) + (rng.random(shape) >= 0.3)
    x.flat[0] = 0.0
    t = torch.from_numpy(x).to(dtype)
    return torch.where(torch.isfinite(t), t, torch.zeros_like(t))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16])
def test_every_entry_is_the_exact_value_of_its_bits(dtype: torch.dtype) -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3)).to(dtype)
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            shape = tuple(p.shape) if p.ndim == 2 else (1, p.shape[0])
            p.copy_(_trained_style(shape, i, dtype).reshape(p.shape))
    net = from_torch(model)
    got = list(net.parameters())
    expected: list[F] = []
    for lin in (model[0], model[2]):
        expected += _reference(lin.weight) + _reference(lin.bias)
    assert got == expected
    assert all(isinstance(v, F) for v in got)
    if dtype == torch.float32:  # subnormal float32 entries are there and exact
        tiny = torch.tensor([1e-45, -3e-40, 1.1754942e-38], dtype=torch.float32)
        assert list(exact_fractions(tiny.numpy())) == _reference(tiny)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=40))
def test_float64_bit_patterns_round_trip(bits: list[int]) -> None:
    arr = np.array(bits, dtype=np.uint64).view(np.float64)
    arr = arr[np.isfinite(arr)]
    got = exact_fractions(arr)
    assert list(got) == [_bits_to_fraction(int(b), 11, 52) for b in arr.view(np.uint64).tolist()]
    assert [float(v) for v in got] == arr.tolist()  # and back: each exact value is the original float
    assert float64_rounding(got).exact


def test_fx_traces_a_custom_forward_with_functional_relu_and_flatten() -> None:
    class MLP(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.flat = torch.nn.Flatten()
            self.fc1 = torch.nn.Linear(4, 3)
            self.body = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Identity(), torch.nn.Linear(3, 3))
            self.out = torch.nn.Linear(3, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = self.body(self.fc1(self.flat(x)))
            x = torch.nn.functional.relu(x)
            return self.out(x.relu())

    torch.manual_seed(3)
    model = MLP()
    net = from_torch(model)
    assert net.architecture == (4, 3, 3, 2)
    x = torch.tensor([[[0.5, -0.25], [1.0, 0.125]]], dtype=torch.float64)
    exact = net([F(1, 2), F(-1, 4), F(1), F(1, 8)])
    y = model.double()(x)[0].tolist()
    assert all(abs(float(e) - a) <= 1e-12 * (1 + abs(a)) for e, a in zip(exact, y))


def test_state_dict_import_matches_module_import() -> None:
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 4), torch.nn.ReLU(),
                                torch.nn.Linear(4, 2))
    assert from_torch(model.state_dict()) == from_torch(model)
    assert from_torch(model.state_dict(), architecture=(3, 4, 4, 2)) == from_torch(model)
    with pytest.raises(ShapeError, match="architecture given"):
        from_torch(model.state_dict(), architecture=(3, 5, 4, 2))


def test_unsupported_models_are_refused_with_the_node() -> None:
    with pytest.raises(NotApplicableError, match=r"node '1' \(call_module Tanh\)"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1)))
    # a ReLU after the last Linear is accepted now (tests/test_output_relu.py); one before the first is not
    with pytest.raises(NotApplicableError, match="before the first Linear"):
        from_torch(torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(2, 2)))
    dropout = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(2, 1))
    with pytest.raises(NotApplicableError, match="Dropout"):
        from_torch(dropout)  # training mode: random
    assert from_torch(dropout.eval()).architecture == (2, 2, 1)
    with pytest.raises(NotApplicableError, match="without a ReLU"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)))

    class Skip(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = torch.nn.Linear(2, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x + self.a(x)

    with pytest.raises(NotApplicableError, match="add"):
        from_torch(Skip())


def test_bias_free_layers_are_refused_unless_asked_and_then_d_differs() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    with pytest.raises(NotApplicableError, match="has no bias.*D differs"):
        from_torch(model)
    with pytest.raises(NotApplicableError, match="has no bias"):
        from_torch(model.state_dict())
    net = from_torch(model, bias_free="zero")
    assert net.layers[0].biases == (F(0),) * 3
    assert net.num_parameters == sum(p.numel() for p in model.parameters()) + 3  # the documented difference


def test_to_torch_reports_rounding_exactly() -> None:
    net = Network.from_lists([([[F(1, 3), 2], [F(-1, 2), F(3, 4)]], [0, F(1, 10)]), ([[1, -1]], [F(5)])])
    model, rounding = to_torch(net)
    assert not rounding.exact and rounding.inexact_entries == 2
    assert rounding.max_abs_error == max(abs(F(1, 3) - F(1 / 3)), abs(F(1, 10) - F(0.1)))
    assert float64_rounding(from_torch(model).parameters()).exact  # what comes back is float64 already
    dyadic = Network.from_lists([([[F(3, 8), -2]], [F(1, 1024)]), ([[F(7, 2)]], [0])])
    model, rounding = to_torch(dyadic)
    assert rounding.exact and from_torch(model) == dyadic
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model(torch.tensor([[1.0, 0.0]], dtype=torch.float64)).tolist() == [[float(dyadic([1, 0])[0])]]
