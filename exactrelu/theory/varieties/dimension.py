"""The exact dimension of a pattern variety, certified from both sides (docs/mathematics.md H3).

The dimension of the pattern variety is the generic rank of the Jacobian of its parametrisation
``θ -> (M_1, ..., M_k)``.  It is bracketed by two exact computations:

* **lower bound**: the rank modulo the prime ``2^61 - 1`` of the Jacobian at random integer weights (rank mod p <=
  rank over Q at that point <= generic rank);
* **upper bounds**, each a theorem:

  - the *rank constraints* (docs/mathematics.md H2): at a point ``p`` of the variety, the gradients of their minors
    span a space of rank ``ρ``; the variety is irreducible and the rank is lower semicontinuous, so at a generic
    (smooth) point the tangent space has dimension ``<= ambient - ρ``;

  - the *symmetry count* (any depth): polynomial vector fields that lie in the kernel of the Jacobian for every θ
    (the ``GL_s`` action on each class of ``s`` neurons of one layer with identical membership across the blocks,
    which contains the positive scalings, and the coordinate directions of parameters that enter no block) span a
    space of dimension at least their rank at one point, so ``dim <= #parameters - rank(fields at θ)``;
  - the *block formula* (one hidden layer, docs/mathematics.md H3): ``M_i = Σ_{c ⊆ A_i} Y_c`` with
    ``Y_c = W2[:, c] W1[c, :]`` of rank ``<= s_c``, so ``dim <= Σ_c dim Det_{<= s_c}`` (+ ``m`` for the output bias),
    with equality when the blocks × classes incidence matrix has full column rank;
  - ``rank M_i <= r_i`` for each block, and the ambient dimension.

When the lower bound reaches the smallest upper bound the dimension is **proved**; otherwise both are reported.

Examples
--------
>>> from exactrelu.theory.varieties.patterns import normalize_patterns
>>> arch = (3, 3, 3)
>>> b = dimension_bounds(arch, normalize_patterns(arch, ["123", "1"]), bias=False)
>>> b.lower, b.upper, b.proved, b.upper_by
(13, 13, True, 'block formula (exact: incidence of full column rank)')
>>> dim_det(2, 3, 3), dim_det(3, 3, 3)
(8, 9)
"""

from __future__ import annotations

import random as _random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from exactrelu.core.network import Network
from exactrelu.engines import flintlib
from exactrelu.theory.dimension.jacobian import pattern_jacobian
from exactrelu.theory.varieties.equations import equations_upper_bound
from exactrelu.theory.varieties.patterns import (
    Pattern,
    block_rank,
    membership_classes,
    pattern_masks,
    used_parameters,
    variety_parameters,
)

__all__ = [
    "DimensionBounds",
    "BlockFormula",
    "dim_det",
    "block_rank",
    "random_weights",
    "parametrisation_jacobian",
    "symmetry_fields",
    "block_formula",
    "dimension_bounds",
]

Row = tuple[Fraction, ...]

#: Random integer weights are drawn from [-WEIGHT_RANGE, WEIGHT_RANGE] \ {0}.
WEIGHT_RANGE = 2**20


def dim_det(s: int, rows: int, cols: int) -> int:
    """``dim Det_{<=s}`` of ``rows x cols`` matrices of rank ``<= s``: ``s (rows + cols - s)`` below full rank."""
    if s <= 0:
        return 0
    if s >= min(rows, cols):
        return rows * cols
    return s * (rows + cols - s)


@dataclass(frozen=True)
class DimensionBounds:
    """Certified bounds ``lower <= dim <= upper`` with how each was obtained (docs/mathematics.md H3)."""

    lower: int
    upper: int
    lower_by: str
    upper_by: str
    upper_bounds: tuple[tuple[str, int], ...]

    @property
    def proved(self) -> bool:
        return self.lower == self.upper

    def __str__(self) -> str:
        if self.proved:
            return f"dim = {self.lower} (proved: {self.lower_by} = {self.upper_by})"
        return f"{self.lower} <= dim <= {self.upper} (lower: {self.lower_by}; upper: {self.upper_by})"

class BoundedDimension:
    """Mixin for a variety whose dimension is known through certified ``bounds`` (a :class:`DimensionBounds`); the
    class provides ``ambient`` and ``free_parameters``."""

    bounds: DimensionBounds

    @property
    def dimension(self) -> int:
        return self.bounds.lower

    @property
    def lower_bound(self) -> int:
        return self.bounds.lower

    @property
    def upper_bound(self) -> int:
        return self.bounds.upper

    @property
    def proved(self) -> bool:
        return self.bounds.proved

    @property
    def expected_dimension(self) -> int:
        """``min(ambient, free parameters)``: the naive expectation of docs/mathematics.md H3."""
        return min(self.ambient, self.free_parameters)

    @property
    def defect(self) -> int:
        return self.expected_dimension - self.dimension


@dataclass(frozen=True)
class BlockFormula:
    """The block formula of docs/mathematics.md H3 for one hidden layer: classes, their sizes, the value."""

    classes: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    value: int
    exact: bool


