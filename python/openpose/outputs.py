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

import contextlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._io import check_writable, locked_temporary, remove_stale_temporaries, write_atomically, write_bytes_atomically
from .openpose_json import flat_keypoints, write_openpose_json
from .sources import IMAGE, Failure, Frame, Source

__all__ = [
    "BATCH_FORMATS",
    "FAILURES_FILE",
    "HEATMAPS_SUFFIX",
    "IMAGE_FORMATS",
    "JSON_SUFFIX",
    "PARQUET_COLUMNS",
    "RENDERED_SUFFIX",
    "VIDEO_FPS_RANGE",
    "Display",
    "HeatmapFiles",
    "JsonFiles",
    "Outputs",
    "ParquetPart",
    "RenderedImages",
    "VideoFile",
    "batch_outputs_complete",
    "batch_writer",
    "check_video_fps",
    "json_path",
    "output_stem",
    "parquet_is_complete",
    "parquet_part_path",
    "prepare_folder",
    "write_failures",
]

#: ``<stem>_keypoints.json``: one OpenPose JSON file per image or video frame.
JSON_SUFFIX = "_keypoints.json"
#: ``<stem>_rendered.png``: one rendered image per image or video frame.
RENDERED_SUFFIX = "_rendered.png"
#: ``--write-images-format``: the rendered images' formats.
IMAGE_FORMATS = ("png", "jpg")
#: ``<stem>_heatmaps.npy`` (exact) and ``<stem>_heatmaps.png`` (a sheet to look at), per frame.
HEATMAPS_SUFFIX = "_heatmaps"
#: Where a Ray job records its failed inputs (one JSON object per line), in the output folder.
FAILURES_FILE = "failures.jsonl"
#: The columns of the Parquet output, one row per person.
PARQUET_COLUMNS = ("source", "frame", "person", "keypoints", "score", "track")

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


def _folder(value, flag: str, *, check: bool = True) -> Path:
    path = Path(value)
    if path.exists() and not path.is_dir():
        msg = f"{flag} {str(value)!r} is not a folder"
        raise ValueError(msg)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"{flag} {str(value)!r}: cannot create the folder: {exc.strerror or exc}"
        raise OSError(msg) from None
    if check:
        prepare_folder(path, flag)
    return path


def prepare_folder(folder, flag: str) -> None:
    """Before the first frame: fail (`OSError` naming `flag`) if `folder` is not writable; remove stale temporaries."""
    check_writable(folder, flag)
    remove_stale_temporaries(folder)


#: The frame rates ``--video-fps`` accepts (the AVI and MP4 writers take these).
VIDEO_FPS_RANGE = (0.1, 1000.0)


def check_video_fps(fps) -> float:
    """`fps` as a float within `VIDEO_FPS_RANGE`; `ValueError` naming ``--video-fps`` otherwise."""
    low, high = VIDEO_FPS_RANGE
    try:
        value = float(fps)
    except (TypeError, ValueError):
        msg = f"--video-fps must be a number, got {fps!r}"
        raise ValueError(msg) from None
    if not low <= value <= high:  # NaN and inf fail here
        msg = f"--video-fps must be between {low:g} and {high:g} frames per second, got {fps!r}"
        raise ValueError(msg)
    return value


class JsonFiles:
    """``<stem>_keypoints.json`` (OpenPose format) per frame in `folder` (created if missing)."""

    needs_drawing = False

    def __init__(self, folder, *, flag: str = "--write-json", keypoint_scale: int = 0, net_size=None,
                 check: bool = True):
        self.folder = _folder(folder, flag, check=check)
        self.keypoint_scale = _keypoint_scale(keypoint_scale)
        self.net_size = net_size

    def path(self, stem: str) -> Path:
        return json_path(self.folder, stem)

    def write(self, frame: Frame, result, stem: str, rendered) -> bool:
        write_openpose_json(self.path(stem), _scaled(result, self.keypoint_scale, self.net_size))
        return True

    def close(self, complete: bool = True) -> None:
        return None


class RenderedImages:
    """``<stem>_rendered.png`` per frame in `folder` (created if missing)."""

    needs_drawing = True

    def __init__(self, folder, *, flag: str = "--write-images", image_format: str = "png"):
        self.folder = _folder(folder, flag)
        if image_format not in IMAGE_FORMATS:
            msg = f"--write-images-format must be one of {IMAGE_FORMATS}, got {image_format!r}"
            raise ValueError(msg)
        self.suffix = RENDERED_SUFFIX if image_format == "png" else f"{Path(RENDERED_SUFFIX).stem}.{image_format}"

    def write(self, frame: Frame, result, stem: str, rendered) -> bool:
        import cv2

        path = self.folder / f"{stem}{self.suffix}"
        # Encoded in memory and written by Python: any file name, the umask, no libpng output on stderr's fd.
        ok, data = cv2.imencode(path.suffix, rendered)
        if not ok:
            msg = f"cannot encode image {str(path)!r}"
            raise OSError(msg)
        write_bytes_atomically(path, data.tobytes())
        return True

    def close(self, complete: bool = True) -> None:
        return None


