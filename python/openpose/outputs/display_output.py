"""``--display``: each rendered frame in a window; q or Esc stops the run."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..options import Flag
from ..sources import Frame
from .base import GROUP, Option, Output, RunContext

if TYPE_CHECKING:
    from . import OutputOptions

__all__ = ["OUTPUT", "Display"]

_WINDOW = "openpose"


def _have_display() -> bool:
    """Whether a window can be shown: not Linux/BSD, or DISPLAY or WAYLAND_DISPLAY set (Qt aborts without)."""
    import sys

    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class Display(Output):
    """Each rendered frame in a window; q or Esc stops the run."""

    name = "display"
    options = (Option("display", False, Flag(
        "--display", "show the rendered frames in a window (q or Esc stops); needs opencv-python, not -headless",
        switch=True, commands=("run",), group=GROUP)),)
    order = 90
    needs_drawing = True

    @classmethod
    def open(cls, options: OutputOptions, context: RunContext) -> Display:
        return cls()

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

    def write(self, frame: Frame, result, *, stem: str, rendered=None, net_output=None) -> bool:
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
        return None


OUTPUT = Display
