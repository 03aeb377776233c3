"""Symbolic verification that fiber components lie in S(θ) (docs/mathematics.md §1, B3, §2.C, §2.D).

:func:`verify_fiber` is what :meth:`exactrelu.theory.fibers.base.Fiber.verify` runs: for each component, (1) its
parametrisation satisfies its system identically and (2) on every region of C_θ the affine map of the parametrised
η equals θ's (sympy identities), or, for bottleneck translation families, the exact certificate of the whole
family (:func:`exactrelu.theory.fibers.structure.certify_family`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from exactrelu.core.network import Network
from exactrelu.engines import sympylib as S
from exactrelu.theory.fibers.domains import domain_generators, linear_conditions, region_data
from exactrelu.theory.fibers.structure import certify_family

if TYPE_CHECKING:
    from exactrelu.theory.fibers.base import Component, Fiber

__all__ = ["FiberVerification", "verify_fiber", "VERIFIERS"]

#: Component verifiers registered by the modules that build special components, keyed by ``origin["verifier"]``:
#: ``hook(fiber, component) -> (info, failures)`` (e.g. the lifted bottleneck components of
#: :mod:`exactrelu.theory.fibers.blocks`).
VERIFIERS: dict[str, Any] = {}

Point = tuple[Fraction, ...]


@dataclass(frozen=True)
class FiberVerification:
    """What :meth:`Fiber.verify` checked, symbolically (sympy), for each verified component.

    ``ok`` is True iff every check reduced to an identity; ``checks`` holds one dict per component with the counts of
    identities proved (system on the parametrisation, affine maps per region) and the activation patterns used;
    ``failures`` lists any difference that did not reduce to zero.
    """

    ok: bool
    checks: tuple[dict[str, Any], ...]
    failures: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (f"FiberVerification(ok={self.ok}, {len(self.checks)} component(s) checked, "
                f"{len(self.failures)} failure(s))")

    def __str__(self) -> str:
        head = ("verified" if self.ok else "NOT verified") + f": {len(self.checks)} component(s) checked"
        return "\n".join([head, *(f"  {f}" for f in self.failures)])


def verify_fiber(fib: Fiber, component: int | Sequence[int] | None = None) -> FiberVerification:
    """Symbolic proof that the chosen components lie in S(θ) (all components when ``component`` is None).

    For each component: (1) the parametrisation satisfies its system identically (equalities reduce to 0,
    inequalities have a constant sign for positive scalings); (2) on every region R of the canonical complex
    C_θ (interior point x_R), the activation pattern of η(λ) at x_R is decided by sympy for all λ > 0, and the
    affine map of η(λ) with that pattern minus the affine map (A_R, c_R) of θ reduces to 0.  For one hidden
    layer the first-layer rows of η are multiples of rows of θ (checked), so η's pattern is constant on each
    region and (2) proves f_η = f_θ on a dense set, hence everywhere.  For deeper networks the pattern of η is
    proved constant on R by checking that every hidden pre-activation of η (an affine form in x on R) is a
    positive multiple of one of θ's (``pattern_constancy``).  For bottleneck components with a T_j
    translation the pattern of η moves with t, so (2) is replaced by the exact certificate of the whole family
    ``t >= t_min`` (:func:`exactrelu.theory.fibers.bottleneck.certify_family`: common refinement in (x, t)); the
    remaining scalings and permutations are trivial symmetries.
    """
    comps = fib.need_components()
    if component is None:
        idx: list[int] = list(range(len(comps)))
    elif isinstance(component, int):
        idx = [component]
    else:
        idx = list(component)
    regions = region_data(fib.network, fib.domain)
    checks, failures = [], []
    for k in idx:
        parts = comps[k].pieces or (comps[k],)
        for q, comp in enumerate(parts):
            hook = VERIFIERS.get(str(comp.origin.get("verifier", "")))
            family = fib.kind == "bottleneck" and str(comp.origin.get("hidden_symmetry", "")).startswith("T_")
            if hook is not None:
                info, fails = hook(fib, comp)
                family = False
            else:
                info, fails = _verify_component(fib.network, comp, [] if family else regions, fib.domain)
            if family:
                info.update(_certify_translation_family(fib.network, comp))
                info["pattern_constancy"] = ("not needed: the family is certified by the common refinement "
                                             "in (x, t)")
                if not info["family_certified"]:
                    fails.append("the translation family was not certified")
            spare = comp.origin.get("spare_neurons") or {}
            if spare:
                info["spare_blocks"] = {q_: ("dead: W2'_q <= 0, b2'_q <= 0 make z2_q <= 0 on the orthant h >= 0, so "
                                             "it outputs 0 for every W3'_{:,q}" if kd == "dead" else
                                             "silent: W3'_{:,q} = 0, it outputs 0")
                                        for q_, kd in spare.items()}
            where = f"component {k}" + (f" piece {q}" if len(parts) > 1 else "")
            checks.append({"component": k, **({"piece": q} if len(parts) > 1 else {}), **info})
            failures += [f"{where}: {f}" for f in fails]
    return FiberVerification(not failures, tuple(checks), tuple(failures))


def _verify_component(net: Network, comp: Component, regions: Sequence[tuple[Any, Point]], domain: Any = None
                      ) -> tuple[dict[str, Any], list[str]]:
    """Symbolic checks of one component; returns (what was checked, failures)."""
    if comp.parametrization is None:
        return {"skipped": "no parametrisation"}, ["no parametrisation to verify"]
    fails: list[str] = []
    syms = comp.symbols
    par = [sp.sympify(comp.parametrization[s]) for s in syms]
    sub = dict(zip(syms, par, strict=True))
    positive = [s for s in comp.free_symbols if s.is_positive]
    n_eq = 0
    for e in comp.equalities:
        n_eq += 1
        if not S.is_zero_identically(sp.sympify(e).xreplace(sub)):
            fails.append(f"equality {e} = 0 does not hold on the parametrisation")
    # an inequality holds on the parametrisation if sympy decides its sign for positive scalings, or if it is
    # literally one of the conditions defining the domain of the free parameters
    for e in comp.strict:
        e2 = sp.sympify(e).xreplace(sub)
        if S.sign_for_positive(e2, positive) != 1 and not _is_one_of(e2, comp.free_strict):
            fails.append(f"strict inequality {e} > 0 not proved on the parametrisation")
    for e in comp.nonstrict:
        e2 = sp.sympify(e).xreplace(sub)
        if S.sign_for_positive(e2, positive) not in (0, 1) and not _is_one_of(e2, comp.free_nonstrict):
            fails.append(f"inequality {e} >= 0 not proved on the parametrisation")
    # rebuild the symbolic network eta(lambda)
    arch = comp.architecture
    layers: list[tuple[list[list[sp.Expr]], list[sp.Expr]]] = []
    pos = 0
    for l in range(1, len(arch)):
        n_in, n_out = arch[l - 1], arch[l]
        W = [par[pos + i * n_in: pos + (i + 1) * n_in] for i in range(n_out)]
        pos += n_in * n_out
        b = par[pos: pos + n_out]
        pos += n_out
        layers.append((W, b))
    rows_ok = True
    # neurons declared linear on the domain Ω: active on all of Ω because z_i >= 0 at every vertex and z_i is
    # non-decreasing along every ray (and constant along lines) are among the conditions of the component
    linear = [i - 1 for i in comp.origin.get("linear_neurons", [])]
    if linear:
        gens = domain_generators(domain, arch[0])
        nonneg, eqset = set(comp.nonstrict), set(comp.equalities)
        for i in linear:
            line_eqs, conds = linear_conditions(arch, i, gens)
            if not (all(e in nonneg for e in conds) and all(e in eqset for e in line_eqs)):
                fails.append(f"neuron {i + 1} is declared linear but its activity on the domain is not implied")
    forced: dict[int, int] = {i: 1 for i in linear}
    # neurons declared dead on Ω: z_i <= 0 at every vertex, non-increasing along every ray, constant along lines
    dead = [i - 1 for i in comp.origin.get("dead_on_domain", [])]
    if dead:
        gens = domain_generators(domain, arch[0])
        nonneg, eqset = set(comp.nonstrict), set(comp.equalities)
        for i in dead:
            line_eqs, conds = linear_conditions(arch, i, gens)
            if not (all(-e in nonneg for e in conds) and all(e in eqset for e in line_eqs)):
                fails.append(f"neuron {i + 1} is declared dead on the domain but its inactivity is not implied")
        forced.update({i: -1 for i in dead})
    # a canceling pair (i, j) on a free hyperplane: z_j = -c z_i with c > 0 and W2_i + c W2_j = 0, so
    # W2_i relu(z_i) + W2_j relu(z_j) = W2_j z_j everywhere (relu(z) - relu(-z) = z): count i inactive, j active
    pair = comp.origin.get("canceling_pair")
    if pair:
        i, j = pair[0] - 1, pair[1] - 1
        W1, b1 = layers[0]
        ri, rj = [*W1[i], b1[i]], [*W1[j], b1[j]]
        p = next(q for q in range(arch[0]) if not S.is_zero_identically(ri[q]))
        c = sp.cancel(-rj[p] / ri[p])
        W2 = layers[1][0]
        ok = (S.sign_for_positive(c, positive) == 1 and all(S.is_zero_identically(y + c * x) for x, y in zip(ri, rj))
              and all(S.is_zero_identically(row[i] + c * row[j]) for row in W2))
        if not ok:
            fails.append(f"neurons {i + 1}, {j + 1} are declared a canceling pair but the identity does not hold")
        forced.update({i: -1, j: 1})
    # a zero-sum group: rows μ_i (w, c) with μ_i > 0 and Σ μ_i W2_i = 0, so Σ W2_i relu(μ_i z) = 0 everywhere: count
    # every member inactive
    groups = comp.origin.get("zero_sum_groups") or []
    for members in groups:
        idx = [i - 1 for i in members]
        W1, b1 = layers[0]
        W2 = layers[1][0]
        lead = [*W1[idx[0]], b1[idx[0]]]
        p = next((q for q in range(arch[0]) if not S.is_zero_identically(lead[q])), None)
        ok = p is not None
        mus = []
        for i in idx:
            ri = [*W1[i], b1[i]]
            mu = sp.cancel(ri[p] / lead[p]) if ok else sp.Integer(0)
            mus.append(mu)
            ok = ok and (i == idx[0] or S.sign_for_positive(mu, positive) == 1) and all(
                S.is_zero_identically(x - mu * y) for x, y in zip(ri, lead))
        ok = ok and all(S.is_zero_identically(sp.Add(*[mu * row[i] for mu, i in zip(mus, idx)])) for row in W2)
        if not ok:
            fails.append(f"neurons {members} are declared a zero-sum group but the identity does not hold")
        forced.update({i: -1 for i in idx})
    if net.depth == 1:  # neurons with zero output weights contribute nothing; constant neurons have a known sign
        W1, b1 = layers[0]
        W2 = layers[1][0]
        nonneg_free = set(comp.free_nonstrict)
        strict_free = set(comp.free_strict)
        for i in range(arch[1]):
            if i in forced:
                continue
            if all(S.is_zero_identically(row[i]) for row in W2):
                forced[i] = -1                          # any sign: W2_i = 0
            elif all(S.is_zero_identically(v) for v in W1[i]):
                sgn = S.sign_for_positive(b1[i], positive)
                if sgn is None:
                    sgn = 1 if b1[i] in strict_free else -1 if (-b1[i] in nonneg_free or b1[i] == 0) else None
                if sgn is None:
                    fails.append(f"constant neuron {i + 1}: the sign of its bias is not decided")
                else:
                    forced[i] = 1 if sgn > 0 else -1  # relu(b) = b for b > 0, 0 for b <= 0
    if net.depth == 1:  # eta's first-layer hyperplanes must be hyperplanes of theta (pattern constant on regions)
        theta_rows = [tuple(r) + (bb,) for r, bb in zip(net.layers[0].weights, net.layers[0].biases)]
        W1, b1 = layers[0]
        for i in range(arch[1]):
            if i in forced:
                continue
            row = [*W1[i], b1[i]]
            if all(S.is_zero_identically(v) for v in row):
                continue
            if not any(_proportional(row, tr) for tr in theta_rows):
                rows_ok = False
                fails.append(f"first-layer row {i + 1} of η is not a multiple of a row of θ")
    patterns = []
    n_aff = 0
    constant_patterns = True  # depth >= 2: every hidden pre-activation of η is a positive multiple of one of θ on R
    for pattern, x0 in regions:
        A_t, c_t = net.affine_map(pattern)
        theta_forms = _preactivation_forms(net, pattern) if net.depth >= 2 else None
        xs = [S.to_sympy(v) for v in x0]
        # symbolic forward pass at x0 with the pattern decided for all positive free symbols
        A = [[sp.Integer(int(i == j)) for j in range(len(xs))] for i in range(len(xs))]
        c: list[sp.Expr] = [sp.Integer(0)] * len(xs)
        a_val = xs
        eta_pattern = []
        for l, (W, b) in enumerate(layers):
            z = [sp.expand(sum((w * v for w, v in zip(row, a_val, strict=True)), bb)) for row, bb in zip(W, b)]
            newA = [[sp.expand(sum((w * A[k][j] for k, w in enumerate(row)), sp.Integer(0)))
                     for j in range(len(xs))] for row in W]
            newc = [sp.expand(sum((w * c[k] for k, w in enumerate(row)), bb)) for row, bb in zip(W, b)]
            if l < len(layers) - 1:
                signs = [forced[i] if (l == 0 and i in forced) else S.sign_for_positive(zi, positive)
                         for i, zi in enumerate(z)]
                if any(s is None for s in signs):
                    fails.append(f"region {pattern}: sign of a layer-{l + 1} pre-activation of η not decided")
                    break
                eta_pattern.append(tuple(signs))
                if theta_forms is not None and constant_patterns:
                    constant_patterns = all(_positive_multiple_of_some([*newA[i], newc[i]], theta_forms[l], positive)
                                            for i in range(len(W)))
                newA = [r if s == 1 else [sp.Integer(0)] * len(xs) for r, s in zip(newA, signs)]
                newc = [v if s == 1 else sp.Integer(0) for v, s in zip(newc, signs)]
                a_val = [zi if s == 1 else sp.Integer(0) for zi, s in zip(z, signs)]
            A, c = newA, newc
        else:
            for r in range(len(A)):
                for j in range(len(xs)):
                    n_aff += 1
                    if not S.is_zero_identically(A[r][j] - S.to_sympy(A_t[r][j])):
                        fails.append(f"region {pattern}: slope entry ({r + 1},{j + 1}) differs")
                n_aff += 1
                if not S.is_zero_identically(c[r] - S.to_sympy(c_t[r])):
                    fails.append(f"region {pattern}: offset entry {r + 1} differs")
            patterns.append({"theta": [list(p) for p in pattern], "eta": [list(p) for p in eta_pattern]})
    info = {"system_identities": n_eq, "strict": len(comp.strict), "nonstrict": len(comp.nonstrict),
            "linear_neurons_active_by_inequalities": [i + 1 for i in linear],
            "canceling_pair_identity": pair or None,
            "zero_sum_group_identities": groups or None,
            "regions": len(regions), "affine_identities": n_aff, "rows_in_theta_arrangement": rows_ok,
            "pattern_constancy": ("rows of θ" if net.depth == 1 else
                                  "pre-activations are positive multiples of θ's on every region" if
                                  constant_patterns and regions else "not proved"),
            "proof": (net.depth == 1 and rows_ok) or (net.depth >= 2 and constant_patterns and bool(regions)),
            "patterns": patterns}
    return info, fails


def _preactivation_forms(net: Network, pattern: Sequence[Sequence[int]]) -> list[list[list[Fraction]]]:
    """θ's hidden pre-activations on the region of ``pattern`` as affine forms ``[a_1..a_d, c]``, per layer."""
    d = net.input_dim
    A = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    c = [Fraction(0)] * d
    out = []
    for l, layer in enumerate(net.layers[:-1]):
        newA = [[sum((w * A[k][j] for k, w in enumerate(row)), Fraction(0)) for j in range(d)] for row in layer.weights]
        newc = [sum((w * c[k] for k, w in enumerate(row)), bb) for row, bb in zip(layer.weights, layer.biases)]
        out.append([[*ra, ca] for ra, ca in zip(newA, newc)])
        s = pattern[l]
        A = [r if s[i] > 0 else [Fraction(0)] * d for i, r in enumerate(newA)]
        c = [v if s[i] > 0 else Fraction(0) for i, v in enumerate(newc)]
    return out


