"""Reduce a ReLU network of any depth to a smaller equivalent one, with the equivalence certificate
(docs/mathematics.md §3).

Rules, each exact (the function on the domain is unchanged):

* **dead neurons** (``z <= 0`` on the whole domain; docs/mathematics.md §3): removed with their outgoing weights.
  Found exactly
  from the activation regions (a neuron is dead iff no region has it active), after a cheap sufficient test
  (interval bounds: ``z = w . a + b <= 0`` whenever the previous activations are ``>= 0`` and bounded);
* **invisible neurons** (all outgoing weights 0): removed;
* **constant neurons** (zero incoming row): ``relu(b)`` folded into the next layer's bias;
* **duplicate neurons** (positively parallel incoming rows and biases, ``z_j = lam z_i`` with ``lam > 0``): merged,
  the outgoing weights of ``j`` times ``lam`` added to those of ``i``;
* **always-active neurons** (``z >= 0`` on the whole domain, so ``relu(z) = z``): a layer whose neurons are all
  always active is composed with the next layer (one hidden layer fewer); an always-active neuron whose incoming
  row is a combination of other always-active neurons of its layer, ``z_i = sum alpha_k z_k + beta``, is folded
  into them (exact linear solve);
* **shallow networks on R^d**: the canonical minimal form (docs/mathematics.md B1/B4) when it is smaller.

A layer left without neurons makes the rest of the network constant; the result is then an affine network with no
hidden layer.  The result always carries the certificate of :func:`exactrelu.theory.equality.equivalence.equivalent` for
``original`` vs ``reduced`` on the domain (region-by-region, independently checkable).

Examples
--------
>>> from exactrelu import examples
>>> r = reduce(examples.dead_second_layer())
>>> r.network.architecture, r.network([0, 0]), examples.dead_second_layer()([0, 0])
((2, 1), (Fraction(1, 2),), (Fraction(1, 2),))
>>> r.certificate["kind"], bool(r.equivalence)
('equivalence', True)
>>> reduce(examples.linear_block()).network.architecture     # the always-active second layer is composed away
(2, 2, 1)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from exactrelu.core.errors import NotApplicableError, RegionLimitError, ShapeError
from exactrelu.core.network import Layer, Network
from exactrelu.theory.equality.equivalence import Equivalence, equivalent

if TYPE_CHECKING:
    from exactrelu.geometry.polyhedra import Polyhedron

__all__ = ["Reduction", "reduce"]

_ZERO = Fraction(0)


@dataclass(frozen=True)
class Reduction:
    """The result of :func:`reduce`: ``network`` (equivalent to ``original`` on ``domain``), the ``steps`` taken, and
    ``equivalence`` (an :class:`~exactrelu.theory.equality.equivalence.Equivalence` with the certificate, when
    certified)."""

    network: Network
    original: Network
    steps: tuple[str, ...]
    equivalence: Equivalence | None
    domain: Polyhedron | None = None

    @property
    def certificate(self) -> dict[str, Any] | None:
        return self.equivalence.certificate if self.equivalence is not None else None

    @property
    def removed_neurons(self) -> int:
        return self.original.num_hidden - self.network.num_hidden

    def __repr__(self) -> str:
        cert = "certified" if self.certificate is not None else "not certified"
        return (f"Reduction({self.original.architecture} -> {self.network.architecture}, "
                f"{len(self.steps)} steps, {cert})")

    def __str__(self) -> str:
        head = (f"{self.original.architecture} -> {self.network.architecture}: {self.removed_neurons} neuron(s) "
                f"removed ({'certified' if self.certificate is not None else 'not certified'})")
        return "\n".join([head, *(f"  {s}" for s in self.steps)])

    def to_dict(self) -> dict[str, Any]:
        from exactrelu.core.io import network_to_dict

        return {"architecture": list(self.network.architecture),
                "original_architecture": list(self.original.architecture),
                "removed_neurons": self.removed_neurons, "steps": list(self.steps),
                "network": network_to_dict(self.network),
                "equivalence": self.equivalence.to_dict() if self.equivalence is not None else None}


class _Work:
    """Mutable working copy: ``hidden[l] = [rows, biases, ids]`` and the output layer; ids are original (l, i)."""

    def __init__(self, net: Network) -> None:
        self.d = net.input_dim
        self.hidden: list[list[list[Any]]] = []
        for l, layer in enumerate(net.layers[:-1]):
            self.hidden.append([[list(r) for r in layer.weights], list(layer.biases),
                                [frozenset({(l, i)}) for i in range(layer.n_out)]])
        out = net.layers[-1]
        self.out = [[list(r) for r in out.weights], list(out.biases)]

    def next_layer(self, l: int) -> list[Any]:
        return self.hidden[l + 1] if l + 1 < len(self.hidden) else self.out

    def drop(self, l: int, idxs: set[int]) -> None:
        rows, biases, ids = self.hidden[l]
        keep = [i for i in range(len(rows)) if i not in idxs]
        self.hidden[l] = [[rows[i] for i in keep], [biases[i] for i in keep], [ids[i] for i in keep]]
        nxt = self.next_layer(l)
        nxt[0] = [[row[i] for i in keep] for row in nxt[0]]

    def column(self, l: int, i: int) -> list[Fraction]:
        return [row[i] for row in self.next_layer(l)[0]]

    def add_to_column(self, l: int, i: int, coeff: Fraction, col: list[Fraction]) -> None:
        for row, c in zip(self.next_layer(l)[0], col):
            row[i] += coeff * c

    def add_to_next_bias(self, l: int, coeff: Fraction, col: list[Fraction]) -> None:
        nxt = self.next_layer(l)
        nxt[1] = [b + coeff * c for b, c in zip(nxt[1], col)]

    def network(self) -> Network:
        for l, (rows, _b, _ids) in enumerate(self.hidden):
            if not rows:
                return self._constant_from(l)
        layers = [Layer(tuple(map(tuple, r)), tuple(b)) for r, b, _ in self.hidden]
        layers.append(Layer(tuple(map(tuple, self.out[0])), tuple(self.out[1])))
        return Network(tuple(layers))

    def _constant_from(self, l: int) -> Network:
        """Layer ``l`` is empty: everything after it is constant; return the affine network of that constant."""
        vals: list[Fraction] = []
        for k in range(l + 1, len(self.hidden)):
            rows, biases, _ = self.hidden[k]
            vals = [max(sum((w * v for w, v in zip(r, vals)), b), _ZERO) for r, b in zip(rows, biases)]
        outw, outb = self.out
        y = [sum((w * v for w, v in zip(r, vals)), b) for r, b in zip(outw, outb)]
        return Network((Layer(tuple((_ZERO,) * self.d for _ in y), tuple(y)),))


def _interval_analysis(net: Network, domain: Polyhedron | None) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Cheap sufficient tests: (dead, always-active) neurons from exact interval bounds (None = unbounded)."""
    d = net.input_dim
    lo: list[Fraction | None] = [None] * d
    hi: list[Fraction | None] = [None] * d
    if domain is not None and not domain.equalities:
        for row in domain.inequalities:
            nz = [k for k, v in enumerate(row[1:]) if v]
            if len(nz) == 1:
                k = nz[0]
                bound = -row[0] / row[k + 1]
                if row[k + 1] > 0:
                    lo[k] = bound if lo[k] is None else max(lo[k], bound)  # type: ignore[type-var]
                else:
                    hi[k] = bound if hi[k] is None else min(hi[k], bound)  # type: ignore[type-var]
    dead, active = set(), set()
    for l, layer in enumerate(net.layers[:-1]):
        nlo: list[Fraction | None] = []
        nhi: list[Fraction | None] = []
        for i, (row, b) in enumerate(zip(layer.weights, layer.biases)):
            zl: Fraction | None = b
            zh: Fraction | None = b
            for w, a, c in zip(row, lo, hi):
                if w == 0:
                    continue
                low, high = (a, c) if w > 0 else (c, a)
                zl = None if zl is None or low is None else zl + w * low
                zh = None if zh is None or high is None else zh + w * high
            if zh is not None and zh <= 0:
                dead.add((l, i))
            if zl is not None and zl >= 0:
                active.add((l, i))
            nlo.append(max(zl, _ZERO) if zl is not None else _ZERO)
            nhi.append(max(zh, _ZERO) if zh is not None else None)
        lo, hi = nlo, nhi
    return dead, active


