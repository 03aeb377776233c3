"""Build a :class:`~exactrelu.core.graph.GraphNetwork` from a computation: affine maps, ReLU, sums, concatenation.

Importers of traced models (``torch.fx`` graphs, ONNX graphs) describe a forward pass operation by operation; this
builder turns it into a graph network exactly.  A value is a list of *affine expressions* over the vertices built so
far: ``{vertex: coefficient, CONSTANT: c}``, the constant key present only when a bias contributed (so a bias-free
model gets vertices without bias parameters).

* :meth:`GraphBuilder.linear` (``W e + b``) and :meth:`GraphBuilder.add` (``e1 + e2``, a residual connection) combine
  expressions; no vertex is created.
* :meth:`GraphBuilder.relu` creates one hidden vertex per entry, with one edge from every vertex of the expression.
* :meth:`GraphBuilder.concat` joins two values (DenseNet-style concatenation).
* :meth:`GraphBuilder.network` creates the output vertices.

A graph has no linear vertices, so a linear map applied to a sum ``x + h`` gives the edges from ``x`` and from ``h``
the same weight: the function is the model's, while the graph counts each such edge as its own parameter (``D`` of the
graph is then larger than the model's parameter count; the importer says so).

>>> b = GraphBuilder(1)
>>> x = b.inputs
>>> h = b.relu(b.linear(x, [[2]], [-1]))
>>> y = b.network(b.linear(b.add(x, h), [[3]], None))
>>> y.summary().splitlines()[-2:]
['  h1 = relu(2*x1 + -1)', '  y1 = 3*x1 + 3*h1']
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from exactrelu.core.errors import ShapeError
from exactrelu.core.graph import Edge, GraphNetwork
from exactrelu.core.rational import as_rational

__all__ = ["CONSTANT", "Expression", "GraphBuilder"]

#: The key of the constant term of an affine expression.
CONSTANT = ""
Expression = dict[str, Fraction]


class GraphBuilder:
    """Accumulates vertices and edges; see the module docstring."""

    def __init__(self, input_dim: int, *, input_ids: Sequence[str] | None = None) -> None:
        if input_dim < 1:
            raise ShapeError("a network needs at least one input")
        ids = list(input_ids) if input_ids is not None else [f"x{j + 1}" for j in range(input_dim)]
        if len(ids) != input_dim:
            raise ShapeError(f"{len(ids)} input ids for {input_dim} inputs")
        self.input_ids = tuple(ids)
        self.inputs: list[Expression] = [{v: Fraction(1)} for v in ids]
        self._nodes: list[str] = []
        self._biases: list[Fraction | None] = []
        self._edges: list[Edge] = []
        self._count = 0

    def linear(self, value: Sequence[Expression], weights: Sequence[Sequence[object]],
               bias: Sequence[object] | None) -> list[Expression]:
        """``W e + b`` (``bias=None``: no bias term)."""
        if any(len(row) != len(value) for row in weights):
            raise ShapeError(f"weights of width {len(weights[0]) if weights else 0} applied to {len(value)} values")
        if bias is not None and len(bias) != len(weights):
            raise ShapeError(f"{len(weights)} weight rows but {len(bias)} biases")
        out = []
        for i, row in enumerate(weights):
            acc: Expression = {}
            for w, e in zip(row, value):
                q = as_rational(w)
                for k, c in e.items():
                    acc[k] = acc.get(k, Fraction(0)) + q * c
            if bias is not None:
                acc[CONSTANT] = acc.get(CONSTANT, Fraction(0)) + as_rational(bias[i])
            out.append(acc)
        return out

    def add(self, a: Sequence[Expression], b: Sequence[Expression], *, sign: int = 1) -> list[Expression]:
        """Entrywise ``a + b`` (``sign=-1``: ``a − b``)."""
        if len(a) != len(b):
            raise ShapeError(f"cannot add values of sizes {len(a)} and {len(b)}")
        out = []
        for ea, eb in zip(a, b):
            acc = dict(ea)
            for k, c in eb.items():
                acc[k] = acc.get(k, Fraction(0)) + sign * c
            out.append(acc)
        return out

    def scale(self, a: Sequence[Expression], factor: object) -> list[Expression]:
        q = as_rational(factor)
        return [{k: q * c for k, c in e.items()} for e in a]

    @staticmethod
    def concat(*values: Sequence[Expression]) -> list[Expression]:
        return [e for v in values for e in v]

    def _vertex(self, e: Expression, vid: str) -> None:
        self._nodes.append(vid)
        self._biases.append(e.get(CONSTANT))
        self._edges.extend(Edge(u, vid, c) for u, c in e.items() if u != CONSTANT)

    def relu(self, value: Sequence[Expression]) -> list[Expression]:
        """One hidden vertex ``relu(e)`` per entry."""
        out = []
        for e in value:
            self._count += 1
            vid = f"h{self._count}"
            self._vertex(e, vid)
            out.append({vid: Fraction(1)})
        return out

    def network(self, value: Sequence[Expression], *, output_ids: Sequence[str] | None = None) -> GraphNetwork:
        """Finish: one output vertex per entry of ``value``."""
        ids = list(output_ids) if output_ids is not None else [f"y{j + 1}" for j in range(len(value))]
        for e, vid in zip(value, ids, strict=True):
            self._vertex(e, vid)
        return GraphNetwork(self.input_ids, tuple(self._nodes), tuple(ids), tuple(self._edges),
                            tuple(self._biases))
