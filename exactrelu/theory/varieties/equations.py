"""Rank constraints of pattern varieties and their minors (docs/mathematics.md H2).

Every constraint says that one matrix built from the blocks has rank at most a bound, for every choice of weights;
so its ``(bound + 1)``-minors vanish on the pattern variety.  With ``r_i`` the generic rank of ``M_i``
(:func:`~exactrelu.theory.varieties.dimension.block_rank`) and ``n0' = n0 + bias``:

* ``M_i``: rank ``<= r_i``;
* ``[M_i | M_j | ...]`` (side by side): every column lies in the span of the columns of the output layer ``W^(L+1)``
  of the neurons active in the last hidden layer of some block, so rank ``<= |∪ A_{i,L}|`` (+1 with ``bias``, the
  output bias); for two blocks of one hidden layer this is H2's ``(n1+1)``-minors (sharper when a neuron is used
  by neither block);
* ``[M_i^T | M_j^T | ...]`` (stacked): rows in the row space of the first layer's active rows, rank
  ``<= |∪ A_{i,1}|`` (+1);
* ``Σ c_i M_i`` with ``c_i ∈ {-1, 0, 1}`` over blocks that agree on every hidden layer but one, ``l``:
  ``Σ c_i M_i = P (Σ c_i D_{A_i,l}) Q``, so rank ``<= #{j : Σ_i c_i [j ∈ A_{i,l}] != 0}`` (+1 with ``bias`` when
  ``Σ c_i != 0``).  For two blocks this is H2's ``(t+1)``-minors of ``M_1 - M_2``, ``t = |A_1 Δ A_2|``; a bound 0
  gives linear equations (e.g. ``M_1 = M_2 + M_3`` when ``A_1 = A_2 ⊔ A_3``).

With ``bias`` the linear parts ``Mlin_i`` (``M_i`` without its constant column) are the blocks of the bias-free
variety, so they satisfy every bias-free constraint too.

Constraints that cannot cut anything (bound >= the matrix's smaller side) are left out, and for three or more blocks
so are those implied by the blocks' own ranks.

Examples
--------
>>> from exactrelu.theory.varieties.patterns import normalize_patterns
>>> arch = (3, 3, 3)
>>> [str(c) for c in rank_constraints(arch, normalize_patterns(arch, ["123", "1"]), False)]
['rank M2 <= 1', 'rank (M1 - M2) <= 2']
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.network import Network
from exactrelu.engines import flintlib
from exactrelu.engines import sympylib as S
from exactrelu.theory.varieties.patterns import Pattern, block_rank

__all__ = ["RankConstraint", "rank_constraints", "minors", "nonzero_minor", "exact_rank", "normal_functionals",
           "equations_upper_bound", "network_blocks", "Membership"]


@dataclass(frozen=True)
class RankConstraint:
    """``rank(matrix) <= bound`` where the matrix is built from the blocks: ``kind`` is ``"block"``, ``"hcat"``
    (side by side), ``"vcat"`` (stacked; H2's ``[M_1^T | M_2^T]``) or ``"combination"`` (``Σ c_i M_i``)."""

    kind: str
    blocks: tuple[int, ...]
    coefficients: tuple[int, ...]
    bound: int
    reason: str
    symbol: str = "M"
    linear: bool = False

    @property
    def name(self) -> str:
        s = self.symbol + ("lin" if self.linear else "")
        if self.kind == "block":
            return f"{s}{self.blocks[0] + 1}"
        if self.kind == "hcat":
            return "[" + " | ".join(f"{s}{i + 1}" for i in self.blocks) + "]"
        if self.kind == "vcat":
            return "[" + " | ".join(f"{s}{i + 1}^T" for i in self.blocks) + "]^T"
        out = ""
        for i, c in zip(self.blocks, self.coefficients):
            out += ("" if not out and c > 0 else (" + " if c > 0 else (" - " if out else "-"))) + f"{s}{i + 1}"
        return f"({out})"

    def __str__(self) -> str:
        return f"rank {self.name} <= {self.bound}"

    def matrix(self, blocks: Sequence[Any]) -> list[list[Any]]:
        """The constrained matrix built from ``blocks`` (each a list of rows: sympy entries or Fractions)."""
        rows = [[list(r)[:-1] if self.linear else list(r) for r in blocks[i]] for i in self.blocks]
        if self.kind == "block":
            return rows[0]
        if self.kind == "hcat":
            return [sum((b[r] for b in rows), []) for r in range(len(rows[0]))]
        if self.kind == "vcat":
            return [r for b in rows for r in b]
        out = [[0 * v for v in r] for r in rows[0]]
        for c, b in zip(self.coefficients, rows):
            out = [[a + c * v for a, v in zip(ra, rb)] for ra, rb in zip(out, b)]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"matrix": self.name, "bound": self.bound, "reason": self.reason, "linear_part": self.linear}


