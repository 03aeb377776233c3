"""Pattern varieties of ReLU networks: parametrisation, certified dimension, defect, equations, membership
(docs/mathematics.md H1-H3).

For an architecture ``(n0, n1, ..., nL, m)`` and activation patterns ``A_1, ..., A_k`` (one set of active neurons per
hidden layer for each block), block ``i`` computes the linear map ``M_i = W^(L+1) D_{A_i,L} ... D_{A_i,1} W^(1)``.
The **pattern variety** is the Zariski closure of ``{(M_1, ..., M_k)}`` as the weights vary (docs/mathematics.md H1).

Biases (``bias=True``) are folded into an augmented input ``(x, 1)``: every layer becomes
``[[W^(l), b^(l)], [0, 1]]`` (a constant neuron that is always active), so ``M_i = [A_i | c_i]`` is the
``m x (n0 + 1)`` affine map of the region with pattern ``A_i``, and every bias is a variable.  With
``bias=False`` (the default) ``M_i`` is ``m x n0`` and the biases play no role.

Examples
--------
>>> V = pattern_variety((3, 3, 3), ["123", "1"])
>>> V.dimension, V.proved, V.expected_dimension, V.defect
(13, True, 15, 2)
>>> print(V.reason)  # doctest: +NORMALIZE_WHITESPACE
neurons {2,3} of layer 1 have the same membership (active in block 1): GL_2 acts on them,
2 dimensions beyond their scalings
>>> V.parametrisation()[1][0, 0]
W1_1_1*W2_1_1
>>> [str(c) for c in V.rank_constraints()]
['rank M2 <= 1', 'rank (M1 - M2) <= 2']
>>> V.contains([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 0, 0], [0, 0, 0]]]).answer
True
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import ShapeError
from exactrelu.core.network import Network
from exactrelu.core.rational import as_rational
from exactrelu.engines import flintlib
from exactrelu.engines import sympylib as S
from exactrelu.theory.varieties.dimension import BoundedDimension, DimensionBounds, block_formula, dimension_bounds
from exactrelu.theory.varieties.equations import (
    Membership,
    RankConstraint,
    exact_rank,
    minors,
    network_blocks,
    nonzero_minor,
    rank_constraints,
)
from exactrelu.theory.varieties.groebner import implicit_membership
from exactrelu.theory.varieties.patterns import (
    Pattern,
    check_architecture,
    membership_classes,
    normalize_patterns,
    pattern_label,
    used_parameters,
    variety_parameters,
)

__all__ = ["PatternVariety", "pattern_variety", "block_matrices", "defect_reasons", "symbolic_blocks"]

Matrix = list[list[Fraction]]


def symbolic_blocks(architecture: Sequence[int], patterns: Sequence[Pattern], bias: bool) -> tuple[sp.Matrix, ...]:
    """``M_i`` as sympy matrices in the parameter symbols ``W{l}_{i}_{j}``, ``b{l}_{i}`` (docs/mathematics.md H1)."""
    arch = tuple(architecture)
    syms = S.parameter_symbols(arch)
    layers, pos = [], 0
    for l in range(1, len(arch)):
        n_in, n_out = arch[l - 1], arch[l]
        W = sp.Matrix(n_out, n_in, syms[pos:pos + n_out * n_in])
        b = sp.Matrix(n_out, 1, syms[pos + n_out * n_in:pos + n_out * (n_in + 1)])
        pos += n_out * (n_in + 1)
        if bias:
            W = W.row_join(b)
            if l < len(arch) - 1:
                W = W.col_join(sp.Matrix([[0] * n_in + [1]]))
        layers.append(W)
    out = []
    for p in patterns:
        M = layers[0]
        for l, s in enumerate(p):
            D = sp.diag(*([int(j in s) for j in range(arch[l + 1])] + ([1] if bias else [])))
            M = layers[l + 1] * D * M
        out.append(sp.expand(M))
    return tuple(out)


def block_matrices(net: Network, patterns: Sequence[Pattern], bias: bool) -> tuple[Matrix, ...]:
    """The blocks ``M_i`` of a concrete network (exact): ``A_i`` or ``[A_i | c_i]`` of each pattern."""
    return tuple(network_blocks(net, patterns, bias))


def defect_reasons(architecture: Sequence[int], patterns: Sequence[Pattern], bias: bool) -> list[str]:
    """Structural causes of a dimension defect: classes of ``s >= 2`` neurons with identical membership (a ``GL_s``
    symmetry, docs/mathematics.md H3), neurons active in no block, weights on no active path, and (one hidden layer)
    dependent columns of the blocks x classes incidence matrix."""
    arch = tuple(architecture)
    out = []
    for l, classes in enumerate(membership_classes(arch, patterns), start=1):
        for js, v in classes:
            s = len(js)
            if s >= 2:
                active = [str(i + 1) for i, x in enumerate(v) if x]
                blocks = ("block " if len(active) == 1 else "blocks ") + ", ".join(active)
                out.append(f"neurons {{{','.join(str(j + 1) for j in js)}}} of layer {l} have the same membership "
                           f"(active in {blocks}): GL_{s} acts on them, {s * s - s} dimensions beyond their scalings")
        idle = [j for j in range(arch[l]) if not any(j in p[l - 1] for p in patterns)]
        if idle:
            out.append(f"neuron(s) {{{','.join(str(j + 1) for j in idle)}}} of layer {l} are active in no block: "
                       "their parameters do not enter")
    used = used_parameters(arch, patterns, bias)
    idle_neuron_free = sum(1 for i in variety_parameters(arch, bias) if not used[i])
    if len(arch) > 3 and idle_neuron_free:
        out.append(f"{idle_neuron_free} parameter(s) lie on no active path of any block")
    if len(arch) == 3 and not block_formula(arch, patterns, bias).exact:
        out.append("the blocks x classes incidence matrix has dependent columns")
    return out


@dataclass(frozen=True, eq=False)
class PatternVariety(BoundedDimension):
    """The pattern variety of ``architecture`` and ``patterns`` (build it with :func:`pattern_variety`).

    Attributes: ``architecture``, ``patterns`` (0-based sets per hidden layer), ``bias``, ``bounds`` (certified
    :class:`~exactrelu.theory.varieties.dimension.DimensionBounds`).  ``dimension`` is the proved dimension when
    ``proved``, otherwise the certified lower bound (the upper bound is ``upper_bound``).
    """

    architecture: tuple[int, ...]
    patterns: tuple[Pattern, ...]
    bias: bool
    bounds: DimensionBounds

    @property
    def shape(self) -> tuple[int, int]:
        """``(m, n0)``, or ``(m, n0 + 1)`` with biases."""
        return self.architecture[-1], self.architecture[0] + int(self.bias)

    @property
    def ambient(self) -> int:
        m, n = self.shape
        return len(self.patterns) * m * n

    @property
    def num_parameters(self) -> int:
        return len(variety_parameters(self.architecture, self.bias))

    @property
    def free_parameters(self) -> int:
        """``#parameters - #scalings``, one scaling per hidden neuron (the naive count of H3)."""
        return self.num_parameters - sum(self.architecture[1:-1])

    @property
    def reason(self) -> str | None:
        """Why the dimension falls short of the expected one (None when there is no defect)."""
        if self.defect <= 0:
            return None
        why = defect_reasons(self.architecture, self.patterns, self.bias)
        if self.proved and self.bounds.upper_by.startswith(("rank bounds", "bias-free rank bounds")):
            why.append(f"the {self.bounds.upper_by} (rank M_i <= r_i) cap the dimension at {self.upper_bound}")
        return "; ".join(why) if why else "not explained by GL_s symmetries, unused parameters or rank bounds"

    # ------------------------------------------------------------------ algebra
    def parametrisation(self) -> tuple[sp.Matrix, ...]:
        """``(M_1, ..., M_k)`` as sympy matrices in the weight symbols (docs/mathematics.md H1)."""
        return symbolic_blocks(self.architecture, self.patterns, self.bias)

    def ambient_symbols(self) -> tuple[sp.Matrix, ...]:
        """The coordinates of the ambient space: ``M{i}_{r}_{c}`` (block, row, column; 1-based)."""
        m, n = self.shape
        return tuple(sp.Matrix(m, n, [S.free_symbol(f"M{i + 1}_{r + 1}_{c + 1}") for r in range(m) for c in range(n)])
                     for i in range(len(self.patterns)))

    def rank_constraints(self) -> tuple[RankConstraint, ...]:
        """The rank constraints of docs/mathematics.md H2 that cut something (see :mod:`.equations`)."""
        return rank_constraints(self.architecture, self.patterns, self.bias)

    def equations(self) -> tuple[sp.Expr, ...]:
        """The minors of the rank constraints, as polynomials in :meth:`ambient_symbols` (docs/mathematics.md H2).

        Each vanishes on the variety (a theorem: the rank bound holds for every choice of weights).  Whether they
        generate its ideal is AM's Conjecture 6.1; see :func:`~exactrelu.theory.varieties.groebner.
        conjecture_evidence`.
        """
        return _equations(self)

    def contains(self, blocks: Sequence[Sequence[Sequence[object]]]) -> Membership:
        """Is ``(M_1, ..., M_k)`` (exact rationals) a point of the pattern variety?

        Every rank constraint is tested by an exact rank (a violated one answers no, with a nonzero minor).  For one
        hidden layer with the incidence matrix of full column rank the blocks determine ``Y_c = W2[:,c] W1[c,:]``
        linearly, and the answer is exact: yes with a witness network, or no with the offending class.  Otherwise,
        when all rank constraints hold, the answer is None (undecided) unless the implicit ideal can be computed
        (tiny cases, :mod:`.groebner`).
        """
        Ms = self._check_blocks(blocks)
        for c in self.rank_constraints():
            N = c.matrix(Ms)
            if exact_rank(N) > c.bound:
                return Membership(False, f"{c} fails (rank {exact_rank(N)})", c, nonzero_minor(N, c.bound + 1))
        # repeated patterns: their blocks are equal (a rank-0 constraint above), keep one of each
        first = {p: i for i, p in reversed(list(enumerate(self.patterns)))}
        if len(first) < len(self.patterns):
            if any(Ms[i] != Ms[first[p]] for i, p in enumerate(self.patterns)):
                return Membership(False, "two blocks with the same pattern differ")
            keep = sorted(first.values())
            reduced = PatternVariety(self.architecture, tuple(self.patterns[i] for i in keep), self.bias, self.bounds)
            return reduced.contains([Ms[i] for i in keep])
        if len(self.architecture) == 3 and block_formula(self.architecture, self.patterns, self.bias).exact:
            return _shallow_membership(self, Ms)
        ans = implicit_membership(self, Ms)
        if ans is not None:
            return ans
        return Membership(None, "every rank constraint holds; membership in the closure needs the implicit ideal, "
                                "not computed at this size")

    def _check_blocks(self, blocks: Sequence[Sequence[Sequence[object]]]) -> list[Matrix]:
        m, n = self.shape
        if len(blocks) != len(self.patterns):
            raise ShapeError(f"expected {len(self.patterns)} blocks, got {len(blocks)}")
        out = []
        for i, B in enumerate(blocks):
            rows = [[as_rational(v) for v in r] for r in B]
            if len(rows) != m or any(len(r) != n for r in rows):
                raise ShapeError(f"block {i + 1} must be {m} x {n}")
            out.append(rows)
        return out

    # ------------------------------------------------------------------ output
    def to_dict(self, equations: bool = False) -> dict[str, Any]:
        """The JSON of ``exactrelu variety`` (keys fixed): equations as strings, or None when not asked for."""
        return {"dimension": self.dimension, "lower_bound": self.lower_bound, "upper_bound": self.upper_bound,
                "proved": self.proved, "expected_dimension": self.expected_dimension, "ambient": self.ambient,
                "defect": self.defect, "reason": self.reason,
                "equations": [S.expr_str(e) for e in self.equations()] if equations else None}

    def label(self) -> str:
        return f"{self.architecture}, patterns {' '.join(pattern_label(p) for p in self.patterns)}" + (
            ", with biases" if self.bias else "")

    def __repr__(self) -> str:
        state = f"dim={self.dimension}" if self.proved else f"{self.lower_bound}<=dim<={self.upper_bound}"
        return f"PatternVariety({self.label()}; {state}, expected {self.expected_dimension}, ambient {self.ambient})"

    def __str__(self) -> str:
        lines = [f"pattern variety of {self.label()}",
                 f"  dimension {self.dimension}" + (" (proved)" if self.proved else
                                                    f" (lower bound; upper bound {self.upper_bound})"),
                 f"  lower bound: {self.bounds.lower_by}", f"  upper bound: {self.bounds.upper_by}",
                 f"  expected {self.expected_dimension} = min(ambient {self.ambient}, {self.num_parameters} "
                 f"parameters - {sum(self.architecture[1:-1])} scalings); defect {self.defect}"]
        if self.reason:
            lines.append(f"  reason: {self.reason}")
        return "\n".join(lines)


