"""What the user's inputs are, and their frames: the one input layer of the command and Ray.

`classify` turns the inputs (image files, folders, videos, a camera) into
typed `Source` items, in order, with a `Failure` for an input that cannot
be used and a `Note` for a file that is skipped. The rules, the same for
``openpose`` and ``openpose batch``:

- a folder gives its files with an image extension (`IMAGE_EXTENSIONS`)
  and its videos (`VIDEO_EXTENSIONS`), sorted by name; every other file in
  it is skipped with a `Note` (videos too with ``folder_videos=False``;
  sub-folders are read with ``recursive=True``);
- a stream URL (``rtsp://``, ``http://``, ``https://``, ...) is a video;
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

import errno
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import _parse
from .image_headers import JPEG_EXTENSIONS, image_header_size, jpeg_is_truncated
from .options import flag

__all__ = [
    "CAMERA",
    "IMAGE",
    "IMAGE_EXTENSIONS",
    "MAX_BAD_FRAMES_IN_A_ROW",
    "MAX_DECODE_PIXELS",
    "MAX_IMAGE_FILE_BYTES",
    "STREAM_SCHEMES",
    "VIDEO",
    "VIDEO_EXTENSIONS",
    "Failure",
    "Frame",
    "InputOptions",
    "Note",
    "Source",
    "classify",
    "count_frames",
    "is_stream_url",
    "not_regular_reason",
    "opencv_name",
    "read_frames",
    "read_input_bytes",
    "video_frame_count",
]

#: File name extensions read as images (what cv2.imread decodes). A GIF is an image
#: (its first frame, as OpenCV decodes it), in a folder as when it is named.
IMAGE_EXTENSIONS = frozenset(
    ".jpg .jpeg .jpe .png .bmp .dib .tif .tiff .webp .jp2 .pbm .pgm .ppm .pnm .sr .ras .exr .hdr .pic .gif".split())
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


#: A video's failed reads in a row that are read past (damaged frames) before the read stops.
MAX_BAD_FRAMES_IN_A_ROW = 25
#: The most bytes an image file may have (a larger one is a `Failure` before it is read).
MAX_IMAGE_FILE_BYTES = 1 << 29  # 512 MiB: an uncompressed 8192 x 8192 RGBA 16-bit image is 512 MiB
#: The most pixels an image may have, checked in its header before it is decoded (8192 x 8192).
MAX_DECODE_PIXELS = 8192 * 8192

_KIND_NAMES = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def opencv_name(path) -> str | None:
    """`path` as a str OpenCV can be given, or None when it is not valid UTF-8 (OpenCV would crash on it)."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return text


_NOT_UTF8 = ("its name is not valid UTF-8, which OpenCV cannot open by name; rename it "
             "(e.g. convmv -f latin1 -t utf8)")


def not_regular_reason(path) -> str | None:
    """Why `path` (followed if a symlink) is not a regular file, or None when it is one."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a dangling symlink (its target does not exist)" if os.path.islink(path) else "no such file or folder"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symlink loop"
        return f"cannot read it: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    for test, name in _KIND_NAMES:
        if test(mode):
            return f"not a regular file ({name}); only regular files are read"
    return "not a regular file; only regular files are read"


def read_input_bytes(path, *, limit: int = MAX_IMAGE_FILE_BYTES) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them.

    Opened without blocking (a FIFO is refused, not waited on) and checked
    to be a regular file on the open descriptor.

    Raises
    ------
    OSError
        Not a regular file, larger than `limit`, or unreadable; the message
        says which.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, not_regular_reason(path) or "not a regular file")
        if st.st_size > limit:
            raise OSError(errno.EFBIG, f"the file is {st.st_size / 2**20:.0f} MiB, more than the "
                          f"{limit / 2**20:.0f} MiB an image may have")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:  # it grew while it was read
            raise OSError(errno.EFBIG, f"the file is larger than the {limit / 2**20:.0f} MiB an image may have")
        return data
    finally:
        os.close(fd)


def _looks_like_text(path) -> bool:
    """Whether the first KiB of the regular file `path` is UTF-8 text (for a clearer message)."""
    try:
        if not_regular_reason(path) is not None:
            return False
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return False
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end
    return True



def video_frame_count(path) -> int | None:
    """The frame count a video's header announces: None if OpenCV cannot open it, 0 when unknown."""
    import cv2

    name = opencv_name(path)
    if name is None or not_regular_reason(path) is not None:
        return None
    capture = cv2.VideoCapture(name)
    try:
        if not capture.isOpened():
            return None
        return max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
    finally:
        capture.release()


