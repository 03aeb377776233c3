"""Two-layer ReLU networks have exactly N_h independent conservation laws (docs/mathematics.md G1, G2; MGP).

For random one-hidden-layer networks whose neurons are all active somewhere and whose output weights are nonzero,
the exact Lie-closure count equals the number of balance laws, with both generator choices; the count is certified
from both sides (proved laws below, evaluated Lie trace above), and is cross-checked against the functional
dimension (count <= D - dim_fun).
"""

from __future__ import annotations

from exactrelu import functional_dimension, random_network, regions
from exactrelu.theory.dynamics import count_conservation_laws

THEOREM = "A two-layer ReLU network has exactly N_h independent conservation laws (docs/mathematics.md G1, G2)"


def cases() -> list[tuple[tuple[int, ...], int]]:
    return [(a, s) for a in ((1, 2, 1), (2, 2, 1), (2, 3, 1), (2, 3, 2), (3, 2, 1)) for s in range(4)]


def check(case: tuple[tuple[int, ...], int]) -> str:
    arch, seed = case
    for s in range(seed, seed + 50):  # next seed whose neurons are all alive and visible (the theorem's hypothesis)
        net = random_network(arch, seed=s)
        C = regions(net)
        alive = not C.dead_neurons() and all(any(row[i] != 0 for row in net.layers[1].weights)
                                             for i in range(arch[1]))
        if alive:
            break
    else:
        raise AssertionError(f"no network with every neuron alive among seeds {seed}..{seed + 49}")
    fd = functional_dimension(net)
    for gen in ("maps", "paths"):
        res = count_conservation_laws(net, generators=gen)
        assert res.count == net.num_hidden, (gen, res)
        assert res.certified_by == "bounds"
        if fd.rank is not None:
            assert res.count <= net.num_parameters - fd.rank
    return f"seed {s}: {net.num_hidden} laws"
