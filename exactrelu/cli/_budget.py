"""Size limits and the work/memory estimate checked before a command starts.

A command that enumerates regions costs, per region, about one exact LP over ``N_h`` hyperplanes in dimension ``d``
and stores ``N_h`` rows of ``d + 1`` rationals.  The number of regions is estimated by the count of a generic
arrangement of ``N_h`` hyperplanes in ``R^d``, ``sum_{i <= d} C(N_h, i)`` (for one hidden layer this is the exact
maximum; for deeper networks it is the typical order of magnitude), capped by the command's ``--max-regions``.
Calibrated on this package's enumeration (2 cores, CPython 3.11): about ``4 kB + 50 N_h (d + 1)`` bytes and
``1 ms + 15 µs N_h d^2`` per region.  Commands that rank Jacobians add ``min(R m, D) x D`` exact entries; symbolic
fibers and canonical data of one-hidden-layer networks cost about ``N_h D`` entries.  The estimates are rough
(within a factor of a few) and deliberately simple; they exist to refuse in one second what would otherwise run
for days or exhaust the machine's memory, with a message that says which root option raises the limit.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from exactrelu.core.errors import FormatError, SizeLimitError
from exactrelu.core.files import DEFAULT_MAX_FILE_BYTES
from exactrelu.core.network import DEFAULT_MAX_PARAMETERS, Network

__all__ = ["Limits", "Estimate", "estimate", "check_budget", "parse_size", "format_bytes", "format_seconds"]


def _half_memory() -> int:
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2)
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 4 * 2**30


@dataclass
class Limits:
    """The limits of one run (root options ``--max-parameters``, ``--max-file-size``, ``--max-memory``,
    ``--max-time``)."""

    max_parameters: int = DEFAULT_MAX_PARAMETERS
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_memory: int = field(default_factory=_half_memory)
    max_seconds: int = 86_400


@dataclass(frozen=True)
class Estimate:
    """Estimated peak memory (bytes) and running time (seconds) of a command, with what they are made of."""

    memory: float
    seconds: float
    what: str


_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_TIME_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_size(text: str, option: str, *, seconds: bool = False) -> int:
    """``"64M"`` -> bytes (k, M, G, T, powers of 1024), or with ``seconds=True`` ``"12h"`` -> seconds (s, m, h, d).

    >>> parse_size("64M", "--max-file-size"), parse_size("2d", "--max-time", seconds=True)
    (67108864, 172800)
    """
    units = _TIME_UNITS if seconds else _UNITS
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([a-zA-Z]?)[bB]?", text.strip())
    if m is None or m.group(2).lower() not in units:
        example = "30m, 12h or 2d" if seconds else "512M, 8G or 1T"
        raise FormatError(f"{option} {text!r}: expected a number with an optional unit, e.g. {example}")
    return int(float(m.group(1)) * units[m.group(2).lower()])


def format_bytes(n: float) -> str:
    """``1.5e9`` -> ``"1.4 GB"`` (powers of 1024)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n < 1024 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PB"  # pragma: no cover


def format_seconds(s: float) -> str:
    """``7200`` -> ``"2.0 hours"``."""
    for unit, size in (("years", 31_557_600), ("days", 86_400), ("hours", 3600), ("minutes", 60)):
        if s >= size:
            value = s / size
            return f"{value:.1e} {unit}" if value >= 1e4 else f"{value:.1f} {unit}"
    return f"{s:.0f} seconds"


def region_estimate(hyperplanes: int, d: int) -> float:
    """``sum_{i <= d} C(N, i)``: the regions of a generic arrangement of ``N`` hyperplanes in ``R^d`` (a float).

    >>> region_estimate(3, 2), region_estimate(1_500_000, 2) > 1e12
    (7.0, True)
    """
    if hyperplanes <= 0:
        return 1.0
    n = hyperplanes
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in range(min(d, n) + 1)]
    peak = max(logs)
    if peak > 700:
        return math.inf
    return float(round(sum(math.exp(v) for v in logs)))


def _regions_cost(R: float, N: int, d: int) -> tuple[float, float]:
    return R * (4000 + 50 * N * (d + 1)), R * (1e-3 + 15e-6 * N * d * d)


