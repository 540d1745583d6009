"""Reliability, round two: models and layouts checked once, at load (issue 17; docs/robustness.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv

onnx = pytest.importorskip("onnx", reason='building the test models needs onnx: pip install "openpose[convert]"')
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

_ENV = {k: v for k, v in os.environ.items() if k != "OPENPOSE_MODEL"}


def _save(path, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def _conv_model(path, in_channels: int, out_channels: int):
    rng = np.random.default_rng(0)
    weight = numpy_helper.from_array(rng.normal(0, 0.01, (out_channels, in_channels, 3, 3)).astype(np.float32), "w")
    return _save(path, [helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1], strides=[8, 8])],
                 [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, in_channels, 368, 368])],
                 [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, out_channels, 46, 46])], [weight])


def _models(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 368, 368])
    yield "identity", _save(tmp_path / "identity.onnx", [helper.make_node("Identity", ["x"], ["y"])], [x],
                            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 368, 368])])
    yield "conv3", _conv_model(tmp_path / "conv3.onnx", 3, 3)
    yield "conv50", _conv_model(tmp_path / "conv50.onnx", 3, 50)
    yield "2d", _save(tmp_path / "flat.onnx", [helper.make_node("GlobalAveragePool", ["x"], ["p"]),
                                               helper.make_node("Flatten", ["p"], ["y"])], [x],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])])
    yield "1-channel input", _conv_model(tmp_path / "gray.onnx", 1, 57)


def test_models_that_are_not_openpose_networks_fail_at_load(tmp_path):
    for name, path in _models(tmp_path):
        with pytest.raises(ValueError, match=r"the model .*(not an OpenPose network|cannot run|colour channels)"):
            openpose.PoseEstimator(path)  # was: accepted; each image then "bad input" (or silently 1 channel)
        del name


def test_the_command_gives_exit_2_once_for_a_model_that_is_not_openpose(tmp_path):
    path = _conv_model(tmp_path / "conv50.onnx", 3, 50)
    image = tmp_path / "a.jpg"
    cv2.imwrite(str(image), np.zeros((64, 96, 3), np.uint8))
    res = subprocess.run([sys.executable, "-m", "openpose", str(image), str(image.with_name("a2.jpg")), "--model",
                          str(path), "--write-json", str(tmp_path / "out")], capture_output=True, text=True, env=_ENV,
                         timeout=120)
    assert res.returncode == 2, res.stderr  # was: 1, "bad input" per image
    assert "50 output channels" in res.stderr and "bad input" not in res.stderr


def test_a_layout_that_does_not_fit_the_model_fails_at_load(tmp_path):
    model = model_for_this_opencv()
    with pytest.raises(ValueError, match=r"57 output channels.*'mpi' needs 44.*--layout coco"):
        openpose.PoseEstimator(model, layout="mpi")  # was: 15-part "people", exit 0
    image = tmp_path / "a.jpg"
    cv2.imwrite(str(image), np.zeros((64, 96, 3), np.uint8))
    res = subprocess.run([sys.executable, "-m", "openpose", str(image), "--model", str(model), "--layout", "mpi",
                          "--write-json", str(tmp_path / "out")], capture_output=True, text=True, env=_ENV, timeout=120)
    assert res.returncode == 2 and "--layout coco" in res.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_the_right_layout_still_loads(tmp_path):
    estimator = openpose.PoseEstimator(model_for_this_opencv(), layout="coco", net_height=128)
    result = estimator.estimate(np.zeros((64, 96, 3), np.uint8))
    assert result.poses.shape[1:] == (18, 3)
    assert json.dumps(openpose.openpose_json.to_openpose_json(result))
