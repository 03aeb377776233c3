"""Is a network's function representable with one hidden layer?  (docs/mathematics.md F1.)

:func:`is_shallow_representable` reads the breakpoint structure of f off the regions of C_θ: f is a one-hidden-layer
function iff every bent facet extends along its whole hyperplane with one jump; the only candidate network is then
built from those kinks and certified (or refuted with a witness) by
:func:`exactrelu.theory.equality.equivalence.equivalent`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.core.formatting import format_affine, format_vector, shorten
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import format_rational
from exactrelu.theory.equality.equivalence import Equivalence, Witness, equivalent
from exactrelu.theory.equality.shallow import canonical_form

__all__ = ["ShallowRepresentation", "is_shallow_representable"]

_ZERO = Fraction(0)
Vector = tuple[Fraction, ...]


def _strs(v: Sequence[Fraction]) -> list[str]:
    return [format_rational(x) for x in v]


@dataclass(frozen=True)
class ShallowRepresentation:
    """Answer of :func:`is_shallow_representable` (docs/mathematics.md F1); truthy iff ``f`` is a one-hidden-layer
    function.

    ``network``: a one-hidden-layer network computing ``f`` (canonical minimal form when available) with
    ``equivalence`` (its certificate); or ``reason``: why not, with ``facet`` (a point and the hyperplane row where
    the breakpoint structure is bent) or ``witness`` (where ``f`` differs from the only shallow candidate).
    """

    representable: bool
    network: Network | None = None
    reason: str = ""
    facet: dict[str, Any] | None = None
    witness: Witness | None = None
    equivalence: Equivalence | None = None

    def __bool__(self) -> bool:
        return self.representable

    def __repr__(self) -> str:
        net = "" if self.network is None else f", network={self.network!r}"
        return f"ShallowRepresentation(representable={self.representable}{net}, reason={shorten(self.reason, 120)!r})"

    def __str__(self) -> str:
        return ("yes: " if self.representable else "no: ") + self.reason

    def to_dict(self) -> dict[str, Any]:
        from exactrelu.core.io import network_to_dict

        return {"representable": self.representable, "reason": self.reason, "facet": self.facet,
                "witness": self.witness.to_dict() if self.witness else None,
                "network": network_to_dict(self.network) if self.network is not None else None}


def _normalised_hyperplane(row: Sequence[Fraction]) -> tuple[tuple[Fraction, ...], int]:
    """``(a, t)`` with first nonzero ``a`` entry ``+1`` for the row ``(b, a...)``, and the sign applied."""
    b, a = row[0], row[1:]
    p = next(v for v in a if v)
    return (*(v / p for v in a), b / p), (1 if p > 0 else -1)


def is_shallow_representable(net: Network, *, max_regions: int | None = None) -> ShallowRepresentation:
    """Whether ``f_net`` on ``R^d`` is computed by some one-hidden-layer network (docs/mathematics.md F1), with
    evidence.

    The facets of the complex where ``f`` bends give hyperplanes and jumps; ``f`` is shallow iff each such hyperplane
    carries one jump everywhere and is bent along all of it, i.e. iff ``f`` equals the shallow candidate
    ``sum_H C_H relu(a_H . x + t_H) + (affine part on one region)``, which is then checked with a certificate.
    "No" comes with a bent facet (a facet point on a kink hyperplane where ``f`` does not bend, or where the jump
    changes) or a witness point where ``f`` differs from the only possible shallow network.

    >>> from exactrelu import examples
    >>> r = is_shallow_representable(examples.relu_of_sum())
    >>> bool(r), r.facet["neurons"] is not None
    (False, True)
    >>> r = is_shallow_representable(examples.chain("lifted"))        # relu(relu(x) + 1) = relu(x) + 1
    >>> bool(r), r.network.architecture
    (True, (1, 1, 1))
    """
    from exactrelu.geometry.regions import DEFAULT_MAX_REGIONS, regions

    if net.depth <= 1:
        try:
            shallow = canonical_form(net) if net.depth == 1 else net
        except (NotApplicableError, RegionLimitError):
            shallow = net
        return ShallowRepresentation(True, shallow, "already has at most one hidden layer")
    cx = regions(net, max_regions=max_regions or DEFAULT_MAX_REGIONS)
    idx = cx.index()
    m, d = net.output_dim, net.input_dim
    jumps: dict[tuple[Fraction, ...], tuple[Vector, Vector]] = {}  # H -> (C, facet point)
    flat: dict[tuple[Fraction, ...], dict[str, Any]] = {}
    for k, R in enumerate(cx.regions):
        for f in R.facets:
            if f.neighbor is None or idx[f.neighbor] < k:
                continue
            other = cx.regions[idx[f.neighbor]]
            H, s = _normalised_hyperplane(f.row)  # f.row >= 0 on R: R is on the side s * (a.x + t) > 0
            (Ak, ck), (Aj, cj) = R.affine_map, other.affine_map
            pos, neg = ((Ak, ck), (Aj, cj)) if s > 0 else ((Aj, cj), (Ak, ck))
            p = next(q for q in range(d) if H[q])
            C = tuple(pos[0][r][p] - neg[0][r][p] for r in range(m))
            info = {"point": _strs(f.point), "hyperplane": _strs(H), "neurons": [list(n) for n in f.neurons]}
            if not any(C) and pos[1] == neg[1]:
                flat.setdefault(H, info)
                continue
            if H in jumps and jumps[H][0] != C:
                return ShallowRepresentation(
                    False, reason=(f"the jump across the hyperplane {format_affine(H[:d], H[d])} = 0 changes from "
                                   f"{format_vector(jumps[H][0])} to {format_vector(C)} "
                                   "(docs/mathematics.md F1)"), facet=info)
            jumps.setdefault(H, (C, f.point))
    for H, info in flat.items():
        if H in jumps:
            return ShallowRepresentation(
                False, facet=info,
                reason=(f"f bends along the hyperplane {format_affine(H[:-1], H[-1])} = 0 but not at the facet point "
                        f"{format_vector(info['point'])}: the breakpoint locus does not cover the whole hyperplane "
                        "(a bent facet, docs/mathematics.md F1)"))
    # the only possible shallow network: the kinks found, plus the affine part of one region
    Hs = sorted(jumps)
    x0 = cx.regions[0].interior_point
    A0, c0 = cx.regions[0].affine_map
    lin = [list(r) for r in A0]
    const = list(c0)
    for H in Hs:
        z = sum((a * v for a, v in zip(H[:d], x0)), H[d])
        if z > 0:
            C = jumps[H][0]
            for r in range(m):
                for q in range(d):
                    lin[r][q] -= C[r] * H[q]
                const[r] -= C[r] * H[d]
    rows: list[tuple[Fraction, ...]] = [tuple(H[:d]) for H in Hs]
    biases: list[Fraction] = [H[d] for H in Hs]
    cols: list[Vector] = [jumps[H][0] for H in Hs]
    for q in range(d):  # relu(x_q) - relu(-x_q) = x_q carries the linear part
        col = tuple(lin[r][q] for r in range(m))
        if any(col):
            e = tuple(Fraction(int(j == q)) for j in range(d))
            rows += [e, tuple(-v for v in e)]
            biases += [_ZERO, _ZERO]
            cols += [col, tuple(-v for v in col)]
    if not rows:
        rows, biases, cols = [(_ZERO,) * d], [_ZERO], [(_ZERO,) * m]
    cand = Network((Layer(tuple(rows), tuple(biases)),
                    Layer(tuple(tuple(c[r] for c in cols) for r in range(m)), tuple(const))))
    try:
        cand = canonical_form(cand)
    except (NotApplicableError, RegionLimitError):
        pass
    eq = equivalent(net, cand, certificate=True, max_regions=max_regions)
    if eq.equivalent:
        return ShallowRepresentation(True, cand, "equal to a one-hidden-layer network (certificate attached)",
                                     equivalence=eq)
    return ShallowRepresentation(
        False, witness=eq.witness, equivalence=eq,
        reason=("f differs from the only one-hidden-layer candidate (its kinks and jumps are those of f's facets): "
                "some kink does not extend along its whole hyperplane (docs/mathematics.md F1)"))
