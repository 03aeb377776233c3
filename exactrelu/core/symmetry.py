"""Trivial symmetries G_A = prod_l (S_{n_l} ⋉ R_{>0}^{n_l}) and the normal form of an orbit (docs/mathematics.md §1).

Action on hidden layer ``l`` (1-based, ``1 <= l <= L``):

* ``rescale(net, l, c)``: neuron ``i`` of layer ``l`` gets incoming row and bias multiplied by ``c_i > 0`` and its
  outgoing column (in layer ``l+1``) divided by ``c_i``;
* ``permute(net, l, perm)``: new neuron ``i`` is old neuron ``perm[i]`` (rows of layer ``l``, columns of ``l+1``).

Both preserve the function because ``relu(c z) = c relu(z)`` for ``c > 0``.

**Normal form.** (1) For ``l = 1..L``: scale each neuron so that the max-abs entry of its incoming row and bias is 1
(``c = 1/max|.|``, rational), propagating ``1/c`` to the outgoing column; a neuron whose incoming row and bias are all
zero instead gets its outgoing column normalised to max-abs 1.  (2) Choose the permutations that make the parameter
vector lexicographically smallest, layer by layer.  Step (2) sorts rows; when several neurons have identical
normalised incoming rows, all orderings of those ties are tried (they only differ in later layers), so the result is a
genuine orbit invariant: **two networks differ by a trivial symmetry iff their normal forms are equal**.

Examples
--------
>>> from exactrelu import examples
>>> net = examples.relu_of_sum()
>>> other = rescale(permute(net, 1, (1, 0)), 1, (3, Fraction(1, 2)))
>>> normal_form(other) == normal_form(net)
True
>>> g = related_by_trivial_symmetry(net, other)
>>> g.apply(net) == other
True
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from exactrelu.core.errors import ShapeError
from exactrelu.core.network import Layer, Network
from exactrelu.core.rational import as_rational

__all__ = [
    "permute", "rescale", "normal_form", "related_by_trivial_symmetry", "TrivialSymmetry", "random_trivial_symmetry",
    "split_neuron",
]

_MAX_TIE_ORDERINGS = 100_000


def _check_hidden(net: Network, layer: int) -> None:
    if not 1 <= layer <= net.depth:
        raise ShapeError(f"hidden layer index must be in 1..{net.depth}, got {layer}")


def permute(net: Network, layer: int, perm: Sequence[int]) -> Network:
    """Reorder the neurons of hidden layer ``layer`` (1-based): new neuron ``i`` is old neuron ``perm[i]``."""
    _check_hidden(net, layer)
    n = net.layers[layer - 1].n_out
    p = tuple(int(i) for i in perm)
    if sorted(p) != list(range(n)):
        raise ShapeError(f"{p} is not a permutation of range({n})")
    layers = list(net.layers)
    cur, nxt = layers[layer - 1], layers[layer]
    layers[layer - 1] = Layer(tuple(cur.weights[i] for i in p), tuple(cur.biases[i] for i in p))
    layers[layer] = Layer(tuple(tuple(row[i] for i in p) for row in nxt.weights), nxt.biases)
    return Network(tuple(layers))


def rescale(net: Network, layer: int, factors: Sequence[object]) -> Network:
    """Multiply neuron ``i`` of hidden layer ``layer`` by ``factors[i] > 0`` (outgoing weights divided by it)."""
    _check_hidden(net, layer)
    n = net.layers[layer - 1].n_out
    c = tuple(as_rational(f) for f in factors)
    if len(c) != n:
        raise ShapeError(f"layer {layer} has {n} neurons, got {len(c)} factors")
    if any(f <= 0 for f in c):
        raise ValueError("rescaling factors must be positive (relu(c z) = c relu(z) needs c > 0)")
    layers = list(net.layers)
    cur, nxt = layers[layer - 1], layers[layer]
    layers[layer - 1] = Layer(tuple(tuple(f * w for w in row) for f, row in zip(c, cur.weights)),
                              tuple(f * b for f, b in zip(c, cur.biases)))
    layers[layer] = Layer(tuple(tuple(w / f for w, f in zip(row, c)) for row in nxt.weights), nxt.biases)
    return Network(tuple(layers))


@dataclass(frozen=True, slots=True)
class TrivialSymmetry:
    """An element of G_A: for each hidden layer, positive ``factors`` (per old neuron) then a permutation ``perms``.

    ``apply(net)`` rescales hidden layer ``l`` by ``factors[l-1]`` and then permutes it by ``perms[l-1]``.
    """

    perms: tuple[tuple[int, ...], ...]
    factors: tuple[tuple[Fraction, ...], ...]

    def apply(self, net: Network) -> Network:
        for l in range(1, net.depth + 1):
            net = permute(rescale(net, l, self.factors[l - 1]), l, self.perms[l - 1])
        return net

    def to_dict(self) -> dict[str, object]:
        return {"perms": [list(p) for p in self.perms], "factors": [[str(f) for f in fs] for fs in self.factors]}


def random_trivial_symmetry(net: Network, rng: random.Random | int, *, max_factor: int = 9) -> TrivialSymmetry:
    """A random element of G_A for ``net``: uniform permutations and factors p/q with 1 <= p, q <= max_factor.

    Used by tests and proofs checks ("a trivial symmetry never changes the function").

    >>> from exactrelu import examples
    >>> net = examples.relu_of_sum()
    >>> g = random_trivial_symmetry(net, 3)
    >>> g.apply(net)([1, 2]) == net([1, 2])
    True
    """
    rng = rng if isinstance(rng, random.Random) else random.Random(rng)
    perms, factors = [], []
    for n in net.hidden_widths:
        perm = list(range(n))
        rng.shuffle(perm)
        perms.append(tuple(perm))
        factors.append(tuple(Fraction(rng.randint(1, max_factor), rng.randint(1, max_factor)) for _ in range(n)))
    return TrivialSymmetry(tuple(perms), tuple(factors))


def split_neuron(net: Network, layer: int, i: int, factors: Sequence[object], share: object) -> Network:
    """Replace neuron ``i`` of hidden layer ``layer`` (1-based) by two copies scaled by ``factors = (l0, l1) > 0``
    with outgoing weights ``share/l0`` and ``(1 - share)/l1`` times the original: the same function, one more neuron
    (the neuron-splitting hidden symmetry of docs/mathematics.md §3; the copy is appended as the last neuron of the
    layer).

    >>> from exactrelu import examples
    >>> net = examples.relu_of_sum()
    >>> wide = split_neuron(net, 1, 0, (2, Fraction(1, 3)), Fraction(1, 4))
    >>> wide.architecture, wide([3, -1]) == net([3, -1])
    ((2, 3, 1, 1), True)
    """
    _check_hidden(net, layer)
    l0, l1 = (as_rational(f) for f in factors)
    share_q = as_rational(share)
    if l0 <= 0 or l1 <= 0:
        raise ValueError("splitting factors must be positive")
    cur, nxt = net.layers[layer - 1], net.layers[layer]
    rows = list(cur.weights) + [tuple(l1 * v for v in cur.weights[i])]
    rows[i] = tuple(l0 * v for v in cur.weights[i])
    biases = list(cur.biases) + [l1 * cur.biases[i]]
    biases[i] = l0 * cur.biases[i]
    W = []
    for row in nxt.weights:
        new = list(row) + [(1 - share_q) * row[i] / l1]
        new[i] = share_q * row[i] / l0
        W.append(tuple(new))
    layers = list(net.layers)
    layers[layer - 1] = Layer(tuple(rows), tuple(biases))
    layers[layer] = Layer(tuple(W), nxt.biases)
    return Network(tuple(layers))


def _normalise_scales(net: Network) -> tuple[Network, list[list[Fraction]]]:
    """Step (1) of the normal form; returns the scaled network and the factor applied to each neuron."""
    all_factors = []
    for l in range(1, net.depth + 1):
        cur, nxt = net.layers[l - 1], net.layers[l]
        factors = []
        for i in range(cur.n_out):
            m = max(abs(v) for v in (*cur.weights[i], cur.biases[i]))
            if m:
                factors.append(1 / m)
            else:
                col = max(abs(row[i]) for row in nxt.weights)
                factors.append(col if col else Fraction(1))  # dividing the column by col normalises it
        net = rescale(net, l, factors)
        all_factors.append(factors)
    return net, all_factors


def _key(layer: Layer, i: int) -> tuple[Fraction, ...]:
    return (*layer.weights[i], layer.biases[i])


def _canonical_perms(net: Network) -> tuple[Network, tuple[tuple[int, ...], ...]]:
    """Step (2): the permutations giving the lexicographically smallest parameter vector (ties tried exhaustively)."""
    # candidates: list of (network so far, perms so far)
    candidates: list[tuple[Network, tuple[tuple[int, ...], ...]]] = [(net, ())]
    for l in range(1, net.depth + 1):
        new: list[tuple[Network, tuple[tuple[int, ...], ...]]] = []
        for cand, perms in candidates:
            layer = cand.layers[l - 1]
            order = sorted(range(layer.n_out), key=lambda i: _key(layer, i))
            groups = [list(g) for _, g in itertools.groupby(order, key=lambda i: _key(layer, i))]
            count = 1
            for g in groups:
                for k in range(2, len(g) + 1):
                    count *= k
            if count * len(candidates) > _MAX_TIE_ORDERINGS:
                raise ShapeError(
                    f"normal form: {count} orderings of identical neurons in layer {l}; merge duplicate neurons first "
                    "(exactrelu.theory.equality.reduce)"
                )
            for choice in itertools.product(*(itertools.permutations(g) for g in groups)):
                perm = tuple(i for g in choice for i in g)
                new.append((permute(cand, l, perm), perms + (perm,)))
        best = min(new, key=lambda t: t[0].parameters())
        candidates = [t for t in new if t[0].parameters()[: _prefix_len(net, l + 1)] ==
                      best[0].parameters()[: _prefix_len(net, l + 1)]]
        # drop duplicates that are the same network (identical neurons) to keep the set small
        seen: dict[tuple[Fraction, ...], tuple[Network, tuple[tuple[int, ...], ...]]] = {}
        for c in candidates:
            seen.setdefault(c[0].parameters(), c)
        candidates = list(seen.values())
    best = min(candidates, key=lambda t: t[0].parameters())
    return best


def _prefix_len(net: Network, upto_layer: int) -> int:
    """Number of parameters in layers 1..upto_layer (1-based, inclusive)."""
    arch = net.architecture
    return sum(arch[i] * (arch[i - 1] + 1) for i in range(1, min(upto_layer, len(arch) - 1) + 1))


def _normal_form_with_transform(net: Network) -> tuple[Network, list[list[Fraction]], tuple[tuple[int, ...], ...]]:
    scaled, factors = _normalise_scales(net)
    nf, perms = _canonical_perms(scaled)
    return nf, factors, perms


def normal_form(net: Network) -> Network:
    """The unique representative of the trivial-symmetry orbit of ``net`` (see the module docstring).

    Notes
    -----
    Cost O(D log n) without ties; with k identical normalised neurons in a layer, k! orderings are compared.
    """
    return _normal_form_with_transform(net)[0]


def related_by_trivial_symmetry(a: Network, b: Network) -> TrivialSymmetry | None:
    """The :class:`TrivialSymmetry` g with ``g.apply(a) == b``, or ``None`` when the orbits differ."""
    if a.architecture != b.architecture:
        return None
    nfa, fa, pa = _normal_form_with_transform(a)
    nfb, fb, pb = _normal_form_with_transform(b)
    if nfa != nfb:
        return None
    perms, factors = [], []
    for l in range(a.depth):
        n = len(pa[l])
        perm = [0] * n
        fac = [Fraction(1)] * n
        for k in range(n):
            j, i = pb[l][k], pa[l][k]  # b's neuron j and a's neuron i sit at position k of the normal form
            perm[j] = i
            fac[i] = fa[l][i] / fb[l][j]
        perms.append(tuple(perm))
        factors.append(tuple(fac))
    g = TrivialSymmetry(tuple(perms), tuple(factors))
    if g.apply(a) != b:  # exact self-check; cannot fail unless the normal form is wrong
        raise AssertionError("internal error: trivial symmetry reconstruction failed")
    return g
