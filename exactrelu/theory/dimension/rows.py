"""Exact Jacobian rows of θ ↦ f_θ over regions or points, and the result type of functional dimensions.

Implements docs/mathematics.md §E1 (the rank of the Jacobian of θ ↦ (A_R, c_R)_R over every region R of C_θ) and
§3 ("identically zero pre-activation"): a region where a pre-activation vanishes identically has a Jacobian in θ iff
no such neuron reaches the output (:func:`~exactrelu.theory.dimension.jacobian.nondifferentiable_neurons`); regions
without a Jacobian are listed, never dropped.  :mod:`exactrelu.theory.dimension.fdim` builds on these rows.

Ranks: first the rank modulo the prime ``2^61 - 1`` of the integer-scaled matrix, a certified lower bound
(``rank_p <= rank_Q``); when it equals the upper bound (or the matrix size) the rank is proved (``certified_by =
"modular"``); otherwise the exact rank over Q is computed (``certified_by = "rational"``).
"""

from __future__ import annotations

import random as _random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

from exactrelu.core.errors import NotApplicableError, ShapeError
from exactrelu.core.network import Network
from exactrelu.core.rational import as_rational, format_rational
from exactrelu.engines import flintlib as _flint
from exactrelu.theory.dimension.jacobian import (
    nondifferentiable_neurons,
    parameter_jacobian,
    pattern_jacobian,
    region_sign_vector,
    scaling_generators,
)

__all__ = [
    "FunctionalDimension",
    "NondifferentiablePoint",
    "JacobianRows",
    "RegionEntry",
    "MAX_REGIONS",
    "LARGE_NETWORK",
    "as_point",
    "certified_rank",
    "upper_bound",
    "result_from_rows",
    "points_jacobian",
    "region_basis_points",
    "region_entry",
    "region_jacobian",
    "random_point",
    "parameter_scale",
]

Point = tuple[Fraction, ...]
Row = tuple[Fraction, ...]
Neuron = tuple[int, int]
SignVector = tuple[tuple[int, ...], ...]

#: Default cap on the number of regions enumerated before falling back to sampling.
MAX_REGIONS = 2000
#: Above this many parameters ``functional_dimension(method="auto")`` uses the structured sampler.
LARGE_NETWORK = 1500


def _fmt_point(p: Sequence[Fraction]) -> str:
    return "(" + ", ".join(format_rational(v) for v in p) + ")"


def _fmt_neurons(ns: Sequence[Neuron]) -> str:
    return ", ".join(f"({l},{i})" for l, i in ns)


