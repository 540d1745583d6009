"""Planning a Ray job, without Ray: inputs -> work items, and which items a rerun can skip.

The inputs are classified as the command classifies them
(`openpose.sources.classify`); image files are grouped into chunks and
each video is cut into frame ranges, so that a long video spreads over the
workers. Everything here runs on the driver and reads video headers only.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

from ..frames import FrameOptions
from ..outputs import batch_format, output_stem
from ..sources import IMAGE, VIDEO, Failure, InputOptions, Source, video_frame_count

__all__ = ["Plan", "WorkItem", "is_complete", "plan_work"]


@dataclass(frozen=True)
class WorkItem:
    """One unit of work: a chunk of images or a range of one video's frames.

    Attributes
    ----------
    kind : {"images", "video"}
    sources : tuple of str
        Absolute paths: the images, or the one video.
    start, stop : int
        The video's frames ``start <= frame < stop``; ``stop == -1``: to
        the end of the video. ``0, len(sources)`` for images.
    expected : int
        Frames the item should give (the header's count for a video; 0:
        unknown).
    step : int
        A video item's frames are every `step`-th from `start` on
        (``--frame-step``); 1 for images.
    """

    kind: str
    sources: tuple[str, ...]
    start: int = 0
    stop: int = 0
    expected: int = 0
    step: int = 1

    @property
    def key(self) -> str:
        """A name for the item that depends only on what it covers."""
        text = "\n".join([self.kind, str(self.start), str(self.stop), *self.sources])
        if self.step != 1:  # the keys of step-1 items are those they always had
            text += f"\nstep {self.step}"
        return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:20]

    @property
    def label(self) -> str:
        if self.kind == "video":
            end = "end" if self.stop < 0 else str(self.stop)
            return f"{self.sources[0]} [frames {self.start}..{end})"
        return self.sources[0] if len(self.sources) == 1 else f"{len(self.sources)} images from {self.sources[0]}"

    def source_list(self) -> list[Source]:
        """The item's sources as `openpose.sources.Source` items."""
        kind = IMAGE if self.kind == "images" else VIDEO
        return [Source(kind, s) for s in self.sources]

    @property
    def count(self) -> int | None:
        """A video item's frames to read (None: to the end)."""
        return None if self.stop < 0 else self.stop - self.start

    @property
    def frames_read(self) -> int:
        """A video item's frames to decode for its `expected` ones, every `step`-th (0: unknown)."""
        return (self.expected - 1) * self.step + 1 if self.expected > 0 else 0

    def stems(self) -> list[str]:
        """The output stems of the item's frames (a video: up to its expected count)."""
        if self.kind == "images":
            return [output_stem(s, 0) for s in self.source_list()]
        video = self.source_list()[0]
        return [output_stem(video, i) for i in range(self.start, self.start + self.expected * self.step, self.step)]

    def to_row(self) -> dict:
        row = asdict(self)
        row["sources"] = [_row_text(s) for s in self.sources]
        return row

    @classmethod
    def from_row(cls, row) -> WorkItem:
        return cls(kind=str(row["kind"]), sources=tuple(_row_path(str(s)) for s in row["sources"]),
                   start=int(row["start"]), stop=int(row["stop"]), expected=int(row["expected"]),
                   step=int(row.get("step", 1)))


# A path that is not valid UTF-8 (a str with surrogate escapes) cannot be an
# Arrow string: in a row it is this prefix (no path holds NUL) and its bytes in base64.
_BYTES_PREFIX = "\0fsbytes:"


def _row_text(path: str) -> str:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return _BYTES_PREFIX + base64.b64encode(os.fsencode(path)).decode("ascii")
    return path


def _row_path(text: str) -> str:
    if text.startswith(_BYTES_PREFIX):
        return os.fsdecode(base64.b64decode(text[len(_BYTES_PREFIX):]))
    return text


class Plan(NamedTuple):
    """What `plan_work` gives."""

    items: list[WorkItem]
    failures: list[Failure]
    notes: list[str]


