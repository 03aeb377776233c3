"""The demo report: Markdown + JSON about one network, one section per capability.

Each capability contributes a section function ``(net, outdir) -> ReportSection``, listed in :data:`SECTIONS` by
dotted name (so this module imports nothing heavy).  ``exactrelu demo`` / ``make demo`` call :func:`write_report`.
"""

from __future__ import annotations

import importlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exactrelu.core.files import atomic_write_text
from exactrelu.core.network import Network

__all__ = ["ReportSection", "SECTIONS", "write_report", "network_section"]


@dataclass(frozen=True)
class ReportSection:
    """One section of the report: a title, Markdown text, JSON-able data and the files it wrote."""

    key: str
    title: str
    markdown: str
    data: dict[str, Any] = field(default_factory=dict)
    files: tuple[str, ...] = ()


#: (key, "module:function") in report order.  Capabilities append their section here.
SECTIONS: list[tuple[str, str]] = [
    ("network", "exactrelu.cli.report:network_section"),
    ("functional_dimension", "exactrelu.cli.report_dimension:report_section"),
    ("fiber", "exactrelu.cli.sections:fiber_section"),
    ("regions", "exactrelu.cli.report_regions:regions_section"),
    ("equivalence", "exactrelu.cli.sections:equivalence_section"),
    ("bottleneck", "exactrelu.cli.sections:bottleneck_section"),
    ("laws", "exactrelu.cli.report_laws:laws_section"),
]


def _md_matrix(rows: Any) -> str:
    return "[" + "; ".join(", ".join(str(v) for v in r) for r in rows) + "]"


def network_section(net: Network, outdir: Path) -> ReportSection:
    """Architecture, parameters, exact values at a few points, and the trivial-symmetry normal form."""
    from exactrelu.core.symmetry import normal_form, permute, rescale

    lines = [f"Architecture `{net.architecture}`: D = {net.num_parameters} parameters, "
             f"N_h = {net.num_hidden} hidden neurons, upper bound D - N_h = {net.num_parameters - net.num_hidden}.",
             "", "| layer | W | b |", "| --- | --- | --- |"]
    for l, layer in enumerate(net.layers, 1):
        lines.append(f"| {l} | {_md_matrix(layer.weights)} | {', '.join(map(str, layer.biases))} |")
    pts = [[0] * net.input_dim, [1] * net.input_dim, [-1] * net.input_dim]
    lines += ["", "Exact values:", ""]
    values = []
    for p in pts:
        y = net(p)
        lines.append(f"* f({', '.join(map(str, p))}) = ({', '.join(map(str, y))}), pattern {net.pattern(p)}")
        values.append({"x": [str(v) for v in p], "f": [str(v) for v in y]})
    other = net
    for l in range(1, net.depth + 1):
        n = net.layers[l - 1].n_out
        other = rescale(permute(other, l, tuple(reversed(range(n)))), l, [k + 2 for k in range(n)])
    same = normal_form(other) == normal_form(net)
    lines += ["", f"A permuted and rescaled copy has the same normal form: **{same}**."]
    return ReportSection("network", "The network", "\n".join(lines),
                         {"architecture": list(net.architecture), "parameters": net.num_parameters,
                          "hidden_neurons": net.num_hidden, "values": values, "normal_form_invariant": same})


def write_report(net: Network | None = None, outdir: str | Path = "exactrelu-report",
                 only: list[str] | None = None) -> Path:
    """Run every section on ``net`` (default: :func:`exactrelu.core.examples.demo_network`) and write
    ``outdir/report.md`` and ``outdir/report.json`` atomically.  Returns the Markdown path."""
    from exactrelu.core import examples

    net = net if net is not None else examples.demo_network()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    md = ["# exactrelu report", "", f"Network: `{net.architecture}` — every number below is exact.", ""]
    data: dict[str, Any] = {"network": json.loads(net.to_json()), "sections": {}}
    for key, target in SECTIONS:
        if only and key not in only:
            continue
        mod, fn = target.split(":")
        t0 = time.perf_counter()
        section: ReportSection = getattr(importlib.import_module(mod), fn)(net, out)
        dt = time.perf_counter() - t0
        md += [f"## {section.title}", "", section.markdown, "", f"_({dt:.2f} s)_", ""]
        data["sections"][key] = {**section.data, "seconds": round(dt, 3), "files": list(section.files)}
    path = out / "report.md"
    atomic_write_text(path, "\n".join(md))
    atomic_write_text(out / "report.json", json.dumps(data, indent=2, default=str) + "\n")
    return path