def _exact_analysis(net: Network, domain: Polyhedron | None, max_regions: int | None,
                    progress: Callable[[int], None] | None) -> tuple[set[tuple[int, int]], set[tuple[int, int]], int]:
    """(dead, always-active, number of regions) from the activation regions on the domain (exact)."""
    from exactrelu.geometry.regions import DEFAULT_MAX_REGIONS, regions

    cx = regions(net, domain, max_regions=max_regions or DEFAULT_MAX_REGIONS, progress=progress)
    dead, active = set(), set()
    for l, width in enumerate(net.hidden_widths):
        for i in range(width):
            signs = [R.pattern[l][i] for R in cx.regions]
            if all(s <= 0 for s in signs):
                dead.add((l, i))
            elif all(s >= 0 for s in signs):
                active.add((l, i))
    return dead, active, len(cx.regions)


def _local_rules(w: _Work, active: set[frozenset[tuple[int, int]]], steps: list[str]) -> bool:
    """One pass of invisible / constant / duplicate / always-active folding.  Returns whether anything changed."""
    from exactrelu.engines.flintlib import solve
    from exactrelu.theory.equality.shallow import primitive_hyperplane

    changed = False
    for l in range(len(w.hidden)):
        rows, biases, ids = w.hidden[l]
        # invisible
        gone = {i for i in range(len(rows)) if not any(w.column(l, i))}
        if gone:
            w.drop(l, gone)
            steps.append(f"layer {l + 1}: removed {len(gone)} invisible neuron(s) (zero outgoing weights)")
            changed = True
        rows, biases, ids = w.hidden[l]
        # constant
        const = {i for i in range(len(rows)) if not any(rows[i])}
        if const:
            for i in const:
                w.add_to_next_bias(l, max(biases[i], _ZERO), w.column(l, i))
            w.drop(l, const)
            steps.append(f"layer {l + 1}: folded {len(const)} constant neuron(s) into the next bias")
            changed = True
        rows, biases, ids = w.hidden[l]
        # duplicates (positively parallel)
        seen: dict[tuple[int, ...], tuple[int, Fraction]] = {}
        dup: set[int] = set()
        for i in range(len(rows)):
            n, o, mu = primitive_hyperplane(rows[i], biases[i])
            key = (o, *n)
            if key in seen:
                k, mu_k = seen[key]
                w.add_to_column(l, k, mu / mu_k, w.column(l, i))  # a_i = (mu_i / mu_k) a_k
                dup.add(i)
            else:
                seen[key] = (i, mu)
        if dup:
            w.drop(l, dup)
            steps.append(f"layer {l + 1}: merged {len(dup)} duplicate (positively parallel) neuron(s)")
            changed = True
        rows, biases, ids = w.hidden[l]
        # always-active neurons: whole layer -> compose; else fold linearly dependent ones
        act = [i for i in range(len(rows)) if ids[i] in active]
        if rows and len(act) == len(rows):
            nxt = w.next_layer(l)
            W2 = nxt[0]
            newW = [[sum((r2[k] * rows[k][j] for k in range(len(rows))), _ZERO) for j in range(len(rows[0]))]
                    for r2 in W2]
            newb = [sum((r2[k] * biases[k] for k in range(len(rows))), b2) for r2, b2 in zip(W2, nxt[1])]
            nxt[0], nxt[1] = newW, newb
            del w.hidden[l]
            steps.append(f"layer {l + 1}: all neurons always active on the domain; composed with the next layer")
            return True
        dep: set[int] = set()
        for i in act:
            basis = [k for k in act if k != i and k not in dep]
            if not basis:
                continue
            n_in = len(rows[i])
            cols = [[*rows[k], biases[k]] for k in basis] + [[_ZERO] * n_in + [Fraction(1)]]
            M = [[c[r] for c in cols] for r in range(n_in + 1)]
            sol = solve(M, [*rows[i], biases[i]])
            if sol is None:
                continue
            col = w.column(l, i)
            for k, alpha in zip(basis, sol[:-1]):
                w.add_to_column(l, k, alpha, col)
            w.add_to_next_bias(l, sol[-1], col)
            dep.add(i)
        if dep:
            w.drop(l, dep)
            steps.append(f"layer {l + 1}: folded {len(dep)} always-active neuron(s) that are affine combinations "
                         "of other always-active neurons")
            changed = True
    return changed


