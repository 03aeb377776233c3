"""Sphinx configuration of the exactrelu documentation (built by ``make docs`` with warnings as errors).

Generated at build time, never edited by hand (all under ``docs/_generated/``, ignored by git):

* the API reference, one page per layer (core, engines, geometry, theory/*, cli), listing every module found in
  ``exactrelu/<layer>/`` so that a new module is documented without touching this file;
* the command-line reference, from each command's ``--help``;
* the tutorials: copies of ``notebooks/*.ipynb``, executed by myst-nb during the build (they carry no stored output);
  results are cached in ``docs/_build/.jupyter_cache`` and the cache is dropped whenever a package file changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import pkgutil
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
GEN = DOCS / "_generated"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SYMPY_GROUND_TYPES", "flint")
os.environ.setdefault("MPLBACKEND", "Agg")

import exactrelu  # noqa: E402

project = "exactrelu"
author = "the exactrelu developers"
copyright = "the exactrelu developers"
release = version = exactrelu.__version__

extensions = [
    "myst_nb",                      # Markdown (myst-parser) + executed notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",          # numpydoc-style sections
    "sphinx.ext.viewcode",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 4
suppress_warnings = ["myst.header"]      # the reference uses §-labels, not a strict heading ladder

napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = True                # "Attributes" as fields: no duplicate of the documented properties
autodoc_member_order = "bysource"
autodoc_typehints = "none"              # signatures stay readable; types are described in the docstrings
autodoc_default_options = {"members": True, "show-inheritance": False}

nb_execution_mode = os.environ.get("EXACTRELU_DOCS_EXECUTE", "cache")   # "off" skips the notebooks' execution
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
_CACHE_KEY = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((ROOT / "exactrelu").rglob("*.py")))).hexdigest()
_CACHE_STAMP = DOCS / "_build" / ".jupyter_cache.package"
if not _CACHE_STAMP.exists() or _CACHE_STAMP.read_text() != _CACHE_KEY:   # the package changed: re-execute all
    shutil.rmtree(nb_execution_cache_path, ignore_errors=True)
    _CACHE_STAMP.parent.mkdir(parents=True, exist_ok=True)
    _CACHE_STAMP.write_text(_CACHE_KEY)
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_kernel_rgx_aliases = {".*": "python3"}

html_theme = "alabaster"
html_title = f"exactrelu {release}"
html_static_path: list[str] = []

LAYERS = [
    ("core", "Core: exact scalars, errors, the network model, file formats, symmetries"),
    ("engines", "Engines: one adapter per outside library (the only modules importing it)"),
    ("geometry", "Geometry: polyhedra, regions, faces, the breakpoint complex, certificates, plots"),
    ("theory", "Theory: one subpackage per question, built on the geometry"),
    ("cli", "Front end: the command line and the report"),
]


def _modules(package: str) -> list[str]:
    """Every module of ``package`` (itself first), sorted, skipping none: private command modules included."""
    mod = __import__(package, fromlist=["_"])
    names = [package]
    if hasattr(mod, "__path__"):
        for info in pkgutil.walk_packages(mod.__path__, prefix=package + "."):
            names.append(info.name)
    return sorted(names, key=lambda n: (n.count("."), n))


def _automodule(name: str, underline: str = "") -> str:
    """One module's entry (a title when ``underline`` is given, then the directive); a package documents only what it
    defines (its re-exports are documented where they are defined)."""
    mod = __import__(name, fromlist=["_"])
    opts = "   :ignore-module-all:\n" if hasattr(mod, "__path__") else ""
    title = _title(f"``{name}``", underline) + "\n" if underline else ""
    return f"{title}.. automodule:: {name}\n{opts}"


def _title(text: str, ch: str) -> str:
    return f"{text}\n{ch * len(text)}\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _api_pages() -> None:
    api = GEN / "api"
    toc = []
    for layer, blurb in LAYERS:
        pkg = f"exactrelu.{layer}"
        try:
            mods = _modules(pkg)
        except ImportError:
            continue
        parts = [_title(f"{layer}", "="), blurb + ".\n"]
        if layer == "theory":
            subs = [m for m in mods if m.count(".") == 2]
            for sub in subs:
                inner = [m for m in mods if m == sub or m.startswith(sub + ".")]
                parts.append(_title(sub, "-"))
                parts += [_automodule(m, "~" if m != sub else "") for m in inner]
            parts.insert(2, f".. automodule:: {pkg}\n   :no-members:\n")
        else:
            parts += [_automodule(m, "-" if m != pkg else "") for m in mods]
        _write(api / f"{layer}.rst", "\n".join(parts))
        toc.append(layer)
    index = [_title("API reference", "="),
             "The package is organised in layers; each imports only from the layers below it "
             "(core → engines → geometry → theory → cli).  The public API is re-exported by ``exactrelu`` "
             "itself (``import exactrelu as er``); the pages below document each module where it lives.\n",
             ".. automodule:: exactrelu\n   :no-members:\n",
             ".. toctree::\n   :maxdepth: 2\n\n" + "".join(f"   {t}\n" for t in toc)]
    _write(api / "index.rst", "\n".join(index))


def _cli_page() -> None:
    from typer.main import get_command
    from typer.testing import CliRunner

    from exactrelu.cli import app

    runner = CliRunner()
    env = {"COLUMNS": "110", "TERM": "dumb", "NO_COLOR": "1"}
    parts = [_title("Command line", "="),
             "Every command takes ``--json``; exit status 0 (yes / success), 1 (a \"no\" answer), 2 (bad input, one "
             "line on stderr).  The text below is each command's ``--help``.\n"]
    group = get_command(app)
    names = sorted(getattr(group, "commands", {}))
    for name in ["", *names]:
        args = [name, "--help"] if name else ["--help"]
        out = runner.invoke(app, args, env=env, prog_name="exactrelu").output
        parts.append(_title(f"exactrelu {name}".strip(), "-"))
        parts.append(".. code-block:: text\n\n" + "".join(f"   {ln}".rstrip() + "\n" for ln in out.splitlines()))
    _write(GEN / "cli.rst", "\n".join(parts))


def _tutorials() -> None:
    dst = GEN / "tutorials"
    dst.mkdir(parents=True, exist_ok=True)
    books = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for nb in books:   # copies, with the kernel named when a notebook does not say (for execution and highlighting)
        data = json.loads(nb.read_text(encoding="utf-8"))
        meta = data.setdefault("metadata", {})
        meta.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
        meta.setdefault("language_info", {"name": "python", "pygments_lexer": "ipython3"})
        _write(dst / nb.name, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    for stale in dst.glob("*.ipynb"):
        if not (ROOT / "notebooks" / stale.name).exists():
            stale.unlink()
    _write(dst / "index.md", "# Tutorials\n\nThe notebooks of `notebooks/`, executed when this site is built.\n\n"
           "```{toctree}\n:maxdepth: 1\n\n" + "".join(f"{nb.stem}\n" for nb in books) + "```\n")


_api_pages()
_cli_page()
_tutorials()
