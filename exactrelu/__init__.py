"""exactrelu: exact, certified answers about ReLU networks (MATH.md is the mathematical reference).

The public API is re-exported here; everything else is an implementation detail.
"""

from exactrelu.core import examples
from exactrelu.core.errors import ExactReluError
from exactrelu.core.io import load, save
from exactrelu.core.network import Layer, Network, num_parameters, parameter_names
from exactrelu.core.random import parse_architecture, random_network
from exactrelu.core.symmetry import (
    TrivialSymmetry,
    normal_form,
    permute,
    random_trivial_symmetry,
    related_by_trivial_symmetry,
    rescale,
)
from exactrelu.engines.onnxlib import from_onnx, to_onnx
from exactrelu.engines.torchlib import from_torch, to_torch
from exactrelu.geometry.polyhedra import Box, Orthant, Polyhedron
from exactrelu.geometry.regions import PolyhedralComplex, Region, regions
from exactrelu.theory.dimension.fdim import (
    FunctionalDimension,
    architecture_functional_dimension,
    batch_functional_dimension,
    functional_dimension,
)
from exactrelu.theory.dimension.genericity import GenericityReport, is_generic
from exactrelu.theory.dimension.identifiability import fiber_tangent_space, identifiability
from exactrelu.theory.dimension.jacobian import parameter_jacobian
from exactrelu.theory.equality.equivalence import Equivalence, equivalent, is_shallow_representable
from exactrelu.theory.equality.reduce import Reduction, reduce
from exactrelu.theory.equality.shallow import (
    CanonicalData,
    canonical_data,
    canonical_form,
    minimal_width,
    valid_orientation_sets,
)
from exactrelu.theory.fibers.bottleneck import bottleneck_fiber, bottleneck_structure, local_fiber
from exactrelu.theory.fibers.fiber import Component, Fiber, fiber

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
    "to_torch",
    "from_onnx",
    "to_onnx",
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
