"""Pieces of the input domain for region enumeration beyond one process (docs/mathematics.md A2).

A **piece** is a prefix of the activation pattern in the fixed neuron order (layer by layer, neuron by neuron): the
set of points whose first ``k`` neurons have the given signs.  It is convex (an intersection of half-spaces: the forms
of a layer depend only on the signs of the earlier layers) and its regions are exactly the regions of C_θ whose
pattern extends the prefix.  Every region has one pattern, so it has exactly one **owner**, the piece whose prefix it
extends; the pieces a task hands back are unexplored nodes of the splitting tree, pairwise disjoint, so a region is
counted once however the work is cut, retried or resumed.

:func:`run_piece` enumerates a piece by the splitting of docs/mathematics.md A2 (depth first, no seen set, memory
``O(neurons)``): at each neuron the sign of its form at the cell's interior point settles one side, one exact slack LP
decides whether the other side meets the open cell, and a neuron with an identically constant form (degenerate) takes
the sign of that constant, 0 included, as :func:`~exactrelu.geometry.regions.regions` does.  After ``budget`` units
of work (an LP or a region row) the unexplored remainder is returned as sub-pieces: a task is bounded in time and
large pieces are split where they are large.

Everything here is plain, picklable data (Dask ships it to workers), and deterministic: the same piece and budget
give the same answer.

Examples
--------
>>> from exactrelu import examples
>>> from exactrelu.geometry.kernel import IntNet
>>> inet = IntNet(examples.relu_of_sum())
>>> res = run_piece(inet, [], ROOT, budget=10**6)
>>> res.count, res.sub
(7, ())
>>> res = run_piece(inet, [], ROOT, budget=1)   # stops early and hands back the rest as pieces
>>> res.count + sum(run_piece(inet, [], p, budget=10**6).count for p in res.sub)
7
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import EmptyRegionError
from exactrelu.core.network import Pattern
from exactrelu.engines import cddlib as _cdd
from exactrelu.geometry.construct import build_region
from exactrelu.geometry.kernel import IntNet, int_point, isign
from exactrelu.geometry.polyhedra import Row

__all__ = ["Piece", "PieceResult", "ROOT", "run_piece", "split_piece", "piece_key", "format_signs", "parse_signs",
           "layered_pattern", "ROW_COST", "FAN_OUT"]

#: Work units charged for one region row (a full region build) against a task's budget; an LP is one unit.
ROW_COST = 4

_SIGN_CHARS = {1: "+", -1: "-", 0: "0"}
_CHAR_SIGNS = {"+": 1, "-": -1, "0": 0}


@dataclass(frozen=True, slots=True)
class Piece:
    """A node of the splitting tree: the flat sign prefix, an exact point inside its open cell (None for the root
    piece: one LP finds it) and the prefix positions whose forms constrain the cell (the others are implied)."""

    prefix: tuple[int, ...]
    point: tuple[Fraction, ...] | None
    cut: tuple[int, ...]

    @property
    def key(self) -> str:
        return piece_key(self.prefix)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (exact strings) for checkpoints."""
        return {"prefix": format_signs(self.prefix),
                "point": None if self.point is None else [str(v) for v in self.point], "cut": list(self.cut)}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Piece:
        point = doc["point"]
        return cls(parse_signs(doc["prefix"]), None if point is None else tuple(Fraction(v) for v in point),
                   tuple(int(k) for k in doc["cut"]))


#: The piece of the whole domain.
ROOT = Piece((), None, ())


@dataclass(frozen=True, slots=True)
class PieceResult:
    """What a task returns: the regions it owns (``count``; ``bounded`` and ``rows`` when rows were asked for), the
    unexplored sub-pieces, the work units spent and the process time (seconds)."""

    key: str
    count: int
    bounded: int | None
    rows: tuple[tuple[Any, ...], ...] | None
    sub: tuple[Piece, ...]
    work: int
    seconds: float


def format_signs(signs: tuple[int, ...]) -> str:
    """``(1, -1, 0)`` -> ``"+-0"``."""
    return "".join(_SIGN_CHARS[s] for s in signs)


def parse_signs(text: str) -> tuple[int, ...]:
    """``"+-0"`` -> ``(1, -1, 0)``."""
    return tuple(_CHAR_SIGNS[c] for c in text)


def piece_key(prefix: tuple[int, ...]) -> str:
    """A short unique name of the piece with this prefix (a Dask key, a file name)."""
    text = format_signs(prefix)
    if len(text) <= 64:
        return "piece-" + (text.replace("+", "p").replace("-", "m") or "root")
    return "piece-h" + hashlib.sha256(text.encode()).hexdigest()[:32]


