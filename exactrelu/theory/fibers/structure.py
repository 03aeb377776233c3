"""Structure of a three-layer bottleneck network and its hidden symmetries T_j and G_j (docs/mathematics.md D0–D4).

For θ = (W1, b1, W2, b2, W3, b3) of architecture ``(d, n1, n2, m)`` with ``n1 <= d`` and ``rank W1 = n1``:
:func:`bottleneck_structure` (visible / invisible first-layer hyperplanes, second-layer kinds on the orthant, the
T_j half-line ``t >= t_min`` and the flip group G_j), the symmetries :func:`translate` and :func:`flip`, and the
exact certificate :func:`certify_family` of a whole translation family.  The derivations are in the docstring of
:mod:`exactrelu.theory.fibers.bottleneck`.

Examples
--------
>>> from exactrelu import examples
>>> st = bottleneck_structure(examples.invisible_translation())      # docs/mathematics.md D3, §7 row 4
>>> st.visible, st.invisible, st.t_min, st.flippable
((False, True), 0, Fraction(-1, 1), (1,))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import format_rational
from exactrelu.engines.flintlib import rank as _rank

__all__ = ["BottleneckStructure", "bottleneck_structure", "visible_first_layer", "translate", "flip",
           "certify_family", "layers_of"]

_ZERO = Fraction(0)


# ---------------------------------------------------------------------------------------------- structure
@dataclass(frozen=True)
class BottleneckStructure:
    """The D0-D4 data of a bottleneck θ (indices 0-based).

    ``visible[k]``: first-layer ``H_k`` visible (D1); ``invisible``: the invisible ``j`` or None; ``second_layer[i]``:
    ``"alive"``, ``"dead"`` or ``"linear"`` on the orthant; ``t_min``: the end of the T_j half-line
    ``t >= t_min``; ``flippable``: ``K_j`` (the generators ``M_k`` of G_j); ``ratios[k] = W2_ik / W2_ij`` (common to
    all alive ``i``) for ``k ∈ K_j``.
    """

    visible: tuple[bool, ...]
    invisible: int | None
    second_layer: tuple[str, ...]
    t_min: Fraction | None
    flippable: tuple[int, ...]
    ratios: dict[int, Fraction] = field(default_factory=dict)

    @property
    def alive(self) -> tuple[int, ...]:
        return tuple(i for i, k in enumerate(self.second_layer) if k == "alive")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (1-based neuron indices, exact strings)."""
        return {"visible": list(self.visible),
                "invisible": None if self.invisible is None else self.invisible + 1,
                "second_layer": list(self.second_layer),
                "t_min": None if self.t_min is None else format_rational(self.t_min),
                "flippable": [k + 1 for k in self.flippable],
                "ratios": {str(k + 1): format_rational(v) for k, v in self.ratios.items()}}


def _check_bottleneck(net: Network) -> None:
    if net.depth != 2:
        raise NotApplicableError(f"bottleneck fibers need two hidden layers (d, n1, n2, m); got {net.architecture}")
    d, n1 = net.architecture[:2]
    if n1 > d:
        raise NotApplicableError(f"bottleneck fibers need n1 <= d; got n1 = {n1} > d = {d}")
    if _rank([list(r) for r in net.layers[0].weights]) < n1:
        raise NotApplicableError("W1 does not have rank n1: relu(W1 x + b1) does not cover the orthant")


def _kind(w: Sequence[Fraction], b: Fraction) -> str:
    if all(v <= 0 for v in w) and b <= 0:
        return "dead"
    if all(v >= 0 for v in w) and b >= 0:
        return "linear"
    return "alive"


