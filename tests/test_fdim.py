"""Functional dimension (docs/mathematics.md §1, E1-E3; §7 rows 1-4): exact oracles and fast-vs-slow cross-checks."""

import random
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu import Network, examples, permute, random_network, rescale
from exactrelu.core.errors import RegionLimitError, ShapeError
from exactrelu.engines.flintlib import rank_reference
from exactrelu.theory.dimension.architecture import architecture_functional_dimension, plot_rank_histogram
from exactrelu.theory.dimension.fdim import (
    batch_functional_dimension,
    certified_rank,
    functional_dimension,
    region_basis_points,
    upper_bound,
)
from exactrelu.theory.dimension.jacobian import bent_neurons
from proofs_checks.fdim_oracle import oracle_functional_dimension, quotient_rows, sample_points

# docs/mathematics.md E2 table (§7 row 1): max dim_fun at random θ equals D - N_h
E2_TABLE = {
    (1, 1, 1): 3, (1, 2, 1): 5, (1, 3, 1): 7, (2, 1, 1): 4, (3, 1, 1): 5, (2, 2, 1): 7, (2, 3, 1): 10,
    (3, 2, 1): 9, (3, 3, 1): 13, (2, 2, 2): 10, (2, 2, 2, 1): 11, (2, 2, 1, 1): 8, (1, 1, 1, 1): 4,
    (1, 2, 1, 1): 6, (1, 1, 2, 1): 6, (2, 1, 1, 1): 5, (1, 2, 2, 1): 9, (2, 1, 2, 1): 7, (1, 1, 1, 2): 6,
    (2, 1, 1, 2): 7, (1, 1, 2, 1, 1): 7, (2, 2, 2, 2, 1): 15,
}


def _bound(arch: tuple[int, ...]) -> int:
    D = sum(arch[i] * (arch[i - 1] + 1) for i in range(1, len(arch)))
    return D - sum(arch[1:-1])


@pytest.mark.parametrize("arch", sorted(E2_TABLE))
def test_e2_table_max_over_random_theta(arch: tuple[int, ...]) -> None:
    assert E2_TABLE[arch] == _bound(arch)  # the table is the GM bound
    ranks = [r for s in range(40) if (r := functional_dimension(random_network(arch, seed=s)).rank) is not None]
    assert max(ranks) == E2_TABLE[arch]
    assert all(r <= E2_TABLE[arch] for r in ranks)


def test_chain_of_width_one_layers_never_reaches_the_bound() -> None:
    """docs/mathematics.md E2 counterexample (§7 row 2): (1,1,1,1,1) has D = 8, bound 5, but max dim_fun = 4."""
    ranks = [r for s in range(40)
             if (r := functional_dimension(random_network((1, 1, 1, 1, 1), seed=s)).rank) is not None]
    assert upper_bound(random_network((1, 1, 1, 1, 1), seed=0)) == 5
    assert max(ranks) == 4


@pytest.mark.parametrize("kind, expected", [("ramp_down", 4), ("shifted", 3), ("lifted", 3)])
def test_chain_examples(kind: str, expected: int) -> None:
    """docs/mathematics.md §7 row 3."""
    r = functional_dimension(examples.chain(kind))
    assert (r.rank, r.upper_bound, r.method, r.exact) == (expected, 4, "regions", True)


@pytest.mark.parametrize("name, fdim, fiber", [
    ("invisible_translation", 7, 4), ("visible_bottleneck", 8, 3), ("bottleneck_positive", 8, None),
    ("dead_second_layer", 1, None), ("linear_block", 7, 8)])
def test_bottleneck_examples(name: str, fdim: int, fiber: int | None) -> None:
    """docs/mathematics.md §7 row 4 (and D6 for the linear block)."""
    net = examples.catalogue()[name]
    r = functional_dimension(net)
    assert r.rank == fdim and r.exact
    if fiber is not None:
        assert net.num_parameters - r.rank == fiber
    assert r.certified_by == ("modular" if fdim == r.upper_bound else "rational")


