"""Fibers S(θ): shallow, orthant/box, bottleneck and local descriptions (docs/mathematics.md B3, C, D0–D5, E1)."""