def letterbox(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`image` scaled to fit ``size = (width, height)`` with its aspect ratio kept, centred on black.

    Examples
    --------
    >>> import numpy as np
    >>> from openpose.outputs import letterbox
    >>> boxed = letterbox(np.full((10, 40, 3), 255, np.uint8), (20, 20))
    >>> boxed.shape, int(boxed[0, 0, 0]), int(boxed[10, 10, 0])
    ((20, 20, 3), 0, 255)
    """
    import cv2

    width, height = size
    h, w = image.shape[:2]
    ratio = min(width / w, height / h)
    new_w, new_h = max(1, min(width, int(round(w * ratio)))), max(1, min(height, int(round(h * ratio))))
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((height, width, 3), np.uint8)
    top, left = (height - new_h) // 2, (width - new_w) // 2
    canvas[top:top + new_h, left:left + new_w] = resized
    return canvas


class VideoFile:
    """One video of every rendered frame, at the first frame's size (others letterboxed: `letterbox`).

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
        if fps is not None:
            fps = check_video_fps(fps)
        self.fps = fps
        self._writer: Any = None
        self._size: tuple[int, int] = (0, 0)
        self._frames = 0
        self._stack = contextlib.ExitStack()
        self._check(flag)
        self._tmp = self._stack.enter_context(locked_temporary(self.path, suffix=self.path.suffix))

    def _check(self, flag: str) -> None:
        """Before the first frame: a name OpenCV can take, a writable folder, an encoder (`OSError`/`ValueError`)."""
        import cv2

        from .sources import opencv_name

        if opencv_name(self.path) is None:
            msg = f"{flag} {str(self.path)!r}: the name is not valid UTF-8, which OpenCV cannot write to"
            raise ValueError(msg)
        if self.path.is_dir():
            msg = f"{flag} {str(self.path)!r} is a folder"
            raise ValueError(msg)
        prepare_folder(self.path.parent, flag)
        with locked_temporary(self.path, suffix=self.path.suffix) as probe:
            fourcc = cv2.VideoWriter.fourcc(*_FOURCC[self.path.suffix.lower()])
            writer = cv2.VideoWriter(str(probe), fourcc, float(self.fps or 10.0), (64, 48))
            opened = writer.isOpened()
            writer.release()
            os.unlink(probe)
        if not opened:
            msg = f"{flag} {str(self.path)!r}: no encoder for it in this OpenCV ({_FOURCC[self.path.suffix.lower()]})"
            raise OSError(msg)

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
            rendered = letterbox(rendered, self._size)
        self._writer.write(rendered)
        self._frames += 1
        return True

    def close(self, complete: bool = True) -> Path | None:
        """Release the video; rename it if `complete`, else return its temporary name.

        Raises
        ------
        OSError
            The file holds fewer frames than were written (a full disk):
            it is removed, nothing is renamed into place.
        """
        if self._writer is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._tmp)
            self._stack.close()
            return None
        self._writer.release()
        self._writer = None
        try:
            if complete:
                held = _video_frames(self._tmp)
                if held != self._frames:
                    os.unlink(self._tmp)
                    msg = (f"the video {str(self.path)!r} is incomplete: it holds {held} of the {self._frames} "
                           "frames written (a full disk?); it was not kept")
                    raise OSError(msg)
                os.replace(self._tmp, self.path)
                return None
            return self._tmp
        finally:
            self._stack.close()


def _video_frames(path) -> int:
    """The frames a written video holds, as OpenCV reads its header (0 if it cannot open it)."""
    import cv2

    capture = cv2.VideoCapture(str(path))
    try:
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if capture.isOpened() else 0
    finally:
        capture.release()


def _have_display() -> bool:
    """Whether a window can be shown: not Linux/BSD, or DISPLAY or WAYLAND_DISPLAY set (Qt aborts without)."""
    import sys

    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class Display:
    """Each rendered frame in a window; q or Esc stops the run."""

    needs_drawing = True

    def __init__(self):
        import cv2

        if not _have_display():
            msg = ("--display needs a display: neither DISPLAY nor WAYLAND_DISPLAY is set "
                   "(use --write-video or --write-images instead)")
            raise ValueError(msg)
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


