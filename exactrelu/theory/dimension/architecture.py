"""Functional dimension of an architecture: the maximum of dim_fun(θ) over θ (docs/mathematics.md §E2).

Random rational θ on Dask (or serially), each decided exactly by
:func:`~exactrelu.theory.dimension.fdim.functional_dimension`; the distribution of ranks and a histogram plot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exactrelu.core.errors import ShapeError
from exactrelu.theory.dimension.fdim import MAX_REGIONS, functional_dimension

__all__ = ["ArchitectureFunctionalDimension", "architecture_functional_dimension", "plot_rank_histogram"]


@dataclass(frozen=True)
class ArchitectureFunctionalDimension:
    """``max_θ dim_fun(θ)`` over seeded random rational θ, with the distribution of ranks (docs/mathematics.md §E2)."""

    architecture: tuple[int, ...]
    trials: int
    seed: int
    maximum: int
    upper_bound: int
    ranks: tuple[int, ...]
    all_exact: bool
    methods: tuple[str, ...] = ()
    #: trials whose θ has a region without Jacobian in θ (no rank, docs/mathematics.md §3); not in ``ranks``
    undefined: int = 0

    @property
    def histogram(self) -> dict[int, int]:
        """``{rank: count}`` sorted by rank."""
        out: dict[int, int] = {}
        for r in sorted(self.ranks):
            out[r] = out.get(r, 0) + 1
        return out

    @property
    def attains_bound(self) -> bool:
        return self.maximum == self.upper_bound

    def to_dict(self) -> dict[str, Any]:
        return {"architecture": list(self.architecture), "trials": self.trials, "seed": self.seed,
                "max_functional_dimension": self.maximum, "upper_bound": self.upper_bound,
                "attains_bound": self.attains_bound, "histogram": {str(k): v for k, v in self.histogram.items()},
                "all_exact": self.all_exact, "ranks": list(self.ranks)}


def _trial(arch: tuple[int, ...], seed: int, max_regions: int) -> dict[str, Any]:
    """One trial on a worker: plain picklable data only."""
    from exactrelu.core.random import random_network

    net = random_network(arch, seed=seed)
    r = functional_dimension(net, max_regions=max_regions, seed=seed)
    return {"seed": seed, "rank": r.rank, "exact": r.exact, "method": r.method, "certified_by": r.certified_by}


def architecture_functional_dimension(architecture: Sequence[int], trials: int = 20, seed: int = 0, *,
                                      serial: bool = False, client: Any = None, scheduler: str | None = None,
                                      workers: int = 2, max_regions: int = MAX_REGIONS,
                                      progress: Callable[[int], None] | None = None
                                      ) -> ArchitectureFunctionalDimension:
    """The functional dimension of an architecture: the maximum of ``dim_fun(θ)`` over ``trials`` random rational θ
    (``random_network(arch, seed=seed + t)``), with the distribution of ranks (docs/mathematics.md §E2).

    Runs on Dask: an existing ``client``, or a ``scheduler`` address, or a ``LocalCluster`` started for the call;
    ``serial=True`` runs in this process.  Workers return plain data.  The maximum over trials is a certified lower
    bound of the architecture's functional dimension; it is the exact value when it reaches ``D - N_h``.

    >>> r = architecture_functional_dimension((1, 1, 1), trials=3, serial=True)
    >>> r.maximum, r.upper_bound, r.histogram
    (3, 3, {3: 3})
    """
    from exactrelu.core.network import num_parameters

    arch = tuple(int(a) for a in architecture)
    if len(arch) < 2 or any(a < 1 for a in arch):
        raise ShapeError(f"architecture {arch} needs >= 2 positive entries (d, ..., m)")
    if trials < 1:
        raise ValueError("trials must be >= 1")
    seeds = [seed + t for t in range(trials)]
    results: list[dict[str, Any]] = []
    if serial:
        for s in seeds:
            results.append(_trial(arch, s, max_regions))
            if progress is not None:
                progress(len(results))
    else:
        from dask.distributed import Client, LocalCluster, as_completed

        cluster = None
        own = client is None
        if client is None:
            if scheduler:
                client = Client(scheduler)
            else:
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                client = Client(cluster)
        try:
            futures = client.map(_trial, [arch] * trials, seeds, [max_regions] * trials, pure=False)
            for fut in as_completed(futures):
                results.append(fut.result())
                if progress is not None:
                    progress(len(results))
        finally:
            if own:
                client.close()
                if cluster is not None:
                    cluster.close()
    results.sort(key=lambda r: r["seed"])
    ranks = tuple(int(r["rank"]) for r in results if r["rank"] is not None)
    D = num_parameters(arch)
    return ArchitectureFunctionalDimension(
        architecture=arch, trials=trials, seed=seed, maximum=max(ranks, default=0), upper_bound=D - sum(arch[1:-1]),
        ranks=ranks, all_exact=all(r["exact"] for r in results), methods=tuple(r["method"] for r in results),
        undefined=trials - len(ranks))


def plot_rank_histogram(result: ArchitectureFunctionalDimension, path: str | Path) -> Path:
    """Bar chart of the distribution of ``dim_fun`` over the trials, with the bound ``D - N_h`` marked (PNG)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from exactrelu.core.rational import atomic_write_bytes

    hist = result.histogram
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar(list(hist), list(hist.values()), color="tab:blue")
    ax.axvline(result.upper_bound, color="tab:red", linestyle="--", label=f"D - N_h = {result.upper_bound}")
    ax.set_xlabel("functional dimension (exact rank)")
    ax.set_ylabel("random θ")
    ax.set_title(f"{result.architecture}: {result.trials} trials, max {result.maximum}")
    ax.legend()
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    out = Path(path)
    atomic_write_bytes(out, buf.getvalue())
    return out
