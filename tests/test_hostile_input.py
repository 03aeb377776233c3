"""Regression tests: hostile files and arguments, size limits, output destinations, messages (one line, exit 2)."""

from __future__ import annotations

import json
import os
import socket
import stat
import time
from fractions import Fraction as F
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exactrelu import Network, examples, load, random_network, save
from exactrelu.cli import app
from exactrelu.core.errors import FormatError, OutputError, SizeLimitError
from exactrelu.core.files import atomic_write_text, check_destination
from exactrelu.core.rational import format_rational, parse_rational
from exactrelu.geometry.certificate import check_certificate

runner = CliRunner()


def run(*args: object) -> tuple[int, str, str]:
    r = runner.invoke(app, [str(a) for a in args])
    return r.exit_code, r.stdout, r.stderr


def one_line_error(code: int, err: str, *needles: str) -> None:
    lines = err.splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("exactrelu: error: "), err
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.fixture
def net_file(tmp_path: Path) -> Path:
    p = tmp_path / "net.json"
    save(examples.relu_of_sum(), p)
    return p


# ------------------------------------------------------------------------------------------ number grammar
@pytest.mark.parametrize("text", ["1e400", "1_000", " 1 ", "\uff11", "+1", ".5", "1.", "inf", "nan", "0x10", "1/-2",
                                  "1/0", "", "1/2/3", "--1", "1 /2", "٣"])
def test_grammar_rejects(text: str) -> None:
    with pytest.raises(FormatError):
        parse_rational(text)


@pytest.mark.parametrize("text, value", [("-12", F(-12)), ("3/4", F(3, 4)), ("-6/8", F(-3, 4)), ("0.5", F(1, 2)),
                                         ("-0.125", F(-1, 8)), ("007", F(7)), ("0.1", F(1, 10))])
def test_grammar_accepts_exactly(text: str, value: F) -> None:
    assert parse_rational(text) == value


def test_numbers_of_any_length_read_and_written_exactly(tmp_path: Path) -> None:
    big = 10**5000 - 1
    p = tmp_path / "big.json"
    p.write_text('{"layers": [{"weights": [[' + "9" * 5000 + ']], "biases": ["1/' + "9" * 5000 + '"]}]}')
    net = load(p)  # was: ValueError leaking sys.set_int_max_str_digits
    assert net.layers[0].weights[0][0] == big and net.layers[0].biases[0] == F(1, big)
    assert format_rational(F(1, big)) == "1/" + "9" * 5000
    assert load_roundtrip(net, tmp_path) == net
    code, out, err = run("info", p, "--json")
    assert code == 0 and "Traceback" not in err


def load_roundtrip(net: Network, tmp_path: Path) -> Network:
    q = tmp_path / "rt.json"
    save(net, q)
    return load(q)


