"""Rank-deficient linear blocks of one-hidden-layer fibers on a domain (docs/mathematics.md §2.C, Thm 6 case 4).

On a domain Ω the r linear neurons of a piece K_S = {p_S} × V_S factor the compensation A_S (m × d, rank ρ) as
W2_L W1_L = A_S with the rows of W1_L in the dual of the recession cone of Ω.  :mod:`exactrelu.theory.fibers.orthant`
treats ρ = r (Thm 6 cases 1-3); this module treats ρ < r when one factor is forced to have full rank:

* ``"rows"``: ρ = m < r (Thm 6 case 4 is r = m + 1 <= d).  W2_L has rank m, and every solution is
  W1_L = M [B; Z],  W2_L = [V0 | 0] M^{-1}  with M ∈ GL_r, Z ∈ Q^{(r-m) x d} free, A_S = V0 B (B the reduced row
  basis).  Dimension of V_S: m r + (r - m) d + r (with the biases), i.e. m² + m + d modulo the r scalings when
  r = m + 1 — the count of Thm 6 case 4.
* ``"cols"``: ρ = d < m, d < r.  W1_L has rank d, and every solution is W1_L = M [I_d; 0],  W2_L = [A_S | Y] M^{-1}
  with Y ∈ Q^{m x (r-d)} free; dimension d r + (r - d) m + r.

V_S is non-empty iff B l = 0 for the lines l of Ω (and Ω has no lines in case ``"cols"``): rows b_i + s z0 with z0
in the interior of the dual cone and s large, plus rows z0, give a point (the proof is in docs/mathematics.md §2.C).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import NotApplicableError
from exactrelu.engines import sympylib as S
from exactrelu.theory.fibers.base import Component
from exactrelu.theory.fibers.domains import Gens, linear_conditions
from exactrelu.theory.fibers.roles import Role, RoleBuilder

__all__ = ["deficient_mode", "deficient_start", "deficient_component", "deficient_dimension"]

_ZERO = Fraction(0)
Mat = list[list[Fraction]]


def _dot(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction:
    return sum((x * y for x, y in zip(u, v)), _ZERO)


def deficient_mode(rho: int, r: int, m: int, d: int) -> str | None:
    """``"rows"`` (ρ = m < r), ``"cols"`` (ρ = d < min(m, r)) or None (not covered, or not deficient)."""
    if rho >= r:
        return None
    if rho == m:
        return "rows"
    if rho == d:
        return "cols"
    return None


def deficient_dimension(k: int, rho: int, r: int, m: int, d: int, mode: str) -> int:
    """k scalings + dim V_S: ρ r + (r - ρ) (d for ``"rows"``, m for ``"cols"``) + r biases."""
    return k + rho * r + (r - rho) * (d if mode == "rows" else m) + r


def _interior_dual(gens: Gens, d: int) -> list[Fraction]:
    """z0 with z0·ρ >= 1 on every ray and z0·l = 0 on every line of Ω (0 when Ω has no rays)."""
    from exactrelu.geometry.polyhedra import Polyhedron

    _verts, rays, lines = gens
    if not rays:
        return [_ZERO] * d
    z = Polyhedron([[Fraction(-1), *ray] for ray in rays], [[_ZERO, *line] for line in lines],
                   ambient_dim=d).interior_point()
    if z is None:  # pragma: no cover - the generators of a polyhedron span a cone pointed modulo its lines
        raise NotApplicableError("the recession cone of the domain is not pointed modulo its lines")
    return list(z)


def deficient_start(B: Mat, mode: str, r: int, d: int, gens: Gens) -> tuple[Mat, Mat]:
    """A start point ``(M0, Z0)`` of the parametrisation whose W1_L rows lie in the dual of the recession cone
    (the caller has checked B l = 0 on the lines).  ``Z0`` is the (r-m) x d block (``"rows"``) or the m x (r-d)
    block (``"cols"``, zero)."""
    _verts, rays, _lines = gens
    rho = len(B)
    z0 = _interior_dual(gens, d)
    eye = [[Fraction(int(i == q)) for q in range(r)] for i in range(r)]
    if mode == "rows":
        s = Fraction(0)
        for row in B:
            for ray in rays:
                need = -_dot(row, ray) / _dot(z0, ray)
                s = max(s, Fraction(-(-need.numerator // need.denominator)))
        M0 = [row[:] for row in eye]
        for i in range(rho):
            M0[i][rho] = s          # W1_L row i = b_i + s z0, rows rho.. = z0
        return M0, [list(z0) for _ in range(r - rho)]
    # "cols": B = I_d; the first d rows of W1_L are z0 + eps e_i (independent, in the dual cone), the others z0
    eps = Fraction(1, 1 + sum(abs(v) for v in z0)) if any(z0) else Fraction(1)
    while eps + sum(z0) == 0:  # det(eps I + 1 z0^T) = eps^(d-1) (eps + sum z0)
        eps /= 2
    M0 = [row[:] for row in eye]
    for i in range(r):
        for q in range(d):
            M0[i][q] = z0[q] + (eps if (i == q) else 0)
    if not any(z0):
        M0 = [row[:] for row in eye]
    return M0, []


def deficient_component(b: RoleBuilder, gens: Gens, lams: tuple[Any, ...], roles: tuple[Role, ...],
                        vis: tuple[int, ...], lin: list[int], B: Mat, V0: Mat, beta_S: list[Fraction], mode: str,
                        start: tuple[Mat, Mat], origin: dict[str, Any]) -> Component:
    """The piece K_S for one labelling: visible neurons ``vis`` on ``roles``, linear neurons ``lin`` with the
    rank-deficient block of the module doc (system, parametrisation, a rational point)."""
    d, n, m = b.arch
    r, rho = len(lin), len(B)
    syms = b.syms
    eqs: list[Any] = []
    strict: list[Any] = []
    nonstrict: list[Any] = []
    par: dict[Any, Any] = {}
    point = [_ZERO] * len(syms)
    for i, role in zip(vis, roles):
        e, s_, pa, pt = b.neuron(i, role)
        eqs += e
        strict.append(s_)
        par.update(pa)
        for q, val in pt.items():
            point[q] = val
    W1L = [[syms[b.idx_w1(i, c)] for c in range(d)] for i in lin]
    b1L = [syms[b.idx_b1(i)] for i in lin]
    W2L = [[syms[b.idx_w2(rr, i)] for i in lin] for rr in range(m)]
    for rr in range(m):
        for c in range(d):
            prod = sp.Add(*[W2L[rr][q] * W1L[q][c] for q in range(r)])
            eqs.append(prod - S.to_sympy(sum((V0[rr][q] * B[q][c] for q in range(rho)), _ZERO)))
    for rr in range(m):
        eqs.append(syms[b.idx_b2(rr)] + sp.Add(*[W2L[rr][q] * b1L[q] for q in range(r)]) - S.to_sympy(beta_S[rr]))
    for i in lin:
        line_eqs, conds = linear_conditions(b.arch, i, gens)
        eqs += line_eqs
        nonstrict += conds
    # parametrisation W1_L = M [B; Z], W2_L = [V0 | 0] M^{-1}  ("rows")  or  M [I; 0], [V0 | Y] M^{-1}  ("cols")
    gs = [[S.free_symbol(f"g_{i + 1}_{q + 1}") for q in range(r)] for i in range(r)]
    cs = [S.free_symbol(f"c_{i + 1}") for i in range(r)]
    Mm = sp.Matrix(gs)
    det = Mm.det()
    Minv = Mm.adjugate() / det
    Bs = [[S.to_sympy(v) for v in row] for row in B]
    if mode == "rows":
        zs = [[S.free_symbol(f"z_{i + 1}_{c + 1}") for c in range(d)] for i in range(r - rho)]
        low = sp.Matrix(Bs + zs)
        left = sp.Matrix([[S.to_sympy(v) for v in row] + [sp.Integer(0)] * (r - rho) for row in V0])
        extra = [z for row in zs for z in row]
    else:
        zs = [[S.free_symbol(f"y_{rr + 1}_{q + 1}") for q in range(r - rho)] for rr in range(m)]
        low = sp.Matrix(Bs + [[sp.Integer(0)] * d for _ in range(r - rho)])
        left = sp.Matrix([[S.to_sympy(v) for v in row] + zs[rr] for rr, row in enumerate(V0)])
        extra = [z for row in zs for z in row]
    W1p = Mm * low
    W2p = left * Minv
    for q in range(r):
        for c in range(d):
            par[W1L[q][c]] = sp.expand(W1p[q, c])
        par[b1L[q]] = cs[q]
        for rr in range(m):
            par[W2L[rr][q]] = sp.cancel(W2p[rr, q])
    verts, rays, _lines = gens
    free_nonstrict: list[Any] = []
    for q in range(r):
        row = [W1p[q, c] for c in range(d)]
        vals = [sp.expand(sp.Add(*[S.to_sympy(x) * y for x, y in zip(v, row)]) + cs[q]) for v in verts]
        vals += [sp.expand(sp.Add(*[S.to_sympy(x) * y for x, y in zip(ray, row)])) for ray in rays]
        free_nonstrict += [e for e in vals if e != 0]
    # the start point
    M0, Z0 = start
    low0 = [*B, *Z0] if mode == "rows" else [*[[Fraction(int(i == c)) for c in range(d)] for i in range(d)],
                                             *[[_ZERO] * d for _ in range(r - d)]]
    W1v = [[_dot(M0[q], [low0[t][c] for t in range(r)]) for c in range(d)] for q in range(r)]
    Mi = _inverse(M0)
    leftv = [list(row) + [_ZERO] * (r - rho) for row in V0]
    W2v = [[_dot(leftv[rr], [Mi[t][q] for t in range(r)]) for q in range(r)] for rr in range(m)]
    c0 = [1 + max(-_dot(v, W1v[q]) for v in verts) if verts else Fraction(1) for q in range(r)]
    c0 = [max(c, Fraction(0)) for c in c0]
    free_point: dict[Any, Fraction] = {}
    for q in range(r):
        for t in range(r):
            free_point[gs[q][t]] = M0[q][t]
        free_point[cs[q]] = c0[q]
    for sym in extra:
        free_point[sym] = _ZERO
    if mode == "rows":
        for i, row in enumerate(zs):
            for c, z in enumerate(row):
                free_point[z] = Z0[i][c]
    for q, i in enumerate(lin):
        for c in range(d):
            point[b.idx_w1(i, c)] = W1v[q][c]
        point[b.idx_b1(i)] = c0[q]
        for rr in range(m):
            point[b.idx_w2(rr, i)] = W2v[rr][q]
    for rr in range(m):
        par[syms[b.idx_b2(rr)]] = sp.cancel(S.to_sympy(beta_S[rr]) - sp.Add(*[par[W2L[rr][q]] * cs[q]
                                                                            for q in range(r)]))
        point[b.idx_b2(rr)] = beta_S[rr] - sum((point[b.idx_w2(rr, i)] * point[b.idx_b1(i)] for i in lin), _ZERO)
    free = tuple(lams[i] for i in vis) + tuple(g for row in gs for g in row) + tuple(extra) + tuple(cs)
    origin = {**origin, "permutation": [roles[q].j + 1 for q in range(len(vis))],
              "orientations": [roles[q].o for q in range(len(vis))], "linear_block": mode, "rank_A_S": rho}
    dim = deficient_dimension(len(vis), rho, r, m, d, mode)
    return Component(b.arch, tuple(eqs), tuple(strict), tuple(nonstrict), dim, tuple(point), origin, free, par,
                     (det ** 2,), tuple(free_nonstrict), free_point)


def _inverse(G: Mat) -> Mat:
    n = len(G)
    A = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(G)]
    for c in range(n):
        p = next(i for i in range(c, n) if A[i][c] != 0)
        A[c], A[p] = A[p], A[c]
        piv = A[c][c]
        A[c] = [x / piv for x in A[c]]
        for i in range(n):
            if i != c and A[i][c] != 0:
                f = A[i][c]
                A[i] = [x - f * y for x, y in zip(A[i], A[c])]
    return [row[n:] for row in A]
