"""Certified functional dimension of networks up to (784,128,10) (D = 101,770), against dense baselines in the same run.

The fast path is :func:`exactrelu.theory.dimension.fdim.structured_functional_dimension`: random rational points, one
pattern
Jacobian per region met, and :func:`exactrelu.theory.dimension.fdim.structured_rank`, which uses the block structure of
the first
layer (rank J = (d+1) rank B + rank [Q C_j]_j) and a modular rank of a small random compression. It certifies
dim_fun = D - N_h when the lower bound reaches the upper bound.

Baselines, run on the same Jacobian written out densely (J_{F_Z} at d+1 affinely independent points of each region
the structured path used):
* float64 ``numpy.linalg.matrix_rank`` (SVD with a guessed tolerance: no certificate);
* exact rational elimination (``fmpz_mat.rank`` of the integer-scaled matrix, through exactrelu.engines.flintlib);
* dense modular rank (``nmod_mat``, through exactrelu.engines.flintlib).
The dense baselines are O(D^3), so they run only at the small sizes. At the large sizes the table gives a cubic
extrapolation from the largest measured size and marks it as an estimate.
"""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from exactrelu import random_network
from exactrelu.engines.flintlib import rank, rank_mod_p
from exactrelu.theory.dimension.fdim import region_basis_points, structured_functional_dimension
from exactrelu.theory.dimension.jacobian import parameter_jacobian

STRUCTURED = [(196, 12, 10), (392, 12, 10), (784, 12, 10), (196, 128, 10), (392, 128, 10), (784, 128, 10)]
#: the log-log plot of time against D (written by :func:`main`)
PLOT = Path("exactrelu-bench") / "fdim_time_vs_D.png"
DENSE = [(24, 12, 10), (48, 12, 10)]


def _dense_jacobian(net, centres) -> list[tuple[Fraction, ...]]:  # noqa: ANN001
    """The same Jacobian as the structured path, written out densely: J_{F_Z} at d+1 affinely independent points
    of each region the structured path used (same row space as the stacked pattern Jacobians)."""
    rows: list[tuple[Fraction, ...]] = []
    for x in centres:
        for q in region_basis_points(net, x):
            rows.extend(parameter_jacobian(net, q))
    return rows


def _timed(fn):  # noqa: ANN001, ANN202
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _loglog(entries: list[dict]) -> Path:
    """Seconds against D on log-log axes, one series per hidden width, with the 60 s target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for width in sorted({e["architecture"][1] for e in entries}):
        pts = [(e["D"], e["seconds"]) for e in entries if e["architecture"][1] == width]
        ax.loglog([p[0] for p in pts], [p[1] for p in pts], "o-", label=f"(d, {width}, 10)")
    ax.axhline(60, color="tab:red", linestyle="--", label="60 s")
    ax.set_xlabel("parameters D")
    ax.set_ylabel("seconds (certified dim_fun)")
    ax.legend()
    fig.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(PLOT, dpi=100)
    plt.close(fig)
    return PLOT


def main(peers: bool = False) -> dict:
    out: dict = {"structured": [], "dense": []}
    print(f"{'architecture':>16} {'D':>6} {'D-N_h':>6} {'rank':>6} {'certified':>9} {'regions':>7} {'seconds':>8}")
    for arch in STRUCTURED:
        net = random_network(arch, seed=0)
        r, dt = _timed(lambda net=net: structured_functional_dimension(net))
        print(f"{str(arch):>16} {net.num_parameters:>6} {r.upper_bound:>6} {r.rank:>6} {str(r.exact):>9} "
              f"{r.regions:>7} {dt:>8.2f}")
        out["structured"].append({"architecture": list(arch), "D": net.num_parameters, "rank": r.rank,
                                  "upper_bound": r.upper_bound, "certified": r.exact, "seconds": round(dt, 3)})
    s = out["structured"]
    if len(s) >= 2:
        slope = np.polyfit(np.log([e["D"] for e in s]), np.log([e["seconds"] for e in s]), 1)[0]
        out["structured_time_exponent_in_D"] = round(float(slope), 2)
        print(f"structured: time grows like D^{slope:.2f} over D = {[e['D'] for e in s]}")
        out["plot"] = str(_loglog(s))
        print(f"wrote {out['plot']}")

    print(f"\n{'dense baselines':>16} {'D':>6} {'structured':>10} {'float SVD':>10} {'rational':>10} "
          f"{'dense mod p':>11} {'SVD rank':>8} {'exact':>6}")
    for arch in DENSE:
        net = random_network(arch, seed=0)
        r, t_struct = _timed(lambda net=net: structured_functional_dimension(net))
        rows = _dense_jacobian(net, r.points)
        A = np.array([[float(v) for v in row] for row in rows])
        svd_rank, t_svd = _timed(lambda A=A: int(np.linalg.matrix_rank(A)))
        exact_rank, t_rat = _timed(lambda rows=rows: rank(rows))
        mod_rank, t_mod = _timed(lambda rows=rows: rank_mod_p(rows))
        assert exact_rank == r.rank == r.upper_bound and mod_rank == exact_rank
        print(f"{str(arch):>16} {net.num_parameters:>6} {t_struct:>9.2f}s {t_svd:>9.2f}s {t_rat:>9.2f}s "
              f"{t_mod:>10.2f}s {svd_rank:>8} {exact_rank:>6}")
        out["dense"].append({"architecture": list(arch), "D": net.num_parameters, "rows": len(rows),
                             "structured_s": round(t_struct, 3), "float_svd_s": round(t_svd, 3),
                             "rational_s": round(t_rat, 3), "dense_modular_s": round(t_mod, 3),
                             "svd_rank": svd_rank, "exact_rank": exact_rank,
                             "svd_over_structured": round(t_svd / t_struct, 2),
                             "rational_over_structured": round(t_rat / t_struct, 2)})
    big = out["dense"][-1]
    for e in s:
        f = (e["D"] / big["D"]) ** 3
        e["float_svd_estimate_s"] = round(big["float_svd_s"] * f, 1)
        e["rational_estimate_s"] = round(big["rational_s"] * f, 1)
        print(f"{str(tuple(e['architecture'])):>16}: structured {e['seconds']:.2f} s; cubic estimates from D = "
              f"{big['D']}: float SVD ~{e['float_svd_estimate_s']:.0f} s "
              f"(x{e['float_svd_estimate_s'] / e['seconds']:.0f}), rational ~{e['rational_estimate_s']:.0f} s "
              f"(x{e['rational_estimate_s'] / e['seconds']:.0f})")
    return out


if __name__ == "__main__":
    main()
