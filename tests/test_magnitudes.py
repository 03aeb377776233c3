"""Any magnitude of coefficient, any input dimension: the float proposals degrade gracefully and the certified fast
paths agree with the exact path.

Trained-style networks (entries ``k / 2^e`` with a 24-bit ``k`` and ``e`` up to 40, magnitudes ``1e-30 .. 1e30``)
and bare huge or tiny coefficients (``10^400``, ``1/10^400``) in d = 1 .. 5.  The reference is the exact cdd path
(private switches ``_FAST_2D`` / ``_FAST_ND`` off); the patterns are also checked by evaluating the network at every
region's interior point (an independent exact evaluation).
"""

from __future__ import annotations

import importlib
import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import exactrelu
from exactrelu import Network
from exactrelu.cli import app
from exactrelu.core.errors import FormatError, NotExactError
from exactrelu.core.random import trained_style_network
from exactrelu.geometry.regions import regions

R = importlib.import_module("exactrelu.geometry.construct")
BIG = 10**400


def _exact_path(net: Network, **kw: object) -> object:
    R._FAST_2D = R._FAST_ND = False
    try:
        return regions(net, **kw)  # type: ignore[arg-type]
    finally:
        R._FAST_2D = R._FAST_ND = True


def _check(net: Network) -> object:
    fast = regions(net)
    assert fast == _exact_path(net)
    for reg in fast.regions:
        assert net.pattern(reg.interior_point) == reg.pattern
        assert all(reg.polyhedron.strictly_satisfies(p) for p in (reg.interior_point,))
    return fast


def _huge(d: int, big: object) -> Network:
    """d inputs, ``n = d + 2`` first-layer neurons (4 when d = 4) with one coefficient ``big`` per row (and a bias
    ``big`` on every other row)."""
    n = 4 if d == 4 else d + 2
    W = [[(big if j == i % d else (1 if (i + j) % 3 else -2)) for j in range(d)] for i in range(n)]
    b = [(big if i % 2 else -1) for i in range(n)]
    return Network.from_lists([(W, b), ([[1 if i % 2 else -1 for i in range(n)]], [0])])


@pytest.mark.parametrize("d", [1, 2, 3, 4])
@pytest.mark.parametrize("kind", ["huge", "tiny"])
def test_huge_and_tiny_coefficients(d: int, kind: str) -> None:
    """Regression: 10^400 (a 401-digit integer) or 1/10^400 crashed the 2-D engine with OverflowError."""
    net = _huge(d, BIG if kind == "huge" else F(1, BIG))
    C = _check(net)
    assert len(C.regions) >= 2
    assert exactrelu.equivalent(net, net).equivalent
    if d <= 3:
        assert exactrelu.functional_dimension(net).rank >= 1


@pytest.mark.parametrize(("arch", "seed", "mag"), [((1, 5, 1), 0, 30), ((2, 5, 3, 1), 1, 0), ((2, 4, 4, 1), 2, 30),
                                                  ((3, 5, 1), 3, 0), ((3, 4, 3, 1), 4, 30), ((4, 5, 1), 5, 0),
                                                  ((4, 4, 2, 1), 6, 30), ((5, 5, 1), 7, 0)])
def test_trained_style_fast_equals_exact(arch: tuple[int, ...], seed: int, mag: int) -> None:
    _check(trained_style_network(arch, seed, max_exp=40, max_magnitude=mag))


