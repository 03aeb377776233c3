"""Report sections of the theory layer: fibers, bottleneck structure, equivalence (front end; public API only).

Each function is ``(net, outdir) -> ReportSection`` and is listed in :data:`exactrelu.cli.report.SECTIONS`.
"""

from __future__ import annotations

import json
from fractions import Fraction
from itertools import combinations
from pathlib import Path
from typing import Any

from exactrelu.cli.report import ReportSection
from exactrelu.core.errors import ExactReluError, NotApplicableError, RegionLimitError
from exactrelu.core.files import atomic_write_text
from exactrelu.core.network import Layer, Network
from exactrelu.core.symmetry import permute, rescale
from exactrelu.geometry.certificate import check_certificate
from exactrelu.theory.dimension.genericity import is_generic
from exactrelu.theory.equality.equivalence import equivalent
from exactrelu.theory.equality.reduce import reduce
from exactrelu.theory.fibers.base import jsonable
from exactrelu.theory.fibers.bottleneck import bottleneck_fiber, bottleneck_structure, certify_family, local_fiber
from exactrelu.theory.fibers.fiber import fiber

__all__ = ["fiber_section", "bottleneck_section", "equivalence_section"]


def fiber_section(net: Network, outdir: Any) -> Any:
    """Report section: the fiber of ``net`` (kind, dimension, components, the LaTeX of the first component systems,
    the symbolic verification of one component); writes ``fiber.json`` and ``fiber.tex`` into ``outdir``."""


    out = Path(outdir)
    try:
        fib = fiber(net)
    except ExactReluError as exc:
        return ReportSection("fiber", "The fiber S(θ)", f"No fiber description: {exc}", {"error": str(exc)})
    lines = [f"Fiber of kind **{fib.kind}**, dimension **{fib.dimension}**, "
             + ("local description only." if fib.components is None else f"**{len(fib.components)}** components."),
             ""]
    lines += [f"* {n}" for n in fib.notes]
    data: dict[str, Any] = {"kind": fib.kind, "dimension": fib.dimension,
                            "components": None if fib.components is None else len(fib.components)}
    files = []
    atomic_write_text(out / "fiber.json", fib.to_json() + "\n")
    files.append("fiber.json")
    if fib.components is not None:
        tex = fib.to_latex(max_components=4)
        atomic_write_text(out / "fiber.tex", tex + "\n")
        files.append("fiber.tex")
        c0 = fib.components[0]
        lines += ["", f"Component 1 (dimension {c0.dimension}, {c0.origin.get('hidden_symmetry', '')}):", "",
                  "$$" + c0.to_latex() + "$$", ""]
        if len(fib.components) > 1:
            lines += ["The LaTeX of the first components is in `fiber.tex`; every system is in `fiber.json`.", ""]
        v = fib.verify(0)
        data["verified_component_1"] = v.ok
        what = ", ".join(f"{k} = {val}" for k, val in v.checks[0].items() if k not in ("patterns", "component"))
        lines.append(f"Symbolic verification of component 1 (sympy): **{'passed' if v.ok else 'FAILED'}** ({what}).")
        lines.append("")
        lines.append(f"A sampled point of the fiber (seed 0): `{[str(x) for x in fib.sample(0)]}`; "
                     f"it lies in component {fib.component_of(fib.sample(0)) + 1}.")
    else:
        lines += ["", f"Local description: `{jsonable(fib.local)}`"]
    return ReportSection("fiber", "The fiber S(θ)", "\n".join(lines), data, tuple(files))