def rank_constraints(architecture: Sequence[int], patterns: Sequence[Pattern], bias: bool,
                     symbol: str = "M") -> tuple[RankConstraint, ...]:
    """The rank constraints that hold on the pattern variety (see the module docstring), in a fixed order."""
    arch = tuple(architecture)
    k, b = len(patterns), int(bias)
    m, n0 = arch[-1], arch[0] + b
    r = [block_rank(arch, p, bias) for p in patterns]
    out: list[RankConstraint] = []
    for i in range(k):
        if r[i] < min(m, n0):
            out.append(RankConstraint("block", (i,), (1,), r[i], "generic rank of one block: min(n0, m, |A_l|)"
                                      + (" + 1 (bias)" if bias else ""), symbol))
    for size in range(2, k + 1):
        for sub in itertools.combinations(range(k), size):
            for kind, layer, rows, cols in (("hcat", -1, m, size * n0), ("vcat", 0, size * m, n0)):
                bound = len(set().union(*(patterns[i][layer] for i in sub))) + b
                if bound < min(rows, cols) and (size == 2 or bound < sum(r[i] for i in sub)):
                    where = "output layer's active columns" if kind == "hcat" else "first layer's active rows"
                    out.append(RankConstraint(kind, sub, (1,) * size, bound,
                                              f"all in the span of the {where}: |union of A|"
                                              + (" + 1 (bias)" if bias else ""), symbol))
    for size in range(2, k + 1):
        for sub in itertools.combinations(range(k), size):
            differ = [l for l in range(len(arch) - 2) if len({patterns[i][l] for i in sub}) > 1]
            if len(differ) > 1:
                continue
            l = differ[0] if differ else 0
            other = min([m, n0] + [len(patterns[sub[0]][q]) + b for q in range(len(arch) - 2) if q != l])
            for tail in itertools.product((1, -1), repeat=size - 1):
                c = (1,) + tail
                if size == 2 and c != (1, -1):
                    continue
                counts = [sum(ci * (j in patterns[i][l]) for ci, i in zip(c, sub)) for j in range(arch[l + 1])]
                t = min(other, sum(1 for v in counts if v) + (b if sum(c) else 0))
                union = len(set().union(*(patterns[i][l] for i in sub))) + b
                if t >= min(m, n0):
                    continue
                if size > 2 and not (t < sum(r[i] for i in sub) and t < union):
                    continue
                out.append(RankConstraint("combination", sub, c, t,
                                          f"= P (sum of c_i D_(A_i,{l + 1})) Q: {t} neuron(s) keep a nonzero "
                                          "coefficient" + (" (+1 bias)" if bias and sum(c) else ""), symbol))
    if bias:  # the linear parts A_i (all columns but the constant one) are the blocks of the bias-free variety
        out += [RankConstraint(c.kind, c.blocks, c.coefficients, c.bound, c.reason + " (linear part, no bias)",
                               symbol, True) for c in rank_constraints(arch, patterns, False, symbol)]
    return tuple(out)


def minors(matrix: Sequence[Sequence[Any]], size: int) -> list[sp.Expr]:
    """All ``size x size`` minors of a symbolic matrix, expanded, without zeros and duplicates up to sign."""
    M = sp.Matrix(matrix)
    out: list[sp.Expr] = []
    seen: set[sp.Expr] = set()
    for rows in itertools.combinations(range(M.rows), size):
        for cols in itertools.combinations(range(M.cols), size):
            e = sp.expand(M.extract(list(rows), list(cols)).det(method="berkowitz"))
            if e == 0 or e in seen or -e in seen:
                continue
            seen.add(e)
            out.append(e)
    return out


def exact_rank(matrix: Sequence[Sequence[Fraction]]) -> int:
    """Exact rank over Q (flint)."""
    if not matrix or not len(matrix[0]):
        return 0
    return flintlib.rank(matrix)


def nonzero_minor(matrix: Sequence[Sequence[Fraction]],
                  size: int) -> tuple[tuple[int, ...], tuple[int, ...], Fraction] | None:
    """Rows, columns (0-based) and value of a nonzero ``size``-minor, or None when the rank is below ``size``.

    >>> nonzero_minor([[1, 2], [2, 4]], 1), nonzero_minor([[1, 2], [2, 4]], 2)
    (((0,), (0,), Fraction(1, 1)), None)
    """
    if exact_rank(matrix) < size:
        return None
    _, pivots = flintlib.rref_reference(matrix)
    cols = tuple(pivots[:size])
    sub_t = [[Fraction(matrix[i][j]) for i in range(len(matrix))] for j in cols]
    _, row_pivots = flintlib.rref_reference(sub_t)
    rows = tuple(row_pivots[:size])
    value = sp.Matrix([[S.to_sympy(Fraction(matrix[i][j])) for j in cols] for i in rows]).det()
    return rows, cols, S.from_sympy(value)


