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
    read_any_network,
    read_network,
    read_network_or_graph,
)
from exactrelu.cli._graph import graph_info
from exactrelu.cli.report import write_report
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.graph_io import graph_to_dict
from exactrelu.core.io import network_to_dict, save
from exactrelu.core.random import parse_architecture, random_network
from exactrelu.core.rational import parse_rational
from exactrelu.core.symmetry import normal_form

OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write the network here (atomically).")]


@app.command()
@guarded
def info(path: NetArg, json_out: JsonOpt = False, allow_float: AllowFloatOpt = False) -> None:
    """Architecture, number of parameters D, hidden neurons N_h and a table of layers (or vertices of a graph)."""
    net = read_any_network(path, allow_float)
    if isinstance(net, GraphNetwork):
        graph_info(path, net, json_out)
        return
    if json_out:
        emit_json({"architecture": list(net.architecture), "parameters": net.num_parameters,
                   "hidden_neurons": net.num_hidden, "depth": net.depth, "network": network_to_dict(net)})
        return
    console.print(f"[bold]{path}[/]: architecture {net.architecture}, D = {net.num_parameters}, "
                  f"N_h = {net.num_hidden}")
    table = Table("layer", "shape", "weights", "biases", "kind")
    for l, layer in enumerate(net.layers, 1):
        table.add_row(str(l), f"{layer.n_out} x {layer.n_in}",
                      "\n".join(" ".join(map(str, r)) for r in layer.weights), " ".join(map(str, layer.biases)),
                      "affine (output)" if l == len(net.layers) else "ReLU")
    console.print(table)


@app.command("eval", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": True})
@guarded
def eval_(path: NetArg,
          x: Annotated[list[str], typer.Argument(help="Input coordinates, integers or p/q.", show_default=False)],
          json_out: JsonOpt = False, allow_float: AllowFloatOpt = False) -> None:
    """Exact output f(x) and the activation pattern at one input point (graphs: hidden vertices in topological
    order)."""
    net = read_any_network(path, allow_float)
    point = [parse_rational(v) for v in x]
    if len(point) != net.input_dim:
        from exactrelu.core.errors import ShapeError

        raise ShapeError(f"{path}: network expects {net.input_dim} inputs, got {len(point)}")
    y = net(point)
    pattern = net.pattern(point)
    if json_out:
        pat: list[Any] = list(pattern) if isinstance(net, GraphNetwork) else [list(p) for p in pattern]
        extra = {"hidden_order": list(net.hidden_order)} if isinstance(net, GraphNetwork) else {}
        emit_json({"x": [str(v) for v in point], "output": [str(v) for v in y], "pattern": pat, **extra})
    else:
        console.print(" ".join(str(v) for v in y), highlight=False)


@app.command("random")
@guarded
def random_(architecture: Annotated[str, typer.Argument(help="Architecture d,n1,...,m e.g. 2,4,4,1")],
            seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
            max_num: Annotated[int, typer.Option(help="Largest |numerator|.")] = 5,
            max_den: Annotated[int, typer.Option(help="Largest denominator.")] = 4,
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
    arch = parse_architecture(architecture)
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
            console.print(f"wrote {output}: {what}, D = {net.num_parameters}")
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
def demo(outdir: Annotated[Path, typer.Option("--outdir", help="Report folder.")] = Path("exactrelu-report"),
         network: Annotated[Path | None, typer.Option("--network", help="Report on this network instead.")] = None,
         allow_float: AllowFloatOpt = False) -> None:
    """Write the exactrelu report (Markdown + JSON) about the embedded default network."""
    net = read_network(network, allow_float) if network is not None else None
    path = write_report(net, outdir)
    console.print(f"wrote {path} and {path.with_suffix('.json')}")
