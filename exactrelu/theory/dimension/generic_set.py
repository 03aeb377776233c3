"""The identifiable parameters of a one-hidden-layer architecture as explicit polynomial conditions
(docs/mathematics.md B3, B5).

For the architecture ``(d, n, m)`` with parameters ``W1_i_j, b1_i, W2_r_i, b2_r`` (the names of
:func:`exactrelu.core.network.parameter_names`), :func:`generic_conditions` returns the Zariski-open set

    U = { θ : (i), (ii) and (iii) of docs/mathematics.md B3 hold }

as a list of conditions, each of the form "the polynomials ``g_1, ..., g_s`` do not all vanish" (θ outside the
algebraic set ``V(g_1, ..., g_s)``; over the reals the same as ``g_1^2 + ... + g_s^2 != 0``):

* (i) ``W1_i != 0`` and ``W2_i != 0`` for every neuron (``W1_i`` = row ``i`` of ``W1``, ``W2_i`` = column ``i`` of
  ``W2``, the neuron's output weights; the generators are their entries);
* (ii) ``(W1_a, b1_a)`` and ``(W1_b, b1_b)`` not proportional for every pair ``a < b`` (the ``C(d+1, 2)`` 2x2 minors
  of the 2 x (d+1) matrix of the two rows);
* (iii) ``sum_{i in T} W2_i W1_i^T != 0`` for every ``T ⊆ [n]`` with ``|T| >= 2`` (the ``m d`` entries of that
  matrix; for ``|T| = 1`` it is (i)).

Theorem (docs/mathematics.md B5): on ``U`` every θ has only trivial symmetries (its fiber is its orbit under
permutations and positive rescalings of the hidden neurons), and ``U`` is the **largest** Zariski-open set with that
property: the Zariski closure of the non-identifiable parameters is exactly ``V(i) ∪ V(ii) ∪ V(iii)``.  Outside ``U``
a parameter can still be identifiable (``relu(x) + x`` written with two opposite neurons on one hyperplane);
:func:`exactrelu.identifiability` decides such points one by one.  No inequality is needed on ``R^d``: a dead neuron
has ``W1_i = 0`` there (inequalities only enter for bounded domains, docs/mathematics.md C).

Examples
--------
>>> G = generic_conditions((1, 2, 1))
>>> [c.label for c in G.conditions]  # doctest: +NORMALIZE_WHITESPACE
['(i) W1_1 != 0', '(i) W2_1 != 0', '(i) W1_2 != 0', '(i) W2_2 != 0', '(ii) (W1_1, b1_1) ∦ (W1_2, b1_2)',
 '(iii) T = {1, 2}']
>>> [str(g) for g in G.conditions[-1].generators]
['W1_1_1*W2_1_1 + W1_2_1*W2_1_2']
>>> from exactrelu import examples
>>> [c.label for c in G.violations(examples.relu_minus_shifted_relu())]   # W2 W1 = 1 - 1: an orientation flip
['(iii) T = {1, 2}']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb
from typing import Any

import sympy as sp

from exactrelu.core.errors import ShapeError, SizeLimitError
from exactrelu.core.network import Network
from exactrelu.engines.sympylib import evaluate, expr_latex, expr_str, parameter_symbols

__all__ = ["Condition", "GenericSet", "generic_conditions", "MAX_GENERATORS", "condition_counts"]

#: Largest number of generator polynomials :func:`generic_conditions` writes out (``2^n`` subsets for (iii)).
MAX_GENERATORS = 20000

THEOREM = ("On U every θ has only trivial symmetries (fiber = orbit under permutations and positive rescalings of "
           "the hidden neurons), and U is the largest Zariski-open set with this property: the Zariski closure of "
           "the non-identifiable parameters is V(i) ∪ V(ii) ∪ V(iii) (docs/mathematics.md B5). The conditions are "
           "sufficient pointwise, and necessary only up to Zariski closure: some points outside U are identifiable "
           "(e.g. relu(x) + x with two opposite neurons on x = 0).")


@dataclass(frozen=True)
class Condition:
    """One condition of the generic set: θ satisfies it iff the ``generators`` do **not** all vanish at θ.

    ``kind`` is ``"i"``, ``"ii"`` or ``"iii"`` (docs/mathematics.md B3); ``neurons`` the hidden neurons involved
    (1-based); ``label`` a short readable name.
    """

    kind: str
    label: str
    neurons: tuple[int, ...]
    generators: tuple[sp.Expr, ...]

    def sum_of_squares(self) -> sp.Expr:
        """``g_1^2 + ... + g_s^2``: over the reals the condition is ``sum_of_squares() != 0``."""
        return sp.Add(*(g ** 2 for g in self.generators))

    def holds(self, values: dict[sp.Symbol, Any]) -> bool:
        """Whether the condition holds at an exact rational point (``values``: symbol -> Fraction)."""
        return any(evaluate(g, values) != 0 for g in self.generators)

    def __str__(self) -> str:
        gens = ", ".join(expr_str(g) for g in self.generators)
        return f"{self.label}: not all of [{gens}] vanish"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "neurons": list(self.neurons),
                "generators": [expr_str(g) for g in self.generators],
                "latex": r"\left(" + r",\ ".join(expr_latex(g) for g in self.generators) + r"\right) \neq 0"}


def condition_counts(architecture: Sequence[int]) -> dict[str, int]:
    """How many conditions and generators each of (i), (ii), (iii) has for ``(d, n, m)``, without building them.

    (i): ``2n`` conditions, ``n(d + m)`` generators; (ii): ``C(n, 2)`` conditions of ``C(d+1, 2)`` minors each;
    (iii): ``2^n - n - 1`` conditions of ``m d`` entries each.

    >>> condition_counts((2, 3, 1))
    {'i': 6, 'ii': 3, 'iii': 4, 'generators_i': 9, 'generators_ii': 9, 'generators_iii': 8, 'generators': 26}
    """
    d, n, m = _shallow_arch(architecture)
    out = {"i": 2 * n, "ii": comb(n, 2), "iii": 2 ** n - n - 1,
           "generators_i": n * (d + m), "generators_ii": comb(n, 2) * comb(d + 1, 2),
           "generators_iii": (2 ** n - n - 1) * m * d}
    out["generators"] = out["generators_i"] + out["generators_ii"] + out["generators_iii"]
    return out


def _shallow_arch(architecture: Sequence[int]) -> tuple[int, int, int]:
    arch = tuple(int(a) for a in architecture)
    if len(arch) != 3 or any(a < 1 for a in arch):
        raise ShapeError(f"the generic set is given for one-hidden-layer architectures (d, n, m) with positive "
                         f"entries, got {arch}")
    return arch[0], arch[1], arch[2]


@dataclass(frozen=True)
class GenericSet:
    """The Zariski-open set ``U`` of identifiable parameters of ``(d, n, m)`` (docs/mathematics.md B5).

    ``conditions``: every condition (θ ∈ U iff all hold); ``symbols``: the parameter symbols in canonical order;
    ``theorem``: what is proved about ``U``; ``inequalities``: empty on ``R^d`` (see the module docstring).
    """

    architecture: tuple[int, int, int]
    conditions: tuple[Condition, ...]
    symbols: tuple[sp.Symbol, ...]
    theorem: str = THEOREM
    inequalities: tuple[sp.Expr, ...] = ()

    def by_kind(self, kind: str) -> list[Condition]:
        return [c for c in self.conditions if c.kind == kind]

    def polynomial(self) -> sp.Expr:
        """One real polynomial ``P`` with ``U = {P != 0}``: the product of the sums of squares of (ii) and (iii), and
        of (i) (kept unexpanded: its expansion is exponential).  Degree ``4 (C(n,2) + 2^n - n - 1) + 2 * 2n``."""
        return sp.Mul(*(c.sum_of_squares() for c in self.conditions), evaluate=False)

    def degree(self) -> int:
        """Total degree of :meth:`polynomial` (2 per (i) factor, 4 per (ii) and (iii) factor)."""
        return sum(2 if c.kind == "i" else 4 for c in self.conditions)

    def _values(self, net: Network) -> dict[sp.Symbol, Any]:
        if net.architecture != self.architecture:
            raise ShapeError(f"network of architecture {net.architecture}, generic set of {self.architecture}")
        return dict(zip(self.symbols, net.parameters()))

    def violations(self, net: Network) -> list[Condition]:
        """The conditions that fail at θ = ``net`` (exact evaluation of the generators); empty iff θ ∈ U."""
        values = self._values(net)
        return [c for c in self.conditions if not c.holds(values)]

    def contains(self, net: Network) -> bool:
        """θ ∈ U (then θ has only trivial symmetries, docs/mathematics.md B5)."""
        return not self.violations(net)

    def __contains__(self, net: object) -> bool:
        return isinstance(net, Network) and self.contains(net)

    def counts(self) -> dict[str, int]:
        return condition_counts(self.architecture)

    def __repr__(self) -> str:
        c = self.counts()
        return (f"GenericSet(architecture={self.architecture}, conditions: (i) {c['i']}, (ii) {c['ii']}, "
                f"(iii) {c['iii']}; {c['generators']} generators)")

    def __str__(self) -> str:
        d, n, m = self.architecture
        lines = [f"identifiable parameters of ({d}, {n}, {m}): U = the set where every condition below holds",
                 "(each: the listed polynomials do not all vanish)"]
        lines += [f"  {c}" for c in self.conditions]
        lines.append("inequalities: none on R^d")
        lines.append(self.theorem)
        return "\n".join(lines)

    def latex(self) -> str:
        r"""A LaTeX ``aligned`` block: one line per condition, ``(g_1, \dots, g_s) \neq 0``."""
        body = " \\\\\n".join(f"&\\text{{{c.label.split(' ')[0]}}}\\quad " + c.to_dict()["latex"]
                              for c in self.conditions)
        return "\\begin{aligned}\n" + body + "\n\\end{aligned}"

    def to_dict(self) -> dict[str, Any]:
        return {"architecture": list(self.architecture), "parameters": [s.name for s in self.symbols],
                "encoding": "each condition holds iff its generators do not all vanish (over R: the sum of their "
                            "squares is nonzero); U is the set where every condition holds",
                "counts": self.counts(), "degree": self.degree(),
                "conditions": [c.to_dict() for c in self.conditions], "inequalities": [],
                "theorem": self.theorem, "reference": "docs/mathematics.md B3, B5"}


def _conditions(d: int, n: int, m: int, syms: Sequence[sp.Symbol]) -> Iterator[Condition]:
    # canonical order: W1 (n x d, row-major), b1 (n), W2 (m x n, row-major), b2 (m)
    W1 = [[syms[i * d + j] for j in range(d)] for i in range(n)]
    b1 = [syms[n * d + i] for i in range(n)]
    off = n * d + n
    W2 = [[syms[off + r * n + i] for r in range(m)] for i in range(n)]  # column of neuron i
    for i in range(n):
        yield Condition("i", f"(i) W1_{i + 1} != 0", (i + 1,), tuple(W1[i]))
        yield Condition("i", f"(i) W2_{i + 1} != 0", (i + 1,), tuple(W2[i]))
    for a, b in combinations(range(n), 2):
        ra, rb = [*W1[a], b1[a]], [*W1[b], b1[b]]
        minors = tuple(sp.expand(ra[p] * rb[q] - ra[q] * rb[p]) for p, q in combinations(range(d + 1), 2))
        yield Condition("ii", f"(ii) (W1_{a + 1}, b1_{a + 1}) ∦ (W1_{b + 1}, b1_{b + 1})", (a + 1, b + 1), minors)
    for size in range(2, n + 1):
        for T in combinations(range(n), size):
            entries = tuple(sp.Add(*(W2[i][r] * W1[i][j] for i in T)) for r in range(m) for j in range(d))
            label = "(iii) T = {" + ", ".join(str(i + 1) for i in T) + "}"
            yield Condition("iii", label, tuple(i + 1 for i in T), entries)


def generic_conditions(architecture: Sequence[int]) -> GenericSet:
    """The identifiable Zariski-open set of a one-hidden-layer architecture ``(d, n, m)`` as explicit polynomial
    conditions in the parameter symbols (docs/mathematics.md B3, B5).

    Parameters
    ----------
    architecture : ``(d, n, m)``.

    Returns
    -------
    GenericSet: its ``conditions`` ((i), (ii), (iii) of docs/mathematics.md B3, each "these polynomials do not all
    vanish"), :meth:`GenericSet.violations` to test a network, :meth:`GenericSet.polynomial` for one real polynomial
    ``P`` with ``U = {P != 0}``.

    Raises
    ------
    ShapeError
        for an architecture that is not ``(d, n, m)``.
    SizeLimitError
        when more than :data:`MAX_GENERATORS` generators would be written (``2^n`` subsets in (iii)); use
        :func:`condition_counts` for the sizes.

    Examples
    --------
    >>> G = generic_conditions((2, 3, 1))
    >>> len(G.conditions), G.degree()
    (13, 40)
    >>> from exactrelu import random_network
    >>> G.contains(random_network((2, 3, 1), seed=1))
    True
    """
    d, n, m = _shallow_arch(architecture)
    total = condition_counts((d, n, m))["generators"]
    if total > MAX_GENERATORS:
        raise SizeLimitError(f"the generic set of ({d}, {n}, {m}) has {total} generator polynomials "
                             f"(2^{n} - {n} - 1 subsets in condition (iii)), more than {MAX_GENERATORS}")
    syms = parameter_symbols((d, n, m))
    return GenericSet((d, n, m), tuple(_conditions(d, n, m, syms)), syms)
