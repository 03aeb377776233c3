"""Fibers of one-hidden-layer networks on the orthant or on a full-dimensional polyhedron (docs/mathematics.md §2.C).

The pieces K_S = {p_S} × V_S: visible neurons on the hyperplanes meeting the interior of the domain, linear neurons
(active on all of it) factoring the linear part A_S through GL_r.  See :func:`orthant_fiber` for the statement, the
covered cases and when the listing is ``complete``.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.engines import sympylib as S
from exactrelu.theory.equality.shallow import CanonicalData, canonical_data
from exactrelu.theory.fibers.base import Component, Fiber
from exactrelu.theory.fibers.deficient import deficient_component, deficient_mode, deficient_start
from exactrelu.theory.fibers.domains import Gens, domain_generators, is_orthant, linear_conditions, signs_on
from exactrelu.theory.fibers.roles import Role, RoleBuilder

__all__ = ["orthant_fiber"]

_ZERO = Fraction(0)


def _rref(M: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form (nonzero rows only) and pivot columns, exact (tiny matrices)."""
    A = [list(r) for r in M]
    rows, cols = len(A), len(A[0]) if A else 0
    piv: list[int] = []
    r = 0
    for c in range(cols):
        k = next((i for i in range(r, rows) if A[i][c] != 0), None)
        if k is None:
            continue
        A[r], A[k] = A[k], A[r]
        p = A[r][c]
        A[r] = [x / p for x in A[r]]
        for i in range(rows):
            if i != r and A[i][c] != 0:
                f = A[i][c]
                A[i] = [x - f * y for x, y in zip(A[i], A[r])]
        piv.append(c)
        r += 1
    return A[:r], piv


def _dot(u: list[Fraction], v: tuple[Fraction, ...]) -> Fraction:
    return sum((x * y for x, y in zip(u, v)), _ZERO)


def _det(G: list[list[Fraction]]) -> Fraction:
    A = [list(r) for r in G]
    n, det = len(A), Fraction(1)
    for c in range(n):
        k = next((i for i in range(c, n) if A[i][c] != 0), None)
        if k is None:
            return Fraction(0)
        if k != c:
            A[c], A[k] = A[k], A[c]
            det = -det
        det *= A[c][c]
        for i in range(c + 1, n):
            f = A[i][c] / A[c][c]
            A[i] = [x - f * y for x, y in zip(A[i], A[c])]
    return det


def _inverse(G: list[list[Fraction]]) -> list[list[Fraction]]:
    n = len(G)
    aug = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(G)]
    R, piv = _rref(aug)
    if piv[:n] != list(range(n)):
        raise ArithmeticError("singular matrix")  # pragma: no cover - callers pass invertible matrices
    return [row[n:] for row in R]


def _orthant_data(net: Network, gens: Gens) -> tuple[CanonicalData, list[int], list[int]]:
    """Canonical data of f restricted to the domain Ω: (K over the visible neurons with the linear neurons folded
    into A and β, visible neuron indices, linear neuron indices).  Raises NotApplicableError for non-minimal θ."""
    hid, out = net.layers
    d, n, m = net.architecture
    visible, linear = [], []
    for i in range(n):
        w, b = hid.weights[i], hid.biases[i]
        col = tuple(row[i] for row in out.weights)
        if not any(col):
            raise NotApplicableError(f"neuron {i + 1} has zero output weights (θ is not minimal on the domain)")
        if not any(w):
            raise NotApplicableError(f"neuron {i + 1} has zero input weights (a constant neuron; θ is not minimal)")
        neg, pos = signs_on(w, b, gens)
        if neg and pos:
            visible.append(i)
        elif pos:
            linear.append(i)
        else:
            raise NotApplicableError(f"neuron {i + 1} is dead on the domain (θ is not minimal there)")
    sub = Network.from_lists([([hid.weights[i] for i in visible] or [[_ZERO] * d],
                               [hid.biases[i] for i in visible] or [_ZERO]),
                              ([[row[i] for i in visible] or [_ZERO] for row in out.weights], out.biases)])
    data = canonical_data(sub)
    if data.num_hyperplanes != len(visible):
        raise NotApplicableError("two visible neurons share a hyperplane or cancel (θ is not minimal on the domain)")
    A = [list(r) for r in data.linear]
    beta = list(data.constant)
    for i in linear:
        for r in range(m):
            for c in range(d):
                A[r][c] += out.weights[r][i] * hid.weights[i][c]
            beta[r] += out.weights[r][i] * hid.biases[i]
    full = CanonicalData(data.hyperplanes, tuple(tuple(r) for r in A), tuple(beta), d, m)
    return full, visible, linear


