"""Shared pieces of the CLI: the typer app, network loading with clean errors, JSON/rich output."""

from __future__ import annotations

import functools
import gc
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from exactrelu.core.errors import ExactReluError, NotApplicableError
from exactrelu.core.graph import GraphNetwork, StructureWarning
from exactrelu.core.graph_layered import layered_obstruction, to_layered
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
#: Set by the console entry point (a process that ends with the command), never by in-process callers such as tests.
PROCESS = {"freeze_after_load": False}
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
    """A layered network; a version-2 file is accepted when its graph is layered (lossless conversion)."""
    net = read_any_network(path, allow_float)
    if isinstance(net, GraphNetwork):
        why = layered_obstruction(net)
        if why is not None:
            raise NotApplicableError(f"{path}: this command takes layered networks only, and this graph is not "
                                     f"layered: {why}")
        return to_layered(net)
    return net


def read_network_or_graph(path: Path, allow_float: bool = False, *, function_only: bool = False
                          ) -> Network | GraphNetwork:
    """A layered :class:`Network` whenever the file's graph is layered (with every bias present, or, when
    ``function_only``, with absent biases read as 0: the same function, for commands that do not count
    parameters), else the :class:`GraphNetwork`."""
    net = read_any_network(path, allow_float)
    if isinstance(net, GraphNetwork) and layered_obstruction(net, need_biases=not function_only) is None:
        return to_layered(net, absent_bias_as_zero=function_only)
    return net


def read_any_network(path: Path, allow_float: bool = False) -> Network | GraphNetwork:
    """The one network loader of every command: ``.json`` (exact format, version 1 gives a :class:`Network`, version
    2 a :class:`GraphNetwork`), ``.onnx``, ``.pt``/``.pth`` (state dicts), ``.safetensors`` and ``.npz`` by suffix
    (:func:`exactrelu.engines.formats.load_network`).  Structure warnings of graphs go to stderr, one line each."""
    from exactrelu.core.bulk import paused_gc

    with warnings.catch_warnings(record=True) as caught, paused_gc():
        # hundreds of thousands of Fractions, no cycles: collections would only walk them
        warnings.simplefilter("always", StructureWarning)
        if path.suffix.lower() in NETWORK_SUFFIXES:
            from exactrelu.engines.formats import load_network

            net: Network | GraphNetwork = load_network(path, allow_float=allow_float)
        else:
            net = load(path, allow_float=allow_float)
    if PROCESS["freeze_after_load"]:
        gc.freeze()  # the network lives until the process ends: keep later collections from walking it
    for w in caught:
        if issubclass(w.category, StructureWarning):
            err_console.print(f"exactrelu: warning: {w.message}", markup=False, highlight=False, soft_wrap=True)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return net


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")
