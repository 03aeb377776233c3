"""The exact geometric engine: polyhedra, regions, faces, the breakpoint complex, certificates."""
