"""What runs on Ray's workers: the ``map_batches`` class and the work-item processor.

Neither imports Ray: both are plain callables that Ray instantiates once
per actor (one `PoseEstimator` each) and calls with batches of columns.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..estimator import EstimatorOptions
from ..frames import FrameOptions
from ..outputs import OutputOptions, Outputs, RunContext, batch_format
from ..pipeline import Processed, Summary, run_pipeline
from ..sources import Failure, Frame, read_frames
from .planning import WorkItem

__all__ = [
    "ATTEMPTS_FOLDER",
    "MAX_ATTEMPTS",
    "STATUS_COLUMNS",
    "PoseBatchPredictor",
    "WorkItemProcessor",
    "item_frames",
]

logger = logging.getLogger(__name__)

#: Attempts at one work item (a worker that dies on it is replaced and Ray retries it) before it is a failure.
MAX_ATTEMPTS = 3
#: The folder of the output that counts the attempts at the items in flight (removed at the end of a job).
ATTEMPTS_FOLDER = ".openpose-attempts"

#: The columns of a processed item's status row.
STATUS_COLUMNS = ("key", "frames", "people", "infer_s", "post_s", "failures")


def _n_parts(estimator, seen: int | None = None) -> int:
    """K of an empty result: the estimator's layout, else the last result's, else COCO's."""
    if estimator.layout is not None:
        return estimator.layout.n_parts
    if seen:
        return seen
    from ..layouts import get_layout

    return get_layout("coco").n_parts


class PoseBatchPredictor:
    """Pose estimation for ``Dataset.map_batches`` (use it as an actor class).

    Parameters
    ----------
    model : str or path
        The model file (see `openpose.PoseEstimator`); every worker must be
        able to read it at this path.
    channels : {"rgb", "bgr"}
        Channel order of the ``image`` column. ``ray.data.read_images``
        gives RGB (the default); ``cv2`` gives BGR.
    image_column : str
        The column holding the images.
    **estimator_options
        Passed to `openpose.PoseEstimator` (``net_height``, ``mode``,
        ``implementation``, ``layout``, ``weights``, the mode's constants).

    Notes
    -----
    A batch is a dict of columns (``batch_format="numpy"``). The image
    column holds ``(h, w, 3)`` uint8 arrays (an array ``(n, h, w, 3)`` or
    an object array of differently sized images). The result has the other
    columns unchanged and, per image:

    - ``poses``: object array of ``(P, K, 3)`` float32 (x, y, confidence in
      the image's pixels);
    - ``scores``: object array of ``(P,)`` float32;
    - ``people``: int32, ``P``;
    - ``error``: str, empty when the image was processed; an image that
      cannot be processed gets empty poses ``(0, K, 3)`` and its error,
      and the batch goes on.

    Examples
    --------
    >>> ds = ray.data.read_images("photos/", include_paths=True)      # doctest: +SKIP
    >>> ds = ds.map_batches(PoseBatchPredictor, fn_constructor_kwargs={"model": "pose.onnx"}, batch_size=16,
    ...                     compute=ray.data.ActorPoolStrategy(size=4))  # doctest: +SKIP
    """

    def __init__(self, model, *, channels: str = "rgb", image_column: str = "image", **estimator_options):
        from .. import _validation as v
        from ..estimator import PoseEstimator

        self.channels = v.choice(channels, "channels", ("rgb", "bgr"))
        if not isinstance(image_column, str):
            msg = f"`image_column` must be a str, got {type(image_column).__name__}"
            raise TypeError(msg)
        self.image_column = image_column
        self.estimator = PoseEstimator(model, **estimator_options)
        self._seen_parts: int | None = None

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self.image_column not in batch:
            msg = f"the batch has no `{self.image_column}` column (columns: {sorted(batch)})"
            raise ValueError(msg)
        images = batch[self.image_column]
        n = len(images)
        poses: list[np.ndarray | None] = []
        scores: list[np.ndarray] = []
        people = np.zeros(n, np.int32)
        errors = []
        for i in range(n):
            image = np.asarray(images[i])
            if self.channels == "rgb" and image.ndim == 3 and image.shape[2] in (3, 4):
                image = np.ascontiguousarray(image[:, :, [2, 1, 0] + ([3] if image.shape[2] == 4 else [])])
            try:
                result = self.estimator.estimate(image)
            except (ValueError, TypeError) as exc:
                poses.append(None)  # filled once the batch tells K
                scores.append(np.zeros((0,), np.float32))
                errors.append(f"cannot process it: {exc}")
                continue
            self._seen_parts = result.poses.shape[1]
            poses.append(result.poses)
            scores.append(np.asarray(result.scores, np.float32))
            people[i] = len(result)
            errors.append("")
        k = _n_parts(self.estimator, self._seen_parts)
        filled = [np.zeros((0, k, 3), np.float32) if p is None else p for p in poses]
        out = {name: column for name, column in batch.items() if name != self.image_column}
        out["poses"] = _object_array(filled)
        out["scores"] = _object_array(scores)
        out["people"] = people
        out["error"] = np.asarray(errors, dtype=object)
        return out


