"""Exact import of ONNX graphs with branches (residual ``Add`` of two branches, ``Concat``) as graph networks.

:func:`graph_from_onnx` follows every tensor of the graph (not only a chain, as
:func:`exactrelu.engines.onnxlib.from_onnx` does) and accepts ``Gemm`` (``transB`` either way, ``alpha``/``beta``
exactly, ``transA=0``), ``MatMul`` with a constant right operand, ``Add``/``Sub`` of a constant (a bias) or of two
computed branches (a residual connection), ``Relu``, ``Concat`` along the feature axis, ``Flatten`` (axis 1),
``Identity``, ``Constant`` and ``Gather`` of features (axis 1, constant indices). A ``MatMul`` never followed by a
constant ``Add`` gives vertices without a bias parameter. Every tensor is converted exactly
(:func:`exactrelu.engines.arrays.exact_fractions`); the graph is built by
:class:`exactrelu.core.graph_builder.GraphBuilder` (see there for weights tied by a sum).
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any

import numpy as np

from exactrelu.core.errors import FormatError, NotApplicableError, ShapeError
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.graph_builder import CONSTANT, Expression, GraphBuilder
from exactrelu.engines.arrays import exact_fractions
from exactrelu.engines.onnxlib import require_onnx

__all__ = ["graph_from_onnx"]


def graph_from_onnx(model: Any) -> GraphNetwork:
    """The exact :class:`~exactrelu.core.graph.GraphNetwork` of an ONNX model (a path or an ``onnx.ModelProto``).

    Examples
    --------
    >>> import onnx
    >>> from onnx import helper, TensorProto, numpy_helper
    >>> import numpy as np
    >>> W = numpy_helper.from_array(np.array([[1.0, -1.0], [0.5, 2.0]]), "W")
    >>> b = numpy_helper.from_array(np.array([0.0, -1.0]), "b")
    >>> V = numpy_helper.from_array(np.array([[1.0], [1.0]]), "V")
    >>> nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["z"], transB=1), helper.make_node("Relu", ["z"], ["h"]),
    ...          helper.make_node("Add", ["x", "h"], ["s"]), helper.make_node("MatMul", ["s", "V"], ["y"])]
    >>> graph = helper.make_graph(nodes, "res", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [1, 2])],
    ...                           [helper.make_tensor_value_info("y", TensorProto.DOUBLE, [1, 1])], [W, b, V])
    >>> g = graph_from_onnx(helper.make_model(graph))
    >>> g([1, 1]), g.bias("y1") is None
    ((Fraction(7, 2),), True)
    """
    onnx = require_onnx()
    from onnx import numpy_helper

    if isinstance(model, (str, os.PathLike)):
        source = os.fspath(model)
        try:
            proto = onnx.load(source)
        except FileNotFoundError:
            raise FormatError(f"{source}: no such file") from None
        except Exception as exc:  # protobuf DecodeError and friends
            raise FormatError(f"{source}: not an ONNX model ({type(exc).__name__})") from None
    elif isinstance(model, onnx.ModelProto):
        proto, source = model, "<onnx model>"
    else:
        raise NotApplicableError(f"expected an onnx.ModelProto or a path, got {type(model).__name__}")
    g = proto.graph
    consts: dict[str, Any] = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    data_inputs = [i for i in g.input if i.name not in consts]
    if len(data_inputs) != 1:
        raise NotApplicableError(f"{source}: the graph must have exactly one data input, has "
                                 f"{[i.name for i in data_inputs]}")
    if len(g.output) != 1:
        raise NotApplicableError(f"{source}: the graph must have exactly one output, has {len(g.output)}")
    d = _input_dim(data_inputs[0], g, consts)
    if d is None:
        raise NotApplicableError(f"{source}: cannot tell the input dimension (no static shape, no first Gemm/MatMul)")
    b = GraphBuilder(d)
    values: dict[str, list[Expression]] = {data_inputs[0].name: b.inputs}
    for node in g.node:
        op, name = node.op_type, node.name or (node.output[0] if node.output else "?")
        where = f"{source}: node {name!r} ({op})"
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.domain not in ("", "ai.onnx"):
            raise NotApplicableError(f"{where}: operator domain {node.domain!r} is not supported")
        if op == "Constant":
            if "value" not in attrs:
                raise NotApplicableError(f"{where}: only tensor constants ('value') are supported")
            consts[node.output[0]] = numpy_helper.to_array(attrs["value"])
            continue

        def val(i: str, where: str = where) -> list[Expression]:
            if i not in values:
                raise NotApplicableError(f"{where}: operand {i!r} is neither a computed value nor usable here")
            return values[i]

        ins = list(node.input)
        if op in ("Gemm", "MatMul"):
            if op == "Gemm" and attrs.get("transA", 0):
                raise NotApplicableError(f"{where}: transA=1 is not supported")
            if len(ins) < 2 or ins[1] not in consts:
                raise NotApplicableError(f"{where}: the weight operand must be a constant")
            B = np.asarray(consts[ins[1]])
            if B.ndim != 2:
                raise ShapeError(f"{where}: weight {ins[1]!r} has shape {tuple(B.shape)}, expected a matrix")
            Wm = B if (op == "Gemm" and attrs.get("transB", 0)) else B.T
            W = exact_fractions(Wm, where=f"{where} {ins[1]}")
            if op == "Gemm":
                alpha = _f32(attrs.get("alpha", 1.0))
                W = [[alpha * w for w in row] for row in W]
            bias = None
            if op == "Gemm" and len(ins) > 2 and ins[2]:
                if ins[2] not in consts:
                    raise NotApplicableError(f"{where}: the bias C must be a constant")
                beta = _f32(attrs.get("beta", 1.0))
                bias = [beta * c for c in _vector(consts[ins[2]], len(W), where)]
            values[node.output[0]] = b.linear(val(ins[0]), W, bias)
        elif op in ("Add", "Sub"):
            sign = 1 if op == "Add" else -1
            computed = [i for i in ins if i in values]
            if len(computed) == 2:
                values[node.output[0]] = b.add(val(ins[0]), val(ins[1]), sign=sign)
            elif len(computed) == 1 and ins[0] in values and ins[1] in consts:
                x = val(ins[0])
                c = _vector(consts[ins[1]], len(x), where)
                values[node.output[0]] = [{**e, CONSTANT: e.get(CONSTANT, Fraction(0)) + sign * ci}
                                          for e, ci in zip(x, c)]
            else:
                raise NotApplicableError(f"{where}: expected a computed value plus a constant, or two computed values")
        elif op == "Relu":
            values[node.output[0]] = b.relu(val(ins[0]))
        elif op in ("Identity", "Flatten"):
            if op == "Flatten" and attrs.get("axis", 1) != 1:
                raise NotApplicableError(f"{where}: Flatten with axis={attrs['axis']} (only axis=1 keeps the batch)")
            values[node.output[0]] = val(ins[0])
        elif op == "Gather":
            if attrs.get("axis", 0) not in (-1, 1) or len(ins) != 2 or ins[1] not in consts:
                raise NotApplicableError(f"{where}: only Gather of features (axis 1) with constant indices")
            x = val(ins[0])
            idx = np.asarray(consts[ins[1]])
            if idx.ndim != 1 or idx.dtype.kind not in "iu" or any(not -len(x) <= int(i) < len(x) for i in idx):
                raise NotApplicableError(f"{where}: the indices must be a vector of feature positions")
            values[node.output[0]] = [x[int(i)] for i in idx]
        elif op == "Concat":
            if attrs.get("axis") not in (-1, 1):
                raise NotApplicableError(f"{where}: only concatenation of features (axis -1 or 1)")
            values[node.output[0]] = b.concat(*(val(i) for i in ins))
        else:
            raise NotApplicableError(f"{where}: not supported; a graph network is built from Gemm, MatMul, Add, Sub, "
                                     "Relu, Concat, Gather, Flatten and Identity")
    out = g.output[0].name
    if out not in values:
        raise NotApplicableError(f"{source}: the graph output {out!r} is not computed from the input")
    return b.network(values[out])


def _f32(value: Any) -> Fraction:
    return exact_fractions(np.float32(value), where="attribute")


def _vector(c: Any, n: int, where: str) -> list[Fraction]:
    arr = np.asarray(c)
    if arr.size not in (1, n) or (arr.ndim > 1 and arr.shape[-1] != arr.size):
        raise ShapeError(f"{where}: constant of shape {tuple(arr.shape)} does not fit {n} values")
    return list(exact_fractions(np.broadcast_to(arr.reshape(-1), (n,)), where=where))


def _input_dim(inp: Any, g: Any, consts: dict[str, Any]) -> int | None:
    dims = inp.type.tensor_type.shape.dim
    if dims and dims[-1].HasField("dim_value") and dims[-1].dim_value > 0:
        return int(dims[-1].dim_value)
    for node in g.node:
        if node.op_type in ("Gemm", "MatMul") and len(node.input) > 1 and node.input[1] in consts:
            B = np.asarray(consts[node.input[1]])
            if B.ndim == 2:
                transb = any(a.name == "transB" and a.i for a in node.attribute)
                return int(B.shape[1] if transb else B.shape[0])
    return None
