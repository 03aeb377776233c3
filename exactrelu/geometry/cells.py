"""The result objects of C_θ: a region (full-dimensional cell) with its facets, and a linear region
(docs/mathematics.md §1, A2).  Built by :mod:`exactrelu.geometry.construct`, collected by
:mod:`exactrelu.geometry.regions`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactrelu.core.network import Pattern
from exactrelu.geometry.kernel import Average, Matrix, Vector, combine
from exactrelu.geometry.polyhedra import Polyhedron, Row

__all__ = ["Facet", "Region", "LinearRegion", "Neuron"]

_ZERO = Fraction(0)
Neuron = tuple[int, int]


def _val(row: Sequence[Fraction], x: Sequence[Fraction]) -> Fraction:
    return sum((a * v for a, v in zip(row[1:], x, strict=True)), row[0])


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Facet:
    """A facet of a region: ``row`` vanishes on it (``b + a·x >= 0`` on the region), ``point`` is in its relative
    interior (the average of the facet's vertices plus the sum of its rays), ``neurons`` are the ``(l, i)`` whose
    pre-activation vanishes on it, ``neighbor`` is the pattern of the region across (``None`` when the facet lies on the
    domain boundary), ``sign_sequence`` its ternary sign sequence.  (``point`` is computed on first access.)
    """

    row: Row
    _point: Any
    neurons: tuple[Neuron, ...]
    neighbor: Pattern | None
    sign_sequence: Pattern

    @property
    def point(self) -> tuple[Fraction, ...]:
        p = self._point
        if type(p) is Average:
            p = combine(p.V, p.R, p.d)
            object.__setattr__(self, "_point", p)
        return p

    def _key(self) -> tuple[Any, ...]:
        return (self.row, self.point, self.neurons, self.neighbor, self.sign_sequence)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Facet):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Facet(row={self.row!r}, point={self.point!r}, neurons={self.neurons!r}, "
                f"neighbor={self.neighbor!r}, sign_sequence={self.sign_sequence!r})")


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Region:
    """An activation region (full-dimensional cell of C_θ) with everything exact.

    ``polyhedron`` is the canonical irredundant closure, ``interior_point`` a rational point of the open region (the
    average of its vertices plus the sum of its normalised rays; computed on first access, since it costs an lcm of
    every vertex denominator and counting regions never needs it), ``affine_map = (A, c)`` with ``f(x) = A x + c`` on
    it, ``bounded`` whether it is bounded, ``facets`` its facets.
    """

    pattern: Pattern
    polyhedron: Polyhedron
    _interior: Any
    affine_map: tuple[Matrix, Vector]
    bounded: bool
    facets: tuple[Facet, ...]
    #: exact generators kept from the construction, as integer pairs: vertices ``(D, X)`` = ``X / D`` and rays
    #: ``(D, Y)`` (the normalised ray ``Y / D``), or None when the polyhedron has lines (internal: faces use them)
    generators: Any = None

    @property
    def interior_point(self) -> tuple[Fraction, ...]:
        p = self._interior
        if type(p) is Average:
            p = combine(p.V, p.R, p.d)
            object.__setattr__(self, "_interior", p)
        return p

    def _key(self) -> tuple[Any, ...]:
        return (self.pattern, self.polyhedron, self.interior_point, self.affine_map, self.bounded, self.facets)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Region):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Region(pattern={self.pattern!r}, polyhedron={self.polyhedron!r}, "
                f"interior_point={self.interior_point!r}, affine_map={self.affine_map!r}, bounded={self.bounded!r}, "
                f"facets={self.facets!r})")

    def affine_basis_points(self) -> tuple[tuple[Fraction, ...], ...]:
        """``d + 1`` affinely independent rational points in the open region: the interior point ``p`` and
        ``p + δ e_k`` with ``δ = s / (2 (1 + max |a_ik|))``, ``s`` the smallest slack of ``p``.

        >>> from exactrelu import examples, regions
        >>> R = regions(examples.relu_of_sum()).regions[0]
        >>> pts = R.affine_basis_points()
        >>> len(pts), all(R.polyhedron.strictly_satisfies(p) for p in pts)
        (3, True)
        """
        p = self.interior_point
        d = len(p)
        rows = self.polyhedron.inequalities
        if rows:
            s = min(_val(r, p) for r in rows)
            amax = max(abs(a) for r in rows for a in r[1:])
        else:
            s, amax = Fraction(1), _ZERO
        delta = s / (2 * (1 + amax))
        pts = [p]
        for k in range(d):
            pts.append(tuple(v + delta if j == k else v for j, v in enumerate(p)))
        return tuple(pts)

    def contains(self, x: Sequence[object]) -> bool:
        """Whether ``x`` lies in the closed region."""
        return self.polyhedron.contains(x)


@dataclass(frozen=True, slots=True)
class LinearRegion:
    """A connected component of the domain minus the non-linearity locus: region indices and the common map."""

    regions: tuple[int, ...]
    affine_map: tuple[Matrix, Vector]
