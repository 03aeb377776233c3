"""`exactrelu variety`: fixed JSON keys, equations, exports, and the bad-input contract (exit 2, one line)."""

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from exactrelu.cli import app

runner = CliRunner()
KEYS = {"dimension", "lower_bound", "upper_bound", "proved", "expected_dimension", "ambient", "defect", "reason",
        "equations"}


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_json_keys_and_values() -> None:
    code, out, _ = run("variety", "3,3,3", "--patterns", "123", "1", "--json")
    assert code == 0
    d = json.loads(out)
    assert set(d) == KEYS
    assert (d["dimension"], d["lower_bound"], d["upper_bound"], d["proved"], d["expected_dimension"], d["ambient"],
            d["defect"]) == (13, 13, 13, True, 15, 18, 2)
    assert "GL_2" in d["reason"] and d["equations"] is None


def test_equations_bias_deep_and_text() -> None:
    code, out, _ = run("variety", "3,3,3", "--patterns", "123", "1", "--json", "--equations")
    d = json.loads(out)
    assert code == 0 and len(d["equations"]) == 10 and "M2_1_1*M2_2_2 - M2_1_2*M2_2_1" in d["equations"]
    code, out, _ = run("variety", "2,2,2,2", "--patterns", "12/12", "1/2", "--bias", "--json")
    d = json.loads(out)
    assert code == 0 and d["ambient"] == 12 and d["lower_bound"] <= d["upper_bound"]
    code, out, _ = run("variety", "4,4,4", "--patterns", "12", "34", "--equations")
    assert code == 0 and "dimension 24 (proved)" in out and "rank M1 <= 2" in out
    code, out, _ = run("variety", "3,3,3", "--patterns", "12", "-", "--json")
    assert code == 0 and json.loads(out)["dimension"] == 8


def test_exports_written(tmp_path: Path) -> None:
    m2, sage, tex = tmp_path / "v.m2", tmp_path / "v.sage", tmp_path / "v.tex"
    code, out, _ = run("variety", "2,2,2", "--patterns", "12", "1", "--m2", str(m2), "--sage", str(sage),
                       "--latex", str(tex))
    assert code == 0 and "wrote Macaulay2 input" in out
    assert "P = ker phi" in m2.read_text() and "R.hom(" in sage.read_text() and "align*" in tex.read_text()


def test_bad_input_one_line_exit_2(tmp_path: Path) -> None:
    for args in (["variety", "3,3,3", "--patterns", "124", "1"], ["variety", "3,3", "--patterns", "1"],
                 ["variety", "3,x,3", "--patterns", "1"], ["variety", "3,3,3"],
                 ["variety", "3,3,3,3", "--patterns", "12"],
                 ["variety", "3,3,3", "--patterns", "1", "--m2", "/dev/null"],
                 ["variety", "3,3,3", "--patterns", "1", "--m2", str(tmp_path / "missing" / "x.m2")],
                 ["variety", "3,3,3", "--patterns", "1", "--m2", str(tmp_path)]):
        code, out, err = run(*args)
        assert code == 2, args
        assert len(err.strip().splitlines()) == 1 and err.startswith("exactrelu: error:"), (args, err)
        assert "Traceback" not in err + out


def test_fifo_refused_before_computing(tmp_path: Path) -> None:
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    code, _, err = run("variety", "3,3,3", "--patterns", "1", "--m2", str(fifo))
    assert code == 2 and "not a regular file" in err
