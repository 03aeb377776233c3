"""Equivalence commands: equiv (exit 0 equal / 1 not equal / 2 error, like cmp), canonical, reduce, shallow."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from exactrelu.cli._common import (
    AllowFloatOpt,
    BoxOpt,
    JsonOpt,
    NetArg,
    app,
    console,
    emit_json,
    guarded,
    output_option,
    progress,
    read_network,
    read_network_or_graph,
    write_json,
)
from exactrelu.cli._common import parse_box as _box
from exactrelu.core.errors import NotApplicableError, ShapeError
from exactrelu.core.formatting import format_affine, format_vector
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.io import network_to_dict, save

OutOpt = Annotated[Path | None, output_option("-o", "--output",
                                              help="Write the resulting network here (atomically).")]
CertOpt = Annotated[Path | None, output_option(
    "--certificate", help="Write the certificate here: the region-by-region proof when equal, the witness when not "
                          "(re-check either with `exactrelu check-certificate`).")]
MaxRegionsOpt = Annotated[int | None, typer.Option("--max-regions", help="Bound on the regions enumerated.")]
ReduceBoxOpt = Annotated[tuple[str, str] | None, typer.Option(
    "--box", help="Prune for the box [LO, HI]^d only (e.g. --box -1 1): the result equals the network on the box.",
    show_default=False)]


def _progress(enabled: bool, what: str) -> Any:
    return progress(what, enabled=enabled, unit="regions")


def _fmt(v: Any) -> str:
    return "(" + ", ".join(str(x) for x in v) + ")"


@app.command()
@guarded
def equiv(a_path: Annotated[Path, typer.Argument(help="First network file.", show_default=False)],
          b_path: Annotated[Path, typer.Argument(help="Second network file.", show_default=False)],
          box: BoxOpt = None, json_out: JsonOpt = False, certificate: CertOpt = None,
          method: Annotated[str, typer.Option(help="auto, normal-form, canonical-data, bottleneck or "
                                                   "common-refinement.")] = "auto",
          max_regions: MaxRegionsOpt = None, allow_float: AllowFloatOpt = False) -> None:
    """Do A and B compute the same function?  Exit 0 = equal, 1 = not equal (with a witness), 2 = error.

    Equal: the method and, with --certificate, the region-by-region certificate (re-check it with
    `exactrelu check-certificate`).  Not equal: a rational witness x with both exact outputs.
    """
    from exactrelu.theory.equality.equivalence import equivalent

    a = read_network_or_graph(a_path, allow_float, function_only=True)
    b = read_network_or_graph(b_path, allow_float, function_only=True)
    for what, x, y in (("input", a.input_dim, b.input_dim), ("output", a.output_dim, b.output_dim)):
        if x != y:
            raise ShapeError(f"{what} dimensions differ: {a_path} has {x}, {b_path} has {y}")
    domain = _box(box, a.input_dim)
    with _progress(not json_out, "common refinement") as prog:
        if isinstance(a, GraphNetwork) or isinstance(b, GraphNetwork):
            from exactrelu.theory.equality.graph_equivalence import graph_equivalent

            if certificate is not None:
                raise NotApplicableError("--certificate is written for layered networks only")
            res = graph_equivalent(a, b, domain, max_regions=max_regions, progress=prog)
        else:
            res = equivalent(a, b, domain, method=method, certificate=certificate is not None,
                             max_regions=max_regions, progress=prog)
    if certificate is not None and res.certificate is not None:
        write_json(certificate, res.certificate)
    elif certificate is not None and not res and res.witness is not None:
        from exactrelu.geometry.certificate import witness_certificate

        rows = domain.inequalities if domain is not None else ()
        write_json(certificate, witness_certificate(a, b, res.witness.x, rows))
    if json_out:
        emit_json(res.to_dict())
    elif res:
        extra = f", {res.regions} regions" if res.regions is not None else ""
        console.print(f"equivalent ({res.method}{extra})", highlight=False)
    else:
        assert res.witness is not None
        w = res.witness
        console.print(f"NOT equivalent ({res.method}): x = {_fmt(w.x)}, A(x) = {_fmt(w.a)}, B(x) = {_fmt(w.b)}",
                      highlight=False)
    if not res:
        raise typer.Exit(1)


@app.command()
@guarded
def canonical(path: NetArg, output: OutOpt = None, json_out: JsonOpt = False,
              allow_float: AllowFloatOpt = False) -> None:
    """Canonical minimal form of a one-hidden-layer network (docs/mathematics.md B1/B4): canonical data, minimal width,
    network."""
    net = read_network(path, allow_float, function_only=True, command="canonical")
    from exactrelu.theory.equality.shallow import canonical_data, canonical_form, minimal_width

    data = canonical_data(net)
    width = minimal_width(data)
    cf = canonical_form(data)
    if output is not None:
        save(cf, output)
    if json_out:
        emit_json({"canonical_data": data.to_dict(), "minimal_width": width, "hyperplanes": data.num_hyperplanes,
                   "network": network_to_dict(cf)})
        return
    console.print(f"{data.num_hyperplanes} hyperplane(s), minimal width {width}; canonical form {cf.architecture}"
                  + (f" written to {output}" if output is not None else ""), highlight=False)
    for line in data.formulas():
        console.print(f"  {line}", highlight=False, markup=False)
    for a, t, C in data.hyperplanes:
        console.print(f"  kink {format_affine(a, t)} = 0, jump {format_vector(C)}", highlight=False, markup=False)


@app.command("reduce")
@guarded
def reduce_(path: NetArg, output: OutOpt = None, box: ReduceBoxOpt = None, json_out: JsonOpt = False,
            certificate: CertOpt = None,
            certify: Annotated[bool, typer.Option("--certify/--no-certify",
                                                  help="Check the reduction with the common refinement.")] = True,
            max_regions: MaxRegionsOpt = None, allow_float: AllowFloatOpt = False) -> None:
    """Remove dead, invisible, constant, duplicate and foldable always-active neurons (optionally on a box)."""
    net = read_network_or_graph(path, allow_float)
    domain = _box(box, net.input_dim)
    if isinstance(net, GraphNetwork):
        from exactrelu.cli._graph import graph_reduce_command

        graph_reduce_command(path, net, domain, output=output, max_regions=max_regions, json_out=json_out)
        return
    with _progress(not json_out, "reducing") as prog:
        from exactrelu.theory.equality.reduce import reduce as reduce_network

        res = reduce_network(net, domain, certify=certify or certificate is not None, max_regions=max_regions,
                             progress=prog)
    if output is not None:
        save(res.network, output)
    if certificate is not None and res.certificate is not None:
        write_json(certificate, res.certificate)
    if json_out:
        emit_json(res.to_dict())
        return
    console.print(f"{net.architecture} -> {res.network.architecture}: {res.removed_neurons} neuron(s) removed"
                  + (f", written to {output}" if output is not None else ""), highlight=False)
    for step in res.steps:
        console.print(f"  {step}", highlight=False)


@app.command()
@guarded
def shallow(path: NetArg, output: OutOpt = None, json_out: JsonOpt = False, max_regions: MaxRegionsOpt = None,
            allow_float: AllowFloatOpt = False) -> None:
    """Is the function one-hidden-layer representable (docs/mathematics.md F1)?  Exit 0 = yes (network with -o), 1 =
    no."""
    net = read_network(path, allow_float, function_only=True, command="shallow")
    from exactrelu.theory.equality.representable import is_shallow_representable

    res = is_shallow_representable(net, max_regions=max_regions)
    if output is not None and res.network is not None:
        save(res.network, output)
    if json_out:
        emit_json(res.to_dict())
    elif res:
        assert res.network is not None
        console.print(f"yes: a one-hidden-layer network {res.network.architecture} computes it", highlight=False)
    else:
        console.print(f"no: {res.reason}", highlight=False)
    if not res:
        raise typer.Exit(1)