def _positive_multiple_of_some(form: Sequence[sp.Expr], candidates: Sequence[Sequence[Fraction]],
                               positive: Sequence[sp.Symbol]) -> bool:
    """Is the affine form (symbolic coefficients) μ · (one of the candidate forms) with μ > 0 for all positive
    free symbols?  (Then its sign on the region equals that neuron's constant sign.)  A zero form needs a zero one."""
    if all(S.is_zero_identically(v) for v in form):
        return any(not any(cand) for cand in candidates)
    for cand in candidates:
        q = next((i for i, v in enumerate(cand) if v != 0), None)
        if q is None:
            continue
        mu = sp.cancel(form[q] / S.to_sympy(cand[q]))
        if S.sign_for_positive(mu, positive) == 1 and all(
                S.is_zero_identically(form[i] - mu * S.to_sympy(cand[i])) for i in range(len(cand))):
            return True
    return False


def _certify_translation_family(net: Network, comp: Component) -> dict[str, Any]:
    K = [k - 1 for k in comp.origin.get("orientation_set", [])]
    res = certify_family(net, K)
    return {"family_certified": bool(res), "family_method": res.method, "family_regions": res.regions,
            "proof": bool(res)}


def _is_one_of(expr: sp.Expr, conditions: Sequence[sp.Expr]) -> bool:
    return any(S.is_zero_identically(expr - c) for c in conditions)


def _proportional(row: Sequence[sp.Expr], target: Sequence[Fraction]) -> bool:
    """row = μ · target for some nonzero expression μ (all 2x2 minors vanish identically)."""
    k = next((i for i, t in enumerate(target) if t != 0), None)
    if k is None:
        return False
    return all(S.is_zero_identically(row[i] * S.to_sympy(target[k]) - row[k] * S.to_sympy(target[i]))
               for i in range(len(target)))
