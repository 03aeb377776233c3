"""Adapter for python-flint: the ONLY module that imports :mod:`flint` (exact linear algebra over Q and Z/p).

Every function takes and returns plain Python data (lists of :class:`~fractions.Fraction` / ``int``), so flint
objects never leak (they do not pickle).  Each function has a pure-``Fraction`` twin (``*_reference``) used by the
tests to cross-check the fast path.

Examples
--------
>>> from fractions import Fraction as F
>>> rank([[1, 2, 3], [2, 4, 6], [F(1, 2), 0, 1]])
2
>>> nullspace([[1, 1, 0], [0, 0, 1]])
[(Fraction(1, 1), Fraction(-1, 1), Fraction(0, 1))]
>>> rank_mod_p([[1, 2], [3, 4]])
2
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import flint

__all__ = ["PRIME", "rank", "rank_mod_p", "rank_mod_p_int", "nullspace", "integer_rows", "rank_reference",
           "nullspace_reference", "solve", "fmpq", "to_fraction", "rref_reference"]

#: A 61-bit prime for modular ranks (nmod_mat works with word-size moduli).
PRIME = 2**61 - 1

Rows = Sequence[Sequence[Fraction | int]]


def fmpq(x: Fraction | int) -> flint.fmpq:
    x = Fraction(x)
    return flint.fmpq(x.numerator, x.denominator)


def to_fraction(x: flint.fmpq) -> Fraction:
    return Fraction(int(x.p), int(x.q))


def integer_rows(rows: Rows) -> list[list[int]]:
    """Scale each row by the lcm of its denominators: same rank, same row space, integer entries."""
    out = []
    for r in rows:
        if all(type(v) is int for v in r):  # already integers: nothing to scale
            out.append(list(r))
            continue
        fr = [Fraction(v) for v in r]
        den = 1
        for v in fr:
            den = den * v.denominator // math.gcd(den, v.denominator)
        out.append([int(v * den) for v in fr])
    return out


def rank(rows: Rows) -> int:
    """Exact rank over Q (``fmpq_mat.rank``)."""
    if not rows or not len(rows[0]):
        return 0
    return int(flint.fmpz_mat(integer_rows(rows)).rank())


def rank_mod_p(rows: Rows, p: int = PRIME) -> int:
    """Rank of the integer-scaled matrix modulo the prime ``p``: a certified **lower bound** for the rank over Q.

    Rows are first scaled to integers (same rank over Q).  rank_p(M) <= rank_Q(M) because any minor that is nonzero
    mod p is a nonzero integer.
    """
    if not rows or not len(rows[0]):
        return 0
    ints = integer_rows(rows)
    return int(flint.nmod_mat([[v % p for v in r] for r in ints], p).rank())


def rank_mod_p_int(rows: Sequence[Sequence[int]], p: int) -> int:
    """Rank over Z/p of a matrix of residues (Python ints in ``[0, p)``), ``p`` a word-size prime (``nmod_mat``).

    >>> rank_mod_p_int([[1, 2], [2, 4], [0, 3]], 7)
    2
    """
    if not rows or not len(rows[0]):
        return 0
    return int(flint.nmod_mat([list(r) for r in rows], p).rank())


def nullspace(rows: Rows) -> list[tuple[Fraction, ...]]:
    """A basis of the right kernel {v : M v = 0} over Q, as primitive integer vectors (as Fractions).

    Computed with ``fmpz_mat.nullspace`` on the integer-scaled rows; each basis vector is made primitive with a
    positive first nonzero entry.
    """
    if not rows:
        raise ValueError("nullspace of a matrix with no rows: give the number of columns explicitly")
    ncols = len(rows[0])
    if ncols == 0:
        return []
    M = flint.fmpz_mat(integer_rows(rows))
    X, k = M.nullspace()
    basis = []
    for j in range(int(k)):
        col = [int(X[i, j]) for i in range(ncols)]
        g = 0
        for v in col:
            g = math.gcd(g, v)
        if g:
            col = [v // g for v in col]
        first = next((v for v in col if v), 0)
        if first < 0:
            col = [-v for v in col]
        basis.append(tuple(Fraction(v) for v in col))
    return basis


def solve(rows: Rows, rhs: Sequence[Fraction | int]) -> tuple[Fraction, ...] | None:
    """One exact solution x of M x = rhs (or None if inconsistent), via rref of the augmented matrix."""
    if not rows:
        return ()
    n = len(rows[0])
    aug = [[Fraction(v) for v in r] + [Fraction(b)] for r, b in zip(rows, rhs, strict=True)]
    R, rk = flint.fmpq_mat([[fmpq(v) for v in r] for r in aug]).rref()
    x = [Fraction(0)] * n
    for i in range(int(rk)):
        row = [to_fraction(R[i, j]) for j in range(n + 1)]
        piv = next((j for j in range(n + 1) if row[j]), None)
        if piv == n:
            return None
        if piv is not None:
            x[piv] = row[n]
    return tuple(x)


# ---------------------------------------------------------------------- pure-Fraction references (slow, for tests)
def rref_reference(rows: Rows, start: int = 0) -> tuple[list[list[Fraction]], list[int]]:
    """Gauss-Jordan in pure Fractions with pivots searched from column ``start`` on (``start=1`` skips the constant
    column of ``(b, a1..ad)`` rows).  Returns the reduced rows (nonzero rows first) and the pivot columns."""
    M = [[Fraction(v) for v in r] for r in rows]
    pivots: list[int] = []
    r = 0
    ncols = len(M[0]) if M else 0
    for c in range(start, ncols):
        piv = next((i for i in range(r, len(M)) if M[i][c]), None)
        if piv is None:
            continue
        M[r], M[piv] = M[piv], M[r]
        inv = 1 / M[r][c]
        M[r] = [v * inv for v in M[r]]
        for i in range(len(M)):
            if i != r and M[i][c]:
                f = M[i][c]
                M[i] = [a - f * b for a, b in zip(M[i], M[r])]
        pivots.append(c)
        r += 1
        if r == len(M):
            break
    return M, pivots


def rank_reference(rows: Rows) -> int:
    """Gauss-Jordan rank in pure Fractions (the slow reference for :func:`rank`)."""
    if not rows or not len(rows[0]):
        return 0
    return len(rref_reference(rows)[1])


def nullspace_reference(rows: Rows) -> list[tuple[Fraction, ...]]:
    """Kernel basis in pure Fractions (not normalised like :func:`nullspace`; compare spans, not vectors)."""
    M, pivots = rref_reference(rows)
    ncols = len(rows[0])
    free = [c for c in range(ncols) if c not in pivots]
    basis = []
    for f in free:
        v = [Fraction(0)] * ncols
        v[f] = Fraction(1)
        for i, p in enumerate(pivots):
            v[p] = -M[i][f]
        basis.append(tuple(v))
    return basis
