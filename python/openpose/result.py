"""The result of post-processing one network output."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layouts import Layout

__all__ = ["PoseResult"]


@dataclass
class PoseResult:
    """People found in one image, plus the intermediate stages.

    Attributes
    ----------
    poses : ndarray of shape (P, K, 3), float32
        ``[x, y, score]`` per person and keypoint, in original-image pixels;
        missing keypoints are ``0, 0, 0`` (OpenPose's JSON convention).
    scores : ndarray of shape (P,), float32
        One score per person (seed mode: the mean score of its keypoints).
    persons : ndarray of shape (P, K), int32
        Keypoint ids per person, -1 where missing.
    keypoints : list of K ndarrays of shape (n_i, 4), float32
        Candidates per part, rows ``[id, x, y, score]``.
    valid_pairs : list of L ndarrays of shape (m_k, 3), float32
        Scored connections per limb, rows ``[a_id, b_id, score]``.
    invalid_pairs : list of int
        Limbs (ascending) for which one of the two parts had no candidate.
    layout : Layout
        The keypoint layout itself (a custom one too), not only its name.
    image_size : (int, int)
        ``(width, height)`` of the original image.
    mode : str
        The algorithm that produced the result.
    track_ids : ndarray of shape (P,), int64, or None
        The identity of each person across a video's frames, in the order
        of `poses`, when a `openpose.PoseTracker` set it; None otherwise.
    """

    poses: np.ndarray
    scores: np.ndarray
    persons: np.ndarray
    keypoints: list[np.ndarray]
    valid_pairs: list[np.ndarray]
    invalid_pairs: list[int]
    layout: Layout
    image_size: tuple[int, int]
    mode: str
    track_ids: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.poses.shape[0])

    def __repr__(self) -> str:
        """A summary, as numpy and pandas print theirs: people, parts, image size and a few scores.

        The full data stays in the attributes (`poses`, `keypoints`, ...).
        """
        width, height = self.image_size
        parts = self.poses.shape[1] if self.poses.ndim == 3 else "?"
        layout = getattr(self.layout, "name", self.layout)
        people = len(self)
        fields = [f"{people} {'person' if people == 1 else 'people'}", f"{parts} parts ({layout})",
                  f"image {width}x{height}", f"mode={self.mode!r}", f"scores={_summary(self.scores, '.2f')}"]
        if self.track_ids is not None:
            fields.append(f"track_ids={_summary(self.track_ids, 'd')}")
        return f"PoseResult({', '.join(fields)})"

    def to_openpose_json(self) -> dict:
        """This result in OpenPose's JSON format (see `openpose.to_openpose_json`)."""
        from .openpose_json import to_openpose_json

        return to_openpose_json(self)


def _summary(values, spec: str, *, edge: int = 3) -> str:
    """``[a b c ... x y z]``: at most `edge` values from each end, each formatted with `spec`."""
    flat = np.asarray(values).reshape(-1).tolist()
    shown = [format(x, spec) for x in flat] if len(flat) <= 2 * edge else [
        *(format(x, spec) for x in flat[:edge]), "...", *(format(x, spec) for x in flat[-edge:])]
    return f"[{' '.join(shown)}]"


def poses_from_persons(persons: np.ndarray, keypoints: list[np.ndarray]):
    """``(poses, scores)`` from id rows and the per-part candidate tables.

    Missing parts are ``0, 0, 0``; a person's score is the mean score of the
    keypoints it has.
    """
    n_persons, n_parts = persons.shape
    tables = [np.asarray(k, np.float32).reshape(-1, 4) for k in keypoints]
    table = np.concatenate([*tables, np.zeros((0, 4), np.float32)])
    lookup = np.zeros((int(table[:, 0].max()) + 1 if len(table) else 0, 3), np.float32)
    lookup[table[:, 0].astype(np.int64)] = table[:, 1:4]
    present = persons >= 0
    poses = np.zeros((n_persons, n_parts, 3), np.float32)
    poses[present] = lookup[persons[present]]
    counts = present.sum(axis=1)
    totals = poses[:, :, 2].sum(axis=1, dtype=np.float64)
    scores = np.divide(totals, counts, out=np.zeros(n_persons), where=counts > 0).astype(np.float32)
    return poses, scores
