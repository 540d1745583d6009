"""What the user's inputs are, and their frames: the one input layer of the command and Ray.

`classify` turns the inputs (image files, folders, videos, a camera) into
typed `Source` items, in order, with a `Failure` for an input that cannot
be used and a `Note` for a file that is skipped. The rules, the same for
``openpose`` and ``openpose batch``:

- a folder gives its files with an image extension (`IMAGE_EXTENSIONS`),
  sorted by name; every other file in it (a video included) is skipped
  with a `Note`;
- a file named as an input with an image extension is an image, with a
  video extension (`VIDEO_EXTENSIONS`) a video;
- a file named as an input with another extension (or none) is an image if
  an OpenCV image decoder recognises its content, else a video if OpenCV
  opens it as one, else a `Failure` ("not an image or a video");
- a path that does not exist is a `Failure`.

`read_frames` decodes one source into `Frame` items (the image, or a
video's frames, or a range of them), with a `Failure` for what cannot be
decoded. A frame carries its source and its index as data; the output
names derive from them in `openpose.outputs`.

A new kind of input is a new ``kind`` here: a branch in `classify` and one
in `read_frames`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "CAMERA",
    "IMAGE",
    "IMAGE_EXTENSIONS",
    "VIDEO",
    "VIDEO_EXTENSIONS",
    "Failure",
    "Frame",
    "Note",
    "Source",
    "classify",
    "count_frames",
    "jpeg_is_truncated",
    "read_frames",
    "video_frame_count",
]

#: File name extensions read as images (what cv2.imread decodes).
IMAGE_EXTENSIONS = frozenset(
    ".jpg .jpeg .jpe .png .bmp .dib .tif .tiff .webp .jp2 .pbm .pgm .ppm .pnm .sr .ras .exr .hdr .pic".split())
#: File name extensions read as videos (cv2.VideoCapture).
VIDEO_EXTENSIONS = frozenset(
    ".avi .mp4 .mov .mkv .webm .mpg .mpeg .m4v .wmv .flv .ogv .3gp .ts .mts .m2ts .mjpeg .y4m".split())

#: The kinds of `Source`.
IMAGE, VIDEO, CAMERA = "image", "video", "camera"
KINDS = (IMAGE, VIDEO, CAMERA)


@dataclass(frozen=True)
class Source:
    """One input: an image file, a video file or a camera.

    Attributes
    ----------
    kind : {"image", "video", "camera"}
    location : str
        The file's path (as given, or absolute where the caller asked), or
        the camera's index as text.
    """

    kind: str
    location: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            msg = f"`kind` must be one of {KINDS}, got {self.kind!r}"
            raise ValueError(msg)

    @classmethod
    def camera(cls, index: int) -> Source:
        return cls(CAMERA, str(int(index)))

    @property
    def path(self) -> Path | None:
        """The file (None for a camera)."""
        return None if self.kind == CAMERA else Path(self.location)

    @property
    def label(self) -> str:
        """The source, for messages and records: its path, or ``"camera N"``."""
        return f"camera {self.location}" if self.kind == CAMERA else self.location

    @property
    def stem(self) -> str:
        """The base of its output names: the file's stem, or ``cameraN``."""
        return f"camera{self.location}" if self.kind == CAMERA else Path(self.location).stem


@dataclass
class Frame:
    """One decoded image of a source.

    Attributes
    ----------
    source : Source
    index : int
        The frame's number in its source (0 for an image).
    image : ndarray (h, w, 3) uint8
        BGR.
    fps : float or None
        The source's frame rate (videos and cameras).
    """

    source: Source
    index: int
    image: np.ndarray
    fps: float | None = None

    @property
    def label(self) -> str:
        return self.source.label


@dataclass
class Failure:
    """An input (or one frame or range of it) that could not be processed.

    ``to_dict`` / ``from_dict``: the record written to ``failures.jsonl``.
    """

    label: str
    reason: str

    def to_dict(self) -> dict:
        return {"source": self.label, "error": self.reason}

    @classmethod
    def from_dict(cls, record: dict) -> Failure:
        return cls(str(record["source"]), str(record["error"]))


