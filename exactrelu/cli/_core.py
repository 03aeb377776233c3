"""Foundation commands: info, eval, random, normal-form, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from exactrelu.cli._common import (
    AllowFloatOpt,
    JsonOpt,
    NetArg,
    app,
    console,
    emit_json,
    guarded,
    outdir_option,
    output_option,
    read_any_network,
    read_network,
    read_network_or_graph,
)
from exactrelu.cli._graph import graph_info
from exactrelu.cli.report import write_report
from exactrelu.core.errors import FormatError, ShapeError, SizeLimitError
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.graph_io import graph_to_dict
from exactrelu.core.io import network_to_dict, save
from exactrelu.core.output_relu import ends_with_output_relu
from exactrelu.core.random import parse_architecture, random_network
from exactrelu.core.rational import parse_rational
from exactrelu.core.symmetry import normal_form

OutOpt = Annotated[Path | None, output_option("-o", "--output", help="Write the network here (atomically).")]


#: Layers with more entries than this are summarised by ``info`` (shape and a few entries), never printed whole.
SHOWN_ENTRIES = 64


def _entries(values: tuple[Any, ...], limit: int) -> str:
    text = " ".join(map(str, values[:limit]))
    return text + (f" ... ({len(values)} entries)" if len(values) > limit else "")


def _layer_cells(layer: Any, big: bool) -> tuple[str, str]:
    W, b = layer.weights, layer.biases
    if not big:
        return "\n".join(" ".join(map(str, r)) for r in W), " ".join(map(str, b))
    return (f"{len(W)} rows; row 1: {_entries(W[0], 6)}" + (f"\n... {len(W) - 1} more rows" if len(W) > 1 else ""),
            _entries(b, 6))


def _pattern_text(pattern: Any) -> str:
    sign = {1: "+", 0: "0", -1: "-"}
    if pattern and not isinstance(pattern[0], (tuple, list)):
        return "".join(sign[s] for s in pattern)
    return " | ".join("".join(sign[s] for s in layer) for layer in pattern)


@app.command()
@guarded
def info(path: NetArg, json_out: JsonOpt = False, allow_float: AllowFloatOpt = False,
         full: Annotated[bool, typer.Option("--full", help="With --json: include every entry of the network.")]
         = False) -> None:
    """Architecture, number of parameters D, hidden neurons N_h and a table of layers (large layers summarised;
    or vertices of a graph)."""
    net = read_any_network(path, allow_float)
    if isinstance(net, GraphNetwork):
        graph_info(path, net, json_out)
        return
    big = net.num_parameters > SHOWN_ENTRIES * len(net.layers)
    relu_out = ends_with_output_relu(net)
    if json_out:
        out = {"architecture": list(net.architecture), "parameters": net.num_parameters,
               "hidden_neurons": net.num_hidden, "depth": net.depth, "output_relu": relu_out}
        if full or not big:
            out["network"] = network_to_dict(net)
        emit_json(out)
        return
    console.print(f"[bold]{path}[/]: architecture {net.architecture}, D = {net.num_parameters}, "
                  f"N_h = {net.num_hidden}", highlight=False)
    table = Table("layer", "shape", "weights", "biases", "kind")
    for l, layer in enumerate(net.layers, 1):
        weights, biases = _layer_cells(layer, layer.n_out * (layer.n_in + 1) > SHOWN_ENTRIES)
        kind = "affine (output)" if l == len(net.layers) else "ReLU"
        if relu_out and l >= len(net.layers) - 1:
            kind = "identity (output)" if l == len(net.layers) else "ReLU (output ReLU)"
        table.add_row(str(l), f"{layer.n_out} x {layer.n_in}", weights, biases, kind)
    console.print(table)
    if relu_out:
        console.print(f"the network ends with a ReLU: f = relu(layer {len(net.layers) - 1}); the identity output "
                      "layer represents it exactly (D counts its entries)", highlight=False)


@app.command("eval", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": True})
@guarded
def eval_(path: NetArg,
          x: Annotated[list[str], typer.Argument(help="Input coordinates: integers, p/q or exact decimals.",
                                                 show_default=False)],
          json_out: JsonOpt = False, allow_float: AllowFloatOpt = False) -> None:
    """Exact output f(x) and the activation pattern at one input point (+ active, - inactive, 0 on the kink; graphs:
    hidden vertices in topological order)."""
    net = read_any_network(path, allow_float)
    point = []
    for i, v in enumerate(x):
        try:
            point.append(parse_rational(v))
        except FormatError as exc:
            raise FormatError(f"x[{i}]: {exc}") from None
    if len(point) != net.input_dim:
        raise ShapeError(f"{path}: network expects {net.input_dim} inputs, got {len(point)}")
    y = net(point)
    pattern = net.pattern(point)
    if json_out:
        pat: list[Any] = list(pattern) if isinstance(net, GraphNetwork) else [list(p) for p in pattern]
        extra = {"hidden_order": list(net.hidden_order)} if isinstance(net, GraphNetwork) else {}
        emit_json({"x": [str(v) for v in point], "output": [str(v) for v in y], "pattern": pat, **extra})
    else:
        console.print(" ".join(str(v) for v in y), highlight=False)
        if pattern:
            console.print(f"pattern: {_pattern_text(pattern)}", highlight=False)


@app.command("random")
@guarded
def random_(architecture: Annotated[str, typer.Argument(help="Architecture d,n1,...,m e.g. 2,4,4,1")],
            seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
            max_num: Annotated[int, typer.Option(help="Largest |numerator| (>= 1).", min=1)] = 5,
            max_den: Annotated[int, typer.Option(help="Largest denominator (>= 1).", min=1)] = 4,
            graph: Annotated[bool, typer.Option("--graph", help="A graph network (file version 2) with skip edges."
                                                )] = False,
            density: Annotated[str, typer.Option(help="--graph: probability p/q of each skip edge.")] = "1/2",
            skip: Annotated[str | None, typer.Option(
                help="--graph: skip pattern instead of --density: none, all (DenseNet-style) or layer pairs "
                     "like 0-2,1-3 (layer 0 = inputs).")] = None,
            family: Annotated[str, typer.Option(
                help="--graph: mlp (layers + skips), chain (widths 1), residual (d,d,...,d,m: blocks "
                     "x + relu(Wx + b)) or dense (every layer to every later one).")] = "mlp",
            no_bias: Annotated[bool, typer.Option("--no-bias", help="--graph: no bias parameters.")] = False,
            output: OutOpt = None, json_out: JsonOpt = False) -> None:
    """A seeded random network with small rational entries (--graph: a graph network with skip edges)."""
    from exactrelu.cli._common import LIMITS
    from exactrelu.core.network import num_parameters

    arch = parse_architecture(architecture)
    if num_parameters(arch) > LIMITS.max_parameters:
        raise SizeLimitError(f"architecture {arch} has {num_parameters(arch):,} parameters, more than the limit of "
                             f"{LIMITS.max_parameters:,}; raise it with `exactrelu --max-parameters N random ...`")
    net: Any
    if graph:
        from exactrelu.cli._graph import random_graph_from_options

        net = random_graph_from_options(arch, seed=seed, density=density, skip=skip, family=family,
                                        bias=not no_bias, max_num=max_num, max_den=max_den)
    else:
        net = random_network(arch, seed=seed, max_num=max_num, max_den=max_den)
    if output is not None:
        save(net, output)
        if not json_out:
            what = f"architecture {net.architecture}" if not graph else f"{net.num_hidden} hidden vertices"
            console.print(f"wrote {output}: {what}, D = {net.num_parameters}", highlight=False)
    if json_out or output is None:
        emit_json(network_to_dict(net) if not graph else graph_to_dict(net))


@app.command("normal-form")
@guarded
def normal_form_cmd(path: NetArg, output: OutOpt = None, json_out: JsonOpt = False,
                    allow_float: AllowFloatOpt = False) -> None:
    """The unique representative of the network's orbit under permutations and positive rescalings."""
    net = read_network_or_graph(path, allow_float)
    if isinstance(net, GraphNetwork):
        from exactrelu.core.graph_symmetry import graph_normal_form

        gnf = graph_normal_form(net)
        if output is not None:
            save(gnf, output)
        if json_out or output is None:
            emit_json(graph_to_dict(gnf))
        return
    nf = normal_form(net)
    if output is not None:
        save(nf, output)
    if json_out or output is None:
        emit_json(network_to_dict(nf))


@app.command()
@guarded
def demo(outdir: Annotated[Path, outdir_option("--outdir", help="Report folder.")] = Path("exactrelu-report"),
         network: Annotated[Path | None, typer.Option("--network", help="Report on this network instead.")] = None,
         allow_float: AllowFloatOpt = False, json_out: JsonOpt = False) -> None:
    """Write the exactrelu report (Markdown + JSON) about the embedded default network."""
    net = read_network(network, allow_float, command="demo") if network is not None else None
    path = write_report(net, outdir)
    if json_out:
        emit_json({"report": str(path), "json": str(path.with_suffix(".json"))})
    else:
        console.print(f"wrote {path} and {path.with_suffix('.json')}", highlight=False)
