"""An independent oracle for one-input, one-hidden-layer networks: the exact piecewise-linear function as a key.

Nothing here uses the package's algorithms (no canonical data, no regions, no equivalence test): a network
``x -> W2 relu(W1 x + b1) + b2`` with one input is evaluated by hand, its candidate kinks ``-b1_i / W1_i`` are
sorted, and the function on an interval ``I`` is summarised by its true kinks inside ``I`` with their values, the
slopes of the first and last pieces and the value at a reference point.  Two networks compute the same function on
``I`` iff their keys are equal (a continuous piecewise-linear function is determined by these data).  Used by the
fiber brute-force checks to group every network of a small integer grid into its exact fiber.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from fractions import Fraction

Params = tuple[Fraction, ...]

__all__ = ["evaluate", "slope", "key", "grid"]


def _split(params: Params, n: int, m: int) -> tuple[Params, Params, Params, Params]:
    w1, b1 = params[:n], params[n:2 * n]
    w2 = params[2 * n:2 * n + m * n]
    b2 = params[2 * n + m * n:]
    return w1, b1, w2, b2


def evaluate(params: Params, n: int, m: int, x: Fraction) -> tuple[Fraction, ...]:
    """``f(x)`` for the (1, n, m) parameter vector in canonical order (W1, b1, W2 row-major, b2)."""
    w1, b1, w2, b2 = _split(params, n, m)
    h = [max(w * x + b, Fraction(0)) for w, b in zip(w1, b1)]
    return tuple(b2[r] + sum((w2[r * n + i] * h[i] for i in range(n)), Fraction(0)) for r in range(m))


def slope(params: Params, n: int, m: int, x: Fraction) -> tuple[Fraction, ...]:
    """The derivative at a point ``x`` that is not a candidate kink."""
    w1, b1, w2, _ = _split(params, n, m)
    act = [w * x + b > 0 for w, b in zip(w1, b1)]
    return tuple(sum((w2[r * n + i] * w1[i] for i in range(n) if act[i]), Fraction(0)) for r in range(m))


def key(params: Params, n: int, m: int, lo: Fraction | None = None, hi: Fraction | None = None) -> tuple:
    """Canonical summary of the function on ``I = (lo, hi)`` (None = unbounded on that side)."""
    w1, b1, _, _ = _split(params, n, m)
    cand = sorted({-b / w for w, b in zip(w1, b1) if w != 0
                   and (lo is None or -b / w > lo) and (hi is None or -b / w < hi)})
    # one sample point per piece between consecutive candidates (and the ends of I)
    ends = [lo, *cand, hi]
    pts = []
    for p, q in zip(ends, ends[1:]):
        if p is None and q is None:
            pts.append(Fraction(0))
        elif p is None:
            pts.append(q - 1)
        elif q is None:
            pts.append(p + 1)
        else:
            pts.append((p + q) / 2)
    slopes = [slope(params, n, m, x) for x in pts]
    kinks = tuple((c, evaluate(params, n, m, c)) for c, s0, s1 in zip(cand, slopes, slopes[1:]) if s0 != s1)
    ref = lo if lo is not None else hi if hi is not None else Fraction(0)
    return kinks, evaluate(params, n, m, ref), slopes[0], slopes[-1]


def grid(n: int, m: int, hidden: Sequence[int], out: Sequence[int], bias2: Sequence[int]) -> Iterator[Params]:
    """Every (1, n, m) parameter vector with W1, b1 entries in ``hidden``, W2 in ``out`` and b2 in ``bias2``."""
    H = [Fraction(v) for v in hidden]
    O = [Fraction(v) for v in out]
    B = [Fraction(v) for v in bias2]
    for first in itertools.product(H, repeat=2 * n):
        for w2 in itertools.product(O, repeat=m * n):
            for b2 in itertools.product(B, repeat=m):
                yield (*first, *w2, *b2)
