"""Parquet, one row per person: ``--write-parquet FILE`` (the command's run), and ``openpose batch --format parquet``
(one file per Ray work item)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._io import write_atomically
from ..openpose_json import flat_keypoints
from ..options import Flag
from ..sources import Frame, Source
from .base import GROUP, Option, Output, RunContext, keypoint_scale, parquet_part_path, scaled

if TYPE_CHECKING:
    from . import OutputOptions

__all__ = ["OUTPUT", "PARQUET_COLUMNS", "ParquetPart", "parquet_is_complete"]

#: The columns of the Parquet output, one row per person.
PARQUET_COLUMNS = ("source", "frame", "person", "keypoints", "score", "track")

_INSTALL_RAY = 'the Parquet output needs pyarrow: pip install "openpose[ray]"'
_COMPLETE_KEY = b"openpose.complete"


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        msg = f"{_INSTALL_RAY} ({exc})"
        raise ImportError(msg) from exc
    return pyarrow


class ParquetPart(Output):
    """One Parquet file of every person of the frames written, written by ``close``.

    Columns `PARQUET_COLUMNS`: ``source`` (the frame's source label),
    ``frame`` (its index; 0 for an image), ``person``, ``keypoints``
    (``3 * K`` float32: x, y, c per part as in OpenPose JSON), ``score``,
    ``track`` (the person's id across the video's frames with tracking,
    ``result.track_ids``; -1 without).
    The file's metadata says whether the run that wrote it was complete
    (`parquet_is_complete`): a rerun redoes an incomplete part.

    Parameters
    ----------
    path : path
    n_parts : int
        K when no frame gave a result (every frame failed): the file keeps
        its schema.
    """

    name = "parquet"
    options = (Option("write_parquet", None, Flag(
        "--write-parquet", "every person of the run as one Parquet file, one row each (source, frame, person, "
        'keypoints, score, track); needs pyarrow (pip install "openpose[ray]")', metavar="FILE", commands=("run",),
        group=GROUP)),)
    order = 70
    keypoint_scaled = True
    batch_format = "parquet"

    def __init__(self, path, *, n_parts: int, scale: int = 0, net_size=None):
        self.path = Path(path)
        self.n_parts = int(n_parts)
        self.rows: dict[str, list] = {k: [] for k in PARQUET_COLUMNS}
        self.keypoint_scale = keypoint_scale(scale)
        self.net_size = net_size

    @classmethod
    def open(cls, options: OutputOptions, context: RunContext) -> ParquetPart:
        path = Path(options["write_parquet"])
        if path.is_dir() or not path.parent.is_dir():
            msg = f"--write-parquet {str(path)!r}: give a file in an existing folder"
            raise ValueError(msg)
        _pyarrow()  # before the first frame: the extra that writes it
        return cls(path, n_parts=context.n_parts, scale=options["keypoint_scale"], net_size=context.net_size)

    @classmethod
    def open_batch(cls, path: Path, options: OutputOptions, context: RunContext) -> ParquetPart:
        return cls(parquet_part_path(path, context.key), n_parts=context.n_parts, scale=options["keypoint_scale"],
                   net_size=context.net_size)

    @classmethod
    def is_complete(cls, path: Path, *, key: str, stems: Sequence[str]) -> bool:
        return parquet_is_complete(parquet_part_path(path, key))

    @classmethod
    def retrack(cls, path: Path, kind: str, group: Sequence, tracker) -> int:
        from ..tracking import result_of_poses

        pa = _pyarrow()
        pq = pa.parquet

        parts = []
        for item in group:
            file = parquet_part_path(path, item.key)
            if file.is_file():
                parts.append((file, pq.read_table(file)))
        # Every person of the sequence: (frame number, source, part, row), in order.
        rows: list[tuple[str, int, int, int]] = []
        for n, (_, table) in enumerate(parts):
            sources = table.column("source").to_pylist()
            frame_numbers = table.column("frame").to_pylist()
            rows.extend((sources[r], frame_numbers[r], n, r) for r in range(table.num_rows))
        if kind == "images":
            order = {item.sources[0]: i for i, item in enumerate(group)}
            rows.sort(key=lambda row: (order.get(row[0], len(order)), row[0], row[2], row[3]))
        else:
            rows.sort(key=lambda row: (row[1], row[2], row[3]))
        tracks = [np.full(table.num_rows, -1, np.int64) for _, table in parts]
        keypoints = [np.asarray(table.column("keypoints").to_pylist(), np.float32) for _, table in parts]
        frames = 0
        start = 0
        while start < len(rows):
            stop = start
            while stop < len(rows) and rows[stop][:2] == rows[start][:2]:
                stop += 1
            chunk = rows[start:stop]
            poses = np.stack([keypoints[n][r] for _, _, n, r in chunk])
            source = Source("image" if kind == "images" else "video", chunk[0][0])
            tracked = tracker(Frame(source, int(chunk[0][1]), None, None),  # type: ignore[arg-type]
                              result_of_poses(poses, poses.shape[1]))
            ids = [] if tracked.track_ids is None else [int(i) for i in tracked.track_ids]
            for (_, _, n, r), track_id in zip(chunk, ids, strict=True):
                tracks[n][r] = track_id
            frames += 1
            start = stop
        for (file, table), track in zip(parts, tracks, strict=True):
            column = table.schema.get_field_index("track")
            table = table.set_column(column, table.schema.field("track"), pa.array(track, pa.int64()))
            _write_table(pq, file, table)
        return frames

    def write(self, frame: Frame, result, *, stem: str, rendered=None, net_output=None) -> bool:
        result = scaled(result, self.keypoint_scale, self.net_size)
        self.n_parts = result.poses.shape[1]
        tracks = getattr(result, "track_ids", None)
        tracks = [-1] * len(result.poses) if tracks is None else [int(t) for t in tracks]
        for p, (pose, score) in enumerate(zip(result.poses, result.scores)):
            self.rows["track"].append(tracks[p])
            self.rows["source"].append(frame.label)
            self.rows["frame"].append(int(frame.index))
            self.rows["person"].append(p)
            self.rows["keypoints"].append(flat_keypoints(pose))
            self.rows["score"].append(float(score))
        return True

    def close(self, complete: bool = True) -> None:
        pa = _pyarrow()
        width = 3 * self.n_parts
        schema = pa.schema(
            [("source", pa.string()), ("frame", pa.int64()), ("person", pa.int32()),
             ("keypoints", pa.list_(pa.float32(), width)), ("score", pa.float32()), ("track", pa.int64())],
            metadata={_COMPLETE_KEY: b"1" if complete else b"0"},
        )
        rows = self.rows
        flat = np.asarray(rows["keypoints"], np.float32).reshape(-1)
        table = pa.table(
            [pa.array(rows["source"], pa.string()), pa.array(rows["frame"], pa.int64()),
             pa.array(rows["person"], pa.int32()),
             pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), width),
             pa.array(rows["score"], pa.float32()), pa.array(rows["track"], pa.int64())],
            schema=schema,
        )
        write_atomically(self.path, lambda tmp: pa.parquet.write_table(table, tmp))
        return None


def parquet_is_complete(path) -> bool:
    """Whether `path` is a Parquet part written by a complete run (`ParquetPart`)."""
    path = Path(path)
    if not path.is_file():
        return False
    pa = _pyarrow()
    try:
        metadata = pa.parquet.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException):
        return False
    return metadata.get(_COMPLETE_KEY) == b"1"



def _write_table(pq, path: Path, table) -> None:
    def write(tmp: str) -> None:
        pq.write_table(table, tmp)

    write_atomically(path, write)


OUTPUT = ParquetPart
