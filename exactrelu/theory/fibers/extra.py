"""Shallow fibers on R^d of a θ with one neuron more than its k breakpoint hyperplanes need (docs/mathematics.md B4).

Every η in S(θ) then has k genuine neurons oriented by a valid S plus an extra neuron that is zero, dead or constant,
or two neurons splitting one jump, or it is an opposite-pair network; see
:mod:`exactrelu.theory.fibers.shallow` for the statement.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import RegionLimitError
from exactrelu.core.network import Network
from exactrelu.engines import sympylib as S
from exactrelu.theory.equality.shallow import CanonicalData, valid_orientation_sets
from exactrelu.theory.fibers.base import Component, Fiber
from exactrelu.theory.fibers.roles import Role, RoleBuilder, pair_role_sets, single_roles

__all__ = ["extra_neuron_fiber"]

_ZERO = Fraction(0)


def extra_neuron_fiber(net: Network, data: CanonicalData, max_components: int) -> Fiber:
    """Width n = k+1 when k neurons suffice (θ has one neuron more than needed; see :func:`shallow_fiber`)."""
    from dataclasses import replace

    arch = net.architecture
    d, n, m = arch
    k = data.num_hyperplanes
    sets = valid_orientation_sets(data)
    pairs = []
    for roles, origin in pair_role_sets(data) if k else []:
        u, v = roles[-2].U, roles[-1].U
        if any(u) and any(v):  # otherwise it is a valid orientation set plus a zero neuron
            pairs.append((roles, origin))
    n_pieces = len(sets) * (3 * math.factorial(n) + k * math.comb(n, 2) * math.factorial(max(k - 1, 0)))
    if n_pieces + len(pairs) * math.factorial(n) > max_components:
        raise RegionLimitError(f"the fiber has more than max_components = {max_components} pieces")
    b = RoleBuilder(arch, data, [])
    ws = [S.free_symbol(f"w_{c + 1}") for c in range(d)]
    beta_e, s_e = S.free_symbol("beta_e"), S.free_symbol("s_e")
    vs = [S.free_symbol(f"v_{r + 1}") for r in range(m)]
    us = [S.free_symbol(f"u_{r + 1}") for r in range(m)]
    comps: list[Component] = []
    for S_ in sets:
        roles = single_roles(data, S_)
        b2S = list(data.constant)
        for role in roles:
            if role.o < 0:
                b2S = [x + u * role.t for x, u in zip(b2S, role.U)]
        base = {"case": "k, one extra neuron", "orientation_set": sorted(j + 1 for j in S_)}
        pieces: list[Component] = []
        for e in range(n):
            others = [i for i in range(n) if i != e]
            for perm in itertools.permutations(range(k)):
                gen = _genuine(b, roles, others, perm)
                for kind in ("zero", "dead", "constant"):
                    pieces.append(_extra_piece(b, gen, e, kind, b2S, ws, beta_e, s_e, vs,
                                               {**base, "piece": f"{kind} neuron {e + 1}",
                                                "permutation": _perm_labels(n, others, perm, roles, e)}))
        for j in range(k):
            for e1, e2 in itertools.combinations(range(n), 2):
                others = [i for i in range(n) if i not in (e1, e2)]
                rest = [q for q in range(k) if q != j]
                for perm in itertools.permutations(rest):
                    gen = _genuine(b, roles, others, perm)
                    what = f"neurons {e1 + 1}, {e2 + 1} split the jump on H_{j + 1}"
                    pieces.append(_dup_piece(b, gen, roles[j], e1, e2, b2S, us,
                                             {**base, "piece": what,
                                              "permutation": _perm_labels(n, others, perm, roles, None,
                                                                          {e1: j, e2: j})}))
        pieces.sort(key=lambda c: -c.dimension)
        top = pieces[0]
        comp = replace(top, origin={**base, "pieces": len(pieces), "hidden_symmetry": (
            "one extra neuron: zero (free input weights), dead or constant neuron, or a split duplicate; "
            "all labellings are connected through these")}, pieces=tuple(pieces))
        comps.append(comp)
    for orbit, (roles, origin) in enumerate(pairs):
        for perm in itertools.permutations(range(n)):
            comps.append(b.component(roles, perm, {**origin, "orbit": orbit, "hidden_symmetry": (
                "opposite pair on a hyperplane (docs/mathematics.md B4 case 2) although k neurons suffice")}))
    own = next(q for q, c in enumerate(comps) if c.contains(net))
    for q, c in enumerate(comps):
        c.origin["theta_orbit"] = q == own
    notes = (f"one hidden layer on R^d, width n = {n} = k + 1 with k = {k} breakpoint hyperplanes and {len(sets)} "
             f"valid orientation set(s): one connected component per valid S (the union of {len(comps[0].pieces)} "
             "pieces: an extra zero, dead or constant neuron, or two neurons splitting one jump; all labellings "
             f"meet through them), dimension k + 1 + max(d, m) = {k + 1 + max(d, m)}; plus {len(pairs)} opposite-pair "
             f"role set(s) x {n}! components of dimension {n}",)
    return Fiber(net, "shallow", max(c.dimension for c in comps), tuple(comps), None, None, notes, complete=True)


def _perm_labels(n: int, others: list[int], perm: Sequence[int], roles: Sequence[Role], extra: int | None,
                 fixed: dict[int, int] | None = None) -> list[int]:
    """Hyperplane index (1-based) of each neuron, 0 for the extra neuron."""
    out = [0] * n
    for i, rj in zip(others, perm):
        out[i] = roles[rj].j + 1
    for i, j in (fixed or {}).items():
        out[i] = j + 1
    return out


def _genuine(b: RoleBuilder, roles: Sequence[Role], neurons: Sequence[int], perm: Sequence[int]) -> tuple[Any, ...]:
    """Equalities, strict inequalities, parametrisation and point of the neurons playing single roles."""
    eqs: list[Any] = []
    strict: list[Any] = []
    par: dict[Any, Any] = {}
    pt: dict[int, Fraction] = {}
    lams = []
    for i, rj in zip(neurons, perm):
        e, s_, pa, p_ = b.neuron(i, roles[rj])
        eqs += e
        strict.append(s_)
        par.update(pa)
        pt.update(p_)
        lams.append(b.lams[i])
    return eqs, strict, par, pt, lams


def _extra_piece(b: RoleBuilder, gen: tuple[Any, ...], e: int, kind: str, b2S: list[Fraction], ws: list[Any],
                 beta_e: Any, s_e: Any, vs: list[Any], origin: dict[str, Any]) -> Component:
    d, n, m = b.arch
    eqs, strict, par, pt, lams = (list(gen[0]), list(gen[1]), dict(gen[2]), dict(gen[3]), list(gen[4]))
    syms = b.syms
    W1e = [syms[b.idx_w1(e, c)] for c in range(d)]
    b1e = syms[b.idx_b1(e)]
    W2e = [syms[b.idx_w2(r, e)] for r in range(m)]
    b2 = [syms[b.idx_b2(r)] for r in range(m)]
    nonstrict: list[Any] = []
    free_strict: list[Any] = []
    free_nonstrict: list[Any] = []
    fp: dict[Any, Fraction] = {}
    if kind == "zero":  # W2_e = 0, (W1_e, b1_e) free
        eqs += W2e
        eqs += [b2[r] - S.to_sympy(b2S[r]) for r in range(m)]
        par.update({W1e[c]: ws[c] for c in range(d)})
        par[b1e] = beta_e
        par.update({W2e[r]: sp.Integer(0) for r in range(m)})
        par.update({b2[r]: S.to_sympy(b2S[r]) for r in range(m)})
        free = [*lams, *ws, beta_e]
        vals = {b.idx_w1(e, c): Fraction(1) for c in range(d)}
        vals[b.idx_b1(e)] = Fraction(1)
        fp = {**{w: Fraction(1) for w in ws}, beta_e: Fraction(1)}
        dim = len(lams) + d + 1
    elif kind == "dead":  # W1_e = 0, b1_e <= 0, W2_e free
        eqs += W1e
        eqs += [b2[r] - S.to_sympy(b2S[r]) for r in range(m)]
        nonstrict.append(-b1e)
        par.update({W1e[c]: sp.Integer(0) for c in range(d)})
        par[b1e] = -s_e
        par.update({W2e[r]: vs[r] for r in range(m)})
        par.update({b2[r]: S.to_sympy(b2S[r]) for r in range(m)})
        free = [*lams, s_e, *vs]
        free_nonstrict.append(s_e)
        vals = {b.idx_b1(e): Fraction(-1), **{b.idx_w2(r, e): Fraction(1) for r in range(m)}}
        fp = {s_e: Fraction(1), **{v: Fraction(1) for v in vs}}
        dim = len(lams) + m + 1
    else:  # constant: W1_e = 0, b1_e > 0, W2_e free, b2 = b2S - W2_e b1_e
        eqs += W1e
        eqs += [b2[r] + W2e[r] * b1e - S.to_sympy(b2S[r]) for r in range(m)]
        strict.append(b1e)
        par.update({W1e[c]: sp.Integer(0) for c in range(d)})
        par[b1e] = s_e
        par.update({W2e[r]: vs[r] for r in range(m)})
        par.update({b2[r]: S.to_sympy(b2S[r]) - vs[r] * s_e for r in range(m)})
        free = [*lams, s_e, *vs]
        free_strict.append(s_e)
        vals = {b.idx_b1(e): Fraction(1), **{b.idx_w2(r, e): Fraction(1) for r in range(m)}}
        fp = {s_e: Fraction(1), **{v: Fraction(1) for v in vs}}
        dim = len(lams) + m + 1
    point = [_ZERO] * len(syms)
    for q, val in {**pt, **vals}.items():
        point[q] = val
    for r in range(m):
        point[b.idx_b2(r)] = b2S[r] - (vals.get(b.idx_w2(r, e), _ZERO) * vals[b.idx_b1(e)]
                                      if kind == "constant" else _ZERO)
    return Component(b.arch, tuple(eqs), tuple(strict), tuple(nonstrict), dim, tuple(point),
                     {**origin, "extra_neuron": e + 1}, tuple(free), par, tuple(free_strict),
                     tuple(free_nonstrict), fp)


def _dup_piece(b: RoleBuilder, gen: tuple[Any, ...], role: Role, e1: int, e2: int, b2S: list[Fraction],
               us: list[Any], origin: dict[str, Any]) -> Component:
    """Neurons e1, e2 on the hyperplane of ``role`` with its orientation, jumps u and U - u (u free)."""
    d, n, m = b.arch
    eqs, strict, par, pt, lams = (list(gen[0]), list(gen[1]), dict(gen[2]), dict(gen[3]), list(gen[4]))
    syms = b.syms
    v = (*role.a, role.t)
    p = next(q for q, x in enumerate(role.a) if x)
    xps = []
    for i in (e1, e2):
        xs = [syms[b.idx_w1(i, c)] for c in range(d)] + [syms[b.idx_b1(i)]]
        xps.append(xs[p])
        eqs += [xs[c] - S.to_sympy(v[c]) * xs[p] for c in range(d + 1) if c != p]
        strict.append(xs[p] if role.o > 0 else -xs[p])
        lam = b.lams[i]
        lams.append(lam)
        par.update({xs[c]: role.o * S.to_sympy(v[c]) * lam for c in range(d + 1)})
    l1, l2 = b.lams[e1], b.lams[e2]
    for r in range(m):
        w1, w2 = syms[b.idx_w2(r, e1)], syms[b.idx_w2(r, e2)]
        eqs.append(w1 * xps[0] + w2 * xps[1] - S.to_sympy(role.o * role.U[r]))
        par[w1] = us[r] / l1
        par[w2] = (S.to_sympy(role.U[r]) - us[r]) / l2
    for r in range(m):
        eqs.append(syms[b.idx_b2(r)] - S.to_sympy(b2S[r]))
        par[syms[b.idx_b2(r)]] = S.to_sympy(b2S[r])
    point = [_ZERO] * len(syms)
    for q, val in pt.items():
        point[q] = val
    half = [x / 2 for x in role.U]
    for i in (e1, e2):
        for c in range(d):
            point[b.idx_w1(i, c)] = role.o * v[c]
        point[b.idx_b1(i)] = role.o * role.t
        for r in range(m):
            point[b.idx_w2(r, i)] = half[r]
    for r in range(m):
        point[b.idx_b2(r)] = b2S[r]
    free = (*lams, *us)
    return Component(b.arch, tuple(eqs), tuple(strict), (), len(lams) + m, tuple(point), origin, free, par,
                     (), (), {u: h for u, h in zip(us, half)})
