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
      JSON), ``score``.

    Every file is written atomically (temporary file, then rename) under a
    name that depends only on the input, so a retried item (Ray restarts a
    dead worker and runs its task again) rewrites the same files with the
    same content: nothing is lost or duplicated. A rerun skips the items
    whose outputs are complete. An input that fails is recorded (with its
    error) in ``failures.jsonl`` in the output folder and the job goes on.

On a cluster, the inputs, the model and the output folder must be at the
same paths on every node (a shared file system).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from ._io import write_atomically

import numpy as np

__all__ = [
    "PoseBatchPredictor",
    "WorkItem",
    "BatchSummary",
    "plan_work",
    "build_pipeline",
    "run_batch",
    "FAILURES_FILE",
    "PARQUET_COLUMNS",
]

logger = logging.getLogger(__name__)

_INSTALL_HINT = 'openpose.ray needs Ray Data: pip install "openpose[ray]"'

#: Where a run records its failed inputs (one JSON object per line), in the output folder.
FAILURES_FILE = "failures.jsonl"

#: The columns of the Parquet output, one row per person.
PARQUET_COLUMNS = ("source", "frame", "person", "keypoints", "score")

FORMATS = ("json", "parquet")


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"{_INSTALL_HINT} ({exc})") from exc
    return ray


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"{_INSTALL_HINT} ({exc})") from exc
    return pyarrow


# --------------------------------------------------------------------------- #
# The callable class for map_batches
# --------------------------------------------------------------------------- #


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
      cannot be processed gets empty poses and its error, and the batch
      goes on.

    Examples
    --------
    >>> ds = ray.data.read_images("photos/", include_paths=True)      # doctest: +SKIP
    >>> ds = ds.map_batches(PoseBatchPredictor, fn_constructor_kwargs={"model": "pose.onnx"}, batch_size=16,
    ...                     compute=ray.data.ActorPoolStrategy(size=4))  # doctest: +SKIP
    """

    def __init__(self, model, *, channels: str = "rgb", image_column: str = "image", **estimator_options):
        from . import _validation as v
        from .estimator import PoseEstimator

        self.channels = v.choice(channels, "channels", ("rgb", "bgr"))
        if not isinstance(image_column, str):
            msg = f"`image_column` must be a str, got {type(image_column).__name__}"
            raise TypeError(msg)
        self.image_column = image_column
        self.estimator = PoseEstimator(model, **estimator_options)

    def _keypoints(self) -> int:
        from .layouts import get_layout

        return len(get_layout(self.estimator.layout or "coco").parts)

    def __call__(self, batch: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        if self.image_column not in batch:
            msg = f"the batch has no `{self.image_column}` column (columns: {sorted(batch)})"
            raise ValueError(msg)
        images = batch[self.image_column]
        n = len(images)
        poses, scores = [], []
        people = np.zeros(n, np.int32)
        errors = []
        for i in range(n):
            image = np.asarray(images[i])
            if self.channels == "rgb" and image.ndim == 3 and image.shape[2] in (3, 4):
                image = np.ascontiguousarray(image[:, :, [2, 1, 0] + ([3] if image.shape[2] == 4 else [])])
            try:
                result = self.estimator.estimate(image)
            except (ValueError, TypeError) as exc:
                k = self._keypoints()
                poses.append(np.zeros((0, k, 3), np.float32))
                scores.append(np.zeros((0,), np.float32))
                errors.append(f"cannot process it: {exc}")
                continue
            poses.append(result.poses)
            scores.append(np.asarray(result.scores, np.float32))
            people[i] = len(result)
            errors.append("")
        out = {name: column for name, column in batch.items() if name != self.image_column}
        out["poses"] = _object_array(poses)
        out["scores"] = _object_array(scores)
        out["people"] = people
        out["error"] = np.asarray(errors, dtype=object)
        return out


def _object_array(items: List[np.ndarray]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


# --------------------------------------------------------------------------- #
# Planning: inputs -> work items
# --------------------------------------------------------------------------- #


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
        Frames the item should give (the header's count for a video).
    """

    kind: str
    sources: Tuple[str, ...]
    start: int = 0
    stop: int = 0
    expected: int = 0

    @property
    def key(self) -> str:
        """A name for the item that depends only on what it covers."""
        text = "\n".join([self.kind, str(self.start), str(self.stop), *self.sources])
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]

    @property
    def label(self) -> str:
        if self.kind == "video":
            end = "end" if self.stop < 0 else str(self.stop)
            return f"{self.sources[0]} [frames {self.start}..{end})"
        return self.sources[0] if len(self.sources) == 1 else f"{len(self.sources)} images from {self.sources[0]}"

    def stems(self) -> List[str]:
        """The output stems of the item's frames (a video: up to its expected count)."""
        if self.kind == "images":
            return [Path(s).stem for s in self.sources]
        stem = Path(self.sources[0]).stem
        return [f"{stem}_{i:012d}" for i in range(self.start, self.start + self.expected)]

    def to_row(self) -> dict:
        row = asdict(self)
        row["sources"] = list(self.sources)
        return row

    @classmethod
    def from_row(cls, row) -> "WorkItem":
        return cls(kind=str(row["kind"]), sources=tuple(str(s) for s in row["sources"]), start=int(row["start"]),
                   stop=int(row["stop"]), expected=int(row["expected"]))


