"""The exact geometric engine: polyhedra, regions, faces, the breakpoint complex, certificates.

The canonical complex C_θ, jumps, balancing and B_θ: docs/mathematics.md §1, A1–A4.  Imports only from core and
engines.
"""
