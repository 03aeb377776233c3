"""A ReLU on the output, represented exactly in a layered network (docs/mathematics.md §1).

A layered :class:`~exactrelu.core.network.Network` ends with an affine layer.  Many trained models end with a ReLU
instead (``Linear -> ReLU -> ... -> Linear -> ReLU``): ``g(x) = relu(A x + c)`` where ``x -> A x + c`` is the last
affine map.  Exactly the same function is the layered network whose last hidden layer is ``A, c`` (the output
neurons become hidden neurons) followed by the identity output layer (weights ``I_m``, bias 0)::

    g(x) = I_m relu(A h(x) + c) + 0.

Nothing is approximated: every value of ``g`` and every activation pattern is the same, the output neurons now carry
a sign like every hidden neuron, so activation regions are counted with the output neuron's sign too (the way
relucent and most region counters treat a network with an output ReLU).  What changes is the parameter count: ``D``
also counts the ``m^2 + m`` entries of the identity layer, which the trained model does not have; answers about the
parameter space (fibers, functional dimension) then refer to that larger space.

:func:`with_output_relu` builds that network; :func:`ends_with_output_relu` recognises it (``exactrelu info`` and
``exactrelu import`` report it).
"""

from __future__ import annotations

from fractions import Fraction

from exactrelu.core.errors import ShapeError
from exactrelu.core.network import Layer, Network

__all__ = ["with_output_relu", "ends_with_output_relu", "identity_layer"]


def identity_layer(m: int) -> Layer:
    """The affine layer ``y = I_m h + 0`` (weights the ``m x m`` identity, bias 0).

    >>> identity_layer(2).weights
    ((Fraction(1, 1), Fraction(0, 1)), (Fraction(0, 1), Fraction(1, 1)))
    """
    if m < 1:
        raise ShapeError(f"an identity layer needs a width >= 1, got {m}")
    one, zero = Fraction(1), Fraction(0)
    return Layer(tuple(tuple(one if i == j else zero for j in range(m)) for i in range(m)), (zero,) * m)


def with_output_relu(net: Network) -> Network:
    """The network ``x -> relu(net(x))``, exactly: ``net``'s output layer becomes a hidden ReLU layer and an
    identity output layer follows.

    Parameters
    ----------
    net : Network
        Any layered network ``(d, n1, ..., m)``.

    Returns
    -------
    Network
        Architecture ``(d, n1, ..., m, m)``; its output layer is ``I_m`` with bias 0.

    Examples
    --------
    >>> from exactrelu import Network
    >>> net = Network.from_lists([([[1]], [0]), ([[1]], [-1])])      # x -> relu(x) - 1
    >>> g = with_output_relu(net)
    >>> g.architecture, g([3]), g([0]), net([0])
    ((1, 1, 1, 1), (Fraction(2, 1),), (Fraction(0, 1),), (Fraction(-1, 1),))
    >>> ends_with_output_relu(g), ends_with_output_relu(net)
    (True, False)
    """
    return Network(net.layers + (identity_layer(net.output_dim),))


def ends_with_output_relu(net: object) -> bool:
    """Whether ``net`` is a layered network whose output layer is the identity with bias 0 after a hidden layer of
    the same width, i.e. ``net(x) = relu(affine(...))``: a network that ends with a ReLU (see
    :func:`with_output_relu`).  Graph networks and networks without hidden layers answer False.

    >>> from exactrelu import examples
    >>> ends_with_output_relu(examples.relu_of_sum()), ends_with_output_relu(examples.relu_minus_shifted_relu())
    (True, False)
    """
    if not isinstance(net, Network) or len(net.layers) < 2:
        return False
    out = net.layers[-1]
    m = out.n_out
    if out.n_in != m or any(b != 0 for b in out.biases):
        return False
    return all(out.weights[i][j] == (1 if i == j else 0) for i in range(m) for j in range(m))
