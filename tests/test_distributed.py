"""Piece-by-piece region counting (exactrelu.geometry.pieces / distributed / stream): the sets of patterns equal the
single-process enumeration, on random, trained-style and degenerate networks, however the pieces are cut; streamed
rows; checkpoints survive ``kill -9``.  The real-cluster tests are in test_dask_cluster.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from math import comb
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from exactrelu import examples, save
from exactrelu.cli import app
from exactrelu.core.errors import FormatError, OutputError
from exactrelu.core.network import Network
from exactrelu.core.random import random_network, trained_style_network
from exactrelu.geometry.distributed import count_regions
from exactrelu.geometry.kernel import IntNet
from exactrelu.geometry.pieces import ROOT, layered_pattern, run_piece
from exactrelu.geometry.polyhedra import Box
from exactrelu.geometry.regions import regions

runner = CliRunner()


def piece_patterns(net: Network, budget: int, dom: list | None = None, method: str = "split") -> list:
    """Every region's pattern from the pieces, following the sub-pieces by hand (no driver)."""
    inet = IntNet(net)
    todo, pats = [ROOT], []
    while todo:
        res = run_piece(inet, dom or [], todo.pop(), budget, rows=True, method=method)
        assert res.count == len(res.rows)
        pats += [layered_pattern(inet, r[0]) for r in res.rows]
        todo += res.sub
    return sorted(pats)


def reference(net: Network, domain=None) -> list:  # noqa: ANN001
    return [r.pattern for r in regions(net, domain, method="walk").regions]


def degenerate_network() -> Network:
    """A dead neuron feeding the next layer with bias 0 (pattern entries 0) and a neuron with zero weights."""
    return Network.from_lists([
        ([[1, -1], [0, 0], [2, 1]], [0, 1, -1]),
        ([[0, 0, 0], [1, 1, -1], [0, 1, 0]], [0, 0, -2]),
        ([[1, 1, 1]], [0]),
    ])


@pytest.mark.parametrize("net", [
    random_network((1, 4, 3, 1), seed=3),
    random_network((2, 4, 4, 1), seed=1),
    random_network((3, 5, 4, 1), seed=2),
    random_network((4, 4, 4, 1), seed=5),
    random_network((5, 4, 3, 1), seed=0),
    trained_style_network((2, 5, 4, 1), seed=2),
    trained_style_network((3, 4, 4, 1), seed=4),
    random_network((2, 3, 3, 1), seed=7, nonzero=False, max_num=1, max_den=1),
    degenerate_network(),
    examples.dead_second_layer(),
], ids=lambda n: str(n.architecture))
def test_piece_patterns_equal_single_process_enumeration(net: Network) -> None:
    ref = reference(net)
    assert piece_patterns(net, 3) == ref  # small pieces, every region built
    assert piece_patterns(net, 2, method="walk") == ref  # walks of at most 2 regions: cut, cut again
    for budget in (1, 10**6):  # one region per task; one piece
        assert count_regions(net, budget=budget, method="split").regions == len(ref)
    r = count_regions(net, budget=3)
    assert (r.regions, r.bounded) == (len(ref), sum(x.bounded for x in regions(net).regions))


def test_degenerate_patterns_keep_zero_entries() -> None:
    net = degenerate_network()
    pats = piece_patterns(net, 2)
    assert pats == reference(net) and any(0 in layer for p in pats for layer in p)


@pytest.mark.parametrize("arch,seed", [((2, 5, 1), 11), ((3, 6, 1), 4)])
def test_generic_shallow_count_is_zaslavsky(arch: tuple[int, ...], seed: int) -> None:
    """Closed form: a generic arrangement of n hyperplanes in R^d has sum_{i<=d} C(n, i) regions."""
    net = random_network(arch, seed=seed)
    n, d = arch[1], arch[0]
    expected = sum(comb(n, i) for i in range(d + 1))
    assert count_regions(net, budget=5).regions == count_regions(net, budget=5, method="split").regions == expected


@settings(max_examples=15)
@given(st.integers(1, 3), st.integers(0, 10**6), st.integers(1, 40), st.sampled_from(["split", "walk"]))
def test_count_is_independent_of_the_cut(d: int, seed: int, budget: int, method: str) -> None:
    net = random_network((d, 3, 3, 1), seed=seed, max_num=2, max_den=2, nonzero=False)
    assert count_regions(net, budget=budget, method=method).regions == len(regions(net).regions)