def plan_work(
    inputs: Sequence[Union[str, Path]],
    *,
    images_per_item: int = 16,
    frames_per_item: int = 64,
    max_frames: Optional[int] = None,
) -> Tuple[List[WorkItem], List[dict]]:
    """Split inputs into work items (on the driver; reads video headers only).

    Parameters
    ----------
    inputs : sequence of paths
        Image files, folders (their image files, sorted by name, as the
        single-machine command reads them) and video files.
    images_per_item : int
        Images per item, consecutive in input order.
    frames_per_item : int
        Video frames per item.
    max_frames : int, optional
        At most this many frames from each video.

    Returns
    -------
    items : list of WorkItem
    failures : list of dict
        Inputs that cannot be planned (missing, unknown type, unreadable
        video), as ``{"source", "frames", "error"}``.
    """
    import cv2

    from .pipeline import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS

    for name, value in (("images_per_item", images_per_item), ("frames_per_item", frames_per_item)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            msg = f"`{name}` must be a positive integer, got {value!r}"
            raise ValueError(msg)
    if max_frames is not None and (isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames <= 0):
        msg = f"`max_frames` must be a positive integer or None, got {max_frames!r}"
        raise ValueError(msg)

    items: List[WorkItem] = []
    failures: List[dict] = []
    pending_images: List[str] = []

    def flush_images() -> None:
        for i in range(0, len(pending_images), images_per_item):
            chunk = tuple(pending_images[i:i + images_per_item])
            items.append(WorkItem("images", chunk, 0, len(chunk), len(chunk)))
        pending_images.clear()

    for raw in inputs:
        path = Path(raw).absolute()
        ext = path.suffix.lower()
        if path.is_dir():
            pending_images.extend(str(p) for p in sorted(path.iterdir())
                                  if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
        elif ext in IMAGE_EXTENSIONS:
            pending_images.append(str(path))
        elif not path.exists():
            failures.append({"source": str(path), "frames": None, "error": "no such file or folder"})
        elif ext in VIDEO_EXTENSIONS:
            flush_images()
            capture = cv2.VideoCapture(str(path))
            count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if capture.isOpened() else -1
            capture.release()
            if count < 0:
                failures.append({"source": str(path), "frames": None,
                                 "error": "cannot open it as a video (corrupt, truncated or unsupported)"})
                continue
            limit = count if max_frames is None else min(count, max_frames) if count > 0 else max_frames
            if limit <= 0:  # no frame count in the header: one item, read to the end
                items.append(WorkItem("video", (str(path),), 0, -1 if max_frames is None else max_frames, 0))
                continue
            for start in range(0, limit, frames_per_item):
                stop = min(start + frames_per_item, limit)
                last = stop == limit
                # The last range of a whole video reads to the end, as the single-machine command does.
                items.append(WorkItem("video", (str(path),), start,
                                      -1 if (last and max_frames is None) else stop, stop - start))
        else:
            failures.append({"source": str(path), "frames": None,
                             "error": "not an image or a video (unknown file name extension)"})
    flush_images()
    return items, failures


# --------------------------------------------------------------------------- #
# Outputs: names, completeness, atomic writes
# --------------------------------------------------------------------------- #


def _parquet_path(output: Path, item: WorkItem) -> Path:
    return output / f"part-{item.key}.parquet"


_COMPLETE_KEY = b"openpose.complete"


def is_complete(item: WorkItem, output: Path, fmt: str) -> bool:
    """Whether the item's outputs are all there (then a rerun skips it)."""
    if fmt == "json":
        if item.kind == "video" and item.expected == 0:
            return False
        return all((output / f"{stem}_keypoints.json").is_file() for stem in item.stems())
    path = _parquet_path(output, item)
    if not path.is_file():
        return False
    pa = _pyarrow()
    try:
        metadata = pa.parquet.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException):
        return False
    return metadata.get(_COMPLETE_KEY) == b"1"


def _write_parquet(path: Path, rows: Dict[str, list], keypoints: int, complete: bool) -> None:
    pa = _pyarrow()
    schema = pa.schema(
        [("source", pa.string()), ("frame", pa.int64()), ("person", pa.int32()),
         ("keypoints", pa.list_(pa.float32(), 3 * keypoints)), ("score", pa.float32())],
        metadata={_COMPLETE_KEY: b"1" if complete else b"0"},
    )
    flat = np.asarray(rows["keypoints"], np.float32).reshape(-1)
    table = pa.table(
        [pa.array(rows["source"], pa.string()), pa.array(rows["frame"], pa.int64()),
         pa.array(rows["person"], pa.int32()),
         pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), 3 * keypoints),
         pa.array(rows["score"], pa.float32())],
        schema=schema,
    )
    write_atomically(path, lambda tmp: pa.parquet.write_table(table, tmp))