@functools.lru_cache(maxsize=64)
def _equations(V: PatternVariety) -> tuple[sp.Expr, ...]:
    syms = [[list(M.row(r)) for r in range(M.rows)] for M in V.ambient_symbols()]
    out: list[sp.Expr] = []
    seen: set[sp.Expr] = set()
    for c in V.rank_constraints():
        for e in minors(c.matrix(syms), c.bound + 1):
            if e not in seen and -e not in seen:
                seen.add(e)
                out.append(e)
    return tuple(out)


def _factor(Y: Matrix) -> tuple[Matrix, Matrix]:
    """A rank factorisation ``Y = U V`` over Q (``U`` the pivot columns, ``V`` the nonzero rows of the rref)."""
    R, piv = flintlib.rref_reference(Y)
    U = [[row[j] for j in piv] for row in Y]
    return U, [list(R[t]) for t in range(len(piv))]


def _shallow_membership(V: PatternVariety, Ms: list[Matrix]) -> Membership:
    """Exact decision for one hidden layer with an incidence matrix of full column rank (docs/mathematics.md H3)."""
    arch, k = V.architecture, len(V.patterns)
    m, n = V.shape
    classes = membership_classes(arch, V.patterns)[0]
    P = [[Fraction(v[i]) for _, v in classes] for i in range(k)]
    Pb = [row + [Fraction(1)] for row in P]
    Y = [[[Fraction(0)] * n for _ in range(m)] for _ in classes]
    const = [Fraction(0)] * m
    for r in range(m):
        for c in range(n):
            last = V.bias and c == n - 1
            A = Pb if last else P
            rhs = [Ms[i][r][c] for i in range(k)]
            sol = flintlib.solve(A, rhs) if A[0] else (() if not any(rhs) else None)
            if sol is None:
                z = flintlib.nullspace([list(col) for col in zip(*A)]) if A[0] else [tuple([Fraction(1)] * k)]
                z = [v for v in z if sum(a * b for a, b in zip(v, rhs))][0]
                combo = " + ".join(f"({a}) M{i + 1}" for i, a in enumerate(z) if a)
                return Membership(False, f"the linear equation {combo} = 0 of the variety fails at entry "
                                         f"({r + 1}, {c + 1})")
            for t in range(len(classes)):
                Y[t][r][c] = sol[t]
            if last:
                const[r] = sol[len(classes)]
    W1 = [[Fraction(0)] * arch[0] for _ in range(arch[1])]
    b1 = [Fraction(0)] * arch[1]
    W2 = [[Fraction(0)] * arch[1] for _ in range(m)]
    for (js, _), Yc in zip(classes, Y):
        rho = exact_rank(Yc)
        if rho > len(js):
            names = ",".join(str(j + 1) for j in js)
            return Membership(False, f"the block Y_c = W2[:,c] W1[c,:] of neurons {{{names}}}, determined linearly by "
                                     f"the M_i, has rank {rho} > {len(js)}",
                              minor=nonzero_minor(Yc, len(js) + 1))
        if rho == 0:
            continue
        U, Vt = _factor(Yc)
        for t in range(rho):
            j = js[t]
            for r in range(m):
                W2[r][j] = U[r][t]
            W1[j] = Vt[t][:arch[0]]
            if V.bias:
                b1[j] = Vt[t][arch[0]]
    net = Network.from_lists([(W1, b1), (W2, const)])
    assert [list(map(list, B)) for B in block_matrices(net, V.patterns, V.bias)] == Ms
    return Membership(True, "the blocks determine Y_c = W2[:,c] W1[c,:] linearly and each has rank <= |c|: "
                            "a rank factorisation of each gives the witness", witness=net)


