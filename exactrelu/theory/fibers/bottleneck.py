"""Fibers of three-layer bottleneck networks (docs/mathematics.md §2.D) and local fiber descriptions
(docs/mathematics.md §1, E1, §6).

Setting (docs/mathematics.md D0).  θ = (W1, b1, W2, b2, W3, b3) of architecture ``(d, n1, n2, m)`` with ``n1 <= d``,
generic
(:func:`exactrelu.theory.dimension.genericity.is_generic`).  Genericity gives ``rank W1 = n1``, so ``u = W1 x + b1``
runs over all of
``R^{n1}`` and ``h = relu(u)`` over the orthant Ω = ``R^{n1}_{>=0}``; layers 2-3 are a shallow network ``g`` on Ω.
Second-layer neuron ``i`` is *dead* on Ω iff ``W2_i <= 0`` and ``b2_i <= 0``, *linear* iff ``W2_i >= 0`` and
``b2_i >= 0``, and otherwise its hyperplane meets the open orthant (*alive*).

Visibility (docs/mathematics.md D1, G3 Thm 2).  First-layer ``H_k`` is visible iff some ``z2_i > 0`` somewhere on
``H_k``.  As
``relu(W1 x + b1)`` maps ``H_k`` onto the face ``{h_k = 0}`` of Ω, this is the sign test "``b2_i > 0`` or ``W2_il >
0`` for some ``l != k``" (:func:`bottleneck_structure`); the slow path :func:`visible_first_layer` with
``method="cells"`` maximises over the cells of C_θ lying in ``H_k`` (exact LPs) and is used to cross-check it.

Facts used below, with proofs [D]:

* If ``H_j`` is invisible and f is not constant, **every** alive neuron ``i`` is *attached* to ``j``: ``W2_ij > 0``,
  ``W2_ik <= 0`` (``k != j``), ``b2_i <= 0`` (an alive neuron that is ``<= 0`` on the face ``{h_j = 0}`` and has
  ``W2_ij <= 0`` would be ``<= 0`` on all of Ω).  Hence at most one first-layer hyperplane is invisible, and then
  there is no linear neuron.
* **T_j** (docs/mathematics.md D3): ``b1_j += t``, ``b2_i -= t W2_ij`` for the attached ``i`` keeps every ``a2_i(x)``
  for
  ``t >= t_min = max_i b2_i / W2_ij`` (four-case check on the signs of ``u_j`` and ``u_j + t``).
* **G_j — derived here by exact brute force** (the sources do not state it): on the T_1 example and on seeded random
  generic bottlenecks with an invisible ``H_j`` — three (2,2,1,1), one (3,3,1,1), two (2,2,2,1)
  (``proofs_checks/check_bottleneck_flip_group.py``, 944 exact equivalence tests) — we enumerated every
  orientation change ``F ⊆ [n1]`` of the first layer together with tilts ``u_j -> u_j + Σ_k c_k u_k`` of the invisible
  neuron (``c_k`` from a grid containing 0, ±1 (and ±1/2, ±2 when n1 = 2) and the ratios ``W2_ik / W2_ij``),
  with ``W2`` kept and
  ``b2_i -= W2_ij e`` for several ``e``, and decided ``f_η = f_θ`` exactly (common refinement).  The equivalent ones
  are exactly: ``j ∉ F``, ``c_k = W2_ik / W2_ij`` for ``k ∈ F``, ``c_k = 0`` otherwise, ``e >= t_min``, and ``F``
  inside the set ``K_j`` of ``k != j`` whose ratio ``W2_ik / W2_ij`` is the same for all alive ``i``.  So
  ``G_j = <M_k : k ∈ K_j> ≅ (Z/2)^{|K_j|}`` where **M_k negates (W1_k, b1_k) and replaces neuron j by
  u_j + (W2_ik / W2_ij) u_k**; proof: with ``c = W2_ik/W2_ij`` (the same for all attached ``i``),
  ``W2_ij relu(u_j + c u_k + e) + W2_ik relu(-u_k) - W2_ij e`` agrees with ``W2_ij relu(u_j) + W2_ik relu(u_k)``
  wherever either side's neuron can be active, since ``W2_ik relu(u_k) - W2_ik relu(-u_k) = W2_ik u_k`` (four cases,
  like T_j).  The generators commute and ``M_k^2 = 1``.  When ``n2 = 1``, ``K_j = [n1] \\ {j}``.  When ``n2 >= 2``
  and every second-layer neuron is alive, a ``k ∈ K_j`` would make the columns ``j`` and ``k`` of ``W2``
  proportional, so ``W2 D_{j,k} W1`` would have rank 1 < 2: θ is then not generic.  Hence **for generic θ,
  G_j ≅ (Z/2)^{n1-1} if n2 = 1 and G_j is trivial if n2 >= 2**.

The generic fiber (covered case: every second-layer neuron alive, i.e. no dead and no linear neuron; "⊆" is
certified, "=" is the proof sketch below)::

    S~(θ) = ⊔_{π1 ∈ S_{n1}, π2 ∈ S_{n2}, F ⊆ K_j}  π · { scalings λ ∈ R_{>0}^{n1}, μ ∈ R_{>0}^{n2} } · T_j(t) · M_F (θ),
            t > t_min  (the end point t = t_min lies in S(θ) but is not generic),

with ``n1! n2! 2^{|K_j|}`` components of dimension ``n1 + n2 + [H_j invisible]`` (no ``F``, no ``t`` when every
hyperplane is visible).  Each component is emitted as a polynomial system in the parameter symbols
(:func:`exactrelu.engines.sympylib.parameter_symbols`) with its parametrisation.

What is proved and what is not (also in ``Fiber.notes``):

* every component lies in S(θ): the translation family ``t >= t_min`` of each ``M_F(θ)`` is certified **exactly** by
  :func:`certify_family` (the two networks read ``(x, t)``; the common refinement is enumerated on ``{t >= t_min}``
  and every affine map compared), and scalings / permutations are trivial symmetries [L];
* completeness (no other generic η): D1 [P:G3 Thm 2] puts the visible hyperplanes of θ in H_1(η); orientation flips
  of a visible hyperplane are impossible unless compensated by the invisible neuron (which forces the tilt above);
  on Ω the second layer is minimal and genericity (masked products with ``|S_1| = n1``) excludes its orientation
  flips, so no linear neuron can appear.  This is a proof sketch [D], not a checked proof; it is cross-checked by
  ``dim = D - dim_fun(θ)`` (the local dimension) in the tests and proof checks.
* dead or linear second-layer neurons: the components of :mod:`exactrelu.theory.fibers.blocks` (the orthant fiber
  of layers 2-3, docs/mathematics.md §2.C, lifted through the first layer; free dead / silent blocks), listed
  without a completeness claim; non-generic θ and other depths: :func:`local_fiber` gives the local description
  (``kind="local"``, ``components=None``).

Examples
--------
>>> from exactrelu import examples
>>> st = bottleneck_structure(examples.invisible_translation())      # docs/mathematics.md D3, §7 row 4
>>> st.visible, st.invisible, st.t_min, st.flippable
((False, True), 0, Fraction(-1, 1), (1,))
>>> F = bottleneck_fiber(examples.invisible_translation())
>>> F.kind, F.dimension, len(F.components)
('bottleneck', 4, 4)
>>> F.contains(translate(examples.invisible_translation(), 5)), F.contains(flip(examples.invisible_translation(), [1]))
(True, True)
>>> G = bottleneck_fiber(examples.visible_bottleneck())               # W2 = (1, 1): fiber dimension 3
>>> G.dimension, len(G.components)
(3, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations, permutations
from typing import Any

import sympy as sp

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.core.rational import format_rational
from exactrelu.engines import sympylib as S
from exactrelu.theory.fibers.base import Component, Fiber
from exactrelu.theory.fibers.local import LocalFiber, local_fiber
from exactrelu.theory.fibers.structure import (
    BottleneckStructure,
    bottleneck_structure,
    certify_family,
    flip,
    layers_of,
    translate,
    visible_first_layer,
)
from exactrelu.theory.fibers.verify import FiberVerification

__all__ = ["BottleneckStructure", "LocalFiber", "bottleneck_structure", "visible_first_layer", "translate", "flip",
           "certify_family", "bottleneck_fiber", "verify_bottleneck", "local_fiber", "MAX_COMPONENTS"]

#: Refuse to build more components than this (n1! n2! 2^|K_j| grows fast).
MAX_COMPONENTS = 5000

_ZERO = Fraction(0)


# ---------------------------------------------------------------------------------------------- components
def _first_nonzero(v: Sequence[Fraction]) -> int:
    return next(i for i, a in enumerate(v) if a != 0)


def _sign(x: Fraction) -> int:
    return 1 if x > 0 else -1


def _component(net: Network, st: BottleneckStructure, K: tuple[int, ...], perm1: Sequence[int],
               perm2: Sequence[int]) -> Component:
    """The component π·{λ, μ}·T_j·M_K(θ); ``perm1[p]`` / ``perm2[q]`` = the θ-role of η's neuron at position p / q."""
    arch = net.architecture
    d, n1, n2, m = arch
    W1, b1, W2, b2 = layers_of(net)
    W3, b3 = net.layers[2].weights, net.layers[2].biases
    j = st.invisible
    flipped = set(K)
    # direction V_r, orientation-applied bias B_r of each first-layer role (the tilted neuron j has a free bias)
    V: list[list[Fraction]] = []
    B: list[Fraction] = []
    for r in range(n1):
        if r in flipped:
            V.append([-v for v in W1[r]])
            B.append(-b1[r])
        elif r == j:
            V.append([a + sum((st.ratios[k] * W1[k][c] for k in K), _ZERO) for c, a in enumerate(W1[r])])
            B.append(b1[r] + sum((st.ratios[k] * b1[k] for k in K), _ZERO))
        else:
            V.append(list(W1[r]))
            B.append(b1[r])
    syms = S.parameter_symbols(arch)
    it = iter(syms)
    W1s = [[next(it) for _ in range(d)] for _ in range(n1)]
    b1s = [next(it) for _ in range(n1)]
    W2s = [[next(it) for _ in range(n1)] for _ in range(n2)]
    b2s = [next(it) for _ in range(n2)]
    W3s = [[next(it) for _ in range(n2)] for _ in range(m)]
    b3s = [next(it) for _ in range(m)]
    Q = S.to_sympy
    lam = [S.free_symbol(f"lambda_{r + 1}", positive=True) for r in range(n1)]
    mu = [S.free_symbol(f"mu_{i + 1}", positive=True) for i in range(n2)]
    s_t = S.free_symbol(f"s_{j + 1}", positive=True) if j is not None else None
    tmin = st.t_min if st.t_min is not None else _ZERO
    pos1 = {r: p for p, r in enumerate(perm1)}          # role -> position
    eqs: list[sp.Expr] = []
    strict: list[sp.Expr] = []
    par: dict[sp.Symbol, sp.Expr] = {}
    # ---- layer 1: row p = λ_r V_r, bias λ_r B_r (role j: λ_j (B_j + t_min + s))
    a0 = [_first_nonzero(V[r]) for r in range(n1)]
    P = [W1s[pos1[r]][a0[r]] for r in range(n1)]       # pivot symbol of role r: λ_r = P_r / V_r[a0]
    kap = [V[r][a0[r]] for r in range(n1)]
    for p, r in enumerate(perm1):
        strict.append(_sign(kap[r]) * P[r])
        for c in range(d):
            par[W1s[p][c]] = lam[r] * Q(V[r][c])
            if c != a0[r]:
                eqs.append(Q(kap[r]) * W1s[p][c] - Q(V[r][c]) * P[r])
        if r == j:
            par[b1s[p]] = lam[r] * (Q(B[r] + tmin) + s_t)
            strict.append(_sign(kap[r]) * (Q(kap[r]) * b1s[p] - P[r] * Q(B[r] + tmin)))
        else:
            par[b1s[p]] = lam[r] * Q(B[r])
            eqs.append(Q(kap[r]) * b1s[p] - Q(B[r]) * P[r])
    # ---- layer 2: W2'_{q,p} = μ_i W2_{i,r} / λ_r, b2'_q = μ_i (b2_i - W2_ij t)
    for q, i in enumerate(perm2):
        rstar = j if j is not None else next(r for r in range(n1) if W2[i][r] != 0)
        ps = pos1[rstar]
        strict.append(_sign(W2[i][rstar]) * W2s[q][ps])
        for p, r in enumerate(perm1):
            par[W2s[q][p]] = mu[i] * Q(W2[i][r]) / lam[r]
            if p != ps:
                eqs.append(Q(kap[rstar] * W2[i][rstar]) * W2s[q][p] * P[r]
                           - Q(kap[r] * W2[i][r]) * W2s[q][ps] * P[rstar])
        if j is not None:
            par[b2s[q]] = mu[i] * (Q(b2[i] - W2[i][j] * tmin) - Q(W2[i][j]) * s_t)
            # μ_i = W2'_{q,j} P_j / (κ_j W2_ij) and t = κ_j b1'_j / P_j - β_j give
            # κ_j W2_ij b2'_q - W2'_{q,j} P_j (b2_i + W2_ij β_j) + κ_j W2_ij W2'_{q,j} b1'_j = 0
            eqs.append(Q(kap[j] * W2[i][j]) * b2s[q] - W2s[q][ps] * P[j] * Q(b2[i] + W2[i][j] * B[j])
                       + Q(kap[j] * W2[i][j]) * W2s[q][ps] * b1s[ps])
        else:
            par[b2s[q]] = mu[i] * Q(b2[i])
            eqs.append(Q(kap[rstar] * W2[i][rstar]) * b2s[q] - Q(b2[i]) * W2s[q][ps] * P[rstar])
        # ---- layer 3: W3'_{:,q} = W3_{:,i} / μ_i
        for o in range(m):
            par[W3s[o][q]] = Q(W3[o][i]) / mu[i]
            eqs.append(W3s[o][q] * W2s[q][ps] * P[rstar] - Q(W3[o][i] * kap[rstar] * W2[i][rstar]))
    for o in range(m):
        par[b3s[o]] = Q(b3[o])
        eqs.append(b3s[o] - Q(b3[o]))
    free = tuple(lam) + tuple(mu) + ((s_t,) if s_t is not None else ())
    base = {x: sp.Integer(1) for x in lam + mu}
    if s_t is not None:
        base[s_t] = Q(-tmin)
    point = tuple(S.evaluate(par[x], base) for x in syms)
    hidden = "none"
    if j is not None:
        hidden = f"T_{j + 1} translation"
        if K:
            hidden += f" and G_{j + 1} element M_{{{','.join(str(k + 1) for k in K)}}}"
    origin = {
        "permutation": [[r + 1 for r in perm1], [i + 1 for i in perm2]],
        "orientation_set": [k + 1 for k in K],
        "hidden_symmetry": hidden,
        "theorem": "docs/mathematics.md §2.D (bottleneck, generic)",
    }
    return Component(architecture=arch, equalities=tuple(sp.expand(e) for e in eqs),
                     strict=tuple(sp.expand(e) for e in strict), nonstrict=(), dimension=len(free), point=point,
                     origin=origin, free_symbols=free, parametrization=par)


