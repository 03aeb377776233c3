"""``exactrelu regions --count-only / --out / --workers / --scheduler / --resume``: the streamed, piece-by-piece count
(:func:`exactrelu.geometry.distributed.count_regions`), called by the ``regions`` command."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from exactrelu.cli._common import check_scheduler, console, emit_json, err_console, interactive
from exactrelu.core.errors import ShapeError
from exactrelu.core.network import Network

__all__ = ["streamed_regions"]


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Pieces done / open, regions, rate and the dashboard address on stderr (terminal only)."""
    if not (enabled and interactive()):
        yield lambda info: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console,
                  transient=True) as bar:
        task = bar.add_task("counting regions (starting) ...")

        def update(info: dict[str, Any]) -> None:
            text = (f"pieces {info['pieces_done']} done, {info['pieces_open']} open; {info['regions']:,} regions, "
                    f"{info['rate']:,.0f}/s")
            if info.get("dashboard"):
                text += f"; dashboard {info['dashboard']}"
            bar.update(task, description=text)

        yield update


def streamed_regions(path: Path, net: Network, domain: Any, *, out: Path | None, checkpoint: Path | None,
                     resume: bool, scheduler: str | None, workers: int, budget: int, method: str,
                     checkpoint_every: float, json_out: bool) -> None:
    """Count (and with ``out`` write) the regions piece by piece, then print the figures."""
    from exactrelu.geometry.distributed import count_regions

    if workers < 0:
        raise ShapeError("--workers must be >= 0 (0 = this process)")
    if budget < 1:
        raise ShapeError("--piece-budget must be >= 1")
    if scheduler is not None:
        check_scheduler(scheduler)
    state = checkpoint
    if state is None and resume and out is None:
        state = Path(f"{path.name}.regions.partial")
    with _progress(not json_out) as update:
        r = count_regions(net, domain, out=out, state=state, resume=resume, scheduler=scheduler, workers=workers,
                          budget=budget, method=method, checkpoint_every=checkpoint_every, progress=update)
    if json_out:
        info = r.to_dict()
        info["architecture"] = list(net.architecture)
        info["checkpoint"] = None if state is None else str(state)
        emit_json(info)
        return
    console.print(f"[bold]{path}[/]: architecture {net.architecture}", highlight=False)
    console.print(str(r), highlight=False)
    if r.dashboard:
        console.print(f"dashboard: {r.dashboard}", highlight=False)