@pytest.mark.parametrize("text, needle", [
    ("1e400", "the number 1e400"),
    ('{"layers": [{"weights": [[1e400]], "biases": [0]}]}', "1e400 is not a finite number"),
    ('{"layers": [{"weights": [[0.1]], "biases": [0]}]}', '"1/10"'),
    ('{"layers": [{"weights": [["1e400"]], "biases": [0]}]}', "no exponent"),
    ('{"layers": [{"weights": [[1]], "biases": [0]}], "layers": []}', "duplicate key 'layers'"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"architecture": 5, "layers": [{"weights": [[1]], "biases": [0]}]}', "'architecture' must be a list"),
])
def test_hostile_files_one_line(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "bad.json"
    p.write_text(text)
    for cmd in ("info", "regions", "check-certificate"):
        code, out, err = run(cmd, p)
        one_line_error(code, err, str(p))
        if cmd == "info":
            assert needle in err
    code, _, err = run("info", p, "--allow-float")
    assert code in (0, 2) and "Traceback" not in err


def test_float_error_names_the_option(tmp_path: Path) -> None:
    p = tmp_path / "f.json"
    p.write_text('{"layers": [{"weights": [[0.5]], "biases": [0]}]}')
    code, _, err = run("info", p)
    one_line_error(code, err, "--allow-float")


def test_bad_arguments_one_line(net_file: Path) -> None:
    code, _, err = run("random", "2,4,1", "--max-den", "0")
    one_line_error(code, err, "--max-den")
    code, _, err = run("regions", net_file, "--method", "foo")
    one_line_error(code, err, "--method", "foo")
    code, _, err = run("eval", net_file, "1e400", "1")
    one_line_error(code, err, "x[0]", "1e400")
    code, _, err = run("regions", net_file, "--box", "0", "1_000")
    one_line_error(code, err, "--box")


def test_unreachable_scheduler_refused_at_once() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    t = time.perf_counter()
    code, _, err = run("fdim-arch", "2,2,1", "--trials", "2", "--scheduler", f"tcp://127.0.0.1:{port}")
    one_line_error(code, err, "--scheduler")
    assert time.perf_counter() - t < 10  # was: 30 s, then a traceback


# ------------------------------------------------------------------------------------------ size limits
def test_parameter_and_file_limits(tmp_path: Path, net_file: Path) -> None:
    code, _, err = run("--max-parameters", "5", "info", net_file)
    one_line_error(code, err, "--max-parameters")
    with pytest.raises(SizeLimitError):
        load(net_file, max_parameters=5)
    code, _, err = run("--max-file-size", "100", "info", net_file)
    one_line_error(code, err, "--max-file-size")
    code, _, err = run("--max-parameters", "5", "random", "2,4,1")
    one_line_error(code, err, "--max-parameters")


def test_estimate_refuses_before_work(tmp_path: Path) -> None:
    p = tmp_path / "wide.json"
    W = [[i + 1, 2 * i + 3] for i in range(3000)]
    save(Network.from_lists([(W, list(range(3000))), ([[1] * 3000], [0])]), p)
    t = time.perf_counter()
    code, _, err = run("regions", p)
    one_line_error(code, err, "--max-memory", "--max-regions", "estimated")
    code, _, err = run("--max-memory", "1G", "--max-time", "1m", "fdim", p)
    one_line_error(code, err, "estimated")
    assert time.perf_counter() - t < 30


def test_estimate_follows_the_structured_fdim_path() -> None:
    """Regression: fdim on a (784,128,10) network (structured rank, about 11-19 s and 240 MB on 2 cores) was refused
    as 85 GB / 32 days by the region-enumeration estimate, although no region is enumerated on that path."""
    from exactrelu.cli._budget import Limits, check_budget, estimate

    net = random_network((784, 128, 10), seed=0)
    est = estimate("fdim", [net], {"method": "auto", "max_regions": 2000})
    assert est is not None and "structured" in est.what and est.memory < 2 * 2**30 and est.seconds < 600
    check_budget("fdim", [net], {"method": "structured", "max_regions": 2000}, Limits(max_memory=4 * 2**30))
    # the region path (method=regions) keeps the enumeration estimate and is refused
    with pytest.raises(SizeLimitError):
        check_budget("fdim", [net], {"method": "regions", "max_regions": 2000}, Limits(max_memory=4 * 2**30))


def test_info_summarises_large_layers(tmp_path: Path) -> None:
    p = tmp_path / "big.json"
    save(Network.from_lists([([[1] * 300] * 200, [0] * 200), ([[1] * 200], [0])]), p)
    code, out, _ = run("info", p)
    assert code == 0 and "200 rows" in out and len(out.splitlines()) < 40
    code, out, _ = run("info", p, "--json")
    assert code == 0 and "network" not in json.loads(out)
    code, out, _ = run("info", p, "--json", "--full")
    assert code == 0 and len(json.loads(out)["network"]["layers"][0]["weights"]) == 200


# ------------------------------------------------------------------------------------------ output files
def test_destinations_checked_before_computing(tmp_path: Path, net_file: Path) -> None:
    (tmp_path / "dir").mkdir()
    os.mkfifo(tmp_path / "fifo")
    for dest, needle in ((tmp_path / "missing" / "x.json", "does not exist"), (tmp_path / "dir", "is a directory"),
                         (tmp_path / "fifo", "FIFO"), (Path("/dev/null"), "device")):
        for args in (("regions", net_file, "--export", dest), ("normal-form", net_file, "-o", dest),
                     ("equiv", net_file, net_file, "--certificate", dest), ("regions", net_file, "--plot", dest)):
            code, out, err = run(*args)
            if args[2] == "--plot" and dest.suffix != ".png":
                one_line_error(code, err, "suffix")
                continue
            one_line_error(code, err, needle)
            assert out == ""
    assert stat.S_ISFIFO(os.stat(tmp_path / "fifo").st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_symlink_written_through_and_modes(tmp_path: Path) -> None:
    target = tmp_path / "t.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    os.chmod(target, 0o640)
    atomic_write_text(target, "newer")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640  # was: always 0600
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "fresh.json", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "fresh.json").st_mode) == 0o640
    with pytest.raises(OutputError):
        check_destination(tmp_path / "nope" / "x")


