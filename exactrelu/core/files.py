"""Files: strict JSON reading with size guards, and safe atomic writing of results.

Reading (:func:`read_json_file`, :func:`parse_json_text`): every failure is a
:class:`~exactrelu.core.errors.FormatError` (or :class:`~exactrelu.core.errors.SizeLimitError`) naming the file and the
place, never a traceback: missing file, directory, not UTF-8, invalid JSON (line and column), ``NaN``/``Infinity``,
duplicate keys, nesting deeper than Python's recursion limit, a file larger than the byte limit.  JSON integers of
any length are read exactly; JSON floats are kept recognisable (with their source text) so that the exact-input
rules can refuse them precisely.

Writing (:func:`atomic_write_bytes`, :func:`atomic_write_text`, :func:`check_destination`): the destination is
checked first (its folder exists and is writable; it is not a directory, a device, a FIFO or a socket), the data is
written to a temporary file in the destination's folder, flushed to disk and renamed over the destination, so a
reader never sees a half-written file and a failure leaves the previous file untouched.  A symbolic link to a
regular file is written *through* (the link stays, its target is replaced).  A new file gets the mode
``0666 & ~umask``; a replaced file keeps its mode.

Examples
--------
>>> parse_json_text('{"a": [1, 2]}', "x.json")
{'a': [1, 2]}
>>> parse_json_text('{"a": 1, "a": 2}', "x.json")
Traceback (most recent call last):
...
exactrelu.core.errors.FormatError: x.json: duplicate key 'a' in a JSON object
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from exactrelu.core.errors import FormatError, OutputError, SizeLimitError
from exactrelu.core.rational import int_from_digits

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "FloatLiteral",
    "json_type_name",
    "parse_json_text",
    "read_json_file",
    "check_destination",
    "IMAGE_FORMATS",
    "image_format",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_output",
]

#: Largest file read by default (a (784, 512, 10) network with 30-character entries is about 12 MB).
DEFAULT_MAX_FILE_BYTES = 64 * 2**20


class FloatLiteral(float):
    """A JSON float kept with its source text, so that refusing it can quote it exactly (``1e400``, not inf)."""

    text: str

    def __new__(cls, text: str) -> FloatLiteral:
        obj = super().__new__(cls, float(text))
        obj.text = text
        return obj

    def __repr__(self) -> str:
        return self.text


def json_type_name(value: object) -> str:
    """The JSON name of a parsed value's type (``object``, ``array``, ``string``, ``number``, ...)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    if isinstance(value, int) and value.bit_length() > 96:
        return "a very long integer"
    if isinstance(value, (int, float)):
        return f"the number {value!r}" if len(repr(value)) <= 30 else "a number"
    return type(value).__name__


def _bad_constant(name: str) -> Any:
    raise FormatError(f"{name} is not a number allowed in exact input")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise FormatError(f"duplicate key {key[:40]!r} in a JSON object")
        out[key] = value
    return out


