"""Polynomial-size reduction of bottleneck equivalence to the first-layer coordinates (docs/mathematics.md D0/D3/D4/D5).

Setting: two networks of depth 2, ``(d, n1, n2, m)`` and ``(d, n1', n2', m)`` with ``n1, n1' <= d`` and exact
``rank W1 = n1``, ``rank W1' = n1'`` (the *degeneracy pre-check*; when it fails the caller falls back to the common
refinement on ``R^d``).  ``f(x) = g(relu(W1 x + b1))`` depends on ``x`` only through ``W1 x``, so both functions
factor through ``z = Q x`` where the rows of ``Q`` (``r x d``) are a basis of ``row(W1) + row(W1')``:
``W1 = M Q``, ``W1' = M' Q`` and ``Q`` maps ``R^d`` onto ``R^r``.  Hence

    ``f_a = f_b`` on ``R^d``  iff  ``f~_a = f~_b`` on ``R^r``,  with ``f~ = (M, b1; W2, b2; W3, b3)``,

an exact statement with no genericity assumption ([D]: ``Q`` is onto, and ``f = f~ ∘ Q``).  The reduced comparison
lives in dimension ``r <= n1 + n1'`` instead of ``d``.

*Matching up to the T_j / G_j action.*  When ``r = n1 = n1'`` the two first layers span the same row space: the
neurons of ``b`` are affine functions ``u' = M' u + (b1' - M' b1)`` of the neurons ``u = W1 x + b1`` of ``a`` (the
translations T_j, docs/mathematics.md D3, and the flips M_k of G_j, D4, are of this form; so are permutations and
positive scalings).  The second layers are then compared on the matched coordinates ``u`` in ``R^{n1}``.  When moreover
``M'`` is a positive monomial matrix with ``b1' = M' b1`` (first layers equal up to a trivial symmetry) the comparison
is restricted to the orthant ``R^{n1}_{>=0}``, the image of ``relu(W1 x + b1)``.  When ``r > n1`` the first layers do
not match (by the visibility theorem D1 this is a "no" for generic visible θ, but not in general), and the comparison
runs in ``R^r``.

:func:`check_bottleneck_evidence` re-verifies the identities ``W1 = M Q``, ``W1' = M' Q``, ``rank Q = r`` and the
reduced networks, and :func:`exactrelu.geometry.certificate.check_certificate` the reduced region certificate.

Examples
--------
>>> from exactrelu import examples
>>> from exactrelu.theory.fibers.structure import flip, translate
>>> a = examples.invisible_translation()
>>> red = bottleneck_reduction(a, flip(translate(a, 3), [1]))
>>> red.rank, red.mode
(2, 'matched')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactrelu.core.network import Layer, Network

__all__ = ["BottleneckReduction", "bottleneck_reduction", "lift_point", "check_bottleneck_evidence",
           "align_by_symmetries", "orthant_shallow_difference", "orthant_witness"]

_ZERO = Fraction(0)
_ONE = Fraction(1)


@dataclass(frozen=True)
class BottleneckReduction:
    """The reduced pair of :func:`bottleneck_reduction`.

    ``Q``: the ``r x d`` row basis; ``Ma``, ``Mb``: ``W1 = M Q`` for each network; ``a``, ``b``: the reduced networks
    on ``R^r`` (or, in mode ``"aligned"``, the last two layers of ``a`` and of ``b`` aligned to ``a``'s first layer, on
    the orthant ``R^{n1}_{>=0}``); ``mode``: ``"aligned"``, ``"matched"`` (same row space) or ``"unmatched"``;
    ``perm``, ``scale`` (mode ``"aligned"``): b's neuron ``j`` is ``scale[j]`` times a's neuron ``perm[j]``.
    """

    Q: tuple[tuple[Fraction, ...], ...]
    Ma: tuple[tuple[Fraction, ...], ...]
    Mb: tuple[tuple[Fraction, ...], ...]
    a: Network
    b: Network
    mode: str
    perm: tuple[int, ...] | None = None
    scale: tuple[Fraction, ...] | None = None

    @property
    def rank(self) -> int:
        return len(self.Q)

    def to_dict(self) -> dict[str, Any]:
        def s(M: Sequence[Sequence[Fraction]]) -> list[list[str]]:
            return [[str(v) for v in r] for r in M]

        return {"mode": self.mode, "rank": self.rank, "Q": s(self.Q), "Ma": s(self.Ma), "Mb": s(self.Mb)}


def _precheck(net: Network, name: str) -> str | None:
    from exactrelu.engines.flintlib import rank

    if net.depth != 2:
        return f"network {name} has {net.depth} hidden layers (the bottleneck path needs 2)"
    n1, d = net.architecture[1], net.input_dim
    if n1 > d:
        return f"network {name} is not a bottleneck: n1 = {n1} > d = {d}"
    if rank([list(r) for r in net.layers[0].weights]) != n1:
        return f"degenerate: W1 of network {name} has rank < n1 = {n1} (relu(W1 x + b1) is not onto the orthant)"
    return None


def _coords(Q: Sequence[Sequence[Fraction]], row: Sequence[Fraction]) -> tuple[Fraction, ...]:
    from exactrelu.engines.flintlib import solve

    Qt = [[Q[i][c] for i in range(len(Q))] for c in range(len(row))]
    sol = solve(Qt, list(row))
    if sol is None:
        raise AssertionError("internal error: a first-layer row is outside the row basis")
    return sol


def _aligned(Mb: Sequence[Sequence[Fraction]], b1a: Sequence[Fraction],
             b1b: Sequence[Fraction]) -> tuple[list[int], list[Fraction]] | None:
    """``(perm, scale)`` with b's neuron j = scale[j] * a's neuron perm[j] (positive scale), or None."""
    perm, scale = [], []
    for j, row in enumerate(Mb):
        nz = [i for i, v in enumerate(row) if v != 0]
        if len(nz) != 1 or row[nz[0]] <= 0 or b1b[j] != row[nz[0]] * b1a[nz[0]]:
            return None
        perm.append(nz[0])
        scale.append(row[nz[0]])
    if sorted(perm) != list(range(len(Mb))):
        return None
    return perm, scale


def bottleneck_reduction(a: Network, b: Network) -> BottleneckReduction | str:
    """Reduce ``f_a = f_b`` on ``R^d`` to an equivalent question in dimension ``r = rank [W1; W1']``.

    Returns a :class:`BottleneckReduction` or, when the degeneracy pre-check fails, the reason (a string).
    Exact linear algebra only (python-flint); cost polynomial in ``d, n1, n1'``.

    >>> from exactrelu import examples, permute
    >>> a = examples.visible_bottleneck()
    >>> bottleneck_reduction(a, permute(a, 1, (1, 0))).mode
    'aligned'
    >>> bottleneck_reduction(examples.three_kinks(), examples.three_kinks())
    'network a has 1 hidden layers (the bottleneck path needs 2)'
    """
    from exactrelu.engines.flintlib import rank

    for net, name in ((a, "a"), (b, "b")):
        why = _precheck(net, name)
        if why is not None:
            return why
    La, Lb = a.layers[0], b.layers[0]
    Q = [tuple(r) for r in La.weights]
    for r in Lb.weights:
        if rank([list(q) for q in Q] + [list(r)]) > len(Q):
            Q.append(tuple(r))
    r = len(Q)
    n1a = La.n_out
    Ma = tuple(tuple(_ONE if c == i else _ZERO for c in range(r)) for i in range(n1a))
    Mb = tuple(_coords(Q, row) for row in Lb.weights)
    if r == n1a == Lb.n_out:
        al = _aligned(Mb, La.biases, Lb.biases)
        if al is not None:
            from exactrelu.core.symmetry import permute, rescale

            perm, scale = al
            inverse = [0] * n1a
            for j, i in enumerate(perm):
                inverse[i] = j
            b2 = permute(rescale(b, 1, [1 / s for s in scale]), 1, inverse)
            if b2.layers[0] != La:
                raise AssertionError("internal error: first-layer alignment failed")
            return BottleneckReduction(tuple(Q), Ma, Mb, Network(a.layers[1:]), Network(b2.layers[1:]), "aligned",
                                       tuple(perm), tuple(scale))
    ra = Network((Layer(Ma, La.biases), *a.layers[1:]))
    rb = Network((Layer(Mb, Lb.biases), *b.layers[1:]))
    mode = "matched" if r == n1a == Lb.n_out else "unmatched"
    return BottleneckReduction(tuple(Q), Ma, Mb, ra, rb, mode)


def lift_point(red: BottleneckReduction, z: Sequence[Fraction], a: Network) -> tuple[Fraction, ...]:
    """A point ``x`` of ``R^d`` over the reduced point ``z`` (``Q x = z``; in mode ``"aligned"``, ``z`` is a point
    of the orthant and ``W1 x + b1 = z``)."""
    from exactrelu.engines.flintlib import solve

    rows = [list(q) for q in red.Q]
    rhs = list(z)
    if red.mode == "aligned":
        rhs = [zi - bi for zi, bi in zip(z, a.layers[0].biases)]
    x = solve(rows, rhs)
    if x is None:
        raise AssertionError("internal error: Q has full row rank but Q x = z has no solution")
    return x


def check_bottleneck_evidence(a: Network, b: Network, evidence: dict[str, Any]) -> bool:
    """Independently re-verify a bottleneck "equal" answer of :func:`~exactrelu.theory.equality.equivalence.equivalent`.

    Checks, from the original networks: ``rank Q = r``, ``W1 = Ma Q`` and ``W1' = Mb Q`` exactly; that the networks
    of the reduced certificate are the reduced networks built from ``(Ma, Mb)`` (mode ``"aligned"``: that ``b``'s
    first layer is ``a``'s after the recorded permutation and positive scaling, and the certificate's networks are the
    tails, on the orthant domain); and that the reduced certificate is valid
    (:func:`exactrelu.geometry.certificate.check_certificate`).  Raises ``ValueError`` on any mismatch.
    """
    from exactrelu.core.io import network_from_dict
    from exactrelu.core.symmetry import permute, rescale
    from exactrelu.engines.flintlib import rank
    from exactrelu.geometry.certificate import check_certificate

    if "orthant_data" in evidence:
        return _check_orthant_evidence(a, b, evidence)
    red = evidence["reduction"]
    Q = [[Fraction(v) for v in r] for r in red["Q"]]
    Ma = [[Fraction(v) for v in r] for r in red["Ma"]]
    Mb = [[Fraction(v) for v in r] for r in red["Mb"]]
    if rank(Q) != len(Q):
        raise ValueError("Q does not have full row rank")
    for M, net in ((Ma, a), (Mb, b)):
        W1 = net.layers[0].weights
        prod = [tuple(sum((M[i][k] * Q[k][c] for k in range(len(Q))), _ZERO) for c in range(len(Q[0])))
                for i in range(len(M))]
        if prod != [tuple(r) for r in W1]:
            raise ValueError("W1 != M Q")
    cert = evidence["reduced_certificate"]
    na, nb = (network_from_dict(n) for n in cert["networks"])
    if red["mode"] == "aligned":
        perm, scale = evidence["first_layer_perm"], [Fraction(s) for s in evidence["first_layer_scale"]]
        inverse = [0] * len(perm)
        for j, i in enumerate(perm):
            inverse[i] = j
        b2 = permute(rescale(b, 1, [1 / s for s in scale]), 1, inverse)
        if b2.layers[0] != a.layers[0] or na != Network(a.layers[1:]) or nb != Network(b2.layers[1:]):
            raise ValueError("the aligned networks do not match the certificate")
        n1 = len(perm)
        ineq = [[Fraction(v) for v in r] for r in cert["domain"]["inequalities"]]
        if sorted(map(tuple, ineq)) != sorted(tuple([_ZERO] + [_ONE if c == i else _ZERO for c in range(n1)])
                                               for i in range(n1)):
            raise ValueError("the reduced domain is not the orthant")
    else:
        ea = Network((Layer(tuple(map(tuple, Ma)), a.layers[0].biases), *a.layers[1:]))
        eb = Network((Layer(tuple(map(tuple, Mb)), b.layers[0].biases), *b.layers[1:]))
        if na != ea or nb != eb or cert.get("domain") is not None:
            raise ValueError("the reduced networks do not match the certificate")
    return bool(check_certificate(cert)["valid"])


def _check_orthant_evidence(a: Network, b: Network, evidence: dict[str, Any]) -> bool:
    """Replay the recorded T_j / G_j steps (their admissibility re-checked), re-derive the alignment, and decide the
    orthant comparison again by a second algorithm: the regions of the joint arrangement of both second layers on
    the orthant (exact LPs), with the two affine maps compared on each."""
    from exactrelu.geometry.polyhedra import Orthant
    from exactrelu.geometry.regions import regions

    nets = {"a": a, "b": b}
    for step in evidence.get("symmetries", []):
        net = nets[step["network"]]
        if "flip" in step:
            nets[step["network"]] = _flip(net, step["flip"])
        else:
            nets[step["network"]] = _translate(net, Fraction(step["translate"]))
    red = bottleneck_reduction(nets["a"], nets["b"])
    if isinstance(red, str) or red.mode != "aligned" or list(red.perm or ()) != evidence["first_layer_perm"]:
        raise ValueError("the recorded symmetries do not align the first layers")
    ga, gb = red.a, red.b
    na = ga.layers[0].n_out
    joint = Network((Layer(ga.layers[0].weights + gb.layers[0].weights, ga.layers[0].biases + gb.layers[0].biases),
                     Layer(((_ZERO,) * (na + gb.layers[0].n_out),), (_ZERO,))))
    for R in regions(joint, Orthant(red.rank)).regions:
        x = R.interior_point
        if ga.affine_map(ga.pattern(x)) != gb.affine_map(gb.pattern(x)):
            raise ValueError("the second layers differ on a region of the orthant")
    return True


# ---------------------------------------------------------------------------------------------- T_j / G_j action
def _invisible_data(net: Network) -> tuple[int | None, Fraction | None, dict[int, Fraction]]:
    """``(j, t_min, ratios)``: the invisible first-layer neuron ``j`` when an alive second-layer neuron exists
    (docs/mathematics.md D1/D3: every second-layer neuron is ``<= 0`` on the face ``{h_j = 0}`` of the orthant),
    ``t_min = max b2_i / W2_ij`` over the alive ``i``, and ``W2_ik / W2_ij`` for the ``k`` where it is the same for
    every alive ``i`` (the set ``K_j`` of D4); ``(None, None, {})`` otherwise."""
    L2 = net.layers[1]
    n1 = net.architecture[1]
    rows = list(zip(L2.weights, L2.biases))
    alive = [(w, b) for w, b in rows if not (all(v <= 0 for v in w) and b <= 0)
             and not (all(v >= 0 for v in w) and b >= 0)]
    invisible = [k for k in range(n1) if not any(b > 0 or any(w[l] > 0 for l in range(n1) if l != k)
                                                 for w, b in rows)]
    if len(invisible) != 1 or not alive:
        return None, None, {}
    j = invisible[0]
    t_min = max(b / w[j] for w, b in alive)
    ratios = {}
    for k in range(n1):
        rs = {w[k] / w[j] for w, _ in alive}
        if k != j and len(rs) == 1:
            ratios[k] = rs.pop()
    return j, t_min, ratios


def _translate(net: Network, t: Fraction) -> Network:
    """T_j(t), ``t >= t_min`` (docs/mathematics.md D3): ``b1_j += t``, ``b2_i -= t W2_ij`` where ``W2_ij > 0``."""
    j, t_min, _ = _invisible_data(net)
    if j is None or t_min is None or t < t_min:
        raise ValueError("T_j(t) is not admissible here")
    L1, L2, L3 = net.layers
    b1 = list(L1.biases)
    b1[j] += t
    b2 = [b - t * w[j] if w[j] > 0 else b for w, b in zip(L2.weights, L2.biases)]
    return Network((Layer(L1.weights, tuple(b1)), Layer(L2.weights, tuple(b2)), L3))


def _flip(net: Network, K: Sequence[int]) -> Network:
    """M_K of G_j (docs/mathematics.md D4): neuron ``j`` becomes ``u_j + Σ_K (W2_ik / W2_ij) u_k``, the ``u_k``
    (``k`` in ``K``) are negated."""
    j, _, ratios = _invisible_data(net)
    if j is None or not set(K) <= set(ratios):
        raise ValueError("M_K is not in G_j here")
    L1 = net.layers[0]
    W1 = [list(r) for r in L1.weights]
    b1 = list(L1.biases)
    for k in K:
        W1[j] = [x + ratios[k] * y for x, y in zip(W1[j], W1[k])]
        b1[j] += ratios[k] * b1[k]
    for k in K:
        W1[k] = [-v for v in W1[k]]
        b1[k] = -b1[k]
    return Network((Layer(tuple(map(tuple, W1)), tuple(b1)), *net.layers[1:]))


# ---------------------------------------------------------------------------------------------- T_j / G_j matching
def align_by_symmetries(a: Network, b: Network) -> tuple[Network, Network, list[dict[str, Any]]] | None:
    """Bring two matched bottleneck networks to first layers equal up to a trivial symmetry by the T_j / G_j action.

    ``b``'s neurons that are negatives of ``a``'s are flipped back by ``M_K`` (docs/mathematics.md D4, which also
    untilts the invisible neuron), then a remaining bias offset on the invisible neuron is removed by a translation
    ``T_j(t)`` (D3) applied to whichever network admits it (``t >= 0 >= t_min``).  Each step preserves the function of
    the network it acts on (the lemmas of D3/D4, re-checked by their admissibility conditions); returns
    ``(a', b', steps)`` with ``bottleneck_reduction(a', b').mode == "aligned"``, or None when no such match exists.
    """
    steps: list[dict[str, Any]] = []
    red = bottleneck_reduction(a, b)
    if isinstance(red, str) or red.mode == "unmatched":
        return None
    if red.mode == "aligned":
        return a, b, steps
    K = [j for j, row in enumerate(red.Mb)
         if sum(1 for v in row if v != 0) == 1 and next(v for v in row if v != 0) < 0]
    if K:
        if not set(K) <= set(_invisible_data(b)[2]):
            return None
        b = _flip(b, K)
        steps.append({"network": "b", "flip": K})
        red = bottleneck_reduction(a, b)
        if isinstance(red, str) or red.mode == "unmatched":  # pragma: no cover - flips keep the row space
            return None
        if red.mode == "aligned":
            return a, b, steps
    # every row positive monomial except possibly one bias: a translation
    bad = []
    for j, row in enumerate(red.Mb):
        nz = [i for i, v in enumerate(row) if v != 0]
        if len(nz) != 1 or row[nz[0]] <= 0:
            return None
        if b.layers[0].biases[j] != row[nz[0]] * a.layers[0].biases[nz[0]]:
            bad.append((j, nz[0], row[nz[0]]))
    if len(bad) != 1:
        return None
    jb, ia, sc = bad[0]
    t = sc * a.layers[0].biases[ia] - b.layers[0].biases[jb]     # b1_b[jb] + t = scale * b1_a[ia]
    if t >= 0:
        if _invisible_data(b)[0] != jb:
            return None
        b = _translate(b, t)
        steps.append({"network": "b", "translate": str(t)})
    else:
        if _invisible_data(a)[0] != ia:
            return None
        a = _translate(a, -t / sc)
        steps.append({"network": "a", "translate": str(-t / sc)})
    red = bottleneck_reduction(a, b)
    if isinstance(red, str) or red.mode != "aligned":  # pragma: no cover - by construction
        return None
    return a, b, steps


def _meets_open_orthant(n: Sequence[int]) -> bool:
    """Does the hyperplane ``n[:-1] . y + n[-1] = 0`` meet the open orthant ``y > 0``? (exact sign test)."""
    w, t = n[:-1], n[-1]
    if any(v > 0 for v in w) and any(v < 0 for v in w):
        return True
    return (t < 0) if any(v > 0 for v in w) else (t > 0)


def orthant_shallow_difference(ga: Network, gb: Network) -> tuple[bool, dict[str, Any]]:
    """Decide ``g_a = g_b`` on the orthant ``R^n_{>=0}`` for two one-hidden-layer networks, in polynomial time.

    ``D = g_a - g_b`` is one shallow network.  Group its neurons by hyperplane (primitive integer normal form); the
    gradient of ``D`` jumps across a hyperplane by ``(Σ W3_i mu_i) n`` whatever the orientations (``relu(z) -
    relu(-z) = z``).  ``D = 0`` on the orthant iff every hyperplane meeting the open orthant has zero jump sum and the
    rest, which is then affine on the orthant, vanishes at the ``n + 1`` points ``0, e_1, ..., e_n`` [D; the
    orthant case of docs/mathematics.md B1].  Returns ``(equal, data)`` where ``data`` lists the hyperplanes meeting
    the open orthant with their jump sums (``"jumps"``) and, when unequal, ``"hyperplane"`` (one with a nonzero sum)
    or ``"point"`` (an orthant point where ``D != 0``).
    """
    from exactrelu.theory.equality.shallow import primitive_hyperplane

    n = ga.input_dim
    m = ga.output_dim
    classes: dict[tuple[int, ...], list[Fraction]] = {}
    for g, sgn in ((ga, 1), (gb, -1)):
        L1, L2 = g.layers
        for i, (row, bias) in enumerate(zip(L1.weights, L1.biases)):
            if all(v == 0 for v in row):
                continue
            h, _o, mu = primitive_hyperplane(row, bias)
            if not _meets_open_orthant(h):
                continue
            acc = classes.setdefault(h, [_ZERO] * m)
            for k in range(m):
                acc[k] += sgn * L2.weights[k][i] * mu
    jumps = {" ".join(map(str, h)): [str(v) for v in acc] for h, acc in classes.items()}
    data: dict[str, Any] = {"jumps": jumps}
    for h, acc in classes.items():
        if any(v != 0 for v in acc):
            data["hyperplane"] = list(h)
            return False, data
    for k in range(n + 1):
        y = tuple(_ONE if c == k - 1 else _ZERO for c in range(n))
        if ga(y) != gb(y):
            data["point"] = [str(v) for v in y]
            return False, data
    return True, data


def orthant_witness(ga: Network, gb: Network, h: Sequence[int], *, tries: int = 64) -> tuple[Fraction, ...] | None:
    """An orthant point where ``g_a != g_b`` next to the hyperplane ``h`` with a nonzero jump sum (or None).

    A point ``y0`` of ``h`` inside the open orthant and off every other hyperplane, and ``eps`` so small that no
    other hyperplane separates ``y0 +- eps n``: the second difference of ``D`` there is a nonzero multiple of the jump,
    so ``D`` is nonzero at one of the three points.
    """
    import random

    from exactrelu.theory.equality.shallow import primitive_hyperplane

    rng = random.Random(0)
    w, t = [Fraction(v) for v in h[:-1]], Fraction(h[-1])
    ww = sum(v * v for v in w)
    rows = [(tuple(r), bb) for g in (ga, gb) for r, bb in zip(g.layers[0].weights, g.layers[0].biases)]
    for _ in range(tries):
        y = [Fraction(rng.randint(1, 64), rng.randint(1, 16)) for _ in w]
        s = (sum(a * b for a, b in zip(w, y)) + t) / ww
        y0 = [yi - s * wi for yi, wi in zip(y, w)]
        if any(v <= 0 for v in y0):
            continue
        vals = [sum((a * b for a, b in zip(r, y0)), _ZERO) + bb for r, bb in rows]
        if any(v == 0 and (all(a == 0 for a in r) or primitive_hyperplane(r, bb)[0] != tuple(h))
               for v, (r, bb) in zip(vals, rows)):
            continue  # y0 lies on a second hyperplane: not generic
        on = [abs(v) for v in vals if v != 0]
        eps = min([*on, min(y0)]) / (2 * (1 + max(sum(abs(a) for a in r) for r, _ in rows)) * (1 + max(map(abs, w))))
        for pt in (y0, [a + eps * b for a, b in zip(y0, w)], [a - eps * b for a, b in zip(y0, w)]):
            p = tuple(pt)
            if all(v >= 0 for v in p) and ga(p) != gb(p):
                return p
    return None
