"""Dynamics: conservation laws of gradient flow and the learning space (docs/mathematics.md §G, D6, §6)."""
