"""``--write-json DIR``: one OpenPose JSON file per image or video frame (and ``openpose batch --format json``)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._io import write_atomically
from ..openpose_json import write_openpose_json
from ..options import Flag
from ..sources import Frame
from .base import GROUP, JSON_SUFFIX, Option, Output, RunContext, folder, json_path, keypoint_scale
from .base import scaled as _scaled

if TYPE_CHECKING:
    from . import OutputOptions

__all__ = ["OUTPUT", "JsonFiles"]


class JsonFiles(Output):
    """``<stem>_keypoints.json`` (OpenPose format) per frame in a folder (created if missing)."""

    name = "json"
    options = (Option("write_json", None, Flag(
        "--write-json", "write <stem>_keypoints.json (OpenPose format) per image or video frame", metavar="DIR",
        commands=("run",), group=GROUP)),)
    order = 10
    named_per_frame = True
    keypoint_scaled = True
    batch_format = "json"

    def __init__(self, path, *, flag: str = "--write-json", scale: int = 0, net_size=None, check: bool = True):
        self.folder = folder(path, flag, check=check)
        self.keypoint_scale = keypoint_scale(scale)
        self.net_size = net_size

    @classmethod
    def open(cls, options: OutputOptions, context: RunContext) -> JsonFiles:
        return cls(options["write_json"], scale=options["keypoint_scale"], net_size=context.net_size)

    @classmethod
    def open_batch(cls, path: Path, options: OutputOptions, context: RunContext) -> JsonFiles:
        # The job checked the folder once.
        return cls(path, flag="--output", scale=options["keypoint_scale"], net_size=context.net_size, check=False)

    def path(self, stem: str) -> Path:
        return json_path(self.folder, stem)

    def write(self, frame: Frame, result, *, stem: str, rendered=None, net_output=None) -> bool:
        write_openpose_json(self.path(stem), _scaled(result, self.keypoint_scale, self.net_size))
        return True

    @classmethod
    def is_complete(cls, path: Path, *, key: str, stems: Sequence[str]) -> bool:
        # None of them (a video whose length is unknown): never complete.
        return bool(stems) and all(json_path(path, stem).is_file() for stem in stems)

    @classmethod
    def retrack(cls, path: Path, kind: str, group: Sequence, tracker) -> int:
        from ..tracking import result_of_poses

        frames = 0
        for frame, file in _frame_files(Path(path), kind, group):
            data = json.loads(file.read_text(encoding="utf-8"))
            people = data.get("people", [])
            flat = [p["pose_keypoints_2d"] for p in people]
            width = len(flat[0]) if flat else 0
            poses = np.asarray(flat, np.float32).reshape(len(people), width) if width else np.zeros((0, 3), np.float32)
            tracked = tracker(frame, result_of_poses(poses, max(width, 3)))
            ids = [] if tracked.track_ids is None else [int(i) for i in tracked.track_ids]
            for person, track_id in zip(people, ids, strict=True):
                person["person_id"] = [int(track_id)]
            _write_text(file, json.dumps(data, separators=(",", ":")))
            frames += 1
        return frames


def _frame_files(path: Path, kind: str, group: Sequence):
    """(frame, file) in order: a video's frame files (all there are), or a folder's images' files."""
    if kind == "images":
        for item in group:
            source = item.source_list()[0]
            file = json_path(path, source.stem)
            if file.is_file():
                yield Frame(source, 0, None, None), file  # type: ignore[arg-type]
        return
    video = group[0].source_list()[0]
    pattern = re.compile(re.escape(video.stem) + r"_(\d{12})" + re.escape(JSON_SUFFIX) + r"\Z")
    found = []
    for file in path.glob(f"{_glob_escape(video.stem)}_*{JSON_SUFFIX}"):
        match = pattern.match(file.name)
        if match:
            found.append((int(match.group(1)), file))
    for index, file in sorted(found):
        yield Frame(video, index, None, None), file  # type: ignore[arg-type]


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _write_text(path: Path, text: str) -> None:
    def write(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")

    write_atomically(path, write)


OUTPUT = JsonFiles
