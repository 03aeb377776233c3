"""The certified fast paths build exactly the reference objects (docs/mathematics.md A2, A3; issue 3).

* Regions in d >= 3 built from a floating-point proposal certified exactly (``exactrelu.geometry.simplecell``: exact
  vertices, filtered signs, edge closure) equal the regions of the exact double description, field by field.
* The face lattice built from each region's exact generators and incidences (no LP) equals the reference built
  top-down with one exact LP per candidate face: cells, dimensions, stars, children, canonical polyhedra.
* The breakpoint complex of d = 3 networks describes every facet exactly by flats and cells: a grid point of a facet's
  hyperplane (off the flats) has a listed sign vector iff it lies in one of the facet's pieces of C_θ.
"""

from __future__ import annotations

import importlib
import itertools
from fractions import Fraction

from exactrelu import Box, random_network
from exactrelu.geometry.faces import check_face_lattice, jumps
from exactrelu.geometry.regions import regions

THEOREM = "Certified float-proposal regions, generator face lattice and exact B_θ facets equal the references (A2, A3)"

R = importlib.import_module("exactrelu.geometry.regions")

ARCHS = [(3, 4, 1), (3, 5, 3, 1), (3, 3, 3, 2), (4, 5, 1), (4, 3, 3, 1), (3, 3, 3, 3, 1)]


def cases() -> list[tuple[tuple[int, ...], int, bool, bool]]:
    return [(a, s, generic, box) for a in ARCHS for s in range(2) for generic in (True, False) for box in (False, True)]


def _cells_agree(C) -> int:  # type: ignore[no-untyped-def]
    B = C.breakpoint_complex()
    js = jumps(C)
    grid = [Fraction(k, 2) for k in range(-5, 6)]
    checked = 0
    for f in B.facets:
        pieces = [C.regions[js[k].regions[0]].polyhedron.intersect(C.regions[js[k].regions[1]].polyhedron)
                  for k in f.members]
        h = f.hyperplane
        p = next(k for k in range(3) if h[k + 1])
        for rest in itertools.product(grid, repeat=2):
            x = list(rest[:p]) + [Fraction(0)] + list(rest[p:])
            x[p] = -(h[0] + sum(h[k + 1] * x[k] for k in range(3) if k != p)) / h[p + 1]
            signs = tuple((v > 0) - (v < 0) for v in (g[0] + sum(a * c for a, c in zip(g[1:], x)) for g in f.flats))
            if 0 in signs:
                continue
            assert (signs in f.cells) == any(P.contains(tuple(x)) for P in pieces), (h, x)
            checked += 1
    return checked


def check(case: tuple[tuple[int, ...], int, bool, bool]) -> str:
    arch, seed, generic, box = case
    kw = {} if generic else {"max_num": 3, "max_den": 2}
    net = random_network(arch, seed=seed, **kw)
    dom = Box(-2, 2, net.input_dim) if box else None
    fast = regions(net, dom)
    R._FAST_ND = False
    try:
        exact = regions(net, dom)
    finally:
        R._FAST_ND = True
    assert fast == exact
    n_cells = check_face_lattice(fast)
    cells = _cells_agree(fast) if net.input_dim == 3 and len(fast.regions) <= 80 else 0
    return f"{len(fast.regions)} regions, {n_cells} cells, {cells} B_θ grid points"
