"""Shallow fibers on R^d for any width: every neuron classified by its *type* (docs/mathematics.md B6).

For f = Σ_j C_j relu(a_j·x + t_j) + A x + β (canonical data, docs/mathematics.md B1) and a width n, every η of width
n with f_η = f is obtained by giving each neuron i one type:

* ``vis j o``: on the breakpoint hyperplane H_j with orientation o, (W1_i, b1_i) = o λ_i (a_j, t_j), jump
  U_i = λ_i W2_i; the neurons on H_j have jumps adding up to C_j (any number of neurons, both orientations);
* ``group g``: on a hyperplane that is not a breakpoint of f, all members of group g with the same orientation
  ((W1_i, b1_i) = μ_i (w_g, c_g), μ_i > 0, at least two members) and jumps adding up to 0 (they cancel everywhere);
* ``pair ±``: a canceling pair with opposite orientations on a hyperplane a_G·x + t_G = 0 (t_G free) whose linear
  term u a_G^T supplies the rank-one residual r_S = A + Σ_{j∈S} C_j a_j^T (allowed when every H_j carries neurons of
  one orientation only, S those of orientation -1);
* ``zero`` (W2_i = 0, row free), ``dead`` (W1_i = 0, b1_i <= 0), ``constant`` (W1_i = 0, b1_i > 0).

With these types the identity f_η = f reads: jump sums per H_j and per group; Σ_{neurons of orientation -1}
W2_i W1_i = A (linear part); b2 + Σ_{orientation -1} W2_i b1_i + Σ_constant W2_i b1_i = β.  For fixed types the jumps
U solve a linear system (solved exactly here: U = U0 + N s), so every *family* (a type for each labelled neuron) is a
basic semi-algebraic set with an injective rational parametrisation; its dimension is the number of free parameters.

The families cover S(θ) except for configurations with a canceling group of both orientations beyond the ``pair``
type (three or more members, two such groups, or a pair beside an H_j carrying both orientations), which need at
least three neurons beyond the k breakpoint hyperplanes.  So the listing is **complete when n <= k + 2** and is marked
incomplete otherwise (then :meth:`Fiber.contains` decides the rest by an exact equivalence test).  Families are
basic pieces, not connected components: families sharing an orientation pattern meet where a neuron's output weight
vanishes.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.core.network import Network
from exactrelu.engines import sympylib as S
from exactrelu.theory.equality.shallow import CanonicalData
from exactrelu.theory.fibers.base import Component, Fiber

__all__ = ["wide_fiber", "family_shapes", "MAX_WIDE_FAMILIES"]

_ZERO = Fraction(0)
#: refuse to build more labelled families than this
MAX_WIDE_FAMILIES = 20_000

Slot = tuple[Any, ...]


def _solve(rows: list[list[Fraction]], rhs: list[Fraction], nvar: int
           ) -> tuple[list[Fraction], list[list[Fraction]]] | None:
    """Exact solution set of ``rows · u = rhs``: (particular solution, null-space basis), or None if infeasible."""
    A = [list(r) + [b] for r, b in zip(rows, rhs)]
    piv: list[int] = []
    r = 0
    for c in range(nvar):
        k = next((i for i in range(r, len(A)) if A[i][c] != 0), None)
        if k is None:
            continue
        A[r], A[k] = A[k], A[r]
        p = A[r][c]
        A[r] = [x / p for x in A[r]]
        for i in range(len(A)):
            if i != r and A[i][c] != 0:
                f = A[i][c]
                A[i] = [x - f * y for x, y in zip(A[i], A[r])]
        piv.append(c)
        r += 1
    if any(row[nvar] != 0 for row in A[r:]):
        return None
    u0 = [_ZERO] * nvar
    for i, c in enumerate(piv):
        u0[c] = A[i][nvar]
    basis = []
    for f in (c for c in range(nvar) if c not in piv):
        v = [_ZERO] * nvar
        v[f] = Fraction(1)
        for i, c in enumerate(piv):
            v[c] = -A[i][f]
        basis.append(v)
    return u0, basis


def _partitions(total: int, least: int = 2) -> Iterator[tuple[int, ...]]:
    """Partitions of ``total`` into parts >= ``least`` (non-increasing)."""
    if total == 0:
        yield ()
        return
    for first in range(total, least - 1, -1):
        for rest in _partitions(total - first, least):
            if not rest or rest[0] <= first:
                yield (first, *rest)


def _rank1(M: list[list[Fraction]]) -> tuple[list[Fraction], list[Fraction]] | None:
    """(col, a) with M = col a^T, a's first nonzero entry 1, if M has rank exactly one."""
    nz = [(r, c) for r, row in enumerate(M) for c, v in enumerate(row) if v]
    if not nz:
        return None
    r0 = nz[0][0]
    p = next(c for c, v in enumerate(M[r0]) if v)
    a = [v / M[r0][p] for v in M[r0]]
    col = [row[p] for row in M]
    if all(M[r][c] == col[r] * a[c] for r in range(len(M)) for c in range(len(a))):
        return col, a
    return None


