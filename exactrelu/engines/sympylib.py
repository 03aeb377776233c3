"""Adapter for sympy: the ONLY module converting between :class:`~fractions.Fraction` and sympy objects.

Parameter symbols follow the canonical naming of docs/mathematics.md §1
(:func:`exactrelu.core.network.parameter_names`): ``W{l}_{i}_{j}`` and ``b{l}_{i}``, 1-based, in canonical order (per
layer ``W`` row-major, then ``b``).  They are created once per architecture (:func:`parameter_symbols` is cached),
declared ``real=True``, so two fibers of the same architecture share their symbols.  Free parameters of parametrisations
(the positive scalings ``lambda_i`` and any other free coordinate) come from :func:`free_symbol`.

Examples
--------
>>> parameter_symbols((1, 1, 1))
(W1_1_1, b1_1, W2_1_1, b2_1)
>>> parameter_symbols((1, 1, 1)) is parameter_symbols([1, 1, 1])
True
>>> from fractions import Fraction
>>> to_sympy(Fraction(-3, 4)), from_sympy(to_sympy(Fraction(-3, 4)))
(-3/4, Fraction(-3, 4))
>>> W, b, V, c = parameter_symbols((1, 1, 1))
>>> evaluate(V * W - 2, dict(zip((W, V), (Fraction(1, 2), 4))))
Fraction(0, 1)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

import sympy as sp

from exactrelu.core.errors import NotExactError
from exactrelu.core.network import parameter_names

__all__ = [
    "parameter_symbols",
    "free_symbol",
    "to_sympy",
    "from_sympy",
    "evaluate",
    "expr_str",
    "expr_latex",
    "expr_macaulay2",
    "macaulay2_name",
    "rationals",
    "is_zero_identically",
    "sign_for_positive",
]


@functools.lru_cache(maxsize=256)
def _symbols(arch: tuple[int, ...]) -> tuple[sp.Symbol, ...]:
    return tuple(sp.Symbol(name, real=True) for name in parameter_names(arch))


def parameter_symbols(architecture: Sequence[int]) -> tuple[sp.Symbol, ...]:
    """The interned tuple of real sympy symbols of an architecture, in canonical parameter order (docs/mathematics.md
    §1)."""
    return _symbols(tuple(int(a) for a in architecture))


@functools.lru_cache(maxsize=1024)
def free_symbol(name: str, positive: bool = False) -> sp.Symbol:
    """A real (optionally positive) free parameter symbol such as ``lambda_3`` (interned by name).

    >>> free_symbol("lambda_1", positive=True).is_positive
    True
    """
    return sp.Symbol(name, positive=True) if positive else sp.Symbol(name, real=True)


def to_sympy(value: Fraction | int) -> sp.Rational:
    """An exact rational as a sympy ``Rational`` (never a Float)."""
    if isinstance(value, float):
        raise NotExactError(f"float {value!r} cannot enter a sympy system exactly")
    q = Fraction(value)
    return sp.Rational(q.numerator, q.denominator)


def from_sympy(value: object) -> Fraction:
    """A sympy number that is an exact rational, as a Fraction; anything else raises NotExactError."""
    v = sp.sympify(value)
    if not v.is_Rational:
        raise NotExactError(f"{v} is not an exact rational number")
    return Fraction(int(v.p), int(v.q))


def evaluate(expr: sp.Expr, values: Mapping[sp.Symbol, Fraction | int]) -> Fraction:
    """Exact value of a polynomial (or rational) expression at a rational point (every symbol must be given)."""
    sub = {s: to_sympy(v) for s, v in values.items()}
    out = sp.sympify(expr).xreplace(sub)
    if not getattr(out, "is_Rational", False):
        raise NotExactError(f"{expr} did not evaluate to a rational number (free symbols left: {out.free_symbols})")
    return Fraction(int(out.p), int(out.q))


def expr_str(expr: sp.Expr) -> str:
    """Plain exact text of an expression (``1/2*W1_1_1 - b1_1``); rationals stay rationals."""
    return sp.sstr(expr)


def expr_latex(expr: sp.Expr) -> str:
    """LaTeX of an expression; symbol ``W1_2_1`` is rendered ``W^{(1)}_{2,1}`` and ``b1_2`` as ``b^{(1)}_{2}``."""
    names = {s: _latex_name(s.name) for s in sp.sympify(expr).free_symbols}
    return sp.latex(expr, symbol_names=names)


def _latex_name(name: str) -> str:
    if name.startswith(("W", "b")) and "_" in name:
        head, *idx = name.split("_")
        return f"{head[0]}^{{({head[1:]})}}_{{{','.join(idx)}}}"
    if name.startswith("lambda_"):
        return r"\lambda_{" + name.split("_", 1)[1] + "}"
    return name


def macaulay2_name(name: str) -> str:
    """Macaulay2 reads ``_`` as subscripting, so ``W1_2_1`` becomes ``W1x2x1`` (documented in the export)."""
    return name.replace("_", "x")


def expr_macaulay2(expr: sp.Expr) -> str:
    """Macaulay2 text: ``^`` for powers and ``x``-separated symbol names (see :func:`macaulay2_name`)."""
    e = sp.sympify(expr)
    ren = {s: sp.Symbol(macaulay2_name(s.name)) for s in e.free_symbols}
    return sp.sstr(e.xreplace(ren)).replace("**", "^")


def is_zero_identically(expr: sp.Expr) -> bool:
    """True iff a rational function reduces to 0 (``cancel`` of the expanded difference)."""
    return sp.cancel(sp.together(sp.expand(expr))) == 0


def sign_for_positive(expr: sp.Expr, positive: Iterable[sp.Symbol]) -> int | None:
    """The sign (+1, -1, 0) of ``expr`` valid for all positive values of the given symbols, or None if undecided.

    The symbols are replaced by ``positive=True`` dummies and sympy's assumption system decides the sign.

    >>> lam = free_symbol("lambda_1", positive=True)
    >>> sign_for_positive(-3 * lam, [lam]), sign_for_positive(lam - 1, [lam])
    (-1, None)
    """
    e = sp.sympify(expr)
    rep = {s: sp.Dummy(s.name, positive=True) for s in positive}
    e = sp.factor(e.xreplace(rep))
    if e == 0:
        return 0
    if e.is_positive:
        return 1
    if e.is_negative:
        return -1
    return None


def rationals(values: Iterable[object]) -> tuple[Fraction, ...]:
    """A tuple of Fractions from exact sympy numbers."""
    return tuple(from_sympy(v) for v in values)