# --------------------------------------------------------------------------- #
# The worker: one actor per worker, one PoseEstimator per actor
# --------------------------------------------------------------------------- #


def _item_frames(item: WorkItem):
    """`pipeline.Frame`/`Failure` items of one work item, decoded as the single-machine command does."""
    import cv2

    from .pipeline import Failure, _read_image, _video_frames

    if item.kind == "images":
        for source in item.sources:
            yield from _read_image(Path(source))
        return
    path = Path(item.sources[0])
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        yield Failure(item.label, "cannot open it as a video (corrupt, truncated or unsupported)")
        return
    if item.start > 0:
        capture.set(cv2.CAP_PROP_POS_FRAMES, item.start)
        if int(capture.get(cv2.CAP_PROP_POS_FRAMES)) != item.start:
            # No exact seek in this file: decode from the start and drop the frames before.
            capture.release()
            capture = cv2.VideoCapture(str(path))
            for _ in range(item.start):
                if not capture.grab():
                    break
    want = None if item.stop < 0 else item.stop - item.start
    count = 0
    for frame in _video_frames(capture, str(path), path.stem, want, None):
        if isinstance(frame, Failure):
            yield Failure(item.label, f"no frame could be decoded from frame {item.start} on"
                          if item.start > 0 else frame.reason)
            return
        # _video_frames numbers from 0: renumber from the item's first frame.
        frame.stem = f"{path.stem}_{item.start + count:012d}"
        count += 1
        yield frame
    if item.expected and count < item.expected:
        yield Failure(item.label, f"truncated or corrupt: decoded {count} of the {item.expected} frames "
                                  "its header announces for this range")


