"""The exactrelu-network JSON format: strict reading, exact round trips, atomic writes."""

import json
import os
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactrelu import Network, examples, load, random_network, save
from exactrelu.core.errors import FormatError, NotExactError, ShapeError
from exactrelu.core.io import network_from_json

archs = st.sampled_from([(1, 1, 1), (2, 3, 1), (3, 2, 2, 2), (1, 1, 1, 1, 1)])


def doc(layers: object, **extra: object) -> str:
    return json.dumps({"format": "exactrelu-network", "version": 1, "layers": layers, **extra})


@given(archs, st.integers(0, 10**6), st.integers(1, 10**9), st.integers(1, 10**9))
def test_round_trip_random(arch: tuple[int, ...], seed: int, num: int, den: int) -> None:
    net = random_network(arch, seed=seed, max_num=num, max_den=den)
    assert network_from_json(net.to_json()) == net


def test_save_load_every_example(tmp_path: Path) -> None:
    for name, net in examples.catalogue().items():
        p = tmp_path / f"{name}.json"
        save(net, p)
        assert load(p) == net
        text = p.read_text()
        assert "." not in json.dumps(json.loads(text)["layers"]), "no JSON floats are ever written"


def test_integers_and_strings_accepted() -> None:
    net = network_from_json(doc([{"weights": [[1, "-3/4"]], "biases": ["2"]}]))
    assert net.layers[0].weights[0] == (F(1), F(-3, 4)) and net.layers[0].biases == (F(2),)


@pytest.mark.parametrize(
    "text, exc, message",
    [
        ('{"format": "exactrelu-network", "layers": [', FormatError, "invalid JSON at line 1 column"),
        ("", FormatError, "empty file"),
        ("{\n  \"layers\": [\n    {\"weights\": [[1]] \"biases\": [0]}]}", FormatError, "line 3 column"),
        (doc([{"weights": [[0.5]], "biases": [0]}]), NotExactError, r"layers\[0\]\.weights\[0\]\[0\]: float 0.5"),
        (doc([{"weights": [[1]], "biases": [1e-3]}]), NotExactError, r"layers\[0\]\.biases\[0\]: float 0.001"),
        (doc([{"weights": [["1/0"]], "biases": [0]}]), FormatError, "zero denominator"),
        (doc([{"weights": [["x"]], "biases": [0]}]), FormatError, "not a rational number"),
        (doc([{"weights": [[True]], "biases": [0]}]), FormatError, "True is not a rational"),
        (doc([{"weights": [[None]], "biases": [0]}]), FormatError, "None is not a rational"),
        (doc([{"weights": [[1, 2], [3]], "biases": [0, 0]}]), ShapeError, "ragged"),
        (doc([{"weights": [[1], [2]], "biases": [0, 0]}, {"weights": [[1, 2, 3]], "biases": [0]}]), ShapeError,
         r"layers\[1\] expects 3 inputs"),
        (doc([]), ShapeError, "empty network"),
        (doc([{"weights": [[1]], "biases": [0, 1]}]), ShapeError, "1 weight rows but 2 biases"),
        (doc([{"weights": [], "biases": []}]), ShapeError, "at least one neuron"),
        (json.dumps({"format": "exactrelu-network", "version": 2, "layers": []}), FormatError, "version 2"),
        (json.dumps({"format": "onnx", "version": 1, "layers": []}), FormatError, "unknown format 'onnx'"),
        ("[1, 2]", FormatError, "expected a JSON object"),
        (doc([{"weights": [[1]], "biases": ["NaN"]}]), FormatError, "not a rational"),
        ('{"format": "exactrelu-network", "version": 1, "layers": [{"weights": [[NaN]], "biases": [0]}]}',
         FormatError, "NaN is not a number"),
    ],
)
def test_bad_input_is_rejected_with_location(text: str, exc: type, message: str) -> None:
    with pytest.raises(exc, match=message) as info:
        network_from_json(text, source="net.json")
    assert str(info.value).startswith("net.json")


def test_allow_float_converts_exactly() -> None:
    net = network_from_json(doc([{"weights": [[0.1]], "biases": [0.5]}]), allow_float=True)
    assert net.layers[0].weights[0][0] == F(0.1) == F(3602879701896397, 36028797018963968)
    assert net.layers[0].biases[0] == F(1, 2)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        load(tmp_path / "nope.json")
    with pytest.raises(FormatError, match="is a directory"):
        load(tmp_path)
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(FormatError, match="not UTF-8"):
        load(tmp_path / "bin.json")


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "net.json"
    save(examples.relu_of_sum(), p)
    before = p.read_text()

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        save(random_network((3, 3, 1), seed=1), p)
    assert p.read_text() == before, "a failed write leaves the old file untouched"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["net.json"], "no temporary file is left behind"


def test_architecture_key_must_match() -> None:
    with pytest.raises(ShapeError, match="'architecture' says"):
        network_from_json(doc([{"weights": [[1]], "biases": [0]}], architecture=[2, 1]))
    assert network_from_json(doc([{"weights": [[1]], "biases": [0]}], architecture=[1, 1])) == Network.from_lists(
        [([[1]], [0])])
