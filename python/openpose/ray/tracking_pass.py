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

from collections.abc import Sequence
from pathlib import Path

from ..outputs import batch_format
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


def track_outputs(items: Sequence[WorkItem], output, fmt: str, **tracking_options) -> int:
    """Set the ids of every person in the job's outputs, one sequence per video and per image folder.

    Parameters
    ----------
    items : sequence of WorkItem
        Every item of the job's plan (also those skipped as already done).
    output : path
        The job's output folder.
    fmt : {"json", "parquet"}
        A batch format: its `openpose.outputs.Output.retrack` rewrites the ids.
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
    writer = batch_format(fmt)
    folder = Path(output)
    frames = 0
    for kind, group in _sequences(items):
        frames += writer.retrack(folder, kind, group, SequenceTracker(**tracking_options))
    return frames
