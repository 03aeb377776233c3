"""exactrelu: exact, certified answers about ReLU networks (MATH.md is the mathematical reference).

The public API is re-exported here; everything else is an implementation detail.
"""

from . import examples
from .equivalence import Equivalence, equivalent, is_shallow_representable
from .errors import ExactReluError
from .fdim import (
    FunctionalDimension,
    architecture_functional_dimension,
    batch_functional_dimension,
    functional_dimension,
)
from .fiber_bottleneck import bottleneck_fiber, bottleneck_structure, local_fiber
from .fibers import Component, Fiber, fiber
from .genericity import GenericityReport, is_generic
from .identifiability import fiber_tangent_space, identifiability
from .interop import from_torch
from .io import load, save
from .jacobian import parameter_jacobian
from .network import Layer, Network, num_parameters, parameter_names
from .polyhedra import Box, Orthant, Polyhedron
from .random import parse_architecture, random_network
from .reduce import Reduction, reduce
from .regions import PolyhedralComplex, Region, regions
from .shallow import CanonicalData, canonical_data, canonical_form, minimal_width, valid_orientation_sets
from .symmetry import (
    TrivialSymmetry,
    normal_form,
    permute,
    random_trivial_symmetry,
    related_by_trivial_symmetry,
    rescale,
)

__all__ = [
    "Box",
    "Orthant",
    "Polyhedron",
    "PolyhedralComplex",
    "Region",
    "regions",
    "CanonicalData",
    "Equivalence",
    "equivalent",
    "is_shallow_representable",
    "Reduction",
    "reduce",
    "canonical_data",
    "canonical_form",
    "minimal_width",
    "valid_orientation_sets",
    "FunctionalDimension",
    "architecture_functional_dimension",
    "batch_functional_dimension",
    "fiber_tangent_space",
    "functional_dimension",
    "identifiability",
    "parameter_jacobian",
    "Component",
    "Fiber",
    "fiber",
    "bottleneck_fiber",
    "bottleneck_structure",
    "local_fiber",
    "GenericityReport",
    "is_generic",
    "ExactReluError",
    "Layer",
    "Network",
    "TrivialSymmetry",
    "examples",
    "from_torch",
    "load",
    "normal_form",
    "num_parameters",
    "parameter_names",
    "parse_architecture",
    "permute",
    "random_network",
    "random_trivial_symmetry",
    "related_by_trivial_symmetry",
    "rescale",
    "save",
]

__version__ = "0.1.0"
