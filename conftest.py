"""Tests that need optional packages are skipped, with the reason, where those packages are not installed.

Covers the notebooks and the doctests of the adapter modules (``tests/`` skips its own with ``importorskip``).
``.ci/run`` installs the packages (PyTorch and the ``interop`` extra), so in CI everything runs; a bare ``make test``
on a machine without them still passes and says what it skipped.
"""

from __future__ import annotations

from importlib.util import find_spec

import pytest

#: file name -> the optional modules its notebook cells or doctests import
NEEDS = {
    "07-trained-networks.ipynb": ("torch", "onnx", "sklearn"),
    "torchlib.py": ("torch",),
    "torch_graph.py": ("torch",),
    "onnxlib.py": ("onnx",),
    "onnx_graph.py": ("onnx",),
    "graph_export.py": ("torch", "onnx"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        missing = [m for m in NEEDS.get(item.path.name, ()) if find_spec(m) is None]
        if missing:
            item.add_marker(pytest.mark.skip(reason=f"needs the optional packages {', '.join(missing)} "
                                                    "(pip install torch and '.[interop]'; .ci/run does)"))
