"""Readable exact math for reprs, ``__str__`` and the CLI: affine forms, vectors, sparse combinations of names.

Everything is exact (``p/q`` strings from :func:`exactrelu.core.rational.format_rational`); signs are folded into the
operators (``x1 - 1/2``, never ``x1 + -1/2``) and unit coefficients are dropped.

Examples
--------
>>> from fractions import Fraction as F
>>> format_affine([1, -2, 0], F(-1, 2))
'x1 - 2*x2 - 1/2'
>>> format_affine([0, 0], 0)
'0'
>>> format_vector([F(1, 3), -2])
'(1/3, -2)'
>>> format_combination({"W1_1_1": 1, "b2_1": F(-3, 2)})
'W1_1_1 - 3/2*b2_1'
>>> format_relu_sum([((1, 0), -1, 2), ((0, 1), 0, -1)], [1, 1], 3)
'2*relu(x1 - 1) - relu(x2) + x1 + x2 + 3'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from exactrelu.core.rational import format_rational

__all__ = ["format_affine", "format_vector", "format_combination", "format_relu_sum", "shorten"]


def _terms(pairs: Iterable[tuple[object, str]]) -> str:
    """``coefficient * name`` terms joined with signs; ``name == ""`` is a constant term."""
    out = ""
    for c, name in pairs:
        q = Fraction(c)  # type: ignore[arg-type]
        if q == 0:
            continue
        mag = abs(q)
        body = format_rational(mag) if not name else name if mag == 1 else f"{format_rational(mag)}*{name}"
        if not out:
            out = ("-" if q < 0 else "") + body
        else:
            out += (" - " if q < 0 else " + ") + body
    return out or "0"


def format_affine(coeffs: Sequence[object], const: object = 0, var: str = "x") -> str:
    """``a·x + t`` as ``a1*x1 + ... + t`` (variables 1-based)."""
    return _terms([*((c, f"{var}{i + 1}") for i, c in enumerate(coeffs)), (const, "")])


def format_vector(v: Iterable[object]) -> str:
    """``(v1, v2, ...)`` with exact entries."""
    return "(" + ", ".join(format_rational(Fraction(x)) for x in v) + ")"  # type: ignore[arg-type]


def format_combination(coeffs: Mapping[str, object]) -> str:
    """A sparse linear combination of named directions, e.g. a kernel vector over parameter names."""
    return _terms((c, name) for name, c in coeffs.items())


def format_relu_sum(terms: Sequence[tuple[Sequence[object], object, object]], linear: Sequence[object],
                    constant: object, var: str = "x") -> str:
    """``Σ C relu(a·x + t) + A x + β`` for one output: ``terms`` are ``(a, t, C)`` with a scalar ``C``."""
    parts: list[tuple[object, str]] = [(C, f"relu({format_affine(a, t, var)})") for a, t, C in terms]
    parts += [(c, f"{var}{i + 1}") for i, c in enumerate(linear)]
    parts.append((constant, ""))
    return _terms(parts)


def shorten(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (for reprs of large objects)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