#: ``functional_dimension(method="auto")`` takes the structured path above this many parameters
#: (``exactrelu.theory.dimension.rows.LARGE_NETWORK``; repeated here so the CLI start-up does not import the theory).
STRUCTURED_ABOVE = 1500


def _structured(net: Network, method: Any) -> bool:
    if not isinstance(net, Network):  # graph networks: no structured path
        return False
    return method == "structured" or (method in (None, "auto") and net.num_parameters > STRUCTURED_ABOVE)


def _structured_cost(net: Network) -> Estimate:
    """The structured rank of ``fdim`` (no region enumeration): one random point per pattern, about
    ``n1 / m + 2`` patterns (at most 160), each adding ``D`` residues and a forward pass; calibrated on
    (784,128,10) (15 patterns, 11 s, 240 MB) and (2,3000,1) (160 patterns, more than 2 minutes)."""
    D, N, m = net.num_parameters, net.num_hidden, net.output_dim
    P = min(160, max(2, -(-net.layers[0].n_out // m) + 2))
    return Estimate(1e8 + P * (D + N * m) * 64.0, P * (7e-6 * D + 1e-7 * N * N),
                    f"structured rank over about {P} patterns of {D:,} parameters")


def estimate(command: str, nets: Sequence[Network], params: Mapping[str, Any]) -> Estimate | None:
    """The estimate for ``command`` (its CLI name) on the networks it read, or ``None`` for cheap commands."""
    if not nets:
        return None
    d = nets[0].input_dim
    N = sum(n.num_hidden for n in nets)
    D = sum(n.num_parameters for n in nets)
    m = nets[0].output_dim
    cap = params.get("max_regions")
    shallow = all(n.depth == 1 for n in nets)
    if command in ("info", "eval", "normal-form", "random", "check-certificate"):
        return None
    if command == "canonical" or (command == "equiv" and shallow and params.get("method") in (None, "auto",
                                                                                              "canonical-data")):
        return Estimate(200.0 * N * D, 1e-6 * N * N * d, f"canonical data of {N:,} neurons")
    if command == "fdim" and len(nets) == 1 and _structured(nets[0], params.get("method")):
        return _structured_cost(nets[0])
    R = region_estimate(N, d)
    if cap is not None and command not in ("fiber", "generic", "bottleneck", "demo"):
        R = min(R, float(cap))
    mem, sec = _regions_cost(R, N, d)
    what = f"about {R:.3g} regions of {N:,} hyperplanes in dimension {d}"
    if command in ("fdim", "identify"):
        rows = min(R * m, float(D))
        mem += rows * D * 40
        sec += rows * D * min(rows, D) * 1e-8
        what += f", a {rows:.3g} x {D:,} exact Jacobian"
    if command == "fiber" and shallow:
        mem, sec = 200.0 * N * D, 1e-5 * N * N * d
        what = f"symbolic fiber of {N:,} neurons"
    return Estimate(mem, sec, what)


def check_budget(command: str, nets: Sequence[Network], params: Mapping[str, Any], limits: Limits) -> None:
    """Raise :class:`~exactrelu.core.errors.SizeLimitError` when the estimate exceeds the limits."""
    est = estimate(command, nets, params)
    if est is None:
        return
    arch = " and ".join(str(n.architecture) for n in nets)
    lower = " or lower --max-regions" if "max_regions" in params and "regions" in est.what else ""
    if est.memory > limits.max_memory:
        raise SizeLimitError(
            f"{command} on {arch} needs an estimated {format_bytes(est.memory)} of memory ({est.what}), more than "
            f"the limit of {format_bytes(limits.max_memory)}; raise it with `exactrelu --max-memory SIZE "
            f"{command} ...`" + lower)
    if est.seconds > limits.max_seconds:
        raise SizeLimitError(
            f"{command} on {arch} would take an estimated {format_seconds(est.seconds)} ({est.what}), more than "
            f"the limit of {format_seconds(limits.max_seconds)}; raise it with `exactrelu --max-time DURATION "
            f"{command} ...`" + lower)
