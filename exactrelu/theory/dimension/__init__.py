"""Jacobians, functional dimension, identifiability, genericity (docs/mathematics.md §1, E1–E4)."""
