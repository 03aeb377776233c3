"""The depth hierarchy and the GM bound (docs/mathematics.md §2.E2, §2.F, §3 "Width-1 layers", §7 rows 1–2).

* :func:`gm_bound`: the bound ``D - N_h`` on the functional dimension of an architecture (docs/mathematics.md §1).
* :func:`gm_hypothesis`: Grillo–Montúfar's hypothesis (``d >= 2`` and every hidden width ``>= 2``), under which an open
  set of parameters is identifiable and the bound is attained [P:GM].
* :func:`bound_check`: the architecture's functional dimension (max over random θ, exact ranks) against the bound.
* :func:`width_one_exception`: the computed counterexample (1,1,1,1,1): ``D = 8``, bound 5, max ``dim_fun`` 4.
* :func:`depth_report`: for one network, whether its function is shallow (delegates to
  :func:`exactrelu.theory.equality.representable.is_shallow_representable`, docs/mathematics.md F1) and the bound of
  its architecture.

Examples
--------
>>> gm_bound((2, 2, 1, 1)), gm_hypothesis((2, 2, 1, 1)), gm_hypothesis((2, 2, 2, 1))
(8, False, True)
>>> r = width_one_exception(trials=12)
>>> r.upper_bound, r.lower_bound, r.certified
(5, 4, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from exactrelu.core.errors import ShapeError
from exactrelu.core.network import Network, num_parameters
from exactrelu.theory.dimension.architecture import (
    ArchitectureFunctionalDimension,
    architecture_functional_dimension,
)

__all__ = ["gm_bound", "gm_hypothesis", "bound_check", "width_one_exception", "depth_report", "DepthReport"]


def _arch(architecture: Sequence[int]) -> tuple[int, ...]:
    arch = tuple(int(a) for a in architecture)
    if len(arch) < 2 or any(a < 1 for a in arch):
        raise ShapeError(f"architecture {arch} needs >= 2 positive entries (d, ..., m)")
    return arch


def gm_bound(architecture: Sequence[int]) -> int:
    """``D - N_h``: the upper bound on ``dim_fun`` for every θ of the architecture (docs/mathematics.md §1).

    >>> gm_bound((1, 1, 1, 1, 1))
    5
    """
    arch = _arch(architecture)
    return num_parameters(arch) - sum(arch[1:-1])


def gm_hypothesis(architecture: Sequence[int]) -> bool:
    """Whether GM's theorem applies (``d >= 2`` and every hidden width ``>= 2``): then ``dim_fun(A) = D - N_h`` [P:GM].

    >>> gm_hypothesis((1, 3, 1)), gm_hypothesis((3, 2, 2, 1))
    (False, True)
    """
    arch = _arch(architecture)
    return arch[0] >= 2 and all(n >= 2 for n in arch[1:-1])


def bound_check(architecture: Sequence[int], trials: int = 20, seed: int = 0, **kwargs: Any
                ) -> ArchitectureFunctionalDimension:
    """The maximum of ``dim_fun`` over ``trials`` random rational θ (exact ranks), to compare with :func:`gm_bound`.

    ``kwargs`` go to :func:`exactrelu.theory.dimension.architecture.architecture_functional_dimension` (``serial``,
    ``client``, ``scheduler``...); by default the trials run serially.  Reaching the bound proves ``dim_fun(A) = D -
    N_h``; a smaller maximum is evidence (not a proof) that the bound fails.

    >>> bound_check((2, 2, 1), trials=2).attains_bound
    True
    """
    kwargs.setdefault("serial", True)
    return architecture_functional_dimension(_arch(architecture), trials, seed, **kwargs)


def width_one_exception(trials: int = 40, seed: int = 0, **kwargs: Any) -> ArchitectureFunctionalDimension:
    """docs/mathematics.md E2 counterexample (§7 row 2): for (1,1,1,1,1), ``D = 8`` and ``D - N_h = 5`` but ``max
    dim_fun = 4``.

    Every function of this architecture is a plateau–ramp–plateau or a hinge (at most 2 kinks and 2 levels), so no θ
    reaches the bound; the trials exhibit the value 4 with exact ranks (a lower bound; the upper bound 4 is the
    argument above, not a computation).
    """
    return bound_check((1, 1, 1, 1, 1), trials, seed, **kwargs)


@dataclass(frozen=True)
class DepthReport:
    """Where a network sits in the depth hierarchy: is its function shallow (docs/mathematics.md F1), and the GM
    data."""

    architecture: tuple[int, ...]
    depth: int
    shallow_representable: bool
    shallow_network: Network | None
    evidence: Any
    gm_bound: int
    gm_hypothesis: bool

    def to_dict(self) -> dict[str, Any]:
        return {"architecture": list(self.architecture), "depth": self.depth,
                "shallow_representable": self.shallow_representable,
                "shallow_architecture": list(self.shallow_network.architecture) if self.shallow_network else None,
                "gm_bound": self.gm_bound, "gm_hypothesis": self.gm_hypothesis}


def depth_report(net: Network) -> DepthReport:
    """Shallow representability of ``f_net`` (via
    :func:`exactrelu.theory.equality.representable.is_shallow_representable`) with the
    GM bound and hypothesis of the architecture.

    >>> from exactrelu import examples
    >>> r = depth_report(examples.relu_of_sum())
    >>> r.shallow_representable, r.gm_bound, r.gm_hypothesis
    (False, 8, False)
    """
    from exactrelu.theory.equality.representable import is_shallow_representable

    rep = is_shallow_representable(net)
    return DepthReport(architecture=net.architecture, depth=net.depth, shallow_representable=bool(rep),
                       shallow_network=getattr(rep, "network", None), evidence=rep,
                       gm_bound=gm_bound(net.architecture), gm_hypothesis=gm_hypothesis(net.architecture))
