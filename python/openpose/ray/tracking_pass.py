"""``openpose batch --tracking``: identities as one sequential pass over the outputs, after the parallel job.

The workers estimate the poses of their frame ranges in parallel and write
them (ids ``-1``); then, on the driver, `track_outputs` reads each video's
poses back in frame order, runs one `openpose.tracking.SequenceTracker`
over them (microseconds per frame) and rewrites the ids in place: the JSON
files' ``person_id``, the Parquet parts' ``track`` column. So the ids are
one sequence per video, exactly those of ``openpose VIDEO --tracking``,
whatever the chunking, and a worker killed and retried mid-job changes
nothing (its item's outputs are rewritten with the same poses before the
pass reads them). The pass reads and writes the outputs only: a rerun of
the job (items skipped) runs it again and gives the same ids.

Images are tracked as the command tracks them, one sequence per folder in
input order. The JSON floats read back are the float32 values written
(`openpose.openpose_json.flat_keypoints`), so the tracker sees the poses
the workers found. In Parquet, a frame without people has no row: for a
video that changes nothing (frames are numbered by their index), for
images it means an image without people is not counted in its folder's
sequence.

No Ray here: the pass runs on the driver, and in the tests without Ray.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .._io import write_atomically
from ..outputs import JSON_SUFFIX, json_path, parquet_part_path
from ..result import PoseResult
from ..sources import Frame, Source
from ..tracking import SequenceTracker
from .planning import WorkItem

__all__ = ["track_outputs"]


def _sequences(items: Sequence[WorkItem]) -> list[tuple[str, list[WorkItem]]]:
    """The items grouped by video (ranges in order), and by image folder, in plan order."""
    groups: dict[tuple[str, str], list[WorkItem]] = {}
    for item in items:
        if item.kind == "video":
            groups.setdefault(("video", item.sources[0]), []).append(item)
        else:
            for source in item.sources:
                single = WorkItem(kind="images", sources=(source,), start=0, stop=1, expected=1)
                groups.setdefault(("images", str(Path(source).parent)), []).append(single)
    out = []
    for (kind, _), group in groups.items():
        if kind == "video":
            group = sorted(group, key=lambda item: item.start)
        out.append((kind, group))
    return out


def _result(poses: np.ndarray, width: int) -> PoseResult:
    from ..layouts import get_layout

    k = width // 3
    layout = get_layout("coco") if k == get_layout("coco").n_parts else None
    return PoseResult(poses=poses.reshape(-1, k, 3), scores=np.zeros(len(poses), np.float32),
                      persons=np.zeros((len(poses), k), np.int32), keypoints=[], valid_pairs=[], invalid_pairs=[],
                      layout=layout, image_size=(0, 0), mode="")  # type: ignore[arg-type]


def _json_frames(folder: Path, kind: str, group: list[WorkItem]):
    """(frame, path) in order: a video's frame files (all there are), or a folder's images' files."""
    if kind == "images":
        for item in group:
            source = item.source_list()[0]
            path = json_path(folder, source.stem)
            if path.is_file():
                yield Frame(source, 0, None, None), path  # type: ignore[arg-type]
        return
    video = group[0].source_list()[0]
    pattern = re.compile(re.escape(video.stem) + r"_(\d{12})" + re.escape(JSON_SUFFIX) + r"\Z")
    found = []
    for path in folder.glob(f"{glob_escape(video.stem)}_*{JSON_SUFFIX}"):
        match = pattern.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    for index, path in sorted(found):
        yield Frame(video, index, None, None), path  # type: ignore[arg-type]


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _ids(result: PoseResult) -> list[int]:
    return [] if result.track_ids is None else [int(i) for i in result.track_ids]


def _write_text(path: Path, text: str) -> None:
    def write(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")

    write_atomically(path, write)


def _write_table(path: Path, table) -> None:
    import pyarrow.parquet as pq

    def write(tmp: str) -> None:
        pq.write_table(table, tmp)

    write_atomically(path, write)


def _track_json(folder: Path, kind: str, group: list[WorkItem], tracker: SequenceTracker) -> int:
    frames = 0
    for frame, path in _json_frames(folder, kind, group):
        data = json.loads(path.read_text(encoding="utf-8"))
        people = data.get("people", [])
        flat = [p["pose_keypoints_2d"] for p in people]
        width = len(flat[0]) if flat else 0
        poses = np.asarray(flat, np.float32).reshape(len(people), width) if width else np.zeros((0, 3), np.float32)
        tracked = tracker(frame, _result(poses, max(width, 3)))
        ids = _ids(tracked)
        for person, track_id in zip(people, ids, strict=True):
            person["person_id"] = [int(track_id)]
        _write_text(path, json.dumps(data, separators=(",", ":")))
        frames += 1
    return frames


def _track_parquet(folder: Path, kind: str, group: list[WorkItem], tracker: SequenceTracker) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = []
    for item in group:
        path = parquet_part_path(folder, item.key)
        if path.is_file():
            parts.append((path, pq.read_table(path)))
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
                          _result(poses, poses.shape[1]))
        for (_, _, n, r), track_id in zip(chunk, _ids(tracked), strict=True):
            tracks[n][r] = track_id
        frames += 1
        start = stop
    for (path, table), track in zip(parts, tracks, strict=True):
        column = table.schema.get_field_index("track")
        table = table.set_column(column, table.schema.field("track"), pa.array(track, pa.int64()))
        _write_table(path, table)
    return frames


def track_outputs(items: Sequence[WorkItem], output, fmt: str, **tracking_options) -> int:
    """Set the ids of every person in the job's outputs, one sequence per video and per image folder.

    Parameters
    ----------
    items : sequence of WorkItem
        Every item of the job's plan (also those skipped as already done).
    output : path
        The job's output folder.
    fmt : {"json", "parquet"}
    **tracking_options
        `openpose.PoseTracker`'s (``max_age``, ...); not ``smoothing``
        (the pass writes ids, never moves keypoints, so that a rerun is
        idempotent).

    Returns
    -------
    int
        The frames tracked.
    """
    if tracking_options.get("smoothing"):
        msg = "`smoothing` is not available in openpose batch (the pass only writes ids)"
        raise ValueError(msg)
    folder = Path(output)
    frames = 0
    for kind, group in _sequences(items):
        tracker = SequenceTracker(**tracking_options)
        if fmt == "json":
            frames += _track_json(folder, kind, group, tracker)
        elif fmt == "parquet":
            frames += _track_parquet(folder, kind, group, tracker)
        else:
            msg = f"`format` must be json or parquet, got {fmt!r}"
            raise ValueError(msg)
    return frames
