"""Read a network from any supported file, chosen by suffix: the one loader every command uses.

==================  ==============================================================================================
suffix              read as
==================  ==============================================================================================
``.json``           the ``exactrelu-network`` format (:func:`exactrelu.core.io.load`)
``.onnx``           an ONNX MLP graph (:func:`exactrelu.engines.onnxlib.from_onnx`; needs the ``onnx`` extra)
``.pt``, ``.pth``   a PyTorch state dict (read with numpy under a strict allowlist, else with
                    ``torch.load(weights_only=True)``); a TorchScript archive or a pickled module only with
                    ``trust_pickle=True`` (they run code when loaded)
``.safetensors``    a weight file (read natively, every dtype including bfloat16); layers as for state dicts
``.npz``            a numpy weight archive (``allow_pickle=False``); layers as for state dicts
==================  ==============================================================================================

Weight files (state dicts, ``.safetensors``, ``.npz``) only hold tensors: the layers are the 2-D ``*weight`` tensors
in natural key order with their ``*bias``, a ReLU between consecutive layers (an MLP).  ``architecture`` checks the
shapes, ``layers`` names the layer prefixes in order when the keys do not say it
(:func:`exactrelu.engines.arrays.chain_tensors`).  Nor can a weight file say that the model applies a ReLU to its
output: ``output_relu=True`` says so (ONNX graphs and modules say it themselves), and the output ReLU becomes a hidden
layer followed by the identity output layer (:func:`exactrelu.core.output_relu.with_output_relu`).  Every
conversion is exact.

Examples
--------
>>> import tempfile, os, numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "w.npz")
>>> np.savez(path, **{"0.weight": np.eye(2, dtype=np.float32), "0.bias": np.zeros(2, np.float32),
...                   "2.weight": np.array([[0.5, -1]], np.float32), "2.bias": np.array([0.25], np.float32)})
>>> load_network(path).architecture
(2, 2, 1)
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from exactrelu.core.bulk import paused_gc
from exactrelu.core.errors import ExactReluError, FormatError, NotApplicableError
from exactrelu.core.graph import GraphNetwork
from exactrelu.core.network import Network
from exactrelu.core.output_relu import ends_with_output_relu, with_output_relu
from exactrelu.engines.arrays import chain_tensors, network_from_arrays

__all__ = ["SUFFIXES", "load_network", "read_safetensors", "read_npz", "read_torch_state_dict", "save_network"]

SUFFIXES = (".json", ".onnx", ".pt", ".pth", ".safetensors", ".npz")
EXPORT_SUFFIXES = (".json", ".onnx", ".pt", ".pth", ".safetensors", ".npz")

_ST_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "bf16", "I64": "<i8", "I32": "<i4", "I16": "<i2",
              "I8": "i1", "U8": "u1", "U16": "<u2", "U32": "<u4", "U64": "<u8"}


def load_network(path: str | os.PathLike[str], *, allow_float: bool = False, architecture: Sequence[int] | None = None,
                 layers: Sequence[str] | None = None, trust_pickle: bool = False,
                 bias_free: str = "refuse", output_relu: bool = False) -> Network:
    """Read a network from ``path``, choosing the reader by suffix (table above).  Any other suffix is read as JSON.

    ``output_relu=True`` says that the model applies a ReLU to its output (weight files cannot say it; for an ONNX
    graph or a module it must agree with what the graph says; JSON networks are taken as they are).

    Raises :class:`~exactrelu.core.errors.ExactReluError` subclasses whose message starts with the file name.
    """
    with paused_gc():
        return _load(Path(path), allow_float, architecture, layers, trust_pickle, bias_free, output_relu)


def _load(p: Path, allow_float: bool, architecture: Sequence[int] | None, layers: Sequence[str] | None,
          trust_pickle: bool, bias_free: str, output_relu: bool = False) -> Network:
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES[1:]:
        if output_relu:
            raise FormatError(f"{p}: --output-relu applies to model and weight files, not to exactrelu JSON "
                              "(a JSON network with an output ReLU already has its identity output layer)")
        from exactrelu.core.io import load

        return load(p, allow_float=allow_float)
    if not p.exists():
        raise FormatError(f"{p}: no such file")
    if p.is_dir():
        raise FormatError(f"{p}: is a directory, not a network file")
    try:
        if suffix == ".onnx":
            if architecture is not None or layers is not None:
                raise FormatError("--architecture/--layers apply to weight files only (an ONNX graph says it)")
            from exactrelu.engines.onnxlib import from_onnx

            try:
                net = from_onnx(str(p), bias_free=bias_free)
            except NotApplicableError as exc:  # branches (residual Add, Concat) or bias-free layers: a graph
                from exactrelu.engines.onnx_graph import graph_from_onnx

                try:
                    net = graph_from_onnx(str(p))
                except NotApplicableError:
                    raise exc from None
            if output_relu and not ends_with_output_relu(net):
                raise FormatError("--output-relu: the ONNX graph ends with an affine layer, not a Relu (the graph "
                                  "says whether its output goes through a ReLU)")
        elif suffix in (".pt", ".pth"):
            tensors = read_torch_state_dict(p)  # None unless a plain state dict: then torch.load decides
            if tensors is None:
                from exactrelu.engines.torchlib import load_torch_file

                net = load_torch_file(str(p), trust_pickle=trust_pickle, architecture=architecture,
                                      bias_free=bias_free, layers=layers, output_relu=output_relu)
            else:
                chain = chain_tensors(tensors, architecture=architecture, layers=layers, source="state dict",
                                      bias_free=bias_free)
                net = network_from_arrays(chain, where="state dict layers")
                net = with_output_relu(net) if output_relu else net
        else:
            tensors = read_safetensors(p) if suffix == ".safetensors" else read_npz(p)
            chain = chain_tensors(tensors, architecture=architecture, layers=layers, source="tensors",
                                  bias_free=bias_free)
            net = network_from_arrays(chain)
            net = with_output_relu(net) if output_relu else net
    except ExactReluError as exc:
        msg = str(exc)
        raise type(exc)(msg if msg.startswith(str(p)) else f"{p}: {msg}") from None
    except OSError as exc:
        raise FormatError(f"{p}: cannot read ({exc.strerror or exc})") from None
    return net


_TORCH_STORAGES = {"FloatStorage": "<f4", "DoubleStorage": "<f8", "HalfStorage": "<f2", "BFloat16Storage": "bf16",
                   "LongStorage": "<i8", "IntStorage": "<i4", "ShortStorage": "<i2", "CharStorage": "i1",
                   "ByteStorage": "u1"}


class _NotPlain(Exception):
    """The file is not a plain state dict this reader knows; torch.load(weights_only=True) decides instead."""


class _Storage:
    def __init__(self, name: str) -> None:
        self.dtype = _TORCH_STORAGES[name]


def _rebuild_tensor(storage: np.ndarray, offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                    *_: Any) -> np.ndarray:
    if any(n == 0 for n in size):
        return np.zeros(size, dtype=storage.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))  # index of the last element read
    if offset < 0 or len(size) != len(stride) or any(s < 0 for s in stride) or last >= len(storage):
        raise _NotPlain("tensor outside its storage")
    view = np.lib.stride_tricks.as_strided(storage[offset:], shape=size,
                                           strides=[s * storage.itemsize for s in stride], writeable=False)
    return np.array(view)


def _rebuild_parameter(data: np.ndarray, *_: Any) -> np.ndarray:
    return data


def read_torch_state_dict(path: str | os.PathLike[str]) -> dict[str, np.ndarray] | None:
    """The tensors of a ``torch.save``-d state dict, read with numpy (no ``import torch``), or ``None``.

    The archive's pickle is read by an unpickler that resolves only ``collections.OrderedDict``, the tensor and
    parameter rebuild functions and the storage types, so nothing in the file can run code (the same safety as
    ``torch.load(weights_only=True)`` with a smaller allowlist).  A checkpoint dict holding a ``"state_dict"`` next to
    plain data (lists, numbers) gives that state dict.  Anything else — TorchScript, a pickled module, a
    checkpoint with other objects, a big-endian archive — returns ``None`` and ``torch.load`` reads the file.
    """
    import io
    import pickle
    import zipfile
    from collections import OrderedDict

    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            pkl = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
            if len(pkl) != 1:
                return None
            root = pkl[0][: -len("data.pkl")]
            if root + "byteorder" in names and z.read(root + "byteorder").strip() != b"little":
                return None
            storages: dict[str, np.ndarray] = {}

            class Unpickler(pickle.Unpickler):
                def find_class(self, module: str, name: str) -> Any:
                    if (module, name) == ("collections", "OrderedDict"):
                        return OrderedDict
                    if module == "torch._utils" and name == "_rebuild_tensor_v2":
                        return _rebuild_tensor
                    if module == "torch._utils" and name == "_rebuild_parameter":
                        return _rebuild_parameter
                    if module == "torch" and name in _TORCH_STORAGES:
                        return _Storage(name)
                    raise _NotPlain(f"{module}.{name}")

                def persistent_load(self, pid: Any) -> Any:
                    if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                            and isinstance(pid[1], _Storage)):
                        raise _NotPlain("unknown persistent id")
                    kind, key, numel = pid[1].dtype, str(pid[2]), int(pid[4])
                    if key not in storages:
                        raw = z.read(f"{root}data/{key}")
                        if kind == "bf16":
                            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
                        else:
                            arr = np.frombuffer(raw, dtype=kind)
                        if arr.size < numel:
                            raise _NotPlain("storage shorter than declared")
                        storages[key] = arr
                    return storages[key]

            obj = Unpickler(io.BytesIO(z.read(pkl[0]))).load()
    except (_NotPlain, zipfile.BadZipFile, pickle.UnpicklingError, KeyError, ValueError, TypeError, EOFError,
            AttributeError, IndexError):
        return None
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]  # a checkpoint {"state_dict": ..., other plain data}, as torch.load reads it too
    if not isinstance(obj, dict) or not obj or not all(isinstance(k, str) and isinstance(v, np.ndarray)
                                                       for k, v in obj.items()):
        return None
    return dict(obj)


def read_npz(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """The arrays of a ``.npz`` archive, never unpickling (object arrays are refused)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except ValueError as exc:
        raise FormatError(f"holds pickled objects, which are never read ({exc})") from None
    except (OSError, EOFError) as exc:
        raise FormatError(f"not a numpy .npz archive ({exc})") from None
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise FormatError(f"not a numpy .npz archive ({type(exc).__name__}: {exc})") from None


