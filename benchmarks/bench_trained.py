"""Region enumeration on *trained* networks (float32 weights: dyadic rationals with denominators up to 2^40 and
integer rows that grow layer by layer), the case where every cell used to take the exact cdd path.

Small MLPs of relucent's fixture shapes are trained here with PyTorch (CPU, seeded, a few hundred Adam steps on a
synthetic 4-dimensional two-class problem; nothing is downloaded): 4-8-1, 4-10-1 and 4-12-1 with an output ReLU (an
extra hidden layer of width 1 followed by the identity), and 4-10-10-10-10-1 with an output ReLU.  Each network is
imported exactly (``Network.from_floats``: every float32 weight is its exact binary value).  Figures, in one run on
the same networks: regions, seconds and regions/s of ``regions()``, the fraction of regions built by each path
(certified float proposal, exact cdd), the same enumeration with the certified fast path switched off (the exact cdd
path) and the float64 scipy splitting of ``bench_regions`` (stopped after a budget), and peak memory.
Skipped with a message when PyTorch is not installed.
"""

from __future__ import annotations

import importlib
import os
import resource
import time
from typing import Any

from exactrelu import Network
from exactrelu.geometry.regions import regions

SHAPES = [("4-8-1 +ReLU", (4, 8, 1)), ("4-10-1 +ReLU", (4, 10, 1)), ("4-12-1 +ReLU", (4, 12, 1)),
          ("4-10-10-10-10-1 +ReLU", (4, 10, 10, 10, 10, 1))]
#: the exact-path and float64 comparisons stop after this many seconds per network
BUDGET = float(os.environ.get("EXACTRELU_BENCH_TRAINED_BUDGET", "120"))
LARGE = os.environ.get("EXACTRELU_BENCH_TRAINED_LARGE", "1") == "1"


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
    layers = [(m.weight.detach().numpy(), m.bias.detach().numpy()) for m in model if isinstance(m, torch.nn.Linear)]
    layers.append(([[1]], [0]))  # the output ReLU becomes a hidden neuron; the identity is the affine output layer
    return Network.from_floats(layers)


def _counted(net: Network, fast: bool) -> tuple[int, float, int, int]:
    """(regions, seconds, regions built by the certified float proposal, by the exact cdd path)."""
    construct = importlib.import_module("exactrelu.geometry.construct")
    orig = construct._build_region_nd
    hits = [0, 0]

    def counted(*args: Any) -> Any:
        out = orig(*args)
        hits[out is None] += 1
        return out

    construct._build_region_nd = counted
    construct._FAST_ND = fast
    try:
        t0 = time.perf_counter()
        n = len(regions(net).regions)
        dt = time.perf_counter() - t0
    finally:
        construct._build_region_nd = orig
        construct._FAST_ND = True
    return n, dt, hits[0], n - hits[0]


def main(peers: bool = False) -> dict[str, Any]:
    try:
        import torch  # noqa: F401
    except ImportError:
        print("PyTorch is not installed: trained-network benchmark skipped (pip install 'exactrelu[torch]')")
        return {"skipped": "torch not installed"}
    from benchmarks.bench_regions import float_split

    out: dict[str, Any] = {}
    for name, widths in SHAPES:
        if len(widths) > 4 and not LARGE:
            continue
        net = train(widths)
        n, dt, nd, exact = _counted(net, True)
        row: dict[str, Any] = {"architecture": list(net.architecture), "regions": n, "seconds": round(dt, 2),
                               "regions_per_s": round(n / dt, 1), "fraction_certified_float": round(nd / n, 3),
                               "fraction_exact_cdd": round(exact / n, 3)}
        if n <= 3000:
            n2, dt2, _, _ = _counted(net, False)
            assert n2 == n
            row.update({"exact_cdd_path_seconds": round(dt2, 2), "speedup_vs_exact_cdd_path": round(dt2 / dt, 1)})
        t0 = time.perf_counter()
        nf, _, done = float_split(net, t0 + min(BUDGET, max(10 * dt, 5.0)))
        tf = time.perf_counter() - t0
        row["float64_seconds"] = round(tf, 2) if done else f"> {tf:.1f} (stopped)"
        row["float64_regions"] = nf if done else None
        row["vs_float64"] = round(tf / dt, 2) if done else f">= {tf / dt:.2f}"
        row["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        out[name] = row
        print(f"{name}: {n} regions in {dt:.2f} s ({n / dt:.0f}/s); certified float path "
              f"{row['fraction_certified_float']:.1%}, exact cdd {row['fraction_exact_cdd']:.1%}; exact cdd path "
              f"{row.get('exact_cdd_path_seconds', 'n/a')} s (x{row.get('speedup_vs_exact_cdd_path', 'n/a')}); "
              f"float64 scipy {row['float64_seconds']} s; peak RSS {row['peak_rss_mib']} MiB", flush=True)
    return out


if __name__ == "__main__":
    main()