class _WorkItemProcessor:
    """The pipeline's actor: processes work items and writes their outputs."""

    def __init__(self, *, model, output: str, fmt: str, threads: Optional[int] = None, **estimator_options):
        import cv2

        from .estimator import PoseEstimator

        if threads:
            cv2.setNumThreads(int(threads))
        self.estimator = PoseEstimator(model, **estimator_options)
        self.output = Path(output)
        self.fmt = fmt

    def __call__(self, batch: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        status: Dict[str, list] = {k: [] for k in ("key", "frames", "people", "infer_s", "post_s", "failures")}
        for i in range(len(batch["kind"])):
            item = WorkItem.from_row({name: batch[name][i] for name in batch})
            frames, people, infer_s, post_s, failures = self._process(item)
            status["key"].append(item.key)
            status["frames"].append(frames)
            status["people"].append(people)
            status["infer_s"].append(infer_s)
            status["post_s"].append(post_s)
            status["failures"].append(json.dumps(failures))
        return {k: np.asarray(v, dtype=object if k in ("key", "failures") else None) for k, v in status.items()}

    def _process(self, item: WorkItem):
        from .openpose_json import _flat, write_openpose_json
        from .pipeline import Failure, Processed, run_pipeline

        rows: Dict[str, list] = {k: [] for k in PARQUET_COLUMNS}
        failures: List[dict] = []
        keypoints = [0]

        def consume(processed) -> bool:
            if isinstance(processed, Processed):
                if self.fmt == "json":
                    write_openpose_json(self.output / f"{processed.frame.stem}_keypoints.json", processed.result)
                else:
                    keypoints[0] = processed.result.poses.shape[1]
                    stem = processed.frame.stem
                    frame = int(stem.rsplit("_", 1)[1]) if item.kind == "video" else 0
                    for p, (pose, score) in enumerate(zip(processed.result.poses, processed.result.scores)):
                        rows["source"].append(processed.frame.label)
                        rows["frame"].append(frame)
                        rows["person"].append(p)
                        rows["keypoints"].append(_flat(pose))
                        rows["score"].append(float(score))
            elif isinstance(processed, Failure):
                failures.append({"source": processed.label, "error": processed.reason})
            return True

        try:
            summary = run_pipeline(self.estimator, _item_frames(item), consume)
        except Exception as exc:  # noqa: BLE001 - recorded, the job goes on
            logger.warning("work item %s failed: %s", item.label, exc)
            return 0, 0, 0.0, 0.0, failures + [{"source": item.label, "error": f"{type(exc).__name__}: {exc}"}]
        if self.fmt == "parquet":
            if not keypoints[0]:
                from .layouts import get_layout

                keypoints[0] = len(get_layout(self.estimator.layout or "coco").parts)
            try:
                _write_parquet(_parquet_path(self.output, item), rows, keypoints[0], complete=not failures)
            except Exception as exc:  # noqa: BLE001
                failures.append({"source": item.label, "error": f"cannot write its Parquet file: {exc}"})
        return summary.frames, summary.people, summary.infer_s, summary.post_s, failures


# --------------------------------------------------------------------------- #
# The pipeline and the job
# --------------------------------------------------------------------------- #


@dataclass
class BatchSummary:
    """Totals of a `run_batch` job."""

    items: int = 0
    skipped_items: int = 0
    frames: int = 0
    people: int = 0
    infer_s: float = 0.0
    post_s: float = 0.0
    wall_s: float = 0.0
    run_s: float = 0.0
    workers: int = 0
    failures: List[dict] = field(default_factory=list)

    def text(self) -> str:
        """One line for the end of a job."""
        fps = self.frames / self.run_s if self.run_s > 0 else 0.0
        per_worker = fps / self.workers if self.workers else 0.0
        n = max(self.frames, 1)
        line = (f"{self.frames} image(s)/frame(s) in {self.items} work item(s) ({self.skipped_items} already done, "
                f"skipped), {self.people} people; per frame: inference {1000 * self.infer_s / n:.1f} ms, "
                f"post-processing {1000 * self.post_s / n:.1f} ms; {self.wall_s:.1f} s in all, {self.run_s:.1f} s "
                f"running ({fps:.1f} fps, {per_worker:.1f} fps per worker over {self.workers} worker(s))")
        if self.failures:
            line += f"; {len(self.failures)} failure(s), see {FAILURES_FILE}"
        return line


def _estimator_defaults() -> dict:
    import inspect

    from .estimator import PoseEstimator

    params = inspect.signature(PoseEstimator).parameters
    return {name: params[name].default for name in ("mode", "implementation")}


def build_pipeline(
    items: Sequence[WorkItem],
    *,
    model,
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
    model : path
        The model file, at the same path on every node.
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
    from . import _validation as v

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
        _WorkItemProcessor,
        fn_constructor_kwargs=dict(model=str(Path(model).absolute()), output=str(output), fmt=fmt,
                                   threads=threads, **estimator_options),
        batch_size=1,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=num_workers),
        num_cpus=cpus_per_worker,
    )


