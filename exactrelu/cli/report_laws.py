"""The demo report's section on conservation laws and the learning space (docs/mathematics.md G1-G4)."""

from __future__ import annotations

from pathlib import Path

from exactrelu.cli.report import ReportSection
from exactrelu.core.network import Network


def laws_section(net: Network, outdir: Path) -> ReportSection:
    """Balance/block laws with their proof, the exact law count, and the invariant set of θ."""
    from exactrelu.theory.dynamics import conservation_laws, count_conservation_laws, invariant_set
    from exactrelu.theory.dynamics.noether import noether_table

    del outdir
    laws = conservation_laws(net)
    proved = laws.verify()
    count = count_conservation_laws(net, max_seconds=30)
    inv = invariant_set(laws.graph)
    lines = [f"{len(laws.laws)} conservation laws of gradient flow (proved symbolically: {proved}):", ""]
    lines += [f"- `{law}`" for law in laws.laws]
    lines += ["", f"Independent local laws: {count}.", "", "Learning space H_G(c(θ)):", "", "```", str(inv), "```",
              "", "| symmetry | gives a law | why |", "| --- | --- | --- |"]
    table = noether_table(net)
    lines += [f"| {r['mechanism']} | {r['gives_law']} | {r['reason']} |" for r in table]
    data = {**laws.to_dict(), "verified": proved, "count": count.to_dict(), "invariant_set": inv.to_dict(),
            "noether": table}
    return ReportSection("laws", "Conservation laws and the learning space", "\n".join(lines), data)
