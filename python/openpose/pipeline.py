"""Frames in, results out: the threaded pipeline behind the ``openpose`` command.

Sources (image files, folders, videos, cameras) become a stream of `Frame`
items. Four stages run in their own threads, joined by small bounded queues:

1. decoding (``cv2.imread`` / ``VideoCapture.read``),
2. the network (``cv2.dnn`` forward),
3. post-processing (the C++ core releases the GIL),
4. the consumer: writing JSON, images, video, display (the caller's thread).

So while frame *n* is post-processed, frame *n+1* is in the network and
frame *n+2* is decoded. Order is kept (one thread per stage). A file that
cannot be read becomes a `Failure` item that flows to the consumer; the
other files go on.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from .result import PoseResult

__all__ = [
    "IMAGE_EXTENSIONS", "VIDEO_EXTENSIONS", "Frame", "Failure", "Note", "Processed", "Summary",
    "iter_frames", "count_frames", "run_pipeline",
]

#: File name extensions read as images (what cv2.imread decodes).
IMAGE_EXTENSIONS = frozenset(
    ".jpg .jpeg .jpe .png .bmp .dib .tif .tiff .webp .jp2 .pbm .pgm .ppm .pnm .sr .ras .exr .hdr .pic".split())
#: File name extensions read as videos (cv2.VideoCapture).
VIDEO_EXTENSIONS = frozenset(
    ".avi .mp4 .mov .mkv .webm .mpg .mpeg .m4v .wmv .flv .ogv .3gp .ts .mts .m2ts .mjpeg .y4m".split())

_QUEUE_SIZE = 4


@dataclass
class Frame:
    """One image to process.

    Attributes
    ----------
    label : str
        The source, for messages (a path, ``"camera 0"``).
    stem : str
        Output name stem: the image's stem, or ``<video stem>_<frame, 12 digits>``.
    image : ndarray (h, w, 3) uint8
    fps : float or None
        The source's frame rate (videos and cameras).
    """

    label: str
    stem: str
    image: np.ndarray
    fps: Optional[float] = None


@dataclass
class Failure:
    """A source (or one frame of it) that could not be processed."""

    label: str
    reason: str


@dataclass
class Note:
    """Something to tell the user that is not an error (e.g. a skipped file)."""

    text: str


@dataclass
class Processed:
    """A frame with its result and the time each stage took (seconds)."""

    frame: Frame
    result: PoseResult
    infer_s: float
    post_s: float


@dataclass
class Summary:
    """Totals of a run."""

    frames: int = 0
    people: int = 0
    infer_s: float = 0.0
    post_s: float = 0.0
    wall_s: float = 0.0
    failures: List[Failure] = field(default_factory=list)

    def add(self, item: Processed) -> None:
        self.frames += 1
        self.people += len(item.result)
        self.infer_s += item.infer_s
        self.post_s += item.post_s

    def text(self) -> str:
        """One line for the end of a run."""
        n = max(self.frames, 1)
        fps = self.frames / self.wall_s if self.wall_s > 0 else 0.0
        line = (
            f"{self.frames} image(s)/frame(s), {self.people} people; per frame: inference "
            f"{1000 * self.infer_s / n:.1f} ms, post-processing {1000 * self.post_s / n:.1f} ms; "
            f"{self.wall_s:.1f} s in all ({fps:.1f} fps)"
        )
        if self.failures:
            line += f"; {len(self.failures)} bad file(s)"
        return line


def _video_frames(capture, label: str, stem: str, max_frames: Optional[int], expected: Optional[int]):
    import cv2

    fps = capture.get(cv2.CAP_PROP_FPS) or None
    index = 0
    try:
        while max_frames is None or index < max_frames:
            ok, image = capture.read()
            if not ok or image is None:
                break
            yield Frame(label, f"{stem}_{index:012d}", image, fps)
            index += 1
    finally:
        capture.release()
    if index == 0:
        yield Failure(label, "no frame could be decoded (corrupt, truncated or not a video)")
    elif expected and max_frames is None and index < expected:
        yield Failure(label, f"truncated or corrupt: decoded {index} of the {expected} frames its header announces")


def _read_video(path: Path, max_frames: Optional[int]):
    import cv2

    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        yield Failure(str(path), "cannot open it as a video (corrupt, truncated or unsupported)")
        return
    expected = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    yield from _video_frames(capture, str(path), path.stem, max_frames, expected if expected > 0 else None)


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


def _read_image(path: Path):
    import cv2

    if path.suffix.lower() in _JPEG_EXTENSIONS:
        try:
            truncated = jpeg_is_truncated(path.read_bytes())
        except OSError as exc:
            yield Failure(str(path), f"cannot read it: {exc.strerror or exc}")
            return
        if truncated:
            yield Failure(str(path), "truncated JPEG: the file ends before the image does (not processed, "
                          "since the missing part would be decoded as gray)")
            return
    try:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    except cv2.error as exc:  # e.g. a file over OpenCV's pixel limit
        yield Failure(str(path), f"cannot decode it as an image: {str(exc).strip()[-200:]}")
        return
    if image is None or image.size == 0:
        reason = "cannot read it" if not path.is_file() else "cannot decode it as an image (corrupt, truncated or unsupported)"
        yield Failure(str(path), reason)
        return
    yield Frame(str(path), path.stem, image)


def _kind(path: Path) -> str:
    ext = path.suffix.lower()
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    return "unknown"


def iter_frames(
    inputs: Sequence[Union[str, Path]],
    *,
    camera: Optional[int] = None,
    max_frames: Optional[int] = None,
) -> Iterator[Union[Frame, Failure, Note]]:
    """The frames of every input, in order, with failures and notes in between.

    Parameters
    ----------
    inputs : sequence of paths
        Image files, folders (their image files, sorted by name; other files
        skipped with a `Note`) and video files.
    camera : int, optional
        A camera index, read after the inputs through the video path.
    max_frames : int, optional
        At most this many frames per video or camera.
    """
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.iterdir() if p.is_file()):
                if _kind(child) == "image":
                    yield from _read_image(child)
                else:
                    yield Note(f"skipping {child}: not an image file")
        elif not path.exists():
            yield Failure(str(path), "no such file or folder")
        elif _kind(path) == "video":
            yield from _read_video(path, max_frames)
        elif _kind(path) == "image":
            yield from _read_image(path)
        else:  # unknown extension: an image if cv2 can read it, else a video
            import cv2

            if cv2.haveImageReader(str(path)):
                yield from _read_image(path)
            else:
                yield from _read_video(path, max_frames)
    if camera is not None:
        import cv2

        capture = cv2.VideoCapture(camera)
        label = f"camera {camera}"
        if not capture.isOpened():
            capture.release()
            yield Failure(label, "cannot open the camera")
        else:
            yield from _video_frames(capture, label, f"camera{camera}", max_frames, None)


def count_frames(inputs: Sequence[Union[str, Path]], *, max_frames: Optional[int] = None) -> Optional[int]:
    """How many frames `iter_frames` will give, where known (for a progress bar)."""
    import cv2

    total = 0
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            total += sum(1 for p in path.iterdir() if p.is_file() and _kind(p) == "image")
        elif _kind(path) == "image":
            total += 1
        elif path.exists():
            capture = cv2.VideoCapture(str(path))
            n = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if capture.isOpened() else 0
            capture.release()
            total += min(n, max_frames) if max_frames is not None else n
    return total


_END = object()


def _put(q: "queue.Queue", item, stop: threading.Event) -> bool:
    """Put unless the run is being stopped; False when stopped."""
    while not stop.is_set():
        try:
            q.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _producer(items: Iterable, out: "queue.Queue", stop: threading.Event, errors: list) -> None:
    try:
        for item in items:
            if not _put(out, item, stop):
                break
    except BaseException as exc:  # handed to the consumer, which re-raises it
        errors.append(exc)
    finally:
        out.put(_END)


def _stage(fn: Callable, inp: "queue.Queue", out: "queue.Queue", stop: threading.Event, errors: list) -> None:
    try:
        while True:
            item = inp.get()
            if item is _END:
                break
            if stop.is_set():
                continue  # drain
            if not isinstance(item, (Failure, Note)):
                try:
                    item = fn(item)
                except (ValueError, TypeError) as exc:
                    label = item[0].label if isinstance(item, tuple) else item.label
                    item = Failure(label, f"cannot process it: {exc}")
            _put(out, item, stop)
    except BaseException as exc:
        errors.append(exc)
        stop.set()
    finally:
        out.put(_END)


def run_pipeline(
    estimator,
    items: Iterable[Union[Frame, Failure, Note]],
    consume: Callable[[Union[Processed, Failure, Note]], bool],
) -> Summary:
    """Run `estimator` over `items` in four overlapped stages.

    Parameters
    ----------
    estimator : PoseEstimator
    items : iterable of Frame, Failure or Note
        Typically `iter_frames(...)`; it is consumed in a decoding thread.
    consume : callable
        Called in the caller's thread, in order, with each `Processed`
        frame, `Failure` and `Note`. Returning False stops the run early.

    Returns
    -------
    Summary
        Frame and people counts, the time spent in the network and in
        post-processing, the wall time and the failures.
    """
    stop = threading.Event()
    errors: list = []
    decoded: "queue.Queue" = queue.Queue(_QUEUE_SIZE)
    inferred: "queue.Queue" = queue.Queue(_QUEUE_SIZE)
    done: "queue.Queue" = queue.Queue(_QUEUE_SIZE)

    def infer(frame: Frame) -> Tuple[Frame, np.ndarray, Tuple[int, int], float]:
        t0 = time.perf_counter()
        out, size = estimator.forward(frame.image)
        return frame, out, size, time.perf_counter() - t0

    def post(item) -> Processed:
        frame, out, size, infer_s = item
        t0 = time.perf_counter()
        result = estimator.postprocess(out, image_size=size)
        return Processed(frame, result, infer_s, time.perf_counter() - t0)

    threads = [
        threading.Thread(target=_producer, args=(items, decoded, stop, errors), name="openpose-decode", daemon=True),
        threading.Thread(target=_stage, args=(infer, decoded, inferred, stop, errors), name="openpose-net", daemon=True),
        threading.Thread(target=_stage, args=(post, inferred, done, stop, errors), name="openpose-post", daemon=True),
    ]
    summary = Summary()
    start = time.perf_counter()
    for t in threads:
        t.start()
    try:
        while True:
            item = done.get()
            if item is _END:
                break
            if stop.is_set():
                continue
            if isinstance(item, Processed):
                summary.add(item)
            elif isinstance(item, Failure):
                summary.failures.append(item)
            if consume(item) is False:
                stop.set()
    except BaseException:
        stop.set()
        raise
    finally:
        for t in threads:
            # Threads finish on their own: stop makes them drain and pass _END on.
            while t.is_alive():
                _drain(done)
                t.join(timeout=0.1)
        summary.wall_s = time.perf_counter() - start
    if errors:
        raise errors[0]
    return summary


def _drain(q: "queue.Queue") -> None:
    try:
        while True:
            q.get_nowait()
    except queue.Empty:
        pass
