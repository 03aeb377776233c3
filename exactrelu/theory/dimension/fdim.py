"""Functional dimension, exact and certified (MATH.md §1, §2.E1–E3, §3, §7 rows 1–4).

``dim_fun(θ)`` is the supremum over finite batches ``Z`` of ``rank J_{F_Z}(θ)``, the rank of the Jacobian of
``θ' -> (f_θ'(z))_{z∈Z}``, over the batches at which this map is differentiable at θ.  It is at most ``D - N_h``
because the positive rescalings of the hidden neurons are in the kernel (more precisely at most
``D - dim span(scaling generators)``, which equals ``D - N_h`` as soon as every hidden neuron has a nonzero
parameter).

**Where the Jacobian does not exist.**  On an activation region where a pre-activation is identically 0 (a 0 in the
region's sign vector, e.g. a bias 0 fed by a dead layer, MATH.md §3) the map ``θ -> f_θ(x)`` is differentiable at θ
iff no such neuron reaches the output (:func:`~exactrelu.theory.dimension.jacobian.nondifferentiable_neurons`).  When it is
differentiable, the region's rows are used like any other region's.  When it is not, the region has no Jacobian:
the result lists it in ``nondifferentiable`` (its sign vector, an interior point and the neurons responsible) and
``rank`` is **None** (no number is claimed); ``differentiable_rank`` is the rank over the other regions.  No region
is ever dropped silently.

How this module computes it:

* **regions** (default when the activation regions can be enumerated, MATH.md E1): every region of ``C_θ``
  (``exactrelu.geometry.regions``) contributes the Jacobian of ``θ -> (A_R, c_R)`` (:func:`~exactrelu.theory.dimension.jacobian.pattern_jacobian`,
  the span of the rows at ``d+1`` affinely independent points of ``R``).  The answer is ``dim_fun(θ)`` exactly, no
  sampling luck.
* **sampling** (too many regions): random rational points; each one in the interior of a region contributes that
  whole region, until the rank stops growing.  The result is a certified **lower bound**, and exact when it reaches
  the upper bound.
* **points**: a user batch ``X`` (:func:`batch_functional_dimension`); points where the map is not differentiable are
  reported in ``nondifferentiable`` with the neurons responsible, never silently dropped.

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
>>> r.rank, r.differentiable_rank, [str(p.point[0]) for p in r.nondifferentiable]
(None, 1, ['0'])
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
from exactrelu.theory.dimension.jacobian import (
    nondifferentiable_neurons,
    parameter_jacobian,
    pattern_jacobian,
    region_sign_vector,
    scaling_generators,
    sensitivities,
)

__all__ = [
    "FunctionalDimension",
    "NondifferentiablePoint",
    "JacobianRows",
    "ArchitectureFunctionalDimension",
    "functional_dimension",
    "batch_functional_dimension",
    "architecture_functional_dimension",
    "region_jacobian",
    "points_jacobian",
    "as_point",
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
Neuron = tuple[int, int]
SignVector = tuple[tuple[int, ...], ...]

#: Default cap on the number of regions enumerated before falling back to sampling.
MAX_REGIONS = 2000
#: Above this many parameters ``method="auto"`` skips region enumeration and uses the structured sampler.
LARGE_NETWORK = 1500


def _fmt_point(p: Sequence[Fraction]) -> str:
    return "(" + ", ".join(format_rational(v) for v in p) + ")"


def _fmt_neurons(ns: Sequence[Neuron]) -> str:
    return ", ".join(f"({l},{i})" for l, i in ns)


@dataclass(frozen=True)
class NondifferentiablePoint:
    """A point (for a region: one interior point) at which ``θ -> f_θ(x)`` is not differentiable at θ.

    ``neurons``: the vanishing neurons that reach the output (1-based ``(layer, index)``,
    :func:`~exactrelu.theory.dimension.jacobian.nondifferentiable_neurons`); ``sign_vector``: the ternary sign vector of the region
    (None for a batch point on a bent hyperplane between regions).
    """

    point: Point
    neurons: tuple[Neuron, ...]
    sign_vector: SignVector | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"point": [format_rational(v) for v in self.point], "neurons": [list(n) for n in self.neurons],
                "sign_vector": None if self.sign_vector is None else [list(s) for s in self.sign_vector]}

    def __str__(self) -> str:
        where = "region " + str([list(s) for s in self.sign_vector]) if self.sign_vector is not None else "point"
        return f"{where} at {_fmt_point(self.point)}: neurons {_fmt_neurons(self.neurons)}"


@dataclass(frozen=True)
class JacobianRows:
    """The exact Jacobian rows of ``θ -> f_θ`` over a set of regions or points (:func:`region_jacobian`).

    ``rows``: the rows (``D`` Fractions each) of every region / point where the map is differentiable;
    ``points``: the points they stand for (``d+1`` affinely independent points per region); ``nondifferentiable``:
    where the Jacobian does not exist; ``vanishing``: regions with an identically zero pre-activation that does not
    reach the output (their rows are included); ``regions``: the number of regions examined (None for a batch);
    ``complete``: every region of ``C_θ`` was examined.
    """

    rows: tuple[Row, ...]
    points: tuple[Point, ...]
    nondifferentiable: tuple[NondifferentiablePoint, ...] = ()
    vanishing: tuple[NondifferentiablePoint, ...] = ()
    regions: int | None = None
    complete: bool = False


@dataclass(frozen=True)
class FunctionalDimension:
    """The rank of an exact parameter Jacobian, with its certificate.

    Attributes
    ----------
    rank : the exact rank over Q of the stacked Jacobian, or **None** when the map ``θ -> f_θ(x)`` is not
        differentiable on some region (or batch point) listed in ``nondifferentiable``: there no number is claimed.
    differentiable_rank : the rank over the regions / points where the map is differentiable (= ``rank`` when
        ``nondifferentiable`` is empty).
    upper_bound : ``D - dim span(scaling generators)`` (= ``D - N_h`` when no hidden neuron is all-zero).
    parameters, hidden_neurons : ``D`` and ``N_h``.
    certified_by : ``"modular"`` (rank mod p reached the upper bound / the matrix size: proved without rational
        elimination) or ``"rational"`` (exact rank over Q); ``"empty"`` when there is no row.
    method : ``"regions"``, ``"sampling"`` or ``"points"``.
    exact : True when ``rank`` is ``dim_fun(θ)`` itself (regions method with every region's rows in it, or any method
        reaching the upper bound); otherwise ``rank`` is a certified lower bound of ``dim_fun(θ)``, or None.
    points : the rational points used (the map is differentiable at each of them).
    nondifferentiable : regions (one interior point each) or batch points where the map is not differentiable.
    vanishing : regions / points with an identically zero pre-activation that does not reach the output (used).
    regions : number of regions used (regions method) or distinct regions met (sampling), else None.
    modular_rank : the rank modulo ``2^61 - 1``.
    """

    rank: int | None
    upper_bound: int
    parameters: int
    hidden_neurons: int
    certified_by: str
    method: str
    exact: bool
    points: tuple[Point, ...] = field(default=(), repr=False)
    nondifferentiable: tuple[NondifferentiablePoint, ...] = ()
    regions: int | None = None
    modular_rank: int = 0
    notes: tuple[str, ...] = field(default=())
    differentiable_rank: int = 0
    vanishing: tuple[NondifferentiablePoint, ...] = field(default=(), repr=False)

    @property
    def functional_dimension(self) -> int | None:
        """Alias of :attr:`rank`."""
        return self.rank

    @property
    def differentiable(self) -> bool:
        """True when the Jacobian exists at every region / point examined."""
        return not self.nondifferentiable

    @property
    def excluded(self) -> tuple[tuple[Point, tuple[Neuron, ...]], ...]:
        """``(point, neurons)`` of :attr:`nondifferentiable` (the points left out of the rank)."""
        return tuple((p.point, p.neurons) for p in self.nondifferentiable)

    @property
    def is_lower_bound(self) -> bool:
        """True when :attr:`rank` is only a certified lower bound of ``dim_fun(θ)``."""
        return self.rank is not None and not self.exact

    @property
    def attains_bound(self) -> bool:
        return self.rank == self.upper_bound

    def __repr__(self) -> str:
        extra = f", nondifferentiable={len(self.nondifferentiable)}" if self.nondifferentiable else ""
        return (f"FunctionalDimension(rank={self.rank}, upper_bound={self.upper_bound}, exact={self.exact}, "
                f"method={self.method!r}, certified_by={self.certified_by!r}, points={len(self.points)}"
                f"{extra})")

    def __str__(self) -> str:
        head = (f"D = {self.parameters}, N_h = {self.hidden_neurons}, bound {self.upper_bound}; method "
                f"{self.method}, {len(self.points)} points"
                + (f", {self.regions} regions" if self.regions is not None else ""))
        if self.rank is None:
            lines = [f"dim_fun not defined: θ -> f_θ(x) is not differentiable at θ on {len(self.nondifferentiable)} "
                     f"region(s)/point(s); rank over the others = {self.differentiable_rank} ({head})"]
            lines += [f"  not differentiable: {p}" for p in self.nondifferentiable[:10]]
            if len(self.nondifferentiable) > 10:
                lines.append(f"  ... {len(self.nondifferentiable) - 10} more")
        else:
            what = "dim_fun" if self.exact else "lower bound of dim_fun"
            lines = [f"{what} = {self.rank} ({head}; certified by {self.certified_by} rank)"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self, *, with_points: bool = True) -> dict[str, Any]:
        """JSON-able summary (exact rationals as strings)."""
        out: dict[str, Any] = {
            "functional_dimension": self.rank,
            "differentiable": self.differentiable,
            "differentiable_rank": self.differentiable_rank,
            "parameters": self.parameters,
            "hidden_neurons": self.hidden_neurons,
            "upper_bound": self.upper_bound,
            "certified_by": self.certified_by,
            "method": self.method,
            "exact": self.exact,
            "lower_bound_only": self.is_lower_bound,
            "modular_rank": self.modular_rank,
            "regions": self.regions,
            "num_points": len(self.points),
            "nondifferentiable": [p.to_dict() for p in self.nondifferentiable],
            "vanishing_but_differentiable": [p.to_dict() for p in self.vanishing],
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


def _result(net: Network, jac: JacobianRows, *, method: str, notes: Sequence[str] = ()) -> FunctionalDimension:
    ub = upper_bound(net)
    rk, how, mp = certified_rank(list(jac.rows), ub)
    notes = list(notes)
    if jac.vanishing:
        notes.append(f"{len(jac.vanishing)} region(s)/point(s) with an identically zero pre-activation that does not "
                     "reach the output: θ -> f_θ(x) is differentiable there, rows included")
    if jac.nondifferentiable:
        notes.append(f"θ -> f_θ(x) is not differentiable at θ on {len(jac.nondifferentiable)} region(s)/point(s) (a "
                     "vanishing pre-activation that reaches the output, MATH.md §3): no Jacobian there, so no rank is "
                     f"claimed; the rank over the other rows is {rk}")
    rank = None if jac.nondifferentiable else rk
    return FunctionalDimension(rank=rank, upper_bound=ub, parameters=net.num_parameters,
                               hidden_neurons=net.num_hidden, certified_by=how, method=method,
                               exact=rank is not None and (jac.complete or rank == ub), points=jac.points,
                               nondifferentiable=jac.nondifferentiable, regions=jac.regions, modular_rank=mp,
                               notes=tuple(notes), differentiable_rank=rk, vanishing=jac.vanishing)


def as_point(net: Network, x: Sequence[object]) -> Point:
    """``x`` as a tuple of exact rationals of length ``d`` (:class:`~exactrelu.core.errors.ShapeError` otherwise).

    >>> from exactrelu import examples
    >>> as_point(examples.relu_of_sum(), ["1/2", 3])
    (Fraction(1, 2), Fraction(3, 1))
    """
    try:
        p = tuple(as_rational(v) for v in x)
    except TypeError:
        raise ShapeError("each point must be a sequence of rationals") from None
    if len(p) != net.input_dim:
        raise ShapeError(f"network expects {net.input_dim} inputs, got a point with {len(p)}")
    return p


def points_jacobian(net: Network, points: Iterable[Sequence[object]]) -> JacobianRows:
    """The Jacobian rows at a batch of points; the points where ``θ -> f_θ(x)`` is not differentiable are listed.

    >>> from exactrelu import examples
    >>> J = points_jacobian(examples.chain("ramp_down"), [[0], [2]])
    >>> len(J.rows), [str(p.point[0]) for p in J.nondifferentiable], J.nondifferentiable[0].neurons
    (1, ['0'], ((1, 1),))
    """
    rows: list[Row] = []
    used: list[Point] = []
    nondiff: list[NondifferentiablePoint] = []
    vanishing: list[NondifferentiablePoint] = []
    for p in (as_point(net, x) for x in points):
        blocking = nondifferentiable_neurons(net, p)
        if blocking:
            nondiff.append(NondifferentiablePoint(p, blocking, region_sign_vector(net, p)))
            continue
        bent = tuple((l + 1, i + 1) for l, z in enumerate(net.preactivations(p)[:-1]) for i, v in enumerate(z)
                     if v == 0)
        if bent:
            vanishing.append(NondifferentiablePoint(p, bent, region_sign_vector(net, p)))
        used.append(p)
        rows.extend(parameter_jacobian(net, p))
    return JacobianRows(tuple(rows), tuple(used), tuple(nondiff), tuple(vanishing))


def batch_functional_dimension(net: Network, points: Iterable[Sequence[object]]) -> FunctionalDimension:
    """Batch functional dimension ``rank J_{F_X}(θ)`` for a user data set ``X`` (MATH.md §1, E3).

    Points where ``θ -> f_θ(x)`` is not differentiable are listed in ``nondifferentiable`` with the neurons
    responsible, and then ``rank`` is None (``J_{F_X}`` does not exist; ``differentiable_rank`` is the rank at the
    other points).  Points on bent hyperplanes of neurons that do not reach the output are used.  ``exact`` is True
    only if the rank reaches the upper bound (then ``θ`` is locally identifiable from ``f_θ|_X`` modulo scaling,
    MATH.md E3).

    >>> from exactrelu import examples
    >>> r = batch_functional_dimension(examples.relu_of_sum(), [[2, 2], [-1, -1]])
    >>> r.rank, r.exact
    (2, False)
    """
    return _result(net, points_jacobian(net, points), method="points")


def region_basis_points(net: Network, x: Sequence[object]) -> tuple[Point, ...]:
    """``d+1`` affinely independent points ``x, x + δ e_1, ..., x + δ e_d`` of the open region of ``x``.

    ``δ > 0`` is chosen exactly so that no pre-activation changes sign: on the region every ``z^(l)_i`` is affine,
    ``z(x + δ e_j) = z(x) + δ g_j``, and ``δ = min |z(x)| / (2 max |g|)`` (over the nonzero ``z(x)``; the
    pre-activations that vanish identically near ``x`` stay 0) keeps every sign.

    >>> from exactrelu import examples
    >>> region_basis_points(examples.relu_of_sum(), [2, 2])
    ((Fraction(2, 1), Fraction(2, 1)), (Fraction(3, 1), Fraction(2, 1)), (Fraction(2, 1), Fraction(3, 1)))
    """
    p = as_point(net, x)
    pattern = region_sign_vector(net, p)
    if pattern is None:
        raise NotApplicableError(f"x = {p} lies on a bent hyperplane; it has no open region")
    d = net.input_dim
    zs = [v for z in net.preactivations(p)[:-1] for v in z if v]
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


def _region_entry(net: Network, sv: SignVector, point: Point, rows: list[Row],
                  nondiff: list[NondifferentiablePoint], vanishing: list[NondifferentiablePoint]) -> bool:
    """Add the region of sign vector ``sv`` (interior point ``point``); False when it has no Jacobian."""
    zero = tuple((l + 1, i + 1) for l, s in enumerate(sv) for i, v in enumerate(s) if v == 0)
    if zero:
        blocking = nondifferentiable_neurons(net, point)
        if blocking:
            nondiff.append(NondifferentiablePoint(point, blocking, sv))
            return False
        vanishing.append(NondifferentiablePoint(point, zero, sv))
    rows.extend(pattern_jacobian(net, sv))
    return True


def region_jacobian(net: Network, max_regions: int = MAX_REGIONS) -> JacobianRows:
    """The Jacobian of ``θ -> (A_R, c_R)_R`` over every region ``R`` of ``C_θ`` (MATH.md E1), exact.

    Each region where ``θ -> f_θ(x)`` is differentiable contributes its :func:`~exactrelu.theory.dimension.jacobian.pattern_jacobian`
    (the span of the rows at ``d+1`` affinely independent points of ``R``, which are returned as ``points``); the
    others are listed in ``nondifferentiable``.  Raises :class:`~exactrelu.core.errors.RegionLimitError` beyond
    ``max_regions`` regions.

    >>> from exactrelu import Network
    >>> J = region_jacobian(Network.from_lists([([[-1]], [0]), ([[1]], [0]), ([[1]], [0])]))   # relu(relu(-x))
    >>> J.regions, len(J.rows), [str(p) for p in J.nondifferentiable]
    (2, 2, ['region [[-1], [0]] at (1): neurons (2,1)'])
    """
    from exactrelu.geometry.regions import regions

    cx = regions(net, max_regions=max_regions)
    rows: list[Row] = []
    pts: list[Point] = []
    nondiff: list[NondifferentiablePoint] = []
    vanishing: list[NondifferentiablePoint] = []
    for R in cx.regions:
        p = tuple(Fraction(v) for v in R.interior_point)
        if _region_entry(net, tuple(tuple(s) for s in R.pattern), p, rows, nondiff, vanishing):
            pts.extend(tuple(Fraction(v) for v in q) for q in R.affine_basis_points())
    return JacobianRows(tuple(rows), tuple(pts), tuple(nondiff), tuple(vanishing), len(cx.regions), complete=True)


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
    seen: set[SignVector] = set()
    rows: list[Row] = []
    pts: list[Point] = []
    nondiff: list[NondifferentiablePoint] = []
    vanishing: list[NondifferentiablePoint] = []
    best, stale, tried = 0, 0, 0
    radii = [1, _scale(net), 4 * _scale(net)]
    while tried < max_points and stale < patience and best < ub:
        for _ in range(batch):
            tried += 1
            x = _random_point(rng, d, radii[tried % len(radii)])
            sv = region_sign_vector(net, x)
            if sv is None or sv in seen:     # on a bent hyperplane between regions, or a region already used
                continue
            seen.add(sv)
            if _region_entry(net, sv, x, rows, nondiff, vanishing):
                pts.extend(region_basis_points(net, x))
        new = _flint.rank_mod_p(rows) if rows else 0
        stale = stale + 1 if new <= best else 0
        best = max(best, new)
        if progress is not None:
            progress(best, ub)
    notes = [f"{tried} random points tried, {len(seen)} distinct regions met; regions never met are not examined"]
    jac = JacobianRows(tuple(rows), tuple(pts), tuple(nondiff), tuple(vanishing), len(seen))
    return _result(net, jac, method="sampling", notes=notes)


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
            return _result(net, jac, method="regions")
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
    #: trials whose θ has a region without Jacobian in θ (no rank, MATH.md §3); not in ``ranks``
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


# ---------------------------------------------------------------------- demo report section
def report_section(net: Network, outdir: Path) -> Any:
    """Report section (``exactrelu demo``): dim_fun with its certification path, the fiber's tangent space split into
    scaling and hidden directions, and the identifiability verdict with its mechanisms."""
    from exactrelu.cli.report import ReportSection
    from exactrelu.theory.dimension.identifiability import identifiability

    r = functional_dimension(net, max_regions=500)
    ident = identifiability(net, max_regions=500)
    if r.rank is None:
        nd = "; ".join(str(p) for p in r.nondifferentiable[:5])
        text = (f"**dim_fun(θ) is not defined**: θ ↦ f_θ(x) is not differentiable at θ on "
                f"{len(r.nondifferentiable)} region(s) ({nd}); the rank over the other regions is "
                f"{r.differentiable_rank} (D = {r.parameters}, bound {r.upper_bound}).")
        return ReportSection("functional_dimension", "Functional dimension and identifiability", text,
                             r.to_dict(with_points=False))
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
             f"* Jacobian kernel (first-order tangent directions of the fiber): dimension {ident.kernel_dimension} = "
             f"{len(ident.tangent.scaling)} scaling + {ident.hidden_dimension} hidden direction(s).",
             f"* Locally identifiable: **{ident.locally_identifiable}** — {ident.local_reason}.",
             f"* Globally identifiable: **{ident.globally_identifiable}** — {ident.reason}."]
    for v in ident.tangent.hidden:
        terms = " ".join(f"{'+' if c > 0 else '-'} {abs(c)}·∂/∂{n}" for c, n in zip(v, names) if c)
        lines.append(f"* Hidden direction: {terms.lstrip('+ ')}")
    for m in ident.mechanisms:
        lines.append(f"* Mechanism: {m.kind} at neurons {list(m.neurons)} — {m.description}.")
    data = {**r.to_dict(with_points=False), "identifiability": {
        "locally_identifiable": ident.locally_identifiable, "globally_identifiable": ident.globally_identifiable,
        "fiber_dimension": ident.fiber_dimension, "kernel_dimension": ident.kernel_dimension,
        "witness": None if ident.witness is None else ident.witness.to_lists(), "hidden_directions": [[format_rational(c) for c in v]
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
    Gs = [sensitivities(net, mk) for mk in masks]
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
    pats: dict[SignVector, Point] = {}
    nondiff: dict[SignVector, NondifferentiablePoint] = {}
    vanishing: list[NondifferentiablePoint] = []
    tried = 0
    best = 0
    radius = _scale(net)
    while True:
        while len(pats) < want and tried < 50 * want:
            tried += 1
            x = _random_point(rng, d, radius if tried % 2 else 1)
            sv = region_sign_vector(net, x)
            if sv is None or sv in pats or sv in nondiff:
                continue
            zero = tuple((l + 1, i + 1) for l, s in enumerate(sv) for i, v in enumerate(s) if v == 0)
            if zero:
                blocking = nondifferentiable_neurons(net, x)
                if blocking:
                    nondiff[sv] = NondifferentiablePoint(x, blocking, sv)
                    continue
                vanishing.append(NondifferentiablePoint(x, zero, sv))
            pats[sv] = x
        best, _ = structured_rank(net, list(pats), seed=seed) if pats else (0, 0)
        if best >= ub or want >= max_patterns or len(pats) < want:
            break
        want = min(2 * want, max_patterns, 2047 // m)
    notes = [f"{tried} random points, {len(pats)} distinct regions; each region counts with d+1 affinely "
             "independent points (region_basis_points)"]
    if nondiff:
        notes.append(f"θ -> f_θ(x) is not differentiable at θ on {len(nondiff)} region(s) met (MATH.md §3): no rank "
                     "is claimed")
    rank = None if nondiff else best
    return FunctionalDimension(rank=rank, upper_bound=ub, parameters=net.num_parameters,
                               hidden_neurons=net.num_hidden, certified_by="modular-structured", method="sampling",
                               exact=rank == ub, points=tuple(pats.values()), regions=len(pats) + len(nondiff),
                               modular_rank=best, notes=tuple(notes), differentiable_rank=best,
                               nondifferentiable=tuple(nondiff.values()), vanishing=tuple(vanishing))
