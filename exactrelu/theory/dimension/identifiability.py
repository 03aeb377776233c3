"""Identifiability of θ: only what is proved (docs/mathematics.md §1, §E3, §E4, §B2, §B3, §3, §6).

* local: True from the rank test of §E3 or from global identifiability; False from a line of parameters with the same
  function outside the scaling directions; None otherwise.
* global: True for one hidden layer by §B3 (i)–(iii) or by the exact fiber of §B2, for two hidden layers by the
  bottleneck theorem of :mod:`exactrelu.theory.dimension.deep` (G3 Thm 2, every hypothesis decided exactly); False
  only with a witness (a second parameter with the same function, decided exactly by
  :func:`~exactrelu.theory.equality.equivalence.equivalent`, not related by a trivial symmetry: T_j translations,
  bottleneck fiber components, dead neurons, Jacobian-kernel lines); None with the reason otherwise.  ``decided_by``
  says which theorem (with its hypotheses) or witness decided.  A Jacobian rank deficit alone proves nothing
  (relu(x) + x in (1,2,1) has a 3-dimensional Jacobian kernel but its fiber is the 2-dimensional trivial orbit).

The tangent space (:mod:`exactrelu.theory.dimension.tangent`) and the mechanisms
(:mod:`exactrelu.theory.dimension.mechanisms`) are re-exported here.

Examples
--------
>>> from exactrelu import examples
>>> r = identifiability(examples.relu_minus_shifted_relu())
>>> r.locally_identifiable, r.globally_identifiable, [m.kind for m in r.mechanisms]
(True, False, ['orientation flip'])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import format_rational
from exactrelu.engines import flintlib as _flint
from exactrelu.theory.dimension.mechanisms import (
    MAX_FLIP_NEURONS,
    Mechanism,
    flip,
    hidden_symmetry_mechanisms,
    shallow_conditions,
    zero_subset_sum,
)
from exactrelu.theory.dimension.rows import MAX_REGIONS
from exactrelu.theory.dimension.tangent import FiberTangentSpace, fiber_tangent_space

__all__ = ["FiberTangentSpace", "Mechanism", "Identifiability", "fiber_tangent_space", "identifiability",
           "zero_subset_sum", "MAX_FLIP_NEURONS"]

Row = tuple[Fraction, ...]
_Z = Fraction(0)


@dataclass(frozen=True)
class Identifiability:
    """The identifiability report of θ: only what is proved (docs/mathematics.md E3, E4, B3).

    Attributes
    ----------
    locally_identifiable : True when proved (the exact Jacobian over a set of regions has rank ``D - #scaling``,
        docs/mathematics.md E3, or θ is globally identifiable); False when a line ``θ + t v`` (every ``t``) lies in the
        fiber with ``v`` outside the scaling directions (a dead or unused neuron), which gives the fiber a dimension
        above the orbit's; None otherwise (a Jacobian kernel larger than the scaling directions proves nothing at a
        non-transversal θ: ``relu(x) + x`` has a 3-dimensional kernel but a 2-dimensional fiber).
    globally_identifiable : True when proved (one hidden layer: docs/mathematics.md B3 (i)-(iii), or the exact fiber of
    docs/mathematics.md
        B2 is the trivial orbit); False only with ``witness``; None with ``reason`` otherwise.
    witness : a second parameter with the same function (checked exactly by
        :func:`~exactrelu.equivalence.equivalent`) that is not related to θ by a trivial symmetry (checked by
        :func:`~exactrelu.symmetry.related_by_trivial_symmetry`); ``witness_evidence`` says how it was found.
    functional_dimension : the rank of the Jacobian over the regions where it exists (``tangent.rank``).
    kernel_dimension : ``D - functional_dimension``, the dimension of the Jacobian kernel (first order only).
    fiber_dimension : the local dimension of the fiber ``S(θ)`` at θ when proved (the orbit dimension when θ is
        locally identifiable), else None.
    decided_by : what decided the global answer: ``{"by": "theorem", "theorem": ..., "hypotheses": {...}}`` (each
        hypothesis with its exact verdict), ``{"by": "witness", "found_by": ...}`` or ``{"by": None, ...}``.
    """

    locally_identifiable: bool | None
    functional_dimension: int
    upper_bound: int
    fiber_dimension: int | None
    hidden_neurons: int
    mechanisms: tuple[Mechanism, ...]
    globally_identifiable: bool | None
    reason: str
    shallow_conditions: dict[str, Any] | None
    tangent: FiberTangentSpace = field(repr=False)
    local_reason: str = ""
    witness: Network | None = field(default=None, repr=False)
    witness_evidence: dict[str, Any] = field(default_factory=dict, repr=False)
    decided_by: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def kernel_dimension(self) -> int:
        """Dimension of the Jacobian kernel ``D - rank`` (an upper bound of nothing at a non-transversal θ)."""
        return self.tangent.dimension

    @property
    def hidden_dimension(self) -> int:
        """Number of hidden (non-scaling) directions of the Jacobian kernel."""
        return len(self.tangent.hidden)

    def __repr__(self) -> str:
        return (f"Identifiability(locally_identifiable={self.locally_identifiable}, globally_identifiable="
                f"{self.globally_identifiable}, functional_dimension={self.functional_dimension}, upper_bound="
                f"{self.upper_bound}, kernel_dimension={self.kernel_dimension}, fiber_dimension={self.fiber_dimension}"
                f", mechanisms={[m.kind for m in self.mechanisms]}, witness={self.witness is not None})")

    def __str__(self) -> str:
        word = {True: "yes", False: "no", None: "undecided"}
        out = [f"locally identifiable: {word[self.locally_identifiable]} ({self.local_reason})",
               f"globally identifiable: {word[self.globally_identifiable]} ({self.reason})",
               f"Jacobian rank {self.functional_dimension} (bound {self.upper_bound}), kernel dimension "
               f"{self.kernel_dimension} = {len(self.tangent.scaling)} scaling + {self.hidden_dimension} hidden; "
               f"fiber dimension {'unknown' if self.fiber_dimension is None else self.fiber_dimension}"]
        if self.witness is not None:
            out.append(f"witness (same function, not a trivial symmetry): {self.witness.to_lists()}")
        out += [f"mechanism: {m.kind} at {[list(n) for n in m.neurons]}" for m in self.mechanisms]
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        return {"locally_identifiable": self.locally_identifiable, "local_reason": self.local_reason,
                "globally_identifiable": self.globally_identifiable, "reason": self.reason,
                "witness": None if self.witness is None else self.witness.to_lists(),
                "witness_evidence": self.witness_evidence, "decided_by": self.decided_by,
                "functional_dimension": self.functional_dimension, "upper_bound": self.upper_bound,
                "kernel_dimension": self.kernel_dimension, "fiber_dimension": self.fiber_dimension,
                "hidden_neurons": self.hidden_neurons, "hidden_dimension": self.hidden_dimension,
                "mechanisms": [m.to_dict() for m in self.mechanisms],
                "shallow_conditions": self.shallow_conditions, "tangent": self.tangent.to_dict()}

def _offsets(net: Network) -> list[int]:
    offs, pos = [], 0
    for layer in net.layers:
        offs.append(pos)
        pos += layer.n_out * (layer.n_in + 1)
    return offs


def _neuron_lines(net: Network, mechs: Sequence[Mechanism]) -> list[tuple[Row, str]]:
    """Directions ``v`` with ``θ + t v`` in the fiber for **every** t, from dead and unused neurons.

    A dead neuron (``z ≤ 0`` on all of R^d) outputs 0 for every value of its outgoing weights; a neuron with all
    outgoing weights 0 contributes 0 for every value of its bias.
    """
    offs = _offsets(net)
    D = net.num_parameters
    out: list[tuple[Row, str]] = []
    for m in mechs:
        (l, i), = m.neurons[:1] if m.neurons else ((0, 0),)
        if m.kind == "dead neuron" and l <= net.depth:
            nxt = net.layers[l]
            v = [_Z] * D
            for r in range(nxt.n_out):
                v[offs[l] + r * nxt.n_in + (i - 1)] = Fraction(1)
            out.append((tuple(v), f"dead neuron {(l, i)}: its outgoing weights are free"))
        elif m.kind == "zero weights" and "outgoing" in m.description:
            layer = net.layers[l - 1]
            v = [_Z] * D
            v[offs[l - 1] + layer.n_out * layer.n_in + (i - 1)] = Fraction(1)
            out.append((tuple(v), f"neuron {(l, i)} has zero outgoing weights: its bias is free"))
    return out


def _verified_witness(net: Network, candidates: Iterable[tuple[Network, str]], *, limit: int = 16
                      ) -> tuple[Network, dict[str, Any]] | None:
    """The first candidate with ``f_η = f_θ`` (exact) that is not a trivial symmetry of θ."""
    from exactrelu.core.symmetry import related_by_trivial_symmetry
    from exactrelu.theory.equality.equivalence import equivalent

    for k, (eta, how) in enumerate(candidates):
        if k >= limit:
            break
        if eta == net or related_by_trivial_symmetry(net, eta) is not None:
            continue
        try:
            eq = equivalent(net, eta)
        except RegionLimitError:
            continue
        if eq:
            return eta, {"found_by": how, "same_function": True, "equivalence_method": eq.method,
                         "trivially_related": False}
    return None


def _kernel_candidates(net: Network, tangent: FiberTangentSpace) -> Iterable[tuple[Network, str]]:
    theta = net.parameters()
    for j, v in enumerate(tangent.hidden[:4]):
        for t in (Fraction(1, 2), Fraction(-1, 2), Fraction(1, 16), Fraction(-1, 16)):
            eta = Network.from_parameters(net.architecture, [a + t * b for a, b in zip(theta, v)])
            yield eta, f"θ + ({format_rational(t)})·h_{j + 1} along the hidden kernel direction h_{j + 1}"


def _line_candidates(net: Network, lines: Sequence[tuple[Row, str]]) -> Iterable[tuple[Network, str]]:
    theta = net.parameters()
    for v, how in lines:
        for t in (Fraction(1), Fraction(-3, 2)):
            yield Network.from_parameters(net.architecture, [a + t * b for a, b in zip(theta, v)]), how


def _shallow_candidates(net: Network, cond: dict[str, Any], flips: Sequence[Mechanism]
                        ) -> Iterable[tuple[Network, str]]:
    """Second parameters predicted by the failing B3 condition (each is checked by the caller)."""
    for m in flips:
        yield flip(net, [i - 1 for i in m.evidence["S"]]), "orientation flip (docs/mathematics.md B3 (iii))"
    l1, l2 = net.layers
    for a, b, c in cond.get("ii_violations", ()):
        c = Fraction(c)
        if c > 0:      # same hyperplane, same orientation: W2_a relu(z) + W2_b relu(c z) = (W2_a + c W2_b) relu(z)
            W2 = [list(r) for r in l2.weights]
            for r in W2:
                r[a - 1], r[b - 1] = r[a - 1] + c * r[b - 1] - c * (r[b - 1] / 2 if r[b - 1] else 1), \
                    r[b - 1] / 2 if r[b - 1] else Fraction(1)
            yield Network((l1, Layer(tuple(tuple(r) for r in W2), l2.biases))), \
                "output weights redistributed between coincident neurons (docs/mathematics.md B3 (ii))"


def _fiber_candidates(net: Network, orbit_dim: int) -> tuple[bool | None, list[tuple[Network, str]], str]:
    """The exact one-hidden-layer fiber (docs/mathematics.md B2): (is every component a piece of the trivial orbit?,
    samples of the other components).  A component is a piece of the orbit when it has the orbit's dimension and its
    origin
    names no hidden symmetry."""
    from exactrelu.theory.fibers.shallow import shallow_fiber

    try:
        F = shallow_fiber(net)
    except (NotApplicableError, RegionLimitError, ValueError) as exc:
        return None, [], f"exact fiber not available: {exc}"
    if F.components is None or getattr(F, "complete", True) is not True:
        return None, [], "the exact fiber is only partly known"
    others = [k for k, c in enumerate(F.components)
              if not (c.dimension == orbit_dim and str(c.origin.get("hidden_symmetry", "")).startswith("none"))]
    if not others:
        return True, [], (f"the exact fiber (docs/mathematics.md B2) has {len(F.components)} component(s), all in the "
                          f"trivial "
                          "orbit of θ")
    cands = [(F.sample_network(seed=s, component=k), f"a point of fiber component {k + 1} (not the orbit of θ)")
             for k in others[:4] for s in (0, 1)]
    return False, cands, f"{len(others)} fiber component(s) outside the trivial orbit"


def identifiability(net: Network, *, max_regions: int = MAX_REGIONS) -> Identifiability:
    """Local and global identifiability of θ, with the hidden-symmetry mechanisms found: only what is proved.

    * local: True from the rank test of docs/mathematics.md E3 (the Jacobian over the regions where it exists has rank
      ``D - #scaling directions``) or from global identifiability; False from a line ``θ + t v`` in the fiber with
      ``v`` outside the scaling directions (dead / unused neurons); None otherwise, with ``local_reason``.
    * global: True for one hidden layer when docs/mathematics.md B3 (i)-(iii) hold or the exact fiber
      (docs/mathematics.md B2) is the trivial orbit, for a two-hidden-layer bottleneck when the theorem of
      :func:`exactrelu.theory.dimension.deep.bottleneck_identifiability` applies (hypotheses decided exactly);
      False only with a ``witness`` η (``f_η = f_θ`` decided exactly, η
      not a trivial symmetry of θ) found from the mechanisms, the exact shallow fiber, T_j translations of the first
      two layers (any depth), bottleneck fiber components or the hidden Jacobian-kernel
      directions; None with ``reason`` otherwise; ``decided_by`` names the theorem or the witness.  A Jacobian
      rank deficit alone never gives False (docs/mathematics.md E4).

    Parameters
    ----------
    net : the network θ.
    max_regions : cap for the region enumeration (the exact tangent space and the dead/active/invisible checks).

    Examples
    --------
    >>> from exactrelu import examples, random_network
    >>> r = identifiability(random_network((2, 3, 1), seed=1))
    >>> r.locally_identifiable, r.globally_identifiable, r.fiber_dimension
    (True, True, 3)
    >>> r = identifiability(examples.relu_plus_identity())    # Jacobian kernel 3, exact fiber: the orbit (dim 2)
    >>> r.locally_identifiable, r.globally_identifiable, r.kernel_dimension, r.fiber_dimension
    (True, True, 3, 2)
    >>> r = identifiability(examples.invisible_translation())
    >>> r.globally_identifiable, r.decided_by["found_by"][:15], [m.kind for m in r.mechanisms]
    (False, 'T_1 translation', ['invisible hyperplane'])
    >>> r = identifiability(examples.visible_bottleneck())   # two hidden layers: a theorem with exact hypotheses
    >>> r.globally_identifiable, r.decided_by["by"], all(r.decided_by["hypotheses"].values())
    (True, 'theorem', True)
    """
    tangent = fiber_tangent_space(net, max_regions=max_regions)
    n_scal = len(tangent.scaling)
    ub = net.num_parameters - n_scal
    mechs, _notes = hidden_symmetry_mechanisms(net, max_regions)
    cond: dict[str, Any] | None = None
    rank_ok = tangent.rank == ub
    lines = [(v, how) for v, how in _neuron_lines(net, mechs)
             if _flint.rank(list(tangent.scaling) + [v]) > n_scal]
    witness: tuple[Network, dict[str, Any]] | None = None
    glob: bool | None
    decided: dict[str, Any] = {"by": None}
    if net.depth == 0:
        glob, reason = True, "no hidden layer: an affine map determines its parameters"
        decided = {"by": "theorem", "theorem": "an affine map determines its parameters"}
    elif net.depth == 1:
        b3, reason, cond, flips = shallow_conditions(net)
        mechs += flips
        glob = True if b3 is True else None
        if b3 is True:
            decided = {"by": "theorem", "theorem": "docs/mathematics.md B3 (i)-(iii)"}
        if b3 is not True:
            exact, fiber_cands, fiber_note = (_fiber_candidates(net, n_scal) if net.layers[0].n_out <= 8
                                              else (None, [], ""))
            if exact is True:
                glob, reason = True, fiber_note
                decided = {"by": "theorem", "theorem": "the exact one-hidden-layer fiber (docs/mathematics.md B2)"}
            else:
                cands = [*_shallow_candidates(net, cond, flips), *_line_candidates(net, lines), *fiber_cands]
                witness = _verified_witness(net, cands)
                if witness is not None:
                    glob = False
                    reason = f"{reason}; witness: {witness[1]['found_by']}" if b3 is False else \
                        f"witness: {witness[1]['found_by']}"
                else:
                    reason = (f"{reason}; no second parameter with the same function was found"
                              + (f" ({fiber_note})" if fiber_note else ""))
    else:
        from exactrelu.theory.dimension.deep import (
            bottleneck_candidates,
            bottleneck_identifiability,
            swap_candidates,
            translation_candidates,
        )

        if net.depth == 2:
            thm, thm_reason, thm_ev = bottleneck_identifiability(net)
        else:
            thm, thm_reason, thm_ev = None, (f"no theorem with exactly checkable hypotheses covers depth "
                                             f"{net.depth} (docs/mathematics.md E4: GM's open set of identifiable "
                                             "parameters has no explicit test)"), {}
        if thm is True:
            glob, reason = True, thm_reason
            decided = {"by": "theorem", **thm_ev}
        else:
            witness = _verified_witness(net, [*translation_candidates(net), *swap_candidates(net),
                                              *bottleneck_candidates(net),
                                              *_line_candidates(net, lines), *_kernel_candidates(net, tangent)])
            if witness is not None:
                glob, reason = False, f"witness: {witness[1]['found_by']}"
            elif rank_ok:
                glob, reason = None, ("locally identifiable (rank D - N_h, docs/mathematics.md E3); no global "
                                      f"theorem applies ({thm_reason}) and no witness was found")
            else:
                glob, reason = None, (f"the Jacobian kernel has {len(tangent.hidden)} direction(s) beyond scaling, "
                                      "but no second parameter with the same function was found; a rank deficit "
                                      f"alone proves nothing (docs/mathematics.md E4); {thm_reason}")
            if witness is None:
                decided = {"by": None, "theorem_not_applicable": thm_reason, **thm_ev}
    if witness is not None:
        decided = {"by": "witness", **witness[1]}
    if rank_ok:
        local: bool | None = True
        local_reason = (f"the exact Jacobian has rank {tangent.rank} = D - {n_scal} scaling directions "
                        f"(docs/mathematics.md E3)")
    elif glob is True:
        local, local_reason = True, "globally identifiable"
    elif lines:
        local, local_reason = False, (f"{lines[0][1]}: the line θ + t·v lies in the fiber for every t and v is not "
                                      "a scaling direction, so the fiber has dimension > the orbit's near θ")
    else:
        local, local_reason = None, (f"the Jacobian kernel ({tangent.dimension}) exceeds the {n_scal} scaling "
                                     "directions, which proves nothing at a non-transversal θ, and no curve of "
                                     "parameters with the same function was found")
    if tangent.nondifferentiable:
        local_reason += (f"; {len(tangent.nondifferentiable)} region(s) have no Jacobian in θ (docs/mathematics.md "
                         f"§3), their "
                         "rows are missing")
        if local is True and glob is not True and not rank_ok:
            local = None
    return Identifiability(locally_identifiable=local, functional_dimension=tangent.rank, upper_bound=ub,
                           fiber_dimension=n_scal if local is True else None, hidden_neurons=net.num_hidden,
                           mechanisms=tuple(mechs), globally_identifiable=glob, reason=reason,
                           shallow_conditions=cond, tangent=tangent, local_reason=local_reason,
                           witness=None if witness is None else witness[0],
                           witness_evidence={} if witness is None else witness[1], decided_by=decided)
