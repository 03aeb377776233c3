"""PyTorch adapter: exact import of ``nn.Module`` MLPs and state dicts, float64 export (lazy ``torch`` import).

:func:`from_torch` traces the module with ``torch.fx`` and accepts any forward pass that is a chain of ``Linear``,
``ReLU`` (module, ``torch.relu``, ``F.relu`` or ``x.relu()``), ``Flatten``/``torch.flatten``, ``Identity`` (and
``Dropout`` in evaluation mode), with a ReLU between consecutive ``Linear`` layers: exactly the layered networks of
:class:`~exactrelu.core.network.Network`.  A ReLU after the last ``Linear`` (an output ReLU) is imported exactly as
an extra hidden layer (the last Linear's neurons) followed by the identity output layer
(:func:`exactrelu.core.output_relu.with_output_relu`); a state dict cannot say that, so there ``output_relu=True``
does.  Every tensor (bfloat16, float16, float32, float64) is converted exactly and
vectorised (:func:`exactrelu.engines.arrays.exact_fractions`), so the result is the very network PyTorch ran, to the
bit.  A ``Linear(bias=False)`` has no bias parameter, which a layered network cannot express; it is refused unless
``bias_free="zero"`` is passed, which imports it as bias 0 (the function is the same but the parameter count ``D``
and everything that depends on it, such as the functional dimension, then refer to a larger parameter space).

:func:`to_torch` goes back: an ``nn.Sequential`` in float64 holding the nearest float64 to every exact entry, and a
:class:`~exactrelu.engines.arrays.FloatRounding` saying whether that was exact and how large the worst error is.
"""

from __future__ import annotations

import operator
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from exactrelu.core.errors import FormatError, NotApplicableError
from exactrelu.core.files import atomic_write_bytes
from exactrelu.core.network import Network
from exactrelu.core.output_relu import with_output_relu
from exactrelu.engines.arrays import FloatRounding, chain_tensors, network_from_arrays, network_to_arrays

__all__ = ["from_torch", "to_torch", "load_torch_file", "save_state_dict", "require_torch"]


def require_torch() -> Any:
    """``import torch`` or a clear :class:`NotApplicableError` saying how to install it."""
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        raise NotApplicableError("PyTorch is not installed (pip install 'exactrelu[torch]')") from None
    return torch


def _array(t: Any) -> Any:
    """A numpy array with the tensor's exact values (bfloat16 goes through its exact float32 widening)."""
    torch = require_torch()
    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:
        t = t.to(torch.float32)  # exact: bfloat16 is the top half of a float32
    return t.numpy()


