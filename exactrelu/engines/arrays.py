"""Exact conversion of numeric arrays (numpy, and through them torch/ONNX/safetensors tensors) to Fractions and back.

A binary float is a dyadic rational ``M * 2**E``; :func:`exact_fractions` reads ``M`` and ``E`` for a whole array at
once (``numpy.frexp`` after an exact widening to float64; bfloat16, float16 and float32 all embed exactly in
float64), strips the trailing zero bits of ``M`` so that ``M / 2**-E`` is already in lowest terms, and only then
builds one :class:`~fractions.Fraction` per entry from two integers.  No entry ever goes through ``float()`` or
``Fraction(float)``.  The way back, :func:`float64_rounding`, rounds each rational to the nearest float64 and reports
the largest rounding error exactly (zero when the network is representable in float64).

Examples
--------
>>> import numpy as np
>>> exact_fractions(np.array([[0.5, -0.1]], dtype=np.float32))
((Fraction(1, 2), Fraction(-13421773, 134217728)),)
>>> exact_fractions(np.array([3, -4], dtype=np.int8))
(Fraction(3, 1), Fraction(-4, 1))
>>> r = float64_rounding([Fraction(1, 3), Fraction(1, 2)])
>>> r.exact, r.inexact_entries, r.max_abs_error == abs(Fraction(1, 3) - Fraction(1 / 3))
(False, 1, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from exactrelu.core.bulk import coprime_fractions
from exactrelu.core.errors import FormatError, NotApplicableError, ShapeError
from exactrelu.core.network import Layer, Network

__all__ = ["FloatRounding", "exact_fractions", "float64_rounding", "network_from_arrays", "chain_tensors",
           "network_to_arrays"]

_WIDEN = {"float16": np.float64, "float32": np.float64, "bfloat16": np.float32, "float64": None}


def _as_float64(a: np.ndarray, where: str) -> np.ndarray:
    name = a.dtype.name
    if name not in _WIDEN:
        raise NotApplicableError(f"{where}: dtype {name} is not supported (bfloat16, float16, float32, float64, ints)")
    if name == "bfloat16":  # ml_dtypes' bfloat16: the top 16 bits of a float32, so the widening is exact
        a = a.astype(np.float32)
    return a.astype(np.float64, copy=False)


def exact_fractions(array: Any, *, where: str = "array") -> Any:
    """The exact rationals of a numeric array, as nested tuples of Fractions with the array's shape.

    Floats (bfloat16, float16, float32, float64) become ``M / 2**k`` in lowest terms, vectorised; integers become
    integers.  NaN and infinities are refused, naming the first bad index.

    >>> exact_fractions(np.float16(0.1))
    Fraction(819, 8192)
    """
    a = np.asarray(array)
    if a.dtype.kind == "b":
        raise FormatError(f"{where}: booleans are not weights")
    if a.dtype.kind in "iu":
        flat = [Fraction(v) for v in a.ravel().tolist()]
    elif a.dtype.kind in "fV" or a.dtype.name == "bfloat16":
        x = _as_float64(a, where)
        bad = ~np.isfinite(x)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise FormatError(f"{where}{list(idx)}: {x[idx]} is not a finite number")
        flat = _dyadic(x.ravel())
    else:
        raise NotApplicableError(f"{where}: dtype {a.dtype} is not a numeric type")
    return _reshape(flat, a.shape)


def _dyadic(x: np.ndarray) -> list[Fraction]:
    """Fractions of a 1-D float64 array: ``x = M * 2**E`` with ``M`` odd (or 0), computed for all entries at once."""
    m, e = np.frexp(x)                                  # x = m * 2**e, 0.5 <= |m| < 1: exact
    M = np.ldexp(m, 53).astype(np.int64)                # |M| < 2**53, exact
    E = e.astype(np.int64) - 53
    nz = M != 0
    low = np.where(nz, M & -M, 1)                       # lowest set bit of M (a power of two)
    tz = np.frexp(low.astype(np.float64))[1].astype(np.int64) - 1
    M >>= tz
    E = np.where(nz, E + tz, 0)
    Ml, El = M.tolist(), E.tolist()
    pow2 = {k: 1 << -k for k in set(El) if k < 0}
    nums = [v << k if k > 0 else v for v, k in zip(Ml, El)]
    dens = [pow2[k] if k < 0 else 1 for k in El]
    return coprime_fractions(nums, dens)  # M odd (or 0 over 1) and a power-of-two denominator: coprime


def _reshape(flat: list[Fraction], shape: tuple[int, ...]) -> Any:
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return tuple(flat)
    if len(shape) == 2:
        n = shape[1]
        return tuple(tuple(flat[i * n:(i + 1) * n]) for i in range(shape[0]))
    step = len(flat) // shape[0] if shape[0] else 0
    return tuple(_reshape(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0]))


def network_from_arrays(layers: Iterable[tuple[Any, Any]], *, where: str = "layers") -> Network:
    """An exact :class:`Network` from ``[(W1, b1), ...]`` numeric arrays (``W`` of shape ``n_out x n_in``)."""
    built = []
    for l, (W, b) in enumerate(layers):
        Wa, ba = np.asarray(W), np.asarray(b)
        if Wa.ndim != 2:
            raise ShapeError(f"{where}[{l}].weights: expected a matrix, got shape {tuple(Wa.shape)}")
        if ba.shape != (Wa.shape[0],):
            raise ShapeError(f"{where}[{l}].biases: shape {tuple(ba.shape)} does not match {Wa.shape[0]} weight rows")
        try:
            built.append(Layer(exact_fractions(Wa, where=f"{where}[{l}].weights"),
                               exact_fractions(ba, where=f"{where}[{l}].biases")))
        except ShapeError as exc:
            raise ShapeError(f"{where}[{l}]: {exc}") from None
    try:
        return Network(tuple(built))
    except ShapeError as exc:
        raise ShapeError(f"{where}: {exc}") from None


def _natural_key(name: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def chain_tensors(tensors: Mapping[str, Any], *, architecture: Sequence[int] | None = None,
                  layers: Sequence[str] | None = None, source: str = "weights",
                  bias_free: str = "refuse") -> list[tuple[Any, Any]]:
    """Pick the affine layers of a flat weight file (state dict, ``.npz``, ``.safetensors``) in order.

    A layer is a 2-D tensor ``PREFIX.weight`` (or ``PREFIX.weights``/``PREFIX.W``/``PREFIX``) with its bias
    ``PREFIX.bias`` (or ``.biases``/``.b``).  ``layers`` lists the prefixes in order; by default every 2-D
    ``*weight`` tensor in natural key order (``0.weight, 2.weight, 10.weight``).  ``architecture`` ``(d, n1, ..., m)``
    is checked against the shapes; a file alone cannot say that a ReLU sits between each pair of layers, so that is
    the assumption (an MLP), stated in every error.  A layer without a bias is refused unless ``bias_free="zero"``.
    """
    names = list(tensors)
    if layers is None:
        weight_keys = [k for k in names if re.search(r"(^|[._])(weight|weights|W|kernel)$", k)
                       and np.ndim(tensors[k]) == 2]
        if not weight_keys and all(np.ndim(tensors[k]) in (1, 2) for k in names):
            weight_keys = [k for k in names if np.ndim(tensors[k]) == 2]
        weight_keys.sort(key=_natural_key)
    else:
        weight_keys = []
        for p in layers:
            for suffix in (".weight", ".weights", ".W", "_weight", ""):
                if p + suffix in tensors:
                    weight_keys.append(p + suffix)
                    break
            else:
                raise FormatError(f"{source}: no weight tensor for layer {p!r} (have: {', '.join(names[:12])})")
    if not weight_keys:
        raise FormatError(f"{source}: no 2-D weight tensors found (have: {', '.join(names[:12])})")
    out = []
    for k in weight_keys:
        prefix = re.sub(r"([._]?)(weight|weights|W|kernel)$", "", k)
        bias = None
        for cand in (f"{prefix}.bias", f"{prefix}.biases", f"{prefix}.b", f"{prefix}_bias", f"{prefix}bias"):
            if cand in tensors and cand != k:
                bias = tensors[cand]
                break
        W = tensors[k]
        if bias is None:
            if bias_free != "zero":
                raise NotApplicableError(
                    f"{source}: layer {k!r} has no bias; a layered network has a bias parameter in every neuron, "
                    "so importing it as bias 0 would count parameters that the model does not have (D differs). "
                    "Pass bias_free='zero' (CLI: --bias-free-as-zero) to accept that")
            bias = np.zeros(np.shape(W)[0], dtype=np.asarray(W).dtype)
        out.append((W, bias))
    shapes = [tuple(np.shape(W)) for W, _ in out]
    arch = [shapes[0][1]] + [s[0] for s in shapes]
    for i in range(1, len(shapes)):
        if shapes[i][1] != shapes[i - 1][0]:
            raise ShapeError(f"{source}: {weight_keys[i]!r} has {shapes[i][1]} inputs but {weight_keys[i - 1]!r} "
                             f"has {shapes[i - 1][0]} outputs (layers taken in the order {', '.join(weight_keys)})")
    if architecture is not None and list(architecture) != arch:
        raise ShapeError(f"{source}: the architecture given is {tuple(architecture)} but the tensors "
                         f"{', '.join(weight_keys)} give {tuple(arch)}")
    return out


@dataclass(frozen=True)
class FloatRounding:
    """How far a float64 copy of exact parameters is from them.

    ``exact`` is True iff every entry is a float64 (then the copy computes the same function, up to the rounding of
    float64 arithmetic itself); ``max_abs_error`` is the exact largest ``|q - fl(q)|``.
    """

    exact: bool
    max_abs_error: Fraction
    inexact_entries: int
    entries: int

    def __str__(self) -> str:
        if self.exact:
            return f"float64 copy is exact ({self.entries} entries)"
        return (f"float64 copy rounds {self.inexact_entries} of {self.entries} entries, "
                f"max abs error {float(self.max_abs_error):.3g}")

    def to_dict(self) -> dict[str, Any]:
        return {"exact": self.exact, "max_abs_error": str(self.max_abs_error),
                "max_abs_error_float": float(self.max_abs_error), "inexact_entries": self.inexact_entries,
                "entries": self.entries}


def float64_rounding(values: Iterable[Fraction]) -> FloatRounding:
    """Round each rational to the nearest float64 and report the exact worst error (see :class:`FloatRounding`)."""
    worst = Fraction(0)
    bad = n = 0
    for q in values:
        n += 1
        d = q.denominator
        if d & (d - 1) == 0 and abs(q.numerator) < (1 << 53) and d <= (1 << 1074):
            continue  # a dyadic with a 53-bit numerator is a float64 (no subnormal concern above 2**-1074)
        err = abs(q - Fraction(float(q)))
        if err:
            bad += 1
            worst = max(worst, err)
    return FloatRounding(bad == 0, worst, bad, n)


def network_to_arrays(net: Network) -> tuple[list[tuple[np.ndarray, np.ndarray]], FloatRounding]:
    """float64 arrays ``[(W1, b1), ...]`` of ``net`` (nearest float64 to each entry) and the rounding made.

    Raises :class:`NotApplicableError` if an entry is beyond the float64 range (about 1.8e308).
    """
    try:
        arrays = [(np.array([[float(v) for v in row] for row in layer.weights], dtype=np.float64),
                   np.array([float(v) for v in layer.biases], dtype=np.float64)) for layer in net.layers]
    except OverflowError:
        raise NotApplicableError("an entry is beyond the float64 range; it has no float64 copy") from None
    return arrays, float64_rounding(net.parameters())