def bottleneck_section(net: Network, outdir: Any) -> Any:
    """Demo-report section: genericity (docs/mathematics.md §1) and, for a bottleneck, visibility, T_j, G_j and the
    fiber.

    Otherwise the local description (dimension, scaling / hidden directions, mechanisms).
    """

    lines: list[str] = []
    data: dict[str, Any] = {}
    try:
        rep = is_generic(net)
        data["genericity"] = rep.to_dict()
        lines.append(f"Genericity (docs/mathematics.md §1): **{'generic' if rep.generic else 'not generic'}** — "
                     f"supertransversal {rep.supertransversal} ({rep.cells} cells of C_θ), maximal-rank masked "
                     f"products {rep.maximal_rank} ({rep.index_sets} index sets).")
    except RegionLimitError as exc:
        lines.append(f"Genericity not decided: {exc}.")
    try:
        fib = bottleneck_fiber(net)
    except NotApplicableError as exc:
        loc = local_fiber(net)
        data["local"] = {"dimension": loc.dimension, "reason": str(exc)}
        lines += ["", f"Bottleneck description not applicable ({exc}); local description: fiber dimension "
                  f"{loc.dimension} (D - dim_fun), {len(loc.local.scaling)} scaling and {len(loc.local.hidden)} "
                  f"hidden directions; mechanisms: {', '.join(sorted({m['kind'] for m in loc.local.mechanisms}))}."]
        return ReportSection("bottleneck", "Genericity and bottleneck fiber", "\n".join(lines), data)
    st = bottleneck_structure(net)
    assert fib.components is not None
    data.update({"structure": st.to_dict(), "dimension": fib.dimension, "components": len(fib.components)})
    lines += ["", "| first-layer neuron | visible (D1) | generator M_k of G_j |", "| --- | --- | --- |"]
    lines += [f"| {k + 1} | {v} | {k in st.flippable} |" for k, v in enumerate(st.visible)]
    if st.invisible is not None:
        j = st.invisible + 1
        certified = []
        for r in range(len(st.flippable) + 1):
            for K in combinations(st.flippable, r):
                certified.append({"flips": [k + 1 for k in K], "equivalent": bool(certify_family(net, K))})
        data["certified_families"] = certified
        lines += ["", f"H_{j} is invisible: T_{j} moves b1_{j} by t for every t >= t_min = {st.t_min} "
                  f"(docs/mathematics.md D3), and G_{j} = (Z/2)^{len(st.flippable)} "
                  "(D4, derived by exact brute force).  "
                  f"Each T_{j} x G_{j} family was certified exactly: "
                  f"{all(c['equivalent'] for c in certified)}."]
    comp = fib.components[0]
    lines += ["", f"Generic fiber: **{len(fib.components)} components of dimension {fib.dimension}**.  "
              "The component through θ:", "", "$$" + comp.to_latex() + "$$"]
    return ReportSection("bottleneck", "Genericity and bottleneck fiber", "\n".join(lines), data)


def equivalence_section(net: Network, outdir: Any) -> Any:
    """Demo-report section: a permuted+rescaled copy, a padded copy and its reduction, and a 10^-12 perturbation."""

    other = net
    for l in range(1, net.depth + 1):
        n = net.layers[l - 1].n_out
        other = rescale(permute(other, l, tuple(reversed(range(n)))), l, [Fraction(k + 2, 3) for k in range(n)])
    fast = equivalent(net, other)
    full = equivalent(net, other, certificate=True)
    cert_path = Path(outdir) / "equivalence-certificate.json"
    assert full.certificate is not None
    atomic_write_text(cert_path, json.dumps(full.certificate, indent=1) + "\n")
    checked = check_certificate(full.certificate)
    # padded copy: neuron 1 of layer 1 duplicated (scaled by 2, outgoing weight split in halves) and a dead neuron
    first, second = net.layers[0], net.layers[1]
    rows = list(first.weights) + [tuple(2 * v for v in first.weights[0]), tuple(Fraction(0) for _ in first.weights[0])]
    biases = list(first.biases) + [2 * first.biases[0], Fraction(-1)]
    W2 = [tuple([row[0] / 2, *row[1:], row[0] / 4, Fraction(7)]) for row in second.weights]
    padded = Network((Layer(tuple(rows), tuple(biases)), Layer(tuple(W2), second.biases), *net.layers[2:]))
    red = reduce(padded)
    assert red.equivalence is not None
    eps = Fraction(1, 10**12)
    perturbed = net.with_layer(0, net.layers[0].weights, [net.layers[0].biases[0] + eps, *net.layers[0].biases[1:]])
    diff = equivalent(net, perturbed)
    w = diff.witness
    lines = [
        f"* **Permuted + rescaled copy**: equivalent = **{bool(fast)}** by `{fast.method}`; the common refinement "
        f"re-derives it with a certificate of {full.regions} regions, re-checked independently "
        f"({checked['lps']} exact LPs): `{cert_path.name}`.",
        f"* **Padded copy** {padded.architecture} (a duplicated neuron with split outgoing weight and a dead constant "
        f"neuron): `reduce` gives {red.network.architecture} — " + "; ".join(red.steps) + f". Certified equal "
        f"({red.equivalence.regions} regions).",
        f"* **Perturbed copy** (b1[1] + 10^-12): equivalent = **{bool(diff)}** by `{diff.method}`"
        + (f"; witness x = ({', '.join(map(str, w.x))}): f(x) = ({', '.join(map(str, w.a))}), "
           f"perturbed f(x) = ({', '.join(map(str, w.b))})." if w is not None else "."),
    ]
    data = {"permuted": {"equivalent": bool(fast), "method": fast.method, "certificate_regions": full.regions},
            "reduced": {"from": list(padded.architecture), "to": list(red.network.architecture),
                        "steps": list(red.steps)},
            "perturbed": diff.to_dict()}
    return ReportSection("equivalence", "Functional equivalence, reduction and witnesses", "\n".join(lines), data,
                         (cert_path.name,))
