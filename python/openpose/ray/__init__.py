"""Pose estimation over large image and video collections on Ray Data.

Needs the optional extra: ``pip install "openpose[ray]"``. Importing
``openpose`` does not import Ray; this module imports it only when one of
its functions or classes is used.

Two levels:

`PoseBatchPredictor`
    A callable class for ``ray.data.Dataset.map_batches``: one
    `PoseEstimator` per actor, loaded once; batches of decoded images in
    (an ``image`` column), rows of poses and scores out. For datasets users
    build themselves, e.g. with ``ray.data.read_images``.

`run_batch` (the ``openpose batch`` command)
    The whole job from paths: image files, folders and videos are planned on
    the driver into *work items* (a chunk of images, or a range of a
    video's frames, so that a long video spreads over the workers); each
    item is decoded (``cv2.imread`` / ``cv2.VideoCapture``, as the
    single-machine command does) and processed on an actor, which writes
    the item's outputs itself:

    - ``json``: ``<stem>_keypoints.json`` per image and
      ``<video stem>_<frame, 12 digits>_keypoints.json`` per video frame,
      byte for byte what ``openpose INPUT --write-json DIR`` writes;
    - ``parquet``: one file per item (``part-<key>.parquet``), one row per
      person: ``source``, ``frame`` (0 for an image), ``person``,
      ``keypoints`` (``3 * K`` float32: x, y, c per part as in OpenPose
      JSON), ``score``, ``track`` (-1, or the person's id with tracking).

    With ``tracking=True`` (``openpose batch --tracking``) a sequential pass
    on the driver after the job sets each person's id, one sequence per
    video, as ``openpose VIDEO --tracking`` does (`tracking_pass`).

    Every file is written atomically (temporary file, then rename) under a
    name that depends only on the input, so a retried item (Ray restarts a
    dead worker and runs its task again) rewrites the same files with the
    same content: nothing is lost or duplicated. A rerun skips the items
    whose outputs are complete. An input that fails is recorded (with its
    error) in ``failures.jsonl`` in the output folder and the job goes on;
    a file skipped (a non-image file in a folder) is a note, as in the
    command.

On a cluster, the inputs, the model and the output folder must be at the
same paths on every node (a shared file system).

The package: `planning` (work items, frame ranges, what a rerun skips; no
Ray), `worker` (`PoseBatchPredictor`, the work-item processor; no Ray),
`driver` (`run_batch`). The options are the layers' config values, as the
command's (`openpose.estimator.EstimatorOptions`,
`openpose.frames.FrameOptions`, `openpose.outputs.OutputOptions`,
`openpose.tracking.TrackingOptions`); inputs are classified and decoded by
`openpose.sources`, outputs written by `openpose.outputs`, as the command
does; a job's totals are the command's `openpose.pipeline.Summary`.
"""

from __future__ import annotations

from ..outputs import FAILURES_FILE
from ..outputs.parquet_output import PARQUET_COLUMNS
from ..pipeline import Summary
from .driver import _ray as _ray  # the import check of `openpose batch`
from .driver import build_pipeline, check_job, run_batch
from .planning import Plan, WorkItem, is_complete, plan_work
from .worker import PoseBatchPredictor, WorkItemProcessor

__all__ = [
    "FAILURES_FILE",
    "PARQUET_COLUMNS",
    "Plan",
    "PoseBatchPredictor",
    "Summary",
    "WorkItem",
    "WorkItemProcessor",
    "build_pipeline",
    "check_job",
    "is_complete",
    "plan_work",
    "run_batch",
]
