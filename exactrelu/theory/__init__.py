"""The theory built on the geometry, one subpackage per question.

``equality`` (docs/mathematics.md A4, B1–B4, F1), ``fibers`` (B3, C, D), ``dimension`` (E1–E4, genericity of §1).
Imports only from core, engines and geometry, and between its subpackages without circles.
"""