def bottleneck_fiber(net: Network, *, check_generic: bool = True, max_components: int = MAX_COMPONENTS) -> Fiber:
    """The generic fiber S~(θ) of a bottleneck θ (docs/mathematics.md §2.D) as ``n1! n2! 2^{|K_j|}`` components (module
    doc).

    Parameters
    ----------
    net : architecture ``(d, n1, n2, m)`` with ``n1 <= d``.
    check_generic : decide genericity exactly first (:func:`exactrelu.theory.dimension.genericity.is_generic`).
    max_components : refuse larger outputs (:class:`~exactrelu.core.errors.NotApplicableError`).

    Raises
    ------
    NotApplicableError : other architectures, non-generic θ, constant f, or dead / linear second-layer neurons whose
        blocks are not available (:mod:`exactrelu.theory.fibers.blocks`; use :func:`local_fiber`;
        :func:`exactrelu.theory.fibers.fiber.fiber` falls back to it automatically).

    With dead or linear second-layer neurons the components are those of :mod:`exactrelu.theory.fibers.blocks`
    (``complete=False``).
    """
    st = bottleneck_structure(net)
    if check_generic:
        from exactrelu.theory.dimension.genericity import is_generic

        rep = is_generic(net)
        if not rep:
            what = []
            if not rep.supertransversal:
                what.append(f"not supertransversal at the cell {rep.transversality_failures[0].pattern}")
            if not rep.maximal_rank:
                f = rep.rank_failures[0]
                what.append(f"masked product of layer {f.layer} with index sets {f.index_sets} has rank {f.rank} "
                            f"< {f.expected}")
            raise NotApplicableError("θ is not generic: " + "; ".join(what))
    if all(k == "dead" for k in st.second_layer):
        raise NotApplicableError("every second-layer neuron is dead on the orthant: f is constant")
    others = [f"{i + 1} ({k})" for i, k in enumerate(st.second_layer) if k != "alive"]
    if others:
        from exactrelu.theory.fibers.blocks import block_components

        try:
            blocks, block_notes = block_components(net, st, max_components=max_components,
                                                   generic=bottleneck_fiber)
        except NotApplicableError as exc:
            raise NotApplicableError(f"second-layer neurons {', '.join(others)} are dead or linear on the orthant "
                                     f"and their blocks are not available: {exc}") from exc
        return Fiber(network=net, kind="bottleneck", dimension=max(c.dimension for c in blocks),
                     components=tuple(blocks), local=None, complete=False, notes=(
                         f"docs/mathematics.md §2.D bottleneck fiber with second-layer neurons {', '.join(others)} "
                         "on the orthant: components derived in exactrelu.theory.fibers.blocks [D]",
                         *block_notes,
                         "each listed component ⊆ S(θ) (exact: its system is the orthant fiber of layers 2-3 lifted "
                         "through the first layer, or the generic components of the alive neurons, times free dead "
                         "/ silent blocks)",
                         "verify(): components with an invisible H_j are proved by the certified T_j family and "
                         "the dead / silent block lemma; lifted components by the symbolic proof of the orthant "
                         "component they lift and the lift lemma",
                         "NOT complete: a spare neuron can also duplicate an alive neuron, turn linear to absorb an "
                         "orientation change, or pair with another spare neuron; those parameters are not listed and "
                         "contains() decides them by an exact equivalence test"))
    _, n1, n2, _ = net.architecture
    subsets = [c for k in range(len(st.flippable) + 1) for c in combinations(st.flippable, k)]
    from math import factorial

    count = factorial(n1) * factorial(n2) * len(subsets)
    if count > max_components:
        raise NotApplicableError(f"the fiber has {count} components > max_components = {max_components}")
    comps = tuple(_component(net, st, K, p1, p2) for K in subsets for p1 in permutations(range(n1))
                  for p2 in permutations(range(n2)))
    inv = st.invisible
    notes = [
        "docs/mathematics.md §2.D generic bottleneck fiber: components = permutations x positive scalings"
        + (f" x T_{inv + 1} translations (t > t_min = {st.t_min}) x G_{inv + 1} = (Z/2)^{len(st.flippable)} "
           f"generated by M_k, k in {[k + 1 for k in st.flippable]}" if inv is not None else
           " (every first-layer hyperplane visible: no T_j, no G_j)"),
        "each component ⊆ S(θ): translation families certified exactly by"
        " exactrelu.theory.fibers.bottleneck.certify_family;"
        " scalings and permutations are trivial symmetries [L]",
        "completeness: G3 Thm 2 (D1) [P] plus the argument in the exactrelu.theory.fibers.bottleneck docstring"
        " [D, sketch];"
        " dimension cross-checked against D - dim_fun in the tests",
        "the closure point t = t_min is in S(θ) but not generic, so it is not in these (open) components",
        "Fiber.verify() decides patterns at region points only and cannot follow t; the exact depth-2 proof is "
        "exactrelu.theory.fibers.bottleneck.verify_bottleneck (system identities + certify_family)",
        "structure: visible first-layer hyperplanes "
        + (", ".join(f"H_{k + 1}" for k, v in enumerate(st.visible) if v) or "none")
        + ("" if st.invisible is None else f"; invisible H_{st.invisible + 1}")
        + "; second layer " + ", ".join(f"{i + 1} {kind}" for i, kind in enumerate(st.second_layer))
        + ("" if st.t_min is None else f"; t_min = {format_rational(st.t_min)}")
        + ("" if not st.flippable else "; K_j = {" + ", ".join(str(k + 1) for k in st.flippable) + "}"),
    ]
    notes.append("NOT complete: the components are the generic part S~(θ); S(θ) also holds the closure t = t_min "
                 "and non-generic parameters, so contains() decides a point outside every component by an exact "
                 "equivalence test")
    return Fiber(network=net, kind="bottleneck", dimension=max(c.dimension for c in comps), components=comps,
                 local=None, notes=tuple(notes), complete=False)


