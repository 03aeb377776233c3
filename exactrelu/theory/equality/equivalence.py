"""Exact functional equivalence of ReLU networks, with evidence either way (docs/mathematics.md A4, B2, D5, F1).

``equivalent(a, b, domain=None)`` decides ``f_a = f_b`` on ``R^d`` (or on a full-dimensional polyhedral domain such
as a :func:`~exactrelu.geometry.polyhedra.Box`).  The answer always comes with evidence:

* **not equal**: a rational *witness* ``x`` (inside the domain) with both exact outputs, checked by evaluation;
* **equal**: a *certificate* in the shared format (``"format": "exactrelu-certificate"``, ``"kind":
  "equivalence"``): the regions of the common refinement, each with its inequalities, an interior point, the
  activation pattern of each network and the common affine map, which ``exactrelu check-certificate`` re-verifies;
  or, on a fast path, the identity that proves it (equal canonical data, docs/mathematics.md B2; a trivial symmetry
  ``g`` with
  ``g(a) = b``, docs/mathematics.md §1).

Methods (``method="auto"`` tries them in this order):

``"canonical-data"``
    both networks have at most one hidden layer: ``K(f_a) = K(f_b)`` (docs/mathematics.md B1/B2), polynomial time, no
    region
    enumeration; a witness is read off the differing canonical data.  With a domain, equal data still proves
    equality; unequal data falls back to the common refinement.
``"normal-form"``
    (deeper networks) same architecture and equal normal forms modulo trivial symmetries: equal at once.
``"bottleneck"``
    the first-layer reduction of docs/mathematics.md D0/D5 for ``(d, n1, n2, m)`` networks with ``n1 <= d``: when both
    first
    layers have exact rank ``n1`` (so ``x -> relu(W1 x + b1)`` maps ``R^d`` onto the orthant) and define the same
    neurons up to a trivial symmetry, ``f_a = f_b`` iff the last two layers agree on the orthant ``R^{n1}_{>=0}``,
    decided by the common refinement in dimension ``n1``.  When a condition fails the result says so in ``notes``
    and the general method is used.  (The full G3 algorithm for networks whose first layers differ is not
    implemented: docs/mathematics.md D5 had no precise statement.)
``"common-refinement"``
    the general method (docs/mathematics.md A4): one combined network whose hidden layer ``l`` holds the neurons of
    layer ``l`` of
    both networks reads the same input, so its regions refine both complexes; on each region the two affine maps
    (each computed from the network's own pattern at the interior point) are compared.  Exponential in the worst
    case.

Examples
--------
>>> from exactrelu import examples, permute, rescale, Network
>>> a = examples.three_kinks()
>>> b = rescale(permute(a, 1, (2, 0, 1)), 1, (3, 1, Fraction(1, 2)))
>>> r = equivalent(a, b)
>>> bool(r), r.method
(True, 'canonical-data')
>>> c = Network.from_lists([([[-1], [1], [1]], [0, -1, Fraction(-201, 100)]), ([[1, -1, 1]], [0])])
>>> r = equivalent(a, c)
>>> bool(r), r.method, r.witness.x, r.witness.a, r.witness.b
(False, 'canonical-data', (Fraction(401, 200),), (Fraction(-1, 1),), (Fraction(-201, 200),))
"""

from __future__ import annotations

import itertools
import random as _random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from exactrelu.core.errors import ExactReluError, NotApplicableError, ShapeError
from exactrelu.core.formatting import format_vector
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import format_rational
from exactrelu.theory.equality.shallow import shallow_terms

if TYPE_CHECKING:
    from exactrelu.geometry.polyhedra import Polyhedron

__all__ = ["Equivalence", "Witness", "equivalent", "common_refinement_network", "CERTIFICATE_FORMAT"]

CERTIFICATE_FORMAT = "exactrelu-certificate"
_ZERO = Fraction(0)
Vector = tuple[Fraction, ...]
_METHODS = ("auto", "normal-form", "canonical-data", "bottleneck", "common-refinement")


