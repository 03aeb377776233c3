"""Architectures and activation patterns of pattern varieties (docs/mathematics.md H1).

A *pattern* names the active hidden neurons of one block: one set per hidden layer.  Internally a pattern is a tuple
of ``frozenset`` of **0-based** neuron indices, one per hidden layer; at the API and in the CLI neurons are
**1-based**, as in docs/mathematics.md H3 (``{1,2,3}``).  The CLI syntax is ``12`` (neurons 1 and 2 of the only hidden
layer), ``123/2`` (two hidden layers), ``-`` (no neuron); widths of ten or more need commas inside a layer
(``1,10,12``).

The pattern variety depends on the patterns only up to relabelling the neurons of each hidden layer and reordering
the blocks; :func:`canonical_patterns` picks one representative of that orbit and :func:`pattern_sets` lists the
orbits for sweeps.

Examples
--------
>>> pats = normalize_patterns((3, 3, 3), ["123", [1]])
>>> [pattern_label(p) for p in pats]
['{1,2,3}', '{1}']
>>> membership_classes((3, 3, 3), pats)[0]
(((0,), (1, 1)), ((1, 2), (1, 0)))
>>> [pattern_label(p) for p in canonical_patterns((3, 3, 3), normalize_patterns((3, 3, 3), ["1", "23"]))]
['{1}', '{2,3}']
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from exactrelu.core.errors import FormatError, ShapeError

__all__ = [
    "Pattern",
    "check_architecture",
    "parse_pattern",
    "normalize_patterns",
    "pattern_label",
    "pattern_masks",
    "membership_classes",
    "canonical_patterns",
    "pattern_sets",
    "used_parameters",
    "variety_parameters",
    "block_rank",
]

Pattern = tuple[frozenset[int], ...]


def check_architecture(architecture: Sequence[int]) -> tuple[int, ...]:
    """``(n0, n1, ..., nL, m)`` with at least one hidden layer and all sizes >= 1, as a tuple of ints."""
    try:
        arch = tuple(int(a) for a in architecture)
    except (TypeError, ValueError):
        raise ShapeError(f"architecture {architecture!r}: expected a sequence of positive integers") from None
    if len(arch) < 3 or any(a < 1 for a in arch):
        raise ShapeError(f"architecture {arch}: a pattern variety needs (n0, n1, ..., m) with >= 1 hidden layer, "
                         "all sizes >= 1")
    return arch


def _layer_from_text(text: str, width: int, where: str) -> frozenset[int]:
    text = text.strip()
    if text in ("-", ""):
        return frozenset()
    parts = text.split(",") if "," in text else list(text)
    out = set()
    for t in parts:
        try:
            j = int(t)
        except ValueError:
            raise FormatError(f"{where}: {t!r} is not a neuron number") from None
        if not 1 <= j <= width:
            raise FormatError(f"{where}: neuron {j} outside 1..{width}")
        out.add(j - 1)
    return frozenset(out)


def parse_pattern(text: str, architecture: Sequence[int]) -> Pattern:
    """Parse the CLI syntax (``12``, ``123/2``, ``-``, ``1,10/-``) into 0-based sets per hidden layer.

    >>> parse_pattern("13/-", (2, 3, 2, 1))
    (frozenset({0, 2}), frozenset())
    """
    arch = check_architecture(architecture)
    layers = text.split("/")
    if len(layers) != len(arch) - 2:
        raise FormatError(f"pattern {text!r}: {len(layers)} layer(s) given ('/' separates them), the architecture "
                          f"has {len(arch) - 2} hidden layer(s)")
    return tuple(_layer_from_text(t, arch[l + 1], f"pattern {text!r}") for l, t in enumerate(layers))


def _layer_from_ints(values: Iterable[object], width: int, where: str) -> frozenset[int]:
    out = set()
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            raise FormatError(f"{where}: neurons are 1-based integers, got {v!r}")
        if not 1 <= v <= width:
            raise FormatError(f"{where}: neuron {v} outside 1..{width}")
        out.add(v - 1)
    return frozenset(out)


def normalize_patterns(architecture: Sequence[int], patterns: Sequence[object]) -> tuple[Pattern, ...]:
    """Patterns in any accepted form as 0-based frozensets per hidden layer.

    A pattern is a CLI string (:func:`parse_pattern`), or for one hidden layer an iterable of 1-based neuron numbers,
    or a sequence of such iterables, one per hidden layer.  A tuple of ``frozenset`` (one per hidden layer) is the
    internal **0-based** form (as in :attr:`PatternVariety.patterns` and :func:`pattern_sets`) and is kept as is.
    """
    arch = check_architecture(architecture)
    L = len(arch) - 2
    pats = list(patterns)
    if not pats:
        raise FormatError("give at least one activation pattern")
    out = []
    for i, p in enumerate(pats):
        where = f"pattern {i + 1}"
        if isinstance(p, str):
            out.append(parse_pattern(p, arch))
            continue
        if isinstance(p, tuple) and len(p) == L and all(isinstance(v, frozenset) for v in p):
            if any(not 0 <= j < arch[l + 1] for l, v in enumerate(p) for j in v):
                raise FormatError(f"{where}: 0-based neuron index out of range in {p!r}")
            out.append(p)  # already the internal 0-based form
            continue
        try:
            items = list(p)  # type: ignore[call-overload]
        except TypeError:
            raise FormatError(f"{where}: expected a string like '12' or a set of neuron numbers, got {p!r}") from None
        if L == 1 and all(isinstance(v, int) for v in items):
            out.append((_layer_from_ints(items, arch[1], where),))
            continue
        if len(items) != L or any(isinstance(v, (int, str)) for v in items):
            raise FormatError(f"{where}: expected {L} sets of neurons (one per hidden layer), got {p!r}")
        out.append(tuple(_layer_from_ints(v, arch[l + 1], where) for l, v in enumerate(items)))
    return tuple(out)


def pattern_label(pattern: Pattern) -> str:
    """``{1,2}/{3}`` (1-based), ``{}`` for an empty layer."""
    return "/".join("{" + ",".join(str(j + 1) for j in sorted(s)) + "}" for s in pattern)


def pattern_masks(architecture: Sequence[int], pattern: Pattern) -> tuple[tuple[int, ...], ...]:
    """0/1 masks per hidden layer (the form :func:`exactrelu.jacobian.pattern_jacobian` takes)."""
    return tuple(tuple(int(j in s) for j in range(architecture[l + 1])) for l, s in enumerate(pattern))


def membership_classes(architecture: Sequence[int],
                       patterns: Sequence[Pattern]) -> tuple[tuple[tuple[tuple[int, ...], tuple[int, ...]], ...], ...]:
    """Per hidden layer, the neurons grouped by their membership vector across the blocks (docs/mathematics.md H3).

    Returns, for each hidden layer, ``((neurons, membership), ...)`` with 0-based neurons, sorted by first neuron;
    neurons active in no block are left out (they do not enter the parametrisation).
    """
    out = []
    for l in range(len(architecture) - 2):
        groups: dict[tuple[int, ...], list[int]] = {}
        for j in range(architecture[l + 1]):
            v = tuple(int(j in p[l]) for p in patterns)
            if any(v):
                groups.setdefault(v, []).append(j)
        out.append(tuple(sorted(((tuple(js), v) for v, js in groups.items()), key=lambda t: t[0])))
    return tuple(out)


def canonical_patterns(architecture: Sequence[int], patterns: Sequence[Pattern]) -> tuple[Pattern, ...]:
    """The representative of the orbit of ``patterns`` under neuron relabellings (per layer) and block reorderings.

    Two pattern sets in one orbit have isomorphic pattern varieties (the same dimension, the same equations up to
    renaming).  Cost ``k!`` for ``k`` blocks.
    """
    k = len(patterns)
    best: tuple | None = None
    for perm in itertools.permutations(range(k)):
        key = tuple(tuple(sorted((tuple(int(j in patterns[perm[i]][l]) for i in range(k))
                                  for j in range(architecture[l + 1])), reverse=True))
                    for l in range(len(architecture) - 2))
        if best is None or key < best:
            best = key
    assert best is not None
    return tuple(tuple(frozenset(j for j, v in enumerate(best[l]) if v[i]) for l in range(len(best)))
                 for i in range(k))


def pattern_sets(architecture: Sequence[int], k: int) -> list[tuple[Pattern, ...]]:
    """All sets of ``k`` patterns up to symmetry (neuron relabellings per layer, block reorderings), sorted.

    >>> len(pattern_sets((4, 4, 4), 2))     # 35 splits (both, first only, second only, none), up to swap
    22
    """
    arch = check_architecture(architecture)
    per_layer = [list(itertools.combinations_with_replacement(list(itertools.product((1, 0), repeat=k)), n))
                 for n in arch[1:-1]]
    seen: set[tuple[Pattern, ...]] = set()
    for choice in itertools.product(*per_layer):
        pats = tuple(tuple(frozenset(j for j, v in enumerate(choice[l]) if v[i]) for l in range(len(choice)))
                     for i in range(k))
        seen.add(canonical_patterns(arch, pats))
    return sorted(seen, key=lambda ps: [sorted(sorted(s) for s in p) for p in ps])


def used_parameters(architecture: Sequence[int], patterns: Sequence[Pattern], bias: bool) -> tuple[bool, ...]:
    """For each parameter in canonical order: does it enter some block's matrix ``M_i`` (generically)?

    ``W^(l)_{jk}`` enters block ``i`` iff neuron ``j`` of layer ``l`` (or the output) and neuron ``k`` of layer
    ``l-1`` (or the input) are active, no later hidden layer of the pattern is empty and (without biases) no earlier
    one either; a bias ``b^(l)_j`` (only with ``bias=True``) iff ``j`` is active and no later hidden layer is empty.
    """
    arch = tuple(architecture)
    L = len(arch) - 2
    out: list[bool] = []
    for l in range(1, L + 2):
        n_in, n_out = arch[l - 1], arch[l]

        def active(layer: int, j: int, p: Pattern) -> bool:
            return layer == 0 or layer == L + 1 or j in p[layer - 1]

        w = [[False] * n_in for _ in range(n_out)]
        b = [False] * n_out
        for p in patterns:
            tail = all(p[l:])  # hidden layers l+1..L (0-based slice l..) nonempty
            full = tail and (bias or all(p[:l - 1]))  # with biases every active neuron carries a nonzero value
            for j in range(n_out):
                if not active(l, j, p):
                    continue
                if bias and tail:
                    b[j] = True
                if full:
                    for q in range(n_in):
                        if active(l - 1, q, p):
                            w[j][q] = True
        out += [v for row in w for v in row]
        out += b if bias else [False] * n_out
    return tuple(out)


def block_rank(architecture: Sequence[int], pattern: Pattern, bias: bool) -> int:
    """The generic rank ``r_i`` of one block ``M_i`` (docs/mathematics.md H2): ``min(n0, m, |A_{i,l}|)`` over the
    hidden layers, each count ``+1`` with ``bias`` (the constant coordinate of the augmented input)."""
    b = int(bias)
    return min([architecture[0] + b, architecture[-1]] + [len(s) + b for s in pattern])


def variety_parameters(architecture: Sequence[int], bias: bool) -> tuple[int, ...]:
    """Indices (canonical order) of the parametrisation's variables: the weights, and the biases when ``bias``."""
    arch = tuple(architecture)
    idx: list[int] = []
    pos = 0
    for l in range(1, len(arch)):
        nw, nb = arch[l] * arch[l - 1], arch[l]
        idx += list(range(pos, pos + nw))
        if bias:
            idx += list(range(pos + nw, pos + nw + nb))
        pos += nw + nb
    return tuple(idx)