@dataclass
class Note:
    """Something to tell the user that is not an error (e.g. a skipped file)."""

    text: str


# --------------------------------------------------------------------------- #
# Classifying inputs
# --------------------------------------------------------------------------- #


def video_frame_count(path) -> int | None:
    """The frame count a video's header announces: None if OpenCV cannot open it, 0 when unknown."""
    import cv2

    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            return None
        return max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
    finally:
        capture.release()


def _sniff(path: Path, label: str) -> Source | Failure:
    """A file named as an input whose extension says nothing: what OpenCV makes of its content."""
    import cv2

    try:
        if cv2.haveImageReader(str(path)):
            return Source(IMAGE, label)
    except cv2.error:
        pass
    if video_frame_count(path) is not None:
        return Source(VIDEO, label)
    return Failure(label, "not an image or a video (unknown file name extension, and no OpenCV decoder reads it)")


def _folder(path: Path, absolute: bool) -> Iterator[Source | Note]:
    for child in sorted(p for p in path.iterdir() if p.is_file()):
        label = str(child.absolute() if absolute else child)
        ext = child.suffix.lower()
        if ext in IMAGE_EXTENSIONS:
            yield Source(IMAGE, label)
        elif ext in VIDEO_EXTENSIONS:
            yield Note(f"skipping {label}: a video in a folder is not read (give the video itself as an input)")
        else:
            yield Note(f"skipping {label}: not an image file")


def classify(
    inputs: Iterable[str | Path],
    *,
    camera: int | None = None,
    absolute: bool = False,
) -> list[Source | Failure | Note]:
    """The inputs as typed sources, in order (see the module's rules).

    Parameters
    ----------
    inputs : iterable of paths
        Image files, folders of images and video files.
    camera : int, optional
        A camera index, after the inputs.
    absolute : bool
        Give the sources' paths as absolute paths (Ray: the same paths on
        every node); default: as given.

    Returns
    -------
    list of Source, Failure and Note
    """
    out: list[Source | Failure | Note] = []
    for raw in inputs:
        path = Path(raw)
        if absolute:
            path = path.absolute()
        label = str(path)
        ext = path.suffix.lower()
        if path.is_dir():
            out.extend(_folder(path, absolute))
        elif not path.exists():
            out.append(Failure(label, "no such file or folder"))
        elif ext in IMAGE_EXTENSIONS:
            out.append(Source(IMAGE, label))
        elif ext in VIDEO_EXTENSIONS:
            out.append(Source(VIDEO, label))
        else:
            out.append(_sniff(path, label))
    if camera is not None:
        out.append(Source.camera(camera))
    return out


def count_frames(items: Sequence[Source | Failure | Note], *, max_frames: int | None = None) -> int:
    """How many frames `read_frames` will give for these sources, where headers tell (a progress bar's total)."""
    total = 0
    for item in items:
        if not isinstance(item, Source):
            continue
        if item.kind == IMAGE:
            total += 1
        elif item.kind == VIDEO:
            n = video_frame_count(item.location) or 0
            total += min(n, max_frames) if max_frames is not None else n
    return total


# --------------------------------------------------------------------------- #
# Decoding
# --------------------------------------------------------------------------- #


_JPEG_EXTENSIONS = frozenset((".jpg", ".jpeg", ".jpe"))