@dataclass(frozen=True, slots=True)
class Witness:
    """A point ``x`` where the two networks differ, with both exact outputs ``a = f_a(x)`` and ``b = f_b(x)``."""

    x: Vector
    a: Vector
    b: Vector

    def to_dict(self) -> dict[str, list[str]]:
        return {"x": _strs(self.x), "a": _strs(self.a), "b": _strs(self.b)}


@dataclass(frozen=True)
class Equivalence:
    """The answer of :func:`equivalent`; truthy iff the two functions are equal (on the domain).

    ``method``: which method decided; ``witness``: a :class:`Witness` when not equal; ``certificate``: the
    region-by-region certificate (shared format, kind ``"equivalence"``) when the common refinement decided equality;
    ``evidence``: the identity behind a fast-path "equal" (canonical data or trivial symmetry); ``regions``: the number
    of regions of the common refinement when one was enumerated; ``notes``: why fast paths were or were not used.
    """

    equivalent: bool
    method: str
    witness: Witness | None = None
    certificate: dict[str, Any] | None = None
    evidence: dict[str, Any] | None = None
    regions: int | None = None
    notes: tuple[str, ...] = ()
    domain: Polyhedron | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return self.equivalent

    def _evidence_str(self) -> str:
        if self.witness is not None:
            w = self.witness
            return f"witness x = {format_vector(w.x)}: f_a(x) = {format_vector(w.a)}, f_b(x) = {format_vector(w.b)}"
        if self.certificate is not None:
            return f"certificate over {len(self.certificate.get('regions', []))} regions"
        if self.evidence is not None:
            return "evidence: " + ", ".join(sorted(self.evidence))
        return "no evidence attached"

    def __repr__(self) -> str:
        regions = "" if self.regions is None else f", regions={self.regions}"
        return f"Equivalence(equivalent={self.equivalent}, method={self.method!r}{regions}, {self._evidence_str()})"

    def __str__(self) -> str:
        head = "equal" if self.equivalent else "not equal"
        where = "" if self.domain is None else " on the domain"
        return f"{head}{where} (method {self.method}); {self._evidence_str()}"

    def to_dict(self, *, include_certificate: bool = False) -> dict[str, Any]:
        """JSON-ready: ``equivalent``, ``method``, ``witness`` (null or exact strings), ``regions``, ``notes``."""
        out: dict[str, Any] = {"equivalent": self.equivalent, "method": self.method,
                               "witness": self.witness.to_dict() if self.witness else None,
                               "regions": self.regions, "notes": list(self.notes), "evidence": self.evidence}
        if include_certificate:
            out["certificate"] = self.certificate
        return out


def _strs(v: Sequence[Fraction]) -> list[str]:
    return [format_rational(x) for x in v]


def _check_pair(a: Network, b: Network, domain: Polyhedron | None) -> None:
    if not isinstance(a, Network) or not isinstance(b, Network):
        raise ShapeError("equivalent() compares two exactrelu Networks")
    if a.input_dim != b.input_dim:
        raise ShapeError(f"input dimensions differ: {a.input_dim} vs {b.input_dim}")
    if a.output_dim != b.output_dim:
        raise ShapeError(f"output dimensions differ: {a.output_dim} vs {b.output_dim}")
    if domain is not None:
        from exactrelu.geometry.polyhedra import Polyhedron

        if not isinstance(domain, Polyhedron):
            raise ShapeError("domain must be an exactrelu Polyhedron (e.g. Box(lo, hi, d)) or None")
        if domain.ambient_dim != a.input_dim:
            raise ShapeError(f"domain lives in dimension {domain.ambient_dim}, the networks have {a.input_dim} inputs")


