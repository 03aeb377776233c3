"""Fibers of one-hidden-layer networks: on R^d (docs/mathematics.md B2/B3/B4) and on the orthant (docs/mathematics.md
§2.C).

**On R^d.**  Let ``K(f) = ({(a_j, t_j, C_j)}_{j<k}, A_R, β)`` be the canonical data of f = f_θ
(:func:`exactrelu.theory.equality.shallow.canonical_data`).  A network η of width n realises f iff K(f_η) = K(f)
(docs/mathematics.md B2).
A *role* is a triple (hyperplane H_j, orientation o ∈ {±1}, output jump U ∈ Q^m); a neuron i playing it is

    (W1_i, b1_i) = o λ_i (a_j, t_j),   W2_{·,i} = U / λ_i,   λ_i > 0,

and contributes U relu(o (a_j·x + t_j)).  The output bias is then forced: b2 = β + Σ_{roles with o = -1} U t_j.

* width n = k (minimal; docs/mathematics.md B3): the roles are (H_j, o_j, C_j) with o_j = -1 iff j ∈ S, for each *valid
  orientation set* S (A_R + Σ_{j∈S} C_j a_j^T = 0).  Every η in S(θ) has one neuron per hyperplane, with W1_i ≠ 0
  and W2_i ≠ 0, so S(θ) = ⊔_S ⊔_π {neurons permuted by π onto the roles of S}: **(#valid S)·n! components**, each
  the H_n-orbit piece {λ ∈ R_{>0}^n} of dimension n.
* width n = k+1 with no valid S (docs/mathematics.md B4 case 2): one hyperplane H_{j0} carries two neurons of opposite
  orientations with jumps u (o = +1) and v (o = -1), u + v = C_{j0}; for S ⊆ [k]∖{j0} the linear part forces
  A_R + Σ_{j∈S} C_j a_j^T = -v a_{j0}^T (v ≠ 0 and u ≠ 0 hold automatically because no valid S exists).  Each
  admissible (j0, S) gives n! components of dimension n (the canceling-pair / "linear term" hidden symmetry).
* width n = k+2, scalar output, when neither k nor k+1 neurons suffice (docs/mathematics.md B4 case 3), two kinds of
  role sets:
  a *canceling pair* on a free hyperplane G (a_G ∝ r_S = A_R + Σ_{j∈S} C_j a_j^T, jumps u = -v with
  v a_G^T = -r_S, offset t_G a free parameter; any S), giving n! components of dimension n+1 each; and two
  opposite pairs on hyperplanes H_{j0}, H_{j1} with independent normals (r_S + v0 a_{j0}^T + v1 a_{j1}^T = 0),
  n! components of dimension n each.  (G is never parallel to an H_j and the jumps never vanish, otherwise k+1
  neurons would suffice, so these pieces are again open and closed in S(θ).)  In ``origin["permutation"]`` the
  free hyperplane is numbered 0 and ``origin["canceling_pair"]`` names its two neurons.
* width n = k+1 when k neurons suffice (θ carries one neuron too many: a zero, dead or constant neuron, or two
  neurons splitting one jump).  Every η in S(θ) then has k genuine neurons oriented by a valid S plus an extra
  neuron e that is *zero* (W2_e = 0, (W1_e, b1_e) free), *dead* (W1_e = 0, b1_e ≤ 0, W2_e free) or *constant*
  (W1_e = 0, b1_e > 0, b2 absorbs W2_e b1_e), or two neurons on one H_j with the orientation of S splitting C_j —
  or it is an opposite-pair network of case k+1 (its jumps u, v ≠ 0).  For each valid S these pieces form **one
  connected component** (the extra neuron moves freely while W2_e = 0, and a split duplicate trades the roles of two
  neurons, so all labellings are joined), of dimension k + 1 + max(d, m), given as a union (``Component.pieces``);
  the opposite-pair pieces are n! components of dimension n each, open and closed as before.  Different S stay
  apart: the orientation of a genuine neuron cannot change inside the fiber.
* any other width (two or more neurons beyond the minimal width, or k+2 with vector output): every neuron is
  classified by its type (on a breakpoint hyperplane with an orientation, in a zero-sum group or a canceling pair on a
  free hyperplane, zero, dead or constant) and S(θ) is the union of the type families of
  :func:`exactrelu.theory.fibers.wide.wide_fiber` (docs/mathematics.md B6): complete when n <= k + 2, marked
  incomplete otherwise.

The system of a component (neuron i on role (j, o, U), pivot p = the first nonzero coordinate of a_j, v = (a_j, t_j)):

* equalities ``x_c - v_c x_p = 0`` for the other coordinates x_c of (W1_i, b1_i) (the row is proportional to v),
  ``W2_{r,i} x_p - o U_r = 0`` (output weight times scale), ``b2_r - (β + Σ U t)_r = 0``;
* strict inequalities ``o x_p > 0`` (the orientation).

Its parametrisation is the displayed role formula with free symbols ``lambda_1..lambda_n > 0`` (and ``t_G`` for a
canceling pair on a free hyperplane: then the rows of the pair are proportional to a_G only, their offsets agree,
``b1_+ W1_-[p] - b1_- W1_+[p] = 0``, and ``b2 W1_+[p] - (β + Σ U t) W1_+[p] - v b1_+ = 0``).

Examples
--------
>>> from exactrelu import examples
>>> F = shallow_fiber(examples.three_kinks())              # docs/mathematics.md §7 row 8
>>> len(F.components), F.dimension
(18, 3)
>>> len(shallow_fiber(examples.relu_plus_identity()).components)    # §7 row 9
2
"""

