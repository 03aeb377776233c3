"""Command ``first-layer``: the first-layer hyperplanes of a two-hidden-layer network recovered from its function
(docs/mathematics.md D7), with orientations where the function fixes them (D2) and the comparison with θ."""

from __future__ import annotations

from typing import Annotated

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
    read_network,
    spinner,
)


@app.command("first-layer")
@guarded
def first_layer_cmd(path: NetArg, json_out: JsonOpt = False, allow_float: AllowFloatOpt = False,
                    compare: Annotated[bool, typer.Option(
                        "--compare/--no-compare",
                        help="Also compare with the file's own first layer (which hyperplanes are invisible).")]
                    = True) -> None:
    """Recover the first-layer hyperplanes of f from its breakpoint complex alone (d, n1, n2, m), say which of the
    network's own first-layer hyperplanes are invisible, and give orientations where f determines them.

    The answers hold for every generic parameter with the same function (docs/mathematics.md D7).
    """
    from exactrelu.core.errors import NotApplicableError
    from exactrelu.theory.fibers.first_layer import first_layer, hyperplane_str

    net = read_network(path, allow_float, function_only=not compare)
    if net.depth != 2:
        raise NotApplicableError(f"{path}: first-layer reconstruction needs two hidden layers (d, n1, n2, m); this "
                                 f"network has architecture {net.architecture}")
    with spinner("breakpoint complex and ridge stars", enabled=not json_out):
        rec = first_layer(net, compare=compare)
    if json_out:
        emit_json(rec.to_dict())
        return
    ridges = ", ".join(f"{v} {k}" for k, v in sorted(rec.stars.items())) or "none"
    console.print(f"{path}: {len(rec.hyperplanes)} first-layer hyperplane(s) recovered from the function "
                  f"(ridge pieces of B_θ: {ridges}); valid for generic parameters", highlight=False)
    table = Table("hyperplane", "evidence", "active side", "at")
    for h in rec.hyperplanes:
        side = {1: "> 0", -1: "< 0", None: "not determined"}[h.orientation]
        at = "" if h.point is None else "(" + ", ".join(str(v) for v in h.point) + ")"
        table.add_row(hyperplane_str(h.hyperplane), h.evidence, side, at)
    for g in rec.second_layer:
        table.add_row(hyperplane_str(g), "second-layer sheet", "", "")
    for g in rec.undetermined:
        table.add_row(hyperplane_str(g), "undetermined", rec.reasons.get(g, ""), "")
    console.print(table)
    if rec.theta is not None:
        t = Table("θ neuron", "hyperplane", "D1-visible", "from the function", "orientation")
        for row in rec.theta["neurons"]:
            agree = row.get("orientation_agrees")
            t.add_row(str(row["neuron"]), row["equation"], str(row["d1_visible"]), row["status"],
                      "" if agree is None else "agrees" if agree else "DIFFERS")
        console.print(t)
    for n in rec.notes:
        console.print(f"note: {n}", highlight=False)