def evaluate_exact(net: Network, x: Sequence[Fraction]) -> Vector:
    """``f(x)`` exactly, skipping zero inputs and inactive neurons (same value as ``net(x)``; faster on sparse
    points such as the witnesses built here).

    >>> from exactrelu import examples
    >>> evaluate_exact(examples.three_kinks(), (Fraction(5, 2),)) == examples.three_kinks()((Fraction(5, 2),))
    True
    """
    vals = [(j, v) for j, v in enumerate(x) if v]
    for l, layer in enumerate(net.layers):
        z = [sum((row[j] * v for j, v in vals), b) for row, b in zip(layer.weights, layer.biases)]
        if l == net.depth:
            return tuple(z)
        vals = [(i, v) for i, v in enumerate(z) if v > 0]
    raise AssertionError("unreachable")


def _witness_from(points: Sequence[Vector], a: Network, b: Network,
                  domain: Polyhedron | None = None) -> Witness | None:
    """The first point where the exact outputs differ (inside ``domain`` when given), or None."""
    for x in points:
        if domain is not None and not domain.contains(x):
            continue
        fa, fb = evaluate_exact(a, x), evaluate_exact(b, x)
        if fa != fb:
            return Witness(tuple(x), fa, fb)
    return None


# ---------------------------------------------------------------------------------------------- canonical data
def _point_on_hyperplane(H: tuple[int, ...], others: Sequence[tuple[int, ...]],
                         d: int) -> tuple[Vector, list[tuple[int, int]]]:
    """A rational point of ``H . (x, 1) = 0`` on none of the ``others`` (integer rows ``(n_1..n_d, n_0)``), with
    ``(n_p * h(x), h_p)`` for each other ``h`` (``p`` = pivot of ``H``: its value times ``n_p`` and its slope along
    ``e_p``).

    Tries ``y = 0`` on the free coordinates (a point with one nonzero entry), then ``y = t e_j`` for one free
    direction leaving the hyperplane met at ``y = 0`` (sparse points keep exact evaluation cheap), then seeded small
    random integers, then the moment curve ``(s, s^2, ...)``, which meets each other hyperplane at most ``d - 1``
    times (so some ``s <= (d-1) len(others) + 1`` works).
    """
    p = next(j for j in range(d) if H[j])
    free = [j for j in range(d) if j != p]
    np_, n0 = H[p], H[d]

    def values(y: Sequence[int]) -> list[tuple[int, int]] | int:
        """The (value * n_p, slope) of every other hyperplane at the point, or the index of one it lies on."""
        nz = [(j, v) for j, v in zip(free, y) if v]
        s = n0 + sum(H[j] * v for j, v in nz)  # x_p = -s / n_p
        out = []
        for k, h in enumerate(others):
            val = sum(h[j] * v for j, v in nz) * np_ - h[p] * s + h[d] * np_
            if val == 0:
                return k
            out.append((val, h[p]))
        return out

    def point(y: Sequence[int]) -> Vector:
        x = [_ZERO] * d
        for j, v in zip(free, y):
            x[j] = Fraction(v)
        x[p] = Fraction(-(n0 + sum(H[j] * v for j, v in zip(free, y))), np_)
        return tuple(x)

    # sparse first: y = 0, then y = t e_j along a free direction j that leaves the hyperplane hit at y = 0
    vals = values([0] * len(free))
    if not isinstance(vals, int):
        return point([0] * len(free)), vals
    h = others[vals]
    js = [q for q, j in enumerate(free) if h[j] * np_ != h[p] * H[j]]
    if js:
        q = js[0]
        hit_before = None
        for t in range(1, len(others) + 2):
            y = [0] * len(free)
            y[q] = t
            vals = values(y)
            if not isinstance(vals, int):
                return point(y), vals
            if vals == hit_before:  # that hyperplane contains the whole line: give up the sparse search
                break
            hit_before = vals
    rng = _random.Random(0)
    dense = ([rng.randint(-3, 3) for _ in free] for _ in range(32))
    moment = ([s ** (k + 1) for k in range(len(free))] for s in range(1, len(free) * len(others) + 2))
    for y in itertools.chain(dense, moment):
        vals = values(y)
        if not isinstance(vals, int):
            return point(y), vals
    raise AssertionError("internal error: no point off the other hyperplanes (impossible for distinct hyperplanes)")


