"""Shared pieces of the CLI: the typer app, its error contract, limits, network loading, outputs, progress.

Contract of every command: exit 0 on success (or "yes"), 1 for a "no" answer, 2 for bad input, a refused size or
an unwritable output, with exactly one line ``exactrelu: error: ...`` on stderr naming the file and the place.
Usage errors (unknown option, bad choice) are one line too.  An unexpected internal error prints one line and
exits 3 (``EXACTRELU_DEBUG=1`` shows the traceback).  Output destinations are checked while the command line is
parsed, before any computation.  Progress bars and spinners go to stderr, only when it is a terminal.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text
from typer._click import exceptions as click_errors  # typer >= 0.22 vendors click; its exceptions live here
from typer._click.globals import get_current_context
from typer.core import TyperGroup

from exactrelu.cli._budget import Limits, check_budget, parse_size
from exactrelu.core.errors import (
    ExactReluError,
    FormatError,
    NotApplicableError,
    OutputError,
    ShapeError,
    SizeLimitError,
)
from exactrelu.core.files import atomic_write_text, check_destination, image_format
from exactrelu.core.graph import GraphNetwork, StructureWarning
from exactrelu.core.graph_layered import layered_obstruction, to_layered
from exactrelu.core.io import load
from exactrelu.core.network import Network
from exactrelu.core.rational import parse_rational

console = Console(soft_wrap=True)  # never wrap long exact numbers
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def fail(message: str, code: int = 2) -> None:
    """Print one line on stderr and exit with ``code``."""
    err_console.print(f"exactrelu: error: {_one_line(message)}", markup=False, highlight=False)
    raise typer.Exit(code)


class OneLineGroup(TyperGroup):
    """The root command: usage errors and errors raised while parsing (output checks) become one stderr line."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_errors.NoArgsIsHelpError as exc:  # `exactrelu` alone prints the help
            exc.show()
            rv = 0
        except click_errors.ClickException as exc:
            cmd = f" (see `{exc.ctx.command_path} --help`)" if getattr(exc, "ctx", None) is not None else ""
            err_console.print(f"exactrelu: error: {_one_line(exc.format_message())}{cmd}", markup=False,
                              highlight=False)
            rv = exc.exit_code
        except ExactReluError as exc:
            err_console.print(f"exactrelu: error: {_one_line(str(exc))}", markup=False, highlight=False)
            rv = 2
        except typer.Abort:
            err_console.print("exactrelu: error: aborted", markup=False, highlight=False)
            rv = 1
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    name="exactrelu",
    cls=OneLineGroup,
    help="Exact, certified answers about ReLU networks (rational arithmetic, exact LPs, sympy systems).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: The limits of this run (set by the root options; see ``exactrelu --help``).
LIMITS = Limits()


@app.callback()
def _root(
    max_parameters: Annotated[int, typer.Option(
        "--max-parameters", envvar="EXACTRELU_MAX_PARAMETERS", help="Refuse network files with more parameters.",
        show_default=True)] = Limits.max_parameters,
    max_file_size: Annotated[str, typer.Option(
        "--max-file-size", envvar="EXACTRELU_MAX_FILE_SIZE", help="Refuse larger input files (e.g. 64M, 1G).",
        show_default=True)] = "64M",
    max_memory: Annotated[str | None, typer.Option(
        "--max-memory", envvar="EXACTRELU_MAX_MEMORY",
        help="Refuse a command whose estimated memory exceeds this (default: half the machine's memory).",
        show_default=False)] = None,
    max_time: Annotated[str, typer.Option(
        "--max-time", envvar="EXACTRELU_MAX_TIME",
        help="Refuse a command whose estimated running time exceeds this (e.g. 30m, 12h, 2d).",
        show_default=True)] = "1d",
) -> None:
    """Exact, certified answers about ReLU networks (rational arithmetic, exact LPs, sympy systems).

    Numbers in files and arguments: integers, fractions p/q or exact decimals (0.25 is exactly 1/4).
    Limits (root options, before the command): --max-parameters, --max-file-size, --max-memory, --max-time.
    """
    sys.set_int_max_str_digits(0)  # exact numbers of any length; input sizes are bounded by the limits below
    LIMITS.max_parameters = max_parameters
    LIMITS.max_file_bytes = parse_size(max_file_size, "--max-file-size")
    LIMITS.max_memory = parse_size(max_memory, "--max-memory") if max_memory is not None else Limits().max_memory
    LIMITS.max_seconds = parse_size(max_time, "--max-time", seconds=True)


