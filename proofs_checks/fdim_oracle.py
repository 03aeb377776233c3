"""An independent oracle for functional dimensions: exact difference quotients at brute-force sample points.

Nothing here uses the package's Jacobians, region enumeration or rank code; only the forward pass
(``Network.__call__``, ``Network.pattern``) and a pure-Fraction Gauss-Jordan rank written below.

* **Derivative along one parameter.**  On a fixed activation pattern ``f_θ(x)`` is multilinear in the layers, so it is
  affine in each single parameter: ``t -> f_{θ + t e_k}(x)`` is affine as long as the pattern at ``x`` does not change
  along the segment.  By induction over the layers every pre-activation is then affine in ``t`` too, so equal patterns
  at ``t = 0`` and ``t = ε`` (all pre-activations nonzero) imply the pattern is constant on ``[0, ε]``.  Hence
  ``(f_{θ + ε e_k}(x) - f_θ(x)) / ε`` is the exact partial derivative; ``ε`` is halved until the patterns agree.
* **Sample points.**  A grid (or seeded random rational points) in a box; each point off the bent hyperplanes gives
  its region, and ``d`` more points ``x + δ e_j`` of the same region (``δ`` halved until the pattern agrees) make
  ``d + 1`` affinely independent points of it.  The rank of the stacked quotients is the batch functional dimension
  of those points, a lower bound of ``dim_fun(θ)``; it equals ``dim_fun(θ)`` once every region has been met
  (``docs/mathematics.md`` E1).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from fractions import Fraction

from exactrelu import Network

Point = tuple[Fraction, ...]


def gauss_rank(rows: Sequence[Sequence[Fraction]]) -> int:
    """Rank over Q by Gauss-Jordan elimination in Fractions (written here, independent of the package)."""
    M = [list(r) for r in rows if any(r)]
    rank, col = 0, 0
    ncols = len(M[0]) if M else 0
    while rank < len(M) and col < ncols:
        piv = next((i for i in range(rank, len(M)) if M[i][col]), None)
        if piv is None:
            col += 1
            continue
        M[rank], M[piv] = M[piv], M[rank]
        p = M[rank][col]
        for i in range(len(M)):
            if i != rank and M[i][col]:
                c = M[i][col] / p
                M[i] = [a - c * b for a, b in zip(M[i], M[rank])]
        rank += 1
        col += 1
    return rank


def _smooth_pattern(net: Network, x: Sequence[Fraction]) -> tuple | None:
    zs = net.preactivations(x)[:-1]
    if any(v == 0 for z in zs for v in z):
        return None
    return tuple(tuple(v > 0 for v in z) for z in zs)


def quotient_rows(net: Network, x: Sequence[Fraction]) -> list[list[Fraction]]:
    """The exact ``∂f_θ(x)/∂θ`` (``m`` rows of ``D``) from difference quotients; ``x`` off every bent hyperplane."""
    pat = _smooth_pattern(net, x)
    if pat is None:
        raise ValueError(f"{x} lies on a bent hyperplane")
    theta = list(net.parameters())
    arch = net.architecture
    f0 = net(x)
    cols = []
    for k in range(len(theta)):
        eps = Fraction(1)
        while True:
            moved = theta.copy()
            moved[k] += eps
            other = Network.from_parameters(arch, moved)
            if _smooth_pattern(other, x) == pat:
                break
            eps /= 2
        f1 = other(x)
        cols.append([(a - b) / eps for a, b in zip(f1, f0)])
    return [[cols[k][i] for k in range(len(theta))] for i in range(net.output_dim)]


def region_points(net: Network, x: Sequence[Fraction]) -> list[Point]:
    """``x`` and ``x + δ e_j`` (``δ`` halved until the activation pattern is that of ``x``): ``d+1`` affinely
    independent points of the region of ``x``."""
    pat = _smooth_pattern(net, x)
    assert pat is not None
    out = [tuple(x)]
    for j in range(len(x)):
        delta = Fraction(1)
        while True:
            y = tuple(v + delta if i == j else v for i, v in enumerate(x))
            if _smooth_pattern(net, y) == pat:
                break
            delta /= 2
        out.append(y)
    return out


def sample_points(d: int, *, radius: int = 6, step: Fraction = Fraction(1, 4), random_count: int = 0,
                  seed: int = 0) -> Iterable[Point]:
    """The grid ``step·Z^d ∩ [-radius, radius]^d`` (shifted by an irrational-looking offset to avoid kinks at
    small rationals), then ``random_count`` seeded random rational points of the same box."""
    off = Fraction(1, 97)
    n = int(radius / step)
    for idx in itertools.product(range(-n, n + 1), repeat=d):
        yield tuple(i * step + off * (j + 1) for j, i in enumerate(idx))
    rng = random.Random(seed)
    for _ in range(random_count):
        yield tuple(Fraction(rng.randint(-radius * 997, radius * 997), 997) for _ in range(d))


def oracle_functional_dimension(net: Network, points: Iterable[Point]) -> tuple[int, int]:
    """``(rank, regions met)``: the rank of the difference-quotient Jacobian over ``d+1`` points of every region met
    by ``points`` (one region = one activation pattern)."""
    rows: list[list[Fraction]] = []
    seen: set[tuple] = set()
    for x in points:
        pat = _smooth_pattern(net, x)
        if pat is None or pat in seen:
            continue
        seen.add(pat)
        for y in region_points(net, x):
            rows.extend(quotient_rows(net, y))
    return gauss_rank(rows), len(seen)