def layered_pattern(inet: IntNet, flat: tuple[int, ...]) -> Pattern:
    """The flat sign tuple cut into one tuple per hidden layer."""
    offs = list(inet.offsets) + [len(flat)]
    return tuple(tuple(flat[offs[l]:offs[l + 1]]) for l in range(inet.depth))


class _Forms:
    """The integer forms of layer ``l`` given the signs of the earlier layers (cached per task)."""

    def __init__(self, inet: IntNet) -> None:
        self.inet = inet
        self.cache: dict[tuple[int, ...], list[list[int]]] = {}
        self.where = [(l, i) for l in range(inet.depth) for i in range(len(inet.W[l]))]

    def layer(self, signs: tuple[int, ...], l: int) -> list[list[int]]:
        inet = self.inet
        key = signs[:inet.offsets[l]]
        rows = self.cache.get(key)
        if rows is None:
            if l == 0:
                post = inet.start()
            else:
                prev = self.layer(signs, l - 1)
                post = inet.post(prev, key[inet.offsets[l - 1]:])
            rows = self.cache[key] = inet.pre(l, post)
        return rows

    def form(self, signs: tuple[int, ...], k: int) -> list[int]:
        l, i = self.where[k]
        return self.layer(signs, l)[i]


def _piece_start(F: _Forms, dom_rows: list[Row], piece: Piece, d: int) -> tuple[list[Any], Any, int]:
    """The rows of ``piece`` (domain rows, then each cut neuron's form on its side), an interior point (the piece's
    own, or one found by an exact LP) and the number of LPs spent."""
    base = list(dom_rows)
    for k in piece.cut:
        r = F.form(piece.prefix, k)
        base.append(r if piece.prefix[k] > 0 else [-x for x in r])
    if piece.point is not None:
        return base, piece.point, 0
    res = _cdd.slack_point(base, [], d)
    if res is None:
        raise EmptyRegionError("the domain has an empty interior")
    return base, res[0], 1


def run_piece(inet: IntNet, dom_rows: list[Row], piece: Piece, budget: int, *, rows: bool = False,
              method: str = "split") -> PieceResult:
    """Enumerate the regions owned by ``piece`` (module docstring) and hand back what is left as sub-pieces.

    ``method="split"``: the splitting DFS; after ``budget`` work units (at least one region is always finished) the
    unexplored rest is returned as sub-pieces.  ``method="walk"``: a walk over the facets of the regions owned by the
    piece (they tile a convex set, so their adjacency graph is connected), each region built exactly; when the piece
    holds more than ``budget`` regions the walk is dropped and the piece is cut into at least :data:`FAN_OUT`
    sub-pieces instead (nothing counted).  Both give the same regions.

    With ``rows=True`` each region is built (:func:`~exactrelu.geometry.construct.build_region`) and reported as the
    row ``(pattern, interior point, number of facets, bounded)``; otherwise only counted.
    """
    if method not in ("split", "walk"):
        raise ValueError(f"unknown method {method!r}; choose 'split' or 'walk'")
    t0 = time.process_time()
    d = inet.d
    F = _Forms(inet)
    n = len(F.where)
    base, point, work = _piece_start(F, dom_rows, piece, d)
    if method == "walk":
        return _walk_piece(inet, F, dom_rows, piece, point, base, budget, rows, t0, work)
    stack: list[tuple[int, tuple[int, ...], tuple[Fraction, ...], tuple[int, ...], list[Any]]] = [
        (len(piece.prefix), piece.prefix, point, piece.cut, base)]
    count = 0
    bounded = 0
    out: list[tuple[Any, ...]] = []
    while stack:
        if work >= budget and count:
            break
        k, sig, p, cut, crows = stack.pop()
        while k < n:
            r = F.form(sig, k)
            if not any(r[1:]):  # constant on the cell: its sign, 0 when identically zero (degenerate)
                sig += ((r[0] > 0) - (r[0] < 0),)
                k += 1
                continue
            neg = [-x for x in r]
            D, X = int_point(p)
            sg = isign(r, D, X)
            if sg != 0:
                other = neg if sg > 0 else r
                res = _cdd.slack_point(crows + [other], [], d)
                work += 1
                if res is not None:
                    stack.append((k + 1, sig + (-sg,), res[0], cut + (k,), crows + [other]))
                    crows = crows + [r if sg > 0 else neg]
                    cut += (k,)
                sig += (sg,)
            else:  # the hyperplane passes through p: both sides meet the open cell
                both = []
                for s, rr in ((1, r), (-1, neg)):
                    res = _cdd.slack_point(crows + [rr], [], d)
                    work += 1
                    assert res is not None
                    both.append((s, rr, res[0]))
                (s1, r1, p1), (s2, r2, p2) = both
                stack.append((k + 1, sig + (s2,), p2, cut + (k,), crows + [r2]))
                crows = crows + [r1]
                cut += (k,)
                sig += (s1,)
                p = p1
            k += 1
        count += 1
        if rows:
            reg = build_region(inet, dom_rows, layered_pattern(inet, sig))
            bounded += reg.bounded
            out.append((sig, tuple(str(v) for v in reg.interior_point), len(reg.facets), reg.bounded))
            work += ROW_COST
    sub = tuple(Piece(sig, p, cut) for k, sig, p, cut, _ in stack)
    return PieceResult(piece.key, count, bounded if rows else None, tuple(out) if rows else None, sub, work,
                       time.process_time() - t0)