def test_sampling_can_miss_a_small_region_but_never_overshoots() -> None:
    net = examples.bottleneck_positive()
    exact = functional_dimension(net)
    for seed in range(3):
        s = functional_dimension(net, method="sampling", seed=seed)
        assert s.rank <= exact.rank
        assert s.exact == (s.rank == s.upper_bound)


@given(st.sampled_from([(1, 2, 1), (2, 2, 1), (2, 3, 1), (2, 2, 2, 1), (1, 1, 1, 1)]), st.integers(0, 10**5))
@settings(max_examples=15)
def test_modular_and_rational_ranks_agree(arch, seed) -> None:
    """The certified rank equals the pure-Fraction rank of Jacobian rows computed another way (exact difference
    quotients, proofs_checks.fdim_oracle) at the same points."""
    net = random_network(arch, seed=seed, max_num=3, max_den=2)
    r = functional_dimension(net)
    rows = [row for p in r.points for row in quotient_rows(net, p)]
    assert r.rank == rank_reference(rows)
    assert r.modular_rank <= r.rank


def _oracle(net):
    d = net.input_dim
    return oracle_functional_dimension(net, sample_points(d, radius=8 if d == 1 else 6,
                                                          step=F(1, 16) if d == 1 else F(1, 4)))


@given(st.sampled_from([(1, 2, 1), (1, 3, 1), (2, 2, 1), (1, 1, 1, 1), (1, 2, 2, 1), (2, 2, 2, 1), (2, 1, 2, 1)]),
       st.integers(0, 10**5))
@settings(max_examples=15, deadline=None)
def test_functional_dimension_equals_an_independent_oracle(arch, seed) -> None:
    """Second algorithm: regions met by a grid of rational points, d+1 points per region, Jacobian rows by exact
    difference quotients, Gauss-Jordan rank (no region enumeration, no backprop, no flint).  The oracle is a batch,
    hence a lower bound; it is dim_fun itself once the grid meets every region."""
    from exactrelu.geometry.regions import regions

    net = random_network(arch, seed=seed)
    r = functional_dimension(net)
    rank, met = _oracle(net)
    assert rank <= r.rank
    if met == len(regions(net).regions):
        assert rank == r.rank


@given(st.sampled_from([(2, 3, 1), (2, 2, 2, 1), (1, 2, 2, 1), (2, 2, 1, 1)]), st.integers(0, 10**5),
       st.lists(st.fractions(min_value=F(1, 9), max_value=9, max_denominator=9), min_size=3, max_size=3))
@settings(max_examples=12)
def test_invariant_under_trivial_symmetries(arch, seed, factors) -> None:
    net = random_network(arch, seed=seed)
    other = net
    for l in range(1, net.depth + 1):
        n = arch[l]
        other = permute(rescale(other, l, factors[:n]), l, tuple(reversed(range(n))))
    assert functional_dimension(other).rank == functional_dimension(net).rank


