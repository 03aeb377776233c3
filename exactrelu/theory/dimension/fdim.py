"""Functional dimension, exact and certified (MATH.md §1, §2.E1–E3, §7 rows 1–4).

``dim_fun(θ)`` is the supremum over finite batches ``Z`` (off the bent hyperplanes) of ``rank J_{F_Z}(θ)``, the
rank of the Jacobian of ``θ' -> (f_θ'(z))_{z∈Z}``.  It is at most ``D - N_h`` because the positive rescalings of the
hidden neurons are in the kernel (more precisely at most ``D - dim span(scaling generators)``, which equals
``D - N_h`` as soon as every hidden neuron has a nonzero parameter).

How this module computes it:

* **regions** (default when the activation regions can be enumerated, MATH.md E1): ``d+1`` affinely independent
  interior points of every region of ``C_θ`` (``exactrelu.geometry.regions``).  On a region ``f_θ(x) = A_R x + c_R``,
  so these
  points give the Jacobian of ``θ -> (A_R, c_R)_R``: the answer is ``dim_fun(θ)`` exactly, no sampling luck.
* **sampling** (too many regions): random rational points; each one found off the bent hyperplanes contributes its
  whole region (``d+1`` affinely independent points of it, built exactly around the point), until the rank stops
  growing.  The result is a certified **lower bound**, and exact when it reaches the upper bound.
* **points**: a user batch ``X`` (:func:`batch_functional_dimension`); points on bent hyperplanes are reported in
  ``excluded`` with the neurons whose pre-activation vanishes, never silently dropped.

Ranks: first the rank modulo the prime ``2^61 - 1`` of the integer-scaled matrix, a certified lower bound
(``rank_p <= rank_Q``); when it equals the upper bound (or the matrix size) the rank is proved (``certified_by =
"modular"``); otherwise the exact rank over Q is computed (``certified_by = "rational"``).

Examples
--------
>>> from exactrelu import examples
>>> r = batch_functional_dimension(examples.chain("ramp_down"), [[-1], ["1/4"], ["1/2"], [2]])
>>> r.rank, r.upper_bound, r.certified_by
(4, 4, 'modular')
>>> r = batch_functional_dimension(examples.chain("ramp_down"), [[0], [2]])
>>> r.rank, [str(p[0]) for p, _ in r.excluded]
(1, ['0'])
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from exactrelu.core.errors import NotApplicableError, RegionLimitError, ShapeError
from exactrelu.core.network import Network
from exactrelu.core.rational import as_rational, format_rational
from exactrelu.engines import flintlib as _flint
from exactrelu.theory.dimension.jacobian import bent_neurons, parameter_jacobian, pattern_jacobian, scaling_generators

__all__ = [
    "FunctionalDimension",
    "ArchitectureFunctionalDimension",
    "functional_dimension",
    "batch_functional_dimension",
    "architecture_functional_dimension",
    "certified_rank",
    "upper_bound",
    "region_basis_points",
    "plot_rank_histogram",
    "report_section",
    "structured_rank",
    "structured_functional_dimension",
]

Point = tuple[Fraction, ...]
Row = tuple[Fraction, ...]

#: Default cap on the number of regions enumerated before falling back to sampling.
MAX_REGIONS = 2000
#: Above this many parameters ``method="auto"`` skips region enumeration and uses the structured sampler.
LARGE_NETWORK = 1500


@dataclass(frozen=True)
class FunctionalDimension:
    """The rank of an exact parameter Jacobian, with its certificate.

    Attributes
    ----------
    rank : the exact rank over Q of the stacked Jacobian at ``points``.
    upper_bound : ``D - dim span(scaling generators)`` (= ``D - N_h`` when no hidden neuron is all-zero).
    parameters, hidden_neurons : ``D`` and ``N_h``.
    certified_by : ``"modular"`` (rank mod p reached the upper bound / the matrix size: proved without rational
        elimination) or ``"rational"`` (exact rank over Q); ``"empty"`` when no point was usable.
    method : ``"regions"``, ``"sampling"`` or ``"points"``.
    exact : True when ``rank`` is ``dim_fun(θ)`` itself (regions method, or any method reaching the upper bound);
        otherwise ``rank`` is a certified lower bound of ``dim_fun(θ)``.
    points : the rational points used (all off every bent hyperplane).
    excluded : ``(point, neurons)`` for input points on bent hyperplanes (``neurons`` = 1-based (layer, index)).
    regions : number of regions used (regions method) or distinct patterns met (sampling), else None.
    modular_rank : the rank modulo ``2^61 - 1``.
    """

    rank: int
    upper_bound: int
    parameters: int
    hidden_neurons: int
    certified_by: str
    method: str
    exact: bool
    points: tuple[Point, ...] = ()
    excluded: tuple[tuple[Point, tuple[tuple[int, int], ...]], ...] = ()
    regions: int | None = None
    modular_rank: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def functional_dimension(self) -> int:
        """Alias of :attr:`rank`."""
        return self.rank

    @property
    def is_lower_bound(self) -> bool:
        """True when :attr:`rank` is only a certified lower bound of ``dim_fun(θ)``."""
        return not self.exact

    @property
    def attains_bound(self) -> bool:
        return self.rank == self.upper_bound

    def to_dict(self, *, with_points: bool = True) -> dict[str, Any]:
        """JSON-able summary (exact rationals as strings)."""
        out: dict[str, Any] = {
            "functional_dimension": self.rank,
            "parameters": self.parameters,
            "hidden_neurons": self.hidden_neurons,
            "upper_bound": self.upper_bound,
            "certified_by": self.certified_by,
            "method": self.method,
            "exact": self.exact,
            "lower_bound_only": not self.exact,
            "modular_rank": self.modular_rank,
            "regions": self.regions,
            "num_points": len(self.points),
            "excluded": [{"point": [format_rational(v) for v in p], "neurons": [list(n) for n in ns]}
                         for p, ns in self.excluded],
            "notes": list(self.notes),
        }
        if with_points:
            out["points"] = [[format_rational(v) for v in p] for p in self.points]
        return out


def upper_bound(net: Network) -> int:
    """``D - dim span(scaling generators)``: the bound ``D - N_h`` of MATH.md §1, exact for degenerate neurons too.

    >>> from exactrelu import examples
    >>> upper_bound(examples.invisible_translation())
    8
    """
    gens = scaling_generators(net)
    return net.num_parameters - (_flint.rank(gens) if gens else 0)


def certified_rank(rows: Sequence[Sequence[Fraction]], bound: int | None = None) -> tuple[int, str, int]:
    """``(rank, certified_by, modular_rank)`` of an exact rational matrix.

    The rank modulo ``p = 2^61 - 1`` of the integer-scaled matrix is a certified lower bound of the rank over Q; if it
    equals ``bound`` (a proved upper bound) or ``min(rows, columns)`` the rank is proved (``"modular"``), otherwise
    the rank over Q is computed (``"rational"``).

    >>> certified_rank([[1, 2], [2, 4]], bound=2)
    (1, 'rational', 1)
    >>> certified_rank([[1, 2], [3, 4]])
    (2, 'modular', 2)
    """
    if not rows or not len(rows[0]):
        return 0, "empty", 0
    cap = min(len(rows), len(rows[0]))
    if bound is not None:
        cap = min(cap, bound)
    mp = _flint.rank_mod_p(rows)
    if mp >= cap:
        return mp, "modular", mp
    return _flint.rank(rows), "rational", mp


def _result(net: Network, rows: list[Row], *, method: str, points: Sequence[Point],
            excluded: Sequence[tuple[Point, tuple[tuple[int, int], ...]]] = (), regions: int | None = None,
            complete: bool = False, notes: Sequence[str] = ()) -> FunctionalDimension:
    ub = upper_bound(net)
    rk, how, mp = certified_rank(rows, ub)
    return FunctionalDimension(rank=rk, upper_bound=ub, parameters=net.num_parameters,
                               hidden_neurons=net.num_hidden, certified_by=how, method=method,
                               exact=complete or rk == ub, points=tuple(points), excluded=tuple(excluded),
                               regions=regions, modular_rank=mp, notes=tuple(notes))


def _as_point(net: Network, x: Sequence[object]) -> Point:
    try:
        p = tuple(as_rational(v) for v in x)
    except TypeError:
        raise ShapeError("each point must be a sequence of rationals") from None
    if len(p) != net.input_dim:
        raise ShapeError(f"network expects {net.input_dim} inputs, got a point with {len(p)}")
    return p


def batch_functional_dimension(net: Network, points: Iterable[Sequence[object]]) -> FunctionalDimension:
    """Batch functional dimension ``rank J_{F_X}(θ)`` for a user data set ``X`` (MATH.md §1, E3).

    Points on bent hyperplanes are listed in ``excluded`` (with the neurons whose pre-activation is 0), not silently
    dropped; the rank uses the other points.  ``exact`` is True only if the rank reaches the upper bound (then ``θ`` is
    locally identifiable from ``f_θ|_X`` modulo scaling, MATH.md E3).

    >>> from exactrelu import examples
    >>> r = batch_functional_dimension(examples.relu_of_sum(), [[2, 2], [-1, -1]])
    >>> r.rank, r.exact
    (2, False)
    """
    rows, used, excluded = _rows_at(net, [_as_point(net, x) for x in points])
    notes = [f"{len(excluded)} point(s) on bent hyperplanes excluded"] if excluded else []
    return _result(net, rows, method="points", points=used, excluded=excluded, notes=notes)


def region_basis_points(net: Network, x: Sequence[object]) -> tuple[Point, ...]:
    """``d+1`` affinely independent points ``x, x + δ e_1, ..., x + δ e_d`` of the open region of ``x``.

    ``δ > 0`` is chosen exactly so that no pre-activation changes sign: on the region every ``z^(l)_i`` is affine,
    ``z(x + δ e_j) = z(x) + δ g_j``, and ``δ = min |z(x)| / (2 max |g|)`` keeps every sign.

    >>> from exactrelu import examples
    >>> region_basis_points(examples.relu_of_sum(), [2, 2])
    ((Fraction(2, 1), Fraction(2, 1)), (Fraction(3, 1), Fraction(2, 1)), (Fraction(2, 1), Fraction(3, 1)))
    """
    p = _as_point(net, x)
    if bent_neurons(net, p):
        raise NotApplicableError(f"x = {p} lies on a bent hyperplane; it has no open region")
    pattern = net.pattern(p)
    d = net.input_dim
    zs = [v for z in net.preactivations(p)[:-1] for v in z]
    # gradients of every hidden pre-activation on the region: affine maps of truncated networks
    grads: list[Fraction] = []
    sub = []
    for l, layer in enumerate(net.layers[:-1]):
        sub.append(layer)
        trunc = Network(tuple(sub))
        A, _ = trunc.affine_map(pattern[:l]) if l else (layer.weights, layer.biases)
        grads += [abs(v) for row in A for v in row]
    gmax = max(grads) if grads and max(grads) > 0 else Fraction(1)
    delta = min(abs(v) for v in zs) / (2 * gmax) if zs else Fraction(1)
    delta = min(delta, Fraction(1))
    pts = [p]
    for j in range(d):
        q = list(p)
        q[j] += delta
        pts.append(tuple(q))
    return tuple(pts)


def _region_points(net: Network, max_regions: int) -> tuple[list[Point], int, list[str]]:
    from exactrelu.geometry.regions import regions  # developer "geometry"

    cx = regions(net, max_regions=max_regions)
    pts: list[Point] = []
    notes: list[str] = []
    for R in cx.regions:
        getter = getattr(R, "affine_basis_points", None)
        basis = tuple(getter()) if getter is not None else region_basis_points(net, R.interior_point)
        pts.extend(tuple(Fraction(v) for v in q) for q in basis)
    return pts, len(cx.regions), notes


def _rows_at(net: Network, pts: Sequence[Point]
             ) -> tuple[list[Row], list[Point], list[tuple[Point, tuple[tuple[int, int], ...]]]]:
    rows: list[Row] = []
    used: list[Point] = []
    excluded = []
    for p in pts:
        bent = bent_neurons(net, p)
        if bent:
            excluded.append((p, bent))
            continue
        used.append(p)
        rows.extend(parameter_jacobian(net, p))
    return rows, used, excluded


def _random_point(rng: _random.Random, d: int, radius: int) -> Point:
    return tuple(Fraction(rng.randint(-radius * 64, radius * 64), rng.randint(1, 64)) for _ in range(d))


def _scale(net: Network) -> int:
    mags = [abs(v) for v in net.parameters() if v]
    if not mags:
        return 1
    return int(max(mags) / min(mags)) + 1


def _sampling(net: Network, *, seed: int, batch: int, patience: int, max_points: int,
              progress: Callable[[int, int], None] | None = None) -> FunctionalDimension:
    rng = _random.Random(seed)
    d = net.input_dim
    ub = upper_bound(net)
    seen: set[tuple[tuple[int, ...], ...]] = set()
    rows: list[Row] = []
    pts: list[Point] = []
    best, stale, tried = 0, 0, 0
    radii = [1, _scale(net), 4 * _scale(net)]
    while tried < max_points and stale < patience and best < ub:
        for _ in range(batch):
            tried += 1
            x = _random_point(rng, d, radii[tried % len(radii)])
            if bent_neurons(net, x):
                continue
            pat = net.pattern(x)
            if pat in seen:
                continue
            seen.add(pat)
            rows.extend(pattern_jacobian(net, pat))
            pts.extend(region_basis_points(net, x))
        new = _flint.rank_mod_p(rows) if rows else 0
        stale = stale + 1 if new <= best else 0
        best = max(best, new)
        if progress is not None:
            progress(best, ub)
    notes = [f"{tried} random points tried, {len(seen)} distinct regions met"]
    return _result(net, rows, method="sampling", points=pts, regions=len(seen), notes=notes)


def functional_dimension(net: Network, points: Iterable[Sequence[object]] | None = None, *, method: str = "auto",
                         max_regions: int = MAX_REGIONS, seed: int = 0, batch: int = 16, patience: int = 3,
                         max_points: int = 20_000,
                         progress: Callable[[int, int], None] | None = None) -> FunctionalDimension:
    """The functional dimension ``dim_fun(θ)`` (MATH.md §1, E1), exact and certified.

    Parameters
    ----------
    net : the network θ.
    points : a batch ``X``; if given, this is :func:`batch_functional_dimension`.
    method : ``"auto"`` (regions, falling back to sampling when there are more than ``max_regions`` regions;
        ``"structured"`` above :data:`LARGE_NETWORK` parameters), ``"regions"`` (exact; raises
        :class:`~exactrelu.core.errors.RegionLimitError` beyond ``max_regions``), ``"sampling"`` (a certified lower
        bound,
        exact when it reaches the upper bound) or ``"structured"`` (:func:`structured_functional_dimension`, for
        large networks).
    seed, batch, patience, max_points : the sampler: ``batch`` random rational points per round, stop after
        ``patience`` rounds without growth of the rank, or at the upper bound.

    Examples
    --------
    >>> from exactrelu import examples
    >>> r = functional_dimension(examples.chain("ramp_down"), method="sampling")
    >>> r.rank, r.upper_bound, r.exact, r.certified_by
    (4, 4, True, 'modular')
    """
    if points is not None:
        return batch_functional_dimension(net, points)
    if method not in ("auto", "regions", "sampling", "structured"):
        raise ValueError(f"unknown method {method!r}: choose 'auto', 'regions', 'sampling' or 'structured'")
    if method == "structured" or (method == "auto" and net.num_parameters > LARGE_NETWORK):
        return structured_functional_dimension(net, seed=seed)
    if method in ("auto", "regions"):
        try:
            pts, nreg, notes = _region_points(net, max_regions)
        except RegionLimitError:
            if method == "regions":
                raise
        else:
            rows, used, excluded = _rows_at(net, pts)
            if excluded:
                notes.append("some region points have a vanishing pre-activation (z ≡ 0 on an open set): "
                             "the realization is not differentiable there; those points are excluded")
            return _result(net, rows, method="regions", points=used, excluded=excluded, regions=nreg,
                           complete=True, notes=notes)
    return _sampling(net, seed=seed, batch=batch, patience=patience, max_points=max_points, progress=progress)


# ---------------------------------------------------------------------- architecture: max over random θ (on Dask)
@dataclass(frozen=True)
class ArchitectureFunctionalDimension:
    """``max_θ dim_fun(θ)`` over seeded random rational θ, with the distribution of ranks (MATH.md E2)."""

    architecture: tuple[int, ...]
    trials: int
    seed: int
    maximum: int
    upper_bound: int
    ranks: tuple[int, ...]
    all_exact: bool
    methods: tuple[str, ...] = ()

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
    (``random_network(arch, seed=seed + t)``), with the distribution of ranks (MATH.md E2).

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
    ranks = tuple(int(r["rank"]) for r in results)
    D = num_parameters(arch)
    return ArchitectureFunctionalDimension(
        architecture=arch, trials=trials, seed=seed, maximum=max(ranks), upper_bound=D - sum(arch[1:-1]),
        ranks=ranks, all_exact=all(r["exact"] for r in results), methods=tuple(r["method"] for r in results))


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


# ---------------------------------------------------------------------- demo report section
def report_section(net: Network, outdir: Path) -> Any:
    """Report section (``exactrelu demo``): dim_fun with its certification path, the fiber's tangent space split into
    scaling and hidden directions, and the identifiability verdict with its mechanisms."""
    from exactrelu.cli.report import ReportSection
    from exactrelu.theory.dimension.identifiability import identifiability

    r = functional_dimension(net, max_regions=500)
    ident = identifiability(net, max_regions=500)
    names = net.parameter_names()
    path = {"modular": "the rank modulo p = 2^61 - 1 reached the upper bound, which proves it (no rational "
                       "elimination needed)",
            "rational": f"the rank modulo p = 2^61 - 1 was {r.modular_rank} < {r.upper_bound}, so the exact rank "
                        "over Q was computed",
            "empty": "no usable point"}[r.certified_by]
    where = (f"{len(r.points)} points: d+1 affinely independent interior points of each of the {r.regions} "
             "activation regions (exact, MATH.md E1)" if r.method == "regions" else
             f"{len(r.points)} random rational points ({'exact' if r.exact else 'a certified lower bound'})")
    lines = [f"**dim_fun(θ) = {r.rank}** with D = {r.parameters}, N_h = {r.hidden_neurons}, "
             f"bound D - N_h = {r.upper_bound}{' (attained)' if r.rank == r.upper_bound else ''}.", "",
             f"* Jacobian of θ -> f_θ(x) at {where}.",
             f"* Certification: {path}.",
             f"* Fiber tangent space: dimension {ident.fiber_dimension} = {len(ident.tangent.scaling)} scaling + "
             f"{ident.hidden_dimension} hidden direction(s).",
             f"* Locally identifiable: **{ident.locally_identifiable}**; globally identifiable: "
             f"**{ident.globally_identifiable}** — {ident.reason}."]
    for v in ident.tangent.hidden:
        terms = " ".join(f"{'+' if c > 0 else '-'} {abs(c)}·∂/∂{n}" for c, n in zip(v, names) if c)
        lines.append(f"* Hidden direction: {terms.lstrip('+ ')}")
    for m in ident.mechanisms:
        lines.append(f"* Mechanism: {m.kind} at neurons {list(m.neurons)} — {m.description}.")
    data = {**r.to_dict(with_points=False), "identifiability": {
        "locally_identifiable": ident.locally_identifiable, "globally_identifiable": ident.globally_identifiable,
        "fiber_dimension": ident.fiber_dimension, "hidden_directions": [[format_rational(c) for c in v]
                                                                        for v in ident.tangent.hidden],
        "mechanisms": [m.kind for m in ident.mechanisms]}}
    return ReportSection("functional_dimension", "Functional dimension and identifiability", "\n".join(lines), data)


# ---------------------------------------------------------------------- large networks: the layered block structure
#: A prime below 2^26: products of two residues stay below 2^52 and sums of up to 2^11 of them fit in int64.
STRUCTURED_PRIME = 67_108_859


def _mod(v: Fraction, p: int) -> int:
    if v.denominator % p == 0:
        raise ArithmeticError(f"denominator divisible by the prime {p}")
    return v.numerator * pow(v.denominator, -1, p) % p


def _rank_mod_p_numpy(A: Any, p: int) -> int:
    """Rank over Z/p of an int64 array with entries in [0, p) (Gaussian elimination; p < 2^26)."""
    import numpy as np

    A = A.copy()
    rows, cols = A.shape
    r = 0
    for c in range(cols):
        if r == rows:
            break
        nz = np.nonzero(A[r:, c])[0]
        if nz.size == 0:
            continue
        piv = r + int(nz[0])
        if piv != r:
            A[[r, piv]] = A[[piv, r]]
        A[r] = A[r] * pow(int(A[r, c]), -1, p) % p
        below = A[r + 1:, c].copy()
        mask = below != 0
        if mask.any():
            idx = np.nonzero(mask)[0] + r + 1
            A[idx] = (A[idx] - np.outer(A[idx, c], A[r]) % p) % p
        r += 1
    return r


def structured_rank(net: Network, patterns: Sequence[Sequence[Sequence[int]]], *, p: int = STRUCTURED_PRIME,
                    seed: int = 0) -> tuple[int, int]:
    """A certified lower bound for the rank of the stacked pattern Jacobians, using their layered block structure.

    Group the first-layer parameters by input coordinate ``j`` (``W1_{:,j}``, and ``b1`` for ``j = d``): the row
    ``(s, k, j)`` of :func:`~exactrelu.theory.dimension.jacobian.pattern_jacobian` meets only group ``j``, with the
    entries
    ``G^(1)_s[k, :]`` — the **same** matrix ``B`` (rows ``(s, k)``) for every ``j``.  So the stacked Jacobian is
    ``[diag(B, ..., B) | C]`` up to a column permutation, and with ``Q`` a basis of the left kernel of ``B``

        rank J = (d + 1) rank B + rank [Q C_0; ...; Q C_d].

    ``rank B`` and ``Q`` are exact (over Q, ``B`` is small: ``|patterns| m x n_1``); the second rank is bounded below by
    the rank modulo ``p`` of a random compression ``Σ_j R_j Q C_j`` (``rank(R Z) <= rank Z``; ``rank_p <= rank_Q``).
    Returns ``(lower bound, rank B)``.  Cost: ``O(d)`` small products instead of a dense ``D x D`` elimination.

    >>> from exactrelu import random_network
    >>> net = random_network((6, 3, 2), seed=1)
    >>> pats = [net.pattern(x) for x in ([1] * 6, [-1] * 6, [1, -1] * 3, [2, 0, 0, 0, 0, -3])]
    >>> structured_rank(net, pats)[0] == _flint.rank([r for s in set(pats) for r in pattern_jacobian(net, s)])
    True
    """
    import numpy as np

    pats = list(dict.fromkeys(tuple(tuple(int(v) for v in s) for s in pat) for pat in patterns))
    d, m = net.input_dim, net.output_dim
    n1 = net.layers[0].n_out
    first = n1 * (d + 1)
    D = net.num_parameters
    Ddeep = D - first
    masks = [tuple(tuple(v > 0 for v in s) for s in pat) for pat in pats]
    from exactrelu.theory.dimension.jacobian import _backprop

    Gs = [_backprop(net, mk) for mk in masks]
    B = [row for G in Gs for row in G[0]]  # rows (s, k), n1 columns
    rB = _flint.rank(B) if any(any(r) for r in B) else 0
    Q = _flint.nullspace([list(col) for col in zip(*B)]) if rB < len(B) else []
    if Ddeep == 0 or not Q:
        return (d + 1) * rB, rB
    Qp = np.array([[_mod(v, p) for v in q] for q in Q], dtype=np.int64)
    # affine maps M^(l)_s of the hidden layers (n_l x (d+1)), only those feeding the deep layers are needed
    Ms: list[list[Any]] = []
    for mk in masks:
        per = []
        M: list[list[Fraction]] = []  # M^(0) = [I | 0] is never materialised
        for l, layer in enumerate(net.layers[:-1]):
            newM = []
            for i, (row, b) in enumerate(zip(layer.weights, layer.biases)):
                if not mk[l][i]:
                    newM.append([Fraction(0)] * (d + 1))
                    continue
                if l == 0:  # M^(0) = [I | 0]
                    newM.append(list(row) + [b])
                    continue
                nz = [(k, w) for k, w in enumerate(row) if w]
                v = [sum((w * M[k][j] for k, w in nz), Fraction(0)) for j in range(d + 1)]
                v[d] += b
                newM.append(v)
            M = newM
            per.append(np.array([[_mod(v, p) for v in r] for r in M], dtype=np.int64))
        Ms.append(per)
    Gp = [[np.array([[_mod(v, p) for v in r] for r in G[l]], dtype=np.int64) for l in range(len(G))] for G in Gs]
    rng = np.random.default_rng(seed)
    S = len(pats)
    if S * m >= 2048:
        raise ValueError(f"structured_rank handles fewer than 2048 rows (s, k); got {S * m}: use fewer patterns")
    K = min(Ddeep, Qp.shape[0] * (d + 1)) + 4
    acc = np.zeros((K, Ddeep), dtype=np.int64)
    for j in range(d + 1):
        # C_j: rows (s, k), deep columns in canonical order
        Cj = np.zeros((S * m, Ddeep), dtype=np.int64)
        for si in range(S):
            pos = 0
            for l in range(1, len(net.layers)):
                layer = net.layers[l]
                n_out, n_in = layer.n_out, layer.n_in
                G = Gp[si][l]                      # m x n_out
                mcol = Ms[si][l - 1][:, j]         # n_in
                Cj[si * m:(si + 1) * m, pos:pos + n_out * n_in] = (G[:, :, None] * mcol[None, None, :]
                                                                   % p).reshape(m, n_out * n_in)
                pos += n_out * n_in
                if j == d:
                    Cj[si * m:(si + 1) * m, pos:pos + n_out] = G
                pos += n_out
        QC = Qp @ Cj % p                            # sums of S*m < 2^11 products < 2^52
        R = rng.integers(0, p, size=(K, QC.shape[0]), dtype=np.int64)
        for start in range(0, QC.shape[0], 1024):
            acc = (acc + R[:, start:start + 1024] @ QC[start:start + 1024] % p) % p
    return (d + 1) * rB + _rank_mod_p_numpy(acc, p), rB


def structured_functional_dimension(net: Network, *, seed: int = 0, start: int | None = None,
                                   max_patterns: int = 160) -> FunctionalDimension:
    """Functional dimension of a large network by random rational points and :func:`structured_rank`.

    Each random point off the bent hyperplanes stands for its whole region (its pattern Jacobian, i.e. ``d+1``
    affinely independent points of the region, which :func:`region_basis_points` constructs exactly).  The number of
    distinct patterns doubles until the certified lower bound reaches ``D - N_h`` (then ``exact`` is True and
    ``certified_by = "modular-structured"``) or ``max_patterns`` is reached (then the result is a lower bound).
    ``points`` lists one point per region used.

    >>> from exactrelu import random_network
    >>> r = structured_functional_dimension(random_network((20, 4, 3), seed=2))
    >>> r.rank, r.upper_bound, r.exact, r.certified_by
    (95, 95, True, 'modular-structured')
    """
    rng = _random.Random(seed)
    ub = upper_bound(net)
    d, m = net.input_dim, net.output_dim
    want = start or max(2, -(-net.layers[0].n_out // m) + 2)
    pats: dict[tuple[tuple[int, ...], ...], Point] = {}
    tried = 0
    best = 0
    radius = _scale(net)
    while True:
        while len(pats) < want and tried < 50 * want:
            tried += 1
            x = _random_point(rng, d, radius if tried % 2 else 1)
            z = net.preactivations(x)[:-1]
            if any(v == 0 for layer in z for v in layer):
                continue
            pats.setdefault(tuple(tuple(1 if v > 0 else -1 for v in layer) for layer in z), x)
        best, _ = structured_rank(net, list(pats), seed=seed)
        if best >= ub or want >= max_patterns or len(pats) < want:
            break
        want = min(2 * want, max_patterns, 2047 // m)
    notes = [f"{tried} random points, {len(pats)} distinct regions; each region counts with d+1 affinely "
             "independent points (region_basis_points)"]
    return FunctionalDimension(rank=best, upper_bound=ub, parameters=net.num_parameters,
                               hidden_neurons=net.num_hidden, certified_by="modular-structured", method="sampling",
                               exact=best == ub, points=tuple(pats.values()), regions=len(pats), modular_rank=best,
                               notes=tuple(notes))
