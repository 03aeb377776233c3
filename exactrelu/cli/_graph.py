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


# ---------------------------------------------------------------------------------------------------------------------
# The graph side of the engine's commands (called by `regions`, `equiv`, `reduce`, `fdim`, `identify`, ...).
def graph_reduce_command(path: Path, g: GraphNetwork, domain: Any, *, output: Path | None, max_regions: int | None,
                         json_out: bool) -> None:
    """``reduce`` on a graph: zero edges, invisible, constant and dead vertices."""
    from exactrelu.theory.equality.graph_reduce import graph_reduce

    res = graph_reduce(g, domain, max_regions=max_regions or 100_000)
    if output is not None:
        save(res.network, output)
    if json_out:
        emit_json(res.to_dict())
        return
    console.print(f"{g.num_hidden} -> {res.network.num_hidden} hidden vertices, D {g.num_parameters} -> "
                  f"{res.network.num_parameters}" + (f", written to {output}" if output is not None else ""),
                  highlight=False)
    for v, why in res.removed_vertices:
        console.print(f"  removed vertex {v}: {why}", highlight=False)
    for u, v, why in res.removed_edges:
        console.print(f"  removed edge {u} -> {v}: {why}", highlight=False)
    if res.always_active:
        console.print(f"  always active (kept): {', '.join(res.always_active)}", highlight=False)


def graph_fdim_command(path: Path, g: GraphNetwork, *, max_regions: int, json_out: bool,
                       points: list[list[Any]] | None = None) -> None:
    """``fdim`` on a graph: rank of the stacked region Jacobians w.r.t. edge weights and present biases (with
    ``--points``: of the Jacobians of ``θ -> f_θ(x)`` at the given points, the batch functional dimension)."""
    from exactrelu.theory.dimension.graph_jacobian import (
        graph_batch_functional_dimension,
        graph_functional_dimension,
    )

    if points is not None:
        r = graph_batch_functional_dimension(g, points)
    else:
        r = graph_functional_dimension(g, max_regions=max_regions)
    if json_out:
        emit_json(r.to_dict())
        return
    where = "region(s)" if points is None else "point(s)"
    what = "dim_fun" if points is None else "batch dim_fun (rank of J_{F_X})"
    if r.rank is None:
        console.print(f"[bold]{path}[/]: {what} not defined: θ -> f_θ is not differentiable on "
                      f"{len(r.nondifferentiable)} {where}; rank over the others = {r.differentiable_rank} "
                      f"(D = {r.parameters}, N_h = {r.hidden_vertices}, bound D - s(θ) = {r.upper_bound})",
                      highlight=False)
    else:
        over = (f"every one of the {r.regions} regions" if points is None
                else f"{r.regions} points" + (", equal to dim_fun (the bound is reached)"
                                              if r.rank == r.upper_bound else ", a lower bound of dim_fun"))
        console.print(f"[bold]{path}[/]: {what} = [bold]{r.rank}[/] (D = {r.parameters}, N_h = {r.hidden_vertices}, "
                      f"bound D - s(θ) = {r.upper_bound}); {over}, exact rational rank", highlight=False)
    for p, vs in r.nondifferentiable:
        console.print(f"  not differentiable: pattern {p}, vertices {', '.join(vs)}", highlight=False)
    for note in r.notes:
        console.print(f"  note: {note}", highlight=False)


def graph_identify_command(path: Path, g: GraphNetwork, *, max_regions: int, json_out: bool) -> None:
    """``identify`` on a graph: first-order local identifiability up to rescalings, and global answers where proved
    (a "no" with a witness checked by ``equiv``, :mod:`exactrelu.theory.dimension.graph_identify`)."""
    import json

    from exactrelu.core.graph_io import graph_to_dict
    from exactrelu.theory.dimension.graph_identify import graph_global_identifiability
    from exactrelu.theory.dimension.graph_jacobian import graph_identifiability

    r = graph_identifiability(g, max_regions=max_regions)
    glob = graph_global_identifiability(g, max_regions=max_regions)
    local, local_reason = r.locally_identifiable, r.reason
    if glob.line:
        local, local_reason = False, "a line θ + t·e outside the rescaling directions lies in the fiber (" + \
            f"{glob.mechanism} {glob.vertex})"
    if json_out:
        out = r.to_dict()
        out.update(locally_identifiable=local, reason=local_reason, globally_identifiable=glob.globally_identifiable,
                   global_reason=glob.reason, **{"global": glob.to_dict()})
        emit_json(out)
        return
    word = {True: "yes (up to rescalings)", False: "no", None: "undecided"}
    console.print(f"[bold]{path}[/]: Jacobian rank {r.dimension.rank} (bound {r.dimension.upper_bound}), kernel "
                  f"dimension {r.kernel_dimension} ({r.dimension.scaling_rank} rescalings)", highlight=False)
    console.print(f"locally identifiable: {word[local]} ({local_reason})", highlight=False)
    console.print(f"globally identifiable: {word[glob.globally_identifiable]} ({glob.reason})", highlight=False)
    if glob.witness is not None:
        console.print("witness (same function, not a trivial symmetry; check with `exactrelu equiv`): "
                      + json.dumps(graph_to_dict(glob.witness)), highlight=False, markup=False, soft_wrap=True)


def random_graph_from_options(arch: tuple[int, ...], *, seed: int, density: str, skip: str | None, family: str,
                              bias: bool, max_num: int, max_den: int) -> GraphNetwork:
    """``exactrelu random --graph``: a graph network of the chosen family."""
    from exactrelu.core.graph_random import FAMILIES, random_graph_network, residual_network
    from exactrelu.core.rational import parse_rational

    if family not in FAMILIES:
        raise FormatError(f"--family {family!r}: choose one of {', '.join(FAMILIES)}")
    if family == "residual":
        d, widths, m = arch[0], arch[1:-1], arch[-1]
        if any(w != d for w in widths):
            raise FormatError(f"--family residual: hidden widths must equal d = {d} (blocks x + relu(Wx + b)), "
                              f"got {arch}")
        return residual_network(d, blocks=len(widths), outputs=m, seed=seed, bias=bias, max_num=max_num,
                                max_den=max_den)
    if family == "chain" and any(w != 1 for w in arch):
        raise FormatError(f"--family chain: every width must be 1, got {arch}")
    pattern: Any = skip
    if family == "dense":
        pattern = "all"
    elif skip not in (None, "none", "all"):
        try:
            pattern = [tuple(int(t) for t in part.split("-")) for part in skip.split(",")]
            if any(len(p) != 2 for p in pattern):
                raise ValueError
        except ValueError:
            raise FormatError(f"--skip {skip!r}: expected none, all or layer pairs like 0-2,1-3") from None
    return random_graph_network(arch, seed, density=parse_rational(density), skip=pattern, bias=bias,
                                max_num=max_num, max_den=max_den)
