"""Pictures of the activation regions of a graph network (matplotlib; geometry exact, floats only to draw).

* d = 2: every region clipped exactly to a window box, coloured by linear region (same affine map, connected), with
  its pattern written at its interior point;
* d = 1: the graph of each output with the region boundaries.

>>> from exactrelu.core.graph import GraphNetwork
>>> from exactrelu.geometry.graph_regions import graph_regions
>>> g = GraphNetwork.from_edges(["x"], ["y"], [("h", 0), "y"], [("x", "h", 1), ("h", "y", 1), ("x", "y", 1)])
>>> len(plot_graph_complex(graph_regions(g)).axes)
1
"""

from __future__ import annotations

import io
import os
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError
from exactrelu.geometry.graph_regions import GraphComplex
from exactrelu.geometry.polyhedra import Box, Polyhedron

__all__ = ["plot_graph_complex", "graph_window"]


def graph_window(C: GraphComplex, margin: Fraction = Fraction(1)) -> tuple[list[Fraction], list[Fraction]]:
    """A box around every region's interior point and every bounded region's vertices, with a margin."""
    d = C.dim
    pts = [r.point for r in C.regions]
    for r in C.regions:
        v, rays = r.polyhedron.vertices_and_rays()
        pts.extend(v)
    lo = [min(p[k] for p in pts) - margin for k in range(d)]
    hi = [max(p[k] for p in pts) + margin for k in range(d)]
    return lo, hi


def plot_graph_complex(C: GraphComplex, path: str | os.PathLike[str] | None = None, *, ax: Any = None,
                       window: tuple[Any, Any] | None = None, title: str | None = None) -> Any:
    """Draw the complex (d = 1 or 2) on ``ax`` or a new figure; save to ``path`` (PNG/SVG) when given."""
    import matplotlib.pyplot as plt

    if C.dim not in (1, 2):
        raise NotApplicableError(f"plots need d = 1 or 2, the network has d = {C.dim}")
    lo, hi = window if window is not None else graph_window(C)
    lo = [Fraction(v) for v in (lo if isinstance(lo, (list, tuple)) else [lo] * C.dim)]
    hi = [Fraction(v) for v in (hi if isinstance(hi, (list, tuple)) else [hi] * C.dim)]
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 4.5))
    else:
        fig = ax.figure
    groups = C.linear_regions()
    cmap = plt.get_cmap("tab20")
    colour = {}
    for k, grp in enumerate(groups):
        for r in grp:
            colour[r.pattern] = cmap(k % 20)
    box = Box(lo, hi)
    if C.dim == 2:
        from matplotlib.patches import Polygon

        for r in C.regions:
            P = Polyhedron(r.inequalities + box.inequalities, (), ambient_dim=2)
            if P.dimension < 2:
                continue
            vs, _ = P.vertices_and_rays()
            cx = sum(v[0] for v in vs) / len(vs)
            cy = sum(v[1] for v in vs) / len(vs)
            import math

            vs = sorted(vs, key=lambda v: math.atan2(float(v[1] - cy), float(v[0] - cx)))
            ax.add_patch(Polygon([(float(v[0]), float(v[1])) for v in vs], closed=True, facecolor=colour[r.pattern],
                                 edgecolor="black", linewidth=0.8, alpha=0.8))
            ax.text(float(cx), float(cy), "".join("+" if s > 0 else ("0" if s == 0 else "−") for s in r.pattern),
                    ha="center", va="center", fontsize=7)
        ax.set_xlim(float(lo[0]), float(hi[0]))
        ax.set_ylim(float(lo[1]), float(hi[1]))
        ax.set_aspect("equal")
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
    else:
        for r in C.regions:
            P = Polyhedron(r.inequalities + box.inequalities, (), ambient_dim=1)
            if P.dimension < 1:
                continue
            vs, _ = P.vertices_and_rays()
            a, b = min(v[0] for v in vs), max(v[0] for v in vs)
            for j in range(C.network.output_dim):
                ya = r.A[j][0] * a + r.c[j]
                yb = r.A[j][0] * b + r.c[j]
                ax.plot([float(a), float(b)], [float(ya), float(yb)], color=colour[r.pattern], linewidth=2)
            ax.axvline(float(a), color="grey", linewidth=0.5, linestyle=":")
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
    ax.set_title(title or f"{len(C.regions)} activation regions, {len(groups)} linear regions")
    if path is not None:
        buf = io.BytesIO()
        fmt = "svg" if str(path).lower().endswith(".svg") else "png"
        fig.savefig(buf, format=fmt, bbox_inches="tight")
        from exactrelu.core.files import atomic_write_bytes

        atomic_write_bytes(path, buf.getvalue())
    return fig
