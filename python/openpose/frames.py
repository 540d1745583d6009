"""Which frames are processed, transformed how, and how many people each keeps: OpenPose's per-frame options.

`FrameOptions` is the one frame selection of the command, the pipeline and
the Ray planner and workers: its options (``--frame-first``,
``--frame-last``, ``--frame-step``, ``--max-frames``, ``--frame-flip``,
``--frame-rotate``, ``--number-people-max``) are declared here once, and
`FrameOptions.select` (the command), `FrameOptions.wanted` (the Ray
planner), `FrameOptions.transform` and `FrameOptions.keep_people` (every
frame, wherever it runs) read them.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from . import _parse
from .options import flag
from .sources import IMAGE, Failure, Frame, Note, Source, read_frames

__all__ = ["FRAME_ROTATIONS", "FrameOptions", "transform_image"]

#: ``--frame-rotate``: clockwise rotations in degrees.
FRAME_ROTATIONS = (0, 90, 180, 270)

_GROUP = "frames (OpenPose's names and meaning)"


def transform_image(image: np.ndarray, *, flip: bool = False, rotate: int = 0) -> np.ndarray:
    """`image` mirrored left-right (`flip`), then rotated clockwise by `rotate` degrees (`FRAME_ROTATIONS`).

    OpenPose's ``--frame_flip`` and ``--frame_rotate``, in that order. The
    image itself when there is nothing to do.

    Examples
    --------
    >>> import numpy as np
    >>> from openpose.frames import transform_image
    >>> transform_image(np.zeros((2, 3, 3), np.uint8), rotate=90).shape
    (3, 2, 3)
    """
    import cv2

    if rotate not in FRAME_ROTATIONS:
        msg = f"`rotate` must be one of {FRAME_ROTATIONS}, got {rotate!r}"
        raise ValueError(msg)
    if flip:
        image = cv2.flip(image, 1)
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if rotate:
        image = cv2.rotate(image, codes[rotate])
    return image


def _integer(value, name: str, minimum: int, *, none: bool = False) -> None:
    if none and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        msg = f"`{name}` must be an integer >= {minimum}{' or None' if none else ''}, got {value!r}"
        raise ValueError(msg)


@dataclass(frozen=True)
class FrameOptions:
    """OpenPose's per-frame options, checked once.

    Attributes
    ----------
    frame_first, frame_last : int
        Frames ``frame_first`` to ``frame_last`` (inclusive; None: to the
        end) of each video, stream or camera; of images, the images counted
        over all image inputs in order (a folder's images are its frames).
        A frame keeps its number in its source (output names too).
    frame_step : int
        Every `frame_step`-th frame from `frame_first` on.
    max_frames : int, optional
        At most this many selected frames of each video, stream or camera.
    frame_flip, frame_rotate
        `transform_image` on every frame before it is processed.
    number_people_max : int, optional
        Keep the N highest-scoring people of each frame
        (`openpose.people.keep_top_people`).
    people_min_score : float
        Drop the people of each frame whose person score is below this,
        before `number_people_max` keeps the best (0: keep everyone).

    Raises
    ------
    ValueError, TypeError
        A bad value, naming the option.
    """

    frame_first: int = field(default=0, metadata=flag(
        "--frame-first", "first frame of each video (of the images, counted over the inputs); numbers stay the "
        "source's", type=_parse.non_negative_int, metavar="N", commands=("run", "batch"), group=_GROUP))
    frame_last: int | None = field(default=None, metadata=flag(
        "--frame-last", "last frame (inclusive); default: to the end", type=_parse.non_negative_int, metavar="N",
        commands=("run", "batch"), group=_GROUP))
    frame_step: int = field(default=1, metadata=flag(
        "--frame-step", "every N-th frame from --frame-first on", type=_parse.positive_int, metavar="N",
        commands=("run", "batch"), group=_GROUP))
    max_frames: int | None = field(default=None, metadata=flag(
        "--max-frames", "at most N frames from each video or camera", type=_parse.positive_int, metavar="N",
        commands=("run", "batch"), group=_GROUP))
    frame_flip: bool = field(default=False, metadata=flag(
        "--frame-flip", "mirror every frame before processing", switch=True, commands=("run", "batch"),
        group=_GROUP))
    frame_rotate: int = field(default=0, metadata=flag(
        "--frame-rotate", "rotate every frame clockwise by 0, 90, 180 or 270 degrees (after --frame-flip); "
        "coordinates are in the rotated frame", type=_parse.choice_int(FRAME_ROTATIONS), metavar="DEG",
        commands=("run", "batch"), group=_GROUP))
    number_people_max: int | None = field(default=None, metadata=flag(
        "--number-people-max", "keep the N highest-scoring people of each image or frame; default: all",
        type=_parse.positive_int, metavar="N", commands=("run", "batch"), group=_GROUP))
    people_min_score: float = field(default=0.0, metadata=flag(
        "--people-min-score", "drop the people of each image or frame whose score is below S (before "
        "--number-people-max); 0: keep everyone", type=_parse.unit_float, metavar="S", commands=("run", "batch"),
        group=_GROUP))

    def __post_init__(self) -> None:
        _integer(self.frame_first, "frame_first", 0)
        _integer(self.frame_step, "frame_step", 1)
        _integer(self.frame_last, "frame_last", 0, none=True)
        _integer(self.max_frames, "max_frames", 1, none=True)
        _integer(self.number_people_max, "number_people_max", 1, none=True)
        if self.frame_last is not None and self.frame_last < self.frame_first:
            msg = f"`frame_last` {self.frame_last} is before `frame_first` {self.frame_first}"
            raise ValueError(msg)
        if isinstance(self.people_min_score, bool) or not isinstance(self.people_min_score, numbers.Real) \
                or not 0 <= self.people_min_score <= 1:
            msg = f"`people_min_score` must be a number in [0, 1], got {self.people_min_score!r}"
            raise ValueError(msg)
        if not isinstance(self.frame_flip, (bool, np.bool_)):
            msg = f"`frame_flip` must be True or False, got {self.frame_flip!r}"
            raise TypeError(msg)
        if isinstance(self.frame_rotate, bool) or self.frame_rotate not in FRAME_ROTATIONS:
            msg = f"`frame_rotate` must be one of {FRAME_ROTATIONS}, got {self.frame_rotate!r}"
            raise ValueError(msg)

    @property
    def selects_all(self) -> bool:
        """Whether every frame is selected (first 0, to the end, step 1)."""
        return (self.frame_first, self.frame_last, self.frame_step) == (0, None, 1)

    def wanted(self, index: int) -> bool:
        """Whether frame (or image number) `index` is selected.

        Examples
        --------
        >>> from openpose.frames import FrameOptions
        >>> [i for i in range(10) if FrameOptions(frame_first=1, frame_last=7, frame_step=3).wanted(i)]
        [1, 4, 7]
        """
        return (index >= self.frame_first and (self.frame_last is None or index <= self.frame_last)
                and (index - self.frame_first) % self.frame_step == 0)

    def transform(self, frame: Frame) -> Frame:
        """The frame flipped and rotated as asked (itself when nothing is asked)."""
        if not (self.frame_flip or self.frame_rotate):
            return frame
        return Frame(frame.source, frame.index,
                     transform_image(frame.image, flip=self.frame_flip, rotate=self.frame_rotate), frame.fps)

    def keep_people(self, result):
        """`result` without the people scoring below `people_min_score`, then at most `number_people_max` of
        them, the highest-scoring (in their order)."""
        from .people import keep_top_people

        if self.people_min_score > 0:
            keep = np.asarray(result.scores) >= np.float32(self.people_min_score)
            result = replace(result, poses=result.poses[keep], scores=result.scores[keep],
                             persons=result.persons[keep])
        return keep_top_people(result, self.number_people_max)

    def select(self, items: Iterable[Source | Failure | Note]) -> Iterator[Frame | Failure | Note]:
        """The frames of `items` (`openpose.sources.classify`'s), selected and transformed.

        Failures and notes pass through in their place.
        """
        image_number = 0
        for item in items:
            if not isinstance(item, Source):
                yield item
            elif item.kind == IMAGE:
                number, image_number = image_number, image_number + 1
                if self.wanted(number):
                    for decoded in read_frames(item):
                        yield self.transform(decoded) if isinstance(decoded, Frame) else decoded
            else:
                yield from self._video(item)

    def _video(self, source: Source) -> Iterator[Frame | Failure | Note]:
        if self.selects_all:
            # Every frame: read them in one run (a camera or stream has no frame to skip to).
            for decoded in read_frames(source, count=self.max_frames):
                yield self.transform(decoded) if isinstance(decoded, Frame) else decoded
            return
        last = self.frame_last
        count = None if last is None else last - self.frame_first + 1
        kept = 0
        for decoded in read_frames(source, start=self.frame_first, count=count):
            if not isinstance(decoded, Frame):
                yield decoded
            elif self.wanted(decoded.index):
                yield self.transform(decoded)
                kept += 1
                if self.max_frames is not None and kept >= self.max_frames:
                    break