def random_weights(architecture: Sequence[int], seed: int) -> tuple[Fraction, ...]:
    """Seeded nonzero integer weights (and biases) in canonical order."""
    rng = _random.Random(seed)
    D = sum(architecture[l] * (architecture[l - 1] + 1) for l in range(1, len(architecture)))
    out = []
    for _ in range(D):
        v = 0
        while v == 0:
            v = rng.randint(-WEIGHT_RANGE, WEIGHT_RANGE)
        out.append(Fraction(v))
    return tuple(out)


def parametrisation_jacobian(architecture: Sequence[int], patterns: Sequence[Pattern], bias: bool,
                             theta: Sequence[Fraction]) -> list[Row]:
    """The Jacobian of ``θ -> (M_1, ..., M_k)`` at θ: one row per entry (block, row, column), one column per
    variable of the parametrisation (weights, and biases when ``bias``), from
    :func:`exactrelu.jacobian.pattern_jacobian` (rows of ``A_s``, and of ``c_s`` when ``bias``)."""
    net = Network.from_parameters(architecture, theta)
    d = architecture[0]
    cols = variety_parameters(architecture, bias)
    keep = [j for j in range(d + 1) if bias or j < d]
    rows: list[Row] = []
    for p in patterns:
        J = pattern_jacobian(net, pattern_masks(architecture, p))
        for k in range(architecture[-1]):
            for j in keep:
                r = J[k * (d + 1) + j]
                rows.append(tuple(_int(r[c]) for c in cols))
    return rows


def _int(v: Fraction) -> Fraction | int:
    """Integers as ``int`` (the modular and exact ranks then skip all Fraction arithmetic)."""
    return v.numerator if v.denominator == 1 else v


def _offsets(architecture: Sequence[int]) -> list[int]:
    offs, pos = [0], 0
    for l in range(1, len(architecture)):
        offs.append(pos)
        pos += architecture[l] * (architecture[l - 1] + 1)
    return offs  # offs[l] = first index of layer l (1-based)


def symmetry_fields(architecture: Sequence[int], patterns: Sequence[Pattern], bias: bool,
                    theta: Sequence[Fraction]) -> list[Row]:
    """Kernel vector fields of the parametrisation evaluated at θ, in the parametrisation's coordinates.

    For each hidden layer ``l`` and each class ``c`` of neurons with identical membership, and each ``a, b`` in
    ``c``: the generator ``E_ab`` of ``GL_s`` acting by ``[W^(l) | b^(l)][c, :] <- g [W^(l) | b^(l)][c, :]``,
    ``W^(l+1)[:, c] <- W^(l+1)[:, c] g^{-1}`` (it commutes with every ``D_{A_i,l}``, so every ``M_i`` is unchanged);
    and the unit vector of every parameter that enters no block.
    """
    arch = tuple(architecture)
    cols = variety_parameters(arch, bias)
    where = {c: i for i, c in enumerate(cols)}
    offs = _offsets(arch)
    used = used_parameters(arch, patterns, bias)
    fields: list[Row] = []
    for c in cols:
        if not used[c]:
            v = [Fraction(0)] * len(cols)
            v[where[c]] = Fraction(1)
            fields.append(tuple(v))
    if bias:
        fields += _bias_fields(arch, patterns, theta, where, offs)
    for l, classes in enumerate(membership_classes(arch, patterns), start=1):
        n_in, n_out, n_next = arch[l - 1], arch[l], arch[l + 1]
        off, off_next = offs[l], offs[l + 1]
        for js, _ in classes:
            for a in js:
                for b in js:
                    v = [Fraction(0)] * len(cols)
                    for q in range(n_in):
                        idx = off + a * n_in + q
                        if idx in where:
                            v[where[idx]] += theta[off + b * n_in + q]
                    if bias:
                        v[where[off + n_out * n_in + a]] += theta[off + n_out * n_in + b]
                    for r in range(n_next):
                        idx = off_next + r * n_out + b
                        v[where[idx]] -= theta[off_next + r * n_out + a]
                    fields.append(tuple(v))
    return fields


def _bias_fields(arch: tuple[int, ...], patterns: Sequence[Pattern], theta: Sequence[Fraction],
                 where: dict[int, int], offs: list[int]) -> list[Row]:
    """Bias translations: ``b^(l)_j += ε`` compensated by ``b^(l+1)_r -= ε W^(l+1)_{rj}`` on the rows ``r`` that
    matter where ``j`` is active; a symmetry when no block with ``j`` inactive uses those rows."""
    L = len(arch) - 2
    out = []
    for l in range(1, L + 1):
        n_out, n_next = arch[l], arch[l + 1]
        for j in range(n_out):
            rows: set[int] = set()
            valid = True
            for p in patterns:
                if not all(p[l + 1:]):  # a later layer is empty: layer l+1's biases do not matter here
                    continue
                nxt = set(range(n_next)) if l == L else set(p[l])
                if j in p[l - 1]:
                    rows |= nxt
            for p in patterns:
                if all(p[l + 1:]) and j not in p[l - 1] and (l == L or rows & set(p[l])):
                    valid = False
            if not valid or not rows:
                continue
            v = [Fraction(0)] * len(where)
            v[where[offs[l] + n_out * arch[l - 1] + j]] = Fraction(1)
            for r in rows:
                v[where[offs[l + 1] + n_next * n_out + r]] -= theta[offs[l + 1] + r * n_out + j]
            out.append(tuple(v))
    return out