def test_cli_huge_coefficient(tmp_path: Path) -> None:
    """The CLI counts regions of a network with a 401-digit weight; a picture that cannot be drawn in floats is
    refused with one line (exit 2), not a traceback."""
    big = str(BIG)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"format": "exactrelu-network", "version": 1, "layers": [
        {"weights": [[big, 1], [1, -1], [2, 3]], "biases": [1, big, -1]}, {"weights": [[1, -1, 2]], "biases": [0]}]}))
    res = CliRunner().invoke(app, ["regions", str(path), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["activation_regions"] == 7
    res = CliRunner().invoke(app, ["regions", str(path), "--plot", str(tmp_path / "p.png")])
    assert res.exit_code == 2 and res.exception is None or isinstance(res.exception, SystemExit)
    assert "1e300" in res.output and not (tmp_path / "p.png").exists()


@given(st.lists(st.lists(st.one_of(st.integers(-10**500, 10**500), st.fractions(max_denominator=10**450),
                                   st.integers(-3, 3)), min_size=3, max_size=3), min_size=1, max_size=4))
def test_pow2_scaled_is_a_power_of_two_times_a_rounding(rows: list[list[object]]) -> None:
    """Each row is multiplied by one power of two (exactly) and then rounded: every entry within relative 2^-53 of
    ``2^-e · entry`` (or below the normal range), the largest one in [1/2, 2)."""
    from exactrelu.engines.cddlib import pow2_scaled

    A = pow2_scaled(rows)
    for row, frow in zip(rows, A):
        exact = [F(v) for v in row]
        if not any(exact):
            assert not frow.any()
            continue
        k, v = max(enumerate(exact), key=lambda t: abs(t[1]))
        scale = F(frow[k]) / v  # the power of two (up to the rounding of the largest entry)
        assert F(1, 2) <= abs(F(frow[k])) < 2
        for x, fx in zip(exact, frow):
            err = abs(F(fx) - x * scale)
            assert err <= abs(x * scale) * F(1, 2**52) + F(1, 2**1000)


# ---------------------------------------------------------------------------------------------- exact conversions
def test_long_double_and_numpy_integers_are_exact() -> None:
    """Regression: a long double went through float() (rounded to 53 bits) and np.int64(2^60 + 1) became 2^60."""
    import numpy as np

    from exactrelu.core.rational import as_rational

    third = np.longdouble(1) / 3
    got = as_rational(third, allow_float=True)
    if np.finfo(np.longdouble).nmant > 52:  # x86: 64-bit mantissa, so the value is not a double
        assert got != F(float(third))
    assert np.longdouble(got.numerator) / np.longdouble(got.denominator) == third  # exact binary value
    assert got.denominator & (got.denominator - 1) == 0
    net = Network.from_floats([([[np.int64(2**60 + 1), np.uint64(2**64 - 1)]], [np.int32(-7)])])
    assert net.layers[0].weights[0] == (2**60 + 1, 2**64 - 1) and net.layers[0].biases[0] == -7
    net = Network.from_floats([([[third, np.float16(0.1)]], [np.float32(0.1)])])
    assert net.layers[0].weights[0] == (got, F(1638, 16384)) and net.layers[0].biases[0] == F(13421773, 2**27)
    with pytest.raises(NotExactError):
        as_rational(np.longdouble(0.5))
    with pytest.raises(FormatError):
        as_rational(np.longdouble("inf"), allow_float=True)


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["float16", "float32", "float64",
                                                                            "longdouble"]))
def test_every_float_width_converts_to_its_binary_value(x: float, width: str) -> None:
    import numpy as np

    from exactrelu.core.rational import as_rational

    with np.errstate(over="ignore"):
        v = getattr(np, width)(x)
    if not np.isfinite(v):
        return
    got = as_rational(v, allow_float=True)
    # the dyadic value, reconstructed by exact integer arithmetic from numpy's own mantissa/exponent
    m, e = np.frexp(v)
    bits = np.finfo(v.dtype).nmant + 1
    mant = int(np.ldexp(m, bits))
    assert got == F(mant) * F(2) ** (int(e) - bits)


@pytest.mark.parametrize(("arch", "seed"), [((4, 6, 1, 1), 0), ((3, 5, 4, 1), 1)])
def test_trained_style_cells_take_the_certified_fast_path(arch: tuple[int, ...], seed: int) -> None:
    """Regression: rows of trained-style networks (denominators 2^40, integers beyond 2^52) were refused by the
    certified float proposal, so every cell took the exact cdd path.  Now cells are certified, and the complex
    equals the exact path's (entries spanning 2^-40 .. 1 make some cells non-simple or ill-conditioned for
    the float proposal; those still take the exact path)."""
    net = trained_style_network(arch, seed, max_exp=40)
    orig = R._build_region_nd
    hits = [0, 0]

    def counted(*args: object) -> object:
        out = orig(*args)
        hits[out is None] += 1
        return out

    R._build_region_nd = counted
    try:
        fast = regions(net)
    finally:
        R._build_region_nd = orig
    assert hits[0] >= 0.15 * len(fast.regions), hits  # before: 0 (every row beyond 2^52 was refused)
    assert fast == _exact_path(net)