def test_plot_suffix_is_honoured(tmp_path: Path, net_file: Path) -> None:
    for suffix, magic in ((".pdf", b"%PDF"), (".svg", b"<?xml"), (".png", b"\x89PNG")):
        out = tmp_path / f"c{suffix}"
        code, _, err = run("regions", net_file, "--plot", out, "--json")
        assert code == 0, err
        assert out.read_bytes().startswith(magic)
    code, _, err = run("regions", net_file, "--plot", tmp_path / "c.jpg")
    one_line_error(code, err, ".jpg")


# ------------------------------------------------------------------------------------------ messages, consistency
def test_no_blank_lines_and_files_named(tmp_path: Path, net_file: Path) -> None:
    code, out, err = run("regions", net_file)
    assert code == 0 and err == "" and not out.startswith("\n")
    code, out, err = run("fdim-arch", "1,1,1", "--trials", "2", "--serial")
    assert code == 0 and out.splitlines()[0].strip() != ""
    deep = tmp_path / "deep.json"
    save(examples.demo_network(), deep)
    one = tmp_path / "one.json"
    save(Network.from_lists([([[1]], [0]), ([[1]], [0])]), one)
    code, _, err = run("equiv", one, deep)
    if examples.demo_network().input_dim != 1:
        one_line_error(code, err, "input dimensions differ", str(one), str(deep))


def test_equiv_certificate_holds_the_witness(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    save(Network.from_lists([([[1]], [0]), ([[1]], [0])]), a)
    save(Network.from_lists([([[1]], [0]), ([[2]], [0])]), b)
    cert = tmp_path / "cert.json"
    code, out, _ = run("equiv", a, b, "--certificate", cert)
    assert code == 1 and cert.exists()  # was: nothing written, nothing said
    assert check_certificate(cert)["kind"] == "inequivalence"
    code, out, _ = run("check-certificate", cert)
    assert code == 0


def test_one_box_syntax(tmp_path: Path) -> None:
    net_file = tmp_path / "shallow.json"
    save(Network.from_lists([([[1, -1], [1, 1]], [0, 1]), ([[1, 2]], [0])]), net_file)
    for cmd in (("regions", net_file), ("equiv", net_file, net_file), ("fiber", net_file)):
        code, _, err = run(*cmd, "--box", "-1", "1", "--json")
        assert code == 0, err
    code, _, err = run("fiber", net_file, "--box", "-1,1")
    assert code == 2


def test_eval_pattern_and_demo_json(tmp_path: Path, net_file: Path) -> None:
    code, out, _ = run("eval", net_file, "-1/2", "7/3")
    assert code == 0 and out.splitlines()[1] == "pattern: -+ | +"
    code, out, err = run("demo", "--json", "--outdir", tmp_path / "rep")
    assert code == 0, err
    assert json.loads(out)["report"].endswith("report.md")


def test_network_does_not_import_io() -> None:
    import exactrelu.core.network as network

    source = Path(network.__file__).read_text()
    assert "from exactrelu.core.io" not in source and "from exactrelu.core import io" not in source


def test_message_about_a_list_holding_a_very_long_integer_is_one_line(tmp_path):
    """Found by a longer fuzz run: a mismatching 'architecture' list holding a 5,001-digit integer made the error
    message itself raise ValueError (repr of the list hits Python's int-to-string limit)."""
    from exactrelu.core.errors import ExactReluError
    from exactrelu.core.io import load

    p = tmp_path / "arch.json"
    p.write_text('{"format": "exactrelu-network", "version": 1, "architecture": [1' + "0" * 5000 + ', 1], '
                 '"layers": [{"weights": [[1]], "biases": [0]}]}')
    with pytest.raises(ExactReluError) as info:  # not ValueError, whatever the process's int-to-string limit
        load(p)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400
