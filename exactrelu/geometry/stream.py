"""Streamed region rows and resumable run state for :func:`exactrelu.geometry.distributed.count_regions`.

A run with a state folder commits its progress in **checkpoints**: the rows found since the last checkpoint are
written to a new part file (atomically), then ``state.json`` is replaced atomically by the new totals, the pieces done
with their counts, the pieces still to do (the unexplored frontier: with the pieces done it partitions the domain,
see :mod:`exactrelu.geometry.pieces`) and the list of committed part files.  After a crash (even ``kill -9``) the
state on disk is the last checkpoint, and resuming re-runs exactly the pieces that were not committed; a part file
written after that checkpoint is not listed and is deleted.  At the end the parts are concatenated into the output
file, itself written atomically.

Rows (one per region): ``pattern`` (one list of signs +1/-1/0 per hidden layer), ``interior_point`` (exact rationals
as strings), ``facets`` (number of facets) and ``bounded``; in JSON Lines one object per line, in Parquet the columns
``list<list<int8>>``, ``list<string>``, ``int32``, ``bool``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from exactrelu.core.errors import FormatError, OutputError
from exactrelu.core.files import atomic_output, atomic_write_text, read_json_file
from exactrelu.geometry.pieces import Piece

__all__ = ["ROW_FORMATS", "row_format", "RunState", "write_rows", "merge_parts"]

#: Output suffixes and their formats.
ROW_FORMATS = {".jsonl": "jsonl", ".parquet": "parquet"}

_STATE = "state.json"
_KIND = "exactrelu-regions-run"


def row_format(path: str | os.PathLike[str]) -> str:
    """The row format chosen by the suffix of ``path`` (``.jsonl`` or ``.parquet``).

    >>> row_format("rows.parquet"), row_format("out.JSONL")
    ('parquet', 'jsonl')
    """
    fmt = ROW_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise OutputError(f"{path}: unsupported suffix {Path(path).suffix or '(none)'!r} for region rows "
                          "(use .jsonl or .parquet)")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise OutputError(f"{path}: writing Parquet needs pyarrow (pip install pyarrow)") from None
    return fmt


def _layers(sig: Sequence[int], offsets: Sequence[int]) -> list[list[int]]:
    bounds = list(offsets) + [len(sig)]
    return [list(sig[bounds[l]:bounds[l + 1]]) for l in range(len(offsets))]


def write_rows(path: Path, fmt: str, rows: Iterable[tuple[Any, ...]], offsets: Sequence[int]) -> None:
    """Write region rows ``(flat signs, point strings, facets, bounded)`` to ``path`` (overwritten, not atomic: the
    caller renames or lists it only when complete)."""
    if fmt == "jsonl":
        with open(path, "w", encoding="utf-8") as fh:
            for sig, point, facets, bounded in rows:
                fh.write(json.dumps({"pattern": _layers(sig, offsets), "interior_point": list(point),
                                     "facets": facets, "bounded": bool(bounded)}, separators=(",", ":")) + "\n")
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = list(rows)
    table = pa.table({
        "pattern": pa.array([_layers(r[0], offsets) for r in rows], type=pa.list_(pa.list_(pa.int8()))),
        "interior_point": pa.array([list(r[1]) for r in rows], type=pa.list_(pa.string())),
        "facets": pa.array([r[2] for r in rows], type=pa.int32()),
        "bounded": pa.array([bool(r[3]) for r in rows], type=pa.bool_()),
    })
    pq.write_table(table, path)


def merge_parts(parts: Sequence[Path], fmt: str, out: str | os.PathLike[str], offsets: Sequence[int]) -> None:
    """Concatenate part files into ``out`` atomically, one part in memory at a time."""
    with atomic_output(out) as tmp:
        if fmt == "jsonl":
            with open(tmp, "wb") as dst:
                for p in parts:
                    with open(p, "rb") as src:
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
            return
        import pyarrow.parquet as pq

        writer = None
        try:
            for p in parts:
                table = pq.read_table(p)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
            if writer is None:  # no region at all cannot happen, but keep the schema
                write_rows(tmp, fmt, [], offsets)
        finally:
            if writer is not None:
                writer.close()


class RunState:
    """The state folder of a resumable run (module docstring).

    ``fingerprint`` identifies the network, domain and output kind: resuming a different run is refused.
    """

    def __init__(self, folder: str | os.PathLike[str], fingerprint: str, fmt: str | None) -> None:
        self.folder = Path(folder)
        self.fingerprint = fingerprint
        self.fmt = fmt
        self.parts: list[str] = []

    @property
    def path(self) -> Path:
        return self.folder / _STATE

    def prepare(self) -> None:
        """Create the folder (its parent must exist) and check it can be written."""
        if self.folder.exists() and not self.folder.is_dir():
            raise OutputError(f"{self.folder}: the run's state folder exists and is not a folder")
        try:
            self.folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.folder}: cannot create the run's state folder ({exc.strerror or exc})") from None
        if not os.access(self.folder, os.W_OK | os.X_OK):
            raise OutputError(f"{self.folder}: the run's state folder is not writable")

    def load(self) -> dict[str, Any] | None:
        """The last checkpoint, or None when there is none; stale part files are removed."""
        if not self.path.exists():
            return None
        doc = read_json_file(self.path, max_bytes=None, what="run state")
        if not isinstance(doc, dict) or doc.get("format") != _KIND:
            raise FormatError(f"{self.path}: not an exactrelu region-run state")
        if doc.get("fingerprint") != self.fingerprint:
            raise FormatError(f"{self.path}: this state belongs to another network, domain or output format; "
                              "remove it or run without --resume")
        try:
            pending = [Piece.from_dict(p) for p in doc["pending"]]
            done = {str(k): (int(v[0]), None if v[1] is None else int(v[1])) for k, v in doc["done"].items()}
            parts = [str(p) for p in doc["parts"]]
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise FormatError(f"{self.path}: damaged run state ({exc})") from None
        self.parts = parts
        self._remove_stale()
        return {"pending": pending, "done": done, "finished": bool(doc.get("finished")),
                "seconds": float(doc.get("seconds", 0.0))}

    def reset(self) -> None:
        """Start afresh: forget the previous state and its parts."""
        for p in self.folder.glob("part-*"):
            p.unlink()
        if self.path.exists():
            self.path.unlink()
        self.parts = []

    def _remove_stale(self) -> None:
        keep = set(self.parts)
        for p in self.folder.glob("part-*"):
            if p.name not in keep:
                p.unlink()

    def commit(self, rows: list[tuple[Any, ...]], offsets: Sequence[int], done: dict[str, tuple[int, int | None]],
               pending: Iterable[Piece], *, finished: bool = False, seconds: float = 0.0) -> None:
        """Write a checkpoint: first the new rows' part file, then the state that lists it (module docstring)."""
        if rows and self.fmt is not None:
            name = f"part-{len(self.parts):06d}.{self.fmt}"
            tmp = self.folder / f".{name}.tmp"
            write_rows(tmp, self.fmt, rows, offsets)
            os.replace(tmp, self.folder / name)
            self.parts.append(name)
        doc = {"format": _KIND, "version": 1, "fingerprint": self.fingerprint, "finished": finished,
               "regions": sum(c for c, _ in done.values()), "seconds": seconds,
               "done": {k: list(v) for k, v in done.items()}, "pending": [p.to_dict() for p in pending],
               "parts": self.parts}
        atomic_write_text(self.path, json.dumps(doc, separators=(",", ":")) + "\n")

    def part_paths(self) -> list[Path]:
        return [self.folder / p for p in self.parts]

    def remove(self) -> None:
        """Delete the state folder (after the output is written)."""
        for p in self.folder.glob("part-*"):
            p.unlink()
        for p in self.folder.glob(".part-*"):
            p.unlink()
        if self.path.exists():
            self.path.unlink()
        try:
            self.folder.rmdir()
        except OSError:
            pass
