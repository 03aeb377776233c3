"""Functional dimension of large networks: the layered block structure of the stacked pattern Jacobians.

Implements docs/mathematics.md §E1 for networks too large for region enumeration: random rational points, one
region each, and a certified lower bound of the rank of the stacked pattern Jacobians from their block structure
(:func:`structured_rank`).  Exact when the bound reaches ``D - N_h`` (docs/mathematics.md §1).
"""

from __future__ import annotations

import math
import operator
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


def structured_rank(net: Network, patterns: Sequence[Sequence[Sequence[int]]], *, p: int = STRUCTURED_PRIME,
                    seed: int = 0, rows_per_block: int = 2, integer_layers: Any = None) -> tuple[int, int]:
    """A certified lower bound for the rank of the stacked pattern Jacobians, using their layered block structure.

    Group the first-layer parameters by input coordinate ``j`` (``W1_{:,j}``, and ``b1`` for ``j = d``): the row
    ``(s, k, j)`` of :func:`~exactrelu.theory.dimension.jacobian.pattern_jacobian` meets only group ``j``, with the
    entries
    ``G^(1)_s[k, :]`` — the **same** matrix ``B`` (rows ``(s, k)``) for every ``j``.  So the stacked Jacobian is
    ``[diag(B, ..., B) | C]`` up to a column permutation, and with ``Q`` a basis of the left kernel of ``B``

        rank J = (d + 1) rank B + rank [Q C_0; ...; Q C_d].

    ``rank B`` and ``Q`` are exact (over Q, ``B`` is small: ``|patterns| m x n_1``); the second rank is bounded below by
    the rank modulo ``p`` of a random compression of ``Z = [Q C_0; ...; Q C_d]`` that keeps ``k`` random combinations
    of the rows of each block ``Q C_j`` (``k = ceil((D_deep + 4) / (d + 1)) + rows_per_block``; all rows of the block
    ``j = d``, the only one that meets the deep biases): any compression ``R``
    gives ``rank(R Z) <= rank Z`` and ``rank_p <= rank_Q``, so the bound is certified whatever the random draw; with
    high probability it is tight.  Returns ``(lower bound, rank B)``.  Cost: ``O(d)`` products of ``k x |patterns| m``
    by ``|patterns| m x D_deep`` matrices and one modular rank (flint) instead of a dense ``D x D`` elimination.

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
    S = len(pats)
    if S * m >= 2048:
        raise ValueError(f"structured_rank handles fewer than 2048 rows (s, k); got {S * m}: use fewer patterns")
    mod = _ModP(p)
    Qp = mod.array(Q)
    # affine maps M^(l)_s of the hidden layers (n_l x (d+1)) modulo p: masked rows of [W | b] composed layer by layer
    ints = integer_layers if integer_layers is not None else _IntegerSigns(net)
    layers_p = [ints.residues(l, p) for l in range(net.depth)]
    Ms: list[list[Any]] = []
    for mk in masks:
        per = []
        M = None
        for l, (Wp, bp) in enumerate(layers_p):
            if l == 0:
                newM = np.concatenate([Wp, bp[:, None]], axis=1)
            else:
                newM = _matmul_mod(Wp, M, p)
                newM[:, d] = (newM[:, d] + bp) % p
            newM = newM * np.array(mk[l], dtype=np.int64)[:, None]
            per.append(newM)
            M = newM
        Ms.append(per)
    Gp = [[mod.array(G[l]) for l in range(len(G))] for G in Gs]
    rng = np.random.default_rng(seed)
    # a random compression of Z = [Q C_0; ...; Q C_d] keeping k_j random combinations of the rows of each block
    # (any compression gives a lower bound; with enough rows per block it is tight with high probability)
    per_block = -(-(Ddeep + 4) // (d + 1)) + rows_per_block
    blocks = []
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
        # the deep biases appear only in the block j = d (the constant term): keep all of its rows
        k = Qp.shape[0] if j == d else min(per_block, Qp.shape[0])
        R = rng.integers(0, p, size=(k, Qp.shape[0]), dtype=np.int64)
        P = _matmul_mod(R, Qp, p)                  # random combinations of the rows of Q
        blocks.append(_matmul_mod(P, Cj, p))
    acc = np.concatenate(blocks, axis=0)
    return (d + 1) * rB + _flint.rank_mod_p_int(acc.tolist(), p), rB


class _ModP:
    """Fractions to residues modulo ``p`` (inverses of denominators cached)."""

    def __init__(self, p: int) -> None:
        self.p = p
        self.inv: dict[int, int] = {}

    def __call__(self, v: Fraction) -> int:
        den = v.denominator
        if den == 1:
            return v.numerator % self.p
        inv = self.inv.get(den)
        if inv is None:
            if den % self.p == 0:
                raise ArithmeticError(f"denominator divisible by the prime {self.p}")
            inv = self.inv[den] = pow(den, -1, self.p)
        return v.numerator * inv % self.p

    def array(self, rows: Sequence[Sequence[Fraction]]) -> Any:
        import numpy as np

        return np.array([[self(Fraction(v)) for v in r] for r in rows], dtype=np.int64).reshape(len(rows), -1)


def _matmul_mod(A: Any, B: Any, p: int) -> Any:
    """``A @ B mod p`` for int64 arrays with entries in ``[0, p)``, ``p < 2^26``: inner sums in chunks of 2^11 terms
    (each product < 2^52), so nothing overflows."""
    import numpy as np

    out = np.zeros((A.shape[0], B.shape[1]), dtype=np.int64)
    for k in range(0, A.shape[1], 2048):
        out = (out + A[:, k:k + 2048] @ B[k:k + 2048] % p) % p
    return out


class _IntegerSigns:
    """Exact sign vectors of the hidden pre-activations with Python integers (rows scaled to integers once).

    ``z_i = (W'_i · a_num + b'_i a_den) / (c_i a_den)`` with ``W'_i = c_i W_i``, ``b'_i = c_i b_i`` integers, so the
    sign of ``z_i`` is the sign of the integer numerator; the next activations get a common denominator.
    """

    def __init__(self, net: Network) -> None:
        self.layers = []
        for layer in net.layers[:-1]:
            rows = []
            for w, b in zip(layer.weights, layer.biases):
                c = math.lcm(b.denominator, *{v.denominator for v in w})
                rows.append(([v.numerator * (c // v.denominator) for v in w], b.numerator * (c // b.denominator), c))
            self.layers.append((rows, math.lcm(*(c for _, _, c in rows))))

    def residues(self, l: int, p: int) -> tuple[Any, Any]:
        """``(W mod p, b mod p)`` of hidden layer ``l`` (0-based) as int64 arrays."""
        import numpy as np

        rows = self.layers[l][0]
        if any(c % p == 0 for _, _, c in rows):
            raise ArithmeticError(f"denominator divisible by the prime {p}")
        inv = np.array([pow(c, -1, p) for _, _, c in rows], dtype=np.int64)
        W = np.array([[v % p for v in w] for w, _, _ in rows], dtype=np.int64) * inv[:, None] % p
        b = np.array([b % p for _, b, _ in rows], dtype=np.int64) * inv % p
        return W, b

    def __call__(self, x: Sequence[Fraction]) -> SignVector:
        den = math.lcm(*(v.denominator for v in x))
        num = [int(v * den) for v in x]
        out = []
        for rows, L in self.layers:
            zs = [sum(map(operator.mul, w, num)) + b * den for w, b, _ in rows]
            out.append(tuple((z > 0) - (z < 0) for z in zs))
            num = [max(z, 0) * (L // c) for z, (_, _, c) in zip(zs, rows)]
            den *= L
        return tuple(out)


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
    signs = _IntegerSigns(net)
    while True:
        while len(pats) < want and tried < 50 * want:
            tried += 1
            x = random_point(rng, d, radius if tried % 2 else 1)
            sv = signs(x)
            if sv is not None and any(0 in s for s in sv):
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
        best = 0
        for extra in (0, 4):   # few rows per block first; more rows before more regions
            if pats and best < ub:
                best = max(best, structured_rank(net, list(pats), seed=seed, rows_per_block=extra,
                                                 integer_layers=signs)[0])
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
