"""Architecture lint for exactrelu: layers, import circles, private names, module size, engine imports.

Reads only the source (``ast``), never imports the package, so it also runs on a broken tree.  The rules and the
allowlist of today's known violations live in ``pyproject.toml`` under ``[tool.exactrelu-lint]``::

    [tool.exactrelu-lint]
    package = "exactrelu"                                   # folder holding the package, relative to pyproject.toml
    layers = ["core", "engines", "geometry", "theory", "cli"]   # bottom to top: imports point down (or sideways)
    max-lines = 600
    restricted = { cdd = ["engines"], flint = ["engines"], sympy = ["engines", "theory"] }
    allow = ["circle: exactrelu.a -> exactrelu.b", ...]     # one entry per known violation, printed on every run

Rules (each violation is one line ``<kind>: <key>``, which is also its allowlist entry):

* ``circle: A -> B`` — the import ``A -> B`` lies on an import circle inside the package.  Module-level AND
  function-level imports count (an import inside a function still ties the two modules together), and so does
  ``importlib.import_module("...")`` with a literal name; imports under ``if TYPE_CHECKING:`` do not (they never
  run).  One entry per import edge inside a strongly connected component.
* ``private: A imports B._x`` — a private name (one leading underscore, not a dunder) imported from another module,
  by ``from B import _x``, ``import B._x`` or ``B._x`` on a module alias.  A private *submodule* ``P._m`` may be
  imported by the modules inside package ``P`` (it is that package's own detail).
* ``size: A`` — the module has more than ``max-lines`` lines.
* ``layer: A -> B`` — ``A`` imports ``B`` from a higher layer.  A module's layer is the first folder under the
  package (``exactrelu.geometry.faces`` is in ``geometry``).  The package's own ``__init__`` (the public API
  facade, which re-exports everything) ranks just below the last layer, so only the last layer (the CLI) may import
  it; ``__main__`` belongs to the last layer.  Any other top-level module is ``layer: A (in no layer)``.
* ``restricted: A imports M`` — a third-party module listed in ``restricted`` imported outside the layers allowed
  for it (any ``import M``/``import M.sub``/``from M... import``).
* ``conversion: A uses sympy.Name`` — outside the layers allowed for ``sympy`` (when it is restricted), no sympy
  number conversion (``Rational``, ``Float``, ``nsimplify``, ``Integer``) through a sympy alias.

Exit status 0 when every violation is allowlisted, 1 otherwise, 2 on a configuration error.  Stale allowlist entries
(violations that no longer exist) are printed so their owners delete them; ``--strict`` makes them an error.

Usage: ``python lint/check_layers.py [--config pyproject.toml] [--strict]``.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

__all__ = ["Config", "Violation", "check", "load_config", "main"]

SYMPY_CONVERSIONS = frozenset({"Rational", "Float", "nsimplify", "Integer"})


@dataclass(frozen=True)
class Config:
    """The rules; see the module docstring for the meaning of each field."""

    root: Path
    package: str
    layers: tuple[str, ...]
    max_lines: int = 600
    restricted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    allow: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Violation:
    """One rule broken at ``path:line``; ``key`` is the string an allowlist entry must equal."""

    key: str
    path: str
    line: int


def load_config(pyproject: Path) -> Config:
    """Read ``[tool.exactrelu-lint]`` of ``pyproject``; raise ``ValueError`` with the reason when it is unusable."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    cfg = data.get("tool", {}).get("exactrelu-lint")
    if not isinstance(cfg, dict):
        raise ValueError(f"{pyproject}: no [tool.exactrelu-lint] table")
    try:
        layers = tuple(cfg["layers"])
        package = str(cfg["package"])
    except KeyError as e:
        raise ValueError(f"{pyproject}: [tool.exactrelu-lint] needs {e.args[0]!r}") from None
    restricted = {str(k): tuple(v) for k, v in cfg.get("restricted", {}).items()}
    allow = tuple(str(a) for a in cfg.get("allow", ()))
    dup = sorted({a for a in allow if allow.count(a) > 1})
    if dup:
        raise ValueError(f"{pyproject}: duplicated allowlist entries {dup}")
    return Config(root=pyproject.parent, package=package, layers=layers, max_lines=int(cfg.get("max-lines", 600)),
                  restricted=restricted, allow=allow)


