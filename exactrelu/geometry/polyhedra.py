"""Exact convex polyhedra in H-representation (docs/mathematics.md §1, §2.A2).

Convention, stated once for the package: a row ``(b, a1, ..., ad)`` of a :class:`Polyhedron` means the
inequality ``b + a·x >= 0`` (an *equality* row means ``b + a·x == 0``) — the cdd convention.  All entries are
:class:`fractions.Fraction`; every decision (emptiness, dimension, redundancy, interior points) is an exact LP or an
exact double description through :mod:`exactrelu.engines.cddlib` (pycddlib, GMP rationals).

Canonical form (:meth:`Polyhedron.irredundant`): implicit equalities are found and put in reduced row-echelon form;
the remaining inequalities are reduced modulo the equalities, made irredundant, scaled by a positive factor so that the
first nonzero coefficient of ``a`` is ``±1`` and sorted.  Two polyhedra are equal as sets iff their canonical forms are
equal (non-empty case).

Examples
--------
>>> from fractions import Fraction as F
>>> P = Polyhedron([(0, 1, 0), (0, 0, 1), (1, -1, -1)])      # the triangle x, y >= 0, x + y <= 1
>>> P.dimension, P.is_empty, P.bounded
(2, False, True)
>>> P.interior_point()
(Fraction(1, 3), Fraction(1, 3))
>>> sorted(P.vertices_and_rays()[0])
[(Fraction(0, 1), Fraction(0, 1)), (Fraction(0, 1), Fraction(1, 1)), (Fraction(1, 1), Fraction(0, 1))]
>>> P.intersect(Polyhedron([(0, 1, -1), (0, -1, 1)])).dimension     # the diagonal x = y inside it
1
>>> Box(-1, 1, 2).contains((1, F(-1, 2))), Orthant(2).contains((-1, 0))
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from exactrelu.core.errors import NotExactError, ShapeError
from exactrelu.core.rational import as_rational
from exactrelu.engines import cddlib as _cdd
from exactrelu.engines.flintlib import rank as _rank
from exactrelu.engines.flintlib import rref_reference

__all__ = ["Polyhedron", "Box", "Orthant", "Row", "normalize_inequality", "normalize_equality", "canonical_form",
           "rref_equalities"]

Row = tuple[Fraction, ...]
_ZERO = Fraction(0)


def _row(r: Iterable[object], where: str) -> Row:
    try:
        return tuple(as_rational(v) for v in r)
    except NotExactError:
        raise
    except TypeError:
        raise ShapeError(f"{where}: a row must be a sequence of rationals") from None


def normalize_inequality(row: Sequence[Fraction]) -> Row:
    """Scale ``b + a·x >= 0`` by a positive factor so that the first nonzero ``a_k`` is ``±1`` (or ``b = ±1``).

    >>> normalize_inequality((Fraction(2), Fraction(-4), Fraction(6)))
    (Fraction(1, 2), Fraction(-1, 1), Fraction(3, 2))
    """
    piv = next((v for v in row[1:] if v), None) or next((v for v in row if v), None)
    if piv is None:
        return tuple(Fraction(v) for v in row)
    s = abs(piv)
    return tuple(Fraction(v) / s for v in row)


def normalize_equality(row: Sequence[Fraction]) -> Row:
    """Scale ``b + a·x == 0`` so that the first nonzero ``a_k`` is ``+1``.

    >>> normalize_equality((Fraction(2), Fraction(-4), Fraction(6)))
    (Fraction(-1, 2), Fraction(1, 1), Fraction(-3, 2))
    """
    piv = next((v for v in row[1:] if v), None) or next((v for v in row if v), None)
    if piv is None:
        return tuple(Fraction(v) for v in row)
    return tuple(Fraction(v) / piv for v in row)


def rref_equalities(rows: Sequence[Row]) -> tuple[list[Row], list[int]]:
    """Reduced row echelon form of equality rows on the ``a`` columns (pivots in ``1..d``)."""
    M, pivots = rref_reference(rows, start=1)
    return [tuple(row) for row in M[: len(pivots)]], pivots


def canonical_form(ineq: Sequence[Row], eq: Sequence[Row]) -> tuple[list[Row], list[Row]]:
    """The canonical rows of a polyhedron from an *irredundant* description: equalities in normalised reduced
    echelon form, each facet inequality reduced modulo them and normalised, sorted (duplicates merged)."""
    eqs, pivots = rref_equalities([tuple(r) for r in eq])
    red = []
    for r in ineq:
        r = list(r)
        for e, p in zip(eqs, pivots, strict=True):
            if r[p]:
                f = r[p]
                r = [a - f * b for a, b in zip(r, e, strict=True)]
        red.append(normalize_inequality(r))
    return sorted(set(red)), [normalize_equality(e) for e in eqs]


@dataclass(frozen=True, slots=True)
class Polyhedron:
    """The polyhedron ``{x in Q^d : b + a·x >= 0 for each inequality row, b + a·x == 0 for each equality row}``.

    Rows are ``(b, a1, ..., ad)``; ``ambient_dim`` is inferred from the rows (give it when there are none, e.g.
    ``Polyhedron((), ambient_dim=2)`` is the plane).
    """

    inequalities: tuple[Row, ...]
    equalities: tuple[Row, ...] = ()
    ambient_dim: int = field(default=-1)

    def __post_init__(self) -> None:
        ineq = tuple(_row(r, f"inequalities[{i}]") for i, r in enumerate(self.inequalities))
        eq = tuple(_row(r, f"equalities[{i}]") for i, r in enumerate(self.equalities))
        lengths = {len(r) for r in ineq + eq}
        if len(lengths) > 1:
            raise ShapeError(f"rows of different lengths {sorted(lengths)} (each row is (b, a1, ..., ad))")
        if lengths:
            d = lengths.pop() - 1
            if self.ambient_dim not in (-1, d):
                raise ShapeError(f"rows have {d} coefficients but ambient_dim = {self.ambient_dim}")
        else:
            d = self.ambient_dim
        if d < 1:
            raise ShapeError("a polyhedron needs ambient dimension >= 1 (rows (b, a1..ad) or ambient_dim=d)")
        object.__setattr__(self, "inequalities", ineq)
        object.__setattr__(self, "equalities", eq)
        object.__setattr__(self, "ambient_dim", d)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def _trusted(cls, inequalities: tuple[Row, ...], d: int) -> Polyhedron:
        """Internal: rows already tuples of Fractions of length ``d + 1`` (no validation; hot path of regions)."""
        P = object.__new__(cls)
        object.__setattr__(P, "inequalities", inequalities)
        object.__setattr__(P, "equalities", ())
        object.__setattr__(P, "ambient_dim", d)
        return P

    @classmethod
    def whole_space(cls, d: int) -> Polyhedron:
        """``R^d`` (no rows)."""
        return cls((), (), ambient_dim=d)

    # ------------------------------------------------------------------ basic predicates
    def contains(self, x: Sequence[object]) -> bool:
        """Whether the exact point ``x`` satisfies every row."""
        xs = tuple(as_rational(v) for v in x)
        if len(xs) != self.ambient_dim:
            raise ShapeError(f"point has {len(xs)} coordinates, polyhedron lives in dimension {self.ambient_dim}")
        return all(_val(r, xs) >= 0 for r in self.inequalities) and all(_val(r, xs) == 0 for r in self.equalities)

    def strictly_satisfies(self, x: Sequence[Fraction]) -> bool:
        """Every inequality strict and every equality exact at ``x`` (x in the interior relative to the rows)."""
        return all(_val(r, x) > 0 for r in self.inequalities) and all(_val(r, x) == 0 for r in self.equalities)

    @property
    def is_empty(self) -> bool:
        """Exact LP feasibility test."""
        if not self.inequalities and not self.equalities:
            return False
        status, _, _ = _cdd.lp_max(self.inequalities, self.equalities, (0,) * (self.ambient_dim + 1),
                                   self.ambient_dim)
        return status == "infeasible"

    def _canonical_rows(self) -> tuple[list[Row], list[Row]] | None:
        if self.is_empty:
            return None
        if not self.inequalities and not self.equalities:
            return [], []
        ineq, eq, _ = _cdd.canonicalize(self.inequalities, self.equalities)
        return canonical_form(ineq, eq)

    def irredundant(self) -> Polyhedron:
        """The canonical irredundant description (module docstring); the empty set becomes ``{-1 >= 0}``."""
        rows = self._canonical_rows()
        d = self.ambient_dim
        if rows is None:
            return Polyhedron(((Fraction(-1),) + (_ZERO,) * d,), (), ambient_dim=d)
        ineq, eq = rows
        return Polyhedron(tuple(ineq), tuple(eq), ambient_dim=d)

    @property
    def dimension(self) -> int:
        """Dimension of the affine hull (``-1`` for the empty set)."""
        rows = self._canonical_rows()
        if rows is None:
            return -1
        return self.ambient_dim - (_rank([r[1:] for r in rows[1]]) if rows[1] else 0)

    def affine_hull(self) -> tuple[Row, ...]:
        """Equality rows (reduced echelon form) of the affine hull; ``()`` when full-dimensional.

        Raises :class:`~exactrelu.core.errors.EmptyRegionError` for the empty set.
        """
        rows = self._canonical_rows()
        if rows is None:
            from exactrelu.core.errors import EmptyRegionError

            raise EmptyRegionError("the empty polyhedron has no affine hull")
        return tuple(rows[1])

    def interior_point(self) -> tuple[Fraction, ...] | None:
        """An exact point of the relative interior (slack-maximising LP on the canonical description), or None."""
        rows = self._canonical_rows()
        if rows is None:
            return None
        ineq, eq = rows
        res = _cdd.slack_point(ineq, eq, self.ambient_dim)
        if res is None:  # pragma: no cover - canonical rows have no implicit equalities
            from exactrelu.core.errors import PolyhedralComputationError

            raise PolyhedralComputationError("no relative interior point found for a non-empty polyhedron")
        return res[0]

    def intersect(self, other: Polyhedron) -> Polyhedron:
        """The intersection (rows concatenated; call :meth:`irredundant` to simplify)."""
        if other.ambient_dim != self.ambient_dim:
            raise ShapeError(f"cannot intersect polyhedra in dimensions {self.ambient_dim} and {other.ambient_dim}")
        return Polyhedron(self.inequalities + other.inequalities, self.equalities + other.equalities,
                          ambient_dim=self.ambient_dim)

    def generators(self) -> tuple[list[Row], list[Row], list[Row]]:
        """Exact ``(vertices, rays, lines)`` with ``P = conv(vertices) + cone(rays) + span(lines)``."""
        if self.is_empty:
            return [], [], []
        return _cdd.generators(self.inequalities, self.equalities, self.ambient_dim)

    def vertices_and_rays(self) -> tuple[list[Row], list[Row]]:
        """``(vertices, rays)`` with ``P = conv(vertices) + cone(rays)``; a line ``l`` is listed as rays ``±l``.

        When ``P`` contains a line the "vertices" are points of ``P`` (it has no vertex in the strict sense).
        """
        v, r, lines = self.generators()
        return v, r + [l for line in lines for l in (line, tuple(-c for c in line))]

    @property
    def bounded(self) -> bool:
        """Whether the polyhedron is bounded (no ray and no line in its double description)."""
        _, r, lines = self.generators()
        return not r and not lines

    def __repr__(self) -> str:
        def fmt(row: Row, rel: str) -> str:
            terms = [str(row[0])] if row[0] or not any(row[1:]) else []
            terms += [f"{c}*x{k}" for k, c in enumerate(row[1:]) if c]
            return " + ".join(terms).replace("+ -", "- ") + f" {rel} 0"

        body = [fmt(r, ">=") for r in self.inequalities] + [fmt(r, "==") for r in self.equalities]
        return f"Polyhedron(d={self.ambient_dim}: " + ("; ".join(body) if body else "R^d") + ")"


def _val(row: Sequence[Fraction], x: Sequence[Fraction]) -> Fraction:
    return sum((a * v for a, v in zip(row[1:], x, strict=True)), row[0])


def Box(lo: object, hi: object, d: int | None = None) -> Polyhedron:  # noqa: N802 - a constructor by name
    """The box ``{lo_k <= x_k <= hi_k}``; ``lo``/``hi`` are scalars (then give ``d``) or sequences.

    >>> Box(0, 1, 2).inequalities[:2]
    ((Fraction(0, 1), Fraction(1, 1), Fraction(0, 1)), (Fraction(1, 1), Fraction(-1, 1), Fraction(0, 1)))
    """
    def vec(v: object) -> list[Fraction] | None:
        if isinstance(v, (list, tuple)):
            return [as_rational(t) for t in v]
        return None

    los, his = vec(lo), vec(hi)
    n = d if d is not None else len(los) if los is not None else len(his) if his is not None else None
    if n is None:
        raise ShapeError("Box(lo, hi, d): give d when lo and hi are scalars")
    los = los if los is not None else [as_rational(lo)] * n
    his = his if his is not None else [as_rational(hi)] * n
    if len(los) != n or len(his) != n:
        raise ShapeError(f"Box: lo and hi must have {n} entries")
    if any(a >= b for a, b in zip(los, his, strict=True)):
        raise ShapeError("Box: need lo < hi in every coordinate")
    rows: list[Row] = []
    for k in range(n):
        e = [_ZERO] * n
        e[k] = Fraction(1)
        rows.append((-los[k], *e))
        rows.append((his[k], *(-v for v in e)))
    return Polyhedron(tuple(rows), (), ambient_dim=n)


def Orthant(d: int) -> Polyhedron:  # noqa: N802 - a constructor by name
    """The closed positive orthant ``{x : x_k >= 0}`` of ``R^d``.

    >>> Orthant(2).inequalities
    ((Fraction(0, 1), Fraction(1, 1), Fraction(0, 1)), (Fraction(0, 1), Fraction(0, 1), Fraction(1, 1)))
    """
    rows = tuple((_ZERO, *(Fraction(int(i == k)) for i in range(d))) for k in range(d))
    return Polyhedron(rows, (), ambient_dim=d)