def test_domain_box() -> None:
    net = random_network((2, 4, 3, 1), seed=2)
    box = Box([Fraction(-1), Fraction(-1)], [Fraction(1), Fraction(2)])
    dom = [list(r) for r in box.irredundant().inequalities]
    assert piece_patterns(net, 4, dom) == piece_patterns(net, 2, dom, "walk") == reference(net, box)
    assert count_regions(net, box, budget=4).regions == len(reference(net, box))


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_rows_match_the_complex(tmp_path: Path, suffix: str) -> None:
    net = random_network((3, 4, 4, 1), seed=1)
    C = regions(net)
    out = tmp_path / f"rows{suffix}"
    r = count_regions(net, out=out, budget=9)
    assert r.regions == len(C.regions) and r.bounded == sum(x.bounded for x in C.regions)
    if suffix == ".jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    else:
        pq = pytest.importorskip("pyarrow.parquet")
        rows = pq.read_table(out).to_pylist()
    by_pattern = {r.pattern: r for r in C.regions}
    assert len(rows) == len(by_pattern)
    for row in rows:
        pat = tuple(tuple(layer) for layer in row["pattern"])
        reg = by_pattern[pat]
        x = tuple(Fraction(v) for v in row["interior_point"])
        assert net.pattern(x) == pat and reg.polyhedron.strictly_satisfies(x)  # an exact interior point
        assert row["facets"] == len(reg.facets) and row["bounded"] == reg.bounded
    assert not (tmp_path / f"rows{suffix}.partial").exists()  # the state folder is removed after success
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_destination_and_state_are_checked_first(tmp_path: Path) -> None:
    net = random_network((2, 3, 1), seed=0)
    with pytest.raises(OutputError, match="use .jsonl or .parquet"):
        count_regions(net, out=tmp_path / "rows.csv")
    with pytest.raises(OutputError, match="does not exist"):
        count_regions(net, out=tmp_path / "missing" / "rows.jsonl")
    state = tmp_path / "state"
    count_regions(net, state=state)
    other = random_network((2, 3, 1), seed=1)
    with pytest.raises(FormatError, match="another network"):
        count_regions(other, state=state, resume=True)
    again = count_regions(net, state=state, resume=True)  # a finished state answers at once
    assert again.regions == len(regions(net).regions) and again.tasks == 0


def test_cli_count_only_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    save(random_network((2, 5, 1), seed=11), path)
    res = runner.invoke(app, ["regions", str(path), "--count-only", "--json", "--piece-budget", "3"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["activation_regions"] == 16
    res = runner.invoke(app, ["regions", str(path), "--count-only"])
    assert res.exit_code == 0 and "16 activation regions" in res.stdout
    for args, msg in ((["--count-only", "--plot", str(tmp_path / "a.png")], "--plot needs the whole complex"),
                      (["--out", str(tmp_path / "a.txt")], "use .jsonl or .parquet"),
                      (["--scheduler", "tcp://127.0.0.1:1"], "no Dask scheduler answers"),
                      (["--count-only", "--workers", "-1"], "--workers must be >= 0")):
        res = runner.invoke(app, ["regions", str(path), *args])
        assert res.exit_code == 2 and msg in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.output


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from exactrelu.cli import main; main()", *args]


@pytest.mark.parametrize("mode", ["count", "rows"])
def test_kill_9_then_resume_gives_the_same_answer(tmp_path: Path, mode: str) -> None:
    net = random_network((3, 6, 6, 1), seed=2)
    ref = reference(net)
    path = tmp_path / "net.json"
    save(net, path)
    state = tmp_path / "state"
    out = tmp_path / "rows.jsonl"
    args = ["regions", str(path), "--checkpoint", str(state), "--checkpoint-every", "0", "--piece-budget", "2",
            "--json"] + (["--out", str(out)] if mode == "rows" else ["--count-only", "--method", "split"])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1]), os.environ.get(
        "PYTHONPATH", "")]))
    proc = subprocess.Popen(_cli(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            done = len(json.loads((state / "state.json").read_text())["done"])
        except (OSError, ValueError, KeyError):
            done = 0
        if done >= 10:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists()  # nothing half-written at the destination
    res = subprocess.run(_cli(*args, "--resume"), env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["activation_regions"] == len(ref)
    assert info["resumed_pieces"] >= 10 and info["pieces"] == info["resumed_pieces"] + info["tasks"]
    if mode == "rows":
        pats = sorted(tuple(tuple(layer) for layer in json.loads(line)["pattern"])
                      for line in out.read_text().splitlines())
        assert pats == ref  # each region once: no row lost or doubled by the kill
