"""Domains of fibers: R^d, the orthant, a full-dimensional polyhedron (docs/mathematics.md §2.C).

Their generators (vertices, rays, lines), the sign pattern of an affine form on them, the conditions for a neuron to
be active on all of a domain, and the regions of C_θ on a domain with interior points (for verification).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.engines import sympylib as S

__all__ = ["Gens", "is_orthant", "region_data", "domain_generators", "signs_on", "linear_conditions"]

_ZERO = Fraction(0)


def is_orthant(domain: Any, d: int) -> bool:
    if domain is None:
        return False
    if isinstance(domain, str):
        return domain.lower() == "orthant"
    ineq = getattr(domain, "inequalities", None)
    eq = getattr(domain, "equalities", ())
    if ineq is None or eq:
        return False
    rows = {tuple(Fraction(v) for v in r) for r in ineq}
    want = {tuple([_ZERO] + [Fraction(int(q == c)) for q in range(d)]) for c in range(d)}
    return rows == want


def region_data(net: Network, domain: Any = None) -> list[tuple[tuple[tuple[int, ...], ...], tuple[Fraction, ...]]]:
    """``[(pattern, interior point)]`` for the open regions of C_θ on ``domain`` (None = R^d, ``"orthant"`` or a
    full-dimensional :class:`~exactrelu.geometry.polyhedra.Polyhedron`), from
    :func:`exactrelu.geometry.regions.regions`."""
    from exactrelu.geometry.polyhedra import Orthant
    from exactrelu.geometry.regions import regions

    d = net.input_dim
    dom = None if domain is None else Orthant(d) if is_orthant(domain, d) else domain
    if dom is not None and not hasattr(dom, "inequalities"):
        raise NotApplicableError(f"unknown domain {domain!r}: use None, 'orthant' or a Polyhedron")
    cx = regions(net, dom)
    return [(tuple(tuple(p) for p in r.pattern), tuple(r.interior_point)) for r in cx.regions]


Gens = tuple[list[tuple[Fraction, ...]], list[tuple[Fraction, ...]], list[tuple[Fraction, ...]]]


def domain_generators(domain: Any, d: int) -> Gens:
    """``(vertices, rays, lines)`` of a domain: ``"orthant"`` (vertex 0, rays e_k) or a full-dimensional Polyhedron."""
    if domain is None or is_orthant(domain, d):
        return ([(_ZERO,) * d], [tuple(Fraction(int(q == c)) for q in range(d)) for c in range(d)], [])
    if not hasattr(domain, "generators") or getattr(domain, "ambient_dim", None) != d:
        raise NotApplicableError(f"the domain must be 'orthant' or a Polyhedron in R^{d}")
    if domain.dimension != d:
        raise NotApplicableError("the domain must be full-dimensional")
    v, r, lines = domain.generators()
    return ([tuple(Fraction(x) for x in p) for p in v], [tuple(Fraction(x) for x in p) for p in r],
            [tuple(Fraction(x) for x in p) for p in lines])


def signs_on(w: Sequence[Fraction], b: Fraction, gens: Gens) -> tuple[bool, bool]:
    """(z = w.x + b takes negative values on Ω, takes positive values on Ω), from the generators of Ω."""
    verts, rays, lines = gens
    dot = [sum((x * y for x, y in zip(w, g)), _ZERO) for g in rays]
    ldot = [sum((x * y for x, y in zip(w, g)), _ZERO) for g in lines]
    vals = [sum((x * y for x, y in zip(w, g)), b) for g in verts]
    neg = any(v < 0 for v in vals) or any(x < 0 for x in dot) or any(x != 0 for x in ldot)
    pos = any(v > 0 for v in vals) or any(x > 0 for x in dot) or any(x != 0 for x in ldot)
    return neg, pos


def linear_conditions(arch: tuple[int, ...], i: int, gens: Gens) -> tuple[list[Any], list[Any]]:
    """For neuron ``i`` (0-based) of a one-hidden-layer architecture: the polynomials saying it is active on all of
    Ω: ``(equalities W1_i.l = 0 for lines l, nonnegative W1_i.v + b1_i at vertices v and W1_i.r on rays r)``."""
    d, n = arch[0], arch[1]
    syms = S.parameter_symbols(arch)
    w = [syms[i * d + c] for c in range(d)]
    b = syms[n * d + i]
    verts, rays, lines = gens
    lin = lambda g: sp.Add(*[S.to_sympy(x) * y for x, y in zip(g, w)])  # noqa: E731
    nonneg = [lin(v) + b for v in verts] + [lin(r) for r in rays]
    out: list[Any] = []
    for e in nonneg:
        if e != 0 and e not in out:
            out.append(e)
    return [lin(line) for line in lines], out
