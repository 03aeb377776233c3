"""Interoperability commands: import (ONNX, PyTorch, safetensors, npz -> exact JSON) and export (back to floats)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from exactrelu.cli._common import (
    AllowFloatOpt,
    JsonOpt,
    app,
    console,
    emit_json,
    err_console,
    guarded,
    read_network_or_graph,
)
from exactrelu.core.errors import FormatError
from exactrelu.core.graph import GraphNetwork

ModelArg = Annotated[Path, typer.Argument(help="Model file: .onnx, .pt/.pth, .safetensors, .npz (or .json).",
                                          show_default=False)]


def _check_output(output: Path, suffixes: tuple[str, ...]) -> None:
    """Refuse a bad destination before any work: wrong suffix, a directory, a device/FIFO, a missing folder."""
    if output.suffix.lower() not in suffixes:
        raise FormatError(f"{output}: output suffix must be one of {', '.join(suffixes)}")
    if output.exists() and not output.is_file():
        raise FormatError(f"{output}: exists and is not a regular file (refusing to write to it)")
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise FormatError(f"{output}: folder {parent} does not exist")


def _architecture(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    from exactrelu.core.random import parse_architecture

    return tuple(parse_architecture(text))


@app.command("import")
@guarded
def import_(model: ModelArg,
            output: Annotated[Path, typer.Option("-o", "--output", help="Write the exact network JSON here.",
                                                 show_default=False)],
            architecture: Annotated[str | None, typer.Option(
                "--architecture", help="Check the shapes against d,n1,...,m (weight files: state dicts, "
                                       ".safetensors, .npz).")] = None,
            layers: Annotated[str | None, typer.Option(
                "--layers", help="Weight files: the layer key prefixes in order, e.g. fc1,fc2,out (default: every "
                                 "2-D *weight tensor in natural key order).")] = None,
            trust_pickle: Annotated[bool, typer.Option(
                "--trust-pickle", help="Also read TorchScript archives and pickled modules (.pt): loading them RUNS "
                                       "CODE from the file. Without it only plain state dicts are read.")] = False,
            bias_free_as_zero: Annotated[bool, typer.Option(
                "--bias-free-as-zero", help="Import layers without bias with bias 0 (same function, but the "
                                            "parameter count D then counts biases the model does not have).")] = False,
            output_relu: Annotated[bool, typer.Option(
                "--output-relu", help="Weight files: the model applies a ReLU to its output too (a weight file "
                                      "cannot say so; ONNX graphs and modules say it themselves). It becomes a "
                                      "hidden layer followed by the identity output layer.")] = False,
            json_out: JsonOpt = False, allow_float: AllowFloatOpt = False) -> None:
    """Exact import of a trained network: every float weight becomes the rational it is, bit for bit.  A ReLU on the
    output becomes a hidden layer followed by the identity output layer (the same function, exactly)."""
    from exactrelu.core.io import network_to_dict, save
    from exactrelu.core.output_relu import ends_with_output_relu
    from exactrelu.engines.formats import SUFFIXES, load_network

    _check_output(output, (".json",))
    if model.suffix.lower() not in SUFFIXES:
        raise FormatError(f"{model}: unknown model format {model.suffix!r} (expected one of {', '.join(SUFFIXES)})")
    net = load_network(model, allow_float=allow_float, architecture=_architecture(architecture),
                       layers=layers.split(",") if layers else None, trust_pickle=trust_pickle,
                       bias_free="zero" if bias_free_as_zero else "refuse", output_relu=output_relu)
    save(net, output)
    if bias_free_as_zero:
        err_console.print("note: bias-free layers imported with bias 0; D counts those biases", highlight=False)
    relu_out = ends_with_output_relu(net)
    if json_out:
        emit_json({"input": str(model), "output": str(output), "architecture": list(net.architecture),
                   "parameters": net.num_parameters, "exact": True, "output_relu": relu_out,
                   "network": network_to_dict(net)})
    else:
        console.print(f"wrote {output}: architecture {net.architecture}, D = {net.num_parameters} "
                      "(every entry converted exactly)", highlight=False)
        if relu_out:
            m = net.output_dim
            console.print(f"output ReLU: imported as hidden layer {len(net.layers) - 1} (width {m}) followed by the "
                          f"identity output layer; the same function, regions count the output sign, and D includes "
                          f"the identity layer's {m * m + m} entries", highlight=False)


@app.command("export")
@guarded
def export(path: Annotated[Path, typer.Argument(help="Network file (any format exactrelu reads).",
                                                show_default=False)],
           output: Annotated[Path, typer.Option("-o", "--output", help="Destination: .onnx, .pt, .safetensors, "
                                                "or .npz (float64), or .json (exact).", show_default=False)],
           json_out: JsonOpt = False, allow_float: AllowFloatOpt = False) -> None:
    """Write the network for PyTorch/ONNX in float64 and report the rounding (max abs error, exact or not)."""
    from exactrelu.engines.formats import EXPORT_SUFFIXES, save_network

    _check_output(output, EXPORT_SUFFIXES)
    net = read_network_or_graph(path, allow_float)
    rounding = save_network(net, output)
    if isinstance(net, GraphNetwork):
        shape: dict[str, Any] = {"kind": "graph", "hidden_vertices": net.num_hidden, "edges": net.num_edges}
        what = f"graph network, {net.num_hidden} hidden vertices, {net.num_edges} edges"
    else:
        shape, what = {"architecture": list(net.architecture)}, f"architecture {net.architecture}"
    if json_out:
        emit_json({"output": str(output), **shape, "rounding": None if rounding is None else rounding.to_dict()})
    else:
        console.print(f"wrote {output}: {what}; {'exact' if rounding is None else str(rounding)}", highlight=False)