def _keypoint_scale(value) -> int:
    from .keypoint_scale import KEYPOINT_SCALES

    if isinstance(value, bool) or value not in KEYPOINT_SCALES:
        msg = f"--keypoint-scale must be one of {KEYPOINT_SCALES}, got {value!r}"
        raise ValueError(msg)
    return int(value)


def _scaled(result, scale: int, net_size):
    """`result` in keypoint scale `scale`; `net_size` maps the image size to the network input's (scale 1)."""
    if scale == 0:
        return result
    from .keypoint_scale import scaled_result

    size = net_size(result.image_size) if callable(net_size) else net_size
    return scaled_result(result, scale=scale, net_size=size)


def heatmap_sheet(net_output: np.ndarray, *, n_heatmaps: int, columns: int = 8) -> np.ndarray:
    """Every channel of one network output side by side, as an 8-bit grey image to look at.

    Heatmaps: 0..1 -> 0..255; PAFs: -1..1 -> 0..255 (128 = 0); values
    outside are clipped. ``columns`` channels per row, in channel order.

    Examples
    --------
    >>> import numpy as np
    >>> from openpose.outputs import heatmap_sheet
    >>> heatmap_sheet(np.zeros((1, 57, 4, 5), np.float32), n_heatmaps=19).shape
    (32, 40)
    """
    maps = np.asarray(net_output, np.float32)
    maps = maps[0] if maps.ndim == 4 else maps
    n, h, w = maps.shape
    scaled = np.empty((n, h, w), np.float32)
    scaled[:n_heatmaps] = maps[:n_heatmaps] * 255.0
    scaled[n_heatmaps:] = (maps[n_heatmaps:] + 1.0) * 127.5
    tiles = np.clip(scaled + 0.5, 0, 255).astype(np.uint8)
    rows = -(-n // columns)
    sheet = np.zeros((rows * h, columns * w), np.uint8)
    for i in range(n):
        r, c = divmod(i, columns)
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = tiles[i]
    return sheet


class HeatmapFiles:
    """``--write-heatmaps DIR``: each frame's network output at its own resolution.

    ``<stem>_heatmaps.npy``: the output ``(C, h', w')`` float32, exact
    (heatmaps, then the PAFs); ``<stem>_heatmaps.png``: `heatmap_sheet`.
    The network output comes with the frame (``write(..., net_output=)``).
    """

    needs_drawing = False

    def __init__(self, folder, *, n_heatmaps: int | None = None, flag: str = "--write-heatmaps"):
        self.folder = _folder(folder, flag)
        self.n_heatmaps = n_heatmaps

    def write(self, frame: Frame, result, stem: str, rendered, net_output=None) -> bool:
        import cv2

        if net_output is None:
            return True
        maps = np.ascontiguousarray(np.asarray(net_output, np.float32).reshape(np.shape(net_output)[-3:]))
        n_heatmaps = self.n_heatmaps if self.n_heatmaps is not None else result.layout.n_heatmaps
        base = self.folder / f"{stem}{HEATMAPS_SUFFIX}"
        npy, png = base.with_name(base.name + ".npy"), base.with_name(base.name + ".png")
        write_atomically(npy, lambda tmp: np.save(tmp, maps, allow_pickle=False), suffix=".npy")
        sheet = heatmap_sheet(maps, n_heatmaps=n_heatmaps)

        def write_png(tmp: str) -> None:
            if not cv2.imwrite(tmp, sheet):
                msg = f"cannot write image {str(png)!r}"
                raise OSError(msg)

        write_atomically(png, write_png, suffix=".png")
        return True

    def close(self, complete: bool = True) -> None:
        return None


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
    (``3 * K`` float32: x, y, c per part as in OpenPose JSON), ``score``,
    ``track`` (the person's id across the video's frames with tracking,
    ``result.track_ids``; -1 without).
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

    def __init__(self, path, *, n_parts: int, keypoint_scale: int = 0, net_size=None):
        self.path = Path(path)
        self.n_parts = int(n_parts)
        self.rows: dict[str, list] = {k: [] for k in PARQUET_COLUMNS}
        self.keypoint_scale = _keypoint_scale(keypoint_scale)
        self.net_size = net_size

    def write(self, frame: Frame, result, stem: str, rendered) -> bool:
        result = _scaled(result, self.keypoint_scale, self.net_size)
        self.n_parts = result.poses.shape[1]
        tracks = getattr(result, "track_ids", None)
        tracks = [-1] * len(result.poses) if tracks is None else [int(t) for t in tracks]
        for p, (pose, score) in enumerate(zip(result.poses, result.scores)):
            self.rows["track"].append(tracks[p])
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
             ("keypoints", pa.list_(pa.float32(), width)), ("score", pa.float32()), ("track", pa.int64())],
            metadata={_COMPLETE_KEY: b"1" if complete else b"0"},
        )
        rows = self.rows
        flat = np.asarray(rows["keypoints"], np.float32).reshape(-1)
        table = pa.table(
            [pa.array(rows["source"], pa.string()), pa.array(rows["frame"], pa.int64()),
             pa.array(rows["person"], pa.int32()),
             pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), width),
             pa.array(rows["score"], pa.float32()), pa.array(rows["track"], pa.int64())],
            schema=schema,
        )
        write_atomically(self.path, lambda tmp: pa.parquet.write_table(table, tmp))


