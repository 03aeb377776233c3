"""Hidden-symmetry mechanisms at θ and the one-hidden-layer conditions of docs/mathematics.md §B3.

* :func:`hidden_symmetry_mechanisms`: the mechanisms of docs/mathematics.md §6 found at θ (dead neurons,
  always-active neurons, invisible first-layer hyperplanes, orientation flips, canceling pairs, non-transversality;
  plus zero weights, §3), each with the neurons involved and its evidence.
* :func:`shallow_conditions`: for one hidden layer, θ is identifiable up to the trivial group iff (i) every neuron has
  ``W1_i != 0`` and ``W2_i != 0``, (ii) the ``(W1_i, b1_i)`` are pairwise non-proportional, and (iii) no nonempty ``S``
  has ``Σ_{i∈S} W2_i W1_i = 0`` (:func:`zero_subset_sum`, meet in the middle) — docs/mathematics.md §B3.

Neurons are named ``(layer, index)``, both 1-based (as in the parameter names ``W{l}_{i}_{j}``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import RegionLimitError
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import format_rational
from exactrelu.engines import flintlib as _flint

__all__ = ["Mechanism", "hidden_symmetry_mechanisms", "shallow_conditions", "zero_subset_sum", "flip",
           "proportional", "MAX_FLIP_NEURONS"]

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
class Mechanism:
    """One hidden-symmetry mechanism found at θ (docs/mathematics.md §6): ``kind``, the neurons involved, a sentence,
    evidence."""

    kind: str
    neurons: tuple[Neuron, ...]
    description: str = field(repr=False)
    evidence: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "neurons": [list(n) for n in self.neurons], "description": self.description,
                "evidence": self.evidence}

def zero_subset_sum(vectors: Sequence[Sequence[Fraction]]) -> frozenset[int] | None:
    """A nonempty ``S`` with ``Σ_{i∈S} vectors[i] = 0`` (smallest size found), or None; meet in the middle.

    This is the orientation-flip condition B3 (iii) (NP-hard in general, docs/mathematics.md §7 row 14); ``O(2^(n/2))``.

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


def flip(net: Network, S: Iterable[int]) -> Network:
    """The B3 flip: negate ``(W1_i, b1_i)`` for ``i ∈ S`` and add ``Σ_S W2_i b1_i`` to the output bias."""
    S = set(S)
    l1, l2 = net.layers
    W1 = tuple(tuple(-w for w in r) if i in S else r for i, r in enumerate(l1.weights))
    b1 = tuple(-b if i in S else b for i, b in enumerate(l1.biases))
    b2 = tuple(b + sum((l2.weights[k][i] * l1.biases[i] for i in S), _Z) for k, b in enumerate(l2.biases))
    return Network((Layer(W1, b1), Layer(l2.weights, b2)))


def proportional(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction | None:
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
                                      for c in [proportional(rows[i], rows[j])] if c is not None]
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
                                     "neurons on one hyperplane whose jumps cancel (docs/mathematics.md B4, §3): the "
                                     "hyperplane is "
                                     "invisible and can be moved, with the linear term absorbed",
                                     {"jump": _fmt(C)}))
                continue
        opp = any(c < 0 for _, c in group)
        out.append(Mechanism("non-transversality", neurons,
                             "coincident first-layer hyperplanes" + (
                                 " with opposite orientations: θ is not transversal, so the Jacobian kernel can "
                                 "exceed the fiber's tangent space (docs/mathematics.md §3)" if opp else
                                 ": output weights can be redistributed along them (docs/mathematics.md §3)"),
                             {"ratios": [format_rational(c) for _, c in group]}))
    # parallel distinct hyperplanes break supertransversality in deeper nets (docs/mathematics.md §3)
    if net.depth >= 2:
        for i, j in itertools.combinations(nz, 2):
            if i in seen and j in seen:
                continue
            if proportional(l1.weights[i], l1.weights[j]) is not None and proportional(rows[i], rows[j]) is None:
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
                    proportional(rows[a], rows[b]) is not None for a, b in itertools.combinations(S, 2)):
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
                             "while it stays dead (docs/mathematics.md §3)", {"max_preactivation": format_rational(val),
                                                                    "attained_in_region": k}))
    for (l, i), (k, val) in sorted(cx.always_active_neurons().items()):
        out.append(Mechanism("always-active neuron", ((l + 1, i + 1),),
                             "active on all of R^d: it acts linearly, giving GL-type symmetries with its layer "
                             "(docs/mathematics.md §3, "
                             "C)", {"min_preactivation": format_rational(val), "attained_in_region": k}))
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
                                     "(docs/mathematics.md D1, D3)", {"facets_checked": sum(
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
                                     "free (docs/mathematics.md §3)"))
            elif not any(layer.weights[i]) and l == 0:
                out.append(Mechanism("zero weights", ((l + 1, i + 1),),
                                     "incoming weights are 0: a constant neuron, foldable into the next bias "
                                     "(docs/mathematics.md §3)"))
    return out


def shallow_conditions(net: Network) -> tuple[bool | None, str, dict[str, Any], list[Mechanism]]:
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
        c = proportional(rows[a], rows[b])
        if c is not None:
            pairs.append((a + 1, b + 1, format_rational(c)))
    cond["ii"] = not pairs
    cond["ii_violations"] = [list(p) for p in pairs]
    witness = None
    if n > MAX_FLIP_NEURONS:
        cond["iii"] = None
        cond["iii_note"] = (f"width {n} > {MAX_FLIP_NEURONS}: zero-subset-sum search skipped (NP-hard, "
                            f"docs/mathematics.md B3)")
    else:
        prods = [tuple(l2.weights[k][i] * w for k in range(l2.n_out) for w in l1.weights[i]) for i in range(n)]
        S = zero_subset_sum(prods)
        cond["iii"] = S is None
        if S is not None:
            witness = sorted(S)
            cond["iii_witness"] = [i + 1 for i in witness]
            eta = flip(net, S)
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
                                       "(docs/mathematics.md B3)", evidence))
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
                return False, (f"neurons {[a, b]} form a canceling pair (docs/mathematics.md B4): the hyperplane can "
                               f"move"), \
                    cond, mechs
        return None, ("B3 (ii) fails with opposite orientations only: outside the explicit test of docs/mathematics.md "
                      "B3 "
                      "(the Jacobian kernel may exceed the fiber at such a non-transversal point)"), cond, mechs
    if witness is not None:
        return False, f"B3 (iii) fails: orientation flip on neurons {[i + 1 for i in witness]}", cond, mechs
    if cond["iii"] is None:
        return None, cond["iii_note"], cond, mechs
    return True, ("one hidden layer with (i)-(iii) of docs/mathematics.md B3: identifiable up to the trivial "
                  "group"), cond, mechs


def hidden_symmetry_mechanisms(net: Network, max_regions: int) -> tuple[list[Mechanism], list[str]]:
    """The mechanisms of docs/mathematics.md §6 found at θ (zero weights, dead / always-active neurons, invisible
    first-layer hyperplanes, coincident or concurrent first-layer hyperplanes), and notes on what was not examined.

    >>> from exactrelu import examples
    >>> [m.kind for m in hidden_symmetry_mechanisms(examples.dead_second_layer(), 100)[0]]
    ['dead neuron', 'invisible hyperplane', 'invisible hyperplane']
    """
    mechs = _zero_weight_mechanisms(net)
    rm, notes = _region_mechanisms(net, max_regions)
    return mechs + rm + _first_layer_mechanisms(net), notes
