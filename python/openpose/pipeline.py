"""Frames in, results out: the threaded pipeline behind the ``openpose`` command and the Ray workers.

`iter_frames` turns the inputs (image files, folders, videos, cameras;
classified by `openpose.sources.classify`) into a stream of `Frame` items.
Five stages run in their own threads, joined by small bounded queues:

1. decoding (``cv2.imread`` / ``VideoCapture.read``),
2. pre-processing (`PoseEstimator.prepare_input`: resize, scale, transpose),
3. the network (`PoseEstimator.forward_prepared`: the engine alone),
4. post-processing (the C++ core releases the GIL),
5. the consumer: writing JSON, images, video, display (the caller's thread).

So while frame *n* is post-processed, frame *n+1* is in the network and
frames *n+2* and *n+3* are prepared and decoded: the network's thread runs
nothing but the network. Order is kept (one thread per stage). A file that
cannot be read becomes a `Failure` item that flows to the consumer; the
other files go on.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .estimator import NetInput
from .frames import FrameOptions
from .result import PoseResult
from .sources import (
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    Failure,
    Frame,
    Note,
    Source,
    classify,
    count_frames,
)

__all__ = [
    "IMAGE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "Failure",
    "Frame",
    "Note",
    "Processed",
    "Summary",
    "count_frames",
    "iter_frames",
    "run_pipeline",
]

_QUEUE_SIZE = 4


@dataclass
class Processed:
    """A frame with its result, the time each stage took (seconds), and its network output if kept."""

    frame: Frame
    result: PoseResult
    infer_s: float
    post_s: float
    net_output: np.ndarray | None = None


@dataclass
class Summary:
    """Totals of a run: of the command (`run_pipeline`) or of a Ray job (`openpose.ray.run_batch`).

    Attributes
    ----------
    frames, people : int
        Images and video frames processed, and the people found in them.
    infer_s, post_s : float
        Seconds in the network and in post-processing, summed over frames.
    wall_s : float
        Seconds from start to end.
    failures : list of Failure
    notes : list of str
        Skipped files and the like (not errors).
    items, skipped_items : int or None
        A Ray job: its work items, and those already done by an earlier
        run (skipped). None for the command.
    run_s : float
        A Ray job: the seconds its workers ran.
    workers : int
        A Ray job: the workers (actors) it used.
    """

    frames: int = 0
    people: int = 0
    infer_s: float = 0.0
    post_s: float = 0.0
    wall_s: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    items: int | None = None
    skipped_items: int = 0
    run_s: float = 0.0
    workers: int = 0

    def add(self, item: Processed | Failure | Note) -> None:
        """Count one item of `run_pipeline`'s stream."""
        if isinstance(item, Processed):
            self.frames += 1
            self.people += len(item.result)
            self.infer_s += item.infer_s
            self.post_s += item.post_s
        elif isinstance(item, Failure):
            self.failures.append(item)
        elif isinstance(item, Note):
            self.notes.append(item.text)

    def merge(self, other: Summary) -> None:
        """Add another run's frames, people, times, failures and notes (a Ray work item's)."""
        self.frames += other.frames
        self.people += other.people
        self.infer_s += other.infer_s
        self.post_s += other.post_s
        self.failures.extend(other.failures)
        self.notes.extend(other.notes)

    def text(self) -> str:
        """One line for the end of a run."""
        n = max(self.frames, 1)
        per_frame = (f"per frame: inference {1000 * self.infer_s / n:.1f} ms, "
                     f"post-processing {1000 * self.post_s / n:.1f} ms")
        if self.items is None:
            fps = self.frames / self.wall_s if self.wall_s > 0 else 0.0
            line = (f"{self.frames} image(s)/frame(s), {self.people} people; {per_frame}; "
                    f"{self.wall_s:.1f} s in all ({fps:.1f} fps)")
            if self.failures:
                line += f"; {len({f.label for f in self.failures})} bad input(s)"
            return line
        from .outputs.base import FAILURES_FILE

        fps = self.frames / self.run_s if self.run_s > 0 else 0.0
        per_worker = fps / self.workers if self.workers else 0.0
        line = (f"{self.frames} image(s)/frame(s) in {self.items} work item(s) ({self.skipped_items} already done, "
                f"skipped), {self.people} people; {per_frame}; {self.wall_s:.1f} s in all, {self.run_s:.1f} s "
                f"running ({fps:.1f} fps, {per_worker:.1f} fps per worker over {self.workers} worker(s))")
        if self.failures:
            line += f"; {len(self.failures)} failure(s), see {FAILURES_FILE}"
        return line


def iter_frames(
    inputs: Sequence[str | Path],
    *,
    camera: int | None = None,
    max_frames: int | None = None,
    sources: Sequence[Source | Failure | Note] | None = None,
) -> Iterator[Frame | Failure | Note]:
    """The frames of every input, in order, with failures and notes in between.

    Parameters
    ----------
    inputs : sequence of paths
        Image files, folders and video files, classified by
        `openpose.sources.classify` (a folder: its image files, sorted by
        name; other files skipped with a `Note`).
    camera : int, optional
        A camera index, read after the inputs through the video path.
    max_frames : int, optional
        At most this many frames per video or camera.
    sources : sequence, optional
        ``classify(inputs, camera=camera)`` already done by the caller.

    Every frame; `FrameOptions.select` selects and transforms them.
    """
    items = classify(inputs, camera=camera) if sources is None else sources
    yield from FrameOptions(max_frames=max_frames).select(items)


