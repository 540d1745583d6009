"""The job on the driver: plan, skip what is done, run the workers on Ray Data, sum up."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ..estimator import EstimatorOptions
from ..frames import FrameOptions
from ..outputs import OutputOptions, batch_format, prepare_folder, write_failures
from ..pipeline import Summary
from ..sources import Failure, InputOptions
from ..tracking import TrackingOptions
from .planning import WorkItem, is_complete, plan_work
from .worker import ATTEMPTS_FOLDER, WorkItemProcessor

__all__ = ["build_pipeline", "check_job", "run_batch"]

_INSTALL_HINT = 'openpose.ray needs Ray Data: pip install "openpose[ray]"'


def _ray():
    try:
        import ray
        import ray.data
    except ImportError as exc:
        msg = f"{_INSTALL_HINT} ({exc})"
        raise ImportError(msg) from exc
    return ray


def build_pipeline(
    items: Sequence[WorkItem],
    *,
    output,
    format: str = "json",  # noqa: A002 - the user-facing name
    estimator: EstimatorOptions | None = None,
    frames: FrameOptions | None = None,
    outputs: OutputOptions | None = None,
    num_workers: int = 2,
    cpus_per_worker: float = 1.0,
):
    """The Ray Dataset that processes `items` and writes their outputs.

    Parameters
    ----------
    items : sequence of WorkItem
        From `plan_work`.
    output : path
        The output folder (created), on a file system every node shares.
    format : {"json", "parquet"}
        A batch format (`openpose.outputs.batch_formats`).
    estimator, frames, outputs
        The config values every worker runs with: its `PoseEstimator`, the
        frames' transform and people limit, the outputs' options
        (``keypoint_scale``). A model file is given by its absolute path.
    num_workers : int
        Actors, each holding one `PoseEstimator`.
    cpus_per_worker : float
        CPUs Ray reserves for each actor (and OpenCV's thread count there).

    Returns
    -------
    ray.data.Dataset
        Lazy; one row per item: ``key``, ``frames``, ``people``,
        ``infer_s``, ``post_s``, ``failures`` (JSON text of a list).
        Iterating it runs the job.
    """
    ray = _ray()
    batch_format(format)
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers <= 0:
        msg = f"`num_workers` must be a positive integer, got {num_workers!r}"
        raise ValueError(msg)
    if not items:
        msg = "`items` is empty: nothing to process"
        raise ValueError(msg)
    estimator = EstimatorOptions() if estimator is None else estimator
    estimator = replace(estimator, model=_worker_model(estimator.model))
    output = Path(output).absolute()
    output.mkdir(parents=True, exist_ok=True)
    rows = [item.to_row() for item in items]
    ds = ray.data.from_items(rows, override_num_blocks=len(rows))
    threads = max(1, int(cpus_per_worker))
    return ds.map_batches(
        WorkItemProcessor,
        fn_constructor_kwargs=dict(output=str(output), fmt=format, estimator=estimator, frames=frames,
                                   outputs=outputs, threads=threads),
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


def check_job(*, format: str, tracking: TrackingOptions | None, outputs: OutputOptions | None) -> None:  # noqa: A002
    """What a job cannot do, before anything runs (ValueError).

    The tracking pass reads the written coordinates back, and its distances
    are pixels: it needs ``keypoint_scale`` 0. Smoothing moves keypoints,
    which a pass that only writes ids (so that a rerun is idempotent)
    cannot do.
    """
    batch_format(format)
    if tracking is not None and tracking.enabled:
        if tracking.smoothing:
            msg = "`smoothing` is not available in openpose batch (the tracking pass only writes ids)"
            raise ValueError(msg)
        if outputs is not None and outputs["keypoint_scale"]:
            msg = "--tracking needs --keypoint-scale 0 (pixels) in openpose batch"
            raise ValueError(msg)


def run_batch(
    inputs: Sequence[str | Path],
    *,
    output,
    format: str = "json",  # noqa: A002
    estimator: EstimatorOptions | None = None,
    frames: FrameOptions | None = None,
    input_options: InputOptions | None = None,
    outputs: OutputOptions | None = None,
    tracking: TrackingOptions | None = None,
    address: str | None = None,
    num_workers: int | None = None,
    cpus_per_worker: float = 1.0,
    images_per_item: int = 16,
    frames_per_item: int = 64,
    progress: bool = True,
    on_item: Callable[[dict], None] | None = None,
) -> Summary:
    """Run pose estimation over `inputs` on Ray and write the results.

    The options are the layers' config values, those of the ``openpose``
    command (``openpose batch`` builds them from the same declarations);
    every worker runs with the same values.

    Parameters
    ----------
    inputs : sequence of paths
        Image files, folders of images and video files, classified as the
        ``openpose`` command classifies them.
    output : path
        The output folder: JSON files or Parquet parts, and `FAILURES_FILE`.
    format : {"json", "parquet"}
        A batch format (`openpose.outputs.batch_formats`).
    estimator : EstimatorOptions, optional
        Every worker's `PoseEstimator` (default: the default estimator). A
        model is a built-in model's name, or a file at the same path on
        every node.
    frames : FrameOptions, optional
        The frames processed (planned on the driver; frame numbers stay the
        source's), their transform and the people limit.
    input_options : InputOptions, optional
        How folders are read (no camera).
    outputs : OutputOptions, optional
        The outputs' options (``keypoint_scale``).
    tracking : TrackingOptions, optional
        Give each person an id, one sequence per video (and per image
        folder), the ids of ``openpose INPUT --tracking``: a sequential
        pass over the outputs on the driver after the parallel job
        (`openpose.ray.tracking_pass`), so chunking and retried workers do
        not change them. No smoothing.
    address : str, optional
        A running cluster (``"auto"``, ``"HOST:PORT"``, ``"ray://..."``);
        default: the Ray instance this process is connected to, else a
        local one started for the job (and stopped after it).
    num_workers : int, optional
        Actors; default: the cluster's CPUs / `cpus_per_worker`.
    cpus_per_worker : float
    images_per_item, frames_per_item
        See `plan_work`.
    progress : bool
        A progress bar (tqdm, on stderr) over frames.
    on_item : callable, optional
        Called on the driver with each finished item's status row.

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
    check_job(format=format, tracking=tracking, outputs=outputs)
    estimator = EstimatorOptions() if estimator is None else estimator
    # Fail fast on the driver on a bad model or bad options, before any worker starts.
    PoseEstimator.from_options(estimator)
    output = Path(output).absolute()
    output.mkdir(parents=True, exist_ok=True)
    prepare_folder(output, "--output")
    fmt = format

    plan = plan_work(inputs, images_per_item=images_per_item, frames_per_item=frames_per_item,
                     frame_options=frames, input_options=input_options)
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
            ds = build_pipeline(todo, output=output, format=fmt, estimator=estimator, frames=frames, outputs=outputs,
                                num_workers=num_workers, cpus_per_worker=cpus_per_worker)
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
    if tracking is not None and tracking.enabled:
        from .tracking_pass import track_outputs

        track_outputs(plan.items, output, fmt, max_age=tracking.tracking_max_age)
    summary.wall_s = time.perf_counter() - started
    with contextlib.suppress(OSError):  # empty once every item ended
        (output / ATTEMPTS_FOLDER).rmdir()
    write_failures(output, summary.failures)
    return summary

