"""Where results go, for the command and Ray: JSON files, rendered images, a video, a window, Parquet parts.

Every output is named from the frame's source and index (`output_stem`),
and every file is written atomically (a temporary file beside it, then a
rename: `openpose._io.write_atomically`), so an interrupted or retried run
never leaves a half-written file under an output's name.

An output is an object with ``write(frame, result, stem, rendered) -> bool``
(False: stop the run; ``rendered`` is the frame with the skeletons drawn,
or None when no output asked for it with ``needs_drawing``) and
``close(complete) -> path or None``. `Outputs` holds the ones a run asked
for: the command's ``--write-json``, ``--write-images``, ``--write-video``
and ``--display``; the ``openpose batch`` workers' `JsonFiles` or
`batch_writer` (JSON files or a Parquet part per work item). A new
output is one such class here and the option that asks for it (``cli.py``;
for ``openpose batch``, a `BATCH_FORMATS` entry here).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._io import write_atomically
from .openpose_json import flat_keypoints, write_openpose_json
from .sources import IMAGE, Failure, Frame, Source

__all__ = [
    "BATCH_FORMATS",
    "FAILURES_FILE",
    "JSON_SUFFIX",
    "PARQUET_COLUMNS",
    "RENDERED_SUFFIX",
    "Display",
    "JsonFiles",
    "Outputs",
    "ParquetPart",
    "RenderedImages",
    "VideoFile",
    "batch_outputs_complete",
    "batch_writer",
    "json_path",
    "output_stem",
    "parquet_is_complete",
    "parquet_part_path",
    "write_failures",
]

#: ``<stem>_keypoints.json``: one OpenPose JSON file per image or video frame.
JSON_SUFFIX = "_keypoints.json"
#: ``<stem>_rendered.png``: one rendered image per image or video frame.
RENDERED_SUFFIX = "_rendered.png"
#: Where a Ray job records its failed inputs (one JSON object per line), in the output folder.
FAILURES_FILE = "failures.jsonl"
#: The columns of the Parquet output, one row per person.
PARQUET_COLUMNS = ("source", "frame", "person", "keypoints", "score")

_INSTALL_RAY = 'the Parquet output needs pyarrow: pip install "openpose[ray]"'
_FOURCC = {".avi": "MJPG", ".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".mkv": "MJPG"}
_WINDOW = "openpose"
_COMPLETE_KEY = b"openpose.complete"


def output_stem(source: Source, index: int) -> str:
    """The base of a frame's output names: the image's stem, or ``<video stem>_<frame, 12 digits>``."""
    if source.kind == IMAGE:
        return source.stem
    return f"{source.stem}_{int(index):012d}"


def json_path(folder, stem: str) -> Path:
    """``<folder>/<stem>_keypoints.json``."""
    return Path(folder) / f"{stem}{JSON_SUFFIX}"


def parquet_part_path(folder, key: str) -> Path:
    """``<folder>/part-<key>.parquet``: the Parquet file of one Ray work item."""
    return Path(folder) / f"part-{key}.parquet"


def _folder(value, flag: str) -> Path:
    path = Path(value)
    if path.exists() and not path.is_dir():
        msg = f"{flag} {str(value)!r} is not a folder"
        raise ValueError(msg)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"{flag} {str(value)!r}: cannot create the folder: {exc.strerror or exc}"
        raise OSError(msg) from None
    return path


class JsonFiles:
    """``<stem>_keypoints.json`` (OpenPose format) per frame in `folder` (created if missing)."""

    needs_drawing = False

    def __init__(self, folder, *, flag: str = "--write-json"):
        self.folder = _folder(folder, flag)

    def path(self, stem: str) -> Path:
        return json_path(self.folder, stem)

    def write(self, frame: Frame, result, stem: str, rendered) -> bool:
        write_openpose_json(self.path(stem), result)
        return True

    def close(self, complete: bool = True) -> None:
        return None


class RenderedImages:
    """``<stem>_rendered.png`` per frame in `folder` (created if missing)."""

    needs_drawing = True

    def __init__(self, folder, *, flag: str = "--write-images"):
        self.folder = _folder(folder, flag)

    def write(self, frame: Frame, result, stem: str, rendered) -> bool:
        import cv2

        path = self.folder / f"{stem}{RENDERED_SUFFIX}"

        def write(tmp: str) -> None:
            if not cv2.imwrite(tmp, rendered):
                msg = f"cannot write image {str(path)!r}"
                raise OSError(msg)

        write_atomically(path, write, suffix=path.suffix)
        return True

    def close(self, complete: bool = True) -> None:
        return None


class VideoFile:
    """One video of every rendered frame, at the first frame's size.

    Written under a temporary name (``.<stem>.partial<ext>``) and renamed by
    ``close(complete=True)``: an interrupted run never leaves a truncated
    video under its name.
    """

    needs_drawing = True

    def __init__(self, path, *, fps: float | None = None, flag: str = "--write-video"):
        self.path = Path(path)
        if self.path.suffix.lower() not in _FOURCC:
            msg = f"{flag} {str(path)!r}: use one of {', '.join(sorted(_FOURCC))}"
            raise ValueError(msg)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            msg = f"{flag} {str(path)!r}: cannot create its folder: {exc.strerror or exc}"
            raise OSError(msg) from None
        if fps is not None and not fps > 0:
            msg = f"--video-fps must be positive, got {fps}"
            raise ValueError(msg)
        self.fps = fps
        self._writer: Any = None
        self._size: tuple[int, int] = (0, 0)
        self._tmp = self.path.with_name(f".{self.path.stem}.partial{self.path.suffix}")

    def write(self, frame: Frame, result, stem: str, rendered) -> bool:
        import cv2

        if self._writer is None:
            height, width = rendered.shape[:2]
            self._size = (width, height)
            rate = self.fps or frame.fps or 10.0
            fourcc = cv2.VideoWriter.fourcc(*_FOURCC[self.path.suffix.lower()])
            writer = cv2.VideoWriter(str(self._tmp), fourcc, float(rate), self._size)
            if not writer.isOpened():
                msg = f"cannot write the video {str(self.path)!r} (no encoder for it in this OpenCV)"
                raise OSError(msg)
            self._writer = writer
        if (rendered.shape[1], rendered.shape[0]) != self._size:
            rendered = cv2.resize(rendered, self._size, interpolation=cv2.INTER_AREA)
        self._writer.write(rendered)
        return True

    def close(self, complete: bool = True) -> Path | None:
        """Release the video; rename it if `complete`, else return its temporary name."""
        if self._writer is None:
            return None
        self._writer.release()
        self._writer = None
        if complete:
            os.replace(self._tmp, self.path)
            return None
        return self._tmp


class Display:
    """Each rendered frame in a window; q or Esc stops the run."""

    needs_drawing = True

    def __init__(self):
        import cv2

        try:
            cv2.namedWindow(_WINDOW, cv2.WINDOW_NORMAL)
        except cv2.error:
            msg = ("--display needs an OpenCV build with GUI support (pip install opencv-python, "
                   "not opencv-python-headless) and a display")
            raise ValueError(msg) from None

    def write(self, frame: Frame, result, stem: str, rendered) -> bool:
        import cv2

        cv2.imshow(_WINDOW, rendered)
        key = cv2.waitKey(1) & 0xFF
        return key not in (ord("q"), 27)

    def close(self, complete: bool = True) -> None:
        import cv2

        try:
            cv2.destroyWindow(_WINDOW)
        except cv2.error:
            pass


# --------------------------------------------------------------------------- #
# Parquet: one file per Ray work item, one row per person
# --------------------------------------------------------------------------- #


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        msg = f"{_INSTALL_RAY} ({exc})"
        raise ImportError(msg) from exc
    return pyarrow


class ParquetPart:
    """One Parquet file of every person of the frames written, written by ``close``.

    Columns `PARQUET_COLUMNS`: ``source`` (the frame's source label),
    ``frame`` (its index; 0 for an image), ``person``, ``keypoints``
    (``3 * K`` float32: x, y, c per part as in OpenPose JSON), ``score``.
    The file's metadata says whether the run that wrote it was complete
    (`parquet_is_complete`): a rerun redoes an incomplete part.

    Parameters
    ----------
    path : path
    n_parts : int
        K when no frame gave a result (every frame failed): the file keeps
        its schema.
    """

    needs_drawing = False

    def __init__(self, path, *, n_parts: int):
        self.path = Path(path)
        self.n_parts = int(n_parts)
        self.rows: dict[str, list] = {k: [] for k in PARQUET_COLUMNS}

    def write(self, frame: Frame, result, stem: str, rendered) -> bool:
        self.n_parts = result.poses.shape[1]
        for p, (pose, score) in enumerate(zip(result.poses, result.scores)):
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
             ("keypoints", pa.list_(pa.float32(), width)), ("score", pa.float32())],
            metadata={_COMPLETE_KEY: b"1" if complete else b"0"},
        )
        rows = self.rows
        flat = np.asarray(rows["keypoints"], np.float32).reshape(-1)
        table = pa.table(
            [pa.array(rows["source"], pa.string()), pa.array(rows["frame"], pa.int64()),
             pa.array(rows["person"], pa.int32()),
             pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), width),
             pa.array(rows["score"], pa.float32())],
            schema=schema,
        )
        write_atomically(self.path, lambda tmp: pa.parquet.write_table(table, tmp))


#: The output formats of ``openpose batch``: each work item writes one `batch_writer`.
BATCH_FORMATS = ("json", "parquet")


def batch_writer(fmt: str, folder, *, key: str, n_parts: int):
    """The output of one Ray work item in format `fmt` (`BATCH_FORMATS`).

    ``json``: `JsonFiles` in `folder`; ``parquet``: a `ParquetPart` named
    by the item's `key` (`parquet_part_path`), `n_parts` wide if no frame
    gives a result.
    """
    if fmt == "json":
        return JsonFiles(folder, flag="--output")
    if fmt == "parquet":
        return ParquetPart(parquet_part_path(folder, key), n_parts=n_parts)
    msg = f"`format` must be one of {BATCH_FORMATS}, got {fmt!r}"
    raise ValueError(msg)


def batch_outputs_complete(fmt: str, folder, *, key: str, stems: Sequence[str]) -> bool:
    """Whether a work item's `batch_writer` output is all there (a rerun skips the item).

    `stems`: the output stems of the item's frames; none (a video whose
    length is unknown) is never complete in JSON.
    """
    if fmt == "json":
        return bool(stems) and all(json_path(folder, stem).is_file() for stem in stems)
    if fmt == "parquet":
        return parquet_is_complete(parquet_part_path(folder, key))
    msg = f"`format` must be one of {BATCH_FORMATS}, got {fmt!r}"
    raise ValueError(msg)


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


def write_failures(folder, failures: Iterable[Failure]) -> Path:
    """`FAILURES_FILE` in `folder`: one JSON object (``source``, ``error``) per line, atomically."""
    text = "".join(json.dumps(f.to_dict(), sort_keys=True) + "\n" for f in failures)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    return write_atomically(Path(folder) / FAILURES_FILE, write)


# --------------------------------------------------------------------------- #
# The outputs of a run
# --------------------------------------------------------------------------- #


class Outputs:
    """Writes each processed frame to the requested places.

    Parameters
    ----------
    json_dir : path, optional
        `JsonFiles`: ``<stem>_keypoints.json`` per frame (created if missing).
    images_dir : path, optional
        `RenderedImages`: ``<stem>_rendered.png`` per frame (created if missing).
    video_path : path, optional
        `VideoFile`: one video of all rendered frames, at the first frame's size.
    video_fps : float, optional
        Its frame rate; default: the first source's, else 10.
    display : bool
        `Display`: show each rendered frame in a window; q or Esc stops the run.
    extra : sequence of outputs
        Other outputs (e.g. a `ParquetPart`), written after those above.
    """

    def __init__(self, *, json_dir=None, images_dir=None, video_path=None, video_fps: float | None = None,
                 display: bool = False, extra: Sequence = ()):
        if video_fps is not None and not video_fps > 0:
            msg = f"--video-fps must be positive, got {video_fps}"
            raise ValueError(msg)
        self.writers: list = []
        if json_dir:
            self.writers.append(JsonFiles(json_dir))
        if images_dir:
            self.writers.append(RenderedImages(images_dir))
        if video_path:
            self.writers.append(VideoFile(video_path, fps=video_fps))
        self.writers.extend(extra)
        if display:
            self.writers.append(Display())
        # Outputs named per frame: two inputs with the same stem would overwrite each other's.
        self._named = any(isinstance(w, (JsonFiles, RenderedImages)) for w in self.writers)
        self._stems: set = set()

    @property
    def needs_drawing(self) -> bool:
        return any(w.needs_drawing for w in self.writers)

    def write(self, frame: Frame, result) -> bool:
        """Write one frame's outputs; False when the user asked to stop (display).

        Raises
        ------
        OSError
            An output could not be written (what was written for earlier
            frames stays; no partial file is left under an output's name).
        ValueError
            The frame's outputs would overwrite an earlier input's (two
            inputs with the same file name); nothing is written for it.
        """
        stem = output_stem(frame.source, frame.index)
        if self._named:
            if stem in self._stems:
                msg = (f"its outputs would overwrite those of an earlier input with the same name "
                       f"({stem!r}); rename one of them")
                raise ValueError(msg)
            self._stems.add(stem)
        rendered = None
        if self.needs_drawing:
            from .draw import draw

            rendered = draw(frame.image, result)
        keep_going = True
        for writer in self.writers:
            keep_going = writer.write(frame, result, stem, rendered) is not False and keep_going
        return keep_going

    def close(self, *, complete: bool = True) -> Path | None:
        """Finish every output (the video gets its name only if `complete`).

        Returns
        -------
        Path or None
            The temporary name of an unfinished video (`complete` False).
        """
        partial = None
        for writer in self.writers:
            left = writer.close(complete)
            if left is not None:
                partial = left
        return partial


# --------------------------------------------------------------------------- #
# --write-coco-json


def coco_image_id(frame: Frame) -> int:
    """The COCO image id of a frame: the last number in its file name (``000000000785.jpg``: 785).

    A video's (or camera's) frames are numbered by their index.

    Raises
    ------
    ValueError
        An image file whose name holds no number.
    """
    import re

    path = frame.source.path
    if path is None or frame.source.kind != "image":
        return int(frame.index)
    numbers_ = re.findall(r"\d+", path.stem)
    if not numbers_:
        msg = f"--write-coco-json: the file name {path.name!r} holds no number to use as its COCO image id"
        raise ValueError(msg)
    return int(numbers_[-1])


class CocoJson:
    """All detections of a run as one COCO keypoint results list (OpenPose's ``--write_coco_json``).

    One entry per person: ``image_id`` (`coco_image_id`), ``category_id``
    1, ``keypoints`` the 17 COCO keypoints as x, y, v (the layout's
    ``coco17_index``; v = 1 found, 0, 0, 0 missing) and ``score`` the
    person score. The file is written (atomically) when the run closes.
    """

    needs_drawing = False

    def __init__(self, path, *, flag: str = "--write-coco-json"):
        self.path = Path(path)
        if self.path.is_dir():
            msg = f"{flag} {str(path)!r} is a folder; give a file name"
            raise ValueError(msg)
        parent = self.path.parent
        if not parent.is_dir():
            msg = f"{flag}: the folder {str(parent)!r} does not exist"
            raise OSError(msg)
        self.detections: list[dict] = []

    def write(self, frame: Frame, result, stem: str, rendered) -> bool:
        from .evaluation import coco_detections

        for det in coco_detections(result, coco_image_id(frame)):
            kps = det["keypoints"]
            for j in range(0, len(kps), 3):
                if kps[j + 2] == 0:
                    kps[j] = kps[j + 1] = 0.0
            self.detections.append(det)
        return True

    def close(self, complete: bool = True) -> None:
        def write(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(self.detections, f)

        write_atomically(self.path, write)
        return None
