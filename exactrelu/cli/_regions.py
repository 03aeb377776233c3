"""Geometry commands: ``regions`` (C_θ and B_θ counts, plot, JSON export, certificate) and ``check-certificate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
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
    write_json,
)
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.rational import parse_rational


@app.command("regions")
@guarded
def regions_cmd(
    path: NetArg,
    box: Annotated[tuple[str, str] | None, typer.Option("--box", help="Restrict to the box [LO, HI]^d (rationals).",
                                                        show_default=False)] = None,
    orthant: Annotated[bool, typer.Option("--orthant", help="Restrict to the positive orthant.")] = False,
    max_regions: Annotated[int, typer.Option("--max-regions", help="Stop with an error beyond this many regions.")]
    = 100_000,
    method: Annotated[str, typer.Option("--method", help="auto | split | walk")] = "auto",
    plot_path: Annotated[Path | None, typer.Option("--plot", help="Draw C_θ and B_θ (d = 1, 2) to PNG/SVG.")] = None,
    certificate: Annotated[Path | None, typer.Option("--certificate", help="Write a checkable certificate here.")]
    = None,
    export: Annotated[Path | None, typer.Option("--export", help="Write the whole complex as exact JSON here.")]
    = None,
    json_out: JsonOpt = False,
    allow_float: AllowFloatOpt = False,
) -> None:
    """Enumerate the canonical complex C_θ exactly and report regions, facets, the breakpoint complex B_θ,
    dead / always-active neurons and supertransversality."""
    from exactrelu.geometry.polyhedra import Box, Orthant
    from exactrelu.geometry.regions import regions, summary

    net = read_network_or_graph(path, allow_float, function_only=True)
    if isinstance(net, GraphNetwork):
        from exactrelu.cli._graph import graph_domain, graph_regions_command

        graph_regions_command(path, net, graph_domain(net, box, orthant), max_regions=max_regions,
                              plot_path=plot_path, export=export, certificate=certificate, json_out=json_out)
        return
    domain = None
    if box is not None and orthant:
        raise ValueError("choose at most one of --box and --orthant")
    if box is not None:
        domain = Box(parse_rational(box[0]), parse_rational(box[1]), net.input_dim)
    elif orthant:
        domain = Orthant(net.input_dim)
    if json_out:
        C = regions(net, domain, max_regions=max_regions, method=method)
    else:
        with Progress(SpinnerColumn(), TextColumn("enumerating C_θ: {task.completed} regions"), TimeElapsedColumn(),
                      console=err_console, transient=True) as bar:
            task = bar.add_task("regions", total=None)
            C = regions(net, domain, max_regions=max_regions, method=method,
                        progress=lambda n: bar.update(task, completed=n))
    if json_out:
        info = summary(C)
    else:
        with err_console.status(f"{len(C.regions)} regions; faces, jumps and the breakpoint complex ..."):
            info = summary(C)
    if plot_path is not None:
        from exactrelu.geometry.plotting import plot

        plot(C, plot_path)
        info["plot"] = str(plot_path)
    if certificate is not None:
        from exactrelu.geometry.certificate import write_certificate

        write_certificate(C, certificate)
        info["certificate"] = str(certificate)
    if export is not None:
        write_json(export, C.to_dict())
        info["export"] = str(export)
    if json_out:
        emit_json(info)
        return
    table = Table("quantity", "value", title=f"{path}: architecture {net.architecture}")
    for key, value in info.items():
        if key in ("architecture",):
            continue
        if isinstance(value, list):
            value = ", ".join(f"({v['layer']},{v['neuron']})" for v in value) or "none"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}:{'visible' if v else 'invisible'}" for k, v in value.items())
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)


@app.command("check-certificate")
@guarded
def check_certificate_cmd(
    path: Annotated[Path, typer.Argument(help="Certificate file (exactrelu-certificate JSON).", show_default=False)],
    json_out: JsonOpt = False,
) -> None:
    """Re-verify a certificate independently (exact LPs and evaluation only); exit 2 naming the failed check."""
    from exactrelu.geometry.certificate import check_certificate

    summary = check_certificate(path)
    if json_out:
        emit_json(summary)
    else:
        console.print(f"{path}: valid {summary['kind']} certificate ({summary['regions']} regions, "
                      f"{summary['networks']} network(s), {summary['lps']} exact LPs)", highlight=False)
