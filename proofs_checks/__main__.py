"""Runner: ``python -m proofs_checks [--scheduler ADDR] [--only NAME ...] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from typing import Any

from . import check_modules


def _run_one(module_name: str, case: Any) -> tuple[bool, str]:
    import importlib

    mod = importlib.import_module(module_name)
    try:
        note = mod.check(case)
        return True, note or ""
    except Exception as exc:  # noqa: BLE001 - report every failure, never stop the sweep
        return False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m proofs_checks", description=__doc__)
    ap.add_argument("--scheduler", help="Dask scheduler address (default: a LocalCluster on this machine)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default 2)")
    ap.add_argument("--only", nargs="*", help="run only checks whose module name contains one of these")
    ap.add_argument("--json", action="store_true", help="print the table as JSON")
    ap.add_argument("--serial", action="store_true", help="run in this process without Dask (debugging)")
    args = ap.parse_args(argv)

    from rich.console import Console
    from rich.table import Table

    mods = check_modules(args.only)
    jobs = [(m.__name__, c) for m in mods for c in m.cases()]
    t0 = time.perf_counter()
    if args.serial:
        results = [_run_one(n, c) for n, c in jobs]
    else:
        from dask.distributed import Client, LocalCluster

        cluster = None
        if args.scheduler:
            client = Client(args.scheduler)
        else:
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        try:
            futures = client.map(_run_one, [n for n, _ in jobs], [c for _, c in jobs], pure=False)
            results = client.gather(futures)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elapsed = time.perf_counter() - t0
    rows = []
    failures = []
    for m in mods:
        mine = [(c, r) for (n, c), r in zip(jobs, results) if n == m.__name__]
        passed = sum(1 for _, (ok, _) in mine if ok)
        rows.append({"check": m.__name__.split(".")[-1], "theorem": m.THEOREM.splitlines()[0],
                     "cases": len(mine), "passed": passed})
        failures += [(m.__name__, c, msg) for c, (ok, msg) in mine if not ok]
    if args.json:
        print(json.dumps({"checks": rows, "seconds": round(elapsed, 2),
                          "failures": [[n, repr(c), msg] for n, c, msg in failures]}, indent=2))
    else:
        table = Table("check", "theorem", "cases", "passed", title=f"proofs_checks ({elapsed:.1f} s)")
        for r in rows:
            style = "green" if r["passed"] == r["cases"] else "red"
            table.add_row(r["check"], r["theorem"], str(r["cases"]), f"[{style}]{r['passed']}[/]")
        Console().print(table)
        for n, c, msg in failures:
            print(f"FAILED {n} {c!r}: {msg}", file=sys.stderr)
        total = sum(r["cases"] for r in rows)
        print(f"proofs: {total - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