def _shallow_witness(a: Network, b: Network, ta: Any, tb: Any) -> Witness | None:
    """A witness from differing canonical data ``ta != tb`` (exact; ``None`` only if the data agree)."""
    d, m = a.input_dim, a.output_dim
    zero = (_ZERO,) * m
    keys = sorted(set(ta.jumps) | set(tb.jumps))
    differing = [k for k in keys if ta.jumps.get(k, zero) != tb.jumps.get(k, zero)]
    if differing:
        # f_a - f_b bends across H at x0: along x0 + s e_p no other hyperplane is met for |s| <= eps, so f_a - f_b is
        # two affine pieces with different slopes there and cannot vanish at all of x0, x0 - eps e_p, x0 + eps e_p
        H = differing[0]
        others = [k for k in keys if k != H]
        x0, vals = _point_on_hyperplane(H, others, d)
        p = next(j for j in range(d) if H[j])
        eps = Fraction(1)
        for val, slope in vals:
            if slope:
                eps = min(eps, Fraction(abs(val), 2 * abs(H[p]) * abs(slope)))
        shifted = [tuple(v + sign * eps if j == p else v for j, v in enumerate(x0)) for sign in (-1, 1)]
        points = [x0, *shifted]
    else:  # same kinks: the difference is affine
        points = [tuple([_ZERO] * d)] + [tuple(Fraction(int(j == q)) for j in range(d)) for q in range(d)]
    return _witness_from(points, a, b)


def _by_canonical_data(a: Network, b: Network, domain: Polyhedron | None) -> Equivalence | None:
    from exactrelu.theory.equality.shallow import same_function

    ta, tb = shallow_terms(a), shallow_terms(b)
    if same_function(ta, tb):
        return Equivalence(True, "canonical-data", evidence={"hyperplanes": len(ta.jumps)},
                           notes=("equal canonical data K(f) (docs/mathematics.md B1/B2): equal on R^d, hence on "
                                   "any domain",),
                           domain=domain)
    if domain is not None:
        return None
    w = _shallow_witness(a, b, ta, tb)
    if w is None:  # cannot happen: unequal canonical data means unequal functions (docs/mathematics.md B1)
        raise AssertionError("internal error: canonical data differ but no witness was found")
    return Equivalence(False, "canonical-data", witness=w,
                       notes=("canonical data K(f) differ (docs/mathematics.md B2); witness found from the "
                               "differing data",))


# ---------------------------------------------------------------------------------------------- common refinement
def common_refinement_network(a: Network, b: Network) -> Network:
    """A network whose regions refine the complexes of both ``a`` and ``b`` (docs/mathematics.md A4).

    Hidden layer ``l`` holds the neurons of layer ``l`` of ``a`` and of ``b`` (block-diagonal on the previous layer;
    a shallower network simply stops contributing), so every neuron of ``a`` and ``b`` keeps its exact
    pre-activation.  The output (one zero) is irrelevant.  Networks without hidden layers contribute nothing; if
    neither has one, the single hidden neuron ``relu(1)`` (never zero) stands in.

    >>> from exactrelu import examples
    >>> common_refinement_network(examples.relu_of_sum(), examples.invisible_translation()).architecture
    (2, 4, 2, 1)
    """
    d = a.input_dim
    nets = [n for n in (a, b) if n.depth > 0]
    if not nets:
        return Network((Layer(((_ZERO,) * d,), (Fraction(1),)), Layer(((_ZERO,),), (_ZERO,))))
    L = max(n.depth for n in nets)
    layers: list[Layer] = []
    prev_widths = [0] * len(nets)
    for l in range(L):
        rows: list[tuple[Fraction, ...]] = []
        biases: list[Fraction] = []
        widths = []
        for k, n in enumerate(nets):
            if l >= n.depth:
                widths.append(0)
                continue
            layer = n.layers[l]
            before = sum(prev_widths[:k])
            after = sum(prev_widths[k + 1:])
            for row, bias in zip(layer.weights, layer.biases):
                rows.append(tuple(row) if l == 0 else (_ZERO,) * before + tuple(row) + (_ZERO,) * after)
                biases.append(bias)
            widths.append(layer.n_out)
        layers.append(Layer(tuple(rows), tuple(biases)))
        prev_widths = widths
    layers.append(Layer(((_ZERO,) * len(layers[-1].biases),), (_ZERO,)))
    return Network(tuple(layers))


