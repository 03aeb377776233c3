"""Geometry commands: ``regions`` (C_θ and B_θ counts, plot, JSON export, certificate) and ``check-certificate``."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from exactrelu.cli._common import (
    AllowFloatOpt,
    BoxOpt,
    JsonOpt,
    NetArg,
    app,
    console,
    emit_json,
    guarded,
    image_option,
    output_option,
    parse_box,
    progress,
    read_network_or_graph,
    spinner,
    write_json,
)
from exactrelu.core.errors import ShapeError
from exactrelu.core.graph import GraphNetwork


class Method(enum.StrEnum):
    """The enumeration algorithms of :func:`~exactrelu.geometry.regions.regions`."""

    auto = "auto"
    split = "split"
    walk = "walk"


@app.command("regions")
@guarded
def regions_cmd(
    path: NetArg,
    box: BoxOpt = None,
    orthant: Annotated[bool, typer.Option("--orthant", help="Restrict to the positive orthant.")] = False,
    max_regions: Annotated[int, typer.Option("--max-regions", help="Stop with an error beyond this many regions.")]
    = 100_000,
    method: Annotated[Method, typer.Option("--method", help="Enumeration algorithm.")] = Method.auto,
    plot_path: Annotated[Path | None, image_option("--plot", help="Draw C_θ and B_θ (d = 1, 2).")] = None,
    certificate: Annotated[Path | None, output_option("--certificate", help="Write a checkable certificate here.")]
    = None,
    export: Annotated[Path | None, output_option("--export", help="Write the whole complex as exact JSON here.")]
    = None,
    faces: Annotated[bool, typer.Option("--faces", help="Also build the face lattice: vertices, balanced ridges, "
                                                        "supertransversality.")] = False,
    breakpoints: Annotated[bool, typer.Option("--breakpoints", help="Also build the breakpoint complex B_θ.")]
    = False,
    all_: Annotated[bool, typer.Option("--all", help="Both --faces and --breakpoints.")] = False,
    json_out: JsonOpt = False,
    allow_float: AllowFloatOpt = False,
    count_only: Annotated[bool, typer.Option("--count-only", help="Count the regions piece by piece without keeping "
                                                                  "the complex (memory independent of the count).")]
    = False,
    out: Annotated[Path | None, output_option("--out", help="Stream one row per region (pattern, exact interior "
                                                            "point, facets, bounded) to .jsonl or .parquet.")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Count on this Dask scheduler "
                                                                      "(tcp://HOST:PORT).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Count on a LocalCluster of this many worker "
                                                                  "processes (0: in this process).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted --count-only/--out run from its "
                                                          "last checkpoint.")] = False,
    checkpoint: Annotated[Path | None, typer.Option("--checkpoint", help="Folder for the checkpoints of a counted "
                                                                         "run (default: <out>.partial).")] = None,
    piece_budget: Annotated[int, typer.Option("--piece-budget", help="Size of a task: regions per walk (--method "
                                                                     "walk/auto) or exact LPs (split) before a "
                                                                     "piece is split further.")] = 4000,
    checkpoint_every: Annotated[float, typer.Option("--checkpoint-every", help="Seconds between checkpoints.")] = 5.0,
) -> None:
    """Enumerate the canonical complex C_θ exactly and report its regions (activation, linear, bounded), facets and
    dead / always-active neurons at the speed of the enumeration; the face lattice (--faces) and the breakpoint
    complex B_θ (--breakpoints) only when asked (--all for both).  In --json their keys are null when not computed.

    With --count-only, --out, --workers, --scheduler or --resume the regions are counted piece by piece (prefixes of
    the activation pattern; each region is counted once, by the piece its pattern extends) without keeping the
    complex, in this process, on a LocalCluster or on a Dask scheduler, with checkpoints that --resume continues."""
    from exactrelu.geometry.polyhedra import Orthant

    if box is not None and orthant:
        raise ShapeError("choose at most one of --box and --orthant")
    net = read_network_or_graph(path, allow_float, function_only=True)
    streamed = count_only or out is not None or scheduler is not None or workers is not None or resume
    if streamed:
        if isinstance(net, GraphNetwork):
            raise ShapeError(f"{path}: --count-only/--out/--workers/--scheduler/--resume need a layered network")
        extra = [n for n, v in (("--plot", plot_path), ("--certificate", certificate), ("--export", export),
                                ("--faces", faces), ("--breakpoints", breakpoints), ("--all", all_)) if v]
        if extra:
            raise ShapeError(f"{extra[0]} needs the whole complex; it does not go with --count-only, --out, "
                             "--workers, --scheduler or --resume")
        from exactrelu.cli._stream import streamed_regions

        domain = parse_box(box, net.input_dim) if box is not None else Orthant(net.input_dim) if orthant else None
        streamed_regions(path, net, domain, out=out, checkpoint=checkpoint, resume=resume, scheduler=scheduler,
                         workers=workers or 0, budget=piece_budget, method=method.value,
                         checkpoint_every=checkpoint_every,
                         json_out=json_out)
        return
    if plot_path is not None and net.input_dim > 2:
        raise ShapeError(f"{path}: --plot draws input dimension 1 or 2 only, the network has d = {net.input_dim}")
    domain = parse_box(box, net.input_dim) if box is not None else Orthant(net.input_dim) if orthant else None
    faces = faces or all_
    breakpoints = breakpoints or all_
    C: Any
    if isinstance(net, GraphNetwork):  # not layered: exact splitting on the hidden vertices in topological order
        from exactrelu.geometry.graph_complex import graph_complex, graph_complex_summary

        with progress("enumerating C_θ", enabled=not json_out, unit="cells") as update:
            C = graph_complex(net, domain, max_regions=max_regions, progress=update)
        count = graph_complex_summary
        title = f"{path}: graph network, {net.num_hidden} hidden vertices"
    else:
        from exactrelu.geometry.regions import regions, summary

        with progress("enumerating C_θ", enabled=not json_out, unit="regions") as update:
            C = regions(net, domain, max_regions=max_regions, method=method.value, progress=update)
        count = summary
        title = f"{path}: architecture {net.architecture}"
    what = " and ".join(w for w, on in (("the face lattice", faces), ("the breakpoint complex", breakpoints)) if on)
    with spinner(f"{len(C.regions)} regions; counts{', ' + what if what else ''} ...", enabled=not json_out):
        info = count(C, faces=faces, breakpoints=breakpoints)
    if plot_path is not None:
        if isinstance(net, GraphNetwork):
            from exactrelu.geometry.graph_plotting import plot_graph_complex as plot
        else:
            from exactrelu.geometry.plotting import plot

        plot(C.cells if isinstance(net, GraphNetwork) else C, plot_path)
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
    table = Table("quantity", "value", title=title)
    for key, value in info.items():
        if key in ("architecture", "kind"):
            continue
        if value is None:
            flag = "--breakpoints" if key.startswith("breakpoint") else "--faces"
            value = f"not computed ({flag})" if not (faces if flag == "--faces" else breakpoints) else "not computed"
        elif isinstance(value, list):
            value = ", ".join(f"({v['layer']},{v['neuron']})" if isinstance(v, dict) else str(v) for v in value) \
                or "none"
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
    from exactrelu.core.errors import CertificateError
    from exactrelu.geometry.certificate import check_certificate

    try:
        summary = check_certificate(path)
    except CertificateError as exc:
        raise CertificateError(exc if str(exc).startswith(str(path)) else f"{path}: {exc}") from None
    if json_out:
        emit_json(summary)
    else:
        console.print(f"{path}: valid {summary['kind']} certificate ({summary['regions']} regions, "
                      f"{summary['networks']} network(s), {summary['lps']} exact LPs)", highlight=False)
