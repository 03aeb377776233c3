"""Import from other frameworks (lazy imports; exact conversion of every float).

``from_torch(model)`` reads an ``nn.Sequential`` of ``Linear`` and ``ReLU`` modules (ReLU between every pair of
Linear layers, none after the last).  float32 -> float64 is exact and ``Fraction(float)`` is exact, so the result is
the very network PyTorch ran, to the bit.
"""

from __future__ import annotations

from typing import Any

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network

__all__ = ["from_torch"]


def from_torch(model: Any) -> Network:
    """Exact :class:`Network` of a ``torch.nn.Sequential`` of ``Linear``/``ReLU`` (biases may be absent = 0)."""
    try:
        import torch.nn as nn
    except ImportError:  # pragma: no cover - depends on the environment
        raise NotApplicableError("PyTorch is not installed (pip install 'exactrelu[torch]')") from None
    modules = list(model.children()) if isinstance(model, nn.Sequential) else [model]
    layers = []
    expect_linear = True
    for k, mod in enumerate(modules):
        if isinstance(mod, nn.Linear):
            if not expect_linear:
                raise NotApplicableError(f"module {k}: two Linear layers without a ReLU between them")
            W = mod.weight.detach().double().cpu().tolist()
            b = mod.bias.detach().double().cpu().tolist() if mod.bias is not None else [0.0] * len(W)
            layers.append((W, b))
            expect_linear = False
        elif isinstance(mod, nn.ReLU):
            if expect_linear:
                raise NotApplicableError(f"module {k}: ReLU must follow a Linear layer")
            expect_linear = True
        elif isinstance(mod, (nn.Identity, nn.Flatten)):
            continue
        else:
            raise NotApplicableError(f"module {k}: {type(mod).__name__} is not supported (Linear and ReLU only)")
    if not layers or expect_linear:
        raise NotApplicableError("the model must end with a Linear layer (the last layer is affine)")
    return Network.from_floats(layers)
