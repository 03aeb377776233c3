"""Exact genericity test of docs/mathematics.md §1 (G3 App. B.2): supertransversality and maximal-rank masked products.

A parameter θ is *generic* when

1. it is **supertransversal**: every cell (face) of the canonical polyhedral complex C_θ of codimension k lies in
   exactly k bent hyperplanes, i.e. a cell whose ternary sign sequence has k zero entries has dimension d - k; and
2. it has **maximal-rank masked products**: for every ℓ <= L+1 and all index sets S_i ⊆ [n_i] (i < ℓ) the matrix
   W^(ℓ) D_{S_{ℓ-1}} W^(ℓ-1) ··· D_{S_1} W^(1) has rank ``min(d, n_ℓ, min_i |S_i|)``.

Both are decided exactly.  (1) enumerates every cell of C_θ, faces included, by splitting relatively open cells
neuron by neuron; each split is one exact LP (:meth:`exactrelu.geometry.polyhedra.Polyhedron.interior_point`, cdd GMP),
and
a zero entry whose equality does not raise the rank of the cell's equalities is a failure (the cell lies in more
bent hyperplanes than its codimension).  (2) enumerates the index sets (exponentially many: ``prod 2^{n_i}``) and
computes each rank with :mod:`exactrelu.engines.flintlib`, first modulo a 61-bit prime (a certified lower bound: when it
already equals the expected value no rational work is done) and exactly otherwise.

Examples
--------
>>> from exactrelu import examples
>>> rep = is_generic(examples.invisible_translation())
>>> rep.generic, rep.supertransversal, rep.maximal_rank, rep.cells
(True, True, True, 15)
>>> three_lines = Network.from_lists([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[1, 1, 1]], [0])])
>>> bad = is_generic(three_lines)      # three lines through the origin: a vertex in 3 bent hyperplanes
>>> bad.generic, bad.supertransversal, bad.maximal_rank
(False, False, True)
>>> f = bad.transversality_failures[0]
>>> f.pattern, f.dimension, f.zeros
(((0, 0, 0),), 0, 3)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product
from typing import Any

from exactrelu.core.errors import RegionLimitError
from exactrelu.core.network import Network
from exactrelu.engines.flintlib import rank as _rank
from exactrelu.engines.flintlib import rank_mod_p as _rank_mod_p
from exactrelu.geometry.polyhedra import Polyhedron

__all__ = ["Cell", "GenericityReport", "RankFailure", "TransversalityFailure", "cells", "is_generic",
           "masked_product"]

Row = tuple[Fraction, ...]
_ZERO = Fraction(0)


# ---------------------------------------------------------------------------------------------------- cells of C_θ
@dataclass(frozen=True, slots=True)
class Cell:
    """A relatively open cell of C_θ: ``{x : z_i(x) = 0 for the zero entries, sign z_i(x) = s_i otherwise}``.

    ``equalities`` / ``strict`` are rows ``(b, a1..ad)`` meaning ``b + a·x = 0`` / ``> 0``; ``point`` is an exact
    point of the cell; ``dimension`` = d - rank of the equalities; ``pattern`` is the ternary sign sequence.
    """

    pattern: tuple[tuple[int, ...], ...]
    equalities: tuple[Row, ...]
    strict: tuple[Row, ...]
    point: tuple[Fraction, ...]
    dimension: int

    @property
    def zeros(self) -> int:
        """Number of bent hyperplanes containing the cell."""
        return sum(s == 0 for layer in self.pattern for s in layer)


def _open_cell_point(strict: Sequence[Row], eqs: Sequence[Row], d: int) -> tuple[Fraction, ...] | None:
    """A point of the relatively open set ``{eqs = 0, strict > 0}`` or None (one exact LP via Polyhedron)."""
    if not strict and not eqs:
        return (_ZERO,) * d
    p = Polyhedron(tuple(strict), tuple(eqs), ambient_dim=d).interior_point()
    if p is None:
        return None
    for r in strict:
        if sum((a * v for a, v in zip(r[1:], p)), r[0]) <= 0:
            return None  # an inequality is an implicit equality of the closure: the open cell is empty
    return p


def _eq_rank(eqs: Sequence[Row]) -> int:
    return _rank([r[1:] for r in eqs]) if eqs else 0


def _walk(net: Network, *, faces: bool, max_cells: int) -> Iterator[Cell]:
    """Enumerate the cells of C_θ (all faces, or only full-dimensional regions) by neuron-by-neuron splitting."""
    d = net.input_dim
    ident = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    # state: (pattern so far, eqs, strict, affine map of the current activations (A rows, c), point, rank of eqs)
    states: list[tuple[list[tuple[int, ...]], list[Row], list[Row], list[list[Fraction]], list[Fraction],
                       tuple[Fraction, ...], int]] = [([], [], [], ident, [_ZERO] * d, (_ZERO,) * d, 0)]
    signs = (1, -1, 0) if faces else (1, -1)
    for layer in net.layers[:-1]:
        new_states = []
        for pat, eqs, strict, A, c, pt, rk in states:
            rows = []
            for w, b in zip(layer.weights, layer.biases):
                lin = tuple(sum((w[k] * A[k][j] for k in range(len(w))), _ZERO) for j in range(d))
                const = sum((w[k] * c[k] for k in range(len(w))), b)
                rows.append((const,) + lin)
            partial = [(list(eqs), list(strict), (), pt, rk)]
            for row in rows:
                nxt = []
                for e, s, sg, _p, r in partial:
                    for sign in signs:
                        if sign == 0:
                            e2, s2 = e + [row], s
                        else:
                            e2, s2 = e, s + [tuple(sign * v for v in row)]
                        q = _open_cell_point(s2, e2, d)
                        if q is None:
                            continue
                        r2 = _eq_rank(e2) if sign == 0 else r
                        nxt.append((e2, s2, sg + (sign,), q, r2))
                        if len(nxt) + len(new_states) > max_cells:
                            raise RegionLimitError(f"C_θ has more than max_cells = {max_cells} cells")
                partial = nxt
            for e, s, sg, p, r in partial:
                newA = [list(rw[1:]) if sg[i] > 0 else [_ZERO] * d for i, rw in enumerate(rows)]
                newc = [rw[0] if sg[i] > 0 else _ZERO for i, rw in enumerate(rows)]
                new_states.append((pat + [sg], e, s, newA, newc, p, r))
        states = new_states
    for pat, eqs, strict, _A, _c, pt, rk in states:
        yield Cell(tuple(pat), tuple(eqs), tuple(strict), pt, d - rk)


def cells(net: Network, *, faces: bool = True, max_cells: int = 20000) -> tuple[Cell, ...]:
    """Every relatively open cell of C_θ on R^d (with ``faces=False`` only the regions), exactly.

    Parameters
    ----------
    net : the network (any depth).
    faces : also list lower-dimensional cells (sign sequences with zero entries).
    max_cells : raise :class:`~exactrelu.core.errors.RegionLimitError` beyond this many cells.

    Examples
    --------
    >>> from exactrelu import examples
    >>> len(cells(examples.relu_of_sum(), faces=False))       # docs/mathematics.md §7 row 12: 7 regions
    7
    """
    return tuple(_walk(net, faces=faces, max_cells=max_cells))


# ---------------------------------------------------------------------------------------------------- masked products
def masked_product(net: Network, index_sets: Sequence[Sequence[int]]) -> list[list[Fraction]]:
    """W^(ℓ) D_{S_{ℓ-1}} ··· D_{S_1} W^(1) for ``index_sets = (S_1, ..., S_{ℓ-1})`` (0-based neuron indices).

    >>> from exactrelu import examples
    >>> masked_product(examples.relu_of_sum(), [[0]])
    [[Fraction(1, 1), Fraction(0, 1)]]
    """
    M = [list(r) for r in net.layers[0].weights]
    for l, S in enumerate(index_sets, start=1):
        keep = set(S)
        M = [r if i in keep else [_ZERO] * len(r) for i, r in enumerate(M)]
        W = net.layers[l].weights
        M = [[sum((w[k] * M[k][j] for k in range(len(w))), _ZERO) for j in range(len(M[0]))] for w in W]
    return M


def _index_set_count(arch: Sequence[int]) -> int:
    total = 0
    for ell in range(1, len(arch)):
        n = 1
        for i in range(1, ell):
            n *= 2 ** arch[i]
        total += n
    return total


@dataclass(frozen=True, slots=True)
class RankFailure:
    """Condition 2 fails: the masked product for ``layer`` ℓ and ``index_sets`` (1-based) has ``rank < expected``."""

    layer: int
    index_sets: tuple[tuple[int, ...], ...]
    rank: int
    expected: int


@dataclass(frozen=True, slots=True)
class TransversalityFailure:
    """Condition 1 fails at a cell: ``zeros`` bent hyperplanes contain it but its codimension is ``d - dimension``."""

    pattern: tuple[tuple[int, ...], ...]
    dimension: int
    zeros: int
    point: tuple[Fraction, ...]


@dataclass(frozen=True, slots=True)
class GenericityReport:
    """The outcome of :func:`is_generic`: each condition of docs/mathematics.md §1 with its failing faces / index sets.

    ``bool(report)`` is ``report.generic``.  ``cells`` and ``index_sets`` count what was checked (the evidence).
    """

    generic: bool
    supertransversal: bool
    maximal_rank: bool
    transversality_failures: tuple[TransversalityFailure, ...]
    rank_failures: tuple[RankFailure, ...]
    cells: int
    index_sets: int

    def __bool__(self) -> bool:
        return self.generic

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (exact numbers as strings; index sets and neurons 1-based)."""
        return {
            "generic": self.generic, "supertransversal": self.supertransversal, "maximal_rank": self.maximal_rank,
            "cells_checked": self.cells, "index_sets_checked": self.index_sets,
            "transversality_failures": [
                {"pattern": [list(p) for p in f.pattern], "dimension": f.dimension, "zeros": f.zeros,
                 "point": [str(v) for v in f.point]} for f in self.transversality_failures],
            "rank_failures": [
                {"layer": f.layer, "index_sets": [list(s) for s in f.index_sets], "rank": f.rank,
                 "expected": f.expected} for f in self.rank_failures],
        }


