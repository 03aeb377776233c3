"""Region enumeration on *trained* networks (float weights: dyadic rationals with denominators up to 2^52 and integer
rows that grow layer by layer), side by side with the exact cdd path, a float64 scipy baseline and (``--peers``) the
peer package relucent, all in one run on the same networks.

Networks:

* with ``EXACTRELU_RELUCENT_FIXTURES=DIR``: relucent's own trained integration fixtures (float64 state dicts of
  MLPs on R^4 with an output ReLU), obtained with
  ``git clone https://github.com/bl-ake/relucent && cp -r relucent/tests/integration/fixtures DIR`` (they are not
  shipped with exactrelu).  4-8-1, 4-10-1, 4-12-1 and 4-8-8-1 by default; 4-10-10-10-10-1 (63,099 regions) with
  ``EXACTRELU_BENCH_TRAINED_LARGE=1``; any subset with ``EXACTRELU_BENCH_TRAINED_ONLY=4-8-1,4-10-10-10-1``.  Their
  exact region counts are checked against the expected ones (relucent's manifest; 272 for 4-8-1 and 63,099 for the
  large one, where relucent's own search finds 63,096).
* otherwise: MLPs of the same shapes trained here with PyTorch (CPU, seeded, a few hundred Adam steps on a synthetic
  4-dimensional two-class problem; nothing is downloaded), float32, with an output ReLU.

The output ReLU is imported exactly as a hidden layer followed by the identity output layer
(:func:`exactrelu.with_output_relu`), so regions count the output neuron's sign, as relucent does.  Figures per
network: regions (and whether they equal the expected count), wall and CPU seconds of ``regions()``, the fraction of
regions built by each path (certified float proposal, exact cdd), the same enumeration with the certified fast path
switched off (the exact cdd path; networks up to ``EXACTRELU_BENCH_EXACT_PATH_MAX`` = 3000 regions), the float64
scipy splitting of ``bench_regions`` (stopped after a budget), relucent (``--peers``; up to
``EXACTRELU_BENCH_RELUCENT_MAX_REGIONS`` = 10000 regions, 1 worker process), the ratios, and peak memory.  A compact
Markdown table is printed at the end (the README's rows); ``python -m benchmarks --only trained --peers --json F``
writes every figure.  Wall times are distorted by other load: compare the CPU columns, and see the load average
printed with the table.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

from exactrelu import Network
from exactrelu.geometry.regions import regions

SHAPES = {"4-8-1": (4, 8, 1), "4-10-1": (4, 10, 1), "4-12-1": (4, 12, 1), "4-8-8-1": (4, 8, 8, 1),
          "4-10-10-10-10-1": (4, 10, 10, 10, 10, 1)}
LARGE_SHAPES = {"4-10-10-10-10-1"}
#: exact activation-region counts of relucent's fixtures (output ReLU included): relucent's manifest, except 4-8-1
#: (not in the manifest; 272 quoted with the fixtures) and the large one, where relucent's search misses 3 regions
EXPECTED = {"4-8-1": 272, "4-10-1": 640, "4-12-1": 1237, "4-8-8-1": 6188, "4-8-8-8-8-1": 12350,
            "4-10-10-10-1": 27420, "4-10-10-10-10-1": 63099}
FIXTURES = os.environ.get("EXACTRELU_RELUCENT_FIXTURES")
LARGE = os.environ.get("EXACTRELU_BENCH_TRAINED_LARGE", "0") == "1"
ONLY = [s for s in os.environ.get("EXACTRELU_BENCH_TRAINED_ONLY", "").split(",") if s]
#: the float64 comparison stops after min(this, max(10 x exactrelu's time, 5 s)) seconds per network
BUDGET = float(os.environ.get("EXACTRELU_BENCH_TRAINED_BUDGET", "120"))
EXACT_PATH_MAX = int(os.environ.get("EXACTRELU_BENCH_EXACT_PATH_MAX", "3000"))
RELUCENT_MAX = int(os.environ.get("EXACTRELU_BENCH_RELUCENT_MAX_REGIONS", "10000"))


def train(widths: tuple[int, ...], seed: int = 0, steps: int = 300) -> Network:
    """A seeded MLP ``widths`` with ReLU between layers and on the output, trained on a synthetic 4-D problem."""
    import torch

    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(512, widths[0], generator=g)
    y = ((X[:, 0] * X[:, 1] + torch.sin(2 * X[:, 2]) - 0.5 * X[:, 3]) > 0).float().unsqueeze(1)
    mods: list[Any] = []
    for a, b in zip(widths, widths[1:]):
        mods += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*mods)  # float32, output ReLU included
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X), y)
        loss.backward()
        opt.step()
    from exactrelu import from_torch

    return from_torch(model)  # the trailing ReLU becomes a hidden layer + the identity output layer


def fixture_networks(directory: str) -> list[tuple[str, str, Network, int | None]]:
    """(name, source, network, expected regions) of relucent's fixtures in ``directory`` (its ``manifest.json``
    says which checkpoints have an output ReLU), for the selected architectures."""
    from exactrelu import load_network

    root = Path(directory)
    manifest = root / "manifest.json"
    if not manifest.is_file():
        raise SystemExit(f"EXACTRELU_RELUCENT_FIXTURES={directory}: no manifest.json there (copy relucent's "
                         "tests/integration/fixtures directory)")
    out = []
    for entry in json.loads(manifest.read_text())["witnesses"]:
        path = root / entry["file"]
        if not path.is_file():
            continue
        relu_last = bool(entry.get("add_last_relu", True))
        net = load_network(path, output_relu=relu_last)
        arch = net.architecture[:-1] if relu_last else net.architecture
        name = "-".join(map(str, arch))
        if not _selected(name):
            continue
        expected = EXPECTED.get(name) if relu_last else None
        out.append((name, f"relucent fixture {entry['file']}", net, expected))
    return sorted(out, key=lambda t: (len(t[2].architecture), t[2].num_parameters))


def _selected(name: str) -> bool:
    if ONLY:
        return name in ONLY
    return name in SHAPES and (LARGE or name not in LARGE_SHAPES)


def _counted(net: Network, fast: bool) -> tuple[int, float, float, int | None]:
    """(regions, wall seconds, CPU seconds, regions built by the certified float proposal or None if unknown).

    The path counts wrap the engine's per-region builder; ``fast=False`` switches the certified float proposal off
    (the exact cdd path).  Both use private switches of :mod:`exactrelu.geometry.construct` and degrade to "not
    measured" if the engine no longer has them.
    """
    construct = importlib.import_module("exactrelu.geometry.construct")
    orig = getattr(construct, "_build_region_nd", None)
    has_switch = hasattr(construct, "_FAST_ND")
    if not fast and not has_switch:
        raise LookupError("the engine has no switch for its certified fast path")
    hits = [0, 0]

    def counted(*args: Any, **kwargs: Any) -> Any:
        out = orig(*args, **kwargs)  # type: ignore[misc]
        hits[out is None] += 1
        return out

    if orig is not None:
        construct._build_region_nd = counted
    if has_switch:
        construct._FAST_ND = fast
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        n = len(regions(net).regions)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        if orig is not None:
            construct._build_region_nd = orig
        if has_switch:
            construct._FAST_ND = True
    return n, dt, cpu, (hits[0] if orig is not None and fast else None)


def measure(name: str, source: str, net: Network, expected: int | None, peers: bool) -> dict[str, Any]:
    """Every figure of one network (see the module docstring)."""
    from benchmarks.bench_regions import float_split

    n, dt, cpu, nd = _counted(net, True)
    row: dict[str, Any] = {"network": name, "source": source, "architecture": list(net.architecture),
                           "regions": n, "expected_regions": expected,
                           "count_ok": None if expected is None else n == expected,
                           "seconds": round(dt, 2), "cpu_seconds": round(cpu, 2), "regions_per_s": round(n / dt, 1),
                           "fraction_certified_float": None if nd is None else round(nd / n, 3),
                           "fraction_exact_cdd": None if nd is None else round((n - nd) / n, 3)}
    if n <= EXACT_PATH_MAX:
        try:
            n2, dt2, cpu2, _ = _counted(net, False)
        except LookupError as exc:
            row["exact_cdd_path"] = str(exc)
        else:
            assert n2 == n, (n2, n)
            row.update({"exact_cdd_path_seconds": round(dt2, 2), "exact_cdd_path_cpu_seconds": round(cpu2, 2),
                        "speedup_vs_exact_cdd_path_cpu": round(cpu2 / cpu, 1)})
    t0, c0 = time.perf_counter(), time.process_time()
    nf, _, done = float_split(net, t0 + min(BUDGET, max(10 * dt, 5.0)))
    tf, cf = time.perf_counter() - t0, time.process_time() - c0
    row["float64_seconds"] = round(tf, 2) if done else f"> {tf:.1f} (stopped)"
    row["float64_cpu_seconds"] = round(cf, 2)
    row["float64_regions"] = nf if done else None
    row["vs_float64_cpu"] = round(cf / cpu, 2) if done else f">= {cf / cpu:.2f}"
    if peers:
        from benchmarks import peer_relucent

        if n > RELUCENT_MAX:
            rl: dict[str, Any] = {"skipped": f"{n} regions > EXACTRELU_BENCH_RELUCENT_MAX_REGIONS={RELUCENT_MAX}"}
        else:
            rl = peer_relucent.count_regions(net)
        row["relucent"] = rl
        if "regions" in rl:
            row["relucent_count_ok"] = None if expected is None else rl["regions"] == expected
            row["vs_relucent_wall"] = round(rl["seconds"] / dt, 1)
            row["vs_relucent_cpu"] = round(rl["cpu_seconds"] / cpu, 1)
    row["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return row


def _cell(row: dict[str, Any], key: str, fmt: str = "{}") -> str:
    v = row.get(key)
    return "n/a" if v is None else fmt.format(v)


def table(rows: list[dict[str, Any]]) -> str:
    """The compact Markdown table (one row per network) that the README quotes."""
    head = ("| network | regions | exactrelu s (CPU s) | certified float path | exact cdd path CPU s (x) | "
            "float64 scipy CPU s (x) | relucent s (CPU s) | x relucent (wall / CPU) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        count = f"{r['regions']:,}" + ("" if r["count_ok"] is None else (" ✓" if r["count_ok"] else
                                                                         f" ✗ (expected {r['expected_regions']:,})"))
        frac = "n/a" if r["fraction_certified_float"] is None else f"{r['fraction_certified_float']:.1%}"
        exact = ("n/a" if "exact_cdd_path_cpu_seconds" not in r else
                 f"{r['exact_cdd_path_cpu_seconds']} (x{r['speedup_vs_exact_cdd_path_cpu']})")
        f64 = (f"{r['float64_cpu_seconds']} (x{r['vs_float64_cpu']})" if r["float64_regions"] is not None else
               f"stopped at {r['float64_cpu_seconds']} (x{r['vs_float64_cpu']})")
        rl = r.get("relucent")
        if rl is None:
            rel, ratio = "not run (--peers)", "n/a"
        elif "regions" in rl:
            mark = "" if rl["regions"] == r["regions"] else f", {rl['regions']:,} regions"
            rel = f"{rl['seconds']} ({rl['cpu_seconds']}{mark})"
            ratio = f"{r['vs_relucent_wall']} / {r['vs_relucent_cpu']}"
        else:
            rel, ratio = "skipped" if "skipped" in rl else "failed", "n/a"
        lines.append(f"| {r['network']} | {count} | {r['seconds']} ({r['cpu_seconds']}) | {frac} | {exact} | {f64} | "
                     f"{rel} | {ratio} |")
    return "\n".join(lines)


def main(peers: bool = False) -> dict[str, Any]:
    if FIXTURES:
        nets = fixture_networks(FIXTURES)
        if not nets:
            print(f"no selected fixture found in {FIXTURES}")
    else:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("PyTorch is not installed and EXACTRELU_RELUCENT_FIXTURES is not set: trained-network benchmark "
                  "skipped (pip install 'exactrelu[torch]', or point EXACTRELU_RELUCENT_FIXTURES at relucent's "
                  "fixtures)")
            return {"skipped": "torch not installed and no fixtures"}
        nets = [(name, "trained here (seed 0, float32)", train(widths), None)
                for name, widths in SHAPES.items() if _selected(name)]
    if peers:
        from benchmarks import peer_relucent

        ok, why = peer_relucent.available()
        print(f"relucent: {'version ' + why if ok else 'skipped: ' + why}", flush=True)
    load0 = os.getloadavg()
    rows = []
    for name, source, net, expected in nets:
        row = measure(name, source, net, expected, peers)
        rows.append(row)
        rl = row.get("relucent", {})
        rl_text = "" if not rl else (f"; relucent {rl['regions']} regions in {rl['seconds']} s (CPU "
                                     f"{rl['cpu_seconds']} s), x{row['vs_relucent_wall']} wall / "
                                     f"x{row['vs_relucent_cpu']} CPU" if "regions" in rl else
                                     f"; relucent {'skipped' if 'skipped' in rl else 'failed'}: "
                                     f"{rl.get('skipped') or rl.get('failed')}")
        check = "" if row["count_ok"] is None else (" (= expected)" if row["count_ok"] else
                                                    f" (EXPECTED {expected})")
        print(f"{name} [{source}]: {row['regions']} regions{check} in {row['seconds']} s (CPU {row['cpu_seconds']} "
              f"s, {row['regions_per_s']}/s); certified float path {_cell(row, 'fraction_certified_float', '{:.1%}')}, "
              f"exact cdd {_cell(row, 'fraction_exact_cdd', '{:.1%}')}; exact cdd path CPU "
              f"{row.get('exact_cdd_path_cpu_seconds', 'n/a')} s; float64 scipy CPU {row['float64_cpu_seconds']} s"
              f"{rl_text}; peak RSS {row['peak_rss_mib']} MiB", flush=True)
    load1 = os.getloadavg()
    print(f"\nload average {load0[0]:.2f} at the start, {load1[0]:.2f} at the end ({os.cpu_count()} CPUs)\n")
    print(table(rows), flush=True)
    bad = [r["network"] for r in rows if r["count_ok"] is False]
    if bad:
        print(f"WRONG REGION COUNT: {', '.join(bad)}", flush=True)
    return {"rows": rows, "load_average": [round(load0[0], 2), round(load1[0], 2)], "cpus": os.cpu_count(),
            "fixtures": FIXTURES, "table": table(rows)}


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_trained")
    ap.add_argument("--peers", action="store_true", help="also run relucent")
    ap.add_argument("--json", help="write every figure to this JSON file")
    args = ap.parse_args()
    result = main(peers=args.peers)
    if args.json:
        from exactrelu.core.files import atomic_write_text

        atomic_write_text(args.json, json.dumps(result, indent=2, default=str) + "\n")
