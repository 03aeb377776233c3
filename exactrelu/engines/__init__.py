"""Adapters, one per outside library (cdd, flint, sympy, torch, onnx); the only modules importing them.

How each engine is used (exact LPs and double descriptions, exact and modular ranks, symbolic systems):
docs/mathematics.md §5.  Imports only from core.
"""
