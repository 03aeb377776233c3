"""Fibers S(θ) = {η : f_η = f_θ} as finite unions of semi-algebraic components (MATH.md §1, §2.B–D, §3).

A :class:`Component` is a semi-algebraic subset of parameter space Θ_A = R^D, given by an explicit system over the
parameter symbols of :func:`exactrelu.engines.sympylib.parameter_symbols` (``W{l}_{i}_{j}``, ``b{l}_{i}``, 1-based,
canonical
order of MATH.md §1)::

    { η :  e(η) = 0 for e in equalities,  s(η) > 0 for s in strict,  q(η) >= 0 for q in nonstrict }

together with its dimension, one rational point ``point`` in it (canonical order), how it arises (``origin``: the
permutation of neurons onto roles, the orientation set S of MATH.md B3, the hidden symmetry involved) and, when known,
a parametrisation ``parametrization`` (parameter symbol -> expression in ``free_symbols``, whose domain is given by
``free_strict > 0`` / ``free_nonstrict >= 0``).  A :class:`Fiber` is the union of its components (``kind`` says which
theorem produced it: ``"shallow"`` (B2/B3 on R^d), ``"orthant"`` (§2.C), ``"bottleneck"`` (§2.D)) or, with
``kind="local"``, only a local description (``components is None``; ``local`` holds the tangent-space data).

:func:`fiber` dispatches on the architecture: one hidden layer -> :mod:`exactrelu.theory.fibers.shallow`; otherwise the
bottleneck and local descriptions of :mod:`exactrelu.theory.fibers.bottleneck`.

Examples
--------
>>> from exactrelu import examples
>>> F = fiber(examples.relu_minus_shifted_relu())      # MATH.md §7 row 7
>>> F.kind, len(F.components), F.dimension
('shallow', 4, 2)
>>> F.contains(examples.relu_minus_shifted_relu())
True
>>> eta = F.sample(seed=3)
>>> F.contains(eta), F.verify(0).ok
(True, True)
>>> F.components[0].equalities[:2]     # neuron 1 on the kink x = 1 (jump -1): row ∝ (1, -1), W2·W1 = -1
(W1_1_1 + b1_1, W1_1_1*W2_1_1 + 1)
"""

from __future__ import annotations

import json
import random as _random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import NotApplicableError, ShapeError
from exactrelu.core.formatting import format_vector, shorten
from exactrelu.core.network import Network
from exactrelu.core.rational import as_rational, format_rational
from exactrelu.engines import sympylib as S

__all__ = ["Component", "Fiber", "FiberVerification", "Membership", "fiber", "fiber_section", "FORMAT_NAME",
           "FORMAT_VERSION"]

FORMAT_NAME = "exactrelu-fiber"
FORMAT_VERSION = 1

Point = tuple[Fraction, ...]


def _as_point(eta: Network | Sequence[object], arch: tuple[int, ...]) -> Point:
    if isinstance(eta, Network):
        if eta.architecture != arch:
            raise ShapeError(f"the fiber lives in architecture {arch}, got a network of architecture "
                             f"{eta.architecture}")
        return eta.parameters()
    vec = tuple(as_rational(v) for v in eta)
    D = len(S.parameter_symbols(arch))
    if len(vec) != D:
        raise ShapeError(f"architecture {arch} has {D} parameters, got a vector of length {len(vec)}")
    return vec


