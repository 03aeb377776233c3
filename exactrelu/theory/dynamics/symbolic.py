"""Symbolic realisations of a parameter graph (docs/mathematics.md G1, G2): the network function as a polynomial in
the parameters, the inputs and one 0/1 activation indicator per hidden vertex.

On every activation region the network computes ``f_s(θ, x)`` with ``s`` the region's 0/1 pattern, a polynomial in
``(θ, x)``.  Keeping ``s`` as indeterminates gives one polynomial valid on every region at once, so an identity proved
for it holds on every region — the symbolic proofs of :mod:`exactrelu.theory.dynamics.laws` rest on this.

>>> from exactrelu import examples
>>> from exactrelu.theory.dynamics.balance import ParameterGraph
>>> R, f = realisation(ParameterGraph.from_network(examples.chain("ramp_down")))
>>> len(f), R.ngens
(1, 9)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sympy import QQ
from sympy.polys.rings import PolyElement, PolyRing, ring

from exactrelu.theory.dynamics.balance import CONSTANT, ParameterGraph

__all__ = ["indicator_name", "input_name", "parameter_ring", "realisation", "pattern_maps", "pattern_paths"]


def input_name(j: int) -> str:
    return f"_x{j + 1}"


def indicator_name(v: str) -> str:
    return f"_s_{v}"


def realisation(g: ParameterGraph) -> tuple[PolyRing, list[PolyElement]]:
    """``(R, [f_o for each output])`` with ``R = QQ[θ, x, s]`` (parameters, inputs ``_x1..``, indicators ``_s_v``)."""
    names = list(g.names) + [input_name(j) for j in range(len(g.inputs))] + [indicator_name(v) for v in g.hidden]
    R, *gens = ring(",".join(names), QQ)
    theta = dict(zip(g.names, gens[: len(g.names)], strict=True))
    act: dict[str, PolyElement] = {CONSTANT: R.one}
    for j, v in enumerate(g.inputs):
        act[v] = gens[len(g.names) + j]
    z = _preactivations(g, theta, act, R)
    return R, [z[o] for o in g.outputs]


def _preactivations(g: ParameterGraph, theta: Mapping[str, Any], act: dict[str, Any], R: Any,
                    pattern: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Forward pass: ``z_v = Σ_{u→v} θ_uv a_u`` (bias = edge from the constant), ``a_v = s_v z_v`` for hidden v (the
    indicator generator, or the 0/1 value of ``pattern``)."""
    incoming: dict[str, list[Any]] = {}
    for e in g.edges:
        incoming.setdefault(e.head, []).append(e)
    z: dict[str, Any] = {}
    gens = dict(zip([str(s) for s in R.gens], R.gens, strict=True))
    for v in list(g.hidden) + list(g.outputs):
        total = R.zero
        for e in incoming.get(v, []):
            total += theta[e.name] * act[e.tail]
        z[v] = total
        if v in g.hidden:
            if pattern is None:
                act[v] = gens[indicator_name(v)] * total
            else:
                act[v] = total if pattern[v] > 0 else R.zero
    return z


def parameter_ring(g: ParameterGraph) -> tuple[PolyRing, list[PolyElement]]:
    """``QQ[θ]`` with one generator per parameter, in canonical order."""
    R, *gens = ring(",".join(g.names), QQ)
    return R, gens


def pattern_maps(g: ParameterGraph, patterns: Sequence[Mapping[str, int]], R: PolyRing | None = None
                 ) -> list[PolyElement]:
    """The entries of ``(A_P(θ), c_P(θ))`` for every pattern P (each output, each input coefficient and the constant),
    as polynomials in ``QQ[θ]``: the generators ``φ_k`` of docs/mathematics.md G2."""
    if R is None:
        R, _ = parameter_ring(g)
    theta = dict(zip(g.names, R.gens, strict=True))
    d = len(g.inputs)
    out: list[PolyElement] = []
    for pat in patterns:
        # activations are (d+1)-vectors of polynomials: coefficient of each input, then the constant
        vec: dict[str, list[Any]] = {CONSTANT: [R.zero] * d + [R.one]}
        for j, v in enumerate(g.inputs):
            vec[v] = [R.one if k == j else R.zero for k in range(d)] + [R.zero]
        incoming: dict[str, list[Any]] = {}
        for e in g.edges:
            incoming.setdefault(e.head, []).append(e)
        for v in list(g.hidden) + list(g.outputs):
            acc = [R.zero] * (d + 1)
            for e in incoming.get(v, []):
                t = theta[e.name]
                acc = [a + t * b for a, b in zip(acc, vec[e.tail], strict=True)]
            if v in g.hidden and pat[v] <= 0:
                acc = [R.zero] * (d + 1)
            vec[v] = acc
        for o in g.outputs:
            out.extend(vec[o])
    return out


def pattern_paths(g: ParameterGraph, patterns: Sequence[Mapping[str, int]], R: PolyRing | None = None,
                  limit: int = 200_000) -> list[PolyElement]:
    """The path-lifting coordinates of the active paths of every pattern: one monomial ``Π_{e∈p} θ_e`` per path ``p``
    from a source (an input or the constant) through active hidden vertices to an output (Stock-Gribonval path
    lifting; the generators used by Marcotte-Gribonval-Peyré, docs/mathematics.md §6)."""
    if R is None:
        R, _ = parameter_ring(g)
    theta = dict(zip(g.names, R.gens, strict=True))
    outgoing: dict[str, list[Any]] = {}
    for e in g.edges:
        outgoing.setdefault(e.tail, []).append(e)
    seen: set[Any] = set()
    out: list[PolyElement] = []
    for pat in patterns:
        stack = [(src, R.one) for src in list(g.inputs) + [CONSTANT]]
        while stack:
            v, mono = stack.pop()
            for e in outgoing.get(v, []):
                m = mono * theta[e.name]
                if e.head in g.outputs:
                    key = tuple(m.keys())
                    if key not in seen:
                        seen.add(key)
                        out.append(m)
                        if len(out) > limit:
                            raise ValueError(f"more than {limit} paths")
                elif pat.get(e.head, 0) > 0:
                    stack.append((e.head, m))
    return out
