"""Minimal width of a shallow function for any output dimension, and the functions of width-1 chains
(docs/mathematics.md F2, F3).

* :func:`minimal_width_any` extends docs/mathematics.md B4 to vector output ``m >= 1``: with ``L_S = A_R + sum_{j in S}
  C_j a_j^T`` and ``a_J`` the rows ``a_j`` (``j in J``), the minimal width is
  ``k + min over J, S ⊆ [k] of |J| + 2 (rank [L_S ; a_J] - rank a_J)``.

  A hyperplane of ``K(f)`` carrying two or more neurons (``j in J``) adds any ``u a_j^T`` to the linear part, a new
  hyperplane needs a canceling group of at least two neurons and adds one rank-one term ``u v^T``, every other neuron is
  useless; for ``m = 1`` this is B4's k, k+1, k+2.  :func:`network_of_width` builds a network of that width.
* :func:`width_one_chain` decides whether ``f`` is computed by ``(d, 1, ..., 1, m)`` with ``L >= 2`` width-1 hidden
  layers: exactly the functions ``c + u s(w . x)`` with ``s`` constant, a hinge or a clamp (constant - ramp -
  constant), i.e. at most two parallel kinks and ``f`` constant beyond them (docs/mathematics.md F3).

Examples
--------
>>> from exactrelu import examples
>>> from exactrelu.theory.equality.shallow import canonical_data
>>> minimal_width_any(canonical_data(examples.absolute_value()))[0]
2
>>> width_one_chain(canonical_data(examples.relu_minus_shifted_relu()))[0]       # a clamp: plateau, ramp, plateau
True
>>> width_one_chain(canonical_data(examples.three_kinks()))[:2]
(False, 'f has 3 kink hyperplanes; a function of a width-1 chain has at most 2 (docs/mathematics.md F3)')
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations
from typing import Any

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.formatting import format_affine, format_vector
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import format_rational
from exactrelu.engines import flintlib
from exactrelu.theory.equality.shallow import CanonicalData

__all__ = ["minimal_width_any", "network_of_width", "width_one_chain", "width_one_chain_network",
           "width_one_first_layer", "width_one_first_network", "MAX_WIDTH_SEARCH"]

#: Largest k for the 3^k search of :func:`minimal_width_any`.
MAX_WIDTH_SEARCH = 11

Vector = tuple[Fraction, ...]
_ZERO = Fraction(0)


def _rank(rows: Sequence[Sequence[Fraction]]) -> int:
    rows = [r for r in rows if any(r)]
    return flintlib.rank(rows) if rows else 0


def _linear_S(data: CanonicalData, S: frozenset[int]) -> list[list[Fraction]]:
    L = [list(r) for r in data.linear]
    for j in S:
        a, _t, C = data.hyperplanes[j]
        for r in range(data.output_dim):
            for q in range(data.input_dim):
                L[r][q] += C[r] * a[q]
    return L


def minimal_width_any(data: CanonicalData) -> tuple[int, dict[str, Any]]:
    """``(minimal width, choice)`` of a shallow function for any ``m`` (docs/mathematics.md F2).

    ``choice`` has ``"J"`` (hyperplanes carrying two neurons), ``"S"`` (hyperplanes whose single neuron is active on
    the reference region) and ``"rank"`` (number of canceling pairs on new hyperplanes).  Searches the ``3^k``
    assignments (each hyperplane in S, in J, or neither) by increasing cost.

    >>> from exactrelu import Network
    >>> from exactrelu.theory.equality.shallow import canonical_data
    >>> f = Network.from_lists([([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0]),
    ...                         ([[1, -1, 0, 0], [0, 0, 1, -1]], [0, 0])])          # (x1, x2) -> (x1, x2)
    >>> minimal_width_any(canonical_data(f))
    (4, {'J': frozenset(), 'S': frozenset(), 'rank': 2})

    Raises
    ------
    NotApplicableError
        beyond :data:`MAX_WIDTH_SEARCH` hyperplanes.
    """
    k = data.num_hyperplanes
    if k > MAX_WIDTH_SEARCH:
        raise NotApplicableError(f"minimal width search over 3^{k} choices (k = {k} > {MAX_WIDTH_SEARCH} hyperplanes) "
                                 "is not attempted")
    best: tuple[int, dict[str, Any]] | None = None
    idx = range(k)
    for size_J in range(k + 1):
        if best is not None and size_J >= best[0] - k:
            break
        for J in combinations(idx, size_J):
            aJ = [list(data.hyperplanes[j][0]) for j in J]
            rJ = _rank(aJ)
            rest = [j for j in idx if j not in J]
            for size_S in range(len(rest) + 1):
                for S in combinations(rest, size_S):
                    L = _linear_S(data, frozenset(S))
                    r = _rank(L + aJ) - rJ
                    cost = k + size_J + 2 * r
                    if best is None or cost < best[0]:
                        best = (cost, {"J": frozenset(J), "S": frozenset(S), "rank": r})
                        if size_J == 0 and r == 0:
                            return best
    assert best is not None
    return best


def _with_bias(rows: list[Vector], biases: list[Fraction], cols: list[Vector], data: CanonicalData,
               layers_between: Sequence[Layer] = ()) -> Network:
    """The network with these hidden neurons (and optional later hidden layers) and the output bias making it agree
    with ``data`` at x = 0 (the linear parts are matched by construction and checked by the caller)."""
    d, m = data.input_dim, data.output_dim
    if not rows:
        rows, biases, cols = [(_ZERO,) * d], [_ZERO], [(_ZERO,) * m]
    hidden = Layer(tuple(rows), tuple(biases))
    n_last = layers_between[-1].n_out if layers_between else len(rows)
    out_w = tuple(tuple(c[r] for c in cols) for r in range(m))
    assert all(len(row) == n_last for row in out_w)
    probe = Network((hidden, *layers_between, Layer(out_w, (_ZERO,) * m)))
    x0 = (_ZERO,) * d
    bias = tuple(f - g for f, g in zip(data(x0), probe(x0)))
    return Network((hidden, *layers_between, Layer(out_w, bias)))


def network_of_width(data: CanonicalData, width: int | None = None) -> Network:
    """A one-hidden-layer network computing ``data``'s function with :func:`minimal_width_any` neurons, padded with
    zero neurons to ``width`` when given (``width`` must be at least the minimal width)."""
    d, m = data.input_dim, data.output_dim
    w, how = minimal_width_any(data)
    if width is not None and width < w:
        raise NotApplicableError(f"the function needs {w} neurons, {width} asked")
    J, S = how["J"], how["S"]
    L = _linear_S(data, S)  # still to be produced by the J pairs and the canceling pairs
    rows: list[Vector] = []
    biases: list[Fraction] = []
    cols: list[Vector] = []
    for j, (a, t, C) in enumerate(data.hyperplanes):
        if j in S:  # C relu(-(a.x + t)) = C relu(a.x + t) - C (a.x + t)
            rows.append(tuple(-v for v in a))
            biases.append(-t)
        else:
            rows.append(a)
            biases.append(t)
        cols.append(C)
    # write L = sum_{j in J} u_j a_j^T + sum_p e_p v_p^T with v_p independent modulo span(a_J)
    basis = []
    for j in sorted(J):
        a = list(data.hyperplanes[j][0])
        if _rank(basis + [a]) > len(basis):
            basis.append(a)
    owner = [j for j in sorted(J) if list(data.hyperplanes[j][0]) in basis]
    new: list[list[Fraction]] = []
    for row in L:
        if _rank(basis + new + [row]) > len(basis) + len(new):
            new.append(list(row))
    G = basis + new  # independent rows; solve G^T c = row for every row of L
    GT = [[G[i][q] for i in range(len(G))] for q in range(d)]
    coef = []
    for row in L:
        c = flintlib.solve(GT, row) if G else ()
        assert c is not None
        coef.append(c)
    for b_i, j in enumerate(owner):  # beta relu(-(a.x + t)) on H_j: jump beta, linear part -beta a^T
        a, t, C = data.hyperplanes[j]
        u = tuple(coef[r][b_i] for r in range(m))
        beta = tuple(-v for v in u)
        rows.append(tuple(-v for v in a))
        biases.append(-t)
        cols.append(beta)
        cols[j] = tuple(c - v for c, v in zip(cols[j], beta))  # the two jumps on H_j add up to C_j
    for p, v in enumerate(new):
        e = tuple(coef[r][len(basis) + p] for r in range(m))
        rows += [tuple(v), tuple(-x for x in v)]
        biases += [_ZERO, _ZERO]
        cols += [e, tuple(-x for x in e)]
    while width is not None and len(rows) < width:
        rows.append((_ZERO,) * d)
        biases.append(_ZERO)
        cols.append((_ZERO,) * m)
    return _with_bias(rows, biases, cols, data)


def width_one_chain(data: CanonicalData) -> tuple[bool, str, dict[str, Any]]:
    """Is the shallow function ``data`` computed by a width-1 chain ``(d, 1, ..., 1, m)`` with ``L >= 2`` hidden layers?
    (docs/mathematics.md F3.)  Returns ``(answer, reason, shape)``; ``shape["kind"]`` is ``"constant"``, ``"hinge"``
    or ``"clamp"`` when yes (with ``"reversed"`` for a hinge that is constant on the positive side).

    The criterion: at most 2 kink hyperplanes, parallel, and ``f`` constant beyond them: ``k = 0``: ``A_R = 0``;
    ``k = 1``: ``A_R = 0`` or ``A_R + C a^T = 0``; ``k = 2``: ``a_1 = a_2``, ``C_1 + C_2 = 0`` and ``A_R = 0``.
    """
    k = data.num_hyperplanes
    A = data.linear
    zero = all(v == 0 for row in A for v in row)
    if k > 2:
        return False, f"f has {k} kink hyperplanes; a function of a width-1 chain has at most 2 (docs/mathematics.md " \
                      "F3)", {"kinks": k}
    if k == 0:
        if zero:
            return True, "f is constant", {"kind": "constant"}
        return False, ("f is affine and not constant; a width-1 layer makes f constant on a half-space "
                       "(docs/mathematics.md F3)"), {"kinks": 0}
    if k == 1:
        a, t, C = data.hyperplanes[0]
        if zero:
            return True, "f is a hinge, constant where " + format_affine(a, t) + " <= 0", {"kind": "hinge",
                                                                                       "reversed": False}
        if all(A[r][q] + C[r] * a[q] == 0 for r in range(data.output_dim) for q in range(data.input_dim)):
            return True, "f is a hinge, constant where " + format_affine(a, t) + " >= 0", {"kind": "hinge",
                                                                                       "reversed": True}
        return False, ("f has one kink but is not constant on either side of it; a width-1 chain gives a hinge "
                       "(docs/mathematics.md F3)"), {"kinks": 1}
    (a1, t1, C1), (a2, t2, C2) = data.hyperplanes
    if a1 != a2:
        return False, (f"the kinks {format_affine(a1, t1)} = 0 and {format_affine(a2, t2)} = 0 are not parallel; a "
                       "width-1 chain depends on x only through one w . x (docs/mathematics.md F3)"), {"kinks": 2}
    if any(x + y for x, y in zip(C1, C2)) or not zero:
        return False, ("two parallel kinks but f is not constant outside them (jumps "
                       f"{format_vector(C1)}, {format_vector(C2)}, slope at -infinity {format_vector(A[0])}...); a "
                       "width-1 chain gives a clamp: plateau, ramp, plateau (docs/mathematics.md F3)"), {"kinks": 2}
    return True, (f"f is a clamp between the parallel kinks at t = {format_rational(t1)} and {format_rational(t2)}"),\
        {"kind": "clamp"}


def width_one_chain_network(data: CanonicalData, hidden_layers: int) -> Network:
    """A ``(d, 1, ..., 1, m)`` network (``hidden_layers >= 2`` width-1 layers) computing ``data``'s function, which
    must pass :func:`width_one_chain`."""
    ok, reason, shape = width_one_chain(data)
    if not ok or hidden_layers < 2:
        raise NotApplicableError(reason if not ok else "a width-1 chain network needs at least 2 hidden layers here")
    d, m = data.input_dim, data.output_dim
    one = Fraction(1)
    ident = Layer(((one,),), (_ZERO,))
    if shape["kind"] == "constant":
        rows, biases, cols = [(_ZERO,) * d], [_ZERO], [(_ZERO,) * m]
        between = [ident] * (hidden_layers - 1)
    elif shape["kind"] == "hinge":
        a, t, C = data.hyperplanes[0]
        s = -1 if shape["reversed"] else 1  # C relu(-(a.x+t)) = C relu(a.x+t) - C (a.x+t)
        rows, biases, cols = [tuple(s * v for v in a)], [s * t], [C]
        between = [ident] * (hidden_layers - 1)
    else:
        (a, t1, C), (_a, t2, _C2) = data.hyperplanes
        if t1 < t2:  # order so that relu(s + t1) starts first (t1 > t2)
            t1, t2, C = t2, t1, _C2
        # C (relu(s + t1) - relu(s + t2)) = C (t1 - t2) - C relu((t1 - t2) - relu(s + t1))
        rows, biases = [a], [t1]
        cols = [tuple(-c for c in C)]
        between = [Layer(((-one,),), (t1 - t2,))] + [ident] * (hidden_layers - 2)
    return _with_bias(rows, biases, cols, data, between)


# ------------------------------------------------------------------------------------- first hidden layer of width 1
def _ridge(data: CanonicalData) -> tuple[Vector, Vector, list[tuple[Fraction, Fraction, Vector]]] | str:
    """``(a, u, kinks)`` with ``f(x) = c + phi(a . x)``: ``A_R = u a^T`` and the kinks ``(p, t, C)`` at ``a . x = p``
    sorted by ``p``; or the reason why ``f`` is not a function of one ``a . x``."""
    d, m = data.input_dim, data.output_dim
    hyps = data.hyperplanes
    a = hyps[0][0]
    if any(h[0] != a for h in hyps):
        return "the kink hyperplanes of f are not parallel, so f is not a function of one w . x"
    q = next(j for j, v in enumerate(a) if v)
    u = tuple(data.linear[r][q] for r in range(m))
    if any(data.linear[r][j] != u[r] * a[j] for r in range(m) for j in range(d)):
        return "the linear part of f is not a multiple of the kink normal, so f is not a function of one w . x"
    return a, u, sorted(((-t, t, C) for _a, t, C in hyps), key=lambda h: h[0])


def _zero_sum_with(first: Vector, others: Sequence[Vector]) -> frozenset[int] | None:
    """Smallest ``S`` (by size) with ``first + sum_{j in S} others[j] = 0``, or None (brute force)."""
    for size in range(len(others) + 1):
        for S in combinations(range(len(others)), size):
            if all(f + sum((others[j][r] for j in S), _ZERO) == 0 for r, f in enumerate(first)):
                return frozenset(S)
    return None


def width_one_first_layer(data: CanonicalData, prefix: int = 1) -> tuple[int | None, str, dict[str, Any]]:
    """The least ``n`` such that ``(d, 1, ..., 1, n, m)`` with ``prefix`` width-1 layers computes the shallow function
    ``data`` (docs/mathematics.md F3), or None when no ``n`` does; with the reason and the choice made.

    ``f = G(psi(w . x))`` with ``psi`` a hinge (``prefix = 1``) or a hinge or clamp (``prefix >= 2``) and ``G``
    one-hidden-layer on the half-line or interval: ``f`` depends on ``x`` only through ``a . x`` and is constant on
    one side of its kinks; putting the first-layer kink on the outermost kink ``p_b`` of that side, ``G`` needs one
    neuron per other kink, plus one always-active neuron unless some ``S`` of the other kinks has
    ``C_b + sum_S C_j = 0``.  With a clamp (f constant on both sides) both outermost kinks are cut off.

    >>> from exactrelu import examples
    >>> from exactrelu.theory.equality.shallow import canonical_data
    >>> width_one_first_layer(canonical_data(examples.three_kinks()))[:2]     # 1 - 1 = 0: S = {the kink at 1}
    (2, 'f is constant for a . x >= 2 and has 3 parallel kink(s): 2 neuron(s) after the width-1 layer(s)')
    >>> width_one_first_layer(canonical_data(examples.absolute_value()))[0] is None
    True
    """
    k = data.num_hyperplanes
    zero = all(v == 0 for row in data.linear for v in row)
    if k == 0:
        if zero:
            return 1, "f is constant", {"kind": "constant"}
        return None, "f is affine and not constant; a width-1 first layer makes f constant on a half-space", {}
    ridge = _ridge(data)
    if isinstance(ridge, str):
        return None, ridge, {}
    a, u, kinks = ridge
    m = data.output_dim
    right = tuple(u[r] + sum((C[r] for _p, _t, C in kinks), _ZERO) for r in range(m))
    best: tuple[int, str, dict[str, Any]] | None = None
    for side, slope in (("left", u), ("right", right)):
        if any(slope):
            continue
        order = kinks if side == "left" else kinks[::-1]
        b, rest = order[0], order[1:]
        S = _zero_sum_with(b[2], [C for _p, _t, C in rest])
        cost = len(rest) + (0 if S is not None else 1)
        if best is None or cost < best[0]:
            best = (cost, f"f is constant for a . x {'<=' if side == 'left' else '>='} {format_rational(b[0])} "
                          f"and has {k} parallel kink(s): {cost} neuron(s) after the width-1 layer(s)",
                    {"kind": "ridge", "side": side, "S": S, "normal": a})
    if prefix >= 2 and k >= 2 and not any(u) and not any(right):  # a clamp cuts both outermost kinks
        inner = kinks[1:-1][::-1]  # from the right end, as the network reads them
        S = _zero_sum_with(kinks[-1][2], [C for _p, _t, C in inner])
        cost = len(inner) + (0 if S is not None else 1)
        if best is None or cost < best[0]:
            best = (cost, f"f is constant outside {format_rational(kinks[0][0])} <= a . x <= "
                          f"{format_rational(kinks[-1][0])} and has {k} parallel kink(s): {cost} neuron(s) after the "
                          "clamp", {"kind": "clamp", "S": S, "normal": a})
    if best is None:
        return None, (f"f is not constant on either side of its kinks (slopes {format_vector(u)} and "
                      f"{format_vector(right)} along the normal); a width-1 first layer makes f constant on a "
                      "half-space"), {}
    return max(best[0], 1), best[1], best[2]


def width_one_first_network(data: CanonicalData, width: int, prefix: int = 1) -> Network:
    """A ``(d, 1, ..., 1, width, m)`` network (``prefix`` width-1 layers) computing ``data`` (``width`` at least
    :func:`width_one_first_layer`)."""
    need, reason, how = width_one_first_layer(data, prefix)
    if need is None or width < need:
        raise NotApplicableError(reason if need is None else f"the last hidden layer needs >= {need} neurons, "
                                                             f"{width} asked")
    d, m = data.input_dim, data.output_dim
    one = Fraction(1)
    ident = Layer(((one,),), (_ZERO,))
    if how["kind"] == "constant":
        return _with_bias([(_ZERO,) * d], [_ZERO], [(_ZERO,) * m] * width, data,
                          [ident] * (prefix - 1) + [Layer(((_ZERO,),) * width, (_ZERO,) * width)])
    ridge = _ridge(data)
    assert not isinstance(ridge, str)
    a, _u, kinks = ridge
    if how["kind"] == "clamp":  # alpha = relu(a.x + t_1); beta = relu(l - alpha) runs from l down to 0 at p_k
        (p1, t1, _C1), (pk, _tk, Ck) = kinks[0], kinks[-1]
        ell = pk - p1
        pre = [Layer(((-one,),), (ell,))] + [ident] * (prefix - 2)
        first_row, first_bias = a, t1
        pb, Cb, rest, s = pk, Ck, kinks[1:-1][::-1], -1
    else:
        order = kinks if how["side"] == "left" else kinks[::-1]
        (pb, tb, Cb), rest = order[0], order[1:]
        s = 1 if how["side"] == "left" else -1  # alpha = s (a . x + t_b) >= 0 beyond the boundary kink
        pre = [ident] * (prefix - 1)
        first_row, first_bias = tuple(s * v for v in a), s * tb
    rows2: list[tuple[Fraction, ...]] = []
    biases2: list[Fraction] = []
    cols: list[Vector] = []
    S = how["S"] or frozenset()
    for j, (p, _t, C) in enumerate(rest):
        q = s * (p - pb)  # the kink in alpha, > 0
        if j in S:  # C relu(q - alpha): jump C, slope -C on [0, q)
            rows2.append((-one,))
            biases2.append(q)
        else:
            rows2.append((one,))
            biases2.append(-q)
        cols.append(C)
    lin = tuple(c + sum((rest[j][2][r] for j in S), _ZERO) for r, c in enumerate(Cb))
    if how["S"] is None or any(lin):  # an always-active neuron relu(alpha) carries the slope at alpha = 0+
        rows2.append((one,))
        biases2.append(_ZERO)
        cols.append(lin)
    while len(rows2) < width:
        rows2.append((_ZERO,))
        biases2.append(_ZERO)
        cols.append((_ZERO,) * m)
    return _with_bias([first_row], [first_bias], cols, data, [*pre, Layer(tuple(rows2), tuple(biases2))])
