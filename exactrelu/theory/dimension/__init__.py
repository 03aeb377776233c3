"""Jacobians, functional dimension, identifiability, genericity."""
