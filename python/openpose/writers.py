"""Where the command's results go: JSON files, rendered images, a video, a window."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from ._io import write_atomically
from .draw import draw
from .openpose_json import write_openpose_json

__all__ = ["Outputs"]

_FOURCC = {".avi": "MJPG", ".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".mkv": "MJPG"}
_WINDOW = "openpose"


def _write_image_atomic(path: Path, image) -> None:
    import cv2

    def write(tmp: str) -> None:
        if not cv2.imwrite(tmp, image):
            msg = f"cannot write image {str(path)!r}"
            raise OSError(msg)

    write_atomically(path, write, suffix=path.suffix)


class Outputs:
    """Writes each processed frame to the requested places.

    Parameters
    ----------
    json_dir : path, optional
        ``<stem>_keypoints.json`` per frame (created if missing).
    images_dir : path, optional
        ``<stem>_rendered.png`` per frame (created if missing).
    video_path : path, optional
        One video of all rendered frames, at the first frame's size.
    video_fps : float, optional
        Its frame rate; default: the first source's, else 10.
    display : bool
        Show each rendered frame in a window; q or Esc stops the run.
    """

    def __init__(self, *, json_dir=None, images_dir=None, video_path=None, video_fps: Optional[float] = None,
                 display: bool = False):
        import cv2

        self.json_dir = self._folder(json_dir, "--write-json")
        self.images_dir = self._folder(images_dir, "--write-images")
        self.video_path = Path(video_path) if video_path else None
        if self.video_path is not None:
            if self.video_path.suffix.lower() not in _FOURCC:
                msg = f"--write-video {str(video_path)!r}: use one of {', '.join(sorted(_FOURCC))}"
                raise ValueError(msg)
            try:
                self.video_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                msg = f"--write-video {str(video_path)!r}: cannot create its folder: {exc.strerror or exc}"
                raise OSError(msg) from None
        if video_fps is not None and not video_fps > 0:
            msg = f"--video-fps must be positive, got {video_fps}"
            raise ValueError(msg)
        self.video_fps = video_fps
        self.display = display
        self._writer = None
        self._size = None
        self._video_tmp: Optional[Path] = None
        self._stems = set()
        if display:
            try:
                cv2.namedWindow(_WINDOW, cv2.WINDOW_NORMAL)
            except cv2.error:
                msg = ("--display needs an OpenCV build with GUI support (pip install opencv-python, "
                       "not opencv-python-headless) and a display")
                raise ValueError(msg) from None

    @staticmethod
    def _folder(value, flag: str) -> Optional[Path]:
        if not value:
            return None
        path = Path(value)
        if path.exists() and not path.is_dir():
            msg = f"{flag} {value!r} is not a folder"
            raise ValueError(msg)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            msg = f"{flag} {value!r}: cannot create the folder: {exc.strerror or exc}"
            raise OSError(msg) from None
        return path

    @property
    def needs_drawing(self) -> bool:
        return self.images_dir is not None or self.video_path is not None or self.display

    def write(self, frame, result) -> bool:
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
        import cv2

        if self.json_dir is not None or self.images_dir is not None:
            if frame.stem in self._stems:
                msg = (f"its outputs would overwrite those of an earlier input with the same name "
                       f"({frame.stem!r}); rename one of them")
                raise ValueError(msg)
            self._stems.add(frame.stem)

        if self.json_dir is not None:
            write_openpose_json(self.json_dir / f"{frame.stem}_keypoints.json", result)
        if not self.needs_drawing:
            return True
        rendered = draw(frame.image, result)
        if self.images_dir is not None:
            _write_image_atomic(self.images_dir / f"{frame.stem}_rendered.png", rendered)
        if self.video_path is not None:
            self._video_frame(rendered, frame.fps)
        if self.display:
            cv2.imshow(_WINDOW, rendered)
            if cv2.waitKey(1) & 0xFF in (ord("q"), 27):
                return False
        return True

    def _video_frame(self, rendered, fps) -> None:
        import cv2

        if self._writer is None:
            height, width = rendered.shape[:2]
            self._size = (width, height)
            rate = self.video_fps or fps or 10.0
            fourcc = cv2.VideoWriter_fourcc(*_FOURCC[self.video_path.suffix.lower()])
            # Written under a temporary name, renamed by close(): an
            # interrupted run never leaves a truncated video under its name.
            self._video_tmp = self.video_path.with_name(f".{self.video_path.stem}.partial{self.video_path.suffix}")
            self._writer = cv2.VideoWriter(str(self._video_tmp), fourcc, float(rate), self._size)
            if not self._writer.isOpened():
                self._writer = None
                msg = f"cannot write the video {str(self.video_path)!r} (no encoder for it in this OpenCV)"
                raise OSError(msg)
        if (rendered.shape[1], rendered.shape[0]) != self._size:
            rendered = cv2.resize(rendered, self._size, interpolation=cv2.INTER_AREA)
        self._writer.write(rendered)

    def close(self, *, complete: bool = True) -> Optional[Path]:
        """Finish the video and close the window.

        With `complete` the video gets its name; otherwise (an interrupted
        or failed run) it stays under its temporary ``.<stem>.partial``
        name, which is returned.
        """
        import cv2

        partial = None
        if self._writer is not None:
            self._writer.release()
            self._writer = None
            if complete:
                os.replace(self._video_tmp, self.video_path)
            else:
                partial = self._video_tmp
        if self.display:
            try:
                cv2.destroyWindow(_WINDOW)
            except cv2.error:
                pass
        return partial
