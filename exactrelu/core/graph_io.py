"""Version 2 of the ``exactrelu-network`` file format: a network on any acyclic graph.

Format::

    {"format": "exactrelu-network", "version": 2,
     "inputs": ["x1", "x2"],
     "outputs": ["y"],
     "nodes": [{"id": "h1", "bias": "1/2"}, {"id": "h2"}, {"id": "y", "bias": "0"}],
     "edges": [{"from": "x1", "to": "h1", "weight": "3"},
               {"from": "x2", "to": "h1", "weight": "-1"},
               {"from": "h1", "to": "h2", "weight": "2"},
               {"from": "x1", "to": "h2", "weight": "1/3"},
               {"from": "h2", "to": "y", "weight": "1"}]}

Every id in ``nodes`` is hidden (ReLU) unless it is listed in ``outputs`` (affine, a sink).  A node without
``"bias"`` has no bias parameter.  Inputs have no bias and no incoming edges.  Numbers are integers or ``"p/q"``
strings (JSON floats only with ``allow_float=True``, converted exactly).  Reading is strict: a cycle (its vertices are
named), an edge into an input or out of an output, an unknown or duplicate id, a duplicate edge, an unknown key, each
raise :class:`~exactrelu.core.errors.FormatError` naming the file and the place.  A hidden vertex with no path from an
input or to an output is valid and only warned about (:class:`~exactrelu.core.graph.StructureWarning`); an output no
edge reaches is valid (a constant output).

Examples
--------
>>> doc = {"format": "exactrelu-network", "version": 2, "inputs": ["x"], "outputs": ["y"],
...        "nodes": [{"id": "h", "bias": "-1/2"}, {"id": "y"}],
...        "edges": [{"from": "x", "to": "h", "weight": 2}, {"from": "h", "to": "y", "weight": "1"},
...                  {"from": "x", "to": "y", "weight": "-1"}]}
>>> g = graph_from_dict(doc)
>>> g([1]), g.num_parameters
((Fraction(1, 2),), 4)
>>> graph_from_dict(graph_to_dict(g)) == g
True
>>> doc["edges"].append({"from": "y", "to": "h", "weight": 1})
>>> graph_from_dict(doc, source="net.json")
Traceback (most recent call last):
...
exactrelu.core.errors.FormatError: net.json: edges[3]: edge y -> h out of output 'y' (outputs are sinks)
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from exactrelu.core.errors import ExactReluError, FormatError
from exactrelu.core.graph import Edge, GraphNetwork, StructureWarning
from exactrelu.core.rational import as_rational, format_rational

__all__ = ["GRAPH_FORMAT_VERSION", "graph_from_dict", "graph_to_dict", "graph_to_json"]

GRAPH_FORMAT_VERSION = 2
_FORMAT_NAME = "exactrelu-network"
_TOP_KEYS = {"format", "version", "inputs", "outputs", "nodes", "edges"}


def graph_to_dict(g: GraphNetwork) -> dict[str, Any]:
    """The version-2 document of ``g`` (ids and order kept; rationals as exact strings)."""
    nodes: list[dict[str, str]] = []
    for v, b in zip(g.nodes, g.biases):
        nodes.append({"id": v} if b is None else {"id": v, "bias": format_rational(b)})
    return {"format": _FORMAT_NAME, "version": GRAPH_FORMAT_VERSION, "inputs": list(g.inputs),
            "outputs": list(g.outputs), "nodes": nodes,
            "edges": [{"from": e.source, "to": e.target, "weight": format_rational(e.weight)} for e in g.edges]}


def graph_to_json(g: GraphNetwork, *, indent: int | None = 2) -> str:
    """JSON text of :func:`graph_to_dict`; with an indent, one edge or node per line."""
    doc = graph_to_dict(g)
    if indent is None:
        return json.dumps(doc)
    pad = " " * indent
    lines = ["{" + f'"format": {json.dumps(doc["format"])}, "version": {doc["version"]},',
             f'{pad}"inputs": {json.dumps(doc["inputs"])},', f'{pad}"outputs": {json.dumps(doc["outputs"])},']
    for key in ("nodes", "edges"):
        items = [json.dumps(item) for item in doc[key]]
        body = (",\n" + pad * 2).join(items)
        lines.append(f'{pad}"{key}": [' + ("\n" + pad * 2 + body + "\n" + pad if items else "") + "]"
                     + ("," if key == "nodes" else ""))
    return "\n".join(lines) + "}\n"


def graph_from_dict(doc: Any, *, allow_float: bool = False, source: str = "<data>",
                    warn: bool = True) -> GraphNetwork:
    """Validate a parsed version-2 document and build the graph network; errors are prefixed by ``source``.

    With ``warn=True`` a :class:`~exactrelu.core.graph.StructureWarning` names hidden vertices that no input reaches
    or that reach no output.
    """
    try:
        g = _build(doc, allow_float)
    except ExactReluError as exc:
        raise type(exc)(f"{source}: {exc}") from None
    if warn:
        no_in, no_out = g.unreachable_vertices()
        parts = []
        if no_in:
            parts.append(f"hidden vertices with no path from an input: {', '.join(no_in)}")
        if no_out:
            parts.append(f"hidden vertices with no path to an output: {', '.join(no_out)}")
        if parts:
            warnings.warn(f"{source}: " + "; ".join(parts), StructureWarning, stacklevel=2)
    return g


def _build(doc: Any, allow_float: bool) -> GraphNetwork:
    if not isinstance(doc, dict):
        raise FormatError(f"expected a JSON object, got {type(doc).__name__}")
    if doc.get("format") != _FORMAT_NAME:
        raise FormatError(f"unknown format {doc.get('format')!r} (expected {_FORMAT_NAME!r})")
    if doc.get("version") != GRAPH_FORMAT_VERSION or isinstance(doc.get("version"), (bool, float)):
        raise FormatError(f"version {doc.get('version')!r} is not a graph network (version 2)")
    extra = sorted(set(doc) - _TOP_KEYS)
    if extra:
        raise FormatError(f"unknown key {extra[0]!r} (a version-2 file has {', '.join(sorted(_TOP_KEYS))})")
    for key in ("inputs", "outputs", "nodes", "edges"):
        if not isinstance(doc.get(key), list):
            raise FormatError(f"missing {key!r} list")
    for key in ("inputs", "outputs"):
        for i, v in enumerate(doc[key]):
            if not isinstance(v, str) or not v:
                raise FormatError(f"{key}[{i}]: a vertex id must be a non-empty string, got {v!r}")
    ids: list[str] = []
    biases = []
    for i, n in enumerate(doc["nodes"]):
        where = f"nodes[{i}]"
        if not isinstance(n, dict):
            raise FormatError(f"{where}: expected an object {{\"id\": ..., \"bias\": ...}}")
        bad = sorted(set(n) - {"id", "bias"})
        if bad:
            raise FormatError(f"{where}: unknown key {bad[0]!r} (a node has 'id' and optionally 'bias')")
        v = n.get("id")
        if not isinstance(v, str) or not v:
            raise FormatError(f"{where}.id: a vertex id must be a non-empty string, got {v!r}")
        ids.append(v)
        if "bias" in n:
            if n["bias"] is None:
                raise FormatError(f"{where}.bias: null is not a number (omit 'bias' for a vertex without bias)")
            biases.append(_number(n["bias"], allow_float, f"{where}.bias"))
        else:
            biases.append(None)
    edges = []
    for k, e in enumerate(doc["edges"]):
        where = f"edges[{k}]"
        if not isinstance(e, dict):
            raise FormatError(f"{where}: expected an object {{\"from\": ..., \"to\": ..., \"weight\": ...}}")
        bad = sorted(set(e) - {"from", "to", "weight"})
        if bad:
            raise FormatError(f"{where}: unknown key {bad[0]!r} (an edge has 'from', 'to' and 'weight')")
        for key in ("from", "to", "weight"):
            if key not in e:
                raise FormatError(f"{where}: missing {key!r}")
        for key in ("from", "to"):
            if not isinstance(e[key], str):
                raise FormatError(f"{where}.{key}: a vertex id must be a string, got {e[key]!r}")
        edges.append(Edge(e["from"], e["to"], _number(e["weight"], allow_float, f"{where}.weight")))
    return GraphNetwork(tuple(doc["inputs"]), tuple(ids), tuple(doc["outputs"]), tuple(edges), tuple(biases))


def _number(value: object, allow_float: bool, where: str) -> Any:
    try:
        return as_rational(value, allow_float=allow_float)
    except (ExactReluError, TypeError) as exc:
        raise type(exc)(f"{where}: {exc}") from None