def _object_array(items: list[np.ndarray]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def item_frames(item: WorkItem, frame_options: FrameOptions | None = None) -> Iterator[Frame | Failure]:
    """The frames of one work item, decoded as the command decodes them (`openpose.sources.read_frames`).

    A video range's failures are named by the item's label (the video and
    the range). The frames the planner selected are kept
    (`FrameOptions.wanted`) and transformed (`FrameOptions.transform`).
    """
    frame_options = FrameOptions() if frame_options is None else frame_options
    if item.kind == "images":
        for source in item.source_list():
            for frame in read_frames(source):
                yield frame_options.transform(frame) if isinstance(frame, Frame) else frame
        return
    video = item.source_list()[0]
    expected = item.expected if item.step == 1 else item.frames_read
    for frame in read_frames(video, start=item.start, count=item.count, expected=expected):
        if isinstance(frame, Failure):
            yield Failure(item.label, frame.reason)
        elif frame_options.wanted(frame.index):
            yield frame_options.transform(frame)


class WorkItemProcessor:
    """The job's actor: processes work items and writes their outputs.

    Called with a batch of `WorkItem` rows (``WorkItem.to_row``); gives
    one status row per item (`STATUS_COLUMNS`; ``failures`` is the JSON
    text of a list of ``{"source", "error"}``). An item that fails as a
    whole is one of its failures, not an error of the actor.
    """

    def __init__(self, *, output: str, fmt: str, estimator: EstimatorOptions | None = None,
                 frames: FrameOptions | None = None, outputs: OutputOptions | None = None,
                 threads: int | None = None):
        import cv2

        from ..estimator import PoseEstimator

        if threads:
            cv2.setNumThreads(int(threads))
        self.estimator = PoseEstimator.from_options(EstimatorOptions() if estimator is None else estimator)
        self.output = Path(output)
        self.fmt = fmt
        self.frames = FrameOptions() if frames is None else frames
        self.outputs = OutputOptions() if outputs is None else outputs

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        status: dict[str, list] = {k: [] for k in STATUS_COLUMNS}
        for i in range(len(batch["kind"])):
            item = WorkItem.from_row({name: batch[name][i] for name in batch})
            summary = self.process_bounded(item)
            status["key"].append(item.key)
            status["frames"].append(summary.frames)
            status["people"].append(summary.people)
            status["infer_s"].append(summary.infer_s)
            status["post_s"].append(summary.post_s)
            status["failures"].append(json.dumps([f.to_dict() for f in summary.failures]))
        return {k: np.asarray(v, dtype=object if k in ("key", "failures") else None) for k, v in status.items()}

    def process_bounded(self, item: WorkItem) -> Summary:
        """`process`, at most `MAX_ATTEMPTS` times per item across worker deaths.

        An attempt is counted in a file under ``<output>/ATTEMPTS_FOLDER``
        before the item starts and the file is removed when it ends; a
        worker that dies on the item (a crash in a native library) leaves
        it, and Ray retries the item on a new worker. After `MAX_ATTEMPTS`
        the item is a failure (``failures.jsonl``), not tried again: the
        job ends.
        """
        marker = self.output / ATTEMPTS_FOLDER / item.key
        try:
            attempts = int(marker.read_text() or 0)
        except (OSError, ValueError):
            attempts = 0
        if attempts >= MAX_ATTEMPTS:
            marker.unlink(missing_ok=True)
            return Summary(failures=[Failure(item.label, f"the worker died {attempts} times while processing it "
                                             "(a crash in a native library?); not tried again")])
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(str(attempts + 1))
        except OSError as exc:
            logger.warning("cannot count the attempts of work item %s: %s", item.label, exc)
        summary = self.process(item)
        marker.unlink(missing_ok=True)
        return summary

    def process(self, item: WorkItem) -> Summary:
        """Process one item and write its outputs; its failures are in the summary."""
        write_failures: list[Failure] = []

        def consume(processed) -> bool:
            if isinstance(processed, Processed):
                try:
                    outputs.write(processed.frame, processed.result)
                except (OSError, ValueError) as exc:
                    write_failures.append(Failure(processed.frame.label, f"cannot write its output: {exc}"))
            return True

        try:
            context = RunContext.of(self.estimator, key=item.key, folder=self.output)
            writer = batch_format(self.fmt).open_batch(self.output, self.outputs, context)
            outputs = Outputs(context=context, extra=[writer])
            summary = run_pipeline(self.estimator, item_frames(item, self.frames), consume,
                                   frame_options=self.frames)
        except Exception as exc:  # noqa: BLE001 - recorded, the job goes on
            logger.warning("work item %s failed: %s", item.label, exc)
            return Summary(failures=[Failure(item.label, f"{type(exc).__name__}: {exc}")])
        summary.failures.extend(write_failures)
        try:
            outputs.close(complete=not summary.failures)
        except Exception as exc:  # noqa: BLE001 - recorded, the job goes on
            what = "Parquet file" if self.fmt == "parquet" else "outputs"
            summary.failures.append(Failure(item.label, f"cannot write its {what}: {exc}"))
        return summary
