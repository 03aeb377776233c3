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
>>> as_rational(0.5)
Traceback (most recent call last):
...
exactrelu.core.errors.NotExactError: float 0.5 is not exact; write "1/2" or convert explicitly (allow_float)
>>> as_rational(0.5, allow_float=True)
Fraction(1, 2)
"""

from __future__ import annotations

import numbers
import os
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from exactrelu.core.errors import FormatError, NotExactError

__all__ = ["Q", "as_rational", "parse_rational", "format_rational", "as_vector", "atomic_write_text"]

Q = Fraction


def parse_rational(text: str) -> Fraction:
    """Parse ``"p/q"``, ``"p"`` or an exact decimal string (``"0.25"``, ``"1e-12"``) into a Fraction.

    Raises :class:`~exactrelu.core.errors.FormatError` for non-numeric text and for a zero denominator.
    """
    s = text.strip()
    if not s:
        raise FormatError("empty string is not a rational number")
    try:
        return Fraction(s)
    except ZeroDivisionError:
        raise FormatError(f"zero denominator in {text!r}") from None
    except ValueError as exc:
        if "digits" in str(exc):
            raise FormatError(f"number too long in {text[:40]!r}...: {exc}") from None
        raise FormatError(f"not a rational number: {text!r} (expected an integer or \"p/q\")") from None


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
        try:
            p, q = value.as_integer_ratio()  # type: ignore[attr-defined]
        except (OverflowError, ValueError):
            raise FormatError(f"{value!r} is not a finite number") from None
        if not allow_float:
            raise NotExactError(
                f"float {value!r} is not exact; write \"{Fraction(p, q).limit_denominator(10**6)}\" "
                "or convert explicitly (allow_float)"
            )
        return Fraction(p, q)
    if hasattr(value, "p") and hasattr(value, "q") and type(value).__name__ == "fmpq":
        return Fraction(int(value.p), int(value.q))  # type: ignore[attr-defined]
    if isinstance(value, numbers.Rational) or (hasattr(value, "numerator") and hasattr(value, "denominator")):
        return Fraction(int(value.numerator), int(value.denominator))  # type: ignore[attr-defined]
    raise FormatError(f"{value!r} (type {type(value).__name__}) is not a rational number")


def as_vector(values: Iterable[object], *, allow_float: bool = False) -> tuple[Fraction, ...]:
    """A tuple of Fractions from any iterable of exact scalars (see :func:`as_rational`)."""
    return tuple(as_rational(v, allow_float=allow_float) for v in values)


def format_rational(value: Fraction | int) -> str:
    """The canonical string of a rational: ``str(Fraction)``, e.g. ``"3/4"``, ``"-2"``."""
    return str(Fraction(value))


def format_vector(values: Sequence[Fraction]) -> list[str]:
    return [format_rational(v) for v in values]


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file in the same folder, fsync, then ``os.replace``.

    A reader never sees a half-written file, and a failure leaves any previous file untouched.
    """
    _atomic_write(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Binary twin of :func:`atomic_write_text` (PNG/SVG plots)."""
    _atomic_write(path, data)


def _atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    p = Path(path)
    directory = p.parent if str(p.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