def _sniff(path: Path, label: str) -> Source | Failure:
    """A file named as an input whose extension says nothing: what OpenCV makes of its content."""
    try:
        with open(path, "rb") as fh:  # a regular file: classify checked
            head = fh.read(64)
    except OSError:
        head = b""
    if image_header_size(head) is not None or _has_image_reader(path):
        return Source(IMAGE, label)
    if opencv_name(path) is None:
        return Failure(label, _NOT_UTF8)
    if video_frame_count(path) is not None:
        return Source(VIDEO, label)
    if _looks_like_text(path):
        return Failure(label, "not an image or a video (a text file)")
    return Failure(label, "not an image or a video (unknown file name extension, and no OpenCV decoder reads it)")


def _has_image_reader(path: Path) -> bool:
    import cv2

    name = opencv_name(path)
    if name is None:
        return False
    try:
        return bool(cv2.haveImageReader(name))
    except cv2.error:
        return False


def _folder(path: Path, absolute: bool) -> Iterator[Source | Note]:
    for child in sorted(path.iterdir()):
        label = str(child.absolute() if absolute else child)
        ext = child.suffix.lower()
        why = not_regular_reason(child)
        if why is not None:
            if why.startswith("not a regular file") and child.is_dir():
                continue  # a subfolder: not read
            yield Note(f"skipping {label}: {why}")
            continue
        if ext in IMAGE_EXTENSIONS:
            yield Source(IMAGE, label)
        elif ext in VIDEO_EXTENSIONS:
            yield Source(VIDEO, label)
        else:
            yield Note(f"skipping {label}: not an image file")


def _folder_tree(path: Path, absolute: bool, *, recursive: bool, videos: bool,
                 seen: set | None = None) -> Iterator[Source | Note]:
    """A folder's files (`_folder`), its sub-folders' after them when `recursive`; videos skipped unless `videos`.

    A folder reached twice (a symbolic link back up the tree) is read once.
    """
    seen = set() if seen is None else seen
    seen.add(path.resolve())
    for item in _folder(path, absolute):
        if not videos and isinstance(item, Source) and item.kind == VIDEO:
            yield Note(f"skipping {item.location}: a video in a folder (--skip-folder-videos)")
        else:
            yield item
    if recursive:
        for child in sorted(p for p in path.iterdir() if p.is_dir()):
            if child.resolve() in seen:
                yield Note(f"skipping {child}: a folder already read (a link back up the tree)")
                continue
            yield from _folder_tree(child, absolute, recursive=recursive, videos=videos, seen=seen)


@dataclass(frozen=True)
class InputOptions:
    """How the inputs are read: the options of `classify`, declared once.

    Attributes
    ----------
    camera : int, optional
        A camera index, read after the inputs through the video path.
    recursive : bool
        Read the sub-folders of folders too.
    skip_folder_videos : bool
        Skip the videos found in folders (named inputs are read).
    """

    camera: int | None = field(default=None, metadata=flag(
        "--camera", "read camera N (through the video path)", type=_parse.non_negative_int, metavar="N",
        commands=("run",), group="inputs"))
    recursive: bool = field(default=False, metadata=flag(
        "--recursive", "read the sub-folders of folders too", switch=True, commands=("run", "batch"),
        group="inputs"))
    skip_folder_videos: bool = field(default=False, metadata=flag(
        "--skip-folder-videos", "skip the videos found in folders (named inputs are read)", switch=True,
        commands=("run", "batch"), group="inputs"))

    def __post_init__(self) -> None:
        if self.camera is not None and (isinstance(self.camera, bool) or not isinstance(self.camera, int)
                                        or self.camera < 0):
            msg = f"`camera` must be an integer >= 0 or None, got {self.camera!r}"
            raise ValueError(msg)

    def classify(self, inputs: Iterable[str | Path], *, absolute: bool = False) -> list[Source | Failure | Note]:
        """`classify` with these options."""
        return classify(inputs, camera=self.camera, absolute=absolute, recursive=self.recursive,
                        folder_videos=not self.skip_folder_videos)