def bottleneck_structure(net: Network) -> BottleneckStructure:
    """Visible / invisible first-layer hyperplanes, second-layer kinds, the T_j half-line and G_j (docs/mathematics.md
    D0-D4).

    Raises :class:`~exactrelu.core.errors.NotApplicableError` outside ``(d, n1, n2, m)`` with ``n1 <= d`` and
    ``rank W1 = n1``.
    """
    _check_bottleneck(net)
    n1 = net.architecture[1]
    W2, b2 = net.layers[1].weights, net.layers[1].biases
    kinds = tuple(_kind(w, b) for w, b in zip(W2, b2))
    visible = tuple(any(b > 0 or any(w[l] > 0 for l in range(n1) if l != k) for w, b in zip(W2, b2))
                    for k in range(n1))
    invisible = [k for k in range(n1) if not visible[k]]
    alive = [i for i, kd in enumerate(kinds) if kd == "alive"]
    if not invisible or not alive:
        return BottleneckStructure(visible, invisible[0] if len(invisible) == 1 else None, kinds, None, ())
    if len(invisible) > 1:  # pragma: no cover - impossible when an alive neuron exists (module docstring)
        raise AssertionError("two invisible hyperplanes with an alive second-layer neuron")
    j = invisible[0]
    assert all(W2[i][j] > 0 for i in alive), "an alive neuron is not attached to the invisible hyperplane"
    t_min = max(b2[i] / W2[i][j] for i in alive)
    flippable, ratios = [], {}
    for k in range(n1):
        if k == j:
            continue
        rs = {W2[i][k] / W2[i][j] for i in alive}
        if len(rs) == 1:
            flippable.append(k)
            ratios[k] = rs.pop()
    return BottleneckStructure(visible, j, kinds, t_min, tuple(flippable), ratios)


def visible_first_layer(net: Network, *, method: str = "auto") -> tuple[bool, ...]:
    """D1 visibility of each first-layer hyperplane ``H_k``: some second-layer ``z2_i > 0`` at a point of ``H_k``.

    ``method="orthant"``: the sign test of :func:`bottleneck_structure` (needs ``rank W1 = n1``); ``"cells"``: exact
    LPs over the cells of C_θ lying in ``H_k`` (any two-hidden-layer net); ``"auto"`` picks the first that applies.

    >>> from exactrelu import examples
    >>> visible_first_layer(examples.invisible_translation(), method="cells")
    (False, True)
    """
    if net.depth != 2:
        raise NotApplicableError("first-layer visibility (docs/mathematics.md D1) is defined here for two hidden "
                                 "layers")
    if method in ("auto", "orthant"):
        try:
            return bottleneck_structure(net).visible
        except NotApplicableError:
            if method == "orthant":
                raise
    from exactrelu.theory.dimension.genericity import cells

    n1 = net.architecture[1]
    vis = [False] * n1
    for c in cells(net):
        for k in range(n1):
            if c.pattern[0][k] == 0 and any(s > 0 for s in c.pattern[1]):
                vis[k] = True
    return tuple(vis)


# ---------------------------------------------------------------------------------------------- the symmetries
def layers_of(net: Network) -> tuple[list[list[Fraction]], list[Fraction], list[list[Fraction]], list[Fraction]]:
    L1, L2 = net.layers[0], net.layers[1]
    return [list(r) for r in L1.weights], list(L1.biases), [list(r) for r in L2.weights], list(L2.biases)


def _rebuild(net: Network, W1: Any, b1: Any, W2: Any, b2: Any) -> Network:
    return Network((Layer(tuple(map(tuple, W1)), tuple(b1)), Layer(tuple(map(tuple, W2)), tuple(b2)),
                    net.layers[2]))


def translate(net: Network, t: object, *, check: bool = True) -> Network:
    """T_j(t) (docs/mathematics.md D3): ``b1_j += t`` and ``b2_i -= t W2_ij`` for the second-layer ``i`` with ``W2_ij >
    0``.

    With ``check`` (default) ``H_j`` must be invisible and ``t >= t_min``; then ``f`` is unchanged.

    >>> from exactrelu import examples
    >>> net = examples.invisible_translation()
    >>> eta = translate(net, Fraction(7, 3))
    >>> eta.layers[0].biases[0], eta.layers[1].biases[0], net([1, 2]) == eta([1, 2])
    (Fraction(38, 15), Fraction(-10, 3), True)
    """
    from exactrelu.core.rational import as_rational

    t = as_rational(t)
    st = bottleneck_structure(net)
    if st.invisible is None:
        raise NotApplicableError("no invisible first-layer hyperplane: T_j does not apply")
    j = st.invisible
    if check and st.t_min is not None and t < st.t_min:
        raise NotApplicableError(f"t = {t} is below t_min = {st.t_min}: T_j(t) leaves the fiber")
    W1, b1, W2, b2 = layers_of(net)
    b1[j] += t
    for i in range(len(W2)):
        if W2[i][j] > 0:
            b2[i] -= t * W2[i][j]
    return _rebuild(net, W1, b1, W2, b2)


