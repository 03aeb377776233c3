"""exactrelu: exact, certified answers about ReLU networks (docs/mathematics.md is the mathematical reference).

The public API is re-exported here; everything else is an implementation detail.  Names are resolved on first use
(PEP 562), so ``import exactrelu`` and the command line start without loading sympy, cddlib, flint, torch or onnx.
"""

from __future__ import annotations

import importlib
from typing import Any

# public modules, then module -> the public names it provides
_MODULES = {"examples": "exactrelu.core.examples"}
_EXPORTS: dict[str, tuple[str, ...]] = {
    "exactrelu.core.errors": ("ExactReluError",),
    "exactrelu.core.graph": ("GraphNetwork",),
    "exactrelu.core.graph_layered": ("to_graph", "to_layered"),
    "exactrelu.core.graph_random": ("random_graph_network", "chain_network", "residual_network"),
    "exactrelu.core.graph_symmetry": ("GraphSymmetry", "graph_normal_form", "graph_related_by_trivial_symmetry"),
    "exactrelu.geometry.graph_regions": ("GraphComplex", "graph_regions"),
    "exactrelu.geometry.graph_complex": ("GraphPolyhedralComplex", "graph_complex"),
    "exactrelu.theory.dimension.graph_jacobian": ("graph_functional_dimension", "graph_identifiability",
                                                  "graph_batch_functional_dimension"),
    "exactrelu.theory.equality.graph_equivalence": ("graph_equivalent",),
    "exactrelu.theory.equality.graph_reduce": ("graph_reduce",),
    "exactrelu.core.io": ("load", "save"),
    "exactrelu.core.network": ("Layer", "Network", "num_parameters", "parameter_names"),
    "exactrelu.core.output_relu": ("with_output_relu", "ends_with_output_relu"),
    "exactrelu.core.random": ("parse_architecture", "random_network"),
    "exactrelu.core.symmetry": (
        "TrivialSymmetry", "normal_form", "permute", "random_trivial_symmetry", "related_by_trivial_symmetry",
        "rescale",
    ),
    "exactrelu.engines.formats": ("load_network", "save_network"),
    "exactrelu.engines.onnxlib": ("from_onnx", "to_onnx"),
    "exactrelu.engines.torchlib": ("from_torch", "to_torch"),
    "exactrelu.engines.torch_graph": ("graph_from_torch",),
    "exactrelu.engines.onnx_graph": ("graph_from_onnx",),
    "exactrelu.engines.graph_export": ("graph_to_torch", "graph_to_onnx"),
    "exactrelu.theory.dimension.graph_identify": ("graph_global_identifiability",),
    "exactrelu.geometry.polyhedra": ("Box", "Orthant", "Polyhedron"),
    "exactrelu.geometry.regions": ("PolyhedralComplex", "Region", "regions"),
    "exactrelu.geometry.distributed": ("RegionCount", "count_regions"),
    "exactrelu.theory.dimension.architecture": ("architecture_functional_dimension",),
    "exactrelu.theory.dimension.fdim": ("FunctionalDimension", "batch_functional_dimension", "functional_dimension"),
    "exactrelu.theory.dimension.genericity": ("GenericityReport", "is_generic"),
    "exactrelu.theory.dimension.generic_set": ("GenericSet", "generic_conditions"),
    "exactrelu.theory.dimension.identifiability": ("fiber_tangent_space", "identifiability"),
    "exactrelu.theory.dimension.jacobian": ("parameter_jacobian",),
    "exactrelu.theory.equality.equivalence": ("Equivalence", "equivalent"),
    "exactrelu.theory.equality.reduce": ("Reduction", "reduce"),
    "exactrelu.theory.equality.architectures": ("ArchitectureRepresentation", "representable_by"),
    "exactrelu.theory.equality.representable": ("ShallowRepresentation", "is_shallow_representable"),
    "exactrelu.theory.equality.shallow": (
        "CanonicalData", "canonical_data", "canonical_form", "minimal_width", "valid_orientation_sets",
    ),
    "exactrelu.theory.fibers.bottleneck": ("bottleneck_fiber", "bottleneck_structure", "local_fiber"),
    "exactrelu.theory.fibers.fiber": ("Component", "Fiber", "fiber"),
    "exactrelu.theory.fibers.first_layer": ("FirstLayerReconstruction", "first_layer", "parallel_facet_failures"),
    "exactrelu.theory.fibers.probe": ("probe_completeness",),
    "exactrelu.theory.varieties": ("PatternVariety", "output_variety", "pattern_variety", "realizable"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
    else:
        raise AttributeError(f"module 'exactrelu' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE) | set(_MODULES))


__all__ = [
    "Box",
    "Orthant",
    "Polyhedron",
    "PolyhedralComplex",
    "Region",
    "regions",
    "RegionCount",
    "count_regions",
    "CanonicalData",
    "Equivalence",
    "equivalent",
    "is_shallow_representable",
    "ArchitectureRepresentation",
    "representable_by",
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
    "FirstLayerReconstruction",
    "first_layer",
    "parallel_facet_failures",
    "probe_completeness",
    "GenericityReport",
    "is_generic",
    "GenericSet",
    "generic_conditions",
    "ExactReluError",
    "GraphNetwork",
    "to_graph",
    "to_layered",
    "random_graph_network",
    "chain_network",
    "residual_network",
    "GraphSymmetry",
    "graph_normal_form",
    "graph_related_by_trivial_symmetry",
    "GraphComplex",
    "graph_regions",
    "graph_functional_dimension",
    "graph_identifiability",
    "graph_equivalent",
    "graph_reduce",
    "graph_from_torch",
    "graph_from_onnx",
    "with_output_relu",
    "ends_with_output_relu",
    "GraphPolyhedralComplex",
    "graph_complex",
    "graph_batch_functional_dimension",
    "graph_to_torch",
    "graph_to_onnx",
    "graph_global_identifiability",
    "Layer",
    "Network",
    "TrivialSymmetry",
    "examples",
    "from_torch",
    "to_torch",
    "from_onnx",
    "to_onnx",
    "load_network",
    "save_network",
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
    "PatternVariety",
    "pattern_variety",
    "output_variety",
    "realizable",
]

__version__ = "0.1.0"
