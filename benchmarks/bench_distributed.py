"""Region counting beyond one process (``exactrelu.count_regions``): ``python -m benchmarks --only distributed``.

Figures, each with wall time, CPU time (this process plus the worker processes: the sum of the tasks' process times)
and the load average, because this machine is shared:

1. relucent's 4-10-10-10-10-1 fixture with an output ReLU (63,099 activation regions), when the environment variable
   ``EXACTRELU_RELUCENT_FIXTURE`` names its ``.pt`` file, or ``EXACTRELU_RELUCENT_FIXTURES`` relucent's fixture
   folder (a state dict; it is not shipped: AGPL): the single-process
   ``regions()`` count vs ``count_regions`` in this process and on a ``LocalCluster`` of 1 and 2 workers.
2. A generic shallow (4, n, 1) network (its count is Zaslavsky's closed form, checked) counted and streamed to Parquet
   by ``exactrelu regions --out`` in a fresh process: time and peak memory (ru_maxrss).  ``n = 40`` (102,091 regions)
   by default; ``EXACTRELU_BENCH_N=70`` gives 974,120 regions (about an hour of CPU here).
   ``EXACTRELU_BENCH_SAWTOOTH=L`` instead streams the regions of Telgarsky's sawtooth on [0, 1] (L layers of width 2,
   each a tent map), whose activation regions are exactly 2^L: L = 20 gives 1,048,576 regions.
3. Weak scaling: 1, 2, 4 workers on generic (3, n, 1) networks whose counts grow with the number of workers, with the
   per-piece task times, and a projection (labelled so) of 10^8 regions on 64 cores from the measured rate.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from math import comb
from pathlib import Path
from typing import Any

from exactrelu import count_regions, random_network, save
from exactrelu.core.network import Network
from exactrelu.geometry.regions import regions


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def relucent_fixture(path: str) -> Network:
    """The fixture's state dict (float64) as an exact network, with the output ReLU as a width-1 hidden layer."""
    import torch

    sd = torch.load(path, map_location="cpu", weights_only=False)
    sd = sd.get("state_dict", sd)
    layers = []
    k = 0
    while f"fc{k}.weight" in sd:
        W = [[Fraction(float(v)) for v in row] for row in sd[f"fc{k}.weight"].tolist()]
        layers.append((W, [Fraction(float(v)) for v in sd[f"fc{k}.bias"].tolist()]))
        k += 1
    layers.append(([[Fraction(1)]], [Fraction(0)]))  # identity output after the output ReLU
    return Network.from_lists(layers)


def generic_shallow(d: int, n: int, seed: int = 0) -> tuple[Network, int]:
    """A (d, n, 1) network with small random rational weights and its Zaslavsky count (checked by the caller)."""
    return random_network((d, n, 1), seed=seed, max_num=97, max_den=89), sum(comb(n, i) for i in range(d + 1))