@dataclass(frozen=True)
class Component:
    """One semi-algebraic piece of a fiber: ``equalities == 0``, ``strict > 0``, ``nonstrict >= 0`` (see module doc).

    ``origin`` is JSON-able (lists, ints, strings).  ``parametrization`` maps every parameter symbol to an expression
    in ``free_symbols`` (positive symbols are the scalings λ_i > 0); its image is exactly the component.

    A connected component that is not one basic semi-algebraic set is given as a union: ``pieces`` (each a
    Component) cover it, and the component's own fields describe its principal (top-dimensional) piece, which is
    also ``pieces[0]``.  Membership, sampling, verification and the exports then go piece by piece.
    """

    architecture: tuple[int, ...]
    equalities: tuple[sp.Expr, ...]
    strict: tuple[sp.Expr, ...]
    nonstrict: tuple[sp.Expr, ...]
    dimension: int
    point: Point
    origin: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    free_symbols: tuple[sp.Symbol, ...] = ()
    parametrization: Mapping[sp.Symbol, sp.Expr] | None = field(default=None, hash=False, compare=False)
    free_strict: tuple[sp.Expr, ...] = ()
    free_nonstrict: tuple[sp.Expr, ...] = ()
    free_point: Mapping[sp.Symbol, Fraction] | None = field(default=None, hash=False, compare=False)
    pieces: tuple[Component, ...] = ()

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        """The parameter symbols, canonical order."""
        return S.parameter_symbols(self.architecture)

    def __repr__(self) -> str:
        what = (f"{len(self.pieces)} pieces" if self.pieces else
                f"{len(self.equalities)} equalities, {len(self.strict)} strict, {len(self.nonstrict)} non-strict")
        sym = self.origin.get("hidden_symmetry") if self.origin else None
        return (f"Component(dimension={self.dimension}, {what}"
                + (f", hidden symmetry {shorten(str(sym), 80)!r}" if sym else "") + ")")

    def __str__(self) -> str:
        parts = self.pieces or (self,)
        lines = [f"component of dimension {self.dimension}" + (f", the union of {len(parts)} pieces"
                                                               if self.pieces else "")]
        for q, p in enumerate(parts):
            pad = "  "
            if self.pieces:
                lines.append(f"  piece {q + 1} (dimension {p.dimension}): {p.origin.get('piece', '')}")
                pad = "    "
            lines += [f"{pad}{S.expr_str(e)} = 0" for e in p.equalities]
            lines += [f"{pad}{S.expr_str(e)} > 0" for e in p.strict]
            lines += [f"{pad}{S.expr_str(e)} >= 0" for e in p.nonstrict]
            lines.append(f"{pad}point: {format_vector(p.point)}")
        return "\n".join(lines)

    def _values(self, point: Point) -> dict[sp.Symbol, Fraction]:
        return dict(zip(self.symbols, point, strict=True))

    def satisfied(self, eta: Network | Sequence[object]) -> dict[str, list[int]]:
        """Indices of the failed equalities / strict / non-strict inequalities at ``eta`` (exact evaluation)."""
        vals = self._values(_as_point(eta, self.architecture))
        return {
            "equalities": [i for i, e in enumerate(self.equalities) if S.evaluate(e, vals) != 0],
            "strict": [i for i, e in enumerate(self.strict) if not S.evaluate(e, vals) > 0],
            "nonstrict": [i for i, e in enumerate(self.nonstrict) if not S.evaluate(e, vals) >= 0],
        }

    def contains(self, eta: Network | Sequence[object]) -> bool:
        """Exact membership: every equality vanishes and every inequality holds at ``eta`` (in some piece)."""
        if self.pieces:
            pt = _as_point(eta, self.architecture)
            return any(p.contains(pt) for p in self.pieces)
        vals = self._values(_as_point(eta, self.architecture))
        return (all(S.evaluate(e, vals) == 0 for e in self.equalities)
                and all(S.evaluate(e, vals) > 0 for e in self.strict)
                and all(S.evaluate(e, vals) >= 0 for e in self.nonstrict))

    def at(self, free_values: Mapping[sp.Symbol, object]) -> Point:
        """The point of the parametrisation at exact values of the free symbols."""
        if self.parametrization is None:
            raise NotApplicableError("this component has no parametrisation")
        vals = {s: as_rational(v) for s, v in free_values.items()}
        return tuple(S.evaluate(self.parametrization[s], vals) for s in self.symbols)

    def sample(self, seed: int = 0, *, max_num: int = 5, max_den: int = 4) -> Point:
        """A seeded rational point of the component (random free parameters; checked with :meth:`contains`).

        Positive free symbols (scalings) are drawn in (0, max_num]; the others uniformly, or, when the component
        records ``free_point`` (the free values of ``point``), as small perturbations of it (shrinking on rejection).
        Without a parametrisation the stored ``point`` is returned.  A union samples the piece chosen by the seed.
        """
        if self.pieces:
            return self.pieces[_random.Random(seed).randrange(len(self.pieces))].sample(seed, max_num=max_num,
                                                                                          max_den=max_den)
        if self.parametrization is None:
            return self.point
        rng = _random.Random(seed)
        for attempt in range(1000):
            vals: dict[sp.Symbol, Fraction] = {}
            for s in self.free_symbols:
                if s.is_positive:
                    vals[s] = Fraction(rng.randint(1, max_num), rng.randint(1, max_den))
                elif self.free_point is not None and s in self.free_point:
                    scale = 2 ** (attempt // 50 + 2)
                    vals[s] = self.free_point[s] + Fraction(rng.randint(-max_num, max_num),
                                                            rng.randint(1, max_den) * scale)
                else:
                    vals[s] = Fraction(rng.randint(-max_num, max_num), rng.randint(1, max_den))
            if all(S.evaluate(e, vals) > 0 for e in self.free_strict) and all(
                    S.evaluate(e, vals) >= 0 for e in self.free_nonstrict):
                pt = self.at(vals)
                if self.contains(pt):
                    return pt
        raise NotApplicableError("no sample found in 1000 seeded tries (free-parameter domain too thin)")

    def simplify(self) -> Component:
        """Same set, tidier system: expanded, primitive (content removed, positive leading sign for equalities),
        duplicates and trivially true conditions dropped."""
        def prim(e: sp.Expr, signed: bool) -> sp.Expr:
            e = sp.expand(e)
            if e == 0 or e.is_number:
                return e
            c, q = sp.Poly(e, *sorted(e.free_symbols, key=str)).primitive()
            out = q.as_expr()
            if not signed and sp.Poly(out, *sorted(out.free_symbols, key=str)).LC() < 0:
                out = -out
            return out

        if self.pieces:
            pieces = tuple(p.simplify() for p in self.pieces)
            return replace(pieces[0], pieces=pieces, origin=self.origin, dimension=self.dimension)
        eqs = _unique(prim(e, False) for e in self.equalities)
        eqs = tuple(e for e in eqs if e != 0)
        strict = tuple(e for e in _unique(prim(e, True) for e in self.strict) if not (e.is_number and e > 0))
        nonstrict = tuple(e for e in _unique(prim(e, True) for e in self.nonstrict) if not (e.is_number and e >= 0))
        return replace(self, equalities=eqs, strict=strict, nonstrict=nonstrict)

    # ------------------------------------------------------------------ exports
    def to_sympy(self) -> sp.Basic:
        """The defining formula ``And(Eq(e, 0), s > 0, q >= 0, ...)`` (``Or`` over the pieces of a union)."""
        if self.pieces:
            return sp.Or(*[p.to_sympy() for p in self.pieces])
        return sp.And(*[sp.Eq(e, 0) for e in self.equalities], *[sp.StrictGreaterThan(e, 0) for e in self.strict],
                      *[sp.GreaterThan(e, 0) for e in self.nonstrict])

    def to_latex(self) -> str:
        """``\\left\\{ \\eta : e_1 = 0, \\dots, s_1 > 0, \\dots \\right\\}`` (one condition per line; a union of
        pieces is written with ``\\cup``)."""
        if self.pieces:
            return r" \cup ".join(p.to_latex() for p in self.pieces)
        conds = ([S.expr_latex(e) + " = 0" for e in self.equalities] + [S.expr_latex(e) + " > 0" for e in self.strict]
                 + [S.expr_latex(e) + r" \geq 0" for e in self.nonstrict])
        return r"\left\{ \eta \;:\; \begin{array}{l} " + r" \\ ".join(conds) + r" \end{array} \right\}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able description with exact strings."""
        out: dict[str, Any] = {
            "dimension": self.dimension,
            "equalities": [S.expr_str(e) for e in self.equalities],
            "strict": [S.expr_str(e) for e in self.strict],
            "nonstrict": [S.expr_str(e) for e in self.nonstrict],
            "point": [format_rational(v) for v in self.point],
            "origin": dict(self.origin),
        }
        if self.pieces:
            out["pieces"] = [p.to_dict() for p in self.pieces]
        if self.parametrization is not None:
            out["free_symbols"] = [str(s) for s in self.free_symbols]
            out["free_strict"] = [S.expr_str(e) for e in self.free_strict]
            out["free_nonstrict"] = [S.expr_str(e) for e in self.free_nonstrict]
            out["parametrization"] = {str(s): S.expr_str(self.parametrization[s]) for s in self.symbols}
        return out


def _unique(items: Iterable[sp.Expr]) -> tuple[sp.Expr, ...]:
    seen: dict[sp.Expr, None] = {}
    for e in items:
        seen.setdefault(e, None)
    return tuple(seen)


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


@dataclass(frozen=True)
class Membership:
    """The answer of :meth:`Fiber.membership`; truthy iff η ∈ S(θ).

    ``method`` says how it was decided: ``"component"`` (η satisfies the system of component ``component``, exact
    evaluation), ``"complete listing"`` (no component contains η and the components are proved to be all of S(θ)),
    or ``"equivalence"`` (the listing is not known to be complete, or there is none, so f_η = f_θ was decided by
    :func:`exactrelu.equivalence.equivalent`, whose ``witness`` or ``certificate`` is in ``equivalence``).
    """

    member: bool
    method: str
    component: int | None = None
    equivalence: Any = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return self.member

    def __str__(self) -> str:
        where = {"component": f"in component {None if self.component is None else self.component + 1}",
                 "complete listing": "in no component of the complete listing",
                 "equivalence": f"decided by exact equivalence ({getattr(self.equivalence, 'method', '?')})"}
        return f"{'member' if self.member else 'not a member'}: {where.get(self.method, self.method)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``member``, ``method``, ``component`` (1-based or null), ``equivalence`` (or null)."""
        return {"member": self.member, "method": self.method,
                "component": None if self.component is None else self.component + 1,
                "equivalence": None if self.equivalence is None else self.equivalence.to_dict()}


@dataclass(frozen=True)
class Fiber:
    """The fiber S(θ) of ``network``: the union of ``components`` (or, for ``kind="local"``, a local description).

    ``dimension`` is the largest component dimension (or the local dimension).  ``notes`` state the scope of the
    description (the theorem used and what, if anything, is not covered).  ``complete`` is True only when the
    components are proved to be all of S(θ); otherwise (a generic part, a non-generic θ, a local description)
    :meth:`contains` decides a point outside every component by an exact equivalence test, never by "False".
    """

    network: Network
    kind: str
    dimension: int
    components: tuple[Component, ...] | None
    local: Any = None
    domain: Any = None
    notes: tuple[str, ...] = ()
    complete: bool = False

    @property
    def architecture(self) -> tuple[int, ...]:
        return self.network.architecture

    def __repr__(self) -> str:
        comps = "local description" if self.components is None else f"components={len(self.components)}"
        dom = "" if self.domain is None else f", domain={self.domain if isinstance(self.domain, str) else 'polyhedron'}"
        return (f"Fiber(kind={self.kind!r}, architecture={self.architecture}{dom}, dimension={self.dimension}, "
                f"{comps}, complete={self.complete})")

    def __str__(self) -> str:
        return self.summary()

    def summary(self, max_components: int = 3) -> str:
        """A readable multi-line description: kind, dimension, completeness, notes, the first component systems (or
        the local description)."""
        if self.components is None:
            head = f"fiber of kind {self.kind}, dimension {self.dimension}: local description only"
        else:
            head = (f"fiber of kind {self.kind}, dimension {self.dimension}, {len(self.components)} components, "
                    + ("complete (these are all of S(θ))" if self.complete else
                       "NOT known to be complete (membership outside them is decided by exact equivalence)"))
        lines = [head, *(f"  {n}" for n in self.notes)]
        if self.components is None:
            if self.local is not None:
                lines.append(str(self.local))
            return "\n".join(lines)
        for k, c in enumerate(self.components[:max_components]):
            lines.append(f"[{k + 1}] " + str(c))
        if len(self.components) > max_components:
            lines.append(f"... {len(self.components) - max_components} more components")
        return "\n".join(lines)

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return S.parameter_symbols(self.architecture)

    def _need_components(self) -> tuple[Component, ...]:
        if self.components is None:
            raise NotApplicableError(f"only a local description of this fiber is known (kind {self.kind!r}); "
                                     "membership and sampling need the components")
        return self.components

    def component_of(self, eta: Network | Sequence[object]) -> int | None:
        """Index of the component containing ``eta``, or None (exact evaluation of each system)."""
        pt = _as_point(eta, self.architecture)
        for k, comp in enumerate(self._need_components()):
            if comp.contains(pt):
                return k
        return None

    def membership(self, eta: Network | Sequence[object]) -> Membership:
        """Exact membership η ∈ S(θ), with how it was decided (:class:`Membership`).

        η in a component's system decides "yes"; outside every component, "no" only if the listing is
        ``complete``, otherwise :func:`exactrelu.equivalence.equivalent` decides f_η = f_θ on the fiber's domain
        (with a witness or a certificate).
        """
        pt = _as_point(eta, self.architecture)
        if self.components is not None:
            k = self.component_of(pt)
            if k is not None:
                return Membership(True, "component", k)
            if self.complete:
                return Membership(False, "complete listing")
        from exactrelu.theory.equality.equivalence import equivalent

        res = equivalent(self.network, Network.from_parameters(self.architecture, pt),
                         _domain_polyhedron(self.domain, self.network.input_dim))
        return Membership(bool(res), "equivalence", None, res)

    def contains(self, eta: Network | Sequence[object]) -> bool:
        """Exact membership η ∈ S(θ): ``bool(self.membership(eta))`` (components first, then, unless the listing is
        ``complete``, an exact equivalence test)."""
        return self.membership(eta).member

    def sample(self, seed: int = 0, component: int | None = None) -> Point:
        """A rational point of component ``component`` (default: one chosen by the seed), canonical order."""
        comps = self._need_components()
        k = _random.Random(seed).randrange(len(comps)) if component is None else component
        if not 0 <= k < len(comps):
            raise ShapeError(f"component {k} does not exist (the fiber has {len(comps)} components)")
        return comps[k].sample(seed)

    def sample_network(self, seed: int = 0, component: int | None = None) -> Network:
        """:meth:`sample` as a :class:`Network`."""
        return Network.from_parameters(self.architecture, self.sample(seed, component))

    def simplify(self) -> Fiber:
        """The same fiber with every component system simplified (:meth:`Component.simplify`)."""
        if self.components is None:
            return self
        return replace(self, components=tuple(c.simplify() for c in self.components))

    def verify(self, component: int | Sequence[int] | None = None) -> FiberVerification:
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
        comps = self._need_components()
        if component is None:
            idx: list[int] = list(range(len(comps)))
        elif isinstance(component, int):
            idx = [component]
        else:
            idx = list(component)
        from exactrelu.theory.fibers.shallow import region_data  # lazy: regions need the polyhedral engine

        regions = region_data(self.network, self.domain)
        checks, failures = [], []
        for k in idx:
            parts = comps[k].pieces or (comps[k],)
            for q, comp in enumerate(parts):
                family = self.kind == "bottleneck" and str(comp.origin.get("hidden_symmetry", "")).startswith("T_")
                info, fails = _verify_component(self.network, comp, [] if family else regions, self.domain)
                if family:
                    info.update(_certify_translation_family(self.network, comp))
                    info["pattern_constancy"] = ("not needed: the family is certified by the common refinement "
                                                 "in (x, t)")
                    if not info["family_certified"]:
                        fails.append("the translation family was not certified")
                where = f"component {k}" + (f" piece {q}" if len(parts) > 1 else "")
                checks.append({"component": k, **({"piece": q} if len(parts) > 1 else {}), **info})
                failures += [f"{where}: {f}" for f in fails]
        return FiberVerification(not failures, tuple(checks), tuple(failures))

    # ------------------------------------------------------------------ exports
    def to_sympy(self) -> sp.Basic:
        """The fiber as one sympy formula: ``Or`` over components of ``And`` of their conditions."""
        return sp.Or(*[c.to_sympy() for c in self._need_components()])

    def to_latex(self, max_components: int | None = None) -> str:
        """LaTeX: S(θ) as the union of the component systems (the first ``max_components`` written out)."""
        head = (rf"S(\theta) \text{{ for }} \theta \in \Theta_{{{self.architecture}}},\ "
                rf"\dim = {self.dimension}")
        if self.components is None:
            return head + r"\ \text{(local description only)}"
        comps = self.components if max_components is None else self.components[:max_components]
        body = r" \\ \cup\ ".join(c.to_latex() for c in comps)
        more = len(self.components) - len(comps)
        tail = rf" \\ \cup\ \dots\ \text{{({more} more components)}}" if more > 0 else ""
        return (r"\begin{gathered} " + head + rf",\ {len(self.components)}\text{{ components}} \\ S(\theta) = "
                + body + tail + r" \end{gathered}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able document (format ``exactrelu-fiber`` version 1); ``components`` is a count or null."""
        from exactrelu.core.io import network_to_dict

        out: dict[str, Any] = {
            "format": FORMAT_NAME, "version": FORMAT_VERSION,
            "kind": self.kind,
            "architecture": list(self.architecture),
            "symbols": [str(s) for s in self.symbols],
            "dimension": self.dimension,
            "components": None if self.components is None else len(self.components),
            "complete": self.complete,
            "domain": _domain_dict(self.domain),
            "network": network_to_dict(self.network),
            "notes": list(self.notes),
            "local": None if self.local is None else _jsonable(self.local),
        }
        if self.components is not None:
            out["component_systems"] = [c.to_dict() for c in self.components]
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (all numbers exact strings)."""
        return json.dumps(self.to_dict(), indent=indent)

    def to_macaulay2(self) -> str:
        """Macaulay2 input: the ring QQ[parameters] and one ideal per component (inequalities as comments).

        Macaulay2 reads ``_`` as subscripting, so ``W1_2_1`` is written ``W1x2x1``.
        """
        comps = self._need_components()
        names = [S.macaulay2_name(str(s)) for s in self.symbols]
        lines = [f"-- fiber of a ReLU network, architecture {self.architecture}, dimension {self.dimension}, "
                 f"{len(comps)} components (exactrelu); W1x2x1 = W1_2_1 etc.",
                 f"R = QQ[{', '.join(names)}];"]
        for k, comp in enumerate(comps, 1):
            parts = comp.pieces or (comp,)
            for q, c in enumerate(parts, 1):
                name = f"I{k}" if len(parts) == 1 else f"I{k}p{q}"
                gens = ", ".join(S.expr_macaulay2(e) for e in c.equalities) or "0_R"
                lines.append(f"{name} = ideal({gens}); -- dim {c.dimension}, origin {json.dumps(dict(c.origin))}")
                for e in c.strict:
                    lines.append(f"--   {S.expr_macaulay2(e)} > 0")
                for e in c.nonstrict:
                    lines.append(f"--   {S.expr_macaulay2(e)} >= 0")
        return "\n".join(lines) + "\n"

    def to_sage(self) -> str:
        """Sage input: the polynomial ring, one ideal per component and its inequalities as lists of polynomials."""
        comps = self._need_components()
        names = [str(s) for s in self.symbols]
        lines = [f"# fiber of a ReLU network, architecture {self.architecture}, dimension {self.dimension} (exactrelu)",
                 f"R = PolynomialRing(QQ, names={names!r})",
                 f"{', '.join(names)}, = R.gens()",
                 "components = []"]
        for k, comp in enumerate(comps, 1):
            for c in comp.pieces or (comp,):
                eqs = ", ".join(S.expr_str(e) for e in c.equalities)
                strict = ", ".join(S.expr_str(e) for e in c.strict)
                nonstrict = ", ".join(S.expr_str(e) for e in c.nonstrict)
                lines.append(f"components.append({{'component': {k}, 'ideal': R.ideal([{eqs}]), "
                             f"'strict': [{strict}], 'nonstrict': [{nonstrict}], 'dim': {c.dimension}}})")
        return "\n".join(lines).replace("**", "^") + "\n"


def _domain_polyhedron(domain: Any, d: int) -> Any:
    """The domain as a Polyhedron for :func:`exactrelu.equivalence.equivalent` (None = R^d, ``"orthant"``)."""
    if isinstance(domain, str):
        from exactrelu.geometry.polyhedra import Orthant

        return Orthant(d)
    return domain


def _domain_dict(domain: Any) -> Any:
    """``None`` (R^d), ``"orthant"``, or a polyhedron as exact rows ``{"inequalities": [[b, a1..ad]], ...}``."""
    if domain is None or isinstance(domain, str):
        return domain
    return {"inequalities": [[format_rational(v) for v in r] for r in domain.inequalities],
            "equalities": [[format_rational(v) for v in r] for r in domain.equalities]}


def _jsonable(obj: Any) -> Any:
    """Exact JSON-able view of a local description (dataclasses, tuples, Fractions, sympy objects)."""
    import dataclasses

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Fraction):
        return format_rational(obj)
    if isinstance(obj, bool | int | str) or obj is None:
        return obj
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Network):
        from exactrelu.core.io import network_to_dict

        return network_to_dict(obj)
    return str(obj)


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
        from exactrelu.theory.fibers.shallow import domain_generators, linear_conditions

        gens = domain_generators(domain, arch[0])
        nonneg, eqset = set(comp.nonstrict), set(comp.equalities)
        for i in linear:
            line_eqs, conds = linear_conditions(arch, i, gens)
            if not (all(e in nonneg for e in conds) and all(e in eqset for e in line_eqs)):
                fails.append(f"neuron {i + 1} is declared linear but its activity on the domain is not implied")
    # a canceling pair (i, j) on a free hyperplane: z_j = -c z_i with c > 0 and W2_i + c W2_j = 0, so
    # W2_i relu(z_i) + W2_j relu(z_j) = W2_j z_j everywhere (relu(z) - relu(-z) = z): count i inactive, j active
    forced: dict[int, int] = {i: 1 for i in linear}
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
    from exactrelu.theory.fibers.bottleneck import certify_family

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


def fiber(net: Network, domain: Any = None) -> Fiber:
    """The fiber S(θ) of ``net`` (MATH.md §1), by the strongest applicable theorem.

    * one hidden layer on R^d (``domain=None``): :func:`exactrelu.theory.fibers.shallow.shallow_fiber` (MATH.md B2/B3,
      B4),
      all components, for θ of minimal width;
    * one hidden layer on the orthant (``domain="orthant"`` or an ``Orthant(d)``) or on any full-dimensional
      polyhedron (e.g. a ``Box``): the K_S = {p_S} × V_S pieces of MATH.md §2.C
      (:func:`exactrelu.theory.fibers.shallow.orthant_fiber`);
    * two hidden layers with a bottleneck first layer: ``exactrelu.theory.fibers.bottleneck.bottleneck_fiber`` (§2.D);
    * otherwise (and when the above do not apply): the local description
      ``exactrelu.theory.fibers.bottleneck.local_fiber``
      (``kind="local"``, ``components is None``).

    Raises :class:`~exactrelu.core.errors.NotApplicableError` when no description is available.
    """
    from exactrelu.theory.fibers import shallow as fiber_shallow

    if net.depth == 1:
        if domain is None:
            try:
                return fiber_shallow.shallow_fiber(net)
            except NotApplicableError as exc:
                return _local(net, f"shallow fiber not covered: {exc}")
        return fiber_shallow.orthant_fiber(net, domain)
    if domain is not None:
        raise NotApplicableError("fibers on a restricted domain are implemented for one hidden layer only")
    reason = "no global description for this depth"
    if net.depth == 2:
        try:
            from exactrelu.theory.fibers.bottleneck import bottleneck_fiber
        except ImportError:
            reason = "the bottleneck fiber module is not available"
        else:
            try:
                return bottleneck_fiber(net)
            except NotApplicableError as exc:
                reason = f"bottleneck fiber not applicable: {exc}"
    return _local(net, reason)


def _local(net: Network, reason: str) -> Fiber:
    try:
        from exactrelu.theory.fibers.bottleneck import local_fiber
    except ImportError:
        raise NotApplicableError(f"{reason}; and the local description "
                                 "(exactrelu.theory.fibers.bottleneck.local_fiber) "
                                 "is not available") from None
    out = local_fiber(net)
    return replace(out, notes=(*out.notes, reason))


def fiber_section(net: Network, outdir: Any) -> Any:
    """Report section: the fiber of ``net`` (kind, dimension, components, the LaTeX of the first component systems,
    the symbolic verification of one component); writes ``fiber.json`` and ``fiber.tex`` into ``outdir``."""
    from pathlib import Path

    from exactrelu.cli.report import ReportSection
    from exactrelu.core.errors import ExactReluError
    from exactrelu.core.rational import atomic_write_text

    out = Path(outdir)
    try:
        fib = fiber(net)
    except ExactReluError as exc:
        return ReportSection("fiber", "The fiber S(θ)", f"No fiber description: {exc}", {"error": str(exc)})
    lines = [f"Fiber of kind **{fib.kind}**, dimension **{fib.dimension}**, "
             + ("local description only." if fib.components is None else f"**{len(fib.components)}** components."),
             ""]
    lines += [f"* {n}" for n in fib.notes]
    data: dict[str, Any] = {"kind": fib.kind, "dimension": fib.dimension,
                            "components": None if fib.components is None else len(fib.components)}
    files = []
    atomic_write_text(out / "fiber.json", fib.to_json() + "\n")
    files.append("fiber.json")
    if fib.components is not None:
        tex = fib.to_latex(max_components=4)
        atomic_write_text(out / "fiber.tex", tex + "\n")
        files.append("fiber.tex")
        c0 = fib.components[0]
        lines += ["", f"Component 1 (dimension {c0.dimension}, {c0.origin.get('hidden_symmetry', '')}):", "",
                  "$$" + c0.to_latex() + "$$", ""]
        if len(fib.components) > 1:
            lines += ["The LaTeX of the first components is in `fiber.tex`; every system is in `fiber.json`.", ""]
        v = fib.verify(0)
        data["verified_component_1"] = v.ok
        what = ", ".join(f"{k} = {val}" for k, val in v.checks[0].items() if k not in ("patterns", "component"))
        lines.append(f"Symbolic verification of component 1 (sympy): **{'passed' if v.ok else 'FAILED'}** ({what}).")
        lines.append("")
        lines.append(f"A sampled point of the fiber (seed 0): `{[str(x) for x in fib.sample(0)]}`; "
                     f"it lies in component {fib.component_of(fib.sample(0)) + 1}.")
    else:
        lines += ["", f"Local description: `{_jsonable(fib.local)}`"]
    return ReportSection("fiber", "The fiber S(θ)", "\n".join(lines), data, tuple(files))
