"""Function equality: shallow canonical data, equivalence, reduction, depth hierarchy."""
