"""The architecture lint (lint/check_layers.py) on small fake packages: each rule fires, allowlists work."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location("check_layers", Path(__file__).parents[1] / "lint" / "check_layers.py")
assert _SPEC is not None and _SPEC.loader is not None
cl = importlib.util.module_from_spec(_SPEC)
sys.modules["check_layers"] = cl
_SPEC.loader.exec_module(cl)

LAYERS = '["core", "engines", "geometry", "theory", "cli"]'


def _make(tmp: Path, files: dict[str, str], allow: tuple[str, ...] = (), max_lines: int = 600) -> Path:
    """A fake package ``fake`` under ``tmp`` with its pyproject; returns the pyproject path."""
    for rel, src in files.items():
        p = tmp / "fake" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(src), encoding="utf-8")
    for d in [tmp / "fake", *(p for p in (tmp / "fake").rglob("*") if p.is_dir())]:
        (d / "__init__.py").touch()
    allow_toml = ", ".join(f'"{a}"' for a in allow)
    (tmp / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [tool.exactrelu-lint]
        package = "fake"
        layers = {LAYERS}
        max-lines = {max_lines}
        restricted = {{ cdd = ["engines"], flint = ["engines"], torch = ["engines"], sympy = ["engines", "theory"] }}
        allow = [{allow_toml}]
        """), encoding="utf-8")
    return tmp / "pyproject.toml"


def _keys(pyproject: Path) -> list[str]:
    return [v.key for v in cl.check(cl.load_config(pyproject))]


def test_clean_package_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pp = _make(tmp_path, {
        "core/a.py": "X = 1\n",
        "engines/cddlib.py": "import cdd\nfrom fake.core.a import X\n",
        "geometry/g.py": "from fake.core.a import X\nfrom fake.engines import cddlib\n",
        "theory/eq/t.py": "import sympy as sp\nfrom fake.geometry.g import X\n",
        "cli/main.py": "import fake\nfrom fake.theory.eq.t import X\n",
    })
    assert _keys(pp) == []
    assert cl.main(["--config", str(pp)]) == 0
    assert "check_layers: ok" in capsys.readouterr().out


def test_module_level_circle_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pp = _make(tmp_path, {
        "geometry/regions.py": "from fake.geometry.faces import F\nR = 1\n",
        "geometry/faces.py": "from fake.geometry.breakpoints import B\nF = 1\n",
        "geometry/breakpoints.py": "from fake.geometry.regions import R\nB = 1\n",
    })
    assert _keys(pp) == ["circle: fake.geometry.breakpoints -> fake.geometry.regions",
                         "circle: fake.geometry.faces -> fake.geometry.breakpoints",
                         "circle: fake.geometry.regions -> fake.geometry.faces"]
    assert cl.main(["--config", str(pp)]) == 1
    out = capsys.readouterr().out
    assert "VIOLATIONS (3)" in out and "FAILED" in out


def test_function_level_circle_fails_but_type_checking_does_not(tmp_path: Path) -> None:
    pp = _make(tmp_path, {
        "theory/a.py": "def f():\n    from fake.theory.b import g\n    return g\n",
        "theory/b.py": "from fake.theory.a import f\ng = 1\n",
    })
    assert _keys(pp) == ["circle: fake.theory.a -> fake.theory.b", "circle: fake.theory.b -> fake.theory.a"]
    pp = _make(tmp_path / "tc", {
        "theory/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fake.theory.b import g\n",
        "theory/b.py": "from fake.theory.a import f\n",
    })
    assert _keys(pp) == []


def test_import_module_with_a_literal_counts(tmp_path: Path) -> None:
    pp = _make(tmp_path, {
        "core/a.py": "import importlib\ndef f():\n    return importlib.import_module('fake.core.b')\n",
        "core/b.py": "from fake.core.a import f\ndef g():\n    return __import__('torch')\n",
    })
    assert _keys(pp) == ["circle: fake.core.a -> fake.core.b", "circle: fake.core.b -> fake.core.a",
                         "restricted: fake.core.b imports torch"]


def test_relative_import_circle(tmp_path: Path) -> None:
    pp = _make(tmp_path, {"core/io.py": "from .network import N\n", "core/network.py": "from . import io\nN = 1\n"})
    assert _keys(pp) == ["circle: fake.core.io -> fake.core.network", "circle: fake.core.network -> fake.core.io"]


def test_private_names(tmp_path: Path) -> None:
    pp = _make(tmp_path, {
        "geometry/regions.py": "_IntNet = 1\n__all__ = []\n",
        "geometry/faces.py": "from fake.geometry.regions import _IntNet, __all__\n",
        "geometry/other.py": "from fake.geometry import regions\nx = regions._IntNet\n",
        "cli/_common.py": "def opt():\n    pass\n",
        "cli/cmd.py": "from fake.cli._common import opt\n",           # own package's private module: fine
        "theory/t.py": "from fake.cli._common import opt\n",          # private module of another package
    })
    assert _keys(pp) == ["layer: fake.theory.t -> fake.cli._common",
                         "private: fake.geometry.faces imports fake.geometry.regions._IntNet",
                         "private: fake.geometry.other imports fake.geometry.regions._IntNet",
                         "private: fake.theory.t imports fake.cli._common"]


def test_layers_size_restricted(tmp_path: Path) -> None:
    pp = _make(tmp_path, {
        "core/network.py": "from fake.geometry.regions import R\n",    # up
        "geometry/regions.py": "import flint\nimport sympy as sp\nR = sp.Rational(1, 2)\n",
        "theory/t.py": "from fake import examples\n",                  # the facade: only the CLI may import it
        "engines/big.py": "x = 1\n" * 12,
        "loose.py": "y = 1\n",
    }, max_lines=10)
    assert _keys(pp) == ["conversion: fake.geometry.regions uses sympy.Rational",
                         "layer: fake.core.network -> fake.geometry.regions",
                         "layer: fake.loose (in no layer)",
                         "layer: fake.theory.t -> fake",
                         "restricted: fake.geometry.regions imports flint",
                         "restricted: fake.geometry.regions imports sympy",
                         "size: fake.engines.big"]


def test_allowlist_and_stale_entries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"theory/a.py": "from fake.theory.b import g\nf = 1\n",
             "theory/b.py": "from fake.theory.a import f\ng = 1\n"}
    allow = ("circle: fake.theory.a -> fake.theory.b", "circle: fake.theory.b -> fake.theory.a")
    pp = _make(tmp_path, files, allow=allow)
    assert cl.main(["--config", str(pp)]) == 0
    out = capsys.readouterr().out
    assert "allowlisted" in out and "circle: fake.theory.a -> fake.theory.b" in out
    pp = _make(tmp_path / "s", files, allow=(*allow, "size: fake.theory.a"))
    assert cl.main(["--config", str(pp)]) == 0
    assert "stale allowlist entries (1" in capsys.readouterr().out
    assert cl.main(["--config", str(pp), "--strict"]) == 1


def test_repository_passes_its_own_lint() -> None:
    """The package on this branch is green under its own pyproject allowlist (what `make lint` runs)."""
    assert cl.main(["--config", str(Path(__file__).parents[1] / "pyproject.toml")]) == 0
