"""Named small networks used in docs/mathematics.md and in the tests, notebooks and proofs checks.

Each function returns a fresh exact :class:`~exactrelu.core.network.Network` and its docstring cites the
docs/mathematics.md item.

>>> relu_of_sum().architecture
(2, 2, 1, 1)
>>> [relu_minus_shifted_relu()([x])[0] for x in (-1, 0, "1/2", 1, 5)]
[Fraction(0, 1), Fraction(0, 1), Fraction(1, 2), Fraction(1, 1), Fraction(1, 1)]
"""

from __future__ import annotations

from fractions import Fraction as F

from exactrelu.core.network import Network

__all__ = [
    "relu_of_sum", "relu_minus_shifted_relu", "relu_plus_identity", "three_kinks", "invisible_translation",
    "visible_bottleneck", "bottleneck_positive", "dead_second_layer", "linear_block", "chain",
    "absolute_value", "demo_network", "catalogue",
]


def relu_of_sum() -> Network:
    """f = relu(relu(x1) + relu(x2) - 1) in (2,2,1,1) (docs/mathematics.md A3, §7 row 12: 7 regions, B_θ 4 regions)."""
    return Network.from_lists([([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [-1]), ([[1]], [0])])


def relu_minus_shifted_relu() -> Network:
    """f = relu(x) - relu(x - 1) in (1,2,1) (docs/mathematics.md B3, §7 row 7: 4 fiber components of dim 2)."""
    return Network.from_lists([([[1], [1]], [0, -1]), ([[1, -1]], [0])])


def relu_plus_identity() -> Network:
    """f = relu(x) + x in (1,2,1), written with a canceling pair (docs/mathematics.md B4, §7 row 9: 2 components, dim
    2)."""
    # relu(x) + x = 2 relu(x) - relu(-x)
    return Network.from_lists([([[1], [-1]], [0, 0]), ([[2, -1]], [0])])


def absolute_value() -> Network:
    """``|x| = relu(x) + relu(-x)`` in (1,2,1) (docs/mathematics.md B4: minimal width 2)."""
    return Network.from_lists([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])


def three_kinks() -> Network:
    """(1,3,1): kinks at 0,1,2 with jumps (1,-1,1) and slope -1 at -inf (docs/mathematics.md B3, §7 row 8: 18
    components)."""
    # relu(-x) - relu(x - 1) + relu(x - 2): slope -1 for x < 0, jumps +1, -1, +1 at 0, 1, 2
    return Network.from_lists([([[-1], [1], [1]], [0, -1, -2]), ([[1, -1, 1]], [0])])


def invisible_translation() -> Network:
    """The (2,2,1,1) T_1 example of docs/mathematics.md D3 (§7 row 4): dim_fun 7, fiber dimension 4."""
    return Network.from_lists([
        ([[2, F(1, 3)], [F(-1, 2), F(3, 2)]], [F(1, 5), F(-2, 7)]),
        ([[1, -1]], [-1]),
        ([[3]], [F(1, 2)]),
    ])


def visible_bottleneck() -> Network:
    """docs/mathematics.md D3 with W2 = (1, 1): both first-layer hyperplanes visible, dim_fun 8, fiber dimension 3."""
    return Network.from_lists([
        ([[2, F(1, 3)], [F(-1, 2), F(3, 2)]], [F(1, 5), F(-2, 7)]),
        ([[1, 1]], [-1]),
        ([[3]], [F(1, 2)]),
    ])


def bottleneck_positive() -> Network:
    """docs/mathematics.md D3 with W2 = (-1, -1), b2 = +1: dim_fun 8 (a small triangle region matters)."""
    return Network.from_lists([
        ([[2, F(1, 3)], [F(-1, 2), F(3, 2)]], [F(1, 5), F(-2, 7)]),
        ([[-1, -1]], [1]),
        ([[3]], [F(1, 2)]),
    ])


def dead_second_layer() -> Network:
    """docs/mathematics.md D3 with W2 = (-1, -1), b2 = -1: the second layer is dead, dim_fun 1."""
    return Network.from_lists([
        ([[2, F(1, 3)], [F(-1, 2), F(3, 2)]], [F(1, 5), F(-2, 7)]),
        ([[-1, -1]], [-1]),
        ([[3]], [F(1, 2)]),
    ])


def linear_block() -> Network:
    """(2,2,2,1) with an always-active second layer (docs/mathematics.md D6): dim_fun 7, fiber dimension 8."""
    return Network.from_lists([
        ([[2, F(1, 3)], [F(-1, 2), F(3, 2)]], [F(1, 5), F(-2, 7)]),
        ([[1, F(2, 3)], [F(1, 2), F(5, 4)]], [1, F(3, 2)]),
        ([[3, -2]], [F(1, 2)]),
    ])


def chain(kind: str = "ramp_down") -> Network:
    """(1,1,1,1) examples of docs/mathematics.md §7 row 3.

    ``"ramp_down"``: relu(1 - relu(x)) (dim_fun 4); ``"shifted"``: relu(relu(x) - 1) (dim_fun 3);
    ``"lifted"``: relu(relu(x) + 1) (dim_fun 3).
    """
    table = {"ramp_down": (-1, 1), "shifted": (1, -1), "lifted": (1, 1)}
    if kind not in table:
        raise ValueError(f"unknown chain kind {kind!r}; choose one of {sorted(table)}")
    w, b = table[kind]
    return Network.from_lists([([[1]], [0]), ([[w]], [b]), ([[1]], [0])])


def demo_network() -> Network:
    """The network ``make demo`` reports on: the invisible-translation bottleneck of docs/mathematics.md D3."""
    return invisible_translation()


def catalogue() -> dict[str, Network]:
    """Every named example, by name (used by property tests that loop over all examples)."""
    return {
        "relu_of_sum": relu_of_sum(),
        "relu_minus_shifted_relu": relu_minus_shifted_relu(),
        "relu_plus_identity": relu_plus_identity(),
        "absolute_value": absolute_value(),
        "three_kinks": three_kinks(),
        "invisible_translation": invisible_translation(),
        "visible_bottleneck": visible_bottleneck(),
        "bottleneck_positive": bottleneck_positive(),
        "dead_second_layer": dead_second_layer(),
        "linear_block": linear_block(),
        "chain_ramp_down": chain("ramp_down"),
        "chain_shifted": chain("shifted"),
        "chain_lifted": chain("lifted"),
    }
