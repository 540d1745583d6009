"""``--write-coco-json FILE``: every detection of a run as one COCO keypoint results list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from .._io import write_atomically
from ..options import Flag
from ..sources import Frame
from .base import GROUP, Option, Output, RunContext, keypoint_scale, scaled

if TYPE_CHECKING:
    from . import OutputOptions

__all__ = ["OUTPUT", "CocoJson", "coco_image_id"]


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


class CocoJson(Output):
    """All detections of a run as one COCO keypoint results list (OpenPose's ``--write_coco_json``).

    One entry per person: ``image_id`` (`coco_image_id`), ``category_id``
    1, ``keypoints`` the 17 COCO keypoints as x, y, v (the layout's
    ``coco17_index``; v = 1 found, 0, 0, 0 missing) and ``score`` the
    person score. The file is written (atomically) when the run closes.

    `keypoint_scale` (OpenPose's ``--keypoint_scale``, which OpenPose
    applies to its COCO JSON too) and `net_size` as for `JsonFiles`; COCO
    evaluation needs the default, 0 (original-image pixels).
    """

    name = "coco_json"
    options = (Option("write_coco_json", None, Flag(
        "--write-coco-json", "all detections as one COCO keypoint results list (image_id: the file name's last "
        "number)", metavar="FILE", commands=("run",), group=GROUP)),)
    order = 60
    keypoint_scaled = True

    def __init__(self, path, *, flag: str = "--write-coco-json", scale: int = 0, net_size=None):
        self.keypoint_scale = keypoint_scale(scale)
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

    @classmethod
    def open(cls, options: OutputOptions, context: RunContext) -> CocoJson:
        return cls(options["write_coco_json"], scale=options["keypoint_scale"], net_size=context.net_size)

    def write(self, frame: Frame, result, *, stem: str, rendered=None, net_output=None) -> bool:
        from ..evaluation import coco_detections

        result = scaled(result, self.keypoint_scale, self.net_size)
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


OUTPUT = CocoJson
