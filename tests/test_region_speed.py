"""The speed paths of region enumeration checked against exact references: the float determinant filter of the
simple-cell certificate (against the exact integer determinant), the vertex cache keyed by row names, the lazily
computed interior point (against the average of the exact generators, recomputed here with Fractions), and the
rate shown by the CLI progress counter."""

from __future__ import annotations

import io
import random
from fractions import Fraction as F

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import exactrelu.cli._common as common
import exactrelu.geometry.simplecell as SC
from exactrelu import random_network
from exactrelu.core.random import trained_style_network
from exactrelu.engines.cddlib import pow2_scaled
from exactrelu.geometry.regions import regions

# --------------------------------------------------------------------------------------------- independent()
_entry = st.one_of(st.integers(-3, 3), st.integers(-2**70, 2**70))


@st.composite
def _square_sets(draw: st.DrawFn) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """Rows ``(b, a1..ad)`` (d = 2..6) and sets of d row indices; some sets dependent on purpose (a row that is an
    integer combination of others, or a repeated linear part), rows scaled by huge or tiny powers of two and ten."""
    d = draw(st.integers(2, 6))
    m = draw(st.integers(d, d + 4))
    rows = [[draw(_entry) for _ in range(d + 1)] for _ in range(m)]
    if draw(st.booleans()):  # a dependent linear part: row m-1 = c0 row 0 + c1 row 1 (+ any bias)
        c0, c1 = draw(st.integers(-5, 5)), draw(st.integers(-5, 5))
        rows[-1] = [draw(_entry)] + [c0 * rows[0][j] + c1 * rows[1][j] for j in range(1, d + 1)]
    for r in rows:  # magnitudes 1e-30 .. 1e30 and beyond: scale whole rows by 2^k 10^t (exactly, as integers)
        k, t = draw(st.integers(0, 200)), draw(st.integers(0, 40))
        r[:] = [v * 2**k * 10**t for v in r]
    sets = [tuple(sorted(draw(st.permutations(range(m)))[:d])) for _ in range(draw(st.integers(1, 4)))]
    if d >= 3 and m > d and draw(st.booleans()):  # contains rows 0, 1, m - 1 (dependent when row m - 1 was made so)
        sets.append((0, 1, *range(2, d - 1), m - 1))
    return [tuple(r) for r in rows], sets


@settings(max_examples=120, deadline=None)
@given(_square_sets())
def test_independent_matches_the_exact_determinant(case: tuple[list[tuple[int, ...]], list[tuple[int, ...]]]) -> None:
    rows, sets = case
    A = pow2_scaled(rows)
    expected = all(sympy.Matrix([list(rows[i][1:]) for i in T]).det() != 0 for T in sets)
    assert SC.independent(rows, A, sets) is expected


def test_independent_tiny_and_nearly_singular() -> None:
    """Determinants far below the float filter's bound are decided exactly (nonzero by 1 in 2^200; exactly zero)."""
    big = 2**200
    rows = [(0, big, 0, 0), (0, 0, big, 0), (0, 0, 0, 1), (0, big, big, 1)]
    A = pow2_scaled(rows)
    assert SC.independent(rows, A, [(0, 1, 2)])
    near = [(0, big, big - 1, 0), (0, big + 1, big, 0), (0, 0, 0, 1)]  # det = big^2 - (big^2 - 1) = 1
    assert SC.independent(near, pow2_scaled(near), [(0, 1, 2)])
    flat = [(0, big, big, 0), (0, 2 * big, 2 * big, 0), (0, 0, 0, 1)]
    assert not SC.independent(flat, pow2_scaled(flat), [(0, 1, 2)])


# --------------------------------------------------------------------------------------------- whole complexes
@pytest.mark.parametrize(("arch", "seed", "kind"), [((3, 5, 4, 1), 0, "random"), ((4, 6, 3, 1), 1, "random"),
                                                    ((3, 4, 4, 1), 2, "degenerate"), ((4, 5, 1, 1), 3, "trained"),
                                                    ((3, 5, 3, 1), 4, "trained")])
