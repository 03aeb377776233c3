"""docs/mathematics.md B1/B2: the canonical data K(f) is a complete invariant of a one-hidden-layer function.

For seeded random shallow pairs (a trivial-symmetry copy, a neuron split into two, added invisible / constant /
canceling neurons, or a perturbation of one parameter), ``canonical_data(a) == canonical_data(b)`` holds exactly when
the general method (common refinement, docs/mathematics.md A4) finds the functions equal; every witness is re-evaluated
and every certificate re-checked by the independent checker.
"""

from __future__ import annotations

import random
from fractions import Fraction

from exactrelu import Network, canonical_data, equivalent, permute, random_network, rescale
from exactrelu.geometry.certificate import check_certificate

THEOREM = "f_a = f_b iff K(f_a) = K(f_b) for one-hidden-layer networks, any widths (docs/mathematics.md B2)"

ARCHS = [(1, 3, 1), (1, 5, 1), (2, 3, 1), (2, 4, 2), (3, 4, 1)]
KINDS = ["symmetry", "split", "noise", "perturb-weight", "perturb-bias", "perturb-out"]


def cases() -> list[tuple[tuple[int, ...], int, str]]:
    return [(a, s, k) for a in ARCHS for s in range(3) for k in KINDS]


def _variant(net: Network, kind: str, rng: random.Random) -> Network:
    hid, out = net.layers
    n, d = hid.n_out, net.input_dim
    if kind == "symmetry":
        perm = list(range(n))
        rng.shuffle(perm)
        return permute(rescale(net, 1, [Fraction(rng.randint(1, 9), rng.randint(1, 9)) for _ in range(n)]), 1, perm)
    if kind == "split":
        lam, part = Fraction(rng.randint(1, 5), 2), Fraction(rng.randint(-3, 3), 4)
        rows = list(hid.weights) + [tuple(lam * v for v in hid.weights[0])]
        biases = list(hid.biases) + [lam * hid.biases[0]]
        W2 = [tuple([part * r[0], *r[1:], (1 - part) * r[0] / lam]) for r in out.weights]
        return Network.from_lists([(rows, biases), (W2, out.biases)])
    if kind == "noise":  # invisible neuron, dead constant neuron, canceling pair relu(z) - relu(-z) - z = 0 ...
        u = [Fraction(rng.randint(1, 4), 3) for _ in range(d)]
        rows = list(hid.weights) + [u, [0] * d, u, [-v for v in u]]
        biases = list(hid.biases) + [1, -2, 0, 0]
        W2 = [list(r) + [0, 5, 1, -1] for r in out.weights]
        # ... minus the same linear term through two more neurons: -relu(u.x) + relu(-u.x)
        rows += [u, [-v for v in u]]
        biases += [0, 0]
        W2 = [r + [-1, 1] for r in W2]
        return Network.from_lists([(rows, biases), (W2, out.biases)])
    theta = list(net.parameters())
    names = net.parameter_names()
    prefix = {"perturb-weight": "W1", "perturb-bias": "b1", "perturb-out": "W2"}[kind]
    k = rng.choice([i for i, nm in enumerate(names) if nm.startswith(prefix)])
    theta[k] += Fraction(1, 10**12)
    return Network.from_parameters(net.architecture, theta)


def check(case: tuple[tuple[int, ...], int, str]) -> str:
    arch, seed, kind = case
    net = random_network(arch, seed=seed)
    other = _variant(net, kind, random.Random(seed))
    same_data = canonical_data(net) == canonical_data(other)
    general = equivalent(net, other, method="common-refinement")
    assert same_data == bool(general) == (kind in ("symmetry", "split", "noise"))
    fast = equivalent(net, other, method="canonical-data")
    assert bool(fast) == same_data
    if general:
        assert check_certificate(general.certificate)["valid"]
        return f"equal, {general.regions} regions"
    for res in (fast, general):
        w = res.witness
        assert w is not None and net(w.x) == w.a and other(w.x) == w.b and w.a != w.b
    return "different, witnesses verified"
