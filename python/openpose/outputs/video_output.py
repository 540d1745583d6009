"""``--write-video FILE``: every rendered frame in one video, at the first frame's size."""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import locked_temporary
from ..options import Flag
from ..sources import Frame
from .base import GROUP, Option, Output, RunContext, prepare_folder

if TYPE_CHECKING:
    from . import OutputOptions

__all__ = ["OUTPUT", "VIDEO_FPS_RANGE", "VideoFile", "check_video_fps", "letterbox"]

_FOURCC = {".avi": "MJPG", ".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".mkv": "MJPG"}

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


def _video_fps(text: str) -> float:
    try:
        return check_video_fps(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--video-fps ")) from None


def letterbox(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`image` scaled to fit ``size = (width, height)`` with its aspect ratio kept, centred on black.

    Examples
    --------
    >>> import numpy as np
    >>> from openpose.outputs.video_output import letterbox
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


class VideoFile(Output):
    """One video of every rendered frame, at the first frame's size (others letterboxed: `letterbox`).

    Written under a temporary name (``.<stem>.partial<ext>``) and renamed by
    ``close(complete=True)``: an interrupted run never leaves a truncated
    video under its name.
    """

    name = "video"
    options = (
        Option("write_video", None, Flag(
            "--write-video", "write every rendered frame into one video (.avi: MJPG, .mp4: mp4v)", metavar="FILE",
            commands=("run",), group=GROUP)),
        Option("video_fps", None, Flag(
            "--video-fps", "frame rate of --write-video, 0.1 to 1000; default: the source's, else 10",
            type=_video_fps, metavar="FPS", commands=("run",), group=GROUP)),
    )
    order = 40
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

    @classmethod
    def open(cls, options: OutputOptions, context: RunContext) -> VideoFile:
        return cls(options["write_video"], fps=options["video_fps"])

    def _check(self, flag: str) -> None:
        """Before the first frame: a name OpenCV can take, a writable folder, an encoder (`OSError`/`ValueError`)."""
        import cv2

        from ..sources import opencv_name

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

    def write(self, frame: Frame, result, *, stem: str, rendered=None, net_output=None) -> bool:
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


OUTPUT = VideoFile