def test_interior_points_are_the_generator_averages(arch: tuple[int, ...], seed: int, kind: str) -> None:
    """The lazily computed interior point equals the average of the region's exact vertices plus the sum of its
    normalised rays, recomputed here from the polyhedron with sympy, and the network's pattern there is the
    region's (two independent exact evaluations)."""
    if kind == "trained":
        net = trained_style_network(arch, seed, max_exp=40)
    else:
        net = random_network(arch, seed=seed, **({"max_num": 3, "max_den": 2} if kind == "degenerate" else {}))
    C = regions(net)
    rng = random.Random(seed)
    for reg in rng.sample(C.regions, min(6, len(C.regions))):
        V, R = reg.generators
        avg = [sum((F(X[k], D) for D, X in V), F(0)) / len(V) for k in range(net.input_dim)]
        ray = [sum((F(Y[k], D) for D, Y in R), F(0)) for k in range(net.input_dim)]
        assert reg.interior_point == tuple(a + r for a, r in zip(avg, ray))
        assert net.pattern(reg.interior_point) == reg.pattern
        assert reg.polyhedron.strictly_satisfies(reg.interior_point)
        assert "interior_point=" in repr(reg) and hash(reg) == hash(reg)


# --------------------------------------------------------------------------------------------- CLI progress
def test_progress_counter_shows_the_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    buf = io.StringIO()
    monkeypatch.setattr(common, "err_console", Console(file=buf, force_terminal=True, width=120))
    with common.progress("enumerating", unit="regions") as update:
        for k in range(1, 2001):
            update(k)
    text = buf.getvalue()
    assert "2,000 regions" in text and "regions/s" in text
    column = common.RateColumn("regions")
    assert str(column.render(type("T", (), {"finished_speed": None, "speed": 1234.4})())) == "1,234 regions/s"
    assert str(column.render(type("T", (), {"finished_speed": None, "speed": None})())) == ""


def test_no_progress_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    buf = io.StringIO()
    monkeypatch.setattr(common, "err_console", Console(file=buf, force_terminal=False))
    with common.progress("enumerating", unit="regions") as update:
        update(5)
    assert buf.getvalue() == ""


# --------------------------------------------------------------------------------------------- fast == exact path
@pytest.mark.parametrize(("arch", "seed", "kind"), [((3, 4, 4, 2), 5, "trained"), ((4, 4, 3, 1), 6, "trained"),
                                                    ((5, 5, 1), 7, "trained"), ((3, 5, 4, 1), 8, "degenerate"),
                                                    ((4, 4, 4, 1), 9, "degenerate"), ((5, 4, 3, 1), 10, "random")])
def test_cached_vertices_and_float_rows_give_the_exact_complex(arch: tuple[int, ...], seed: int, kind: str) -> None:
    """Vertices shared between cells (found by row names or by sign sequence), the per-prefix float rows and the
    float determinant filter: the complex equals the exact cdd path's (switch off) on trained-style entries
    (k / 2^e, e <= 40), degenerate small-integer arrangements and generic ones, d = 3..5."""
    import importlib

    construct = importlib.import_module("exactrelu.geometry.construct")
    if kind == "trained":
        net = trained_style_network(arch, seed, max_exp=40)
    else:
        net = random_network(arch, seed=seed, **({"max_num": 2, "max_den": 1} if kind == "degenerate" else {}))
    calls = [0]
    orig = SC.independent

    def counted(rows, A, Ts):  # type: ignore[no-untyped-def]
        calls[0] += len(Ts)
        return orig(rows, A, Ts)

    SC.independent = counted
    try:
        fast = regions(net)
    finally:
        SC.independent = orig
    construct._FAST_ND = False
    try:
        exact = regions(net)
    finally:
        construct._FAST_ND = True
    assert fast == exact and len(fast.regions) > 1
    assert calls[0] > 0 or kind != "degenerate"  # shared vertices found by sign sequence were checked