def _rank_failures(net: Network, limit: int, exact_only: bool = False) -> tuple[list[RankFailure], int]:
    arch = net.architecture
    d = arch[0]
    fails: list[RankFailure] = []
    count = 0
    for ell in range(1, len(arch)):
        choices = [[tuple(c) for k in range(arch[i] + 1) for c in combinations(range(arch[i]), k)]
                   for i in range(1, ell)]
        for sets in product(*choices):
            count += 1
            expected = min([d, arch[ell]] + [len(s) for s in sets])
            if expected == 0:
                continue
            M = masked_product(net, sets)
            if not exact_only and _rank_mod_p(M) == expected:
                continue  # certified: rank_p <= rank_Q <= expected
            r = _rank(M)
            if r < expected:
                fails.append(RankFailure(ell, tuple(tuple(i + 1 for i in s) for s in sets), r, expected))
                if len(fails) >= limit:
                    return fails, count
    return fails, count


def is_generic(net: Network, *, max_index_sets: int = 1 << 16, max_cells: int = 20000,
               max_failures: int = 10) -> GenericityReport:
    """Decide exactly whether θ is generic in the sense of docs/mathematics.md §1 (G3 App. B.2), with the failing
    evidence.

    Parameters
    ----------
    net : any depth, on the domain R^d.
    max_index_sets : raise :class:`~exactrelu.core.errors.RegionLimitError` when condition 2 would need more index sets.
    max_cells : raise :class:`~exactrelu.core.errors.RegionLimitError` when C_θ has more cells than this.
    max_failures : keep at most this many failures per condition (the verdict is exact regardless).

    Returns
    -------
    GenericityReport : ``generic``, ``supertransversal``, ``maximal_rank`` and the failing cells (sign sequence,
    dimension, number of zero entries, a point) and index sets (1-based, rank, expected rank).

    Notes
    -----
    Cost: one exact LP per (cell, neuron, sign) for condition 1 (the number of cells of C_θ is polynomial in the
    widths for fixed d), ``sum_ℓ prod_{i<ℓ} 2^{n_i}`` rank computations for condition 2.

    Examples
    --------
    >>> from exactrelu import random_network
    >>> is_generic(random_network((2, 3, 1), seed=1)).generic
    True
    >>> rep = is_generic(Network.from_lists([([[1, 0], [2, 0]], [0, 1]), ([[1, 1]], [0])]))   # parallel rows
    >>> rep.maximal_rank, rep.rank_failures[0]
    (False, RankFailure(layer=1, index_sets=(), rank=1, expected=2))
    """
    n_sets = _index_set_count(net.architecture)
    if n_sets > max_index_sets:
        raise RegionLimitError(f"maximal-rank condition needs {n_sets} index sets > max_index_sets = "
                               f"{max_index_sets}; raise the bound to check it exactly")
    rank_fails, count = _rank_failures(net, max_failures)
    tfails: list[TransversalityFailure] = []
    n_cells = 0
    for cell in _walk(net, faces=True, max_cells=max_cells):
        n_cells += 1
        if cell.zeros != net.input_dim - cell.dimension and len(tfails) < max_failures:
            tfails.append(TransversalityFailure(cell.pattern, cell.dimension, cell.zeros, cell.point))
    return GenericityReport(not tfails and not rank_fails, not tfails, not rank_fails, tuple(tfails),
                            tuple(rank_fails), n_cells, count)
