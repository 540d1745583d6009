"""The prepare / run split of the network pass (`PoseEstimator.prepare_input`, `forward_prepared`).

The command's pipeline prepares frames in their own thread and runs only
the engine in the network's thread; the split must not change a bit.

Oracles, none produced by the code under test:
- a ``cv2.dnn`` forward run in conftest (``real_outputs``) for one scale;
- for several scales with flip, each scale run one by one through units
  with their own tests (`models.prepare`, `multiscale.unflip`, `average_outputs`);
- `PoseEstimator.estimate` frame by frame for the command's JSON on the video.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv, photos, shared_path
from openpose.estimator import NetInput


def test_prepared_forward_is_the_network_output_bit_for_bit(estimator, real_outputs):
    by_name = {p.stem: p for p in photos()}
    for name, out, size in real_outputs:
        net_input = estimator.prepare_input(cv2.imread(str(by_name[name])))
        assert isinstance(net_input, NetInput)
        assert net_input.single
        assert len(net_input.blobs) == 1
        got, got_size = estimator.forward_prepared(net_input)
        assert got_size == size
        np.testing.assert_array_equal(got, out, err_msg=name)


@pytest.mark.parametrize("options", [{"scale_number": 2, "flip": True}, {"scale_number": 3}, {"flip": True}])
def test_forward_with_scales_and_flip_is_each_scale_run_and_averaged(options):
    """`forward` (= ``forward_prepared(prepare_input(...))``) against the scales run one by one.

    The oracle is built here from units with their own tests: `models.prepare`
    (blobFromImage's bytes), the engine, `multiscale.unflip` and
    `multiscale.average_outputs` (tests/test_multiscale.py); the sizes are
    OpenPose's: each scale's height, the width by the aspect ratio rounded to 16.
    """
    from openpose.models import prepare
    from openpose.multiscale import average_outputs, scale_heights, unflip

    est = openpose.PoseEstimator(model_for_this_opencv(), net_height=256, **options)
    image = cv2.imread(str(photos()[0])) if photos() else pytest.skip("needs a shared photo")
    net_input = est.prepare_input(image)
    assert not net_input.single
    assert len(net_input.blobs) == est.scale_number * (2 if est.flip else 1)
    assert sum(net_input.flipped) == (est.scale_number if est.flip else 0)
    h_img, w_img = image.shape[:2]
    outs = []
    for h in scale_heights(256, est.scale_number, est.scale_gap, 16):
        size = (max(16, int(round(h * w_img / h_img / 16)) * 16), h)
        outs.append(est.run_network(prepare(image, est.spec, size)))
        if est.flip:
            mirrored = np.ascontiguousarray(image[:, ::-1])
            outs.append(unflip(est.run_network(prepare(mirrored, est.spec, size)), est.layout))
    got, size = est.forward(image)
    assert size == (w_img, h_img)
    np.testing.assert_array_equal(got, average_outputs(outs))
    np.testing.assert_array_equal(est.forward_prepared(net_input)[0], got)


def test_forward_prepared_takes_only_a_net_input(estimator):
    with pytest.raises(TypeError, match="`net_input`"):
        estimator.forward_prepared(np.zeros((1, 3, 368, 656), np.float32))


def test_prepare_input_checks_the_width_as_forward_does(estimator):
    with pytest.raises(ValueError, match="too wide"):
        estimator.prepare_input(np.zeros((8, 4096, 3), np.uint8))


def test_command_json_on_the_video_is_estimate_frame_by_frame(tmp_path):
    """The five-stage pipeline gives, frame for frame, the keypoints `estimate` gives."""
    video = shared_path("media/video.avi")
    model = model_for_this_opencv()
    from openpose.cli import main

    out = tmp_path / "json"
    assert main([str(video), "--model", str(model), "--write-json", str(out), "--frame-last", "4",
                 "--net-height", "256"]) == 0
    files = sorted(out.glob("*.json"))
    assert len(files) == 5
    est = openpose.PoseEstimator(model, net_height=256)
    cap = cv2.VideoCapture(str(video))
    for path in files:
        ok, frame = cap.read()
        assert ok
        people = json.loads(path.read_text())["people"]
        result = est.estimate(frame)
        assert len(people) == len(result)
        for person, pose in zip(people, result.poses, strict=True):
            got = np.asarray(person["pose_keypoints_2d"], dtype=np.float64).reshape(-1, 3)
            np.testing.assert_allclose(got[:, :2], pose[:, :2], rtol=0, atol=1e-3)
    cap.release()
