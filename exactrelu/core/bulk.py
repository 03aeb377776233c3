"""Many exact rationals at once: the fast paths of the file readers (JSON strings, float bits).

A trained (784, 512, 10) network has 407,050 entries; building each through ``Fraction(str)`` (a regular expression
and a normalisation per entry) costs seconds.  Here:

* :func:`canonical_rows` reads entries already written canonically (``int``, ``"p"``, ``"p/q"`` in lowest terms with
  ``q > 1``, exactly what :func:`~exactrelu.core.rational.format_rational` writes) with one ``int()`` per part and a
  ``gcd`` check, and returns ``None`` as soon as an entry is anything else, so that the caller's strict per-entry
  path decides (and words the error);
* :func:`coprime_fraction` builds a Fraction from a numerator and a positive denominator known to be coprime without
  normalising again.  It writes CPython's two Fraction slots directly; an import-time self-check compares the result
  with the public constructor and falls back to ``Fraction(n, d)`` if that ever differs.

Examples
--------
>>> canonical_rows([[1, "-3/4"], ["5", "0"]])
((Fraction(1, 1), Fraction(-3, 4)), (Fraction(5, 1), Fraction(0, 1)))
>>> canonical_rows([["6/8"]]) is None    # not in lowest terms: the strict path normalises or refuses
True
>>> coprime_fraction(-7, 16) == Fraction(-7, 16)
True
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections import deque
from collections.abc import Iterator, Sequence
from fractions import Fraction
from itertools import repeat
from math import gcd
from typing import Any

__all__ = ["coprime_fraction", "coprime_fractions", "canonical_rows", "canonical_vector", "paused_gc"]

_CANONICAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:/(?:[2-9]|[1-9][0-9]+))?\Z")
_LEADING_ZERO = re.compile(r"(?:^|[,/-])0[0-9]")
_new = object.__new__
_SET_NUM = Fraction._numerator.__set__  # type: ignore[attr-defined]
_SET_DEN = Fraction._denominator.__set__  # type: ignore[attr-defined]


def _fast(n: int, d: int) -> Fraction:
    f = _new(Fraction)
    f._numerator = n  # type: ignore[attr-defined]
    f._denominator = d  # type: ignore[attr-defined]
    return f


def _self_check() -> bool:
    try:
        for n, d in ((3, 4), (-7, 16), (0, 1), (5, 1), (2**70 + 1, 2**64)):
            f, g = _fast(n, d), Fraction(n, d)
            if not (f == g and hash(f) == hash(g) and str(f) == str(g) and f + 1 == g + 1 and f * 2 == g * 2
                    and f.numerator == n and f.denominator == d and type(f) is Fraction):
                return False
    except Exception:  # pragma: no cover - a Python whose Fraction has other internals
        return False
    return True


_FAST = _self_check()
coprime_fraction = _fast if _FAST else Fraction
"""``Fraction(n, d)`` for coprime ``n`` and ``d > 0``, without a second normalisation."""


def coprime_fractions(nums: Sequence[int], dens: Sequence[int]) -> list[Fraction]:
    """``[Fraction(n, d) ...]`` for coprime pairs with ``d > 0``, built in C loops (``map`` over slot setters)."""
    if not _FAST:  # pragma: no cover - other Python implementations
        return list(map(Fraction, nums, dens))
    objs = list(map(_new, repeat(Fraction, len(nums))))
    deque(map(_SET_NUM, objs, nums), maxlen=0)
    deque(map(_SET_DEN, objs, dens), maxlen=0)
    return objs


def _canonical_entry(v: Any, match: Any = _CANONICAL.match) -> Fraction | None:
    if type(v) is int:
        return _fast_int(v)
    if type(v) is not str or match(v) is None:
        return None
    p, _, q = v.partition("/")
    if not q:
        return _fast_int(int(p))
    n, d = int(p), int(q)
    if gcd(n, d) != 1:
        return None
    return coprime_fraction(n, d)


def _fast_int(n: int) -> Fraction:
    return coprime_fraction(n, 1)


def _entrywise(values: Sequence[Any]) -> tuple[Fraction, ...] | None:
    out = []
    for v in values:
        try:
            f = _canonical_entry(v)
        except ValueError:  # a part longer than Python's int-string limit: the strict path reads it exactly
            return None
        if f is None:
            return None
        out.append(f)
    return tuple(out)


def canonical_vector(values: Sequence[Any]) -> tuple[Fraction, ...] | None:
    """The Fractions of canonically written entries, or ``None`` if any entry is not canonical (see module doc)."""
    try:
        joined = ",".join(values)  # TypeError unless every entry is a str: then entry by entry below
    except TypeError:
        return _entrywise(values)
    n = len(values)
    # Only ASCII digits, '-', '/' and the separators, and no leading zero: then int() reads exactly the grammar
    # -?digits (a stray '-' or an empty part makes it raise) and the entry counts below pin the structure.
    raw = joined.encode() if joined.isascii() else b"?"
    if raw.translate(None, b"0123456789-/,") or _LEADING_ZERO.search(joined):
        return _entrywise(values)
    slashes = joined.count("/")
    try:
        if slashes == 0:  # integers
            nums = list(map(int, joined.split(",")))
            dens = [1] * n
            ok = len(nums) == n
        elif slashes == n:  # every entry p/q: p, q alternate once the '/' are separators too
            flat = joined.replace("/", ",").split(",")
            nums, dens = list(map(int, flat[0::2])), list(map(int, flat[1::2]))
            ok = (raw.translate(None, b"0123456789-") == b"/" + b",/" * (n - 1) and min(dens) > 1
                  and max(map(gcd, nums, dens)) == 1)
        else:
            return _entrywise(values)
    except ValueError:
        return None
    if not ok:
        return None
    return tuple(coprime_fractions(nums, dens))


def canonical_rows(rows: Sequence[Sequence[Any]]) -> tuple[tuple[Fraction, ...], ...] | None:
    """:func:`canonical_vector` of each row, or ``None`` if any entry is not canonical."""
    out = []
    for r in rows:
        if not isinstance(r, list | tuple):
            return None
        v = canonical_vector(r)
        if v is None:
            return None
        out.append(v)
    return tuple(out)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects at once (none of them forms a cycle).

    Each Fraction is a tracked object; with hundreds of thousands alive, every automatic collection walks them all,
    which tripled the time to read a (784, 512, 10) network.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
