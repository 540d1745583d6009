"""The library side of OpenPose's options: drawing, people, keypoint scales, heatmaps (issue 18)."""

from __future__ import annotations

import numpy as np
import pytest

from openpose.draw import draw, draw_heatmap, heatmap_channels
from openpose.keypoint_scale import scale_poses
from openpose.people import keep_top_people
from openpose.postprocess import postprocess
from openpose.result import PoseResult


def _result(scores):
    empty = postprocess(np.zeros((1, 57, 8, 8), np.float32), image_size=(64, 64))
    n = len(scores)
    poses = np.zeros((n, 18, 3), np.float32)
    for i in range(n):
        poses[i, 1] = (10 + i, 20 + i, scores[i])
        poses[i, 2] = (12 + i, 30 + i, scores[i])
    persons = np.full((n, 18), -1, np.int32)
    return PoseResult(poses, np.asarray(scores, np.float32), persons, empty.keypoints, empty.valid_pairs,
                      empty.invalid_pairs, empty.layout, (64, 64), empty.mode)


def test_keep_top_people_keeps_order_and_shapes():
    res = _result([0.2, 0.9, 0.5, 0.7])
    top = keep_top_people(res, 2)
    np.testing.assert_array_equal(top.scores, res.scores[[1, 3]])  # in their order
    np.testing.assert_array_equal(top.poses, res.poses[[1, 3]])
    ties = _result([0.9, 0.2, 0.9, 0.9])
    np.testing.assert_array_equal(keep_top_people(ties, 2).poses, ties.poses[[0, 2]])  # ties: the earlier ones
    assert keep_top_people(res, 0).poses.shape == (0, 18, 3)
    assert keep_top_people(res, None) is res and keep_top_people(res, 10) is res
    with pytest.raises(ValueError, match="`n`"):
        keep_top_people(res, -1)


def test_draw_alpha_and_blending():
    res = _result([0.9])
    image = np.full((64, 64, 3), 100, np.uint8)
    opaque = draw(image, res)
    drawn = (opaque != image).any(axis=2)
    assert drawn.any()
    np.testing.assert_array_equal(draw(image, res, alpha=0.0), image)
    black = draw(image, res, blend=False)
    assert (black[~drawn] == 0).all()
    np.testing.assert_array_equal(draw(image, res, threshold=0.95), image)
    with pytest.raises(ValueError, match="`alpha`"):
        draw(image, res, alpha=1.5)


def test_heatmap_channels_follow_openpose_numbering():
    assert heatmap_channels(19, 38, 19) == ([18], False)  # the background
    assert heatmap_channels(19, 38, 20) == (list(range(18)), False)
    assert heatmap_channels(19, 38, 21) == (list(range(19, 57)), True)
    assert heatmap_channels(19, 38, 40) == ([55, 56], True)
    with pytest.raises(ValueError, match="`part`"):
        heatmap_channels(19, 38, 41)
    net = np.zeros((1, 57, 8, 8), np.float32)
    net[0, 0, 4, 4] = 1.0
    shown = draw_heatmap(np.zeros((64, 64, 3), np.uint8), net, part=1, n_heatmaps=19)
    assert shown.shape == (64, 64, 3) and shown.dtype == np.uint8
    assert not (shown == draw_heatmap(np.zeros((64, 64, 3), np.uint8), net, part=2, n_heatmaps=19)).all()


def test_scale_poses_validation_and_net_scale():
    poses = np.array([[[32.0, 16.0, 0.5]]], np.float32)
    np.testing.assert_allclose(scale_poses(poses, scale=1, image_size=(64, 32), net_size=(128, 64))[0, 0],
                               [64.0, 32.0, 0.5])
    with pytest.raises(ValueError, match="`net_size`"):
        scale_poses(poses, scale=1, image_size=(64, 32))
    with pytest.raises(ValueError, match="`scale`"):
        scale_poses(poses, scale=2, image_size=(64, 32))
    assert scale_poses(np.zeros((0, 18, 3), np.float32), scale=3, image_size=(64, 32)).shape == (0, 18, 3)
