"""Shared pieces of the CLI: the typer app, network loading with clean errors, JSON/rich output."""

from __future__ import annotations

import functools
import gc
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from exactrelu.core.errors import ExactReluError
from exactrelu.core.io import load
from exactrelu.core.network import Network
from exactrelu.core.rational import atomic_write_text

app = typer.Typer(
    name="exactrelu",
    help="Exact, certified answers about ReLU networks (rational arithmetic, exact LPs, sympy systems).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console(soft_wrap=True)  # never wrap long exact numbers
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout (exact rationals as strings).")]
AllowFloatOpt = Annotated[
    bool, typer.Option("--allow-float", help="Accept JSON floats in network files, converted exactly.")
]
NETWORK_SUFFIXES = (".onnx", ".pt", ".pth", ".safetensors", ".npz")
NetArg = Annotated[Path, typer.Argument(
    help="Network file: exactrelu-network JSON, or .onnx, .pt/.pth (state dict), .safetensors, .npz (exact import).",
    show_default=False)]


def fail(message: str, code: int = 2) -> None:
    """Print one line on stderr and exit with ``code``."""
    err_console.print(f"exactrelu: error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def guarded(func: F) -> F:
    """Decorator for commands: an :class:`ExactReluError` (or a bad value) becomes one stderr line and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ExactReluError as exc:
            fail(str(exc))
        except (ValueError, ZeroDivisionError) as exc:
            fail(f"{type(exc).__name__}: {exc}")
        except KeyboardInterrupt:
            fail("interrupted", 130)

    return wrapper  # type: ignore[return-value]


def read_network(path: Path, allow_float: bool = False) -> Network:
    """The one network loader of every command: ``.json`` (exact format), ``.onnx``, ``.pt``/``.pth`` (state dicts),
    ``.safetensors`` and ``.npz`` by suffix (:func:`exactrelu.engines.formats.load_network`)."""
    from exactrelu.core.bulk import paused_gc

    with paused_gc():  # hundreds of thousands of Fractions, no cycles: collections would only walk them
        if path.suffix.lower() in NETWORK_SUFFIXES:
            from exactrelu.engines.formats import load_network

            net = load_network(path, allow_float=allow_float)
        else:
            net = load(path, allow_float=allow_float)
    gc.freeze()  # the network lives until the command ends: keep later collections from walking it
    return net


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")
