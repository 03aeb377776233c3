"""The fiber S(θ) = {η : f_η = f_θ} of a network, by the strongest applicable theorem (docs/mathematics.md §1, B3,
§2.C, §2.D, E1).

:func:`fiber` dispatches on the architecture and the domain; the objects it returns (:class:`Fiber`,
:class:`Component`, :class:`Membership`, :class:`FiberVerification`) live in :mod:`exactrelu.theory.fibers.base`
and :mod:`exactrelu.theory.fibers.verify` and are re-exported here.

Examples
--------
>>> from exactrelu import examples
>>> F = fiber(examples.relu_minus_shifted_relu())      # docs/mathematics.md §7 row 7
>>> F.kind, len(F.components), F.dimension, F.complete
('shallow', 4, 2, True)
>>> F.contains(examples.relu_minus_shifted_relu())
True
>>> eta = F.sample(seed=3)
>>> F.contains(eta), F.verify(0).ok
(True, True)
>>> F.components[0].equalities[:2]     # neuron 1 on the kink x = 1 (jump -1): row ∝ (1, -1), W2·W1 = -1
(W1_1_1 + b1_1, W1_1_1*W2_1_1 + 1)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.theory.fibers.base import FORMAT_NAME, FORMAT_VERSION, Component, Fiber, Membership
from exactrelu.theory.fibers.bottleneck import bottleneck_fiber
from exactrelu.theory.fibers.domain_extra import domain_extra_fiber
from exactrelu.theory.fibers.local import local_fiber
from exactrelu.theory.fibers.orthant import orthant_fiber
from exactrelu.theory.fibers.shallow import shallow_fiber
from exactrelu.theory.fibers.verify import FiberVerification

__all__ = ["Component", "Fiber", "FiberVerification", "Membership", "fiber", "FORMAT_NAME", "FORMAT_VERSION"]


def fiber(net: Network, domain: Any = None) -> Fiber:
    """The fiber S(θ) of ``net`` (docs/mathematics.md §1), by the strongest applicable theorem.

    * one hidden layer on R^d (``domain=None``): :func:`exactrelu.theory.fibers.shallow.shallow_fiber`
      (docs/mathematics.md B2/B3, B4), all components, for θ of minimal width or one neuron wider; wider θ by the
      type families of :func:`exactrelu.theory.fibers.wide.wide_fiber` (docs/mathematics.md B6, complete when
      n <= k + 2);
    * one hidden layer on the orthant (``domain="orthant"`` or an ``Orthant(d)``) or on any full-dimensional
      polyhedron (e.g. a ``Box``): the K_S = {p_S} × V_S pieces of docs/mathematics.md §2.C
      (:func:`exactrelu.theory.fibers.orthant.orthant_fiber`), marked ``complete`` only when no other η exists; θ
      with zero, dead or duplicate neurons on the domain by the families around its core
      (:func:`exactrelu.theory.fibers.domain_extra.domain_extra_fiber`, never complete);
    * two hidden layers with a bottleneck first layer: :func:`exactrelu.theory.fibers.bottleneck.bottleneck_fiber`
      (§2.D; the generic part, ``complete=False``);
    * otherwise (and when the above do not apply): the local description
      :func:`exactrelu.theory.fibers.local.local_fiber` (``kind="local"``, ``components is None``).

    Whatever the kind, :meth:`Fiber.contains` is exact: outside a listing not known to be complete it decides by
    :func:`exactrelu.theory.equality.equivalence.equivalent`.

    Raises :class:`~exactrelu.core.errors.NotApplicableError` when no description is available.
    """
    if net.depth == 1:
        if domain is None:
            try:
                return shallow_fiber(net)
            except NotApplicableError as exc:
                return _local(net, f"shallow fiber not covered: {exc}")
        try:
            return orthant_fiber(net, domain)
        except NotApplicableError as exc:  # zero, dead or duplicate neurons on the domain: families around the core
            try:
                return domain_extra_fiber(net, domain)
            except NotApplicableError:
                raise exc from None
    if domain is not None:
        raise NotApplicableError("fibers on a restricted domain are implemented for one hidden layer only")
    reason = "no global description for this depth"
    if net.depth == 2:
        try:
            return bottleneck_fiber(net)
        except NotApplicableError as exc:
            reason = f"bottleneck fiber not applicable: {exc}"
    return _local(net, reason)


def _local(net: Network, reason: str) -> Fiber:
    out = local_fiber(net)
    return replace(out, notes=(*out.notes, reason))
