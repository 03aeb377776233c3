"""Network files: the versioned ``exactrelu-network`` JSON format, read strictly and written atomically.

Format (version 1)::

    {"format": "exactrelu-network", "version": 1,
     "layers": [{"weights": [["p/q", ...], ...], "biases": ["p/q", ...]}, ...]}

One row of ``weights`` per output neuron of the layer; entries are integers or strings ``"p/q"``; the last layer is
affine.  JSON floats (``0.5``, ``1e-3``) are refused unless ``allow_float=True``, in which case each is converted
exactly (``Fraction(float)``).  Errors name the file and the JSON path of the bad entry.  Pickles are never read.

Examples
--------
>>> from exactrelu import examples
>>> text = examples.relu_of_sum().to_json(indent=None)
>>> network_from_json(text) == examples.relu_of_sum()
True
>>> network_from_json('{"layers": [{"weights": [[0.5]], "biases": [0]}]}')  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
exactrelu.core.errors.NotExactError: <string>: layers[0].weights[0][0]: float 0.5 is not exact; write "1/2" or ...
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from exactrelu.core.errors import ExactReluError, FormatError, ShapeError
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.graph_io import graph_from_dict, graph_to_json
from exactrelu.core.network import Network
from exactrelu.core.rational import atomic_write_text

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "load", "save", "network_to_json", "network_from_json",
           "network_to_dict", "network_from_dict", "read_json_file"]

FORMAT_NAME = "exactrelu-network"
FORMAT_VERSION = 1


class _FloatLiteral(float):
    """A JSON float kept with its source text, so that refusing it can quote it exactly."""

    text: str

    def __new__(cls, text: str) -> _FloatLiteral:
        obj = super().__new__(cls, float(text))
        obj.text = text
        return obj

    def __repr__(self) -> str:
        return self.text


def parse_json_text(text: str, source: str) -> Any:
    """``json.loads`` that keeps float literals recognisable and reports line/column on failure."""
    if not text.strip():
        raise FormatError(f"{source}: empty file (expected a JSON object)")
    try:
        return json.loads(text, parse_float=_FloatLiteral, parse_constant=_bad_constant)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:  # e.g. integer with too many digits
        raise FormatError(f"{source}: {exc}") from None


def _bad_constant(name: str) -> Any:
    raise FormatError(f"{name} is not a number allowed in exact input")


def read_json_file(path: str | os.PathLike[str]) -> Any:
    """Read and parse a JSON file with file-named errors (missing file, not UTF-8, bad JSON)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormatError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise FormatError(f"{p}: is a directory, not a network file") from None
    except UnicodeDecodeError as exc:
        raise FormatError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise FormatError(f"{p}: cannot read ({exc.strerror})") from None
    return parse_json_text(text, str(p))


def network_to_dict(net: Network) -> dict[str, Any]:
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "architecture": list(net.architecture),
            "layers": net.to_lists()}


def network_to_json(net: Network, *, indent: int | None = 2) -> str:
    return json.dumps(network_to_dict(net), indent=indent) + ("\n" if indent is not None else "")


def network_from_dict(doc: Any, *, allow_float: bool = False, source: str = "<data>") -> Network:
    """Validate a parsed document and build the network; every error is prefixed by ``source``."""
    try:
        if not isinstance(doc, dict):
            raise FormatError(f"expected a JSON object with a 'layers' list, got {type(doc).__name__}")
        fmt = doc.get("format", FORMAT_NAME)
        if fmt != FORMAT_NAME:
            raise FormatError(f"unknown format {fmt!r} (expected {FORMAT_NAME!r})")
        version = doc.get("version", FORMAT_VERSION)
        if isinstance(version, bool) or version != FORMAT_VERSION or isinstance(version, float):
            raise FormatError(f"unsupported format version {version!r} (this reader takes version {FORMAT_VERSION}; "
                              "exactrelu.load also reads version 2, graph networks)")
        layers = doc.get("layers")
        if not isinstance(layers, list):
            raise FormatError("missing 'layers' list")
        if not layers:
            raise ShapeError("empty network: 'layers' is empty")
        for l, layer in enumerate(layers):
            if not isinstance(layer, dict):
                raise FormatError(f"layers[{l}]: expected an object with 'weights' and 'biases'")
            if not isinstance(layer.get("weights"), list) or not all(isinstance(r, list) for r in layer["weights"]):
                raise ShapeError(f"layers[{l}].weights: expected a list of rows (lists)")
            if not isinstance(layer.get("biases"), list):
                raise ShapeError(f"layers[{l}].biases: expected a list")
            if not layer["weights"]:
                raise ShapeError(f"layers[{l}].weights: a layer needs at least one neuron")
        net = Network.from_lists(layers, allow_float=allow_float)
        arch = doc.get("architecture")
        if arch is not None and list(arch) != list(net.architecture):
            raise ShapeError(f"'architecture' says {arch} but the layers give {list(net.architecture)}")
        return net
    except ExactReluError as exc:
        raise type(exc)(f"{source}: {exc}") from None


def network_from_json(text: str, *, allow_float: bool = False, source: str = "<string>") -> Network:
    return network_from_dict(parse_json_text(text, source), allow_float=allow_float, source=source)


def load(path: str | os.PathLike[str], *, allow_float: bool = False) -> Network | GraphNetwork:
    """Read a network file: version 1 gives a :class:`Network`, version 2 a
    :class:`~exactrelu.core.graph.GraphNetwork` (see :mod:`exactrelu.core.graph_io`).

    Raises :class:`~exactrelu.core.errors.FormatError`, :class:`~exactrelu.core.errors.ShapeError` or
    :class:`~exactrelu.core.errors.NotExactError` with the file name and the place of the problem.
    """
    doc = read_json_file(path)
    if isinstance(doc, dict) and doc.get("version") == 2 and not isinstance(doc.get("version"), bool):
        return graph_from_dict(doc, allow_float=allow_float, source=str(path))
    return network_from_dict(doc, allow_float=allow_float, source=str(path))


def save(net: Network | GraphNetwork, path: str | os.PathLike[str]) -> None:
    """Write ``net`` atomically (temporary file + rename): nothing is ever written half-way.

    A :class:`Network` is written as version 1, a :class:`~exactrelu.core.graph.GraphNetwork` as version 2.
    """
    if isinstance(net, GraphNetwork):
        atomic_write_text(path, graph_to_json(net))
        return
    if not isinstance(net, Network):
        raise TypeError(f"save expects a Network or GraphNetwork, got {type(net).__name__}")
    atomic_write_text(path, network_to_json(net))

