"""Network files of every suffix: exact reading (entries compared as Fractions), the CLI import/export commands,
and the bad-input contract (exit 2, one stderr line naming the file)."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from exactrelu import Network, load, random_network, save
from exactrelu.cli import app
from exactrelu.core.bulk import canonical_vector
from exactrelu.core.errors import FormatError, NotApplicableError, ShapeError
from exactrelu.engines.formats import load_network, read_safetensors

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def _tensors(seed: int = 0, dtype: type = np.float32) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"fc1.weight": rng.standard_normal((4, 3)).astype(dtype), "fc1.bias": rng.standard_normal(4).astype(dtype),
            "fc2.weight": rng.standard_normal((5, 4)).astype(dtype), "fc2.bias": rng.standard_normal(5).astype(dtype),
            "fc10.weight": rng.standard_normal((2, 5)).astype(dtype), "fc10.bias": np.zeros(2, dtype)}


def _expected(t: dict[str, np.ndarray], order: list[str]) -> list[F]:
    out: list[F] = []
    for p in order:  # Python's own exact float -> ratio, a second path
        out += [F(*float(v).as_integer_ratio()) for v in t[f"{p}.weight"].ravel()]
        out += [F(*float(v).as_integer_ratio()) for v in t[f"{p}.bias"]]
    return out


def test_npz_in_natural_key_order_and_with_explicit_layers(tmp_path: Path) -> None:
    t = _tensors()
    np.savez(tmp_path / "w.npz", **t)
    net = load_network(tmp_path / "w.npz")
    assert net.architecture == (3, 4, 5, 2)  # fc10 after fc2 (natural order), not after fc1
    assert list(net.parameters()) == _expected(t, ["fc1", "fc2", "fc10"])
    assert load_network(tmp_path / "w.npz", layers=["fc1", "fc2", "fc10"], architecture=(3, 4, 5, 2)) == net
    with pytest.raises(ShapeError, match="architecture given"):
        load_network(tmp_path / "w.npz", architecture=(3, 4, 4, 2))
    with pytest.raises(FormatError, match="no weight tensor for layer 'fc3'"):
        load_network(tmp_path / "w.npz", layers=["fc1", "fc3"])


def test_safetensors_reader_agrees_with_the_reference_library_and_reads_bfloat16(tmp_path: Path) -> None:
    st_numpy = pytest.importorskip("safetensors.numpy", reason="safetensors not installable here")
    t = _tensors(1, np.float16)
    st_numpy.save_file(t, str(tmp_path / "w.safetensors"))
    ours = read_safetensors(tmp_path / "w.safetensors")
    ref = st_numpy.load_file(str(tmp_path / "w.safetensors"))
    assert ours.keys() == ref.keys() and all(np.array_equal(ours[k], ref[k]) for k in ref)
    net = load_network(tmp_path / "w.safetensors")
    assert list(net.parameters()) == _expected(t, ["fc1", "fc2", "fc10"])
    torch = pytest.importorskip("torch", reason="PyTorch not installable here")
    from safetensors.torch import save_file

    tb = {k: torch.from_numpy(v.astype(np.float32)).to(torch.bfloat16) for k, v in _tensors(2).items()}
    save_file(tb, str(tmp_path / "b.safetensors"))
    net = load_network(tmp_path / "b.safetensors")
    as32 = {k: v.to(torch.float32).numpy() for k, v in tb.items()}
    assert list(net.parameters()) == _expected(as32, ["fc1", "fc2", "fc10"])


@pytest.mark.parametrize("suffix", [".onnx", ".pt", ".safetensors", ".npz", ".json"])
def test_cli_export_then_import_round_trips_exactly_on_float64_networks(tmp_path: Path, suffix: str) -> None:
    if suffix == ".onnx":
        pytest.importorskip("onnx", reason="onnx not installable here")
    if suffix == ".pt":
        pytest.importorskip("torch", reason="PyTorch not installable here")
    net = Network.from_lists([([[F(3, 8), -2], [F(1, 1024), 5], [F(-7, 2**40), 0]], [0, F(-7, 4), 1]),
                              ([[1, F(1, 2), F(3, 2**30)]], [F(1, 16)])])
    save(net, tmp_path / "n.json")
    code, out, err = run("export", str(tmp_path / "n.json"), "-o", str(tmp_path / f"m{suffix}"), "--json")
    assert code == 0, err
    rounding = json.loads(out)["rounding"]
    assert rounding is None if suffix == ".json" else rounding["exact"] is True
    code, out, err = run("import", str(tmp_path / f"m{suffix}"), "-o", str(tmp_path / "back.json"))
    assert code == 0, err
    assert load(tmp_path / "back.json") == net  # every entry equal as a Fraction
    code, out, err = run("info", str(tmp_path / f"m{suffix}"), "--json")  # every command reads every suffix
    assert code == 0 and json.loads(out)["architecture"] == [2, 3, 1]


def test_export_reports_rounding_of_non_dyadic_entries(tmp_path: Path) -> None:
    net = random_network((2, 3, 1), seed=0, max_num=5, max_den=7)
    save(net, tmp_path / "n.json")
    code, out, err = run("export", str(tmp_path / "n.json"), "-o", str(tmp_path / "m.npz"), "--json")
    r = json.loads(out)["rounding"]
    worst = max(abs(q - F(float(q))) for q in net.parameters())
    assert code == 0 and r["exact"] is (worst == 0) and F(r["max_abs_error"]) == worst
    back = load_network(tmp_path / "m.npz")
    assert list(back.parameters()) == [F(float(q)) for q in net.parameters()]


def test_bad_files_exit_2_with_one_line_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "junk.onnx").write_bytes(b"\x00\x01 not a protobuf")
    (tmp_path / "junk.npz").write_bytes(b"PK not a zip")
    (tmp_path / "junk.safetensors").write_bytes(b"\xff" * 16)
    (tmp_path / "junk.pt").write_bytes(b"not a torch file")
    np.savez(tmp_path / "nobias.npz", **{"0.weight": np.eye(2, dtype=np.float32)})
    cases = ["junk.npz", "junk.safetensors", "nobias.npz", "missing.npz"]
    try:
        import onnx  # noqa: F401

        cases.append("junk.onnx")
    except ImportError:
        pass
    try:
        import torch  # noqa: F401

        cases.append("junk.pt")
    except ImportError:
        pass
    for name in cases:
        code, out, err = run("info", str(tmp_path / name))
        assert code == 2, (name, out, err)
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and str(tmp_path / name) in lines[0] and "Traceback" not in err, (name, err)
    code, _, err = run("import", str(tmp_path / "nobias.npz"), "-o", str(tmp_path / "x.json"))
    assert code == 2 and "has no bias" in err and not (tmp_path / "x.json").exists()
    code, _, err = run("import", str(tmp_path / "nobias.npz"), "-o", str(tmp_path / "x.json"), "--bias-free-as-zero")
    assert code == 0 and load(tmp_path / "x.json").num_parameters == 6
    code, _, err = run("export", str(tmp_path / "x.json"), "-o", str(tmp_path / "x.txt"))
    assert code == 2 and "output suffix" in err


@pytest.mark.filterwarnings("ignore:`torch.jit:DeprecationWarning")
def test_pickled_modules_need_trust_pickle(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch not installable here")
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    torch.save(model, tmp_path / "whole.pt")
    torch.jit.save(torch.jit.script(model), str(tmp_path / "script.pt"))
    torch.save(model.state_dict(), tmp_path / "sd.pt")
    for name in ("whole.pt", "script.pt"):
        code, _, err = run("import", str(tmp_path / name), "-o", str(tmp_path / "o.json"))
        assert code == 2 and "--trust-pickle" in err, err
        code, _, err = run("import", str(tmp_path / name), "-o", str(tmp_path / "o.json"), "--trust-pickle")
        assert code == 0, err
        assert load(tmp_path / "o.json") == load_network(tmp_path / "sd.pt")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(-10**30, 10**30), st.fractions().map(str), st.integers(-99, 99).map(str),
                          st.text(alphabet="0123456789-/+, _", max_size=8)), max_size=12))
def test_fast_canonical_reader_agrees_with_fraction_or_declines(values: list) -> None:
    got = canonical_vector(values)
    if got is None:
        return  # the strict per-entry reader decides
    assert got == tuple(F(v) for v in values)
    assert all(type(g) is F and (g.numerator, g.denominator) == (F(v).numerator, F(v).denominator)
               and hash(g) == hash(F(v)) for g, v in zip(got, values))
    strs = [v for v in values if isinstance(v, str)]
    assert all(v == str(F(v)) or v == "-0" for v in strs)  # only canonical text takes the fast path


def test_start_up_imports_no_heavy_module() -> None:
    code = ("import sys, exactrelu, exactrelu.cli; heavy = [m for m in ('sympy', 'cdd', 'flint', 'torch', 'onnx', "
            "'matplotlib', 'networkx', 'dask', 'scipy', 'safetensors') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_bias_free_error_explains_the_parameter_count() -> None:
    with pytest.raises(NotApplicableError, match="D differs"):
        from exactrelu.engines.arrays import chain_tensors

        chain_tensors({"0.weight": np.eye(2)})


def test_numpy_state_dict_reader_agrees_with_torch_load(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch not installable here")
    from exactrelu.engines.formats import read_torch_state_dict

    torch.manual_seed(0)
    lin = torch.nn.Linear(5, 4)
    sd = {"t": lin.weight.t(), "slice": lin.weight[1:, 2:], "bf": lin.bias.to(torch.bfloat16), "h": lin.weight.half(),
          "d": lin.weight.double(), "p": lin.bias, "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 3),
          "i": torch.arange(6).reshape(2, 3)}
    torch.save(sd, tmp_path / "sd.pt")
    ours = read_torch_state_dict(tmp_path / "sd.pt")
    ref = torch.load(tmp_path / "sd.pt", weights_only=True)
    assert ours is not None and ours.keys() == ref.keys()
    for k, v in ref.items():
        expected = v.detach().float().numpy() if v.dtype == torch.bfloat16 else v.detach().numpy()
        assert ours[k].shape == expected.shape and np.array_equal(ours[k], expected), k
    torch.save(lin, tmp_path / "module.pt")  # a pickled module: not for this reader (torch.load decides)
    torch.save({"state_dict": lin.state_dict(), "epoch": 3}, tmp_path / "ckpt.pt")
    assert read_torch_state_dict(tmp_path / "module.pt") is None
    ckpt = read_torch_state_dict(tmp_path / "ckpt.pt")  # a checkpoint {"state_dict": ..., plain data}: its state dict
    assert ckpt is not None and all(np.array_equal(ckpt[k], v.detach().numpy()) for k, v in lin.state_dict().items())
    net = load_network(tmp_path / "ckpt.pt")
    assert net.architecture == (5, 4)


def test_state_dict_files_load_without_importing_torch(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch not installable here")
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    torch.save(model.state_dict(), tmp_path / "m.pt")
    code = ("import sys; from exactrelu.engines.formats import load_network; "
            f"net = load_network({str(tmp_path / 'm.pt')!r}); print(net.architecture, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(3, 4, 1) False"
    from exactrelu import from_torch

    assert load_network(tmp_path / "m.pt") == from_torch(model)


def test_export_of_entries_beyond_float64_is_refused_cleanly(tmp_path: Path) -> None:
    save(Network.from_lists([([[F(10) ** 400]], [0])]), tmp_path / "big.json")
    code, _, err = run("export", str(tmp_path / "big.json"), "-o", str(tmp_path / "big.npz"))
    assert code == 2 and "float64 range" in err and "Traceback" not in err
    assert not (tmp_path / "big.npz").exists()
