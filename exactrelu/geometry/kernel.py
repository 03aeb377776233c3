"""The exact integer kernel shared by regions, faces and the breakpoint complex (docs/mathematics.md §1, A2).

A network scaled layer by layer to integers (:class:`IntNet`), so that every pre-activation form on a cell is an
integer row with the sign of the exact one; points ``x = X / D`` and rays as integer pairs; the relative-interior
point of ``conv(V) + cone(R)`` from integer generators (:func:`combine`); exact signs and canonical row orders.
Nothing here is a float that decides: :func:`sorted_canonical` sorts by a float image and checks the order exactly.

>>> int_point((Fraction(1, 2), Fraction(-1, 3)))
(6, [3, -2])
>>> combine([(1, (0, 0)), (1, (2, 0))], [(1, (0, 1))], 2)
(Fraction(1, 1), Fraction(1, 1))
>>> normalize_ray((Fraction(-2), Fraction(4)))
(Fraction(-1, 1), Fraction(2, 1))
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import gcd
from typing import Any

import numpy as np

from exactrelu.core.network import Network, Pattern
from exactrelu.engines.cddlib import pow2_scaled
from exactrelu.geometry.polyhedra import Row

__all__ = ["IntNet", "Average", "Matrix", "Vector", "combine", "int_point", "int_row", "isign", "normalize_ray",
           "primitive_or_none", "sorted_canonical"]

Matrix = tuple[tuple[Fraction, ...], ...]
Vector = tuple[Fraction, ...]


class IntNet:
    """Integer-scaled copy of a network for fast exact forms: layer ``l`` is multiplied by ``den_l > 0`` (the lcm of
    its denominators), so every pre-activation form of layer ``l`` is an integer row ``(v, M)`` equal to
    ``S_l · z`` with ``S_l = den_1 ··· den_l > 0`` — the same signs, and cdd accepts integer rows."""

    __slots__ = ("d", "W", "b", "scales", "depth", "_rows", "_prim", "vertex_cache", "offsets", "canonical",
                 "row_ids", "_named")

    def __init__(self, net: Network) -> None:
        self.d = net.input_dim
        self.depth = net.depth
        self.W: list[list[list[int]]] = []
        self.b: list[list[int]] = []
        self.scales: list[int] = []
        self._rows: dict[tuple[int, Pattern], list[list[int]]] = {}  # (l, pattern[:l]) -> hidden rows (read-only)
        self._prim: dict[tuple[int, Pattern], list[tuple[int, ...] | None]] = {}
        self.vertex_cache: dict = {}  # exact vertices by tight rows, shared by the cells of one complex
        self.row_ids: dict[tuple[int, ...], int] = {}  # primitive rows (up to sign) -> small integer names
        self._named: dict[Any, Any] = {}  # see named()
        self.canonical: dict[tuple[int, ...], tuple[Row, tuple[float, ...]]] = {}  # see sorted_canonical
        self.offsets = [sum(net.hidden_widths[:l]) for l in range(net.depth)]  # flat index of neuron (l, 0)
        S = 1
        for layer in net.layers:
            den = 1
            for v in [x for row in layer.weights for x in row] + list(layer.biases):
                den = den * v.denominator // gcd(den, v.denominator)
            self.W.append([[int(v * den) for v in row] for row in layer.weights])
            self.b.append([int(v * den) * S for v in layer.biases])
            S *= den
            self.scales.append(S)

    def start(self) -> list[list[int] | None]:
        d = self.d
        return [[0] + [int(i == j) for j in range(d)] for i in range(d)]

    def pre(self, l: int, post: list[list[int] | None]) -> list[list[int]]:
        """Integer pre-activation rows of layer ``l`` from the post-activation rows of layer ``l - 1`` (None = 0)."""
        width = self.d + 1
        out = []
        active = [(k, r) for k, r in enumerate(post) if r is not None]
        for wrow, bi in zip(self.W[l], self.b[l], strict=True):
            acc = [bi] + [0] * self.d
            for k, r in active:
                w = wrow[k]
                if w:
                    for j in range(width):
                        acc[j] += w * r[j]
            out.append(acc)
        return out

    @staticmethod
    def post(rows: list[list[int]], signs: Sequence[int]) -> list[list[int] | None]:
        return [r if s > 0 else None for r, s in zip(rows, signs, strict=True)]

    def forms(self, pattern: Pattern) -> tuple[list[list[list[int]]], list[list[int]]]:
        """Integer rows of every hidden layer under ``pattern`` and of the output layer."""
        post = self.start()
        out = []
        cache = self._rows
        for l in range(self.depth):
            key = (l, tuple(pattern[:l]))  # the rows of layer l depend only on the earlier layers' patterns
            rows = cache.get(key)
            if rows is None:
                rows = cache[key] = self.pre(l, post)
            out.append(rows)
            post = self.post(rows, pattern[l])
        return out, self.pre(self.depth, post)

    def primitive(self, l: int, pattern: Pattern, rows: list[list[int]]) -> list[tuple[int, ...] | None]:
        """The rows of layer ``l`` (given, as returned by :meth:`forms`) divided by their gcd, None for a row with
        zero linear part; cached like the rows."""
        key = (l, tuple(pattern[:l]))
        out = self._prim.get(key)
        if out is None:
            out = self._prim[key] = [primitive_or_none(r) for r in rows]
        return out

    def _name_rows(self, prim: list[tuple[int, ...] | None]
                   ) -> tuple[list[tuple[int, ...] | None], list[int], np.ndarray]:
        """``(prim, names, floats)`` for primitive rows (None = no row): a small integer naming each row for the cells
        of this network (-1 for None) and their :func:`~exactrelu.engines.cddlib.pow2_scaled` images (a power of two
        times the row, rounded once; zeros for None), converted in one batch."""
        ids = self.row_ids
        names = []
        for r in prim:
            if r is None:
                names.append(-1)
                continue
            n = ids.get(r)
            if n is None:
                n = ids[r] = len(ids)
            names.append(n)
        floats = np.zeros((len(prim), self.d + 1))
        live = [k for k, r in enumerate(prim) if r is not None]
        if live:
            floats[live] = pow2_scaled([prim[k] for k in live])
        return prim, names, floats

    def named_domain(self, dom_rows: list[Any]) -> tuple[list[tuple[int, ...] | None], list[int], np.ndarray]:
        """The primitive integer rows of the domain rows, named and in floats (:meth:`_name_rows`); the last domain is
        cached."""
        last = self._named.get("domain")
        if last is None or not (last[0] is dom_rows or last[0] == dom_rows):
            last = self._named["domain"] = (dom_rows, self._name_rows([primitive_or_none(int_row(r))
                                                                        for r in dom_rows]))
        return last[1]

    def named_layer(self, l: int, pattern: Pattern, rows: list[list[int]]
                    ) -> tuple[list[tuple[int, ...] | None], list[int], np.ndarray]:
        """The primitive rows of layer ``l`` (:meth:`primitive`), named and in floats (:meth:`_name_rows`), cached
        like the rows."""
        key = (l, tuple(pattern[:l]))
        hit = self._named.get(key)
        if hit is None:
            hit = self._named[key] = self._name_rows(self.primitive(l, pattern, rows))
        return hit

    def affine_map(self, out_rows: list[list[int]]) -> tuple[Matrix, Vector]:
        S = self.scales[-1]
        return (tuple(tuple(Fraction(v, S) for v in r[1:]) for r in out_rows),
                tuple(Fraction(r[0], S) for r in out_rows))


def sorted_canonical(inet: IntNet, rows: list[tuple[tuple[int, ...], int]]) -> list[tuple[Row, int]]:
    """``(normalize_inequality(row), tag)`` sorted by the normalised row, for primitive integer rows.

    The normalised rows (and float images of them) are cached on ``inet``; the sort uses the floats, which are
    monotone images of the exact entries, and is then checked exactly pair by pair (an exact sort if it fails)."""
    cache = inet.canonical
    items = []
    for r, tag in rows:
        hit = cache.get(r)
        if hit is None:
            piv = abs(next(v for v in r[1:] if v))
            try:
                approx = tuple(v / piv for v in r)
            except OverflowError:
                approx = ()  # ties everything: the exact check below sorts exactly
            hit = cache[r] = (tuple(Fraction(v, piv) for v in r), approx)
        items.append((hit[1], hit[0], tag))
    items.sort(key=lambda t: t[0])
    out = [(c, tag) for _, c, tag in items]
    for (a, _), (b, _) in zip(out, out[1:]):
        if not a < b:  # (equal rows cannot occur: the rows are distinct)
            out.sort(key=lambda t: t[0])
            break
    return out


def primitive_or_none(r: Sequence[int]) -> tuple[int, ...] | None:
    """The integer row divided by the gcd of its entries; None when its linear part is zero."""
    if not any(r[1:]):
        return None
    g = gcd(*r)
    return tuple(v // g for v in r) if g > 1 else tuple(r)


def int_point(x: Sequence[Fraction]) -> tuple[int, list[int]]:
    """``x = X / D`` with integers (D > 0)."""
    D = 1
    for v in x:
        q = v.denominator
        if q != 1:
            D = D * q // gcd(D, q)
    if D == 1:
        return 1, [v.numerator for v in x]
    return D, [v.numerator * (D // v.denominator) for v in x]


def isign(row: Sequence[int], D: int, X: Sequence[int]) -> int:
    if len(X) == 2:
        v = row[0] * D + row[1] * X[0] + row[2] * X[1]
        return (v > 0) - (v < 0)
    v = row[0] * D + sum(a * b for a, b in zip(row[1:], X, strict=True))
    return (v > 0) - (v < 0)


def int_row(r: Sequence[Any]) -> list[int]:
    if all(type(v) is int for v in r):
        return list(r)
    return int_point([Fraction(v) for v in r])[1]


def normalize_ray(y: Sequence[Fraction]) -> Row:
    """A ray scaled by a positive factor so that its first nonzero coordinate is ``±1`` (canonical direction)."""
    piv = abs(next(v for v in y if v))
    return tuple(Fraction(v) / piv for v in y)


def combine(V: list[tuple[int, Sequence[int]]], R: list[tuple[int, Sequence[int]]], d: int) -> tuple[Fraction, ...]:
    """The average of the points plus the sum of the rays, given as integer pairs ``(D, X)`` = ``X / D``: a point of
    the relative interior of conv(V) + cone(R)."""
    n = len(V)
    L = 1
    for D, _ in V + R:
        if D != 1:
            L = L * D // gcd(L, D)
    total = [0] * d
    for idx, (D, X) in enumerate(V + R):
        f = (L // D) * (1 if idx < n else n)
        for k in range(d):
            total[k] += f * X[k]
    den = L * n
    return tuple(Fraction(t, den) for t in total)


class Average:
    """A deferred :func:`combine` (the average of integer points plus the sum of integer rays)."""

    __slots__ = ("V", "R", "d")

    def __init__(self, V: list[tuple[int, Sequence[int]]], R: list[tuple[int, Sequence[int]]], d: int) -> None:
        self.V, self.R, self.d = V, R, d