_END = object()


def _put(q: queue.Queue, item, stop: threading.Event) -> bool:
    """Put unless the run is being stopped; False when stopped."""
    while not stop.is_set():
        try:
            q.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _producer(items: Iterable, out: queue.Queue, stop: threading.Event, errors: list) -> None:
    try:
        for item in items:
            if not _put(out, item, stop):
                break
    except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
        errors.append(exc)
    finally:
        out.put(_END)


def _stage(fn: Callable, inp: queue.Queue, out: queue.Queue, stop: threading.Event, errors: list) -> None:
    try:
        while True:
            item = inp.get()
            if item is _END:
                break
            if stop.is_set():
                continue  # drain
            if not isinstance(item, (Failure, Note)):
                try:
                    item = fn(item)
                except (ValueError, TypeError) as exc:
                    label = item[0].label if isinstance(item, tuple) else item.label
                    item = Failure(label, f"cannot process it: {exc}")
            _put(out, item, stop)
    except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
        errors.append(exc)
        stop.set()
    finally:
        out.put(_END)


def run_pipeline(
    estimator,
    items: Iterable[Frame | Failure | Note],
    consume: Callable[[Processed | Failure | Note], bool],
    *,
    frame_options: FrameOptions | None = None,
    keep_net_output: bool = False,
) -> Summary:
    """Run `estimator` over `items` in five overlapped stages.

    Parameters
    ----------
    estimator : PoseEstimator
        Its `PoseEstimator.prepare_input`, `PoseEstimator.forward_prepared`
        and `PoseEstimator.postprocess` run in their threads.
    items : iterable of Frame, Failure or Note
        Typically `iter_frames(...)` or `FrameOptions.select(...)`; it is
        consumed in a decoding thread.
    consume : callable
        Called in the caller's thread, in order, with each `Processed`
        frame, `Failure` and `Note`. Returning False stops the run early.
    frame_options : FrameOptions, optional
        Its people limit (``--number-people-max``) applies to every result.
    keep_net_output : bool
        Hand each frame's network output on with it (`Processed.net_output`).

    Returns
    -------
    Summary
        Frame and people counts, the time spent in the network and in
        post-processing, the wall time, the failures and the notes.
    """
    stop = threading.Event()
    errors: list = []
    decoded: queue.Queue = queue.Queue(_QUEUE_SIZE)
    prepared: queue.Queue = queue.Queue(_QUEUE_SIZE)
    inferred: queue.Queue = queue.Queue(_QUEUE_SIZE)
    done: queue.Queue = queue.Queue(_QUEUE_SIZE)

    def prepare(frame: Frame) -> tuple[Frame, NetInput]:
        # Pre-processing (resize, scale, transpose) in its own thread: the network's thread only runs the network.
        return frame, estimator.prepare_input(frame.image)

    def infer(item: tuple[Frame, NetInput]) -> tuple[Frame, np.ndarray, tuple[int, int], float]:
        frame, net_input = item
        t0 = time.perf_counter()
        out, size = estimator.forward_prepared(net_input)
        return frame, out, size, time.perf_counter() - t0

    def post(item) -> Processed:
        frame, out, size, infer_s = item
        t0 = time.perf_counter()
        result = estimator.postprocess(out, image_size=size)
        if frame_options is not None:
            result = frame_options.keep_people(result)
        return Processed(frame, result, infer_s, time.perf_counter() - t0, out if keep_net_output else None)

    threads = [
        threading.Thread(target=_producer, args=(items, decoded, stop, errors), name="openpose-decode", daemon=True),
        threading.Thread(target=_stage, args=(prepare, decoded, prepared, stop, errors), name="openpose-prepare",
                         daemon=True),
        threading.Thread(target=_stage, args=(infer, prepared, inferred, stop, errors), name="openpose-net",
                         daemon=True),
        threading.Thread(target=_stage, args=(post, inferred, done, stop, errors), name="openpose-post", daemon=True),
    ]
    summary = Summary()
    start = time.perf_counter()
    for t in threads:
        t.start()
    try:
        while True:
            item = done.get()
            if item is _END:
                break
            if stop.is_set():
                continue
            summary.add(item)
            if consume(item) is False:
                stop.set()
    except BaseException:
        stop.set()
        raise
    finally:
        for t in threads:
            # Threads finish on their own: stop makes them drain and pass _END on.
            while t.is_alive():
                _drain(done)
                t.join(timeout=0.1)
        summary.wall_s = time.perf_counter() - start
    if errors:
        raise errors[0]
    return summary


def _drain(q: queue.Queue) -> None:
    try:
        while True:
            q.get_nowait()
    except queue.Empty:
        pass
