"""The exact fully connected ReLU network (docs/mathematics.md §1).

Conventions, stated once for the whole package:

* Architecture ``(d, n1, ..., nL, m)``: input dimension ``d = n0``, hidden widths ``n1..nL``, output dimension ``m``.
* Layer ``l`` (1-based, ``l = 1..L+1``) has ``weights`` ``W^(l)`` of shape ``n_l x n_{l-1}`` (one **row per output
  neuron**) and ``biases`` ``b^(l)`` of length ``n_l``.  The last layer is affine (no ReLU).
* Canonical parameter order (docs/mathematics.md §1): layer by layer, ``W`` row-major, then ``b``.
  ``D = sum n_l (n_{l-1}+1)`` parameters, ``N_h = n1 + ... + nL`` hidden neurons.
* Activation patterns: for each hidden layer a tuple of signs in ``{-1, 0, +1}`` of the pre-activations
  ``z^(l)_i(x)`` (the ternary sign sequence of Masden).  In an affine map a ``0`` entry counts as inactive
  (``relu(0) = 0``), so ``affine_map`` accepts ternary or 0/1 patterns alike.

Every number is a :class:`fractions.Fraction`; no float ever enters a decision.

Examples
--------
>>> net = Network.from_lists([([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [-1]), ([[1]], [0])])
>>> net.architecture
(2, 2, 1, 1)
>>> net([Fraction(3, 2), 1])
(Fraction(3, 2),)
>>> net.pattern([Fraction(3, 2), -1])
((1, -1), (1,))
>>> net.num_parameters, net.num_hidden
(11, 3)
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactrelu.core.bulk import canonical_rows, canonical_vector
from exactrelu.core.errors import ExactReluError, FormatError, ShapeError, SizeLimitError
from exactrelu.core.files import json_type_name, parse_json_text
from exactrelu.core.rational import as_rational, format_rational, rational_point

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "DEFAULT_MAX_PARAMETERS", "Layer", "Network", "Pattern", "num_parameters",
           "parameter_names"]

#: The file format written and read by :meth:`Network.to_dict` / :meth:`Network.from_dict` (see ``core.io``).
FORMAT_NAME = "exactrelu-network"
FORMAT_VERSION = 1
#: Largest network read from a document by default (a (784, 512, 10) network has 407,050 parameters).
DEFAULT_MAX_PARAMETERS = 2_000_000

Matrix = tuple[tuple[Fraction, ...], ...]
Vector = tuple[Fraction, ...]
Pattern = tuple[tuple[int, ...], ...]

_ZERO = Fraction(0)


def num_parameters(architecture: Sequence[int]) -> int:
    """``D = sum_l n_l (n_{l-1} + 1)`` for an architecture tuple ``(d, n1, ..., m)``.

    >>> num_parameters((2, 2, 1, 1))
    11
    """
    arch = tuple(int(a) for a in architecture)
    return sum(arch[i] * (arch[i - 1] + 1) for i in range(1, len(arch)))


@dataclass(frozen=True, slots=True)
class Layer:
    """One affine layer ``x -> W x + b`` with exact entries; ``weights`` has one row per output neuron."""

    weights: Matrix
    biases: Vector

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.biases):
            raise ShapeError(f"{len(self.weights)} weight rows but {len(self.biases)} biases")
        if not self.weights:
            raise ShapeError("a layer needs at least one neuron")
        width = len(self.weights[0])
        for i, row in enumerate(self.weights):
            if len(row) != width:
                raise ShapeError(f"ragged weights: row 0 has {width} entries, row {i} has {len(row)}")
        if width == 0:
            raise ShapeError("a layer needs at least one input")

    @property
    def n_in(self) -> int:
        return len(self.weights[0])

    @property
    def n_out(self) -> int:
        return len(self.weights)

    def apply(self, x: Sequence[Fraction]) -> Vector:
        """The exact affine image ``W x + b``."""
        return tuple(sum((w * v for w, v in zip(row, x, strict=True)), b) for row, b in zip(self.weights, self.biases))

    def row(self, i: int) -> tuple[Vector, Fraction]:
        return self.weights[i], self.biases[i]


def _layer_from(weights: Any, biases: Any, *, allow_float: bool, where: str) -> Layer:
    try:
        rows = [list(r) for r in weights]
    except TypeError:
        raise ShapeError(f"{where}.weights must be a list of rows") from None
    try:
        bl = list(biases)
    except TypeError:
        raise ShapeError(f"{where}.biases must be a list") from None
    W, b = canonical_rows(rows), canonical_vector(bl)  # fast path for canonically written files
    if W is None or b is None:
        W = tuple(tuple(_entry(v, allow_float, f"{where}.weights[{i}][{j}]") for j, v in enumerate(r))
                  for i, r in enumerate(rows))
        b = tuple(_entry(v, allow_float, f"{where}.biases[{i}]") for i, v in enumerate(bl))
    try:
        return Layer(W, b)
    except ShapeError as exc:
        raise ShapeError(f"{where}: {exc}") from None


def _entry(value: object, allow_float: bool, where: str) -> Fraction:
    try:
        return as_rational(value, allow_float=allow_float)
    except (FormatError, TypeError) as exc:
        raise type(exc)(f"{where}: {exc}") from None


@dataclass(frozen=True, slots=True)
class Network:
    """An immutable ReLU network ``f(x) = W^(L+1) relu(... relu(W^(1) x + b^(1)) ...) + b^(L+1)``.

    Build it with :meth:`from_lists`, :meth:`from_parameters`, :meth:`from_floats` (explicit exact conversion),
    :func:`exactrelu.load` or :func:`exactrelu.random_network`.
    """

    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        if not self.layers:
            raise ShapeError("empty network: at least one (output) layer is required")
        for l in range(1, len(self.layers)):
            prev, cur = self.layers[l - 1], self.layers[l]
            if cur.n_in != prev.n_out:
                raise ShapeError(
                    f"layers[{l}] expects {cur.n_in} inputs but layers[{l - 1}] has {prev.n_out} outputs"
                )

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_lists(cls, layers: Iterable[Any], *, allow_float: bool = False) -> Network:
        """From ``[(W1, b1), (W2, b2), ...]`` or ``[{"weights": W1, "biases": b1}, ...]`` of exact entries.

        Entries may be ints, Fractions, ``"p/q"`` strings (floats only with ``allow_float=True``, converted exactly).
        """
        built = []
        for l, layer in enumerate(layers):
            where = f"layers[{l}]"
            if isinstance(layer, Layer):
                built.append(layer)
                continue
            if isinstance(layer, dict):
                if "weights" not in layer or "biases" not in layer:
                    raise FormatError(f"{where}: needs keys 'weights' and 'biases'")
                W, b = layer["weights"], layer["biases"]
            else:
                try:
                    W, b = layer
                except (TypeError, ValueError):
                    raise ShapeError(f"{where}: expected a (weights, biases) pair") from None
            built.append(_layer_from(W, b, allow_float=allow_float, where=where))
        return cls(tuple(built))

    @classmethod
    def from_floats(cls, layers: Iterable[Any]) -> Network:
        """Exact conversion of float (or numpy) weights: each float becomes ``Fraction(float)``, never rounded.

        >>> Network.from_floats([([[0.5, -0.25]], [0.1])]).layers[0].biases[0]
        Fraction(3602879701896397, 36028797018963968)
        """
        conv = []
        for layer in layers:
            if isinstance(layer, dict):
                W, b = layer["weights"], layer["biases"]
            else:
                W, b = layer
            conv.append(([[_float_exact(v) for v in row] for row in W], [_float_exact(v) for v in b]))
        return cls.from_lists(conv)

    @classmethod
    def from_parameters(cls, architecture: Sequence[int], vector: Sequence[object]) -> Network:
        """Inverse of :meth:`parameters`: rebuild from an architecture and a flat vector in canonical order.

        >>> net = Network.from_parameters((1, 1, 1), [2, -1, 3, "1/2"])
        >>> net([1])
        (Fraction(7, 2),)
        """
        arch = tuple(int(a) for a in architecture)
        if len(arch) < 2 or any(a < 1 for a in arch):
            raise ShapeError(f"architecture {arch} needs >= 2 positive entries (d, ..., m)")
        vec = [as_rational(v) for v in vector]
        if len(vec) != num_parameters(arch):
            raise ShapeError(f"architecture {arch} has {num_parameters(arch)} parameters, got {len(vec)}")
        pos = 0
        layers = []
        for l in range(1, len(arch)):
            n_in, n_out = arch[l - 1], arch[l]
            W = tuple(tuple(vec[pos + i * n_in : pos + (i + 1) * n_in]) for i in range(n_out))
            pos += n_in * n_out
            b = tuple(vec[pos : pos + n_out])
            pos += n_out
            layers.append(Layer(W, b))
        return cls(tuple(layers))

    # ------------------------------------------------------------------ shape
    @property
    def architecture(self) -> tuple[int, ...]:
        return (self.layers[0].n_in,) + tuple(layer.n_out for layer in self.layers)

    @property
    def input_dim(self) -> int:
        return self.layers[0].n_in

    @property
    def output_dim(self) -> int:
        return self.layers[-1].n_out

    @property
    def depth(self) -> int:
        """Number of hidden layers L."""
        return len(self.layers) - 1

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        return tuple(layer.n_out for layer in self.layers[:-1])

    @property
    def num_parameters(self) -> int:
        """D = sum_l n_l (n_{l-1} + 1)."""
        return num_parameters(self.architecture)

    @property
    def num_hidden(self) -> int:
        """N_h = n1 + ... + nL."""
        return sum(self.hidden_widths)

    def parameters(self) -> tuple[Fraction, ...]:
        """The flat parameter vector θ in the canonical order (per layer: W row-major, then b)."""
        out: list[Fraction] = []
        for layer in self.layers:
            for row in layer.weights:
                out.extend(row)
            out.extend(layer.biases)
        return tuple(out)

    def parameter_names(self) -> tuple[str, ...]:
        """Names in canonical order: ``W{l}_{i}_{j}`` and ``b{l}_{i}``, 1-based (``W1_2_1`` = layer 1, row 2, col 1)."""
        return parameter_names(self.architecture)

    # ------------------------------------------------------------------ evaluation
    def _check_input(self, x: Sequence[object]) -> tuple[Fraction, ...]:
        return rational_point(x, self.input_dim)

    def preactivations(self, x: Sequence[object]) -> tuple[Vector, ...]:
        """``(z^(1)(x), ..., z^(L+1)(x))``: every layer's pre-activation; the last one is ``f(x)``."""
        a = self._check_input(x)
        zs = []
        for l, layer in enumerate(self.layers):
            z = layer.apply(a)
            zs.append(z)
            if l < self.depth:
                a = tuple(v if v > 0 else _ZERO for v in z)
        return tuple(zs)

    def __call__(self, x: Sequence[object]) -> Vector:
        """Exact output ``f(x)`` at one point."""
        return self.preactivations(x)[-1]

    def evaluate(self, points: Iterable[Sequence[object]]) -> tuple[Vector, ...]:
        """Exact outputs at several points."""
        return tuple(self(p) for p in points)

    def pattern(self, x: Sequence[object]) -> Pattern:
        """Ternary sign sequence of every hidden pre-activation at ``x`` (one tuple per hidden layer)."""
        zs = self.preactivations(x)[:-1]
        return tuple(tuple((v > 0) - (v < 0) for v in z) for z in zs)

    def affine_map(self, pattern: Sequence[Sequence[int]]) -> tuple[Matrix, Vector]:
        """The exact ``(A, c)`` with ``f(x) = A x + c`` on the cell of ``pattern`` (entries > 0 mean active).

        >>> from exactrelu import examples
        >>> A, c = examples.relu_of_sum().affine_map(((1, 1), (1,)))
        >>> A, c
        (((Fraction(1, 1), Fraction(1, 1)),), (Fraction(-1, 1),))
        """
        if len(pattern) != self.depth:
            raise ShapeError(f"pattern has {len(pattern)} layers, network has {self.depth} hidden layers")
        d = self.input_dim
        A: list[list[Fraction]] = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
        c: list[Fraction] = [_ZERO] * d
        for l, layer in enumerate(self.layers):
            newA = [[sum((w * A[k][j] for k, w in enumerate(row)), _ZERO) for j in range(d)] for row in layer.weights]
            newc = [sum((w * c[k] for k, w in enumerate(row)), b) for row, b in zip(layer.weights, layer.biases)]
            if l < self.depth:
                s = pattern[l]
                if len(s) != layer.n_out:
                    raise ShapeError(f"pattern layer {l + 1} has {len(s)} entries, layer has {layer.n_out} neurons")
                newA = [r if s[i] > 0 else [_ZERO] * d for i, r in enumerate(newA)]
                newc = [v if s[i] > 0 else _ZERO for i, v in enumerate(newc)]
            A, c = newA, newc
        return tuple(tuple(r) for r in A), tuple(c)

    # ------------------------------------------------------------------ conversion
    def to_lists(self) -> list[dict[str, Any]]:
        """Plain data with exact strings, as in the file format."""
        return [
            {"weights": [[format_rational(v) for v in row] for row in layer.weights],
             "biases": [format_rational(v) for v in layer.biases]}
            for layer in self.layers
        ]

    def to_dict(self) -> dict[str, Any]:
        """The ``exactrelu-network`` document (version 1) as plain data with exact strings."""
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "architecture": list(self.architecture),
                "layers": self.to_lists()}

    def to_json(self, *, indent: int | None = 2) -> str:
        """The ``exactrelu-network`` JSON document (version 1)."""
        return json.dumps(self.to_dict(), indent=indent) + ("\n" if indent is not None else "")

    @classmethod
    def from_dict(cls, doc: Any, *, allow_float: bool = False, source: str = "<data>",
                  max_parameters: int | None = DEFAULT_MAX_PARAMETERS) -> Network:
        """Validate a parsed ``exactrelu-network`` document and build the network; errors start with ``source``.

        The shape is checked before any entry is converted, so a document with more than ``max_parameters``
        parameters (``None``: no limit) is refused at once with :class:`~exactrelu.core.errors.SizeLimitError`.
        """
        try:
            _check_document(doc, max_parameters)
            net = cls.from_lists(doc["layers"], allow_float=allow_float)
            arch = doc.get("architecture")
            if arch is not None and arch != list(net.architecture):
                raise ShapeError(f"'architecture' says {_short(arch)} but the layers give {list(net.architecture)}")
            return net
        except ExactReluError as exc:
            raise type(exc)(f"{source}: {exc}") from None

    @classmethod
    def from_json(cls, text: str, *, allow_float: bool = False, source: str = "<string>",
                  max_parameters: int | None = DEFAULT_MAX_PARAMETERS) -> Network:
        """Parse an ``exactrelu-network`` JSON text (see :meth:`from_dict`)."""
        return cls.from_dict(parse_json_text(text, source), allow_float=allow_float, source=source,
                             max_parameters=max_parameters)

    def with_layer(self, index: int, weights: Any, biases: Any) -> Network:
        """A new network with layer ``index`` (0-based) replaced."""
        new = _layer_from(weights, biases, allow_float=False, where=f"layers[{index}]")
        layers = list(self.layers)
        layers[index] = new
        return Network(tuple(layers))

    def __repr__(self) -> str:
        return f"Network(architecture={self.architecture}, D={self.num_parameters})"


