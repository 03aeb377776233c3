"""Global identifiability of a network on a DAG: a "no" only with a checked witness (docs/mathematics.md §1, E4, §3).

θ is *globally identifiable* when every η with ``f_η = f_θ`` is obtained from θ by a trivial symmetry (positive
rescalings of hidden vertices and graph automorphisms fixing inputs and outputs).  This module proves "no" by
constructing a second parameter η from one of the mechanisms below and checking two things exactly: ``f_η = f_θ``
(:func:`~exactrelu.theory.equality.graph_equivalence.graph_equivalent`, a common refinement or a symmetry) and
η is *not* a trivial symmetry of θ (:func:`~exactrelu.core.graph_symmetry.graph_related_by_trivial_symmetry`).

Mechanisms (each an identity of functions, so the check is a confirmation, not a search):

* **dead vertex** ``v`` (``z_v <= 0`` on every region): ``relu(z_v) = 0``, so an outgoing weight of ``v`` can be
  changed (or its bias lowered) — a whole line of parameters;
* **invisible vertex** (every outgoing weight 0, or none): its incoming weights and bias can be changed — a line;
* **orientation flip through skip edges**: ``relu(z) = relu(-z) + z``.  If every target ``t`` of ``v`` also receives
  an edge from every source ``u`` of ``v`` (and has a bias when ``v`` has a non-zero bias), then negating ``v``'s
  incoming weights and bias and adding ``a_vt·w_uv`` to each ``u -> t`` and ``a_vt·b_v`` to ``b_t`` keeps the function:
  a skip-edge reparametrisation with no layered analogue;
* **always-active vertex** (``z_v >= 0`` everywhere, so ``relu(z_v) = z_v``): ``b_v + s`` (or ``w_uv + s`` for a
  hidden source ``u`` that also feeds every target of ``v``) for ``s > 0`` keeps it active, and the targets'
  biases (or the skip edges ``u -> t``) absorb the change.

A dead or invisible vertex gives a line ``θ + t·e`` in the fiber; when ``e`` is outside the span of the rescaling
directions, θ is not even locally identifiable.  "Yes" needs a theorem; none is implemented for graphs that are not
layered (layered graphs are read as layered networks, where docs/mathematics.md B3 applies), so the answer is then
None with that reason.

Examples
--------
>>> from exactrelu.core.graph import GraphNetwork
>>> g = GraphNetwork.from_edges(["x"], ["y"], [("h", 1), ("y", 0)], [("x", "h", 2), ("h", "y", 3), ("x", "y", 1)])
>>> r = graph_global_identifiability(g)
>>> r.globally_identifiable, r.mechanism
(False, 'orientation flip through skip edges')
>>> [str(e.weight) for e in r.witness.edges], str(r.witness.bias("y"))
(['-2', '3', '7'], '3')
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from exactrelu.core.graph import GraphNetwork
from exactrelu.core.graph_symmetry import graph_related_by_trivial_symmetry
from exactrelu.engines.flintlib import rank
from exactrelu.geometry.graph_regions import graph_regions
from exactrelu.theory.dimension.graph_jacobian import scaling_tangents
from exactrelu.theory.equality.graph_equivalence import graph_equivalent

if TYPE_CHECKING:
    from exactrelu.geometry.polyhedra import Polyhedron

__all__ = ["GraphGlobalIdentifiability", "graph_global_identifiability", "candidate_witnesses"]

_ONE = Fraction(1)


@dataclass(frozen=True)
class GraphGlobalIdentifiability:
    """``globally_identifiable`` (False with a checked ``witness``, None otherwise), the ``mechanism`` and vertex that
    gave the witness, whether it also disproves local identifiability (``line``), and the evidence of the checks."""

    globally_identifiable: bool | None
    reason: str
    mechanism: str | None = None
    vertex: str | None = None
    witness: GraphNetwork | None = None
    line: bool = False
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from exactrelu.core.graph_io import graph_to_dict

        return {"globally_identifiable": self.globally_identifiable, "reason": self.reason,
                "mechanism": self.mechanism, "vertex": self.vertex, "line_in_fiber": self.line,
                "witness": None if self.witness is None else graph_to_dict(self.witness), "evidence": self.evidence}

    def __repr__(self) -> str:
        return (f"GraphGlobalIdentifiability(globally_identifiable={self.globally_identifiable}, "
                f"mechanism={self.mechanism!r}, vertex={self.vertex!r})")


def _changed(g: GraphNetwork, delta: dict[int, Fraction]) -> GraphNetwork:
    theta = list(g.parameters())
    for k, v in delta.items():
        theta[k] += v
    return g.from_parameters(theta)


def candidate_witnesses(g: GraphNetwork, dead: set[str], active: set[str]
                        ) -> Iterator[tuple[str, str, dict[int, Fraction], bool]]:
    """``(mechanism, vertex, change of θ by parameter index, is a line)`` for every mechanism of the module docstring
    that applies (``dead``/``active``: vertices never / always active on the domain)."""
    names = {(kind, a, b): i for i, (kind, a, b) in enumerate(g.parameter_index())}
    edge = {(g.edges[k].source, g.edges[k].target): k for k in range(g.num_edges)}

    def bias(v: str) -> int | None:
        return names.get(("bias", v, ""))

    for v in g.hidden_order:
        outs = list(g.out_edges(v))
        ins = list(g.in_edges(v))
        if v in dead:
            if outs:
                yield "dead vertex", v, {outs[0]: _ONE}, True
            elif bias(v) is not None:
                yield "dead vertex", v, {bias(v): -_ONE}, False  # type: ignore[dict-item]
        if all(g.edges[k].weight == 0 for k in outs):
            change = ins[0] if ins else bias(v)
            if change is not None:
                yield "invisible vertex", v, {change: _ONE}, True
        # relu(z) = relu(-z) + z, the linear part carried by skip edges u -> t and the targets' biases
        b = g.bias(v) or Fraction(0)
        sources = [(g.edges[k].source, g.edges[k].weight, k) for k in ins if g.edges[k].weight]
        if sources and outs and all((u, g.edges[k].target) in edge for u, _, _ in sources for k in outs) and (
                not b or all(bias(g.edges[k].target) is not None for k in outs)):
            delta: dict[int, Fraction] = {k: -2 * g.edges[k].weight for k in ins}
            if bias(v) is not None:
                delta[bias(v)] = -2 * b  # type: ignore[index]
            for k in outs:
                t, a = g.edges[k].target, g.edges[k].weight
                for u, w, _ in sources:
                    i = edge[(u, t)]
                    delta[i] = delta.get(i, Fraction(0)) + a * w
                if b:
                    i = bias(t)  # type: ignore[assignment]
                    delta[i] = delta.get(i, Fraction(0)) + a * b  # type: ignore[index]
            yield "orientation flip through skip edges", v, delta, False
        if v in active and outs:
            if bias(v) is not None and all(bias(g.edges[k].target) is not None for k in outs):
                delta = {bias(v): _ONE}  # type: ignore[dict-item]
                for k in outs:
                    i = bias(g.edges[k].target)
                    delta[i] = delta.get(i, Fraction(0)) - g.edges[k].weight  # type: ignore[index]
                yield "always-active vertex (bias shift)", v, delta, False
            for k_in in ins:
                u = g.edges[k_in].source
                if u in g.inputs or not all((u, g.edges[k].target) in edge for k in outs):
                    continue
                delta = {k_in: _ONE}
                for k in outs:
                    i = edge[(u, g.edges[k].target)]
                    delta[i] = delta.get(i, Fraction(0)) - g.edges[k].weight
                yield "always-active vertex (skip-edge shift)", v, delta, False
                break


def graph_global_identifiability(g: GraphNetwork, domain: Polyhedron | None = None, *, max_regions: int = 100_000
                                 ) -> GraphGlobalIdentifiability:
    """Global identifiability of a graph network: False with a witness checked exactly, else None (module
    docstring)."""
    C = graph_regions(g, domain, max_regions=max_regions)
    order = g.hidden_order
    dead = {v for i, v in enumerate(order) if all(r.pattern[i] <= 0 for r in C.regions)}
    active = {v for i, v in enumerate(order) if all(r.pattern[i] > 0 for r in C.regions)}
    tangents = scaling_tangents(g)
    base = rank(tangents) if tangents else 0
    tried = 0
    for mech, v, delta, is_line in candidate_witnesses(g, dead, active):
        tried += 1
        eta = _changed(g, delta)
        if eta == g or graph_related_by_trivial_symmetry(g, eta) is not None:
            continue
        eq = graph_equivalent(g, eta, domain, max_regions=max_regions)
        if not eq.equivalent:  # pragma: no cover - every mechanism is an identity of functions
            continue
        direction = [delta.get(i, Fraction(0)) for i in range(g.num_parameters)]
        line = is_line and rank(tangents + [direction]) > base
        evidence = {"equivalence": eq.method, "equivalence_regions": eq.regions, "trivial_symmetry": None,
                    "candidates_tried": tried}
        return GraphGlobalIdentifiability(
            False, f"{mech} {v}: a second parameter with the same function (checked exactly by `equiv`) that is not "
                   "a rescaling or graph automorphism of θ" + ("; θ + t·e is in the fiber for every t, so θ is not "
                                                             "locally identifiable either" if line else ""),
            mech, v, eta, line, evidence)
    return GraphGlobalIdentifiability(
        None, "no witness from dead, invisible, always-active vertices or skip-edge flips, and no global "
              "identifiability theorem is implemented for graphs that are not layered", None, None, None, False,
        {"candidates_tried": tried})