from __future__ import annotations

import itertools
import math

from exactrelu.core.errors import NotApplicableError, RegionLimitError
from exactrelu.core.network import Network
from exactrelu.theory.equality.shallow import canonical_data, valid_orientation_sets
from exactrelu.theory.fibers.base import Fiber
from exactrelu.theory.fibers.domains import region_data
from exactrelu.theory.fibers.extra import extra_neuron_fiber
from exactrelu.theory.fibers.orthant import orthant_fiber
from exactrelu.theory.fibers.roles import Role, RoleBuilder, roles_of
from exactrelu.theory.fibers.wide import MAX_WIDE_FAMILIES, wide_fiber

__all__ = ["shallow_fiber", "orthant_fiber", "region_data", "Role", "roles_of", "MAX_COMPONENTS"]

#: Refuse to build more components than this (n! grows fast: 8! = 40320).
MAX_COMPONENTS = 50_000


def shallow_fiber(net: Network, *, max_components: int = MAX_COMPONENTS) -> Fiber:
    """The fiber of a one-hidden-layer θ on R^d with all its components (docs/mathematics.md B2/B3/B4, see the module
    doc).

    Parameters
    ----------
    net : a one-hidden-layer network (minimal widths k, k+1, k+2 by roles, docs/mathematics.md B4; one neuron more
        than k when k suffice by extra neurons; any other width by type families, B6).
    max_components : refuse (RegionLimitError) to build more components than this.

    Returns
    -------
    Fiber of kind ``"shallow"``: ``(#role sets) * n!`` components of dimension n (n+1 for a free canceling pair).

    Raises
    ------
    NotApplicableError
        for deeper networks.

    Examples
    --------
    >>> from exactrelu import examples
    >>> F = shallow_fiber(examples.relu_minus_shifted_relu())
    >>> [c.origin["orientation_set"] for c in F.components]
    [[], [], [1, 2], [1, 2]]
    """
    if net.depth != 1:
        raise NotApplicableError(f"shallow fibers need one hidden layer, the network has {net.depth}")
    arch = net.architecture
    n = arch[1]
    data = canonical_data(net)
    if n == data.num_hyperplanes + 1 and valid_orientation_sets(data):
        return extra_neuron_fiber(net, data, max_components)
    try:
        role_sets = roles_of(data, n)
    except NotApplicableError:  # not a minimal width: classify every neuron by its type (docs/mathematics.md B6)
        try:
            return wide_fiber(net, data, min(max_components, MAX_WIDE_FAMILIES))
        except RegionLimitError as exc:
            raise NotApplicableError(f"width {n} with k = {data.num_hyperplanes} hyperplanes: {exc}") from exc
    total = len(role_sets) * math.factorial(n)
    if total > max_components:
        raise RegionLimitError(f"the fiber has {total} components (> max_components = {max_components})")
    b = RoleBuilder(arch, data, role_sets)
    comps = []
    for orbit, (roles, origin) in enumerate(role_sets):
        base = {**origin, "orbit": orbit}
        for perm in itertools.permutations(range(n)):
            comps.append(b.component(roles, perm, base))
    own = next(c.origin["orbit"] for c in comps if c.contains(net))  # θ's own H_n-orbit
    for c in comps:
        same = c.origin["orbit"] == own
        parts = ["none: the H_n-orbit of θ (permutation and positive scaling)"] if same else []
        if c.origin["case"] == "k+2" and "canceling_pair" in c.origin:
            parts = ["canceling pair on a free hyperplane G, its offset t_G free (docs/mathematics.md B4 case 3)"]
        if not same:
            parts.append({"k": "orientation flip (docs/mathematics.md B3): another orientation set S",
                          "k+1": ("opposite pair on another hyperplane / orientation set "
                                  "(docs/mathematics.md B4 case 2)"),
                          "k+2": "another canceling configuration (docs/mathematics.md B4 case 3)"}[c.origin["case"]])
        c.origin["theta_orbit"] = same
        c.origin["hidden_symmetry"] = "; ".join(parts)
    case = role_sets[0][1]["case"]
    notes = (f"one hidden layer on R^d, width n = {n}, k = {data.num_hyperplanes} breakpoint hyperplanes "
             f"(minimal width, case {case} of docs/mathematics.md B4); {len(role_sets)} role set(s) x {n}! labellings; "
             "components are the connected components of S(θ) (docs/mathematics.md B3)",)
    return Fiber(net, "shallow", max(c.dimension for c in comps), tuple(comps), None, None, notes, complete=True)