def parameter_names(architecture: Sequence[int]) -> tuple[str, ...]:
    """Symbol names in canonical order (docs/mathematics.md §1): ``W{l}_{i}_{j}`` then ``b{l}_{i}``, all 1-based.

    >>> parameter_names((1, 2, 1))
    ('W1_1_1', 'W1_2_1', 'b1_1', 'b1_2', 'W2_1_1', 'W2_1_2', 'b2_1')
    """
    arch = tuple(architecture)
    names: list[str] = []
    for l in range(1, len(arch)):
        names += [f"W{l}_{i + 1}_{j + 1}" for i in range(arch[l]) for j in range(arch[l - 1])]
        names += [f"b{l}_{i + 1}" for i in range(arch[l])]
    return tuple(names)


def _float_exact(v: object) -> Fraction:
    """The exact value of one entry: integers as integers (numpy's too), binary floats of every width by their exact
    binary value (:func:`~exactrelu.core.rational.as_rational`); a 0-d array or tensor through ``.item()``."""
    if not isinstance(v, (int, float, Fraction, str, numbers.Number)) and hasattr(v, "item"):
        v = v.item()  # type: ignore[attr-defined]
    return as_rational(v, allow_float=True)


def _short(value: object) -> str:
    if isinstance(value, int) and value.bit_length() > 128:
        return "a very long integer"
    if isinstance(value, (list, dict)) and len(value) > 20:
        return f"{json_type_name(value)} of {len(value)} items"
    try:
        text = repr(value)
    except ValueError:  # a nested integer beyond Python's int-to-string limit
        return f"{json_type_name(value)} holding a very long integer"
    return text if len(text) <= 60 else text[:57] + "..."


