"""Output varieties and realizability of outputs with given activation patterns (docs/mathematics.md H1).

For data blocks ``X_1, ..., X_k`` (``X_i`` is ``n0 x N_i``: **columns are data points**) the output variety is the
Zariski closure of ``{(M_1 X_1, ..., M_k X_k)}`` as the weights vary, i.e. the image of the pattern variety under the
linear map ``(M_i) -> (M_i X_i)``.  With ``bias=True`` each ``X_i`` is augmented by a row of ones.

* Dimension: the modular Jacobian rank at random integer weights (lower bound) against
  ``min(upper bound of the pattern variety, Σ_i m rank X_i, ambient)``; when every ``X_i`` has full row rank the
  linear map is injective and the two varieties have the same dimension.
* Equations: ``Y_i K_i = 0`` for a basis ``K_i`` of the right kernel of ``X_i`` (``Y_i`` lies in ``M X_i``), the rank
  bounds of ``Y_i`` and of ``[Y_i | Y_j | ...]``, and, when every ``X_i`` has full row rank, every rank constraint of
  the pattern variety applied to ``M_i = Y_i R_i`` (``R_i`` a right inverse of ``X_i``).
* :func:`realizable` decides whether given outputs ``Y_i`` can be produced as ``M_i X_i``: no with a violated
  equation or minor, yes with a witness network, or undecided.

Examples
--------
>>> X = [[[1, 0, 1], [0, 1, 1]], [[1, 2], [1, -1]]]
>>> O = output_variety((2, 2, 2), X, ["12", "1"])
>>> O.dimension, O.proved, O.ambient
(6, True, 10)
>>> Y = [[[1, 0, 1], [0, 1, 1]], [[1, 2], [1, -1]]]   # M_1 = I, M_2 = I: rank 2 > 1
>>> r = realizable(Y, X, (2, 2, 2), ["12", "1"])
>>> r.answer, str(r.constraint)          # on M_i = Y_i R_i: the data blocks have full row rank
(False, 'rank M2 <= 1')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import ShapeError
from exactrelu.core.rational import as_rational
from exactrelu.engines import flintlib
from exactrelu.engines import sympylib as S
from exactrelu.theory.varieties.dimension import (
    BoundedDimension,
    DimensionBounds,
    block_rank,
    dim_det,
    parametrisation_jacobian,
    random_weights,
)
from exactrelu.theory.varieties.equations import Membership, RankConstraint, exact_rank, minors, nonzero_minor
from exactrelu.theory.varieties.variety import PatternVariety, defect_reasons, pattern_variety

__all__ = ["OutputVariety", "output_variety", "realizable"]

Matrix = list[list[Fraction]]


def _data(X: Sequence[Sequence[Sequence[object]]], n0: int, bias: bool, k: int) -> tuple[Matrix, ...]:
    if len(X) != k:
        raise ShapeError(f"expected {k} data blocks (one per pattern), got {len(X)}")
    out = []
    for i, B in enumerate(X):
        rows = [[as_rational(v) for v in r] for r in B]
        if len(rows) != n0 or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
            raise ShapeError(f"data block {i + 1} must be {n0} x N (columns are points), non-empty")
        if bias:
            rows.append([Fraction(1)] * len(rows[0]))
        out.append(rows)
    return tuple(out)


def _right_inverse(X: Matrix) -> Matrix:
    """``R = X^T (X X^T)^{-1}`` for ``X`` of full row rank (exact)."""
    n, N = len(X), len(X[0])
    G = [[sum(X[a][p] * X[b][p] for p in range(N)) for b in range(n)] for a in range(n)]
    cols = [flintlib.solve(G, [Fraction(int(a == b)) for a in range(n)]) for b in range(n)]
    Ginv = [[cols[b][a] for b in range(n)] for a in range(n)]
    return [[sum(X[a][p] * Ginv[a][b] for a in range(n)) for b in range(n)] for p in range(N)]


def _mul(A: Sequence[Sequence[Any]], B: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [[sum((a * B[t][j] for t, a in enumerate(row)), 0 * B[0][j]) for j in range(len(B[0]))] for row in A]


@dataclass(frozen=True, eq=False)
class OutputVariety(BoundedDimension):
    """The output variety of a pattern variety on data blocks (build it with :func:`output_variety`)."""

    pattern_variety: PatternVariety
    data: tuple[Matrix, ...]
    bounds: DimensionBounds

    @property
    def ambient(self) -> int:
        return self.pattern_variety.architecture[-1] * sum(len(X[0]) for X in self.data)

    @property
    def free_parameters(self) -> int:
        return self.pattern_variety.free_parameters

    @property
    def reason(self) -> str | None:
        if self.defect <= 0:
            return None
        V = self.pattern_variety
        why = defect_reasons(V.architecture, V.patterns, V.bias)
        n = V.shape[1]
        why += [f"data block {i + 1} has rank {exact_rank(X)} < {n}" for i, X in enumerate(self.data)
                if exact_rank(X) < n]
        return "; ".join(why) if why else "not explained by GL_s symmetries, unused parameters or the data"

    @property
    def full_row_rank(self) -> bool:
        n = self.pattern_variety.shape[1]
        return all(exact_rank(X) == n for X in self.data)

    def parametrisation(self) -> tuple[sp.Matrix, ...]:
        """``(M_1 X_1, ..., M_k X_k)`` in the weight symbols."""
        return tuple(sp.expand(M * sp.Matrix([[S.to_sympy(v) for v in r] for r in X]))
                     for M, X in zip(self.pattern_variety.parametrisation(), self.data))

    def ambient_symbols(self) -> tuple[sp.Matrix, ...]:
        m = self.pattern_variety.architecture[-1]
        return tuple(sp.Matrix(m, len(X[0]), [S.free_symbol(f"Y{i + 1}_{r + 1}_{c + 1}") for r in range(m)
                                              for c in range(len(X[0]))]) for i, X in enumerate(self.data))

    def linear_equations(self, blocks: Sequence[Sequence[Sequence[Any]]]) -> list[tuple[int, int, int, Any]]:
        """``(block, row, kernel vector, value)`` of ``Y_i K_i`` for the given blocks (0-based)."""
        out = []
        for i, (X, Y) in enumerate(zip(self.data, blocks)):
            if exact_rank(X) == len(X[0]):
                continue
            for t, kvec in enumerate(flintlib.nullspace(X)):
                for r, row in enumerate(Y):
                    out.append((i, r, t, sum((a * b for a, b in zip(row, kvec)), 0 * row[0])))
        return out

    def rank_constraints(self) -> list[tuple[RankConstraint, bool]]:
        """``(constraint, on_recovered_M)``: on ``Y`` directly (blocks, side by side) or, with full row rank data,
        every pattern constraint on ``M_i = Y_i R_i``."""
        V = self.pattern_variety
        if self.full_row_rank:
            return [(c, True) for c in V.rank_constraints()]
        m = V.architecture[-1]
        out = []
        for c in V.rank_constraints():
            if c.kind == "block" or c.kind == "hcat":
                cols = sum(len(self.data[i][0]) for i in c.blocks)
                if c.bound < min(m, cols):
                    out.append((RankConstraint(c.kind, c.blocks, c.coefficients, c.bound, c.reason, "Y"), False))
        return out

    def _constrained(self, c: RankConstraint, recovered: bool, blocks: Sequence[Any]) -> list[list[Any]]:
        if recovered:
            blocks = [_mul(Y, _right_inverse(X)) for Y, X in zip(blocks, self.data)]
        return c.matrix(blocks)

    def equations(self) -> tuple[sp.Expr, ...]:
        """Polynomials in :meth:`ambient_symbols` vanishing on the output variety (see the module docstring)."""
        syms = [[list(M.row(r)) for r in range(M.rows)] for M in self.ambient_symbols()]
        out: list[sp.Expr] = []
        seen: set[sp.Expr] = set()

        def add(e: sp.Expr) -> None:
            e = sp.expand(e)
            if e != 0 and e not in seen and -e not in seen:
                seen.add(e)
                out.append(e)

        for *_, v in self.linear_equations(syms):
            add(v)
        for c, rec in self.rank_constraints():
            for e in minors(self._constrained(c, rec, syms), c.bound + 1):
                add(sp.together(e) * 1)
        return tuple(out)

    def contains(self, blocks: Sequence[Sequence[Sequence[object]]]) -> Membership:
        """Same as :func:`realizable` on this variety's data."""
        return _realizable(self, blocks)

    def to_dict(self, equations: bool = False) -> dict[str, Any]:
        return {"dimension": self.dimension, "lower_bound": self.lower_bound, "upper_bound": self.upper_bound,
                "proved": self.proved, "expected_dimension": self.expected_dimension, "ambient": self.ambient,
                "defect": self.defect, "reason": self.reason,
                "equations": [S.expr_str(e) for e in self.equations()] if equations else None}

    def __repr__(self) -> str:
        V = self.pattern_variety
        state = f"dim={self.dimension}" if self.proved else f"{self.lower_bound}<=dim<={self.upper_bound}"
        return (f"OutputVariety({V.label()} on data of {[len(X[0]) for X in self.data]} points; {state}, "
                f"expected {self.expected_dimension}, ambient {self.ambient})")

    def __str__(self) -> str:
        return (f"output variety of {self.pattern_variety.label()} on {len(self.data)} data blocks\n"
                f"  dimension {self.dimension}" + ("" if self.proved else f" (lower bound; upper {self.upper_bound})")
                + f"\n  {self.bounds}\n  expected {self.expected_dimension}, ambient {self.ambient}, defect "
                f"{self.defect}" + (f"\n  reason: {self.reason}" if self.reason else ""))