def classify(
    inputs: Iterable[str | Path],
    *,
    camera: int | None = None,
    absolute: bool = False,
    recursive: bool = False,
    folder_videos: bool = True,
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
    recursive : bool
        Folders give the files of their sub-folders too (depth first, each
        folder's files sorted by name, then its sub-folders sorted by name).
    folder_videos : bool
        Videos found in a folder are read as videos (the default); False:
        skipped with a `Note` (``--skip-folder-videos``).

    A stream URL (`STREAM_SCHEMES`: ``rtsp://``, ``http://``, ...) is a
    video read through ``cv2.VideoCapture`` (`is_stream_url`).

    Returns
    -------
    list of Source, Failure and Note
    """
    out: list[Source | Failure | Note] = []
    for raw in inputs:
        if is_stream_url(raw):
            out.append(Source(VIDEO, str(raw)))
            continue
        path = Path(raw)
        if absolute:
            path = path.absolute()
        label = str(path)
        ext = path.suffix.lower()
        why = None if path.is_dir() else not_regular_reason(path)
        if path.is_dir():
            if recursive or not folder_videos:
                found = list(_folder_tree(path, absolute, recursive=recursive, videos=folder_videos))
            else:
                found = list(_folder(path, absolute))
            out.extend(found)
            if not any(isinstance(f, Source) for f in found):
                out.append(Failure(label, "a folder with no image file or video in it"))
        elif why is not None:
            out.append(Failure(label, why))
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
        elif item.kind == VIDEO and not is_stream_url(item.location):
            n = video_frame_count(item.location) or 0
            total += min(n, max_frames) if max_frames is not None else n
    return total


# --------------------------------------------------------------------------- #
# Decoding
# --------------------------------------------------------------------------- #


def _read_image(source: Source) -> Iterator[Frame | Failure]:
    import cv2

    path = Path(source.location)
    label = source.label
    try:
        data = read_input_bytes(path)
    except MemoryError:
        yield Failure(label, "cannot read it: out of memory")
        return
    except OSError as exc:
        yield Failure(label, f"cannot read it: {exc.strerror or exc}")
        return
    size = image_header_size(data)
    if size is not None and size[0] * size[1] > MAX_DECODE_PIXELS:
        yield Failure(label, f"too large: {size[0]}x{size[1]} pixels, more than the {MAX_DECODE_PIXELS} "
                      "(8192x8192) decoded; downscale it (the network works at --net-height anyway)")
        return
    if (path.suffix.lower() in JPEG_EXTENSIONS or data[:2] == b"\xff\xd8") and jpeg_is_truncated(data):
        yield Failure(label, "truncated JPEG: the file ends before the image does (not processed, "
                      "since the missing part would be decoded as gray)")
        return
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    except cv2.error as exc:  # e.g. a file over OpenCV's pixel limit
        yield Failure(label, f"cannot decode it as an image: {str(exc).strip()[-200:]}")
        return
    except MemoryError:
        yield Failure(label, "cannot decode it as an image: out of memory")
        return
    del data
    if image is None or image.size == 0:
        yield Failure(label, "cannot decode it as an image (corrupt, truncated or unsupported)")
        return
    yield Frame(source, 0, image)


def _open_at(source: Source, start: int):
    """A VideoCapture on `source` positioned at frame `start`, or None."""
    import cv2

    target: int | str | None
    if source.kind == CAMERA:
        target = int(source.location)
    elif is_stream_url(source.location):
        target = str(source.location)
    else:
        target = opencv_name(source.location)
    if target is None:
        return None
    capture = _open_stream(target) if isinstance(target, str) and is_stream_url(target) else cv2.VideoCapture(target)
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


def _video_open_failure(location: str) -> str:
    """Why OpenCV could not open the video file or stream `location`."""
    if is_stream_url(location):
        return "cannot open it as a video stream (unreachable, or not a video)"
    if opencv_name(location) is None:
        return _NOT_UTF8
    why = not_regular_reason(location)
    if why is not None:
        return why
    if _looks_like_text(location):
        return "a text file, not a video"
    return "cannot open it as a video (corrupt, truncated or unsupported)"


def _read_video(source: Source, start: int, count: int | None, expected: int | None):
    import cv2

    ranged = start > 0 or count is not None
    capture = _open_at(source, start)
    if capture is None:
        reason = "cannot open the camera" if source.kind == CAMERA else _video_open_failure(source.location)
        yield Failure(source.label, reason)
        return
    if expected is None and not ranged and source.kind == VIDEO:
        expected = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    fps = capture.get(cv2.CAP_PROP_FPS) or None
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if source.kind == VIDEO else 0
    n = 0  # frames decoded
    bad: list[int] = []  # frames that could not be decoded, read past
    position = 0  # frames read or tried, from `start`
    run = 0  # consecutive failed reads
    last_ok = -1  # the last frame decoded
    try:
        while count is None or position < count:
            ok, image = capture.read()
            if ok and image is not None:
                yield Frame(source, start + position, image, fps)
                last_ok = start + position
                n += 1
                position += 1
                run = 0
                continue
            # A failed read: read on past a damaged frame while the header
            # announces more, up to MAX_BAD_FRAMES_IN_A_ROW in a row.
            run += 1
            if start + position + 1 >= total or run > MAX_BAD_FRAMES_IN_A_ROW:
                break
            bad.append(start + position)
            position += 1
    finally:
        capture.release()
    # Failures before the frames that were read after them: damaged frames, not the end.
    bad = [b for b in bad if b < last_ok]
    if bad:
        yield Failure(source.label, f"{len(bad)} damaged frame(s) could not be decoded and were skipped: "
                      f"{_ranges(bad)}; the other frames were processed")
    if n == 0:
        yield Failure(source.label, f"no frame could be decoded from frame {start} on" if start > 0 else
                      "no frame could be decoded (corrupt, truncated or not a video)")
    elif expected and n + len(bad) < expected:
        yield Failure(source.label, f"truncated or corrupt: decoded {n} of the {expected} frames its header "
                      f"announces{' for this range' if ranged else ''}")


def _ranges(indices: list[int]) -> str:
    """``"3, 7-9"``: sorted frame numbers as ranges."""
    parts: list[str] = []
    first = prev = indices[0]
    for i in [*indices[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(str(first) if first == prev else f"{first}-{prev}")
        if i is not None:
            first = prev = i
    return ", ".join(parts)


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


# --------------------------------------------------------------------------- #
# Streams
# --------------------------------------------------------------------------- #

#: URL schemes read as video streams (through ``cv2.VideoCapture``, FFmpeg).
STREAM_SCHEMES = ("rtsp", "rtsps", "rtmp", "http", "https")
#: Seconds a stream may take to open, and to give its next frame, before it counts as unreachable.
STREAM_TIMEOUT_S = 10.0


def is_stream_url(value) -> bool:
    """Whether an input is a stream URL (`STREAM_SCHEMES`), not a path.

    Examples
    --------
    >>> from openpose.sources import is_stream_url
    >>> is_stream_url("rtsp://camera.local/stream"), is_stream_url("photos/a.jpg")
    (True, False)
    """
    if not isinstance(value, str) or "://" not in value:
        return False
    return value.split("://", 1)[0].lower() in STREAM_SCHEMES


def _open_stream(url: str):
    """A VideoCapture on a stream URL, with open and read timeouts (`STREAM_TIMEOUT_S`)."""
    import cv2

    ms = int(STREAM_TIMEOUT_S * 1000)
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms]
    try:
        return cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)
    except cv2.error:
        return cv2.VideoCapture(url)
