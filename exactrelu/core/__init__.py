"""The core layer: exact scalars, errors, the network model, file formats, symmetries.

Conventions (architecture, parameter order, patterns, trivial symmetries): docs/mathematics.md §1.  Imports nothing
from the layers above (engines, geometry, theory, cli).
"""