def _domain_dict(domain: Polyhedron | None) -> dict[str, Any] | None:
    if domain is None:
        return None
    return {"inequalities": [_strs(r) for r in domain.inequalities],
            "equalities": [_strs(r) for r in domain.equalities]}


def _by_common_refinement(a: Network, b: Network, domain: Polyhedron | None, max_regions: int | None,
                          progress: Callable[[int], None] | None, method: str = "common-refinement",
                          notes: tuple[str, ...] = ()) -> Equivalence:
    from exactrelu.core.io import network_to_dict
    from exactrelu.geometry.regions import DEFAULT_MAX_REGIONS, regions

    comb = common_refinement_network(a, b)
    cx = regions(comb, domain, max_regions=max_regions or DEFAULT_MAX_REGIONS, progress=progress)
    cert_regions = []
    for R in cx.regions:
        x = R.interior_point
        pa, pb = a.pattern(x), b.pattern(x)
        ma, mb = a.affine_map(pa), b.affine_map(pb)
        if ma != mb:
            w = _witness_from(R.affine_basis_points(), a, b, domain)
            if w is None:  # d+1 affinely independent points cannot all agree when the affine maps differ
                raise AssertionError("internal error: affine maps differ but agree on an affine basis")
            return Equivalence(False, method, witness=w, regions=len(cx.regions), domain=domain,
                               notes=notes + (f"the affine maps differ on a region of the common refinement "
                                              f"({len(cx.regions)} regions)",))
        cert_regions.append({
            "inequalities": [_strs(r) for r in R.polyhedron.inequalities],
            "interior_point": _strs(x),
            "patterns": [[list(s) for s in pa], [list(s) for s in pb]],
            "affine_map": {"A": [_strs(r) for r in ma[0]], "c": _strs(ma[1])},
        })
    cert = {"format": CERTIFICATE_FORMAT, "version": 1, "kind": "equivalence", "domain": _domain_dict(domain),
            "networks": [network_to_dict(a), network_to_dict(b)], "regions": cert_regions, "cover": "facet-matching"}
    return Equivalence(True, method, certificate=cert, regions=len(cx.regions), domain=domain,
                       notes=notes + (f"equal affine maps on all {len(cx.regions)} regions of the common refinement",))


# ---------------------------------------------------------------------------------------------- bottleneck (D5)
def _by_bottleneck(a: Network, b: Network, domain: Polyhedron | None, max_regions: int | None,
                   progress: Callable[[int], None] | None) -> Equivalence | str:
    from exactrelu.geometry.polyhedra import Orthant
    from exactrelu.theory.equality.bottleneck import bottleneck_reduction, lift_point

    if domain is not None:
        return "a domain was given (the first-layer reduction needs R^d)"
    red = bottleneck_reduction(a, b)
    if isinstance(red, str):
        return red
    if red.mode != "unmatched":
        fast = _bottleneck_fast(a, b)
        if fast is not None:
            return fast
    r = red.rank
    if red.mode == "aligned":
        note = (f"bottleneck reduction (docs/mathematics.md D0/D5): rank W1 = n1 = {r} and the first layers agree up "
                f"to a trivial symmetry, so the last two layers are compared on the orthant R^{r}_>=0",)
        dom: Polyhedron | None = Orthant(r)
    else:
        what = ("the first layers span the same row space (they match up to the T_j/G_j action, docs/mathematics.md "
                "D3/D4)" if red.mode == "matched" else "the first layers do not match (row spaces differ)")
        note = (f"bottleneck reduction (docs/mathematics.md D0/D5): {what}; both functions factor through z = Q x, "
                f"compared on R^{r} instead of R^{a.input_dim}",)
        dom = None
    inner = _by_common_refinement(red.a, red.b, dom, max_regions, progress, method="bottleneck", notes=note)
    if inner.equivalent:
        ev: dict[str, Any] = {"reduced_certificate": inner.certificate, "reduction": red.to_dict()}
        if red.mode == "aligned":
            assert red.perm is not None and red.scale is not None
            ev.update(first_layer_perm=list(red.perm), first_layer_scale=_strs(red.scale))
        return Equivalence(True, "bottleneck", regions=inner.regions, notes=inner.notes, evidence=ev)
    assert inner.witness is not None
    x = lift_point(red, inner.witness.x, a)
    w = _witness_from([x], a, b)
    if w is None:
        raise AssertionError("internal error: lifted bottleneck witness does not separate the networks")
    return Equivalence(False, "bottleneck", witness=w, regions=inner.regions, notes=inner.notes)


