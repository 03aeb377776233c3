"""Command ``fiber``: the fiber S(θ) as a union of semi-algebraic components (docs/mathematics.md §1, §2.B–D)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text

from exactrelu.cli._common import (
    AllowFloatOpt,
    BoxOpt,
    JsonOpt,
    NetArg,
    app,
    console,
    emit_json,
    guarded,
    parse_box,
    progress,
    read_network,
)
from exactrelu.core.errors import ShapeError
from exactrelu.core.rational import format_rational

__all__ = ["fiber_cmd"]

SHOWN = 12  # components printed by default


@app.command("fiber")
@guarded
def fiber_cmd(
    path: NetArg,
    json_out: JsonOpt = False,
    latex: Annotated[bool, typer.Option("--latex", help="Print the LaTeX rendering of the component systems.")] = False,
    component: Annotated[int | None, typer.Option("--component", help="Only component K (1-based, as printed).")]
    = None,
    sample: Annotated[int, typer.Option("--sample", help="Print N rational points sampled from the fiber "
                                                         "(from component K if given), each checked exactly.")] = 0,
    orthant: Annotated[bool, typer.Option("--orthant", help="The fiber on the orthant R^d_{>=0} "
                                                          "(docs/mathematics.md §2.C).")]
    = False,
    box: BoxOpt = None,
    verify: Annotated[bool, typer.Option("--verify", help="Prove symbolically (sympy) that the shown components lie "
                                                          "in the fiber, region by region.")] = False,
    show_all: Annotated[bool, typer.Option("--all", help=f"Print every component (default: the first {SHOWN}).")]
    = False,
    allow_float: AllowFloatOpt = False,
) -> None:
    """Dimension, number of components and each component's polynomial system of the fiber {η : f_η = f_θ}."""
    from exactrelu.theory.fibers.fiber import fiber

    if box is not None and orthant:
        raise ShapeError("choose at most one of --box and --orthant")
    net = read_network(path, allow_float, command="fiber")
    domain: Any = parse_box(box, net.input_dim) if box is not None else "orthant" if orthant else None
    fib = fiber(net, domain)
    comps = fib.components
    if component is not None:
        if comps is None:
            raise ShapeError(f"{path}: --component needs the components, but only a local description is known")
        if not 1 <= component <= len(comps):
            raise ShapeError(f"{path}: component {component} does not exist (the fiber has {len(comps)})")
    chosen = (list(range(len(comps))) if comps is not None else []) if component is None else [component - 1]
    samples: list[dict[str, Any]] = []
    for s in range(sample):
        k = None if component is None else component - 1
        pt = fib.sample(seed=s, component=k)
        samples.append({"seed": s, "component": fib.component_of(pt) + 1, "point": [format_rational(v) for v in pt]})
    verification: dict[str, Any] | None = None
    if verify and comps is None:
        verification = {"ok": None, "components": [], "failures": [],
                        "reason": "--verify does not apply: only a local description of this fiber is known (no "
                                  "component systems to prove); its dimension D - rank J comes from the exact "
                                  "Jacobian over every region"}
    elif verify and comps is not None:
        todo = chosen if (component is not None or show_all or len(chosen) <= SHOWN) else chosen[:SHOWN]
        ok, failures = True, []
        with progress("verifying components", total=len(todo), enabled=not json_out) as update:
            for done, k in enumerate(todo, 1):
                v = fib.verify(k)
                ok &= v.ok
                failures += list(v.failures)
                update(done)
        verification = {"ok": ok, "components": [k + 1 for k in todo], "failures": failures}
    if json_out:
        data = fib.to_dict()
        if component is not None and comps is not None:
            data["component"] = component
            data["component_systems"] = [comps[component - 1].to_dict()]
        data["samples"] = samples
        if verification is not None:
            data["verification"] = verification
        if latex:
            data["latex"] = _latex(fib, chosen, component)
        emit_json(data)
        return
    ncomp = ("local description only" if comps is None else f"{len(comps)} components, "
             + ("[green]complete[/]" if fib.complete else "[yellow]not known to be complete[/] (membership outside "
                                                           "them is decided by exact equivalence)"))
    console.print(f"[bold]{escape(str(path))}[/]: fiber of kind [bold]{fib.kind}[/], dimension "
                  f"[bold]{fib.dimension}[/], {ncomp} (parameters {net.num_parameters}, architecture "
                  f"{net.architecture})")
    for note in fib.notes:
        console.print(Text("  " + note, style="dim"))
    if comps is None and fib.local is not None:
        console.print(Text(str(fib.local)))
    shown = chosen if (show_all or component is not None) else chosen[:SHOWN]
    for k in shown:
        c = comps[k]  # type: ignore[index]
        console.rule(f"component {k + 1}: dimension {c.dimension}"
                     + (f", the union of {len(c.pieces)} pieces" if c.pieces else ""), align="left")
        console.print(Text("origin: " + ", ".join(f"{key}={val}" for key, val in c.origin.items()), style="dim"))
        parts = c.pieces or (c,)
        limit = len(parts) if (component is not None or show_all) else 3
        for q, piece in enumerate(parts[:limit]):
            head = f"piece {q + 1} (dimension {piece.dimension}): {piece.origin.get('piece', '')}"
            lines = [head] if c.pieces else []
            lines += [f"  {e} = 0" for e in piece.equalities] + [f"  {e} > 0" for e in piece.strict]
            lines += [f"  {e} >= 0" for e in piece.nonstrict]
            lines.append("  point: " + ", ".join(format_rational(v) for v in piece.point))
            console.print(Text("\n".join(lines)))
        if len(parts) > limit:
            console.print(f"  ... {len(parts) - limit} more pieces (--component {k + 1} prints them all)")
    if len(shown) < len(chosen):
        console.print(f"... {len(chosen) - len(shown)} more components (--all, or --component K)")
    if latex:
        console.print(_latex(fib, chosen, component), highlight=False, markup=False)
    for s in samples:
        console.print(f"sample seed {s['seed']} (component {s['component']}): {', '.join(s['point'])}",
                      highlight=False)
    if verification is not None and verification["ok"] is None:
        console.print(Text(verification["reason"], style="yellow"))
    elif verification is not None:
        status = "[green]verified[/]" if verification["ok"] else "[red]NOT verified[/]"
        console.print(f"{status}: components {verification['components'][:SHOWN]}"
                      f"{' ...' if len(verification['components']) > SHOWN else ''}")
        for f in verification["failures"]:
            console.print(f"  {f}", highlight=False, markup=False)


def _latex(fib: Any, chosen: list[int], component: int | None) -> str:
    if component is not None and fib.components is not None:
        return fib.components[component - 1].to_latex()
    return fib.to_latex(max_components=SHOWN)