def read_safetensors(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """The tensors of a ``.safetensors`` file, read with numpy from the documented layout (8-byte little-endian
    header length, a JSON header of ``dtype``/``shape``/``data_offsets``, then the raw little-endian data).

    bfloat16 tensors come back as the float32 arrays they embed into exactly.
    """
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise FormatError("not a safetensors file (shorter than its 8-byte header length)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise FormatError(f"not a safetensors file (header length {n} exceeds the file)")
    try:
        header = json.loads(data[8:8 + n])
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"not a safetensors file (bad JSON header: {exc})") from None
    if not isinstance(header, dict):
        raise FormatError("not a safetensors file (header is not a JSON object)")
    body = memoryview(data)[8 + n:]
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (start, end) = info["dtype"], list(info["shape"]), info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise FormatError(f"tensor {name!r}: header entry lacks dtype/shape/data_offsets") from None
        if dtype not in _ST_DTYPES:
            raise FormatError(f"tensor {name!r}: dtype {dtype} is not supported")
        if not (0 <= start <= end <= len(body)):
            raise FormatError(f"tensor {name!r}: data offsets {start}..{end} outside the file")
        raw = body[start:end]
        if dtype == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=_ST_DTYPES[dtype])
        count = int(np.prod(shape)) if shape else 1
        if arr.size != count:
            raise FormatError(f"tensor {name!r}: {arr.size} values for shape {shape}")
        out[name] = arr.reshape(shape)
    return out


