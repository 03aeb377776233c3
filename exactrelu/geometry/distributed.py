"""Region enumeration beyond one process: pieces on Dask, streamed rows, resumable runs (docs/mathematics.md A2).

:func:`count_regions` counts the activation regions of C_θ without keeping the complex: the domain is cut into
pieces, prefixes of the activation pattern (:mod:`exactrelu.geometry.pieces`); a task enumerates one piece for a
bounded amount of work and hands back what it did not explore as new pieces, so large pieces are split where they are
large and every task is short.  Each region is owned by exactly one piece (the one whose prefix its pattern extends),
so a task retried after a worker died, or a run resumed after a crash, counts nothing twice.  The tasks run in this
process (``workers=0``, the default), on a ``LocalCluster`` of ``workers`` processes, on a Dask ``scheduler`` given
by address, or on a ``client`` of the caller; Dask is imported only then.

With ``out`` (``.jsonl`` or ``.parquet``) each region is also built and written as one row (pattern, exact interior
point, number of facets, bounded); memory stays bounded by the rows of one checkpoint.  With a ``state`` folder the
run commits checkpoints (:mod:`exactrelu.geometry.stream`) and ``resume=True`` continues from the last one.

Examples
--------
>>> from exactrelu import examples
>>> r = count_regions(examples.relu_of_sum())
>>> r.regions, r.bounded
(7, 1)
>>> count_regions(examples.relu_of_sum(), method="split").bounded is None   # the split builds no region
True
>>> count_regions(examples.relu_of_sum(), budget=1, method="split").regions   # one region per task, 7 tasks
7
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from exactrelu.core.errors import ShapeError
from exactrelu.core.files import check_destination
from exactrelu.core.network import Network
from exactrelu.geometry.construct import domain_rows
from exactrelu.geometry.kernel import IntNet
from exactrelu.geometry.pieces import ROOT, Piece, PieceResult, run_piece, split_piece
from exactrelu.geometry.polyhedra import Polyhedron, Row
from exactrelu.geometry.stream import RunState, merge_parts, row_format

__all__ = ["RegionCount", "count_regions", "DEFAULT_BUDGET", "network_fingerprint"]

#: Budget of one task: for ``method="split"`` work units (exact LPs; a region row counts
#: :data:`~exactrelu.geometry.pieces.ROW_COST`), for ``method="walk"`` regions per walk; a few seconds either way.
DEFAULT_BUDGET = 4000


@dataclass(frozen=True)
class RegionCount:
    """The result of :func:`count_regions`.

    ``regions`` is exact; ``bounded`` is the number of bounded regions when rows were built (``out``), else None.
    ``task_seconds`` holds the process time of every task run by this call (not of pieces resumed from a checkpoint).
    """

    regions: int
    bounded: int | None
    pieces: int
    resumed_pieces: int
    tasks: int
    seconds: float
    task_seconds: tuple[float, ...] = field(repr=False)
    out: str | None = None
    where: str = "this process"
    dashboard: str | None = None

    def __str__(self) -> str:
        b = "" if self.bounded is None else f" ({self.bounded} bounded)"
        res = f", {self.resumed_pieces} resumed" if self.resumed_pieces else ""
        return (f"{self.regions} activation regions{b}: {self.pieces} pieces{res}, {self.tasks} tasks on "
                f"{self.where}, {self.seconds:.1f} s" + (f"; rows in {self.out}" if self.out else ""))

    def to_dict(self) -> dict[str, Any]:
        ts = sorted(self.task_seconds)
        return {"activation_regions": self.regions, "bounded_regions": self.bounded, "pieces": self.pieces,
                "resumed_pieces": self.resumed_pieces, "tasks": self.tasks, "seconds": round(self.seconds, 3),
                "task_seconds_median": round(ts[len(ts) // 2], 4) if ts else None,
                "task_seconds_max": round(ts[-1], 4) if ts else None, "out": self.out, "where": self.where,
                "dashboard": self.dashboard}


def network_fingerprint(net: Network, dom: list[Row], fmt: str | None) -> str:
    """A hash of the network, the domain rows and the row format: the identity of a run's state."""
    from exactrelu.core.io import network_to_dict

    doc = {"network": network_to_dict(net), "domain": [[str(v) for v in r] for r in dom], "rows": fmt}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------------- the task (runs on a worker)
def _task(net: Network, dom: list[Row], piece: Piece, budget: int, rows: bool, method: str) -> PieceResult:
    """One piece on a worker.  The integer network is built afresh for each task: its caches (forms by pattern
    prefix, exact vertices) grow with the regions it has seen, and a worker's memory must not grow with the count."""
    return run_piece(IntNet(net), dom, piece, budget, rows=rows, method=method)


