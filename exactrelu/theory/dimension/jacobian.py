"""Exact parameter Jacobians of a ReLU network (docs/mathematics.md §1 "Functional dimension", §2.E1).

For an input ``x`` off every bent hyperplane the map ``θ' -> f_θ'(x)`` is a polynomial near ``θ`` (the activation
pattern is locally constant), so its Jacobian is well defined.  :func:`parameter_jacobian` computes it by
backpropagation in exact rationals:

* ``G^(L+1) = I_m`` and ``G^(l) = G^(l+1) W^(l+1) D_{S_l}`` (``D_S`` the 0/1 diagonal of the active neurons);
* ``∂f_k/∂W^(l)_{ij} = G^(l)_{k i} a^(l-1)_j`` and ``∂f_k/∂b^(l)_i = G^(l)_{k i}``  (``a^(0) = x``).

Columns follow the canonical parameter order (per layer ``W`` row-major, then ``b``; see
:func:`exactrelu.core.network.parameter_names`).

On a region ``R`` with pattern ``s``, ``f(x) = A_s x + c_s`` and the entries of ``(A_s(θ), c_s(θ))`` are polynomials in
θ.  :func:`pattern_jacobian` gives their Jacobian: ``m (d+1)`` rows, the row ``(k, j)`` (``j < d``) is
``∇_θ (A_s)_{k j}`` and the row ``(k, d)`` is ``∇_θ (c_s)_k``.  Because ``f_θ(x) = A_s x + c_s`` on ``R``, the
Jacobian at a point ``x ∈ R`` is ``Σ_j x_j row(k, j) + row(k, d)``; so the rows at ``d+1`` affinely independent
points of ``R`` span exactly the row space of :func:`pattern_jacobian` (this is what makes docs/mathematics.md §E1
exact).

:func:`parameter_jacobian_reference` is the slow, independent reference: forward-mode with dual numbers
``a + b ε`` (``ε² = 0``), i.e. the exact ε-coefficient of ``f_{θ + ε e_k}(x)``, one parameter at a time.

Examples
--------
>>> from exactrelu import examples
>>> net = examples.chain("ramp_down")          # relu(1 - relu(x)) in (1,1,1,1)
>>> net.parameter_names()
('W1_1_1', 'b1_1', 'W2_1_1', 'b2_1', 'W3_1_1', 'b3_1')
>>> [str(v) for v in parameter_jacobian(net, [Fraction(1, 2)])[0]]
['-1/2', '-1', '1/2', '1', '1/2', '1']
>>> parameter_jacobian(net, [0])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
exactrelu.core.errors.NotApplicableError: x = (0) lies on the bent hyperplane(s) of neuron(s) [(1, 1)] ...
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from exactrelu.core.errors import NotApplicableError, ShapeError
from exactrelu.core.network import Network
from exactrelu.core.rational import as_rational

__all__ = [
    "parameter_jacobian",
    "pattern_jacobian",
    "parameter_jacobian_reference",
    "bent_neurons",
    "batch_jacobian",
    "scaling_generators",
    "sensitivities",
    "nondifferentiable_neurons",
    "region_sign_vector",
]

_Z = Fraction(0)
_ONE = Fraction(1)
Row = tuple[Fraction, ...]


def _point(net: Network, x: Sequence[object]) -> tuple[Fraction, ...]:
    try:
        xs = tuple(as_rational(v) for v in x)
    except TypeError:
        raise ShapeError("a point must be a sequence of rationals") from None
    if len(xs) != net.input_dim:
        raise ShapeError(f"network expects {net.input_dim} inputs, got {len(xs)}")
    return xs


def _offsets(net: Network) -> list[int]:
    offs, pos = [], 0
    for layer in net.layers:
        offs.append(pos)
        pos += layer.n_out * (layer.n_in + 1)
    return offs


def bent_neurons(net: Network, x: Sequence[object]) -> tuple[tuple[int, int], ...]:
    """The hidden neurons ``(layer, index)`` (both 1-based) whose pre-activation ``z^(l)_i(x)`` is exactly 0.

    ``x`` lies on a bent hyperplane iff this is non-empty.  The Jacobian in θ then exists only when none of these
    neurons reaches the output (see :func:`nondifferentiable_neurons`).

    >>> from exactrelu import examples
    >>> bent_neurons(examples.relu_of_sum(), [1, 0])
    ((1, 2), (2, 1))
    """
    zs = net.preactivations(_point(net, x))[:-1]
    return tuple((l + 1, i + 1) for l, z in enumerate(zs) for i, v in enumerate(z) if v == 0)


def region_sign_vector(net: Network, x: Sequence[object]) -> tuple[tuple[int, ...], ...] | None:
    """The ternary sign vector of the activation region containing ``x`` in its interior, or None.

    None means that ``x`` lies on a bent hyperplane that separates regions (some pre-activation vanishes at ``x`` but
    not on a neighbourhood of ``x``).  A 0 in the answer is a pre-activation that vanishes identically near ``x``
    (docs/mathematics.md §3).  Test, layer by layer: with every earlier vanishing neuron identically 0 near ``x``
    (its output is the constant 0), a vanishing neuron is identically 0 near ``x`` iff its gradient in ``x`` on the
    cell is 0.

    >>> from exactrelu import Network, examples
    >>> region_sign_vector(examples.relu_of_sum(), [1, 0]) is None
    True
    >>> region_sign_vector(Network.from_lists([([[-1]], [0]), ([[1]], [0]), ([[1]], [0])]), [1])
    ((-1,), (0,))
    """
    xs = _point(net, x)
    sv = net.pattern(xs)
    if all(all(sv_l) for sv_l in sv):
        return sv
    d = net.input_dim
    # gradients of the activations a^(l) near x (rows of length d); vanishing neurons contribute 0
    M: list[list[Fraction]] = [[_ONE if i == j else _Z for j in range(d)] for i in range(d)]
    for l, layer in enumerate(net.layers[:-1]):
        newM = []
        for i, row in enumerate(layer.weights):
            nz = [(k, w) for k, w in enumerate(row) if w]
            g = [sum((w * M[k][j] for k, w in nz), _Z) for j in range(d)]
            if sv[l][i] == 0 and any(g):
                return None
            newM.append(g if sv[l][i] > 0 else [_Z] * d)
        M = newM
    return sv


def _check_pattern(net: Network, pattern: Sequence[Sequence[int]]) -> tuple[tuple[bool, ...], ...]:
    if len(pattern) != net.depth:
        raise ShapeError(f"pattern has {len(pattern)} layers, network has {net.depth} hidden layers")
    out = []
    for l, s in enumerate(pattern):
        if len(s) != net.layers[l].n_out:
            raise ShapeError(f"pattern layer {l + 1} has {len(s)} entries, layer has {net.layers[l].n_out} neurons")
        out.append(tuple(int(v) > 0 for v in s))
    return tuple(out)


def sensitivities(net: Network, masks: Sequence[Sequence[bool]]) -> list[list[list[Fraction]]]:
    """``G^(l)`` for ``l = 1..L+1`` (index ``l-1``): ``m x n_l`` exact matrices, ``G^(L+1) = I``,
    ``G^(l) = G^(l+1) W^(l+1) D_{S_l}`` with ``D_{S_l}`` the 0/1 diagonal of ``masks[l-1]`` (True = active).

    ``G^(l)_{k i} = ∂f_k/∂b^(l)_i`` on a region with these masks.

    >>> from exactrelu import examples
    >>> [[[str(v) for v in r] for r in G] for G in sensitivities(examples.chain("ramp_down"), [[True], [True]])]
    [[['-1']], [['1']], [['1']]]
    """
    m = net.output_dim
    L = net.depth
    G: list[list[Fraction]] = [[_ONE if i == k else _Z for i in range(m)] for k in range(m)]
    out: list[list[list[Fraction]]] = [G]
    for l in range(L, 0, -1):  # build G^(l) from G^(l+1)
        W = net.layers[l].weights  # W^(l+1)
        mask = masks[l - 1]
        n = net.layers[l - 1].n_out
        newG = []
        for row in G:
            nz = [(i, g) for i, g in enumerate(row) if g]
            newG.append([sum((g * W[i][j] for i, g in nz), _Z) if mask[j] else _Z for j in range(n)])
        G = newG
        out.append(G)
    out.reverse()
    return out


def nondifferentiable_neurons(net: Network, x: Sequence[object]) -> tuple[tuple[int, int], ...]:
    """The neurons that make ``θ -> f_θ(x)`` non-differentiable at θ: empty iff the Jacobian in θ exists at ``x``.

    Let ``Z`` be the hidden neurons whose pre-activation vanishes at ``x`` (:func:`bent_neurons`).  Near θ the map
    ``θ' -> f_θ'(x)`` is piecewise polynomial, one piece ``P_σ`` per choice ``σ`` of active/inactive for the neurons of
    ``Z``; every piece is met on an open cone of directions (perturb the biases of ``Z`` layer by layer), and all
    pieces agree at θ.  So the map is differentiable at θ iff all ``∇P_σ(θ)`` coincide (then it is even strictly
    differentiable).  The bias columns of ``∇P_σ`` are the sensitivities ``G^(l)`` (:func:`sensitivities`), so,
    going down from the output layer: with ``G^(l+1)`` already independent of ``σ``, the neuron ``(l, i) ∈ Z``
    changes ``G^(l)_{:, i} = mask_i · (G^(l+1) W^(l+1))_{:, i}`` unless ``(G^(l+1) W^(l+1))_{:, i} = 0``
    (docs/mathematics.md §3, "identically zero pre-activation").

    Returns the neurons of ``Z`` (1-based ``(layer, index)``) whose downstream sensitivity
    ``(G^(l+1) W^(l+1))_{:, i}`` is nonzero, computed with the neurons of ``Z`` inactive.  It is empty iff the map
    is differentiable at θ: if the topmost such neuron exists the pieces differ in its bias column; if there is none,
    every ``G^(l)`` is the same for all ``σ``.

    On an activation region where a pre-activation is identically 0 (a 0 in the region's sign vector), the answer is
    the same at every point of the region.

    >>> from exactrelu import Network
    >>> net = Network.from_lists([([[-1]], [0]), ([[1]], [0]), ([[1]], [0])])      # relu(relu(-x))
    >>> nondifferentiable_neurons(net, [1])      # z2 = relu(-x) ≡ 0 for x > 0, and it reaches f
    ((2, 1),)
    >>> nondifferentiable_neurons(net, [-1])
    ()
    >>> net = Network.from_lists([([[0], [1]], [0, 1]), ([[0, 2]], [0])])          # 0·relu(0) + 2 relu(x + 1)
    >>> bent_neurons(net, [3]), nondifferentiable_neurons(net, [3])                  # z1 ≡ 0 but W2_1 = 0
    (((1, 1),), ())
    """
    zs = net.preactivations(_point(net, x))[:-1]
    zero = [[v == 0 for v in z] for z in zs]
    if not any(any(zl) for zl in zero):
        return ()
    masks = [[v > 0 for v in z] for z in zs]
    Gs = sensitivities(net, masks)
    out: list[tuple[int, int]] = []
    for l in range(net.depth, 0, -1):
        W = net.layers[l].weights          # W^(l+1)
        G = Gs[l]                          # G^(l+1)
        for i, is_zero in enumerate(zero[l - 1]):
            if is_zero and any(sum((g * W[r][i] for r, g in enumerate(row) if g), _Z) for row in G):
                out.append((l, i + 1))
    return tuple(sorted(out))


def parameter_jacobian(net: Network, x: Sequence[object]) -> tuple[Row, ...]:
    """The exact Jacobian ``∂f_θ(x)/∂θ``: ``m`` rows of ``D`` Fractions, columns in canonical parameter order.

    Parameters
    ----------
    net : the network θ.
    x : a rational input point at which ``θ -> f_θ(x)`` is differentiable: off every bent hyperplane, or on bent
        hyperplanes of neurons that do not reach the output (:func:`nondifferentiable_neurons` is empty).

    Raises
    ------
    NotApplicableError
        if the map ``θ -> f_θ(x)`` is not differentiable at θ (a vanishing pre-activation that reaches the output).

    Examples
    --------
    >>> from exactrelu import Network
    >>> net = Network.from_lists([([[2]], [-1]), ([[3]], [1])])       # 3 relu(2x - 1) + 1
    >>> [str(v) for v in parameter_jacobian(net, [1])[0]]             # d/d(W1, b1, W2, b2)
    ['3', '3', '1', '1']
    """
    xs = _point(net, x)
    acts: list[tuple[Fraction, ...]] = [xs]
    masks: list[tuple[bool, ...]] = []
    a = xs
    bent = False
    for layer in net.layers[:-1]:
        z = layer.apply(a)
        bent = bent or any(v == 0 for v in z)
        masks.append(tuple(v > 0 for v in z))
        a = tuple(v if v > 0 else _Z for v in z)
        acts.append(a)
    blocking = nondifferentiable_neurons(net, xs) if bent else ()
    if blocking:
        raise NotApplicableError(
            f"x = ({', '.join(map(str, xs))}) lies on the bent hyperplane(s) of neuron(s) {list(blocking)} "
            "(zero pre-activation reaching the output): the Jacobian in θ is not defined there")
    Gs = sensitivities(net, masks)
    offs = _offsets(net)
    D = net.num_parameters
    rows = []
    for k in range(net.output_dim):
        r = [_Z] * D
        for l, layer in enumerate(net.layers):
            G, ap, off, n_in = Gs[l], acts[l], offs[l], layer.n_in
            boff = off + layer.n_out * n_in
            for i, g in enumerate(G[k]):
                if g:
                    base = off + i * n_in
                    for j, v in enumerate(ap):
                        if v:
                            r[base + j] = g * v
                    r[boff + i] = g
        rows.append(tuple(r))
    return tuple(rows)


def pattern_jacobian(net: Network, pattern: Sequence[Sequence[int]]) -> tuple[Row, ...]:
    """The Jacobian of ``θ -> (A_s(θ), c_s(θ))`` for an activation pattern ``s`` (entries ``> 0`` = active).

    Returns ``m (d+1)`` rows of ``D`` Fractions, ordered ``(k, j)`` for ``k < m``, ``j <= d``: row ``(k, j)`` with
    ``j < d`` is ``∇_θ (A_s)_{kj}``, row ``(k, d)`` is ``∇_θ (c_s)_k`` (docs/mathematics.md §E1).  For ``x`` in the
    open region of ``s``, ``parameter_jacobian(net, x)[k] = Σ_j x_j row(k, j) + row(k, d)``.

    >>> from exactrelu import examples
    >>> net = examples.chain("ramp_down")
    >>> [[str(v) for v in r] for r in pattern_jacobian(net, ((1,), (1,)))]
    [['-1', '0', '1', '0', '-1', '0'], ['0', '-1', '0', '1', '1', '1']]
    """
    masks = _check_pattern(net, pattern)
    d = net.input_dim
    # M_l: the affine map of a^(l) on the region, as n_l rows of d+1 entries (linear part, then constant)
    M: list[list[Fraction]] = [[_ONE if i == j else _Z for j in range(d)] + [_Z] for i in range(d)]
    Ms = [M]
    for l, layer in enumerate(net.layers[:-1]):
        newM = []
        for i, (row, b) in enumerate(zip(layer.weights, layer.biases)):
            if not masks[l][i]:
                newM.append([_Z] * (d + 1))
                continue
            nz = [(k, w) for k, w in enumerate(row) if w]
            v = [sum((w * M[k][j] for k, w in nz), _Z) for j in range(d + 1)]
            v[d] += b
            newM.append(v)
        M = newM
        Ms.append(M)
    Gs = sensitivities(net, masks)
    offs = _offsets(net)
    D = net.num_parameters
    rows = []
    for k in range(net.output_dim):
        for j in range(d + 1):
            r = [_Z] * D
            for l, layer in enumerate(net.layers):
                G, Mp, off, n_in = Gs[l], Ms[l], offs[l], layer.n_in
                boff = off + layer.n_out * n_in
                for i, g in enumerate(G[k]):
                    if g:
                        base = off + i * n_in
                        for b_, mrow in enumerate(Mp):
                            if mrow[j]:
                                r[base + b_] = g * mrow[j]
                        if j == d:
                            r[boff + i] = g
            rows.append(tuple(r))
    return tuple(rows)


def batch_jacobian(net: Network, points: Iterable[Sequence[object]]) -> tuple[Row, ...]:
    """The stacked Jacobian ``J_{F_Z}(θ)`` of ``θ -> (f_θ(z))_{z ∈ Z}``: ``m |Z|`` rows (docs/mathematics.md §1).

    Every point must lie off the bent hyperplanes (else :class:`~exactrelu.core.errors.NotApplicableError`).
    """
    out: list[Row] = []
    for p in points:
        out.extend(parameter_jacobian(net, p))
    return tuple(out)


def scaling_generators(net: Network) -> tuple[Row, ...]:
    """The generator of the positive rescaling of each hidden neuron, in canonical parameter coordinates.

    For neuron ``i`` of hidden layer ``l``: ``+θ`` on its incoming row ``W^(l)_{i,:}`` and bias ``b^(l)_i``, ``-θ``
    on its outgoing column ``W^(l+1)_{:,i}`` (the derivative at ``c = 1`` of the rescaling by ``c``,
    docs/mathematics.md §1).  These lie in the kernel of every parameter Jacobian.  Neurons whose parameters are all
    zero give the zero vector and are omitted.  Order: layer by layer, neuron by neuron.

    >>> from exactrelu import examples
    >>> [[str(v) for v in g] for g in scaling_generators(examples.chain("shifted"))]
    [['1', '0', '-1', '0', '0', '0'], ['0', '0', '1', '-1', '-1', '0']]
    """
    offs = _offsets(net)
    D = net.num_parameters
    gens = []
    for l, layer in enumerate(net.layers[:-1]):
        nxt = net.layers[l + 1]
        for i in range(layer.n_out):
            g = [_Z] * D
            for j, w in enumerate(layer.weights[i]):
                g[offs[l] + i * layer.n_in + j] = w
            g[offs[l] + layer.n_out * layer.n_in + i] = layer.biases[i]
            for r in range(nxt.n_out):
                g[offs[l + 1] + r * nxt.n_in + i] = -nxt.weights[r][i]
            if any(g):
                gens.append(tuple(g))
    return tuple(gens)


# ------------------------------------------------------------------ slow reference: dual numbers
class _Dual:
    """``a + b ε`` with ``ε² = 0`` over Fractions (exact forward-mode derivative)."""

    __slots__ = ("a", "b")

    def __init__(self, a: Fraction, b: Fraction = _Z) -> None:
        self.a, self.b = a, b

    def __add__(self, o: _Dual) -> _Dual:
        return _Dual(self.a + o.a, self.b + o.b)

    def __mul__(self, o: _Dual) -> _Dual:
        return _Dual(self.a * o.a, self.a * o.b + self.b * o.a)


def parameter_jacobian_reference(net: Network, x: Sequence[object],
                                 pattern: Sequence[Sequence[int]] | None = None) -> tuple[Row, ...]:
    """Slow independent reference for :func:`parameter_jacobian`: for each parameter ``θ_k``, run the forward pass
    on dual numbers ``θ + ε e_k`` with the activation pattern of θ at ``x`` held fixed and read off the coefficient of
    ``ε`` (exactly the derivative, since the output is a polynomial in ε at fixed pattern).

    With ``pattern`` (entries ``> 0`` = active) the pattern is imposed instead: at a point where some pre-activations
    vanish this gives the gradient of one polynomial piece ``P_σ`` (a one-sided derivative), for any ``x``.

    >>> from exactrelu import examples
    >>> net = examples.invisible_translation()
    >>> parameter_jacobian_reference(net, [1, 1]) == parameter_jacobian(net, [1, 1])
    True
    """
    xs = _point(net, x)
    if pattern is None:
        if bent_neurons(net, xs):
            raise NotApplicableError(f"x = {xs} lies on a bent hyperplane: give the pattern of one piece")
        pattern = net.pattern(xs)
    else:
        _check_pattern(net, pattern)
    theta = net.parameters()
    arch = net.architecture
    cols = []
    for k in range(len(theta)):
        vec = [_Dual(v, _ONE if q == k else _Z) for q, v in enumerate(theta)]
        pos = 0
        a = [_Dual(v) for v in xs]
        for l in range(1, len(arch)):
            n_in, n_out = arch[l - 1], arch[l]
            z = []
            for i in range(n_out):
                acc = vec[pos + n_out * n_in + i]
                for j in range(n_in):
                    acc = acc + vec[pos + i * n_in + j] * a[j]
                z.append(acc)
            pos += n_out * (n_in + 1)
            if l < len(arch) - 1:
                a = [zi if pattern[l - 1][i] > 0 else _Dual(_Z) for i, zi in enumerate(z)]
            else:
                a = z
        cols.append([v.b for v in a])
    return tuple(tuple(cols[q][k] for q in range(len(theta))) for k in range(net.output_dim))
