"""docs/mathematics.md B4: the minimal number of hidden neurons of a shallow function is k, k+1 or k+2 (scalar output).

The table of B4 exactly, and for seeded random (1, n, 1) / (2, n, 1) networks (with sparse weights so that the three
cases all occur): ``canonical_form`` has exactly ``minimal_width`` neurons, computes the same function (equal
canonical data and a checked certificate), is idempotent, and the case found is consistent with the orientation
sets (case k iff some ``S`` has ``A_R + sum_S C_j a_j^T = 0``); for d = 1 case k+2 occurs only when k = 0.
"""

from __future__ import annotations

from exactrelu import Network, canonical_data, canonical_form, equivalent, examples, minimal_width, random_network
from exactrelu.geometry.certificate import check_certificate
from exactrelu.theory.equality.shallow import minimal_width_case, valid_orientation_sets

THEOREM = "minimal width = k, k+1 or k+2 by the orientation-set criteria of docs/mathematics.md B4"


def _table() -> list[tuple[Network, int]]:
    one = Network.from_lists
    return [(one([([[1]], [0]), ([[1]], [0])]), 1),                                       # relu(x)
            (examples.absolute_value(), 2), (examples.relu_plus_identity(), 2),
            (one([([[1], [-1]], [0, 0]), ([[1, -1]], [0])]), 2),                          # x
            (examples.relu_minus_shifted_relu(), 2),
            (one([([[1, 0], [0, 1], [0, -1]], [0, 0, 0]), ([[1, 1, -1]], [0])]), 3)]      # relu(x1) + x2


def cases() -> list[tuple[str, int, int]]:
    return [("table", i, 0) for i in range(6)] + [("random", n, s) for n in (2, 3, 4, 6) for s in range(6)]


def check(case: tuple[str, int, int]) -> str:
    kind, i, seed = case
    if kind == "table":
        net, expected = _table()[i]
        assert minimal_width(net) == expected
    else:
        net = random_network((1 + seed % 2, i, 1), seed=seed, max_num=2, max_den=1, nonzero=False)
    width, how = minimal_width_case(net)
    data = canonical_data(net)
    k = data.num_hyperplanes
    assert width == {"k": k, "k+1": k + 1, "k+2": k + 2}[how["case"]]
    assert (how["case"] == "k") == bool(valid_orientation_sets(data))
    if data.input_dim == 1 and how["case"] == "k+2":
        assert k == 0
    cf = canonical_form(net)
    assert canonical_data(cf) == data and canonical_form(cf) == cf
    assert cf.num_hidden == max(width, 1)
    res = equivalent(net, cf, certificate=True)
    assert res and check_certificate(res.certificate)["valid"]
    return f"k = {k}, case {how['case']}, width {width}"
