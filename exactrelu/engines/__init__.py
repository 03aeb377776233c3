"""Adapters, one per outside library (cdd, flint, sympy, torch); the only modules importing them."""
