"""Identifiability: the tangent space of the fiber, hidden-symmetry mechanisms, and the shallow global answer.

MATH.md §1 (hidden symmetry, identifiability), §2.E3–E4, B3, §3 and §6.

* :func:`fiber_tangent_space`: the kernel of the full parameter Jacobian (over ``d+1`` affinely independent points of
  every activation region, MATH.md E1) as exact basis vectors, split into the **scaling** directions (the generator of
  the positive rescaling of each hidden neuron, always in the kernel) and a complement of **hidden** directions.
  ``dimension = D - dim_fun(θ)`` is the local dimension of the fiber ``S(θ)`` at θ (to first order).
* :func:`identifiability`: local identifiability (the kernel is spanned by the scaling directions, i.e. the fiber has
  dimension ``N_h``; MATH.md E3), the hidden-symmetry mechanisms found (MATH.md §6: dead neurons, always-active
  neurons, invisible first-layer hyperplanes, orientation flips, canceling pairs, non-transversality; plus zero
  weights, §3), and for one hidden layer the global answer of MATH.md B3: θ is identifiable up to the trivial group
  iff (i) every neuron has ``W1_i != 0`` and ``W2_i != 0``, (ii) the ``(W1_i, b1_i)`` are pairwise non-proportional,
  and (iii) no nonempty ``S`` has ``Σ_{i∈S} W2_i W1_i = 0`` (zero subset sum, decided by meet in the middle).

Neurons are named ``(layer, index)``, both 1-based (as in the parameter names ``W{l}_{i}_{j}``).

Examples
--------
>>> from exactrelu import examples
>>> T = fiber_tangent_space(examples.invisible_translation())
>>> T.dimension, len(T.scaling), len(T.hidden)
(4, 3, 1)
>>> r = identifiability(examples.relu_minus_shifted_relu())
>>> r.locally_identifiable, r.globally_identifiable, [m.kind for m in r.mechanisms]
(True, False, ['orientation flip'])
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import format_rational
from exactrelu.engines import flintlib as _flint
from exactrelu.theory.dimension.fdim import (
    LARGE_NETWORK,
    MAX_REGIONS,
    NondifferentiablePoint,
    functional_dimension,
    points_jacobian,
    region_jacobian,
    structured_functional_dimension,
)
from exactrelu.theory.dimension.jacobian import scaling_generators

__all__ = ["FiberTangentSpace", "Mechanism", "Identifiability", "fiber_tangent_space", "identifiability",
           "zero_subset_sum", "MAX_FLIP_NEURONS"]

Row = tuple[Fraction, ...]
Neuron = tuple[int, int]

#: Largest hidden width for the exponential orientation-flip search (2^(n/2) subset sums per half).
MAX_FLIP_NEURONS = 40
#: Largest number of first-layer neuron subsets examined for non-transversality.
MAX_TRANSVERSALITY_SUBSETS = 20_000

_Z = Fraction(0)


def _fmt(v: Sequence[Fraction]) -> list[str]:
    return [format_rational(x) for x in v]


@dataclass(frozen=True)
class FiberTangentSpace:
    """The (first-order) tangent space at θ of the fiber ``S(θ) = {η : f_η = f_θ}``: the kernel of the Jacobian.

    ``scaling``: exact basis of the scaling directions (one per hidden neuron with a nonzero parameter, dependent ones
    dropped); ``hidden``: exact vectors completing it to a basis of the kernel (hidden-symmetry directions);
    ``basis = scaling + hidden``; ``dimension = D - rank``.  ``local`` is True: this describes the fiber near θ only.
    ``nondifferentiable``: regions / points where ``θ -> f_θ(x)`` has no Jacobian (MATH.md §3); their rows are
    missing, so the kernel is then only that of the other rows (``complete`` is False).
    """

    dimension: int
    rank: int
    parameters: int
    hidden_neurons: int
    scaling: tuple[Row, ...]
    hidden: tuple[Row, ...]
    names: tuple[str, ...] = field(default=(), repr=False)
    local: bool = True
    nondifferentiable: tuple[NondifferentiablePoint, ...] = ()

    @property
    def basis(self) -> tuple[Row, ...]:
        return self.scaling + self.hidden

    @property
    def complete(self) -> bool:
        """True when every region contributed its rows (no region without Jacobian)."""
        return not self.nondifferentiable

    def __repr__(self) -> str:
        return (f"FiberTangentSpace(dimension={self.dimension}, rank={self.rank}, parameters={self.parameters}, "
                f"scaling={len(self.scaling)}, hidden={len(self.hidden)}, complete={self.complete})")

    def __str__(self) -> str:
        out = [f"Jacobian kernel of dimension {self.dimension} = {len(self.scaling)} scaling + {len(self.hidden)} "
               f"hidden direction(s) (D = {self.parameters}, rank {self.rank})"]
        for v in self.hidden[:5]:
            out.append("  hidden: " + " ".join(f"{'+' if c > 0 else '-'} {format_rational(abs(c))}·{n}"
                                               for c, n in zip(v, self.names) if c).lstrip("+ "))
        if self.nondifferentiable:
            out.append(f"  incomplete: {len(self.nondifferentiable)} region(s) without Jacobian in θ")
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "rank": self.rank, "parameters": self.parameters,
                "hidden_neurons": self.hidden_neurons, "local": self.local, "complete": self.complete,
                "names": list(self.names), "scaling": [_fmt(v) for v in self.scaling],
                "hidden": [_fmt(v) for v in self.hidden],
                "nondifferentiable": [p.to_dict() for p in self.nondifferentiable]}


def _independent_extension(base: list[Row], candidates: Iterable[Row]) -> list[Row]:
    """Greedily pick the candidates that increase the rank of ``base`` (exact ranks)."""
    chosen: list[Row] = []
    current = _flint.rank(base) if base else 0
    for v in candidates:
        trial = base + chosen + [v]
        r = _flint.rank(trial)
        if r > current:
            chosen.append(v)
            current = r
    return chosen


def _default_rows(net: Network, max_regions: int) -> tuple[list[Row], tuple[NondifferentiablePoint, ...]]:
    try:
        jac = region_jacobian(net, max_regions)
    except RegionLimitError:
        fd = functional_dimension(net, method="sampling")
        if not fd.exact:
            raise RegionLimitError(
                f"more than {max_regions} regions and random sampling only reached rank {fd.differentiable_rank} < "
                f"{fd.upper_bound}: the exact tangent space needs the regions (raise max_regions)") from None
        jac = points_jacobian(net, fd.points)
    return list(jac.rows), jac.nondifferentiable


def fiber_tangent_space(net: Network, points: Iterable[Sequence[object]] | None = None, *,
                        max_regions: int = MAX_REGIONS) -> FiberTangentSpace:
    """Exact kernel of the parameter Jacobian at θ, split into scaling and hidden directions (MATH.md E1, §1).

    With ``points=None`` the Jacobian is taken over ``d+1`` affinely independent points of every activation region, so
    the kernel is the kernel of ``θ -> (A_R, c_R)_R`` (exact).  With a batch, it is the kernel for that batch.

    >>> from exactrelu import examples
    >>> T = fiber_tangent_space(examples.chain("shifted"))          # relu(relu(x) - 1): a translation
    >>> T.dimension, [[str(v) for v in h] for h in T.hidden]
    (3, [['0', '1', '0', '-1', '0', '0']])
    """
    nondiff: tuple[NondifferentiablePoint, ...] = ()
    if points is not None:
        jac = points_jacobian(net, points)
        rows, nondiff = list(jac.rows), jac.nondifferentiable
    else:
        D = net.num_parameters
        if D > LARGE_NETWORK:
            fd = structured_functional_dimension(net)
            scaling = _independent_extension([], scaling_generators(net))
            if not fd.exact:
                raise RegionLimitError(f"large network (D = {D}): the certified rank {fd.rank} did not reach "
                                       f"{fd.upper_bound}, and the exact kernel would need all regions")
            return FiberTangentSpace(dimension=D - fd.rank, rank=fd.rank, parameters=D,
                                     hidden_neurons=net.num_hidden, scaling=tuple(scaling), hidden=(),
                                     names=net.parameter_names())
        rows, nondiff = _default_rows(net, max_regions)
    D = net.num_parameters
    if rows:
        kernel = _flint.nullspace(rows)
        rank = D - len(kernel)
    else:
        kernel = [tuple(Fraction(int(i == j)) for j in range(D)) for i in range(D)]
        rank = 0
    scaling = _independent_extension([], scaling_generators(net))
    hidden = _independent_extension(list(scaling), kernel)
    return FiberTangentSpace(dimension=D - rank, rank=rank, parameters=D, hidden_neurons=net.num_hidden,
                             scaling=tuple(scaling), hidden=tuple(hidden), names=net.parameter_names(),
                             nondifferentiable=nondiff)


# ---------------------------------------------------------------------------------------------- mechanisms
@dataclass(frozen=True)
class Mechanism:
    """One hidden-symmetry mechanism found at θ (MATH.md §6): ``kind``, the neurons involved, a sentence, evidence."""

    kind: str
    neurons: tuple[Neuron, ...]
    description: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "neurons": [list(n) for n in self.neurons], "description": self.description,
                "evidence": self.evidence}


@dataclass(frozen=True)
class Identifiability:
    """The identifiability report of θ: only what is proved (MATH.md E3, E4, B3).

    Attributes
    ----------
    locally_identifiable : True when proved (the exact Jacobian over a set of regions has rank ``D - #scaling``,
        MATH.md E3, or θ is globally identifiable); False when a line ``θ + t v`` (every ``t``) lies in the fiber with
        ``v`` outside the scaling directions (a dead or unused neuron), which gives the fiber a dimension above the
        orbit's; None otherwise (a Jacobian kernel larger than the scaling directions proves nothing at a
        non-transversal θ: ``relu(x) + x`` has a 3-dimensional kernel but a 2-dimensional fiber).
    globally_identifiable : True when proved (one hidden layer: MATH.md B3 (i)-(iii), or the exact fiber of MATH.md
        B2 is the trivial orbit); False only with ``witness``; None with ``reason`` otherwise.
    witness : a second parameter with the same function (checked exactly by
        :func:`~exactrelu.equivalence.equivalent`) that is not related to θ by a trivial symmetry (checked by
        :func:`~exactrelu.symmetry.related_by_trivial_symmetry`); ``witness_evidence`` says how it was found.
    functional_dimension : the rank of the Jacobian over the regions where it exists (``tangent.rank``).
    kernel_dimension : ``D - functional_dimension``, the dimension of the Jacobian kernel (first order only).
    fiber_dimension : the local dimension of the fiber ``S(θ)`` at θ when proved (the orbit dimension when θ is
        locally identifiable), else None.
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
                "witness_evidence": self.witness_evidence,
                "functional_dimension": self.functional_dimension, "upper_bound": self.upper_bound,
                "kernel_dimension": self.kernel_dimension, "fiber_dimension": self.fiber_dimension,
                "hidden_neurons": self.hidden_neurons, "hidden_dimension": self.hidden_dimension,
                "mechanisms": [m.to_dict() for m in self.mechanisms],
                "shallow_conditions": self.shallow_conditions, "tangent": self.tangent.to_dict()}