def _positive(value, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        msg = f"`{name}` must be a positive integer, got {value!r}"
        raise ValueError(msg)


def plan_work(
    inputs: Sequence[str | Path],
    *,
    images_per_item: int = 16,
    frames_per_item: int = 64,
    frame_options: FrameOptions | None = None,
    input_options: InputOptions | None = None,
) -> Plan:
    """Split inputs into work items (on the driver; reads video headers only).

    Parameters
    ----------
    inputs : sequence of paths
        Image files, folders and video files, classified as the command
        classifies them (`openpose.sources.InputOptions.classify`).
    images_per_item : int
        Images per item, consecutive in input order.
    frames_per_item : int
        Video frames per item.
    frame_options : FrameOptions, optional
        The frames selected (`FrameOptions.wanted`: a video's frames, the
        images numbered over all image inputs in order) and at most
        ``max_frames`` of each video, as the command selects them; frame
        numbers stay the source's.
    input_options : InputOptions, optional
        How folders are read (``recursive``, ``skip_folder_videos``).

    Returns
    -------
    Plan
        ``items`` (list of WorkItem), ``failures`` (the inputs that cannot
        be planned: missing, neither an image nor a video, an unreadable
        video; list of `Failure`) and ``notes`` (the files skipped).
    """
    _positive(images_per_item, "images_per_item")
    _positive(frames_per_item, "frames_per_item")
    frame_options = FrameOptions() if frame_options is None else frame_options
    input_options = InputOptions() if input_options is None else input_options
    if input_options.camera is not None:
        msg = "`input_options`: a camera cannot be planned into work items"
        raise ValueError(msg)

    plan = Plan([], [], [])
    image_number = 0
    pending_images: list[str] = []

    def flush_images() -> None:
        for i in range(0, len(pending_images), images_per_item):
            chunk = tuple(pending_images[i:i + images_per_item])
            plan.items.append(WorkItem("images", chunk, 0, len(chunk), len(chunk)))
        pending_images.clear()

    for entry in input_options.classify(inputs, absolute=True):
        if isinstance(entry, Failure):
            plan.failures.append(entry)
        elif not isinstance(entry, Source):
            plan.notes.append(entry.text)
        elif entry.kind == IMAGE:
            if frame_options.wanted(image_number):
                pending_images.append(entry.location)
            image_number += 1
        elif entry.kind == VIDEO:
            flush_images()
            if frame_options.selects_all:
                _plan_video(entry, plan, frames_per_item, frame_options.max_frames)
            else:
                _plan_video_selection(entry, plan, frames_per_item, frame_options)
    flush_images()
    return plan


def _frame_count(video: Source, plan: Plan) -> int | None:
    """The video's frame count from its header (0 or less: none given), or None, noted as a failure, when it cannot
    be opened."""
    count = video_frame_count(video.location)
    if count is None:
        plan.failures.append(Failure(video.label, "cannot open it as a video (corrupt, truncated or unsupported)"))
    return count


def _plan_video(video: Source, plan: Plan, frames_per_item: int, max_frames: int | None) -> None:
    count = _frame_count(video, plan)
    if count is None:
        return
    path = (video.location,)
    limit = count if max_frames is None else min(count, max_frames) if count > 0 else max_frames
    if limit <= 0:  # no frame count in the header: one item, read to the end
        plan.items.append(WorkItem("video", path, 0, -1 if max_frames is None else max_frames, 0))
        return
    for start in range(0, limit, frames_per_item):
        stop = min(start + frames_per_item, limit)
        last = stop == limit
        # The last range of a whole video reads to the end, as the single-machine command does.
        plan.items.append(WorkItem("video", path, start, -1 if (last and max_frames is None) else stop, stop - start))


def _plan_video_selection(video: Source, plan: Plan, frames_per_item: int, selection: FrameOptions) -> None:
    """`_plan_video` for a frame selection: each item is `frames_per_item` selected frames."""
    count = _frame_count(video, plan)
    if count is None:
        return
    path = (video.location,)
    first, last, step = selection.frame_first, selection.frame_last, selection.frame_step
    max_frames = selection.max_frames
    if count <= 0:  # no frame count in the header: one item, read to the end (or to the last frame asked for)
        stops = [n for n in (None if last is None else last + 1,
                             None if max_frames is None else first + (max_frames - 1) * step + 1) if n is not None]
        plan.items.append(WorkItem("video", path, first, min(stops) if stops else -1, 0, step))
        return
    end = count if last is None else min(count, last + 1)
    selected = max(0, -(-(end - first) // step))
    if max_frames is not None:
        selected = min(selected, max_frames)
    for j in range(0, selected, frames_per_item):
        n = min(frames_per_item, selected - j)
        start = first + j * step
        stop = start + (n - 1) * step + 1
        # The last range of a video selected to its end reads to the end, as the single-machine command does.
        to_end = j + n == selected and last is None and max_frames is None
        plan.items.append(WorkItem("video", path, start, -1 if to_end else stop, n, step))


def is_complete(item: WorkItem, output, fmt: str) -> bool:
    """Whether the item's outputs in format `fmt` are all there (then a rerun skips it)."""
    return batch_format(fmt).is_complete(Path(output), key=item.key, stems=item.stems())