def family_shapes(data: CanonicalData, n: int) -> list[tuple[list[Slot], dict[str, Any]]]:
    """The feasible unlabelled families (multisets of neuron types, see the module doc) of width ``n``."""
    k, d, m = data.num_hyperplanes, data.input_dim, data.output_dim
    H = data.hyperplanes
    e = n - k
    out: list[tuple[list[Slot], dict[str, Any]]] = []
    if e < 0:
        return out
    per_h = [(p, q) for s in range(1, e + 2) for p in range(s + 1) for q in [s - p]]
    if len(per_h) ** k > 200_000:
        raise RegionLimitError(f"{len(per_h)}^{k} arrangements of neurons on the {k} hyperplanes to try")
    for cfg in itertools.product(per_h, repeat=k):
        used = sum(p + q - 1 for p, q in cfg)
        if used > e:
            continue
        rest = e - used
        mixed = any(p and q for p, q in cfg)
        Sset = [j for j, (p, q) in enumerate(cfg) if q]
        pair = None
        if not mixed:
            rS = [[data.linear[r][c] + sum((H[j][2][r] * H[j][0][c] for j in Sset), _ZERO) for c in range(d)]
                  for r in range(m)]
            pair = _rank1(rS)
        for npair in ((0, 1) if pair is not None and rest >= 2 else (0,)):
            rest2 = rest - 2 * npair
            for gtot in range(0, rest2 + 1):
                for groups in _partitions(gtot):
                    left = rest2 - gtot
                    for z in range(left + 1):
                        for dd in range(left - z + 1):
                            c = left - z - dd
                            slots: list[Slot] = []
                            for j, (p, q) in enumerate(cfg):
                                slots += [("vis", j, 1)] * p + [("vis", j, -1)] * q
                            for g, size in enumerate(groups):
                                slots += [("group", g)] * size
                            if npair:
                                slots += [("pair", 1), ("pair", -1)]
                            slots += [("zero",)] * z + [("dead",)] * dd + [("constant",)] * c
                            sol = _jump_system(data, slots, pair if npair else None)
                            if sol is None:
                                continue
                            out.append((slots, {"pair": pair if npair else None, "solution": sol}))
    return out


def _u_carriers(slots: Sequence[Slot]) -> list[int]:
    return [i for i, s in enumerate(slots) if s[0] in ("vis", "group")]


def _jump_system(data: CanonicalData, slots: Sequence[Slot], pair: Any
                 ) -> tuple[list[Fraction], list[list[Fraction]]] | None:
    """Solve for the jumps U of the vis/group neurons (m each): jump sums and the linear part (module doc)."""
    k, d, m = data.num_hyperplanes, data.input_dim, data.output_dim
    H = data.hyperplanes
    car = _u_carriers(slots)
    pos = {i: q for q, i in enumerate(car)}
    nvar = m * len(car)
    rows: list[list[Fraction]] = []
    rhs: list[Fraction] = []
    for j in range(k):
        for r in range(m):
            row = [_ZERO] * nvar
            for i in car:
                if slots[i][0] == "vis" and slots[i][1] == j:
                    row[m * pos[i] + r] = Fraction(1)
            rows.append(row)
            rhs.append(H[j][2][r])
    groups = sorted({s[1] for s in slots if s[0] == "group"})
    for g in groups:
        for r in range(m):
            row = [_ZERO] * nvar
            for i in car:
                if slots[i] == ("group", g):
                    row[m * pos[i] + r] = Fraction(1)
            rows.append(row)
            rhs.append(_ZERO)
    # linear part: -sum_{vis, o=-1} U_i a_j^T (+ r_S from a pair) = A
    rS = None if pair is None else [[pair[0][r] * pair[1][c] for c in range(d)] for r in range(m)]
    for r in range(m):
        for c in range(d):
            row = [_ZERO] * nvar
            for i in car:
                if slots[i][0] == "vis" and slots[i][2] < 0:
                    row[m * pos[i] + r] = H[slots[i][1]][0][c]
            rows.append(row)
            rhs.append((rS[r][c] if rS else _ZERO) - data.linear[r][c])
    return _solve(rows, rhs, nvar)


