"""Conservation laws of gradient flow, each with a symbolic proof (docs/mathematics.md G1, D6, §6).

For a loss ``L(θ) = Σ_i ℓ(f_θ(x_i), y_i)`` the gradient flow is ``θ' = −∇L(θ)``, and a function ``Q`` is conserved
for every loss and every data set iff ``∇Q(θ) · ∇_θ f_θ(x) = 0`` for all x (on every activation region).

* **Balance laws** (one per hidden vertex v): ``c_v = Σ(incoming weights)² + bias² − Σ(outgoing weights)²`` (the bias
  term only when the bias is a parameter).  Proof: with one 0/1 indicator ``s_u`` per hidden vertex,
  ``f_s(θ, x)`` is one polynomial valid on every region (:func:`~exactrelu.theory.dynamics.symbolic.realisation`),
  and ``∇c_v · ∇_θ f_s`` expands to the zero polynomial in ``(θ, x, s)``.
* **Block laws**: for two vertices i ≠ j that are always active on the domain and have the same in- and
  out-neighbours, ``Q_ij = Σ_u θ_{u→i} θ_{u→j} + b_i b_j − Σ_w θ_{i→w} θ_{j→w}`` (the off-diagonal entry of
  ``W_l W_lᵀ − W_{l+1}ᵀ W_{l+1}`` for a linear block).  Proof: the same identity with ``s_i = s_j = 1``; the law is
  local (it holds while both stay active on the data).

>>> from exactrelu import examples
>>> laws = conservation_laws(examples.linear_block())
>>> [law.vertex for law in laws.laws]
['h1_1', 'h1_2', 'h2_1', 'h2_2', 'h2_1,h2_2']
>>> laws.verify()
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from exactrelu.core.errors import NotApplicableError, ShapeError
from exactrelu.core.network import Network
from exactrelu.core.rational import format_rational
from exactrelu.theory.dynamics.balance import ParameterGraph
from exactrelu.theory.dynamics.symbolic import indicator_name, realisation

__all__ = ["ConservationLaw", "LawSet", "always_active_vertices", "as_parameter_graph", "conservation_laws",
           "law_gradient", "MAX_PROOF_TERMS"]

#: Largest number of monomials of f_s for which the symbolic proof is run (it is exponential in depth).
MAX_PROOF_TERMS = 200_000


@dataclass(frozen=True)
class ConservationLaw:
    """A conserved quantity: ``kind`` ``"balance"`` (of ``vertex``) or ``"block"`` (of the pair ``vertex = "i,j"``),
    its polynomial in the parameter symbols, its value at θ and, for block laws, the vertices that must stay active."""

    vertex: str
    kind: str
    polynomial: sp.Expr
    value: Fraction
    requires_active: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"vertex": self.vertex, "kind": self.kind, "polynomial": str(self.polynomial),
                "value": format_rational(self.value), "requires_active": list(self.requires_active)}

    def __str__(self) -> str:
        cond = f"  (while {', '.join(self.requires_active)} stay active)" if self.requires_active else ""
        return f"{self.vertex}: {self.polynomial} = {format_rational(self.value)}{cond}"


@dataclass(frozen=True)
class LawSet:
    """The conservation laws of a network at θ (docs/mathematics.md G1)."""

    graph: ParameterGraph
    laws: tuple[ConservationLaw, ...]
    symbols: tuple[sp.Symbol, ...] = field(repr=False)
    domain_note: str = ""

    @property
    def balance_laws(self) -> int:
        return sum(1 for law in self.laws if law.kind == "balance")

    def verify(self) -> bool:
        """Symbolic proof of every law: ``∇Q · ∇_θ f_s ≡ 0`` as polynomials in (θ, x, s) for every output
        (indicators of the vertices in ``requires_active`` set to 1).  Raises
        :class:`~exactrelu.core.errors.NotApplicableError` when f_s is too large to expand."""
        return all(prove_law(self.graph, law) for law in self.laws)

    def to_dict(self) -> dict[str, Any]:
        return {"laws": [law.to_dict() for law in self.laws], "balance_laws": self.balance_laws,
                "parameters": self.graph.num_parameters}

    def __str__(self) -> str:
        head = (f"{len(self.laws)} conservation law(s) ({self.balance_laws} balance) of gradient flow, "
                f"D = {self.graph.num_parameters}")
        return "\n".join([head] + ["  " + str(law) for law in self.laws])

    def __repr__(self) -> str:
        return f"LawSet(laws={len(self.laws)}, balance={self.balance_laws}, parameters={self.graph.num_parameters})"


# ------------------------------------------------------------------------------------------------------ helpers
def as_parameter_graph(net: Any, *, biases: bool = True) -> ParameterGraph:
    """A :class:`ParameterGraph` for a layered :class:`~exactrelu.Network` (``biases=False``: bias-free, its biases
    must be 0), a graph network, or a ParameterGraph (returned as is)."""
    if isinstance(net, ParameterGraph):
        return net
    if isinstance(net, Network):
        return ParameterGraph.from_network(net, biases=biases)
    if hasattr(net, "edges") and hasattr(net, "hidden_order"):
        return ParameterGraph.from_graph(net)
    raise ShapeError(f"expected a Network, a graph network or a ParameterGraph, got {type(net).__name__}")


def always_active_vertices(net: Any, g: ParameterGraph) -> tuple[str, ...]:
    """Hidden vertices active on every activation region of R^d (exact, from the region enumeration of the layered
    or graph network)."""
    if isinstance(net, Network):
        from exactrelu.geometry.regions import regions

        active = regions(net).always_active_neurons()
        return tuple(f"h{l + 1}_{i + 1}" for (l, i) in sorted(active))
    if hasattr(net, "hidden_order") and hasattr(net, "edges"):
        from exactrelu.geometry.graph_regions import graph_regions

        C = graph_regions(net)
        return tuple(v for k, v in enumerate(net.hidden_order) if C.regions and all(r.pattern[k] > 0
                                                                                      for r in C.regions))
    return ()


def _blocks(g: ParameterGraph, active: Sequence[str]) -> list[tuple[str, str]]:
    def signature(v: str) -> tuple[frozenset[str], frozenset[str]]:
        return (frozenset(g.edges[k].tail for k in g.in_edges(v)), frozenset(g.edges[k].head for k in g.out_edges(v)))

    pairs = []
    for a, i in enumerate(active):
        for j in active[a + 1:]:
            if signature(i) == signature(j):
                pairs.append((i, j))
    return pairs


def _balance_poly(g: ParameterGraph, v: str, sym: dict[str, sp.Symbol]) -> sp.Expr:
    return (sp.Add(*[sym[g.edges[k].name] ** 2 for k in g.in_edges(v)])
            - sp.Add(*[sym[g.edges[k].name] ** 2 for k in g.out_edges(v)]))


def _block_poly(g: ParameterGraph, i: str, j: str, sym: dict[str, sp.Symbol]) -> sp.Expr:
    ins_i = {g.edges[k].tail: g.edges[k].name for k in g.in_edges(i)}
    ins_j = {g.edges[k].tail: g.edges[k].name for k in g.in_edges(j)}
    outs_i = {g.edges[k].head: g.edges[k].name for k in g.out_edges(i)}
    outs_j = {g.edges[k].head: g.edges[k].name for k in g.out_edges(j)}
    return (sp.Add(*[sym[ins_i[u]] * sym[ins_j[u]] for u in ins_i])
            - sp.Add(*[sym[outs_i[w]] * sym[outs_j[w]] for w in outs_i]))


def law_gradient(law: ConservationLaw, symbols: Sequence[sp.Symbol], values: Sequence[Fraction],
                 graph: ParameterGraph | None = None) -> list[Fraction]:
    """``∇Q(θ)`` as exact rationals, in canonical parameter order (closed form for balance and block laws when the
    graph is given, else by sympy differentiation)."""
    if graph is not None:
        grad = [Fraction(0)] * len(values)
        if law.kind == "balance":
            for k in graph.in_edges(law.vertex):
                grad[k] += 2 * values[k]
            for k in graph.out_edges(law.vertex):
                grad[k] -= 2 * values[k]
            return grad
        i, j = law.vertex.split(",")
        for a, b, sign in ((i, j, 1), (j, i, 1)):
            partner_in = {graph.edges[k].tail: k for k in graph.in_edges(b)}
            partner_out = {graph.edges[k].head: k for k in graph.out_edges(b)}
            for k in graph.in_edges(a):
                grad[k] += sign * values[partner_in[graph.edges[k].tail]]
            for k in graph.out_edges(a):
                grad[k] -= sign * values[partner_out[graph.edges[k].head]]
        return grad
    subs = {s: sp.Rational(v.numerator, v.denominator) for s, v in zip(symbols, values, strict=True)}
    out = []
    for s in symbols:
        r = sp.Rational(sp.diff(law.polynomial, s).subs(subs))
        out.append(Fraction(int(r.p), int(r.q)))
    return out


def _law_in_ring(g: ParameterGraph, law: ConservationLaw, gens: dict[str, Any], R: Any) -> Any:
    if law.kind == "balance":
        v = law.vertex
        return (sum((gens[g.edges[k].name] ** 2 for k in g.in_edges(v)), R.zero)
                - sum((gens[g.edges[k].name] ** 2 for k in g.out_edges(v)), R.zero))
    i, j = law.vertex.split(",")
    ins_j = {g.edges[k].tail: g.edges[k].name for k in g.in_edges(j)}
    outs_j = {g.edges[k].head: g.edges[k].name for k in g.out_edges(j)}
    return (sum((gens[g.edges[k].name] * gens[ins_j[g.edges[k].tail]] for k in g.in_edges(i)), R.zero)
            - sum((gens[g.edges[k].name] * gens[outs_j[g.edges[k].head]] for k in g.out_edges(i)), R.zero))


def prove_law(g: ParameterGraph, law: ConservationLaw) -> bool:
    """``∇Q · ∇_θ f_s ≡ 0`` for every output, as polynomials (docs/mathematics.md G1)."""
    R, outs = realisation(g)
    if sum(len(f) for f in outs) > MAX_PROOF_TERMS:
        raise NotApplicableError(f"the symbolic realisation has more than {MAX_PROOF_TERMS} monomials; "
                                 "the proof is not expanded")
    gens = dict(zip([str(s) for s in R.gens], R.gens, strict=True))
    Q = _law_in_ring(g, law, gens, R)
    for f in outs:
        for v in law.requires_active:
            f = f.subs(gens[indicator_name(v)], 1)
        total = R.zero
        for name in g.names:
            x = gens[name]
            total += Q.diff(x) * f.diff(x)
        if total != 0:
            return False
    return True


# ------------------------------------------------------------------------------------------------------- entry
def conservation_laws(net: Any, *, biases: bool = True, block_laws: bool = True) -> LawSet:
    """The balance law of every hidden vertex and the block laws of always-active vertices (docs/mathematics.md G1).

    Parameters
    ----------
    net : a layered :class:`~exactrelu.Network`, a graph network, or a ParameterGraph.
    biases : for a layered network, ``False`` treats it as bias-free (its biases must be zero).
    block_laws : also list the off-diagonal laws of always-active blocks (needs the region enumeration).

    Returns
    -------
    LawSet
        The laws; :meth:`LawSet.verify` is the symbolic proof.
    """
    g = as_parameter_graph(net, biases=biases)
    symbols = tuple(sp.Symbol(n) for n in g.names)
    sym = dict(zip(g.names, symbols, strict=True))
    vals = dict(zip(g.names, g.values, strict=True))
    laws: list[ConservationLaw] = []
    c = g.balance()
    for v, cv in zip(g.hidden, c, strict=True):
        laws.append(ConservationLaw(v, "balance", _balance_poly(g, v, sym), cv))
    if block_laws:
        active = always_active_vertices(net, g) if not isinstance(net, ParameterGraph) else ()
        for i, j in _blocks(g, active):
            poly = _block_poly(g, i, j, sym)
            value = poly.subs({sym[n]: sp.Rational(x.numerator, x.denominator) for n, x in vals.items()})
            r = sp.Rational(value)
            laws.append(ConservationLaw(f"{i},{j}", "block", poly, Fraction(int(r.p), int(r.q)), (i, j)))
    return LawSet(g, tuple(laws), symbols)
