"""Neuron roles of one-hidden-layer fibers and the component systems they give (docs/mathematics.md B2–B4).

A *role* (:class:`Role`) is a triple (hyperplane H_j of the canonical data K(f), orientation o, output jump U); a
neuron playing it is ``(W1_i, b1_i) = o λ_i (a_j, t_j)``, ``W2_{·,i} = U / λ_i``.  :func:`roles_of` lists the role
sets of a minimal-width fiber; :class:`RoleBuilder` turns a role set and a labelling into a
:class:`~exactrelu.theory.fibers.base.Component` (its polynomial system, parametrisation and a rational point).
The case analysis is in the docstring of :mod:`exactrelu.theory.fibers.shallow`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.engines import sympylib as S
from exactrelu.theory.equality.shallow import CanonicalData, valid_orientation_sets
from exactrelu.theory.fibers.base import Component

__all__ = ["Role", "RoleBuilder", "roles_of", "single_roles", "pair_role_sets", "residual", "strs"]

_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class Role:
    """A neuron role: hyperplane index ``j`` (into K(f), 0-based; -1 for a free hyperplane), its normalised
    ``(a, t)``, orientation ``o`` and output jump ``U`` (the neuron contributes ``U relu(o (a.x + t))``)."""

    j: int
    a: tuple[Fraction, ...]
    t: Fraction
    o: int
    U: tuple[Fraction, ...]
    free_offset: bool = False  # a canceling-pair role on a free hyperplane a.x + t_G = 0 (t_G a free parameter)


def _rank1_factor(M: Sequence[Fraction], a: Sequence[Fraction], m: int, d: int) -> tuple[Fraction, ...] | None:
    """``w`` with ``M = w a^T`` (M flattened m x d, row-major), or None if M is not of that form."""
    p = next(q for q, v in enumerate(a) if v)
    w = tuple(M[r * d + p] / a[p] for r in range(m))
    if all(M[r * d + q] == w[r] * a[q] for r in range(m) for q in range(d)):
        return w
    return None


def residual(data: CanonicalData, Ssub: Sequence[int]) -> list[Fraction]:
    """``A_R + sum_{j in S} C_j a_j^T``, flattened row-major (m x d)."""
    d, m = data.input_dim, data.output_dim
    M = [v for row in data.linear for v in row]
    for j in Ssub:
        a, _t, C = data.hyperplanes[j]
        for rr in range(m):
            for q in range(d):
                M[rr * d + q] += C[rr] * a[q]
    return M


def single_roles(data: CanonicalData, Ssub: Sequence[int], skip: Sequence[int] = ()) -> tuple[Role, ...]:
    return tuple(Role(j, a, t, -1 if j in Ssub else 1, C) for j, (a, t, C) in enumerate(data.hyperplanes)
                 if j not in skip)


def strs(v: Sequence[Fraction]) -> list[str]:
    return [str(x) for x in v]


def pair_role_sets(data: CanonicalData) -> list[tuple[tuple[Role, ...], dict[str, Any]]]:
    """docs/mathematics.md B4 case 2: two opposite neurons on H_{j0}, for every admissible (j0, S)."""
    k, d, m = data.num_hyperplanes, data.input_dim, data.output_dim
    if k > 20:
        raise RegionLimitError(f"{k} hyperplanes: the (j0, S) search has k 2^(k-1) > 10^7 cases")
    out = []
    for j0 in range(k):
        others = [j for j in range(k) if j != j0]
        a0, t0, C0 = data.hyperplanes[j0]
        for r in range(len(others) + 1):
            for Ssub in itertools.combinations(others, r):
                w = _rank1_factor(residual(data, Ssub), a0, m, d)
                if w is None:
                    continue
                v = tuple(-x for x in w)  # r_S + v a0^T = 0
                u = tuple(c - x for c, x in zip(C0, v))
                roles = single_roles(data, Ssub, (j0,)) + (Role(j0, a0, t0, 1, u), Role(j0, a0, t0, -1, v))
                out.append((roles, {"case": "k+1", "pair_hyperplane": j0 + 1,
                                    "orientation_set": sorted(j + 1 for j in Ssub),
                                    "pair_jumps": {"plus": strs(u), "minus": strs(v)}}))
    return out


def _canceling_role_sets(data: CanonicalData) -> list[tuple[tuple[Role, ...], dict[str, Any]]]:
    """docs/mathematics.md B4 case 3 (scalar output, neither k nor k+1 neurons suffice), width k+2.  Two kinds of role
    sets:

    * a canceling pair on a free hyperplane G: a_G ∝ r_S = A_R + Σ_S C_j a_j^T (any S; r_S ≠ 0 as no S is valid),
      jumps u = -v, v a_G^T = -r_S, offset t_G free (G is never parallel to an H_j, else k+1 neurons would do);
    * two opposite pairs on H_{j0}, H_{j1} with independent normals: r_S + v0 a_{j0}^T + v1 a_{j1}^T = 0.
    """
    k, d = data.num_hyperplanes, data.input_dim
    H = data.hyperplanes
    out = []
    for r in range(k + 1):
        for Ssub in itertools.combinations(range(k), r):
            M = residual(data, Ssub)
            p = next(q for q, x in enumerate(M) if x)
            aG = tuple(x / M[p] for x in M)
            v = (-M[p],)
            u = (M[p],)
            roles = single_roles(data, Ssub) + (Role(-1, aG, _ZERO, 1, u, True), Role(-1, aG, _ZERO, -1, v, True))
            out.append((roles, {"case": "k+2", "kind": "canceling pair on a free hyperplane",
                                "orientation_set": sorted(j + 1 for j in Ssub), "free_hyperplane_normal": strs(aG),
                                "pair_jumps": {"plus": strs(u), "minus": strs(v)}}))
    for j0, j1 in itertools.combinations(range(k), 2):
        a0, t0, C0 = H[j0]
        a1, t1, C1 = H[j1]
        piv = next(((x, y) for x, y in itertools.combinations(range(d), 2) if a0[x] * a1[y] != a0[y] * a1[x]), None)
        if piv is None:
            continue  # parallel normals: such a pair would give a (k+1)-neuron solution, impossible here
        x, y = piv
        det = a0[x] * a1[y] - a0[y] * a1[x]
        others = [j for j in range(k) if j not in (j0, j1)]
        for r in range(len(others) + 1):
            for Ssub in itertools.combinations(others, r):
                M = residual(data, Ssub)
                v0 = (-M[x] * a1[y] + M[y] * a1[x]) / det  # solve v0 a0 + v1 a1 = -M on columns x, y
                v1 = (-M[y] * a0[x] + M[x] * a0[y]) / det
                if any(M[q] + v0 * a0[q] + v1 * a1[q] != 0 for q in range(d)):
                    continue
                u0, u1 = C0[0] - v0, C1[0] - v1
                roles = single_roles(data, Ssub, (j0, j1)) + (Role(j0, a0, t0, 1, (u0,)), Role(j0, a0, t0, -1, (v0,)),
                                                          Role(j1, a1, t1, 1, (u1,)), Role(j1, a1, t1, -1, (v1,)))
                out.append((roles, {"case": "k+2", "kind": "two opposite pairs", "pair_hyperplanes": [j0 + 1, j1 + 1],
                                    "orientation_set": sorted(j + 1 for j in Ssub),
                                    "pair_jumps": {"plus": [str(u0), str(u1)], "minus": [str(v0), str(v1)]}}))
    return out


def roles_of(data: CanonicalData, width: int) -> list[tuple[tuple[Role, ...], dict[str, Any]]]:
    """Every role set of a minimal-width fiber (see the module doc), with a JSON-able description of its origin.

    Raises NotApplicableError when ``width`` is not the minimal width (k, k+1, or k+2 for scalar output) of f.
    """
    k, m = data.num_hyperplanes, data.output_dim
    H = data.hyperplanes
    if width == k:
        sets = valid_orientation_sets(data)
        if not sets:
            raise NotApplicableError(f"no orientation set makes A_R vanish, so no width-{k} network realises f")
        out = []
        for S_ in sets:
            roles = tuple(Role(j, a, t, -1 if j in S_ else 1, C) for j, (a, t, C) in enumerate(H))
            out.append((roles, {"case": "k", "orientation_set": sorted(j + 1 for j in S_)}))
        return out
    if width == k + 1 and k >= 1 and not valid_orientation_sets(data):
        out = pair_role_sets(data)
        if not out:
            raise NotApplicableError("internal: width k+1 without an admissible (j0, S)")  # pragma: no cover
        return out
    if width == k + 2 and not valid_orientation_sets(data) and not (k and pair_role_sets(data)):
        if m != 1:
            raise NotApplicableError("minimal width k+2 is established for scalar output only (docs/mathematics.md B4)")
        if k > 16:
            raise RegionLimitError(f"{k} hyperplanes: the subset searches have more than 2^16 cases")
        return _canceling_role_sets(data)
    raise NotApplicableError(
        f"width {width} is not the minimal width of f (k = {k} breakpoint hyperplanes): fibers of non-minimal "
        "shallow networks (extra dead, zero, duplicated or canceling neurons) are not enumerated")


class RoleBuilder:
    """Builds component systems, caching the expressions of each (neuron, role) pair."""

    def __init__(self, arch: tuple[int, ...], data: CanonicalData, roles_list: list[tuple[tuple[Role, ...], Any]]):
        self.arch = arch
        self.d, self.n, self.m = arch
        self.data = data
        self.syms = S.parameter_symbols(arch)
        self.lams = tuple(S.free_symbol(f"lambda_{i + 1}", positive=True) for i in range(self.n))
        self.tG = S.free_symbol("t_G")
        self.cache: dict[tuple[int, Role], tuple[Any, ...]] = {}

    def idx_w1(self, i: int, c: int) -> int:
        return i * self.d + c

    def idx_b1(self, i: int) -> int:
        return self.n * self.d + i

    def idx_w2(self, r: int, i: int) -> int:
        return self.n * (self.d + 1) + r * self.n + i

    def idx_b2(self, r: int) -> int:
        return self.n * (self.d + 1) + self.m * self.n + r

    def neuron(self, i: int, role: Role) -> tuple[Any, ...]:
        key = (i, role)
        if key in self.cache:
            return self.cache[key]
        d, m = self.d, self.m
        v = (*role.a, role.t)
        p = next(q for q, x in enumerate(role.a) if x)
        xs = [self.syms[self.idx_w1(i, c)] for c in range(d)] + [self.syms[self.idx_b1(i)]]
        xp = xs[p]
        top = d if role.free_offset else d + 1  # the offset of a free hyperplane is a free parameter t_G
        eqs = [xs[c] - S.to_sympy(v[c]) * xp for c in range(top) if c != p]
        eqs += [self.syms[self.idx_w2(r, i)] * xp - S.to_sympy(role.o * role.U[r]) for r in range(m)]
        strict = xp if role.o > 0 else -xp
        lam = self.lams[i]
        par = {xs[c]: role.o * S.to_sympy(v[c]) * lam for c in range(d + 1)}
        if role.free_offset:
            par[xs[d]] = role.o * lam * self.tG
        par.update({self.syms[self.idx_w2(r, i)]: S.to_sympy(role.U[r]) / lam for r in range(m)})
        pt = {self.idx_w1(i, c): role.o * v[c] for c in range(d)}
        pt[self.idx_b1(i)] = role.o * role.t
        pt.update({self.idx_w2(r, i): role.U[r] for r in range(m)})
        out = (tuple(eqs), strict, par, pt)
        self.cache[key] = out
        return out

    def component(self, roles: tuple[Role, ...], perm: tuple[int, ...], origin: dict[str, Any]) -> Component:
        """Neuron i plays role ``roles[perm[i]]``."""
        eqs: list[Any] = []
        strict: list[Any] = []
        par: dict[Any, Any] = {}
        point = [_ZERO] * len(self.syms)
        for i, rj in enumerate(perm):
            e, s, pa, pt = self.neuron(i, roles[rj])
            eqs += e
            strict.append(s)
            par.update(pa)
            for q, val in pt.items():
                point[q] = val
        b2 = list(self.data.constant)
        for role in roles:
            if role.o < 0 and not role.free_offset:
                b2 = [x + u * role.t for x, u in zip(b2, role.U)]
        free = [i for i, rj in enumerate(perm) if roles[rj].free_offset]
        if free:  # canceling pair on G: same offset t_G = b1_i / W1_i[p]; b2 = const + v t_G
            i_plus = next(i for i in free if roles[perm[i]].o > 0)
            i_minus = next(i for i in free if roles[perm[i]].o < 0)
            p = next(q for q, x in enumerate(roles[perm[i_plus]].a) if x)
            Wp, Wm = self.syms[self.idx_w1(i_plus, p)], self.syms[self.idx_w1(i_minus, p)]
            bp, bm = self.syms[self.idx_b1(i_plus)], self.syms[self.idx_b1(i_minus)]
            eqs.append(bp * Wm - bm * Wp)
            vneg = roles[perm[i_minus]].U
        for r in range(self.m):
            sym = self.syms[self.idx_b2(r)]
            if free:
                eqs.append(sym * Wp - S.to_sympy(b2[r]) * Wp - S.to_sympy(vneg[r]) * bp)
                par[sym] = S.to_sympy(b2[r]) + S.to_sympy(vneg[r]) * self.tG
            else:
                eqs.append(sym - S.to_sympy(b2[r]))
                par[sym] = S.to_sympy(b2[r])
            point[self.idx_b2(r)] = b2[r]
        origin = {**origin, "permutation": [roles[rj].j + 1 for rj in perm],
                  "orientations": [roles[rj].o for rj in perm]}
        if free:
            origin["canceling_pair"] = [i_plus + 1, i_minus + 1]
            return Component(self.arch, tuple(eqs), tuple(strict), (), self.n + 1, tuple(point), origin,
                             (*self.lams, self.tG), par, (), (), {self.tG: _ZERO})
        return Component(self.arch, tuple(eqs), tuple(strict), (), self.n, tuple(point), origin,
                         self.lams, par, (), ())
