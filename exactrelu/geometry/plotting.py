"""Pictures of C_θ and B_θ (matplotlib).  Geometry is computed exactly; floats are used only to draw.

* d = 2: regions (clipped to a window box, exactly) coloured by activation pattern or by affine map (linear regions),
  the facets of C_θ (bent hyperplanes, coloured by layer), the breakpoint complex B_θ drawn thick with the weight ω of
  each facet written at its middle, and the vertices of B_θ.
* d = 1: the graph of f (each output) with the breakpoints and their jumps.

>>> from exactrelu import examples
>>> from exactrelu.geometry.regions import regions
>>> fig = plot(regions(examples.relu_of_sum()))
>>> len(fig.axes)
1
"""

from __future__ import annotations

import io
import math
import os
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError
from exactrelu.geometry.polyhedra import Box, Polyhedron

__all__ = ["plot", "default_window"]

#: largest coordinate the float drawing accepts (the exact geometry has no limit)
_DRAWABLE = Fraction(10) ** 300


def default_window(C: Any) -> tuple[list[Fraction], list[Fraction]]:
    """A box around every vertex of every region (and of the domain), with a margin; ``(lo, hi)`` exact."""
    d = C.dim
    if C.domain is not None and C.domain.bounded:
        v, _ = C.domain.vertices_and_rays()
        return [min(p[k] for p in v) for k in range(d)], [max(p[k] for p in v) for k in range(d)]
    pts = []
    for r in C.regions:
        pts.extend(r.polyhedron.vertices_and_rays()[0])
        pts.append(r.interior_point)
    lo = [min(p[k] for p in pts) for k in range(d)]
    hi = [max(p[k] for p in pts) for k in range(d)]
    width = max([h - l for l, h in zip(lo, hi)] + [Fraction(2)])
    margin = width / 2
    return [l - margin for l in lo], [h + margin for h in hi]


def _polygon(P: Polyhedron) -> list[tuple[float, float]]:
    v, _ = P.vertices_and_rays()
    if len(v) < 3:
        return [(float(a), float(b)) for a, b in v]
    cx = sum(float(p[0]) for p in v) / len(v)
    cy = sum(float(p[1]) for p in v) / len(v)
    return sorted(((float(a), float(b)) for a, b in v), key=lambda p: math.atan2(p[1] - cy, p[0] - cx))


def plot(C: Any, path: str | os.PathLike[str] | None = None, *, color_by: str = "pattern",
         breakpoints: bool = True, annotate: bool = True, window: tuple[Any, Any] | None = None,
         title: str | None = None) -> Any:
    """Draw the complex ``C`` (d = 1 or 2); save to ``path`` (PNG, SVG or PDF by suffix, atomically) if given.

    ``color_by`` is ``"pattern"`` (one colour per activation region) or ``"map"`` (one per linear region).
    Returns the matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if color_by not in ("pattern", "map"):
        raise ValueError("color_by must be 'pattern' or 'map'")
    d = C.dim
    if d not in (1, 2):
        raise NotApplicableError(f"plot() draws complexes of input dimension 1 or 2, not {d}")
    lo, hi = window if window is not None else default_window(C)
    if not isinstance(lo, (list, tuple)):
        lo, hi = [lo] * d, [hi] * d
    lo, hi = [Fraction(v) for v in lo], [Fraction(v) for v in hi]
    if any(abs(v) > _DRAWABLE for v in (*lo, *hi)):
        raise NotApplicableError("the complex reaches coordinates beyond 1e300, which a picture cannot show in float "
                                 "coordinates; pass a smaller window (plot(..., window=(lo, hi)))")
    fig, ax = plt.subplots(figsize=(6.4, 5.6) if d == 2 else (6.4, 4))
    cmap = plt.get_cmap("tab20")
    if d == 2:
        box = Box(list(lo), list(hi))
        group = {}
        if color_by == "map":
            for g, lr in enumerate(C.linear_regions()):
                for k in lr.regions:
                    group[k] = g
        for k, r in enumerate(C.regions):
            P = r.polyhedron.intersect(box)
            if P.dimension < 2:
                continue
            poly = _polygon(P)
            ax.fill(*zip(*poly), color=cmap(group.get(k, k) % 20), alpha=0.45, lw=0)
            if annotate and len(C.regions) <= 40:
                ip = P.interior_point()
                label = "".join("+" if s > 0 else "-" if s < 0 else "0" for layer in r.pattern for s in layer)
                ax.text(float(ip[0]), float(ip[1]), label, fontsize=7, ha="center", va="center", alpha=0.8)
        layer_colors = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]
        for j in C.jumps():
            i0, i1 = j.regions
            F = C.regions[i0].polyhedron.intersect(C.regions[i1].polyhedron).intersect(box)
            v, _ = F.vertices_and_rays()
            if len(v) < 2:
                continue
            xs, ys = zip(*[(float(a), float(b)) for a, b in v[:2]])
            layer = min(l for l, _ in j.neurons) if j.neurons else 0
            ax.plot(xs, ys, color=layer_colors[layer % 5], lw=1, alpha=0.7)
        if breakpoints:
            B = C.breakpoint_complex()
            for f in B.facets:
                F = f.polyhedron.intersect(box)
                v, _ = F.vertices_and_rays()
                if len(v) < 2:
                    continue
                (x0, y0), (x1, y1) = [(float(a), float(b)) for a, b in v[:2]]
                ax.plot([x0, x1], [y0, y1], color="black", lw=2.5)
                if annotate:
                    w = ",".join(str(x) for x in f.omega)
                    ax.text((x0 + x1) / 2, (y0 + y1) / 2, f"ω={w}", fontsize=8, color="darkred",
                            bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 1})
            for p in B.vertices or ():
                ax.plot([float(p[0])], [float(p[1])], "o", color="black", ms=5)
        ax.set_xlim(float(lo[0]), float(hi[0]))
        ax.set_ylim(float(lo[1]), float(hi[1]))
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax.set_aspect("equal", adjustable="box")
    else:
        a, b = lo[0], hi[0]
        xs = sorted({a, b} | {f.point[0] for r in C.regions for f in r.facets if a < f.point[0] < b})
        ys = [C.net([x]) for x in xs]
        for o in range(C.net.output_dim):
            ax.plot([float(x) for x in xs], [float(y[o]) for y in ys], lw=2, label=f"f_{o + 1}")
        if breakpoints:
            for f in C.breakpoint_complex().facets:
                x = -f.hyperplane[0] / f.hyperplane[1]
                ax.axvline(float(x), color="gray", ls=":", lw=1)
                if annotate:
                    ax.text(float(x), ax.get_ylim()[1], f"ω={','.join(map(str, f.omega))}", fontsize=8,
                            ha="center", va="top")
        ax.set_xlabel("x")
        ax.legend(loc="best", fontsize=8)
    ax.set_title(title or f"C_θ: {len(C.regions)} regions, B_θ: {C.breakpoint_complex().num_regions} regions")
    fig.tight_layout()
    if path is not None:
        from exactrelu.core.files import atomic_write_bytes, image_format

        buf = io.BytesIO()
        fig.savefig(buf, format=image_format(path), dpi=110)
        atomic_write_bytes(path, buf.getvalue())
        plt.close(fig)
    return fig