def reduce(net: Network, domain: Polyhedron | None = None, *, exact: bool = True, certify: bool = True,
           max_regions: int | None = None, progress: Callable[[int], None] | None = None) -> Reduction:
    """An equivalent, smaller network on ``domain`` (``R^d`` when None), returned with its equivalence certificate.

    Parameters
    ----------
    net : any depth.
    domain : ``None`` or a full-dimensional :class:`~exactrelu.geometry.polyhedra.Polyhedron` (e.g. ``Box``):
        neurons that never fire on the domain are pruned ("may I prune the neurons that never fire on my data's box?").
    exact : find dead and always-active neurons exactly from the activation regions (else only the cheap interval
        test; if the enumeration exceeds ``max_regions`` the cheap test is used and a step says so).
    certify : attach the region-by-region certificate of ``original == reduced`` on the domain.

    Returns
    -------
    Reduction with ``network``, ``steps``, ``equivalence`` / ``certificate``.

    Examples
    --------
    >>> from exactrelu import Network
    >>> net = Network.from_lists([([[1], [2], [0], [1]], [1, 2, 3, -1]), ([[1, 1, 1, 0]], [0])])
    >>> r = reduce(net)       # duplicate neuron, constant neuron, invisible neuron
    >>> r.network.architecture, r.network([5]) == net([5]), r.removed_neurons
    ((1, 1, 1), True, 3)
    """
    if not isinstance(net, Network):
        raise ShapeError("reduce() needs an exactrelu Network")
    steps: list[str] = []
    dead: set[tuple[int, int]]
    act: set[tuple[int, int]]
    dead, act = _interval_analysis(net, domain)
    if exact and net.depth > 0:
        try:
            d2, a2, count = _exact_analysis(net, domain, max_regions, progress)
            dead, act = dead | d2, act | a2
            steps.append(f"activation regions on the domain: {count} (exact dead / always-active analysis)")
        except RegionLimitError as exc:
            steps.append(f"exact analysis skipped ({exc}); only the interval test was used")
    w = _Work(net)
    for l in range(net.depth):
        gone = {i for i in range(len(w.hidden[l][0])) if (l, i) in dead}
        if gone:
            w.drop(l, gone)
            steps.append(f"layer {l + 1}: removed {len(gone)} dead neuron(s) (never active on the domain)")
    active = {frozenset({n}) for n in act}
    if any(not h[0] for h in w.hidden):
        steps.append("a hidden layer has no live neuron: the network is constant on the domain")
    else:
        while _local_rules(w, active, steps):
            if any(not h[0] for h in w.hidden):
                steps.append("a hidden layer has no live neuron left: the rest of the network is constant")
                break
    reduced = w.network()
    if domain is None and reduced.depth == 1:
        from exactrelu.theory.equality.shallow import canonical_form, minimal_width

        try:
            if minimal_width(reduced) < reduced.num_hidden:
                reduced = canonical_form(reduced)
                steps.append(f"canonical minimal form (docs/mathematics.md B4): {reduced.num_hidden} hidden neuron(s)")
        except (NotApplicableError, RegionLimitError) as exc:
            steps.append(f"minimal form not computed: {exc}")
    if not steps:
        steps.append("nothing to reduce")
    eq = None
    if certify:
        eq = equivalent(net, reduced, domain, certificate=True, max_regions=max_regions, progress=progress)
        if not eq:
            raise AssertionError(f"internal error: reduction changed the function (witness {eq.witness})")
    return Reduction(reduced, net, tuple(steps), eq, domain)