#: A piece too large for one walk is cut into at least this many sub-pieces.
FAN_OUT = 16


def split_piece(inet: IntNet, dom_rows: list[Row], piece: Piece, want: int) -> tuple[tuple[Piece, ...], int]:
    """Cut ``piece`` into at least ``want`` sub-pieces (fewer only when it has fewer regions) by splitting at the
    next neurons breadth first; returns them and the number of LPs spent."""
    d = inet.d
    F = _Forms(inet)
    n = len(F.where)
    base, point, lps = _piece_start(F, dom_rows, piece, d)
    frontier = deque([(piece.prefix, point, piece.cut, base)])
    leaves = []
    while frontier and len(frontier) + len(leaves) < want:
        sig, p, cut, crows = frontier.popleft()
        k = len(sig)
        children = None
        while k < n and children is None:
            r = F.form(sig, k)
            if not any(r[1:]):
                sig += ((r[0] > 0) - (r[0] < 0),)
                k += 1
                continue
            neg = [-x for x in r]
            D, X = int_point(p)
            sg = isign(r, D, X)
            if sg != 0:
                other = neg if sg > 0 else r
                res = _cdd.slack_point(crows + [other], [], d)
                lps += 1
                if res is not None:
                    children = [(sig + (sg,), p, cut + (k,), crows + [r if sg > 0 else neg]),
                                (sig + (-sg,), res[0], cut + (k,), crows + [other])]
                else:
                    sig += (sg,)
            else:
                children = []
                for s, rr in ((1, r), (-1, neg)):
                    res = _cdd.slack_point(crows + [rr], [], d)
                    lps += 1
                    assert res is not None
                    children.append((sig + (s,), res[0], cut + (k,), crows + [rr]))
            k += 1
        if children is None:
            leaves.append((sig, p, cut, crows))
        else:
            frontier.extend(children)
    return tuple(Piece(sig, p, cut) for sig, p, cut, _ in list(frontier) + leaves), lps


def _walk_piece(inet: IntNet, F: _Forms, dom_rows: list[Row], piece: Piece, point: tuple[Fraction, ...],
                base: list[Any], budget: int, rows: bool, t0: float, work: int) -> PieceResult:
    d = inet.d
    n = len(F.where)
    k0 = len(piece.prefix)
    prefix = piece.prefix
    # the first region: follow the side of the point at every later neuron (an LP only when the point is on a
    # hyperplane); every decided row is kept so that moving the point keeps the earlier signs
    sig, p, crows = prefix, point, list(base)
    for k in range(k0, n):
        r = F.form(sig, k)
        if not any(r[1:]):
            sig += ((r[0] > 0) - (r[0] < 0),)
            continue
        D, X = int_point(p)
        sg = isign(r, D, X)
        if sg == 0:
            res = _cdd.slack_point(crows + [r], [], d)
            work += 1
            assert res is not None
            p, sg = res[0], 1
        crows.append(r if sg > 0 else [-x for x in r])
        sig += (sg,)
    seen = {sig}
    queue = deque([sig])
    count = bounded = 0
    out: list[tuple[Any, ...]] = []
    while queue:
        sig = queue.popleft()
        reg = build_region(inet, dom_rows, layered_pattern(inet, sig))
        count += 1
        work += ROW_COST
        bounded += reg.bounded
        if rows:
            out.append((sig, tuple(str(v) for v in reg.interior_point), len(reg.facets), reg.bounded))
        for f in reg.facets:
            if f.neighbor is None:
                continue
            nb = tuple(s for layer in f.neighbor for s in layer)
            if nb[:k0] == prefix and nb not in seen:
                if len(seen) >= budget:  # too large for one walk: cut it instead (this walk is dropped)
                    sub, lps = split_piece(inet, dom_rows, piece, FAN_OUT)
                    return PieceResult(piece.key, 0, 0, () if rows else None, sub, work + lps,
                                       time.process_time() - t0)
                seen.add(nb)
                queue.append(nb)
    return PieceResult(piece.key, count, bounded, tuple(out) if rows else None, (), work, time.process_time() - t0)