def _bottleneck_fast(a: Network, b: Network) -> Equivalence | None:
    """Matched first layers: align them by the T_j / G_j action and compare the second layers on the orthant by
    their hyperplane jumps (polynomial time, no region enumeration); None when no alignment exists."""
    from exactrelu.theory.equality.bottleneck import (
        align_by_symmetries,
        bottleneck_reduction,
        lift_point,
        orthant_shallow_difference,
        orthant_witness,
    )

    al = align_by_symmetries(a, b)
    if al is None:
        return None
    a2, b2, steps = al
    red = bottleneck_reduction(a2, b2)
    assert not isinstance(red, str) and red.perm is not None and red.scale is not None
    n1 = red.rank
    moved = "; ".join(f"{k} {v} on {s['network']}" for s in steps for k, v in s.items() if k != "network")
    head = (f"bottleneck first layers matched (docs/mathematics.md D0/D3/D4/D5): rank W1 = n1 = {n1}, equal up to "
            f"{'the T_j/G_j action (' + moved + ') and ' if steps else ''}a trivial symmetry; the second layers "
            f"compared on the orthant R^{n1}_>=0 by their hyperplane jumps")
    equal, data = orthant_shallow_difference(red.a, red.b)
    if equal:
        return Equivalence(True, "bottleneck", notes=(head + ": all jump sums zero and equal values at 0, e_1.."
                                                      f"e_{n1}",),
                           evidence={"reduction": red.to_dict(), "first_layer_perm": list(red.perm),
                                     "first_layer_scale": _strs(red.scale), "symmetries": steps,
                                     "orthant_data": data})
    y = data.get("point")
    yq = tuple(Fraction(v) for v in y) if y is not None else orthant_witness(red.a, red.b, data["hyperplane"])
    if yq is None:
        return None
    w = _witness_from([lift_point(red, yq, a2)], a, b)
    if w is None:
        raise AssertionError("internal error: lifted bottleneck witness does not separate the networks")
    return Equivalence(False, "bottleneck", witness=w, notes=(head + ": " + (
        "a hyperplane has a nonzero jump sum" if y is None else "the affine parts differ"),))


