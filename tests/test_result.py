"""openpose.PoseResult: its summary repr (the data stays in the attributes)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

import openpose
from conftest import shared_path
from openpose.layouts import get_layout


def crowd(n: int, *, seed: int = 0) -> openpose.PoseResult:
    """A result of `n` people with every part and every candidate table filled, as a crowded photo gives."""
    rng = np.random.default_rng(seed)
    coco = get_layout("coco")
    k = coco.n_parts
    poses = np.concatenate([rng.uniform(0, 600, (n, k, 2)), rng.uniform(0.1, 1, (n, k, 1))], axis=2).astype(np.float32)
    keypoints = [np.column_stack([np.arange(n) + part * n, poses[:, part]]).astype(np.float32) for part in range(k)]
    pairs = [rng.uniform(0, 1, (n * n, 3)).astype(np.float32) for _ in coco.limbs]
    return openpose.PoseResult(poses=poses, scores=np.sort(rng.uniform(0, 1, n)).astype(np.float32)[::-1],
                               persons=np.arange(n * k, dtype=np.int32).reshape(n, k), keypoints=keypoints,
                               valid_pairs=pairs, invalid_pairs=[], layout=coco, image_size=(640, 480),
                               mode="accurate")


def test_the_repr_of_twelve_people_is_a_short_summary():
    result = crowd(12)
    text = repr(result)
    assert len(text) < 300, (len(text), text)  # was: every candidate, every pair and the whole Layout
    assert text.startswith("PoseResult(12 people, 18 parts (coco), image 640x480, mode='accurate', scores=[")
    first = [f"{s:.2f}" for s in result.scores[:3]]
    last = [f"{s:.2f}" for s in result.scores[-3:]]
    assert f"scores=[{' '.join(first)} ... {' '.join(last)}]" in text
    assert str(result) == text
    # The data is all still there.
    assert result.poses.shape == (12, 18, 3) and len(result.valid_pairs) == len(get_layout("coco").limbs)


@pytest.mark.parametrize(("n", "expected"), [(0, "0 people"), (1, "1 person"), (6, "6 people")],
                         ids=["none", "one", "six"])
def test_few_people_are_all_shown(n, expected):
    text = repr(crowd(n))
    assert f"PoseResult({expected}, " in text and "..." not in text
    assert len(re.search(r"scores=\[(.*?)\]", text).group(1).split()) == n


def test_track_ids_are_shown_when_set():
    result = dataclasses.replace(crowd(12), track_ids=np.arange(12, dtype=np.int64))
    assert repr(result).endswith(", track_ids=[0 1 2 ... 9 10 11])"), repr(result)
    assert "track_ids" not in repr(crowd(12))


def test_the_repr_of_a_crowded_video_frame():
    cv2 = pytest.importorskip("cv2")
    video = shared_path("media/video.avi")
    capture = cv2.VideoCapture(str(video))
    capture.set(cv2.CAP_PROP_POS_FRAMES, 200)
    ok, frame = capture.read()
    capture.release()
    assert ok
    from conftest import model_for_this_opencv

    result = openpose.PoseEstimator(model_for_this_opencv()).estimate(frame)
    assert len(result) >= 10
    assert len(repr(result)) < 300, repr(result)
    assert repr(result).startswith(f"PoseResult({len(result)} people, 18 parts (coco), image 1280x720, ")
