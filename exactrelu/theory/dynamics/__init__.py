"""Dynamics: conservation laws of gradient flow and the learning space (docs/mathematics.md G1-G4, D6, §6)."""

from exactrelu.theory.dynamics.balance import CONSTANT, Edge, ParameterGraph
from exactrelu.theory.dynamics.laws import ConservationLaw, LawSet, as_parameter_graph, conservation_laws
from exactrelu.theory.dynamics.learning_space import InvariantSet, check_forcing, invariant_set, singular_components
from exactrelu.theory.dynamics.lie import LawCount, count_conservation_laws

__all__ = ["CONSTANT", "ConservationLaw", "Edge", "InvariantSet", "LawCount", "LawSet", "ParameterGraph",
           "as_parameter_graph", "check_forcing", "conservation_laws", "count_conservation_laws", "invariant_set",
           "singular_components"]
