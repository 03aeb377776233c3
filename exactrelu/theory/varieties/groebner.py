"""Gröbner-basis evidence for tiny pattern varieties: the implicit ideal, and AM's Conjecture 6.1
(docs/mathematics.md H2).

Conjecture 6.1 says the rank-constraint minors of H2 generate the ideal of the (shallow, two-block) pattern variety.
Two exact computations bear on it, each reported for exactly what it shows:

* the dimension of the zero set of the minors, from the leading monomials of a Gröbner basis (grevlex): larger than
  the (proved) dimension of the variety means the minors cut out more than the variety, so they **cannot** generate
  its ideal in that case; equal is evidence for the conjecture, not a proof;
* for the smallest cases, the implicit ideal itself (elimination of the weights from ``M - param(θ)`` with a
  product order; the elimination ideal of this prime ideal is the ideal of the Zariski closure): if each of its
  generators reduces to 0 modulo the minors, the minors generate the ideal **in that case**; if one does not, they
  do not.

Examples
--------
>>> from exactrelu.theory.varieties.variety import pattern_variety
>>> ev = conjecture_evidence(pattern_variety((2, 2, 2), ["12", "1"]))
>>> ev.verdict, ev.minors_dimension, ev.variety_dimension, ev.ideal_equal
('supports', 6, 6, True)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.polys.orderings import ProductOrder, grevlex

from exactrelu.engines import sympylib as S
from exactrelu.theory.varieties.equations import Membership

if TYPE_CHECKING:
    from exactrelu.theory.varieties.variety import PatternVariety

__all__ = ["ConjectureEvidence", "krull_dimension", "implicit_ideal", "implicit_membership", "conjecture_evidence"]

#: Largest number of variables (used weights + ambient coordinates) for which the implicit ideal is computed.
MAX_ELIMINATION_VARIABLES = 16


def krull_dimension(polys: Sequence[sp.Expr], gens: Sequence[sp.Symbol]) -> int:
    """Dimension of the zero set of ``polys`` in ``len(gens)``-space: ``n`` minus the smallest set of variables
    meeting the support of every leading monomial of a grevlex Gröbner basis.

    >>> x, y, z = sp.symbols("x y z")
    >>> krull_dimension([x * y, x * z], [x, y, z]), krull_dimension([], [x, y])
    (2, 2)
    """
    gens = list(gens)
    if not polys:
        return len(gens)
    G = sp.groebner(list(polys), *gens, order="grevlex")
    if list(G.exprs) == [1]:
        return -1
    supports = sorted({frozenset(i for i, e in enumerate(p.LM(order="grevlex")) if e) for p in G.polys}, key=len)

    best = [len(gens)]

    def cover(chosen: frozenset[int], depth: int) -> None:
        if depth >= best[0]:
            return
        todo = next((s for s in supports if not (s & chosen)), None)
        if todo is None:
            best[0] = depth
            return
        for v in sorted(todo):
            cover(chosen | {v}, depth + 1)

    cover(frozenset(), 0)
    return len(gens) - best[0]


def _graph(V: PatternVariety) -> tuple[list[sp.Symbol], list[sp.Symbol], list[sp.Expr]]:
    P, A = V.parametrisation(), V.ambient_symbols()
    params = sorted(set().union(*[M.free_symbols for M in P]), key=lambda s: s.name)
    amb = [s for M in A for s in M]
    return params, amb, [a - p for Mi, Ai in zip(P, A) for a, p in zip(Ai, Mi)]


def implicit_ideal(V: PatternVariety, max_variables: int = MAX_ELIMINATION_VARIABLES) -> tuple[sp.Expr, ...] | None:
    """Generators (a Gröbner basis) of the ideal of the pattern variety, or None when there are more than
    ``max_variables`` variables (used weights + ambient coordinates; sympy's Buchberger is too slow beyond)."""
    params, amb, F = _graph(V)
    if len(params) + len(amb) > max_variables:
        return None
    n = len(params)
    order = ProductOrder((grevlex, lambda m: m[:n]), (grevlex, lambda m: m[n:]))
    G = sp.groebner(F, *params, *amb, order=order)
    return tuple(g for g in G.exprs if not (g.free_symbols & set(params)))


def implicit_membership(V: PatternVariety, blocks: Sequence[Sequence[Sequence[Any]]],
                        max_variables: int = MAX_ELIMINATION_VARIABLES) -> Membership | None:
    """Exact membership in the Zariski closure through the implicit ideal (tiny cases only, else None)."""
    ideal = implicit_ideal(V, max_variables)
    if ideal is None:
        return None
    values = {s: v for Ai, B in zip(V.ambient_symbols(), blocks) for s, v in zip(Ai, [x for r in B for x in r])}
    for g in ideal:
        val = S.evaluate(g, values)
        if val:
            return Membership(False, f"the implicit equation {S.expr_str(g)} = 0 fails (value {val})")
    return Membership(True, "every generator of the implicit ideal (Gröbner elimination) vanishes: the point lies in "
                            "the Zariski closure (no witness network is built on this path)")


@dataclass(frozen=True)
class ConjectureEvidence:
    """What a Gröbner computation says about Conjecture 6.1 in one case (docs/mathematics.md H2).

    ``verdict`` is ``"supports"`` (dimensions agree; with ``ideal_equal`` True the minors generate the ideal in this
    case), ``"contradicts"`` (the minors cut out a larger set, or miss a generator of the ideal), or
    ``"inconclusive"`` (the variety's dimension is not proved, or nothing could be computed).
    """

    verdict: str
    minors_dimension: int | None
    variety_dimension: int
    ideal_equal: bool | None
    in_conjecture_setting: bool
    details: str
    seconds: float

    def __str__(self) -> str:
        where = "" if self.in_conjecture_setting else " (outside the shallow two-block setting of the conjecture)"
        return f"Conjecture 6.1, evidence{where}: {self.verdict} — {self.details} [{self.seconds:.2f} s]"


def conjecture_evidence(V: PatternVariety, max_variables: int = MAX_ELIMINATION_VARIABLES) -> ConjectureEvidence:
    """Compare the zero set of the rank-constraint minors with the pattern variety (see the module docstring)."""
    t0 = time.perf_counter()
    setting = len(V.architecture) == 3 and len(V.patterns) == 2 and not V.bias
    amb = [s for M in V.ambient_symbols() for s in M]
    eqs = list(V.equations())
    dim_minors = krull_dimension(eqs, amb)
    ideal = implicit_ideal(V, max_variables)
    equal: bool | None = None
    missing = None
    if ideal is not None:
        G = sp.groebner(eqs, *amb, order="grevlex") if eqs else None
        for g in ideal:
            if G is None or not G.contains(g):
                missing = g
                break
        equal = missing is None
    if equal is False:
        verdict, details = "contradicts", (f"the implicit equation {S.expr_str(missing)} of the variety is not in the "
                                           "ideal of the minors")
    elif not V.proved:
        verdict, details = "inconclusive", (f"the minors cut out dimension {dim_minors}; the variety's dimension is "
                                            f"only bracketed [{V.lower_bound}, {V.upper_bound}]")
    elif dim_minors > V.dimension:
        verdict, details = "contradicts", (f"the minors cut out a set of dimension {dim_minors} > {V.dimension}: "
                                           "they do not define the variety")
    elif equal:
        verdict, details = "supports", (f"the minors generate the implicit ideal in this case (dimension "
                                        f"{V.dimension}, Gröbner elimination)")
    else:
        verdict, details = "supports", (f"the minors cut out dimension {dim_minors} = dim of the variety; ideal "
                                        "equality not computed at this size")
    return ConjectureEvidence(verdict, dim_minors, V.dimension, equal, setting, details,
                              time.perf_counter() - t0)