def zero_subset_sum(vectors: Sequence[Sequence[Fraction]]) -> frozenset[int] | None:
    """A nonempty ``S`` with ``Σ_{i∈S} vectors[i] = 0`` (smallest size found), or None; meet in the middle.

    This is the orientation-flip condition B3 (iii) (NP-hard in general, MATH.md §7 row 14); ``O(2^(n/2))``.

    >>> zero_subset_sum([[3], [5], [-8], [1]])
    frozenset({0, 1, 2})
    >>> zero_subset_sum([[1, 0], [0, 1]]) is None
    True
    """
    vecs = [tuple(Fraction(v) for v in x) for x in vectors]
    n = len(vecs)
    if n == 0:
        return None
    width = len(vecs[0])
    h = n // 2

    def sums(part: Sequence[Row], offset: int) -> list[tuple[int, Row]]:
        out: list[tuple[int, Row]] = [(0, (_Z,) * width)]
        for j, v in enumerate(part):
            out += [(m | (1 << (j + offset)), tuple(a + b for a, b in zip(s, v))) for m, s in out]
        return out

    right: dict[Row, list[int]] = {}
    for m, s in sums(vecs[h:], h):
        right.setdefault(s, []).append(m)
    best: int | None = None
    for m, s in sums(vecs[:h], 0):
        for rm in right.get(tuple(-v for v in s), ()):
            full = m | rm
            if full and (best is None or bin(full).count("1") < bin(best).count("1")):
                best = full
    return None if best is None else frozenset(i for i in range(n) if best >> i & 1)