def from_torch(model: Any, *, architecture: Sequence[int] | None = None, layers: Sequence[str] | None = None,
               bias_free: str = "refuse", graph: bool = False, output_relu: bool = False) -> Any:
    """The exact :class:`Network` of a PyTorch MLP (an ``nn.Module``) or of a state dict.

    Parameters
    ----------
    model : torch.nn.Module or Mapping[str, torch.Tensor]
        A module whose forward pass is a chain of Linear/ReLU/Flatten/Identity, traced with ``torch.fx``; or a state
        dict, whose ``*.weight``/``*.bias`` tensors are taken in natural key order with a ReLU between layers.
    architecture : sequence of int, optional
        ``(d, n1, ..., m)`` checked against the tensors (useful for state dicts, where nothing else says which
        tensors are layers).
    layers : sequence of str, optional
        For state dicts: the layer prefixes in order (default: every 2-D ``*weight`` in natural key order).
    bias_free : {"refuse", "zero"}
        What to do with a Linear layer without bias: refuse (default, the parameter counts would differ), or import
        it as bias 0.
    graph : bool
        Return a :class:`~exactrelu.core.graph.GraphNetwork` instead
        (:func:`exactrelu.engines.torch_graph.graph_from_torch`): residual blocks ``x + f(x)``, concatenation and
        bias-free layers (vertices without bias parameters) are then accepted.
    output_relu : bool
        For state dicts: the model applies a ReLU to its output too (a state dict cannot say so).  A module says it
        itself: a ReLU after its last Linear is always imported.  Either way the output ReLU becomes a hidden layer
        followed by the identity output layer (:func:`exactrelu.core.output_relu.with_output_relu`), and
        ``architecture`` is checked against the model's own Linear layers ``(d, ..., m)``.

    Raises
    ------
    NotApplicableError
        For any other operation, naming the graph node and its operation; for a bias-free layer unless allowed.

    Examples
    --------
    >>> import torch
    >>> m = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    >>> from_torch(m).architecture
    (2, 3, 1)
    >>> from_torch(torch.nn.Sequential(*m, torch.nn.ReLU())).architecture   # output ReLU: hidden layer + identity
    (2, 3, 1, 1)
    >>> from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh()))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    exactrelu.core.errors.NotApplicableError: node '1' (call_module Tanh): not supported; ...
    """
    if bias_free not in ("refuse", "zero"):
        raise ValueError(f"bias_free must be 'refuse' or 'zero', got {bias_free!r}")
    if graph:
        from exactrelu.engines.torch_graph import graph_from_torch

        return graph_from_torch(model)
    torch = require_torch()
    if isinstance(model, Mapping):
        tensors = {k: _array(v) for k, v in model.items() if isinstance(v, torch.Tensor)}
        chain = chain_tensors(tensors, architecture=architecture, layers=layers, source="state dict",
                              bias_free=bias_free)
        net = network_from_arrays(chain, where="state dict layers")
        return with_output_relu(net) if output_relu else net
    if not isinstance(model, torch.nn.Module):
        raise NotApplicableError(f"expected a torch.nn.Module or a state dict, got {type(model).__name__}")
    linears, trailing_relu = _trace_linears(model, torch)
    if output_relu and not trailing_relu:
        raise FormatError("output_relu=True but the module ends with a Linear layer, not a ReLU (output_relu is for "
                          "state dicts; a module says itself whether its output goes through a ReLU)")
    pairs = []
    for name, lin in linears:
        if lin.bias is None:
            if bias_free != "zero":
                raise NotApplicableError(
                    f"Linear {name!r} has no bias; a layered network has a bias parameter in every neuron, so "
                    "importing it as bias 0 would count parameters the model does not have (D differs). "
                    "Pass bias_free='zero' (CLI: --bias-free-as-zero) to accept that")
            b = torch.zeros(lin.out_features, dtype=lin.weight.dtype)
        else:
            b = lin.bias
        pairs.append((_array(lin.weight), _array(b)))
    net = network_from_arrays(pairs, where="Linear layers")
    if architecture is not None and tuple(architecture) != net.architecture:
        raise FormatError(f"the architecture given is {tuple(architecture)} but the module is {net.architecture}")
    return with_output_relu(net) if trailing_relu else net


def _trace_linears(model: Any, torch: Any) -> tuple[list[tuple[str, Any]], bool]:
    """The Linear submodules along the traced forward pass, checking that it is an MLP chain, and whether a ReLU
    follows the last of them."""
    import torch.fx as fx

    nn, F = torch.nn, torch.nn.functional
    try:
        graph = fx.symbolic_trace(model).graph
    except Exception as exc:  # fx raises many types for untraceable Python control flow
        raise NotApplicableError(f"torch.fx cannot trace {type(model).__name__}: {type(exc).__name__}: {exc}") from None
    modules = dict(model.named_modules())
    relu_fns = {torch.relu, F.relu, torch.relu_, F.relu_}
    flat_fns = {torch.flatten}
    linears: list[tuple[str, Any]] = []
    last_kind = "input"  # input, linear, relu
    prev = None
    for node in graph.nodes:
        kind = None
        if node.op == "placeholder":
            if prev is not None:
                raise NotApplicableError(f"node {node.name!r}: the forward pass must take one input")
            prev = node
            continue
        if node.op == "output":
            if node.args[0] is not prev:
                raise NotApplicableError("the output is not the end of the chain of layers")
            break
        if node.op == "call_module":
            mod = modules[node.target]
            label = f"call_module {type(mod).__name__}"
            if isinstance(mod, nn.Linear):
                kind = "linear"
            elif isinstance(mod, nn.ReLU):
                kind = "relu"
            elif isinstance(mod, (nn.Identity, nn.Flatten)):
                kind = "same"
            elif isinstance(mod, nn.Dropout) and not mod.training:
                kind = "same"  # the identity in evaluation mode (model.eval()); in training mode it is random
        elif node.op == "call_function":
            label = f"call_function {getattr(node.target, '__name__', node.target)}"
            if node.target in relu_fns:
                kind = "relu"
            elif node.target in flat_fns or node.target is operator.pos:
                kind = "same"
        elif node.op == "call_method":
            label = f"call_method {node.target}"
            if node.target in ("relu", "relu_"):
                kind = "relu"
            elif node.target == "flatten":
                kind = "same"
        else:
            label = node.op
        if kind is None:
            where = node.target if node.op == "call_module" else node.name
            raise NotApplicableError(f"node {where!r} ({label}): not supported; an exactrelu network is a chain of "
                                     "Linear, ReLU, Flatten and Identity (residual +, cat and bias-free layers: "
                                     "from_torch(model, graph=True))")
        data_args = [a for a in node.args if isinstance(a, fx.Node)] + \
            [a for a in node.kwargs.values() if isinstance(a, fx.Node)]
        if data_args != [prev]:
            raise NotApplicableError(f"node {node.name!r} ({label}): the forward pass is not a single chain "
                                     "(branches and skip connections need a graph network: "
                                     "from_torch(model, graph=True))")
        if kind == "linear":
            if last_kind == "linear":
                raise NotApplicableError(f"node {node.target!r}: two Linear layers without a ReLU between them")
            linears.append((node.target, modules[node.target]))
            last_kind = "linear"
        elif kind == "relu":
            if last_kind == "input":
                raise NotApplicableError(f"node {node.name!r} ({label}): a ReLU before the first Linear layer")
            last_kind = "relu"
        prev = node
    if not linears:
        raise NotApplicableError("the model has no Linear layer")
    return linears, last_kind == "relu"


