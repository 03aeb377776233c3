"""Export of graph networks (any DAG) to PyTorch and ONNX in float64, vertex by vertex (lazy ``torch``/``onnx``).

Both follow the network's topological order and keep its edges exactly as they are: vertex ``v`` reads the
concatenation of its sources (input coordinates first, in file order of the edges, then hidden vertices), applies a
``1 × k`` weight row (its incoming edges, zero weights included: a zero edge is a parameter) and its bias when it has
one, then ReLU unless it is an output.  So importing the file back
(:func:`~exactrelu.engines.torch_graph.graph_from_torch`, :func:`~exactrelu.engines.onnx_graph.graph_from_onnx`) gives
the same edges, the same absent biases and, when every entry is a float64 (``k / 2^e`` in range), the same numbers
exactly; otherwise each entry is the nearest float64 and :class:`~exactrelu.engines.arrays.FloatRounding` says how
far.

* :func:`graph_to_torch`: an ``nn.Module`` (no ``torch.fx`` involved) holding one ``nn.Linear(k_v, 1)`` per
  non-input vertex; its ``forward`` slices the input into coordinates, concatenates sources, applies the linears and
  ``torch.relu``.  ``torch.fx`` traces it (that is how it is imported back).
* :func:`graph_to_onnx`: ``Gather`` (input coordinates, axis 1), ``Concat``, ``MatMul``, ``Add`` (bias) and
  ``Relu`` nodes, opset :data:`~exactrelu.engines.onnxlib.OPSET`.

A vertex without incoming edges (a constant) has no such form and is refused.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.graph import GraphNetwork
from exactrelu.engines.arrays import FloatRounding, float64_rounding

__all__ = ["graph_plan", "graph_to_torch", "graph_to_onnx"]


def graph_plan(g: GraphNetwork) -> list[tuple[str, list[int], list[str], np.ndarray, float | None]]:
    """For each non-input vertex in topological order: ``(id, input coordinates, hidden sources, weights, bias)``,
    the weights in the order of the concatenation (input coordinates, then hidden sources), float64."""
    col = {x: j for j, x in enumerate(g.inputs)}
    plan = []
    for v in g.topological_order:
        if v in col:
            continue
        ins = [k for k in g.in_edges(v) if g.edges[k].source in col]
        hid = [k for k in g.in_edges(v) if g.edges[k].source not in col]
        if not ins and not hid:
            raise NotApplicableError(f"vertex {v} has no incoming edge (a constant): it has no exported form; "
                                     "`exactrelu reduce` removes constant vertices")
        try:
            w = np.array([float(g.edges[k].weight) for k in ins + hid], dtype=np.float64)
            b = g.bias(v)
            bias = None if b is None else float(b)
        except OverflowError:
            raise NotApplicableError(f"vertex {v}: an entry is beyond the float64 range") from None
        plan.append((v, [col[g.edges[k].source] for k in ins], [g.edges[k].source for k in hid], w, bias))
    return plan


def graph_to_torch(g: GraphNetwork) -> tuple[Any, FloatRounding]:
    """A float64 ``nn.Module`` evaluating ``g`` vertex by vertex (module docstring) and the rounding made.

    >>> from fractions import Fraction
    >>> g = GraphNetwork.from_edges(["x"], ["y"], [("h", -1), "y"], [("x", "h", 2), ("h", "y", 1), ("x", "y", 1)])
    >>> model, rounding = graph_to_torch(g)
    >>> import torch
    >>> model(torch.tensor([[3.0]], dtype=torch.float64)).item(), rounding.exact
    (8.0, True)
    """
    from exactrelu.engines.torchlib import require_torch

    torch = require_torch()
    plan = graph_plan(g)
    hidden = set(g.hidden_order)
    index = {x: j for j, x in enumerate(g.inputs)}
    steps = []
    for v, cols, srcs, _, _ in plan:
        steps.append((cols, [index[u] for u in srcs], v in hidden))
        index[v] = len(index)
    out_idx = [index[y] for y in g.outputs]
    d = g.input_dim

    class GraphModule(torch.nn.Module):
        """A feed-forward ReLU network on a DAG (exactrelu export): one Linear per vertex, sources concatenated."""

        def __init__(self) -> None:
            super().__init__()
            self.vertices = torch.nn.ModuleList()
            for _, _, _, w, bias in plan:
                lin = torch.nn.Linear(len(w), 1, bias=bias is not None, dtype=torch.float64)
                with torch.no_grad():
                    lin.weight.copy_(torch.from_numpy(w.reshape(1, -1)))
                    if bias is not None:
                        lin.bias.fill_(bias)
                self.vertices.append(lin)

        def forward(self, x: Any) -> Any:
            units = [x[:, j:j + 1] for j in range(d)]
            for lin, (cols, srcs, relu) in zip(self.vertices, steps):
                z = lin(torch.cat([units[j] for j in cols] + [units[i] for i in srcs], dim=1))
                units.append(torch.relu(z) if relu else z)
            return torch.cat([units[i] for i in out_idx], dim=1)

    return GraphModule(), float64_rounding(g.parameters())


def graph_to_onnx(g: GraphNetwork, path: str | os.PathLike[str] | None = None, *, input_name: str = "input",
                  output_name: str = "output") -> tuple[Any, FloatRounding]:
    """A float64 ONNX model of ``g`` (module docstring) and the rounding made; written atomically to ``path`` if
    given.  The input is ``[batch, d]`` float64.

    >>> g = GraphNetwork.from_edges(["x"], ["y"], [("h", -1), "y"], [("x", "h", 2), ("h", "y", 1), ("x", "y", 1)])
    >>> model, rounding = graph_to_onnx(g)
    >>> sorted({n.op_type for n in model.graph.node})
    ['Add', 'Concat', 'Gather', 'MatMul', 'Relu']
    """
    from exactrelu.engines.onnxlib import finish_model, require_onnx

    require_onnx()
    from onnx import helper, numpy_helper

    plan = graph_plan(g)
    hidden = set(g.hidden_order)
    nodes, inits = [], []
    tensor: dict[str, str] = {}
    for k, (v, cols, srcs, w, bias) in enumerate(plan):
        parts = []
        if cols:
            inits.append(numpy_helper.from_array(np.array(cols, dtype=np.int64), f"idx{k}"))
            nodes.append(helper.make_node("Gather", [input_name, f"idx{k}"], [f"in{k}"], name=f"gather{k}", axis=1))
            parts.append(f"in{k}")
        parts += [tensor[u] for u in srcs]
        inits.append(numpy_helper.from_array(w.reshape(-1, 1), f"W{k}"))
        nodes.append(helper.make_node("Concat", parts, [f"cat{k}"], name=f"cat{k}", axis=1))
        nodes.append(helper.make_node("MatMul", [f"cat{k}", f"W{k}"], [f"mm{k}"], name=f"matmul{k}"))
        cur = f"mm{k}"
        if bias is not None:
            inits.append(numpy_helper.from_array(np.array([bias], dtype=np.float64), f"b{k}"))
            nodes.append(helper.make_node("Add", [cur, f"b{k}"], [f"z{k}"], name=f"bias{k}"))
            cur = f"z{k}"
        if v in hidden:
            nodes.append(helper.make_node("Relu", [cur], [f"h{k}"], name=f"relu{k}"))
            cur = f"h{k}"
        tensor[v] = cur
    nodes.append(helper.make_node("Concat", [tensor[y] for y in g.outputs], [output_name], name="outputs", axis=1))
    model = finish_model(nodes, inits, (g.input_dim, g.output_dim), "exactrelu_graph_network", path,
                         input_name=input_name, output_name=output_name)
    return model, float64_rounding(g.parameters())
