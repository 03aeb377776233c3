"""The peer package relucent (https://github.com/bl-ake/relucent, AGPL; optional, ``make bench-peers`` installs it
with the ``peers`` extra) run on the same network as exactrelu, in the same process.

relucent enumerates the activation regions of a float64 ReLU network by a breadth-first search over facets, with
Gurobi LPs (``gurobipy`` ships a free size-limited licence) and a final certification (``verify=True``, its
default).  It is only called through its public API (``Complex(net).bfs(...)``); nothing of it is copied here.
"""

from __future__ import annotations

import os
import resource
import time
from collections import OrderedDict
from typing import Any

import numpy as np

from exactrelu import Network
from exactrelu.core.output_relu import ends_with_output_relu
from exactrelu.engines.arrays import network_to_arrays

#: worker processes for relucent's search (1: the same single core exactrelu uses); EXACTRELU_BENCH_RELUCENT_WORKERS
WORKERS = int(os.environ.get("EXACTRELU_BENCH_RELUCENT_WORKERS", "1"))


def available() -> tuple[bool, str]:
    """(importable, version or the reason it is not)."""
    os.environ.setdefault("DISABLE_RESEARCH_WARNING", "1")
    try:
        import relucent
    except ImportError as exc:
        return False, f"relucent is not installed ({exc}); `make bench-peers` installs it (pip install relucent)"
    except Exception as exc:  # a broken gurobipy install and the like
        return False, f"relucent cannot be imported: {type(exc).__name__}: {exc}"
    return True, str(getattr(relucent, "__version__", "?"))


def relucent_network(net: Network, *, allow_rounding: bool = False) -> Any:
    """relucent's ``ReLUNetwork`` of ``net`` in float64 (exactly, for networks imported from float64 or float32).

    A network that ends with an output ReLU (identity output layer, see :mod:`exactrelu.core.output_relu`) is given
    to relucent as what it is: its layers before the identity, with a ReLU after every one of them.  A network whose
    entries are not all float64 numbers (e.g. 1/3) is refused unless ``allow_rounding`` (then relucent sees the
    nearest float64 network).
    """
    from relucent.model.model import LinearLayer, ReLULayer, ReLUNetwork

    arrays, rounding = network_to_arrays(net)
    if not rounding.exact and not allow_rounding:
        raise ValueError(f"the network is not exactly a float64 network ({rounding}); relucent would see another one")
    relu_last = ends_with_output_relu(net)
    if relu_last:
        arrays = arrays[:-1]
    layers: OrderedDict[str, Any] = OrderedDict()
    for i, (W, b) in enumerate(arrays):
        layers[f"fc{i}"] = LinearLayer(weight=np.asarray(W, dtype=np.float64),
                                       bias=np.asarray(b, dtype=np.float64).reshape(1, -1))
        if i < len(arrays) - 1 or relu_last:
            layers[f"relu{i}"] = ReLULayer()
    return ReLUNetwork(layers, input_shape=(net.input_dim,))


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def count_regions(net: Network, *, seed: int = 0, workers: int = WORKERS,
                  allow_rounding: bool = False) -> dict[str, Any]:
    """Run relucent's BFS on ``net``; returns ``{"regions", "seconds", "cpu_seconds", "complete", "verified"}`` or
    ``{"skipped": reason}`` (not importable, Gurobi licence refusing the model size) or ``{"failed": message}``.

    ``cpu_seconds`` counts this process and its finished worker processes.  A random start that lands on a
    hyperplane is retried with the next one, as relucent's own integration tests do.
    """
    ok, why = available()
    if not ok:
        return {"skipped": why}
    from relucent import Complex

    try:
        rnet = relucent_network(net, allow_rounding=allow_rounding)
    except ValueError as exc:
        return {"skipped": str(exc)}
    rng = np.random.default_rng(seed)
    t0, c0 = time.perf_counter(), _cpu()
    try:
        for _ in range(64):
            cplx = Complex(rnet)
            try:
                res = cplx.bfs(start=rng.standard_normal((1, net.input_dim)), nworkers=workers, verbose=0)
                break
            except ValueError as exc:
                if "hyperplane" not in str(exc):
                    raise
        else:
            return {"failed": "every random start landed on a hyperplane"}
    except Exception as exc:
        text = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        if "licen" in text.lower() or "size-limited" in text.lower() or "too large" in text.lower():
            return {"skipped": f"Gurobi licence refuses the model size ({text[:200]})"}
        return {"failed": text[:300]}
    dt, cpu = time.perf_counter() - t0, _cpu() - c0
    return {"regions": len(cplx), "seconds": round(dt, 2), "cpu_seconds": round(cpu, 2),
            "complete": bool(getattr(res, "complete", cplx.complete)),
            "verified": bool(getattr(res, "verified", cplx.verified)), "workers": workers, "version": why}