def block_formula(architecture: Sequence[int], patterns: Sequence[Pattern], bias: bool) -> BlockFormula:
    """The block formula of docs/mathematics.md H3 (one hidden layer only).

    ``Σ_c dim Det_{<= s_c}(m x n0')`` over the classes of neurons with identical membership (``n0' = n0 + bias``),
    plus ``m`` with ``bias`` (the output bias, common to all blocks).  Always an upper bound; the exact dimension when
    the blocks x classes incidence matrix (with a column of ones for the output bias) has full column rank.

    >>> from exactrelu.theory.varieties.patterns import normalize_patterns
    >>> block_formula((4, 4, 4), normalize_patterns((4, 4, 4), ["123", "234"]), False).value
    26
    """
    arch = tuple(architecture)
    if len(arch) != 3:
        raise ValueError("the block formula is for one hidden layer")
    n0, m = arch[0] + int(bias), arch[2]
    classes = membership_classes(arch, patterns)[0]
    value = sum(dim_det(len(js), m, n0) for js, _ in classes) + (m if bias else 0)
    columns = [list(v) for _, v in classes] + ([[1] * len(patterns)] if bias else [])
    if not columns:
        return BlockFormula(classes, value, True)
    incidence = [[col[i] for col in columns] for i in range(len(patterns))]
    return BlockFormula(classes, value, flintlib.rank(incidence) == len(columns))


def dimension_bounds(architecture: Sequence[int], patterns: Sequence[Pattern], bias: bool, *, seed: int = 0,
                     tries: int = 3) -> DimensionBounds:
    """Certified ``lower <= dim <= upper`` of the pattern variety (see the module docstring).

    The lower bound is the best modular Jacobian rank over up to ``tries`` random integer points (seeds
    ``seed, seed+1, ...``; it stops as soon as it meets the upper bound).
    """
    arch = tuple(architecture)
    m, n0 = arch[-1], arch[0] + int(bias)
    nparams = len(variety_parameters(arch, bias))
    full_patterns = list(patterns)
    patterns = list(dict.fromkeys(patterns))  # repeated blocks are equal: the same variety, embedded diagonally
    theta = random_weights(arch, seed)
    bounds = [("ambient dimension", len(patterns) * m * n0),
              ("rank bounds of the blocks", sum(dim_det(block_rank(arch, p, bias), m, n0) for p in patterns))]
    if bias:  # the linear parts form the bias-free variety; the constant columns add at most k m
        lin = [dim_det(block_rank(arch, p, False), m, n0 - 1) + m for p in patterns]
        bounds.append(("rank bounds of the blocks and their linear parts",
                       sum(min(a, dim_det(block_rank(arch, p, True), m, n0)) for a, p in zip(lin, patterns))))
    if len(arch) == 3:
        bf = block_formula(arch, patterns, bias)
        bounds.append(("block formula (exact: incidence of full column rank)" if bf.exact
                       else "block formula", bf.value))

    def best() -> tuple[str, int]:
        return min(reversed(bounds), key=lambda t: t[1])  # ties: the most specific bound (listed last)

    lower, lower_by = 0, "no point evaluated"
    if tries:
        J = parametrisation_jacobian(arch, full_patterns, bias, theta)
        lower = flintlib.rank_mod_p(J) if J and nparams else 0
        lower_by = f"Jacobian rank mod 2^61-1 at random integer weights (seed {seed})"
    # the costlier upper bounds only while the bounds are apart
    if lower < best()[1]:
        fields = symmetry_fields(arch, patterns, bias, theta)
        bounds.append(("symmetry count", nparams - (flintlib.rank(fields) if fields else 0)))
    if bias and lower < best()[1]:
        free = dimension_bounds(arch, patterns, False, seed=seed, tries=0)
        bounds.append((f"bias-free {free.upper_by} + k m", free.upper + len(patterns) * m))
    if tries and lower < best()[1]:
        bounds.append(("tangent space of the rank constraints", equations_upper_bound(arch, patterns, bias, theta)))
    for t in range(1, tries):
        if lower >= best()[1]:
            break
        J = parametrisation_jacobian(arch, full_patterns, bias, random_weights(arch, seed + t))
        r = flintlib.rank_mod_p(J) if J and nparams else 0
        if r > lower:
            lower, lower_by = r, f"Jacobian rank mod 2^61-1 at random integer weights (seed {seed + t})"
    upper_by, upper = best()
    if lower > upper:  # impossible unless a theorem above is wrong: never report an inconsistent pair
        raise AssertionError(f"lower bound {lower} exceeds the upper bound {upper} ({upper_by})")
    return DimensionBounds(lower, upper, lower_by, upper_by, tuple(bounds))