# ---------------------------------------------------------------------- the driver
class _Run:
    """The bookkeeping of one run: pieces to do, done, rows not yet committed, checkpoints."""

    def __init__(self, state: RunState | None, offsets: list[int], checkpoint_every: float,
                 progress: Callable[[dict[str, Any]], None] | None, dashboard: str | None) -> None:
        self.state = state
        self.offsets = offsets
        self.every = checkpoint_every
        self.progress = progress
        self.dashboard = dashboard
        self.done: dict[str, tuple[int, int | None]] = {}
        self.open: dict[str, Piece] = {}
        self.buffer: list[tuple[Any, ...]] = []
        self.task_seconds: list[float] = []
        self.last = time.monotonic()
        self.t0 = time.monotonic()
        self.regions = 0
        self.resumed = 0
        self.prior_seconds = 0.0

    def accept(self, res: PieceResult) -> list[Piece]:
        """Record a task's result once (a duplicate result of a retried task is ignored); returns the new pieces."""
        if res.key in self.done or res.key not in self.open:
            return []
        del self.open[res.key]
        self.done[res.key] = (res.count, res.bounded)
        self.regions += res.count
        self.task_seconds.append(res.seconds)
        if res.rows:
            self.buffer.extend(res.rows)
        for p in res.sub:
            self.open[p.key] = p
        if self.state is not None and (time.monotonic() - self.last >= self.every or len(self.buffer) >= 200_000):
            self.commit()
        if self.progress is not None:
            elapsed = time.monotonic() - self.t0
            self.progress({"pieces_done": len(self.done), "pieces_open": len(self.open), "regions": self.regions,
                           "rate": self.regions / elapsed if elapsed > 0 else 0.0, "dashboard": self.dashboard})
        return list(res.sub)

    def commit(self, finished: bool = False) -> None:
        assert self.state is not None
        self.state.commit(self.buffer, self.offsets, self.done, self.open.values(), finished=finished,
                          seconds=self.prior_seconds + time.monotonic() - self.t0)
        self.buffer = []
        self.last = time.monotonic()


