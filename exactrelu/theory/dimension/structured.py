"""Functional dimension of large networks: the layered block structure of the stacked pattern Jacobians.

Implements docs/mathematics.md §E1 for networks too large for region enumeration: random rational points, one
region each, and a certified lower bound of the rank of the stacked pattern Jacobians from their block structure
(:func:`structured_rank`).  Exact when the bound reaches ``D - N_h`` (docs/mathematics.md §1).
"""

from __future__ import annotations

import random as _random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from exactrelu.core.network import Network
from exactrelu.engines import flintlib as _flint
from exactrelu.theory.dimension.jacobian import nondifferentiable_neurons, region_sign_vector, sensitivities
from exactrelu.theory.dimension.rows import (
    FunctionalDimension,
    NondifferentiablePoint,
    Point,
    SignVector,
    parameter_scale,
    random_point,
    upper_bound,
)

__all__ = ["STRUCTURED_PRIME", "structured_rank", "structured_functional_dimension"]

#: A prime below 2^26: products of two residues stay below 2^52 and sums of up to 2^11 of them fit in int64.
STRUCTURED_PRIME = 67_108_859


def _mod(v: Fraction, p: int) -> int:
    if v.denominator % p == 0:
        raise ArithmeticError(f"denominator divisible by the prime {p}")
    return v.numerator * pow(v.denominator, -1, p) % p


def _rank_mod_p_numpy(A: Any, p: int) -> int:
    """Rank over Z/p of an int64 array with entries in [0, p) (Gaussian elimination; p < 2^26)."""
    import numpy as np

    A = A.copy()
    rows, cols = A.shape
    r = 0
    for c in range(cols):
        if r == rows:
            break
        nz = np.nonzero(A[r:, c])[0]
        if nz.size == 0:
            continue
        piv = r + int(nz[0])
        if piv != r:
            A[[r, piv]] = A[[piv, r]]
        A[r] = A[r] * pow(int(A[r, c]), -1, p) % p
        below = A[r + 1:, c].copy()
        mask = below != 0
        if mask.any():
            idx = np.nonzero(mask)[0] + r + 1
            A[idx] = (A[idx] - np.outer(A[idx, c], A[r]) % p) % p
        r += 1
    return r


def structured_rank(net: Network, patterns: Sequence[Sequence[Sequence[int]]], *, p: int = STRUCTURED_PRIME,
                    seed: int = 0) -> tuple[int, int]:
    """A certified lower bound for the rank of the stacked pattern Jacobians, using their layered block structure.

    Group the first-layer parameters by input coordinate ``j`` (``W1_{:,j}``, and ``b1`` for ``j = d``): the row
    ``(s, k, j)`` of :func:`~exactrelu.theory.dimension.jacobian.pattern_jacobian` meets only group ``j``, with the
    entries
    ``G^(1)_s[k, :]`` — the **same** matrix ``B`` (rows ``(s, k)``) for every ``j``.  So the stacked Jacobian is
    ``[diag(B, ..., B) | C]`` up to a column permutation, and with ``Q`` a basis of the left kernel of ``B``

        rank J = (d + 1) rank B + rank [Q C_0; ...; Q C_d].

    ``rank B`` and ``Q`` are exact (over Q, ``B`` is small: ``|patterns| m x n_1``); the second rank is bounded below by
    the rank modulo ``p`` of a random compression ``Σ_j R_j Q C_j`` (``rank(R Z) <= rank Z``; ``rank_p <= rank_Q``).
    Returns ``(lower bound, rank B)``.  Cost: ``O(d)`` small products instead of a dense ``D x D`` elimination.

    >>> from exactrelu import random_network
    >>> from exactrelu.theory.dimension.jacobian import pattern_jacobian
    >>> net = random_network((6, 3, 2), seed=1)
    >>> pats = [net.pattern(x) for x in ([1] * 6, [-1] * 6, [1, -1] * 3, [2, 0, 0, 0, 0, -3])]
    >>> structured_rank(net, pats)[0] == _flint.rank([r for s in set(pats) for r in pattern_jacobian(net, s)])
    True
    """
    import numpy as np

    pats = list(dict.fromkeys(tuple(tuple(int(v) for v in s) for s in pat) for pat in patterns))
    d, m = net.input_dim, net.output_dim
    n1 = net.layers[0].n_out
    first = n1 * (d + 1)
    D = net.num_parameters
    Ddeep = D - first
    masks = [tuple(tuple(v > 0 for v in s) for s in pat) for pat in pats]
    Gs = [sensitivities(net, mk) for mk in masks]
    B = [row for G in Gs for row in G[0]]  # rows (s, k), n1 columns
    rB = _flint.rank(B) if any(any(r) for r in B) else 0
    Q = _flint.nullspace([list(col) for col in zip(*B)]) if rB < len(B) else []
    if Ddeep == 0 or not Q:
        return (d + 1) * rB, rB
    Qp = np.array([[_mod(v, p) for v in q] for q in Q], dtype=np.int64)
    # affine maps M^(l)_s of the hidden layers (n_l x (d+1)), only those feeding the deep layers are needed
    Ms: list[list[Any]] = []
    for mk in masks:
        per = []
        M: list[list[Fraction]] = []  # M^(0) = [I | 0] is never materialised
        for l, layer in enumerate(net.layers[:-1]):
            newM = []
            for i, (row, b) in enumerate(zip(layer.weights, layer.biases)):
                if not mk[l][i]:
                    newM.append([Fraction(0)] * (d + 1))
                    continue
                if l == 0:  # M^(0) = [I | 0]
                    newM.append(list(row) + [b])
                    continue
                nz = [(k, w) for k, w in enumerate(row) if w]
                v = [sum((w * M[k][j] for k, w in nz), Fraction(0)) for j in range(d + 1)]
                v[d] += b
                newM.append(v)
            M = newM
            per.append(np.array([[_mod(v, p) for v in r] for r in M], dtype=np.int64))
        Ms.append(per)
    Gp = [[np.array([[_mod(v, p) for v in r] for r in G[l]], dtype=np.int64) for l in range(len(G))] for G in Gs]
    rng = np.random.default_rng(seed)
    S = len(pats)
    if S * m >= 2048:
        raise ValueError(f"structured_rank handles fewer than 2048 rows (s, k); got {S * m}: use fewer patterns")
    K = min(Ddeep, Qp.shape[0] * (d + 1)) + 4
    acc = np.zeros((K, Ddeep), dtype=np.int64)
    for j in range(d + 1):
        # C_j: rows (s, k), deep columns in canonical order
        Cj = np.zeros((S * m, Ddeep), dtype=np.int64)
        for si in range(S):
            pos = 0
            for l in range(1, len(net.layers)):
                layer = net.layers[l]
                n_out, n_in = layer.n_out, layer.n_in
                G = Gp[si][l]                      # m x n_out
                mcol = Ms[si][l - 1][:, j]         # n_in
                Cj[si * m:(si + 1) * m, pos:pos + n_out * n_in] = (G[:, :, None] * mcol[None, None, :]
                                                                   % p).reshape(m, n_out * n_in)
                pos += n_out * n_in
                if j == d:
                    Cj[si * m:(si + 1) * m, pos:pos + n_out] = G
                pos += n_out
        QC = Qp @ Cj % p                            # sums of S*m < 2^11 products < 2^52
        R = rng.integers(0, p, size=(K, QC.shape[0]), dtype=np.int64)
        for start in range(0, QC.shape[0], 1024):
            acc = (acc + R[:, start:start + 1024] @ QC[start:start + 1024] % p) % p
    return (d + 1) * rB + _rank_mod_p_numpy(acc, p), rB


