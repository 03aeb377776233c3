"""Demo-report section on functional dimension and identifiability (``exactrelu demo``, docs/mathematics.md §E)."""

from __future__ import annotations

from pathlib import Path

from exactrelu.cli.report import ReportSection
from exactrelu.core.network import Network
from exactrelu.core.rational import format_rational
from exactrelu.theory.dimension.fdim import functional_dimension
from exactrelu.theory.dimension.identifiability import identifiability

__all__ = ["report_section"]


def report_section(net: Network, outdir: Path) -> ReportSection:
    """Report section (``exactrelu demo``): dim_fun with its certification path, the fiber's tangent space split into
    scaling and hidden directions, and the identifiability verdict with its mechanisms."""

    r = functional_dimension(net, max_regions=500)
    ident = identifiability(net, max_regions=500)
    if r.rank is None:
        nd = "; ".join(str(p) for p in r.nondifferentiable[:5])
        text = (f"**dim_fun(θ) is not defined**: θ ↦ f_θ(x) is not differentiable at θ on "
                f"{len(r.nondifferentiable)} region(s) ({nd}); the rank over the other regions is "
                f"{r.differentiable_rank} (D = {r.parameters}, bound {r.upper_bound}).")
        return ReportSection("functional_dimension", "Functional dimension and identifiability", text,
                             r.to_dict(with_points=False))
    names = net.parameter_names()
    path = {"modular": "the rank modulo p = 2^61 - 1 reached the upper bound, which proves it (no rational "
                       "elimination needed)",
            "rational": f"the rank modulo p = 2^61 - 1 was {r.modular_rank} < {r.upper_bound}, so the exact rank "
                        "over Q was computed",
            "empty": "no usable point"}[r.certified_by]
    where = (f"{len(r.points)} points: d+1 affinely independent interior points of each of the {r.regions} "
             "activation regions (exact, docs/mathematics.md §E1)" if r.method == "regions" else
             f"{len(r.points)} random rational points ({'exact' if r.exact else 'a certified lower bound'})")
    lines = [f"**dim_fun(θ) = {r.rank}** with D = {r.parameters}, N_h = {r.hidden_neurons}, "
             f"bound D - N_h = {r.upper_bound}{' (attained)' if r.rank == r.upper_bound else ''}.", "",
             f"* Jacobian of θ -> f_θ(x) at {where}.",
             f"* Certification: {path}.",
             f"* Jacobian kernel (first-order tangent directions of the fiber): dimension {ident.kernel_dimension} = "
             f"{len(ident.tangent.scaling)} scaling + {ident.hidden_dimension} hidden direction(s).",
             f"* Locally identifiable: **{ident.locally_identifiable}** — {ident.local_reason}.",
             f"* Globally identifiable: **{ident.globally_identifiable}** — {ident.reason}."]
    for v in ident.tangent.hidden:
        terms = " ".join(f"{'+' if c > 0 else '-'} {abs(c)}·∂/∂{n}" for c, n in zip(v, names) if c)
        lines.append(f"* Hidden direction: {terms.lstrip('+ ')}")
    for m in ident.mechanisms:
        lines.append(f"* Mechanism: {m.kind} at neurons {list(m.neurons)} — {m.description}.")
    data = {**r.to_dict(with_points=False), "identifiability": {
        "locally_identifiable": ident.locally_identifiable, "globally_identifiable": ident.globally_identifiable,
        "fiber_dimension": ident.fiber_dimension, "kernel_dimension": ident.kernel_dimension,
        "witness": None if ident.witness is None else ident.witness.to_lists(),
        "hidden_directions": [[format_rational(c) for c in v] for v in ident.tangent.hidden],
        "mechanisms": [m.kind for m in ident.mechanisms]}}
    return ReportSection("functional_dimension", "Functional dimension and identifiability", "\n".join(lines), data)
