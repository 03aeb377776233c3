"""docs/mathematics.md B5: on the set U given by conditions (i)-(iii) every θ has only trivial symmetries, and the
points violating (i), (ii) with equal orientations, or (iii) alone have a larger fiber.

Seeded small-integer one-hidden-layer networks (entries in {-2..2}, zeros allowed, so that every violation occurs):
the conditions are evaluated as sympy polynomials; the oracle is the exact fiber of docs/mathematics.md B3 (valid
orientation sets of K(f), a different code path), whose trivial orbit is n! components of dimension n.
"""

from __future__ import annotations

import math
from fractions import Fraction

from exactrelu import random_network
from exactrelu.theory.dimension.generic_set import generic_conditions
from exactrelu.theory.fibers.shallow import shallow_fiber

THEOREM = "U (B3 (i)-(iii)) is identifiable, and (i), same-orientation (ii) or (iii) alone break it (B5)"

ARCHS = ((1, 2, 1), (1, 3, 1), (2, 2, 1), (1, 2, 2), (2, 3, 1), (1, 4, 1))


def cases() -> list[tuple[tuple[int, ...], int]]:
    return [(arch, seed) for seed in range(40) for arch in ARCHS]


def _ratio(u: tuple[Fraction, ...], v: tuple[Fraction, ...]) -> Fraction:
    p = next((i for i, x in enumerate(u) if x), None)
    return Fraction(0) if p is None else v[p] / u[p]


def check(case: tuple[tuple[int, ...], int]) -> str:
    arch, seed = case
    n = arch[1]
    net = random_network(arch, seed=seed, max_num=2, max_den=1, nonzero=False)
    bad = generic_conditions(arch).violations(net)
    try:
        F = shallow_fiber(net)
    except Exception as exc:  # noqa: BLE001 - some degenerate fibers are not built; they are outside U
        assert bad, f"a point of U whose fiber is not built: {exc}"
        return f"outside U ({[c.label for c in bad]}), fiber not built"
    dims = sorted(c.dimension for c in F.components)
    orbit = dims == [n] * math.factorial(n)
    if not bad:
        assert orbit, dims
        return "in U: trivial orbit"
    rows = [tuple(net.layers[0].weights[i]) + (net.layers[0].biases[i],) for i in range(n)]
    kinds = {c.kind for c in bad}
    same = any(c.kind == "ii" and _ratio(rows[c.neurons[0] - 1], rows[c.neurons[1] - 1]) > 0 for c in bad)
    if "i" in kinds or same or kinds == {"iii"}:
        assert not orbit, ([c.label for c in bad], dims)
        return f"violates {sorted(kinds)}: larger fiber"
    return f"violates {sorted(kinds)} with opposite pairs only: {'orbit' if orbit else 'larger fiber'}"