def verify_bottleneck(fib: Fiber, component: int | Sequence[int] | None = None) -> Any:
    """Exact proof that the chosen components of a ``kind="bottleneck"`` fiber lie in S(θ) (all when None).

    For each component: (1) its system vanishes identically on its parametrisation (sympy ``cancel``), so the
    component is exactly the image of the parametrisation; (2) the family ``T_j(t) M_K(θ)``, ``t >= t_min``, of its
    flip set ``K`` is certified by :func:`certify_family` (common refinement on ``(x, t)``); (3) the remaining free
    parameters are positive scalings and the permutation, trivial symmetries [L].  Returns a
    :class:`~exactrelu.theory.fibers.fiber.FiberVerification` (the depth-2 replacement of :meth:`Fiber.verify`).

    >>> from exactrelu import examples
    >>> v = verify_bottleneck(bottleneck_fiber(examples.invisible_translation()))
    >>> v.ok, len(v.checks), v.checks[3]["family_certified"]
    (True, 4, True)
    """
    if fib.kind != "bottleneck" or fib.components is None:
        raise NotApplicableError("verify_bottleneck needs a fiber of kind 'bottleneck'")
    comps = fib.components
    idx = list(range(len(comps))) if component is None else ([component] if isinstance(component, int)
                                                              else list(component))
    net = fib.network
    st = bottleneck_structure(net)
    family: dict[tuple[int, ...], bool] = {}
    checks, failures = [], []
    for k in idx:
        comp = comps[k]
        sub = {s: comp.parametrization[s] for s in comp.symbols} if comp.parametrization is not None else None
        if sub is None:
            failures.append(f"component {k}: no parametrisation")
            continue
        bad = [str(e) for e in comp.equalities if not S.is_zero_identically(e.xreplace(sub))]
        failures += [f"component {k}: equality {e} = 0 fails on the parametrisation" for e in bad]
        K = tuple(sorted(f - 1 for f in comp.origin.get("orientation_set", [])))
        if st.invisible is not None:
            if K not in family:
                family[K] = bool(certify_family(net, K))
            if not family[K]:
                failures.append(f"component {k}: family M_{[f + 1 for f in K]} not certified")
            fam: bool | None = family[K]
        else:
            fam = None  # every hyperplane visible: the component is a trivial-symmetry orbit of θ
        checks.append({"component": k, "system_identities": len(comp.equalities) - len(bad),
                       "family_certified": fam, "flips": [f + 1 for f in K],
                       "proof": "failed" if bad or fam is False else
                       ("system identity + trivial symmetries" if fam is None else
                        "system identity + certify_family + trivial symmetries")})
    return FiberVerification(not failures, tuple(checks), tuple(failures))