def _check_document(doc: Any, max_parameters: int | None) -> None:
    """Check the structure of a network document (types, keys, sizes) before converting any entry."""
    if not isinstance(doc, dict):
        raise FormatError(f"expected a JSON object with a 'layers' list, got {json_type_name(doc)}")
    fmt = doc.get("format", FORMAT_NAME)
    if fmt != FORMAT_NAME:
        raise FormatError(f"unknown format {_short(fmt)} (expected {FORMAT_NAME!r})")
    version = doc.get("version", FORMAT_VERSION)
    if type(version) is not int or version != FORMAT_VERSION:
        raise FormatError(f"unsupported format version {_short(version)} (this reader takes version "
                          f"{FORMAT_VERSION}; exactrelu.load also reads version 2, graph networks)")
    arch = doc.get("architecture")
    if arch is not None and (not isinstance(arch, list) or not all(type(a) is int for a in arch)):
        raise FormatError(f"'architecture' must be a list of integers, got {json_type_name(arch)}")
    layers = doc.get("layers")
    if not isinstance(layers, list):
        raise FormatError("missing 'layers' list" if layers is None else
                          f"'layers' must be a list, got {json_type_name(layers)}")
    if not layers:
        raise ShapeError("empty network: 'layers' is empty")
    total = 0
    for l, layer in enumerate(layers):
        if not isinstance(layer, dict):
            raise FormatError(f"layers[{l}]: expected an object with 'weights' and 'biases', got "
                              f"{json_type_name(layer)}")
        for key in ("weights", "biases"):
            if key not in layer:
                raise FormatError(f"layers[{l}]: missing key {key!r}")
        W, b = layer["weights"], layer["biases"]
        if not isinstance(W, list) or not all(isinstance(r, list) for r in W):
            raise ShapeError(f"layers[{l}].weights: expected a list of rows (lists)")
        if not isinstance(b, list):
            raise ShapeError(f"layers[{l}].biases: expected a list, got {json_type_name(b)}")
        if not W:
            raise ShapeError(f"layers[{l}].weights: a layer needs at least one neuron")
        total += sum(len(r) for r in W) + len(b)
        if max_parameters is not None and total > max_parameters:
            raise SizeLimitError(
                f"more than {max_parameters:,} parameters (layers[{l}] alone has {sum(len(r) for r in W) + len(b):,});"
                " raise the limit with `exactrelu --max-parameters N` (max_parameters= in Python)")
