"""The local description of a fiber at θ, for any depth (docs/mathematics.md E1, §6).

When no global theorem describes S(θ), :func:`local_fiber` gives its dimension near θ (D - rank of the exact
parameter Jacobian over every region), exact bases of the scaling and hidden-symmetry directions, and the
mechanisms of §6 found at θ.  The answer is a :class:`~exactrelu.theory.fibers.base.Fiber` of kind ``"local"``
(``components is None``; membership is then decided by exact equivalence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactrelu.core.formatting import format_combination, shorten
from exactrelu.core.network import Network
from exactrelu.theory.fibers.base import Fiber

__all__ = ["LocalFiber", "local_fiber"]


@dataclass(frozen=True)
class LocalFiber:
    """The local description of S(θ) at θ (docs/mathematics.md E1, §6): ``local`` is always True.

    ``dimension = D - rank J`` (J the exact parameter Jacobian over every region): the dimension of S(θ) near θ when
    the rank is locally constant (e.g. generic θ), an upper bound in general.  ``scaling`` / ``hidden``: exact bases
    of the scaling directions and of a complement (hidden-symmetry directions); ``mechanisms``: docs/mathematics.md §6
    mechanisms
    found (kind, neurons 1-based, description); ``generic``: the verdict of
    :func:`~exactrelu.theory.dimension.genericity.is_generic`
    (None when not decided within its limits).
    """

    dimension: int
    functional_dimension: int
    parameters: int
    hidden_neurons: int
    scaling: tuple[tuple[Fraction, ...], ...]
    hidden: tuple[tuple[Fraction, ...], ...]
    mechanisms: tuple[dict[str, Any], ...]
    generic: bool | None
    names: tuple[str, ...] = ()
    local: bool = True

    def __repr__(self) -> str:
        kinds = sorted({m["kind"] for m in self.mechanisms})
        return (f"LocalFiber(dimension={self.dimension}, functional_dimension={self.functional_dimension}, "
                f"parameters={self.parameters}, scaling={len(self.scaling)} directions, hidden={len(self.hidden)} "
                f"directions, mechanisms={kinds}, generic={self.generic})")

    def direction_str(self, v: Sequence[Fraction]) -> str:
        """A tangent direction as a sparse combination of parameter names (``W1_1_1 - W2_1_1``)."""
        names = self.names or tuple(f"p{i + 1}" for i in range(len(v)))
        return format_combination({n: c for n, c in zip(names, v) if c})

    def __str__(self) -> str:
        return self.summary()

    def summary(self, max_directions: int = 6) -> str:
        """Readable multi-line description: dimension, genericity, the first directions of each kind, mechanisms."""
        gen = {True: "generic", False: "not generic", None: "genericity not decided"}[self.generic]
        lines = [f"local fiber at θ: dimension {self.dimension} = D - rank J = {self.parameters} - "
                 f"{self.parameters - self.dimension} (functional dimension {self.functional_dimension}); θ is {gen}"]
        for title, vecs in (("scaling directions", self.scaling), ("hidden-symmetry directions", self.hidden)):
            lines.append(f"{len(vecs)} {title}" + (":" if vecs else ""))
            lines += [f"  {shorten(self.direction_str(v), 160)}" for v in vecs[:max_directions]]
            if len(vecs) > max_directions:
                lines.append(f"  ... {len(vecs) - max_directions} more")
        lines.append("mechanisms: none found" if not self.mechanisms else "mechanisms:")
        for m in self.mechanisms:
            neurons = ", ".join(str(tuple(n)) for n in m.get("neurons", []))
            lines.append(f"  {m['kind']}" + (f" (neurons {neurons})" if neurons else "") + f": {m['description']}")
        return "\n".join(lines)


def local_fiber(net: Network) -> Fiber:
    """The local description of the fiber at θ, for any depth and any θ (``kind="local"``, ``components=None``).

    Uses :func:`exactrelu.theory.dimension.tangent.fiber_tangent_space` (exact Jacobian kernel split into scaling
    and hidden directions), :func:`exactrelu.theory.dimension.mechanisms.hidden_symmetry_mechanisms`
    (docs/mathematics.md §6 mechanisms) and :func:`exactrelu.theory.dimension.genericity.is_generic`.

    >>> from exactrelu import examples
    >>> L = local_fiber(examples.linear_block())         # docs/mathematics.md D6: fiber dimension 8
    >>> L.kind, L.components, L.dimension, len(L.local.scaling), len(L.local.hidden)
    ('local', None, 8, 4, 4)
    """
    from exactrelu.core.errors import RegionLimitError
    from exactrelu.theory.dimension.genericity import is_generic
    from exactrelu.theory.dimension.mechanisms import hidden_symmetry_mechanisms
    from exactrelu.theory.dimension.rows import MAX_REGIONS
    from exactrelu.theory.dimension.tangent import fiber_tangent_space

    T = fiber_tangent_space(net)
    found, _ = hidden_symmetry_mechanisms(net, MAX_REGIONS)
    try:
        generic: bool | None = is_generic(net).generic
    except RegionLimitError:
        generic = None
    mechs = tuple({"kind": m.kind, "neurons": [list(n) for n in m.neurons], "description": m.description}
                  for m in found)
    if generic is False and not any(m["kind"] == "non-transversality" for m in mechs):
        mechs += ({"kind": "non-generic", "neurons": [], "description": "θ fails a genericity "
                   "condition of docs/mathematics.md "
                   "§1 (see exactrelu.theory.dimension.genericity.is_generic)"},)
    loc = LocalFiber(T.dimension, T.rank, T.parameters, T.hidden_neurons, T.scaling, T.hidden,
                     mechs, generic, T.names)
    notes = ("local description only (docs/mathematics.md E1): dimension = D - rank of the exact Jacobian over "
             "all regions "
             f"= {T.parameters} - {T.rank}; it is the fiber dimension near θ when the rank is locally constant, an "
             "upper bound otherwise",
             f"{len(T.scaling)} scaling directions and {len(T.hidden)} hidden-symmetry directions",
             "mechanisms (docs/mathematics.md §6): " + (", ".join(sorted({m['kind'] for m in mechs})) or "none found"))
    return Fiber(network=net, kind="local", dimension=T.dimension, components=None, local=loc, notes=notes)
