"""The ``exactrelu`` command line (typer + rich).  Thin: every command only calls the public API.

Exit status: 0 success (for yes/no commands such as ``equiv``: 0 = yes), 1 = a "no" answer, 2 = bad input or any
:class:`~exactrelu.core.errors.ExactReluError` — then exactly one line on stderr naming the file and the problem.

Commands live in one module per capability (``_core``, ``_regions``, ...), each registering on :data:`app`.
"""

from __future__ import annotations

import importlib
import sys

from exactrelu.cli._common import app

# Command modules register themselves on `app`; this order is the order of `exactrelu --help` (issue order).
COMMAND_MODULES = ("_core", "_regions", "_equiv", "_fiber", "_bottleneck", "_firstlayer", "_fdim", "_interop",
                   "_variety", "_laws", "_graph", "_generic")
for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}")

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the typer app, turning exactrelu errors into one line and exit status 2."""
    from exactrelu.cli._common import PROCESS
    from exactrelu.core.errors import ExactReluError

    PROCESS["freeze_after_load"] = True
    try:
        app(args=argv, standalone_mode=True)
    except ExactReluError as exc:  # pragma: no cover - _common.run already handles these
        print(f"exactrelu: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