#: The output formats of ``openpose batch``: each work item writes one `batch_writer`.
BATCH_FORMATS = ("json", "parquet")


def batch_writer(fmt: str, folder, *, key: str, n_parts: int, keypoint_scale: int = 0, net_size=None):
    """The output of one Ray work item in format `fmt` (`BATCH_FORMATS`).

    ``json``: `JsonFiles` in `folder`; ``parquet``: a `ParquetPart` named
    by the item's `key` (`parquet_part_path`), `n_parts` wide if no frame
    gives a result.
    """
    if fmt == "json":
        # The job checked the folder once.
        return JsonFiles(folder, flag="--output", keypoint_scale=keypoint_scale, net_size=net_size, check=False)
    if fmt == "parquet":
        return ParquetPart(parquet_part_path(folder, key), n_parts=n_parts, keypoint_scale=keypoint_scale,
                           net_size=net_size)
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
    keypoint_scale : {0, 1, 3, 4}
        The JSON's coordinates (`openpose.keypoint_scale`); 1 needs `net_size`.
    net_size : callable, optional
        Image size -> network input size (``PoseEstimator.net_input_size``).
    images_format : {"png", "jpg"}
        The rendered images' format.
    render : dict, optional
        Options of `openpose.draw` (``threshold``, ``alpha``, ``blend``).
    part_to_show : int, optional
        Render this heatmap or PAF channel (`openpose.draw.draw_heatmap`)
        instead of the skeletons; needs the network output with each frame.
    heatmaps_dir : path, optional
        `HeatmapFiles`; needs the network output with each frame.
    """

    def __init__(self, *, json_dir=None, images_dir=None, video_path=None, video_fps: float | None = None,
                 display: bool = False, extra: Sequence = (), keypoint_scale: int = 0, net_size=None,
                 images_format: str = "png", render: dict | None = None, part_to_show: int | None = None,
                 heatmaps_dir=None):
        if video_fps is not None:
            video_fps = check_video_fps(video_fps)
        self.writers: list = []
        self.render = dict(render or {})
        self.part_to_show = part_to_show
        if json_dir:
            self.writers.append(JsonFiles(json_dir, keypoint_scale=keypoint_scale, net_size=net_size))
        if images_dir:
            self.writers.append(RenderedImages(images_dir, image_format=images_format))
        if heatmaps_dir:
            self.writers.append(HeatmapFiles(heatmaps_dir))
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

    @property
    def needs_net_output(self) -> bool:
        """Whether `write` needs each frame's network output (``--write-heatmaps``, ``--part-to-show``)."""
        return self.part_to_show is not None or any(isinstance(w, HeatmapFiles) for w in self.writers)

    def write(self, frame: Frame, result, net_output=None, *, shown_output=None) -> bool:
        """Write one frame's outputs; False when the user asked to stop (display).

        `net_output`: the frame's network output, for `needs_net_output`.
        `shown_output`: the part of it over the image, for `part_to_show`
        (default: all of it; a padded network input's is smaller).

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
            from .draw import draw, draw_heatmap

            if self.part_to_show is not None and net_output is not None:
                rendered = draw_heatmap(frame.image, net_output if shown_output is None else shown_output,
                                        part=self.part_to_show,
                                        n_heatmaps=result.layout.n_heatmaps)
            else:
                rendered = draw(frame.image, result, **self.render)
        keep_going = True
        for writer in self.writers:
            if isinstance(writer, HeatmapFiles):
                keep_going = writer.write(frame, result, stem, rendered, net_output=net_output) is not False \
                    and keep_going
                continue
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

    `keypoint_scale` (OpenPose's ``--keypoint_scale``, which OpenPose
    applies to its COCO JSON too) and `net_size` as for `JsonFiles`; COCO
    evaluation needs the default, 0 (original-image pixels).
    """

    needs_drawing = False

    def __init__(self, path, *, flag: str = "--write-coco-json", keypoint_scale: int = 0, net_size=None):
        self.keypoint_scale = _keypoint_scale(keypoint_scale)
        self.net_size = net_size
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

        result = _scaled(result, self.keypoint_scale, self.net_size)
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
