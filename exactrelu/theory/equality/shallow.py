"""Canonical data, minimal width and canonical form of one-hidden-layer networks (docs/mathematics.md B1-B4).

A one-hidden-layer network computes ``f(x) = sum_i W2_i relu(W1_i . x + b1_i) + b2``.  Writing each neuron with a
nonzero incoming row as ``(W1_i, b1_i) = o_i lam_i (a, t)`` (``lam_i > 0``, ``o_i = +-1``, ``a`` normalised so that
its first nonzero entry is ``+1``) and using ``relu(-z) = relu(z) - z`` gives (docs/mathematics.md B1)

    f(x) = sum_H C_H relu(a_H . x + t_H) + A x + beta,

with one term per distinct normalised hyperplane ``H`` (coincident neurons merged, opposite orientations turned into
the linear term, invisible neurons ``W2_i = 0`` dropped, constant neurons ``W1_i = 0`` folded into ``beta``, and
hyperplanes whose merged jump ``C_H`` vanishes removed).  ``A = A_R`` is the linear part on the reference region
``R`` on the negative side of every ``H``.  The data ``K(f) = ({(a_H, t_H, C_H)}, A, beta)`` is a **complete
invariant of the function** (docs/mathematics.md B1/B2): two shallow networks compute the same function iff their
canonical data
are equal, whatever their widths.

Examples
--------
>>> from exactrelu import examples
>>> data = canonical_data(examples.absolute_value())      # |x| = relu(x) + relu(-x)
>>> data.hyperplanes, data.linear, data.constant
((((Fraction(1, 1),), Fraction(0, 1), (Fraction(2, 1),)),), ((Fraction(-1, 1),),), (Fraction(0, 1),))
>>> minimal_width(examples.absolute_value()), valid_orientation_sets(data)
(2, [])
>>> valid_orientation_sets(canonical_data(examples.relu_minus_shifted_relu()))
[frozenset(), frozenset({0, 1})]
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exactrelu.core.errors import NotApplicableError, RegionLimitError, ShapeError
from exactrelu.core.formatting import format_relu_sum, shorten
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import as_rational, format_rational

__all__ = ["CanonicalData", "canonical_data", "valid_orientation_sets", "minimal_width", "canonical_form",
           "minimal_width_case", "MAX_SUBSET_HYPERPLANES", "ShallowTerms", "shallow_terms", "same_function",
           "primitive_hyperplane"]

Vector = tuple[Fraction, ...]
Matrix = tuple[Vector, ...]
Hyperplane = tuple[Vector, Fraction, Vector]

_ZERO = Fraction(0)
#: Largest number of hyperplanes for the exponential subset searches (meet in the middle: 2^(k/2) sums per half).
MAX_SUBSET_HYPERPLANES = 44


@dataclass(frozen=True, slots=True)
class CanonicalData:
    """``K(f)`` of docs/mathematics.md B1: equality of two ``CanonicalData`` is equality of the functions
    (docs/mathematics.md B2).

    ``hyperplanes``: sorted tuple of ``(a, t, C)``: ``a`` (d Fractions, first nonzero entry ``+1``), ``t``, and the
    jump weights ``C`` (m Fractions, not all zero); the gradient jump across ``a . x + t = 0`` is ``C a^T``.
    ``linear``: the m x d matrix ``A_R`` (the linear part on the region on the negative side of every hyperplane);
    ``constant``: ``beta`` (m entries); so ``f(x) = sum C relu(a . x + t) + A_R x + beta``.
    """

    hyperplanes: tuple[Hyperplane, ...]
    linear: Matrix
    constant: Vector
    input_dim: int
    output_dim: int

    @property
    def num_hyperplanes(self) -> int:
        """``k``: the number of distinct breakpoint hyperplanes of ``f``."""
        return len(self.hyperplanes)

    def __call__(self, x: Sequence[object]) -> Vector:
        """Evaluate ``f(x) = sum_H C_H relu(a_H . x + t_H) + A_R x + beta`` exactly.

        >>> from exactrelu import examples
        >>> canonical_data(examples.three_kinks())([Fraction(3, 2)])
        (Fraction(-1, 2),)
        """
        xs = tuple(as_rational(v) for v in x)
        if len(xs) != self.input_dim:
            raise ShapeError(f"canonical data expects {self.input_dim} inputs, got {len(xs)}")
        out = [sum((w * v for w, v in zip(row, xs)), c) for row, c in zip(self.linear, self.constant)]
        for a, t, C in self.hyperplanes:
            z = sum((w * v for w, v in zip(a, xs)), t)
            if z > 0:
                out = [o + cj * z for o, cj in zip(out, C)]
        return tuple(out)

    def formulas(self) -> list[str]:
        """One readable formula per output, ``f_r(x) = Σ C_r relu(a·x + t) + (A_R x)_r + β_r`` (exact).

        >>> from exactrelu import examples
        >>> canonical_data(examples.three_kinks()).formulas()
        ['f(x) = relu(x1 - 2) - relu(x1 - 1) + relu(x1) - x1']
        """
        name = (lambda r: "f(x)") if self.output_dim == 1 else (lambda r: f"f_{r + 1}(x)")
        return [f"{name(r)} = " + format_relu_sum([(a, t, C[r]) for a, t, C in self.hyperplanes], self.linear[r],
                                                  self.constant[r]) for r in range(self.output_dim)]

    def __str__(self) -> str:
        return "\n".join(self.formulas())

    def __repr__(self) -> str:
        return (f"CanonicalData(d={self.input_dim}, m={self.output_dim}, k={self.num_hyperplanes}: "
                f"{shorten('; '.join(self.formulas()), 160)})")

    def to_dict(self) -> dict[str, Any]:
        """Plain data with exact strings (the ``--json`` form of ``exactrelu canonical``)."""
        return {
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "hyperplanes": [{"a": [format_rational(v) for v in a], "t": format_rational(t),
                             "C": [format_rational(v) for v in C]} for a, t, C in self.hyperplanes],
            "linear": [[format_rational(v) for v in row] for row in self.linear],
            "constant": [format_rational(v) for v in self.constant],
        }


# ---------------------------------------------------------------------------------------------- internal form
@dataclass(frozen=True, slots=True)
class ShallowTerms:
    """Internal fast form of ``K(f)``: hyperplanes keyed by a primitive integer vector ``(n_1..n_d, n_0)`` whose first
    nonzero ``n_j`` (j <= d) is positive; ``jumps[key]`` is the weight of ``relu(n . x + n_0)``.  The linear part is
    kept factored: ``A_R = base - sum_key neg[key] n_key^T`` (``neg[key]``: the summed ``mu_i c_i`` of the neurons
    oriented against ``n``), so two forms can be compared without building ``A_R`` (see :func:`same_function`).
    Building it needs no rational division per weight."""

    jumps: dict[tuple[int, ...], Vector]
    neg: dict[tuple[int, ...], Vector]
    base: Matrix | None
    constant: Vector
    input_dim: int
    output_dim: int


def primitive_hyperplane(row: Sequence[Fraction], bias: Fraction) -> tuple[tuple[int, ...], int, Fraction]:
    """``(w, b) = o * mu * n`` with ``n`` a primitive integer vector (first nonzero of its w-part > 0), ``mu > 0``.

    Returns ``(n, o, mu)``; the row must have a nonzero entry.
    """
    entries = (*row, bias)
    # Network entries are Fractions (validated by as_rational): read the slots directly, this is the hot loop
    dens = [v._denominator for v in entries]
    distinct = set(dens)
    den = math.lcm(*distinct)
    scale = {q: den // q for q in distinct}  # few distinct denominators (e.g. powers of 2 from floats)
    ints = [v._numerator * scale[q] for v, q in zip(entries, dens)]
    g = math.gcd(*ints)
    first = next(v for v in ints[:-1] if v)
    o = 1 if first > 0 else -1
    n = tuple(ints) if o * g == 1 else tuple(v // (o * g) for v in ints)
    return n, o, Fraction(g, den)


def _sum_outer(cols: Sequence[Vector], rows: Sequence[Sequence[Any]], m: int, d: int) -> list[list[Fraction]]:
    """``sum_i cols[i] rows[i]^T`` (m x d) exactly, by integer arithmetic with one common denominator per output row."""
    if not cols:
        return [[_ZERO] * d for _ in range(m)]
    row_den = [math.lcm(*(v.denominator for v in r)) for r in rows]
    int_rows = [[v.numerator * (L // v.denominator) for v in r] for r, L in zip(rows, row_den)]
    out = []
    for r in range(m):
        q = [c[r] / L for c, L in zip(cols, row_den)]
        D = math.lcm(*(v.denominator for v in q))
        U = [v.numerator * (D // v.denominator) for v in q]
        acc = [0] * d
        for u, ir in zip(U, int_rows):
            if u:
                acc = [s + u * v for s, v in zip(acc, ir)]
        out.append([Fraction(s, D) for s in acc])
    return out


def shallow_terms(net: Network) -> ShallowTerms:
    """``K(f)`` in the internal integer-keyed form; cost O(n (d + m)) integer operations."""
    if net.depth > 1:
        raise NotApplicableError(f"canonical data need at most one hidden layer, the network has {net.depth}")
    d, m = net.input_dim, net.output_dim
    if net.depth == 0:
        out = net.layers[0]
        return ShallowTerms({}, {}, out.weights, out.biases, d, m)
    hid, out = net.layers
    beta = list(out.biases)
    jumps: dict[tuple[int, ...], list[Fraction]] = {}
    neg: dict[tuple[int, ...], list[Fraction]] = {}
    for i in range(hid.n_out):
        c = tuple(row[i] for row in out.weights)
        if not any(c):
            continue  # invisible neuron
        w, b = hid.weights[i], hid.biases[i]
        if not any(w):
            if b > 0:  # constant neuron relu(b)
                beta = [s + cj * b for s, cj in zip(beta, c)]
            continue
        n, o, mu = primitive_hyperplane(w, b)
        acc = jumps.setdefault(n, [_ZERO] * m)
        for r in range(m):
            acc[r] += mu * c[r]
        if o < 0:  # c relu(-mu n.(x,1)) = c relu(mu n.(x,1)) - mu c n.(x,1)
            nacc = neg.setdefault(n, [_ZERO] * m)
            for r in range(m):
                nacc[r] += mu * c[r]
            beta = [s + cj * b for s, cj in zip(beta, c)]
    kept = {k: tuple(v) for k, v in jumps.items() if any(v)}
    return ShallowTerms(kept, {k: tuple(v) for k, v in neg.items() if any(v)}, None, tuple(beta), d, m)


def _linear(t: ShallowTerms, skip: set[tuple[int, ...]] | None = None) -> list[list[Fraction]]:
    """``A_R = base - sum_key neg[key] n_key^T`` (m x d)."""
    keys = [k for k in t.neg if skip is None or k not in skip]
    A = _sum_outer([tuple(-v for v in t.neg[k]) for k in keys], [k[:-1] for k in keys], t.output_dim, t.input_dim)
    if t.base is not None:
        A = [[x + y for x, y in zip(ra, rb)] for ra, rb in zip(A, t.base)]
    return A


def same_function(ta: ShallowTerms, tb: ShallowTerms) -> bool:
    """``K(f_a) == K(f_b)`` without building both linear parts: only the keys whose ``neg`` masses differ count."""
    if (ta.input_dim, ta.output_dim, ta.constant) != (tb.input_dim, tb.output_dim, tb.constant):
        return False
    if ta.jumps != tb.jumps:
        return False
    m, d = ta.output_dim, ta.input_dim
    zero = (_ZERO,) * m
    keys = [k for k in set(ta.neg) | set(tb.neg) if ta.neg.get(k, zero) != tb.neg.get(k, zero)]
    delta = [tuple(x - y for x, y in zip(ta.neg.get(k, zero), tb.neg.get(k, zero))) for k in keys]
    D = _sum_outer(delta, [k[:-1] for k in keys], m, d)  # A_a - A_b = (base_a - base_b) - D
    ba = ta.base if ta.base is not None else ((_ZERO,) * d,) * m
    bb = tb.base if tb.base is not None else ((_ZERO,) * d,) * m
    return all(x - y == z for ra, rb, rd in zip(ba, bb, D) for x, y, z in zip(ra, rb, rd))


def _public(terms: ShallowTerms) -> CanonicalData:
    hyps = []
    for n, Cn in terms.jumps.items():
        p = next(v for v in n[:-1] if v)  # n = p (a, t) with a_first = 1
        a = tuple(Fraction(v, p) for v in n[:-1])
        hyps.append((a, Fraction(n[-1], p), tuple(p * c for c in Cn)))
    hyps.sort(key=lambda h: (h[0], h[1]))
    linear = tuple(tuple(r) for r in _linear(terms))
    return CanonicalData(tuple(hyps), linear, terms.constant, terms.input_dim, terms.output_dim)


def canonical_data(net: Network) -> CanonicalData:
    """The canonical data ``K(f)`` of a network with at most one hidden layer (docs/mathematics.md B1).

    Parameters
    ----------
    net : a :class:`~exactrelu.core.network.Network` with ``depth <= 1`` (depth 0 = an affine map).

    Returns
    -------
    CanonicalData, whose equality is equality of the functions (docs/mathematics.md B2).

    Raises
    ------
    NotApplicableError
        for a network with two or more hidden layers.

    Examples
    --------
    >>> from exactrelu import examples
    >>> d = canonical_data(examples.relu_plus_identity())         # 2 relu(x) - relu(-x) = relu(x) + x
    >>> d.hyperplanes, d.linear
    ((((Fraction(1, 1),), Fraction(0, 1), (Fraction(1, 1),)),), ((Fraction(1, 1),),))

    Notes
    -----
    Cost O(n (d + m) + n log n) exact operations for width n (integer keys, one common denominator per output row).
    """
    return _public(shallow_terms(net))


# ---------------------------------------------------------------------------------------------- subset searches
def _subset_sums(vectors: Sequence[tuple[Fraction, ...]], width: int) -> Iterator[tuple[int, tuple[Fraction, ...]]]:
    """Every ``(mask, sum of vectors[j] for j in mask)`` over the subsets of ``range(len(vectors))``."""
    sums: list[tuple[int, tuple[Fraction, ...]]] = [(0, (_ZERO,) * width)]
    for j, v in enumerate(vectors):
        sums += [(mask | (1 << j), tuple(s + x for s, x in zip(vec, v))) for mask, vec in sums]
    return iter(sums)


def _zero_sum_subsets(base: tuple[Fraction, ...], vectors: Sequence[tuple[Fraction, ...]], *,
                      first: bool = False) -> list[frozenset[int]]:
    """All ``S`` with ``base + sum_{j in S} vectors[j] == 0``, by meet in the middle (O(2^(k/2)) sums per half)."""
    k = len(vectors)
    if k > MAX_SUBSET_HYPERPLANES:
        raise RegionLimitError(f"subset search over {k} hyperplanes (> {MAX_SUBSET_HYPERPLANES}) is too large; "
                               "it is the zero-subset-sum problem (docs/mathematics.md B3/B4, §7 row 14)")
    width = len(base)
    h = k // 2
    left, right = vectors[:h], vectors[h:]
    table: dict[tuple[Fraction, ...], list[int]] = {}
    for mask, vec in _subset_sums(right, width):
        table.setdefault(vec, []).append(mask)
    found: list[frozenset[int]] = []
    for mask, vec in _subset_sums(left, width):
        need = tuple(-(b + s) for b, s in zip(base, vec))
        for rmask in table.get(need, ()):
            full = mask | (rmask << h)
            found.append(frozenset(j for j in range(k) if full >> j & 1))
            if first:
                return found
    found.sort(key=lambda s: (len(s), sorted(s)))
    return found


def _flat(M: Sequence[Sequence[Fraction]]) -> tuple[Fraction, ...]:
    return tuple(v for row in M for v in row)


def _jump_matrix(C: Vector, a: Vector) -> tuple[Fraction, ...]:
    return tuple(c * v for c in C for v in a)


def valid_orientation_sets(data: CanonicalData | Network) -> list[frozenset[int]]:
    """Every ``S ⊆ range(k)`` with ``A_R + sum_{j in S} C_j a_j^T = 0`` (docs/mathematics.md B3), sorted by size then
    content.

    ``S`` says which hyperplanes carry a neuron active on the reference region ``R``; each valid ``S`` gives one
    ``H_k``-orbit of minimal networks (``k!`` components of dimension ``k``).

    >>> from exactrelu import examples
    >>> [sorted(s) for s in valid_orientation_sets(examples.three_kinks())]
    [[0], [2], [0, 1, 2]]

    Notes
    -----
    Exponential in ``k`` (meet in the middle, O(2^(k/2)) sums per half): for ``d = m = 1`` it is the zero-subset-sum
    problem (docs/mathematics.md §7 row 14).  Raises :class:`~exactrelu.core.errors.RegionLimitError` above
    :data:`MAX_SUBSET_HYPERPLANES` hyperplanes.
    """
    if isinstance(data, Network):
        data = canonical_data(data)
    vectors = [_jump_matrix(C, a) for a, _t, C in data.hyperplanes]
    return _zero_sum_subsets(_flat(data.linear), vectors)


def _project_out(vec: tuple[Fraction, ...], a: Vector, d: int) -> tuple[Fraction, ...]:
    """Row by row ``r - r_p a`` where ``a_p = 1`` is the first nonzero entry: zero iff every row is a multiple of a."""
    p = next(j for j, v in enumerate(a) if v)
    out: list[Fraction] = []
    for r in range(len(vec) // d):
        row = vec[r * d:(r + 1) * d]
        out.extend(x - row[p] * y for x, y in zip(row, a))
    return tuple(out)


def minimal_width_case(data: CanonicalData | Network) -> tuple[int, dict[str, Any]]:
    """``(minimal width, witness of the B4 case)`` for the function of ``data`` (docs/mathematics.md B4).

    The witness dict has ``"case"`` in ``"k"``, ``"k+1"``, ``"k+2"`` and the choice made: ``"S"`` (orientation set),
    and for ``"k+1"`` the hyperplane ``"j0"`` carrying two opposite neurons.  Chosen canonically (smallest ``j0``,
    then smallest ``S`` by size and content), so it depends only on the function.
    """
    if isinstance(data, Network):
        data = canonical_data(data)
    d = data.input_dim
    k = data.num_hyperplanes
    base = _flat(data.linear)
    vectors = [_jump_matrix(C, a) for a, _t, C in data.hyperplanes]
    sets = _zero_sum_subsets(base, vectors)
    if sets:
        return k, {"case": "k", "S": sets[0]}
    for j0, (a0, _t0, _C0) in enumerate(data.hyperplanes):
        others = [j for j in range(k) if j != j0]
        proj = [_project_out(vectors[j], a0, d) for j in others]
        found = _zero_sum_subsets(_project_out(base, a0, d), proj)
        if found:
            return k + 1, {"case": "k+1", "j0": j0, "S": frozenset(others[j] for j in found[0])}
    if data.output_dim == 1:
        return k + 2, {"case": "k+2", "S": frozenset()}
    raise NotApplicableError(
        "minimal width for vector output (m > 1) when neither k nor k+1 neurons suffice is not computed here: "
        "docs/mathematics.md B4's k+2 bound holds for scalar output only")


def minimal_width(net: Network | CanonicalData) -> int:
    """The minimal number of hidden neurons of a one-hidden-layer network computing the same function
    (docs/mathematics.md B4).

    ``k`` when some orientation set makes the linear part vanish, ``k+1`` when it vanishes up to a multiple of one
    hyperplane normal (two opposite neurons on that hyperplane), else ``k+2`` (a canceling pair carries the linear
    part; scalar output).

    >>> from exactrelu import examples, Network
    >>> [minimal_width(n) for n in (examples.absolute_value(), examples.relu_plus_identity(),
    ...                             examples.relu_minus_shifted_relu())]
    [2, 2, 2]
    >>> minimal_width(Network.from_lists([([[1, 0], [0, 1], [0, -1]], [0, 0, 0]), ([[1, 1, -1]], [0])]))  # relu(x1)+x2
    3

    Raises
    ------
    NotApplicableError
        for deep networks, and for vector output when neither ``k`` nor ``k+1`` neurons suffice.
    """
    return minimal_width_case(net)[0]


def canonical_form(net: Network | CanonicalData) -> Network:
    """The canonical minimal one-hidden-layer network of the function, in normal form (docs/mathematics.md B1/B4).

    Built from ``K(f)`` alone (so equal functions give identical networks): one neuron per hyperplane, oriented by the
    canonical choice of :func:`minimal_width_case`, plus the opposite neuron on ``H_{j0}`` (case ``k+1``) or a
    canceling pair on the hyperplane ``A_R x = 0`` (case ``k+2``); then :func:`exactrelu.core.symmetry.normal_form`.
    A function with no hyperplane and no linear part gives a network with one invisible zero neuron (a
    :class:`~exactrelu.core.network.Network` needs a hidden layer to be one-hidden-layer).

    >>> from exactrelu import examples
    >>> cf = canonical_form(examples.relu_plus_identity())
    >>> cf.architecture, [cf([x])[0] for x in (-2, 3)]
    ((1, 2, 1), [Fraction(-2, 1), Fraction(6, 1)])
    >>> canonical_form(examples.three_kinks()) == canonical_form(canonical_form(examples.three_kinks()))
    True
    """
    from exactrelu.core.symmetry import normal_form

    data = net if isinstance(net, CanonicalData) else canonical_data(net)
    d, m = data.input_dim, data.output_dim
    width, how = minimal_width_case(data)
    rows: list[Vector] = []
    biases: list[Fraction] = []
    outs: list[Vector] = []  # output column per neuron
    b2 = list(data.constant)
    S = how["S"]
    # residual linear part after orienting the neurons by S: A_S = A_R + sum_S C_j a_j^T
    A_S = [list(r) for r in data.linear]
    for j, (a, t, C) in enumerate(data.hyperplanes):
        if j in S:  # neuron C relu(-(a.x + t)) = C relu(a.x+t) - C (a.x + t)
            rows.append(tuple(-v for v in a))
            biases.append(-t)
            b2 = [s + c * t for s, c in zip(b2, C)]
            for r in range(m):
                for q in range(d):
                    A_S[r][q] += C[r] * a[q]
        else:
            rows.append(a)
            biases.append(t)
        outs.append(C)
    if how["case"] == "k+1":
        j0 = how["j0"]
        a0, t0, _C0 = data.hyperplanes[j0]
        p = next(q for q, v in enumerate(a0) if v)
        u = tuple(A_S[r][p] for r in range(m))  # A_S = u a0^T
        # the neuron beta relu(-(a0.x+t0)) has jump beta on H_j0 and linear part -beta a0^T on R: beta = -u
        beta = tuple(-v for v in u)
        rows.append(tuple(-v for v in a0))
        biases.append(-t0)
        outs.append(beta)
        b2 = [s + c * t0 for s, c in zip(b2, beta)]
        outs[j0] = tuple(c - v for c, v in zip(outs[j0], beta))  # the jumps on H_j0 add up to C_j0
    elif how["case"] == "k+2":
        vec = tuple(A_S[0])
        if any(vec):  # relu(v.x) - relu(-v.x) = v.x carries the linear part
            rows += [vec, tuple(-v for v in vec)]
            biases += [_ZERO, _ZERO]
            outs += [(Fraction(1),), (Fraction(-1),)]
    if not rows:
        rows, biases, outs = [(_ZERO,) * d], [_ZERO], [(_ZERO,) * m]
    hidden = Layer(tuple(rows), tuple(biases))
    output = Layer(tuple(tuple(col[r] for col in outs) for r in range(m)), tuple(b2))
    return normal_form(Network((hidden, output)))