def _labellings(slots: list[Slot]) -> Iterator[tuple[Slot, ...]]:
    """Distinct assignments of the slots to neurons 0..n-1, group labels renumbered by first appearance."""
    seen: set[tuple[Slot, ...]] = set()
    for perm in itertools.permutations(slots):
        ren: dict[int, int] = {}
        lab = []
        for s in perm:
            if s[0] == "group":
                ren.setdefault(s[1], len(ren))
                lab.append(("group", ren[s[1]]))
            else:
                lab.append(s)
        t = tuple(lab)
        if t not in seen:
            seen.add(t)
            yield t


def _family(arch: tuple[int, ...], data: CanonicalData, lab: tuple[Slot, ...], info: dict[str, Any],
            shape_slots: list[Slot]) -> Component:
    d, n, m = arch
    H = data.hyperplanes
    syms = S.parameter_symbols(arch)
    W1 = [[syms[i * d + c] for c in range(d)] for i in range(n)]
    b1 = [syms[n * d + i] for i in range(n)]
    W2 = [[syms[n * (d + 1) + r * n + i] for i in range(n)] for r in range(m)]
    b2 = [syms[n * (d + 1) + m * n + r] for r in range(m)]
    row = [[*W1[i], b1[i]] for i in range(n)]
    eqs: list[Any] = []
    strict: list[Any] = []
    nonstrict: list[Any] = []
    par: dict[Any, Any] = {}
    free: list[Any] = []
    fstrict: list[Any] = []
    fnonstrict: list[Any] = []
    fpoint: dict[Any, Fraction] = {}
    # the jumps: U = U0 + N s, carriers in the order of the shape's slots, matched by type to labelled neurons
    u0, basis = info["solution"]
    ss = [S.free_symbol(f"s_{q + 1}") for q in range(len(basis))]
    free += ss
    fpoint.update({s: _ZERO for s in ss})
    shape_car = _u_carriers(shape_slots)
    # match each labelled carrier to a carrier of the shape of the same type; labelled groups go to shape groups of
    # the same size (the jump system treats all groups of one size alike)
    def sizes(slots: Sequence[Slot]) -> dict[int, int]:
        out: dict[int, int] = {}
        for s_ in slots:
            if s_[0] == "group":
                out[s_[1]] = out.get(s_[1], 0) + 1
        return out

    lab_sizes, shape_sizes = sizes(lab), sizes(shape_slots)
    gmap: dict[int, int] = {}
    for g, size in sorted(lab_sizes.items()):
        gmap[g] = next(h for h, sz in sorted(shape_sizes.items()) if sz == size and h not in gmap.values())
    avail = list(shape_car)
    U: dict[int, list[Any]] = {}
    for i in range(n):
        if lab[i][0] not in ("vis", "group"):
            continue
        want = lab[i] if lab[i][0] == "vis" else ("group", gmap[lab[i][1]])
        si = next(si for si in avail if shape_slots[si] == want)
        avail.remove(si)
        q = shape_car.index(si)
        U[i] = [S.to_sympy(u0[m * q + r]) + sp.Add(*[S.to_sympy(v[m * q + r]) * s for v, s in zip(basis, ss)])
                for r in range(m)]
    neg: list[int] = []
    const: list[int] = []
    lam: dict[int, Any] = {}
    # vis neurons
    for j in range(len(H)):
        on = [i for i in range(n) if lab[i][0] == "vis" and lab[i][1] == j]
        a, t, C = H[j]
        v = (*a, t)
        p = next(q for q, x in enumerate(a) if x)
        for i in on:
            o = lab[i][2]
            eqs += [row[i][c] - S.to_sympy(v[c]) * row[i][p] for c in range(d + 1) if c != p]
            strict.append(o * row[i][p])
            lam[i] = S.free_symbol(f"lambda_{i + 1}", positive=True)
            free.append(lam[i])
            par.update({row[i][c]: o * S.to_sympy(v[c]) * lam[i] for c in range(d + 1)})
            par.update({W2[r][i]: U[i][r] / lam[i] for r in range(m)})
            if o < 0:
                neg.append(i)
        for r in range(m):
            eqs.append(sp.Add(*[lab[i][2] * row[i][p] * W2[r][i] for i in on]) - S.to_sympy(C[r]))
    # same-orientation canceling groups
    groups: dict[int, list[int]] = {}
    for i in range(n):
        if lab[i][0] == "group":
            groups.setdefault(lab[i][1], []).append(i)
    for g, members in sorted(groups.items()):
        L = members[0]
        ws = [S.free_symbol(f"w_{g + 1}_{c + 1}") for c in range(d)]
        cg = S.free_symbol(f"c_{g + 1}")
        free += [*ws, cg]
        fpoint.update({w: Fraction(1 + c) for c, w in enumerate(ws)})
        fpoint[cg] = Fraction(g + 1, 2)
        fstrict.append(sp.Add(*[w ** 2 for w in ws]))
        strict.append(sp.Add(*[x ** 2 for x in W1[L]]))
        for i in members:
            mu = sp.Integer(1) if i == L else S.free_symbol(f"mu_{i + 1}", positive=True)
            if i != L:
                free.append(mu)
                eqs += [row[i][x] * row[L][y] - row[i][y] * row[L][x]
                        for x, y in itertools.combinations(range(d + 1), 2)]
                strict.append(sp.Add(*[row[i][c] * row[L][c] for c in range(d + 1)]))
                fstrict.append(mu * sp.Add(*[x ** 2 for x in (*ws, cg)]))
            par.update({row[i][c]: mu * (ws[c] if c < d else cg) for c in range(d + 1)})
            par.update({W2[r][i]: U[i][r] / mu for r in range(m)})
        for r in range(m):
            eqs.append(sp.Add(*[sp.Add(*[row[i][c] * row[L][c] for c in range(d + 1)]) * W2[r][i] for i in members]))
    # a canceling pair of opposite orientations on a_G . x + t_G = 0 supplying r_S = col a_G^T
    pair_idx: list[int] = []
    if info["pair"] is not None:
        col, aG = info["pair"]
        tG = S.free_symbol("t_G")
        free.append(tG)
        fpoint[tG] = _ZERO
        p = next(q for q, x in enumerate(aG) if x)
        ip = next(i for i in range(n) if lab[i] == ("pair", 1))
        im = next(i for i in range(n) if lab[i] == ("pair", -1))
        pair_idx = [ip, im]
        for i, o in ((ip, 1), (im, -1)):
            eqs += [W1[i][c] - S.to_sympy(aG[c]) * W1[i][p] for c in range(d) if c != p]
            strict.append(o * W1[i][p])
            lam[i] = S.free_symbol(f"lambda_{i + 1}", positive=True)
            free.append(lam[i])
            par.update({W1[i][c]: o * S.to_sympy(aG[c]) * lam[i] for c in range(d)})
            par[b1[i]] = o * lam[i] * tG
            # jumps: U_+ = col, U_- = -col; U = lambda W2 with lambda = o W1[p]
            par.update({W2[r][i]: o * S.to_sympy(col[r]) / lam[i] for r in range(m)})
            eqs += [o * W1[i][p] * W2[r][i] - o * S.to_sympy(col[r]) for r in range(m)]
        eqs.append(b1[ip] * W1[im][p] - b1[im] * W1[ip][p])
        neg.append(im)
    # zero, dead, constant neurons
    for i in range(n):
        kind = lab[i][0]
        if kind == "zero":
            vs = [S.free_symbol(f"v_{i + 1}_{c + 1}") for c in range(d + 1)]
            free += vs
            fpoint.update({v: Fraction(1) for v in vs})
            eqs += [W2[r][i] for r in range(m)]
            par.update({row[i][c]: vs[c] for c in range(d + 1)})
            par.update({W2[r][i]: sp.Integer(0) for r in range(m)})
        elif kind in ("dead", "constant"):
            s_i = S.free_symbol(f"s_{i + 1}_e")
            qs = [S.free_symbol(f"q_{i + 1}_{r + 1}") for r in range(m)]
            free += [s_i, *qs]
            fpoint.update({s_i: Fraction(1), **{q: Fraction(1) for q in qs}})
            eqs += list(W1[i])
            par.update({W1[i][c]: sp.Integer(0) for c in range(d)})
            par.update({W2[r][i]: qs[r] for r in range(m)})
            if kind == "dead":
                nonstrict.append(-b1[i])
                fnonstrict.append(s_i)
                par[b1[i]] = -s_i
            else:
                strict.append(b1[i])
                fstrict.append(s_i)
                par[b1[i]] = s_i
                const.append(i)
    # linear part and constant
    for r in range(m):
        for c in range(d):
            eqs.append(sp.Add(*[W2[r][i] * W1[i][c] for i in neg]) - S.to_sympy(data.linear[r][c]))
        eqs.append(b2[r] + sp.Add(*[W2[r][i] * b1[i] for i in neg + const]) - S.to_sympy(data.constant[r]))
        par[b2[r]] = sp.cancel(S.to_sympy(data.constant[r])
                               - sp.Add(*[par[W2[r][i]] * par[b1[i]] for i in neg + const]))
    values = {**fpoint, **{s: Fraction(1) for s in free if s.is_positive}}
    point = tuple(S.evaluate(par[s], values) for s in syms)
    origin: dict[str, Any] = {
        "case": "wide", "types": [_type_str(s) for s in lab],
        "orientation_set": sorted({s[1] + 1 for s in lab if s[0] == "vis" and s[2] < 0}),
        "hidden_symmetry": _symmetry_str(lab),
    }
    if groups:
        origin["zero_sum_groups"] = [[i + 1 for i in mem] for _g, mem in sorted(groups.items())]
    if pair_idx:
        origin["canceling_pair"] = [i + 1 for i in pair_idx]
    dim = len(free)
    return Component(arch, tuple(eqs), tuple(strict), tuple(nonstrict), dim, point, origin, tuple(free), par,
                     tuple(fstrict), tuple(fnonstrict), fpoint)


