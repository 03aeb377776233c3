"""The cddlib adapter under stress, in a child process: a crash of cddlib (SIGSEGV, glibc heap abort) is a test
failure here, not a dead pytest.

The GMP build of cddlib 0.94m corrupts its heap in exact LPs on some rows with large rational entries (the rows
below, from ``exactrelu generic`` on a (5, 4, 8, 1) network); the adapter hands cddlib primitive integer rows only.
The child runs that LP through the adapter, then random rational LPs, canonicalisations, double descriptions and
hulls of the shapes the package produces (slack LPs of cells in d = 2 .. 6 with entries of up to 12 digits over
12 digits), and checks each answer exactly (feasibility of the argmax and its value, every dropped row implied).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent('''
    import random, sys
    from fractions import Fraction as F
    from exactrelu.engines import cddlib as C

    def val(r, x):
        return r[0] + sum(a * v for a, v in zip(r[1:], x))

    ISSUE = [[F(-1925430725712, 434027825), -1, F(-1057796025, 19606), F(838489817, 147045),
              F(-11406126303, 49015), F(1380060630, 68621), -1],
             [F(-34900678488, 25041162025), 1, F(-22734891218, 534475395), F(54639421, 59386155),
              F(-60924049043, 336521545), F(348663718, 27713539), -1],
             [F(-116, 525), 1, F(-83, 100), F(-256, 275), F(37, 100), F(-256, 275), -1],
             [F(-27, 943), 1, F(657, 1640), F(-46, 123), F(-99, 697), F(-72, 41), -1],
             [F(-1071965617, 76569730215), 1, F(1656937997, 1815882930), F(-68571361, 181588293),
              F(685601605, 343000109), F(-271306282, 141235339), -1],
             [1, 0, 0, 0, 0, 0, -1]]
    status, value, x = C.lp_max(ISSUE, [], [0, 0, 0, 0, 0, 0, 1], 6)
    assert status == "optimal" and value == 1 and all(val(r, x) >= 0 for r in ISSUE), (status, value)

    rng = random.Random(int(sys.argv[1]))
    def q(big):
        if big:
            return F(rng.randint(-10**12, 10**12), rng.randint(1, 10**12))
        return F(rng.randint(-99, 99), rng.randint(1, 99))
    n_lp = n_dd = 0
    for it in range(int(sys.argv[2])):
        d = rng.randint(2, 6)
        big = rng.random() < 0.7
        center = [q(big) for _ in range(d)]
        rows = []
        for _ in range(rng.randint(d + 1, 2 * d + 3)):
            a = [q(big) for _ in range(d)]
            slack = abs(q(big)) + F(1, rng.randint(1, 10**6))
            rows.append([slack - sum(u * c for u, c in zip(a, center))] + a)  # center strictly inside
        res = C.slack_point(rows, [], d)
        assert res is not None and all(val(r, res[0]) > 0 for r in rows)
        obj = [q(big) for _ in range(d + 1)]
        box = [[10**6] + [int(i == k) * s for i in range(d)] for k in range(d) for s in (1, -1)]
        status, value, x = C.lp_max(rows + box, [], obj, d)
        assert status == "optimal" and value == val(obj, x) and all(val(r, x) >= 0 for r in rows + box)
        n_lp += 2
        if d <= 4:
            ineq, eq, pos = C.canonicalize(rows, [])
            assert not eq and len(pos) == len(rows)
            V, R, L = C.generators(ineq, [], d)
            assert V and all(val(r, v) >= 0 for r in rows for v in V)
            assert all(sum(a * y for a, y in zip(r[1:], ray)) >= 0 for r in rows for ray in R)
            if not R and not L:
                H, E = C.hull(V, [], [], d)
                assert all(val(h, v) >= 0 for h in H for v in V) and not E
            n_dd += 1
    print(n_lp, n_dd)
''')


def _run(seed: int, count: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CHILD, str(seed), str(count)], capture_output=True, text=True,
                          timeout=600)


def test_cdd_adapter_stress_in_a_child_process() -> None:
    res = _run(0, 60)
    assert res.returncode == 0, f"cddlib child exited with {res.returncode}: {res.stderr[-2000:]}"
    n_lp, n_dd = map(int, res.stdout.split())
    assert n_lp == 120 and n_dd > 15


@pytest.mark.slow
def test_cdd_adapter_long_stress() -> None:
    for seed in range(1, 6):
        res = _run(seed, 400)
        assert res.returncode == 0, f"seed {seed}: cddlib child exited with {res.returncode}: {res.stderr[-2000:]}"