def jpeg_is_truncated(data: bytes) -> bool:
    """True for a JPEG stream that ends before its end-of-image marker.

    OpenCV (libjpeg) decodes such a file "successfully", painting the
    missing rows gray and only printing a warning, so the command checks the
    marker structure itself: segments are skipped by their lengths (an EXIF
    thumbnail's own end marker is inside one), entropy-coded data up to the
    next marker that is not a restart marker or a stuffed 0xFF; data after
    the end marker (e.g. a motion photo's video) is fine. Anything that is
    not a JPEG, or not well formed, is left to the decoder (False).
    """
    n = len(data)
    if data[:2] != b"\xff\xd8":
        return False
    i = 2
    while i + 1 < n:
        if data[i] != 0xFF:
            return False  # malformed: the decoder will say so
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:  # end of image
            return False
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            i += 2
            continue
        if i + 3 >= n:
            return True
        i += 2 + ((data[i + 2] << 8) | data[i + 3])
        if marker != 0xDA:  # not a start of scan
            continue
        while True:  # entropy-coded data
            j = data.find(b"\xff", i)
            if j < 0 or j + 1 >= n:
                return True
            following = data[j + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                i = j + 1
                continue
            i = j
            break
    return True


def _read_image(source: Source) -> Iterator[Frame | Failure]:
    import cv2

    path = Path(source.location)
    label = source.label
    if path.suffix.lower() in _JPEG_EXTENSIONS:
        try:
            truncated = jpeg_is_truncated(path.read_bytes())
        except OSError as exc:
            yield Failure(label, f"cannot read it: {exc.strerror or exc}")
            return
        if truncated:
            yield Failure(label, "truncated JPEG: the file ends before the image does (not processed, "
                          "since the missing part would be decoded as gray)")
            return
    try:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    except cv2.error as exc:  # e.g. a file over OpenCV's pixel limit
        yield Failure(label, f"cannot decode it as an image: {str(exc).strip()[-200:]}")
        return
    if image is None or image.size == 0:
        reason = ("cannot read it" if not path.is_file() else
                  "cannot decode it as an image (corrupt, truncated or unsupported)")
        yield Failure(label, reason)
        return
    yield Frame(source, 0, image)


def _open_at(source: Source, start: int):
    """A VideoCapture on `source` positioned at frame `start`, or None."""
    import cv2

    target = int(source.location) if source.kind == CAMERA else str(source.location)
    capture = cv2.VideoCapture(target)
    if not capture.isOpened():
        capture.release()
        return None
    if start > 0:
        capture.set(cv2.CAP_PROP_POS_FRAMES, start)
        if int(capture.get(cv2.CAP_PROP_POS_FRAMES)) != start:
            # No exact seek in this file: decode from the start and drop the frames before.
            capture.release()
            capture = cv2.VideoCapture(target)
            for _ in range(start):
                if not capture.grab():
                    break
    return capture


def _read_video(source: Source, start: int, count: int | None, expected: int | None):
    import cv2

    ranged = start > 0 or count is not None
    capture = _open_at(source, start)
    if capture is None:
        reason = "cannot open the camera" if source.kind == CAMERA else \
            "cannot open it as a video (corrupt, truncated or unsupported)"
        yield Failure(source.label, reason)
        return
    if expected is None and not ranged and source.kind == VIDEO:
        expected = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    fps = capture.get(cv2.CAP_PROP_FPS) or None
    n = 0
    try:
        while count is None or n < count:
            ok, image = capture.read()
            if not ok or image is None:
                break
            yield Frame(source, start + n, image, fps)
            n += 1
    finally:
        capture.release()
    if n == 0:
        yield Failure(source.label, f"no frame could be decoded from frame {start} on" if start > 0 else
                      "no frame could be decoded (corrupt, truncated or not a video)")
    elif expected and n < expected:
        yield Failure(source.label, f"truncated or corrupt: decoded {n} of the {expected} frames its header "
                      f"announces{' for this range' if ranged else ''}")


def read_frames(
    source: Source,
    *,
    start: int = 0,
    count: int | None = None,
    expected: int | None = None,
) -> Iterator[Frame | Failure]:
    """The frames of one source, decoded, with a `Failure` for what cannot be.

    Parameters
    ----------
    source : Source
    start : int
        A video's first frame to read (a seek where the file allows it).
    count : int, optional
        At most this many frames of a video or camera; default: to the end.
    expected : int, optional
        Frames the read should give; fewer is a `Failure` (a truncated
        video) after the frames decoded. Default: the header's count when a
        whole video is read, else no check; 0: no check.
    """
    if source.kind == IMAGE:
        yield from _read_image(source)
    else:
        yield from _read_video(source, start, count, expected)