def parse_json_text(text: str, source: str) -> Any:
    """``json.loads`` with exact integers, marked floats, no duplicate keys and bounded depth; errors name ``source``.

    >>> parse_json_text("[" * 100_000 + "]" * 100_000, "deep.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    exactrelu.core.errors.FormatError: deep.json: JSON nested too deeply (more than about ... levels)
    """
    if not text.strip():
        raise FormatError(f"{source}: empty file (expected a JSON object)")
    try:
        return json.loads(text, parse_float=FloatLiteral, parse_int=int_from_digits, parse_constant=_bad_constant,
                          object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except FormatError as exc:
        raise FormatError(f"{source}: {exc}") from None
    except RecursionError:  # the C scanner stops cleanly at Python's recursion limit
        raise FormatError(f"{source}: JSON nested too deeply (more than about "
                          f"{sys.getrecursionlimit()} levels)") from None
    except ValueError as exc:
        raise FormatError(f"{source}: {exc}") from None


def read_json_file(path: str | os.PathLike[str], *, max_bytes: int | None = DEFAULT_MAX_FILE_BYTES,
                   what: str = "JSON file") -> Any:
    """Read and parse a JSON file; every failure is one :class:`~exactrelu.core.errors.FormatError` naming the file.

    ``max_bytes`` (``None``: no limit) refuses larger files with :class:`~exactrelu.core.errors.SizeLimitError` before
    reading them.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise FormatError(f"{p}: no such file") from None
    except OSError as exc:
        raise FormatError(f"{p}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise FormatError(f"{p}: is a directory, not a {what}")
    if max_bytes is not None and stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
        raise SizeLimitError(f"{p}: file of {st.st_size / 2**20:.1f} MB is larger than the limit of "
                             f"{max_bytes / 2**20:.0f} MB (raise it with --max-file-size)")
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1) if max_bytes is not None else fh.read()
    except OSError as exc:
        raise FormatError(f"{p}: cannot read ({exc.strerror})") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise SizeLimitError(f"{p}: more than {max_bytes / 2**20:.0f} MB (raise the limit with --max-file-size)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return parse_json_text(text, str(p))


# ---------------------------------------------------------------------------------------------------- writing
def _target(path: str | os.PathLike[str]) -> Path:
    """The file actually written for ``path``: symbolic links are followed to their (possibly missing) target."""
    p = Path(path)
    if p.is_symlink():
        return Path(os.path.realpath(p))
    return p


def check_destination(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be written as a regular file, before any work is done; return the real target.

    Raises :class:`~exactrelu.core.errors.OutputError` (one line naming the path) when the folder is missing or not
    writable, or when the path is a directory, a device, a FIFO or a socket.

    >>> check_destination("/nonexistent-folder/out.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    exactrelu.core.errors.OutputError: /nonexistent-folder/out.json: cannot write: folder ... does not exist
    """
    shown = str(path)
    target = _target(path)
    if str(path) == "" or target.name in ("", ".", ".."):
        raise OutputError(f"{shown!r}: not a file name")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write ({exc.strerror})") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{shown}: cannot write: is a directory")
        if not stat.S_ISREG(st.st_mode):
            kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                    else "a device")
            raise OutputError(f"{shown}: cannot write: is {kind}, not a regular file")
        if not os.access(target, os.W_OK):
            raise OutputError(f"{shown}: cannot write: the file is read-only")
    folder = target.parent
    if not folder.exists():
        raise OutputError(f"{shown}: cannot write: folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"{shown}: cannot write: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{shown}: cannot write: folder {folder} is not writable")
    try:  # the real test (read-only file systems, root on special folders): create and remove a temporary file
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write in folder {folder} ({exc.strerror or exc})") from None
    return target


#: Image formats written by the plotting functions, chosen by the file's suffix.
IMAGE_FORMATS = ("png", "svg", "pdf")


def image_format(path: str | os.PathLike[str]) -> str:
    """The image format a plot written to ``path`` gets: its suffix, one of :data:`IMAGE_FORMATS`.

    >>> image_format("c.PDF"), image_format("plot.svg")
    ('pdf', 'svg')
    >>> image_format("plot.jpg")
    Traceback (most recent call last):
    ...
    exactrelu.core.errors.OutputError: plot.jpg: unsupported image suffix '.jpg' (use .png, .svg or .pdf)
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in IMAGE_FORMATS:
        raise OutputError(f"{path}: unsupported image suffix {Path(path).suffix or '(none)'!r} "
                          "(use .png, .svg or .pdf)")
    return suffix


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temporary_beside(path: str | os.PathLike[str]) -> tuple[Path, int, str, int]:
    """The checked destination, an open temporary file in its folder (descriptor and name), and the mode the result
    gets: the existing file's, else ``0o666`` less the umask."""
    target = check_destination(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return target, fd, tmp, mode


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (module docstring): checked destination, temporary file, rename."""
    target, fd, tmp, mode = _temporary_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """UTF-8 text twin of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Stream a large output atomically: yields a temporary path in the destination's folder to write (by any
    library), then flushes it to disk and renames it over ``path`` (module docstring); on an error the temporary file
    is removed and ``path`` is untouched.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_output(os.path.join(folder, "rows.txt")) as tmp:
    ...     _ = tmp.write_text("a row\\n")
    >>> open(os.path.join(folder, "rows.txt")).read()
    'a row\\n'
    """
    target, fd, tmp, mode = _temporary_beside(path)
    os.close(fd)
    try:
        yield Path(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        raise