def orthant_fiber(net: Network, domain: Any = "orthant") -> Fiber:
    """The pieces K_S = {p_S} × V_S of the fiber of a one-hidden-layer θ on the orthant Ω = R^d_{≥0}
    (docs/mathematics.md §2.C),
    or on any full-dimensional polyhedron Ω (``domain`` a :class:`~exactrelu.geometry.polyhedra.Polyhedron`, e.g. a
    ``Box``).

    On Ω, f = Σ_{j<k} C_j relu(a_j·x + t_j) + A x + β over the k hyperplanes meeting int Ω (canonical on Ω).  A piece
    is given by an orientation set S ⊆ [k], an injective assignment of k neurons to the visible roles (H_j, o_j, C_j)
    (o_j = -1 iff j ∈ S) and the remaining r = n - k neurons *linear*:

    * visible neurons: the equalities and orientation inequalities of :func:`shallow_fiber`;
    * linear neurons L, active on all of Ω: ``W1_ℓ·v + b1_ℓ >= 0`` at the vertices v of Ω, ``W1_ℓ·ρ >= 0`` on its
      rays, ``W1_ℓ·l = 0`` on its lines (for the orthant: ``W1_ℓ >= 0``, ``b1_ℓ >= 0``); ``W2_L W1_L = A_S`` with
      A_S = A + Σ_{j∈S} C_j a_j^T, and ``b2 + W2_L b1_L = β + Σ_{j∈S} C_j t_j``.

    Covered exactly when rank A_S = r for every S with V_S ≠ ∅ (Thm 6 cases 1–3 at generic θ): then W1_L = G B
    with B the reduced row basis of A_S and G ∈ GL_r (rows of G B in the recession cone of Ω; the biases can always
    be raised), so V_S ≠ ∅ iff B l = 0 on the lines and the cone {z : z·(B ρ) ≥ 0 on the rays} is full-dimensional
    (an exact LP; on the orthant the pointed-cone condition of Thm 6), and each piece has dimension k + r² + r
    (λ's, G, b1_L).  Each piece is split by the sign of det G (= det of W1_L on the pivot columns, which cannot
    vanish in the fiber) whenever both signs occur (r ≥ 2, or r = 1 on a domain without rays); for r ≤ 1 the
    pieces are connected, for r ≥ 2 their connectedness is not claimed.  θ must be minimal on Ω (no dead, zero,
    constant, duplicated or canceling neurons).  This describes the K_S part of the fiber (G3 Prop. 5, [P?]); the
    fiber is exactly this union when θ is generic and minimal.  Pieces of the same S differ by the labelling.

    Examples
    --------
    >>> from exactrelu import Network
    >>> net = Network.from_lists([([[1, -1], [1, 1]], [0, 1]), ([[1, 2]], [0])])   # relu(x1-x2) + 2(x1+x2+1)
    >>> F = orthant_fiber(net)
    >>> len(F.components), {c.dimension for c in F.components}, F.contains(net)
    (4, {3}, True)
    """
    from exactrelu.geometry.polyhedra import Polyhedron

    if net.depth != 1:
        raise NotApplicableError(f"fibers on a domain need one hidden layer, the network has {net.depth}")
    d, n, m = net.architecture
    orth = domain is None or is_orthant(domain, d)
    gens = domain_generators(domain, d)
    verts, rays, lines = gens
    data, visible, linear = _orthant_data(net, gens)
    k, r = data.num_hyperplanes, n - len(visible)
    H = data.hyperplanes
    arch = net.architecture
    syms = S.parameter_symbols(arch)
    lams = tuple(S.free_symbol(f"lambda_{i + 1}", positive=True) for i in range(n))
    builder = RoleBuilder(arch, data, [])
    comps: list[Component] = []
    n_sets = 0
    gap: tuple[int, tuple[int, ...]] | None = None
    deficient: list[list[int]] = []
    for size in range(k + 1):
        for Ssub in itertools.combinations(range(k), size):
            A_S = [list(row) for row in data.linear]
            beta_S = list(data.constant)
            for j in Ssub:
                a, t, C = H[j]
                for rr in range(m):
                    for c in range(d):
                        A_S[rr][c] += C[rr] * a[c]
                    beta_S[rr] += C[rr] * t
            B, piv = _rref(A_S)
            if len(B) > r:
                continue  # rank A_S > r: no factorisation through r neurons
            mode = deficient_mode(len(B), r, m, d)
            if len(B) < r and mode is None:
                raise NotApplicableError(
                    f"rank A_S = {len(B)} < r = {r} linear neurons for S = {sorted(j + 1 for j in Ssub)}, and "
                    f"neither m = {m} nor d = {d} equals that rank: this degenerate V_S (neither factor of "
                    "W2_L W1_L = A_S has forced full rank) is not described here")
            if len(B) < r:
                deficient.append(sorted(j + 1 for j in Ssub))
            if gap is None:  # an opposite pair on H_j can replace a linear neuron iff a_j is in the row space of A_S
                gap = next(((j, Ssub) for j in range(k)
                            if j not in Ssub and len(_rref([*B, list(H[j][0])])[0]) == len(B)), None)
            if mode is not None:
                if any(any(_dot(row, line) for row in B) for line in lines):
                    continue  # A_S l ≠ 0 on a line of Ω: no linear neuron block realises it
                n_sets += 1
                start = deficient_start(B, mode, r, d, gens)
                roles = tuple(Role(j, a, t, -1 if j in Ssub else 1, C) for j, (a, t, C) in enumerate(H))
                V0 = [[A_S[rr][c] for c in piv] for rr in range(m)]
                flip = sorted(j + 1 for j in Ssub) != _theta_orthant_S(net, data, visible)
                for vis in itertools.permutations(range(n), k):
                    lin = [i for i in range(n) if i not in vis]
                    comps.append(deficient_component(
                        builder, gens, lams, roles, vis, lin, B, V0, beta_S, mode, start,
                        {"case": "orthant", "orientation_set": sorted(j + 1 for j in Ssub),
                         "visible_neurons": [i + 1 for i in vis], "linear_neurons": [i + 1 for i in lin],
                         "det_sign": None,
                         "hidden_symmetry": (f"rank-{len(B)} factorisation through {r} linear neurons (V_S, "
                                             "docs/mathematics.md §2.C, Thm 6 case 4)")
                         + ("; orientation change S (docs/mathematics.md §2.C)" if flip else "")}))
                continue
            G0: list[list[Fraction]] = []
            cols: list[tuple[Fraction, ...]] = []
            if r:
                # rows of W1_L = G B must satisfy (G B)_i . rho >= 0 on rays, = 0 on lines; the biases can always
                # be raised to make them nonnegative at the vertices.  So V_S ≠ ∅ iff B l = 0 for the lines and
                # the cone {z : z . (B rho) >= 0} is full-dimensional.
                proj = lambda g: tuple(sum((B[i][c] * g[c] for c in range(d)), _ZERO) for i in range(r))  # noqa
                if any(any(proj(line)) for line in lines):
                    continue
                cols = [col for col in (proj(ray) for ray in rays) if any(col)]
                if cols:
                    z = Polyhedron([[Fraction(-1), *col] for col in cols]).interior_point()
                    if z is None:
                        continue  # the cone is not full-dimensional: V_S is empty
                    bound = 1 + max(sum(abs(v) for v in col) for col in cols)
                    eps = Fraction(1, bound)
                    while eps + sum(z) == 0:
                        eps /= 2
                    G0 = [[z[q] + (eps if q == i else 0) for q in range(r)] for i in range(r)]
                else:
                    G0 = [[Fraction(int(q == i)) for q in range(r)] for i in range(r)]
            n_sets += 1
            roles = tuple(Role(j, a, t, -1 if j in Ssub else 1, C) for j, (a, t, C) in enumerate(H))
            V0 = [[A_S[rr][c] for c in piv] for rr in range(m)]  # A_S = V0 B
            gs = [[S.free_symbol(f"g_{i + 1}_{q + 1}") for q in range(r)] for i in range(r)]
            cs = [S.free_symbol(f"c_{i + 1}") for i in range(r)]
            Gm = sp.Matrix(gs) if r else None
            Ginv = Gm.inv() if r else None
            for vis in itertools.permutations(range(n), k):
                lin = [i for i in range(n) if i not in vis]
                split = r >= 2 or (r == 1 and not cols)  # both signs of det G occur (else a half-line)
                signs = (1, -1) if split else (1,)
                for sgn in signs:
                    G = [row[:] for row in G0]
                    if split and (_det(G) > 0) != (sgn > 0):
                        if r >= 2:
                            G[0], G[1] = G[1], G[0]
                        else:
                            G[0][0] = -G[0][0]
                    comps.append(_orthant_component(
                        builder, gens, syms, lams, roles, vis, lin, B, piv, V0, beta_S, gs, cs, Gm, Ginv, G, sgn,
                        {"case": "orthant", "orientation_set": sorted(j + 1 for j in Ssub),
                         "visible_neurons": [i + 1 for i in vis], "linear_neurons": [i + 1 for i in lin],
                         "det_sign": sgn if split else None,
                         "hidden_symmetry": (f"GL_{r} on the linear block (V_S, docs/mathematics.md §2.C)" if r
                                             else "none")
                         + ("" if sorted(j + 1 for j in Ssub) == _theta_orthant_S(net, data, visible)
                            else "; orientation change S (docs/mathematics.md §2.C)")}))
    if not comps:
        raise NotApplicableError("internal: θ itself is not in any K_S piece")  # pragma: no cover
    dim = max(c.dimension for c in comps)
    where = f"the orthant R^{d}_{{>=0}}" if orth else f"the polyhedron {domain!r}"
    notes = (f"one hidden layer on {where}: k = {k} visible hyperplanes, r = {r} linear neurons, "
             f"{n_sets} orientation set(s) S with V_S non-empty; pieces K_S = {{p_S}} x V_S "
             "(docs/mathematics.md §2.C, G3 "
             "Prop. 5 [P?]) of dimension k + r^2 + r when rank A_S = r; exact for the visible+linear part, which is "
             "the whole fiber for generic minimal θ",)
    if deficient:
        notes += (f"rank A_S < r for S in {deficient}: the linear block factors a rank-deficient A_S (Thm 6 case 4 "
                  "when r = m + 1 <= d), pieces of dimension k + rank*r + (r - rank)*(d or m) + r; NOT complete: "
                  "with rank A_S <= r - 1 one linear neuron can be replaced by a dead or zero neuron (or a canceling "
                  "pair), those parameters are not listed, and contains() decides points outside the listed pieces "
                  "by an exact equivalence test",)
    elif gap is None:
        notes += ("complete: every S has rank A_S >= r and no visible normal a_j lies in the row space of an A_S "
                  "with j not in S, so no opposite pair, canceling pair, dead or zero neuron can replace a linear "
                  "neuron (docs/mathematics.md §2.C)",)
    if gap is not None:
        j, Sg = gap
        notes += (f"NOT complete: a_{j + 1} lies in the row space of A_S for S = {sorted(q + 1 for q in Sg)}, so two "
                  f"neurons of opposite orientations on H_{j + 1} can replace a linear neuron; those parameters are "
                  "not listed, and contains() decides points outside the listed pieces by an exact equivalence "
                  "test",)
    return Fiber(net, "orthant" if orth else "polyhedral", dim, tuple(comps), None,
                 "orthant" if orth else domain, notes, complete=gap is None and not deficient)


