"""A brute-force completeness probe of a fiber listing (docs/mathematics.md §2.D, §3).

:func:`probe_completeness` looks for parameters η with ``f_η = f_θ`` that no listed component contains: it samples
points near every component (a component sample moved along a random rational direction in one neuron's
parameters) and points on random rational lines through θ (directions: one neuron's parameters, the hidden
Jacobian-kernel directions, all parameters), decides ``f_η = f_θ`` exactly with
:func:`~exactrelu.theory.equality.equivalence.equivalent`, and for every member asks
:meth:`~exactrelu.theory.fibers.base.Fiber.component_of`.  A member outside every component is a counterexample
to completeness (or a point of a part the listing says it omits); a component point that is not a member would be
a wrong component.  It is evidence, not a proof: a probe finds only what its lines meet.

>>> from exactrelu import examples
>>> from exactrelu.theory.fibers.bottleneck import bottleneck_fiber
>>> p = probe_completeness(bottleneck_fiber(examples.invisible_translation()), seed=0, lines=3, near=1)
>>> p.ok, p.members > 0, p.outside
(True, True, ())
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.core.network import Network
from exactrelu.core.rational import format_rational

__all__ = ["CompletenessProbe", "probe_completeness", "neuron_blocks", "STEPS"]

#: Steps s of the points θ + s v (rationals unlikely to hit a boundary value such as t_min exactly).
STEPS = (Fraction(1, 7), Fraction(-2, 9), Fraction(3, 11), Fraction(-13, 5))

Point = tuple[Fraction, ...]


@dataclass(frozen=True)
class CompletenessProbe:
    """The outcome of :func:`probe_completeness`.

    ``tested``: points decided; ``members``: how many have ``f_η = f_θ``; ``in_components``: members inside a listed
    component; ``outside``: members inside none (exact parameter vectors); ``wrong``: component points that are
    not members (must be empty); ``kinds``: members per way of finding them.
    """

    tested: int
    members: int
    in_components: int
    outside: tuple[Point, ...] = ()
    wrong: tuple[Point, ...] = ()
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No member outside the listing and no wrong component point."""
        return not self.outside and not self.wrong

    def __repr__(self) -> str:
        return (f"CompletenessProbe(ok={self.ok}, tested={self.tested}, members={self.members}, "
                f"in_components={self.in_components}, outside={len(self.outside)}, wrong={len(self.wrong)})")

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "tested": self.tested, "members": self.members, "in_components": self.in_components,
                "outside": [[format_rational(v) for v in p] for p in self.outside],
                "wrong": [[format_rational(v) for v in p] for p in self.wrong], "kinds": dict(self.kinds)}


def neuron_blocks(arch: Sequence[int]) -> list[list[int]]:
    """For every hidden neuron, the indices (canonical order) of its incoming weights, bias and outgoing weights."""
    offs, pos = [], 0
    for l in range(1, len(arch)):
        offs.append(pos)
        pos += arch[l] * (arch[l - 1] + 1)
    out = []
    for l in range(1, len(arch) - 1):
        n_in, n, n_next = arch[l - 1], arch[l], arch[l + 1]
        for i in range(n):
            idx = [offs[l - 1] + i * n_in + c for c in range(n_in)] + [offs[l - 1] + n * n_in + i]
            idx += [offs[l] + r * n + i for r in range(n_next)]
            out.append(idx)
    return out


def _rand(rng: random.Random) -> Fraction:
    return Fraction(rng.randint(-4, 4), rng.randint(1, 3))


def probe_completeness(fib: Any, *, seed: int = 0, lines: int = 6, near: int = 2,
                       steps: Sequence[Fraction] = STEPS) -> CompletenessProbe:
    """Search for members of S(θ) outside the listed components of ``fib`` (module doc).

    Parameters
    ----------
    fib : a :class:`~exactrelu.theory.fibers.base.Fiber` with components (domain R^d).
    seed : seeds the directions and the component samples.
    lines : random lines through θ per kind of direction (neuron block, all parameters); every hidden Jacobian-kernel
        direction is also used.
    near : perturbed samples per component.
    steps : the values s of the points ``θ + s v`` (and ``p + s v / 8`` near a component point p).
    """
    from exactrelu.theory.dimension.tangent import fiber_tangent_space
    from exactrelu.theory.equality.equivalence import equivalent

    comps = fib.need_components()
    net: Network = fib.network
    arch = net.architecture
    theta = net.parameters()
    D = len(theta)
    rng = random.Random(seed)
    blocks = neuron_blocks(arch)
    tested = members = inside = 0
    outside: list[Point] = []
    wrong: list[Point] = []
    kinds: dict[str, int] = {}

    def direction(block: Sequence[int] | None) -> list[Fraction]:
        v = [Fraction(0)] * D
        for i in (range(D) if block is None else block):
            v[i] = _rand(rng)
        if not any(v):
            v[(block or [0])[0]] = Fraction(1)
        return v

    def decide(pt: Point, kind: str) -> None:
        nonlocal tested, members, inside
        eta = Network.from_parameters(arch, pt)
        try:
            same = bool(equivalent(net, eta))
        except RegionLimitError:
            return
        tested += 1
        k = fib.component_of(pt)
        if not same:
            if k is not None:
                wrong.append(pt)
            return
        members += 1
        kinds[kind] = kinds.get(kind, 0) + 1
        if k is None:
            outside.append(pt)
        else:
            inside += 1

    dirs: list[tuple[list[Fraction], str]] = []
    for _ in range(lines):
        dirs.append((direction(rng.choice(blocks)), "line through θ, one neuron"))
        dirs.append((direction(None), "line through θ, all parameters"))
    try:
        for v in fiber_tangent_space(net).hidden:
            dirs.append((list(v), "line through θ, hidden kernel direction"))
    except (NotApplicableError, RegionLimitError):
        pass
    for v, kind in dirs:
        for s in steps:
            decide(tuple(a + s * b for a, b in zip(theta, v)), kind)
    for k, comp in enumerate(comps):
        for r in range(near):
            try:
                p = comp.sample(seed=seed * 1000 + 10 * k + r)
            except NotApplicableError:
                p = comp.point
            decide(p, "component sample")
            v = direction(rng.choice(blocks))
            for s in steps[:2]:
                decide(tuple(a + s * b / 8 for a, b in zip(p, v)), "near a component")
    return CompletenessProbe(tested, members, inside, tuple(outside), tuple(wrong), kinds)
