"""Fibers S(θ): shallow, orthant/box, bottleneck and local descriptions."""