def pattern_variety(architecture: Sequence[int], patterns: Sequence[object], bias: bool = False, *,
                    seed: int = 0) -> PatternVariety:
    """The pattern variety of an architecture and activation patterns (docs/mathematics.md H1, H3).

    Parameters
    ----------
    architecture : ``(n0, n1, ..., nL, m)``, at least one hidden layer.
    patterns : one pattern per block: a string ``"12"``, ``"123/2"``, ``"-"`` or 1-based neuron sets (see
        :func:`~exactrelu.theory.varieties.patterns.normalize_patterns`).
    bias : fold the biases into an augmented input (``M_i = [A_i | c_i]``, all biases are variables); default False
        (``M_i = A_i``, biases play no role).
    seed : first seed of the random integer weights of the lower bound.

    Returns
    -------
    PatternVariety
        with the certified dimension bounds (docs/mathematics.md H3); equations and exports on demand.

    Examples
    --------
    >>> V = pattern_variety((4, 4, 4), ["12", "34"])
    >>> V.dimension, V.proved, V.expected_dimension, V.ambient
    (24, True, 28, 32)
    >>> pattern_variety((2, 2, 2), ["12", "1"], bias=True).shape
    (2, 3)
    """
    arch = check_architecture(architecture)
    pats = normalize_patterns(arch, patterns)
    return PatternVariety(arch, pats, bool(bias), dimension_bounds(arch, pats, bool(bias), seed=seed))