def _modules(cfg: Config) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package (a package is its ``__init__``)."""
    base = cfg.root / cfg.package
    if not (base / "__init__.py").is_file():
        raise ValueError(f"{base}: not a package (no __init__.py)")
    out: dict[str, Path] = {}
    for p in sorted(base.rglob("*.py")):
        rel = p.relative_to(cfg.root).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


def _literal_import(node: ast.Call) -> str | None:
    """The module named by ``importlib.import_module("a.b")`` or ``__import__("a.b")`` with a literal, else None."""
    f = node.func
    called = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
    if called not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:`` (imports there never run)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            t = node.test
            name = t.id if isinstance(t, ast.Name) else t.attr if isinstance(t, ast.Attribute) else None
            if name == "TYPE_CHECKING":
                for sub in node.body:
                    ids.update(id(n) for n in ast.walk(sub))
    return ids


@dataclass
class _Import:
    target: str          # the package module imported (resolved), or the top-level name of a third-party module
    name: str | None     # for ``from X import name``: the name when it is not a submodule
    line: int
    runs: bool           # False under ``if TYPE_CHECKING:``
    internal: bool


class _Analyser:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.modules = _modules(cfg)

    def rank(self, mod: str) -> float | None:
        """Layer rank of a package module (None: a top-level module in no layer)."""
        parts = mod.split(".")
        if len(parts) == 1:
            return len(self.cfg.layers) - 1.5      # the facade: just below the last layer
        if parts[1] == "__main__":
            return len(self.cfg.layers) - 1.0
        if parts[1] in self.cfg.layers:
            return float(self.cfg.layers.index(parts[1]))
        return None

    def layer(self, mod: str) -> str | None:
        parts = mod.split(".")
        return parts[1] if len(parts) > 1 and parts[1] in self.cfg.layers else None

    def _resolve_from(self, mod: str, node: ast.ImportFrom) -> str:
        if node.level == 0:
            return node.module or ""
        is_pkg = self.modules[mod].name == "__init__.py"
        base = mod.split(".")
        base = base if is_pkg else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def _longest_module(self, dotted: str) -> str:
        parts = dotted.split(".")
        while parts and ".".join(parts) not in self.modules:
            parts.pop()
        return ".".join(parts)

    def imports(self, mod: str, tree: ast.AST) -> list[_Import]:
        tc = _type_checking_nodes(tree)
        pkg = self.cfg.package
        out: list[_Import] = []
        for node in ast.walk(tree):
            runs = id(node) not in tc
            if isinstance(node, ast.Import):
                for a in node.names:
                    top = a.name.split(".")[0]
                    if top == pkg:
                        out.append(_Import(self._longest_module(a.name), None, node.lineno, runs, True))
                    else:
                        out.append(_Import(top, None, node.lineno, runs, False))
            elif isinstance(node, ast.Call) and _literal_import(node) is not None:
                name = _literal_import(node)
                assert name is not None
                if name.split(".")[0] == pkg:
                    out.append(_Import(self._longest_module(name), None, node.lineno, runs, True))
                else:
                    out.append(_Import(name.split(".")[0], None, node.lineno, runs, False))
            elif isinstance(node, ast.ImportFrom):
                src = self._resolve_from(mod, node)
                top = src.split(".")[0]
                if top != pkg:
                    out.append(_Import(top, None, node.lineno, runs, False))
                    continue
                for a in node.names:
                    sub = f"{src}.{a.name}"
                    if sub in self.modules:
                        out.append(_Import(sub, None, node.lineno, runs, True))
                    else:
                        out.append(_Import(self._longest_module(src), a.name, node.lineno, runs, True))
        return out


def _module_aliases(tree: ast.AST, analyser: _Analyser, mod: str) -> dict[str, str]:
    """Local names bound to package modules (``import exactrelu.x as m``, ``from exactrelu import x``)."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname and a.name in analyser.modules:
                    aliases[a.asname] = a.name
        elif isinstance(node, ast.ImportFrom):
            src = analyser._resolve_from(mod, node)
            for a in node.names:
                if f"{src}.{a.name}" in analyser.modules:
                    aliases[a.asname or a.name] = f"{src}.{a.name}"
    return aliases