# ---------------------------------------------------------------------------------------------- entry point
def equivalent(a: Network, b: Network, domain: Polyhedron | None = None, *, method: str = "auto",
               certificate: bool = False, max_regions: int | None = None,
               progress: Callable[[int], None] | None = None) -> Equivalence:
    """Decide exactly whether ``f_a = f_b`` on ``domain`` (``R^d`` when None), with a witness or a certificate.

    Parameters
    ----------
    a, b : networks with the same input and output dimensions (any depths and widths).
    domain : ``None`` (= ``R^d``) or a full-dimensional :class:`~exactrelu.geometry.polyhedra.Polyhedron` such as
        ``Box(lo, hi, d)``; a witness then lies in the domain.
    method : ``"auto"`` (fast paths first, see the module docstring), ``"normal-form"``, ``"canonical-data"``,
        ``"bottleneck"`` or ``"common-refinement"``.  A named fast path raises
        :class:`~exactrelu.core.errors.NotApplicableError` when its hypotheses fail.
    certificate : when True and the networks are equal, always produce the region-by-region certificate (so an
        "equal" found by a fast path is re-derived by the common refinement).
    max_regions : bound for the region enumeration (:class:`~exactrelu.core.errors.RegionLimitError` beyond it).
    progress : called with the number of regions found so far.

    Returns
    -------
    Equivalence (truthy iff equal), with ``method``, ``witness`` / ``certificate`` / ``evidence`` and ``notes``.

    Examples
    --------
    >>> from exactrelu import examples, Network
    >>> a = examples.relu_plus_identity()                          # 2 relu(x) - relu(-x)
    >>> b = Network.from_lists([([[1], [1], [-1]], [0, 0, 0]), ([[1, 1, -1]], [0])])   # relu(x) + relu(x) - relu(-x)
    >>> bool(equivalent(a, b)), equivalent(a, b).method
    (True, 'canonical-data')
    >>> r = equivalent(a, b, certificate=True)
    >>> r.method, r.regions, r.certificate["kind"]
    ('common-refinement', 2, 'equivalence')
    >>> deep = Network.from_lists([([[1], [-1]], [0, 0]), ([[1, 0], [0, 1]], [0, 0]), ([[2, -1]], [0])])
    >>> bool(equivalent(a, deep)), equivalent(a, deep).method
    (True, 'common-refinement')

    Notes
    -----
    The fast paths are cross-checked against the common refinement in ``tests/test_equivalence.py`` and
    ``proofs_checks``.  Cost: canonical data O(n (d + m) + n log n); the common refinement one exact LP per region
    and facet (docs/mathematics.md A2), exponential in ``d`` in the worst case.
    """
    _check_pair(a, b, domain)
    if method not in _METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(_METHODS)}")
    notes: list[str] = []

    def general() -> Equivalence:
        return _by_common_refinement(a, b, domain, max_regions, progress, notes=tuple(notes))

    if method == "common-refinement":
        return general()
    shallow_pair = a.depth <= 1 and b.depth <= 1  # canonical data subsume the trivial symmetries
    # ---- shallow canonical data
    if method in ("auto", "canonical-data"):
        if a.depth <= 1 and b.depth <= 1:
            res = _by_canonical_data(a, b, domain)
            if res is not None and not (res.equivalent and certificate):
                return res
            if res is None:
                notes.append("canonical data differ on R^d; on the domain the common refinement decides")
            else:
                notes.append("equal canonical data; certificate requested, so the common refinement runs")
            return general()
        if method == "canonical-data":
            raise NotApplicableError("canonical data need at most one hidden layer in both networks")
    # ---- trivial symmetry
    if method == "normal-form" or (method == "auto" and not shallow_pair):
        sym = None
        if a.architecture == b.architecture:
            from exactrelu.core.symmetry import related_by_trivial_symmetry

            try:
                sym = related_by_trivial_symmetry(a, b)
            except ExactReluError as exc:  # too many tied neurons for the normal form
                notes.append(f"normal form skipped: {exc}")
        if sym is not None:
            if certificate:
                notes.append("related by a trivial symmetry; certificate requested, so the common refinement runs")
                return general()
            return Equivalence(True, "normal-form", evidence={"trivial_symmetry": sym.to_dict()}, domain=domain,
                               notes=("equal normal forms: b = g(a) for a trivial symmetry g "
                                      "(docs/mathematics.md §1)",))
        if method == "normal-form":
            raise NotApplicableError("the networks are not related by a trivial symmetry (unequal normal forms); "
                                     "that alone does not decide equivalence")
        notes.append("not related by a trivial symmetry")
    # ---- bottleneck first-layer reduction
    if method in ("auto", "bottleneck"):
        res2 = "certificate requested" if certificate else _by_bottleneck(a, b, domain, max_regions, progress)
        if isinstance(res2, Equivalence):
            return res2
        if method == "bottleneck":
            raise NotApplicableError(f"bottleneck fast path not applicable: {res2}")
        if a.depth == 2 and b.depth == 2:
            notes.append(f"bottleneck fast path not used: {res2}; fell back to the common refinement")
    return general()
