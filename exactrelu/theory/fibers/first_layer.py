"""The first layer of a two-hidden-layer network recovered from its function (docs/mathematics.md D7, D2).

Everything here is read off the **local fans of f at the ridges of B_θ**: for each ``(d-2)``-face τ of C_θ with a
kink of ``f`` next to it, the cyclic sequence of the kink facets around τ (hyperplane ``(t, n)`` with first nonzero
of ``n`` equal to 1, weight ``ω``) and of the affine maps of ``f`` between them.  This data depends on ``f`` only
(the facets of C_θ with zero jump are dropped and the regions between them merged); θ's first layer is never read
(only :func:`compare_with_parameters` and :func:`parallel_facet_failures` look at θ).

Classification of a ridge with ``k`` kink facets (docs/mathematics.md D7):

* ``"bend"`` (k = 4): one pair of facets in one hyperplane ``H`` (opposite rays), the other two in two other
  hyperplanes, one on each side of ``H``: a second-layer sheet ``B_j`` bending on the first-layer hyperplane ``H``;
* ``"bend3"`` (k = 3): exactly one of the three sectors has a constant map; the facet **not** next to it lies on a
  first-layer hyperplane and the other two on a bent second-layer sheet (the ridge-star lemma of
  Gegenfurtner-Grillo-Montúfar, three-layer paper, App. B.5);
* ``"cross"`` (k = 4, two straight pairs, constant weight along each): two flat sheets crossing (two first-layer
  hyperplanes, two second-layer sheets, or one of each) — no information;
* ``"other"``: any other star; it never happens for generic parameters.

Hyperplanes: **first-layer** when a bend certifies it, or when its kink facets cover the whole hyperplane and some
kink of ``f`` is not parallel to it ("full"); **second-layer** when it carries the bent sheet of a bend; otherwise
**undetermined** (for example every kink of ``f`` is parallel, d = 1, or a hyperplane is certified both ways, which
needs non-generic parameters).  Guarantee (docs/mathematics.md D7): for **every generic** η of the architecture with
``f_η = f``, the first-layer hyperplanes are hyperplanes of η's first layer, visible in η, and the second-layer ones
are not; conversely for generic θ every D1-visible first-layer hyperplane is recovered unless all kinks of ``f`` are
parallel to it.

Orientation (which side of ``H`` is active), for ``n1 <= d`` only: (i) when a second-layer sheet is parallel to a
recovered ``H_i``, it lies in the first-layer region where neuron ``i`` alone is active (the parallel-facet lemma,
docs/mathematics.md D2), which fixes the active side of every recovered hyperplane; (ii) when all ``n1`` first-layer
hyperplanes are recovered and exactly one cell of their arrangement carries a constant ``f``, that cell is the one
where every neuron is inactive.  Otherwise ``None``: this test does not decide it, and the function may indeed not
fix it (the flips M_k of G_j, docs/mathematics.md D4, change it without changing ``f``).

Examples
--------
>>> from exactrelu import examples
>>> rec = first_layer(examples.relu_of_sum())
>>> [(str(h), h.orientation) for h in rec.hyperplanes]
[('x2 = 0 (bend3)', 1), ('x1 = 0 (bend3)', 1)]
>>> [hyperplane_str(h) for h in rec.second_layer]
['x2 - 1 = 0', 'x1 - 1 = 0', 'x1 + x2 - 1 = 0']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError
from exactrelu.core.network import Network
from exactrelu.core.rational import format_rational

__all__ = ["RidgeStar", "FirstLayerHyperplane", "FirstLayerReconstruction", "ridge_stars", "first_layer",
           "compare_with_parameters", "parallel_facet_failures", "ParallelFacetFailure", "hyperplane_str"]

Row = tuple[Fraction, ...]
Map = tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...]]
_ZERO = Fraction(0)


def hyperplane_str(h: Row) -> str:
    """``(t, n1..nd)`` as ``"n·x + t = 0"`` with ``x1..xd``."""
    terms = []
    for k, v in enumerate(h[1:], start=1):
        if v == 0:
            continue
        coef = "" if v == 1 else "-" if v == -1 else f"{format_rational(v)}*"
        terms.append(f"{coef}x{k}")
    lhs = " + ".join(terms).replace("+ -", "- ")
    t = h[0]
    if t > 0:
        lhs += f" + {format_rational(t)}"
    elif t < 0:
        lhs += f" - {format_rational(-t)}"
    return f"{lhs} = 0"


def _canon(row: Sequence[Fraction]) -> Row:
    """``(t, n)`` scaled so that the first nonzero of ``n`` is 1."""
    first = next(v for v in row[1:] if v)
    return tuple(Fraction(v) / first for v in row)


# ---------------------------------------------------------------------------------------------- local fans
@dataclass(frozen=True)
class RidgeStar:
    """The local fan of ``f`` at a ``(d-2)``-face of C_θ: the kink ``facets`` ``(hyperplane, ω, point)`` in cyclic
    order, ``sectors[k]`` the affine map between facets ``k`` and ``k+1``, the ``kind`` and the hyperplanes it
    certifies as ``first`` / ``second`` layer (module docstring)."""

    point: tuple[Fraction, ...]
    facets: tuple[tuple[Row, tuple[Fraction, ...], tuple[Fraction, ...]], ...]
    sectors: tuple[Map, ...]
    kind: str
    first: tuple[Row, ...] = ()
    second: tuple[tuple[Row, tuple[Fraction, ...]], ...] = ()   # (hyperplane, a point of the facet)


def _classify(facets: list[Any], sectors: list[Map]) -> tuple[str, tuple[Row, ...], tuple[Any, ...]]:
    k = len(facets)
    hyps = [f[0] for f in facets]
    groups: dict[Row, list[int]] = {}
    for i, h in enumerate(hyps):
        groups.setdefault(h, []).append(i)
    sizes = sorted(len(g) for g in groups.values())
    if k == 4 and sizes == [2, 2]:
        if all(facets[g[0]][1] == facets[g[1]][1] for g in groups.values()):
            return "cross", (), ()
        return "other", (), ()
    if k == 4 and sizes == [1, 1, 2]:
        pair = next(g for g in groups.values() if len(g) == 2)
        if (pair[1] - pair[0]) % 4 != 2:      # the two singletons must lie on both sides of the pair's line
            return "other", (), ()
        singles = [i for i in range(4) if i not in pair]
        return "bend", (hyps[pair[0]],), tuple((hyps[i], facets[i][2]) for i in singles)
    if k == 3 and sizes == [1, 1, 1]:
        const = [s for s in range(3) if not any(v for row in sectors[s][0] for v in row)]
        if len(const) != 1:
            return "other", (), ()
        c = const[0]
        # sector c lies between facets c and c+1: the remaining facet is the one not next to it
        lone = (c + 2) % 3
        return "bend3", (hyps[lone],), tuple((hyps[i], facets[i][2]) for i in range(3) if i != lone)
    return "other", (), ()


def ridge_stars(C: Any) -> tuple[RidgeStar, ...]:
    """The local fans of ``f`` at the interior ``(d-2)``-faces of the complex ``C`` that have a kink facet in their
    star (d >= 2), classified (module docstring).  Uses the regions' affine maps and the facets' hyperplanes only.

    >>> from exactrelu import examples
    >>> from exactrelu.geometry.regions import regions
    >>> sorted(s.kind for s in ridge_stars(regions(examples.relu_of_sum())))
    ['bend3', 'bend3']
    """
    from exactrelu.core.errors import PolyhedralComputationError
    from exactrelu.geometry.faces import faces, jumps

    if "ridge_stars" in C._cache:
        return C._cache["ridge_stars"]
    d = C.dim
    out: list[RidgeStar] = []
    if d >= 2:
        by_pair = {tuple(sorted(j.regions)): j for j in jumps(C)}
        neighbours: dict[int, list[int]] = {}
        for a, b in by_pair:
            neighbours.setdefault(a, []).append(b)
            neighbours.setdefault(b, []).append(a)
        maps = [r.affine_map for r in C.regions]
        for tau in faces(C, d - 2):
            if tau.boundary:
                continue
            star = set(tau.regions)
            adj: dict[int, list[int]] = {a: [b for b in neighbours.get(a, ()) if b in star] for a in star}
            if any(len(v) != 2 for v in adj.values()):
                raise PolyhedralComputationError(f"star of the ridge at {tau.point} is not a cycle")
            start = min(star)
            cycle, prev, cur = [start], None, start
            while True:
                nxt = adj[cur][0] if adj[cur][0] != prev else adj[cur][1]
                if nxt == start:
                    break
                cycle.append(nxt)
                prev, cur = cur, nxt
            n = len(cycle)
            # facet between cycle[i] and cycle[i+1]
            cut = [i for i in range(n) if maps[cycle[i]] != maps[cycle[(i + 1) % n]]]
            if not cut:
                continue
            facets, sectors = [], []
            for i in cut:
                j = by_pair[tuple(sorted((cycle[i], cycle[(i + 1) % n])))]
                facets.append((j.hyperplane, j.omega, j.point))
                sectors.append(maps[cycle[(i + 1) % n]])     # the sector after this facet, up to the next one
            if len(facets) == 2 and facets[0][:2] == facets[1][:2]:
                continue        # a flat fold crossed by a hyperplane f does not see: no ridge of B_θ
            kind, first, second = _classify(facets, sectors)
            out.append(RidgeStar(tau.point, tuple(facets), tuple(sectors), kind, first, second))
    C._cache["ridge_stars"] = tuple(out)
    return C._cache["ridge_stars"]


# ---------------------------------------------------------------------------------------------- reconstruction
@dataclass(frozen=True)
class FirstLayerHyperplane:
    """A recovered first-layer hyperplane ``t + n·x = 0`` (``hyperplane = (t, n1..nd)``, first nonzero of ``n`` is 1).

    ``evidence``: ``"bend"``, ``"bend3"`` (a ridge of B_θ, at ``point``) or ``"full"`` (the whole hyperplane is a kink
    and some kink is not parallel to it); ``orientation``: ``+1`` when the neuron is active on ``t + n·x > 0``, ``-1``
    on ``< 0``, ``None`` when not determined (``orientation_point``: the point of the parallel second-layer facet,
    or of the cell where ``f`` is constant, that fixes it)."""

    hyperplane: Row
    evidence: str
    point: tuple[Fraction, ...] | None
    orientation: int | None = None
    orientation_point: tuple[Fraction, ...] | None = None

    def __str__(self) -> str:
        return f"{hyperplane_str(self.hyperplane)} ({self.evidence})"

    def to_dict(self) -> dict[str, Any]:
        def pt(p: Sequence[Fraction] | None) -> list[str] | None:
            return None if p is None else [format_rational(v) for v in p]

        return {"hyperplane": [format_rational(v) for v in self.hyperplane],
                "equation": hyperplane_str(self.hyperplane), "evidence": self.evidence, "point": pt(self.point),
                "orientation": self.orientation,
                "orientation_point": pt(self.orientation_point)}


@dataclass(frozen=True)
class FirstLayerReconstruction:
    """The first layer of ``f`` as far as the function determines it (module docstring; docs/mathematics.md D7).

    ``hyperplanes``: recovered first-layer hyperplanes; ``second_layer``: hyperplanes of kinks that are bent
    second-layer sheets; ``undetermined``: kink hyperplanes neither certified nor excluded, with ``reasons``;
    ``stars``: the number of ridge pieces of each kind ((d-2)-faces of C_θ on the ridges of B_θ; for d = 2 the
    ridges themselves); ``generic_only``: always True — the guarantees hold for generic
    parameters (the statement is in the module docstring); ``theta``: the comparison with the given parameters
    (:func:`compare_with_parameters`), or None."""

    dimension: int
    hyperplanes: tuple[FirstLayerHyperplane, ...]
    second_layer: tuple[Row, ...]
    undetermined: tuple[Row, ...]
    reasons: dict[Row, str]
    stars: dict[str, int]
    notes: tuple[str, ...] = ()
    generic_only: bool = True
    theta: dict[str, Any] | None = field(default=None, compare=False)

    def function_key(self) -> tuple[Any, ...]:
        """Everything that depends on the function only (what equal functions must share)."""
        return (self.dimension, tuple((h.hyperplane, h.evidence, h.orientation) for h in self.hyperplanes),
                self.second_layer, self.undetermined)

    def __str__(self) -> str:
        ridges = ", ".join(f"{k} {v}" for k, v in sorted(self.stars.items())) or "none"
        lines = [f"first layer from the function (d = {self.dimension}; ridge pieces of B_θ by kind: {ridges})"]
        if not self.hyperplanes:
            lines.append("  no first-layer hyperplane is determined by the function")
        for h in self.hyperplanes:
            side = {1: "active on > 0", -1: "active on < 0", None: "orientation not determined"}[h.orientation]
            lines.append(f"  {h}: {side}")
        for h in self.second_layer:
            lines.append(f"  second-layer sheet: {hyperplane_str(h)}")
        for h in self.undetermined:
            lines.append(f"  undetermined: {hyperplane_str(h)} ({self.reasons.get(h, '')})")
        if self.theta is not None:
            for row in self.theta["neurons"]:
                agree = row.get("orientation_agrees")
                extra = "" if agree is None else ", orientation agrees" if agree else ", orientation DIFFERS"
                lines.append(f"  θ neuron {row['neuron']}: {row['equation']} — {row['status']}{extra}"
                             f" (D1-visible: {row['d1_visible']})")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"FirstLayerReconstruction(d={self.dimension}, hyperplanes={[str(h) for h in self.hyperplanes]}, "
                f"second_layer={len(self.second_layer)}, undetermined={len(self.undetermined)})")

    def to_dict(self) -> dict[str, Any]:
        def row(h: Row) -> dict[str, Any]:
            return {"hyperplane": [format_rational(v) for v in h], "equation": hyperplane_str(h)}

        return {"dimension": self.dimension, "generic_only": self.generic_only,
                "hyperplanes": [h.to_dict() for h in self.hyperplanes],
                "second_layer": [row(h) for h in self.second_layer],
                "undetermined": [{**row(h), "reason": self.reasons.get(h, "")} for h in self.undetermined],
                "ridges": dict(sorted(self.stars.items())), "notes": list(self.notes), "theta": self.theta}


def _full(h: Row, stars: Sequence[RidgeStar], facet: Any, d: int) -> bool:
    """Do the kink facets in ``h`` cover the whole hyperplane?  Yes iff at every ridge touching ``h`` exactly two
    of the kink facets lie in ``h`` (the union then has no relative boundary), and, with no ridge on ``h``, iff its
    facet is the whole hyperplane."""
    touching = [s for s in stars if any(f[0] == h for f in s.facets)]
    if touching:
        return all(sum(f[0] == h for f in s.facets) == 2 for s in touching)
    return not facet.polyhedron.inequalities if d <= 2 else not facet.flats


def _constant_cell(C: Any, hyps: list[Row]) -> tuple[tuple[int, ...], tuple[Fraction, ...]] | None:
    """The unique cell of the arrangement ``hyps`` on which ``f`` is constant, with a point of it, or None.  A region
    of the complex on one side of every hyperplane (sign test on its exact generators) lies in one cell; a region
    that straddles some is split by exact full-dimensionality tests."""
    from itertools import product

    from exactrelu.geometry.polyhedra import Polyhedron

    d = C.dim
    met: dict[tuple[int, ...], tuple[bool, tuple[Fraction, ...]]] = {}
    for R in C.regions:
        const = not any(v for row in R.affine_map[0] for v in row)
        V, Ry, L = R.polyhedron.generators()
        options = []
        for h in hyps:
            vals = [h[0] + sum(a * x for a, x in zip(h[1:], v, strict=True)) for v in V]
            vals += [sum(a * x for a, x in zip(h[1:], y, strict=True)) for y in Ry]
            line = any(sum(a * x for a, x in zip(h[1:], y, strict=True)) for y in L)
            options.append([s for s, ok in ((1, line or any(v > 0 for v in vals)),
                                            (-1, line or any(v < 0 for v in vals))) if ok])
        split = any(len(o) > 1 for o in options)
        for signs in product(*options):
            if split:
                cell = Polyhedron(tuple(tuple(sg * v for v in h) for sg, h in zip(signs, hyps, strict=True)),
                                  ambient_dim=d)
                if R.polyhedron.intersect(cell).dimension < d:
                    continue
            ok, pt = met.get(signs, (True, R.interior_point))
            met[signs] = (ok and const, min(pt, R.interior_point))
    consts = [(s, pt) for s, (ok, pt) in met.items() if ok]
    return consts[0] if len(consts) == 1 else None


def _reconstruct(B: Any, stars: Sequence[RidgeStar], n1_le_d: bool, C: Any = None,
                 n1: int | None = None) -> FirstLayerReconstruction:
    d = B.dimension
    facets_by_h: dict[Row, Any] = {}
    for f in B.facets:
        facets_by_h.setdefault(f.hyperplane, f)
    kinds: dict[str, int] = {}
    first: dict[Row, tuple[str, tuple[Fraction, ...]]] = {}
    second: dict[Row, set[tuple[Fraction, ...]]] = {}
    for s in stars:     # the evidence kept is the least (kind, point): independent of the order of the faces
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
        for h in s.first:
            first[h] = min(first.get(h, (s.kind, s.point)), (s.kind, s.point))
        for h, p in s.second:
            second.setdefault(h, set()).add(p)
    notes = []
    reasons: dict[Row, str] = {}
    conflict = set(first) & set(second)
    for h in sorted(conflict):
        reasons[h] = "certified both as a first-layer hyperplane and as a bent sheet (non-generic)"
    if kinds.get("other"):
        notes.append(f"{kinds['other']} ridge(s) of a non-generic kind were not used")
    recovered: dict[Row, tuple[str, tuple[Fraction, ...] | None]] = {
        h: v for h, v in first.items() if h not in conflict}
    normals = {h[1:] for h in facets_by_h}
    for h, f in facets_by_h.items():
        if h in first or h in second:
            continue
        if not _full(h, stars, f, d):
            reasons[h] = "a partial kink hyperplane without a bend (non-generic)"
        elif all(n == h[1:] for n in normals):
            reasons[h] = "every kink of f is parallel to it: first- or second-layer in different representations"
        else:
            recovered[h] = ("full", None)
    seconds = tuple(sorted(h for h in second if h not in conflict))
    # orientation from second-layer facets parallel to a recovered hyperplane (docs/mathematics.md D2)
    votes: dict[Row, set[tuple[int, tuple[Fraction, ...]]]] = {h: set() for h in recovered}
    if n1_le_d:
        for g, points in second.items():
            if g in conflict:
                continue
            par = [h for h in recovered if h[1:] == g[1:]]
            if len(par) != 1:
                continue
            hi = par[0]
            for p in points:
                for h in recovered:
                    v = h[0] + sum(a * x for a, x in zip(h[1:], p, strict=True))
                    if v == 0:
                        continue
                    sign = (1 if v > 0 else -1) * (1 if h == hi else -1)
                    votes[h].add((sign, p))
        # all n1 first-layer hyperplanes recovered: the cell where every neuron is inactive is a cell of their
        # arrangement on which f is constant; when no other cell is, it gives every orientation
        if C is not None and n1 is not None and len(recovered) == n1 and not conflict:
            hs = sorted(recovered)
            found = _constant_cell(C, hs)
            if found is not None:
                cell, p = found
                for h, sg in zip(hs, cell, strict=True):
                    votes[h].add((-sg, p))
    else:
        notes.append("orientation needs n1 <= d (the parallel-facet lemma, docs/mathematics.md D2)")
    hyps = []
    for h in sorted(recovered):
        ev, pt = recovered[h]
        signs = {s for s, _ in votes[h]}
        o, op = None, None
        if len(signs) == 1:
            o = signs.pop()
            op = min(p for _, p in votes[h])
        elif len(signs) > 1:
            notes.append(f"conflicting orientations for {hyperplane_str(h)} (non-generic)")
        hyps.append(FirstLayerHyperplane(h, ev, pt, o, op))
    und = tuple(sorted(h for h in reasons))
    if d == 1:
        notes.append("d = 1: a kink point can be a first- or a second-layer breakpoint (no ridges to tell)")
    return FirstLayerReconstruction(d, tuple(hyps), seconds, und, reasons, kinds, tuple(notes))


def first_layer(net: Network, *, compare: bool = True, max_regions: int | None = None) -> FirstLayerReconstruction:
    """Recover the first-layer hyperplanes (and orientations where determined) of a two-hidden-layer network from its
    function: the breakpoint complex B_θ and the local fans of ``f`` at its ridges (docs/mathematics.md D7).

    Parameters
    ----------
    net : Network
        Architecture ``(d, n1, n2, m)``; only the function ``f`` is used for the reconstruction.
    compare : bool
        Also compare with ``net``'s own first layer (``theta``: which hyperplanes are recovered, D1-visible or
        invisible); this part reads the parameters.
    max_regions : int, optional
        Bound on the regions of C_θ.

    Raises
    ------
    NotApplicableError
        Unless the network has two hidden layers.

    Examples
    --------
    >>> from exactrelu import examples
    >>> rec = first_layer(examples.invisible_translation())
    >>> [h.evidence for h in rec.hyperplanes], [r["status"] for r in rec.theta["neurons"]]
    (['bend3'], ['invisible', 'recovered'])
    """
    from exactrelu.geometry.breakpoints import breakpoint_complex
    from exactrelu.geometry.regions import regions

    if net.depth != 2:
        raise NotApplicableError(f"first-layer reconstruction needs two hidden layers (d, n1, n2, m); got "
                                 f"{net.architecture}")
    C = regions(net) if max_regions is None else regions(net, max_regions=max_regions)
    B = breakpoint_complex(C)
    stars = ridge_stars(C)
    d, n1 = net.architecture[:2]
    rec = _reconstruct(B, stars, n1 <= d, C, n1)
    if compare:
        rec = FirstLayerReconstruction(rec.dimension, rec.hyperplanes, rec.second_layer, rec.undetermined,
                                       rec.reasons, rec.stars, rec.notes, theta=compare_with_parameters(net, rec))
    return rec


def compare_with_parameters(net: Network, rec: FirstLayerReconstruction) -> dict[str, Any]:
    """For each first-layer neuron of ``net``: its hyperplane, whether it is D1-visible (docs/mathematics.md D1, an
    LP test on the parameters), and ``status``: ``"recovered"`` (with the orientation check), ``"undetermined"``,
    ``"invisible"`` (not a kink of the function on the hyperplane) or ``"zero"`` (``W1_i = 0``)."""
    from exactrelu.theory.fibers.structure import visible_first_layer

    vis = visible_first_layer(net, method="cells")
    by_h = {h.hyperplane: h for h in rec.hyperplanes}
    rows = []
    for i, (w, b) in enumerate(zip(net.layers[0].weights, net.layers[0].biases, strict=True)):
        entry: dict[str, Any] = {"neuron": i + 1, "d1_visible": vis[i]}
        if not any(w):
            rows.append({**entry, "equation": "constant neuron", "status": "zero"})
            continue
        h = _canon((b, *w))
        first = next(v for v in w if v)
        entry["equation"] = hyperplane_str(h)
        entry["hyperplane"] = [format_rational(v) for v in h]
        entry["orientation"] = 1 if first > 0 else -1
        if h in by_h:
            o = by_h[h].orientation
            entry["status"] = "recovered"
            entry["orientation_agrees"] = None if o is None else o == entry["orientation"]
        elif h in rec.undetermined:
            entry["status"] = "undetermined"
        else:
            entry["status"] = "invisible"
        rows.append(entry)
    recovered_hs = {r.get("equation") for r in rows if r["status"] == "recovered"}
    extra = [hyperplane_str(h.hyperplane) for h in rec.hyperplanes if hyperplane_str(h.hyperplane) not in recovered_hs]
    return {"neurons": rows, "not_in_theta": extra}


# ---------------------------------------------------------------------------------------------- the D2 lemma
@dataclass(frozen=True)
class ParallelFacetFailure:
    """A second-layer facet of C_θ (neuron ``j`` of layer 2, at ``point``) in a first-layer region with active set
    ``S1`` for which "parallel to ``H_i`` iff ``S1 = {i}``" fails for ``i``."""

    point: tuple[Fraction, ...]
    neuron: int
    S1: tuple[int, ...]
    i: int
    parallel: bool


def parallel_facet_failures(net: Network) -> tuple[ParallelFacetFailure, ...]:
    """Check the parallel-facet lemma (docs/mathematics.md D2) on every second-layer facet of C_θ: a facet in the
    first-layer region P (on ``P ∩ B_j``) is parallel to ``H_i`` iff ``S_1(P) = {i}``.  Returns the failures (empty
    when the lemma holds for θ); exact comparison of canonical normals.

    >>> from exactrelu import examples
    >>> parallel_facet_failures(examples.relu_of_sum())
    ()
    """
    from exactrelu.geometry.faces import jumps
    from exactrelu.geometry.regions import regions

    if net.depth != 2:
        raise NotApplicableError("the parallel-facet lemma is about two hidden layers")
    C = regions(net)
    W1 = net.layers[0].weights
    normals = [None if not any(w) else _canon((_ZERO, *w))[1:] for w in W1]
    out = []
    for j in jumps(C):
        layers = {layer for layer, _ in j.neurons}
        if layers != {1}:      # 0-based layer index 1 = the second hidden layer
            continue
        S1 = tuple(k for k, s in enumerate(C.regions[j.regions[0]].pattern[0]) if s > 0)
        for i, n in enumerate(normals):
            if n is None:
                continue
            par = n == j.normal
            if par != (S1 == (i,)):
                out.append(ParallelFacetFailure(j.point, next(k for _, k in j.neurons), S1, i, par))
    return tuple(out)
