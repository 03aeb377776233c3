"""Genericity and architecture commands: generic (the identifiable Zariski-open set of (d, n, m)) and representable
(is f computed by a given architecture?)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exactrelu.cli._common import AllowFloatOpt, JsonOpt, NetArg, app, console, emit_json, guarded, output_option
from exactrelu.cli._common import read_network as _read
from exactrelu.core.io import save
from exactrelu.core.random import parse_architecture

#: exit status of `exactrelu representable` when no criterion decides
UNDECIDED_EXIT = 4


@app.command("generic-set")
@guarded
def generic_cmd(architecture: Annotated[str, typer.Argument(help="One-hidden-layer architecture d,n,m e.g. 2,3,1",
                                                            show_default=False)],
                latex: Annotated[bool, typer.Option("--latex", help="Print the conditions as a LaTeX aligned block."
                                                    )] = False,
                counts: Annotated[bool, typer.Option("--counts", help="Only the numbers of conditions and "
                                                     "generators (any n).")] = False,
                json_out: JsonOpt = False) -> None:
    """The parameters of (d, n, m) with only trivial symmetries, as polynomial conditions (docs/mathematics.md B5).

    Each condition says that its polynomials do not all vanish; U = the set where all hold is the largest
    Zariski-open set of identifiable parameters."""
    from exactrelu.theory.dimension.generic_set import condition_counts, generic_conditions

    arch = parse_architecture(architecture)
    if counts:
        c = condition_counts(arch)
        if json_out:
            emit_json({"architecture": list(arch), "counts": c})
        else:
            console.print(", ".join(f"{k}: {v}" for k, v in c.items()), highlight=False)
        return
    G = generic_conditions(arch)
    if json_out:
        out = G.to_dict()
        if latex:
            out["latex"] = G.latex()
        emit_json(out)
    elif latex:
        console.print(G.latex(), highlight=False, markup=False)
    else:
        console.print(str(G), highlight=False, markup=False)


@app.command("representable")
@guarded
def representable_cmd(path: NetArg,
                      arch: Annotated[str, typer.Option("--arch", help="Target architecture d,n1,...,m e.g. 1,3,1.",
                                                        show_default=False)],
                      output: Annotated[Path | None, output_option(
                          "-o", "--output", help="Write the witness network here (when yes).")] = None,
                      max_regions: Annotated[int | None, typer.Option("--max-regions",
                                                                      help="Bound on the regions enumerated.")] = None,
                      json_out: JsonOpt = False, allow_float: AllowFloatOpt = False) -> None:
    """Is the function computed by some network of architecture --arch (docs/mathematics.md F1-F4)?

    Exit 0 = yes (witness checked by `equivalent`; -o writes it), 1 = no (with the obstruction),
    4 = undecided (the criteria tried are listed), 2 = error."""
    net = _read(path, allow_float, function_only=True)
    target = parse_architecture(arch)
    from exactrelu.theory.equality.architectures import representable_by

    res = representable_by(net, target, max_regions=max_regions)
    if output is not None and res.witness is not None:
        save(res.witness, output)
    if json_out:
        emit_json(res.to_dict())
    else:
        console.print(str(res), highlight=False, markup=False)
    if res.answer is False:
        raise typer.Exit(1)
    if res.answer is None:
        raise typer.Exit(UNDECIDED_EXIT)