@dataclass(frozen=True)
class NondifferentiablePoint:
    """A point (for a region: one interior point) at which ``θ -> f_θ(x)`` is not differentiable at θ.

    ``neurons``: the vanishing neurons that reach the output (1-based ``(layer, index)``,
    :func:`~exactrelu.theory.dimension.jacobian.nondifferentiable_neurons`); ``sign_vector``: the ternary sign
    vector of the region (None for a batch point on a bent hyperplane between regions).
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
    """``D - dim span(scaling generators)``: the bound ``D - N_h`` (docs/mathematics.md §1), exact for degenerate
    neurons too.

    A generator whose neuron has a nonzero bias is the only one with a nonzero bias coordinate, so it is independent
    of all the others: the rank is the number of such neurons plus the exact rank of the remaining generators
    (restricted to the columns they touch).

    >>> from exactrelu import examples
    >>> upper_bound(examples.invisible_translation())
    8
    >>> from exactrelu import Network
    >>> upper_bound(Network.from_lists([([[0], [1]], [0, 0]), ([[0, 2]], [0])]))   # one all-zero neuron
    6
    """
    private = sum(1 for layer in net.layers[:-1] for b in layer.biases if b)
    rest = [(l, i) for l, layer in enumerate(net.layers[:-1]) for i, b in enumerate(layer.biases) if not b]
    rank = private
    if rest:
        gens = scaling_generators(net)
        keep = {(l, i) for l, i in rest}
        # scaling_generators omits all-zero neurons; match the others by position
        order = [(l, i) for l, layer in enumerate(net.layers[:-1]) for i in range(layer.n_out)
                 if any(layer.weights[i]) or layer.biases[i]
                 or any(net.layers[l + 1].weights[r][i] for r in range(net.layers[l + 1].n_out))]
        sub = [g for g, key in zip(gens, order) if key in keep]
        cols = sorted({c for g in sub for c, v in enumerate(g) if v})
        if cols:
            rank += _flint.rank([[g[c] for c in cols] for g in sub])
    return net.num_parameters - rank


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


def result_from_rows(net: Network, jac: JacobianRows, *, method: str, notes: Sequence[str] = ()
                     ) -> FunctionalDimension:
    """The :class:`FunctionalDimension` of the rows ``jac`` (rank None when ``jac`` lists a region without Jacobian)."""
    ub = upper_bound(net)
    rk, how, mp = certified_rank(list(jac.rows), ub)
    notes = list(notes)
    if jac.vanishing:
        notes.append(f"{len(jac.vanishing)} region(s)/point(s) with an identically zero pre-activation that does not "
                     "reach the output: θ -> f_θ(x) is differentiable there, rows included")
    if jac.nondifferentiable:
        notes.append(f"θ -> f_θ(x) is not differentiable at θ on {len(jac.nondifferentiable)} region(s)/point(s) (a "
                     "vanishing pre-activation that reaches the output, docs/mathematics.md §3): no Jacobian there, "
                     f"so no rank is claimed; the rank over the other rows is {rk}")
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


class RegionEntry(NamedTuple):
    """What one region contributes: its rows (None without Jacobian) and its record (None for an ordinary region)."""

    rows: tuple[Row, ...] | None
    nondifferentiable: NondifferentiablePoint | None = None
    vanishing: NondifferentiablePoint | None = None


def region_entry(net: Network, sv: SignVector, point: Point) -> RegionEntry:
    """The rows of the region of sign vector ``sv`` (interior point ``point``), or why it has none.

    >>> from exactrelu import Network
    >>> e = region_entry(Network.from_lists([([[-1]], [0]), ([[1]], [0]), ([[1]], [0])]), ((-1,), (0,)), (1,))
    >>> e.rows, e.nondifferentiable.neurons
    (None, ((2, 1),))
    """
    zero = tuple((l + 1, i + 1) for l, s in enumerate(sv) for i, v in enumerate(s) if v == 0)
    if zero:
        blocking = nondifferentiable_neurons(net, point)
        if blocking:
            return RegionEntry(None, NondifferentiablePoint(point, blocking, sv))
        return RegionEntry(pattern_jacobian(net, sv), None, NondifferentiablePoint(point, zero, sv))
    return RegionEntry(pattern_jacobian(net, sv))


def region_jacobian(net: Network, max_regions: int = MAX_REGIONS) -> JacobianRows:
    """The Jacobian of ``θ -> (A_R, c_R)_R`` over every region ``R`` of ``C_θ`` (docs/mathematics.md §E1), exact.

    Each region where ``θ -> f_θ(x)`` is differentiable contributes its
    :func:`~exactrelu.theory.dimension.jacobian.pattern_jacobian` (the span of the rows at ``d+1`` affinely
    independent points of ``R``, which are returned as ``points``); the others are listed in ``nondifferentiable``.
    Raises :class:`~exactrelu.core.errors.RegionLimitError` beyond ``max_regions`` regions.

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
        e = region_entry(net, tuple(tuple(s) for s in R.pattern), p)
        if e.vanishing is not None:
            vanishing.append(e.vanishing)
        if e.rows is None:
            nondiff.append(e.nondifferentiable)
            continue
        rows.extend(e.rows)
        pts.extend(tuple(Fraction(v) for v in q) for q in R.affine_basis_points())
    return JacobianRows(tuple(rows), tuple(pts), tuple(nondiff), tuple(vanishing), len(cx.regions), complete=True)


def random_point(rng: _random.Random, d: int, radius: int) -> Point:
    """A random rational point with coordinates ``k/q``, ``|k/q| <= radius``, ``q <= 64``."""
    return tuple(Fraction(rng.randint(-radius * 64, radius * 64), rng.randint(1, 64)) for _ in range(d))


def parameter_scale(net: Network) -> int:
    """About ``1 + max|θ_k| / min|θ_k|`` over the nonzero parameters: a radius for random points (a heuristic, so
    the ratio is taken in floating point; it decides nothing)."""
    mags = [abs(v.numerator) / v.denominator for v in net.parameters() if v]
    if not mags:
        return 1
    ratio = max(mags) / min(mags)
    return int(min(ratio, 1e12)) + 1
