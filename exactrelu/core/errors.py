"""The exception hierarchy of exactrelu.

Every failure a user can cause raises a subclass of :class:`ExactReluError`; the CLI turns each into one line on
stderr and exit status 2.  Messages name the mathematical reason and, for file input, the place
(``net.json: layers[1].weights[0][2]: ...``).
"""

from __future__ import annotations

__all__ = [
    "ExactReluError",
    "FormatError",
    "NotExactError",
    "ShapeError",
    "PolyhedralComputationError",
    "RegionLimitError",
    "EmptyRegionError",
    "CertificateError",
    "NotApplicableError",
    "SizeLimitError",
    "OutputError",
]


class ExactReluError(Exception):
    """Base class of all errors raised by exactrelu."""


class FormatError(ExactReluError, ValueError):
    """A network or certificate file is not valid (bad JSON, wrong format tag or version, bad entry)."""


class NotExactError(ExactReluError, TypeError):
    """A float was given where an exact rational is required (convert explicitly, e.g. ``from_floats``)."""


class ShapeError(ExactReluError, ValueError):
    """Layer shapes do not chain, rows are ragged, or an input has the wrong dimension."""


class PolyhedralComputationError(ExactReluError, RuntimeError):
    """The exact polyhedral engine (cddlib, GMP) failed or returned an unexpected status."""


class RegionLimitError(ExactReluError, RuntimeError):
    """An enumeration would exceed the ``max_regions`` bound the caller set."""


class EmptyRegionError(ExactReluError, ValueError):
    """A polyhedron or activation pattern that was required to be non-empty is empty."""


class CertificateError(ExactReluError, ValueError):
    """A certificate failed independent re-verification (the message says which check failed)."""


class NotApplicableError(ExactReluError, ValueError):
    """A method was asked for on a network outside its hypotheses (e.g. a shallow-only fast path on a deep net)."""


class SizeLimitError(ExactReluError, ValueError):
    """An input or an estimated computation exceeds a size, work or memory limit (the message names the limit and
    the option or parameter that raises it)."""


class OutputError(ExactReluError, OSError):
    """An output destination cannot be written (missing or read-only folder, a directory, a device or a FIFO)."""
