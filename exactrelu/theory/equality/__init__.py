"""Function equality: shallow canonical data, equivalence, reduction, depth hierarchy.

docs/mathematics.md A4, B1, B2, B4, D5, F1 and §3.
"""