def save_network(net: Network | GraphNetwork, path: str | os.PathLike[str]) -> Any:
    """Write ``net`` by suffix: ``.json`` exactly; ``.onnx``, ``.pt``/``.pth`` (a state dict), ``.safetensors``
    and ``.npz`` in float64.  Returns the :class:`~exactrelu.engines.arrays.FloatRounding` (None for JSON).

    A graph network that is not layered is written as ``.json`` (version 2) or ``.onnx``
    (:func:`exactrelu.engines.graph_export.graph_to_onnx`); the tensor formats hold the layers of a chain and refuse
    it.  (:func:`exactrelu.engines.graph_export.graph_to_torch` gives the PyTorch module in Python.)"""
    p = Path(path)
    suffix = p.suffix.lower()
    if isinstance(net, GraphNetwork) and suffix != ".json":
        if suffix == ".onnx":
            from exactrelu.engines.graph_export import graph_to_onnx

            return graph_to_onnx(net, p)[1]
        raise NotApplicableError(f"{p}: a graph network that is not layered cannot be written as {suffix} (those "
                                 "files hold the layers of a chain); write .onnx or .json")
    if suffix == ".onnx":
        from exactrelu.engines.onnxlib import to_onnx

        return to_onnx(net, p)[1]
    if suffix in (".pt", ".pth"):
        from exactrelu.engines.torchlib import save_state_dict

        return save_state_dict(net, p)
    if suffix in (".safetensors", ".npz"):
        from exactrelu.engines.arrays import network_to_arrays

        arrays, rounding = network_to_arrays(net)
        tensors: dict[str, np.ndarray] = {}
        for l, (W, b) in enumerate(arrays):
            tensors[f"{2 * l}.weight"], tensors[f"{2 * l}.bias"] = W, b
        if suffix == ".npz":
            import io

            buf = io.BytesIO()
            np.savez(buf, **tensors)
            data = buf.getvalue()
        else:
            data = _safetensors_bytes(tensors)
        from exactrelu.core.files import atomic_write_bytes

        atomic_write_bytes(p, data)
        return rounding
    from exactrelu.core.io import save

    save(net, p)
    return None


def _safetensors_bytes(tensors: dict[str, np.ndarray]) -> bytes:
    header: dict[str, Any] = {"__metadata__": {"producer": "exactrelu"}}
    chunks, pos = [], 0
    for name, arr in tensors.items():
        raw = np.ascontiguousarray(arr, dtype="<f8").tobytes()
        header[name] = {"dtype": "F64", "shape": list(arr.shape), "data_offsets": [pos, pos + len(raw)]}
        chunks.append(raw)
        pos += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)