def _timed(fn: Any) -> tuple[Any, float, float]:
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def _count(net: Network, workers: int, **kw: Any) -> dict[str, Any]:
    r, wall, cpu = _timed(lambda: count_regions(net, workers=workers, **kw))
    ts = sorted(r.task_seconds)
    return {"regions": r.regions, "workers": workers, "wall_s": round(wall, 1),
            "cpu_s": round(cpu + (sum(ts) if workers else 0.0), 1), "tasks": r.tasks,
            "task_s_median": round(ts[len(ts) // 2], 3), "task_s_max": round(ts[-1], 3), "load": _load()}


def bench_relucent(path: str) -> dict[str, Any]:
    net = relucent_fixture(path)
    out: dict[str, Any] = {"architecture": list(net.architecture)}
    C, wall, cpu = _timed(lambda: regions(net, max_regions=10**6))
    out["single_process_regions"] = {"regions": len(C.regions), "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                                     "load": _load()}
    del C
    print("  regions():", out["single_process_regions"], flush=True)
    for w in (0, 1, 2):
        out[f"count_{w}_workers"] = _count(net, w)
        print(f"  count_regions workers={w}:", out[f"count_{w}_workers"], flush=True)
    return out


def bench_parquet(n: int) -> dict[str, Any]:
    net, expected = generic_shallow(4, n)
    with tempfile.TemporaryDirectory() as folder:
        p = Path(folder) / "net.json"
        save(net, p)
        rows = Path(folder) / "regions.parquet"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", "from exactrelu.cli import main; main()", "regions", str(p),
                               "--out", str(rows), "--json"], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - w
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        info = json.loads(proc.stdout)
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(rows).metadata
        out = {"architecture": [4, n, 1], "regions": info["activation_regions"], "zaslavsky": expected,
               "parquet_rows": meta.num_rows, "parquet_mb": round(rows.stat().st_size / 2**20, 1),
               "wall_s": round(wall, 1), "cpu_s": round((after.ru_utime - before.ru_utime)
                                                        + (after.ru_stime - before.ru_stime), 1),
               "peak_rss_mb": round(after.ru_maxrss / 1024, 1), "load": _load()}
    assert out["regions"] == out["parquet_rows"], out
    return out


def sawtooth(layers: int) -> Network:
    """The composition of ``layers`` tent maps t(s) = 2 relu(s) - 4 relu(s - 1/2) on [0, 1]: 2^layers activation
    regions on the box [0, 1] (each layer's second neuron halves every piece; the first is active on all of it)."""
    half = Fraction(-1, 2)
    spec = [([[Fraction(1)], [Fraction(1)]], [Fraction(0), half])]
    spec += [([[Fraction(2), Fraction(-4)], [Fraction(2), Fraction(-4)]], [Fraction(0), half])] * (layers - 1)
    spec.append(([[Fraction(2), Fraction(-4)]], [Fraction(0)]))
    return Network.from_lists(spec)


def bench_sawtooth_parquet(layers: int) -> dict[str, Any]:
    """Count and stream the sawtooth's 2^layers regions to Parquet in a fresh process (time, peak memory)."""
    with tempfile.TemporaryDirectory() as folder:
        p = Path(folder) / "saw.json"
        save(sawtooth(layers), p)
        rows = Path(folder) / "regions.parquet"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", "from exactrelu.cli import main; main()", "regions", str(p),
                               "--box", "0", "1", "--out", str(rows), "--json"], capture_output=True, text=True,
                              check=True)
        wall = time.perf_counter() - w
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        import pyarrow.parquet as pq

        out = {"network": f"sawtooth, {layers} tent layers on [0, 1]", "regions": json.loads(proc.stdout)[
            "activation_regions"], "closed_form": 2**layers, "parquet_rows": pq.ParquetFile(rows).metadata.num_rows,
               "parquet_mb": round(rows.stat().st_size / 2**20, 1), "wall_s": round(wall, 1),
               "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
               "peak_rss_mb": round(after.ru_maxrss / 1024, 1), "load": _load()}
    assert out["regions"] == out["parquet_rows"] == out["closed_form"], out
    return out


def bench_weak_scaling() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for workers, n in ((1, 26), (2, 33), (4, 42)):  # about 3,000 / 6,000 / 12,400 regions: work grows with workers
        net, expected = generic_shallow(3, n)
        row = _count(net, workers)
        row["zaslavsky"] = expected
        row["regions_per_s_per_worker"] = round(row["regions"] / row["wall_s"] / workers, 1)
        out[f"{workers}_workers"] = row
        print(f"  weak scaling {workers} workers:", row, flush=True)
    base = out["1_workers"]["regions_per_s_per_worker"]
    eff = out["2_workers"]["regions_per_s_per_worker"] / base
    per_core = base * min(1.0, eff)
    out["projection_1e8_regions_64_cores"] = {
        "label": "PROJECTION (not measured): 10^8 / (64 x measured 1-worker rate x 2-worker efficiency)",
        "regions_per_s_per_core": base, "efficiency_2_workers": round(eff, 2),
        "hours": round(1e8 / (64 * per_core) / 3600, 1)}
    return out


def main(peers: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {}
    fixture = os.environ.get("EXACTRELU_RELUCENT_FIXTURE")
    folder = os.environ.get("EXACTRELU_RELUCENT_FIXTURES")  # relucent's fixture folder, as bench_trained reads it
    if not fixture and folder and (Path(folder) / "ckpt5795_d4_w10_nh4.pt").exists():
        fixture = str(Path(folder) / "ckpt5795_d4_w10_nh4.pt")
    if fixture:
        results["relucent_4_10_10_10_10_1"] = bench_relucent(fixture)
    else:
        results["relucent_4_10_10_10_10_1"] = "skipped: set EXACTRELU_RELUCENT_FIXTURE to ckpt5795_d4_w10_nh4.pt"
    saw = os.environ.get("EXACTRELU_BENCH_SAWTOOTH")
    n = int(os.environ.get("EXACTRELU_BENCH_N", "40"))
    results["parquet"] = bench_sawtooth_parquet(int(saw)) if saw else bench_parquet(n)
    print("  parquet:", results["parquet"], flush=True)
    results["weak_scaling"] = bench_weak_scaling()
    print("  projection:", results["weak_scaling"]["projection_1e8_regions_64_cores"], flush=True)
    return results


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