def count_regions(net: Network, domain: Polyhedron | None = None, *, out: str | os.PathLike[str] | None = None,
                  state: str | os.PathLike[str] | None = None, resume: bool = False, client: Any = None,
                  scheduler: str | None = None, workers: int = 0, budget: int = DEFAULT_BUDGET,
                  method: str = "auto", checkpoint_every: float = 5.0,
                  progress: Callable[[dict[str, Any]], None] | None = None) -> RegionCount:
    """Count the activation regions of ``net`` on ``domain`` exactly, piece by piece (module docstring).

    Parameters
    ----------
    net, domain : as for :func:`~exactrelu.geometry.regions.regions` (``domain=None`` is ``R^d``).
    out : write one row per region here (``.jsonl`` or ``.parquet``), atomically at the end; the destination is
        checked before any work.
    state : folder for checkpoints (default ``<out>.partial`` when ``out`` is given); removed after a run with ``out``
        succeeds, kept (marked finished) otherwise.
    resume : continue from the state's last checkpoint instead of starting afresh (a finished state answers at once).
    client, scheduler, workers : where the tasks run: a Dask ``client``, a scheduler address, a ``LocalCluster`` of
        ``workers`` processes, or this process (``workers=0``, the default).
    budget : the size of a task (:data:`DEFAULT_BUDGET`); smaller means more, shorter tasks.
    method : how a task enumerates its piece (:func:`~exactrelu.geometry.pieces.run_piece`): ``"walk"`` (a walk over
        the facets of the piece's regions; cost per region independent of the number of neurons), ``"split"`` (the
        splitting DFS of docs/mathematics.md A2; no region is built unless rows are asked for), ``"auto"`` =
        ``"walk"``.  Both give the same regions.
    checkpoint_every : seconds between checkpoints.
    progress : called after each task with ``pieces_done``, ``pieces_open``, ``regions``, ``rate`` (regions per
        second) and ``dashboard`` (the Dask dashboard address or None).

    Returns
    -------
    RegionCount

    Raises
    ------
    ShapeError, EmptyRegionError, OutputError (destination), FormatError (a state of another run).
    """
    if not isinstance(net, Network):
        raise ShapeError("count_regions() needs an exactrelu Network")
    if budget < 1:
        raise ValueError("budget must be >= 1")
    if method not in ("auto", "split", "walk"):
        raise ValueError(f"unknown method {method!r}; choose 'auto', 'split' or 'walk'")
    method = "walk" if method == "auto" else method
    dom = domain_rows(net, domain)
    fmt = row_format(out) if out is not None else None
    if out is not None:
        check_destination(out)
    folder = state if state is not None else (f"{out}.partial" if out is not None else None)
    run_state = RunState(folder, network_fingerprint(net, dom, fmt), fmt) if folder is not None else None
    start: list[Piece] = [ROOT]
    prior: dict[str, tuple[int, int | None]] = {}
    prior_seconds = 0.0
    if run_state is not None:
        run_state.prepare()
        loaded = run_state.load() if resume else None
        if loaded is None:
            run_state.reset()
        elif loaded["finished"] and out is None:
            done = loaded["done"]
            b = [v[1] for v in done.values()]
            return RegionCount(sum(v[0] for v in done.values()), None if None in b else sum(b), len(done),
                               len(done), 0, 0.0, (), None, "a finished checkpoint")
        else:
            start, prior, prior_seconds = loaded["pending"], loaded["done"], loaded["seconds"]
    inet = IntNet(net)
    own_client = own_cluster = None
    where = "this process"
    dashboard = None
    if client is None and (scheduler is not None or workers > 0):
        from dask.distributed import Client, LocalCluster

        if scheduler is not None:
            client = own_client = Client(scheduler)
        else:
            own_cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
            client = own_client = Client(own_cluster)
    if client is not None:
        where = f"Dask {client.scheduler.address}"
        dashboard = getattr(client, "dashboard_link", None) if _has_dashboard(client) else None
    run = _Run(run_state, list(inet.offsets), checkpoint_every, progress, dashboard)
    run.done.update(prior)
    run.regions = sum(v[0] for v in prior.values())
    run.resumed = len(prior)
    run.prior_seconds = prior_seconds
    t0 = time.monotonic()
    if method == "walk" and start == [ROOT]:  # start from many pieces: a walk too large for its budget is wasted
        nworkers = max(1, len(client.scheduler_info().get("workers", {}))) if client is not None else 1
        start = list(split_piece(inet, dom, ROOT, 32 * nworkers)[0])
    for p in start:
        run.open[p.key] = p
    try:
        if client is None:
            _serial(run, net, dom, budget, fmt is not None, method)
        else:
            _dask(run, client, net, dom, budget, fmt is not None, method)
    except BaseException:
        if run_state is not None:  # keep what is done (Ctrl-C, a failed task): --resume continues from here
            run.commit()
        raise
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()
    bounded_list = [v[1] for v in run.done.values()]
    bounded = None if None in bounded_list else sum(bounded_list)  # type: ignore[arg-type]
    if run_state is not None:
        run.commit(finished=True)
    if out is not None:
        assert run_state is not None and fmt is not None
        merge_parts(run_state.part_paths(), fmt, out, inet.offsets)
        if state is None:
            run_state.remove()
    return RegionCount(run.regions, bounded, len(run.done), run.resumed, len(run.task_seconds),
                       time.monotonic() - t0, tuple(run.task_seconds), None if out is None else str(out), where,
                       dashboard)


def _has_dashboard(client: Any) -> bool:
    try:
        return bool(client.scheduler_info().get("services", {}).get("dashboard"))
    except Exception:  # noqa: BLE001 - the dashboard address is decoration only
        return False


def _serial(run: _Run, net: Network, dom: list[Row], budget: int, rows: bool, method: str) -> None:
    todo = list(run.open.values())
    while todo:
        piece = todo.pop()
        todo.extend(run.accept(_task(net, dom, piece, budget, rows, method)))


def _dask(run: _Run, client: Any, net: Network, dom: list[Row], budget: int, rows: bool, method: str) -> None:
    from dask.distributed import as_completed

    token = os.urandom(4).hex()
    nworkers = max(1, len(client.scheduler_info().get("workers", {})))
    [net_f] = client.scatter([net], broadcast=True, hash=False)

    def submit(piece: Piece) -> Any:
        # while there are fewer pieces than workers, short tasks split the domain quickly
        b = budget if method == "walk" or len(run.open) >= 2 * nworkers else max(1, budget // 16)
        return client.submit(_task, net_f, dom, piece, b, rows, method, key=f"{piece.key}-{token}", pure=False,
                             retries=2)

    ac = as_completed([submit(p) for p in run.open.values()])
    for fut in ac:
        res = fut.result()
        fut.release()
        for p in run.accept(res):
            ac.add(submit(p))
