"""What every output is: its declaration (`Output`), the options all outputs share, and the file helpers."""

from __future__ import annotations

import abc
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .. import _parse
from .._io import check_writable, remove_stale_temporaries, write_atomically
from ..keypoint_scale import KEYPOINT_SCALES
from ..options import Flag
from ..sources import IMAGE, Failure, Frame, Source

if TYPE_CHECKING:
    from . import OutputOptions

__all__ = [
    "FAILURES_FILE",
    "JSON_SUFFIX",
    "SHARED_OPTIONS",
    "Option",
    "Output",
    "RunContext",
    "json_path",
    "output_stem",
    "parquet_part_path",
    "prepare_folder",
    "write_failures",
]

GROUP = "outputs"
RENDERING = "rendering (OpenPose's names and meaning)"

#: ``<stem>_keypoints.json``: one OpenPose JSON file per image or video frame.
JSON_SUFFIX = "_keypoints.json"
#: Where a Ray job records its failed inputs (one JSON object per line), in the output folder.
FAILURES_FILE = "failures.jsonl"


@dataclass(frozen=True)
class Option:
    """One option of an output: its name (the `OutputOptions` key), default and flag."""

    name: str
    default: Any
    flag: Flag


#: The options every output shares: the coordinates written and how frames are drawn.
SHARED_OPTIONS: tuple[Option, ...] = (
    Option("keypoint_scale", 0, Flag(
        "--keypoint-scale", "coordinates written (JSON, COCO JSON, Parquet): 0 original-image pixels, 1 "
        "network-input pixels, 3 [0, 1], 4 [-1, 1]", type=_parse.choice_int(KEYPOINT_SCALES), metavar="S",
        commands=("run", "batch"), group=GROUP)),
    Option("render_threshold", 0.05, Flag(
        "--render-threshold", "parts with a score at or below T are not drawn", type=_parse.unit_float,
        metavar="T", commands=("run",), group=RENDERING)),
    Option("alpha_pose", 1.0, Flag(
        "--alpha-pose", "opacity of the drawn skeletons (0..1)", type=_parse.unit_float, metavar="A",
        commands=("run",), group=RENDERING)),
    Option("disable_blending", False, Flag(
        "--disable-blending", "draw the skeletons on black", switch=True, commands=("run",), group=RENDERING)),
    Option("part_to_show", 0, Flag(
        "--part-to-show", "draw heatmap K over the image instead of the skeletons (COCO: 1-18 the parts, 19 the "
        "background, 20 all parts, 21 all PAFs, 22-40 one limb's PAF); 0: the skeletons",
        type=_parse.non_negative_int, metavar="K", commands=("run",), group=RENDERING)),
)


@dataclass(frozen=True)
class RunContext:
    """What an output may need to know of the run, beyond its options.

    Attributes
    ----------
    net_size : callable, optional
        Image size -> the size of the image inside the network input
        (`openpose.PoseEstimator.net_content_size`): keypoint scale 1.
    net_input_size : callable, optional
        Image size -> the network input size (`PoseEstimator.net_input_size`).
    n_parts : int
        The layout's parts, for an output that must know them before any
        result (a Parquet part of frames that all failed).
    key : str
        The Ray work item whose outputs these are ("": the command's run).
    folder : path, optional
        ``openpose batch``'s output folder.
    """

    net_size: Callable | None = None
    net_input_size: Callable | None = None
    n_parts: int = 18
    key: str = ""
    folder: Path | None = None

    @classmethod
    def of(cls, estimator, **kwargs) -> RunContext:
        """The context of a run of `estimator` (its network sizes and layout), with `kwargs` (a work item's key)."""
        layout = estimator.layout
        return cls(net_size=estimator.net_content_size, net_input_size=estimator.net_input_size,
                   n_parts=18 if layout is None else layout.n_parts, **kwargs)


