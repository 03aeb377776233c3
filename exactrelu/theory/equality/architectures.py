"""Is ``f_θ`` computed by a given (smaller) architecture?  (docs/mathematics.md F1-F4.)

:func:`representable_by` answers ``True`` with a witness network of the target architecture (checked by
:func:`~exactrelu.theory.equality.equivalence.equivalent`), ``False`` with the obstruction that proves it, or
``None`` ("undecided") with the obstructions that were checked and passed; never a silent no.  The criteria:

* target ``(d, m)`` (no hidden layer): ``f`` is affine;
* target ``(d, n, m)``: ``f`` is shallow (docs/mathematics.md F1) and its minimal width (B4 for ``m = 1``, F2 for any
  ``m``) is at most ``n``;
* target ``(d, 1, ..., 1, m)`` (``L >= 2`` width-1 layers): ``f = c + u s(w . x)`` with ``s`` constant, hinge or clamp
  (docs/mathematics.md F3);
* target ``(d, 1, ..., 1, n, m)``: ``f`` a function of one ``w . x``, constant on one side of its kinks, with at most
  ``n`` neurons needed after the width-1 layers (docs/mathematics.md F3); for deeper targets that start with a width-1
  layer the first two conditions are necessary;
* any deeper target: "yes" by embedding a known network of ``f`` (the network itself or its minimal shallow form: extra
  layers carry the nonnegative activations, or the pair ``relu(y), relu(-y)`` of the outputs); "no" from the two
  obstructions of docs/mathematics.md F4: more affine pieces than the target has regions at most
  (:func:`region_bound`), or a region whose linear part has rank above the narrowest hidden layer.

Examples
--------
>>> from exactrelu import examples
>>> r = representable_by(examples.absolute_value(), (1, 1, 1))
>>> r.answer, r.reason[:44]
(False, 'f needs 2 hidden neurons (B4 case k+1, k = 1')
>>> representable_by(examples.absolute_value(), (1, 2, 1)).answer
True
>>> representable_by(examples.relu_of_sum(), (2, 3, 1)).answer       # not shallow (F1)
False
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import comb
from typing import Any

from exactrelu.core.errors import NotApplicableError, RegionLimitError, ShapeError
from exactrelu.core.formatting import shorten
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import format_rational
from exactrelu.theory.equality.equivalence import Equivalence, equivalent
from exactrelu.theory.equality.representable import ShallowRepresentation, is_shallow_representable
from exactrelu.theory.equality.shallow import CanonicalData, canonical_data, canonical_form, minimal_width_case
from exactrelu.theory.equality.shallow_width import (
    minimal_width_any,
    network_of_width,
    width_one_chain,
    width_one_chain_network,
    width_one_first_layer,
    width_one_first_network,
)

__all__ = ["ArchitectureRepresentation", "representable_by", "region_bound"]

_ZERO = Fraction(0)


def region_bound(architecture: Sequence[int]) -> int:
    """An upper bound on the number of regions of C_θ for every θ of the architecture (docs/mathematics.md F4):
    ``prod_l sum_{j=0}^{r_l} C(n_l, j)`` with ``r_l = min(n_0, ..., n_{l-1})``.

    On a region of the first ``l-1`` layers, ``z^(l)`` is an affine function of rank at most ``r_l``, so the ``n_l``
    hyperplanes of layer ``l`` cut it into at most ``sum_{j <= r_l} C(n_l, j)`` pieces (Zaslavsky/Buck).

    >>> region_bound((2, 3, 1)), region_bound((1, 1, 1, 1)), region_bound((2, 2, 2, 1))
    (7, 4, 16)
    """
    arch = [int(a) for a in architecture]
    out, r = 1, arch[0]
    for n in arch[1:-1]:
        out *= sum(comb(n, j) for j in range(min(r, n) + 1))
        r = min(r, n)
    return out


@dataclass(frozen=True)
class ArchitectureRepresentation:
    """Answer of :func:`representable_by` (docs/mathematics.md F1-F4).

    ``answer``: True (``witness`` is a network of the target architecture with the same function, ``equivalence`` its
    exact check), False (``obstruction`` says what proves it), None (undecided: ``reason`` and ``checked`` list what
    was tried).  ``criterion`` names the rule used.
    """

    architecture: tuple[int, ...]
    target: tuple[int, ...]
    answer: bool | None
    reason: str
    criterion: str
    witness: Network | None = None
    equivalence: Equivalence | None = None
    obstruction: dict[str, Any] | None = None
    checked: tuple[str, ...] = ()
    shallow: ShallowRepresentation | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return self.answer is True

    def __repr__(self) -> str:
        return (f"ArchitectureRepresentation(target={self.target}, answer={self.answer}, criterion="
                f"{self.criterion!r}, reason={shorten(self.reason, 100)!r})")

    def __str__(self) -> str:
        word = {True: "yes", False: "no", None: "undecided"}[self.answer]
        out = [f"{word}: {self.reason}"]
        out += [f"  checked: {c}" for c in self.checked]
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        from exactrelu.core.io import network_to_dict

        return {"architecture": list(self.architecture), "target": list(self.target), "answer": self.answer,
                "reason": self.reason, "criterion": self.criterion, "obstruction": self.obstruction,
                "checked": list(self.checked),
                "witness": network_to_dict(self.witness) if self.witness is not None else None,
                "equivalence": self.equivalence.to_dict() if self.equivalence is not None else None}


def _target(net: Network, architecture: Sequence[int]) -> tuple[int, ...]:
    arch = tuple(int(a) for a in architecture)
    if len(arch) < 2 or any(a < 1 for a in arch):
        raise ShapeError(f"target architecture {arch} needs >= 2 positive entries (d, ..., m)")
    if arch[0] != net.input_dim or arch[-1] != net.output_dim:
        raise ShapeError(f"target architecture {arch} has input/output dimensions {arch[0]}/{arch[-1]}, the network "
                         f"{net.input_dim}/{net.output_dim}")
    return arch


def _zero_neuron(d: int) -> tuple[tuple[Fraction, ...], Fraction]:
    return (_ZERO,) * d, _ZERO


def _embed(src: Network, target: tuple[int, ...]) -> Network | None:
    """``src`` padded into ``target`` when its hidden widths fit: zero neurons fill wider layers; extra layers carry
    the last hidden activations (``relu(a) = a`` for ``a >= 0``) or, when narrower, the outputs as
    ``relu(y), relu(-y)``.  None when no such embedding exists."""
    d, m = src.input_dim, src.output_dim
    widths, tw = src.hidden_widths, target[1:-1]
    Ls, Lt = len(widths), len(tw)
    if Ls == 0 or Lt < Ls or any(n > t for n, t in zip(widths, tw)):
        return None
    one = Fraction(1)
    # l0: first extra layer that switches to (relu(y), relu(-y)); Lt means never (carry the activations)
    last = widths[-1]
    l0 = next((l for l in range(Ls, Lt + 1) if all(tw[q] >= last for q in range(Ls, l))
               and all(tw[q] >= 2 * m for q in range(l, Lt))), None)
    if l0 is None:
        return None
    layers: list[Layer] = []
    prev_real, prev_width = d, d  # the meaningful inputs and the padded input width of the next layer
    for l, layer in enumerate(src.layers[:-1]):
        rows = [tuple(row) + (_ZERO,) * (prev_width - prev_real) for row in layer.weights]
        biases = list(layer.biases)
        while len(rows) < tw[l]:
            rows.append((_ZERO,) * prev_width)
            biases.append(_ZERO)
        layers.append(Layer(tuple(rows), tuple(biases)))
        prev_real, prev_width = layer.n_out, tw[l]
    out = src.layers[-1]
    for l in range(Ls, Lt):
        if l < l0:  # identity on the first `last` coordinates
            rows = [tuple(one if q == i else _ZERO for q in range(prev_width)) for i in range(last)]
            biases = [_ZERO] * last
            real = last
        elif l == l0:  # (relu(y), relu(-y)) with y = out(a)
            pad = (_ZERO,) * (prev_width - out.n_in)
            rows = [tuple(r) + pad for r in out.weights] + [tuple(-v for v in r) + pad for r in out.weights]
            biases = list(out.biases) + [-v for v in out.biases]
            real = 2 * m
        else:
            rows = [tuple(one if q == i else _ZERO for q in range(prev_width)) for i in range(2 * m)]
            biases = [_ZERO] * (2 * m)
            real = 2 * m
        while len(rows) < tw[l]:
            rows.append((_ZERO,) * prev_width)
            biases.append(_ZERO)
        layers.append(Layer(tuple(rows), tuple(biases)))
        prev_real, prev_width = real, tw[l]
    if l0 < Lt:
        final = [tuple(one if q == r else (-one if q == m + r else _ZERO) for q in range(prev_width))
                 for r in range(m)]
        layers.append(Layer(tuple(final), (_ZERO,) * m))
    else:
        pad = (_ZERO,) * (prev_width - out.n_in)
        layers.append(Layer(tuple(tuple(r) + pad for r in out.weights), out.biases))
    return Network(tuple(layers))


def _padded(shallow_net: Network, n: int) -> Network:
    """A one-hidden-layer network with zero neurons appended up to width ``n``."""
    hid, out = shallow_net.layers
    extra = n - hid.n_out
    d = hid.n_in
    return Network((Layer(hid.weights + ((_ZERO,) * d,) * extra, hid.biases + (_ZERO,) * extra),
                    Layer(tuple(tuple(r) + (_ZERO,) * extra for r in out.weights), out.biases)))


def _checked_yes(net: Network, cand: Network, target: tuple[int, ...], criterion: str, reason: str,
                 max_regions: int | None, **kw: Any) -> ArchitectureRepresentation | None:
    assert cand.architecture == target, (cand.architecture, target)
    eq = equivalent(net, cand, max_regions=max_regions)
    if not eq:  # pragma: no cover - the constructions are proved; this guards them
        return None
    return ArchitectureRepresentation(net.architecture, target, True, reason + " (witness checked by `equivalent`)",
                                      criterion, witness=cand, equivalence=eq, **kw)


def _min_width(data: CanonicalData) -> tuple[int, str]:
    if data.output_dim == 1:
        w, how = minimal_width_case(data)
        return w, f"B4 case {how['case']}"
    w, how = minimal_width_any(data)
    return w, f"F2 with {len(how['J'])} doubled hyperplane(s) and {how['rank']} canceling pair(s)"


def _affine_pieces(net: Network, max_regions: int | None) -> tuple[int, int, dict[str, Any]]:
    """(number of distinct affine maps over the regions of C_θ, max rank of their linear parts, a region of that
    rank)."""
    from exactrelu.engines.flintlib import rank
    from exactrelu.geometry.regions import DEFAULT_MAX_REGIONS, regions

    cx = regions(net, max_regions=max_regions or DEFAULT_MAX_REGIONS)
    maps = {R.affine_map: R for R in cx.regions}
    best, where = -1, {}
    for (A, _c), R in maps.items():
        rows = [list(r) for r in A if any(r)]
        rk = rank(rows) if rows else 0
        if rk > best:
            best = rk
            where = {"point": [format_rational(v) for v in R.interior_point],
                     "linear_part": [[format_rational(v) for v in r] for r in A]}
    return len(maps), best, where


def representable_by(net: Network, architecture: Sequence[int], *, max_regions: int | None = None
                     ) -> ArchitectureRepresentation:
    """Decide whether ``f_net`` on ``R^d`` is computed by some network of ``architecture`` (docs/mathematics.md
    F1-F4).

    Parameters
    ----------
    net : the network θ (any depth).
    architecture : the target ``(d, n_1, ..., n_L, m)``; ``d`` and ``m`` must be those of ``net``.
    max_regions : cap on region enumerations (deep networks).

    Returns
    -------
    ArchitectureRepresentation: ``answer`` True with a checked ``witness``, False with an ``obstruction``, or None
    (undecided) with what was ``checked``.

    Examples
    --------
    >>> from exactrelu import Network, examples
    >>> f = Network.from_lists([([[1, 0], [0, 1], [0, -1]], [0, 0, 0]), ([[1, 1, -1]], [0])])   # relu(x1) + x2
    >>> [representable_by(f, (2, n, 1)).answer for n in (2, 3)]
    [False, True]
    >>> r = representable_by(examples.relu_minus_shifted_relu(), (1, 1, 1, 1))    # a clamp: a width-1 chain
    >>> r.answer, r.witness.architecture
    (True, (1, 1, 1, 1))
    """
    target = _target(net, architecture)
    Lt = len(target) - 2
    checked: list[str] = []
    shallow = is_shallow_representable(net, max_regions=max_regions)
    data = None
    if shallow:
        assert shallow.network is not None
        data = canonical_data(shallow.network)
    if Lt == 0:
        if data is not None and data.num_hyperplanes == 0:
            cand = Network((Layer(data.linear, data.constant),))
            res = _checked_yes(net, cand, target, "affine", "f is affine", max_regions, shallow=shallow)
            if res is not None:
                return res
        why = (f"f has {data.num_hyperplanes} kink hyperplane(s)" if data is not None else
               "f is not even one-hidden-layer representable")
        return ArchitectureRepresentation(net.architecture, target, False, f"f is not affine: {why}", "affine",
                                          obstruction={"kind": "not affine", "shallow": shallow.to_dict()},
                                          shallow=shallow)
    if data is None:
        obstruction = {"kind": "not shallow (docs/mathematics.md F1)", "shallow": shallow.to_dict()}
        if Lt == 1 or target[1] == 1:
            return ArchitectureRepresentation(
                net.architecture, target, False,
                f"f is not one-hidden-layer representable, and every network of {target} computes such a function "
                f"({'one hidden layer' if Lt == 1 else 'a function of one w . x after a width-1 first layer'}): "
                f"{shallow.reason}", "F1" if Lt == 1 else "F3", obstruction=obstruction, shallow=shallow)
        checked.append(f"f is not one-hidden-layer representable ({shorten(shallow.reason, 80)})")
    if Lt == 1:
        assert data is not None
        try:
            w, case = _min_width(data)
        except NotApplicableError as exc:
            return ArchitectureRepresentation(net.architecture, target, None, str(exc), "B4/F2",
                                              checked=(str(exc),), shallow=shallow)
        n = target[1]
        if w <= n:
            cand = _padded(canonical_form(data), n) if data.output_dim == 1 else network_of_width(data, n)
            res = _checked_yes(net, cand, target, "B4/F2", f"f needs {w} hidden neuron(s) ({case}), {n} available",
                               max_regions, shallow=shallow)
            if res is not None:
                return res
        return ArchitectureRepresentation(
            net.architecture, target, False,
            f"f needs {w} hidden neurons ({case}, k = {data.num_hyperplanes} kink hyperplanes), only {n} "
            "available", "B4/F2", obstruction={"kind": "minimal width", "minimal_width": w, "case": case,
                                               "kinks": data.num_hyperplanes}, shallow=shallow)
    if all(n == 1 for n in target[1:-1]) and data is not None:
        ok, why, shape = width_one_chain(data)
        if ok:
            res = _checked_yes(net, width_one_chain_network(data, Lt), target, "F3", why, max_regions, shallow=shallow)
            if res is not None:
                return res
        return ArchitectureRepresentation(net.architecture, target, False, why, "F3",
                                          obstruction={"kind": "width-1 chain", **shape}, shallow=shallow)
    sources: list[tuple[Network, str]] = [(net, "the network itself")]
    if target[1] == 1 and data is not None:  # f = G(psi(w . x)), psi a hinge or clamp: docs/mathematics.md F3
        j = next(q for q, n in enumerate(target[1:-1]) if n != 1)  # width-1 prefix (the all-1 chain is done above)
        need, why, _how = width_one_first_layer(data, j)
        if need is None:
            return ArchitectureRepresentation(net.architecture, target, False, why, "F3",
                                              obstruction={"kind": "width-1 first layer"}, shallow=shallow)
        if Lt == j + 1 and need > target[j + 1]:
            return ArchitectureRepresentation(
                net.architecture, target, False, f"{why}, more than {target[j + 1]}", "F3",
                obstruction={"kind": "width-1 first layers", "next_layer_width": need}, shallow=shallow)
        if Lt == j + 1:
            cand = width_one_first_network(data, target[j + 1], j)
            res = _checked_yes(net, cand, target, "F3", why, max_regions, shallow=shallow)
            if res is not None:
                return res
        sources.append((width_one_first_network(data, need, j),
                        f"a network with {j} width-1 first layer(s) (docs/mathematics.md F3)"))
        checked.append(f"width-1 first layers fit: {why}")
    # deeper targets: embeddings for "yes"
    if data is not None:
        try:
            sources.insert(0, (network_of_width(data), "the minimal one-hidden-layer form of f"))
        except NotApplicableError as exc:
            checked.append(f"minimal shallow form not built: {exc}")
    for src, how in sources:
        cand = _embed(src, target)
        if cand is not None:
            res = _checked_yes(net, cand, target, "embedding", f"{how} ({src.architecture}) embeds into {target}",
                               max_regions, shallow=shallow, checked=tuple(checked))
            if res is not None:
                return res
    checked.append("no embedding of a known network of f (" + ", ".join(h for _s, h in sources) + ") fits the target "
                   "widths")
    # obstructions (docs/mathematics.md F4)
    try:
        pieces, rk, where = _affine_pieces(net, max_regions)
    except RegionLimitError as exc:
        checked.append(f"obstructions not computed: {exc}")
    else:
        bound = region_bound(target)
        if pieces > bound:
            return ArchitectureRepresentation(
                net.architecture, target, False,
                f"f has {pieces} distinct affine pieces but a network of {target} has at most {bound} regions "
                "(docs/mathematics.md F4)", "F4 region count",
                obstruction={"kind": "region count", "affine_pieces": pieces, "region_bound": bound},
                checked=tuple(checked), shallow=shallow)
        checked.append(f"{pieces} affine pieces <= region bound {bound}")
        narrow = min(target[1:-1])
        if rk > narrow:
            return ArchitectureRepresentation(
                net.architecture, target, False,
                f"a linear part of f has rank {rk}, above the narrowest hidden width {narrow} of {target} "
                "(docs/mathematics.md F4)", "F4 rank",
                obstruction={"kind": "rank", "rank": rk, "narrowest_width": narrow, **where},
                checked=tuple(checked), shallow=shallow)
        checked.append(f"max rank of the linear parts {rk} <= narrowest width {narrow}")
    return ArchitectureRepresentation(
        net.architecture, target, None,
        f"no criterion of docs/mathematics.md F1-F4 settles {target} for this function", "none",
        checked=tuple(checked), shallow=shallow)