def output_variety(architecture: Sequence[int], X: Sequence[Sequence[Sequence[object]]], patterns: Sequence[object],
                   bias: bool = False, *, seed: int = 0) -> OutputVariety:
    """The output variety of ``architecture`` with ``patterns`` on data blocks ``X`` (docs/mathematics.md H1).

    ``X[i]`` is an ``n0 x N_i`` matrix of exact rationals whose columns are the data points of block ``i``.
    """
    V = pattern_variety(architecture, patterns, bias, seed=seed)
    data = _data(X, V.architecture[0], V.bias, len(V.patterns))
    m = V.architecture[-1]
    ambient = m * sum(len(D[0]) for D in data)
    ranks = [exact_rank(D) for D in data]
    n = V.shape[1]
    bounds = [("ambient dimension", ambient), ("Σ_i m rank X_i", sum(m * r for r in ranks)),
              ("rank bounds of the blocks", sum(dim_det(min(rk, block_rank(V.architecture, p, V.bias)), m, len(D[0]))
                                                for rk, p, D in zip(ranks, V.patterns, data)))]
    bounds.append(("pattern variety: " + V.bounds.upper_by + (" (data of full row rank)" if all(r == n for r in ranks)
                                                              else ""), V.upper_bound))
    upper_by, upper = min(reversed(bounds), key=lambda t: t[1])
    lower, lower_by = -1, ""
    for t in range(3):
        J = parametrisation_jacobian(V.architecture, V.patterns, V.bias, random_weights(V.architecture, seed + t))
        rows = []
        per = m * n
        for i, D in enumerate(data):
            for k in range(m):
                base = [J[i * per + k * n + j] for j in range(n)]
                for p in range(len(D[0])):
                    rows.append([sum((D[j][p] * base[j][q] for j in range(n) if D[j][p]), Fraction(0))
                                 for q in range(len(base[0]))])
        r = flintlib.rank_mod_p(rows) if rows and rows[0] else 0
        if r > lower:
            lower, lower_by = r, f"Jacobian rank mod 2^61-1 at random integer weights (seed {seed + t})"
        if lower >= upper:
            break
    return OutputVariety(V, data, DimensionBounds(lower, upper, lower_by, upper_by, tuple(bounds)))


