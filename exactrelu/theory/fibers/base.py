"""Fibers S(θ) = {η : f_η = f_θ} as finite unions of semi-algebraic components (docs/mathematics.md §1, §2.B–D, §3).

A :class:`Component` is a semi-algebraic subset of parameter space Θ_A = R^D, given by an explicit system over the
parameter symbols of :func:`exactrelu.engines.sympylib.parameter_symbols` (``W{l}_{i}_{j}``, ``b{l}_{i}``, 1-based,
canonical
order of docs/mathematics.md §1)::

    { η :  e(η) = 0 for e in equalities,  s(η) > 0 for s in strict,  q(η) >= 0 for q in nonstrict }

together with its dimension, one rational point ``point`` in it (canonical order), how it arises (``origin``: the
permutation of neurons onto roles, the orientation set S of docs/mathematics.md B3, the hidden symmetry involved) and,
when known,
a parametrisation ``parametrization`` (parameter symbol -> expression in ``free_symbols``, whose domain is given by
``free_strict > 0`` / ``free_nonstrict >= 0``).  A :class:`Fiber` is the union of its components (``kind`` says which
theorem produced it: ``"shallow"`` (B2/B3 on R^d), ``"orthant"`` (§2.C), ``"bottleneck"`` (§2.D)) or, with
``kind="local"``, only a local description (``components is None``; ``local`` holds the tangent-space data).

:func:`exactrelu.theory.fibers.fiber.fiber` builds a fiber by the strongest applicable theorem; this module holds
only the objects (no construction, no verification: :mod:`exactrelu.theory.fibers.verify`).

Examples
--------
>>> from exactrelu import examples
>>> from exactrelu.theory.fibers.fiber import fiber
>>> F = fiber(examples.relu_minus_shifted_relu())      # docs/mathematics.md §7 row 7
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
from exactrelu.theory.fibers.verify import FiberVerification, verify_fiber

__all__ = ["Component", "Fiber", "Membership", "FORMAT_NAME", "FORMAT_VERSION", "as_point",
           "jsonable", "domain_dict"]

FORMAT_NAME = "exactrelu-fiber"
FORMAT_VERSION = 1

Point = tuple[Fraction, ...]


def as_point(eta: Network | Sequence[object], arch: tuple[int, ...]) -> Point:
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
        vals = self._values(as_point(eta, self.architecture))
        return {
            "equalities": [i for i, e in enumerate(self.equalities) if S.evaluate(e, vals) != 0],
            "strict": [i for i, e in enumerate(self.strict) if not S.evaluate(e, vals) > 0],
            "nonstrict": [i for i, e in enumerate(self.nonstrict) if not S.evaluate(e, vals) >= 0],
        }

    def contains(self, eta: Network | Sequence[object]) -> bool:
        """Exact membership: every equality vanishes and every inequality holds at ``eta`` (in some piece)."""
        if self.pieces:
            pt = as_point(eta, self.architecture)
            return any(p.contains(pt) for p in self.pieces)
        vals = self._values(as_point(eta, self.architecture))
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

    def need_components(self) -> tuple[Component, ...]:
        if self.components is None:
            raise NotApplicableError(f"only a local description of this fiber is known (kind {self.kind!r}); "
                                     "membership and sampling need the components")
        return self.components

    def component_of(self, eta: Network | Sequence[object]) -> int | None:
        """Index of the component containing ``eta``, or None (exact evaluation of each system)."""
        pt = as_point(eta, self.architecture)
        for k, comp in enumerate(self.need_components()):
            if comp.contains(pt):
                return k
        return None

    def membership(self, eta: Network | Sequence[object]) -> Membership:
        """Exact membership η ∈ S(θ), with how it was decided (:class:`Membership`).

        η in a component's system decides "yes"; outside every component, "no" only if the listing is
        ``complete``, otherwise :func:`exactrelu.equivalence.equivalent` decides f_η = f_θ on the fiber's domain
        (with a witness or a certificate).
        """
        pt = as_point(eta, self.architecture)
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
        comps = self.need_components()
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
        """Symbolic proof that the chosen components lie in S(θ) (all when ``component`` is None); see
        :func:`exactrelu.theory.fibers.verify.verify_fiber`."""
        return verify_fiber(self, component)

    # ------------------------------------------------------------------ exports
    def to_sympy(self) -> sp.Basic:
        """The fiber as one sympy formula: ``Or`` over components of ``And`` of their conditions."""
        return sp.Or(*[c.to_sympy() for c in self.need_components()])

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
            "domain": domain_dict(self.domain),
            "network": network_to_dict(self.network),
            "notes": list(self.notes),
            "local": None if self.local is None else jsonable(self.local),
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
        comps = self.need_components()
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
        comps = self.need_components()
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


def domain_dict(domain: Any) -> Any:
    """``None`` (R^d), ``"orthant"``, or a polyhedron as exact rows ``{"inequalities": [[b, a1..ad]], ...}``."""
    if domain is None or isinstance(domain, str):
        return domain
    return {"inequalities": [[format_rational(v) for v in r] for r in domain.inequalities],
            "equalities": [[format_rational(v) for v in r] for r in domain.equalities]}


def jsonable(obj: Any) -> Any:
    """Exact JSON-able view of a local description (dataclasses, tuples, Fractions, sympy objects)."""
    import dataclasses

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Fraction):
        return format_rational(obj)
    if isinstance(obj, bool | int | str) or obj is None:
        return obj
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Network):
        from exactrelu.core.io import network_to_dict

        return network_to_dict(obj)
    return str(obj)