def guarded(func: F) -> F:
    """Decorator for commands: an :class:`ExactReluError` (or a bad value) becomes one stderr line and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, click_errors.ClickException, typer.Abort):
            raise
        except ExactReluError as exc:
            fail(str(exc))
        except (ValueError, ZeroDivisionError) as exc:
            fail(str(exc) or type(exc).__name__)
        except MemoryError:
            fail("out of memory (the input is too large for this machine; see --max-memory)")
        except RecursionError:
            fail("the input is nested too deeply")
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except Exception as exc:  # a bug: one line, exit 3, the traceback on request
            if os.environ.get("EXACTRELU_DEBUG"):
                raise
            fail(f"internal error {type(exc).__name__}: {exc} (please report it; EXACTRELU_DEBUG=1 shows the "
                 "traceback)", 3)

    return wrapper  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------ options
def _check_output(value: Path | None) -> Path | None:
    if value is not None:
        check_destination(value)
    return value


def _check_image(value: Path | None) -> Path | None:
    if value is not None:
        image_format(value)
        check_destination(value)
    return value


def _check_outdir(value: Path | None) -> Path | None:
    if value is None:
        return value
    if value.exists() and not value.is_dir():
        raise OutputError(f"{value}: cannot write the report: exists and is not a folder")
    if value.is_dir():
        check_destination(value / "report.md")
    else:
        check_destination(value)  # a new folder: its parent must exist and be writable
    return value


def output_option(*names: str, help: str) -> Any:
    """A typer option for an output file, checked (folder writable, not a directory/device/FIFO) at parse time."""
    return typer.Option(*names, help=help, callback=_check_output, show_default=False)


def image_option(*names: str, help: str) -> Any:
    """A typer option for a plot file: suffix .png, .svg or .pdf (the format written), checked at parse time."""
    return typer.Option(*names, help=help + " The suffix (.png, .svg, .pdf) chooses the format.",
                        callback=_check_image, show_default=False)


def outdir_option(*names: str, help: str) -> Any:
    """A typer option for an output folder (created if missing; its parent must be writable)."""
    return typer.Option(*names, help=help, callback=_check_outdir)


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
BoxOpt = Annotated[tuple[str, str] | None, typer.Option(
    "--box", help="Restrict to the box [LO, HI]^d, given as two numbers: --box -1 1 (or --box 0 1/2).",
    show_default=False)]


def parse_box(box: tuple[str, str] | None, d: int) -> Any:
    """The :class:`~exactrelu.geometry.polyhedra.Box` of a ``--box LO HI`` option (``None`` when absent)."""
    if box is None:
        return None
    from exactrelu.geometry.polyhedra import Box

    try:
        lo, hi = parse_rational(box[0]), parse_rational(box[1])
    except ExactReluError as exc:
        raise FormatError(f"--box: {exc}") from None
    if not lo < hi:
        raise ShapeError(f"--box {box[0]} {box[1]}: needs lo < hi")
    return Box(lo, hi, d)


# ------------------------------------------------------------------------------------------ reading
#: Why a command takes layered networks only (its theory is stated layer by layer); the one-line refusal of a graph
#: that is not layered quotes it.  The keys are command names.
LAYERED_ONLY = {
    "fiber": "the fiber equations (docs/mathematics.md §2.B-D) are written for consecutive weight matrices",
    "generic": "genericity (docs/mathematics.md §1) is defined by masked products of consecutive weight matrices",
    "bottleneck": "the bottleneck theorems (docs/mathematics.md D) are about layered (d, n1, n2, m) networks",
    "canonical": "the canonical form (docs/mathematics.md B1/B4) is for one hidden layer",
    "shallow": "the representability test (docs/mathematics.md F1) reads the layered complex",
    "demo": "the report's sections are written for layered networks",
}


def read_network(path: Path, allow_float: bool = False, *, function_only: bool = False,
                 command: str | None = None) -> Network:
    """A layered network; a version-2 file is accepted when its graph is layered (lossless conversion; with
    ``function_only``, for commands about the function alone, absent biases are read as 0).  A graph that is not
    layered is refused in one line giving the reason of :data:`LAYERED_ONLY` for ``command`` and what makes the graph
    not layered."""
    net = read_any_network(path, allow_float)
    if isinstance(net, GraphNetwork):
        if function_only and layered_obstruction(net, need_biases=False) is None:
            return to_layered(net, absent_bias_as_zero=True)
        why = layered_obstruction(net)
        if why is not None:
            reason = LAYERED_ONLY.get(command or "", "its theory is stated layer by layer")
            name = f"`{command}`" if command else "this command"
            raise NotApplicableError(f"{path}: {name} takes layered networks only ({reason}); this graph is not "
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
    """The one network loader of every command, within the run's limits; then the command's budget is checked.

    ``.json`` (exact format, version 1 gives a :class:`Network`, version 2 a :class:`GraphNetwork`), ``.onnx``,
    ``.pt``/``.pth`` (state dicts), ``.safetensors`` and ``.npz`` by suffix
    (:func:`exactrelu.engines.formats.load_network`).  Structure warnings of graphs go to stderr, one line each.
    The budget (estimated memory and time, :mod:`exactrelu.cli._budget`) uses the command's name and options from
    the click context; for a command that reads two networks it is checked on both together.
    """
    from exactrelu.core.bulk import paused_gc

    with spinner(f"reading {path}"), warnings.catch_warnings(record=True) as caught, paused_gc():
        # hundreds of thousands of Fractions, no cycles: collections would only walk them
        warnings.simplefilter("always", StructureWarning)
        if path.suffix.lower() in NETWORK_SUFFIXES:
            from exactrelu.engines.formats import load_network

            net: Network | GraphNetwork = load_network(path, allow_float=allow_float)
            if isinstance(net, Network) and net.num_parameters > LIMITS.max_parameters:
                raise SizeLimitError(f"{path}: {net.num_parameters:,} parameters, more than the limit of "
                                     f"{LIMITS.max_parameters:,}; raise it with `exactrelu --max-parameters N`")
        else:
            net = load(path, allow_float=allow_float, max_parameters=LIMITS.max_parameters,
                       max_file_bytes=LIMITS.max_file_bytes)
    if PROCESS["freeze_after_load"]:
        gc.freeze()  # the network lives until the process ends: keep later collections from walking it
    for w in caught:
        if issubclass(w.category, StructureWarning):
            err_console.print(f"exactrelu: warning: {w.message}", markup=False, highlight=False, soft_wrap=True)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    ctx = get_current_context(silent=True)
    if ctx is not None and isinstance(net, Network):
        nets = ctx.meta.setdefault("exactrelu.networks", [])
        nets.append(net)
        check_budget(ctx.info_name or "", nets, ctx.params, LIMITS)
    return net


def read_points_file(path: Path, d: int) -> list[list[Any]]:
    """A JSON list of input points (or ``{"points": [...]}``), each of ``d`` exact numbers; errors name the place."""
    from exactrelu.core.files import read_json_file
    from exactrelu.core.rational import as_rational

    doc = read_json_file(path, max_bytes=LIMITS.max_file_bytes, what="points file")
    pts = doc.get("points") if isinstance(doc, dict) else doc
    if not isinstance(pts, list) or not all(isinstance(p, list) for p in pts):
        raise FormatError(f"{path}: expected a list of points (lists of numbers as strings)")
    out = []
    for i, p in enumerate(pts):
        if len(p) != d:
            raise FormatError(f"{path}: points[{i}] has {len(p)} coordinates, the network expects {d}")
        row = []
        for j, v in enumerate(p):
            try:
                row.append(as_rational(v))
            except ExactReluError as exc:
                raise type(exc)(f"{path}: points[{i}][{j}]: {exc}") from None
        out.append(row)
    return out


# ------------------------------------------------------------------------------------------ output
def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def interactive() -> bool:
    """True when progress may be drawn: stderr is a terminal."""
    return err_console.is_terminal


@contextlib.contextmanager
def spinner(message: str, enabled: bool = True) -> Iterator[None]:
    """A transient spinner on stderr (terminal only)."""
    if not (enabled and interactive()):
        yield
        return
    with err_console.status(message):
        yield


class RateColumn(ProgressColumn):
    """The rate of a counter, e.g. ``1,234 regions/s`` (rich's own estimate over its recent updates)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} {self.unit}/s", style="progress.data.speed")


@contextlib.contextmanager
def progress(description: str, total: int | None = None, enabled: bool = True,
             unit: str = "") -> Iterator[Callable[[int], None]]:
    """A transient progress bar (``total`` known) or counter on stderr, terminal only; yields ``update(done)``.

    A counter with a ``unit`` also shows its rate (``unit/s``)."""
    if not (enabled and interactive()):
        yield lambda done: None
        return
    if total is None:
        columns: tuple[Any, ...] = (SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
                                    TextColumn("{task.completed:,}" + (f" {unit}" if unit else "")),
                                    *((RateColumn(unit),) if unit else ()), TimeElapsedColumn())
    else:
        columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)


def check_scheduler(address: str, timeout: float = 5.0) -> None:
    """Refuse at once (one line) a Dask scheduler address where nothing answers, instead of Dask's 30 s wait."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise FormatError(f"--scheduler {address!r}: expected an address like tcp://HOST:PORT")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise FormatError(f"--scheduler {address}: no Dask scheduler answers there "
                          f"({exc.strerror or exc or 'timed out'})") from None
