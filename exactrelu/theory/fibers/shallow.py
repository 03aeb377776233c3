"""Fibers of one-hidden-layer networks: on R^d (MATH.md B2/B3/B4) and on the orthant (MATH.md §2.C).

**On R^d.**  Let ``K(f) = ({(a_j, t_j, C_j)}_{j<k}, A_R, β)`` be the canonical data of f = f_θ
(:func:`exactrelu.theory.equality.shallow.canonical_data`).  A network η of width n realises f iff K(f_η) = K(f)
(MATH.md B2).
A *role* is a triple (hyperplane H_j, orientation o ∈ {±1}, output jump U ∈ Q^m); a neuron i playing it is

    (W1_i, b1_i) = o λ_i (a_j, t_j),   W2_{·,i} = U / λ_i,   λ_i > 0,

and contributes U relu(o (a_j·x + t_j)).  The output bias is then forced: b2 = β + Σ_{roles with o = -1} U t_j.

* width n = k (minimal; MATH.md B3): the roles are (H_j, o_j, C_j) with o_j = -1 iff j ∈ S, for each *valid
  orientation set* S (A_R + Σ_{j∈S} C_j a_j^T = 0).  Every η in S(θ) has one neuron per hyperplane, with W1_i ≠ 0
  and W2_i ≠ 0, so S(θ) = ⊔_S ⊔_π {neurons permuted by π onto the roles of S}: **(#valid S)·n! components**, each
  the H_n-orbit piece {λ ∈ R_{>0}^n} of dimension n.
* width n = k+1 with no valid S (MATH.md B4 case 2): one hyperplane H_{j0} carries two neurons of opposite
  orientations with jumps u (o = +1) and v (o = -1), u + v = C_{j0}; for S ⊆ [k]∖{j0} the linear part forces
  A_R + Σ_{j∈S} C_j a_j^T = -v a_{j0}^T (v ≠ 0 and u ≠ 0 hold automatically because no valid S exists).  Each
  admissible (j0, S) gives n! components of dimension n (the canceling-pair / "linear term" hidden symmetry).
* width n = k+2, scalar output, when neither k nor k+1 neurons suffice (MATH.md B4 case 3), two kinds of role sets:
  a *canceling pair* on a free hyperplane G (a_G ∝ r_S = A_R + Σ_{j∈S} C_j a_j^T, jumps u = -v with
  v a_G^T = -r_S, offset t_G a free parameter; any S), giving n! components of dimension n+1 each; and two
  opposite pairs on hyperplanes H_{j0}, H_{j1} with independent normals (r_S + v0 a_{j0}^T + v1 a_{j1}^T = 0),
  n! components of dimension n each.  (G is never parallel to an H_j and the jumps never vanish, otherwise k+1
  neurons would suffice, so these pieces are again open and closed in S(θ).)  In ``origin["permutation"]`` the
  free hyperplane is numbered 0 and ``origin["canceling_pair"]`` names its two neurons.
* width n = k+1 when k neurons suffice (θ carries one neuron too many: a zero, dead or constant neuron, or two
  neurons splitting one jump).  Every η in S(θ) then has k genuine neurons oriented by a valid S plus an extra
  neuron e that is *zero* (W2_e = 0, (W1_e, b1_e) free), *dead* (W1_e = 0, b1_e ≤ 0, W2_e free) or *constant*
  (W1_e = 0, b1_e > 0, b2 absorbs W2_e b1_e), or two neurons on one H_j with the orientation of S splitting C_j —
  or it is an opposite-pair network of case k+1 (its jumps u, v ≠ 0).  For each valid S these pieces form **one
  connected component** (the extra neuron moves freely while W2_e = 0, and a split duplicate trades the roles of two
  neurons, so all labellings are joined), of dimension k + 1 + max(d, m), given as a union (``Component.pieces``);
  the opposite-pair pieces are n! components of dimension n each, open and closed as before.  Different S stay
  apart: the orientation of a genuine neuron cannot change inside the fiber.
* any other width (two or more extra neurons) is **not enumerated** (:class:`~exactrelu.core.errors.NotApplicableError`;
  :func:`exactrelu.theory.fibers.fiber.fiber` falls back to the local description).

The system of a component (neuron i on role (j, o, U), pivot p = the first nonzero coordinate of a_j, v = (a_j, t_j)):

* equalities ``x_c - v_c x_p = 0`` for the other coordinates x_c of (W1_i, b1_i) (the row is proportional to v),
  ``W2_{r,i} x_p - o U_r = 0`` (output weight times scale), ``b2_r - (β + Σ U t)_r = 0``;
* strict inequalities ``o x_p > 0`` (the orientation).

Its parametrisation is the displayed role formula with free symbols ``lambda_1..lambda_n > 0`` (and ``t_G`` for a
canceling pair on a free hyperplane: then the rows of the pair are proportional to a_G only, their offsets agree,
``b1_+ W1_-[p] - b1_- W1_+[p] = 0``, and ``b2 W1_+[p] - (β + Σ U t) W1_+[p] - v b1_+ = 0``).

Examples
--------
>>> from exactrelu import examples
>>> F = shallow_fiber(examples.three_kinks())              # MATH.md §7 row 8
>>> len(F.components), F.dimension
(18, 3)
>>> len(shallow_fiber(examples.relu_plus_identity()).components)    # §7 row 9
2
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.core.network import Network
from exactrelu.engines import sympylib as S
from exactrelu.theory.equality.shallow import CanonicalData, canonical_data, valid_orientation_sets
from exactrelu.theory.fibers.fiber import Component, Fiber

__all__ = ["shallow_fiber", "orthant_fiber", "region_data", "Role", "roles_of", "MAX_COMPONENTS"]

#: Refuse to build more components than this (n! grows fast: 8! = 40320).
MAX_COMPONENTS = 50_000

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


def _residual(data: CanonicalData, Ssub: Sequence[int]) -> list[Fraction]:
    """``A_R + sum_{j in S} C_j a_j^T``, flattened row-major (m x d)."""
    d, m = data.input_dim, data.output_dim
    M = [v for row in data.linear for v in row]
    for j in Ssub:
        a, _t, C = data.hyperplanes[j]
        for rr in range(m):
            for q in range(d):
                M[rr * d + q] += C[rr] * a[q]
    return M


def _singles(data: CanonicalData, Ssub: Sequence[int], skip: Sequence[int] = ()) -> tuple[Role, ...]:
    return tuple(Role(j, a, t, -1 if j in Ssub else 1, C) for j, (a, t, C) in enumerate(data.hyperplanes)
                 if j not in skip)


def _strs(v: Sequence[Fraction]) -> list[str]:
    return [str(x) for x in v]


def _pair_role_sets(data: CanonicalData) -> list[tuple[tuple[Role, ...], dict[str, Any]]]:
    """MATH.md B4 case 2: two opposite neurons on H_{j0}, for every admissible (j0, S)."""
    k, d, m = data.num_hyperplanes, data.input_dim, data.output_dim
    if k > 20:
        raise RegionLimitError(f"{k} hyperplanes: the (j0, S) search has k 2^(k-1) > 10^7 cases")
    out = []
    for j0 in range(k):
        others = [j for j in range(k) if j != j0]
        a0, t0, C0 = data.hyperplanes[j0]
        for r in range(len(others) + 1):
            for Ssub in itertools.combinations(others, r):
                w = _rank1_factor(_residual(data, Ssub), a0, m, d)
                if w is None:
                    continue
                v = tuple(-x for x in w)  # r_S + v a0^T = 0
                u = tuple(c - x for c, x in zip(C0, v))
                roles = _singles(data, Ssub, (j0,)) + (Role(j0, a0, t0, 1, u), Role(j0, a0, t0, -1, v))
                out.append((roles, {"case": "k+1", "pair_hyperplane": j0 + 1,
                                    "orientation_set": sorted(j + 1 for j in Ssub),
                                    "pair_jumps": {"plus": _strs(u), "minus": _strs(v)}}))
    return out


def _canceling_role_sets(data: CanonicalData) -> list[tuple[tuple[Role, ...], dict[str, Any]]]:
    """MATH.md B4 case 3 (scalar output, neither k nor k+1 neurons suffice), width k+2.  Two kinds of role sets:

    * a canceling pair on a free hyperplane G: a_G ∝ r_S = A_R + Σ_S C_j a_j^T (any S; r_S ≠ 0 as no S is valid),
      jumps u = -v, v a_G^T = -r_S, offset t_G free (G is never parallel to an H_j, else k+1 neurons would do);
    * two opposite pairs on H_{j0}, H_{j1} with independent normals: r_S + v0 a_{j0}^T + v1 a_{j1}^T = 0.
    """
    k, d = data.num_hyperplanes, data.input_dim
    H = data.hyperplanes
    out = []
    for r in range(k + 1):
        for Ssub in itertools.combinations(range(k), r):
            M = _residual(data, Ssub)
            p = next(q for q, x in enumerate(M) if x)
            aG = tuple(x / M[p] for x in M)
            v = (-M[p],)
            u = (M[p],)
            roles = _singles(data, Ssub) + (Role(-1, aG, _ZERO, 1, u, True), Role(-1, aG, _ZERO, -1, v, True))
            out.append((roles, {"case": "k+2", "kind": "canceling pair on a free hyperplane",
                                "orientation_set": sorted(j + 1 for j in Ssub), "free_hyperplane_normal": _strs(aG),
                                "pair_jumps": {"plus": _strs(u), "minus": _strs(v)}}))
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
                M = _residual(data, Ssub)
                v0 = (-M[x] * a1[y] + M[y] * a1[x]) / det  # solve v0 a0 + v1 a1 = -M on columns x, y
                v1 = (-M[y] * a0[x] + M[x] * a0[y]) / det
                if any(M[q] + v0 * a0[q] + v1 * a1[q] != 0 for q in range(d)):
                    continue
                u0, u1 = C0[0] - v0, C1[0] - v1
                roles = _singles(data, Ssub, (j0, j1)) + (Role(j0, a0, t0, 1, (u0,)), Role(j0, a0, t0, -1, (v0,)),
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
        out = _pair_role_sets(data)
        if not out:
            raise NotApplicableError("internal: width k+1 without an admissible (j0, S)")  # pragma: no cover
        return out
    if width == k + 2 and not valid_orientation_sets(data) and not (k and _pair_role_sets(data)):
        if m != 1:
            raise NotApplicableError("minimal width k+2 is established for scalar output only (MATH.md B4)")
        if k > 16:
            raise RegionLimitError(f"{k} hyperplanes: the subset searches have more than 2^16 cases")
        return _canceling_role_sets(data)
    raise NotApplicableError(
        f"width {width} is not the minimal width of f (k = {k} breakpoint hyperplanes): fibers of non-minimal "
        "shallow networks (extra dead, zero, duplicated or canceling neurons) are not enumerated")


class _Builder:
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


def shallow_fiber(net: Network, *, max_components: int = MAX_COMPONENTS) -> Fiber:
    """The fiber of a one-hidden-layer θ on R^d with all its components (MATH.md B2/B3/B4, see the module doc).

    Parameters
    ----------
    net : a one-hidden-layer network of minimal width (n = k, k+1 or, for scalar output, k+2; MATH.md B4), or with
        exactly one neuron more than k when k suffice.
    max_components : refuse (RegionLimitError) to build more components than this.

    Returns
    -------
    Fiber of kind ``"shallow"``: ``(#role sets) * n!`` components of dimension n (n+1 for a free canceling pair).

    Raises
    ------
    NotApplicableError
        for deeper networks and for widths with two or more neurons beyond the minimal width.

    Examples
    --------
    >>> from exactrelu import examples
    >>> F = shallow_fiber(examples.relu_minus_shifted_relu())
    >>> [c.origin["orientation_set"] for c in F.components]
    [[], [], [1, 2], [1, 2]]
    """
    if net.depth != 1:
        raise NotApplicableError(f"shallow fibers need one hidden layer, the network has {net.depth}")
    arch = net.architecture
    n = arch[1]
    data = canonical_data(net)
    if n == data.num_hyperplanes + 1 and valid_orientation_sets(data):
        return _extra_neuron_fiber(net, data, max_components)
    role_sets = roles_of(data, n)
    total = len(role_sets) * math.factorial(n)
    if total > max_components:
        raise RegionLimitError(f"the fiber has {total} components (> max_components = {max_components})")
    b = _Builder(arch, data, role_sets)
    comps = []
    for orbit, (roles, origin) in enumerate(role_sets):
        base = {**origin, "orbit": orbit}
        for perm in itertools.permutations(range(n)):
            comps.append(b.component(roles, perm, base))
    own = next(c.origin["orbit"] for c in comps if c.contains(net))  # θ's own H_n-orbit
    for c in comps:
        same = c.origin["orbit"] == own
        parts = ["none: the H_n-orbit of θ (permutation and positive scaling)"] if same else []
        if c.origin["case"] == "k+2" and "canceling_pair" in c.origin:
            parts = ["canceling pair on a free hyperplane G, its offset t_G free (MATH.md B4 case 3)"]
        if not same:
            parts.append({"k": "orientation flip (MATH.md B3): another orientation set S",
                          "k+1": "opposite pair on another hyperplane / orientation set (MATH.md B4 case 2)",
                          "k+2": "another canceling configuration (MATH.md B4 case 3)"}[c.origin["case"]])
        c.origin["theta_orbit"] = same
        c.origin["hidden_symmetry"] = "; ".join(parts)
    case = role_sets[0][1]["case"]
    notes = (f"one hidden layer on R^d, width n = {n}, k = {data.num_hyperplanes} breakpoint hyperplanes "
             f"(minimal width, case {case} of MATH.md B4); {len(role_sets)} role set(s) x {n}! labellings; "
             "components are the connected components of S(θ) (MATH.md B3)",)
    return Fiber(net, "shallow", max(c.dimension for c in comps), tuple(comps), None, None, notes, complete=True)


# ---------------------------------------------------------------------------------------------- regions
def _is_orthant(domain: Any, d: int) -> bool:
    if domain is None:
        return False
    if isinstance(domain, str):
        return domain.lower() == "orthant"
    ineq = getattr(domain, "inequalities", None)
    eq = getattr(domain, "equalities", ())
    if ineq is None or eq:
        return False
    rows = {tuple(Fraction(v) for v in r) for r in ineq}
    want = {tuple([_ZERO] + [Fraction(int(q == c)) for q in range(d)]) for c in range(d)}
    return rows == want


def region_data(net: Network, domain: Any = None) -> list[tuple[tuple[tuple[int, ...], ...], tuple[Fraction, ...]]]:
    """``[(pattern, interior point)]`` for the open regions of C_θ on ``domain`` (None = R^d, ``"orthant"`` or a
    full-dimensional :class:`~exactrelu.geometry.polyhedra.Polyhedron`), from
    :func:`exactrelu.geometry.regions.regions`."""
    from exactrelu.geometry.polyhedra import Orthant
    from exactrelu.geometry.regions import regions

    d = net.input_dim
    dom = None if domain is None else Orthant(d) if _is_orthant(domain, d) else domain
    if dom is not None and not hasattr(dom, "inequalities"):
        raise NotApplicableError(f"unknown domain {domain!r}: use None, 'orthant' or a Polyhedron")
    cx = regions(net, dom)
    return [(tuple(tuple(p) for p in r.pattern), tuple(r.interior_point)) for r in cx.regions]


# ---------------------------------------------------------------------------------------------- orthant (§2.C)
Gens = tuple[list[tuple[Fraction, ...]], list[tuple[Fraction, ...]], list[tuple[Fraction, ...]]]


def domain_generators(domain: Any, d: int) -> Gens:
    """``(vertices, rays, lines)`` of a domain: ``"orthant"`` (vertex 0, rays e_k) or a full-dimensional Polyhedron."""
    if domain is None or _is_orthant(domain, d):
        return ([(_ZERO,) * d], [tuple(Fraction(int(q == c)) for q in range(d)) for c in range(d)], [])
    if not hasattr(domain, "generators") or getattr(domain, "ambient_dim", None) != d:
        raise NotApplicableError(f"the domain must be 'orthant' or a Polyhedron in R^{d}")
    if domain.dimension != d:
        raise NotApplicableError("the domain must be full-dimensional")
    v, r, lines = domain.generators()
    return ([tuple(Fraction(x) for x in p) for p in v], [tuple(Fraction(x) for x in p) for p in r],
            [tuple(Fraction(x) for x in p) for p in lines])


def _signs_on(w: Sequence[Fraction], b: Fraction, gens: Gens) -> tuple[bool, bool]:
    """(z = w.x + b takes negative values on Ω, takes positive values on Ω), from the generators of Ω."""
    verts, rays, lines = gens
    dot = [sum((x * y for x, y in zip(w, g)), _ZERO) for g in rays]
    ldot = [sum((x * y for x, y in zip(w, g)), _ZERO) for g in lines]
    vals = [sum((x * y for x, y in zip(w, g)), b) for g in verts]
    neg = any(v < 0 for v in vals) or any(x < 0 for x in dot) or any(x != 0 for x in ldot)
    pos = any(v > 0 for v in vals) or any(x > 0 for x in dot) or any(x != 0 for x in ldot)
    return neg, pos


def linear_conditions(arch: tuple[int, ...], i: int, gens: Gens) -> tuple[list[Any], list[Any]]:
    """For neuron ``i`` (0-based) of a one-hidden-layer architecture: the polynomials saying it is active on all of
    Ω: ``(equalities W1_i.l = 0 for lines l, nonnegative W1_i.v + b1_i at vertices v and W1_i.r on rays r)``."""
    d, n = arch[0], arch[1]
    syms = S.parameter_symbols(arch)
    w = [syms[i * d + c] for c in range(d)]
    b = syms[n * d + i]
    verts, rays, lines = gens
    lin = lambda g: sp.Add(*[S.to_sympy(x) * y for x, y in zip(g, w)])  # noqa: E731
    nonneg = [lin(v) + b for v in verts] + [lin(r) for r in rays]
    out: list[Any] = []
    for e in nonneg:
        if e != 0 and e not in out:
            out.append(e)
    return [lin(line) for line in lines], out


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
        neg, pos = _signs_on(w, b, gens)
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
    """The pieces K_S = {p_S} × V_S of the fiber of a one-hidden-layer θ on the orthant Ω = R^d_{≥0} (MATH.md §2.C),
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
    orth = domain is None or _is_orthant(domain, d)
    gens = domain_generators(domain, d)
    verts, rays, lines = gens
    data, visible, linear = _orthant_data(net, gens)
    k, r = data.num_hyperplanes, n - len(visible)
    H = data.hyperplanes
    arch = net.architecture
    syms = S.parameter_symbols(arch)
    lams = tuple(S.free_symbol(f"lambda_{i + 1}", positive=True) for i in range(n))
    builder = _Builder(arch, data, [])
    comps: list[Component] = []
    n_sets = 0
    gap: tuple[int, tuple[int, ...]] | None = None
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
            if len(B) < r:
                raise NotApplicableError(
                    f"rank A_S = {len(B)} < r = {r} linear neurons for S = {sorted(j + 1 for j in Ssub)}: the "
                    "rank-deficient V_S (Thm 6 case 4 and degenerate θ) is not described here")
            if gap is None:  # an opposite pair on H_j can replace a linear neuron iff a_j is in the row space of A_S
                gap = next(((j, Ssub) for j in range(k) if j not in Ssub and len(_rref([*B, list(H[j][0])])[0]) == r),
                           None)
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
                         "hidden_symmetry": (f"GL_{r} on the linear block (V_S, MATH.md §2.C)" if r else "none")
                         + ("" if sorted(j + 1 for j in Ssub) == _theta_orthant_S(net, data, visible)
                            else "; orientation change S (MATH.md §2.C)")}))
    if not comps:
        raise NotApplicableError("internal: θ itself is not in any K_S piece")  # pragma: no cover
    dim = k + r * r + r
    where = f"the orthant R^{d}_{{>=0}}" if orth else f"the polyhedron {domain!r}"
    notes = (f"one hidden layer on {where}: k = {k} visible hyperplanes, r = {r} linear neurons, "
             f"{n_sets} orientation set(s) S with V_S non-empty; pieces K_S = {{p_S}} x V_S (MATH.md §2.C, G3 "
             "Prop. 5 [P?]) of dimension k + r^2 + r; exact for the visible+linear part, which is the whole fiber "
             "for generic minimal θ",)
    if gap is None:
        notes += ("complete: every S has rank A_S >= r and no visible normal a_j lies in the row space of an A_S "
                  "with j not in S, so no opposite pair, canceling pair, dead or zero neuron can replace a linear "
                  "neuron (docs/mathematics.md §2.C)",)
    else:
        j, Sg = gap
        notes += (f"NOT complete: a_{j + 1} lies in the row space of A_S for S = {sorted(q + 1 for q in Sg)}, so two "
                  f"neurons of opposite orientations on H_{j + 1} can replace a linear neuron; those parameters are "
                  "not listed, and contains() decides points outside the listed pieces by an exact equivalence "
                  "test",)
    return Fiber(net, "orthant" if orth else "polyhedral", dim, tuple(comps), None,
                 "orthant" if orth else domain, notes, complete=gap is None)


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


