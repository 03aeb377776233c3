"""Functional dimension of θ, exact and certified (docs/mathematics.md §1, §E1–§E3, §3, §7 rows 1–4).

``dim_fun(θ)`` is the supremum over finite batches ``Z`` of ``rank J_{F_Z}(θ)``, the rank of the Jacobian of
``θ' -> (f_θ'(z))_{z∈Z}``, over the batches at which this map is differentiable at θ.  It is at most ``D - N_h``
because the positive rescalings of the hidden neurons are in the kernel (more precisely at most
``D - dim span(scaling generators)``, which equals ``D - N_h`` as soon as every hidden neuron has a nonzero
parameter).

**Where the Jacobian does not exist.**  On an activation region where a pre-activation is identically 0 (a 0 in the
region's sign vector, e.g. a bias 0 fed by a dead layer, docs/mathematics.md §3) the map ``θ -> f_θ(x)`` is
differentiable at θ iff no such neuron reaches the output
(:func:`~exactrelu.theory.dimension.jacobian.nondifferentiable_neurons`).  When it is differentiable, the region's
rows are used like any other region's.  When it is not, the region has no Jacobian: the result lists it in
``nondifferentiable`` (its sign vector, an interior point and the neurons responsible) and ``rank`` is **None** (no
number is claimed); ``differentiable_rank`` is the rank over the other regions.  No region is ever dropped silently.

How this module computes it:

* **regions** (default when the activation regions can be enumerated, §E1): every region of ``C_θ``
  (:mod:`exactrelu.geometry.regions`) contributes the Jacobian of ``θ -> (A_R, c_R)``
  (:func:`~exactrelu.theory.dimension.rows.region_jacobian`), the span of the rows at ``d+1`` affinely independent
  points of ``R``.  The answer is ``dim_fun(θ)`` exactly, no sampling luck.
* **sampling** (too many regions): random rational points; each one in the interior of a region contributes that
  whole region, until the rank stops growing.  The result is a certified **lower bound**, exact when it reaches
  the upper bound.
* **structured** (large networks): :mod:`exactrelu.theory.dimension.structured`.
* **points**: a user batch ``X`` (:func:`batch_functional_dimension`); points where the map is not differentiable are
  reported in ``nondifferentiable`` with the neurons responsible, never silently dropped.

Ranks are certified as described in :mod:`exactrelu.theory.dimension.rows`.

Examples
--------
>>> from exactrelu import examples
>>> r = batch_functional_dimension(examples.chain("ramp_down"), [[-1], ["1/4"], ["1/2"], [2]])
>>> r.rank, r.upper_bound, r.certified_by
(4, 4, 'modular')
>>> r = batch_functional_dimension(examples.chain("ramp_down"), [[0], [2]])
>>> r.rank, r.differentiable_rank, [str(p.point[0]) for p in r.nondifferentiable]
(None, 1, ['0'])
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Iterable, Sequence

from exactrelu.core.errors import RegionLimitError
from exactrelu.core.network import Network
from exactrelu.engines import flintlib as _flint
from exactrelu.theory.dimension.jacobian import region_sign_vector
from exactrelu.theory.dimension.rows import (
    LARGE_NETWORK,
    MAX_REGIONS,
    FunctionalDimension,
    JacobianRows,
    NondifferentiablePoint,
    Point,
    Row,
    SignVector,
    as_point,
    certified_rank,
    parameter_scale,
    points_jacobian,
    random_point,
    region_basis_points,
    region_entry,
    region_jacobian,
    result_from_rows,
    upper_bound,
)
from exactrelu.theory.dimension.structured import structured_functional_dimension, structured_rank

__all__ = [
    "FunctionalDimension",
    "NondifferentiablePoint",
    "JacobianRows",
    "MAX_REGIONS",
    "LARGE_NETWORK",
    "functional_dimension",
    "batch_functional_dimension",
    "region_jacobian",
    "points_jacobian",
    "as_point",
    "certified_rank",
    "upper_bound",
    "region_basis_points",
    "structured_rank",
    "structured_functional_dimension",
]


def batch_functional_dimension(net: Network, points: Iterable[Sequence[object]]) -> FunctionalDimension:
    """Batch functional dimension ``rank J_{F_X}(θ)`` for a user data set ``X`` (docs/mathematics.md §1, E3).

    Points where ``θ -> f_θ(x)`` is not differentiable are listed in ``nondifferentiable`` with the neurons
    responsible, and then ``rank`` is None (``J_{F_X}`` does not exist; ``differentiable_rank`` is the rank at the
    other points).  Points on bent hyperplanes of neurons that do not reach the output are used.  ``exact`` is True
    only if the rank reaches the upper bound (then ``θ`` is locally identifiable from ``f_θ|_X`` modulo scaling,
    docs/mathematics.md §E3).

    >>> from exactrelu import examples
    >>> r = batch_functional_dimension(examples.relu_of_sum(), [[2, 2], [-1, -1]])
    >>> r.rank, r.exact
    (2, False)
    """
    return result_from_rows(net, points_jacobian(net, points), method="points")


def _sampling(net: Network, *, seed: int, batch: int, patience: int, max_points: int,
              progress: Callable[[int, int], None] | None = None) -> FunctionalDimension:
    rng = _random.Random(seed)
    d = net.input_dim
    ub = upper_bound(net)
    seen: set[SignVector] = set()
    rows: list[Row] = []
    pts: list[Point] = []
    nondiff: list[NondifferentiablePoint] = []
    vanishing: list[NondifferentiablePoint] = []
    best, stale, tried = 0, 0, 0
    radii = [1, parameter_scale(net), 4 * parameter_scale(net)]
    while tried < max_points and stale < patience and best < ub:
        for _ in range(batch):
            tried += 1
            x = random_point(rng, d, radii[tried % len(radii)])
            sv = region_sign_vector(net, x)
            if sv is None or sv in seen:     # on a bent hyperplane between regions, or a region already used
                continue
            seen.add(sv)
            e = region_entry(net, sv, x)
            if e.vanishing is not None:
                vanishing.append(e.vanishing)
            if e.rows is None:
                nondiff.append(e.nondifferentiable)
                continue
            rows.extend(e.rows)
            pts.extend(region_basis_points(net, x))
        new = _flint.rank_mod_p(rows) if rows else 0
        stale = stale + 1 if new <= best else 0
        best = max(best, new)
        if progress is not None:
            progress(best, ub)
    notes = [f"{tried} random points tried, {len(seen)} distinct regions met; regions never met are not examined"]
    jac = JacobianRows(tuple(rows), tuple(pts), tuple(nondiff), tuple(vanishing), len(seen))
    return result_from_rows(net, jac, method="sampling", notes=notes)


def functional_dimension(net: Network, points: Iterable[Sequence[object]] | None = None, *, method: str = "auto",
                         max_regions: int = MAX_REGIONS, seed: int = 0, batch: int = 16, patience: int = 3,
                         max_points: int = 20_000,
                         progress: Callable[[int, int], None] | None = None) -> FunctionalDimension:
    """The functional dimension ``dim_fun(θ)`` (docs/mathematics.md §1, E1), exact and certified.

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

    Returns
    -------
    FunctionalDimension
        ``rank`` is None when some region has no Jacobian in θ (listed in ``nondifferentiable``, module docstring).

    Examples
    --------
    >>> from exactrelu import Network, examples
    >>> r = functional_dimension(examples.chain("ramp_down"), method="sampling")
    >>> r.rank, r.upper_bound, r.exact, r.certified_by
    (4, 4, True, 'modular')
    >>> r = functional_dimension(Network.from_lists([([[0], [1]], [0, 1]), ([[0, 2]], [0])]))  # 2 relu(x + 1)
    >>> r.rank, r.exact, len(r.vanishing)          # z1 ≡ 0 everywhere, but W2_1 = 0: differentiable
    (3, True, 2)
    >>> r = functional_dimension(Network.from_lists([([[-1]], [0]), ([[1]], [0]), ([[1]], [0])]))  # relu(relu(-x))
    >>> r.rank, r.differentiable_rank, r.nondifferentiable[0].neurons
    (None, 2, ((2, 1),))
    """
    if points is not None:
        return batch_functional_dimension(net, points)
    if method not in ("auto", "regions", "sampling", "structured"):
        raise ValueError(f"unknown method {method!r}: choose 'auto', 'regions', 'sampling' or 'structured'")
    if method == "structured" or (method == "auto" and net.num_parameters > LARGE_NETWORK):
        return structured_functional_dimension(net, seed=seed)
    if method in ("auto", "regions"):
        try:
            jac = region_jacobian(net, max_regions)
        except RegionLimitError:
            if method == "regions":
                raise
        else:
            return result_from_rows(net, jac, method="regions")
    return _sampling(net, seed=seed, batch=batch, patience=patience, max_points=max_points, progress=progress)