def _theta_orthant_S(net: Network, data: CanonicalData, visible: list[int]) -> list[int]:
    hid = net.layers[0]
    index = {(a, t): j for j, (a, t, _C) in enumerate(data.hyperplanes)}
    out = []
    for i in visible:
        w, b = hid.weights[i], hid.biases[i]
        p = next(q for q, x in enumerate(w) if x)
        lam = abs(w[p])
        o = 1 if w[p] > 0 else -1
        j = index.get((tuple(x / (o * lam) for x in w), b / (o * lam)))
        if j is not None and o < 0:
            out.append(j + 1)
    return sorted(out)


def _orthant_component(b: RoleBuilder, gens: Gens, syms: tuple[Any, ...], lams: tuple[Any, ...],
                       roles: tuple[Role, ...], vis: tuple[int, ...], lin: list[int], B: list[list[Fraction]],
                       piv: list[int],
                       V0: list[list[Fraction]], beta_S: list[Fraction], gs: list[list[Any]], cs: list[Any],
                       Gm: Any, Ginv: Any, G: list[list[Fraction]], sgn: int, origin: dict[str, Any]) -> Component:
    d, n, m = b.arch
    r = len(lin)
    eqs: list[Any] = []
    strict: list[Any] = []
    nonstrict: list[Any] = []
    par: dict[Any, Any] = {}
    point = [_ZERO] * len(syms)
    for i, role in zip(vis, roles):
        e, s, pa, pt = b.neuron(i, role)
        eqs += e
        strict.append(s)
        par.update(pa)
        for q, val in pt.items():
            point[q] = val
    # linear block: W1_L = G B, b1_L = c, W2_L = V0 G^{-1}, b2 = beta_S - W2_L c
    W1L = [[syms[b.idx_w1(i, c)] for c in range(d)] for i in lin]
    b1L = [syms[b.idx_b1(i)] for i in lin]
    W2L = [[syms[b.idx_w2(rr, i)] for i in lin] for rr in range(m)]
    for rr in range(m):
        for c in range(d):
            prod = sum((W2L[rr][q] * W1L[q][c] for q in range(r)), sp.Integer(0))
            eqs.append(prod - S.to_sympy(sum((V0[rr][q] * B[q][c] for q in range(r)), _ZERO)))
    for rr in range(m):
        eqs.append(syms[b.idx_b2(rr)] + sum((W2L[rr][q] * b1L[q] for q in range(r)), sp.Integer(0))
                   - S.to_sympy(beta_S[rr]))
    for i in lin:
        line_eqs, conds = linear_conditions(b.arch, i, gens)
        eqs += line_eqs
        nonstrict += conds
    if origin.get("det_sign"):
        strict.append(sgn * sp.Matrix([[W1L[q][c] for c in piv] for q in range(r)]).det())
    # parametrisation
    free_strict: list[Any] = []
    free_nonstrict: list[Any] = []
    free_point: dict[Any, Fraction] = {}
    if r:
        GB = Gm * sp.Matrix([[S.to_sympy(v) for v in row] for row in B])
        W2p = sp.Matrix([[S.to_sympy(v) for v in row] for row in V0]) * Ginv
        for q in range(r):
            for c in range(d):
                par[W1L[q][c]] = GB[q, c]
            par[b1L[q]] = cs[q]
            for rr in range(m):
                par[W2L[rr][q]] = sp.cancel(W2p[rr, q])
        verts, rays, _lines = gens
        for q in range(r):
            row = [GB[q, c] for c in range(d)]
            vals = [sp.Add(*[S.to_sympy(x) * y for x, y in zip(v, row)]) + cs[q] for v in verts]
            vals += [sp.Add(*[S.to_sympy(x) * y for x, y in zip(ray, row)]) for ray in rays]
            free_nonstrict += [e for e in vals if e != 0]
        if origin.get("det_sign"):
            free_strict.append(sgn * Gm.det())
        else:
            free_strict.append(Gm.det() ** 2)
        W1v = [[sum((G[q][t] * B[t][c] for t in range(r)), _ZERO) for c in range(d)] for q in range(r)]
        c0 = [1 + max(-sum((x * y for x, y in zip(v, W1v[q])), _ZERO) for v in verts) for q in range(r)]
        for q in range(r):
            for qq in range(r):
                free_point[gs[q][qq]] = G[q][qq]
            free_point[cs[q]] = c0[q]
        Gi = _inverse(G)
        W2v = [[sum((V0[rr][t] * Gi[t][q] for t in range(r)), _ZERO) for q in range(r)] for rr in range(m)]
        for q, i in enumerate(lin):
            for c in range(d):
                point[b.idx_w1(i, c)] = W1v[q][c]
            point[b.idx_b1(i)] = c0[q]
            for rr in range(m):
                point[b.idx_w2(rr, i)] = W2v[rr][q]
    for rr in range(m):
        b2expr = S.to_sympy(beta_S[rr]) - sum((par[W2L[rr][q]] * cs[q] for q in range(r)), sp.Integer(0))
        par[syms[b.idx_b2(rr)]] = sp.cancel(b2expr)
        point[b.idx_b2(rr)] = beta_S[rr] - sum((point[b.idx_w2(rr, i)] * point[b.idx_b1(i)] for i in lin), _ZERO)
    free = tuple(lams[i] for i in vis) + tuple(g for row in gs for g in row) + tuple(cs)
    origin = {**origin, "permutation": [roles[q].j + 1 for q in range(len(vis))],
              "orientations": [roles[q].o for q in range(len(vis))]}
    return Component(b.arch, tuple(eqs), tuple(strict), tuple(nonstrict), len(vis) + r * r + r, tuple(point),
                     origin, free, par, tuple(free_strict), tuple(free_nonstrict), free_point)
