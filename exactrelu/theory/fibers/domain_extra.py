"""One-hidden-layer fibers on an orthant or a polyhedron when θ has zero, dead or duplicate neurons there
(docs/mathematics.md §2.C).

θ is reduced to its *core* on Ω: one neuron per visible hyperplane H_j (orientation of θ's neurons there, jump C_j)
and θ's linear neurons; the core is minimal on Ω and its pieces K_S come from
:func:`exactrelu.theory.fibers.orthant.orthant_fiber`.  A family of η puts the core on a subset of the labelled
neurons and gives each remaining neuron one type:

* ``zero``: W2_e = 0, (W1_e, b1_e) free;
* ``dead``: inactive on all of Ω (W1_e·v + b1_e <= 0 at the vertices, W1_e·ρ <= 0 on the rays, W1_e·l = 0 on the
  lines), W2_e free;
* ``dup H_j``: on H_j with the orientation of the core neuron there, the two jumps adding up to C_j.

Every point of a family computes f_θ on Ω (each type contributes nothing there, or splits a jump), so the families
lie in S(θ); they are **not** claimed to be all of it (opposite pairs, canceling groups meeting the interior of Ω and
linear neurons that take over from an extra one are not listed), so ``complete`` is False and
:meth:`Fiber.contains` decides points outside them by an exact equivalence test on Ω.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.core.network import Network
from exactrelu.engines import sympylib as S
from exactrelu.theory.fibers.base import Component, Fiber
from exactrelu.theory.fibers.domains import Gens, domain_generators, signs_on
from exactrelu.theory.fibers.orthant import orthant_fiber

__all__ = ["domain_extra_fiber", "MAX_DOMAIN_FAMILIES"]

_ZERO = Fraction(0)
#: refuse to build more families than this
MAX_DOMAIN_FAMILIES = 5_000


def _normalise(w: tuple[Fraction, ...], b: Fraction) -> tuple[tuple[tuple[Fraction, ...], Fraction], int, Fraction]:
    p = next(q for q, x in enumerate(w) if x)
    o = 1 if w[p] > 0 else -1
    lam = abs(w[p])
    return (tuple(x / (o * lam) for x in w), b / (o * lam)), o, lam


def _core(net: Network, gens: Gens) -> tuple[Network, list[tuple[str, Any]], list[int]]:
    """(core network, type of each neuron of θ, θ's neuron playing each core neuron)."""
    hid, out = net.layers
    d, n, m = net.architecture
    kinds: list[tuple[str, Any]] = [("", None)] * n
    hyper: dict[Any, list[int]] = {}
    linear: list[int] = []
    for i in range(n):
        w, b = tuple(hid.weights[i]), hid.biases[i]
        if not any(row[i] for row in out.weights):
            kinds[i] = ("zero", None)
            continue
        neg, pos = signs_on(w, b, gens)
        if not pos:
            kinds[i] = ("dead", None)
        elif not neg:
            if not any(w):
                raise NotApplicableError(f"neuron {i + 1} is constant and active on the domain (not covered)")
            linear.append(i)
            kinds[i] = ("linear", None)
        else:
            key, o, _lam = _normalise(w, b)
            hyper.setdefault(key, []).append(i)
    rows, biases, cols, owner = [], [], [], []
    for key, idx in hyper.items():
        orient = {_normalise(tuple(hid.weights[i]), hid.biases[i])[1] for i in idx}
        if len(orient) > 1:
            raise NotApplicableError("two neurons of opposite orientations share a visible hyperplane (not covered)")
        o = orient.pop()
        C = [sum((_normalise(tuple(hid.weights[i]), hid.biases[i])[2] * out.weights[r][i] for i in idx), _ZERO)
             for r in range(m)]
        if not any(C):
            raise NotApplicableError("neurons on one visible hyperplane cancel (a zero-sum group; not covered)")
        rows.append([o * x for x in key[0]])
        biases.append(o * key[1])
        cols.append(C)
        owner.append(idx[0])
        for i in idx[1:]:
            kinds[i] = ("dup", idx[0])
        kinds[idx[0]] = ("visible", None)
    for i in linear:
        rows.append(list(hid.weights[i]))
        biases.append(hid.biases[i])
        cols.append([out.weights[r][i] for r in range(m)])
        owner.append(i)
    if not rows:
        raise NotApplicableError("no neuron is visible or linear on the domain: f is constant there (not covered)")
    core = Network.from_lists([(rows, biases), ([[c[r] for c in cols] for r in range(m)], list(out.biases))])
    return core, kinds, owner


def domain_extra_fiber(net: Network, domain: Any = "orthant", max_components: int = MAX_DOMAIN_FAMILIES) -> Fiber:
    """Families of S(θ) on Ω for a θ with zero, dead or duplicate neurons on Ω (module doc); ``complete=False``."""
    from exactrelu.geometry.polyhedra import Orthant
    from exactrelu.theory.equality.equivalence import equivalent

    if net.depth != 1:
        raise NotApplicableError(f"fibers on a domain need one hidden layer, the network has {net.depth}")
    d, n, m = net.architecture
    gens = domain_generators(domain, d)
    core, kinds, _owner = _core(net, gens)
    n_core = core.architecture[1]
    if n_core == n:
        raise NotApplicableError("θ has no zero, dead or duplicate neuron on the domain")
    dom = Orthant(d) if domain is None or isinstance(domain, str) else domain
    if not bool(equivalent(core, net, dom)):  # pragma: no cover - the core computes f on Ω by construction
        raise NotApplicableError("internal: the core network does not compute f on the domain")
    cf = orthant_fiber(core, domain)
    n_hyp = sum(1 for c in cf.components[0].origin["visible_neurons"])
    extra_types = ["zero", "dead", *[f"dup{j}" for j in range(n_hyp)]]
    total = len(cf.components) * len(list(itertools.combinations(range(n), n_core))) * len(extra_types) ** (n - n_core)
    if total > max_components:
        raise RegionLimitError(f"about {total} families on the domain (> max_components = {max_components})")
    dead_gens = _dead_cone_generators(gens, d)
    comps: list[Component] = []
    for cc in cf.components:
        for sub in itertools.combinations(range(n), n_core):
            rest = [i for i in range(n) if i not in sub]
            for types in itertools.product(extra_types, repeat=len(rest)):
                comps.append(_family(net.architecture, cc, sub, dict(zip(rest, types)), dead_gens, gens))
    comps.sort(key=lambda c: -c.dimension)
    own = next((q for q, c in enumerate(comps) if c.contains(net)), None)
    if own is None:
        raise NotApplicableError("θ's own extra neurons are not of the listed types on the domain")
    for q, c in enumerate(comps):
        c.origin["theta_orbit"] = q == own
    where = "the orthant" if dom is not domain or isinstance(domain, str) else "the polyhedron"
    notes = (f"one hidden layer on {where} with {n - n_core} neuron(s) beyond its core of {n_core} (zero, dead or "
             f"duplicate neurons of θ on the domain): {len(comps)} families = the core pieces K_S (docs/mathematics.md "
             "§2.C) on a subset of the neurons, each other neuron zero, dead on the domain or splitting a visible "
             "jump",
             "NOT complete: opposite pairs, canceling groups meeting the interior of the domain and linear neurons "
             "taking over from an extra one are not listed; contains() decides points outside the families by an "
             "exact equivalence test on the domain",)
    return Fiber(net, "orthant" if where == "the orthant" else "polyhedral", max(c.dimension for c in comps),
                 tuple(comps), None, "orthant" if where == "the orthant" else domain, notes, complete=False)


def _extra_str(types: dict[int, str]) -> str:
    parts = []
    for e, k in sorted(types.items()):
        what = "splits the jump on H_" + str(int(k[3:]) + 1) if k.startswith("dup") else (
            "is zero (row free)" if k == "zero" else "is dead on the domain")
        parts.append(f"neuron {e + 1} {what}")
    return ", ".join(parts)


def _dead_cone_generators(gens: Gens, d: int) -> list[tuple[Fraction, ...]]:
    """Generators (w, b) of the cone of rows inactive on all of Ω (a pointed cone for a full-dimensional Ω... up to
    its lineality, returned as ± pairs)."""
    from exactrelu.geometry.polyhedra import Polyhedron

    verts, rays, lines = gens
    ineq = [[_ZERO, *[-x for x in v], Fraction(-1)] for v in verts] + [[_ZERO, *[-x for x in r], _ZERO] for r in rays]
    eqs = [[_ZERO, *ln, _ZERO] for ln in lines]
    cone = Polyhedron(ineq, eqs, ambient_dim=d + 1)
    _v, cone_rays, cone_lines = cone.generators()
    out = [tuple(Fraction(x) for x in g) for g in cone_rays]
    for g in cone_lines:
        out += [tuple(Fraction(x) for x in g), tuple(-Fraction(x) for x in g)]
    return out


def _family(arch: tuple[int, ...], cc: Component, sub: tuple[int, ...], types: dict[int, str],
            dead_gens: list[tuple[Fraction, ...]], gens: Gens) -> Component:
    d, n, m = arch
    n_core = len(sub)
    core_syms = S.parameter_symbols((d, n_core, m))
    syms = S.parameter_symbols(arch)

    def full(i: int) -> int:
        return sub[i]

    ren: dict[Any, Any] = {}
    for i in range(n_core):
        for c in range(d):
            ren[core_syms[i * d + c]] = syms[full(i) * d + c]
        ren[core_syms[n_core * d + i]] = syms[n * d + full(i)]
        for r in range(m):
            ren[core_syms[n_core * (d + 1) + r * n_core + i]] = syms[n * (d + 1) + r * n + full(i)]
    for r in range(m):
        ren[core_syms[n_core * (d + 1) + m * n_core + r]] = syms[n * (d + 1) + m * n + r]
    eqs = [sp.sympify(e).xreplace(ren) for e in cc.equalities]
    strict = [sp.sympify(e).xreplace(ren) for e in cc.strict]
    nonstrict = [sp.sympify(e).xreplace(ren) for e in cc.nonstrict]
    par = {ren[s]: cc.parametrization[s] for s in core_syms}
    free = list(cc.free_symbols)
    fstrict, fnonstrict = list(cc.free_strict), list(cc.free_nonstrict)
    fpoint = dict(cc.free_point or {})
    W1 = [[syms[i * d + c] for c in range(d)] for i in range(n)]
    b1 = [syms[n * d + i] for i in range(n)]
    W2 = [[syms[n * (d + 1) + r * n + i] for i in range(n)] for r in range(m)]
    vis = [v - 1 for v in cc.origin["visible_neurons"]]        # core indices, in hyperplane (role) order
    perm = cc.origin["permutation"]                             # hyperplane (1-based) of each visible core neuron
    dead: list[int] = []
    dim = cc.dimension
    for e, kind in sorted(types.items()):
        if kind == "zero":
            vs = [S.free_symbol(f"v_{e + 1}_{c + 1}") for c in range(d + 1)]
            free += vs
            fpoint.update({v: Fraction(1) for v in vs})
            eqs += [W2[r][e] for r in range(m)]
            par.update({W1[e][c]: vs[c] for c in range(d)})
            par[b1[e]] = vs[d]
            par.update({W2[r][e]: sp.Integer(0) for r in range(m)})
            dim += d + 1
        elif kind == "dead":
            taus = [S.free_symbol(f"tau_{e + 1}_{q + 1}", positive=True) for q in range(len(dead_gens))]
            qs = [S.free_symbol(f"q_{e + 1}_{r + 1}") for r in range(m)]
            free += [*taus, *qs]
            fpoint.update({q: Fraction(1) for q in qs})
            verts, rays, lines = gens
            row = [*W1[e], b1[e]]
            nonstrict += [-(sp.Add(*[S.to_sympy(x) * y for x, y in zip(v, W1[e])]) + b1[e]) for v in verts]
            nonstrict += [-sp.Add(*[S.to_sympy(x) * y for x, y in zip(ray, W1[e])]) for ray in rays]
            eqs += [sp.Add(*[S.to_sympy(x) * y for x, y in zip(ln, W1[e])]) for ln in lines]
            for c in range(d + 1):
                par[row[c]] = sp.Add(*[t * S.to_sympy(g[c]) for t, g in zip(taus, dead_gens)])
            par.update({W2[r][e]: qs[r] for r in range(m)})
            dead.append(e)
            dim += d + 1 + m
        else:  # dup on the hyperplane of role j: same orientation as the core neuron there, jumps split
            j = int(kind[3:])
            ci = vis[perm.index(j + 1)]
            c_full = full(ci)
            p = next(q for q in range(d) if not sp.sympify(cc.parametrization[core_syms[ci * d + q]]).is_zero)
            xc, xe = W1[c_full][p], W1[e][p]
            rc = [*W1[c_full], b1[c_full]]
            re_ = [*W1[e], b1[e]]
            eqs += [re_[q] * xc - xe * rc[q] for q in range(d + 1) if q != p]   # row_e = κ row_c ...
            strict.append(xe * xc)                                            # ... with κ > 0
            kap = S.free_symbol(f"kappa_{e + 1}", positive=True)
            us = [S.free_symbol(f"u_{e + 1}_{r + 1}") for r in range(m)]
            free += [kap, *us]
            fpoint.update({u: _ZERO for u in us})
            for q in range(d + 1):
                par[re_[q]] = kap * par[rc[q]]
            for r in range(m):
                const = sp.expand(par[W2[r][c_full]] * par[xc])   # o C_r: the core's jump equation W2 x_p = o C_r
                old = sp.expand(W2[r][c_full] * xc - const)
                hits = [q for q, eq in enumerate(eqs) if sp.expand(eq) == old]
                if len(hits) != 1:  # pragma: no cover - the core component carries this equation once
                    raise NotApplicableError("internal: the jump equation of a visible core neuron was not found")
                eqs[hits[0]] = W2[r][c_full] * xc + W2[r][e] * xe - const
                par[W2[r][e]] = us[r] / par[xe]
                par[W2[r][c_full]] = sp.cancel((const - us[r]) / par[xc])
            dim += 1 + m
    values = {**fpoint, **{s: Fraction(1) for s in free if s.is_positive}}
    point = tuple(S.evaluate(par[s], values) for s in syms)
    eqs = [e for e in eqs if e != 0]
    origin = {**dict(cc.origin), "case": "orthant, extra neurons",
              "core_neurons": [i + 1 for i in sub],
              "extra_neurons": {str(e + 1): k if not k.startswith("dup") else f"duplicate on H_{int(k[3:]) + 1}"
                                for e, k in sorted(types.items())},
              "visible_neurons": [full(i) + 1 for i in vis],
              "linear_neurons": [full(i - 1) + 1 for i in cc.origin.get("linear_neurons", [])],
              "dead_on_domain": [e + 1 for e in dead],
              "hidden_symmetry": "; ".join(x for x in (str(cc.origin.get("hidden_symmetry", "")).replace("none", ""),
                                                        _extra_str(types)) if x)}
    return Component(arch, tuple(eqs), tuple(strict), tuple(nonstrict), dim, point, origin, tuple(free), par,
                     tuple(fstrict), tuple(fnonstrict), fpoint)