def to_torch(net: Network) -> tuple[Any, FloatRounding]:
    """A float64 ``nn.Sequential`` of ``net`` and the rounding made (see :class:`FloatRounding`).

    >>> from exactrelu import examples
    >>> model, rounding = to_torch(examples.relu_of_sum())
    >>> rounding.exact, model[0].weight.dtype
    (True, torch.float64)
    """
    torch = require_torch()
    arrays, rounding = network_to_arrays(net)
    mods: list[Any] = []
    for l, (W, b) in enumerate(arrays):
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if l < len(arrays) - 1:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods), rounding


def load_torch_file(path: str, *, trust_pickle: bool = False, architecture: Sequence[int] | None = None,
                    layers: Sequence[str] | None = None, bias_free: str = "refuse",
                    output_relu: bool = False) -> Network:
    """A network from a ``.pt``/``.pth`` file: a state dict (safe, ``weights_only=True``), or, only with
    ``trust_pickle=True``, a TorchScript archive or a pickled module (loading those runs code from the file).
    ``output_relu`` as in :func:`from_torch` (a TorchScript archive is read as its state dict)."""
    torch = require_torch()
    try:
        with warnings.catch_warnings():  # torch warns when it recognises a TorchScript archive: refused below
            warnings.simplefilter("ignore")
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file") from None
    except Exception as exc:
        if not trust_pickle:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise FormatError(f"{path}: not a plain state dict ({first[:160]}); a TorchScript archive or a pickled "
                              "module runs code when loaded: pass --trust-pickle if you trust this file") from None
        obj = _load_trusted(torch, path)
    if isinstance(obj, Mapping) and "state_dict" in obj and isinstance(obj["state_dict"], Mapping):
        obj = obj["state_dict"]
    if not isinstance(obj, (Mapping, torch.nn.Module)):
        raise FormatError(f"{path}: holds a {type(obj).__name__}, not a state dict or a module")
    try:
        return from_torch(obj, architecture=architecture, layers=layers, bias_free=bias_free, output_relu=output_relu)
    except (NotApplicableError, FormatError) as exc:
        raise type(exc)(f"{path}: {exc}") from None


def _load_trusted(torch: Any, path: str) -> Any:
    try:
        with warnings.catch_warnings():  # TorchScript is deprecated in torch 2.13 but still how archives load
            warnings.simplefilter("ignore")
            script = torch.jit.load(path, map_location="cpu")
    except Exception:
        script = None
    if script is not None:
        return {k: v for k, v in script.state_dict().items()}
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        raise FormatError(f"{path}: cannot be read by torch.load: {type(exc).__name__}: {exc}") from None


def save_state_dict(net: Network, path: str | os.PathLike[str]) -> FloatRounding:
    """Write the float64 state dict of :func:`to_torch` (keys ``0.weight``, ``0.bias``, ``2.weight``, ...)."""
    torch = require_torch()
    import io

    model, rounding = to_torch(net)
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    atomic_write_bytes(path, buf.getvalue())
    return rounding
