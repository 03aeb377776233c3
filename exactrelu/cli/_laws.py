"""The ``laws`` and ``invariant-set`` commands: conservation laws of gradient flow and the learning space
(docs/mathematics.md G1-G4).

Vertex ids are those of the graph format; a layered network uses ``x1..xd``, ``h{l}_{i}`` and ``y{j}``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from exactrelu.cli._common import AllowFloatOpt, JsonOpt, NetArg, app, console, emit_json, guarded, read_any_network
from exactrelu.core.errors import FormatError

BiasFreeOpt = Annotated[bool, typer.Option(
    "--bias-free", help="Treat a layered network as bias-free (its biases must be 0): biases are not parameters.")]


@app.command("laws")
@guarded
def laws_cmd(network: NetArg, json_out: JsonOpt = False, count: Annotated[bool, typer.Option(
        "--count", help="Also count the independent local laws exactly (Lie closure; small networks).")] = False,
        generators: Annotated[str, typer.Option(
            "--generators", help="For --count: 'maps' (entries of every region's affine map) or 'paths' "
            "(path-lifting monomials of the active paths, as Marcotte-Gribonval-Peyré).")] = "maps",
        verify: Annotated[bool, typer.Option("--verify", help="Prove every law symbolically (sympy).")] = False,
        bias_free: BiasFreeOpt = False, allow_float: AllowFloatOpt = False) -> None:
    """Conserved quantities of gradient flow: the balance law of every hidden vertex and the block laws of
    always-active vertices, each a polynomial with its value at θ; --count gives the number of independent laws."""
    from exactrelu.theory.dynamics import conservation_laws, count_conservation_laws

    if generators not in ("maps", "paths"):
        raise FormatError(f"--generators must be 'maps' or 'paths', not {generators!r}")
    net = read_any_network(network, allow_float)
    lawset = conservation_laws(net, biases=not bias_free)
    proved = lawset.verify() if verify else None
    counted = count_conservation_laws(net, biases=not bias_free, generators=generators) if count else None
    out = lawset.to_dict()
    out["count"] = counted.count if counted is not None else None
    out["lie_dimension"] = counted.lie_dimension if counted is not None else None
    out["count_details"] = counted.to_dict() if counted is not None else None
    out["verified"] = proved
    if json_out:
        emit_json(out)
        return
    console.print(str(lawset), markup=False, highlight=False)
    if proved is not None:
        console.print("symbolic proof: " + ("every law satisfies ∇Q · ∇θ f ≡ 0 on every activation pattern"
                                            if proved else "FAILED"), markup=False, highlight=False)
    if counted is not None:
        console.print(str(counted), markup=False, highlight=False)


@app.command("invariant-set")
@guarded
def invariant_set_cmd(network: NetArg, json_out: JsonOpt = False, c: Annotated[str | None, typer.Option(
        "--c", help="Balance values c1,c2,... in hidden-vertex order (integers or p/q); default: c(θ).")] = None,
        bias_free: BiasFreeOpt = False, allow_float: AllowFloatOpt = False) -> None:
    """The invariant set H_G(c) of gradient flow: forced edges with certificates, 2^|Z| connected components, θ's
    component, Betti numbers (one hidden layer), singular points."""
    from exactrelu.core.rational import parse_rational
    from exactrelu.theory.dynamics import as_parameter_graph, invariant_set

    values = None
    if c is not None:
        try:
            values = [parse_rational(t.strip()) for t in c.split(",")]
        except Exception as exc:  # noqa: BLE001 - any parse failure is bad input
            raise FormatError(f"--c {c!r}: {exc}") from None
    net = read_any_network(network, allow_float)
    inv = invariant_set(as_parameter_graph(net, biases=not bias_free), values)
    if json_out:
        emit_json(inv.to_dict())
        return
    console.print(str(inv), markup=False, highlight=False)
