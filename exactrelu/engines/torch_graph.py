"""Exact import of PyTorch models with skip connections and concatenation as graph networks (lazy ``torch``).

:func:`graph_from_torch` traces the forward pass with ``torch.fx`` and follows every value, so it accepts what
:func:`exactrelu.engines.torchlib.from_torch` (a single chain) refuses: residual blocks ``x + f(x)`` (``+``,
``torch.add``, ``-``), concatenation along the feature axis (``torch.cat(..., dim=-1 or 1)``), several uses of a value,
``Linear`` layers with or without bias (without: the vertices have no bias parameter), ``ReLU``, ``Flatten``,
``Identity``, ``Dropout`` in evaluation mode and slices of the feature axis ``x[:, a:b]``. Weights are converted exactly
(every float is the rational it is), so the graph computes exactly what the model computes.

A graph has no linear vertices: a ``Linear`` applied to a sum such as ``x + relu(W x + b)`` becomes edges from each
term with the same weight (:mod:`exactrelu.core.graph_builder`), so the graph's ``D`` counts such tied weights once
per edge and can exceed the model's parameter count (the function is the same).
"""

from __future__ import annotations

import operator
from typing import Any

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.graph_builder import Expression, GraphBuilder
from exactrelu.engines.arrays import exact_fractions

__all__ = ["graph_from_torch"]


def graph_from_torch(model: Any, *, input_dim: int | None = None) -> GraphNetwork:
    """The exact :class:`~exactrelu.core.graph.GraphNetwork` of a traced ``nn.Module`` (module docstring).

    ``input_dim`` is needed only when the first operation on the input is not a ``Linear`` layer.

    Examples
    --------
    >>> import torch
    >>> class Residual(torch.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.inner, self.out = torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)
    ...     def forward(self, x):
    ...         return self.out(x + torch.relu(self.inner(x)))
    >>> g = graph_from_torch(Residual())
    >>> g.num_hidden, g.num_edges, g.edge_list()[-4:]
    (2, 8, (('x1', 'y1'), ('h1', 'y1'), ('x2', 'y1'), ('h2', 'y1')))
    """
    try:
        import torch
        import torch.fx as fx
    except ImportError:  # pragma: no cover - depends on the environment
        raise NotApplicableError("PyTorch is not installed (pip install 'exactrelu[torch]')") from None

    if not isinstance(model, torch.nn.Module):
        raise NotApplicableError(f"expected a torch.nn.Module, got {type(model).__name__}")
    try:
        graph = fx.symbolic_trace(model).graph
    except Exception as exc:  # fx raises many types for untraceable Python control flow
        raise NotApplicableError(f"torch.fx cannot trace {type(model).__name__}: {type(exc).__name__}: {exc}") from None
    nn, F = torch.nn, torch.nn.functional
    modules = dict(model.named_modules())
    relu_fns = {torch.relu, F.relu, torch.relu_, F.relu_}
    add_fns = {operator.add, operator.iadd, torch.add}
    sub_fns = {operator.sub, operator.isub, torch.sub}
    cat_fns = {torch.cat, torch.concat}
    d = input_dim
    if d is None:
        for node in graph.nodes:
            if node.op == "call_module" and isinstance(modules[node.target], nn.Linear):
                d = modules[node.target].in_features
                break
    if d is None:
        raise NotApplicableError("the model has no Linear layer; pass input_dim")
    b = GraphBuilder(d)
    values: dict[Any, list[Expression]] = {}
    placeholders = [n for n in graph.nodes if n.op == "placeholder"]
    if len(placeholders) != 1:
        raise NotApplicableError(f"the forward pass must take one input, takes {len(placeholders)}")

    def arg(node: Any, a: Any) -> list[Expression]:
        if not isinstance(a, fx.Node) or a not in values:
            raise NotApplicableError(f"node {node.name!r}: operand {a!r} is not a traced value")
        return values[a]

    out = None
    for node in graph.nodes:
        if node.op == "placeholder":
            values[node] = b.inputs
            continue
        if node.op == "output":
            out = arg(node, node.args[0])
            break
        where = f"node {node.name!r}"
        if node.op == "call_module":
            mod = modules[node.target]
            x = arg(node, node.args[0])
            if isinstance(mod, nn.Linear):
                if mod.in_features != len(x):
                    raise NotApplicableError(f"{where} (Linear {node.target}): expects {mod.in_features} features, "
                                             f"gets {len(x)}")
                W = exact_fractions(_numpy(mod.weight, torch), where=f"{node.target}.weight")
                bias = None if mod.bias is None else exact_fractions(_numpy(mod.bias, torch),
                                                                     where=f"{node.target}.bias")
                values[node] = b.linear(x, W, bias)
            elif isinstance(mod, nn.ReLU):
                values[node] = b.relu(x)
            elif isinstance(mod, (nn.Identity, nn.Flatten)) or (isinstance(mod, nn.Dropout) and not mod.training):
                values[node] = x
            else:
                raise NotApplicableError(f"{where} (call_module {type(mod).__name__}): not supported; a graph "
                                         "network is built from Linear, ReLU, +, -, cat, Flatten and Identity")
        elif node.op in ("call_function", "call_method"):
            t = node.target
            label = getattr(t, "__name__", t)
            if t in relu_fns or t in ("relu", "relu_"):
                values[node] = b.relu(arg(node, node.args[0]))
            elif t in add_fns or t in sub_fns or t in ("add", "sub", "__add__", "__sub__"):
                if node.kwargs.get("alpha", 1) != 1:
                    raise NotApplicableError(f"{where} ({label}): alpha != 1 is not supported")
                sign = -1 if (t in sub_fns or t in ("sub", "__sub__")) else 1
                values[node] = b.add(arg(node, node.args[0]), arg(node, node.args[1]), sign=sign)
            elif t is operator.neg or t == "neg":
                values[node] = b.scale(arg(node, node.args[0]), -1)
            elif t in cat_fns:
                dim = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else 0)
                if dim not in (-1, 1):
                    raise NotApplicableError(f"{where} (cat): only concatenation of features (dim=-1 or 1)")
                values[node] = b.concat(*(arg(node, a) for a in node.args[0]))
            elif t in (torch.flatten, "flatten", operator.pos):
                values[node] = arg(node, node.args[0])
            elif t is operator.getitem:
                values[node] = _feature_slice(arg(node, node.args[0]), node.args[1], where)
            else:
                raise NotApplicableError(f"{where} ({node.op} {label}): not supported; a graph network is built "
                                         "from Linear, ReLU, +, -, cat, Flatten and Identity")
        else:
            raise NotApplicableError(f"{where}: operation {node.op} is not supported")
    if out is None:
        raise NotApplicableError("the forward pass has no output")
    return b.network(out)


def _feature_slice(x: list[Expression], index: Any, where: str) -> list[Expression]:
    """``x[:, a:b]`` (or ``x[..., a:b]``, a single column ``x[:, j]`` kept as a feature): the features ``a..b-1``."""
    if isinstance(index, tuple) and len(index) == 2 and index[0] in (slice(None), Ellipsis):
        sel = index[1]
        if isinstance(sel, slice) and sel.step in (None, 1) and all(
                v is None or isinstance(v, int) for v in (sel.start, sel.stop)):
            return x[sel]
        if isinstance(sel, int) and -len(x) <= sel < len(x):
            return [x[sel]]
    raise NotApplicableError(f"{where} (getitem {index!r}): only slices of the feature axis x[:, a:b] are supported")


def _numpy(t: Any, torch: Any) -> Any:
    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:
        t = t.to(torch.float32)  # exact widening
    return t.numpy()
