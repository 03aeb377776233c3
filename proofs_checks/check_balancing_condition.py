"""Balancing at every ridge and rank-one jumps (docs/mathematics.md §1, [P:GM, G3]; a consistency check of the engine).

For a continuous piecewise-linear f, the jump across every facet is J_σ = ω_σ n_σ^T (rank one, normal to the
facet), and walking once around any ridge τ, Σ ε_i J_{σ_i} = 0.  Checked exactly on C_θ of random networks of
several depths, input dimensions 2 and 3, and on the named examples.
"""

from __future__ import annotations

from exactrelu import examples, random_network
from exactrelu.geometry.regions import regions

THEOREM = "Jumps are rank one and balance at every ridge of C_θ (docs/mathematics.md §1)"

ARCHS = [(2, 3, 1), (2, 4, 2), (2, 3, 3, 1), (2, 2, 2, 2, 1), (3, 3, 1), (3, 3, 2, 1), (2, 4, 3, 2)]


def cases() -> list[tuple[str, object, int]]:
    out: list[tuple[str, object, int]] = [("random", a, s) for a in ARCHS for s in range(4)]
    out += [("example", name, 0) for name, net in examples.catalogue().items() if net.input_dim >= 2]
    return out


def check(case: tuple[str, object, int]) -> str:
    kind, what, seed = case
    net = random_network(what, seed=seed, max_num=3, max_den=2) if kind == "random" else examples.catalogue()[what]
    C = regions(net)
    n = C.check_balancing()  # raises on a failure
    interior = [t for t in C.faces(C.dim - 2) if not t.boundary]
    assert n == len(interior)
    for j in C.jumps():
        Ap, Am = C.regions[j.regions[1]].affine_map[0], C.regions[j.regions[0]].affine_map[0]
        assert [list(r) for r in j.matrix] == [[p - m for p, m in zip(rp, rm)] for rp, rm in zip(Ap, Am)]
    return f"{n} ridges, {len(C.jumps())} facets"
