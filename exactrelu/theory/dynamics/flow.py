"""Exact gradient descent on a parameter graph: the conserved quantities drift by exactly O(h²) per step
(docs/mathematics.md G1).

For the squared loss ``L(θ) = ½ Σ_i |f_θ(x_i) − y_i|²`` one Euler step is ``θ⁺ = θ − h ∇L(θ)``.  A balance law
``Q`` is quadratic and ``∇Q(θ) · ∇L(θ) = 0`` (the law), so ``Q(θ⁺) − Q(θ) = h² Q₂(∇L(θ))`` with ``Q₂`` the quadratic
part of Q: one step drifts by exactly ``h²`` times a number that does not depend on h.

>>> from exactrelu import examples
>>> from exactrelu.theory.dynamics.balance import ParameterGraph
>>> g = ParameterGraph.from_network(examples.linear_block())
>>> X, Y = [[1, 2], [-1, 1], [2, -3]], [[1], [0], [2]]
>>> rows = drift_table(g, X, Y, h="1/8", steps=1)
>>> [str(r["max_drift"] / r["h"] ** 2) for r in rows] == [str(rows[0]["max_drift"] / rows[0]["h"] ** 2)] * 3
True
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError, ShapeError
from exactrelu.core.rational import as_rational
from exactrelu.theory.dynamics.balance import CONSTANT, ParameterGraph

__all__ = ["drift_table", "euler_steps", "squared_loss_gradient"]


def squared_loss_gradient(g: ParameterGraph, X: Sequence[Sequence[object]], Y: Sequence[Sequence[object]]
                          ) -> tuple[Fraction, ...]:
    """``∇L(θ)`` of ``L = ½ Σ |f_θ(x_i) − y_i|²``, exactly, by reverse mode on the graph.

    Raises :class:`~exactrelu.core.errors.NotApplicableError` when some hidden pre-activation vanishes at a data
    point while one of its inputs does not (L is not differentiable there).  A pre-activation whose inputs are all
    zero stays zero for every nearby θ: it is treated as inactive (derivative 0)."""
    if len(X) != len(Y):
        raise ShapeError(f"{len(X)} inputs but {len(Y)} targets")
    incoming: dict[str, list[int]] = {}
    outgoing: dict[str, list[int]] = {}
    for k, e in enumerate(g.edges):
        incoming.setdefault(e.head, []).append(k)
        outgoing.setdefault(e.tail, []).append(k)
    theta = g.values
    grad = [Fraction(0)] * len(theta)
    order = list(g.hidden) + list(g.outputs)
    for x, y in zip(X, Y, strict=True):
        xs = [as_rational(v) for v in x]
        ys = [as_rational(v) for v in y]
        if len(xs) != len(g.inputs) or len(ys) != len(g.outputs):
            raise ShapeError(f"data point {x} -> {y} does not match {len(g.inputs)} inputs, {len(g.outputs)} outputs")
        a: dict[str, Fraction] = {CONSTANT: Fraction(1), **dict(zip(g.inputs, xs, strict=True))}
        z: dict[str, Fraction] = {}
        for v in order:
            z[v] = sum((theta[k] * a[g.edges[k].tail] for k in incoming.get(v, [])), Fraction(0))
            if v in g.outputs:
                a[v] = z[v]
            elif z[v] == 0 and any(a[g.edges[k].tail] != 0 for k in incoming.get(v, [])):
                raise NotApplicableError(f"pre-activation of {v} vanishes at x = {list(map(str, xs))}: "
                                         "the loss is not differentiable there")
            else:
                a[v] = z[v] if z[v] > 0 else Fraction(0)
        delta: dict[str, Fraction] = {o: z[o] - t for o, t in zip(g.outputs, ys, strict=True)}
        for v in reversed(g.hidden):
            back = sum((theta[k] * delta[g.edges[k].head] for k in outgoing.get(v, [])), Fraction(0))
            delta[v] = back if z[v] > 0 else Fraction(0)
        for k, e in enumerate(g.edges):
            grad[k] += delta[e.head] * a[e.tail]
    return tuple(grad)


def euler_steps(g: ParameterGraph, X: Sequence[Sequence[object]], Y: Sequence[Sequence[object]], h: object,
                steps: int) -> list[ParameterGraph]:
    """``steps`` exact Euler steps ``θ ← θ − h ∇L(θ)``; returns the graphs θ_0, ..., θ_steps."""
    hh = as_rational(h)
    out = [g]
    for _ in range(int(steps)):
        grad = squared_loss_gradient(out[-1], X, Y)
        out.append(out[-1].with_values([t - hh * d for t, d in zip(out[-1].values, grad, strict=True)]))
    return out


def drift_table(g: ParameterGraph, X: Sequence[Sequence[object]], Y: Sequence[Sequence[object]],
                h: object = "1/16", steps: int = 3, halvings: int = 3) -> list[dict[str, Any]]:
    """For ``h, h/2, h/4, ...``: the exact maximal drift ``max_v |c_v(θ_k) − c_v(θ_0)|`` after ``steps`` steps and
    the loss decrease — the drift shrinks like h² (each row's ``max_drift / h²`` tends to a constant)."""
    rows = []
    hh = as_rational(h)
    for _ in range(int(halvings)):
        traj = euler_steps(g, X, Y, hh, steps)
        c0 = g.balance()
        drift = max((abs(a - b) for a, b in zip(traj[-1].balance(), c0, strict=True)), default=Fraction(0))
        rows.append({"h": hh, "steps": steps, "max_drift": drift})
        hh /= 2
    return rows