def _realizable(O: OutputVariety, blocks: Sequence[Sequence[Sequence[object]]]) -> Membership:
    V = O.pattern_variety
    m = V.architecture[-1]
    if len(blocks) != len(O.data):
        raise ShapeError(f"expected {len(O.data)} output blocks, got {len(blocks)}")
    Ys = []
    for i, (B, X) in enumerate(zip(blocks, O.data)):
        rows = [[as_rational(v) for v in r] for r in B]
        if len(rows) != m or any(len(r) != len(X[0]) for r in rows):
            raise ShapeError(f"output block {i + 1} must be {m} x {len(X[0])} (columns are points)")
        Ys.append(rows)
    for i, r, t, val in O.linear_equations(Ys):
        if val:
            return Membership(False, f"row {r + 1} of Y{i + 1} is not in the row space of X{i + 1}: Y{i + 1} K = 0 "
                                     f"fails for kernel vector {t + 1} of X{i + 1} (value {val})")
    for c, rec in O.rank_constraints():
        N = O._constrained(c, rec, Ys)
        rk = exact_rank(N)
        if rk > c.bound:
            name = str(c) if not rec else f"{c} with M_i = Y_i R_i"
            return Membership(False, f"{name} fails (rank {rk})", c, nonzero_minor(N, c.bound + 1))
    if not O.full_row_rank:
        return Membership(None, "every necessary rank condition holds; with data blocks of deficient row rank the "
                                "blocks M_i are not determined by the outputs, and no exact decision is implemented")
    Ms = [_mul(Y, _right_inverse(X)) for Y, X in zip(Ys, O.data)]
    ans = V.contains(Ms)
    if ans.answer and ans.witness is not None:
        net = ans.witness
        holds = all(net.pattern([X[j][p] for j in range(V.architecture[0])]) ==
                    tuple(tuple(int(q in s) for q in range(n)) for s, n in zip(pat, V.architecture[1:-1]))
                    for X, pat in zip(O.data, V.patterns) for p in range(len(X[0])))
        return Membership(True, ans.reason + "; the blocks are M_i = Y_i R_i (data of full row rank)",
                          witness=net, extra={"patterns_hold_on_data": holds})
    return Membership(ans.answer, ans.reason + " (for M_i = Y_i R_i, data of full row rank)", ans.constraint,
                      ans.minor, ans.witness)


def realizable(Y: Sequence[Sequence[Sequence[object]]], X: Sequence[Sequence[Sequence[object]]],
               architecture: Sequence[int], patterns: Sequence[object], bias: bool = False) -> Membership:
    """Can the outputs ``Y_i`` (``m x N_i``) be produced as ``M_i X_i`` with these patterns (docs/mathematics.md H1)?

    The question is algebraic (the blocks are any point of the pattern variety's parametrisation); whether the witness
    network's actual activation pattern on each data point is ``A_i`` is reported in ``extra["patterns_hold_on_data"]``.

    Returns a :class:`~exactrelu.theory.varieties.variety.Membership`: False with the violated linear equation or
    minor, True with a witness network (exact; its blocks times the data reproduce ``Y``), or None (undecided).
    """
    return _realizable(output_variety(architecture, X, patterns, bias), Y)
