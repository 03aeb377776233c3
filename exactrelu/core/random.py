"""Seeded random rational networks with small numerators and denominators (for tests and sweeps).

>>> a = random_network((2, 3, 1), seed=7)
>>> a == random_network((2, 3, 1), seed=7), a.architecture
(True, (2, 3, 1))
"""

from __future__ import annotations

import random as _random
from collections.abc import Sequence
from fractions import Fraction

from exactrelu.core.errors import ShapeError
from exactrelu.core.network import Network

__all__ = ["random_network", "random_rational", "trained_style_network", "parse_architecture"]


def random_rational(rng: _random.Random, max_num: int = 5, max_den: int = 4, *, nonzero: bool = True) -> Fraction:
    """A rational ``p/q`` with ``|p| <= max_num`` and ``1 <= q <= max_den`` (p != 0 when ``nonzero``)."""
    while True:
        p = rng.randint(-max_num, max_num)
        if p or not nonzero:
            return Fraction(p, rng.randint(1, max_den))


def random_network(architecture: Sequence[int], seed: int = 0, *, max_num: int = 5, max_den: int = 4,
                   nonzero: bool = True) -> Network:
    """A network of the given architecture with i.i.d. entries ``p/q``, ``|p| <= max_num``, ``1 <= q <= max_den``.

    With ``nonzero=True`` (the default) no entry is 0, which avoids the most common degeneracies; such networks are
    generic with high probability but not always (check with ``is_generic`` where it matters).
    """
    arch = tuple(int(a) for a in architecture)
    if len(arch) < 2 or any(a < 1 for a in arch):
        raise ShapeError(f"architecture {arch} needs >= 2 positive entries (d, ..., m)")
    rng = _random.Random(seed)
    layers = []
    for l in range(1, len(arch)):
        W = [[random_rational(rng, max_num, max_den, nonzero=nonzero) for _ in range(arch[l - 1])]
             for _ in range(arch[l])]
        b = [random_rational(rng, max_num, max_den, nonzero=nonzero) for _ in range(arch[l])]
        layers.append((W, b))
    return Network.from_lists(layers)


def trained_style_network(architecture: Sequence[int], seed: int = 0, *, max_exp: int = 40,
                          max_magnitude: int = 0) -> Network:
    """A network whose entries look like trained float weights: ``k / 2^e`` with a 24-bit mantissa ``k`` (as float32)
    and ``e`` up to ``max_exp``, times ``2^s`` with ``|s| <= max_magnitude · log2(10)`` (magnitudes
    ``10^-max_magnitude .. 10^max_magnitude``).  Every entry is exactly representable as a float64.

    >>> net = trained_style_network((2, 3, 1), seed=1)
    >>> all(v.denominator & (v.denominator - 1) == 0 for v in net.parameters())  # dyadic
    True
    """
    arch = tuple(int(a) for a in architecture)
    if len(arch) < 2 or any(a < 1 for a in arch):
        raise ShapeError(f"architecture {arch} needs >= 2 positive entries (d, ..., m)")
    rng = _random.Random(seed)
    smax = round(max_magnitude * 3.321928094887362)

    def entry() -> Fraction:
        k = rng.randint(1, 2**24 - 1) * rng.choice((-1, 1))
        s = rng.randint(-smax, smax) - rng.randint(0, max_exp)
        return Fraction(k, 2**24) * Fraction(2) ** s

    layers = []
    for l in range(1, len(arch)):
        W = [[entry() for _ in range(arch[l - 1])] for _ in range(arch[l])]
        layers.append((W, [entry() for _ in range(arch[l])]))
    return Network.from_lists(layers)


def parse_architecture(text: str) -> tuple[int, ...]:
    """Parse ``"2,4,4,1"`` into ``(2, 4, 4, 1)``.

    >>> parse_architecture("2, 4,4,1")
    (2, 4, 4, 1)
    """
    try:
        arch = tuple(int(t) for t in text.replace("(", "").replace(")", "").split(","))
    except ValueError:
        raise ShapeError(f"architecture {text!r}: expected comma-separated positive integers like 2,4,4,1") from None
    if len(arch) < 2 or any(a < 1 for a in arch):
        raise ShapeError(f"architecture {text!r}: needs at least input and output sizes, all >= 1")
    return arch
