"""Network files on disk: the versioned ``exactrelu-network`` JSON format, read strictly and written atomically.

Format (version 1)::

    {"format": "exactrelu-network", "version": 1,
     "layers": [{"weights": [["p/q", ...], ...], "biases": ["p/q", ...]}, ...]}

One row of ``weights`` per output neuron of the layer; the last layer is affine.  ``"format"``, ``"version"`` and
``"architecture"`` (checked against the layers when present) are optional.  Each entry is a JSON integer of any
length or a string in the number grammar of :func:`~exactrelu.core.rational.parse_rational`: an integer
(``"-12"``), a fraction ``"p/q"`` (``"3/4"``) or an exact decimal (``"0.25"`` is exactly 1/4); no exponents,
spaces, ``_`` or non-ASCII digits.  JSON floats (``0.5``, ``1e-3`` written as numbers) are refused unless
``allow_float=True`` (``--allow-float``), in which case each is converted exactly (``Fraction(float)``).
``NaN``/``Infinity``, duplicate keys, nesting deeper than 64 levels and files over the size limits are refused.
Errors name the file and the JSON path of the bad entry.  Pickles are never read.

:func:`load` is the one entry point every command uses to read a network file; :func:`save` writes one atomically
(see :mod:`exactrelu.core.files`).  The in-memory conversion lives on :class:`~exactrelu.core.network.Network`
(``to_dict``/``from_dict``); this module adds the file system.

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

import os
from typing import Any

from exactrelu.core.files import DEFAULT_MAX_FILE_BYTES, atomic_write_text, read_json_file
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.graph_io import graph_from_dict, graph_to_json
from exactrelu.core.network import DEFAULT_MAX_PARAMETERS, FORMAT_NAME, FORMAT_VERSION, Network

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "load", "save", "network_to_json", "network_from_json",
           "network_to_dict", "network_from_dict", "read_json_file"]


def network_to_dict(net: Network) -> dict[str, Any]:
    """The ``exactrelu-network`` document of ``net`` (:meth:`Network.to_dict`)."""
    return net.to_dict()


def network_to_json(net: Network, *, indent: int | None = 2) -> str:
    """The ``exactrelu-network`` JSON text of ``net`` (:meth:`Network.to_json`)."""
    return net.to_json(indent=indent)


def network_from_dict(doc: Any, *, allow_float: bool = False, source: str = "<data>",
                      max_parameters: int | None = DEFAULT_MAX_PARAMETERS) -> Network:
    """Validate a parsed document and build the network (:meth:`Network.from_dict`)."""
    return Network.from_dict(doc, allow_float=allow_float, source=source, max_parameters=max_parameters)


def network_from_json(text: str, *, allow_float: bool = False, source: str = "<string>",
                      max_parameters: int | None = DEFAULT_MAX_PARAMETERS) -> Network:
    """Parse a network JSON text (:meth:`Network.from_json`)."""
    return Network.from_json(text, allow_float=allow_float, source=source, max_parameters=max_parameters)


def load(path: str | os.PathLike[str], *, allow_float: bool = False,
         max_parameters: int | None = DEFAULT_MAX_PARAMETERS,
         max_file_bytes: int | None = DEFAULT_MAX_FILE_BYTES) -> Network | GraphNetwork:
    """Read a network file: version 1 gives a :class:`Network`, version 2 a
    :class:`~exactrelu.core.graph.GraphNetwork` (see :mod:`exactrelu.core.graph_io`).

    Parameters
    ----------
    path : str or PathLike
        The file.
    allow_float : bool
        Accept JSON floats, each converted exactly.
    max_parameters, max_file_bytes : int or None
        Refuse larger inputs at once with :class:`~exactrelu.core.errors.SizeLimitError` (``None``: no limit).

    Raises
    ------
    FormatError, ShapeError, NotExactError, SizeLimitError
        With the file name and the place of the problem.
    """
    doc = read_json_file(path, max_bytes=max_file_bytes, what="network file")
    if isinstance(doc, dict) and type(doc.get("version")) is int and doc.get("version") == 2:
        return graph_from_dict(doc, allow_float=allow_float, source=str(path))
    return Network.from_dict(doc, allow_float=allow_float, source=str(path), max_parameters=max_parameters)


def save(net: Network | GraphNetwork, path: str | os.PathLike[str]) -> None:
    """Write ``net`` atomically (temporary file + rename): nothing is ever written half-way.

    A :class:`Network` is written as version 1, a :class:`~exactrelu.core.graph.GraphNetwork` as version 2.

    Raises :class:`~exactrelu.core.errors.OutputError` when ``path`` cannot be written (missing or read-only folder,
    a directory, a device or a FIFO).
    """
    if isinstance(net, GraphNetwork):
        atomic_write_text(path, graph_to_json(net))
        return
    if not isinstance(net, Network):
        raise TypeError(f"save expects a Network or GraphNetwork, got {type(net).__name__}")
    atomic_write_text(path, net.to_json())
