"""The ``variety`` command: pattern varieties of an architecture (docs/mathematics.md H1-H3)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Annotated

import typer

from exactrelu.cli._common import JsonOpt, app, console, emit_json, guarded
from exactrelu.core.errors import FormatError
from exactrelu.core.files import atomic_write_text
from exactrelu.core.random import parse_architecture

FileOpt = Annotated[Path | None, typer.Option(help="Write the export to this file (atomically).", show_default=False)]


def _check_destination(path: Path | None, option: str) -> None:
    """Refuse, before any computation, a destination that is a directory, a device or a FIFO, or whose folder is
    missing."""
    if path is None:
        return
    try:
        st = os.stat(path)
    except FileNotFoundError:
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise FormatError(f"{option} {path}: folder {parent} does not exist") from None
        return
    if not stat.S_ISREG(st.st_mode):
        raise FormatError(f"{option} {path}: not a regular file (directory, device or FIFO); refusing to write")


@app.command("variety")
@guarded
def variety_cmd(
        architecture: Annotated[str, typer.Argument(help="Architecture n0,n1,...,m, e.g. 3,3,3.")],
        patterns: Annotated[list[str] | None, typer.Argument(
            help="Activation patterns, one per block: active hidden neurons, 1-based (12), '/' between hidden layers "
                 "(123/2), '-' for none, commas for widths >= 10 (1,10/2).", show_default=False,
            metavar="P1 P2 ...")] = None,
        patterns_flag: Annotated[bool, typer.Option("--patterns", help="Marks the start of the patterns.")] = False,
        bias: Annotated[bool, typer.Option("--bias", help="Fold biases into an augmented input (M_i = [A_i | c_i]).")]
        = False,
        json_out: JsonOpt = False,
        equations: Annotated[bool, typer.Option("--equations", help="Also list the rank-constraint minors.")] = False,
        m2: FileOpt = None, sage: FileOpt = None, latex: FileOpt = None) -> None:
    """Pattern variety: certified dimension (lower = upper -> proved), expected dimension, defect and its reason,
    implicit equations (rank-constraint minors), Macaulay2 / Sage / LaTeX exports."""
    from exactrelu.theory.varieties import pattern_variety, to_latex, to_macaulay2, to_sage

    arch = parse_architecture(architecture)
    if not patterns:
        raise FormatError("give the activation patterns after --patterns, e.g. --patterns 123 1")
    for path, option in ((m2, "--m2"), (sage, "--sage"), (latex, "--latex")):
        _check_destination(path, option)
    V = pattern_variety(arch, patterns, bias)
    for path, export in ((m2, to_macaulay2), (sage, to_sage), (latex, to_latex)):
        if path is not None:
            atomic_write_text(path, export(V))
    if json_out:
        emit_json(V.to_dict(equations=equations))
        return
    console.print(str(V), highlight=False, markup=False)
    if equations:
        cons = V.rank_constraints()
        eqs = V.to_dict(equations=True)["equations"]
        console.print(f"  rank constraints: {', '.join(map(str, cons)) if cons else 'none'}", highlight=False,
                      markup=False)
        console.print(f"  {len(eqs)} equation(s):", highlight=False)
        for e in eqs:
            console.print(f"    {e} = 0", highlight=False, markup=False)
    for path, what in ((m2, "Macaulay2"), (sage, "Sage"), (latex, "LaTeX")):
        if path is not None:
            console.print(f"  wrote {what} input to {path}", highlight=False, markup=False)
