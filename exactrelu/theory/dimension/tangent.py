"""The first-order tangent space of the fiber: the exact Jacobian kernel split into scaling and hidden directions.

Implements docs/mathematics.md §E1 (kernel of the Jacobian of θ ↦ (A_R, c_R)_R) and §1 (the scaling generators).
``dimension = D - rank`` is the dimension of the kernel; it is the local dimension of the fiber ``S(θ)`` only where the
rank is locally constant (at a non-transversal θ the kernel can be larger, docs/mathematics.md §3).

Examples
--------
>>> from exactrelu import examples
>>> T = fiber_tangent_space(examples.invisible_translation())
>>> T.dimension, len(T.scaling), len(T.hidden)
(4, 3, 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import RegionLimitError
from exactrelu.core.network import Network
from exactrelu.core.rational import format_rational
from exactrelu.engines import flintlib as _flint
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.dimension.jacobian import scaling_generators
from exactrelu.theory.dimension.rows import (
    LARGE_NETWORK,
    MAX_REGIONS,
    NondifferentiablePoint,
    points_jacobian,
    region_jacobian,
)
from exactrelu.theory.dimension.structured import structured_functional_dimension

__all__ = ["FiberTangentSpace", "fiber_tangent_space", "independent_extension"]

Row = tuple[Fraction, ...]


def _fmt(v: Sequence[Fraction]) -> list[str]:
    return [format_rational(x) for x in v]


@dataclass(frozen=True)
class FiberTangentSpace:
    """The (first-order) tangent space at θ of the fiber ``S(θ) = {η : f_η = f_θ}``: the kernel of the Jacobian.

    ``scaling``: exact basis of the scaling directions (one per hidden neuron with a nonzero parameter, dependent ones
    dropped); ``hidden``: exact vectors completing it to a basis of the kernel (hidden-symmetry directions);
    ``basis = scaling + hidden``; ``dimension = D - rank``.  ``local`` is True: this describes the fiber near θ only.
    ``nondifferentiable``: regions / points where ``θ -> f_θ(x)`` has no Jacobian (docs/mathematics.md §3); their rows
    are missing, so the kernel is then only that of the other rows (``complete`` is False).
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


def independent_extension(base: list[Row], candidates: Iterable[Row]) -> list[Row]:
    """Greedily pick the candidates that increase the rank of ``base`` (exact ranks).

    >>> independent_extension([(1, 0, 0)], [(2, 0, 0), (0, 1, 0), (1, 1, 0)])
    [(0, 1, 0)]
    """
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
    """Exact kernel of the parameter Jacobian at θ, split into scaling and hidden directions (docs/mathematics.md E1,
    §1).

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
            scaling = independent_extension([], scaling_generators(net))
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
    scaling = independent_extension([], scaling_generators(net))
    hidden = independent_extension(list(scaling), kernel)
    return FiberTangentSpace(dimension=D - rank, rank=rank, parameters=D, hidden_neurons=net.num_hidden,
                             scaling=tuple(scaling), hidden=tuple(hidden), names=net.parameter_names(),
                             nondifferentiable=nondiff)