def network_blocks(net: Network, patterns: Sequence[Pattern], bias: bool) -> list[list[list[Fraction]]]:
    """The blocks ``M_i`` of a concrete network (exact): ``A_i``, or ``[A_i | c_i]`` with ``bias``."""
    out = []
    for p in patterns:
        masks = tuple(tuple(int(j in s) for j in range(n)) for s, n in zip(p, net.hidden_widths))
        A, c = net.affine_map(masks)
        out.append([list(A[r]) + ([c[r]] if bias else []) for r in range(net.output_dim)])
    return out


def normal_functionals(constraint: RankConstraint, blocks: Sequence[Sequence[Sequence[Fraction]]]) -> list[dict]:
    """Gradients at ``blocks`` of the minors of one constraint, as sparse functionals ``{(i, r, q): coefficient}``.

    Where the constrained matrix ``N`` has rank exactly ``bound``, the gradients of its ``(bound+1)``-minors span
    ``{dM -> l^T N(dM) k}`` over left kernel vectors ``l`` and right kernel vectors ``k`` of ``N``; where the rank is
    lower they all vanish (and an empty list is returned).
    """
    N = constraint.matrix(blocks)
    if exact_rank(N) != constraint.bound:
        return []
    left = flintlib.nullspace([list(col) for col in zip(*N)])
    right = flintlib.nullspace(N)
    ncols = len(blocks[0][0]) - int(constraint.linear)
    nrows = len(blocks[0])
    out = []
    for lv in left:
        for kv in right:
            f: dict = {}
            for t, i in enumerate(constraint.blocks):
                for r in range(nrows):
                    for q in range(ncols):
                        if constraint.kind == "hcat":
                            v = lv[r] * kv[t * ncols + q]
                        elif constraint.kind == "vcat":
                            v = lv[t * nrows + r] * kv[q]
                        else:
                            v = constraint.coefficients[t] * lv[r] * kv[q]
                        if v:
                            f[(i, r, q)] = f.get((i, r, q), 0) + v
            out.append(f)
    return out


def equations_upper_bound(architecture: Sequence[int], patterns: Sequence[Pattern], bias: bool,
                          theta: Sequence[Fraction]) -> int:
    """``ambient - rank`` of the gradients of all rank-constraint minors at the parametrised point ``M(θ)``.

    A certified upper bound of the dimension (docs/mathematics.md H3): the variety is irreducible, its generic
    point is smooth, and the gradient rank can only grow from ``M(θ)`` to a generic point (lower semicontinuity),
    where the tangent space lies in the kernel of the gradients.
    """
    arch = tuple(architecture)
    blocks = network_blocks(Network.from_parameters(arch, theta), patterns, bias)
    m, n = len(blocks[0]), len(blocks[0][0])
    index = {(i, r, q): (i * m + r) * n + q for i in range(len(blocks)) for r in range(m) for q in range(n)}
    rows = []
    for c in rank_constraints(arch, patterns, bias):
        for f in normal_functionals(c, blocks):
            row = [Fraction(0)] * len(index)
            for key, v in f.items():
                row[index[key]] = Fraction(v)
            rows.append(row)
    return len(index) - (exact_rank(rows) if rows else 0)


@dataclass(frozen=True)
class Membership:
    """The answer of a membership test, with its evidence.

    ``answer`` is True (with an exact ``witness`` network realising the blocks), False (with the violated
    ``constraint`` and a nonzero ``minor`` ``(rows, columns, value)``, 0-based, of the constrained matrix, or another
    stated reason) or None (undecided: the necessary rank conditions hold, and no exact decision was available).
    """

    answer: bool | None
    reason: str
    constraint: RankConstraint | None = None
    minor: tuple[tuple[int, ...], tuple[int, ...], Fraction] | None = None
    witness: Network | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        head = {True: "yes", False: "no", None: "undecided"}[self.answer]
        out = f"{head}: {self.reason}"
        if self.minor is not None:
            rows, cols, val = self.minor
            out += (f"; nonzero minor on rows {[r + 1 for r in rows]}, columns {[c + 1 for c in cols]}: "
                    f"{_fmt(val)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"answer": self.answer, "reason": self.reason,
                             "constraint": self.constraint.to_dict() if self.constraint else None}
        if self.minor is not None:
            rows, cols, val = self.minor
            d["minor"] = {"rows": [r + 1 for r in rows], "columns": [c + 1 for c in cols], "value": _fmt(val)}
        else:
            d["minor"] = None
        d["witness"] = None if self.witness is None else [
            {"weights": [[_fmt(v) for v in r] for r in layer.weights], "biases": [_fmt(v) for v in layer.biases]}
            for layer in self.witness.layers]
        d.update(self.extra)
        return d


def _fmt(v: Fraction) -> str:
    return str(Fraction(v))
