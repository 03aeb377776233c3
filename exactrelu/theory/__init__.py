"""The theory built on the geometry, one subpackage per question."""