def _orthant_component(b: _Builder, gens: Gens, syms: tuple[Any, ...], lams: tuple[Any, ...],
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


# ---------------------------------------------------------------------------------------------- one extra neuron
def _extra_neuron_fiber(net: Network, data: CanonicalData, max_components: int) -> Fiber:
    """Width n = k+1 when k neurons suffice (θ has one neuron more than needed; see :func:`shallow_fiber`)."""
    from dataclasses import replace

    arch = net.architecture
    d, n, m = arch
    k = data.num_hyperplanes
    sets = valid_orientation_sets(data)
    pairs = []
    for roles, origin in _pair_role_sets(data) if k else []:
        u, v = roles[-2].U, roles[-1].U
        if any(u) and any(v):  # otherwise it is a valid orientation set plus a zero neuron
            pairs.append((roles, origin))
    n_pieces = len(sets) * (3 * math.factorial(n) + k * math.comb(n, 2) * math.factorial(max(k - 1, 0)))
    if n_pieces + len(pairs) * math.factorial(n) > max_components:
        raise RegionLimitError(f"the fiber has more than max_components = {max_components} pieces")
    b = _Builder(arch, data, [])
    ws = [S.free_symbol(f"w_{c + 1}") for c in range(d)]
    beta_e, s_e = S.free_symbol("beta_e"), S.free_symbol("s_e")
    vs = [S.free_symbol(f"v_{r + 1}") for r in range(m)]
    us = [S.free_symbol(f"u_{r + 1}") for r in range(m)]
    comps: list[Component] = []
    for S_ in sets:
        roles = _singles(data, S_)
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
                "opposite pair on a hyperplane (MATH.md B4 case 2) although k neurons suffice")}))
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


def _genuine(b: _Builder, roles: Sequence[Role], neurons: Sequence[int], perm: Sequence[int]) -> tuple[Any, ...]:
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


def _extra_piece(b: _Builder, gen: tuple[Any, ...], e: int, kind: str, b2S: list[Fraction], ws: list[Any],
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


def _dup_piece(b: _Builder, gen: tuple[Any, ...], role: Role, e1: int, e2: int, b2S: list[Fraction],
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