def _flip(net: Network, S: Iterable[int]) -> Network:
    """The B3 flip: negate ``(W1_i, b1_i)`` for ``i ∈ S`` and add ``Σ_S W2_i b1_i`` to the output bias."""
    S = set(S)
    l1, l2 = net.layers
    W1 = tuple(tuple(-w for w in r) if i in S else r for i, r in enumerate(l1.weights))
    b1 = tuple(-b if i in S else b for i, b in enumerate(l1.biases))
    b2 = tuple(b + sum((l2.weights[k][i] * l1.biases[i] for i in S), _Z) for k, b in enumerate(l2.biases))
    return Network((Layer(W1, b1), Layer(l2.weights, b2)))


def _proportional(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction | None:
    """c with v = c u (c != 0), or None."""
    p = next((k for k, x in enumerate(u) if x), None)
    if p is None or not v[p]:
        return None
    c = v[p] / u[p]
    return c if all(c * a == b for a, b in zip(u, v)) else None


def _first_layer_mechanisms(net: Network) -> list[Mechanism]:
    """Coincident hyperplanes (merged or canceling), parallel hyperplanes in deep nets, concurrent hyperplanes."""
    out: list[Mechanism] = []
    l1 = net.layers[0]
    n, d = l1.n_out, l1.n_in
    rows = [tuple(l1.weights[i]) + (l1.biases[i],) for i in range(n)]
    nz = [i for i in range(n) if any(l1.weights[i])]
    # coincident hyperplanes: groups of proportional (W1_i, b1_i)
    seen: set[int] = set()
    for i in nz:
        if i in seen:
            continue
        group = [(i, Fraction(1))] + [(j, c) for j in nz if j > i and j not in seen
                                      for c in [_proportional(rows[i], rows[j])] if c is not None]
        if len(group) < 2:
            continue
        seen.update(j for j, _ in group)
        neurons = tuple((1, j + 1) for j, _ in group)
        if net.depth == 1:
            # jump weight on H: Σ |c_j| W2_j (scales relative to neuron i), zero means canceling
            l2 = net.layers[1]
            C = [sum((abs(c) * l2.weights[k][j] for j, c in group), _Z) for k in range(l2.n_out)]
            if not any(C):
                out.append(Mechanism("canceling pair", neurons,
                                     "neurons on one hyperplane whose jumps cancel (MATH.md B4, §3): the hyperplane is "
                                     "invisible and can be moved, with the linear term absorbed",
                                     {"jump": _fmt(C)}))
                continue
        opp = any(c < 0 for _, c in group)
        out.append(Mechanism("non-transversality", neurons,
                             "coincident first-layer hyperplanes" + (
                                 " with opposite orientations: θ is not transversal, so the Jacobian kernel can "
                                 "exceed the fiber's tangent space (MATH.md §3)" if opp else
                                 ": output weights can be redistributed along them (MATH.md §3)"),
                             {"ratios": [format_rational(c) for _, c in group]}))
    # parallel distinct hyperplanes break supertransversality in deeper nets (MATH.md §3)
    if net.depth >= 2:
        for i, j in itertools.combinations(nz, 2):
            if i in seen and j in seen:
                continue
            if _proportional(l1.weights[i], l1.weights[j]) is not None and _proportional(rows[i], rows[j]) is None:
                out.append(Mechanism("non-transversality", ((1, i + 1), (1, j + 1)),
                                     "parallel first-layer hyperplanes (supertransversality fails for depth >= 2)"))
    # concurrent: k <= d+1 hyperplanes meeting in a face of the wrong codimension
    count = 0
    for k in range(3, min(d + 1, len(nz)) + 1):
        for S in itertools.combinations(nz, k):
            count += 1
            if count > MAX_TRANSVERSALITY_SUBSETS:
                return out
            W = [l1.weights[i] for i in S]
            rw = _flint.rank(W)
            if rw < k and rw == _flint.rank([rows[i] for i in S]) and not any(
                    _proportional(rows[a], rows[b]) is not None for a, b in itertools.combinations(S, 2)):
                out.append(Mechanism("non-transversality", tuple((1, i + 1) for i in S),
                                     f"{k} first-layer hyperplanes meet in a face of codimension {rw} < {k}"))
    return out


def _region_mechanisms(net: Network, max_regions: int) -> tuple[list[Mechanism], list[str]]:
    """Dead / always-active neurons and invisible first-layer hyperplanes, from the exact polyhedral complex."""
    from exactrelu.geometry.regions import regions

    notes: list[str] = []
    try:
        cx = regions(net, max_regions=max_regions)
    except RegionLimitError:
        return [], [f"more than {max_regions} regions: dead/active/invisible neurons not examined"]
    out: list[Mechanism] = []
    for (l, i), (k, val) in sorted(cx.dead_neurons().items()):
        out.append(Mechanism("dead neuron", ((l + 1, i + 1),),
                             "never active on R^d: its outgoing weights are free, its incoming parameters can move "
                             "while it stays dead (MATH.md §3)", {"max_preactivation": format_rational(val),
                                                                    "attained_in_region": k}))
    for (l, i), (k, val) in sorted(cx.always_active_neurons().items()):
        out.append(Mechanism("always-active neuron", ((l + 1, i + 1),),
                             "active on all of R^d: it acts linearly, giving GL-type symmetries with its layer "
                             "(MATH.md §3, C)", {"min_preactivation": format_rational(val), "attained_in_region": k}))
    if net.depth >= 1:
        visible: dict[int, bool] = {}
        for R in cx.regions:
            for f in R.facets:
                if f.neighbor is None:
                    continue
                other = cx.regions[cx.index()[f.neighbor]]
                jump = R.affine_map[0] != other.affine_map[0]
                for (l, i) in f.neurons:
                    if l == 0:
                        visible[i] = visible.get(i, False) or jump
        dead_first = {i for (l, i) in cx.dead_neurons() if l == 0}
        for i in range(net.layers[0].n_out):
            if not any(net.layers[0].weights[i]) or i in dead_first:
                continue
            if not visible.get(i, False):
                out.append(Mechanism("invisible hyperplane", ((1, i + 1),),
                                     "f is affine across this first-layer hyperplane (no gradient jump on any facet): "
                                     "it is not determined by f; for depth >= 2 a bias translation T_j acts "
                                     "(MATH.md D1, D3)", {"facets_checked": sum(
                                         1 for R in cx.regions for f in R.facets if (0, i) in f.neurons)}))
    return out, notes


def _zero_weight_mechanisms(net: Network) -> list[Mechanism]:
    out = []
    for l, layer in enumerate(net.layers[:-1]):
        nxt = net.layers[l + 1]
        for i in range(layer.n_out):
            if not any(nxt.weights[k][i] for k in range(nxt.n_out)):
                out.append(Mechanism("zero weights", ((l + 1, i + 1),),
                                     "all outgoing weights are 0: the neuron is unused, its incoming parameters are "
                                     "free (MATH.md §3)"))
            elif not any(layer.weights[i]) and l == 0:
                out.append(Mechanism("zero weights", ((l + 1, i + 1),),
                                     "incoming weights are 0: a constant neuron, foldable into the next bias "
                                     "(MATH.md §3)"))
    return out


def _shallow_global(net: Network) -> tuple[bool | None, str, dict[str, Any], list[Mechanism]]:
    l1, l2 = net.layers
    n = l1.n_out
    cond: dict[str, Any] = {}
    mechs: list[Mechanism] = []
    bad_i = [i + 1 for i in range(n) if not any(l1.weights[i]) or not any(l2.weights[k][i] for k in range(l2.n_out))]
    cond["i"] = not bad_i
    cond["i_violations"] = bad_i
    rows = [tuple(l1.weights[i]) + (l1.biases[i],) for i in range(n)]
    pairs = []
    for a, b in itertools.combinations(range(n), 2):
        c = _proportional(rows[a], rows[b])
        if c is not None:
            pairs.append((a + 1, b + 1, format_rational(c)))
    cond["ii"] = not pairs
    cond["ii_violations"] = [list(p) for p in pairs]
    witness = None
    if n > MAX_FLIP_NEURONS:
        cond["iii"] = None
        cond["iii_note"] = f"width {n} > {MAX_FLIP_NEURONS}: zero-subset-sum search skipped (NP-hard, MATH.md B3)"
    else:
        prods = [tuple(l2.weights[k][i] * w for k in range(l2.n_out) for w in l1.weights[i]) for i in range(n)]
        S = zero_subset_sum(prods)
        cond["iii"] = S is None
        if S is not None:
            witness = sorted(S)
            cond["iii_witness"] = [i + 1 for i in witness]
            eta = _flip(net, S)
            evidence: dict[str, Any] = {"S": [i + 1 for i in witness], "flipped_network": eta.to_lists()}
            try:
                from exactrelu.theory.equality.shallow import canonical_data

                evidence["same_function"] = canonical_data(eta) == canonical_data(net)
            except ImportError:  # pragma: no cover - the equivalence module is part of the package
                pass
            from exactrelu.core.symmetry import related_by_trivial_symmetry

            evidence["trivially_related"] = related_by_trivial_symmetry(net, eta) is not None
            if evidence["trivially_related"]:
                witness = None
                cond["iii"] = True
            else:
                mechs.append(Mechanism("orientation flip", tuple((1, i + 1) for i in witness),
                                       "Σ_{i∈S} W2_i W1_i = 0: negating (W1_i, b1_i) for i in S and adding Σ_S W2_i "
                                       "b1_i to the output bias gives the same function outside the trivial orbit "
                                       "(MATH.md B3)", evidence))
    if not cond["i"]:
        return False, f"B3 (i) fails at neuron(s) {bad_i}: zero incoming or outgoing weights give free parameters", \
            cond, mechs
    same = [p for p in pairs if Fraction(p[2]) > 0]
    if same:
        return False, f"B3 (ii) fails: neurons {list(same[0][:2])} share a hyperplane with the same orientation " \
                      "(their output weights can be redistributed)", cond, mechs
    if pairs:
        l2w = [[l2.weights[k][i] for k in range(l2.n_out)] for i in range(n)]
        for a, b, c in pairs:
            if all(x + abs(Fraction(c)) * y == 0 for x, y in zip(l2w[a - 1], l2w[b - 1])):
                return False, f"neurons {[a, b]} form a canceling pair (MATH.md B4): the hyperplane can move", \
                    cond, mechs
        return None, ("B3 (ii) fails with opposite orientations only: outside the explicit test of MATH.md B3 "
                      "(the Jacobian kernel may exceed the fiber at such a non-transversal point)"), cond, mechs
    if witness is not None:
        return False, f"B3 (iii) fails: orientation flip on neurons {[i + 1 for i in witness]}", cond, mechs
    if cond["iii"] is None:
        return None, cond["iii_note"], cond, mechs
    return True, "one hidden layer with (i)-(iii) of MATH.md B3: identifiable up to the trivial group", cond, mechs


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


def _verified_witness(net: Network, candidates: Iterable[tuple[Network, str]], *, limit: int = 12
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
        yield _flip(net, [i - 1 for i in m.evidence["S"]]), "orientation flip (MATH.md B3 (iii))"
    l1, l2 = net.layers
    for a, b, c in cond.get("ii_violations", ()):
        c = Fraction(c)
        if c > 0:      # same hyperplane, same orientation: W2_a relu(z) + W2_b relu(c z) = (W2_a + c W2_b) relu(z)
            W2 = [list(r) for r in l2.weights]
            for r in W2:
                r[a - 1], r[b - 1] = r[a - 1] + c * r[b - 1] - c * (r[b - 1] / 2 if r[b - 1] else 1), \
                    r[b - 1] / 2 if r[b - 1] else Fraction(1)
            yield Network((l1, Layer(tuple(tuple(r) for r in W2), l2.biases))), \
                "output weights redistributed between coincident neurons (MATH.md B3 (ii))"


def _fiber_candidates(net: Network, orbit_dim: int) -> tuple[bool | None, list[tuple[Network, str]], str]:
    """The exact one-hidden-layer fiber (MATH.md B2): (is every component a piece of the trivial orbit?, samples of
    the other components).  A component is a piece of the orbit when it has the orbit's dimension and its origin
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
        return True, [], (f"the exact fiber (MATH.md B2) has {len(F.components)} component(s), all in the trivial "
                          "orbit of θ")
    cands = [(F.sample_network(seed=s, component=k), f"a point of fiber component {k + 1} (not the orbit of θ)")
             for k in others[:4] for s in (0, 1)]
    return False, cands, f"{len(others)} fiber component(s) outside the trivial orbit"


def identifiability(net: Network, *, max_regions: int = MAX_REGIONS) -> Identifiability:
    """Local and global identifiability of θ, with the hidden-symmetry mechanisms found: only what is proved.

    * local: True from the rank test of MATH.md E3 (the Jacobian over the regions where it exists has rank
      ``D - #scaling directions``) or from global identifiability; False from a line ``θ + t v`` in the fiber with
      ``v`` outside the scaling directions (dead / unused neurons); None otherwise, with ``local_reason``.
    * global: True for one hidden layer when MATH.md B3 (i)-(iii) hold or the exact fiber (MATH.md B2) is the trivial
      orbit; False only with a ``witness`` η (``f_η = f_θ`` decided exactly, η not a trivial symmetry of θ) found
      from the mechanisms, the exact shallow fiber or the hidden Jacobian-kernel directions; None with ``reason``
      otherwise.  A Jacobian rank deficit alone never gives False (MATH.md E4).

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
    >>> r.globally_identifiable, r.witness_evidence["found_by"][:5], [m.kind for m in r.mechanisms]
    (False, 'θ + (', ['invisible hyperplane'])
    """
    tangent = fiber_tangent_space(net, max_regions=max_regions)
    n_scal = len(tangent.scaling)
    ub = net.num_parameters - n_scal
    mechs: list[Mechanism] = _zero_weight_mechanisms(net)
    rm, _notes = _region_mechanisms(net, max_regions)
    mechs += rm
    mechs += _first_layer_mechanisms(net)
    cond: dict[str, Any] | None = None
    rank_ok = tangent.rank == ub
    lines = [(v, how) for v, how in _neuron_lines(net, mechs)
             if _flint.rank(list(tangent.scaling) + [v]) > n_scal]
    witness: tuple[Network, dict[str, Any]] | None = None
    glob: bool | None
    if net.depth == 0:
        glob, reason = True, "no hidden layer: an affine map determines its parameters"
    elif net.depth == 1:
        b3, reason, cond, flips = _shallow_global(net)
        mechs += flips
        glob = True if b3 is True else None
        if b3 is not True:
            exact, fiber_cands, fiber_note = _fiber_candidates(net, n_scal) if net.layers[0].n_out <= 8 else (None, [], "")
            if exact is True:
                glob, reason = True, fiber_note
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
        witness = _verified_witness(net, [*_line_candidates(net, lines), *_kernel_candidates(net, tangent)])
        if witness is not None:
            glob, reason = False, f"witness: {witness[1]['found_by']}"
        elif rank_ok:
            glob, reason = None, ("locally identifiable (rank D - N_h, MATH.md E3); no complete global test for depth "
                                  ">= 2 (MATH.md E4)")
        else:
            glob, reason = None, (f"the Jacobian kernel has {len(tangent.hidden)} direction(s) beyond scaling, but no "
                                  "second parameter with the same function was found along them; a rank deficit "
                                  "alone proves nothing (MATH.md E4)")
    if rank_ok:
        local: bool | None = True
        local_reason = f"the exact Jacobian has rank {tangent.rank} = D - {n_scal} scaling directions (MATH.md E3)"
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
        local_reason += (f"; {len(tangent.nondifferentiable)} region(s) have no Jacobian in θ (MATH.md §3), their "
                         "rows are missing")
        if local is True and glob is not True and not rank_ok:
            local = None
    return Identifiability(locally_identifiable=local, functional_dimension=tangent.rank, upper_bound=ub,
                           fiber_dimension=n_scal if local is True else None, hidden_neurons=net.num_hidden,
                           mechanisms=tuple(mechs), globally_identifiable=glob, reason=reason,
                           shallow_conditions=cond, tangent=tangent, local_reason=local_reason,
                           witness=None if witness is None else witness[0],
                           witness_evidence={} if witness is None else witness[1])