def _type_str(s: Slot) -> str:
    if s[0] == "vis":
        return f"H{s[1] + 1}{'+' if s[2] > 0 else '-'}"
    if s[0] == "group":
        return f"G{s[1] + 1}"
    if s[0] == "pair":
        return f"pair{'+' if s[1] > 0 else '-'}"
    return s[0]


def _symmetry_str(lab: Sequence[Slot]) -> str:
    parts = []
    counts: dict[int, set[int]] = {}
    for s in lab:
        if s[0] == "vis":
            counts.setdefault(s[1], set()).add(s[2])
    for j, os in sorted(counts.items()):
        n_on = sum(1 for s in lab if s[0] == "vis" and s[1] == j)
        if n_on > 1:
            parts.append(f"{n_on} neurons split the jump on H_{j + 1}" + (" (both orientations)" if len(os) > 1
                                                                          else ""))
    kinds = [s[0] for s in lab]
    for kind in ("zero", "dead", "constant"):
        if kinds.count(kind):
            parts.append(f"{kinds.count(kind)} {kind} neuron(s)")
    if "group" in kinds:
        parts.append("zero-sum group(s) on a free hyperplane")
    if "pair" in kinds:
        parts.append("canceling pair on a free hyperplane (docs/mathematics.md B4 case 3)")
    return "; ".join(parts) or "none"