def _sympy_aliases(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "sympy":
                    names.add(a.asname or "sympy")
    return names


def _parent(mod: str) -> str:
    return mod.rsplit(".", 1)[0]


def _private_ok(importer: str, owner: str, importer_is_pkg: bool) -> bool:
    """A private submodule ``owner`` (``P._m``) may be imported from inside package ``P``."""
    parent = _parent(owner)
    home = importer if importer_is_pkg else _parent(importer)
    return home == parent or home.startswith(parent + ".")


def check(cfg: Config) -> list[Violation]:
    """Every violation of the rules in the package described by ``cfg`` (allowlisted ones included), sorted."""
    an = _Analyser(cfg)
    out: set[Violation] = set()
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_nodes_from(an.modules)
    edge_line: dict[tuple[str, str], tuple[str, int]] = {}
    for mod, path in an.modules.items():
        rel = str(path.relative_to(cfg.root))
        text = path.read_text(encoding="utf-8")
        nlines = len(text.splitlines())
        if nlines > cfg.max_lines:
            out.add(Violation(f"size: {mod}", rel, nlines))
        tree = ast.parse(text, filename=rel)
        r_mod = an.rank(mod)
        if r_mod is None:
            out.add(Violation(f"layer: {mod} (in no layer)", rel, 1))
        layer = an.layer(mod)
        is_pkg = path.name == "__init__.py"
        for imp in an.imports(mod, tree):
            if not imp.internal:
                allowed = cfg.restricted.get(imp.target)
                if allowed is not None and layer not in allowed:
                    out.add(Violation(f"restricted: {mod} imports {imp.target}", rel, imp.line))
                continue
            tgt = imp.target
            if not tgt or tgt == mod:
                continue
            if imp.name is not None and _is_private(imp.name):
                out.add(Violation(f"private: {mod} imports {tgt}.{imp.name}", rel, imp.line))
            parts = tgt.split(".")      # a private module on the way (pkg.a._b): the first one decides
            k = next((i for i, p in enumerate(parts) if i > 0 and _is_private(p)), None)
            if k is not None and not _private_ok(mod, ".".join(parts[: k + 1]), is_pkg):
                out.add(Violation(f"private: {mod} imports {tgt}", rel, imp.line))
            r_tgt = an.rank(tgt)
            if r_mod is not None and r_tgt is not None and r_tgt > r_mod:
                out.add(Violation(f"layer: {mod} -> {tgt}", rel, imp.line))
            if imp.runs:
                graph.add_edge(mod, tgt)
                edge_line.setdefault((mod, tgt), (rel, imp.line))
        aliases = _module_aliases(tree, an, mod)
        sympy_names = _sympy_aliases(tree) if "sympy" in cfg.restricted and layer not in cfg.restricted["sympy"] \
            else set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                owner = aliases.get(node.value.id)
                if owner is not None and owner != mod and _is_private(node.attr):
                    out.add(Violation(f"private: {mod} imports {owner}.{node.attr}", rel, node.lineno))
                if node.value.id in sympy_names and node.attr in SYMPY_CONVERSIONS:
                    out.add(Violation(f"conversion: {mod} uses sympy.{node.attr}", rel, node.lineno))
    for scc in nx.strongly_connected_components(graph):
        if len(scc) < 2:
            continue
        for a, b in graph.subgraph(scc).edges():
            rel, line = edge_line[(a, b)]
            out.add(Violation(f"circle: {a} -> {b}", rel, line))
    return sorted(out, key=lambda v: (v.key, v.path, v.line))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=Path(__file__).resolve().parent.parent / "pyproject.toml")
    ap.add_argument("--strict", action="store_true", help="stale allowlist entries are errors too")
    args = ap.parse_args(argv)
    try:
        cfg = load_config(args.config)
        found = check(cfg)
    except (OSError, ValueError, SyntaxError) as e:
        print(f"check_layers: {e}", file=sys.stderr)
        return 2
    allow = set(cfg.allow)
    keys = {v.key for v in found}
    allowed = [v for v in found if v.key in allow]
    new = [v for v in found if v.key not in allow]
    stale = sorted(allow - keys)
    n_mod = len(_modules(cfg))
    print(f"check_layers: {cfg.package}/ ({n_mod} modules), layers {' -> '.join(cfg.layers)} (imports point down), "
          f"max {cfg.max_lines} lines")
    if allowed:
        print(f"allowlisted in [tool.exactrelu-lint] allow ({len({v.key for v in allowed})}; owners: shrink it):")
        for key in sorted({v.key for v in allowed}):
            print(f"  {key}")
    if stale:
        print(f"stale allowlist entries ({len(stale)}; the violation is gone, delete the entry):")
        for key in stale:
            print(f"  {key}")
    if new:
        print(f"VIOLATIONS ({len(new)}):")
        for v in new:
            print(f"  {v.path}:{v.line}: {v.key}")
    bad = bool(new) or (args.strict and bool(stale))
    print("check_layers: FAILED" if bad else "check_layers: ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
