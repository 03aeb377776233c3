"""Exports of pattern varieties: Macaulay2 and Sage input, LaTeX (docs/mathematics.md H1, H2).

The Macaulay2 and Sage texts define two polynomial rings over QQ (the weights, the ambient coordinates), the
parametrisation as a ring map, its kernel (the variety's ideal, by elimination), and the ideal of the rank-constraint
minors, then compare dimensions and ideals (AM's Conjecture 6.1 in that case).  Macaulay2 reads ``_`` as
subscripting, so symbols are renamed ``W1_2_1 -> W1x2x1``, ``M1_1_2 -> M1x1x2``.

Examples
--------
>>> from exactrelu.theory.varieties.variety import pattern_variety
>>> V = pattern_variety((2, 2, 2), ["12", "1"])
>>> print(to_macaulay2(V).splitlines()[3])
S = QQ[W1x1x1, W1x1x2, W1x2x1, W1x2x2, W2x1x1, W2x1x2, W2x2x1, W2x2x2];
>>> "I = R.ideal(" in to_sage(V), to_latex(V).count("&=") >= 2
(True, True)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sympy as sp

from exactrelu.engines import sympylib as S

if TYPE_CHECKING:
    from exactrelu.theory.varieties.variety import PatternVariety

__all__ = ["to_macaulay2", "to_sage", "to_latex"]


def _symbols(V: PatternVariety) -> tuple[list[sp.Symbol], list[sp.Symbol], list[sp.Expr]]:
    P = V.parametrisation()
    params = [s for s in S.parameter_symbols(V.architecture) if any(s in M.free_symbols for M in P)]
    amb = [s for M in V.ambient_symbols() for s in M]
    images = [e for M in P for e in M]
    return params, amb, images


def _header(V: PatternVariety, comment: str) -> list[str]:
    return [f"{comment} exactrelu pattern variety: {V.label()}",
            f"{comment} dimension {V.dimension}" + (" (proved)" if V.proved else f" (lower bound; upper "
                                                                                 f"{V.upper_bound})")
            + f", expected {V.expected_dimension}, ambient {V.ambient}"]


def to_macaulay2(V: PatternVariety) -> str:
    """Macaulay2 input: rings ``S`` (weights) and ``R`` (ambient), ``phi = map(S, R, ...)``, ``P = ker phi``,
    ``I`` = ideal of the minors, then ``dim P, dim I, I == P``."""
    params, amb, images = _symbols(V)
    m2 = S.macaulay2_name
    lines = _header(V, "--")
    lines.append("-- symbols: W{l}_{i}_{j} is written W{l}x{i}x{j}; M{block}_{row}_{column} as M{block}x{row}x{column}")
    lines.append(f"S = QQ[{', '.join(m2(s.name) for s in params)}];" if params else "S = QQ[dummy];")
    lines.append(f"R = QQ[{', '.join(m2(s.name) for s in amb)}];")
    lines.append("phi = map(S, R, {" + ", ".join(S.expr_macaulay2(e) for e in images) + "});")
    lines.append("P = ker phi;  -- the ideal of the pattern variety (elimination)")
    eqs = V.equations()
    lines.append("I = ideal(" + (", ".join(S.expr_macaulay2(e) for e in eqs) if eqs else "0_R") + ");"
                 "  -- rank-constraint minors (docs/mathematics.md H2)")
    lines.append("(dim P, dim I, I == P)  -- Conjecture 6.1 in this case: I == P")
    return "\n".join(lines) + "\n"


def to_sage(V: PatternVariety) -> str:
    """Sage input: the same rings, ring map, kernel and ideal of minors as :func:`to_macaulay2`."""
    params, amb, images = _symbols(V)
    lines = _header(V, "#")
    names = ", ".join(s.name for s in params) if params else "dummy"
    lines.append(f"S = PolynomialRing(QQ, '{names}')")
    lines.append(f"R = PolynomialRing(QQ, '{', '.join(s.name for s in amb)}')")
    lines.append("S.inject_variables(verbose=False)")
    lines.append("R.inject_variables(verbose=False)")
    lines.append("phi = R.hom([" + ", ".join(f"S({S.expr_str(e)!r})" for e in images) + "], S)")
    lines.append("P = phi.kernel()  # the ideal of the pattern variety")
    lines.append("I = R.ideal([" + ", ".join(S.expr_str(e) for e in V.equations()) + "])  # rank-constraint minors")
    lines.append("print(P.dimension(), I.dimension(), I == P)")
    return "\n".join(lines) + "\n"


def _set(s: frozenset[int]) -> str:
    return ",".join(str(j + 1) for j in sorted(s))


def _latex(e: sp.Expr) -> str:
    names = {}
    for x in e.free_symbols:
        head, *idx = x.name.split("_")
        names[x] = f"{head[0]}^{{({head[1:]})}}_{{{','.join(idx)}}}"
    return sp.latex(e, symbol_names=names)


def to_latex(V: PatternVariety, max_equations: int = 20) -> str:
    """LaTeX: the parametrisation ``M_i = W^{(L+1)} D_{A_i,L} ... W^{(1)}``, the dimension, and the rank constraints
    with (at most ``max_equations``) of their minors."""
    L = len(V.architecture) - 2
    lines = [r"\begin{align*}"]
    for i, p in enumerate(V.patterns):
        Ds = " ".join(rf"D_{{\{{{_set(s)}\}}}} W^{{({l + 1})}}" for l, s in reversed(list(enumerate(p))))
        lines.append(rf"M_{{{i + 1}}} &= W^{{({L + 1})}} {Ds} \\")
    lines.append(r"\end{align*}")
    proved = "" if V.proved else rf" \le {V.upper_bound}"
    lines.append(rf"$\dim = {V.dimension}{proved}$ (expected ${V.expected_dimension}$, ambient ${V.ambient}$, "
                 rf"defect ${V.defect}$).")
    if V.bias:
        lines.append(r"Biases are folded into the augmented input $(x, 1)$.")
    eqs = V.equations()
    if V.rank_constraints():
        lines.append(r"\begin{align*}")
        for c in V.rank_constraints():
            name = re.sub(r"M(\d+)", r"M_{\1}", c.name).replace("^T", "^{T}")
            lines.append(rf"\operatorname{{rank}} {name} &\le {c.bound} \\")
        for e in eqs[:max_equations]:
            lines.append(rf"{_latex(e)} &= 0 \\")
        lines.append(r"\end{align*}")
        if len(eqs) > max_equations:
            lines.append(f"({len(eqs) - max_equations} more minors omitted.)")
    return "\n".join(lines) + "\n"