class Output(abc.ABC):
    """One place results go, declared: its options, what it needs, how it is checked and written.

    A subclass in a module ``openpose/outputs/NAME_output.py`` bound to the
    module-level name ``OUTPUT`` is found by `openpose.outputs.output_types`:
    its options join every command that offers them, the run opens it when
    its first option is given, and nothing else lists it.

    Attributes
    ----------
    name : str
    options : tuple of Option
        Its options; the first one asks for it (a folder, a file, a switch).
    order : int
        Where it is written among the outputs of a frame (lower first).
    needs_drawing : bool
        It writes the frame with the people drawn.
    needs_net_output : bool
        It writes the frame's network output.
    named_per_frame : bool
        It writes files named after each frame (`output_stem`): two inputs
        with the same name would overwrite each other's.
    keypoint_scaled : bool
        It writes coordinates, in ``--keypoint-scale``'s scale.
    batch_format : str or None
        ``openpose batch --format NAME``: the output each Ray work item
        writes (then `open_batch`, `is_complete` and `retrack` too).
    """

    name: ClassVar[str]
    options: ClassVar[tuple[Option, ...]]
    order: ClassVar[int] = 50
    needs_drawing: ClassVar[bool] = False
    needs_net_output: ClassVar[bool] = False
    named_per_frame: ClassVar[bool] = False
    keypoint_scaled: ClassVar[bool] = False
    batch_format: ClassVar[str | None] = None

    @classmethod
    def asked(cls, options: OutputOptions) -> bool:
        """Whether the run asked for this output (its first option is given)."""
        return bool(options[cls.options[0].name])

    @classmethod
    def flag(cls) -> str:
        """The flag that asks for it."""
        return cls.options[0].flag.name

    @classmethod
    @abc.abstractmethod
    def open(cls, options: OutputOptions, context: RunContext) -> Output:
        """The output of a run, checked before the first frame (`OSError`, `ValueError` naming its flag)."""

    @abc.abstractmethod
    def write(self, frame: Frame, result, *, stem: str, rendered=None, net_output=None) -> bool:
        """Write one frame's output; False asks the run to stop (the display's q)."""

    def close(self, complete: bool = True) -> Path | None:
        """Finish the output; a file left unfinished (`complete` False) is returned."""
        return None

    # ------------------------------------------------------------ batch formats
    @classmethod
    def open_batch(cls, folder: Path, options: OutputOptions, context: RunContext) -> Output:
        """The output of one Ray work item (`context.key`) in the job's folder (checked once by the job)."""
        raise NotImplementedError

    @classmethod
    def is_complete(cls, folder: Path, *, key: str, stems: Sequence[str]) -> bool:
        """Whether a work item's output is all there (then a rerun of the job skips the item)."""
        raise NotImplementedError

    @classmethod
    def retrack(cls, folder: Path, kind: str, group: Sequence, tracker) -> int:
        """Rewrite the ids of one sequence's people (`openpose.ray.tracking_pass`); the frames tracked.

        `group`: the work items of one video (in frame order), or one image
        per item of one folder (`kind` ``"images"``).
        """
        raise NotImplementedError


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


def folder(value, flag: str, *, check: bool = True) -> Path:
    """`value` as a folder (created if missing), checked writable unless `check` is False."""
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


def prepare_folder(path, flag: str) -> None:
    """Before the first frame: fail (`OSError` naming `flag`) if `path` is not writable; remove stale temporaries."""
    check_writable(path, flag)
    remove_stale_temporaries(path)


def keypoint_scale(value) -> int:
    if isinstance(value, bool) or value not in KEYPOINT_SCALES:
        msg = f"--keypoint-scale must be one of {KEYPOINT_SCALES}, got {value!r}"
        raise ValueError(msg)
    return int(value)


def scaled(result, scale: int, net_size):
    """`result` in keypoint scale `scale`; `net_size` maps the image size to the network input's (scale 1)."""
    if scale == 0:
        return result
    from ..keypoint_scale import scaled_result

    size = net_size(result.image_size) if callable(net_size) else net_size
    return scaled_result(result, scale=scale, net_size=size)


def write_failures(path, failures: Iterable[Failure]) -> Path:
    """`FAILURES_FILE` in the folder `path`: one JSON object (``source``, ``error``) per line, atomically."""
    text = "".join(json.dumps(f.to_dict(), sort_keys=True) + "\n" for f in failures)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    return write_atomically(Path(path) / FAILURES_FILE, write)
