"""CLI: equiv (exit 0 / 1 / 2 like cmp), canonical, reduce, shallow; JSON keys and exact strings."""

import json
from fractions import Fraction as F
from pathlib import Path

from typer.testing import CliRunner

from exactrelu import examples, load, permute, rescale, save
from exactrelu.cli import app
from exactrelu.geometry.certificate import check_certificate
from exactrelu.theory.equality.shallow import canonical_data

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, [str(a) for a in args])
    return r.exit_code, r.stdout, r.stderr


def files(tmp_path: Path) -> dict[str, Path]:
    a = examples.three_kinks()
    nets = {"a": a, "b": rescale(permute(a, 1, (1, 2, 0)), 1, (2, 3, F(1, 2))),
            "c": a.with_layer(0, a.layers[0].weights, [0, -1, F(-2) - F(1, 10**12)]),
            "deep": examples.relu_of_sum(), "dead": examples.dead_second_layer()}
    out = {}
    for k, n in nets.items():
        out[k] = tmp_path / f"{k}.json"
        save(n, out[k])
    return out


def test_equiv_exit_codes_json_and_witness(tmp_path: Path) -> None:
    f = files(tmp_path)
    code, out, _ = run("equiv", f["a"], f["b"])
    assert code == 0 and "equivalent" in out
    code, out, _ = run("equiv", f["a"], f["c"], "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["equivalent"] is False and doc["method"] == "canonical-data"
    x = [F(v) for v in doc["witness"]["x"]]
    assert [F(v) for v in doc["witness"]["a"]] == list(examples.three_kinks()(x))
    assert [F(v) for v in doc["witness"]["b"]] == list(load(f["c"])(x))
    assert doc["witness"]["a"] != doc["witness"]["b"]
    code, out, err = run("equiv", f["a"], f["deep"])
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "input dimensions" in err
    code, _, err = run("equiv", f["a"], tmp_path / "missing.json")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_equiv_box_and_certificate(tmp_path: Path) -> None:
    f = files(tmp_path)
    cert = tmp_path / "cert.json"
    code, out, _ = run("equiv", f["a"], f["c"], "--box", "-1", "1", "--certificate", cert, "--json")
    assert code == 0 and json.loads(out)["equivalent"] is True
    assert check_certificate(cert)["valid"]
    code, out, _ = run("equiv", f["a"], f["c"], "--box", "-5", "5", "--json")
    doc = json.loads(out)
    assert code == 1 and -5 <= F(doc["witness"]["x"][0]) <= 5
    code, _, err = run("equiv", f["a"], f["c"], "--box", "1", "-1")
    assert code == 2 and "lo < hi" in err


def test_canonical_and_reduce_and_shallow(tmp_path: Path) -> None:
    f = files(tmp_path)
    out_path = tmp_path / "cf.json"
    code, out, _ = run("canonical", f["b"], "-o", out_path, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["minimal_width"] == 3 and doc["hyperplanes"] == 3
    assert canonical_data(load(out_path)) == canonical_data(examples.three_kinks())
    code, _, err = run("canonical", f["deep"])
    assert code == 2 and "one hidden layer" in err
    red = tmp_path / "red.json"
    cert = tmp_path / "rc.json"
    code, out, _ = run("reduce", f["dead"], "-o", red, "--certificate", cert, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["architecture"] == [2, 1] and doc["equivalence"]["equivalent"] is True
    assert load(red)([0, 0]) == examples.dead_second_layer()([0, 0]) and check_certificate(cert)["valid"]
    code, out, _ = run("reduce", f["dead"])
    assert code == 0 and "3 neuron(s) removed" in out
    code, out, _ = run("shallow", f["deep"], "--json")
    assert code == 1 and json.loads(out)["representable"] is False and json.loads(out)["facet"]["point"]
    code, out, _ = run("shallow", f["a"])
    assert code == 0 and out.startswith("yes")
