"""Run every benchmark: ``python -m benchmarks [--only NAME] [--peers] [--json OUT]``."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time

import benchmarks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("--only", nargs="*", help="run only benchmarks whose name contains one of these")
    ap.add_argument("--peers", action="store_true", help="also run optional peer-package baselines")
    ap.add_argument("--json", help="write all figures to this JSON file")
    args = ap.parse_args(argv)
    results = {}
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda i: i.name):
        if not info.name.startswith("bench_") or (args.only and not any(o in info.name for o in args.only)):
            continue
        mod = importlib.import_module(f"benchmarks.{info.name}")
        print(f"\n=== {info.name} ===", flush=True)
        t0 = time.perf_counter()
        results[info.name] = mod.main(peers=args.peers)
        print(f"--- {info.name}: {time.perf_counter() - t0:.1f} s", flush=True)
    if args.json:
        from exactrelu.core.files import atomic_write_text

        atomic_write_text(args.json, json.dumps(results, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
