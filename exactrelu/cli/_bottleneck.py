"""Commands ``generic`` (docs/mathematics.md §1 genericity) and ``bottleneck`` (docs/mathematics.md §2.D structure and
fiber summary)."""

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
    progress,
    read_network,
)


@app.command("generic")
@guarded
def generic(path: NetArg, json_out: JsonOpt = False, allow_float: AllowFloatOpt = False,
            max_index_sets: Annotated[int, typer.Option(help="Bound on the masked-product index sets.")] = 1 << 16,
            ) -> None:
    """Is θ generic (docs/mathematics.md §1)? Supertransversality and maximal-rank masked products, with failing
    evidence.

    Exit status 0 when generic, 1 when not.
    """
    from exactrelu.theory.dimension.genericity import is_generic

    net = read_network(path, allow_float, command="generic")
    rep = is_generic(net, max_index_sets=max_index_sets)
    if json_out:
        emit_json(rep.to_dict())
    else:
        verdict = "[green]generic[/]" if rep.generic else "[red]not generic[/]"
        console.print(f"{path}: {verdict} ({rep.cells} cells of C_θ and {rep.index_sets} index sets checked)")
        console.print(f"  supertransversal: {rep.supertransversal}; maximal-rank masked products: {rep.maximal_rank}")
        for f in rep.transversality_failures:
            console.print(f"  cell {f.pattern} of dimension {f.dimension} lies in {f.zeros} bent hyperplanes "
                          f"(point {tuple(str(v) for v in f.point)})", highlight=False)
        for f in rep.rank_failures:
            console.print(f"  layer {f.layer}, index sets {f.index_sets}: rank {f.rank} < {f.expected}",
                          highlight=False)
    if not rep.generic:
        raise typer.Exit(1)


@app.command("bottleneck")
@guarded
def bottleneck(path: NetArg, json_out: JsonOpt = False, allow_float: AllowFloatOpt = False,
               certify: Annotated[bool, typer.Option("--certify", help="Certify every T_j x G_j family exactly.")]
               = False) -> None:
    """Bottleneck (d, n1, n2, m), n1 <= d: visible hyperplanes (D1), T_j half-line (D3), G_j (D4), fiber summary."""
    from itertools import combinations

    from exactrelu.theory.fibers.bottleneck import bottleneck_fiber, bottleneck_structure, certify_family

    net = read_network(path, allow_float, command="bottleneck")
    st = bottleneck_structure(net)
    fib = bottleneck_fiber(net)
    assert fib.components is not None
    certified = None
    if certify and st.invisible is not None:
        subsets = [c for k in range(len(st.flippable) + 1) for c in combinations(st.flippable, k)]
        certified = []
        with progress("certifying T_j x G_j families", total=len(subsets), enabled=not json_out) as update:
            for done, K in enumerate(subsets, 1):
                r = certify_family(net, K)
                certified.append({"flips": [k + 1 for k in K], "equivalent": bool(r), "regions": r.regions})
                update(done)
    if json_out:
        emit_json({"structure": st.to_dict(), "dimension": fib.dimension, "components": len(fib.components),
                   "certified_families": certified, "notes": list(fib.notes)})
        return
    table = Table("first-layer neuron", "visible (D1)", "in K_j (G_j generator)")
    for k, v in enumerate(st.visible):
        table.add_row(str(k + 1), str(v), str(k in st.flippable))
    console.print(table)
    if st.invisible is not None:
        console.print(f"T_{st.invisible + 1}: b1_{st.invisible + 1} += t for t >= t_min = {st.t_min}; "
                      f"G_{st.invisible + 1} = (Z/2)^{len(st.flippable)}", highlight=False)
    console.print(f"fiber: dimension {fib.dimension}, {len(fib.components)} components", highlight=False)
    for c in certified or []:
        console.print(f"  family M_{c['flips']}: certified {c['equivalent']} ({c['regions']} regions)",
                      highlight=False)
