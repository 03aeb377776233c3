"""Functional dimension and identifiability commands: fdim, fdim-arch, identify (docs/mathematics.md §1, E1-E4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from exactrelu.cli._common import (
    AllowFloatOpt,
    JsonOpt,
    NetArg,
    app,
    console,
    emit_json,
    err_console,
    guarded,
    read_network_or_graph,
)
from exactrelu.core.errors import FormatError, NotApplicableError
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.random import parse_architecture
from exactrelu.core.rational import parse_rational

PointsOpt = Annotated[Path | None, typer.Option(
    "--points", help="JSON file: a list of input points (exact strings \"p/q\" or integers), or {\"points\": [...]}.")]
MaxRegionsOpt = Annotated[int, typer.Option("--max-regions", help="Enumerate at most this many regions, then sample.")]


def _read_points(path: Path) -> list[list[object]]:
    try:
        doc = json.loads(path.read_text())
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path}: invalid JSON: {exc.msg} (line {exc.lineno})") from None
    pts = doc.get("points") if isinstance(doc, dict) else doc
    if not isinstance(pts, list) or not all(isinstance(p, list) for p in pts):
        raise FormatError(f"{path}: expected a list of points (lists of numbers as strings)")
    out = []
    for i, p in enumerate(pts):
        row = []
        for j, v in enumerate(p):
            if isinstance(v, float) or isinstance(v, bool) or not isinstance(v, (int, str)):
                raise FormatError(f"{path}: points[{i}][{j}]: write exact numbers as strings like \"1/3\", got {v!r}")
            try:
                row.append(parse_rational(str(v)))
            except FormatError as exc:
                raise FormatError(f"{path}: points[{i}][{j}]: {exc}") from None
        out.append(row)
    return out


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

        if points is not None:
            raise NotApplicableError(f"{path}: --points is for layered networks; a graph's dim_fun uses every region")
        graph_fdim_command(path, net, max_regions=max_regions, json_out=json_out)
        return
    pts = _read_points(points) if points is not None else None
    if pts is not None:
        for i, p in enumerate(pts):
            if len(p) != net.input_dim:
                raise FormatError(f"{points}: points[{i}] has {len(p)} coordinates, the network expects "
                                  f"{net.input_dim}")
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
                  plot: Annotated[Path | None, typer.Option(help="Write a histogram PNG here.")] = None,
                  json_out: JsonOpt = False) -> None:
    """Functional dimension of an architecture: proved when some θ reaches D - N_h, else a lower bound (on Dask)."""
    from exactrelu.theory.dimension.architecture import architecture_functional_dimension, plot_rank_histogram

    arch = parse_architecture(architecture)
    if trials < 1:
        raise FormatError("--trials must be >= 1")
    if max_trials is not None and max_trials < 1:
        raise FormatError("--max-trials must be >= 1")
    budget = max(trials, max_trials if max_trials is not None else 4 * trials)
    with Progress(TextColumn("trials"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, disable=json_out or not err_console.is_terminal, transient=True) as bar:
        task = bar.add_task("trials", total=budget)
        r = architecture_functional_dimension(arch, trials, seed, serial=serial, scheduler=scheduler,
                                              workers=workers, max_trials=budget,
                                              progress=lambda done: bar.update(task, completed=done))
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
    if r.witness is not None:
        console.print(f"witness (same function, not a trivial symmetry): {json.dumps(r.witness.to_lists())}",
                      highlight=False)
    if r.mechanisms:
        table = Table("mechanism", "neurons (layer, index)", "why")
        for m in r.mechanisms:
            table.add_row(m.kind, " ".join(f"({l},{i})" for l, i in m.neurons), m.description)
        console.print(table)