def flip(net: Network, K: Iterable[int]) -> Network:
    """The element M_K of G_j (0-based ``K ⊆ K_j``): negate ``(W1_k, b1_k)`` for ``k ∈ K`` and replace neuron ``j``
    by ``u_j + Σ_{k∈K} (W2_ik / W2_ij) u_k``; the second and third layers are unchanged.

    >>> from exactrelu import examples
    >>> net = examples.invisible_translation()
    >>> eta = flip(net, [1])
    >>> eta.layers[0].weights
    ((Fraction(5, 2), Fraction(-7, 6)), (Fraction(1, 2), Fraction(-3, 2)))
    >>> all(net(x) == eta(x) for x in ([0, 0], [3, -1], [1, 5], [-2, 7]))
    True
    """
    st = bottleneck_structure(net)
    K = sorted(set(K))
    if st.invisible is None:
        raise NotApplicableError("no invisible first-layer hyperplane: G_j is trivial")
    bad = [k + 1 for k in K if k not in st.flippable]
    if bad:
        raise NotApplicableError(f"neurons {bad} are not in K_j = {[k + 1 for k in st.flippable]}")
    j = st.invisible
    W1, b1, W2, b2 = layers_of(net)
    for k in K:
        c = st.ratios[k]
        W1[j] = [a + c * v for a, v in zip(W1[j], W1[k])]
        b1[j] += c * b1[k]
    for k in K:
        W1[k] = [-v for v in W1[k]]
        b1[k] = -b1[k]
    return _rebuild(net, W1, b1, W2, b2)


def certify_family(net: Network, K: Iterable[int] = ()) -> Any:
    """Exact proof that ``T_j(t) M_K (θ)`` realises f_θ for **every** ``t >= t_min`` (one equivalence check).

    Both sides become networks of ``(x, t)``: θ ignores ``t``; for η the first layer gains ``t`` in neuron ``j`` and
    a pass-through neuron ``relu(t - t_min)`` (``= t - t_min`` on the domain) that feeds ``-W2_ij t`` into the
    attached second-layer neurons.  :func:`exactrelu.theory.equality.equivalence.equivalent` then enumerates the common
    refinement on
    ``{(x, t) : t >= t_min}`` and compares every affine map.  Returns its
    :class:`~exactrelu.theory.equality.equivalence.Equivalence`.

    >>> from exactrelu import examples
    >>> r = certify_family(examples.invisible_translation(), [1])
    >>> bool(r), r.method, r.regions
    (True, 'common-refinement', 10)
    """
    from exactrelu.geometry.polyhedra import Polyhedron
    from exactrelu.theory.equality.equivalence import equivalent

    st = bottleneck_structure(net)
    if st.invisible is None or st.t_min is None:
        raise NotApplicableError("no invisible first-layer hyperplane with an attached neuron: no T_j family")
    j, tmin = st.invisible, st.t_min
    base = flip(net, K)
    W1, b1, W2, b2 = layers_of(base)
    n1 = len(W1)
    A1 = [row + [_ZERO] for row in layers_of(net)[0]]
    theta_ext = Network((Layer(tuple(map(tuple, A1)), net.layers[0].biases),) + net.layers[1:])
    E1 = [row + [Fraction(int(k == j))] for k, row in enumerate(W1)] + [[_ZERO] * len(W1[0]) + [Fraction(1)]]
    e1 = b1 + [-tmin]
    E2 = [row + [-row[j] if row[j] > 0 else _ZERO] for row in W2]
    e2 = [b - (row[j] * tmin if row[j] > 0 else _ZERO) for row, b in zip(W2, b2)]
    assert len(E1) == n1 + 1
    eta_ext = Network((Layer(tuple(map(tuple, E1)), tuple(e1)), Layer(tuple(map(tuple, E2)), tuple(e2)),
                       net.layers[2]))
    d = net.input_dim
    domain = Polyhedron([(-tmin,) + (_ZERO,) * d + (Fraction(1),)])
    return equivalent(theta_ext, eta_ext, domain, method="common-refinement")
