"""Global identifiability beyond one hidden layer (docs/mathematics.md E4, D1, D3, §2.C, §2.D, §3).

Two kinds of answers, each with its evidence:

* **no**: a *witness* η (same function, decided exactly by
  :func:`~exactrelu.theory.equality.equivalence.equivalent`, not a trivial symmetry of θ); the candidates proposed
  here are the T_j translation of an invisible first-layer hyperplane applied to the first two layers of a network
  of any depth ≥ 2 (docs/mathematics.md D3: every second-layer activation is unchanged), which includes the
  ``relu(relu(x) - 1)`` phenomenon of (1,1,1,1), and points of the bottleneck fiber components that carry a hidden
  symmetry (G_j flips, linear blocks, dead / silent neurons;
  :func:`~exactrelu.theory.fibers.bottleneck.bottleneck_fiber`).  Dead-neuron lines and Jacobian-kernel directions
  are proposed by :func:`~exactrelu.theory.dimension.identifiability.identifiability` itself.
* **yes**: :func:`bottleneck_identifiability`, the theorem below, whose hypotheses are all decided exactly.

**Theorem** [P: G3 Thm 2 (docs/mathematics.md D1); the rest D].  Let θ have architecture ``(d, n1, n2, m)`` with
``2 <= n1 <= d`` and

1. θ generic (supertransversal and maximal-rank masked products, docs/mathematics.md §1, decided exactly by
   :func:`~exactrelu.theory.dimension.genericity.is_generic`);
2. every first-layer hyperplane visible (some ``z2_i > 0`` on it; on the orthant Ω = ``relu(W1 R^d + b1)`` this is
   "``b2_i > 0`` or ``W2_il > 0`` for some ``l != k``");
3. every second-layer neuron alive on Ω (neither ``W2_i <= 0, b2_i <= 0`` nor ``W2_i >= 0, b2_i >= 0``), every
   ``W2_ik != 0`` and every column ``W3_{:,i} != 0``;
4. the orthant fiber of ``g = (W2, b2, W3, b3)`` on Ω (docs/mathematics.md §2.C) is complete and consists of the
   permutations and rescalings of g only (no orientation set other than θ's).

Then S(θ) = G_A·θ: θ is identifiable.  *Proof.*  Let ``f_η = f_θ``.  By G3 Thm 2 every first-layer hyperplane of θ
(all visible by 2) is a first-layer hyperplane of η; η has ``n1`` rows, so its rows are ``o_p λ_p`` times θ's rows
up to a permutation, ``λ_p > 0``, ``o_p = ±1``.  If some ``o_p = -1`` (row on ``H_k``), pick a direction ``v``
with ``W1_k v != 0`` and ``W1_l v = 0`` (``l != k``; ``rank W1 = n1``): on ``{u_k > 0}`` f_η is constant along v, while
``∂g/∂h_k`` jumps by ``W3_{:,i} W2_ik != 0`` across the hyperplane of every alive neuron i, which meets int Ω
(hypothesis 3), so f_θ is not: a contradiction.  Hence all ``o_p = 1`` and, absorbing λ and the permutation into
``W2``, ``g_η = g_θ`` on Ω; by 4, ``g_η`` is a permutation and rescaling of ``g_θ``, so η ∈ G_A·θ.  ∎
The hypothesis ``n1 >= 2`` is needed: for ``n1 = 1`` the second-layer kink ``u = u*`` is a whole hyperplane parallel
to ``H_1`` and the two kinks can swap layers (:func:`swap_candidates`): ``relu(1 - relu(u)) = 1 - relu(1 -
relu(1 - u))`` at the generic (1,1,1,1) and (2,1,1,1) parameters, found by an exhaustive grid search.
Hypothesis 4 is elementary for an alive (r = 0) second layer: the ``n2`` distinct kink hyperplanes of g inside Ω
each need a neuron of η, so every neuron of η sits on one of them, and the orientation sets allowed are exactly
those with ``A_S = A_{S_θ}`` (exact, enumerated by :func:`~exactrelu.theory.fibers.orthant.orthant_fiber`).

Examples
--------
>>> from exactrelu import examples
>>> ok, why, ev = bottleneck_identifiability(examples.visible_bottleneck())     # docs/mathematics.md D3, W2 = (1, 1)
>>> ok, all(ev["hypotheses"].values())
(True, True)
>>> bottleneck_identifiability(examples.invisible_translation())[0]            # H_1 invisible: T_1 moves θ
False
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import format_rational

__all__ = ["THEOREM", "bottleneck_identifiability", "translation_candidates", "bottleneck_candidates",
           "swap_candidates"]

THEOREM = ("G3 Thm 2 (docs/mathematics.md D1) + the orthant fiber of layers 2-3 (§2.C): a generic bottleneck "
           "(d, n1, n2, m), 2 <= n1 <= d, with every first-layer hyperplane visible, every second-layer neuron "
           "alive on the orthant and the orthant fiber of layers 2-3 equal to its trivial orbit is identifiable")


def _first_two(net: Network) -> Network:
    """The first two layers of θ with a zero output layer (a depth-2 network with the same first two layers)."""
    L1, L2 = net.layers[0], net.layers[1]
    return Network((L1, L2, Layer(((Fraction(0),) * L2.n_out,), (Fraction(0),))))


def translation_candidates(net: Network) -> Iterable[tuple[Network, str]]:
    """T_j(t) on the first two layers (docs/mathematics.md D3) for an invisible H_j, any depth ≥ 2 (to be checked)."""
    from exactrelu.theory.fibers.structure import bottleneck_structure, translate

    if net.depth < 2:
        return
    head = _first_two(net)
    try:
        st = bottleneck_structure(head)
    except NotApplicableError:
        return
    if st.invisible is None or st.t_min is None:
        return
    j = st.invisible
    for t in sorted({st.t_min + 1, abs(st.t_min) + 1, st.t_min + Fraction(1, 3)}):
        if t == 0:
            continue
        moved = translate(head, t, check=False)
        eta = Network(moved.layers[:2] + net.layers[2:])
        yield eta, (f"T_{j + 1} translation of the invisible first-layer hyperplane H_{j + 1} by t = "
                    f"{format_rational(t)} (t_min = {format_rational(st.t_min)}, docs/mathematics.md D3)")


def swap_candidates(net: Network) -> Iterable[tuple[Network, str]]:
    """(d, 1, 1, m) with a ramp ``w3 relu(w2 relu(u) + b2) + b3``, ``w2 < 0 < b2``: the kinks ``u = 0`` and
    ``u* = -b2/w2`` swap layers (to be checked)::

        w3 relu(w2 relu(u) + b2) + b3 = (w3 w2) relu(-relu(u* - u) + u*) + (w3 b2 + b3).
    """
    if net.depth != 2 or net.architecture[1:3] != (1, 1):
        return
    L1, L2, L3 = net.layers
    w2, b2 = L2.weights[0][0], L2.biases[0]
    if not (w2 < 0 < b2):
        return
    us = -b2 / w2
    one = Fraction(1)
    eta = Network((Layer((tuple(-v for v in L1.weights[0]),), (us - L1.biases[0],)),
                   Layer(((-one,),), (us,)),
                   Layer(tuple((row[0] * w2,) for row in L3.weights),
                         tuple(row[0] * b2 + c for row, c in zip(L3.weights, L3.biases)))))
    yield eta, (f"the first-layer kink u = 0 and the second-layer kink u = {format_rational(us)} swap layers "
                "(n1 = n2 = 1)")


def bottleneck_candidates(net: Network, *, per_component: int = 1, limit: int = 4
                          ) -> Iterable[tuple[Network, str]]:
    """Points of the bottleneck fiber components that carry a hidden symmetry (depth 2 only; to be checked)."""
    from exactrelu.theory.fibers.bottleneck import bottleneck_fiber

    if net.depth != 2:
        return
    try:
        F = bottleneck_fiber(net, max_components=400)
    except (NotApplicableError, RegionLimitError):
        return
    shown = 0
    for k, comp in enumerate(F.need_components()):
        h = str(comp.origin.get("hidden_symmetry", "none"))
        if h.startswith("none") or shown >= limit:
            continue
        shown += 1
        for s in range(per_component):
            try:
                pt = comp.sample(seed=s)
            except NotApplicableError:
                continue
            yield (Network.from_parameters(net.architecture, pt),
                   f"a point of bottleneck fiber component {k + 1} ({h}; docs/mathematics.md §2.D)")


def bottleneck_identifiability(net: Network) -> tuple[bool | None, str, dict[str, Any]]:
    """Decide the hypotheses of the theorem of the module doc exactly.

    Returns ``(True, statement, evidence)`` when all hold (θ is identifiable), ``(False, why, evidence)`` when a
    hypothesis fails in a way that exhibits a hidden symmetry (an invisible first-layer hyperplane with an attached
    neuron: T_j moves θ), and ``(None, first failed hypothesis, evidence)`` otherwise (the theorem is silent).
    ``evidence["hypotheses"]`` maps each hypothesis checked so far to its exact verdict.
    """
    from exactrelu.engines.flintlib import rank
    from exactrelu.theory.dimension.genericity import is_generic
    from exactrelu.theory.fibers.orthant import orthant_fiber
    from exactrelu.theory.fibers.structure import bottleneck_structure

    hyp: dict[str, bool] = {}
    ev: dict[str, Any] = {"theorem": THEOREM, "hypotheses": hyp}

    def fail(name: str, why: str, verdict: bool | None = None) -> tuple[bool | None, str, dict[str, Any]]:
        hyp[name] = False
        ev["failed"] = name
        return verdict, f"{name}: {why}", ev

    arch = net.architecture
    h0 = "architecture (d, n1, n2, m) with 2 <= n1 <= d and rank W1 = n1"
    if (net.depth != 2 or arch[1] > arch[0] or arch[1] < 2
            or rank([list(r) for r in net.layers[0].weights]) < arch[1]):
        return fail(h0, f"architecture {arch}")
    hyp[h0] = True
    st = bottleneck_structure(net)
    h2 = "every first-layer hyperplane visible (docs/mathematics.md D1)"
    if not all(st.visible):
        inv = [k + 1 for k, v in enumerate(st.visible) if not v]
        return fail(h2, f"H_{inv} invisible", False if st.t_min is not None else None)
    hyp[h2] = True
    h3 = "every second-layer neuron alive on the orthant, W2 entries and W3 columns nonzero"
    W2, W3 = net.layers[1].weights, net.layers[2].weights
    if any(k != "alive" for k in st.second_layer):
        return fail(h3, "second-layer kinds " + ", ".join(st.second_layer))
    if any(v == 0 for row in W2 for v in row) or any(not any(row[i] for row in W3) for i in range(arch[2])):
        return fail(h3, "a zero entry of W2 or a zero column of W3")
    hyp[h3] = True
    h1 = "θ generic (supertransversal, maximal-rank masked products; docs/mathematics.md §1)"
    try:
        gen = is_generic(net)
    except RegionLimitError as exc:
        return fail(h1, f"not decided ({exc})")
    if not gen:
        return fail(h1, "θ is not generic")
    hyp[h1] = True
    h4 = "orthant fiber of layers 2-3 complete and equal to its trivial orbit (docs/mathematics.md §2.C)"
    g = Network(net.layers[1:])
    try:
        Fg = orthant_fiber(g, "orthant")
    except NotApplicableError as exc:
        return fail(h4, str(exc))
    sets = {tuple(c.origin.get("orientation_set", ())) for c in Fg.need_components()}
    ev["orientation_sets"] = [list(s) for s in sorted(sets)]
    if not Fg.complete:
        return fail(h4, "the orthant fiber is not known to be complete")
    if len(sets) != 1:
        return fail(h4, f"orientation sets {sorted(sets)} (an orientation change of the second layer)", None)
    hyp[h4] = True
    return True, f"theorem: {THEOREM}", ev
