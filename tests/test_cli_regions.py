"""CLI: ``exactrelu regions`` and ``exactrelu check-certificate`` (typer CliRunner)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from exactrelu import examples, random_network, save
from exactrelu.cli import app

runner = CliRunner()


def test_regions_json_counts_match_math_oracle(tmp_path) -> None:
    net = tmp_path / "net.json"
    save(examples.relu_of_sum(), net)
    res = runner.invoke(app, ["regions", str(net), "--json", "--all"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["activation_regions"] == 7 and data["linear_regions"] == 4 and data["bounded_regions"] == 1
    assert (data["breakpoint_regions"], data["breakpoint_facets"], data["breakpoint_vertices"]) == (4, 5, 2)
    assert data["supertransversal"] is True and data["dead_neurons"] == []


def test_regions_outputs_and_certificate_roundtrip(tmp_path) -> None:
    net = tmp_path / "net.json"
    save(random_network((2, 3, 2, 1), seed=1, max_num=3, max_den=2), net)
    png, cert, exp = tmp_path / "c.png", tmp_path / "cert.json", tmp_path / "complex.json"
    res = runner.invoke(app, ["regions", str(net), "--plot", str(png), "--certificate", str(cert),
                              "--export", str(exp), "--box", "-2", "3/2", "--method", "split"])
    assert res.exit_code == 0, res.output
    assert "activation regions" in res.stdout
    assert png.read_bytes()[:4] == b"\x89PNG"
    doc = json.loads(exp.read_text())
    assert doc["format"] == "exactrelu-complex" and all(isinstance(v, str) for v in doc["regions"][0]["interior_point"])
    ok = runner.invoke(app, ["check-certificate", str(cert), "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["valid"] is True
    bad = json.loads(cert.read_text())
    bad["regions"][0]["affine_map"]["c"][0] = "12345"
    cert.write_text(json.dumps(bad))
    res = runner.invoke(app, ["check-certificate", str(cert)])
    assert res.exit_code == 2
    assert "stated affine map differs" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_regions_bad_input_exit_2(tmp_path) -> None:
    net = tmp_path / "net.json"
    save(random_network((2, 6, 1), seed=0), net)
    res = runner.invoke(app, ["regions", str(net), "--max-regions", "3"])
    assert res.exit_code == 2 and "max_regions" in res.stderr
    res = runner.invoke(app, ["regions", str(net), "--box", "1", "0"])
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
    res = runner.invoke(app, ["regions", str(tmp_path / "missing.json")])
    assert res.exit_code == 2
    res = runner.invoke(app, ["regions", str(net), "--method", "nope"])
    assert res.exit_code == 2 and "'nope' is not one of" in res.stderr and len(res.stderr.splitlines()) == 1
    three = tmp_path / "three.json"
    save(random_network((3, 2, 1), seed=0), three)
    res = runner.invoke(app, ["regions", str(three), "--plot", str(tmp_path / "x.png")])
    assert res.exit_code == 2 and "dimension 1 or 2" in res.stderr


def test_regions_counts_only_unless_asked(tmp_path) -> None:
    """Without --faces/--breakpoints the face lattice and B_θ are not built: their JSON keys are present and null;
    the facet count (from the regions) equals the number of (d-1)-faces of the face lattice."""
    from exactrelu.geometry.regions import regions

    net_obj = random_network((3, 4, 2, 1), seed=3)
    net = tmp_path / "net.json"
    save(net_obj, net)
    res = runner.invoke(app, ["regions", str(net), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    nulls = ["vertices", "ridges_balanced", "supertransversal", "breakpoint_regions", "breakpoint_facets",
             "breakpoint_ridges", "breakpoint_vertices"]
    assert all(k in data and data[k] is None for k in nulls)
    C = regions(net_obj)
    assert data["activation_regions"] == len(C.regions) and data["facets"] == len(C.faces(2))
    faces = json.loads(runner.invoke(app, ["regions", str(net), "--json", "--faces"]).stdout)
    assert faces["vertices"] == len(C.faces(0)) and faces["breakpoint_facets"] is None
    both = json.loads(runner.invoke(app, ["regions", str(net), "--json", "--breakpoints"]).stdout)
    assert both["breakpoint_facets"] == len(C.breakpoint_complex().facets) and both["vertices"] is None
    text = runner.invoke(app, ["regions", str(net)])
    assert text.exit_code == 0 and "not computed (--faces)" in text.stdout and "enumerating" not in text.output
