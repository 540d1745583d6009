"""OpenPose's JSON output format (``--write_json``), read and written.

One file per image::

    {"version": 1.3,
     "people": [{"person_id": [-1],
                 "pose_keypoints_2d": [x0, y0, c0, x1, y1, c1, ...],
                 "face_keypoints_2d": [], "hand_left_keypoints_2d": [],
                 "hand_right_keypoints_2d": [], "pose_keypoints_3d": [],
                 "face_keypoints_3d": [], "hand_left_keypoints_3d": [],
                 "hand_right_keypoints_3d": []}, ...]}

Keypoints are flat ``x, y, c`` triples in the layout's part order, in
original-image pixels; a missing part is ``0, 0, 0``. ``person_id`` is
``[-1]`` as OpenPose writes it without tracking, and ``[id]`` (the
person's ``track_ids`` entry) with tracking.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ._io import write_atomically
from .result import PoseResult

__all__ = [
    "OPENPOSE_JSON_VERSION",
    "PERSON_KEYS",
    "dumps",
    "flat_keypoints",
    "to_openpose_json",
    "write_openpose_json",
]

#: The ``version`` OpenPose 1.5 and later write.
OPENPOSE_JSON_VERSION = 1.3

#: The keys of one person, in OpenPose's order.
PERSON_KEYS = (
    "person_id",
    "pose_keypoints_2d",
    "face_keypoints_2d",
    "hand_left_keypoints_2d",
    "hand_right_keypoints_2d",
    "pose_keypoints_3d",
    "face_keypoints_3d",
    "hand_left_keypoints_3d",
    "hand_right_keypoints_3d",
)


def flat_keypoints(values: np.ndarray) -> list[float]:
    """float32 values, flattened, as the shortest decimals that read back to the same float32."""
    return [float(str(x)) for x in np.asarray(values, np.float32).ravel()]


def to_openpose_json(result: PoseResult) -> dict:
    """The OpenPose JSON dict of one image's result.

    Parameters
    ----------
    result : PoseResult

    Returns
    -------
    dict
        ``{"version": 1.3, "people": [...]}``; one entry per person of
        ``result.poses`` (in order), ``pose_keypoints_2d`` holding ``3 * K``
        numbers, ``person_id`` ``[-1]``, or ``[id]`` from
        ``result.track_ids`` when it is set.
    """
    if not isinstance(result, PoseResult):
        msg = f"`result` must be a PoseResult, got {type(result).__name__}"
        raise TypeError(msg)
    people = []
    ids = [-1] * len(result.poses) if result.track_ids is None else [int(i) for i in result.track_ids]
    for pose, person_id in zip(result.poses, ids, strict=True):
        person: dict[str, list] = {key: [] for key in PERSON_KEYS}
        person["person_id"] = [person_id]
        person["pose_keypoints_2d"] = flat_keypoints(pose)
        people.append(person)
    return {"version": OPENPOSE_JSON_VERSION, "people": people}


def dumps(result: PoseResult) -> str:
    """`to_openpose_json` as compact JSON text (as OpenPose writes it)."""
    return json.dumps(to_openpose_json(result), separators=(",", ":"))


def write_openpose_json(path, result: PoseResult) -> Path:
    """Write one result as an OpenPose JSON file, atomically.

    The text goes to a temporary file in the same folder, which then
    replaces `path`: a reader never sees a half-written file, and an
    interrupted run leaves no truncated JSON behind.

    Returns
    -------
    Path
        `path`.
    """
    text = dumps(result)
    path = write_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return path