def wide_fiber(net: Network, data: CanonicalData, max_components: int = MAX_WIDE_FAMILIES) -> Fiber:
    """The fiber of a one-hidden-layer θ on R^d of any width as the union of its type families (module doc);
    ``complete`` iff n <= k + 2."""
    arch = net.architecture
    d, n, m = arch
    k = data.num_hyperplanes
    shapes = family_shapes(data, n)
    total = 0
    for slots, _info in shapes:
        count = math.factorial(n)
        for mult in Counter(slots).values():
            count //= math.factorial(mult)
        total += count
    if total > max_components:
        raise RegionLimitError(f"the fiber has about {total} type families (> max_components = {max_components})")
    labelled = []
    for slots, info in shapes:
        for lab in _labellings(slots):
            labelled.append((lab, info, slots))
            if len(labelled) > max_components:
                raise RegionLimitError(f"the fiber has more than max_components = {max_components} type families")
    if not labelled:
        raise NotApplicableError(f"width {n} with k = {k} hyperplanes: every realisation needs two or more canceling "
                                 "pairs (or a larger canceling group), which are not enumerated")
    comps = sorted((_family(arch, data, lab, info, slots) for lab, info, slots in labelled),
                   key=lambda c: -c.dimension)
    own = next((q for q, c in enumerate(comps) if c.contains(net)), None)
    for q, c in enumerate(comps):
        c.origin["theta_orbit"] = q == own
    complete = n <= k + 2
    notes = (f"one hidden layer on R^d, width n = {n}, k = {k} breakpoint hyperplanes: {len(shapes)} feasible type "
             f"multiset(s), {len(comps)} labelled type families (docs/mathematics.md B6); each family is a basic "
             "semi-algebraic piece with an injective parametrisation, its dimension the number of free parameters; "
             "families are pieces, not connected components",)
    if complete:
        notes += ("complete: n <= k + 2, so no canceling group of both orientations other than the listed pairs can "
                  "occur (docs/mathematics.md B6)",)
    else:
        notes += (f"NOT complete: n = k + {n - k} leaves room for canceling groups of both orientations (three or "
                  "more neurons, or a pair beside a hyperplane carrying both orientations) that are not enumerated; "
                  "contains() decides points outside the families by an exact equivalence test",)
    return Fiber(net, "shallow", max(c.dimension for c in comps), tuple(comps), None, None, notes, complete=complete)
