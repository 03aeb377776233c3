"""CLI: ``exactrelu generic`` and ``exactrelu bottleneck`` (exit codes, --json, one stderr line on bad input)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from exactrelu import examples, save
from exactrelu.cli import app
from exactrelu.core.network import Network

runner = CliRunner()


def _write(tmp_path: Path, name: str, net: Network) -> str:
    p = tmp_path / f"{name}.json"
    save(net, p)
    return str(p)


def test_generic_json_and_exit_codes(tmp_path: Path) -> None:
    good = _write(tmp_path, "t1", examples.invisible_translation())
    r = runner.invoke(app, ["generic", good, "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["generic"] is True and data["cells_checked"] == 15
    three = Network.from_lists([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[1, 1, 1]], [0])])
    bad = _write(tmp_path, "three", three)
    r = runner.invoke(app, ["generic", bad, "--json"])
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["supertransversal"] is False and data["transversality_failures"][0]["zeros"] == 3
    r = runner.invoke(app, ["generic", bad])
    assert r.exit_code == 1 and "lies in 3 bent hyperplanes" in r.stdout


def test_bottleneck_json_and_certify(tmp_path: Path) -> None:
    path = _write(tmp_path, "t1", examples.invisible_translation())
    r = runner.invoke(app, ["bottleneck", path, "--json", "--certify"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["dimension"] == 4 and data["components"] == 4
    assert data["structure"]["invisible"] == 1 and data["structure"]["t_min"] == "-1"
    assert [c["equivalent"] for c in data["certified_families"]] == [True, True]
    r = runner.invoke(app, ["bottleneck", path])
    assert r.exit_code == 0 and "dimension 4, 4 components" in r.stdout


def test_bad_input_exit_2_one_line(tmp_path: Path) -> None:
    shallow = _write(tmp_path, "shallow", examples.three_kinks())
    r = runner.invoke(app, ["bottleneck", shallow])
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "two hidden layers" in r.stderr
    missing = tmp_path / "nope.json"
    r = runner.invoke(app, ["generic", str(missing)])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
