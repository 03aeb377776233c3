"""Bottleneck fibers with dead or always-active second-layer neurons (docs/mathematics.md §2.D, §2.C, §3).

Setting: a generic bottleneck θ of architecture ``(d, n1, n2, m)``, ``n1 <= d``; ``h = relu(W1 x + b1)`` runs over
the orthant Ω = ``R^{n1}_{>=0}`` and layers 2-3 are a shallow network ``g`` on Ω.  A second-layer neuron is *dead*
on Ω (``W2_i <= 0``, ``b2_i <= 0``), *linear* (``W2_i >= 0``, ``b2_i >= 0``) or *alive*
(:func:`~exactrelu.theory.fibers.structure.bottleneck_structure`).  The components derived here [D]:

* **Every first-layer hyperplane visible** (D1).  For η with the first layer of θ up to a permutation π and
  positive scalings λ, ``relu(W1' x + b1')_p = λ_r relu(u_r)`` with ``r = π(p)``, so ``f_η = f_θ`` iff the shallow
  network ``g_η = (W2' Λ π, b2', W3', b3')`` realises ``g_θ`` on Ω (``relu(W1 x + b1)`` maps R^d onto Ω as
  ``rank W1 = n1``).  Every component of the orthant fiber of ``g`` (docs/mathematics.md §2.C,
  :func:`~exactrelu.theory.fibers.orthant.orthant_fiber`; linear neurons give the GL_r blocks V_S) is therefore
  *lifted*: its system with ``W1_g[q][r] -> λ_r W2'[q][π^{-1} r]`` (``λ_r`` = the pivot of η's row over θ's),
  ``b1_g -> b2'``, ``W2_g -> W3'``, ``b2_g -> b3'``, plus the first-layer equations (rows ∝ θ's rows, same
  orientation).  Exact in both directions; that the first layer of *every* η is of this form is G3 Thm 2 (D1 [P])
  plus the no-flip argument of docs/mathematics.md D5.
* **An invisible H_j** (then no linear neuron is possible at generic θ): the generic components of
  :func:`~exactrelu.theory.fibers.bottleneck.bottleneck_fiber` for the alive neurons alone.
* **Dead neurons**: the alive/linear part above is computed for θ without its dead neurons, and each spare
  position ``q`` of η is one of two free blocks, both inside S(θ) for every first layer of rank n1:
  ``dead`` = ``{W2'_q <= 0, b2'_q <= 0}`` with ``W3'_{:,q}`` free (dimension ``n1 + 1 + m``) or ``silent`` =
  ``{W3'_{:,q} = 0}`` with ``(W2'_q, b2'_q)`` free (dimension ``n1 + 1``).

Not listed (so the fiber is marked NOT complete): with a spare neuron, η may also split an alive neuron into two
neurons on the same second-layer hyperplane (``W3`` shared out), turn the spare neuron linear to absorb an
orientation change of an alive one (docs/mathematics.md §2.C), or use two spare neurons as a canceling pair; the
closure ``t = t_min`` of T_j and non-generic η.  Membership outside the listed components is decided by exact
equivalence (:meth:`~exactrelu.theory.fibers.base.Fiber.membership`); the brute-force check
``proofs_checks/check_bottleneck_blocks_complete.py`` samples parameters near every component and on random
rational lines through θ and records which members it finds.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Layer, Network
from exactrelu.engines import sympylib as S
from exactrelu.theory.fibers.base import Component
from exactrelu.theory.fibers.structure import BottleneckStructure, bottleneck_structure
from exactrelu.theory.fibers.verify import VERIFIERS

__all__ = ["block_components", "SPARE_KINDS"]

#: What a spare (dead-in-θ) second-layer position of η may hold in a listed component.
SPARE_KINDS = ("dead", "silent")

_ZERO = Fraction(0)


def _subnet(net: Network, keep: Sequence[int]) -> Network:
    """θ with only the second-layer neurons ``keep`` (0-based, increasing)."""
    L1, L2, L3 = net.layers
    return Network((L1, Layer(tuple(L2.weights[i] for i in keep), tuple(L2.biases[i] for i in keep)),
                    Layer(tuple(tuple(row[i] for i in keep) for row in L3.weights), L3.biases)))


def _shallow_part(net: Network, keep: Sequence[int]) -> Network:
    """Layers 2-3 of θ restricted to ``keep``: the shallow network g on the orthant R^{n1}_{>=0}."""
    _, L2, L3 = net.layers
    return Network((Layer(tuple(L2.weights[i] for i in keep), tuple(L2.biases[i] for i in keep)),
                    Layer(tuple(tuple(row[i] for i in keep) for row in L3.weights), L3.biases)))


class _Sym:
    """The parameter symbols of the bottleneck architecture as matrices."""

    def __init__(self, arch: tuple[int, ...]):
        d, n1, n2, m = arch
        it = iter(S.parameter_symbols(arch))
        self.W1 = [[next(it) for _ in range(d)] for _ in range(n1)]
        self.b1 = [next(it) for _ in range(n1)]
        self.W2 = [[next(it) for _ in range(n1)] for _ in range(n2)]
        self.b2 = [next(it) for _ in range(n2)]
        self.W3 = [[next(it) for _ in range(n2)] for _ in range(m)]
        self.b3 = [next(it) for _ in range(m)]


def _spare_block(arch: tuple[int, ...], q: int, kind: str) -> dict[str, Any]:
    """Equalities, inequalities, parametrisation, point and dimension of spare position ``q``."""
    _, n1, _, m = arch
    s = _Sym(arch)
    tag = f"{q + 1}"
    if kind == "dead":
        dl = [S.free_symbol(f"delta_{tag}_{p + 1}") for p in range(n1 + 1)]
        om = [S.free_symbol(f"omega_{o + 1}_{tag}") for o in range(m)]
        par = {**{s.W2[q][p]: -dl[p] for p in range(n1)}, s.b2[q]: -dl[n1],
               **{s.W3[o][q]: om[o] for o in range(m)}}
        pt = {**{s.W2[q][p]: Fraction(-1) for p in range(n1)}, s.b2[q]: Fraction(-1),
              **{s.W3[o][q]: Fraction(1) for o in range(m)}}
        return {"eqs": [], "nonstrict": [-s.W2[q][p] for p in range(n1)] + [-s.b2[q]], "par": par, "point": pt,
                "free": (*dl, *om), "free_nonstrict": list(dl), "free_point": {x: Fraction(1) for x in dl},
                "dim": n1 + 1 + m}
    sg = [S.free_symbol(f"sigma_{tag}_{p + 1}") for p in range(n1 + 1)]
    par = {**{s.W2[q][p]: sg[p] for p in range(n1)}, s.b2[q]: sg[n1], **{s.W3[o][q]: sp.Integer(0) for o in range(m)}}
    pt = {**{s.W2[q][p]: Fraction(1) for p in range(n1)}, s.b2[q]: Fraction(1),
          **{s.W3[o][q]: _ZERO for o in range(m)}}
    return {"eqs": [s.W3[o][q] for o in range(m)], "nonstrict": [], "par": par, "point": pt, "free": tuple(sg),
            "free_nonstrict": [], "free_point": {x: Fraction(1) for x in sg}, "dim": n1 + 1}


def _assemble(arch: tuple[int, ...], base: Component, sub: dict[Any, Any], par_of: Callable[[Any], dict[Any, Any]],
              point: dict[Any, Fraction], extra: dict[str, list[Any]], rename: dict[Any, Any], dim_extra: int,
              spare: dict[int, str], origin: dict[str, Any]) -> Component:
    """The full-architecture component: ``base`` (a component of a smaller or shallow architecture) transported by
    the symbol substitution ``sub``, plus ``extra`` conditions, plus one block per spare position."""
    if base.pieces:
        pieces = tuple(_assemble(arch, p, sub, par_of, point, extra, rename, dim_extra, spare, origin)
                       for p in base.pieces)
        return Component(arch, pieces[0].equalities, pieces[0].strict, pieces[0].nonstrict,
                         base.dimension + dim_extra + sum(_spare_block(arch, q, k)["dim"] for q, k in spare.items()),
                         pieces[0].point, pieces[0].origin, pieces[0].free_symbols, pieces[0].parametrization,
                         pieces[0].free_strict, pieces[0].free_nonstrict, pieces[0].free_point, pieces)
    eqs = [e for e in (sp.expand(e.xreplace(sub)) for e in base.equalities) if e != 0] + list(extra.get("eqs", []))
    strict = [sp.expand(e.xreplace(sub)) for e in base.strict] + list(extra.get("strict", []))
    nonstrict = [sp.expand(e.xreplace(sub)) for e in base.nonstrict]
    par: dict[Any, Any] | None = None
    free = tuple(rename.get(x, x) for x in base.free_symbols) + tuple(extra.get("free", []))
    free_strict = [e.xreplace(rename) for e in base.free_strict]
    free_nonstrict = [e.xreplace(rename) for e in base.free_nonstrict]
    free_point = {rename.get(k, k): v for k, v in (base.free_point or {}).items()}
    if base.parametrization is not None:
        par = par_of({k: v.xreplace(rename) for k, v in base.parametrization.items()})
    pt = dict(point)
    dim = base.dimension + dim_extra
    for q, kind in sorted(spare.items()):
        blk = _spare_block(arch, q, kind)
        eqs += blk["eqs"]
        nonstrict += blk["nonstrict"]
        pt.update(blk["point"])
        free += blk["free"]
        free_nonstrict += blk["free_nonstrict"]
        free_point.update(blk["free_point"])
        dim += blk["dim"]
        if par is not None:
            par.update(blk["par"])
    syms = S.parameter_symbols(arch)
    org = {**origin, "spare_neurons": {str(q + 1): k for q, k in sorted(spare.items())}}
    return Component(arch, tuple(eqs), tuple(strict), tuple(nonstrict), dim, tuple(pt[x] for x in syms), org,
                     free, par, tuple(free_strict), tuple(free_nonstrict), free_point or None)


def _lifted(net: Network, keep: Sequence[int], max_components: int) -> tuple[list[Component], list[str]]:
    """Every first-layer hyperplane visible: lift the orthant fiber of g (the kept neurons) through the first layer."""
    from exactrelu.theory.fibers.orthant import orthant_fiber

    arch = net.architecture
    d, n1, n2, m = arch
    g = _shallow_part(net, keep)
    Fg = orthant_fiber(g, "orthant")
    gcomps = Fg.need_components()
    if any(c.origin.get("linear_block") for c in gcomps):  # rank A_S < r: the lifted blocks are not verified
        raise NotApplicableError("rank A_S < r linear neurons in layers 2-3 (docs/mathematics.md §2.C case 4): "
                                 "the rank-deficient blocks are not lifted through the first layer")
    n2r = len(keep)
    spare_pos = n2 - n2r
    count = len(gcomps) * _factorial(n1) * _comb(n2, n2r) * len(SPARE_KINDS) ** spare_pos
    if count > max_components:
        raise NotApplicableError(f"the fiber has {count} components > max_components = {max_components}")
    s = _Sym(arch)
    gsyms = S.parameter_symbols((n1, n2r, m))
    it = iter(gsyms)
    gW1 = [[next(it) for _ in range(n1)] for _ in range(n2r)]
    gb1 = [next(it) for _ in range(n2r)]
    gW2 = [[next(it) for _ in range(n2r)] for _ in range(m)]
    gb2 = [next(it) for _ in range(m)]
    W1 = [list(r) for r in net.layers[0].weights]
    b1 = list(net.layers[0].biases)
    a0 = [next(c for c, v in enumerate(W1[r]) if v) for r in range(n1)]
    kap = [W1[r][a0[r]] for r in range(n1)]
    lam = [S.free_symbol(f"lambda_{r + 1}", positive=True) for r in range(n1)]
    rename = {S.free_symbol(f"lambda_{i + 1}", positive=True): S.free_symbol(f"mu_{i + 1}", positive=True)
              for i in range(n2r)}
    Q = S.to_sympy
    out: list[Component] = []
    for perm1 in itertools.permutations(range(n1)):
        pos1 = {r: p for p, r in enumerate(perm1)}
        P = [s.W1[pos1[r]][a0[r]] for r in range(n1)]
        lam_expr = [P[r] / Q(kap[r]) for r in range(n1)]
        eqs: list[Any] = []
        strict: list[Any] = []
        point: dict[Any, Fraction] = {}
        first_par: dict[Any, Any] = {}
        for p, r in enumerate(perm1):
            strict.append((1 if kap[r] > 0 else -1) * P[r])
            for c in range(d):
                if c != a0[r]:
                    eqs.append(Q(kap[r]) * s.W1[p][c] - Q(W1[r][c]) * P[r])
                point[s.W1[p][c]] = W1[r][c]
                first_par[s.W1[p][c]] = lam[r] * Q(W1[r][c])
            eqs.append(Q(kap[r]) * s.b1[p] - Q(b1[r]) * P[r])
            point[s.b1[p]] = b1[r]
            first_par[s.b1[p]] = lam[r] * Q(b1[r])
        for pos2 in itertools.combinations(range(n2), n2r):
            spare_q = [q for q in range(n2) if q not in pos2]
            sub: dict[Any, Any] = {}
            for qg, q in enumerate(pos2):
                for r in range(n1):
                    sub[gW1[qg][r]] = lam_expr[r] * s.W2[q][pos1[r]]
                sub[gb1[qg]] = s.b2[q]
                for o in range(m):
                    sub[gW2[o][qg]] = s.W3[o][q]
            for o in range(m):
                sub[gb2[o]] = s.b3[o]

            def par_of(gpar: dict[Any, Any], pos2: tuple[int, ...] = pos2, pos1: dict[int, int] = pos1,
                       first_par: dict[Any, Any] = first_par) -> dict[Any, Any]:
                out_par = dict(first_par)
                for qg, q in enumerate(pos2):
                    for r in range(n1):
                        out_par[s.W2[q][pos1[r]]] = sp.cancel(gpar[gW1[qg][r]] / lam[r])
                    out_par[s.b2[q]] = gpar[gb1[qg]]
                    for o in range(m):
                        out_par[s.W3[o][q]] = gpar[gW2[o][qg]]
                for o in range(m):
                    out_par[s.b3[o]] = gpar[gb2[o]]
                return out_par

            for k, gc in enumerate(gcomps):
                for kinds in itertools.product(SPARE_KINDS, repeat=len(spare_q)):
                    spare = dict(zip(spare_q, kinds))
                    gpt = _point_of(gc)
                    pt = dict(point)
                    vals = dict(zip(gsyms, gpt))
                    for qg, q in enumerate(pos2):
                        for r in range(n1):
                            pt[s.W2[q][pos1[r]]] = vals[gW1[qg][r]]
                        pt[s.b2[q]] = vals[gb1[qg]]
                        for o in range(m):
                            pt[s.W3[o][q]] = vals[gW2[o][qg]]
                    for o in range(m):
                        pt[s.b3[o]] = vals[gb2[o]]
                    origin = {"case": "bottleneck, every first-layer hyperplane visible",
                              "first_layer_permutation": [r + 1 for r in perm1],
                              "second_layer_positions": [q + 1 for q in pos2],
                              "orthant_component": k + 1, "orthant_origin": dict(gc.origin),
                              "hidden_symmetry": _hidden_of(gc.origin, spare), "verifier": "bottleneck-lifted",
                              "theorem": "docs/mathematics.md §2.D (D1) + §2.C, lifted through the first layer"}
                    out.append(_assemble(arch, gc, sub, par_of, pt, {"eqs": eqs, "strict": strict, "free": lam},
                                         rename, n1, spare, origin))
    notes = [f"orthant fiber of layers 2-3 (docs/mathematics.md §2.C): {len(gcomps)} component(s); {Fg.notes[-1]}"]
    return out, notes


def _hidden_of(origin: Any, spare: dict[int, str]) -> str:
    parts = []
    h = str(origin.get("hidden_symmetry", "none")) if origin else "none"
    if h and h != "none":
        parts.append(h)
    for q, k in sorted(spare.items()):
        parts.append(f"{k} neuron {q + 1} (free " + ("incoming parameters <= 0 and outgoing weights)" if k == "dead"
                                                     else "incoming parameters, zero outgoing weights)"))
    return "; ".join(parts) or "none"


def _point_of(comp: Component) -> tuple[Fraction, ...]:
    return comp.pieces[0].point if comp.pieces else comp.point


def _factorial(n: int) -> int:
    from math import factorial

    return factorial(n)


def _comb(n: int, k: int) -> int:
    from math import comb

    return comb(n, k)


def _embedded(net: Network, keep: Sequence[int], max_components: int, generic: Callable[..., Any]
              ) -> tuple[list[Component], list[str]]:
    """An invisible H_j and dead neurons: the generic components of θ without its dead neurons, embedded."""
    arch = net.architecture
    _, n1, n2, m = arch
    red = _subnet(net, keep)
    Fr = generic(red, check_generic=False, max_components=max_components)
    rcomps = Fr.need_components()
    n2r = len(keep)
    count = len(rcomps) * _comb(n2, n2r) * len(SPARE_KINDS) ** (n2 - n2r)
    if count > max_components:
        raise NotApplicableError(f"the fiber has {count} components > max_components = {max_components}")
    s = _Sym(arch)
    r = _Sym(red.architecture)
    out: list[Component] = []
    for pos2 in itertools.combinations(range(n2), n2r):
        spare_q = [q for q in range(n2) if q not in pos2]
        sub: dict[Any, Any] = {}
        for qg, q in enumerate(pos2):
            for p in range(n1):
                sub[r.W2[qg][p]] = s.W2[q][p]
            sub[r.b2[qg]] = s.b2[q]
            for o in range(m):
                sub[r.W3[o][qg]] = s.W3[o][q]

        def par_of(rpar: dict[Any, Any], sub: dict[Any, Any] = sub) -> dict[Any, Any]:
            return {sub.get(k, k): v for k, v in rpar.items()}

        for k, rc in enumerate(rcomps):
            pt = {sub.get(x, x): v for x, v in zip(S.parameter_symbols(red.architecture), _point_of(rc))}
            for kinds in itertools.product(SPARE_KINDS, repeat=len(spare_q)):
                spare = dict(zip(spare_q, kinds))
                origin = {**dict(rc.origin), "case": "bottleneck, invisible first-layer hyperplane",
                          "second_layer_positions": [q + 1 for q in pos2], "reduced_component": k + 1,
                          "hidden_symmetry": _hidden_of(rc.origin, spare)}
                out.append(_assemble(arch, rc, sub, par_of, pt, {}, {}, 0, spare, origin))
    return out, [f"the alive second-layer neurons: {len(rcomps)} generic bottleneck component(s) of θ without its "
                 "dead neurons"]


def block_components(net: Network, st: BottleneckStructure | None = None, *, max_components: int = 5000,
                     generic: Callable[..., Any] | None = None) -> tuple[list[Component], list[str]]:
    """The listed components of a generic bottleneck fiber with dead or linear second-layer neurons (module doc).

    ``generic`` builds the generic fiber of θ without its dead neurons when a first-layer hyperplane is invisible
    (:func:`exactrelu.theory.fibers.bottleneck.bottleneck_fiber`, passed in by it).

    Returns the components and notes.  Raises :class:`~exactrelu.core.errors.NotApplicableError` when f is
    constant, when an invisible first-layer hyperplane meets a linear second-layer neuron (not generic), or when
    the orthant fiber of layers 2-3 is not available (e.g. rank A_S < r, docs/mathematics.md §2.C case 4).
    """
    st = st or bottleneck_structure(net)
    keep = [i for i, k in enumerate(st.second_layer) if k != "dead"]
    if not keep:
        raise NotApplicableError("every second-layer neuron is dead on the orthant: f is constant")
    if st.invisible is None and all(st.visible):
        return _lifted(net, keep, max_components)
    if any(k == "linear" for k in st.second_layer):
        raise NotApplicableError("an invisible first-layer hyperplane together with a linear second-layer neuron "
                                 "(θ is not generic)")
    if generic is None:
        raise NotApplicableError("an invisible first-layer hyperplane: pass generic=bottleneck_fiber")
    return _embedded(net, keep, max_components, generic)


def verify_lifted(fib: Any, comp: Component) -> tuple[dict[str, Any], list[str]]:
    """Proof that a lifted component lies in S(θ): its equalities vanish on its parametrisation, the orthant
    component it lifts is proved by :meth:`~exactrelu.theory.fibers.base.Fiber.verify` of the orthant fiber of
    layers 2-3, and the lift lemma (module doc) plus the dead / silent block lemma give the rest."""
    from exactrelu.theory.fibers.orthant import orthant_fiber

    net = fib.network
    st = bottleneck_structure(net)
    keep = [i for i, k in enumerate(st.second_layer) if k != "dead"]
    fails: list[str] = []
    n_id = 0
    if comp.parametrization is None:
        return {"skipped": "no parametrisation"}, ["no parametrisation to verify"]
    sub = {s: comp.parametrization[s] for s in comp.symbols}
    for e in comp.equalities:
        n_id += 1
        if not S.is_zero_identically(e.xreplace(sub)):
            fails.append(f"equality {e} = 0 does not hold on the parametrisation")
    gk = int(comp.origin["orthant_component"]) - 1
    v = orthant_fiber(_shallow_part(net, keep), "orthant").verify(gk)
    fails += [f"orthant component {gk + 1}: {f}" for f in v.failures]
    return {"system_identities": n_id, "orthant_component": gk + 1, "orthant_verified": v.ok,
            "proof": "orthant component proved by Fiber.verify on layers 2-3 + lift lemma (docs/mathematics.md D5)"
            }, fails


VERIFIERS["bottleneck-lifted"] = verify_lifted
