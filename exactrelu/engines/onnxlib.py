"""ONNX adapter: exact import of MLP graphs and float64 export (lazy ``onnx`` import; optional extra ``onnx``).

Import (:func:`from_onnx`) walks the graph from its one data input and accepts a single chain of

* ``Gemm`` (``Y = alpha * A B' + beta * C``; ``transB`` either way, ``alpha``/``beta`` applied exactly, ``transA=0``),
* ``MatMul`` with a constant right operand, optionally followed by ``Add`` of a constant (the bias),
* ``Relu`` between affine layers (and after the last one: an output ReLU, imported exactly as a hidden layer followed
  by the identity output layer, :func:`exactrelu.core.output_relu.with_output_relu`), and ``Flatten``, ``Identity``
  anywhere;

weights may be initializers or ``Constant`` nodes.  Any other node is refused with its name and op type.  Every tensor
is converted exactly (:func:`exactrelu.engines.arrays.exact_fractions`).  A ``MatMul`` without an ``Add`` is a
bias-free layer: refused unless ``bias_free="zero"`` (see :func:`exactrelu.engines.torchlib.from_torch`).

Export (:func:`to_onnx`) writes ``Gemm``/``Relu`` in float64 and returns the rounding made.
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any

import numpy as np

from exactrelu.core.errors import FormatError, NotApplicableError, ShapeError
from exactrelu.core.network import Layer, Network
from exactrelu.core.output_relu import with_output_relu
from exactrelu.engines.arrays import FloatRounding, exact_fractions, network_to_arrays

__all__ = ["from_onnx", "to_onnx", "require_onnx", "finish_model", "OPSET"]

OPSET = 17


def require_onnx() -> Any:
    """``import onnx`` or a clear :class:`NotApplicableError` saying how to install it."""
    try:
        import onnx
    except ImportError:  # pragma: no cover - depends on the environment
        raise NotApplicableError("the onnx package is not installed (pip install 'exactrelu[onnx]')") from None
    return onnx


def _load_model(model: Any, onnx: Any) -> tuple[Any, str]:
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        try:
            return onnx.load(path), path
        except FileNotFoundError:
            raise FormatError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise FormatError(f"{path}: is a directory, not a network file") from None
        except Exception as exc:  # protobuf DecodeError and friends
            raise FormatError(f"{path}: not an ONNX model ({type(exc).__name__}: {str(exc)[:120]})") from None
    if isinstance(model, onnx.ModelProto):
        return model, "<onnx model>"
    raise NotApplicableError(f"expected an onnx.ModelProto or a path, got {type(model).__name__}")


def from_onnx(model: Any, *, bias_free: str = "refuse") -> Network:
    """The exact :class:`Network` of an ONNX MLP (a path or an ``onnx.ModelProto``).

    Raises
    ------
    NotApplicableError
        On any unsupported node (named, with its op type) or a graph that is not one chain.
    FormatError
        If the file is not an ONNX model.

    Examples
    --------
    >>> from exactrelu import examples
    >>> model, rounding = to_onnx(examples.relu_of_sum())
    >>> from_onnx(model) == examples.relu_of_sum(), rounding.exact
    (True, True)
    """
    if bias_free not in ("refuse", "zero"):
        raise ValueError(f"bias_free must be 'refuse' or 'zero', got {bias_free!r}")
    onnx = require_onnx()
    from onnx import numpy_helper

    proto, source = _load_model(model, onnx)
    g = proto.graph
    consts: dict[str, np.ndarray] = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    data_inputs = [i.name for i in g.input if i.name not in consts]
    if len(data_inputs) != 1:
        raise NotApplicableError(f"{source}: the graph must have exactly one data input, has {data_inputs}")
    if len(g.output) != 1:
        raise NotApplicableError(f"{source}: the graph must have exactly one output, has {len(g.output)}")
    current = data_inputs[0]
    layers: list[Layer] = []
    pending: dict[str, Any] | None = None  # a MatMul waiting for its Add
    last = "input"

    def finish_pending() -> None:
        nonlocal pending
        if pending is None:
            return
        if bias_free != "zero":
            raise NotApplicableError(
                f"{source}: node {pending['name']!r} ({pending['op']}) has no bias; a layered network has a "
                "bias parameter in every neuron, so importing it as bias 0 would count parameters the model does "
                "not have (D differs). Pass bias_free='zero' (CLI: --bias-free-as-zero) to accept that")
        layers.append(Layer(pending["W"], tuple(Fraction(0) for _ in pending["W"])))
        pending = None

    for node in g.node:
        op, name = node.op_type, node.name or (node.output[0] if node.output else "?")
        where = f"{source}: node {name!r} ({op})"
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if op == "Constant":
            if "value" not in attrs:
                raise NotApplicableError(f"{where}: only tensor constants ('value') are supported")
            consts[node.output[0]] = numpy_helper.to_array(attrs["value"])
            continue
        inputs = list(node.input)
        if current not in inputs:
            raise NotApplicableError(f"{where}: does not act on the chain's current value {current!r} "
                                     "(a graph that is not one chain of layers)")
        if node.domain not in ("", "ai.onnx"):
            raise NotApplicableError(f"{where}: operator domain {node.domain!r} is not supported")
        if op == "Add" and pending is not None:
            other = [i for i in inputs if i != current]
            if len(other) != 1 or other[0] not in consts:
                raise NotApplicableError(f"{where}: the bias must be a constant")
            b = np.asarray(consts[other[0]])
            n_out = len(pending["W"])
            if b.size not in (1, n_out) or (b.ndim > 1 and b.shape[-1] != b.size):
                raise ShapeError(f"{where}: bias of shape {tuple(b.shape)} does not fit {n_out} outputs")
            bias = exact_fractions(np.broadcast_to(b.reshape(-1), (n_out,)), where=f"{where} {other[0]}")
            layers.append(Layer(pending["W"], tuple(bias)))
            pending, last = None, "linear"
        elif op in ("Gemm", "MatMul"):
            finish_pending()
            if last == "linear":
                raise NotApplicableError(f"{where}: two affine layers without a Relu between them")
            if inputs[0] != current:
                raise NotApplicableError(f"{where}: the data must be the first operand")
            if len(inputs) < 2 or inputs[1] not in consts:
                raise NotApplicableError(f"{where}: the weight operand must be a constant (initializer)")
            B = np.asarray(consts[inputs[1]])
            if B.ndim != 2:
                raise ShapeError(f"{where}: weight {inputs[1]!r} has shape {tuple(B.shape)}, expected a matrix")
            if op == "Gemm":
                if attrs.get("transA", 0):
                    raise NotApplicableError(f"{where}: transA=1 (a transposed data operand) is not supported")
                Wm = B if attrs.get("transB", 0) else B.T
                alpha = _attr_fraction(attrs.get("alpha", 1.0))
                beta = _attr_fraction(attrs.get("beta", 1.0))
                W = _scaled(exact_fractions(Wm, where=f"{where} {inputs[1]}"), alpha)
                n_out = len(W)
                if len(inputs) > 2 and inputs[2]:
                    if inputs[2] not in consts:
                        raise NotApplicableError(f"{where}: the bias C must be a constant")
                    C = np.asarray(consts[inputs[2]])
                    if C.size not in (1, n_out) or (C.ndim > 1 and C.shape[-1] != C.size):
                        raise ShapeError(f"{where}: C of shape {tuple(C.shape)} does not fit {n_out} outputs")
                    bias = _scaled(exact_fractions(np.broadcast_to(C.reshape(-1), (n_out,)),
                                                   where=f"{where} {inputs[2]}"), beta)
                    layers.append(Layer(W, tuple(bias)))
                else:
                    pending = {"W": W, "name": name, "op": op}
                    finish_pending()
            else:
                pending = {"W": exact_fractions(B.T, where=f"{where} {inputs[1]}"), "name": name, "op": op}
            last = "linear"
        elif op == "Relu":
            finish_pending()
            if last == "input":
                raise NotApplicableError(f"{where}: a Relu before the first affine layer")
            last = "relu"
        elif op in ("Identity", "Flatten"):
            if op == "Flatten" and attrs.get("axis", 1) != 1:
                raise NotApplicableError(f"{where}: Flatten with axis={attrs['axis']} (only axis=1 keeps the batch)")
        else:
            raise NotApplicableError(f"{where}: not supported; an exactrelu network is a chain of Gemm (or MatMul "
                                     "+ Add), Relu, Flatten and Identity")
        if len(node.output) != 1:
            raise NotApplicableError(f"{where}: expected one output")
        current = node.output[0]
    finish_pending()
    if current != g.output[0].name:
        raise NotApplicableError(f"{source}: the graph output {g.output[0].name!r} is not the end of the chain")
    if not layers:
        raise NotApplicableError(f"{source}: the graph has no affine layer")
    try:
        net = Network(tuple(layers))
    except ShapeError as exc:
        raise ShapeError(f"{source}: {exc}") from None
    return with_output_relu(net) if last == "relu" else net


def _attr_fraction(value: Any) -> Fraction:
    """ONNX float attributes are float32: their exact value."""
    return exact_fractions(np.float32(value), where="attribute")


def _scaled(rows: Any, factor: Fraction) -> Any:
    if factor == 1:
        return rows
    if isinstance(rows[0], tuple):
        return tuple(tuple(v * factor for v in r) for r in rows)
    return tuple(v * factor for v in rows)


def to_onnx(net: Network, path: str | os.PathLike[str] | None = None, *,
            input_name: str = "input", output_name: str = "output") -> tuple[Any, FloatRounding]:
    """A float64 ONNX model of ``net`` (``Gemm`` with ``transB=1`` and ``Relu``) and the rounding made.

    With ``path`` the model is also written there atomically.  The input is ``[batch, d]`` float64.
    """
    require_onnx()
    from onnx import helper, numpy_helper

    arrays, rounding = network_to_arrays(net)
    nodes, inits = [], []
    current = input_name
    for l, (W, b) in enumerate(arrays, 1):
        inits += [numpy_helper.from_array(W, f"W{l}"), numpy_helper.from_array(b, f"b{l}")]
        out = output_name if l == len(arrays) else f"z{l}"
        nodes.append(helper.make_node("Gemm", [current, f"W{l}", f"b{l}"], [out], name=f"layer{l}", transB=1))
        current = out
        if l < len(arrays):
            nodes.append(helper.make_node("Relu", [out], [f"a{l}"], name=f"relu{l}"))
            current = f"a{l}"
    return finish_model(nodes, inits, (net.input_dim, net.output_dim), "exactrelu_network", path,
                        input_name=input_name, output_name=output_name), rounding


def finish_model(nodes: list[Any], inits: list[Any], dims: tuple[int, int], name: str,
                 path: str | os.PathLike[str] | None, *, input_name: str, output_name: str) -> Any:
    """The checked float64 ONNX model of ``nodes`` and initialisers (input ``[batch, d]``, output ``[batch, m]`` with
    ``dims = (d, m)``), written atomically to ``path`` if given."""
    onnx = require_onnx()
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(input_name, TensorProto.DOUBLE, ["batch", dims[0]])],
        [helper.make_tensor_value_info(output_name, TensorProto.DOUBLE, ["batch", dims[1]])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="exactrelu")
    model.ir_version = min(model.ir_version, 9)
    onnx.checker.check_model(model)
    if path is not None:
        from exactrelu.core.files import atomic_write_bytes

        atomic_write_bytes(path, model.SerializeToString())
    return model