def test_rank_of_one_region_never_exceeds_the_region_bound() -> None:
    """Points of one region give rank <= m (d+1) and <= the rank over all regions."""
    rng = random.Random(1)
    for arch in [(2, 3, 1), (2, 2, 2, 1), (3, 2, 2)]:
        net = random_network(arch, seed=rng.randint(0, 999))
        total = functional_dimension(net)
        x = [F(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(arch[0])]
        if bent_neurons(net, x):
            continue
        pts = region_basis_points(net, x)
        assert len({net.pattern(p) for p in pts}) == 1
        one = batch_functional_dimension(net, pts)
        assert one.rank <= net.output_dim * (net.input_dim + 1)
        assert one.rank <= total.rank


def test_batch_reports_points_on_bent_hyperplanes() -> None:
    """relu(relu(x1) + relu(x2) - 1): at (1, 0) and (1/2, 1/2) the second-layer pre-activation vanishes and reaches f
    (not differentiable in θ); at (0, 0) the first layer vanishes but the second neuron is off (z2 = -1), so
    f_θ'(0, 0) = b3' near θ: differentiable, gradient e_{b3} (by hand)."""
    net = examples.relu_of_sum()
    r = batch_functional_dimension(net, [[1, 0], [2, 3], [0, 0], [F(1, 2), F(1, 2)]])
    assert [p for p, _ in r.excluded] == [(F(1), F(0)), (F(1, 2), F(1, 2))]
    assert r.excluded[0][1] == ((2, 1),)
    assert r.points == ((F(2), F(3)), (F(0), F(0)))
    assert r.rank is None and r.differentiable_rank == 2 and not r.exact
    assert r.to_dict()["nondifferentiable"][0] == {"point": ["1", "0"], "neurons": [[2, 1]], "sign_vector": None}
    assert r.to_dict()["functional_dimension"] is None
    assert [p.point for p in r.vanishing] == [(F(0), F(0))]
    with pytest.raises(ShapeError):
        batch_functional_dimension(net, [[1, 2, 3]])


def test_regions_method_respects_the_limit_and_auto_falls_back() -> None:
    net = random_network((2, 4, 1), seed=3)
    with pytest.raises(RegionLimitError):
        functional_dimension(net, method="regions", max_regions=2)
    r = functional_dimension(net, max_regions=2)
    assert r.method == "sampling" and r.rank == _bound((2, 4, 1)) and r.exact


def test_certified_rank_paths() -> None:
    assert certified_rank([[1, 2], [2, 4]], bound=2) == (1, "rational", 1)
    assert certified_rank([[1, 0, 0], [0, 1, 0]], bound=3) == (2, "modular", 2)
    assert certified_rank([], bound=3) == (0, "empty", 0)
    # a matrix that is singular mod p = 2^61 - 1 but not over Q: the rational path corrects it
    p = 2**61 - 1
    assert certified_rank([[p, 0], [0, 1]], bound=2) == (2, "rational", 1)


def test_upper_bound_with_an_all_zero_neuron() -> None:
    net = Network.from_lists([([[0], [1]], [0, 1]), ([[0, 2]], [0])])
    assert upper_bound(net) == net.num_parameters - 1


def test_architecture_sweep_serial_histogram() -> None:
    """Seed 7 is the first to reach D - N_h = 4 (a proof of the maximum), so the search stops after the first round
    of 8; the ranks are those of an independent oracle (grid points, exact difference quotients)."""
    r = architecture_functional_dimension((1, 1, 1, 1), trials=12, seed=0, serial=True)
    assert (r.upper_bound, r.maximum, r.certified, r.trials) == (4, 4, True, 8)
    assert sum(r.histogram.values()) == 8 and set(r.histogram) <= {1, 2, 3, 4}
    assert list(r.ranks) == [_oracle(random_network((1, 1, 1, 1), seed=s))[0] for s in range(8)]
    assert r.to_dict()["max_functional_dimension"] == 4 and "proved" in str(r)


def test_architecture_search_never_reports_an_unproved_maximum() -> None:
    """(1,1,1,1,1): every θ has dim_fun <= 4 < 5 = D - N_h (docs/mathematics.md E2): the answer is a lower bound with
    the trials
    used; (1,1,2,1,1), whose maximum 7 = D - N_h is rare at random θ, is certified by the widened search."""
    r = architecture_functional_dimension((1, 1, 1, 1, 1), trials=8, max_trials=24, serial=True)
    assert (r.maximum, r.lower_bound, r.certified, r.trials, r.planted) == (None, 4, False, 24, 8)
    assert r.to_dict()["functional_dimension"] is None and ">= 4" in str(r)
    r = architecture_functional_dimension((1, 1, 2, 1, 1), trials=20, max_trials=200, serial=True)
    assert r.certified and r.maximum == 7 and r.trials < 200


def test_architecture_sweep_on_a_local_dask_cluster(tmp_path) -> None:
    serial = architecture_functional_dimension((2, 2, 1), trials=4, seed=5, serial=True)
    dask = architecture_functional_dimension((2, 2, 1), trials=4, seed=5, workers=1)
    assert dask.ranks == serial.ranks and dask.maximum == 7
    png = plot_rank_histogram(dask, tmp_path / "hist.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fdim_plus_fiber_dimension_is_D_for_shallow_fibers() -> None:
    """D - dim_fun equals the fiber's dimension computed by the fibers issue (docs/mathematics.md B3)."""
    from exactrelu.theory.fibers.fiber import fiber

    nets = [random_network((1, 3, 1), seed=2), random_network((2, 3, 1), seed=3),
            examples.relu_minus_shifted_relu(), examples.three_kinks()]
    for net in nets:
        assert net.num_parameters - functional_dimension(net).rank == fiber(net).dimension


# ---------------------------------------------------------------------- CLI
def _cli(args):
    from typer.testing import CliRunner

    from exactrelu.cli import app

    return CliRunner().invoke(app, args)


def test_cli_fdim_json_keys(tmp_path) -> None:
    import json

    from exactrelu import save

    save(examples.invisible_translation(), tmp_path / "n.json")
    res = _cli(["fdim", str(tmp_path / "n.json"), "--json"])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert {k: doc[k] for k in ("functional_dimension", "parameters", "hidden_neurons", "upper_bound",
                                "certified_by")} == {"functional_dimension": 7, "parameters": 11,
                                                     "hidden_neurons": 3, "upper_bound": 8,
                                                     "certified_by": "rational"}
    (tmp_path / "p.json").write_text('{"points": [["1", "0"], ["2", "3"], [5, "-1/2"]]}')
    res = _cli(["fdim", str(tmp_path / "n.json"), "--points", str(tmp_path / "p.json"), "--json"])
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["method"] == "points" and doc["num_points"] + len(doc["nondifferentiable"]) == 3
    res = _cli(["fdim", str(tmp_path / "n.json")])
    assert res.exit_code == 0 and "dim_fun = 7" in res.stdout


def test_cli_fdim_bad_input_exits_2(tmp_path) -> None:
    from exactrelu import save

    save(examples.relu_of_sum(), tmp_path / "n.json")
    (tmp_path / "p.json").write_text("[[0.5, 1]]")
    res = _cli(["fdim", str(tmp_path / "n.json"), "--points", str(tmp_path / "p.json")])
    assert res.exit_code == 2 and "points[0][0]" in res.stderr
    (tmp_path / "q.json").write_text('[["1"]]')
    res = _cli(["fdim", str(tmp_path / "n.json"), "--points", str(tmp_path / "q.json")])
    assert res.exit_code == 2 and "expects 2" in res.stderr
    res = _cli(["fdim", str(tmp_path / "missing.json")])
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
    res = _cli(["fdim-arch", "2,x,1", "--serial"])
    assert res.exit_code == 2


def test_cli_fdim_arch(tmp_path) -> None:
    import json

    res = _cli(["fdim-arch", "1,1,1,1", "--trials", "6", "--max-trials", "6", "--serial", "--json", "--plot",
                str(tmp_path / "h.png")])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["upper_bound"] == 4 and sum(doc["histogram"].values()) == 6
    assert doc["ranks"] == [3, 3, 1, 3, 3, 3]          # by the difference-quotient oracle on a grid (below)
    assert [_oracle(random_network((1, 1, 1, 1), seed=s))[0] for s in range(6)] == doc["ranks"]
    assert (doc["functional_dimension"], doc["lower_bound"], doc["certified"]) == (None, 3, False)
    assert (tmp_path / "h.png").exists()
    res = _cli(["fdim-arch", "1,1,1,1", "--trials", "6", "--serial"])
    assert res.exit_code == 0 and "functional dimension 4 = D - N_h (proved" in res.stdout


# ---------------------------------------------------------------------- depth hierarchy (docs/mathematics.md §2.F, E2)
def test_hierarchy_functions() -> None:
    from exactrelu.theory.equality.hierarchy import (
        bound_check,
        depth_report,
        gm_bound,
        gm_hypothesis,
        width_one_exception,
    )

    assert all(gm_bound(a) == v for a, v in E2_TABLE.items())
    assert [gm_hypothesis(a) for a in [(2, 2, 1), (1, 2, 1), (2, 1, 2, 1), (3, 2, 2, 2, 1)]] == [True, False, False,
                                                                                            True]
    exc = width_one_exception(trials=40, max_trials=40)
    assert (exc.upper_bound, exc.lower_bound, exc.maximum, exc.attains_bound) == (5, 4, None, False)
    assert bound_check((2, 2, 2, 1), trials=3).maximum == 11
    assert depth_report(examples.relu_of_sum()).shallow_representable is False    # docs/mathematics.md §7 row 12
    lifted = depth_report(examples.chain("lifted"))                              # relu(relu(x)+1) = relu(x)+1
    assert lifted.shallow_representable is True and lifted.to_dict()["gm_bound"] == 4


def test_report_section_on_the_demo_network(tmp_path) -> None:
    from exactrelu.cli.report_dimension import report_section

    s = report_section(examples.demo_network(), tmp_path)
    assert s.key == "functional_dimension"
    assert s.data["functional_dimension"] == 7 and s.data["certified_by"] == "rational"
    assert s.data["identifiability"]["kernel_dimension"] == 4
    assert s.data["identifiability"]["hidden_directions"] == [["0"] * 4 + ["1", "0", "0", "0", "-1", "0", "0"]]
    assert "dim_fun(θ) = 7" in s.markdown


# ---------------------------------------------------------------------- large networks: layered block structure
@given(st.sampled_from([(5, 3, 2), (4, 2, 3), (3, 3, 2, 1), (6, 2, 2, 2), (2, 4, 1)]), st.integers(0, 10**5),
       st.integers(1, 6))
@settings(max_examples=20)
def test_structured_rank_equals_dense_exact_rank(arch, seed, npts) -> None:
    from exactrelu.engines.flintlib import rank
    from exactrelu.theory.dimension.fdim import structured_rank
    from exactrelu.theory.dimension.jacobian import pattern_jacobian

    net = random_network(arch, seed=seed)
    rng = random.Random(seed)
    pats = []
    while len(pats) < npts:
        x = [F(rng.randint(-20, 20), rng.randint(1, 4)) for _ in range(arch[0])]
        if not bent_neurons(net, x):
            pats.append(net.pattern(x))
    dense = rank([r for s in set(pats) for r in pattern_jacobian(net, s)])
    lower, _ = structured_rank(net, pats)
    assert lower <= dense
    assert lower == dense  # fails only with probability ~ D/p for the random compression


def test_structured_functional_dimension_agrees_with_regions() -> None:
    from exactrelu.theory.dimension.fdim import structured_functional_dimension

    for arch, seed in [((3, 4, 2), 0), ((4, 3, 3), 1), ((2, 3, 3, 1), 2)]:
        net = random_network(arch, seed=seed)
        s = structured_functional_dimension(net, seed=seed)
        exact = functional_dimension(net)
        assert s.rank <= exact.rank and s.exact == (s.rank == _bound(arch))
        if s.exact:
            assert s.rank == exact.rank
    big = structured_functional_dimension(random_network((60, 6, 5), seed=3))
    assert big.exact and big.rank == _bound((60, 6, 5)) and big.certified_by == "modular-structured"


def test_auto_uses_the_structured_path_for_large_networks() -> None:
    from exactrelu.theory.dimension.fdim import LARGE_NETWORK

    net = random_network((130, 12, 10), seed=1)
    assert net.num_parameters > LARGE_NETWORK
    r = functional_dimension(net)
    assert (r.rank, r.certified_by, r.exact) == (_bound((130, 12, 10)), "modular-structured", True)
