"""The job on the driver: plan, skip what is done, run the workers on Ray Data, sum up."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..outputs import prepare_folder, write_failures
from ..pipeline import Summary
from ..sources import Failure
from .planning import FORMATS, WorkItem, is_complete, plan_work
from .worker import ATTEMPTS_FOLDER, WorkItemProcessor

__all__ = ["build_pipeline", "run_batch"]

_INSTALL_HINT = 'openpose.ray needs Ray Data: pip install "openpose[ray]"'


def _ray():
    try:
        import ray
        import ray.data
    except ImportError as exc:
        msg = f"{_INSTALL_HINT} ({exc})"
        raise ImportError(msg) from exc
    return ray


def _estimator_defaults() -> dict:
    import inspect

    from ..estimator import PoseEstimator

    params = inspect.signature(PoseEstimator).parameters
    return {name: params[name].default for name in ("mode", "implementation")}


def build_pipeline(
    items: Sequence[WorkItem],
    *,
    model=None,
    output,
    format: str = "json",  # noqa: A002 - the user-facing name
    num_workers: int = 2,
    cpus_per_worker: float = 1.0,
    **estimator_options,
):
    """The Ray Dataset that processes `items` and writes their outputs.

    Parameters
    ----------
    items : sequence of WorkItem
        From `plan_work`.
    model : str or path, optional
        A built-in model's short name (each worker reads its own
        installation's), or a model file at the same path on every node;
        default: the preset's built-in model.
    output : path
        The output folder (created), on a file system every node shares.
    format : {"json", "parquet"}
    num_workers : int
        Actors, each holding one `PoseEstimator`.
    cpus_per_worker : float
        CPUs Ray reserves for each actor (and OpenCV's thread count there).
    **estimator_options
        Passed to `openpose.PoseEstimator` on every worker.

    Returns
    -------
    ray.data.Dataset
        Lazy; one row per item: ``key``, ``frames``, ``people``,
        ``infer_s``, ``post_s``, ``failures`` (JSON text of a list).
        Iterating it runs the job.
    """
    ray = _ray()
    from .. import _validation as v

    fmt = v.choice(format, "format", FORMATS)
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers <= 0:
        msg = f"`num_workers` must be a positive integer, got {num_workers!r}"
        raise ValueError(msg)
    if not items:
        msg = "`items` is empty: nothing to process"
        raise ValueError(msg)
    output = Path(output).absolute()
    output.mkdir(parents=True, exist_ok=True)
    rows = [item.to_row() for item in items]
    ds = ray.data.from_items(rows, override_num_blocks=len(rows))
    threads = max(1, int(cpus_per_worker))
    return ds.map_batches(
        WorkItemProcessor,
        fn_constructor_kwargs=dict(model=_worker_model(model), output=str(output), fmt=fmt,
                                   threads=threads, **estimator_options),
        batch_size=1,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=num_workers),
        num_cpus=cpus_per_worker,
    )


def _worker_model(model):
    """The model as the workers get it: a built-in name or None as it is, a file as an absolute path."""
    from ..models import BUILTIN_MODELS

    if model is None or (isinstance(model, str) and model in {m.name for m in BUILTIN_MODELS}):
        return model
    return str(Path(model).absolute())


def _openpose_options(*, number_people_max, keypoint_scale, frame_flip, frame_rotate) -> dict:
    """The worker's OpenPose options, checked on the driver (only those that are not the defaults)."""
    from ..keypoint_scale import KEYPOINT_SCALES
    from ..sources import FRAME_ROTATIONS

    if number_people_max is not None and (isinstance(number_people_max, bool)
                                          or not isinstance(number_people_max, int) or number_people_max < 1):
        msg = f"`number_people_max` must be a positive integer or None, got {number_people_max!r}"
        raise ValueError(msg)
    if isinstance(keypoint_scale, bool) or keypoint_scale not in KEYPOINT_SCALES:
        msg = f"`keypoint_scale` must be one of {KEYPOINT_SCALES}, got {keypoint_scale!r}"
        raise ValueError(msg)
    if not isinstance(frame_flip, bool):
        msg = f"`frame_flip` must be True or False, got {frame_flip!r}"
        raise TypeError(msg)
    if isinstance(frame_rotate, bool) or frame_rotate not in FRAME_ROTATIONS:
        msg = f"`frame_rotate` must be one of {FRAME_ROTATIONS}, got {frame_rotate!r}"
        raise ValueError(msg)
    given = dict(number_people_max=number_people_max, keypoint_scale=keypoint_scale, frame_flip=frame_flip,
                 frame_rotate=frame_rotate)
    defaults = dict(number_people_max=None, keypoint_scale=0, frame_flip=False, frame_rotate=0)
    return {k: value for k, value in given.items() if value != defaults[k]}


def run_batch(
    inputs: Sequence[str | Path],
    *,
    model=None,
    output,
    format: str = "json",  # noqa: A002
    address: str | None = None,
    num_workers: int | None = None,
    cpus_per_worker: float = 1.0,
    images_per_item: int = 16,
    frames_per_item: int = 64,
    max_frames: int | None = None,
    progress: bool = True,
    on_item: Callable[[dict], None] | None = None,
    tracking: bool = False,
    tracking_max_age: int = 10,
    number_people_max: int | None = None,
    keypoint_scale: int = 0,
    frame_first: int = 0,
    frame_last: int | None = None,
    frame_step: int = 1,
    frame_flip: bool = False,
    frame_rotate: int = 0,
    **estimator_options,
) -> Summary:
    """Run pose estimation over `inputs` on Ray and write the results.

    Parameters
    ----------
    inputs : sequence of paths
        Image files, folders of images and video files, classified as the
        ``openpose`` command classifies them (`openpose.sources.classify`).
    model : str or path, optional
        As `openpose.PoseEstimator`'s: a built-in model's short name or a
        model file (``.onnx``, ``.xml``, or ``.prototxt`` with
        ``weights=``), at the same path on every node; default: the
        preset's built-in model.
    output : path
        The output folder: JSON files or Parquet parts, and `FAILURES_FILE`.
    format : {"json", "parquet"}
    address : str, optional
        A running cluster (``"auto"``, ``"HOST:PORT"``, ``"ray://..."``);
        default: the Ray instance this process is connected to, else a
        local one started for the job (and stopped after it).
    num_workers : int, optional
        Actors; default: the cluster's CPUs / `cpus_per_worker`.
    cpus_per_worker : float
    images_per_item, frames_per_item, max_frames
        See `plan_work`.
    progress : bool
        A progress bar (tqdm, on stderr) over frames.
    on_item : callable, optional
        Called on the driver with each finished item's status row.
    tracking : bool
        Give each person an id, one sequence per video (and per image
        folder), the ids of ``openpose INPUT --tracking``: a sequential
        pass over the outputs on the driver after the parallel job
        (`openpose.ray.tracking_pass`), so chunking and retried workers
        do not change them.
    tracking_max_age : int
        `openpose.PoseTracker`'s ``max_age``.
    number_people_max : int, optional
        Keep the N highest-scoring people of each image or frame
        (OpenPose's ``--number_people_max``; `openpose.people.keep_top_people`).
    keypoint_scale : {0, 1, 3, 4}
        The coordinates written (JSON and Parquet; `openpose.keypoint_scale`).
    frame_first, frame_last, frame_step : int
        The frames processed (`plan_work`'s `first`, `last`, `step`); frame
        numbers stay the source's.
    frame_flip : bool
        Mirror every frame before processing.
    frame_rotate : {0, 90, 180, 270}
        Rotate every frame clockwise (after `frame_flip`).
    **estimator_options
        Passed to `openpose.PoseEstimator` (``net_height``, ``mode``,
        ``implementation``, ``layout``, ``weights``, ...). The mode and
        implementation default to `PoseEstimator`'s.

    Returns
    -------
    Summary
        The command's summary type, with the job's ``items``,
        ``skipped_items``, ``run_s`` and ``workers``. Its ``failures`` are
        also written to ``output/failures.jsonl``; its ``notes`` name the
        files skipped.
    """
    ray = _ray()
    from ..estimator import PoseEstimator

    started = time.perf_counter()
    options = {**_estimator_defaults(), **estimator_options}
    # Fail fast on the driver on a bad model or bad options, before any worker starts.
    PoseEstimator(model, **options)
    openpose_options = _openpose_options(number_people_max=number_people_max, keypoint_scale=keypoint_scale,
                                         frame_flip=frame_flip, frame_rotate=frame_rotate)
    output = Path(output).absolute()
    output.mkdir(parents=True, exist_ok=True)
    prepare_folder(output, "--output")
    fmt = format
    if fmt not in FORMATS:
        msg = f"`format` must be one of {FORMATS}, got {format!r}"
        raise ValueError(msg)

    plan = plan_work(inputs, images_per_item=images_per_item, frames_per_item=frames_per_item,
                     max_frames=max_frames, first=frame_first, last=frame_last, step=frame_step)
    todo = [item for item in plan.items if not is_complete(item, output, fmt)]
    summary = Summary(items=len(plan.items), skipped_items=len(plan.items) - len(todo),
                      failures=list(plan.failures), notes=list(plan.notes))

    if todo:
        own = False
        if not ray.is_initialized():
            kwargs: dict = {"address": address, "include_dashboard": False, "log_to_driver": False}
            if address is None:
                kwargs["num_cpus"] = int(num_workers * cpus_per_worker) if num_workers else None
            ray.init(**{k: v for k, v in kwargs.items() if v is not None})
            own = True
        try:
            ctx = ray.data.DataContext.get_current()
            ctx.enable_progress_bars = False
            if num_workers is None:
                cpus = float(ray.cluster_resources().get("CPU", 1.0))
                num_workers = max(1, int(cpus // cpus_per_worker))
            num_workers = min(num_workers, len(todo))
            summary.workers = num_workers
            ds = build_pipeline(todo, model=model, output=output, format=fmt, num_workers=num_workers,
                                cpus_per_worker=cpus_per_worker, **openpose_options, **options)
            bar = None
            if progress:
                from tqdm import tqdm

                total = sum(item.expected for item in todo) or None
                bar = tqdm(total=total, unit="frame", dynamic_ncols=True)
            running = time.perf_counter()
            try:
                for row in ds.iter_rows():
                    summary.merge(Summary(frames=int(row["frames"]), people=int(row["people"]),
                                          infer_s=float(row["infer_s"]), post_s=float(row["post_s"]),
                                          failures=[Failure.from_dict(f) for f in json.loads(row["failures"])]))
                    if bar is not None:
                        bar.update(int(row["frames"]))
                    if on_item is not None:
                        on_item(dict(row))
            finally:
                summary.run_s = time.perf_counter() - running
                if bar is not None:
                    bar.close()
        finally:
            if own:
                ray.shutdown()
    if tracking:
        from .tracking_pass import track_outputs

        track_outputs(plan.items, output, fmt, max_age=tracking_max_age)
    summary.wall_s = time.perf_counter() - started
    with contextlib.suppress(OSError):  # empty once every item ended
        (output / ATTEMPTS_FOLDER).rmdir()
    write_failures(output, summary.failures)
    return summary

