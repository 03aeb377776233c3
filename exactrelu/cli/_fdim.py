"""Functional dimension and identifiability commands: fdim, fdim-arch, identify (docs/mathematics.md §1, E1-E4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from exactrelu.cli._common import (
    AllowFloatOpt,
    JsonOpt,
    NetArg,
    app,
    check_scheduler,
    console,
    emit_json,
    guarded,
    image_option,
    progress,
    read_network_or_graph,
    read_points_file,
)
from exactrelu.core.errors import FormatError
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.random import parse_architecture

PointsOpt = Annotated[Path | None, typer.Option(
    "--points", help="JSON file: a list of input points (exact strings \"p/q\" or integers), or {\"points\": [...]}.")]
MaxRegionsOpt = Annotated[int, typer.Option("--max-regions", help="Enumerate at most this many regions, then sample.")]


@app.command("fdim")
@guarded
def fdim_cmd(path: NetArg, points: PointsOpt = None, json_out: JsonOpt = False, allow_float: AllowFloatOpt = False,
             method: Annotated[str, typer.Option(help="auto | regions | sampling | structured")] = "auto",
             max_regions: MaxRegionsOpt = 2000,
             seed: Annotated[int, typer.Option(help="Seed of the random sampler.")] = 0) -> None:
    """Exact functional dimension of a network, with its certificate (modular or rational rank)."""
    from exactrelu.theory.dimension.fdim import functional_dimension

    net = read_network_or_graph(path, allow_float)
    if isinstance(net, GraphNetwork):
        from exactrelu.cli._graph import graph_fdim_command

        pts = read_points_file(points, net.input_dim) if points is not None else None
        graph_fdim_command(path, net, max_regions=max_regions, json_out=json_out, points=pts)
        return
    pts = read_points_file(points, net.input_dim) if points is not None else None
    r = functional_dimension(net, pts, method=method, max_regions=max_regions, seed=seed)
    if json_out:
        emit_json(r.to_dict(with_points=pts is None))
        return
    if r.rank is None:
        console.print(f"[bold]{path}[/]: dim_fun not defined: θ -> f_θ(x) is not differentiable at θ on "
                      f"{len(r.nondifferentiable)} region(s)/point(s); rank over the others = {r.differentiable_rank} "
                      f"(D = {r.parameters}, N_h = {r.hidden_neurons}, bound D - N_h = {r.upper_bound}); method "
                      f"{r.method}", highlight=False)
    else:
        what = "dim_fun" if r.exact else "lower bound of dim_fun"
        console.print(f"[bold]{path}[/]: {what} = [bold]{r.rank}[/] (D = {r.parameters}, N_h = {r.hidden_neurons}, "
                      f"bound D - N_h = {r.upper_bound}); method {r.method}, certified by {r.certified_by} rank",
                      highlight=False)
    for p in r.nondifferentiable:
        console.print(f"  not differentiable: {p}", highlight=False)
    for note in r.notes:
        console.print(f"  note: {note}", highlight=False)


@app.command("fdim-arch")
@guarded
def fdim_arch_cmd(architecture: Annotated[str, typer.Argument(help="Architecture d,n1,...,m e.g. 2,3,3,1")],
                  trials: Annotated[int, typer.Option(help="Number of random rational θ.")] = 200,
                  seed: Annotated[int, typer.Option(help="First seed (trial t uses seed + t).")] = 0,
                  scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
                  workers: Annotated[int, typer.Option(help="LocalCluster workers.")] = 2,
                  serial: Annotated[bool, typer.Option("--serial", help="Run in this process, no Dask.")] = False,
                  max_trials: Annotated[int | None, typer.Option(
                      "--max-trials", help="Total θ budget if the bound is not reached (default 4 x trials).")] = None,
                  plot: Annotated[Path | None, image_option("--plot", help="Write a histogram here.")] = None,
                  json_out: JsonOpt = False) -> None:
    """Functional dimension of an architecture: proved when some θ reaches D - N_h, else a lower bound (on Dask)."""
    from exactrelu.theory.dimension.architecture import architecture_functional_dimension, plot_rank_histogram

    arch = parse_architecture(architecture)
    if trials < 1:
        raise FormatError("--trials must be >= 1")
    if max_trials is not None and max_trials < 1:
        raise FormatError("--max-trials must be >= 1")
    budget = max(trials, max_trials if max_trials is not None else 4 * trials)
    if scheduler is not None:
        check_scheduler(scheduler)
    with progress("trials", total=budget, enabled=not json_out) as update:
        r = architecture_functional_dimension(arch, trials, seed, serial=serial, scheduler=scheduler,
                                              workers=workers, max_trials=budget, progress=update)
    if plot is not None:
        plot_rank_histogram(r, plot)
    if json_out:
        out = r.to_dict()
        out["plot"] = str(plot) if plot is not None else None
        emit_json(out)
        return
    console.print(str(r), highlight=False)
    table = Table("dim_fun", "θ count")
    for k, v in r.histogram.items():
        table.add_row(str(k), str(v))
    console.print(table)
    if plot is not None:
        console.print(f"wrote {plot}")


@app.command("identify")
@guarded
def identify_cmd(path: NetArg, json_out: JsonOpt = False, allow_float: AllowFloatOpt = False,
                 max_regions: MaxRegionsOpt = 2000) -> None:
    """Local and global identifiability, the fiber's tangent space and the hidden-symmetry mechanisms found."""
    from exactrelu.theory.dimension.identifiability import identifiability

    net = read_network_or_graph(path, allow_float)
    if isinstance(net, GraphNetwork):
        from exactrelu.cli._graph import graph_identify_command

        graph_identify_command(path, net, max_regions=max_regions, json_out=json_out)
        return
    r = identifiability(net, max_regions=max_regions)
    if json_out:
        emit_json(r.to_dict())
        return
    word = {True: "yes", False: "no", None: "undecided"}
    glob = {True: "yes (up to permutations and rescalings)", False: "no", None: "undecided"}[r.globally_identifiable]
    fib = "unknown" if r.fiber_dimension is None else str(r.fiber_dimension)
    console.print(f"[bold]{path}[/]: Jacobian rank {r.functional_dimension} (bound {r.upper_bound}), kernel "
                  f"dimension {r.kernel_dimension} ({len(r.tangent.scaling)} scaling + {r.hidden_dimension} hidden), "
                  f"fiber dimension {fib}", highlight=False)
    console.print(f"locally identifiable: {word[r.locally_identifiable]} ({r.local_reason})", highlight=False)
    console.print(f"globally identifiable: {glob}", highlight=False)
    console.print(f"reason: {r.reason}", highlight=False)
    by = r.decided_by.get("by")
    if by == "theorem" and r.decided_by.get("hypotheses"):
        console.print("decided by the theorem; hypotheses (each decided exactly): "
                      + "; ".join(f"{k}: {'yes' if v else 'no'}" for k, v in r.decided_by["hypotheses"].items()),
                      highlight=False)
    if r.witness is not None:
        console.print(f"witness (same function, not a trivial symmetry): {json.dumps(r.witness.to_lists())}",
                      highlight=False)
    if r.mechanisms:
        table = Table("mechanism", "neurons (layer, index)", "why")
        for m in r.mechanisms:
            table.add_row(m.kind, " ".join(f"({l},{i})" for l, i in m.neurons), m.description)
        console.print(table)
