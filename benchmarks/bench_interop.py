"""Start-up and end-to-end CLI times on trained-size files: ``exactrelu --help``/``info`` and ``exactrelu equiv`` on
two (784, 512, 10) networks given as ``.pt`` (state dict), ``.onnx``, ``.safetensors`` and ``.json``.

The networks are float32 (seeded numpy), the second a permuted and rescaled copy of the first (so ``equiv`` answers
yes, by canonical data).  Each command runs as a fresh process, as a user would run it; the figures are the best of
``REPEAT`` runs, as wall time and as the child's CPU time (user + sys: what the wall time is on an idle core — this
machine is shared).  Targets: start-up < 0.5 s; ``equiv`` < 3 s for .pt/.onnx/.safetensors and < 5 s for JSON.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPEAT = 3
SHAPE = (784, 512, 10)


def _exactrelu() -> list[str]:
    script = Path(sys.executable).with_name("exactrelu")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from exactrelu.cli import main; main()"]


def _run(args: list[str]) -> tuple[float, float, int]:
    """(wall, child CPU user+sys) of one run of the CLI, and its exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(_exactrelu() + args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.returncode


def _best(args: list[str]) -> dict[str, float]:
    runs = [_run(args) for _ in range(REPEAT)]
    if any(code not in (0,) for _, _, code in runs):
        raise RuntimeError(f"exactrelu {' '.join(args)} exited with {[c for _, _, c in runs]}")
    return {"wall_s": round(min(w for w, _, _ in runs), 3), "cpu_s": round(min(c for _, c, _ in runs), 3)}


def _write_pair(folder: Path) -> None:
    from exactrelu.engines.arrays import network_from_arrays
    from exactrelu.engines.formats import save_network

    rng = np.random.default_rng(0)
    d, n, m = SHAPE
    W1, b1 = rng.standard_normal((n, d)).astype(np.float32) / 28, rng.standard_normal(n).astype(np.float32)
    W2, b2 = rng.standard_normal((m, n)).astype(np.float32) / 22, rng.standard_normal(m).astype(np.float32)
    perm = rng.permutation(n)
    pair = {"a": [(W1, b1), (W2, b2)],
            "b": [(W1[perm] * 2, b1[perm] * 2), (W2[:, perm] / 2, b2)]}  # x2 and /2 are exact in float32
    for name, layers in pair.items():
        tensors = {"0.weight": layers[0][0], "0.bias": layers[0][1], "2.weight": layers[1][0],
                   "2.bias": layers[1][1]}
        np.savez(folder / f"{name}.npz", **tensors)
        net = network_from_arrays(layers)
        for suffix in (".json", ".onnx", ".safetensors"):
            save_network(net, folder / f"{name}{suffix}")
        try:
            import torch

            torch.save({k: torch.from_numpy(v) for k, v in tensors.items()}, folder / f"{name}.pt")
        except ImportError:  # pragma: no cover - torch is optional
            pass


def main(peers: bool = False) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="exactrelu-bench-interop-"))
    results: dict[str, object] = {}
    try:
        small = folder / "small.json"
        from exactrelu import examples, save

        save(examples.relu_of_sum(), small)
        results["--help"] = _best(["--help"])
        results["info"] = _best(["info", str(small)])
        print(f"start-up: exactrelu --help {results['--help']}, info {results['info']} (target < 0.5 s)")
        _write_pair(folder)
        for suffix in (".pt", ".onnx", ".safetensors", ".npz", ".json"):
            a, b = folder / f"a{suffix}", folder / f"b{suffix}"
            if not a.exists():
                print(f"equiv {suffix}: skipped (writer not installed)")
                continue
            results[f"equiv {suffix}"] = r = _best(["equiv", str(a), str(b)])
            print(f"equiv (784,512,10) x2 as {suffix}: {r} (target < {5 if suffix == '.json' else 3} s); "
                  f"file {os.path.getsize(a) / 1e6:.1f} MB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()
