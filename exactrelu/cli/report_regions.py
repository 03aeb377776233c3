"""The report section about C_θ and B_θ (the CLI's report imports the geometry, never the reverse)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from exactrelu.cli.report import ReportSection
from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.geometry.regions import regions, summary

__all__ = ["regions_section"]


def regions_section(net: Network, outdir: Any) -> ReportSection:
    """Report section: counts of C_θ and B_θ, the jumps of B_θ, and a PNG of the complex (d = 1, 2)."""
    from exactrelu.geometry.certificate import check_certificate, complex_certificate

    C = regions(net, max_regions=5000)
    info = summary(C, faces=True, breakpoints=True)
    B = C.breakpoint_complex()
    lines = [f"C_θ has **{info['activation_regions']}** activation regions ({info['bounded_regions']} bounded), "
             f"{info['facets']} facets and {info['vertices']} vertices; balancing holds at all "
             f"{info['ridges_balanced']} ridges.  They merge into **{info['linear_regions']}** linear regions.",
             "",
             f"The breakpoint complex B_θ (a function invariant) has {info['breakpoint_regions']} regions, "
             f"{info['breakpoint_facets']} facets and {info['breakpoint_vertices']} vertices.  "
             f"Supertransversal: {'yes' if info['supertransversal'] else 'no'}.  First-layer hyperplanes visible: "
             + ", ".join(f"{k}: {'yes' if v else 'no'}" for k, v in info["first_layer_visible"].items()) + ".",
             "", "| B_θ facet: hyperplane t + n·x = 0 | weight ω |", "| --- | --- |"]
    for f in B.facets:
        hyp = " + ".join([str(f.hyperplane[0])] + [f"{v}·x{k + 1}" for k, v in enumerate(f.hyperplane[1:]) if v])
        lines.append(f"| {hyp} = 0 | {', '.join(map(str, f.omega))} |")
    dead = ", ".join(f"({n['layer']},{n['neuron']}) max z = {n['extreme_value']}" for n in info["dead_neurons"])
    lines += ["", f"Dead neurons: {dead or 'none'}."]
    cert = complex_certificate(C)
    check = check_certificate(cert)
    lines += [f"A region-by-region certificate was re-verified independently ({check['lps']} exact LPs)."]
    files: list[str] = []
    if net.input_dim <= 2:
        from exactrelu.geometry.plotting import plot

        png = Path(outdir) / "regions.png"
        try:
            plot(C, png, color_by="map")
        except NotApplicableError as exc:  # coordinates beyond what a float picture can show
            lines += ["", f"No picture: {exc}."]
        else:
            files.append(str(png))
            lines += ["", "![C_θ coloured by linear region, B_θ in black with its weights](regions.png)"]
    return ReportSection("regions", "Regions and the breakpoint complex", "\n".join(lines),
                         {**info, "breakpoint_complex": B.to_dict(), "certificate_lps": check["lps"]}, tuple(files))
