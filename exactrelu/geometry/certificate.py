"""Region-by-region certificates and their independent checker (docs/mathematics.md A2, A4).

Format (JSON, every number an exact string ``"p/q"``)::

    {"format": "exactrelu-certificate", "version": 1, "kind": "complex" | "equivalence" | "inequivalence",
     "domain": null | {"inequalities": [[b, a1..ad], ...], "equalities": []},
     "networks": [network documents (exactrelu.core.io.network_to_dict)],
     "regions": [{"inequalities": [[b, a1..ad], ...], "interior_point": [...],
                  "patterns": [one pattern per network: a list per hidden layer of +1 / -1 (0 = identically zero)],
                  "affine_map": {"A": [[...]], "c": [...]}}],
     "cover": "facet-matching"}

Rows ``(b, a)`` mean ``b + a·x >= 0``; a region is the closed polyhedron of its inequalities.  For ``"complex"`` the
stated map is the network's map on the region; for ``"equivalence"`` it is the common map of every listed network,
so the networks agree on the region, hence (with the cover) everywhere on the domain.  For ``"inequivalence"`` the
document has ``"witness": {"x": [...], "a": [...], "b": [...]}`` instead of regions: a rational point of the domain
where the two networks differ (checked by exact evaluation).

What :func:`check_certificate` verifies, using only exact evaluation of the networks' layers and exact LPs
(:mod:`exactrelu.engines.cddlib` via :class:`~exactrelu.geometry.polyhedra.Polyhedron`), never the enumeration code:

1. **interior points**: each region's point satisfies its inequalities and the domain's strictly;
2. **patterns**: for each network, layer by layer, the pre-activation of every neuron is affine on the region given
   the stated pattern of the earlier layers (a graph network, version-2 document: vertex by vertex in topological
   order, its pattern a flat list of one sign per hidden vertex, each vertex a layer of its own); for a stated sign
   ``s = ±1`` one LP shows ``s·z >= 0`` on the closed region and ``s·z > 0`` at the interior point; for ``s = 0``
   the affine form is identically zero;
3. **maps**: the affine map the pattern gives equals the stated ``(A, c)`` (for every network);
4. **disjoint interiors**: take two regions and the first neuron (of the first network where they differ) whose
   stated sign differs.  Earlier signs agree, so that neuron has the *same* affine form ``g`` on both; ``s·g >= 0`` on
   one and ``s'·g >= 0`` on the other with ``s != s'`` forces ``g = 0`` on a common open set, so ``g ≡ 0``,
   contradicting check 2 (``g`` is nonzero at an interior point).  Regions with identical patterns for every network
   are checked pairwise by one slack LP (no common interior point);
5. **containment**: every region lies in the domain (one LP per domain row and region);
6. **cover** (facet matching): for every facet ``G`` of every region (a listed row whose zero set meets the region in
   dimension ``d - 1``) not lying in the domain boundary, some other region lies on the other side of its
   hyperplane and *contains* ``G`` (one LP per inequality of that region).  Argument: let ``U`` be the union (closed)
   and suppose ``W = int Ω \\ U`` is non-empty.  Its boundary in ``int Ω`` is not contained in the finite union ``Z``
   of the (d-2)-faces and of the pairwise intersections of distinct facet hyperplanes (``int Ω \\ Z`` is connected
   and meets both ``W`` and the interior of ``U``), so take ``y ∈ ∂W \\ Z``.  Then ``y`` is in the relative interior of
   a facet ``G`` of some region ``R`` and of no lower face; the matching region ``R'`` contains ``G`` and a point
   strictly beyond, hence (convexity) a half-ball around ``y`` on that side, and ``R`` the other half: ``y`` is
   interior to ``U``, a contradiction.  So ``U ⊇ int Ω`` and, closed, ``U = Ω``.  (Canonical complexes are
   face-to-face, so their certificates always pass this test.)

A failed check raises :class:`~exactrelu.core.errors.CertificateError` naming it, e.g. ``"region 3: stated affine map
differs from network 0 (entry A[0][1])"``.

Examples
--------
>>> from exactrelu import examples
>>> from exactrelu.geometry.regions import regions
>>> doc = complex_certificate(regions(examples.relu_of_sum()))
>>> check_certificate(doc)["regions"]
7
>>> doc["regions"][2]["affine_map"]["c"][0] = "5"
>>> check_certificate(doc)
Traceback (most recent call last):
...
exactrelu.core.errors.CertificateError: region 2: stated affine map differs from network 0's (entry c[0])
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import CertificateError, ExactReluError
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.network import Network
from exactrelu.engines import cddlib as _cdd
from exactrelu.geometry.polyhedra import Polyhedron

__all__ = ["complex_certificate", "check_certificate", "write_certificate", "FORMAT", "VERSION"]

FORMAT = "exactrelu-certificate"
VERSION = 1
_ZERO = Fraction(0)
Row = tuple[Fraction, ...]


def _s(rows: Sequence[Sequence[Fraction]]) -> list[list[str]]:
    return [[str(v) for v in r] for r in rows]


def complex_certificate(C: Any) -> dict[str, Any]:
    """The ``"complex"`` certificate of a :class:`~exactrelu.geometry.regions.PolyhedralComplex` (or of the complex
    of a graph network, :class:`~exactrelu.geometry.graph_complex.GraphPolyhedralComplex`: the network is then a
    version-2 document and each pattern a flat list, one sign per hidden vertex in topological order)."""
    dom = None
    if C.domain is not None:
        dom = {"inequalities": _s(C.domain.inequalities), "equalities": _s(C.domain.equalities)}
    graph = getattr(C.net, "graph", None)
    return {
        "format": FORMAT, "version": VERSION, "kind": "complex", "domain": dom,
        "networks": [C.network_dict()],
        "regions": [{"inequalities": _s(r.polyhedron.inequalities),
                     "interior_point": [str(v) for v in r.interior_point],
                     "patterns": [[list(p) for p in r.pattern] if graph is None else [s for (s,) in r.pattern]],
                     "affine_map": {"A": _s(r.affine_map[0]), "c": [str(v) for v in r.affine_map[1]]}}
                    for r in C.regions],
        "cover": "facet-matching",
    }


def write_certificate(C: Any, path: str | os.PathLike[str]) -> None:
    """Write :func:`complex_certificate` atomically as JSON."""
    from exactrelu.core.files import atomic_write_text

    atomic_write_text(path, json.dumps(complex_certificate(C), indent=1) + "\n")


# ---------------------------------------------------------------------- checker
def _q(v: Any, where: str) -> Fraction:
    if not isinstance(v, (str, int)) or isinstance(v, bool):
        raise CertificateError(f"{where}: expected an exact rational string, got {v!r}")
    try:
        return Fraction(v)
    except (ValueError, ZeroDivisionError):
        raise CertificateError(f"{where}: not a rational number: {v!r}") from None


def _rows(rs: Any, d: int, where: str) -> list[Row]:
    if not isinstance(rs, list):
        raise CertificateError(f"{where}: expected a list of rows")
    out = []
    for k, r in enumerate(rs):
        if not isinstance(r, list) or len(r) != d + 1:
            raise CertificateError(f"{where}[{k}]: expected a row of {d + 1} rationals (b, a1..ad)")
        out.append(tuple(_q(v, f"{where}[{k}]") for v in r))
    return out


def _val(row: Row, x: Sequence[Fraction]) -> Fraction:
    return sum((a * v for a, v in zip(row[1:], x, strict=True)), row[0])


def _forms_and_map(net: Network, pattern: list[list[int]]) -> tuple[list[list[Row]], list[Row]]:
    """Own recursion: per hidden layer the rows (v_i, M_i) of z_i = v_i + M_i x under ``pattern``, and the output
    rows (c_k, A_k)."""
    d = net.input_dim
    M = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    v = [_ZERO] * d
    forms = []
    for l, layer in enumerate(net.layers):
        M2 = [[sum((w * M[k][j] for k, w in enumerate(row)), _ZERO) for j in range(d)] for row in layer.weights]
        v2 = [sum((w * v[k] for k, w in enumerate(row)), b) for row, b in zip(layer.weights, layer.biases)]
        rows = [(v2[i], *M2[i]) for i in range(len(v2))]
        if l == len(net.layers) - 1:
            return forms, rows
        forms.append(rows)
        s = pattern[l]
        M = [r if s[i] > 0 else [_ZERO] * d for i, r in enumerate(M2)]
        v = [c if s[i] > 0 else _ZERO for i, c in enumerate(v2)]
    raise AssertionError("unreachable")  # pragma: no cover


def _graph_forms_and_map(g: GraphNetwork, pattern: list[int]) -> tuple[list[list[Row]], list[Row]]:
    """Own recursion for a graph network: per hidden vertex (``hidden_order``, each a one-row "layer") the row of its
    pre-activation under ``pattern`` (the signs of the earlier vertices), and the output rows."""
    d = g.input_dim
    post: dict[str, Row] = {x: tuple(Fraction(int(j == i + 1)) for j in range(d + 1)) for i, x in enumerate(g.inputs)}
    sign = dict(zip(g.hidden_order, pattern, strict=True))
    rows: dict[str, Row] = {}
    for v in g.topological_order:
        if v in post:
            continue
        acc = [g.bias(v) or _ZERO] + [_ZERO] * d
        for k in g.in_edges(v):
            e = g.edges[k]
            if e.source in post:
                acc = [a + e.weight * c for a, c in zip(acc, post[e.source], strict=True)]
        rows[v] = tuple(acc)
        if v not in sign or sign[v] > 0:
            post[v] = rows[v]
    return [[rows[v]] for v in g.hidden_order], [rows[y] for y in g.outputs]


def _network(doc: Any, where: str) -> Network | GraphNetwork:
    """A network document of either version (2 = a graph network)."""
    from exactrelu.core.graph_io import graph_from_dict
    from exactrelu.core.io import network_from_dict

    if isinstance(doc, dict) and doc.get("version") == 2:
        return graph_from_dict(doc, source=where)
    return network_from_dict(doc, source=where)


def _load(doc_or_path: Any) -> dict[str, Any]:
    if isinstance(doc_or_path, dict):
        return doc_or_path
    from exactrelu.core.files import read_json_file

    try:
        doc = read_json_file(doc_or_path, max_bytes=None, what="certificate")
    except ExactReluError as exc:
        why = "not JSON" if "JSON" in str(exc) else "cannot read certificate"
        raise CertificateError(f"{why}: {exc}") from None
    if not isinstance(doc, dict):
        raise CertificateError(f"{doc_or_path}: a certificate is a JSON object")
    return doc


def witness_certificate(a: Network, b: Network, x: Sequence[Fraction], domain_rows: Sequence[Row] = ()
                        ) -> dict[str, Any]:
    """The certificate that ``a`` and ``b`` differ: a rational point ``x`` (in the domain) with ``a(x) != b(x)``.

    >>> from exactrelu import examples, Network
    >>> a = examples.relu_of_sum(); b = Network.from_lists([([[0, 0]], [0])])
    >>> check_certificate(witness_certificate(a, b, [1, 1]))["kind"]
    'inequivalence'
    """
    from exactrelu.core.io import network_to_dict

    return {"format": FORMAT, "version": VERSION, "kind": "inequivalence",
            "domain": None if not domain_rows else {"inequalities": [[str(v) for v in r] for r in domain_rows],
                                                    "equalities": []},
            "networks": [network_to_dict(a), network_to_dict(b)],
            "witness": {"x": [str(Fraction(v)) for v in x], "a": [str(v) for v in a(x)],
                        "b": [str(v) for v in b(x)]}}


def _check_witness(doc: dict[str, Any], nets: list[Network], dom_in: list[Row]) -> dict[str, Any]:
    """Kind ``inequivalence``: the witness lies in the domain and the first two networks differ there."""
    w = doc.get("witness")
    if not isinstance(w, dict) or not isinstance(w.get("x"), list) or len(w["x"]) != nets[0].input_dim:
        raise CertificateError(f"witness: expected {{\"x\": [{nets[0].input_dim} rationals]}}")
    x = [_q(v, "witness.x") for v in w["x"]]
    for k, row in enumerate(dom_in):
        if _val(row, x) < 0:
            raise CertificateError(f"witness: x violates domain.inequalities[{k}]")
    ya, yb = nets[0](x), nets[1](x)
    if ya == yb:
        raise CertificateError("witness: both networks give the same output at x")
    return {"kind": "inequivalence", "regions": 0, "networks": len(nets), "lps": 0}


def check_certificate(doc_or_path: Any) -> dict[str, Any]:
    """Re-verify a certificate independently (module docstring); returns a summary, raises CertificateError."""
    doc = _load(doc_or_path)
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise CertificateError(f"not an {FORMAT} version {VERSION} document")
    kind = doc.get("kind")
    if kind not in ("complex", "equivalence", "inequivalence"):
        raise CertificateError(f"unknown certificate kind {kind!r}")
    try:
        nets = [_network(n, f"networks[{k}]") for k, n in enumerate(doc.get("networks") or [])]
    except ExactReluError as exc:
        raise CertificateError(f"bad network document: {exc}") from None
    if not nets or (kind in ("equivalence", "inequivalence") and len(nets) < 2):
        raise CertificateError(f"a {kind} certificate needs {'a network' if kind == 'complex' else '2 networks'}")
    d, m = nets[0].input_dim, nets[0].output_dim
    if any(n.input_dim != d or n.output_dim != m for n in nets):
        raise CertificateError("the networks have different input or output dimensions")
    dom_doc = doc.get("domain")
    dom_in: list[Row] = []
    dom_eq: list[Row] = []
    if dom_doc is not None:
        if not isinstance(dom_doc, dict):
            raise CertificateError("domain: expected null or {inequalities, equalities}")
        dom_in = _rows(dom_doc.get("inequalities", []), d, "domain.inequalities")
        dom_eq = _rows(dom_doc.get("equalities", []), d, "domain.equalities")
        if dom_eq:
            raise CertificateError("domain: equalities are not supported (the domain must be full-dimensional)")
    if kind == "inequivalence":
        return _check_witness(doc, nets, dom_in)
    regs = doc.get("regions")
    if not isinstance(regs, list) or not regs:
        raise CertificateError("regions: expected a non-empty list")
    lps = 0
    parsed = []
    for k, r in enumerate(regs):
        where = f"region {k}"
        if not isinstance(r, dict):
            raise CertificateError(f"{where}: expected an object")
        ineq = _rows(r.get("inequalities"), d, f"{where}.inequalities")
        pt = r.get("interior_point")
        if not isinstance(pt, list) or len(pt) != d:
            raise CertificateError(f"{where}: interior_point must have {d} coordinates")
        p = tuple(_q(v, f"{where}.interior_point") for v in pt)
        pats = r.get("patterns")
        if not isinstance(pats, list) or len(pats) != len(nets):
            raise CertificateError(f"{where}: needs one pattern per network ({len(nets)})")
        pats = list(pats)  # graph patterns are rewritten as one-entry layers below; the document is not touched
        amap = r.get("affine_map")
        if not isinstance(amap, dict):
            raise CertificateError(f"{where}: affine_map must be {{A, c}}")
        A = [[_q(v, f"{where}.A") for v in row] for row in (amap.get("A") or [])]
        c = [_q(v, f"{where}.c") for v in (amap.get("c") or [])]
        if len(A) != m or any(len(row) != d for row in A) or len(c) != m:
            raise CertificateError(f"{where}: affine map must be {m} x {d} with {m} offsets")
        # 1. interior point
        bad = next((j for j, row in enumerate(ineq) if _val(row, p) <= 0), None)
        if bad is not None:
            raise CertificateError(f"{where}: interior point is not strictly inside (inequality {bad})")
        if any(_val(row, p) <= 0 for row in dom_in):
            raise CertificateError(f"{where}: interior point is not in the interior of the domain")
        poly = Polyhedron(tuple(ineq), (), ambient_dim=d)
        # 2./3. patterns and maps
        for n_idx, (net, pat) in enumerate(zip(nets, pats, strict=True)):
            if isinstance(net, GraphNetwork):  # a flat list, one sign per hidden vertex in topological order
                if (not isinstance(pat, list) or len(pat) != net.num_hidden
                        or any(type(t) is not int or t not in (-1, 0, 1) for t in pat)):
                    raise CertificateError(f"{where}: pattern {n_idx} must be {net.num_hidden} signs -1, 0 or 1 "
                                           "(one per hidden vertex)")
                forms, out_rows = _graph_forms_and_map(net, pat)
                pat = [[t] for t in pat]
                pats[n_idx] = pat
            else:
                if (not isinstance(pat, list) or len(pat) != net.depth
                        or any(not isinstance(pl, list) or len(pl) != w for pl, w in zip(pat, net.hidden_widths))):
                    raise CertificateError(f"{where}: pattern {n_idx} does not match the hidden widths "
                                           f"{net.hidden_widths}")
                if any(s not in (-1, 0, 1) for pl in pat for s in pl):
                    raise CertificateError(f"{where}: pattern entries must be -1, 0 or 1")
                forms, out_rows = _forms_and_map(net, pat)
            for l, layer_forms in enumerate(forms):
                for i, g in enumerate(layer_forms):
                    s = pat[l][i]
                    if s == 0:
                        if any(g):
                            raise CertificateError(f"{where}: network {n_idx} neuron ({l}, {i}) stated 0 but its "
                                                   "pre-activation is not identically zero")
                        continue
                    if s * _val(g, p) <= 0:
                        raise CertificateError(f"{where}: network {n_idx} neuron ({l}, {i}) has the wrong sign "
                                               "at the interior point")
                    status, value, _ = _cdd.lp_max(ineq, (), tuple(-s * v for v in g), d)
                    lps += 1
                    if status != "optimal" or value is None or value > 0:
                        raise CertificateError(f"{where}: network {n_idx} neuron ({l}, {i}) changes sign on the "
                                               "region (its stated pattern is not constant)")
            for o in range(m):
                if out_rows[o][0] != c[o]:
                    raise CertificateError(f"{where}: stated affine map differs from network {n_idx}'s (entry c[{o}])")
                for j in range(d):
                    if out_rows[o][1 + j] != A[o][j]:
                        raise CertificateError(f"{where}: stated affine map differs from network {n_idx}'s "
                                               f"(entry A[{o}][{j}])")
            if net(p) != tuple(sum((a * x for a, x in zip(A[o], p)), c[o]) for o in range(m)):
                raise CertificateError(f"{where}: evaluation of network {n_idx} at the interior point disagrees")
        # 5. containment in the domain
        for j, row in enumerate(dom_in):
            status, value, _ = _cdd.lp_max(ineq, (), tuple(-v for v in row), d)
            lps += 1
            if status != "optimal" or value is None or value > 0:
                raise CertificateError(f"{where}: not contained in the domain (domain inequality {j})")
        parsed.append((ineq, p, tuple(tuple(tuple(pl) for pl in pat) for pat in pats), poly))
    # 4. disjoint interiors: distinct pattern tuples are disjoint (argument above); equal ones by LP
    by_pat: dict[Any, list[int]] = {}
    for k, (_, _, pats, _) in enumerate(parsed):
        by_pat.setdefault(pats, []).append(k)
    for group in by_pat.values():
        for a in range(len(group)):
            for b in range(a + 1, len(group)):
                i, j = group[a], group[b]
                lps += 1
                if _cdd.slack_point(parsed[i][0] + parsed[j][0], [], d) is not None:
                    raise CertificateError(f"regions {i} and {j} overlap (common interior point)")
    # 6. cover by facet matching
    for k, (ineq, _p, _, _) in enumerate(parsed):
        for t, row in enumerate(ineq):
            G = Polyhedron(tuple(ineq), (row,), ambient_dim=d)
            q = G.interior_point()
            lps += 2
            if q is None or G.dimension != d - 1:
                continue  # not a facet (redundant or lower-dimensional)
            if any(_val(dr, q) == 0 for dr in dom_in):
                continue  # the facet lies in the domain boundary
            matched = False
            for j, (ineq2, p2, _, _) in enumerate(parsed):
                if j == k or _val(row, p2) >= 0 or any(_val(r2, q) < 0 for r2 in ineq2):
                    continue
                ok = True
                for r2 in ineq2:
                    status, value, _ = _cdd.lp_max(ineq, (row,), tuple(-v for v in r2), d)
                    lps += 1
                    if status != "optimal" or value is None or value > 0:
                        ok = False
                        break
                if ok:
                    matched = True
                    break
            if not matched:
                raise CertificateError(f"region {k}: facet {t} is not matched by a region on its other side "
                                       "(the regions do not cover the domain)")
    return {"kind": kind, "networks": len(nets), "regions": len(parsed), "lps": lps, "valid": True}