def _write_failures(output: Path, failures: List[dict]) -> None:
    path = output / FAILURES_FILE
    text = "".join(json.dumps(f, sort_keys=True) + "\n" for f in failures)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    write_atomically(path, write)


def run_batch(
    inputs: Sequence[Union[str, Path]],
    *,
    model,
    output,
    format: str = "json",  # noqa: A002
    address: Optional[str] = None,
    num_workers: Optional[int] = None,
    cpus_per_worker: float = 1.0,
    images_per_item: int = 16,
    frames_per_item: int = 64,
    max_frames: Optional[int] = None,
    progress: bool = True,
    on_item: Optional[Callable[[dict], None]] = None,
    **estimator_options,
) -> BatchSummary:
    """Run pose estimation over `inputs` on Ray and write the results.

    Parameters
    ----------
    inputs : sequence of paths
        Image files, folders of images and video files.
    model : path
        The model file (``.onnx``, or ``.prototxt`` with ``weights=``).
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
    **estimator_options
        Passed to `openpose.PoseEstimator` (``net_height``, ``mode``,
        ``implementation``, ``layout``, ``weights``, ...). The mode and implementation
        default to `PoseEstimator`'s.

    Returns
    -------
    BatchSummary
        Its ``failures`` are also written to ``output/failures.jsonl``.
    """
    ray = _ray()
    from .estimator import PoseEstimator

    started = time.perf_counter()
    options = {**_estimator_defaults(), **estimator_options}
    # Fail fast on the driver on a bad model or bad options, before any worker starts.
    PoseEstimator(model, **options)
    output = Path(output).absolute()
    output.mkdir(parents=True, exist_ok=True)
    fmt = format
    if fmt not in FORMATS:
        msg = f"`format` must be one of {FORMATS}, got {format!r}"
        raise ValueError(msg)

    items, failures = plan_work(inputs, images_per_item=images_per_item, frames_per_item=frames_per_item,
                                max_frames=max_frames)
    todo = [item for item in items if not is_complete(item, output, fmt)]
    summary = BatchSummary(items=len(items), skipped_items=len(items) - len(todo), failures=list(failures))

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
                                cpus_per_worker=cpus_per_worker, **options)
            bar = None
            if progress:
                from tqdm import tqdm

                total = sum(item.expected for item in todo) or None
                bar = tqdm(total=total, unit="frame", dynamic_ncols=True)
            running = time.perf_counter()
            try:
                for row in ds.iter_rows():
                    summary.frames += int(row["frames"])
                    summary.people += int(row["people"])
                    summary.infer_s += float(row["infer_s"])
                    summary.post_s += float(row["post_s"])
                    summary.failures.extend(json.loads(row["failures"]))
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
    summary.wall_s = time.perf_counter() - started
    _write_failures(output, summary.failures)
    return summary
