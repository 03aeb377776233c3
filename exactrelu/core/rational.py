"""Exact rational scalars: the one place where user values become :class:`fractions.Fraction`.

Conventions (used in every file format and every ``--json`` output): a rational is written as the string
``str(Fraction)``, i.e. ``"p/q"`` in lowest terms or ``"p"`` for integers.  Floats are **never** accepted silently:
:func:`as_rational` raises :class:`~exactrelu.core.errors.NotExactError` unless ``allow_float=True``, in which case the
float is converted *exactly* (``Fraction(0.1) == 3602879701896397/36028797018963968``), never rounded.

Examples
--------
>>> as_rational("3/4")
Fraction(3, 4)
>>> as_rational(-2)
Fraction(-2, 1)
>>> format_rational(Fraction(-35, 4))
'-35/4'
>>> as_rational(0.5)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
exactrelu.core.errors.NotExactError: float 0.5 is not exact; write "1/2" or convert explicitly (--allow-float on ...
>>> as_rational(0.5, allow_float=True)
Fraction(1, 2)
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from exactrelu.core.errors import FormatError, NotExactError

__all__ = ["Q", "NUMBER_GRAMMAR", "as_rational", "parse_rational", "format_rational", "as_vector", "int_from_digits",
           "int_to_digits"]

Q = Fraction


#: The number grammar of every file format and command-line argument (ASCII only, no spaces, no exponent, no
#: ``_``): an integer ``-?[0-9]+``, a fraction ``-?[0-9]+/[0-9]+`` (non-zero denominator) or an exact decimal
#: ``-?[0-9]+.[0-9]+`` (``"0.25"`` is exactly 1/4, never a float).
NUMBER_GRAMMAR = 'an integer ("-12"), a fraction "p/q" ("3/4") or an exact decimal ("0.25")'
_NUMBER = re.compile(r"(-?)([0-9]+)(?:/([0-9]+)|\.([0-9]+))?", re.ASCII)
_CHUNK = 4000  # digits converted at once: below CPython's int/str limit (4300), so big numbers never hit it


def int_from_digits(digits: str) -> int:
    """The integer written by the ASCII decimal ``digits`` (optional leading ``-``), of any length.

    Unlike ``int(text)``, this is not limited by ``sys.get_int_max_str_digits()``: a 5,000-digit weight is valid
    input and is read exactly (divide and conquer, so the cost stays quasi-linear in the length).

    >>> int_from_digits("9" * 5000) == 10**5000 - 1
    True
    """
    if digits.startswith("-"):
        return -int_from_digits(digits[1:])
    if len(digits) <= _CHUNK:
        return int(digits)
    k = len(digits) // 2
    return int_from_digits(digits[:-k]) * 10**k + int_from_digits(digits[-k:])


def int_to_digits(value: int) -> str:
    """The decimal string of ``value``, of any length (the inverse of :func:`int_from_digits`).

    >>> int_to_digits(-(10**5000)) == "-1" + "0" * 5000
    True
    """
    if value < 0:
        return "-" + int_to_digits(-value)
    if value < 10**_CHUNK:
        return str(value)
    k = len(bin(value)) * 3 // 20  # about half the number of decimal digits
    hi, lo = divmod(value, 10**k)
    return int_to_digits(hi) + int_to_digits(lo).rjust(k, "0")


def parse_rational(text: str) -> Fraction:
    """Parse a number written in the grammar :data:`NUMBER_GRAMMAR` into a Fraction, exactly.

    Accepted: ``"-12"``, ``"3/4"``, ``"-6/8"`` (normalised to -3/4), ``"0.25"`` (exactly 1/4), numbers of any
    length.  Refused with :class:`~exactrelu.core.errors.FormatError`: exponents (``"1e400"``), spaces (``" 1 "``),
    ``"1_000"``, ``"+1"``, non-ASCII digits, ``"inf"``/``"nan"``, ``".5"``, ``"1."`` and a zero denominator.

    >>> parse_rational("-6/8"), parse_rational("0.25")
    (Fraction(-3, 4), Fraction(1, 4))
    >>> parse_rational("1e400")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    exactrelu.core.errors.FormatError: not a rational number: '1e400' (expected an integer ("-12"), ...
    """
    if not isinstance(text, str):
        raise FormatError(f"{text!r} is not a number string")
    m = _NUMBER.fullmatch(text)
    if m is None:
        shown = repr(text) if len(text) <= 40 else repr(text[:40]) + f"... ({len(text)} characters)"
        if not text.strip():
            raise FormatError(f"empty string {shown} is not a number")
        raise FormatError(f"not a rational number: {shown} (expected {NUMBER_GRAMMAR}; no exponent, spaces or '_')")
    sign, whole, den, frac = m.groups()
    num = int_from_digits(whole)
    if frac is not None:
        num = num * 10 ** len(frac) + int_from_digits(frac)
        q = 10 ** len(frac)
    elif den is not None:
        q = int_from_digits(den)
        if q == 0:
            raise FormatError(f"zero denominator in {text[:40]!r}")
    else:
        q = 1
    return Fraction(-num if sign else num, q)


def as_rational(value: object, *, allow_float: bool = False) -> Fraction:
    """Convert an int, Fraction, ``"p/q"`` string, or any exact rational (``.numerator``/``.denominator``).

    ``bool`` is refused (``True`` is not a weight).  Integers of any type (numpy's included) are converted as
    integers, never through a float.  A binary float (Python ``float``, numpy ``float16`` … ``longdouble``) is refused
    unless ``allow_float``; then its exact binary value is taken (``as_integer_ratio``, never rounded, also for a long
    double).  A finite ``decimal.Decimal`` is exact.  flint's ``fmpq`` is accepted via its ``p``/``q``.

    >>> import numpy as np
    >>> as_rational(np.int64(2**60 + 1))
    Fraction(1152921504606846977, 1)
    >>> as_rational(np.float32(0.1), allow_float=True)
    Fraction(13421773, 134217728)
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool) or value is None:
        raise FormatError(f"{value!r} is not a rational number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        return parse_rational(value)
    if isinstance(value, numbers.Integral):  # numpy and other integer types: as integers
        return Fraction(int(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise FormatError(f"{value!r} is not a finite number")
        return Fraction(value)
    if isinstance(value, float) or (isinstance(value, numbers.Real) and hasattr(value, "as_integer_ratio")
                                    and not isinstance(value, numbers.Rational)):
        shown = getattr(value, "text", None) or repr(value)
        try:
            p, q = value.as_integer_ratio()  # type: ignore[attr-defined]
        except (OverflowError, ValueError):
            raise FormatError(f"{shown} is not a finite number") from None
        if not allow_float:
            raise NotExactError(
                f"float {shown} is not exact; write \"{_suggest(value, Fraction(p, q))}\" or convert explicitly "
                "(--allow-float on the command line, allow_float=True in Python)"
            )
        return Fraction(p, q)
    if hasattr(value, "p") and hasattr(value, "q") and type(value).__name__ == "fmpq":
        return Fraction(int(value.p), int(value.q))  # type: ignore[attr-defined]
    if isinstance(value, numbers.Rational) or (hasattr(value, "numerator") and hasattr(value, "denominator")):
        return Fraction(int(value.numerator), int(value.denominator))  # type: ignore[attr-defined]
    raise FormatError(f"{value!r} (type {type(value).__name__}) is not a rational number")


def _suggest(value: object, exact: Fraction) -> str:
    """The exact number a float literal was probably meant to be (its decimal text), for error messages."""
    text = getattr(value, "text", None)
    if isinstance(text, str):
        try:
            meant = Fraction(text)
            if len(str(meant)) <= 40:
                return str(meant)
        except (ValueError, ZeroDivisionError):
            pass
    return str(exact.limit_denominator(10**6))


def as_vector(values: Iterable[object], *, allow_float: bool = False) -> tuple[Fraction, ...]:
    """A tuple of Fractions from any iterable of exact scalars (see :func:`as_rational`)."""
    return tuple(as_rational(v, allow_float=allow_float) for v in values)


def format_rational(value: Fraction | int) -> str:
    """The canonical string of a rational: ``str(Fraction)``, e.g. ``"3/4"``, ``"-2"``, of any length."""
    v = Fraction(value)
    if v.denominator == 1:
        return int_to_digits(v.numerator)
    return f"{int_to_digits(v.numerator)}/{int_to_digits(v.denominator)}"


def format_vector(values: Sequence[Fraction]) -> list[str]:
    return [format_rational(v) for v in values]


def rational_point(x: Sequence[object], dim: int) -> tuple[Fraction, ...]:
    """An input point of ``dim`` exact coordinates; raises :class:`~exactrelu.core.errors.ShapeError` otherwise.

    >>> rational_point([1, "1/2"], 2)
    (Fraction(1, 1), Fraction(1, 2))
    """
    from exactrelu.core.errors import ShapeError

    try:
        xs = tuple(as_rational(v) for v in x)
    except TypeError:
        raise ShapeError("input must be a sequence of rationals") from None
    if len(xs) != dim:
        raise ShapeError(f"network expects {dim} inputs, got {len(xs)}")
    return xs
