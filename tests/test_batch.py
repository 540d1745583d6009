"""postprocess_batch: the same results as postprocess frame by frame, on any number of threads."""

from __future__ import annotations

import numpy as np
import pytest

import openpose
from openpose.synthetic import synthetic_net_output

pytest.importorskip("cv2")


def _frames():
    outs = [synthetic_net_output(n, map_size=(62, 46), seed=s) for s, n in enumerate((1, 4, 9, 0, 3))]
    sizes = [(640, 480), (496, 368), (1280, 960), (62, 46), (320, 240)]
    return outs, sizes


@pytest.mark.parametrize("mode", ["seed", "accurate"])
@pytest.mark.parametrize("threads", [1, 2, 4, None], ids=["1", "2", "4", "default"])
def test_batch_equals_one_by_one(threads, mode):
    outs, sizes = _frames()
    got = openpose.postprocess_batch(outs, image_sizes=sizes, threads=threads, mode=mode)
    assert len(got) == len(outs)
    for out, size, res in zip(outs, sizes, got):
        one = openpose.postprocess(out, image_size=size, mode=mode)
        assert res.image_size == size
        np.testing.assert_array_equal(res.persons, one.persons)
        np.testing.assert_array_equal(res.poses, one.poses)
        for a, b in zip(res.keypoints, one.keypoints):
            np.testing.assert_array_equal(a, b)
    assert sum(len(r) for r in got) > 0


def test_batch_one_size_for_all_and_stacked_array():
    outs = np.concatenate([synthetic_net_output(3, map_size=(40, 30), seed=s) for s in range(3)])
    got = openpose.postprocess_batch(outs, image_sizes=(320, 240), threads=2, implementation="python")
    for k in range(3):
        one = openpose.postprocess(outs[k], image_size=(320, 240), implementation="cpp")
        np.testing.assert_array_equal(got[k].persons, one.persons)
        np.testing.assert_array_equal(got[k].poses[..., :2], one.poses[..., :2])


def test_batch_empty():
    assert openpose.postprocess_batch([], image_sizes=[]) == []


def test_batch_validation():
    outs, sizes = _frames()
    with pytest.raises(ValueError, match="`image_sizes` has 2 pairs for 5"):
        openpose.postprocess_batch(outs, image_sizes=sizes[:2])
    with pytest.raises(ValueError, match="`image_sizes` must be positive"):
        openpose.postprocess_batch(outs, image_sizes=(0, 10))
    with pytest.raises(TypeError, match="`image_sizes"):
        openpose.postprocess_batch(outs, image_sizes=5)
    with pytest.raises(ValueError, match="`threads` must be between"):
        openpose.postprocess_batch(outs, image_sizes=sizes, threads=0)
    with pytest.raises(ValueError, match="`net_outputs` as one array"):
        openpose.postprocess_batch(np.zeros((57, 4, 4), np.float32), image_sizes=(4, 4))
    with pytest.raises(TypeError, match="`net_outputs` must be a sequence"):
        openpose.postprocess_batch(3, image_sizes=(4, 4))
