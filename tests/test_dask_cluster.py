"""A real Dask cluster on loopback: ``dask scheduler`` and two ``dask worker`` processes started as subprocesses
(random free port), used by ``exactrelu regions --scheduler``, ``exactrelu fdim-arch --scheduler`` and ``python -m
proofs_checks --scheduler``; a worker killed in the middle of a count does not change the answer."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from math import comb
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exactrelu import save
from exactrelu.cli import app
from exactrelu.core.random import random_network
from exactrelu.geometry.distributed import count_regions
from exactrelu.geometry.regions import regions

distributed = pytest.importorskip("distributed")
runner = CliRunner()
ROOT_DIR = Path(__file__).parents[1]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT_DIR), os.environ.get("PYTHONPATH", "")]),
                DASK_DISTRIBUTED__WORKER__DAEMON="False")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(address: str, name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1", "--no-nanny",
                             "--no-dashboard", "--name", name, "--host", "127.0.0.1"], env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """The scheduler's address, with two workers connected; everything is torn down afterwards."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    sched = subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                              "--no-dashboard"], env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [sched]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or sched.poll() is not None:
                    raise RuntimeError("dask scheduler did not start") from None
                time.sleep(0.2)
        procs += [_worker(address, "w1"), _worker(address, "w2")]
        with distributed.Client(address) as client:
            client.wait_for_workers(2, timeout=90)
        yield address
    finally:
        for p in reversed(procs):
            _stop(p)


def test_cli_regions_on_the_scheduler(cluster: str, tmp_path: Path) -> None:
    """Known counts: a generic shallow (d, n) network has sum_{i<=d} C(n, i) regions (Zaslavsky)."""
    for arch, seed in (((2, 5, 1), 11), ((3, 6, 1), 4)):
        path = tmp_path / "net.json"
        save(random_network(arch, seed=seed), path)
        res = runner.invoke(app, ["regions", str(path), "--scheduler", cluster, "--piece-budget", "4", "--json"])
        assert res.exit_code == 0, res.output
        info = json.loads(res.stdout)
        assert info["activation_regions"] == sum(comb(arch[1], i) for i in range(arch[0] + 1))
        assert info["where"] == f"Dask {cluster}" and info["tasks"] > 1
    out = tmp_path / "rows.parquet"
    net = random_network((3, 4, 4, 1), seed=1)
    save(net, path)
    res = runner.invoke(app, ["regions", str(path), "--scheduler", cluster, "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    import pyarrow.parquet as pq

    pats = sorted(tuple(tuple(layer) for layer in p) for p in pq.read_table(out).column("pattern").to_pylist())
    assert pats == [r.pattern for r in regions(net).regions]


def test_a_worker_killed_mid_run_changes_nothing(cluster: str) -> None:
    net = random_network((2, 5, 5, 1), seed=2)
    expected = len(regions(net).regions)
    extra = _worker(cluster, "doomed")
    try:
        with distributed.Client(cluster) as client:
            client.wait_for_workers(3, timeout=90)
            killed = []

            def progress(info: dict) -> None:
                if info["pieces_done"] >= 3 and not killed:
                    extra.kill()  # SIGKILL: the scheduler loses the worker and reruns its tasks elsewhere
                    killed.append(info["pieces_done"])

            r = count_regions(net, client=client, budget=2, progress=progress)
        assert killed and extra.wait(10) is not None
        assert r.regions == expected and r.pieces == r.tasks
    finally:
        _stop(extra)


def test_fdim_arch_and_proofs_checks_on_the_scheduler(cluster: str) -> None:
    res = runner.invoke(app, ["fdim-arch", "1,1,1", "--trials", "1", "--scheduler", cluster, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["certified"] is True
    proc = subprocess.run([sys.executable, "-m", "proofs_checks", "--scheduler", cluster, "--only",
                           "check_trivial_symmetries_preserve_function", "--json"], env=_env(), capture_output=True,
                          text=True, timeout=300, cwd=ROOT_DIR)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    assert doc["failures"] == [] and doc["checks"][0]["passed"] == doc["checks"][0]["cases"] > 0