def structured_functional_dimension(net: Network, *, seed: int = 0, start: int | None = None,
                                   max_patterns: int = 160) -> FunctionalDimension:
    """Functional dimension of a large network by random rational points and :func:`structured_rank`.

    Each random point off the bent hyperplanes stands for its whole region (its pattern Jacobian, i.e. ``d+1``
    affinely independent points of the region, which :func:`region_basis_points` constructs exactly).  The number of
    distinct patterns doubles until the certified lower bound reaches ``D - N_h`` (then ``exact`` is True and
    ``certified_by = "modular-structured"``) or ``max_patterns`` is reached (then the result is a lower bound).
    ``points`` lists one point per region used.

    >>> from exactrelu import random_network
    >>> r = structured_functional_dimension(random_network((20, 4, 3), seed=2))
    >>> r.rank, r.upper_bound, r.exact, r.certified_by
    (95, 95, True, 'modular-structured')
    """
    rng = _random.Random(seed)
    ub = upper_bound(net)
    d, m = net.input_dim, net.output_dim
    want = start or max(2, -(-net.layers[0].n_out // m) + 2)
    pats: dict[SignVector, Point] = {}
    nondiff: dict[SignVector, NondifferentiablePoint] = {}
    vanishing: list[NondifferentiablePoint] = []
    tried = 0
    best = 0
    radius = parameter_scale(net)
    while True:
        while len(pats) < want and tried < 50 * want:
            tried += 1
            x = random_point(rng, d, radius if tried % 2 else 1)
            sv = region_sign_vector(net, x)
            if sv is None or sv in pats or sv in nondiff:
                continue
            zero = tuple((l + 1, i + 1) for l, s in enumerate(sv) for i, v in enumerate(s) if v == 0)
            if zero:
                blocking = nondifferentiable_neurons(net, x)
                if blocking:
                    nondiff[sv] = NondifferentiablePoint(x, blocking, sv)
                    continue
                vanishing.append(NondifferentiablePoint(x, zero, sv))
            pats[sv] = x
        best, _ = structured_rank(net, list(pats), seed=seed) if pats else (0, 0)
        if best >= ub or want >= max_patterns or len(pats) < want:
            break
        want = min(2 * want, max_patterns, 2047 // m)
    notes = [f"{tried} random points, {len(pats)} distinct regions; each region counts with d+1 affinely "
             "independent points (region_basis_points)"]
    if nondiff:
        notes.append(f"θ -> f_θ(x) is not differentiable at θ on {len(nondiff)} region(s) met "
                     "(docs/mathematics.md §3): no rank is claimed")
    rank = None if nondiff else best
    return FunctionalDimension(rank=rank, upper_bound=ub, parameters=net.num_parameters,
                               hidden_neurons=net.num_hidden, certified_by="modular-structured", method="sampling",
                               exact=rank == ub, points=tuple(pats.values()), regions=len(pats) + len(nondiff),
                               modular_rank=best, notes=tuple(notes), differentiable_rank=best,
                               nondifferentiable=tuple(nondiff.values()), vanishing=tuple(vanishing))
