"""Theorem checks on sweeps of small exact examples (``python -m proofs_checks`` / ``make proofs``).

One module ``check_<theorem>.py`` per theorem.  Each defines:

* ``THEOREM``: the statement, quoted as in docs/mathematics.md (with its section);
* ``cases() -> list``: picklable case descriptors (e.g. ``("random", (2, 3, 1), seed)`` or an example name);
* ``check(case) -> str | None``: asserts the statement exactly on one case (raises ``AssertionError`` on failure) and
  may return a short note.

The runner maps ``check`` over ``cases()`` on a Dask cluster (a ``LocalCluster`` by default, ``--scheduler ADDRESS``
for a real one) and prints a table theorem / cases / passed.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

__all__ = ["check_modules"]


def check_modules(only: list[str] | None = None) -> list[ModuleType]:
    """Every ``check_*`` module of this package, sorted by name (optionally filtered by substring)."""
    mods = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("check_") and (not only or any(o in info.name for o in only)):
            mods.append(importlib.import_module(f"{__name__}.{info.name}"))
    return mods
