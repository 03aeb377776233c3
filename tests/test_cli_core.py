"""CLI foundation commands and the bad-input contract: exit status 2 and one line naming the file and problem."""

import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exactrelu import examples, load, random_network, save
from exactrelu.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def net_file(tmp_path: Path) -> Path:
    p = tmp_path / "net.json"
    save(examples.relu_of_sum(), p)
    return p


def test_info_and_json(net_file: Path) -> None:
    code, out, _ = run("info", str(net_file), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["architecture"] == [2, 2, 1, 1] and data["parameters"] == 11 and data["hidden_neurons"] == 3
    code, out, _ = run("info", str(net_file))
    assert code == 0 and "D = 11" in out and "N_h = 3" in out


def test_eval_exact(net_file: Path) -> None:
    code, out, _ = run("eval", str(net_file), "3/4", "2/3")
    assert code == 0 and out.splitlines() == ["5/12", "pattern: ++ | +"]  # the pattern without --json too
    code, out, _ = run("eval", str(net_file), "-1/2", "7/3", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["output"] == ["4/3"] and data["pattern"] == [[-1, 1], [1]]


def test_random_and_normal_form(tmp_path: Path) -> None:
    out_file = tmp_path / "r.json"
    code, _, _ = run("random", "2,4,4,1", "--seed", "7", "-o", str(out_file))
    assert code == 0 and load(out_file) == random_network((2, 4, 4, 1), seed=7)
    nf_file = tmp_path / "nf.json"
    code, _, _ = run("normal-form", str(out_file), "-o", str(nf_file))
    from exactrelu import normal_form

    assert code == 0 and load(nf_file) == normal_form(load(out_file))


def test_demo_writes_report(tmp_path: Path) -> None:
    code, out, _ = run("demo", "--outdir", str(tmp_path / "rep"))
    assert code == 0
    md = (tmp_path / "rep" / "report.md").read_text()
    data = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert "# exactrelu report" in md
    assert data["sections"]["network"]["parameters"] == 11
    assert data["sections"]["network"]["normal_form_invariant"] is True


BAD = {
    "invalid_json": ('{"layers": [1, 2', "invalid JSON at line 1 column"),
    "truncated": ('{"format": "exactrelu-network", "version": 1, "layers": [{"weights": [[1, 2]], "bia',
                  "invalid JSON"),
    "float": ('{"layers": [{"weights": [[0.25]], "biases": [0]}]}', "layers[0].weights[0][0]: float 0.25"),
    "zero_den": ('{"layers": [{"weights": [["1/0"]], "biases": [0]}]}', "zero denominator"),
    "non_numeric": ('{"layers": [{"weights": [["one"]], "biases": [0]}]}', "not a rational number"),
    "ragged": ('{"layers": [{"weights": [[1, 2], [3]], "biases": [0, 0]}]}', "ragged"),
    "chain": ('{"layers": [{"weights": [[1]], "biases": [0]}, {"weights": [[1, 1]], "biases": [0]}]}',
              "layers[1] expects 2 inputs"),
    "empty": ('{"layers": []}', "empty network"),
    "version": ('{"format": "exactrelu-network", "version": 7, "layers": []}', "unsupported format version 7"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exit_2_one_line(tmp_path: Path, case: str) -> None:
    text, message = BAD[case]
    p = tmp_path / f"{case}.json"
    p.write_text(text)
    for cmd in (["info", str(p)], ["eval", str(p), "1"], ["normal-form", str(p)]):
        code, out, err = run(*cmd)
        assert code == 2, (cmd, out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and str(p) in lines[0] and message in lines[0], err


def test_float_accepted_with_allow_float(tmp_path: Path) -> None:
    p = tmp_path / "f.json"
    p.write_text('{"layers": [{"weights": [[0.25]], "biases": [0.5]}]}')
    code, out, _ = run("eval", str(p), "2", "--allow-float")
    assert code == 0 and out.strip() == "1"


def test_wrong_input_dimension_and_bad_point(net_file: Path) -> None:
    code, _, err = run("eval", str(net_file), "1", "2", "3")
    assert code == 2 and "expects 2 inputs, got 3" in err and str(net_file) in err
    code, _, err = run("eval", str(net_file), "1", "1/0")
    assert code == 2 and "zero denominator" in err
    code, _, err = run("info", str(net_file.parent / "missing.json"))
    assert code == 2 and "no such file" in err
    code, _, err = run("random", "2,x,1")
    assert code == 2 and "architecture" in err


def test_nothing_written_on_failure(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"layers": [{"weights": [[0.5]], "biases": [0]}]}')
    target = tmp_path / "out.json"
    code, _, _ = run("normal-form", str(bad), "-o", str(target))
    assert code == 2 and not target.exists()


def test_huge_numbers_through_cli(tmp_path: Path) -> None:
    p = tmp_path / "big.json"
    big = 10**400
    p.write_text(json.dumps({"layers": [{"weights": [[big]], "biases": [f"-1/{big}"]}, {"weights": [[1]],
                                                                                      "biases": [0]}]}))
    code, out, _ = run("eval", str(p), "1")
    assert code == 0 and F(out.splitlines()[0]) == F(big) - F(1, big)
