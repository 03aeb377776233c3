"""docs/mathematics.md stays true to the code: every function it names exists, every cited section exists."""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "docs" / "mathematics.md").read_text(encoding="utf-8")
NAMES = sorted(set(re.findall(r"`(exactrelu(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`", TEXT)))
# the section labels a docstring may cite: §0..§7 and the items A1..H3
ITEM = re.compile(r"^\*\*([A-H]\d?)\.", re.M)
SECTION = re.compile(r"^## (§\d)", re.M)
LABELS = set(ITEM.findall(TEXT)) | set(SECTION.findall(TEXT)) | set(re.findall(r"^### ([A-H])\.", TEXT, re.M))
# a section cited with a letter and its subsections (``§2.E``, ``E1–E3``) is fine: the letters are the groups of §2


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for attr in parts[k:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def test_reference_names_functions() -> None:
    assert len(NAMES) > 40


@pytest.mark.parametrize("dotted", NAMES)
def test_named_object_exists(dotted: str) -> None:
    _resolve(dotted)


def test_every_label_is_present() -> None:
    expected = ({f"§{i}" for i in range(8)} | {f"A{i}" for i in range(1, 5)} | {f"B{i}" for i in range(1, 5)}
                | {"C"} | {f"D{i}" for i in range(7)} | {f"E{i}" for i in range(1, 5)} | {"F1"}
                | {f"G{i}" for i in range(1, 5)} | {f"H{i}" for i in range(1, 4)})
    assert expected <= LABELS, sorted(expected - LABELS)


def test_cited_sections_exist() -> None:
    """Every ``docs/mathematics.md <label>`` cited in the repository names a label of the reference."""
    pattern = r"docs/mathematics\.md[^A-Za-z0-9§]{0,3}(§[0-9]|§?[A-H][0-9]?)"
    out = subprocess.run(["git", "grep", "-h", "-o", "-E", pattern],
                         cwd=ROOT, capture_output=True, text=True, check=False).stdout
    cited = set()
    for m in out.splitlines():
        label = re.sub(r"^docs/mathematics\.md[^A-Za-z0-9§]*", "", m.strip())
        cited.add(label[1:] if label[1:2].isalpha() else label)     # §E1 is E1, §1 stays §1
    assert cited <= LABELS | {"§2"}, sorted(cited - LABELS)
