"""The only module that imports pycddlib (exact GMP mode, ``cdd.gmp``).

Row convention (the same as cdd, stated once): a row ``(b, a1, ..., ad)`` means ``b + a·x >= 0``; an equality row
means ``b + a·x == 0``.  Every number going in is an exact rational (``Fraction`` or ``int``), every number coming out
is a :class:`fractions.Fraction`.  cddlib failures and unexpected LP statuses become
:class:`~exactrelu.core.errors.PolyhedralComputationError`.

>>> from fractions import Fraction as F
>>> slack_point([(0, 1, 0), (0, 0, 1), (1, -1, -1)], (), 2)
((Fraction(1, 3), Fraction(1, 3)), Fraction(1, 3))
>>> lp_max([(0, 1), (1, -1)], (), (0, 1), 1)
('optimal', Fraction(1, 1), (Fraction(1, 1),))
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import gcd

import cdd
import cdd.gmp as _g
import numpy as np

from exactrelu.core.errors import PolyhedralComputationError

__all__ = ["STATS", "lp_max", "slack_point", "canonicalize", "generators", "hull", "float_candidates",
           "float_generators", "pow2_scaled", "primitive_row", "Row"]

Row = Sequence[Fraction | int]

#: Call counters (instrumentation for benchmarks: exact LPs, canonicalisations, double descriptions, float filters).
STATS = {"lp": 0, "canonicalize": 0, "dd": 0, "float_filter": 0, "float_dd": 0}

_OPT = cdd.LPStatusType.OPTIMAL
_INFEASIBLE = {cdd.LPStatusType.INCONSISTENT, cdd.LPStatusType.STRUC_INCONSISTENT}
_UNBOUNDED = {cdd.LPStatusType.DUAL_INCONSISTENT, cdd.LPStatusType.UNBOUNDED, cdd.LPStatusType.STRUC_DUAL_INCONSISTENT}


def primitive_row(row: Row) -> tuple[list[int], Fraction]:
    """``(s · row, s)``: the row times the positive rational ``s`` that makes it a primitive integer row (gcd 1; a
    zero row stays zero with ``s = 1``).

    Every matrix handed to cddlib goes through this: the GMP build of cddlib 0.94m (Debian 12, pycddlib 3.0.2, the
    newest of both available) can corrupt its heap in the float phase of an exact LP on rows with large rational
    entries (SIGSEGV or "realloc(): invalid next size"), while the same rows scaled to primitive integers solve
    correctly.  A positive multiple of a row is the same constraint, so nothing else changes.

    >>> primitive_row([Fraction(-1, 6), Fraction(2, 4), 0])
    ([-1, 3, 0], Fraction(6, 1))
    """
    den = 1
    for v in row:
        q = v.denominator
        if q != 1:
            den = den * q // gcd(den, q)
    ints = [int(v * den) if den != 1 else int(v) for v in row]
    g = gcd(*ints)
    if g > 1:
        ints = [v // g for v in ints]
        return ints, Fraction(den, g)
    return ints, Fraction(den)


def _integral(rows: Sequence[Row]) -> list[list[int]]:
    return [primitive_row(r)[0] for r in rows]


def _solve(arr: list[list[Fraction | int]], lin: set[int]) -> tuple[_g.LinProg, Fraction]:
    """Solve ``max`` of the last row subject to the others (integral rows, see :func:`primitive_row`); returns the LP
    and the positive factor the objective was multiplied by (divide the optimal value by it)."""
    STATS["lp"] += 1
    cons = _integral(arr[:-1])
    obj, scale = primitive_row(arr[-1])
    try:
        if lin:
            mat = _g.matrix_from_array(cons, lin_set=lin, rep_type=cdd.RepType.INEQUALITY,
                                       obj_type=cdd.LPObjType.MAX, obj_func=obj)
            lp = _g.linprog_from_matrix(mat)
        else:
            lp = _g.linprog_from_array([*cons, obj], cdd.LPObjType.MAX)
        _g.linprog_solve(lp)
    except (RuntimeError, ValueError) as exc:  # pragma: no cover - cddlib internal failure
        raise PolyhedralComputationError(f"cddlib LP failed: {exc}") from None
    return lp, scale


def lp_max(inequalities: Sequence[Row], equalities: Sequence[Row], objective: Row,
           dim: int) -> tuple[str, Fraction | None, tuple[Fraction, ...] | None]:
    """Maximise ``c0 + c·x`` subject to the rows; returns ``(status, value, argmax)`` exactly.

    ``status`` is ``"optimal"``, ``"infeasible"`` or ``"unbounded"`` (value and point are None unless optimal).
    """
    rows: list[list[Fraction | int]] = [list(r) for r in equalities] + [list(r) for r in inequalities]
    if not rows:
        rows = [[1] + [0] * dim]  # 1 >= 0: cdd needs at least one constraint row
    lin = set(range(len(equalities)))
    lp, scale = _solve(rows + [list(objective)], lin)
    st = lp.status
    if st == _OPT:
        return "optimal", lp.obj_value / scale, tuple(lp.primal_solution)
    if st in _INFEASIBLE:
        return "infeasible", None, None
    if st in _UNBOUNDED:
        return "unbounded", None, None
    raise PolyhedralComputationError(f"unexpected LP status {st.name}")  # pragma: no cover


def slack_point(inequalities: Sequence[Row], equalities: Sequence[Row],
                dim: int) -> tuple[tuple[Fraction, ...], Fraction] | None:
    """The slack-maximising LP (DEPS.md): max t s.t. ``b + a·x >= t`` for each inequality, equalities, ``t <= 1``.

    Returns ``(x, t*)`` when ``t* > 0`` (then ``x`` satisfies every inequality strictly), else None.
    """
    ineq = [list(r) + [-1] for r in inequalities] + [[1] + [0] * dim + [-1]]
    eq = [list(r) + [0] for r in equalities]
    status, value, x = lp_max(ineq, eq, [0] * (dim + 1) + [1], dim + 1)
    if status != "optimal" or value is None or value <= 0:
        return None
    assert x is not None
    return tuple(x[:dim]), value


def canonicalize(inequalities: Sequence[Row], equalities: Sequence[Row]
                 ) -> tuple[list[tuple[Fraction, ...]], list[tuple[Fraction, ...]], list[int | None]]:
    """Irredundant description of a NON-EMPTY polyhedron: ``(inequalities, equalities, newpos)``.

    Implicit equalities are detected and moved to the equalities; ``newpos[i]`` is the index of input inequality ``i``
    in the output inequalities, or None when it was redundant or became an equality.
    """
    rows = [list(r) for r in equalities] + [list(r) for r in inequalities]
    ne = len(equalities)
    STATS["canonicalize"] += 1
    try:
        mat = _g.matrix_from_array(_integral(rows), lin_set=set(range(ne)), rep_type=cdd.RepType.INEQUALITY)
        _, _, newpos = _g.matrix_canonicalize(mat)
    except (RuntimeError, ValueError) as exc:  # pragma: no cover
        raise PolyhedralComputationError(f"cddlib canonicalize failed: {exc}") from None
    lin = mat.lin_set
    source = {p: i for i, p in reversed(list(enumerate(newpos))) if p is not None}
    out_eq, out_in, where = [], [], {}
    for k, r in enumerate(mat.array):
        i = source.get(k)  # report the caller's row (cdd holds a positive integer multiple of it)
        row = tuple(Fraction(v) for v in rows[i]) if i is not None else tuple(r)
        if k in lin:
            out_eq.append(row)
        else:
            where[k] = len(out_in)
            out_in.append(row)
    pos = []
    for i in range(len(inequalities)):
        p = newpos[ne + i]
        pos.append(where.get(p) if p is not None else None)
    return out_in, out_eq, pos


def generators(inequalities: Sequence[Row], equalities: Sequence[Row], dim: int
               ) -> tuple[list[tuple[Fraction, ...]], list[tuple[Fraction, ...]], list[tuple[Fraction, ...]]]:
    """Minkowski-Weyl generators ``(vertices, rays, lines)`` by exact double description."""
    rows = [list(r) for r in equalities] + [list(r) for r in inequalities]
    if not rows:
        rows = [[1] + [0] * dim]
    STATS["dd"] += 1
    try:
        mat = _g.matrix_from_array(_integral(rows), lin_set=set(range(len(equalities))),
                                   rep_type=cdd.RepType.INEQUALITY)
        gen = _g.copy_generators(_g.polyhedron_from_matrix(mat))
    except (RuntimeError, ValueError) as exc:  # pragma: no cover
        raise PolyhedralComputationError(f"cddlib double description failed: {exc}") from None
    verts, rays, lines = [], [], []
    for k, r in enumerate(gen.array):
        v = tuple(r[1:])
        if k in gen.lin_set:
            lines.append(v)
        elif r[0] == 0:
            rays.append(v)
        else:
            verts.append(tuple(x / r[0] for x in v))
    if not verts and all(r[0] == 0 for r in rows):  # cdd omits the apex of a homogeneous (cone) system
        verts.append((Fraction(0),) * dim)
    return verts, rays, lines


def hull(points: Sequence[Row], rays: Sequence[Row], lines: Sequence[Row], dim: int
         ) -> tuple[list[tuple[Fraction, ...]], list[tuple[Fraction, ...]]]:
    """H-description ``(inequalities, equalities)`` of ``conv(points) + cone(rays) + span(lines)``."""
    rows = [[1] + list(p) for p in points] + [[0] + list(r) for r in rays] + [[0] + list(l) for l in lines]
    lin = set(range(len(points) + len(rays), len(rows)))
    try:
        mat = _g.matrix_from_array(_integral(rows), lin_set=lin, rep_type=cdd.RepType.GENERATOR)  # (t·1, t·p): p
        H = _g.copy_inequalities(_g.polyhedron_from_matrix(mat))
    except (RuntimeError, ValueError) as exc:  # pragma: no cover
        raise PolyhedralComputationError(f"cddlib convex hull failed: {exc}") from None
    ineq = [tuple(r) for k, r in enumerate(H.array) if k not in H.lin_set]
    eq = [tuple(r) for k, r in enumerate(H.array) if k in H.lin_set]
    return ineq, eq


def _pow2_row(row: Sequence[Row]) -> list[float]:
    """One exact rational row times ``2^-e`` (``e`` from the largest entry), each entry then correctly rounded."""
    pq = [(int(v.numerator), int(v.denominator)) for v in row]  # type: ignore[union-attr]
    e = max((p.bit_length() - q.bit_length() for p, q in pq if p), default=0)
    if e >= 0:
        return [p / (q << e) for p, q in pq]  # int / int: correctly rounded, never overflows here
    return [(p << -e) / q for p, q in pq]


def pow2_scaled(rows: Sequence[Sequence[Row]] | np.ndarray) -> np.ndarray:
    """The rows in float64, each multiplied by a power of two ``2^-e_i`` so that its largest entry has magnitude in
    ``[1/2, 2)``; any magnitude is accepted (``10**400``, ``Fraction(1, 10**400)``, …) and never overflows.

    The scaling is exact; each entry is then rounded once (relative error at most ``2^-53``; an entry below
    ``2^-1021`` times the largest one of its row may lose relative accuracy, absolute error at most ``2^-1074``).
    Positive scaling keeps every sign of ``b + a·x``, so the result is fit for proposals and error-bounded filters.

    >>> pow2_scaled([[3, -1], [5, 4]]).tolist()
    [[0.75, -0.25], [0.625, 0.5]]
    >>> pow2_scaled([[2**2000, -2**1999], [Fraction(-1, 2**2000), 0]]).tolist()
    [[1.0, -0.5], [-1.0, 0.0]]
    """
    try:
        A = np.array(rows, dtype=float)
        if A.size and not np.isfinite(A).all():
            raise OverflowError
    except (OverflowError, TypeError, ValueError):
        return np.array([_pow2_row(r) for r in rows], dtype=float)
    if A.size:
        m = np.abs(A).max(axis=1)
        _, e = np.frexp(m)
        A = np.ldexp(A, -e[:, None])
        for i in np.flatnonzero(m < 2.0 ** -1000):  # a zero row, or entries converted below the normal range
            A[i] = _pow2_row(rows[i])
    return A


def _scaled(rows: Sequence[Row] | np.ndarray) -> np.ndarray:
    """The rows in float64, each divided by its largest absolute entry (float cdd's tolerances are absolute).  A float
    array is divided as it is (it is already finite floats)."""
    A = np.array(rows, dtype=float) if isinstance(rows, np.ndarray) else pow2_scaled(rows)
    A /= np.maximum(np.abs(A).max(axis=1, keepdims=True), 1e-300)
    return A


def float_candidates(rows: Sequence[Row]) -> list[int] | None:
    """Indices of the rows that a floating-point double description finds tight at some generator — a *heuristic*
    filter only (it may keep redundant rows through a degenerate vertex, and a float error may drop a facet).

    Callers must verify the result exactly (see ``exactrelu.geometry.construct``); None when the float computation
    fails.  Float cdd's own redundancy removal (``matrix_canonicalize``) is not used: on some badly scaled rows it
    corrupts the heap and aborts the process (a 16-row reproducer is in ``tests/test_cdd_float_crash.py``).
    """
    STATS["float_filter"] += 1
    proposal = float_generators(rows)
    if proposal is None:
        return None
    m = len(rows)
    cand = sorted({i for s in proposal[1] for i in s if i < m})
    return cand or None


def float_generators(rows: Sequence[Row] | np.ndarray) -> tuple[list[bool], list[set[int]]] | None:
    """A floating-point double description *proposal*: for each generator, whether it is a vertex (else a ray), and
    its incidence set (indices of the rows it makes tight; cdd's row ``len(rows)`` is the hyperplane at infinity).

    Callers must certify the result exactly (see :mod:`exactrelu.geometry.simplecell`); None when cdd fails or finds
    lines.
    """
    STATS["float_dd"] += 1
    try:
        A = _scaled(rows)
        P = cdd.polyhedron_from_matrix(cdd.matrix_from_array(A.tolist(), rep_type=cdd.RepType.INEQUALITY),
                                       row_order=cdd.RowOrderType.MAX_CUTOFF)  # measured fastest here
        gen = cdd.copy_generators(P)
        if gen.lin_set:
            return None
        inc = cdd.copy_incidence(P)
        m = len(A)
        if not A[:, 0].any():  # homogeneous rows: cdd treats a cone, lists only rays and omits the apex
            kinds = [False] * len(inc)
        else:
            kinds = [m not in s for s in inc]  # rays lie on cdd's hyperplane at infinity (their x0 may be ~1e-16)
    except Exception:  # noqa: BLE001 - any float failure just disables the fast path
        return None
    return kinds, [set(s) for s in inc]
