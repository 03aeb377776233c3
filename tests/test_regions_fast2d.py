"""Issue 3: the exact 2-D half-plane intersection (and 1-D intervals; no cdd) build regions EQUAL to the general path.

The general path is forced with the private switch ``exactrelu.geometry.construct._FAST_2D = False``; complexes are
compared
with ``==`` (network, domain and every Region: canonical rows, interior point, affine map, boundedness and facets with
their points, neurons and neighbours).  The fast path must also actually be taken (it may decline, never be wrong).
"""

from __future__ import annotations

import importlib
import random
from fractions import Fraction as F

import pytest

from exactrelu import Network, examples, random_network
from exactrelu.geometry.polyhedra import Box, Orthant, Polyhedron
from exactrelu.geometry.regions import regions

R = importlib.import_module("exactrelu.geometry.construct")
P = importlib.import_module("exactrelu.geometry.planar")
K = importlib.import_module("exactrelu.geometry.kernel")


def _both(net: Network, domain: Polyhedron | None = None, method: str = "walk") -> tuple[object, object, int, int]:
    """(fast complex, general complex, fast-path calls, fast-path declines)."""
    calls = [0, 0]
    name = "irredundant_2d" if net.input_dim == 2 else "irredundant_1d"
    orig = getattr(P, name)

    def counted(rows):  # type: ignore[no-untyped-def]
        calls[0] += 1
        out = orig(rows)
        calls[1] += out is None
        return out

    setattr(P, name, counted)
    try:
        fast = regions(net, domain, method=method)
    finally:
        setattr(P, name, orig)
    R._FAST_2D = False
    try:
        general = regions(net, domain, method=method)
    finally:
        R._FAST_2D = True
    return fast, general, calls[0], calls[1]


RANDOM = [((2, 3, 1), s) for s in range(6)] + [((2, 5, 1), s) for s in range(6)] + \
         [((2, 4, 3, 1), s) for s in range(6)] + [((2, 3, 3, 2), s) for s in range(6)] + \
         [((2, 6, 2, 3), s) for s in range(4)] + [((2, 2, 2, 2, 1), s) for s in range(4)]


@pytest.mark.parametrize(("arch", "seed"), RANDOM)
def test_random_networks_equal_general_path(arch: tuple[int, ...], seed: int) -> None:
    net = random_network(arch, seed=seed, max_num=3, max_den=2, nonzero=seed % 2 == 0)
    fast, general, calls, declined = _both(net)
    assert fast == general
    assert calls > 0 and declined <= calls


@pytest.mark.parametrize("arch", [(2, 8, 8, 1), (2, 16, 1), (2, 5, 5, 5, 2)])
def test_fast_path_is_taken(arch: tuple[int, ...]) -> None:
    """Generic nets (default random entries): every region is built by the fast path, equal to the general one."""
    fast, general, calls, declined = _both(random_network(arch, seed=3))
    assert fast == general and calls == len(fast.regions) and declined == 0


@pytest.mark.parametrize("seed", range(4))
def test_random_networks_on_domains(seed: int) -> None:
    net = random_network((2, 4, 3, 2), seed=100 + seed, max_num=3, max_den=2)
    for dom in (Box(-1, 1, 2), Box([F(-1, 3), 0], [2, F(1, 2)]), Orthant(2),
                Polyhedron([(1, -1, -1), (0, 1, 0), (0, 0, 1)])):
        fast, general, calls, _ = _both(net, dom)
        assert fast == general and calls > 0


def _net(W1: list[list[int]], b1: list[int], rest: list[tuple[list[list[int]], list[int]]]) -> Network:
    return Network.from_lists([(W1, b1), *rest])


DEGENERATE = {
    # parallel hyperplanes (same and opposite normals, strips: regions with lines decline to the general path)
    "parallel": _net([[1, 0], [2, 0], [-1, 0], [0, 1]], [0, -2, 3, 1], [([[1, -1, 1, 2]], [0])]),
    "parallel_only": _net([[1, 1], [-2, -2], [3, 3]], [0, 1, -5], [([[1, 1, 1]], [0])]),
    # three (and four) lines through one point
    "concurrent": _net([[1, 0], [0, 1], [1, 1], [1, -1]], [0, 0, 0, 0], [([[1, 2, -1, 1]], [1])]),
    # zero rows and a dead second layer
    "zero_rows": _net([[0, 0], [1, 2], [0, 0]], [1, 0, -1], [([[1, 1, 1], [0, 0, 0]], [0, 0]), ([[1, -1]], [0])]),
    "dead": _net([[1, 0], [0, 1]], [0, 0], [([[-1, -1], [1, 1]], [-1, 0]), ([[1, 2]], [0])]),
    # identical neurons, m > 1
    "duplicates": _net([[1, 2], [1, 2], [2, 4], [-1, 3]], [1, 1, 2, 0], [([[1, -1, 2, 1], [0, 1, 1, -1]], [0, 1])]),
    "deep_concurrent": _net([[1, 0], [0, 1], [1, 1]], [0, 0, 0], [([[1, -1, 1], [-1, 1, 1]], [0, 0]),
                                                                 ([[1, 1], [1, -1]], [0, 0])]),
}


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_networks(name: str) -> None:
    net = DEGENERATE[name]
    for dom in (None, Box(-2, 2, 2)):
        fast, general, _, _ = _both(net, dom)
        assert fast == general
        assert fast == _both(net, dom, method="split")[1]


@pytest.mark.parametrize(("arch", "seed"), [((1, 3, 1), 0), ((1, 5, 5, 1), 1), ((1, 4, 4, 4, 2), 2), ((1, 6, 2), 3)])
def test_one_dimensional_networks(arch: tuple[int, ...], seed: int) -> None:
    """d = 1: the interval special case equals the general path (on R and on a box)."""
    net = random_network(arch, seed=seed, max_num=3, max_den=2, nonzero=seed % 2 == 0)
    for dom in (None, Box(-1, F(1, 2), 1)):
        fast, general, calls, declined = _both(net, dom)
        assert fast == general and calls == len(fast.regions) and declined == 0


@pytest.mark.parametrize("name", ["relu_of_sum", "visible_bottleneck", "dead_second_layer", "demo_network"])
def test_examples(name: str) -> None:
    net = getattr(examples, name)()
    if net.input_dim != 2:
        pytest.skip("not a 2-D example")
    fast, general, _, _ = _both(net)
    assert fast == general


def test_random_integer_half_planes_certified() -> None:
    """The fast polygon on random integer rows (with repeats and concurrent lines) equals cdd when it answers."""
    rng = random.Random(7)
    answered = 0
    for _ in range(300):
        n = rng.randint(3, 9)
        rows = [[rng.randint(-2, 2), rng.randint(-2, 2), rng.randint(-2, 2)] for _ in range(n)]
        rows = [r for r in rows if r[1] or r[2]]
        if not rows:
            continue
        fast = P.irredundant_2d(rows)
        if fast is None:
            continue
        answered += 1
        canon, (V, Rs, L), icanon = fast
        assert [R.normalize_inequality([F(v) for v in r]) for r in icanon] == canon
        ref, (V2, R2, L2) = R._irredundant(rows, 2, ())
        assert canon == ref and sorted(V) == sorted(V2) and L2 == [] and L == []
        assert sorted(Rs) == sorted(K.normalize_ray(y) for y in R2)
    assert answered > 50
