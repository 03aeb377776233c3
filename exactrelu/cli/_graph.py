"""Graph networks on the command line: ``convert`` between file versions, and the graph side of ``info``/``eval``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from exactrelu.cli._common import AllowFloatOpt, JsonOpt, NetArg, app, console, emit_json, guarded, read_any_network
from exactrelu.core.errors import FormatError, NotApplicableError
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.graph_io import graph_to_dict
from exactrelu.core.graph_layered import as_graph, layered_obstruction, to_layered
from exactrelu.core.io import save
from exactrelu.core.network import Network
from exactrelu.core.rational import format_rational

__all__ = ["graph_info", "graph_info_dict"]


def graph_info_dict(g: GraphNetwork) -> dict[str, Any]:
    """The ``--json`` payload of ``info`` for a graph network."""
    no_in, no_out = g.unreachable_vertices()
    return {"kind": "graph", "inputs": list(g.inputs), "outputs": list(g.outputs),
            "hidden": list(g.hidden_order), "edges": g.num_edges, "parameters": g.num_parameters,
            "hidden_neurons": g.num_hidden,
            "biases_absent": [v for v, b in zip(g.nodes, g.biases) if b is None],
            "layered": layered_obstruction(g) is None, "not_layered_because": layered_obstruction(g),
            "unreachable_from_inputs": list(no_in), "not_reaching_outputs": list(no_out),
            "parameter_names": list(g.parameter_names()), "network": graph_to_dict(g)}


def graph_info(path: Path, g: GraphNetwork, json_out: bool) -> None:
    """Print ``info`` for a graph network."""
    if json_out:
        emit_json(graph_info_dict(g))
        return
    why = layered_obstruction(g)
    console.print(f"[bold]{path}[/]: graph network, {g.input_dim} inputs, N_h = {g.num_hidden} hidden vertices, "
                  f"{g.output_dim} outputs, {g.num_edges} edges, D = {g.num_parameters}", highlight=False)
    console.print("layered (convert --version 1 gives the same network)" if why is None
                  else f"not layered: {why}", highlight=False)
    table = Table("vertex", "kind", "bias", "incoming edges")
    for v in g.topological_order:
        kind = g.kind(v)
        if kind == "input":
            continue
        b = g.bias(v)
        ins = ", ".join(f"{g.edges[k].source}:{format_rational(g.edges[k].weight)}" for k in g.in_edges(v))
        table.add_row(v, "ReLU" if kind == "hidden" else "affine (output)",
                      "absent" if b is None else format_rational(b), ins or "none (constant)")
    console.print(table)


@app.command()
@guarded
def convert(path: NetArg,
            output: Annotated[Path, typer.Option("-o", "--output", help="Write the converted network here.")],
            version: Annotated[int | None, typer.Option(
                "--version", help="File version to write: 1 (layered) or 2 (graph). Default: the other one.")] = None,
            json_out: JsonOpt = False, allow_float: AllowFloatOpt = False) -> None:
    """Convert a network file between version 1 (layered) and version 2 (graph); says why a graph is not layered."""
    net = read_any_network(path, allow_float)
    if version is None:
        version = 1 if isinstance(net, GraphNetwork) else 2
    if version not in (1, 2):
        raise FormatError(f"--version {version}: the network file versions are 1 (layered) and 2 (graph)")
    out: Network | GraphNetwork
    if version == 2:
        out = as_graph(net)
    elif isinstance(net, GraphNetwork):
        why = layered_obstruction(net)
        if why is not None:
            raise NotApplicableError(f"{path}: cannot write version 1, the graph is not layered: {why}")
        out = to_layered(net)
    else:
        out = net
    save(out, output)
    if json_out:
        emit_json({"input": str(path), "output": str(output), "version": version, "parameters": out.num_parameters})
    else:
        console.print(f"wrote {output} (version {version}, D = {out.num_parameters})", highlight=False)
