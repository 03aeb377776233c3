"""Functional dimension of an architecture: the maximum of dim_fun(θ) over θ, certified (docs/mathematics.md §E2).

``dim_fun(θ) <= D - N_h`` for every θ (the scaling orbit lies in the kernel of every parameter Jacobian), so a single
θ with ``dim_fun(θ) = D - N_h`` **proves** that the architecture's functional dimension is ``D - N_h``.  The search
therefore stops at the first batch of trials in which some θ reaches it (``certified``).  Otherwise it searches on
(more random θ, and planted θ whose every hidden neuron has its kink through a random point of ``[-1, 1]^d``) up to
``max_trials`` and reports the best rank found as a certified **lower bound** with the number of trials used, never
as a maximum (``maximum`` is None): a smaller value is evidence, not a proof, that the bound fails (e.g. the width-1
chain (1,1,1,1,1), docs/mathematics.md §E2).  Each θ is decided exactly by
:func:`~exactrelu.theory.dimension.fdim.functional_dimension`; trials run on Dask (or serially).
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from exactrelu.core.errors import ShapeError
from exactrelu.core.network import Network, num_parameters
from exactrelu.core.random import random_network, random_rational
from exactrelu.theory.dimension.fdim import MAX_REGIONS, functional_dimension

__all__ = ["ArchitectureFunctionalDimension", "architecture_functional_dimension", "planted_network",
           "plot_rank_histogram"]


@dataclass(frozen=True)
class ArchitectureFunctionalDimension:
    """The functional dimension of an architecture, or a certified lower bound of it (docs/mathematics.md §E2).

    Attributes
    ----------
    lower_bound : the largest exact ``dim_fun(θ)`` found (a certified lower bound of the architecture's value).
    upper_bound : ``D - N_h``, a bound for every θ.
    certified : ``lower_bound == upper_bound``: then the architecture's functional dimension is proved.
    trials : the number of θ examined (``planted`` of them planted), ``seed`` the first seed.
    ranks : ``dim_fun(θ)`` of every θ examined that has a Jacobian everywhere (seed order); ``undefined`` counts the
        θ with a region without Jacobian (docs/mathematics.md §3).
    """

    architecture: tuple[int, ...]
    trials: int
    seed: int
    lower_bound: int
    upper_bound: int
    ranks: tuple[int, ...] = field(repr=False)
    all_exact: bool
    methods: tuple[str, ...] = field(default=(), repr=False)
    undefined: int = 0
    planted: int = 0
    requested_trials: int = 0

    @property
    def certified(self) -> bool:
        return self.lower_bound == self.upper_bound

    @property
    def maximum(self) -> int | None:
        """The architecture's functional dimension when proved (``certified``), else None."""
        return self.lower_bound if self.certified else None

    @property
    def attains_bound(self) -> bool:
        return self.certified

    @property
    def histogram(self) -> dict[int, int]:
        """``{rank: count}`` sorted by rank."""
        out: dict[int, int] = {}
        for r in sorted(self.ranks):
            out[r] = out.get(r, 0) + 1
        return out

    def __repr__(self) -> str:
        return (f"ArchitectureFunctionalDimension(architecture={self.architecture}, lower_bound={self.lower_bound}, "
                f"upper_bound={self.upper_bound}, certified={self.certified}, trials={self.trials})")

    def __str__(self) -> str:
        if self.certified:
            return (f"{self.architecture}: functional dimension {self.upper_bound} = D - N_h (proved: reached after "
                    f"{self.trials} θ)")
        return (f"{self.architecture}: functional dimension >= {self.lower_bound} (best of {self.trials} θ, "
                f"{self.planted} planted); the bound D - N_h = {self.upper_bound} was not reached")

    def to_dict(self) -> dict[str, Any]:
        return {"architecture": list(self.architecture), "trials": self.trials, "requested_trials":
                self.requested_trials, "planted": self.planted, "seed": self.seed,
                "functional_dimension": self.maximum, "max_functional_dimension": self.maximum,
                "lower_bound": self.lower_bound, "upper_bound": self.upper_bound, "certified": self.certified,
                "attains_bound": self.attains_bound, "histogram": {str(k): v for k, v in self.histogram.items()},
                "undefined": self.undefined, "all_exact": self.all_exact, "ranks": list(self.ranks)}


def planted_network(architecture: Sequence[int], seed: int = 0) -> Network:
    """A rational θ whose every hidden neuron has its kink through a random point of ``[-1, 1]^d``.

    Weights are random rationals; the bias of hidden neuron ``i`` of layer ``l`` is ``-W_i · a^(l-1)(x_i)`` for a
    random rational ``x_i``, so no neuron is dead or always active on the box (the usual reason why random θ of
    narrow deep architectures miss the maximal rank).

    >>> net = planted_network((1, 1, 2, 1, 1), seed=0)
    >>> net.architecture
    (1, 1, 2, 1, 1)
    """
    arch = tuple(int(a) for a in architecture)
    rng = _random.Random(seed)
    d = arch[0]
    layers: list[tuple[list[list[Fraction]], list[Fraction]]] = []

    def activations(x: list[Fraction]) -> list[Fraction]:
        a = x
        for W, b in layers:
            a = [max(sum((w * v for w, v in zip(row, a)), Fraction(0)) + c, Fraction(0)) for row, c in zip(W, b)]
        return a

    for l in range(1, len(arch)):
        W = [[random_rational(rng) for _ in range(arch[l - 1])] for _ in range(arch[l])]
        if l < len(arch) - 1:
            b = []
            for row in W:
                a = activations([Fraction(rng.randint(-16, 16), 16) for _ in range(d)])
                b.append(-sum((w * v for w, v in zip(row, a)), Fraction(0)) + Fraction(rng.choice((-1, 1)), 64))
        else:
            b = [random_rational(rng) for _ in range(arch[l])]
        layers.append((W, b))
    return Network.from_lists(layers)


def _trial(arch: tuple[int, ...], seed: int, max_regions: int, planted: bool = False) -> dict[str, Any]:
    """One trial on a worker: plain picklable data only."""
    net = planted_network(arch, seed) if planted else random_network(arch, seed=seed)
    r = functional_dimension(net, max_regions=max_regions, seed=seed)
    return {"seed": seed, "rank": r.rank, "exact": r.exact, "method": r.method, "certified_by": r.certified_by,
            "planted": planted}


def architecture_functional_dimension(architecture: Sequence[int], trials: int = 20, seed: int = 0, *,
                                      serial: bool = False, client: Any = None, scheduler: str | None = None,
                                      workers: int = 2, max_regions: int = MAX_REGIONS, max_trials: int | None = None,
                                      batch: int = 8, progress: Callable[[int], None] | None = None
                                      ) -> ArchitectureFunctionalDimension:
    """The functional dimension of an architecture, certified when some θ reaches ``D - N_h`` (module docstring).

    Parameters
    ----------
    architecture : ``(d, n_1, ..., n_L, m)``.
    trials : random θ (``random_network(arch, seed=seed + t)``) examined before the search widens.
    max_trials : total budget (default ``4 * trials``): past ``trials``, planted θ (:func:`planted_network`) and random
        θ alternate until the bound is reached.
    batch : θ per round (at most ``trials``); the search stops after the first round in which the bound is reached.
    serial, client, scheduler, workers : run in this process, or on Dask (an existing ``client``, a ``scheduler``
        address, or a ``LocalCluster`` of ``workers`` processes started for the call).  Workers return plain data.

    >>> r = architecture_functional_dimension((1, 1, 1), trials=3, serial=True)
    >>> r.maximum, r.certified, r.trials, r.histogram
    (3, True, 3, {3: 3})
    >>> r = architecture_functional_dimension((1, 1, 1, 1, 1), trials=4, max_trials=8, serial=True)
    >>> r.maximum, r.lower_bound, r.upper_bound, r.trials
    (None, 4, 5, 8)
    """
    arch = tuple(int(a) for a in architecture)
    if len(arch) < 2 or any(a < 1 for a in arch):
        raise ShapeError(f"architecture {arch} needs >= 2 positive entries (d, ..., m)")
    if trials < 1:
        raise ValueError("trials must be >= 1")
    budget = max(trials, max_trials if max_trials is not None else 4 * trials)
    bound = num_parameters(arch) - sum(arch[1:-1])
    plan = [(seed + t, t >= trials and (t - trials) % 2 == 0) for t in range(budget)]
    batch = max(1, min(batch, trials))
    results: list[dict[str, Any]] = []
    cluster = None
    own = False
    if not serial and client is None:
        from dask.distributed import Client, LocalCluster

        own = True
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
    try:
        for start in range(0, budget, batch):
            chunk = plan[start:start + batch]
            if serial:
                for s, pl in chunk:
                    results.append(_trial(arch, s, max_regions, pl))
                    if progress is not None:
                        progress(len(results))
            else:
                from dask.distributed import as_completed

                futures = client.map(_trial, [arch] * len(chunk), [s for s, _ in chunk],
                                     [max_regions] * len(chunk), [pl for _, pl in chunk], pure=False)
                for fut in as_completed(futures):
                    results.append(fut.result())
                    if progress is not None:
                        progress(len(results))
            if any(r["rank"] == bound for r in results):
                break
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    results.sort(key=lambda r: r["seed"])
    ranks = tuple(int(r["rank"]) for r in results if r["rank"] is not None)
    return ArchitectureFunctionalDimension(
        architecture=arch, trials=len(results), seed=seed, lower_bound=max(ranks, default=0), upper_bound=bound,
        ranks=ranks, all_exact=all(r["exact"] for r in results if r["rank"] is not None),
        methods=tuple(r["method"] for r in results), undefined=len(results) - len(ranks),
        planted=sum(1 for r in results if r["planted"]), requested_trials=trials)


def plot_rank_histogram(result: ArchitectureFunctionalDimension, path: str | Path) -> Path:
    """Bar chart of the distribution of ``dim_fun`` over the trials, bound ``D - N_h`` marked (PNG, SVG or PDF)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from exactrelu.core.files import atomic_write_bytes, image_format

    fmt = image_format(path)
    hist = result.histogram
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar(list(hist), list(hist.values()), color="tab:blue")
    ax.axvline(result.upper_bound, color="tab:red", linestyle="--", label=f"D - N_h = {result.upper_bound}")
    ax.set_xlabel("functional dimension (exact rank)")
    ax.set_ylabel("θ")
    what = f"= {result.maximum} (proved)" if result.certified else f">= {result.lower_bound}"
    ax.set_title(f"{result.architecture}: {result.trials} θ, dim_fun {what}")
    ax.legend()
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format=fmt, dpi=100)
    plt.close(fig)
    out = Path(path)
    atomic_write_bytes(out, buf.getvalue())
    return out
